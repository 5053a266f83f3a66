#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/des.h>

#include <fcntl.h>
#include <libgen.h>

#include "../common/error.h"
#include "../formats/format.h"
#include "../scrubber/plan.h"
#include "../scrubber/scrub.h"
#include "support.h"

char *ts_mkdtemp(void)
{
    const char *base = getenv("TMPDIR");
    char *t;
    if (asprintf(&t, "%s/unmark-test-XXXXXX", base ? base : "/tmp") < 0) return NULL;
    if (!mkdtemp(t)) {
        free(t);
        return NULL;
    }
    return t;
}

void ts_rmdir(const char *dir)
{
    char *cmd;
    if (!dir || asprintf(&cmd, "rm -rf '%s'", dir) < 0) return;
    if (system(cmd) != 0) fprintf(stderr, "warning: could not remove %s\n", dir);
    free(cmd);
}

char *ts_write(const char *dir, const char *name, const void *data, size_t n)
{
    char *p;
    if (asprintf(&p, "%s/%s", dir, name) < 0) return NULL;
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

uint8_t *ts_read(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc(len > 0 ? (size_t)len : 1);
    if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *n = (size_t)len;
    return b;
}

char *ts_testdata(const char *rel)
{
    const char *base = getenv("UNMARK_TESTDATA");
    char *p;
    if (asprintf(&p, "%s/%s", base ? base : "testdata", rel) < 0) return NULL;
    return p;
}

int ts_scan(const uint8_t *p, size_t n, const char *name, struct um_file_result *res)
{
    struct um_scan_options o;
    um_scan_options_default(&o);
    o.mime = false;
    o.hash = false;
    int err;
    struct um_scanner *sc = um_scanner_new(&o, &err);
    um_file_result_init(res);
    if (!sc) return err;
    err = um_scan_buffer(sc, p, n, name, res);
    um_scanner_free(sc);
    return err;
}

size_t ts_count(const struct um_file_result *res, enum um_kind k)
{
    size_t c = 0;
    for (size_t i = 0; i < res->findings.len; i++)
        if (((struct um_finding *)um_vec_at(&res->findings, i))->kind == k) c++;
    return c;
}

const struct um_finding *ts_find(const struct um_file_result *res, enum um_kind k)
{
    for (size_t i = 0; i < res->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&res->findings, i);
        if (f->kind == k) return f;
    }
    return NULL;
}

uint8_t *ts_load(const char *rel, size_t *n)
{
    char *p = ts_testdata(rel);
    uint8_t *d = ts_read(p, n);
    if (!d) fail_msg("missing fixture %s (its testdata/gen_*.sh regenerates it)", p);
    free(p);
    return d;
}

const struct um_finding *ts_find_key(const struct um_file_result *res, const char *key, size_t nth)
{
    for (size_t i = 0; i < res->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&res->findings, i);
        if (f->key && strcmp(f->key, key) == 0 && nth-- == 0) return f;
    }
    return NULL;
}

int ts_scrub_to(const char *path, const char *outdir, int only_kind, struct um_file_result *res)
{
    struct um_scan_options so;
    um_scan_options_default(&so);
    int err = 0;
    struct um_scanner *sc = um_scanner_new(&so, &err);
    assert_non_null(sc);
    char *p1 = strdup(path), *p2 = strdup(path);
    int dirfd = open(dirname(p1), O_RDONLY | O_DIRECTORY);
    const char *name = basename(p2);
    int fd = openat(dirfd, name, O_RDONLY);
    assert_true(dirfd >= 0 && fd >= 0);
    int out = open(outdir, O_RDONLY | O_DIRECTORY);
    assert_true(out >= 0);
    um_file_result_init(res);
    res->path = strdup(path);
    um_scan_fd(sc, fd, name, res);
    struct um_scrub_options o;
    um_scrub_options_default(&o);
    if (only_kind >= 0)
        for (int k = 0; k < UM_K_COUNT_; k++) o.policy.strip[k] = k == only_kind;
    err = um_scrub_one(sc, &o, dirfd, name, fd, out, res);
    close(fd);
    close(out);
    close(dirfd);
    free(p1);
    free(p2);
    um_scanner_free(sc);
    return err;
}

