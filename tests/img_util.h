/* Helpers shared by the image handler tests (static, header-only, so that each test
 * stays one binary): scanning a file, scrubbing it through the real scrubber (plan,
 * apply, re-scan, pixel verification) into a temp directory, looking findings up by
 * where, and asking exiftool what a file still shows. */
#ifndef UM_TEST_IMG_UTIL_H
#define UM_TEST_IMG_UTIL_H

#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/bytes.h"
#include "../common/error.h"
#include "../scrubber/plan.h"
#include "../scrubber/scrub.h"
#include "support.h"

/* Finding whose where equals `where`, or NULL. */
static inline const struct um_finding *img_where(const struct um_file_result *r, const char *where)
{
    for (size_t i = 0; i < r->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&r->findings, i);
        if (f->where && strcmp(f->where, where) == 0) return f;
    }
    return NULL;
}

/* Asserts a finding at `where` with this kind and value. */
static inline void img_expect(const struct um_file_result *r, const char *where, enum um_kind k,
                              const char *value)
{
    const struct um_finding *f = img_where(r, where);
    if (!f) fail_msg("no finding at %s", where);
    assert_int_equal(f->kind, k);
    if (value) assert_string_equal(f->value, value);
    assert_true(f->removable);
}

static inline uint8_t *img_load(const char *rel, size_t *n)
{
    char *p = ts_testdata(rel);
    uint8_t *b = ts_read(p, n);
    if (!b) fail_msg("cannot read %s", p);
    free(p);
    return b;
}

/* Applies the default plan of a scan to a copy of the bytes (REPLACE before ZERO, as
 * the scrubber does; only length-keeping edits and truncation). */
static inline uint8_t *img_apply(const struct um_file_result *r, const uint8_t *p, size_t n, size_t *outn)
{
    struct um_policy pol;
    struct um_plan plan;
    um_policy_default(&pol);
    assert_int_equal(um_plan_build(r, &pol, &plan), 0);
    uint8_t *b = malloc(n ? n : 1);
    memcpy(b, p, n);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < plan.n; i++) {
            const struct um_edit *e = &plan.ops[i];
            assert_true(e->op == UM_OP_ZERO || e->op == UM_OP_REPLACE);
            if (pass == 0 && e->op == UM_OP_REPLACE) memcpy(b + e->offset, e->bytes, e->length);
            if (pass == 1 && e->op == UM_OP_ZERO) memset(b + e->offset, 0, e->length);
        }
    *outn = plan.truncate ? plan.truncate_at : n;
    um_plan_free(&plan);
    return b;
}

/* Asserts that a re-scan of p finds nothing removable. */
static inline void img_assert_clean(const uint8_t *p, size_t n, const char *name)
{
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, name, &r), 0);
    struct um_policy pol;
    um_policy_default(&pol);
    for (size_t i = 0; i < r.findings.len; i++)
        if (um_plan_removes(&r, &pol, i)) {
            const struct um_finding *f = um_vec_at(&r.findings, i);
            fail_msg("still found after scrub: %s at %s", um_kind_name(f->kind), f->where);
        }
    um_file_result_free(&r);
}

/* Scrubs `path` with the real scrubber into a temp directory; returns the cleaned
 * file's path (caller frees; *dir gets the temp directory to remove) and asserts the
 * scrub succeeded (the scrubber re-scans and compares pixels itself). */
static inline char *img_scrub(const char *path, char **dir)
{
    struct um_scan_options o;
    int err;
    um_scan_options_default(&o);
    o.mime = false;
    struct um_scanner *sc = um_scanner_new(&o, &err);
    assert_non_null(sc);
    *dir = ts_mkdtemp();
    assert_non_null(*dir);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *srcdir = strndup(path, slash ? (size_t)(slash - path) : 0);
    int dirfd = open(slash ? srcdir : ".", O_RDONLY | O_DIRECTORY);
    int outfd = open(*dir, O_RDONLY | O_DIRECTORY);
    int fd = openat(dirfd, base, O_RDONLY);
    assert_true(dirfd >= 0 && outfd >= 0 && fd >= 0);
    struct um_file_result r;
    um_file_result_init(&r);
    assert_true(um_scan_fd(sc, fd, base, &r) >= 0);
    struct um_scrub_options so;
    um_scrub_options_default(&so);
    err = um_scrub_one(sc, &so, dirfd, base, fd, outfd, &r);
    if (err || r.status == UM_ST_FAILED)
        fail_msg("scrub of %s failed: %s (%s)", path, um_strerror(r.error), r.error_text ? r.error_text : "");
    close(fd);
    close(dirfd);
    close(outfd);
    free(srcdir);
    um_file_result_free(&r);
    um_scanner_free(sc);
    char *out;
    if (asprintf(&out, "%s/%s", *dir, base) < 0) out = NULL;
    return out;
}

