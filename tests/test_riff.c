/* Tests of formats/riff.c: findings in ffmpeg/exiftool-made AVI, WAVE, RF64 and WebP
 * fixtures and in the real shared fixtures, JUNK renaming, the declared-size end and
 * AVIX parts, and malformed input (odd sizes, lying sizes, deep lists). */
#define _GNU_SOURCE
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/media_map.h"
#include "../formats/format.h"
#include "../scrubber/plan.h"
#include "support.h"

static char *unmark_bin;

/* ---- helpers ---- */

static const struct um_finding *find_value(const struct um_file_result *res, const char *key,
                                           const char *value)
{
    for (size_t i = 0; i < res->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&res->findings, i);
        if (f->key && !strcmp(f->key, key) && (!value || (f->value && !strcmp(f->value, value))))
            return f;
    }
    return NULL;
}

/* Applies the plan to a copy; a truncation shortens *len. */
static uint8_t *apply_len(const struct um_file_result *res, const uint8_t *p, size_t n, size_t *len)
{
    /* The scrubber must accept the plan: no overlapping edits but ZERO with ZERO. */
    struct um_policy pol;
    struct um_plan plan;
    um_policy_default(&pol);
    assert_int_equal(um_plan_build(res, &pol, &plan), 0);
    assert_true(plan.in_place_ok);
    um_plan_free(&plan);
    *len = n;
    uint8_t *out = malloc(n);
    memcpy(out, p, n);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < res->edits.len; i++) {
            const struct um_edit *e = um_vec_at(&res->edits, i);
            assert_true(e->offset + e->length <= n);
            assert_true(e->op == UM_OP_REPLACE || e->op == UM_OP_ZERO || e->op == UM_OP_TRUNCATE);
            if (pass == 0 && e->op == UM_OP_REPLACE) memcpy(out + e->offset, e->bytes, e->length);
            if (pass == 1 && e->op == UM_OP_ZERO) memset(out + e->offset, 0, e->length);
            if (pass == 1 && e->op == UM_OP_TRUNCATE && e->offset < *len) *len = e->offset;
        }
    return out;
}

static uint8_t *apply(const struct um_file_result *res, const uint8_t *p, size_t n)
{
    size_t len;
    return apply_len(res, p, n, &len);
}

struct buf { uint8_t b[1 << 16]; size_t n; };

static void put(struct buf *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof b->b);
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void put32(struct buf *b, uint32_t v)
{
    uint8_t t[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    put(b, t, 4);
}

/* A chunk with its pad byte. */
static void chunk(struct buf *b, const char *id, const void *p, size_t n)
{
    put(b, id, 4);
    put32(b, (uint32_t)n);
    put(b, p, n);
    if (n & 1) put(b, "", 1);
}

static void list(struct buf *b, const char *id, const char *type, const struct buf *in)
{
    put(b, id, 4);
    put32(b, (uint32_t)(in->n + 4));
    put(b, type, 4);
    put(b, in->b, in->n);
}

static int run(const char *cmd, char **out)
{
    FILE *f = popen(cmd, "r");
    if (!f) return -1;
    size_t cap = 1 << 16, n = 0, k;
    char *s = malloc(cap);
    while ((k = fread(s + n, 1, cap - 1 - n, f)) > 0) n += k;
    s[n] = 0;
    int rc = pclose(f);
    if (out) *out = s;
    else free(s);
    return rc;
}

/* Scans, applies the plan, and checks the result re-scans clean of removable
 * findings (what the scrubber's verification demands). */
static void check_clean_after(const struct um_file_result *res, const uint8_t *p, size_t n, const char *name)
{
    size_t len;
    uint8_t *q = apply_len(res, p, n, &len);
    struct um_file_result after;
    assert_int_equal(ts_scan(q, len, name, &after), 0);
    for (size_t i = 0; i < after.findings.len; i++) {
        const struct um_finding *f = um_vec_at(&after.findings, i);
        fprintf(stderr, "left after scrub: %s %s\n", f->where, f->key ? f->key : "");
    }
    assert_int_equal(after.findings.len, 0);
    um_file_result_free(&after);
    free(q);
}

/* ---- fixtures ---- */

static void test_avi(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = ts_load("riff/clip.avi", &n);
    struct um_file_result res;
    assert_int_equal(ts_scan(p, n, "clip.avi", &res), 0);
    assert_string_equal(res.format, "riff");
    const struct um_finding *f = find_value(&res, "IART", "LeakAuthor");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_PERSON);
    assert_string_equal(f->where, "RIFF:AVI /LIST:INFO/IART");
    assert_memory_equal(p + f->offset, "IART", 4);
    assert_int_equal(find_value(&res, "ICRD", "2013-05-17")->kind, UM_K_TIMESTAMP);
    assert_int_equal(find_value(&res, "ISFT", "Lavf59.27.100")->kind, UM_K_SOFTWARE);
    assert_non_null(find_value(&res, "INAM", "LeakTitle"));
    assert_non_null(find_value(&res, "ICMT", "serial SN4242LEAK"));
    assert_non_null(find_value(&res, "strn", "LeakStream"));
    /* ffmpeg's reserved OpenDML headers in JUNK are structure, not findings. */
    assert_int_equal(ts_count(&res, UM_K_NONZERO_PADDING), 0);
    assert_int_equal(ts_count(&res, UM_K_APPENDED_DATA), 0);
    uint8_t *q = apply(&res, p, n);
    /* The LIST INFO became a JUNK chunk of the same size. */
    const uint8_t *junk = q + f->offset - 12;
    assert_memory_equal(junk, "JUNK", 4);
    assert_memory_equal(junk + 4, p + f->offset - 8, 4);
    assert_null(memmem(q, n, "LeakAuthor", 10));
    assert_null(memmem(q, n, "LeakStream", 10));
    free(q);
    check_clean_after(&res, p, n, "clip.avi");
    um_file_result_free(&res);
    free(p);
}

