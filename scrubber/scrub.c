/* Applying edit plans, verifying, and committing atomically.
 *
 * In place (ZERO/REPLACE plus at most one TRUNCATE): the plan is first applied to a
 * private copy-on-write mapping and that result is verified; only then is the file
 * written, with pwrite, in an order that keeps every intermediate state a valid file:
 * replacements (box renames) first, then zeroing (with the tail to be cut), then the
 * cut; synced after each phase. The original bytes of every edited range are kept
 * in memory so that a failed write is rolled back.
 *
 * Copy (CUT, or --out): kept ranges go into a temp file in the destination directory
 * (copy_file_range, falling back to writes from the mapping), which is fsynced,
 * verified, given the original's mode, owner and times, and renamed over the
 * original while a hard link keeps the original reachable until the directory is
 * synced. Afterwards the removed ranges of the old inode are overwritten. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drive_clean.h"
#include "../common/error.h"
#include "../common/io.h"
#include "../scanner/hash.h"
#include "remux.h"
#include "scrub.h"

#define ZERO_CHUNK (1u << 20)
/* From this size on the two digests run on two threads (each is about a second a GiB;
 * below it a thread costs more than it saves). */
#define TWO_THREAD_DIGESTS_FROM (64ull << 20)

void um_scrub_options_default(struct um_scrub_options *o)
{
    memset(o, 0, sizeof *o);
    um_policy_default(&o->policy);
    o->verify.full_limit = 256ull << 20;
    o->in_place_save_limit = 64ull << 20;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static int set_error(struct um_file_result *res, int err, const char *text)
{
    res->error = err;
    res->status = UM_ST_FAILED;
    free(res->error_text);
    res->error_text = text ? strdup(text) : NULL;
    return err;
}

static int write_zeros(int fd, uint64_t off, uint64_t len)
{
    static const uint8_t zeros[ZERO_CHUNK];
    while (len) {
        size_t n = len > ZERO_CHUNK ? ZERO_CHUNK : (size_t)len;
        int err = um_pwrite_all(fd, zeros, n, off);
        if (err) return err;
        off += n, len -= n;
    }
    return 0;
}

static void record_actions(struct um_file_result *res, const struct um_plan *plan)
{
    int err;
    for (size_t i = 0; i < plan->n; i++) {
        struct um_edit *a = um_vec_push(&res->actions, &err);
        if (!a) return;
        *a = plan->ops[i];
        a->bytes = NULL;
        a->also = NULL;   /* owned by the edit it was copied from */
        a->nalso = 0;
    }
    if (plan->truncate) {
        struct um_edit *a = um_vec_push(&res->actions, &err);
        if (!a) return;
        a->op = UM_OP_TRUNCATE;
        a->offset = plan->truncate_at;
        a->length = plan->old_size - plan->truncate_at;
    }
    if (plan->remux) {   /* remux path: the whole file was rewritten */
        struct um_edit *a = um_vec_push(&res->actions, &err);
        if (!a) return;
        a->op = UM_OP_REMUX;
        a->length = plan->truncate_at;
    }
}

static uint64_t truncate_point(const struct um_plan *plan) { return plan->truncate_at; }

/* ---- in place ---- */

struct saved_range {
    uint64_t off, len;
    uint8_t *bytes;
};

static void rollback(int fd, struct saved_range *saved, size_t n, uint64_t old_size)
{
    /* Best effort: restore the size first, then every range's original bytes. */
    (void)ftruncate(fd, (off_t)old_size);
    for (size_t i = 0; i < n; i++)
        if (saved[i].bytes) (void)um_pwrite_all(fd, saved[i].bytes, (size_t)saved[i].len, saved[i].off);
    (void)fsync(fd);
}

/* The original's digest and the result's from one read of the original with the
 * plan's changes overlaid (a byte plan's result is exactly that): when a scrub runs,
 * the scan leaves large files unhashed (hash_later) so that a film is read once for
 * both digests, not once for each. */
static int hash_original_and_result(int fd, const struct um_plan *plan, struct um_file_result *res)
{
    struct um_hash_change *ch = calloc(plan->n + 1, sizeof *ch);
    if (!ch) return -ENOMEM;
    for (size_t i = 0; i < plan->n; i++) {
        const struct um_edit *e = &plan->ops[i];
        ch[i].off = e->offset;
        ch[i].len = e->length;
        ch[i].with = e->op == UM_OP_REPLACE || e->op == UM_OP_SPLICE ? e->bytes : NULL;
        ch[i].with_len = e->op == UM_OP_ZERO || e->op == UM_OP_REPLACE ? e->length
                         : e->op == UM_OP_SPLICE                       ? e->bytes_len
                                                                       : 0;   /* CUT */
    }
    int err = um_sha256_fd_pair(fd, plan->old_size, plan->truncate_at, ch, plan->n,
                                plan->old_size >= TWO_THREAD_DIGESTS_FROM, res->sha256, res->sha256_after);
    free(ch);
    if (err) res->sha256[0] = res->sha256_after[0] = 0;
    return err;
}

/* Writes a verified plan over the file, stage by stage. Between stages only the data
 * must be on the disk (fdatasync: an overwrite changes no block map, and the times
 * follow with the last sync). The tail past the container is zeroed together with
 * the last stage's writes: those bytes are outside every structure, so zeroing them
 * never depends on a stage, and a sync is saved. The zeros are synced before the cut
 * (a truncate would drop them unwritten), and the cut with a full fsync. */
static int commit_in_place(int fd, const struct um_plan *plan, uint64_t size, uint64_t tpoint)
{
    int last = -1, err = 0;   /* stages are clamped to UM_STAGE_LAST when planned */
    for (size_t i = 0; i < plan->n; i++)
        if (plan->ops[i].stage > last) last = plan->ops[i].stage;
    bool zero_tail = plan->truncate && tpoint < size;
    for (int stage = UM_STAGE_RENAME; stage <= last && !err; stage++) {
        bool any = false;
        if (stage == last && zero_tail) err = write_zeros(fd, tpoint, size - tpoint);
        for (size_t i = 0; i < plan->n && !err; i++) {
            const struct um_edit *e = &plan->ops[i];
            if (e->stage != stage) continue;
            any = true;
            err = e->op == UM_OP_REPLACE ? um_pwrite_all(fd, e->bytes, (size_t)e->length, e->offset)
                                         : write_zeros(fd, e->offset, e->length);
        }
        if (!err && any) err = stage == last && !plan->truncate ? um_fsync(fd) : um_fdatasync(fd);
    }
    if (!err && zero_tail && last < 0) {   /* a plan that only cuts */
        err = write_zeros(fd, tpoint, size - tpoint);
        if (!err) err = um_fdatasync(fd);
    }
    if (err || !plan->truncate) return err;
    if (ftruncate(fd, (off_t)tpoint) != 0) return -errno;
    return um_fsync(fd);
}

static int scrub_in_place(struct um_scanner *sc, const struct um_scrub_options *o, int dirfd,
                          const char *name, struct um_file_result *res, const struct um_plan *plan)
{
    uint64_t size = plan->old_size, tpoint = truncate_point(plan);
    int fd = -1, err = 0;
    uint8_t *orig = MAP_FAILED, *work = MAP_FAILED;
    struct saved_range *saved = NULL;
    size_t nsaved = 0;
    char *why = NULL;
    struct stat st;

    fd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return set_error(res, -errno, "cannot open for writing");
    if (fstat(fd, &st) != 0 || !same_file(&st, &res->st)) {
        err = set_error(res, UM_E_CHANGED, NULL);
        goto end;
    }
    orig = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
    work = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (orig == MAP_FAILED || work == MAP_FAILED) {
        err = set_error(res, -errno, "cannot map the file");
        goto end;
    }
    /* Keep the original bytes of every range we will write, for rollback. */
    saved = calloc(plan->n + 1, sizeof *saved);
    if (!saved) {
        err = set_error(res, -ENOMEM, NULL);
        goto end;
    }
    for (size_t i = 0; i <= plan->n; i++) {
        uint64_t off = i < plan->n ? plan->ops[i].offset : tpoint;
        uint64_t len = i < plan->n ? plan->ops[i].length : size - tpoint;
        if (!len) continue;
        saved[nsaved].off = off;
        saved[nsaved].len = len;
        saved[nsaved].bytes = malloc((size_t)len);
        if (!saved[nsaved].bytes) {
            err = set_error(res, -ENOMEM, NULL);
            goto end;
        }
        memcpy(saved[nsaved].bytes, orig + off, (size_t)len);
        nsaved++;
    }
    /* The result, built privately and proven before the file is touched. */
    for (size_t i = 0; i < plan->n; i++) {
        const struct um_edit *e = &plan->ops[i];
        if (e->op == UM_OP_ZERO) memset(work + e->offset, 0, (size_t)e->length);
        else memcpy(work + e->offset, e->bytes, (size_t)e->length);
    }
    enum um_verify_level level = UM_VERIFY_STRUCTURE;
    err = um_verify(sc, &o->policy, &o->verify, res, orig, size, work, plan->new_size,
                    plan, name, &level, &why);
    if (err) {
        set_error(res, err, why);
        goto end;
    }
    bool pair = um_scanner_options(sc)->hash && !res->sha256[0];
    if (pair && (err = hash_original_and_result(fd, plan, res)) != 0) {
        set_error(res, err, err == -EIO ? "the file shrank while it was being read" : "reading the original failed");
        goto end;
    }
    if (o->interrupted && *o->interrupted) {
        err = set_error(res, UM_E_INTERRUPTED, NULL);
        goto end;
    }
    /* Commit, in the order that keeps every state valid. */
    if (fstat(fd, &st) != 0 || !same_file(&st, &res->st)) {
        err = set_error(res, UM_E_CHANGED, NULL);
        goto end;
    }
    err = commit_in_place(fd, plan, size, tpoint);
    if (err) {
        rollback(fd, saved, nsaved, size);
        set_error(res, err, "write failed; original restored");
        goto end;
    }
    /* The committed file, read back through a small buffer (a film's pages do not all
     * stay resident, as they would through the mapping). */
    if (um_scanner_options(sc)->hash && !pair && um_sha256_fd(fd, plan->new_size, NULL, 0, res->sha256_after) != 0)
        res->sha256_after[0] = 0;
    res->scrub_path = UM_PATH_IN_PLACE;
    res->status = UM_ST_SCRUBBED;
    record_actions(res, plan);
    res->verified = um_verify_level_name(level);
end:
    free(why);
    for (size_t i = 0; i < nsaved; i++) free(saved[i].bytes);
    free(saved);
    if (orig != MAP_FAILED) munmap(orig, (size_t)size);
    if (work != MAP_FAILED) munmap(work, (size_t)size);
    if (fd >= 0) close(fd);
    return err;
}

/* ---- copy ---- */

/* Creates a new private temp file in dirfd; its name goes into out. */
static int make_temp(int dirfd, char *out, size_t outsz)
{
    for (int tries = 0; tries < 100; tries++) {
        unsigned long r = (unsigned long)random() ^ ((unsigned long)getpid() << 16) ^ (unsigned long)tries;
        snprintf(out, outsz, UM_TEMP_PREFIX "%08lx.tmp", r & 0xffffffffUL);
        int fd = openat(dirfd, out, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);   /* read: the result is mapped to verify it */
        if (fd >= 0) return fd;
        if (errno != EEXIST) return -errno;
    }
    return -EEXIST;
}

/* Copies in[off, off+len) to out at its current end, in-kernel where possible. */
static int copy_range(int in, const uint8_t *map, uint64_t off, uint64_t len, int out,
                      uint64_t *out_off, bool writeback, volatile int *interrupted)
{
    bool kernel = true;
    while (len) {
        if (interrupted && *interrupted) return UM_E_INTERRUPTED;
        size_t chunk = len > (64u << 20) ? (64u << 20) : (size_t)len;
        ssize_t n = -1;
        if (kernel) {
            loff_t ioff = (loff_t)off, ooff = (loff_t)*out_off;
            n = copy_file_range(in, &ioff, out, &ooff, chunk, 0);
            if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL)) {
                kernel = false;
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return -errno;
            if (n == 0) return -EIO;   /* the source shrank underneath us */
        } else {
            int err = um_pwrite_all(out, map + off, chunk, *out_off);
            if (err) return err;
            n = (ssize_t)chunk;
        }
        /* Start writing it back now, so that the fsync before the commit waits for
         * the last chunk only, not for the whole film (cp leaves it all for later). */
        if (writeback) (void)sync_file_range(out, (off64_t)*out_off, n, SYNC_FILE_RANGE_WRITE);
        off += (uint64_t)n, len -= (uint64_t)n, *out_off += (uint64_t)n;
    }
    return 0;
}

