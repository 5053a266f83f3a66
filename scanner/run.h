/* Running a job over one or more roots: a walker thread feeds a bounded queue, N
 * workers scan (and, through a hook, scrub) files, and results are handed back in
 * walk order, so the report never depends on scheduling. */
#ifndef UM_RUN_H
#define UM_RUN_H

#include <stdbool.h>

#include "scan.h"
#include "walk.h"

struct um_run_options {
    int jobs;
    struct um_scan_options scan;
    struct um_walk_options walk;
    volatile int *stop;
    /* After a file's scan, in a worker (e.g. scrub it); may be NULL. */
    int (*after_scan)(void *opaque, struct um_scanner *sc, struct um_walk_item *it,
                      struct um_file_result *res);
    void *after_opaque;
    /* Each finished result, in walk order, one call at a time (made by whichever
     * worker finished the next result in order). */
    int (*emit)(void *opaque, const struct um_walk_item *it, const struct um_file_result *res);
    void *emit_opaque;
};

/* Returns 0, or an error that stopped the run (not per-file errors). */
int um_run(const struct um_run_options *o, int nroots, char **roots);

#endif
