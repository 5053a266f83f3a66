/* Walking a tree: openat() relative to directory descriptors with O_NOFOLLOW, so a
 * directory swapped for a symlink mid-walk is never followed; never leaves the file
 * system it started on; entries in byte order, so the walk is deterministic; hard
 * links visited once. */
#ifndef UM_WALK_H
#define UM_WALK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

enum um_walk_kind {
    UM_WALK_FILE,      /* a regular file, open read-only in fd */
    UM_WALK_SKIP,      /* not scanned: reason says why */
    UM_WALK_ERROR,     /* could not be read: err says why */
};

struct um_walk_item {
    uint64_t seq;           /* order of the walk, from 0 */
    enum um_walk_kind kind;
    char *path;             /* root as given joined with the path below it */
    char *reldir;           /* directory below the root ("" at the top), for --out */
    char *name;             /* name inside dirfd */
    int dirfd;              /* the parent directory (owned; -1 if none) */
    int fd;                 /* the file, read-only (owned; -1 if none) */
    int artifact;           /* drive hygiene: an enum um_artifact (scanner/drive.h) when the
                               entry is an OS artifact, reported and deleted whole; fd is
                               then the file or the DIRECTORY (not descended into) */
    struct stat st;
    int err;
    const char *reason;     /* static text for SKIP */
    bool leftover;          /* a temp file or backup link of an interrupted scrub */
};

/* True for the names the scrubber gives its temp files and backup links. */
bool um_walk_is_leftover(const char *name);

struct um_walk_options {
    int max_depth;          /* directories deeper than this are skipped */
    bool one_file_system;
    volatile int *stop;     /* set to stop early (signal) */
    /* Shard K of N (1-based K; N = 0 means no sharding): a stable hash of the
     * relative path decides which files belong to this part. */
    unsigned shard_k, shard_n;
};

void um_walk_options_default(struct um_walk_options *o);

/* Called for every item in walk order; takes ownership of it (free with
 * um_walk_item_free). A non-zero return stops the walk and is returned. */
typedef int (*um_walk_fn)(void *opaque, struct um_walk_item *item);

/* Walks `root` (a directory or a single file). Returns 0, the callback's value, or an
 * error opening the root itself. */
int um_walk(const char *root, const struct um_walk_options *o, um_walk_fn fn, void *opaque);

void um_walk_item_free(struct um_walk_item *item);

#endif
