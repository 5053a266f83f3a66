/* Cleaning drive-level traces (see drive_clean.h). Everything works relative to
 * directory descriptors with O_NOFOLLOW / AT_SYMLINK_NOFOLLOW, so a symlink planted
 * inside an artifact (say .Trash-1000/files/x -> /home) is removed as a link and never
 * followed, and nothing outside the scanned tree can be reached. Deleted files are
 * overwritten with zeros first (when no other name links to them): a thumbnail cache
 * left in free space is still readable by anyone with a recovery tool. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../common/error.h"
#include "drive_clean.h"

#define MAX_DEPTH 256
#define ZCHUNK 65536

static void zero_file(int dirfd, const char *name)
{
    static const uint8_t zeros[ZCHUNK];
    int fd = openat(dirfd, name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return;   /* best effort: the unlink still happens */
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1) {
        uint64_t size = (uint64_t)st.st_size, off = 0;
        while (off < size) {
            size_t n = size - off > ZCHUNK ? ZCHUNK : (size_t)(size - off);
            ssize_t w = pwrite(fd, zeros, n, (off_t)off);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) break;
            off += (uint64_t)w;
        }
        (void)fsync(fd);
    }
    close(fd);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int remove_tree(int parent, const char *name, dev_t dev, int depth)
{
    if (depth > MAX_DEPTH) return -ELOOP;
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = -errno;
        close(fd);
        return e;
    }
    if (depth > 0 && st.st_dev != dev) {
        close(fd);
        return -EXDEV;   /* a mount point inside: not ours to empty */
    }
    dev = st.st_dev;
    /* Names first, then removal: no readdir over a directory being changed. */
    int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        int e = -errno;
        if (dfd >= 0) close(dfd);
        close(fd);
        return e;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int err = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 32;
            char **nn = realloc(names, ncap * sizeof *nn);
            if (!nn) {
                err = -ENOMEM;
                break;
            }
            names = nn, cap = ncap;
        }
        if (!(names[n] = strdup(de->d_name))) {
            err = -ENOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        struct stat es;
        int e = 0;
        if (fstatat(fd, names[i], &es, AT_SYMLINK_NOFOLLOW) != 0) e = errno == ENOENT ? 0 : -errno;
        else if (S_ISDIR(es.st_mode)) e = remove_tree(fd, names[i], dev, depth + 1);
        else {
            if (S_ISREG(es.st_mode)) zero_file(fd, names[i]);
            if (unlinkat(fd, names[i], 0) != 0 && errno != ENOENT) e = -errno;
        }
        if (e && !err) err = e;
        free(names[i]);
    }
    free(names);
    if (!err) (void)fsync(fd);
    close(fd);
    if (!err && unlinkat(parent, name, AT_REMOVEDIR) != 0) err = -errno;
    return err;
}

int um_drive_delete(int dirfd, const char *name, bool is_dir)
{
    if (!name[0] || !strcmp(name, ".") || !strcmp(name, "..") || strchr(name, '/')) return -EINVAL;
    int err;
    if (is_dir) {
        err = remove_tree(dirfd, name, 0, 0);
    } else {
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return -errno;
        if (S_ISDIR(st.st_mode)) return -EISDIR;
        if (S_ISREG(st.st_mode)) zero_file(dirfd, name);
        err = unlinkat(dirfd, name, 0) == 0 ? 0 : -errno;
    }
    if (!err) (void)fsync(dirfd);
    return err;
}

int um_drive_scrub_delete(int dirfd, const char *name, bool to_out, bool dry_run, struct um_file_result *res)
{
    bool is_dir = S_ISDIR(res->st.st_mode);
    if (dry_run) return 0;
    if (!to_out) {
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_dev != res->st.st_dev ||
            st.st_ino != res->st.st_ino) {
            res->status = UM_ST_FAILED;
            res->error = UM_E_CHANGED;
            return UM_E_CHANGED;
        }
        int err = um_drive_delete(dirfd, name, is_dir);
        if (err) {
            res->status = UM_ST_FAILED;
            res->error = err;
            free(res->error_text);
            res->error_text = strdup(is_dir ? "could not remove the whole directory" : "could not delete");
            return err;
        }
    }
    int err = 0;
    struct um_edit *a = um_vec_push(&res->actions, &err);
    if (a) {
        a->op = UM_OP_DELETE;
        a->length = res->size;
    }
    res->scrub_path = UM_PATH_DELETE;
    res->status = UM_ST_SCRUBBED;
    if (to_out) {
        free(res->error_text);
        res->error_text = strdup("OS artifact: not copied to --out");
    }
    return 0;
}