bool ts_have_tool(const char *name)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "command -v '%s' >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

char *ts_shared(const char *rel)
{
    const char *env = getenv("UNMARK_SHARED");
    char *p;
    if (asprintf(&p, "%s/fixtures/%s", env ? env : "../shared", rel) < 0) return NULL;
    if (access(p, R_OK) == 0) return p;
    print_message("skipped: %s not found (set UNMARK_SHARED to the shared folder)\n", p);
    free(p);
    return NULL;
}

void ts_mutations(const char *rel, const char *name, int iterations, unsigned seed)
{
    char *path = ts_testdata(rel);
    size_t n;
    uint8_t *orig = ts_read(path, &n);
    assert_non_null(orig);
    uint8_t *p = malloc(n);
    for (int it = 0; it < iterations; it++) {
        memcpy(p, orig, n);
        size_t len = n;
        int flips = 1 + (int)(rand_r(&seed) % 4);
        for (int k = 0; k < flips; k++) {
            size_t at = (size_t)rand_r(&seed) % (rand_r(&seed) % 4 ? (n < 4096 ? n : 4096) : n);
            p[at] = (uint8_t)(rand_r(&seed) % 3 == 0 ? 0xFF : rand_r(&seed));
        }
        if (rand_r(&seed) % 4 == 0) len = (size_t)rand_r(&seed) % n;
        struct um_file_result res;
        if (ts_scan(p, len, name, &res) == 0) {
            struct um_policy pol;
            struct um_plan plan;
            um_policy_default(&pol);
            assert_int_equal(um_plan_build(&res, &pol, &plan), 0);
            um_plan_free(&plan);
        }
        um_file_result_free(&res);
    }
    free(p);
    free(orig);
    free(path);
}

void ts_make_mark(const char *id, uint8_t out[24])
{
    static const uint8_t key[8] = { 7, 6, 5, 4, 3, 2, 1, 0 };
    uint8_t plain[24] = { 'W', 'M' };
    memcpy(plain + 2, id, strlen(id) > 18 ? 18 : strlen(id));
    struct des_ctx des;
    des_set_key(&des, key);
    des_encrypt(&des, 24, out, plain);
}

void ts_assert_scrub_refused(struct um_scanner *sc, int dfd, const char *name, int fd,
                             struct um_file_result *res, int err, const char *path,
                             const uint8_t *orig, size_t n, size_t expect_size)
{
    struct um_scrub_options o;
    um_scrub_options_default(&o);
    assert_int_equal(um_scrub_one(sc, &o, dfd, name, fd, -1, res), 0);
    assert_int_equal(res->status, UM_ST_FAILED);
    assert_int_equal(res->error, err);
    assert_int_equal(res->actions.len, 0);
    size_t m;
    uint8_t *after = ts_read(path, &m);
    assert_non_null(after);
    assert_int_equal(m, expect_size);
    assert_memory_equal(after, orig, n);
    free(after);
}

void ts_scrub_in_place(const char *dir, const char *name, const struct um_scrub_options *o,
                       struct um_file_result *res)
{
    struct um_scan_options so;
    um_scan_options_default(&so);
    int err;
    struct um_scanner *sc = um_scanner_new(&so, &err);
    assert_non_null(sc);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_true(dfd >= 0);
    int fd = openat(dfd, name, O_RDWR);
    assert_true(fd >= 0);
    um_file_result_init(res);
    assert_int_equal(um_scan_fd(sc, fd, name, res), 0);
    struct um_scrub_options defaults;
    um_scrub_options_default(&defaults);
    err = um_scrub_one(sc, o ? o : &defaults, dfd, name, fd, -1, res);
    if (err) fail_msg("scrub of %s failed: %s (%s)", name, um_strerror(err),
                      res->error_text ? res->error_text : "");
    assert_int_equal(res->status, UM_ST_SCRUBBED);
    close(fd);
    close(dfd);
    um_scanner_free(sc);
}

