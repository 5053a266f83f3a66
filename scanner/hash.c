#include <errno.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include <fcntl.h>
#include <pthread.h>
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

/* Feeds c the original's bytes [from, to) of fd, read through buf. */
static int update_from_fd(struct sha256_ctx *c, int fd, uint64_t from, uint64_t to, uint8_t *buf, size_t cap)
{
    while (from < to) {
        ssize_t got = read_piece(fd, buf, from, to, cap);
        if (got < 0) return (int)got;
        sha256_update(c, (size_t)got, buf);
        from += (uint64_t)got;
    }
    return 0;
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
    int err = update_from_fd(&c, fd, 0, n, buf, cap);
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

enum { PAIR_CHUNK = 1 << 20 };

/* A stretch of one digest of a pair: the original's bytes [from, to), with the result's
 * changes overlaid when ch is set (the shared prefix, then each digest on its own). */
struct pair_half {
    int fd;
    struct sha256_ctx c;
    uint64_t from, to;                    /* the original's bytes still to hash */
    const struct um_hash_change *ch;      /* the result's changes (NULL: the original) */
    size_t k;
    int err;
};

static void *hash_half(void *arg)
{
    struct pair_half *h = arg;
    uint8_t *buf = malloc(PAIR_CHUNK);
    if (!buf) {
        h->err = -ENOMEM;
        return NULL;
    }
    uint64_t p = h->from;
    size_t i = 0;
    /* The result: the original's bytes between changes, each change's replacement
     * where it starts; changes at the very end (insertions at keep) come last. */
    for (; i < h->k && h->ch[i].off < h->to && !h->err; i++) {
        h->err = update_from_fd(&h->c, h->fd, p, h->ch[i].off, buf, PAIR_CHUNK);
        update_with(&h->c, &h->ch[i]);
        p = h->ch[i].off + h->ch[i].len;
    }
    if (!h->err) h->err = update_from_fd(&h->c, h->fd, p, h->to, buf, PAIR_CHUNK);
    for (; i < h->k && !h->err; i++) update_with(&h->c, &h->ch[i]);
    free(buf);
    return NULL;
}

int um_sha256_fd_pair(int fd, uint64_t n, uint64_t keep, const struct um_hash_change *ch, size_t k,
                      bool two_threads, char before[65], char after[65])
{
    if (keep > n) keep = n;
    /* Both digests share the bytes before the first difference; they are hashed once. */
    uint64_t same = k && ch[0].off < keep ? ch[0].off : keep;
    struct pair_half a = { .fd = fd, .from = 0, .to = same };
    sha256_init(&a.c);
    (void)posix_fadvise(fd, 0, (off_t)n, POSIX_FADV_SEQUENTIAL);
    hash_half(&a);
    if (a.err) return a.err;
    struct pair_half b = { .fd = fd, .c = a.c, .from = same, .to = keep, .ch = ch, .k = k };
    a.from = same, a.to = n;
    /* The rest: two threads when asked (a large file: each digest is a second a GiB),
     * both reading the same cached pages; one after the other otherwise. */
    pthread_t t;
    bool threaded = two_threads && pthread_create(&t, NULL, hash_half, &b) == 0;
    hash_half(&a);
    if (threaded) pthread_join(t, NULL);
    else hash_half(&b);
    if (a.err || b.err) return a.err ? a.err : b.err;
    hex_digest(&a.c, before);
    hex_digest(&b.c, after);
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
