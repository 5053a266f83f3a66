#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <nettle/sha2.h>

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
        size_t want = n - off > cap ? cap : (size_t)(n - off);
        ssize_t got = pread(fd, buf, want, (off_t)off);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
            err = got < 0 ? -errno : -EIO;
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