static void test_wav_bext(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = ts_load("riff/sound.wav", &n);
    struct um_file_result res;
    assert_int_equal(ts_scan(p, n, "sound.wav", &res), 0);
    const struct um_finding *f = find_value(&res, "bext.OriginatorReference", "SN4242LEAK");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_DEVICE_ID);
    assert_int_equal(f->length, 32);
    assert_memory_equal(p + f->offset, "SN4242LEAK", 10);
    assert_int_equal(find_value(&res, "bext.Originator", "LeakMake LeakModel X1")->kind, UM_K_PERSON);
    assert_int_equal(find_value(&res, "bext.OriginationDate", "2013-05-17")->kind, UM_K_TIMESTAMP);
    assert_int_equal(find_value(&res, "bext.OriginationTime", "08:09:10")->kind, UM_K_TIMESTAMP);
    assert_non_null(find_value(&res, "bext.TimeReference", "12345 samples after midnight"));
    assert_int_equal(find_value(&res, "bext.CodingHistory", NULL)->kind, UM_K_SOFTWARE);
    assert_int_equal(find_value(&res, "IART", "LeakAuthor")->kind, UM_K_PERSON);
    check_clean_after(&res, p, n, "sound.wav");
    um_file_result_free(&res);
    free(p);

    p = ts_load("riff/sound_rf64.wav", &n);
    assert_memory_equal(p, "RF64", 4);
    assert_int_equal(ts_scan(p, n, "sound_rf64.wav", &res), 0);
    assert_string_equal(res.format, "riff");
    assert_non_null(find_value(&res, "IART", "LeakAuthor"));
    assert_int_equal(ts_count(&res, UM_K_APPENDED_DATA), 0);
    check_clean_after(&res, p, n, "sound_rf64.wav");
    um_file_result_free(&res);
    free(p);
}

/* WebP: EXIF and XMP are handed to their own handlers; the walk itself succeeds,
 * reports no structural problem and ends exactly at the RIFF size. */
static void test_webp(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = ts_load("riff/image.webp", &n);
    struct um_file_result res;
    assert_int_equal(ts_scan(p, n, "image.webp", &res), 0);
    assert_string_equal(res.format, "riff");
    assert_int_equal(ts_count(&res, UM_K_APPENDED_DATA), 0);
    assert_int_equal(ts_count(&res, UM_K_NONZERO_PADDING), 0);
    um_file_result_free(&res);
    uint8_t *q = malloc(n + 5);
    memcpy(q, p, n);
    memcpy(q + n, "extra", 5);
    assert_int_equal(ts_scan(q, n + 5, "image.webp", &res), 0);
    const struct um_finding *a = ts_find(&res, UM_K_APPENDED_DATA);
    assert_non_null(a);
    assert_int_equal(a->offset, n);
    assert_int_equal(a->length, 5);
    um_file_result_free(&res);
    free(q);
    free(p);
}

/* The CLI scrubs in place; ffmpeg decodes the result silently and neither ffprobe
 * nor exiftool shows a marker. */
static void test_cli_scrub(void **state)
{
    (void)state;
    if (!ts_have_tool("ffmpeg") || !ts_have_tool("ffprobe") || access(unmark_bin, X_OK) != 0) {
        fprintf(stderr, "skipped: ffmpeg/ffprobe or %s missing\n", unmark_bin);
        return;
    }
    bool exiftool = ts_have_tool("exiftool");
    const char *names[] = { "clip.avi", "sound.wav", "sound_rf64.wav" };
    char *dir = ts_mkdtemp();
    for (int i = 0; i < 3; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "riff/%s", names[i]);
        size_t n;
        uint8_t *p = ts_load(rel, &n);
        char *dst = ts_write(dir, names[i], p, n);
        char *cmd, *out;
        assert_true(asprintf(&cmd, "'%s' scrub '%s' 2>&1", unmark_bin, dst) > 0);
        int rc = run(cmd, &out);
        if (rc) fprintf(stderr, "%s\n", out);
        assert_int_equal(rc, 0);
        free(cmd), free(out);
        assert_true(asprintf(&cmd, "ffmpeg -nostdin -v error -i '%s' -f null - 2>&1", dst) > 0);
        assert_int_equal(run(cmd, &out), 0);
        assert_string_equal(out, "");
        free(cmd), free(out);
        assert_true(asprintf(&cmd, "ffprobe -v error -show_format -show_streams '%s' 2>&1; %s '%s'", dst,
                             exiftool ? "exiftool -a -G1 -s -u" : "true", dst) > 0);
        run(cmd, &out);
        assert_null(strstr(out, "Leak"));
        assert_null(strstr(out, "SN4242"));
        assert_null(strstr(out, "2013"));
        assert_null(strstr(out, "Lavf"));
        free(cmd), free(out);
        free(dst), free(p);
    }
    ts_rmdir(dir);
    free(dir);
}

/* The real files in the shared fixtures: every identifying tag exiftool shows is
 * reported, and after a scrub exiftool shows none. */
static void test_shared_fixtures(void **state)
{
    (void)state;
    char *base = ts_shared("mat2");
    if (!base) return;
    struct { const char *name; const char *keys[8]; const char *markers[6]; } cases[] = {
        { "dirty.avi", { "ISFT", "JUNK" }, { "MEncoder", "MPlayer" } },
        { "dirty.wav", { "INAM", "IPRD", "IART", "ICMT", "ICRD", "TPE1", "TIT2", "COMM" },
          { "jvoisin", "Zomg", "Super mix", "magic track" } },
        { "dirty.webp", { NULL }, { NULL } },
    };
    char *dir = ts_mkdtemp();
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", base, cases[c].name);
        size_t n;
        uint8_t *p = ts_read(path, &n);
        assert_non_null(p);
        struct um_file_result res;
        assert_int_equal(ts_scan(p, n, cases[c].name, &res), 0);
        assert_string_equal(res.format, "riff");
        for (int k = 0; k < 8 && cases[c].keys[k]; k++) {
            if (!find_value(&res, cases[c].keys[k], NULL)) fprintf(stderr, "missing %s\n", cases[c].keys[k]);
            assert_non_null(find_value(&res, cases[c].keys[k], NULL));
        }
        assert_int_equal(ts_count(&res, UM_K_APPENDED_DATA), 0);
        check_clean_after(&res, p, n, cases[c].name);
        um_file_result_free(&res);
        if (ts_have_tool("exiftool") && access(unmark_bin, X_OK) == 0) {
            char *dst = ts_write(dir, cases[c].name, p, n), *cmd, *out;
            assert_true(asprintf(&cmd, "'%s' scrub '%s' >/dev/null 2>&1; exiftool -a -G1 -s -u '%s'",
                                 unmark_bin, dst, dst) > 0);
            run(cmd, &out);
            for (int k = 0; k < 6 && cases[c].markers[k]; k++) assert_null(strstr(out, cases[c].markers[k]));
            free(cmd), free(out), free(dst);
        }
        free(p);
    }
    ts_rmdir(dir);
    free(dir);
    free(base);
}

