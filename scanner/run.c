#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/error.h"
#include "drive.h"
#include "hash.h"
#include "run.h"

#define WINDOW 256          /* results that may wait for an earlier one */
#define WALK_STACK (1024ul << 20)

struct slot {
    struct um_walk_item *item;
    struct um_file_result *res;
    int owner;                  /* the worker that made res */
    bool ready;
};

/* Emitted results go back to the worker that allocated them to be freed: a free()
 * into another thread's malloc arena takes that arena's lock, and with one worker
 * emitting what the other made, the two fought over it for every file. */
struct returned {
    struct slot *v;             /* WINDOW entries at most: results in flight */
    size_t n;
};

struct pool {
    const struct um_run_options *o;
    pthread_mutex_t mu;
    /* Targeted, batched wake-ups: a wake-up per file costs more than scanning a small
     * one (a context switch each way). */
    pthread_cond_t not_empty;   /* workers: an item was queued, or the walk ended */
    pthread_cond_t not_full;    /* walker: the queue or the window has room again */
    pthread_cond_t done;        /* um_run: everything was emitted, or a fatal error */
    struct um_walk_item **queue;
    size_t qcap, qhead, qlen;
    struct slot slots[WINDOW];
    uint64_t next_seq, next_emit;
    bool walk_done, walker_waits, emitting;
    int fatal;
    int nroots;
    char **roots;
    struct returned returned[64];
};

static void free_result(struct slot *s)
{
    um_file_result_free(s->res);
    free(s->res);
    um_walk_item_free(s->item);
}

/* Whether a waiting walker has room to go on: half the queue free and half the window
 * (so it is woken once per half, not once per file). Called with the lock held; a
 * woken walker is marked as no longer waiting so that later calls do not wake it
 * again before it has run. */
static void wake_walker_if_room(struct pool *p)
{
    if (p->walker_waits && p->qlen <= p->qcap / 2 && p->next_seq < p->next_emit + WINDOW / 2) {
        p->walker_waits = false;
        pthread_cond_signal(&p->not_full);
    }
}

