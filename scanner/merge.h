/* Joining NDJSON reports of shards (`unmark scan --shard K/N --ndjson ...`) into one
 * report: files in path order, summaries added up. */
#ifndef UM_MERGE_H
#define UM_MERGE_H

#include <stdbool.h>
#include <stdio.h>

/* Reads the NDJSON reports `paths`, writes the joined report to out (NDJSON when
 * ndjson, else JSON). Returns 0, or an error with *why set to a static message. */
int um_merge_reports(int n, char **paths, FILE *out, bool ndjson, const char **why);

#endif
