/* Tests of formats/matroska.c: findings in ffmpeg-made fixtures, Void re-encoding of
 * every size-field length, CRC-32 voiding, the Segment end, and malformed input
 * (lying lengths, unknown sizes, huge vints, deep nesting, truncation). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../formats/format.h"
#include "../scrubber/plan.h"
#include "support.h"

static char *unmark_bin;   /* the CLI next to this test's build directory */

/* ---- helpers ---- */

static const struct um_finding *find_key(const struct um_file_result *res, const char *key)
{
    for (size_t i = 0; i < res->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&res->findings, i);
        if (f->key && strcmp(f->key, key) == 0) return f;
    }
    return NULL;
}

static const struct um_finding *find_value(const struct um_file_result *res, const char *key,
                                           const char *value)
{
    for (size_t i = 0; i < res->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&res->findings, i);
        if (f->key && !strcmp(f->key, key) && f->value && !strcmp(f->value, value)) return f;
    }
    return NULL;
}

/* Applies the length-keeping edits of a scan to a copy of the bytes (REPLACE first,
 * as the scrubber does), returning the copy. */
static uint8_t *apply(const struct um_file_result *res, const uint8_t *p, size_t n)
{
    /* The scrubber must accept the plan: no overlapping edits but ZERO with ZERO. */
    struct um_policy pol;
    struct um_plan plan;
    um_policy_default(&pol);
    assert_int_equal(um_plan_build(res, &pol, &plan), 0);
    assert_true(plan.in_place_ok);
    um_plan_free(&plan);
    uint8_t *out = malloc(n);
    memcpy(out, p, n);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < res->edits.len; i++) {
            const struct um_edit *e = um_vec_at(&res->edits, i);
            assert_true(e->offset + e->length <= n);
            if (pass == 0 && e->op == UM_OP_REPLACE) memcpy(out + e->offset, e->bytes, e->length);
            if (pass == 1 && e->op == UM_OP_ZERO) memset(out + e->offset, 0, e->length);
            assert_true(e->op == UM_OP_REPLACE || e->op == UM_OP_ZERO);
        }
    return out;
}

/* A tiny EBML writer for hand-made inputs. */
struct buf { uint8_t b[1 << 16]; size_t n; };

static void put(struct buf *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof b->b);
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void put_id(struct buf *b, uint32_t id)
{
    uint8_t t[4];
    int n = id > 0xFFFFFF ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1;
    for (int i = 0; i < n; i++) t[i] = (uint8_t)(id >> (8 * (n - 1 - i)));
    put(b, t, (size_t)n);
}

/* A size field of exactly `len` bytes (len 0: the shortest). */
static void put_size(struct buf *b, uint64_t v, int len)
{
    if (!len) for (len = 1; len < 8 && v > ((uint64_t)1 << (7 * len)) - 2; len++) {}
    uint8_t t[8];
    for (int i = 0; i < len; i++) t[i] = (uint8_t)(v >> (8 * (len - 1 - i)));
    t[0] |= (uint8_t)(0x80 >> (len - 1));
    put(b, t, (size_t)len);
}

static void el(struct buf *b, uint32_t id, const void *p, size_t n)
{
    put_id(b, id);
    put_size(b, n, 0);
    put(b, p, n);
}

static void el_buf(struct buf *b, uint32_t id, const struct buf *in) { el(b, id, in->b, in->n); }

static void ebml_header(struct buf *b, const char *doctype)
{
    struct buf h = { .n = 0 };
    el(&h, 0x4282, doctype, strlen(doctype));
    el_buf(b, 0x1A45DFA3, &h);
}

/* EBML header + Segment(children). */
static void file_with(struct buf *f, const struct buf *seg)
{
    f->n = 0;
    ebml_header(f, "matroska");
    el_buf(f, 0x18538067, seg);
}

/* Parses one element header (for checking what edits produced). */
static size_t parse(const uint8_t *p, uint32_t *id, uint64_t *size)
{
    int il = 1;
    while (!(p[0] & (0x80 >> (il - 1)))) il++;
    *id = 0;
    for (int i = 0; i < il; i++) *id = *id << 8 | p[i];
    const uint8_t *s = p + il;
    int sl = 1;
    while (!(s[0] & (0x80 >> (sl - 1)))) sl++;
    *size = s[0] & (0xFF >> sl);
    for (int i = 1; i < sl; i++) *size = *size << 8 | s[i];
    return (size_t)(il + sl);
}