static int enqueue(void *opaque, struct um_walk_item *it)
{
    struct pool *p = opaque;
    /* A file that will be read whole: ask for it now, so that the drive reads ahead
     * of the workers (a queue's worth of files) instead of each read waiting in turn. */
    if (it->kind == UM_WALK_FILE && it->fd >= 0 && !it->artifact && !it->leftover && S_ISREG(it->st.st_mode) &&
        it->st.st_size > 0 && (uint64_t)it->st.st_size <= UM_SCAN_READ_WHOLE)
        (void)posix_fadvise(it->fd, 0, it->st.st_size, POSIX_FADV_WILLNEED);
    pthread_mutex_lock(&p->mu);
    it->seq = p->next_seq;
    while (!p->fatal && (p->qlen == p->qcap || it->seq >= p->next_emit + WINDOW)) {
        p->walker_waits = true;
        pthread_cond_wait(&p->not_full, &p->mu);
    }
    p->walker_waits = false;
    if (p->fatal) {
        int e = p->fatal;
        pthread_mutex_unlock(&p->mu);
        um_walk_item_free(it);
        return e;
    }
    p->next_seq++;
    p->queue[(p->qhead + p->qlen++) % p->qcap] = it;
    pthread_cond_signal(&p->not_empty);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

static void *walker_main(void *arg)
{
    struct pool *p = arg;
    for (int i = 0; i < p->nroots; i++) {
        if (p->o->stop && *p->o->stop) break;
        int err = um_walk(p->roots[i], &p->o->walk, enqueue, p);
        if (err == -ENOMEM) {
            pthread_mutex_lock(&p->mu);
            p->fatal = err;
            pthread_cond_broadcast(&p->done);
            pthread_cond_broadcast(&p->not_empty);
            pthread_mutex_unlock(&p->mu);
            break;
        }
        if (err) {
            /* The root itself could not be read: one failed entry for it. */
            struct um_walk_item *it = calloc(1, sizeof *it);
            if (it) {
                it->fd = it->dirfd = -1;
                it->kind = UM_WALK_ERROR;
                it->err = err;
                it->path = strdup(p->roots[i]);
                it->reldir = strdup("");
                it->name = strdup("");
                if (it->path && it->reldir && it->name) enqueue(p, it);
                else um_walk_item_free(it);
            }
        }
    }
    pthread_mutex_lock(&p->mu);
    p->walk_done = true;
    pthread_cond_broadcast(&p->not_empty);
    pthread_cond_broadcast(&p->done);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* A deferred hash (hash_later) that the after-scan step did not take over: the
 * original is still what was scanned (a scrub that changed it hashed it first). A file
 * that changed or shrank while it was read gets no digest, as in the scan itself. */
static void hash_if_left(struct um_scanner *sc, const struct um_walk_item *it, struct um_file_result *res)
{
    const struct um_scan_options *so = um_scanner_options(sc);
    if (!so->hash || !so->hash_later || res->sha256[0] || res->status == UM_ST_SKIPPED ||
        !S_ISREG(res->st.st_mode) || res->error == UM_E_CHANGED || res->error == -EIO)
        return;
    int err = um_sha256_fd(it->fd, (uint64_t)res->st.st_size, NULL, 0, res->sha256);
    if (err && !res->error) {
        res->sha256[0] = 0;
        res->status = UM_ST_FAILED;
        res->error = err;
        free(res->error_text);
        res->error_text = strdup("hashing failed");
    }
}

static void process(const struct um_run_options *o, struct um_scanner *sc, struct um_walk_item *it,
                    struct um_file_result *res)
{
    res->path = strdup(it->path);
    res->st = it->st;
    res->size = (uint64_t)it->st.st_size;
    if (it->artifact && it->kind == UM_WALK_FILE) {
        /* Drive hygiene (scanner/drive.c): OS artifacts (files or folders) are reported
         * whole and deleted on scrub; fd may be a directory. */
        int e = um_drive_artifact_result(it->dirfd, it->name, it->fd, (enum um_artifact)it->artifact, res);
        if (e) res->status = UM_ST_FAILED, res->error = e, res->scanned = false;
        if (um_scanner_options(sc)->redact) um_drive_redact(res, 0);
        if (o->after_scan) o->after_scan(o->after_opaque, sc, it, res);
        return;
    }

    switch (it->kind) {
    case UM_WALK_SKIP:
        res->status = UM_ST_SKIPPED;
        res->error_text = strdup(it->reason);
        res->format = "none";
        return;
    case UM_WALK_ERROR:
        res->status = UM_ST_FAILED;
        res->error = it->err;
        res->format = "none";
        return;
    case UM_WALK_FILE:
        break;
    }
    if (it->leftover) {
        /* Ours: a temp file or backup link that a killed scrub could not remove. Not
         * scanned as content (the name it belonged to is scanned on its own); a scrub
         * removes it through the hook. */
        res->status = UM_ST_SKIPPED;
        res->format = "none";
        res->error_text = strdup("temporary file of an interrupted scrub (a scrub removes it)");
        if (o->after_scan) o->after_scan(o->after_opaque, sc, it, res);
        return;
    }
    um_scan_fd(sc, it->fd, it->name, res);
    if (res->status == UM_ST_SKIPPED && res->error == UM_E_LIMIT)
        res->error_text = strdup("larger than --max-filesize");

    size_t nf = res->findings.len;        /* drive hygiene: extended attributes */
    if (um_drive_xattrs(it->fd, res) > 0 && um_scanner_options(sc)->redact) um_drive_redact(res, nf);
    if (res->findings.overflowed && res->status != UM_ST_FAILED) um_file_result_fail_full(res);
    if (o->after_scan) o->after_scan(o->after_opaque, sc, it, res);
    hash_if_left(sc, it, res);
}

struct worker_arg {
    struct pool *p;
    struct um_scanner *sc;
    int self;
    struct slot *to_free;       /* WINDOW entries: this worker's returned results */
};

/* Emits, in walk order, every result that is ready from next_emit on. Called with the
 * lock held by the worker that finished the next result in order; one emitter at a
 * time (emitting), so the report is written as if by one thread, and no thread waits
 * to be woken for each file. A result finished meanwhile by another worker is seen
 * here: it is stored under the lock before that worker looks at emitting. */
static void emit_ready(struct pool *p, int self)
{
    const struct um_run_options *o = p->o;
    p->emitting = true;
    for (;;) {
        struct slot *s = &p->slots[p->next_emit % WINDOW];
        if (p->fatal || !s->ready) break;
        struct slot got = *s;
        s->ready = false;
        pthread_mutex_unlock(&p->mu);
        int e = o->emit ? o->emit(o->emit_opaque, got.item, got.res) : 0;
        if (got.owner == self) free_result(&got);
        pthread_mutex_lock(&p->mu);
        if (got.owner != self) {
            struct returned *r = &p->returned[got.owner];
            r->v[r->n++] = got;
        }
        if (e && !p->fatal) p->fatal = e;
        p->next_emit++;
        wake_walker_if_room(p);
    }
    p->emitting = false;
    if (p->fatal || (p->walk_done && p->next_emit == p->next_seq)) pthread_cond_signal(&p->done);
}

static void *worker_main(void *arg)
{
    struct worker_arg *wa = arg;
    struct pool *p = wa->p;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        struct returned *r = &p->returned[wa->self];
        size_t nfree = r->n;
        memcpy(wa->to_free, r->v, nfree * sizeof *r->v);
        r->n = 0;
        if (nfree) {
            pthread_mutex_unlock(&p->mu);
            for (size_t i = 0; i < nfree; i++) free_result(&wa->to_free[i]);
            pthread_mutex_lock(&p->mu);
        }
        while (p->qlen == 0 && !p->walk_done && !p->fatal) pthread_cond_wait(&p->not_empty, &p->mu);
        if (p->qlen == 0 || p->fatal) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        struct um_walk_item *it = p->queue[p->qhead];
        p->qhead = (p->qhead + 1) % p->qcap;
        p->qlen--;
        wake_walker_if_room(p);
        pthread_mutex_unlock(&p->mu);

        struct um_file_result *res = malloc(sizeof *res);
        if (res) {
            um_file_result_init(res);
            process(p->o, wa->sc, it, res);
            /* The descriptors are no longer needed; the report only needs text. */
            if (it->fd >= 0) close(it->fd), it->fd = -1;
            if (it->dirfd >= 0) close(it->dirfd), it->dirfd = -1;
        }
        pthread_mutex_lock(&p->mu);
        if (!res) {
            p->fatal = -ENOMEM;
            pthread_cond_broadcast(&p->not_full);
        }
        struct slot *s = &p->slots[it->seq % WINDOW];
        s->item = it;
        s->res = res;
        s->owner = wa->self;
        s->ready = true;
        if (p->fatal) pthread_cond_signal(&p->done);
        else if (!p->emitting && it->seq == p->next_emit) emit_ready(p, wa->self);
        pthread_mutex_unlock(&p->mu);
    }
}

int um_run(const struct um_run_options *o, int nroots, char **roots)
{
    struct pool p = { .o = o, .nroots = nroots, .roots = roots };
    int jobs = o->jobs < 1 ? 1 : o->jobs > 64 ? 64 : o->jobs;
    pthread_t walker, workers[64];
    struct worker_arg args[64] = { 0 };
    int started = 0, err = 0;

    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.not_empty, NULL);
    pthread_cond_init(&p.not_full, NULL);
    pthread_cond_init(&p.done, NULL);
    /* Each queued item holds two descriptors: at most 128 items (256 descriptors). */
    p.qcap = (size_t)jobs * 32 < WINDOW / 2 ? (size_t)jobs * 32 : WINDOW / 2;
    p.queue = calloc(p.qcap, sizeof *p.queue);
    if (!p.queue) return -ENOMEM;
    for (int i = 0; i < jobs; i++) {
        args[i].p = &p;
        args[i].self = i;
        args[i].sc = um_scanner_new(&o->scan, &err);
        args[i].to_free = malloc(WINDOW * sizeof *args[i].to_free);
        p.returned[i].v = malloc(WINDOW * sizeof *p.returned[i].v);
        if (!args[i].to_free || !p.returned[i].v) err = -ENOMEM;
        if (!args[i].sc || err) goto cleanup;
    }
    /* The walk recurses once per directory level: its thread gets a stack that a
     * deep tree (--max-depth up to 100 000) cannot overflow. Only the pages a walk
     * touches are ever committed. */
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, WALK_STACK);
    int started_walker = pthread_create(&walker, &attr, walker_main, &p);
    pthread_attr_destroy(&attr);
    if (started_walker != 0) {
        err = -EAGAIN;
        goto cleanup;
    }
    for (; started < jobs; started++)
        if (pthread_create(&workers[started], NULL, worker_main, &args[started]) != 0) break;
    if (!started) {
        pthread_mutex_lock(&p.mu);
        p.fatal = -EAGAIN;
        pthread_cond_broadcast(&p.not_full);
        pthread_mutex_unlock(&p.mu);
    }

    /* The workers emit (emit_ready); wait until the last result is out. */
    pthread_mutex_lock(&p.mu);
    while (!p.fatal && !(p.walk_done && p.next_emit == p.next_seq && !p.emitting))
        pthread_cond_wait(&p.done, &p.mu);
    if (p.fatal) err = p.fatal;
    pthread_cond_broadcast(&p.not_full);
    pthread_cond_broadcast(&p.not_empty);
    pthread_mutex_unlock(&p.mu);
    pthread_join(walker, NULL);
    for (int i = 0; i < started; i++) pthread_join(workers[i], NULL);
    /* Anything still queued or finished but not emitted (after a fatal error). */
    for (size_t i = 0; i < p.qlen; i++) um_walk_item_free(p.queue[(p.qhead + i) % p.qcap]);
    for (int i = 0; i < WINDOW; i++)
        if (p.slots[i].ready) free_result(&p.slots[i]);
    for (int i = 0; i < started; i++)
        for (size_t k = 0; k < p.returned[i].n; k++) free_result(&p.returned[i].v[k]);
cleanup:
    for (int i = 0; i < jobs; i++) {
        um_scanner_free(args[i].sc);
        free(args[i].to_free);
        free(p.returned[i].v);
    }
    free(p.queue);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.not_empty);
    pthread_cond_destroy(&p.not_full);
    pthread_cond_destroy(&p.done);
    return err;
}