/* Copies `path` into a temp directory and scrubs it there in place (no --out): the
 * mmap path, REPLACE before ZERO. Returns the cleaned bytes (caller frees). */
static inline uint8_t *img_scrub_in_place(const char *path, size_t *n)
{
    size_t len;
    uint8_t *orig = ts_read(path, &len);
    assert_non_null(orig);
    char *dir = ts_mkdtemp();
    char *copy = ts_write(dir, "f.bin", orig, len);
    free(orig);
    struct um_scan_options o;
    int err;
    um_scan_options_default(&o);
    o.mime = false;
    struct um_scanner *sc = um_scanner_new(&o, &err);
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
    int fd = openat(dirfd, "f.bin", O_RDONLY);
    assert_true(sc && dirfd >= 0 && fd >= 0);
    struct um_file_result r;
    um_file_result_init(&r);
    assert_true(um_scan_fd(sc, fd, "f.bin", &r) >= 0);
    struct um_scrub_options so;
    um_scrub_options_default(&so);
    err = um_scrub_one(sc, &so, dirfd, "f.bin", fd, -1, &r);
    if (err || r.status == UM_ST_FAILED)
        fail_msg("in-place scrub of %s failed: %s (%s)", path, um_strerror(r.error), r.error_text ? r.error_text : "");
    assert_int_equal(r.scrub_path, UM_PATH_IN_PLACE);
    close(fd);
    close(dirfd);
    um_file_result_free(&r);
    um_scanner_free(sc);
    uint8_t *out = ts_read(copy, n);
    free(copy);
    ts_rmdir(dir);
    free(dir);
    return out;
}

/* The in-place path (edits written stage by stage to the file) gives exactly the bytes
 * the plan describes. */
static inline void img_check_in_place(const char *rel, const char *name)
{
    char *src = ts_testdata(rel);
    size_t n, m, k;
    uint8_t *p = ts_read(src, &n);
    assert_non_null(p);
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, name, &r), 0);
    uint8_t *want = img_apply(&r, p, n, &m);
    uint8_t *got = img_scrub_in_place(src, &k);
    assert_int_equal(k, m);
    assert_memory_equal(got, want, m);
    free(got);
    free(want);
    um_file_result_free(&r);
    free(p);
    free(src);
}

/* The shared real-world fixtures folder, or NULL (tests then skip, saying so). */
static inline char *img_shared(const char *rel)
{
    const char *base = getenv("UNMARK_SHARED");
    char *p;
    if (asprintf(&p, "%s/fixtures/%s", base ? base : "../shared", rel) < 0) return NULL;
    if (access(p, R_OK) != 0) {
        fprintf(stderr, "skipping: %s not found\n", p);
        free(p);
        return NULL;
    }
    return p;
}

/* True when exiftool is installed. */
static inline bool img_have_exiftool(void)
{
    return system("exiftool -ver >/dev/null 2>&1") == 0;
}

/* Asserts that `exiftool -a -G1 -s path` shows none of the tags (tag names as exiftool
 * prints them, e.g. "Make", or group-qualified, "IFD0:Make") with a non-empty value. */
static inline void img_exiftool_none(const char *path, const char *const *tags)
{
    char *cmd;
    assert_true(asprintf(&cmd, "exiftool -a -G1 -s '%s' 2>/dev/null", path) > 0);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        char group[64], tag[128];
        int used = 0;
        if (sscanf(line, "[%63[^]]] %127s :%n", group, tag, &used) < 2 || !used) continue;
        const char *v = line + used;
        while (*v == ' ') v++;
        bool empty = *v == '\n' || *v == 0;
        for (const char *const *t = tags; *t; t++) {
            const char *colon = strchr(*t, ':');
            bool match = colon ? strncmp(*t, group, (size_t)(colon - *t)) == 0 &&
                                     group[colon - *t] == 0 && strcmp(tag, colon + 1) == 0
                               : strcmp(tag, *t) == 0;
            if (match && !empty) fail_msg("exiftool still shows %s", line);
        }
    }
    pclose(f);
    free(cmd);
}

#endif