static char *fixture(const char *rel)
{
    char *p = ts_testdata(rel);
    assert_non_null(p);
    return p;
}

static int run(const char *cmd, char **out)
{
    FILE *f = popen(cmd, "r");
    if (!f) return -1;
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    size_t k;
    while ((k = fread(s + n, 1, cap - 1 - n, f)) > 0) n += k;
    s[n] = 0;
    int rc = pclose(f);
    if (out) *out = s;
    else free(s);
    return rc;
}

/* ---- fixtures ---- */

static void test_clip_findings(void **state)
{
    (void)state;
    char *path = fixture("matroska/clip.mkv");
    size_t n;
    uint8_t *p = ts_read(path, &n);
    assert_non_null(p);
    struct um_file_result res;
    assert_int_equal(ts_scan(p, n, "clip.mkv", &res), 0);
    assert_string_equal(res.format, "matroska");

    const struct um_finding *f = find_key(&res, "Title");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_CONTENT);
    assert_string_equal(f->value, "LeakTitle");
    assert_string_equal(f->where, "Segment/Info/Title");
    /* The range is the whole element: 2-byte ID, 1-byte size, 9 bytes. */
    assert_int_equal(f->length, 12);
    assert_memory_equal(p + f->offset + 3, "LeakTitle", 9);

    f = find_key(&res, "WritingApp");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_SOFTWARE);
    assert_string_equal(f->value, "LeakSoft 3.1");
    f = find_key(&res, "DateUTC");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_TIMESTAMP);
    assert_string_equal(f->value, "2013-05-17T08:09:10Z");
    f = find_key(&res, "SegmentUID");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_DEVICE_ID);
    assert_int_equal(strlen(f->value), 32);
    assert_non_null(find_key(&res, "MuxingApp"));

    f = find_value(&res, "SERIAL", "SN4242LEAK");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_DEVICE_ID);
    assert_string_equal(f->where, "Segment/Tags/Tag/SimpleTag");
    assert_int_equal(find_value(&res, "LOCATION", "+48.8584+002.2945/")->kind, UM_K_LOCATION);
    assert_int_equal(find_value(&res, "ARTIST", "LeakAuthor")->kind, UM_K_PERSON);
    assert_int_equal(find_value(&res, "MAKE", "LeakMake")->kind, UM_K_DEVICE_MODEL);
    assert_int_equal(find_value(&res, "MODEL", "LeakModel X1")->kind, UM_K_DEVICE_MODEL);
    assert_int_equal(find_value(&res, "DATE_RECORDED", "2013-05-17")->kind, UM_K_TIMESTAMP);
    assert_int_equal(find_value(&res, "ENCODER", "Lavf59.27.100")->kind, UM_K_SOFTWARE);
    /* DURATION statistics are not identifying. */
    assert_null(find_key(&res, "DURATION"));

    assert_int_equal(find_value(&res, "Name", "LeakTrack")->kind, UM_K_CONTENT);
    assert_int_equal(find_value(&res, "ChapString", "LeakChapter")->kind, UM_K_CONTENT);
    assert_non_null(find_value(&res, "FileName", "cover.jpg"));
    f = find_key(&res, "AttachedFile");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_EMBEDDED_MEDIA);
    assert_non_null(strstr(f->value, "LeakNote.txt"));
    assert_int_equal(ts_count(&res, UM_K_APPENDED_DATA), 0);
    assert_int_equal(ts_count(&res, UM_K_NONZERO_PADDING), 0);

    /* Every finding is removable, and the edited bytes re-scan clean. */
    for (size_t i = 0; i < res.findings.len; i++)
        assert_true(((struct um_finding *)um_vec_at(&res.findings, i))->removable);
    uint8_t *q = apply(&res, p, n);
    struct um_file_result after;
    assert_int_equal(ts_scan(q, n, "clip.mkv", &after), 0);
    assert_int_equal(after.findings.len, 0);
    assert_null(memmem(q, n, "LeakTitle", 9));
    assert_null(memmem(q, n, "SN4242LEAK", 10));
    assert_null(memmem(q, n, "LeakNote", 8));
    assert_non_null(memmem(q, n, "matroska", 8));
    /* Every CRC-32 of an edited master is gone: ffmpeg writes one per top-level
     * element, and only the SeekHead, Cues and Clusters were left alone. */
    um_file_result_free(&after);
    um_file_result_free(&res);
    free(q);
    free(p);
    free(path);
}

