/* Fault injection: the scrubber's system calls are wrapped at link time
 * (-Wl,--wrap=..., see the Makefile). For each call and each occurrence of it during a
 * scrub, that occurrence fails (ENOSPC, EIO, EINTR, or a short write), and then:
 * the file is either the untouched original (and the scrub says why, with an error)
 * or the complete cleaned result (the failure came after the commit point); no
 * temporary file is left. Also: a file that shrinks while mapped fails alone, and one
 * that grows or is rewritten while it is read (mapped, or read whole when small) fails
 * with a stale report that the scrubber refuses to act on. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/error.h"
#include "../scrubber/scrub.h"
#include "support.h"

enum fn { F_PWRITE, F_FSYNC, F_FDATASYNC, F_RENAMEAT, F_FTRUNCATE, F_MMAP, F_COPY, F_LINKAT, F_OPENAT, F_COUNT };
static const char *fn_name[F_COUNT] = { "pwrite", "fsync", "fdatasync", "renameat", "ftruncate", "mmap",
                                        "copy_file_range", "linkat", "openat" };
static struct {
    bool armed;
    int target, nth, err, calls[F_COUNT];
    bool short_write, hit;
    int shrink_fd;   /* mmap of this fd truncates it afterwards (SIGBUS test) */
    int grow_fd;     /* the first mmap or pread of this fd appends to the file afterwards */
    int touch_fd;    /* ... or moves its mtime, the size unchanged */
    bool changed;
} inj = { .shrink_fd = -1, .grow_fd = -1, .touch_fd = -1 };

#define GROW_BYTES 4096

/* Someone else appends to the file, or rewrites it in place, while it is being read. */
static void change_behind(int fd)
{
    if (inj.changed || (fd != inj.grow_fd && fd != inj.touch_fd)) return;
    inj.changed = true;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (fd == inj.grow_fd) {
        static const uint8_t more[GROW_BYTES] = { 0x55 };
        int w = open(path, O_WRONLY | O_APPEND);
        assert_true(w >= 0);
        assert_int_equal(write(w, more, sizeof more), (ssize_t)sizeof more);
        close(w);
    } else {
        struct timespec t[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
        assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
    }
}

ssize_t __real_pread(int fd, void *b, size_t n, off_t off);
ssize_t __wrap_pread(int fd, void *b, size_t n, off_t off)
{
    ssize_t r = __real_pread(fd, b, n, off);
    change_behind(fd);
    return r;
}
ssize_t __wrap_pread64(int fd, void *b, size_t n, off_t off) { return __wrap_pread(fd, b, n, off); }

/* A scanner without libmagic, hashing or not (the two read a file differently). */
static struct um_scanner *scanner_hashing(bool hash)
{
    struct um_scan_options so;
    int e;
    um_scan_options_default(&so);
    so.mime = false;
    so.hash = hash;
    struct um_scanner *sc = um_scanner_new(&so, &e);
    assert_non_null(sc);
    return sc;
}

static bool fire(enum fn f)
{
    if (!inj.armed) return false;
    int n = inj.calls[f]++;
    if ((int)f == inj.target && n == inj.nth) {
        inj.hit = true;
        return true;
    }
    return false;
}

ssize_t __real_pwrite(int fd, const void *b, size_t n, off_t off);
ssize_t __wrap_pwrite(int fd, const void *b, size_t n, off_t off)
{
    if (fire(F_PWRITE)) {
        if (inj.short_write && n > 1) return __real_pwrite(fd, b, n / 2, off);
        errno = inj.err;
        return -1;
    }
    return __real_pwrite(fd, b, n, off);
}
ssize_t __wrap_pwrite64(int fd, const void *b, size_t n, off_t off) { return __wrap_pwrite(fd, b, n, off); }

int __real_fsync(int fd);
int __wrap_fsync(int fd)
{
    if (fire(F_FSYNC)) return errno = inj.err, -1;
    return __real_fsync(fd);
}

int __real_fdatasync(int fd);
int __wrap_fdatasync(int fd)
{
    if (fire(F_FDATASYNC)) return errno = inj.err, -1;
    return __real_fdatasync(fd);
}

int __real_renameat(int a, const char *b, int c, const char *d);
int __wrap_renameat(int a, const char *b, int c, const char *d)
{
    if (fire(F_RENAMEAT)) return errno = inj.err, -1;
    return __real_renameat(a, b, c, d);
}

int __real_ftruncate(int fd, off_t len);
int __wrap_ftruncate(int fd, off_t len)
{
    if (fire(F_FTRUNCATE)) return errno = inj.err, -1;
    return __real_ftruncate(fd, len);
}
int __wrap_ftruncate64(int fd, off_t len) { return __wrap_ftruncate(fd, len); }

void *__real_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off);
void *__wrap_mmap(void *a, size_t n, int prot, int flags, int fd, off_t off)
{
    if (fire(F_MMAP)) return errno = inj.err, MAP_FAILED;
    void *p = __real_mmap(a, n, prot, flags, fd, off);
    if (p != MAP_FAILED) change_behind(fd);
    if (p != MAP_FAILED && fd == inj.shrink_fd) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        truncate(path, 0);   /* someone else cuts the file right after we map it */
    }
    return p;
}
void *__wrap_mmap64(void *a, size_t n, int prot, int flags, int fd, off_t off)
{
    return __wrap_mmap(a, n, prot, flags, fd, off);
}

