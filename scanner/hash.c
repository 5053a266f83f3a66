#include <errno.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "../common/error.h"
#include "../common/io.h"
#include "hash.h"

static void hex_digest(struct sha256_ctx *c, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(c, sizeof d, d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[64] = 0;
}

/* The next piece of fd at off, at most cap bytes and not past n: its length, or
 * -errno (-EIO at an end before n: the file shrank). */
static ssize_t read_piece(int fd, uint8_t *buf, uint64_t off, uint64_t n, size_t cap)
{
    size_t want = n - off > cap ? cap : (size_t)(n - off);
    int err = um_pread_all(fd, buf, want, off);
    return err ? (err == UM_E_TRUNC ? -EIO : err) : (ssize_t)want;
}

int um_sha256_fd(int fd, uint64_t n, uint8_t *buf, size_t cap, char out[65])
{
    uint8_t *own = NULL;
    if (!buf || cap == 0) {
        cap = 1 << 20;
        if (!(buf = own = malloc(cap))) return -ENOMEM;
    }
    struct sha256_ctx c;
    sha256_init(&c);
    /* Sequential read-ahead; the pages stay cached (a scrub or the parse reads them
     * next, and evicting a preparer's cache is not this tool's business). */
    (void)posix_fadvise(fd, 0, (off_t)n, POSIX_FADV_SEQUENTIAL);
    uint64_t off = 0;
    int err = 0;
    while (off < n) {
        ssize_t got = read_piece(fd, buf, off, n, cap);
        if (got < 0) {
            err = (int)got;
            break;
        }
        sha256_update(&c, (size_t)got, buf);
        off += (uint64_t)got;
    }
    free(own);
    if (!err) hex_digest(&c, out);
    return err;
}

int um_sha256_hex(const uint8_t *p, uint64_t n, char out[65])
{
    struct sha256_ctx c;
    sha256_init(&c);
    while (n) {
        size_t chunk = n > (1u << 24) ? (1u << 24) : (size_t)n;
        sha256_update(&c, chunk, p);
        p += chunk;
        n -= chunk;
    }
    hex_digest(&c, out);
    return 0;
}

static void update_zeros(struct sha256_ctx *c, uint64_t n)
{
    static const uint8_t zeros[4096];
    for (; n; n -= n > sizeof zeros ? sizeof zeros : n)
        sha256_update(c, (size_t)(n > sizeof zeros ? sizeof zeros : n), zeros);
}

static void update_with(struct sha256_ctx *c, const struct um_hash_change *ch)
{
    if (ch->with) sha256_update(c, (size_t)ch->with_len, ch->with);
    else update_zeros(c, ch->with_len);
}

int um_sha256_fd_pair(int fd, uint64_t n, uint64_t keep, const struct um_hash_change *ch, size_t k,
                      char before[65], char after[65])
{
    enum { CHUNK = 1 << 20 };
    uint8_t *buf = malloc(CHUNK);
    if (!buf) return -ENOMEM;
    struct sha256_ctx a, b;
    bool forked = false;   /* b shares a's state until the first byte that differs */
    sha256_init(&a);
    (void)posix_fadvise(fd, 0, (off_t)n, POSIX_FADV_SEQUENTIAL);
    size_t next = 0;
    uint64_t off = 0;
    int err = 0;
    if (keep > n) keep = n;
    while (off < n && !err) {
        ssize_t got = read_piece(fd, buf, off, n, CHUNK);
        if (got < 0) {
            err = (int)got;
            break;
        }
        uint64_t p = off, end = off + (uint64_t)got;
        while (p < end) {
            const uint8_t *at = buf + (p - off);
            if (next < k && ch[next].off <= p) {
                /* Inside change `next`: the original's bytes go to a only; b gets the
                 * replacement once, where the change starts. */
                if (!forked) b = a, forked = true;
                if (p == ch[next].off) update_with(&b, &ch[next]);
                uint64_t stop = ch[next].off + ch[next].len;
                if (stop > end) stop = end;
                sha256_update(&a, (size_t)(stop - p), at);
                p = stop;
                if (p >= ch[next].off + ch[next].len) next++;
                continue;
            }
            uint64_t stop = next < k && ch[next].off < end ? ch[next].off : end;
            if (p >= keep) {
                if (!forked) b = a, forked = true;   /* the result ended: a only */
            } else if (stop > keep) {
                stop = keep;
            }
            sha256_update(&a, (size_t)(stop - p), at);
            if (forked && p < keep) sha256_update(&b, (size_t)(stop - p), at);
            p = stop;
        }
        off = end;
    }
    free(buf);
    if (err) return err;
    if (!forked) b = a;
    for (; next < k; next++) update_with(&b, &ch[next]);   /* insertions at the very end */
    hex_digest(&a, before);
    hex_digest(&b, after);
    return 0;
}

const char *um_sha256_implementation(void)
{
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) && (b >> 29 & 1))
        return "SHA-256 (nettle, with the CPU's SHA extensions)";
    return "SHA-256 (nettle, portable code: this CPU has no SHA extensions)";
#else
    return "SHA-256 (nettle, with the CPU's SHA extensions where nettle has code for them)";
#endif
}