static void test_webm_and_live(void **state)
{
    (void)state;
    const char *names[] = { "matroska/clip.webm", "matroska/live.mkv" };
    for (int i = 0; i < 2; i++) {
        char *path = fixture(names[i]);
        size_t n;
        uint8_t *p = ts_read(path, &n);
        assert_non_null(p);
        struct um_file_result res;
        assert_int_equal(ts_scan(p, n, names[i], &res), 0);
        assert_string_equal(res.format, "matroska");
        assert_string_equal(find_key(&res, "Title")->value, "LeakTitle");
        assert_string_equal(find_key(&res, "DateUTC")->value, "2013-05-17T08:09:10Z");
        assert_int_equal(find_value(&res, "ARTIST", "LeakAuthor")->kind, UM_K_PERSON);
        assert_int_equal(ts_count(&res, UM_K_APPENDED_DATA), 0);
        uint8_t *q = apply(&res, p, n);
        struct um_file_result after;
        assert_int_equal(ts_scan(q, n, names[i], &after), 0);
        assert_int_equal(after.findings.len, 0);
        um_file_result_free(&after);
        um_file_result_free(&res);
        free(q);
        free(p);
        free(path);
    }
}

/* The scrubbed file decodes without a message and shows no marker in ffprobe or
 * exiftool. Runs the CLI on a copy (in place). */
static void test_cli_scrub(void **state)
{
    (void)state;
    if (!ts_have_tool("ffmpeg") || !ts_have_tool("ffprobe") || access(unmark_bin, X_OK) != 0) {
        fprintf(stderr, "skipped: ffmpeg/ffprobe or %s missing\n", unmark_bin);
        return;
    }
    bool exiftool = ts_have_tool("exiftool");
    const char *names[] = { "clip.mkv", "clip.webm", "live.mkv" };
    char *dir = ts_mkdtemp();
    for (int i = 0; i < 3; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "matroska/%s", names[i]);
        char *src = fixture(rel);
        size_t n;
        uint8_t *p = ts_read(src, &n);
        char *dst = ts_write(dir, names[i], p, n);
        char *cmd, *out;
        assert_true(asprintf(&cmd, "'%s' scrub '%s' 2>&1", unmark_bin, dst) > 0);
        int rc = run(cmd, &out);
        if (rc != 0) fprintf(stderr, "%s\n", out);
        assert_int_equal(rc, 0);
        free(cmd), free(out);
        assert_true(asprintf(&cmd, "ffmpeg -nostdin -v error -i '%s' -f null - 2>&1", dst) > 0);
        assert_int_equal(run(cmd, &out), 0);
        assert_string_equal(out, "");
        free(cmd), free(out);
        assert_true(asprintf(&cmd, "ffprobe -v error -show_format -show_streams -show_chapters '%s' 2>&1; %s '%s'",
                             dst, exiftool ? "exiftool -a -G1 -s -u" : "true", dst) > 0);
        run(cmd, &out);
        assert_null(strstr(out, "Leak"));
        assert_null(strstr(out, "SN4242"));
        assert_null(strstr(out, "2013"));
        assert_null(strstr(out, "Lavf"));
        free(cmd), free(out);
        free(dst), free(p), free(src);
    }
    ts_rmdir(dir);
    free(dir);
}

/* ---- hand-made inputs ---- */

/* Voiding gives a Void of the same total length for every size-field length and
 * payload size around the vint boundaries, and the result re-scans clean. */