static int write_plan(int in, const uint8_t *map, const struct um_plan *plan, int out,
                      bool writeback, volatile int *interrupted)
{
    uint64_t pos = 0, out_off = 0, end = truncate_point(plan);
    int err = 0;
    for (size_t i = 0; i < plan->n && !err; i++) {
        const struct um_edit *e = &plan->ops[i];
        err = copy_range(in, map, pos, e->offset - pos, out, &out_off, writeback, interrupted);
        if (err) break;
        if (e->op == UM_OP_ZERO) err = write_zeros(out, out_off, e->length), out_off += e->length;
        else if (e->op == UM_OP_REPLACE) err = um_pwrite_all(out, e->bytes, (size_t)e->length, out_off), out_off += e->length;
        else if (e->op == UM_OP_SPLICE) err = um_pwrite_all(out, e->bytes, (size_t)e->bytes_len, out_off), out_off += e->bytes_len;
        pos = e->offset + e->length;
    }
    if (!err) err = copy_range(in, map, pos, end - pos, out, &out_off, writeback, interrupted);
    if (!err && ftruncate(out, (off_t)out_off) != 0) err = -errno;
    return err;
}

/* Producers of the temp file for scrub_copy: the byte plan, or a remux (remux.c).
 * Each writes out from offset 0 and says how many bytes the result has. */
