/* SHA-256 through nettle (which uses the CPU's SHA extensions where present). */
#ifndef UM_HASH_H
#define UM_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Hashes p[0, n) into 64 lowercase hex digits plus NUL. Returns 0. Reads through
 * memory in chunks so a SIGBUS from a file truncated underneath is the only risk;
 * callers map files they hold open. */
int um_sha256_hex(const uint8_t *p, uint64_t n, char out[65]);
/* Hashes the first n bytes of fd with pread through buf (cap bytes; NULL: one of its
 * own): a film hashed this way does not stay resident the way a mapping would, and a
 * reused buffer is not faulted in afresh for every file. Returns 0 or -errno (-EIO
 * when the file is shorter than n). */
int um_sha256_fd(int fd, uint64_t n, uint8_t *buf, size_t cap, char out[65]);

/* How SHA-256 is computed here, for the report: nettle picks the CPU's SHA extensions
 * at run time where it has code for them (x86-64: checked with CPUID, as nettle does). */
const char *um_sha256_implementation(void);

/* One difference between an original and a result made from it: the original's bytes
 * [off, off+len) become with[0, with_len) (with NULL: with_len zero bytes). */
struct um_hash_change {
    uint64_t off, len;
    const uint8_t *with;
    uint64_t with_len;
};
/* The SHA-256 of fd's first n bytes (before) and of the result of changes[0, k)
 * (sorted, disjoint, at or below keep) with only the original's first keep bytes kept
 * (after). The bytes before the first difference are read and hashed once; from there
 * the two digests go on in two threads when two_threads is set (worth it for large
 * files), one after the other otherwise. Returns 0 or -errno (-EIO when the file is
 * shorter than n). */
int um_sha256_fd_pair(int fd, uint64_t n, uint64_t keep, const struct um_hash_change *changes, size_t k,
                      bool two_threads, char before[65], char after[65]);

#endif