static void test_void_encoding(void **state)
{
    (void)state;
    const size_t sizes[] = { 1, 2, 100, 124, 125, 126, 127, 128, 1000, 16381, 16382, 16383, 16384 };
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
        for (int len = 1; len <= 8; len++) {
            if (len == 1 && sizes[si] > 126) continue;
            if (len == 2 && sizes[si] > 16382) continue;
            struct buf info = { .n = 0 }, seg = { .n = 0 }, f;
            static uint8_t title[16384];
            memset(title, 'T', sizeof title);
            put_id(&info, 0x7BA9);
            put_size(&info, sizes[si], len);
            put(&info, title, sizes[si]);
            el(&info, 0x2AD7B1, "\x0F\x42\x40", 3);   /* TimestampScale: kept */
            el_buf(&seg, 0x1549A966, &info);
            file_with(&f, &seg);
            struct um_file_result res;
            assert_int_equal(ts_scan(f.b, f.n, "x.mkv", &res), 0);
            const struct um_finding *t = find_key(&res, "Title");
            assert_non_null(t);
            uint64_t total = 2 + (uint64_t)len + sizes[si];
            assert_int_equal(t->length, total);
            uint8_t *q = apply(&res, f.b, f.n);
            uint32_t id;
            uint64_t size;
            size_t h = parse(q + t->offset, &id, &size);
            assert_int_equal(id, 0xEC);
            assert_int_equal(h + size, total);
            /* The next element is intact. */
            size_t h2 = parse(q + t->offset + total, &id, &size);
            assert_int_equal(id, 0x2AD7B1);
            assert_int_equal(size, 3);
            (void)h2;
            struct um_file_result after;
            assert_int_equal(ts_scan(q, f.n, "x.mkv", &after), 0);
            assert_int_equal(after.findings.len, 0);
            um_file_result_free(&after);
            um_file_result_free(&res);
            free(q);
        }
    }
}

/* The smallest element (ID + size, no payload) and a 1-byte string. */
static void test_void_tiny(void **state)
{
    (void)state;
    struct buf tags = { .n = 0 }, tag = { .n = 0 }, st = { .n = 0 }, seg = { .n = 0 }, f;
    el(&st, 0x45A3, "X", 1);
    el(&st, 0x4487, "y", 1);
    el_buf(&tag, 0x67C8, &st);
    el_buf(&tags, 0x7373, &tag);
    el_buf(&seg, 0x1254C367, &tags);
    struct buf info = { .n = 0 };
    el(&info, 0x4D80, "m", 1);       /* MuxingApp, 4 bytes in all */
    el_buf(&seg, 0x1549A966, &info);
    file_with(&f, &seg);
    struct um_file_result res;
    assert_int_equal(ts_scan(f.b, f.n, "x.mkv", &res), 0);
    assert_non_null(find_value(&res, "X", "y"));
    assert_non_null(find_value(&res, "MuxingApp", "m"));
    uint8_t *q = apply(&res, f.b, f.n);
    const struct um_finding *m = find_key(&res, "MuxingApp");
    assert_int_equal(m->length, 4);
    assert_memory_equal(q + m->offset, "\xEC\x82\x00\x00", 4);
    struct um_file_result after;
    assert_int_equal(ts_scan(q, f.n, "x.mkv", &after), 0);
    assert_int_equal(after.findings.len, 0);
    um_file_result_free(&after);
    um_file_result_free(&res);
    free(q);
}

/* A CRC-32 in an edited master is voided; one in an untouched master stays. */
static void test_crc_voided(void **state)
{
    (void)state;
    struct buf info = { .n = 0 }, tracks = { .n = 0 }, seg = { .n = 0 }, f;
    el(&info, 0xBF, "\x11\x22\x33\x44", 4);
    el(&info, 0x7BA9, "secret", 6);
    el(&tracks, 0xBF, "\x55\x66\x77\x88", 4);
    el(&tracks, 0xAE, "\xD7\x81\x01", 3);
    el_buf(&seg, 0x1549A966, &info);
    el_buf(&seg, 0x1654AE6B, &tracks);
    file_with(&f, &seg);
    struct um_file_result res;
    assert_int_equal(ts_scan(f.b, f.n, "x.mkv", &res), 0);
    assert_int_equal(res.findings.len, 1);
    uint8_t *q = apply(&res, f.b, f.n);
    assert_null(memmem(q, f.n, "\x11\x22\x33\x44", 4));
    assert_null(memmem(q, f.n, "secret", 6));
    assert_non_null(memmem(q, f.n, "\xEC\x84\x00\x00\x00\x00", 6));
    assert_non_null(memmem(q, f.n, "\xBF\x84\x55\x66\x77\x88", 6));
    um_file_result_free(&res);
    free(q);
}