ssize_t __real_copy_file_range(int a, loff_t *b, int c, loff_t *d, size_t n, unsigned f);
ssize_t __wrap_copy_file_range(int a, loff_t *b, int c, loff_t *d, size_t n, unsigned f)
{
    if (fire(F_COPY)) return errno = inj.err, -1;
    return __real_copy_file_range(a, b, c, d, n, f);
}

int __real_linkat(int a, const char *b, int c, const char *d, int f);
int __wrap_linkat(int a, const char *b, int c, const char *d, int f)
{
    if (fire(F_LINKAT)) return errno = inj.err, -1;
    return __real_linkat(a, b, c, d, f);
}

int __real_openat(int dirfd, const char *path, int flags, ...);
int __wrap_openat(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (fire(F_OPENAT)) return errno = inj.err, -1;
    return __real_openat(dirfd, path, flags, mode);
}
int __wrap_openat64(int dirfd, const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    return __wrap_openat(dirfd, path, flags, mode);
}

/* A JPEG with 20 bytes appended and a one-mark Red Star trailer. */
static size_t make_file(uint8_t *buf)
{
    static const uint8_t jpeg[] = { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, 'J', 'F', 'I', 'F', 0xFF, 0xD9 };
    memcpy(buf, jpeg, sizeof jpeg);
    memset(buf + 12, 0xAB, 20);
    ts_make_mark("5E1AB2C3D4F9Z", buf + 32);
    uint32_t len = 24;
    memcpy(buf + 56, &len, 4);
    memcpy(buf + 60, "EOF", 3);
    return 63;
}

static int count_entries(const char *dir)
{
    char *cmd;
    int n = -1;
    if (asprintf(&cmd, "ls -A '%s' | wc -l", dir) < 0) return -1;
    FILE *p = popen(cmd, "r");
    if (p && fscanf(p, "%d", &n) != 1) n = -1;
    if (p) pclose(p);
    free(cmd);
    return n;
}

/* One scrub with the injection armed; returns its error and checks the invariants. */
static int one_run(bool copy_path, enum fn target, int nth, int err, bool short_write, bool *hit)
{
    char *dir = ts_mkdtemp();
    uint8_t buf[128];
    size_t n = make_file(buf);
    char *path = ts_write(dir, "f.jpg", buf, n);
    struct um_scan_options so;
    int e;
    um_scan_options_default(&so);
    so.mime = false;
    struct um_scanner *sc = um_scanner_new(&so, &e);
    struct um_scrub_options o;
    um_scrub_options_default(&o);
    o.force_copy = copy_path;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    int fd = openat(dfd, "f.jpg", O_RDONLY);
    struct um_file_result res;
    um_file_result_init(&res);
    um_scan_fd(sc, fd, "f.jpg", &res);

    memset(inj.calls, 0, sizeof inj.calls);
    inj.target = (int)target;
    inj.nth = nth;
    inj.err = err;
    inj.short_write = short_write;
    inj.hit = false;
    inj.armed = true;
    int rc = um_scrub_one(sc, &o, dfd, "f.jpg", fd, -1, &res);
    inj.armed = false;
    *hit = inj.hit;

    size_t m;
    uint8_t *after = ts_read(path, &m);
    assert_non_null(after);
    bool original = m == n && !memcmp(after, buf, n);
    bool cleaned = m == 12 && !memcmp(after, buf, 12);
    if (rc) {
        if (!original) fail_msg("%s #%d failed (%s) but the original was not kept", fn_name[target], nth, um_strerror(rc));
        assert_int_equal(res.status, UM_ST_FAILED);
        assert_int_not_equal(res.error, 0);
    } else if (!cleaned) {
        fail_msg("%s #%d: success reported but the file is not the cleaned result", fn_name[target], nth);
    }
    if (count_entries(dir) != 1) fail_msg("%s #%d: a temporary file was left behind", fn_name[target], nth);
    free(after);
    um_file_result_free(&res);
    close(fd);
    close(dfd);
    um_scanner_free(sc);
    ts_rmdir(dir);
    free(dir);
    free(path);
    return rc;
}

static void every_call_fails_safely(void **state)
{
    (void)state;
    static const int errs[] = { ENOSPC, EIO, EINTR };
    int failures = 0, injected = 0;
    for (int copy = 0; copy <= 1; copy++)
        for (int f = 0; f < F_COUNT; f++)
            for (size_t k = 0; k < sizeof errs / sizeof *errs; k++)
                for (int nth = 0; nth < 32; nth++) {
                    bool hit;
                    int rc = one_run(copy, (enum fn)f, nth, errs[k], false, &hit);
                    if (!hit) break;   /* past the last call of that kind */
                    injected++;
                    if (rc) failures++;
                }
    print_message("%d injected faults, %d made the scrub fail safely, the rest came after the commit point\n",
                  injected, failures);
    assert_true(injected > 40);
    assert_true(failures > 20);
}