uint8_t *ts_scrub_copy(const uint8_t *d, size_t n, const char *name, struct um_file_result *res, size_t *m)
{
    char *dir = ts_mkdtemp();
    char *path = ts_write(dir, name, d, n);
    assert_non_null(path);
    ts_scrub_in_place(dir, name, NULL, res);
    uint8_t *out = ts_read(path, m);
    assert_non_null(out);
    free(path);
    ts_rmdir(dir);
    free(dir);
    return out;
}

int ts_media_map(const char *format, const uint8_t *d, uint64_t n, struct um_media_map *m)
{
    const struct um_format *f = um_format_by_name(format);
    assert_non_null(f);
    assert_non_null(f->media_map);
    um_media_map_init(m, n);
    int r = f->media_map(m, d, n);
    um_media_map_finish(m);
    return r;
}

bool ts_media_map_covers(const struct um_media_map *m, uint64_t off, uint64_t len)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->r[i].off <= off && off + len <= m->r[i].off + m->r[i].len) return true;
    return false;
}

bool ts_media_map_proof(const char *format, const uint8_t *p, size_t n, const struct um_file_result *res,
                        const char *name, bool need_edits, struct um_media_map *a, size_t *nops)
{
    struct um_policy pol;
    struct um_plan plan;
    um_policy_default(&pol);
    assert_int_equal(um_plan_build(res, &pol, &plan), 0);
    if (nops) *nops = plan.n;
    if (need_edits) {
        if (!plan.n && !plan.truncate) fail_msg("%s: the default plan edits nothing", name);
        assert_true(plan.in_place_ok);
    }
    int r = ts_media_map(format, p, n, a);
    if (r) fail_msg("%s: media map failed: %s", name, um_strerror(r));
    assert_true(a->n > 0);
    if (!plan.in_place_ok) {
        um_plan_free(&plan);
        return false;
    }
    bool ok = true;
    uint8_t *q = malloc(n ? n : 1);
    assert_non_null(q);
    memcpy(q, p, n);
    for (size_t i = 0; ok && i < plan.n; i++) {
        const struct um_edit *e = &plan.ops[i];
        if (um_media_map_touches(a, e->offset, e->length)) {
            fprintf(stderr, "%s: edit %zu [%llu, +%llu) touches the map\n", name, i,
                    (unsigned long long)e->offset, (unsigned long long)e->length);
            ok = false;
        }
        assert_true(e->op == UM_OP_ZERO || e->op == UM_OP_REPLACE);
        assert_true(e->offset + e->length <= n);
        if (e->op == UM_OP_ZERO) memset(q + e->offset, 0, (size_t)e->length);
        else memcpy(q + e->offset, e->bytes, (size_t)e->length);
    }
    uint64_t qn = plan.truncate ? plan.truncate_at : n;
    if (ok && plan.truncate && um_media_map_touches(a, plan.truncate_at, n - plan.truncate_at)) {
        fprintf(stderr, "%s: the cut tail at %llu touches the map\n", name, (unsigned long long)qn);
        ok = false;
    }
    struct um_media_map b = { 0 };
    if (ok && (r = ts_media_map(format, q, qn, &b)) != 0) {
        fprintf(stderr, "%s: the edited result does not map: %s\n", name, um_strerror(r));
        ok = false;
    } else if (ok && !um_media_map_equal(a, &b)) {
        fprintf(stderr, "%s: the edited result maps differently\n", name);
        ok = false;
    }
    um_media_map_free(&b);
    free(q);
    um_plan_free(&plan);
    if (!ok) fail_msg("%s: the media map proof fails", name);
    return true;
}
