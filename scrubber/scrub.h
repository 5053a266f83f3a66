/* Cleaning one file by its plan: in place on the original when every edit keeps the
 * length (plus one truncation), otherwise through a verified temp copy that is
 * renamed over the original. The scrubber never parses a format: it applies byte
 * edits and asks the scanner and the verifier about the result. */
#ifndef UM_SCRUB_H
#define UM_SCRUB_H

#include <stdbool.h>

#include "../scanner/scan.h"
#include "plan.h"
#include "verify.h"

struct um_scrub_options {
    struct um_policy policy;
    struct um_verify_options verify;
    bool dry_run;
    bool force_copy;                 /* never edit in place (for tests and --copy) */
    bool no_sync_out;                /* --out copies take their name unsynced (--no-sync) */
    uint64_t in_place_save_limit;    /* bytes of originals kept for rollback */
    volatile int *interrupted;       /* set by a signal handler; may be NULL */
};

void um_scrub_options_default(struct um_scrub_options *o);

/* Cleans the file `name` in directory `dirfd`, which was scanned through `fd` into
 * res. With out_dirfd >= 0 the cleaned file (or an identical copy of a clean one) is
 * written there under the same name and the original is left alone. Updates res
 * (status, actions, scrub_path, sha256_after, error). Returns 0 or the error. */
int um_scrub_one(struct um_scanner *sc, const struct um_scrub_options *o, int dirfd,
                 const char *name, int fd, int out_dirfd, struct um_file_result *res);

/* Prefix of the scrubber's own temporary files. */
#define UM_TEMP_PREFIX ".unmark-"

#endif
