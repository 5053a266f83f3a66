/* Helpers shared by the audio handler tests (MP3, FLAC, Ogg, ASF): apply a scan's
 * plan to a buffer the way the in-place scrubber does, re-scan, look for markers, and
 * decode with ffmpeg when it is installed. Header-only: each test is its own binary. */
#ifndef UM_TEST_AUDIO_SUPPORT_H
#define UM_TEST_AUDIO_SUPPORT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/bytes.h"
#include "../common/error.h"
#include "../scrubber/plan.h"
#include "support.h"

/* Loads testdata/audio/NAME; fails the test when missing. */
static inline uint8_t *au_load(const char *name, size_t *n)
{
    char rel[256];
    snprintf(rel, sizeof rel, "audio/%s", name);
    char *p = ts_testdata(rel);
    uint8_t *b = ts_read(p, n);
    if (!b) fail_msg("missing fixture %s", p);
    free(p);
    return b;
}


/* Applies res's plan under the default policy to a copy of in; only length-keeping
 * edits and truncation (the in-place path). Returns the new buffer and size. */
static inline uint8_t *au_apply(const struct um_file_result *res, const uint8_t *in, size_t n,
                                size_t *outn)
{
    struct um_policy pol;
    struct um_plan plan;
    um_policy_default(&pol);
    assert_int_equal(um_plan_build(res, &pol, &plan), 0);
    assert_true(plan.in_place_ok);
    uint8_t *out = malloc(n ? n : 1);
    memcpy(out, in, n);
    /* REPLACE before ZERO, as the scrubber does. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < plan.n; i++) {
            const struct um_edit *e = &plan.ops[i];
            assert_true(e->offset + e->length <= n);
            if (pass == 0 && e->op == UM_OP_REPLACE) memcpy(out + e->offset, e->bytes, e->length);
            if (pass == 1 && e->op == UM_OP_ZERO) memset(out + e->offset, 0, e->length);
        }
    *outn = plan.truncate ? (size_t)plan.truncate_at : n;
    um_plan_free(&plan);
    return out;
}

/* True when s occurs in p as ASCII or as UTF-16LE (ASF strings). */
static inline bool au_has(const uint8_t *p, size_t n, const char *s)
{
    size_t l = strlen(s);
    if (memmem(p, n, s, l)) return true;
    uint8_t w[256];
    if (2 * l > sizeof w) return false;
    for (size_t i = 0; i < l; i++) w[2 * i] = (uint8_t)s[i], w[2 * i + 1] = 0;
    return memmem(p, n, w, 2 * l) != NULL;
}

/* Finding whose key (or, when key is NULL, where) equals s; NULL if none. */
static inline const struct um_finding *au_find(const struct um_file_result *r, const char *where,
                                               const char *key)
{
    for (size_t i = 0; i < r->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&r->findings, i);
        if (where && (!f->where || strcmp(f->where, where))) continue;
        if (key && (!f->key || strcmp(f->key, key))) continue;
        return f;
    }
    return NULL;
}

/* Scans, scrubs and re-scans: the result must scan clean, have no removable finding
 * left and none of the markers. Returns the scrubbed bytes (caller frees). */
static inline uint8_t *au_scrub_clean(const uint8_t *in, size_t n, const char *name,
                                      const char *const *markers, size_t *outn)
{
    struct um_file_result r, r2;
    assert_int_equal(ts_scan(in, n, name, &r), 0);
    uint8_t *out = au_apply(&r, in, n, outn);
    um_file_result_free(&r);
    assert_int_equal(ts_scan(out, *outn, name, &r2), 0);
    for (size_t i = 0; i < r2.findings.len; i++) {
        const struct um_finding *f = um_vec_at(&r2.findings, i);
        if (f->removable) fail_msg("still found after scrub: %s %s", f->where, f->value ? f->value : "");
    }
    um_file_result_free(&r2);
    for (const char *const *m = markers; m && *m; m++)
        if (au_has(out, *outn, *m)) fail_msg("marker %s left after scrub", *m);
    return out;
}

/* Decodes bytes with ffmpeg (silent = ok). Skips, returning true, without ffmpeg. */
static inline bool au_decodes(const uint8_t *p, size_t n, const char *name)
{
    if (system("command -v ffmpeg >/dev/null 2>&1") != 0) return true;
    char *dir = ts_mkdtemp();
    char *path = ts_write(dir, name, p, n);
    char *cmd;
    bool ok = false;
    if (asprintf(&cmd, "ffmpeg -nostdin -v error -i '%s' -f null - 2>'%s/err'", path, dir) >= 0) {
        ok = system(cmd) == 0;
        free(cmd);
        char *errp;
        if (ok && asprintf(&errp, "%s/err", dir) >= 0) {
            size_t en = 0;
            uint8_t *e = ts_read(errp, &en);
            if (e && en) {
                print_message("ffmpeg: %.*s\n", (int)en, (const char *)e);
                ok = false;
            }
            free(e);
            free(errp);
        }
    }
    free(path);
    ts_rmdir(dir);
    free(dir);
    return ok;
}

#endif
