/* The JSON report, streamed: a header, one object per file as it is finished, and a
 * footer with the run's end and the summary, so memory stays flat however many files
 * there are. Written to a private temp file renamed into place at the end (or to
 * stdout). JSON by default; NDJSON writes one record per line. */
#ifndef UM_REPORT_H
#define UM_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "finding.h"

#define UM_REPORT_VERSION 1

struct um_summary {
    uint64_t files, with_findings, findings, scrubbed, errors, skipped;
    uint64_t bytes_hashed, bytes_read;
    uint64_t by_kind[UM_K_COUNT_];
    double seconds;
};

struct um_report;

/* path "-" is stdout, NULL is no report (the summary still counts). */
struct um_report *um_report_open(const char *path, bool ndjson, const char *command,
                                 int argc, char **argv, int nroots, char **roots,
                                 bool hashing, int *err);
/* Writes one file's object and adds it to the summary. */
int um_report_file(struct um_report *r, const struct um_file_result *res);
/* Ends the report (also after an interruption) and commits the file. */
int um_report_close(struct um_report *r, bool interrupted, struct um_summary *out);

/* The file's JSON object (exposed for tests and `merge`). */
json_t *um_report_file_json(const struct um_file_result *res);

/* JSON-safe text for raw path bytes: valid UTF-8 kept, every other byte becomes
 * U+FFFD; *exact is false when that happened (the report then adds path_hex). */
char *um_path_text(const char *raw, bool *exact);

#endif