/* Bytes after the Segment's declared end are appended data; a non-zero Void is
 * reported and zeroed. */
static void test_end_and_void(void **state)
{
    (void)state;
    struct buf seg = { .n = 0 }, f;
    el(&seg, 0xEC, "hidden", 6);
    el(&seg, 0x1F43B675, "\xE7\x81\x00", 3);   /* a Cluster: skipped */
    file_with(&f, &seg);
    size_t seg_end = f.n;
    put(&f, "TRAILER-DATA", 12);
    struct um_file_result res;
    assert_int_equal(ts_scan(f.b, f.n, "x.mkv", &res), 0);
    const struct um_finding *a = ts_find(&res, UM_K_APPENDED_DATA);
    assert_non_null(a);
    assert_int_equal(a->offset, seg_end);
    assert_int_equal(a->length, 12);
    const struct um_finding *v = ts_find(&res, UM_K_NONZERO_PADDING);
    assert_non_null(v);
    assert_int_equal(v->length, 6);
    assert_memory_equal(f.b + v->offset, "hidden", 6);
    um_file_result_free(&res);
}

/* Segment and Cluster of unknown size: the Segment ends at the first element that
 * cannot be its child. */
static void test_unknown_sizes(void **state)
{
    (void)state;
    struct buf f = { .n = 0 }, info = { .n = 0 };
    ebml_header(&f, "webm");
    put(&f, "\x18\x53\x80\x67\x01\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 12);
    el(&info, 0x7BA9, "LeakTitle", 9);
    el_buf(&f, 0x1549A966, &info);
    put(&f, "\x1F\x43\xB6\x75\xFF", 5);            /* Cluster, unknown size (1-byte) */
    el(&f, 0xE7, "\x00", 1);
    el(&f, 0xA3, "\x81\x00\x00\x80" "data", 8);
    put(&f, "\x1F\x43\xB6\x75\xFF", 5);
    el(&f, 0xA3, "\x81\x00\x00\x80" "data", 8);
    struct buf tags = { .n = 0 }, tag = { .n = 0 }, st = { .n = 0 };
    el(&st, 0x45A3, "SERIAL", 6);
    el(&st, 0x4487, "SN4242LEAK", 10);
    el_buf(&tag, 0x67C8, &st);
    el_buf(&tags, 0x7373, &tag);
    el_buf(&f, 0x1254C367, &tags);               /* after the clusters */
    size_t end = f.n;
    put(&f, "\x42\x86\x81\x01junk!", 8);           /* EBMLVersion: no Segment child */
    struct um_file_result res;
    assert_int_equal(ts_scan(f.b, f.n, "x.webm", &res), 0);
    assert_non_null(find_value(&res, "Title", "LeakTitle"));
    assert_int_equal(find_value(&res, "SERIAL", "SN4242LEAK")->kind, UM_K_DEVICE_ID);
    const struct um_finding *a = ts_find(&res, UM_K_APPENDED_DATA);
    assert_non_null(a);
    assert_int_equal(a->offset, end);
    um_file_result_free(&res);

    /* Bytes that are not EBML at all end it too. */
    memcpy(f.b + end, "\x00\x00\x00junk", 8);
    assert_int_equal(ts_scan(f.b, f.n, "x.webm", &res), 0);
    a = ts_find(&res, UM_K_APPENDED_DATA);
    assert_non_null(a);
    assert_int_equal(a->offset, end);
    um_file_result_free(&res);

    /* Without the trailing bytes the unknown Segment runs to the end: nothing
     * appended. */
    assert_int_equal(ts_scan(f.b, end, "x.webm", &res), 0);
    assert_int_equal(ts_count(&res, UM_K_APPENDED_DATA), 0);
    um_file_result_free(&res);
}

/* Lying and huge lengths are errors, never hangs or reads out of bounds; a
 * truncated Segment still reports what lies before the cut. */
static void test_malformed(void **state)
{
    (void)state;
    struct um_file_result res;
    struct buf seg = { .n = 0 }, f, info = { .n = 0 };

    /* Info claims more than its Segment holds, while the file holds it. */
    el(&info, 0x7BA9, "LeakTitle", 9);
    put_id(&seg, 0x1549A966);
    put_size(&seg, info.n + 20, 0);
    put(&seg, info.b, info.n);
    file_with(&f, &seg);
    put(&f, "01234567890123456789012345", 26);
    assert_int_equal(ts_scan(f.b, f.n, "x.mkv", &res), UM_E_FORMAT);
    um_file_result_free(&res);

    /* An 8-byte size with a huge value. */
    seg.n = 0;
    put(&seg, "\x15\x49\xA9\x66\x01\x00\xFF\xFF\xFF\xFF\xFF\xF0", 12);
    put(&seg, info.b, info.n);
    file_with(&f, &seg);
    assert_true(um_is_error(ts_scan(f.b, f.n, "x.mkv", &res)));
    um_file_result_free(&res);

    /* An invalid size byte (0x00) and an invalid ID byte. */
    seg.n = 0;
    put(&seg, "\x15\x49\xA9\x66\x00\x00", 6);
    file_with(&f, &seg);
    assert_true(um_is_error(ts_scan(f.b, f.n, "x.mkv", &res)));
    um_file_result_free(&res);

    /* Truncated: the Segment says 1 MB; Info is there and reported. */
    f.n = 0;
    ebml_header(&f, "matroska");
    put(&f, "\x18\x53\x80\x67\x30\x00\x00", 7);
    el_buf(&f, 0x1549A966, &info);
    put(&f, "\x1F\x43\xB6\x75\x20\x10\x00\x01\x02", 9);   /* a Cluster cut short */
    assert_int_equal(ts_scan(f.b, f.n, "x.mkv", &res), UM_E_TRUNC);
    assert_non_null(find_value(&res, "Title", "LeakTitle"));
    um_file_result_free(&res);

    /* Unknown size where it is not allowed (Info). */
    seg.n = 0;
    put(&seg, "\x15\x49\xA9\x66\xFF", 5);
    put(&seg, info.b, info.n);
    file_with(&f, &seg);
    assert_true(um_is_error(ts_scan(f.b, f.n, "x.mkv", &res)));
    um_file_result_free(&res);

    /* Deeply nested SimpleTags: a limit, not a stack overflow. */
    static struct buf nest[2];
    nest[0].n = 0;
    el(&nest[0], 0x45A3, "A", 1);
    el(&nest[0], 0x4487, "b", 1);
    for (int d = 0; d < 200; d++) {
        struct buf *in = &nest[d & 1], *o = &nest[!(d & 1)];
        o->n = 0;
        el(o, 0x45A3, "A", 1);
        el_buf(o, 0x67C8, in);
    }
    struct buf tag = { .n = 0 }, tags = { .n = 0 };
    el_buf(&tag, 0x67C8, &nest[0]);
    el_buf(&tags, 0x7373, &tag);
    seg.n = 0;
    el_buf(&seg, 0x1254C367, &tags);
    file_with(&f, &seg);
    assert_int_equal(ts_scan(f.b, f.n, "x.mkv", &res), UM_E_LIMIT);
    um_file_result_free(&res);

    /* Many empty Voids: progress on every element. */
    seg.n = 0;
    for (int i = 0; i < 20000; i++) put(&seg, "\xEC\x80", 2);
    file_with(&f, &seg);
    assert_int_equal(ts_scan(f.b, f.n, "x.mkv", &res), 0);
    assert_int_equal(res.findings.len, 0);
    um_file_result_free(&res);

    /* Not Matroska: another DocType, or only the magic. */
    f.n = 0;
    ebml_header(&f, "foobar");
    assert_int_equal(ts_scan(f.b, f.n, "x.mkv", &res), 0);
    assert_string_equal(res.format, "unknown");
    um_file_result_free(&res);
    assert_true(ts_scan((const uint8_t *)"\x1A\x45\xDF\xA3", 4, "x.mkv", &res) <= 0);
    um_file_result_free(&res);
}

/* Nested SimpleTags, a binary tag, CRCs at every level, a font (kept) and a foreign
 * attachment, an edition name and a non-zero Void in Info: the plan is accepted by
 * the scrubber and the result re-scans clean. */
static void test_nested_and_attachments(void **state)
{
    (void)state;
    struct buf inner = { .n = 0 }, outer = { .n = 0 }, tag = { .n = 0 }, tags = { .n = 0 };
    el(&inner, 0x45A3, "SERIAL", 6);
    el(&inner, 0x4487, "SN4242LEAK", 10);
    el(&outer, 0xBF, "\1\2\3\4", 4);
    el(&outer, 0x45A3, "MAKE", 4);
    el(&outer, 0x4487, "LeakMake", 8);
    el_buf(&outer, 0x67C8, &inner);
    el(&tag, 0xBF, "\5\6\7\x08", 4);
    el_buf(&tag, 0x67C8, &outer);
    struct buf bin = { .n = 0 };
    el(&bin, 0x45A3, "BLOB", 4);
    el(&bin, 0x4485, "\xde\xad\xbe\xef", 4);
    el_buf(&tag, 0x67C8, &bin);
    struct buf dur = { .n = 0 };
    el(&dur, 0x45A3, "DURATION", 8);
    el(&dur, 0x4487, "00:00:01.000", 12);
    el_buf(&tag, 0x67C8, &dur);
    el(&tags, 0xBF, "\x09\x0a\x0b\x0c", 4);
    el_buf(&tags, 0x7373, &tag);

    struct buf font = { .n = 0 }, other = { .n = 0 }, att = { .n = 0 };
    el(&font, 0x466E, "DejaVuSans.ttf", 14);
    el(&font, 0x4660, "application/x-truetype-font", 27);
    el(&font, 0x465C, "\0\1\0\0fontdata", 12);
    el(&other, 0x466E, "LeakNote.txt", 12);
    el(&other, 0x467E, "written by LeakAuthor", 21);
    el(&other, 0x4660, "text/plain", 10);
    el(&other, 0x465C, "secret", 6);
    el_buf(&att, 0x61A7, &font);
    el_buf(&att, 0x61A7, &other);

    struct buf disp = { .n = 0 }, ed = { .n = 0 }, chap = { .n = 0 };
    el(&disp, 0x4521, "LeakEdition", 11);
    el_buf(&ed, 0x4520, &disp);
    el_buf(&chap, 0x45B9, &ed);

    struct buf info = { .n = 0 }, seg = { .n = 0 }, f;
    el(&info, 0xBF, "\xaa\xbb\xcc\xdd", 4);
    el(&info, 0xEC, "stash", 5);
    el(&info, 0x4489, "\x40\x8f\x40\x00\x00\x00\x00\x00", 8);   /* Duration: kept */
    el_buf(&seg, 0x1549A966, &info);
    el_buf(&seg, 0x1254C367, &tags);
    el_buf(&seg, 0x1941A469, &att);
    el_buf(&seg, 0x1043A770, &chap);
    file_with(&f, &seg);

    struct um_file_result res;
    assert_int_equal(ts_scan(f.b, f.n, "x.mkv", &res), 0);
    assert_int_equal(find_value(&res, "SERIAL", "SN4242LEAK")->kind, UM_K_DEVICE_ID);
    assert_int_equal(find_value(&res, "MAKE", "LeakMake")->kind, UM_K_DEVICE_MODEL);
    assert_non_null(find_key(&res, "BLOB"));
    assert_null(find_key(&res, "DURATION"));
    assert_non_null(find_value(&res, "EditionString", "LeakEdition"));
    assert_non_null(ts_find(&res, UM_K_NONZERO_PADDING));
    const struct um_finding *a = find_key(&res, "AttachedFile");
    assert_non_null(a);
    assert_non_null(strstr(a->value, "LeakNote.txt"));
    /* The font and its name stay. */
    assert_null(find_value(&res, "FileName", "DejaVuSans.ttf"));
    uint8_t *q = apply(&res, f.b, f.n);
    assert_non_null(memmem(q, f.n, "DejaVuSans.ttf", 14));
    assert_non_null(memmem(q, f.n, "fontdata", 8));
    assert_null(memmem(q, f.n, "LeakNote", 8));
    assert_null(memmem(q, f.n, "secret", 6));
    assert_null(memmem(q, f.n, "LeakAuthor", 10));
    assert_null(memmem(q, f.n, "\xaa\xbb\xcc\xdd", 4));
    assert_null(memmem(q, f.n, "\x09\x0a\x0b\x0c", 4));
    assert_null(memmem(q, f.n, "\x05\x06\x07\x08", 4));
    assert_non_null(memmem(q, f.n, "\x40\x8f\x40", 3));
    struct um_file_result after;
    assert_int_equal(ts_scan(q, f.n, "x.mkv", &after), 0);
    assert_int_equal(after.findings.len, 0);
    um_file_result_free(&after);
    um_file_result_free(&res);
    free(q);
}

/* A 4 GiB sparse file: the Segment end comes from the headers alone, fast. */
static void test_huge_sparse(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    struct buf f = { .n = 0 }, info = { .n = 0 };
    ebml_header(&f, "matroska");
    uint64_t cluster = (4ull << 30) + 12345;
    el(&info, 0x7BA9, "LeakTitle", 9);
    uint64_t seg_size = info.n + 5 + 4 + 8 + cluster;
    put(&f, "\x18\x53\x80\x67", 4);
    put_size(&f, seg_size, 8);
    el_buf(&f, 0x1549A966, &info);
    put(&f, "\x1F\x43\xB6\x75", 4);
    put_size(&f, cluster, 8);
    uint64_t total = f.n + cluster;
    char *path = ts_write(dir, "big.mkv", f.b, f.n);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    if (ftruncate(fd, (off_t)(total + 7)) != 0) {   /* 7 bytes after the end */
        fprintf(stderr, "skipped: cannot make a sparse file\n");
        close(fd);
        goto out;
    }
    assert_int_equal(pwrite(fd, "APPENDX", 7, (off_t)total), 7);
    uint8_t *map = mmap(NULL, total + 7, PROT_READ, MAP_PRIVATE, fd, 0);
    assert_true(map != MAP_FAILED);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct um_file_result res;
    assert_int_equal(ts_scan(map, total + 7, "big.mkv", &res), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(s < 0.5);
    const struct um_finding *a = ts_find(&res, UM_K_APPENDED_DATA);
    assert_non_null(a);
    assert_int_equal(a->offset, total);
    assert_int_equal(a->length, 7);
    assert_non_null(find_value(&res, "Title", "LeakTitle"));
    um_file_result_free(&res);
    munmap(map, total + 7);
    close(fd);
out:
    free(path);
    ts_rmdir(dir);
    free(dir);
}

/* Random damage (fixed seed): byte flips, size-field bumps and truncations of a
 * fixture never crash or read out of bounds (run under ASan), and a scan that
 * succeeds always gives a plan the scrubber accepts. */
static void test_mutations(void **state)
{
    (void)state;
    ts_mutations("matroska/clip.mkv", "x.mkv", 1500, 12345);
    ts_mutations("matroska/clip.webm", "x.mkv", 1500, 12346);
}

int main(int argc, char **argv)
{
    (void)argc;
    char *self = strdup(argv[0]);
    char *d = dirname(dirname(self));
    if (asprintf(&unmark_bin, "%s/unmark", d) < 0) return 2;
    free(self);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_clip_findings),
        cmocka_unit_test(test_webm_and_live),
        cmocka_unit_test(test_cli_scrub),
        cmocka_unit_test(test_void_encoding),
        cmocka_unit_test(test_void_tiny),
        cmocka_unit_test(test_crc_voided),
        cmocka_unit_test(test_end_and_void),
        cmocka_unit_test(test_unknown_sizes),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_nested_and_attachments),
        cmocka_unit_test(test_huge_sparse),
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
