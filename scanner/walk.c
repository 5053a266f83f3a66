#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drive.h"
#include "walk.h"

bool um_walk_is_leftover(const char *name)
{
    /* ".unmark-" + 8 hex digits + ".tmp" or ".old" (scrubber/scrub.c, UM_TEMP_PREFIX). */
    size_t n = strlen(name);
    if (n != 8 + 8 + 4 || strncmp(name, ".unmark-", 8) != 0) return false;
    for (size_t i = 8; i < 16; i++)
        if (!strchr("0123456789abcdef", name[i])) return false;
    return !strcmp(name + 16, ".tmp") || !strcmp(name + 16, ".old");
}

void um_walk_options_default(struct um_walk_options *o)
{
    memset(o, 0, sizeof *o);
    o->max_depth = 128;
    o->one_file_system = true;
}

void um_walk_item_free(struct um_walk_item *it)
{
    if (!it) return;
    if (it->fd >= 0) close(it->fd);
    if (it->dirfd >= 0) close(it->dirfd);
    free(it->path);
    free(it->reldir);
    free(it->name);
    free(it);
}

/* Visited (dev, ino) pairs of files with more than one link: a small open-addressed
 * set that grows. */
struct inode_set {
    struct { dev_t dev; ino_t ino; bool used; } *slots;
    size_t cap, len;
};

static int inode_seen(struct inode_set *s, dev_t dev, ino_t ino)
{
    if (s->len * 2 >= s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 256;
        __typeof__(s->slots) n = calloc(ncap, sizeof *n);
        if (!n) return -ENOMEM;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slots[i].used) continue;
            size_t h = ((size_t)s->slots[i].ino * 0x9E3779B97F4A7C15ull) & (ncap - 1);
            while (n[h].used) h = (h + 1) & (ncap - 1);
            n[h] = s->slots[i];
        }
        free(s->slots);
        s->slots = n;
        s->cap = ncap;
    }
    size_t h = ((size_t)ino * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
    while (s->slots[h].used) {
        if (s->slots[h].dev == dev && s->slots[h].ino == ino) return 1;
        h = (h + 1) & (s->cap - 1);
    }
    s->slots[h].used = true;
    s->slots[h].dev = dev;
    s->slots[h].ino = ino;
    s->len++;
    return 0;
}

struct walker {
    const struct um_walk_options *o;
    um_walk_fn fn;
    void *opaque;
    uint64_t seq;
    dev_t root_dev;
    struct inode_set links;
    int artifact;   /* drive hygiene: tag for the next emitted item */
};

static char *join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    bool slash = la && a[la - 1] != '/';
    char *s = malloc(la + lb + 2);
    if (!s) return NULL;
    memcpy(s, a, la);
    if (slash) s[la++] = '/';
    memcpy(s + la, b, lb + 1);
    return s;
}

/* FNV-1a of the relative path: stable across machines and runs. */
static uint64_t path_hash(const char *reldir, const char *name)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = reldir; *p; p++) h = (h ^ (uint8_t)*p) * 1099511628211ull;
    h = (h ^ '/') * 1099511628211ull;
    for (const char *p = name; *p; p++) h = (h ^ (uint8_t)*p) * 1099511628211ull;
    return h;
}

static int emit(struct walker *w, enum um_walk_kind kind, const char *path, const char *reldir,
                const char *name, int dirfd, int fd, const struct stat *st, int err,
                const char *reason)
{
    int artifact = w->artifact;
    w->artifact = 0;
    struct um_walk_item *it = calloc(1, sizeof *it);
    if (!it) {
        if (fd >= 0) close(fd);
        return -ENOMEM;
    }
    it->fd = fd;
    it->dirfd = dirfd >= 0 ? fcntl(dirfd, F_DUPFD_CLOEXEC, 0) : -1;
    it->seq = w->seq++;
    it->kind = kind;
    it->artifact = artifact;
    it->path = strdup(path);
    it->reldir = strdup(reldir);
    it->name = strdup(name);
    if (st) it->st = *st;
    it->err = err;
    it->reason = reason;
    it->leftover = kind == UM_WALK_FILE && um_walk_is_leftover(name);
    if (!it->path || !it->reldir || !it->name || (dirfd >= 0 && it->dirfd < 0)) {
        um_walk_item_free(it);
        return -ENOMEM;
    }
    return w->fn(w->opaque, it);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(struct walker *w, int dirfd, const char *path, const char *reldir, int depth);

/* Drive hygiene (scanner/drive.c): an OS artifact, file or directory, is one item
 * whose fd is the file or directory itself; its contents are not walked. */
static int visit_artifact(struct walker *w, int dirfd, const char *full, const char *reldir,
                          const char *name, const struct stat *st, int artifact)
{
    if (w->o->shard_n && path_hash(reldir, name) % w->o->shard_n != w->o->shard_k - 1) return 0;
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY |
                                 (S_ISDIR(st->st_mode) ? O_DIRECTORY : 0));
    if (fd < 0) return emit(w, UM_WALK_ERROR, full, reldir, name, dirfd, -1, st, -errno, NULL);
    struct stat fst;
    if (fstat(fd, &fst) != 0 || fst.st_ino != st->st_ino || fst.st_dev != st->st_dev) {
        close(fd);
        return emit(w, UM_WALK_SKIP, full, reldir, name, dirfd, -1, st, 0,
                    "changed while being opened, not scanned");
    }
    w->artifact = artifact;
    return emit(w, UM_WALK_FILE, full, reldir, name, dirfd, fd, &fst, 0, NULL);
}

