#include <errno.h>
#include <unistd.h>

#include "error.h"
#include "io.h"

int um_pread_all(int fd, void *buf, size_t n, uint64_t off)
{
    uint8_t *p = buf;
    while (n) {
        ssize_t r = pread(fd, p, n, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -errno;
        if (r == 0) return UM_E_TRUNC;
        p += r, n -= (size_t)r, off += (uint64_t)r;
    }
    return 0;
}

int um_pwrite_all(int fd, const void *buf, size_t n, uint64_t off)
{
    const uint8_t *p = buf;
    while (n) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return -errno;
        if (w == 0) return -EIO;
        p += w, n -= (size_t)w, off += (uint64_t)w;
    }
    return 0;
}

int um_fsync(int fd) { return fsync(fd) == 0 ? 0 : -errno; }

int um_fdatasync(int fd) { return fdatasync(fd) == 0 ? 0 : -errno; }