typedef int (*produce_fn)(int in, const uint8_t *map, const struct um_plan *plan, int out,
                          bool writeback, volatile int *interrupted, uint64_t *out_size, char **why);

static int produce_bytes(int in, const uint8_t *map, const struct um_plan *plan, int out,
                         bool writeback, volatile int *interrupted, uint64_t *out_size, char **why)
{
    *why = NULL;
    *out_size = plan->new_size;
    return write_plan(in, map, plan, out, writeback, interrupted);
}

static int produce_remux(int in, const uint8_t *map, const struct um_plan *plan, int out,
                         bool writeback, volatile int *interrupted, uint64_t *out_size, char **why)
{
    (void)map, (void)writeback;
    return um_remux_plan(in, plan, out, out_size, interrupted, why);
}

/* The two digests of a byte plan's copy; for a large file taken in a thread beside the
 * copy: the copy is the kernel's and the disk's work (copy_file_range, writeback,
 * fsync), the digests are the CPU's, and one after the other a hashed --out of a GiB
 * film waited a second for each. */
struct digest_job {
    pthread_t thread;
    bool running;
    int fd, err;
    const struct um_plan *plan;
    struct um_file_result *res;
};

static void *digest_main(void *arg)
{
    struct digest_job *j = arg;
    j->err = hash_original_and_result(j->fd, j->plan, j->res);
    return NULL;
}

