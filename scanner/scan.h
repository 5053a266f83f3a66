/* Scanning one file: map it, peel Red Star trailers, identify it, run its format
 * handler, and collect findings and the edit plan into a um_file_result. */
#ifndef UM_SCAN_H
#define UM_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "finding.h"

struct um_scan_options {
    bool hash;               /* SHA-256 of every file (reads every byte) */
    bool hash_later;         /* with hash: files read through a mapping are hashed after
                                the after-scan step (run.c), unless that step did it: a
                                scrub hashes the original and its result in one read */
    bool redact;             /* replace values with their length */
    bool mime;               /* ask libmagic for a MIME type */
    uint64_t max_filesize;   /* 0 = no limit; larger files are skipped */
    int max_embed_depth;     /* recursion into embedded media; deeper items are reported
                                as not inspected (info) */
    uint32_t max_findings;   /* findings kept per file; more fail the file */
};

/* Files up to this size are read whole into a buffer instead of mapped: a map, its
 * page faults and its unmapping (a TLB shootdown across threads) cost more than
 * reading a small file, which the hash does anyway. */
#define UM_SCAN_READ_WHOLE (1u << 20)

#define UM_MAX_EMBED_DEFAULT 8   /* a camera JPEG's thumbnail's thumbnail's EXIF is depth 5 */
#define UM_MAX_EMBED_LIMIT 64

void um_scan_options_default(struct um_scan_options *o);

struct um_scanner;   /* one per thread: owns its libmagic handles (opened at first need) */

struct um_scanner *um_scanner_new(const struct um_scan_options *opt, int *err);
void um_scanner_free(struct um_scanner *sc);
const struct um_scan_options *um_scanner_options(const struct um_scanner *sc);

/* Scans bytes already in memory; `name` (may be NULL) gives the extension. Pure: no
 * I/O except libmagic's own, which reads only the buffer. Returns 0 or an error that
 * made the result incomplete (also stored in res). */
int um_scan_buffer(struct um_scanner *sc, const uint8_t *data, uint64_t size,
                   const char *name, struct um_file_result *res);

/* Scans with one given handler, skipping the probes (for fuzzing a single parser). */
struct um_format;
int um_scan_with_format(struct um_scanner *sc, const struct um_format *fmt, const uint8_t *data,
                        uint64_t size, struct um_file_result *res);

/* Maps the open regular file fd read-only and scans it; fills res->st and, when
 * hashing, res->sha256. */
int um_scan_fd(struct um_scanner *sc, int fd, const char *name, struct um_file_result *res);

/* MIME type of a buffer (NULL when libmagic is off or fails); caller frees. */
char *um_scanner_mime(struct um_scanner *sc, const uint8_t *p, size_t n);
/* libmagic's description of a buffer, for guessing what appended bytes are. */
char *um_scanner_describe(struct um_scanner *sc, const uint8_t *p, size_t n);

#endif