/* One entry `name` of directory dirfd. */
static int visit(struct walker *w, int dirfd, const char *path, const char *reldir,
                 const char *name, int depth)
{
    struct stat st;
    int r = 0;
    char *full = join(path, name);
    if (!full) return -ENOMEM;
    if (w->o->stop && *w->o->stop) goto out;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        r = emit(w, UM_WALK_ERROR, full, reldir, name, dirfd, -1, NULL, -errno, NULL);
        goto out;
    }
    if (S_ISLNK(st.st_mode)) {
        r = emit(w, UM_WALK_SKIP, full, reldir, name, dirfd, -1, &st, 0, "symbolic link, not followed");
        goto out;
    }
    if (w->o->one_file_system && st.st_dev != w->root_dev) {
        r = emit(w, UM_WALK_SKIP, full, reldir, name, dirfd, -1, &st, 0,
                 "on another file system, not scanned");
        goto out;
    }
    if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {   /* drive hygiene: OS artifacts */
        int artifact = (int)um_drive_classify_name(name, S_ISDIR(st.st_mode));
        if (artifact) {
            r = visit_artifact(w, dirfd, full, reldir, name, &st, artifact);
            goto out;
        }
    }
    if (S_ISDIR(st.st_mode)) {
        if (depth + 1 > w->o->max_depth) {
            r = emit(w, UM_WALK_SKIP, full, reldir, name, dirfd, -1, &st, 0,
                     "deeper than --max-depth, not scanned");
            goto out;
        }
        int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) {
            r = emit(w, UM_WALK_ERROR, full, reldir, name, dirfd, -1, &st, -errno, NULL);
            goto out;
        }
        char *subrel = reldir[0] ? join(reldir, name) : strdup(name);
        if (!subrel) {
            close(sub);
            r = -ENOMEM;
            goto out;
        }
        r = walk_dir(w, sub, full, subrel, depth + 1);
        free(subrel);
        close(sub);
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        r = emit(w, UM_WALK_SKIP, full, reldir, name, dirfd, -1, &st, 0, "special file, not scanned");
        goto out;
    }
    if (w->o->shard_n && path_hash(reldir, name) % w->o->shard_n != w->o->shard_k - 1) goto out;
    if (st.st_nlink > 1) {
        int seen = inode_seen(&w->links, st.st_dev, st.st_ino);
        if (seen < 0) {
            r = seen;
            goto out;
        }
        if (seen) {
            r = emit(w, UM_WALK_SKIP, full, reldir, name, dirfd, -1, &st, 0,
                     "hard link to a file already scanned");
            goto out;
        }
    }
    /* O_NONBLOCK: a FIFO swapped in after the fstat must not hang the walk. */
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        r = emit(w, UM_WALK_ERROR, full, reldir, name, dirfd, -1, &st, -errno, NULL);
        goto out;
    }
    struct stat fst;
    if (fstat(fd, &fst) != 0 || fst.st_ino != st.st_ino || fst.st_dev != st.st_dev || !S_ISREG(fst.st_mode)) {
        close(fd);
        r = emit(w, UM_WALK_SKIP, full, reldir, name, dirfd, -1, &st, 0,
                 "changed while being opened, not scanned");
        goto out;
    }
    r = emit(w, UM_WALK_FILE, full, reldir, name, dirfd, fd, &fst, 0, NULL);
out:
    free(full);
    return r;
}

static int walk_dir(struct walker *w, int dirfd, const char *path, const char *reldir, int depth)
{
    int dupfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (dupfd < 0) return emit(w, UM_WALK_ERROR, path, reldir, "", -1, -1, NULL, -errno, NULL);
    DIR *d = fdopendir(dupfd);
    if (!d) {
        int e = -errno;
        close(dupfd);
        return emit(w, UM_WALK_ERROR, path, reldir, "", -1, -1, NULL, e, NULL);
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int r = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nn = realloc(names, ncap * sizeof *nn);
            if (!nn) {
                r = -ENOMEM;
                break;
            }
            names = nn;
            cap = ncap;
        }
        if (!(names[n] = strdup(de->d_name))) {
            r = -ENOMEM;
            break;
        }
        n++;
    }
    int read_err = errno;
    closedir(d);
    if (!r && read_err) r = emit(w, UM_WALK_ERROR, path, reldir, "", -1, -1, NULL, -read_err, NULL);
    if (!r) qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n && !r; i++) r = visit(w, dirfd, path, reldir, names[i], depth);
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    return r;
}

int um_walk(const char *root, const struct um_walk_options *o, um_walk_fn fn, void *opaque)
{
    struct walker w = { .o = o, .fn = fn, .opaque = opaque };
    struct stat st;
    int r;
    /* The root itself may be a symlink the user named on purpose: follow that one. */
    if (stat(root, &st) != 0) return -errno;
    w.root_dev = st.st_dev;
    if (S_ISDIR(st.st_mode)) {
        int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return -errno;
        r = walk_dir(&w, fd, root, "", 0);
        close(fd);
    } else {
        /* A single file: its directory is the parent. */
        char *copy = strdup(root);
        if (!copy) return -ENOMEM;
        char *slash = strrchr(copy, '/');
        const char *name = slash ? slash + 1 : copy;
        const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
        if (slash) *slash = 0;
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0) {
            r = -errno;
        } else {
            char *parent = strdup(!slash ? "" : slash == copy ? "/" : copy);
            r = parent ? visit(&w, dfd, parent, "", name, 0) : -ENOMEM;
            free(parent);
            close(dfd);
        }
        free(copy);
    }
    free(w.links.slots);
    return r;
}
