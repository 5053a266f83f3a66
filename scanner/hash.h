/* SHA-256 through nettle (which uses the CPU's SHA extensions where present). */
#ifndef UM_HASH_H
#define UM_HASH_H

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

#endif