/* ---- hand-made inputs ---- */

static void wave_fmt(struct buf *b)
{
    chunk(b, "fmt ", "\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00", 16);
}

static void riff(struct buf *out, const char *form, const struct buf *body)
{
    out->n = 0;
    list(out, "RIFF", form, body);
}

/* Odd chunk sizes with their pad bytes; INFO with an odd-sized string; a non-zero
 * JUNK; bytes after the declared size. */
static void test_odd_and_padding(void **state)
{
    (void)state;
    struct buf body = { .n = 0 }, info = { .n = 0 }, f;
    wave_fmt(&body);
    chunk(&body, "data", "\x01\x02\x03", 3);   /* odd: pad byte follows */
    chunk(&info, "IART", "Leak", 5);           /* odd: "Leak\0" + pad */
    chunk(&info, "ICMT", "hello", 6);
    list(&body, "LIST", "INFO", &info);
    chunk(&body, "JUNK", "\0\0hidden\0", 9);
    riff(&f, "WAVE", &body);
    size_t end = f.n;
    put(&f, "APPENDED", 8);
    struct um_file_result res;
    assert_int_equal(ts_scan(f.b, f.n, "x.wav", &res), 0);
    const struct um_finding *a = find_value(&res, "IART", "Leak");
    assert_non_null(a);
    assert_int_equal(a->length, 14);   /* header + 5 + pad */
    assert_non_null(find_value(&res, "ICMT", "hello"));
    const struct um_finding *j = ts_find(&res, UM_K_NONZERO_PADDING);
    assert_non_null(j);
    assert_int_equal(j->length, 9);
    const struct um_finding *ap = ts_find(&res, UM_K_APPENDED_DATA);
    assert_non_null(ap);
    assert_int_equal(ap->offset, end);
    assert_int_equal(ap->length, 8);
    check_clean_after(&res, f.b, f.n, "x.wav");
    um_file_result_free(&res);
}

/* An AVI larger than 1 GB: RIFF AVI followed by RIFF AVIX parts; the file ends after
 * the last one. */