/* Starts the digests, in a thread when beside is set (a large file) and one can be
 * made, here and now otherwise; digest_finish gives the result. */
static void digest_start(struct digest_job *j, int fd, const struct um_plan *plan, struct um_file_result *res,
                         bool beside)
{
    *j = (struct digest_job){ .fd = fd, .plan = plan, .res = res };
    j->running = beside && pthread_create(&j->thread, NULL, digest_main, j) == 0;
    if (!j->running) digest_main(j);
}

static int digest_finish(struct digest_job *j)
{
    if (j->running) pthread_join(j->thread, NULL);
    j->running = false;
    return j->err;
}

static int scrub_copy(struct um_scanner *sc, const struct um_scrub_options *o, int dirfd,
                      const char *name, int fd, int out_dirfd, struct um_file_result *res,
                      const struct um_plan *plan, produce_fn produce)
{
    uint64_t size = plan->old_size, new_size = 0;
    bool to_out = out_dirfd >= 0;
    /* --no-sync: an --out copy is left to the kernel's writeback, as cp leaves it; the
     * original is not touched, so nothing is lost if the copy never reaches the disk. */
    bool sync = !(to_out && o->no_sync_out);
    int dest = to_out ? out_dirfd : dirfd;
    int tmp = -1, wfd = -1, err = 0;
    uint8_t *orig = MAP_FAILED, *result = MAP_FAILED;
    char tmpname[64], backup[64];
    bool have_tmp = false, have_backup = false;
    char *why = NULL;
    struct stat st;
    bool hash = um_scanner_options(sc)->hash, pair = false;
    struct digest_job digests = { .running = false };

    if (fstat(fd, &st) != 0 || !same_file(&st, &res->st)) return set_error(res, UM_E_CHANGED, NULL);
    if (size) {
        orig = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd, 0);
        if (orig == MAP_FAILED) return set_error(res, -errno, "cannot map the file");
    }
    tmp = make_temp(dest, tmpname, sizeof tmpname);
    if (tmp < 0) {
        err = set_error(res, tmp, "cannot create a temporary file");
        goto end;
    }
    have_tmp = true;
    /* A byte plan's two digests come from one read of the original; res->sha256 and
     * sha256_after are the digests' until digest_finish. */
    pair = hash && !res->sha256[0] && produce == produce_bytes;
    if (pair) digest_start(&digests, fd, plan, res, size >= TWO_THREAD_DIGESTS_FROM);
    err = produce(fd, orig, plan, tmp, sync, o->interrupted, &new_size, &why);
    if (err) {
        set_error(res, err, why ? why : "writing the cleaned copy failed");
        goto end;
    }
    if (new_size) {
        result = mmap(NULL, (size_t)new_size, PROT_READ, MAP_SHARED, tmp, 0);
        if (result == MAP_FAILED) {
            err = set_error(res, -errno, "cannot map the cleaned copy");
            goto end;
        }
    }
    enum um_verify_level level = UM_VERIFY_STRUCTURE;
    bool edited = plan->n || plan->truncate || plan->remux;
    if (edited) {
        err = um_verify(sc, &o->policy, &o->verify, res, orig, size,
                        result == MAP_FAILED ? (const uint8_t *)"" : result, new_size,
                        plan, name, &level, &why);
        if (err) {
            set_error(res, err, why);
            goto end;
        }
    }
    if (hash && !pair) {
        if (!res->sha256[0]) err = um_sha256_fd(fd, size, NULL, 0, res->sha256);   /* a remux */
        if (!err && um_sha256_fd(tmp, new_size, NULL, 0, res->sha256_after) != 0) res->sha256_after[0] = 0;
    }
    /* Durable before it takes a name; verifying and hashing first let the writeback run
     * meanwhile (the copy started it chunk by chunk). */
    if (!err && sync && (err = um_fsync(tmp)) != 0) {
        set_error(res, err, "writing the cleaned copy failed");
        goto end;
    }
    if (!err && pair) err = digest_finish(&digests);
    if (err) {
        set_error(res, err, err == -EIO ? "the file shrank while it was being read" : "reading the original failed");
        goto end;
    }
    if (o->interrupted && *o->interrupted) {
        err = set_error(res, UM_E_INTERRUPTED, NULL);
        goto end;
    }
    /* The copy takes the original's identity: mode, owner (when we may), times. */
    if (fchmod(tmp, st.st_mode & 07777) != 0) {
        err = set_error(res, -errno, "cannot set the mode of the cleaned copy");
        goto end;
    }
    if (geteuid() == 0) (void)fchown(tmp, st.st_uid, st.st_gid);
    struct timespec times[2] = { st.st_atim, st.st_mtim };
    (void)futimens(tmp, times);
    if (fstat(fd, &st) != 0 || !same_file(&st, &res->st)) {
        err = set_error(res, UM_E_CHANGED, NULL);
        goto end;
    }
    if (!to_out) {
        /* Keep the original reachable until the new name is durable. */
        wfd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
        if (wfd < 0) {
            err = set_error(res, -errno, "cannot open the original for overwriting");
            goto end;
        }
        snprintf(backup, sizeof backup, "%s", tmpname);
        memcpy(backup + strlen(backup) - 4, ".old", 4);
        if (linkat(dirfd, name, dirfd, backup, 0) != 0) {
            err = set_error(res, -errno, "cannot link a backup of the original");
            goto end;
        }
        have_backup = true;
    }
    if (renameat(dest, tmpname, dest, name) != 0) {
        err = set_error(res, -errno, "cannot rename the cleaned copy into place");
        goto end;
    }
    have_tmp = false;
    err = sync ? um_fsync(dest) : 0;
    if (err) {
        if (have_backup && renameat(dirfd, backup, dirfd, name) == 0) {
            have_backup = false;
            (void)fsync(dirfd);
        }
        set_error(res, err, "syncing the directory failed; original restored");
        goto end;
    }
    if (have_backup) {
        (void)unlinkat(dirfd, backup, 0);
        have_backup = false;
        (void)fsync(dirfd);
        /* Overwrite what was removed in the old inode, unless other names still
         * point at it (they would lose their data). */
        struct stat ws;
        if (fstat(wfd, &ws) == 0 && ws.st_nlink == 0) {
            uint64_t tpoint = truncate_point(plan);
            for (size_t i = 0; i < plan->n; i++)
                if (plan->ops[i].op == UM_OP_ZERO || plan->ops[i].op == UM_OP_CUT ||
                    plan->ops[i].op == UM_OP_SPLICE)
                    (void)write_zeros(wfd, plan->ops[i].offset, plan->ops[i].length);
            if (plan->truncate) (void)write_zeros(wfd, tpoint, size - tpoint);
            /* A remux removed tags from anywhere in the file: overwrite all of it. */
            if (plan->remux) (void)write_zeros(wfd, 0, size);
            (void)fsync(wfd);
        }
    }
    res->scrub_path = plan->remux ? UM_PATH_REMUX : edited ? UM_PATH_COPY : UM_PATH_NONE;
    if (edited) {
        res->status = UM_ST_SCRUBBED;
        record_actions(res, plan);
    }
    if (edited) res->verified = um_verify_level_name(level);