int um_drive_scrub_xattrs(int dirfd, const char *name, bool to_out, bool dry_run, struct um_file_result *res)
{
    size_t want = 0;
    for (size_t i = 0; i < res->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&res->findings, i);
        if (f->kind == UM_K_XATTR && f->removable && f->key) want++;
    }
    if (!want || dry_run || res->status == UM_ST_FAILED || res->status == UM_ST_SKIPPED) return 0;
    int removed = 0, err = 0;
    if (!to_out) {
        int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
        if (fd < 0) err = -errno;
        for (size_t i = 0; fd >= 0 && i < res->findings.len; i++) {
            const struct um_finding *f = um_vec_at(&res->findings, i);
            if (f->kind != UM_K_XATTR || !f->removable || !f->key) continue;
            if (fremovexattr(fd, f->key) == 0 || errno == ENODATA) removed++;
            else if (!err) err = -errno;
        }
        if (fd >= 0) close(fd);
    } else {
        removed = (int)want;
    }
    if (err) {
        res->status = UM_ST_FAILED;
        res->error = err;
        free(res->error_text);
        res->error_text = strdup("could not remove extended attributes");
        return err;
    }
    if (res->status == UM_ST_FOUND) {
        /* Found only because of something we just removed, or removed elsewhere. */
        res->status = UM_ST_SCRUBBED;
    }
    return removed;
}

int um_drive_set_times(int dirfd, const char *name, struct timespec t)
{
    struct timespec ts[2] = { t, t };
    return utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;
}

static int set_tree(int fd, dev_t dev, struct timespec t, unsigned long *count, int depth)
{
    if (depth > MAX_DEPTH) return -ELOOP;
    int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        if (dfd >= 0) close(dfd);
        return -errno;
    }
    int err = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        struct stat st;
        int e = 0;
        if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            if (st.st_dev != dev) continue;   /* another file system: not ours */
            int sub = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0) e = -errno;
            else {
                e = set_tree(sub, dev, t, count, depth + 1);
                close(sub);
            }
        }
        /* The directory itself after its children (their changes would not alter
         * it anyway, but scrubbing already has). */
        int e2 = um_drive_set_times(fd, de->d_name, t);
        if (!e2) (*count)++;
        if (!e) e = e2;
        if (e && !err) err = e;
    }
    closedir(d);
    return err;
}

int um_drive_set_tree_times(const char *root, struct timespec t, unsigned long *count)
{
    struct stat st;
    *count = 0;
    if (stat(root, &st) != 0) return -errno;
    if (!S_ISDIR(st.st_mode)) {
        int e = um_drive_set_times(AT_FDCWD, root, t);
        if (!e) *count = 1;
        return e;
    }
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int err = set_tree(fd, st.st_dev, t, count, 0);
    struct timespec ts[2] = { t, t };
    if (futimens(fd, ts) == 0) (*count)++;
    else if (!err) err = -errno;
    close(fd);
    return err;
}

int um_drive_parse_times(const char *s, bool *set, struct timespec *t)
{
    t->tv_nsec = 0;
    if (!strcmp(s, "keep")) {
        *set = false;
        return 0;
    }
    *set = true;
    if (!strcmp(s, "fixed")) {
        t->tv_sec = 946684800;   /* 2000-01-01T00:00:00Z */
        return 0;
    }
    if (strncmp(s, "fixed=", 6)) return UM_E_FORMAT;
    struct tm tm = { 0 };
    int y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
    const char *p = s + 6;
    if (sscanf(p, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3) return UM_E_FORMAT;
    p += used;
    if (*p == 'T' || *p == ' ') {
        if (sscanf(p + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &used) != 3) return UM_E_FORMAT;
        p += 1 + used;
    }
    if (*p == 'Z') p++;
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return UM_E_FORMAT;
    /* FAT and exFAT store years 1980 to 2107 only. */
    if (y < 1980 || y > 2107) return UM_E_RANGE;
    tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
    tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
    t->tv_sec = timegm(&tm);
    return 0;
}
