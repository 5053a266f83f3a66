/* Shared helpers for the cmocka tests: temp directories, files, and scanning bytes. */
#ifndef UM_TEST_SUPPORT_H
#define UM_TEST_SUPPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "../common/media_map.h"
#include "../scanner/finding.h"
#include "../scanner/scan.h"

struct um_scrub_options;

/* A fresh private temp directory (freed with rm -r by ts_rmdir). */
char *ts_mkdtemp(void);
void ts_rmdir(const char *dir);
/* Writes bytes to dir/name; returns the full path (caller frees). */
char *ts_write(const char *dir, const char *name, const void *data, size_t n);
/* Reads a whole file; returns malloc'd bytes and sets *n, or NULL. */
uint8_t *ts_read(const char *path, size_t *n);
/* Path of a committed fixture under testdata/ (caller frees). */
char *ts_testdata(const char *rel);
/* Scans a buffer with default options (no mime) into res (init'ed here). */
int ts_scan(const uint8_t *p, size_t n, const char *name, struct um_file_result *res);
/* Number of findings of a kind. */
size_t ts_count(const struct um_file_result *res, enum um_kind k);
/* First finding of a kind, or NULL. */
const struct um_finding *ts_find(const struct um_file_result *res, enum um_kind k);
/* A committed fixture's bytes (testdata/rel); fails the test, naming it, if missing. */
uint8_t *ts_load(const char *rel, size_t *n);
/* The nth finding (from 0) whose key is `key`, or NULL. */
const struct um_finding *ts_find_key(const struct um_file_result *res, const char *key, size_t nth);
/* Scans `path` and scrubs it into `outdir` the way `unmark scrub --out` does; with
 * only_kind >= 0 the policy strips that kind alone. Returns um_scrub_one's result. */
int ts_scrub_to(const char *path, const char *outdir, int only_kind, struct um_file_result *res);
/* True when a command is on PATH (tests that need it skip, saying so, without it). */
bool ts_have_tool(const char *name);
/* After a scan that failed with err: scrubbing name (fd, in directory dfd) must refuse
 * (status failed, the same error, no action) and leave the file at path with
 * expect_size bytes, the first n of them orig's. */
void ts_assert_scrub_refused(struct um_scanner *sc, int dfd, const char *name, int fd,
                             struct um_file_result *res, int err, const char *path,
                             const uint8_t *orig, size_t n, size_t expect_size);
/* Path of a real-world fixture under <shared>/fixtures/ (UNMARK_SHARED, else
 * ../shared), or NULL after printing that the test is skipped. Caller frees. */
char *ts_shared(const char *rel);
/* Random damage (fixed seed) to a fixture: byte flips, mostly in the first 4 KiB where
 * the structure is, and truncations. Every scan must end without a memory error (run
 * under ASan) and a scan that succeeds must give a plan the scrubber accepts. */
void ts_mutations(const char *rel, const char *name, int iterations, unsigned seed);
/* Scans dir/name and scrubs it in place with the library, as `unmark scrub` does (o:
 * the options, NULL for the defaults); fails the test unless it was scrubbed. */
void ts_scrub_in_place(const char *dir, const char *name, const struct um_scrub_options *o,
                       struct um_file_result *res);
/* ts_scrub_in_place on a copy of d[0, n) named name in a temp dir; returns the
 * result's bytes (*m of them) and its report in res; the caller frees both. */
uint8_t *ts_scrub_copy(const uint8_t *d, size_t n, const char *name, struct um_file_result *res, size_t *m);
/* The media map of d[0, n) by the handler `format`, finished; returns its error. */
int ts_media_map(const char *format, const uint8_t *d, uint64_t n, struct um_media_map *m);
/* True when every byte of [off, off+len) is listed. */
bool ts_media_map_covers(const struct um_media_map *m, uint64_t off, uint64_t len);
/* The verifier's media map proof (scrubber/verify.c) on bytes in memory, for res's plan
 * under the default policy: no edit and no cut tail touches the original's map, and the
 * edited, cut result maps to exactly the same ranges; the test fails, naming `name`,
 * when it does not hold. With need_edits the plan must edit something and be in place;
 * without, a plan that is not in place returns false untried. The original's map is
 * left in *a; *nops (may be NULL) gets the plan's number of byte edits. */
bool ts_media_map_proof(const char *format, const uint8_t *p, size_t n, const struct um_file_result *res,
                        const char *name, bool need_edits, struct um_media_map *a, size_t *nops);
/* DES-encrypts "WM"+id into a 24-byte mark (for building trailers in tests). */
void ts_make_mark(const char *id, uint8_t out[24]);

#endif