end:
    (void)digest_finish(&digests);   /* a failure: the thread still reads the original */
    free(why);
    if (result != MAP_FAILED) munmap(result, (size_t)new_size);
    if (orig != MAP_FAILED) munmap(orig, (size_t)size);
    if (tmp >= 0) close(tmp);
    if (have_tmp) (void)unlinkat(dest, tmpname, 0);
    if (have_backup) (void)unlinkat(dirfd, backup, 0);
    if (wfd >= 0) close(wfd);
    return err;
}

int um_scrub_one(struct um_scanner *sc, const struct um_scrub_options *o, int dirfd,
                 const char *name, int fd, int out_dirfd, struct um_file_result *res)
{
    struct um_plan plan;
    if (res->status == UM_ST_SKIPPED) return 0;
    if (res->status == UM_ST_FAILED && !res->scanned)
        return 0;   /* the scan already failed: never edit what we could not parse */
    int err = um_plan_build(res, &o->policy, &plan);
    if (err) return set_error(res, err, NULL);
    if (plan.delete_file) {
        /* OS artifacts go whole (scrubber/drive_clean.c); with --out they are not copied. */
        um_plan_free(&plan);
        return um_drive_scrub_delete(dirfd, name, out_dirfd >= 0, o->dry_run, res);
    }
    bool nothing = plan.n == 0 && !plan.truncate && !plan.remux;
    if (o->dry_run || (nothing && out_dirfd < 0)) {
        um_plan_free(&plan);
        return 0;
    }
    if (plan.remux) {
        /* No byte plan: a stream copy into a temp file, then the same verify and
         * commit as the copy path. */
        err = scrub_copy(sc, o, dirfd, name, fd, out_dirfd, res, &plan, produce_remux);
    } else if (plan.in_place_ok && out_dirfd < 0 && !o->force_copy) {
        uint64_t saved = plan.old_size - truncate_point(&plan);
        for (size_t i = 0; i < plan.n; i++) saved += plan.ops[i].length;
        if (saved <= o->in_place_save_limit)
            err = scrub_in_place(sc, o, dirfd, name, res, &plan);
        else
            err = scrub_copy(sc, o, dirfd, name, fd, out_dirfd, res, &plan, produce_bytes);
    } else {
        err = scrub_copy(sc, o, dirfd, name, fd, out_dirfd, res, &plan, produce_bytes);
    }
    um_plan_free(&plan);
    return err;
}