static void short_writes_are_completed(void **state)
{
    (void)state;
    for (int copy = 0; copy <= 1; copy++)
        for (int nth = 0; nth < 16; nth++) {
            bool hit;
            int rc = one_run(copy, F_PWRITE, nth, 0, true, &hit);
            if (!hit) break;
            assert_int_equal(rc, 0);   /* a short write is not an error: the rest follows */
        }
}

static void file_shrinking_while_mapped_fails_alone(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    /* Larger than the size read into a buffer: only mapped files can shrink under us. */
    size_t bign = 2u << 20;
    uint8_t *big = malloc(bign);
    assert_non_null(big);
    memset(big, 0x41, bign);
    /* With hashing the short read is seen first; without, the scan touches the last
     * page of the mapping (the Red Star check) and the SIGBUS guard must catch it. */
    for (int hash = 1; hash >= 0; hash--) {
        char *path = ts_write(dir, "s.bin", big, bign);
        struct um_scanner *sc = scanner_hashing(hash);
        int fd = open(path, O_RDONLY);
        struct um_file_result res;
        um_file_result_init(&res);
        inj.shrink_fd = fd;
        int rc = um_scan_fd(sc, fd, "s.bin", &res);
        inj.shrink_fd = -1;
        assert_int_equal(rc, -EIO);
        assert_int_equal(res.status, UM_ST_FAILED);
        assert_non_null(strstr(res.error_text, "shrank"));
        /* And the next file scans normally. */
        um_file_result_free(&res);
        um_file_result_init(&res);
        assert_int_equal(um_scan_buffer(sc, big, 1000, "t.bin", &res), 0);
        um_file_result_free(&res);
        close(fd);
        um_scanner_free(sc);
        free(path);
    }
    ts_rmdir(dir);
    free(dir);
    free(big);
}

/* The JPEG of make_file, with `fill` bytes appended before the trailer: above the
 * size read whole, the file is mapped. */
static uint8_t *make_sized(size_t fill, size_t *n)
{
    uint8_t small[128];
    size_t k = make_file(small);
    uint8_t *b = malloc(k + fill);
    assert_non_null(b);
    memcpy(b, small, 12);
    memset(b + 12, 0xAB, 20 + fill);
    memcpy(b + 32 + fill, small + 32, k - 32);
    *n = k + fill;
    return b;
}

static void file_changing_while_read_fails(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    int cases = 0;
    for (int big = 0; big <= 1; big++)
        for (int grow = 1; grow >= 0; grow--)
            for (int hash = 1; hash >= 0; hash--) {
                size_t n;
                uint8_t *buf = make_sized(big ? 2u << 20 : 0, &n);
                char *path = ts_write(dir, "g.jpg", buf, n);
                struct um_scanner *sc = scanner_hashing(hash);
                int fd = openat(dfd, "g.jpg", O_RDONLY);
                struct um_file_result res;

                /* Left alone, the file has findings and a plan. */
                um_file_result_init(&res);
                assert_int_equal(um_scan_fd(sc, fd, "g.jpg", &res), 0);
                assert_int_equal(res.status, UM_ST_FOUND);
                assert_true(res.edits.len > 0);
                um_file_result_free(&res);

                um_file_result_init(&res);
                inj.changed = false;
                *(grow ? &inj.grow_fd : &inj.touch_fd) = fd;
                int rc = um_scan_fd(sc, fd, "g.jpg", &res);
                inj.grow_fd = inj.touch_fd = -1;
                assert_true(inj.changed);
                assert_int_equal(rc, UM_E_CHANGED);
                assert_int_equal(res.status, UM_ST_FAILED);
                assert_int_equal(res.error, UM_E_CHANGED);
                assert_false(res.scanned);
                assert_string_equal(res.error_text, "the file changed while it was being read");
                assert_string_equal(res.sha256, "");
                assert_int_equal(res.size, n);   /* what was read: the size at the start */

                /* The scrubber will not act on the stale report. */
                ts_assert_scrub_refused(sc, dfd, "g.jpg", fd, &res, UM_E_CHANGED, path, buf, n,
                                        grow ? n + GROW_BYTES : n);
                cases++;

                um_file_result_free(&res);
                close(fd);
                um_scanner_free(sc);
                unlinkat(dfd, "g.jpg", 0);
                free(path);
                free(buf);
            }
    assert_int_equal(cases, 8);
    close(dfd);
    ts_rmdir(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_call_fails_safely),
        cmocka_unit_test(short_writes_are_completed),
        cmocka_unit_test(file_shrinking_while_mapped_fails_alone),
        cmocka_unit_test(file_changing_while_read_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