static void test_avix(void **state)
{
    (void)state;
    struct buf hdrl = { .n = 0 }, body = { .n = 0 }, movi = { .n = 0 }, info = { .n = 0 }, f, part;
    chunk(&hdrl, "avih", "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
    chunk(&hdrl, "IDIT", "MON MAY 17 08:09:10 2013\n", 26);
    chunk(&hdrl, "strd", "CAMERA SN4242LEAK", 17);
    list(&body, "LIST", "hdrl", &hdrl);
    struct buf ex = { .n = 0 };
    chunk(&ex, "ecor", "LeakMake", 9);
    chunk(&ex, "emdl", "LeakModel X1", 13);
    chunk(&ex, "etim", "08:09:10", 9);
    list(&body, "LIST", "exif", &ex);
    chunk(&info, "ISFT", "LeakSoft 3.1", 13);
    list(&body, "LIST", "INFO", &info);
    chunk(&movi, "00dc", "frame", 5);
    list(&body, "LIST", "movi", &movi);
    riff(&f, "AVI ", &body);
    for (int i = 0; i < 2; i++) {
        struct buf pb = { .n = 0 };
        list(&pb, "LIST", "movi", &movi);
        riff(&part, "AVIX", &pb);
        put(&f, part.b, part.n);
    }
    size_t end = f.n;
    put(&f, "\x11\x22\x33", 3);
    struct um_file_result res;
    assert_int_equal(ts_scan(f.b, f.n, "x.avi", &res), 0);
    assert_int_equal(find_value(&res, "IDIT", "MON MAY 17 08:09:10 2013")->kind, UM_K_TIMESTAMP);
    assert_int_equal(find_value(&res, "strd", "CAMERA SN4242LEAK")->kind, UM_K_DEVICE_ID);
    assert_int_equal(find_value(&res, "ISFT", "LeakSoft 3.1")->kind, UM_K_SOFTWARE);
    assert_int_equal(find_value(&res, "exif.ecor", "LeakMake")->kind, UM_K_DEVICE_MODEL);
    assert_int_equal(find_value(&res, "exif.emdl", "LeakModel X1")->kind, UM_K_DEVICE_MODEL);
    assert_int_equal(find_value(&res, "exif.etim", "08:09:10")->kind, UM_K_TIMESTAMP);
    const struct um_finding *a = ts_find(&res, UM_K_APPENDED_DATA);
    assert_non_null(a);
    assert_int_equal(a->offset, end);
    assert_string_equal(json_string_value(json_object_get(a->extra, "after")), "last RIFF AVIX part");
    uint8_t *q = apply(&res, f.b, f.n);
    assert_null(memmem(q, f.n, "IDIT", 4));
    assert_null(memmem(q, f.n, "strd", 4));
    assert_non_null(memmem(q, f.n, "frame", 5));   /* essence untouched */
    free(q);
    check_clean_after(&res, f.b, f.n, "x.avi");
    um_file_result_free(&res);
}

/* An 'id3 ' chunk in a WAVE: every frame reported, the chunk junked. */
static void test_id3_chunk(void **state)
{
    (void)state;
    struct buf body = { .n = 0 }, id3 = { .n = 0 }, f;
    put(&id3, "ID3\x03\x00\x00\x00\x00\x00\x24", 10);   /* v2.3, size 36 */
    put(&id3, "TPE1\x00\x00\x00\x0b\x00\x00\x00LeakAuthor", 21);
    put(&id3, "TYER\x00\x00\x00\x05\x00\x00\x00" "2013", 15);
    wave_fmt(&body);
    chunk(&body, "data", "\0\0", 2);
    chunk(&body, "id3 ", id3.b, id3.n);
    riff(&f, "WAVE", &body);
    struct um_file_result res;
    assert_int_equal(ts_scan(f.b, f.n, "x.wav", &res), 0);
    assert_int_equal(find_value(&res, "TPE1", "LeakAuthor")->kind, UM_K_PERSON);
    assert_int_equal(find_value(&res, "TYER", "2013")->kind, UM_K_TIMESTAMP);
    check_clean_after(&res, f.b, f.n, "x.wav");
    um_file_result_free(&res);
}

static void test_malformed(void **state)
{
    (void)state;
    struct um_file_result res;
    struct buf body = { .n = 0 }, f;

    /* A chunk size past its parent but inside the file: a lying size. */
    wave_fmt(&body);
    put(&body, "LIST", 4);
    put32(&body, 100);
    put(&body, "INFO", 4);
    riff(&f, "WAVE", &body);
    put(&f, "x", 1);
    for (int i = 0; i < 120; i++) put(&f, "z", 1);
    assert_int_equal(ts_scan(f.b, f.n, "x.wav", &res), UM_E_FORMAT);
    um_file_result_free(&res);

    /* The RIFF size says more than the file holds: truncated, findings kept. */
    struct buf info = { .n = 0 };
    body.n = 0;
    chunk(&info, "IART", "LeakAuthor", 10);
    list(&body, "LIST", "INFO", &info);
    put(&body, "data", 4);
    put32(&body, 0x7FFFFFF0);
    riff(&f, "WAVE", &body);
    f.b[4] = 0xF0, f.b[5] = 0xFF, f.b[6] = 0xFF, f.b[7] = 0x7F;
    assert_int_equal(ts_scan(f.b, f.n, "x.wav", &res), UM_E_TRUNC);
    assert_non_null(find_value(&res, "IART", "LeakAuthor"));
    um_file_result_free(&res);

    /* A recorder that left the sizes unset (0xFFFFFFFF): runs to the end. */
    body.n = 0;
    wave_fmt(&body);
    list(&body, "LIST", "INFO", &info);
    put(&body, "data", 4);
    put32(&body, 0xFFFFFFFF);
    put(&body, "\1\2\3\4\5\6", 6);
    riff(&f, "WAVE", &body);
    memcpy(f.b + 4, "\xFF\xFF\xFF\xFF", 4);
    assert_int_equal(ts_scan(f.b, f.n, "x.wav", &res), 0);
    assert_non_null(find_value(&res, "IART", "LeakAuthor"));
    assert_int_equal(ts_count(&res, UM_K_APPENDED_DATA), 0);
    um_file_result_free(&res);

    /* Deeply nested LISTs: a limit, not a stack overflow. */
    static struct buf nest[2];
    nest[0].n = 0;
    chunk(&nest[0], "IART", "x", 1);
    for (int d = 0; d < 100; d++) {
        nest[!(d & 1)].n = 0;
        list(&nest[!(d & 1)], "LIST", "abcd", &nest[d & 1]);
    }
    riff(&f, "AVI ", &nest[0]);
    assert_int_equal(ts_scan(f.b, f.n, "x.avi", &res), UM_E_LIMIT);
    um_file_result_free(&res);

    /* A RIFF size below 4 and a header cut short. */
    memcpy(f.b, "RIFF\x02\x00\x00\x00WAVE", 12);
    assert_true(um_is_error(ts_scan(f.b, 12, "x.wav", &res)));
    um_file_result_free(&res);
    assert_true(ts_scan(f.b, 10, "x.wav", &res) <= 0);
    um_file_result_free(&res);

    /* Five stray bytes at the end of the RIFF: hidden bytes, zeroed. */
    body.n = 0;
    wave_fmt(&body);
    put(&body, "ab\0cd", 5);
    riff(&f, "WAVE", &body);
    assert_int_equal(ts_scan(f.b, f.n, "x.wav", &res), 0);
    assert_int_equal(ts_count(&res, UM_K_NONZERO_PADDING), 1);
    assert_int_equal(ts_find(&res, UM_K_NONZERO_PADDING)->length, 5);
    check_clean_after(&res, f.b, f.n, "x.wav");
    um_file_result_free(&res);

    /* Truncated inside a chunk header, and zero-sized chunks: quick and bounded. */
    body.n = 0;
    for (int i = 0; i < 5000; i++) chunk(&body, "JUNK", "", 0);
    riff(&f, "WAVE", &body);
    assert_int_equal(ts_scan(f.b, f.n, "x.wav", &res), 0);
    assert_int_equal(res.findings.len, 0);
    um_file_result_free(&res);
}

/* Random damage (fixed seed): byte flips, size-field bumps and truncations of a
 * fixture never crash or read out of bounds (run under ASan), and a scan that
 * succeeds always gives a plan the scrubber accepts. */
static void test_mutations(void **state)
{
    (void)state;
    ts_mutations("riff/clip.avi", "x.avi", 1500, 12345);
    ts_mutations("riff/sound.wav", "x.wav", 1500, 12346);
}

/* ---- media map ---- */

static void check_map_plan(const uint8_t *p, size_t n, const char *name, struct um_media_map *a)
{
    struct um_file_result res;
    assert_int_equal(ts_scan(p, n, name, &res), 0);
    assert_string_equal(res.format, "riff");
    ts_media_map_proof("riff", p, n, &res, name, true, a, NULL);
    um_file_result_free(&res);
}

/* An AVI with everything the scan edits in its hdrl and around its movi (strn, a
 * non-zero JUNK, IDIT, strd, LIST exif and INFO, XMP in _PMX), OpenDML indx and odml,
 * two AVIX parts and a trailer. */
static void build_rich_avi(struct buf *f, size_t *avix_end)
{
    static const char xmp[] = "<?xpacket begin=\"\xef\xbb\xbf\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
        "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
        "<rdf:Description rdf:about='' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
        "<dc:creator><rdf:Seq><rdf:li>LeakAuthor</rdf:li></rdf:Seq></dc:creator>"
        "</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>";
    static struct buf hdrl, strl, odml, body, movi, info, ex, part, pb;
    uint8_t pat[64];
    for (int i = 0; i < 64; i++) pat[i] = (uint8_t)(0xA0 + i);
    hdrl.n = strl.n = odml.n = body.n = movi.n = info.n = ex.n = 0;
    chunk(&hdrl, "avih", pat, 56);
    chunk(&strl, "strh", pat, 56);
    chunk(&strl, "strf", pat + 1, 40);
    chunk(&strl, "strn", "LeakStream", 11);
    chunk(&strl, "indx", pat + 2, 24);
    chunk(&strl, "JUNK", "\0\0hidden\0", 9);
    list(&hdrl, "LIST", "strl", &strl);
    chunk(&odml, "dmlh", pat + 3, 8);
    list(&hdrl, "LIST", "odml", &odml);
    chunk(&hdrl, "IDIT", "MON MAY 17 08:09:10 2013\n", 26);
    chunk(&hdrl, "strd", "CAMERA SN4242LEAK", 17);
    list(&body, "LIST", "hdrl", &hdrl);
    chunk(&ex, "ecor", "LeakMake", 9);
    list(&body, "LIST", "exif", &ex);
    chunk(&info, "ISFT", "LeakSoft 3.1", 13);
    list(&body, "LIST", "INFO", &info);
    chunk(&body, "_PMX", xmp, sizeof xmp - 1);
    chunk(&movi, "00dc", "frame", 5);
    chunk(&movi, "01wb", "abcd", 4);
    list(&body, "LIST", "movi", &movi);
    chunk(&body, "idx1", pat + 4, 16);
    riff(f, "AVI ", &body);
    for (int i = 0; i < 2; i++) {
        pb.n = 0;
        list(&pb, "LIST", "movi", &movi);
        riff(&part, "AVIX", &pb);
        put(f, part.b, part.n);
    }
    *avix_end = f->n;
    put(f, "TRAILER", 7);
}

/* A BWF with a chunk of each kind the scan edits or keeps: fmt, fact, bext, iXML,
 * adtl labels, cue, smpl, INFO, an odd data chunk, ID3, and 5 bytes of slack before
 * the declared end. *want gets the map that is right for it, built by hand. */
static void build_rich_wav(struct buf *f, struct um_media_map *want)
{
    static struct buf body, adtl, info, id3;
    body.n = adtl.n = info.n = id3.n = 0;
    uint8_t bext[602] = { 0 };
    memcpy(bext + 256, "LeakMake LeakModel X1", 21);
    memcpy(bext + 288, "SN4242LEAK", 10);
    put(&id3, "ID3\x03\x00\x00\x00\x00\x00\x15", 10);
    put(&id3, "TPE1\x00\x00\x00\x0b\x00\x00\x00LeakAuthor", 21);
    size_t o[16];
    uint8_t cue[28] = { 1 }, smpl[36] = { 0, 0, 0, 0, 0x11 };
    o[0] = body.n + 12, wave_fmt(&body);                                      /* 24 whole */
    o[1] = body.n + 12, chunk(&body, "fact", "\x10\x00\x00\x00", 4);          /* 12 whole */
    o[2] = body.n + 12, chunk(&body, "bext", bext, sizeof bext);              /* size field */
    o[3] = body.n + 12, chunk(&body, "iXML", "<BWFXML>Leak</BWFXML>", 21);    /* size, pad */
    size_t a0 = adtl.n;   /* 0 */
    chunk(&adtl, "labl", "\x01\0\0\0LeakLabel", 14);                          /* head 12 */
    size_t a1 = adtl.n;
    chunk(&adtl, "ltxt", "\x01\0\0\0\x40\0\0\0rgn \0\0\0\0\0\0\0\0LeakText", 28); /* head 28 */
    size_t a2 = adtl.n;
    chunk(&adtl, "note", "\x02\0\0\0", 4);                                    /* no text: whole */
    size_t a3 = adtl.n;
    put(&adtl, "xyz", 3);                                                     /* not a chunk */
    o[4] = body.n + 12, list(&body, "LIST", "adtl", &adtl);
    put(&body, "", 1);                                                        /* its pad */
    o[5] = body.n + 12, chunk(&body, "cue ", cue, sizeof cue);                /* whole */
    o[6] = body.n + 12, chunk(&body, "smpl", smpl, sizeof smpl);              /* whole */
    chunk(&info, "IART", "LeakAuthor", 11);
    o[7] = body.n + 12, list(&body, "LIST", "INFO", &info);                   /* size field */
    o[8] = body.n + 12, chunk(&body, "data", "\1\2\3\4\5\6\7", 7);            /* whole + pad */
    o[9] = body.n + 12, chunk(&body, "id3 ", id3.b, id3.n);                   /* size, pad */
    o[10] = body.n + 12, put(&body, "ab\0cd", 5);                             /* slack */
    riff(f, "WAVE", &body);

    um_media_map_init(want, f->n);
    assert_int_equal(um_media_map_add(want, 0, o[2]), 0);          /* RIFF, fmt, fact */
    assert_int_equal(um_media_map_add(want, o[2] + 4, 4), 0);
    assert_int_equal(um_media_map_add(want, o[3] + 4, 4), 0);
    assert_int_equal(um_media_map_add(want, o[3] + 8 + 21, 1), 0);
    size_t ab = o[4] + 12;
    assert_int_equal(um_media_map_add(want, o[4], 12), 0);        /* LIST adtl */
    assert_int_equal(um_media_map_add(want, ab + a0, 12), 0);
    assert_int_equal(um_media_map_add(want, ab + a1, 28), 0);
    assert_int_equal(um_media_map_add(want, ab + a2, a3 - a2 + 3 + 1), 0);
    assert_int_equal(um_media_map_add(want, o[5], o[7] - o[5]), 0);
    assert_int_equal(um_media_map_add(want, o[7] + 4, 4), 0);
    assert_int_equal(um_media_map_add(want, o[8], o[9] - o[8]), 0);
    assert_int_equal(um_media_map_add(want, o[9] + 4, 4), 0);
    assert_int_equal(um_media_map_add(want, o[9] + 8 + 31, 1), 0);
    um_media_map_finish(want);
}

/* (a) Every fixture a default scrub edits: the plan leaves the map alone and the
 * cleaned result maps to the same bytes. */
static void test_map_fixtures(void **state)
{
    (void)state;
    const char *names[] = { "riff/clip.avi", "riff/sound.wav" };
    for (int i = 0; i < 2; i++) {
        size_t n;
        uint8_t *p = ts_load(names[i], &n);
        struct um_media_map m;
        check_map_plan(p, n, names[i], &m);
        assert_true(ts_media_map_covers(&m, 0, 12));                  /* the RIFF header */
        assert_true(ts_media_map_covers(&m, n - 1, 1));               /* the RIFF ends the file */
        um_media_map_free(&m);
        free(p);
    }
    struct buf f;
    size_t avix_end;
    build_rich_avi(&f, &avix_end);
    struct um_media_map m;
    check_map_plan(f.b, f.n, "rich.avi", &m);
    um_media_map_free(&m);
    struct um_media_map want;
    build_rich_wav(&f, &want);
    check_map_plan(f.b, f.n, "rich.wav", &m);
    um_media_map_free(&m);
    um_media_map_free(&want);

    char *base = ts_shared("mat2");
    if (!base) return;
    const char *shared[] = { "dirty.avi", "dirty.wav" };
    for (int i = 0; i < 2; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", base, shared[i]);
        size_t n;
        uint8_t *p = ts_read(path, &n);
        assert_non_null(p);
        check_map_plan(p, n, shared[i], &m);
        um_media_map_free(&m);
        free(p);
    }
    free(base);
}

/* (b) What is listed and what is not, on the ffmpeg AVI and WAVE. */
static void test_map_lists_media(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = ts_load("riff/clip.avi", &n);
    struct um_media_map m;
    assert_int_equal(ts_media_map("riff", p, n, &m), 0);
    const uint8_t *movi = memmem(p, n, "movi", 4), *idx1 = memmem(p, n, "idx1", 4);
    assert_non_null(movi);
    assert_non_null(idx1);
    uint64_t mo = (uint64_t)(movi - p) - 8, ms = ld_u32le(movi - 4);
    assert_true(ts_media_map_covers(&m, mo, 8 + ms));                        /* LIST movi whole */
    assert_true(um_media_map_touches(&m, mo + 8 + ms / 2, 1));
    uint64_t io = (uint64_t)(idx1 - p);
    assert_true(ts_media_map_covers(&m, io, 8 + ld_u32le(idx1 + 4)));       /* idx1 whole */
    for (const uint8_t *s = p; (s = memmem(s, n - (size_t)(s - p), "strf", 4)) != NULL; s += 4)
        assert_true(ts_media_map_covers(&m, (uint64_t)(s - p), 8 + ld_u32le(s + 4)));   /* every strf */
    const uint8_t *strh = memmem(p, n, "strh", 4), *avih = memmem(p, n, "avih", 4);
    assert_true(ts_media_map_covers(&m, (uint64_t)(strh - p), 64));
    assert_true(ts_media_map_covers(&m, (uint64_t)(avih - p), 64));
    assert_true(ts_media_map_covers(&m, 12, 12));                            /* LIST hdrl header */
    /* strn: its size field and pad byte stay listed, its id and name do not. */
    const uint8_t *strn = memmem(p, n, "strn", 4);
    assert_non_null(strn);
    uint64_t so = (uint64_t)(strn - p), ss = ld_u32le(strn + 4);
    assert_true(ss & 1);
    assert_false(um_media_map_touches(&m, so, 4));
    assert_true(ts_media_map_covers(&m, so + 4, 4));
    assert_false(um_media_map_touches(&m, so + 8, ss));
    assert_true(ts_media_map_covers(&m, so + 8 + ss, 1));
    /* LIST INFO and JUNK: the size field only. */
    const uint8_t *info = memmem(p, n, "INFO", 4);
    assert_non_null(info);
    uint64_t lo = (uint64_t)(info - p) - 8;
    assert_false(um_media_map_touches(&m, lo, 4));
    assert_true(ts_media_map_covers(&m, lo + 4, 4));
    assert_false(um_media_map_touches(&m, lo + 8, ld_u32le(info - 4)));
    const uint8_t *junk = memmem(p, n, "JUNK", 4);
    assert_non_null(junk);
    assert_true(ts_media_map_covers(&m, (uint64_t)(junk - p) + 4, 4));
    assert_false(um_media_map_touches(&m, (uint64_t)(junk - p) + 8, ld_u32le(junk + 4)));
    um_media_map_free(&m);
    free(p);

    p = ts_load("riff/sound.wav", &n);
    assert_int_equal(ts_media_map("riff", p, n, &m), 0);
    const uint8_t *fmt = memmem(p, n, "fmt ", 4), *data = memmem(p, n, "data", 4), *bext = memmem(p, n, "bext", 4);
    assert_true(ts_media_map_covers(&m, (uint64_t)(fmt - p), 8 + 16));
    uint64_t dsz = ld_u32le(data + 4);
    assert_true(ts_media_map_covers(&m, (uint64_t)(data - p), 8 + dsz));
    assert_true(um_media_map_touches(&m, (uint64_t)(data - p) + 8 + dsz / 2, 1));
    assert_false(um_media_map_touches(&m, (uint64_t)(bext - p) + 8, ld_u32le(bext + 4)));
    um_media_map_free(&m);
    free(p);

    /* The hand-made BWF maps to exactly the ranges worked out for it. */
    struct buf f;
    struct um_media_map want;
    build_rich_wav(&f, &want);
    assert_int_equal(ts_media_map("riff", f.b, f.n, &m), 0);
    if (!um_media_map_equal(&m, &want)) {
        for (size_t i = 0; i < m.n; i++)
            fprintf(stderr, "got [%llu, +%llu)\n", (unsigned long long)m.r[i].off, (unsigned long long)m.r[i].len);
        for (size_t i = 0; i < want.n; i++)
            fprintf(stderr, "want [%llu, +%llu)\n", (unsigned long long)want.r[i].off,
                    (unsigned long long)want.r[i].len);
        fail_msg("rich.wav maps differently");
    }
    um_media_map_free(&m);
    um_media_map_free(&want);
}

/* (c) Damaged sizes and layouts the map cannot account for: an error or
 * UM_E_UNSUPPORTED, never a crash (run under ASan) nor a range outside the file. */
static void test_map_damaged(void **state)
{
    (void)state;
    struct um_media_map m;
    struct buf body = { .n = 0 }, f;
    /* A chunk running past the end of the file, and past its parent inside it. */
    wave_fmt(&body);
    put(&body, "data", 4);
    put32(&body, 1000);
    put(&body, "\1\2\3\4", 4);
    riff(&f, "WAVE", &body);
    assert_int_equal(ts_media_map("riff", f.b, f.n, &m), UM_E_TRUNC);
    um_media_map_free(&m);
    put(&f, "0123456789012345678901234567890123456789", 40);
    for (int i = 0; i < 30; i++) put(&f, "0123456789012345678901234567890123456789", 40);
    assert_int_equal(ts_media_map("riff", f.b, f.n, &m), UM_E_FORMAT);
    um_media_map_free(&m);
    /* A RIFF size of 0xFFFFFFFF: a WAVE never finalised, an AVI cut short. */
    body.n = 0;
    wave_fmt(&body);
    chunk(&body, "data", "\1\2\3\4", 4);
    riff(&f, "WAVE", &body);
    memcpy(f.b + 4, "\xFF\xFF\xFF\xFF", 4);
    assert_int_equal(ts_media_map("riff", f.b, f.n, &m), UM_E_UNSUPPORTED);
    um_media_map_free(&m);
    memset(f.b + 4, 0, 4);
    assert_int_equal(ts_media_map("riff", f.b, f.n, &m), UM_E_UNSUPPORTED);
    um_media_map_free(&m);
    memcpy(f.b + 8, "AVI ", 4);
    memcpy(f.b + 4, "\xFF\xFF\xFF\xFF", 4);
    assert_int_equal(ts_media_map("riff", f.b, f.n, &m), UM_E_TRUNC);
    um_media_map_free(&m);
    memset(f.b + 4, 0, 4);
    assert_int_equal(ts_media_map("riff", f.b, f.n, &m), UM_E_FORMAT);
    um_media_map_free(&m);
    /* A LIST inside hdrl that runs past it. */
    body.n = 0;
    struct buf hdrl = { .n = 0 };
    chunk(&hdrl, "avih", "\0\0\0\0", 4);
    list(&body, "LIST", "hdrl", &hdrl);
    riff(&f, "AVI ", &body);
    f.b[28] = 0x40;   /* avih size 64 inside a hdrl of 16 */
    assert_int_equal(ts_media_map("riff", f.b, f.n, &m), UM_E_TRUNC);
    um_media_map_free(&m);
    put(&f, "0123456789012345678901234567890123456789012345678901234567890123456789", 70);
    assert_int_equal(ts_media_map("riff", f.b, f.n, &m), UM_E_FORMAT);
    um_media_map_free(&m);
    /* Deep nesting: a limit, not a stack overflow. */
    static struct buf nest[2];
    nest[0].n = 0;
    chunk(&nest[0], "avih", "x", 1);
    for (int d = 0; d < 100; d++) {
        nest[!(d & 1)].n = 0;
        list(&nest[!(d & 1)], "LIST", "abcd", &nest[d & 1]);
    }
    riff(&f, "AVI ", &nest[0]);
    assert_int_equal(ts_media_map("riff", f.b, f.n, &m), UM_E_LIMIT);
    um_media_map_free(&m);
    /* Other forms and RF64: not mapped. Too short: truncated. */
    const char *unsupported[] = { "riff/sound_rf64.wav", "riff/image.webp" };
    for (int i = 0; i < 2; i++) {
        size_t n;
        uint8_t *p = ts_load(unsupported[i], &n);
        assert_int_equal(ts_media_map("riff", p, n, &m), UM_E_UNSUPPORTED);
        um_media_map_free(&m);
        free(p);
    }
    assert_int_equal(ts_media_map("riff", (const uint8_t *)"RIFF\x04\0\0\0AVI", 11, &m), UM_E_TRUNC);
    um_media_map_free(&m);
    assert_int_equal(ts_media_map("riff", (const uint8_t *)"RIFX\x04\0\0\0AVI ", 12, &m), UM_E_FORMAT);
    um_media_map_free(&m);
    const char *hostile[] = { "hostile/riff_chunk_past_end.wav", "hostile/riff_zero_sizes.avi",
                              "hostile/riff_list_loop.avi" };
    for (int i = 0; i < 3; i++) {
        size_t n;
        uint8_t *p = ts_load(hostile[i], &n);
        int r = ts_media_map("riff", p, n, &m);
        if (r >= 0) fail_msg("%s: mapped", hostile[i]);
        um_media_map_free(&m);
        free(p);
    }

    /* Every cut of the AVI is truncated (in an exactly sized buffer, for ASan). */
    size_t n;
    uint8_t *p = ts_load("riff/clip.avi", &n);
    for (size_t len = 0; len < n; len += len < 4096 ? 1 : 61) {
        uint8_t *q = malloc(len ? len : 1);
        memcpy(q, p, len);
        if (ts_media_map("riff", q, len, &m) != UM_E_TRUNC) fail_msg("cut at %zu: not truncated", len);
        um_media_map_free(&m);
        free(q);
    }
    /* Random damage: every range lies in the file, and when the scan and the map both
     * succeed and the plan is in place, the proof holds. */
    unsigned seed = 4242, proven = 0;
    for (int it = 0; it < 3000; it++) {
        const char *rel = it & 1 ? "riff/sound.wav" : "riff/clip.avi";
        size_t k;
        uint8_t *o = ts_load(rel, &k);
        int flips = 1 + (int)(rand_r(&seed) % 3);
        for (int j = 0; j < flips; j++) {
            size_t at = (size_t)rand_r(&seed) % (k < 1024 ? k : 1024);
            o[at] = (uint8_t)(rand_r(&seed) % 3 == 0 ? 0xFF : rand_r(&seed));
        }
        int r = ts_media_map("riff", o, k, &m);
        for (size_t i = 0; !r && i < m.n; i++) assert_true(m.r[i].len <= k && m.r[i].off <= k - m.r[i].len);
        um_media_map_free(&m);
        if (r) {
            free(o);
            continue;
        }
        struct um_file_result res;
        if (ts_scan(o, k, it & 1 ? "x.wav" : "x.avi", &res) == 0 && res.format && !strcmp(res.format, "riff")) {
            if (ts_media_map_proof("riff", o, k, &res, rel, false, &m, NULL)) proven++;
            um_media_map_free(&m);
        }
        um_file_result_free(&res);
        free(o);
    }
    assert_true(proven > 100);
    free(p);
}

/* (d) Data after the RIFF (a trailer a scrub cuts) is not listed: with it the file
 * maps as without it, and the last AVIX part ends the map. */
static void test_map_appended(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = ts_load("riff/clip.avi", &n);
    uint8_t *q = malloc(n + 31);
    memcpy(q, p, n);
    for (int i = 0; i < 31; i++) q[n + i] = (uint8_t)(0x5A ^ i);
    struct um_media_map a, b;
    assert_int_equal(ts_media_map("riff", p, n, &a), 0);
    check_map_plan(q, n + 31, "clip+trailer.avi", &b);
    assert_true(um_media_map_equal(&a, &b));
    assert_false(um_media_map_touches(&b, n, 31));
    um_media_map_free(&a);
    um_media_map_free(&b);
    free(q);
    free(p);

    struct buf f;
    size_t avix_end;
    build_rich_avi(&f, &avix_end);
    assert_int_equal(ts_media_map("riff", f.b, f.n, &a), 0);
    assert_true(ts_media_map_covers(&a, avix_end - 12 - 8, 20));            /* the last movi's last chunk */
    assert_false(um_media_map_touches(&a, avix_end, f.n - avix_end));
    assert_int_equal(a.r[a.n - 1].off + a.r[a.n - 1].len, avix_end);
    int parts = 0;
    for (const uint8_t *x = f.b; (x = memmem(x, f.n - (size_t)(x - f.b), "AVIX", 4)) != NULL; x += 4, parts++)
        assert_true(ts_media_map_covers(&a, (uint64_t)(x - f.b) - 8, 24));   /* RIFF AVIX, LIST movi */
    assert_int_equal(parts, 2);
    um_media_map_free(&a);

    /* An odd RIFF size: its zero pad byte belongs to the file, what follows does not. */
    struct buf body = { .n = 0 };
    wave_fmt(&body);
    put(&body, "data", 4);
    put32(&body, 3);
    put(&body, "\1\2\3", 3);   /* the last chunk: no pad inside the RIFF */
    riff(&f, "WAVE", &body);
    assert_true(f.n & 1);
    put(&f, "", 1);
    size_t end = f.n;
    put(&f, "APPENDED", 8);
    check_map_plan(f.b, f.n, "odd.wav", &a);
    assert_int_equal(a.n, 1);
    assert_int_equal(a.r[0].off, 0);
    assert_int_equal(a.r[0].len, end);
    um_media_map_free(&a);
    /* Not a pad byte (not zero): appended data from there on, not listed. */
    memcpy(f.b + end - 1, "APPENDED", 8);
    f.n = end - 1 + 8;
    check_map_plan(f.b, f.n, "odd+trailer.wav", &a);
    assert_int_equal(a.n, 1);
    assert_int_equal(a.r[0].len, end - 1);
    um_media_map_free(&a);
    /* An odd RIFF size counting a pad byte the file never got: the file is whole. */
    body.n = 0;
    wave_fmt(&body);
    chunk(&body, "data", "\1\2", 2);
    riff(&f, "WAVE", &body);
    f.b[4]++;
    assert_int_equal(ts_media_map("riff", f.b, f.n, &a), 0);
    assert_int_equal(a.n, 1);
    assert_int_equal(a.r[0].len, f.n);
    um_media_map_free(&a);
}

/* Bytes inside a list after its last chunk and the pad byte of an odd list are not
 * edited by the scan: listed, as is everything of an AVI without metadata. */
static void test_map_slack_in_lists(void **state)
{
    (void)state;
    struct buf hdrl = { .n = 0 }, strl = { .n = 0 }, movi = { .n = 0 }, body = { .n = 0 }, f;
    chunk(&hdrl, "avih", "\1\2\3\4\5\6\7\10", 8);
    chunk(&strl, "strh", "\11\12\13\14", 4);
    chunk(&strl, "strf", "\15\16\17", 3);
    put(&strl, "ab", 2);                   /* after the pad of strf: not a chunk */
    list(&hdrl, "LIST", "strl", &strl);    /* size 4 + 12 + 12 + 2, even */
    put(&hdrl, "xyz", 3);                  /* not a chunk */
    list(&body, "LIST", "hdrl", &hdrl);    /* size odd: a pad byte follows */
    assert_true((hdrl.n + 4) & 1);
    put(&body, "\0", 1);
    chunk(&movi, "00dc", "frame", 5);
    list(&body, "LIST", "movi", &movi);
    chunk(&body, "idx1", "\0\0\0\0\0\0\0\0", 8);
    riff(&f, "AVI ", &body);
    struct um_file_result res;
    assert_int_equal(ts_scan(f.b, f.n, "x.avi", &res), 0);
    assert_int_equal(res.findings.len, 0);
    um_file_result_free(&res);
    struct um_media_map m;
    assert_int_equal(ts_media_map("riff", f.b, f.n, &m), 0);
    assert_int_equal(m.n, 1);
    assert_int_equal(m.r[0].off, 0);
    assert_int_equal(m.r[0].len, f.n);
    um_media_map_free(&m);
}

int main(int argc, char **argv)
{
    (void)argc;
    char *self = strdup(argv[0]);
    if (asprintf(&unmark_bin, "%s/unmark", dirname(dirname(self))) < 0) return 2;
    free(self);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_avi),
        cmocka_unit_test(test_wav_bext),
        cmocka_unit_test(test_webp),
        cmocka_unit_test(test_cli_scrub),
        cmocka_unit_test(test_shared_fixtures),
        cmocka_unit_test(test_odd_and_padding),
        cmocka_unit_test(test_avix),
        cmocka_unit_test(test_id3_chunk),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_map_fixtures),
        cmocka_unit_test(test_map_lists_media),
        cmocka_unit_test(test_map_damaged),
        cmocka_unit_test(test_map_appended),
        cmocka_unit_test(test_map_slack_in_lists),
    };
    /* The sanitizer build does not build the CLI: use the normal one then. */
    if (access(unmark_bin, X_OK) != 0 && access("build/unmark", X_OK) == 0) {
        free(unmark_bin);
        unmark_bin = strdup("build/unmark");
    }
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(unmark_bin);
    return rc;
}
