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

/* ---- media map ---- */

/* The proof the verifier makes, on bytes that fit in memory: the default plan edits
 * something, no edit and no cut tail touches the map, and the edited (and cut) result
 * maps to exactly the same ranges. The original's map is left in *a. */
static void check_map_plan(const uint8_t *p, size_t n, const char *name, struct um_media_map *a)
{
    struct um_file_result res;
    assert_int_equal(ts_scan(p, n, name, &res), 0);
    assert_string_equal(res.format, "matroska");
    size_t nops;
    ts_media_map_proof("matroska", p, n, &res, name, true, a, &nops);
    assert_true(nops > 0);
    um_file_result_free(&res);
}

/* Offset of the first child of the (first) Segment with this ID, or 0. */
static size_t seg_child(const uint8_t *p, uint32_t want, size_t *hdr, uint64_t *size)
{
    uint32_t id;
    uint64_t sz;
    size_t pos = parse(p, &id, &sz);
    pos += sz;
    size_t h = parse(p + pos, &id, &sz);
    assert_int_equal(id, 0x18538067);
    size_t end = pos + h + sz;
    for (pos += h; pos < end; pos += h + sz) {
        h = parse(p + pos, &id, &sz);
        if (id == want) {
            *hdr = h, *size = sz;
            return pos;
        }
    }
    return 0;
}

/* The ffmpeg fixtures: every edit of the default plan is outside the map and the
 * cleaned bytes map the same; a live stream (Segment of unknown size) is left to
 * FFmpeg. */
static void test_map_fixtures(void **state)
{
    (void)state;
    const char *names[] = { "matroska/clip.mkv", "matroska/clip.webm" };
    for (int i = 0; i < 2; i++) {
        size_t n;
        uint8_t *p = ts_load(names[i], &n);
        struct um_media_map m;
        check_map_plan(p, n, names[i], &m);
        /* The Segment ends the file: its last byte (a Cluster's or the Cues') is listed. */
        assert_true(um_media_map_touches(&m, n - 1, 1));
        const uint8_t *t = memmem(p, n, "LeakTitle", 9);
        assert_non_null(t);
        assert_false(um_media_map_touches(&m, (uint64_t)(t - p), 9));
        um_media_map_free(&m);
        free(p);
    }
    size_t n;
    uint8_t *p = ts_load("matroska/live.mkv", &n);
    struct um_media_map m;
    assert_int_equal(ts_media_map("matroska", p, n, &m), UM_E_UNSUPPORTED);
    um_media_map_free(&m);
    free(p);
}

/* Media and the structures that lead to it are listed; names, titles, tags and
 * dates are not. */
static void test_map_lists_media(void **state)
{
    (void)state;
    size_t n, h;
    uint64_t size;
    uint8_t *p = ts_load("matroska/clip.mkv", &n);
    struct um_media_map m;
    assert_int_equal(ts_media_map("matroska", p, n, &m), 0);

    uint32_t id;
    uint64_t sz;
    size_t ebml = parse(p, &id, &sz);
    assert_true(ts_media_map_covers(&m, 0, ebml + sz));                    /* the EBML header */
    assert_true(ts_media_map_covers(&m, ebml + sz, 12));                   /* the Segment's ID and size */

    size_t c = seg_child(p, 0x1F43B675, &h, &size);            /* the first Cluster */
    assert_true(c > 0 && size > 64);
    assert_true(ts_media_map_covers(&m, c, h + size));
    assert_true(um_media_map_touches(&m, c + h + size / 2, 1));
    size_t t = seg_child(p, 0x1654AE6B, &h, &size);            /* Tracks */
    assert_true(t > 0);
    assert_true(ts_media_map_covers(&m, t, h));
    assert_true(um_media_map_touches(&m, t + h + size / 2, 1));
    const uint8_t *codec = memmem(p + t, (size_t)(h + size), "V_MPEG4/ISO/AVC", 15);
    assert_non_null(codec);
    assert_true(ts_media_map_covers(&m, (uint64_t)(codec - p), 15));
    const uint8_t *cp = memmem(p + t, (size_t)(h + size), "\x63\xA2", 2);   /* CodecPrivate */
    assert_non_null(cp);
    assert_true(ts_media_map_covers(&m, (uint64_t)(cp - p), 16));
    size_t s = seg_child(p, 0x114D9B74, &h, &size);            /* SeekHead */
    assert_true(s > 0 && ts_media_map_covers(&m, s, h + size));
    s = seg_child(p, 0x1C53BB6B, &h, &size);                   /* Cues */
    assert_true(s > 0 && ts_media_map_covers(&m, s, h + size));
    size_t info = seg_child(p, 0x1549A966, &h, &size);
    assert_true(info > 0 && ts_media_map_covers(&m, info, h));
    const uint8_t *ts = memmem(p + info, (size_t)(h + size), "\x2A\xD7\xB1", 3);   /* TimestampScale */
    assert_non_null(ts);
    assert_true(ts_media_map_covers(&m, (uint64_t)(ts - p), 4 + (ts[3] & 0x7F)));
    const uint8_t *dur = memmem(p + info, (size_t)(h + size), "\x44\x89", 2);       /* Duration */
    assert_non_null(dur);
    assert_true(ts_media_map_covers(&m, (uint64_t)(dur - p), 3 + (dur[2] & 0x7F)));
    size_t tags = seg_child(p, 0x1254C367, &h, &size);
    assert_true(tags > 0);
    assert_false(um_media_map_touches(&m, tags, h + size));

    /* Whatever the scan reports (the track name's payload too, not its header). */
    const char *gone[] = { "LeakTitle", "LeakSoft", "SN4242LEAK", "LeakChapter", "LeakNote", "cover.jpg",
                           "LeakAuthor" };
    for (size_t i = 0; i < sizeof gone / sizeof *gone; i++)
        for (const uint8_t *q = p; (q = memmem(q, n - (size_t)(q - p), gone[i], strlen(gone[i]))); q++)
            if (um_media_map_touches(&m, (uint64_t)(q - p), strlen(gone[i])))
                fail_msg("%s at %zu is listed", gone[i], (size_t)(q - p));
    const uint8_t *name = memmem(p, n, "LeakTrack", 9);
    assert_non_null(name);
    assert_false(um_media_map_touches(&m, (uint64_t)(name - p), 9));
    assert_memory_equal(name - 3, "\x53\x6E\x89", 3);
    assert_true(ts_media_map_covers(&m, (uint64_t)(name - 3 - p), 3));
    um_media_map_free(&m);
    free(p);
}

/* A file with every structure the scan edits, CRC-32s at every level, a font, a
 * foreign attachment, an unknown top-level element and a trailer. */
static void map_rich_file(struct buf *f)
{
    struct buf seg = { .n = 0 }, b = { .n = 0 }, c = { .n = 0 }, d = { .n = 0 }, e = { .n = 0 };
    el(&seg, 0xBF, "\x01\x02\x03\x04", 4);                     /* the Segment's CRC-32 */
    el(&b, 0x4DBB, "\x53\xAB\x84\x15\x49\xA9\x66\x53\xAC\x81\x40", 11);
    el_buf(&seg, 0x114D9B74, &b);                              /* SeekHead */
    el(&seg, 0xEC, "hidden", 6);

    b.n = 0;
    el(&b, 0xBF, "\x11\x12\x13\x14", 4);
    el(&b, 0x7BA9, "LeakTitle", 9);
    el(&b, 0x2AD7B1, "\x0F\x42\x40", 3);                       /* TimestampScale */
    el(&b, 0x4D80, "LeakMux", 7);
    el(&b, 0x4489, "\x40\x8f\x40\x00\x00\x00\x00\x00", 8);     /* Duration */
    el(&b, 0xEC, "stash", 5);
    el_buf(&seg, 0x1549A966, &b);

    b.n = 0, c.n = 0, d.n = 0;
    el(&d, 0xB0, "\x10", 1);
    el(&c, 0xBF, "\x21\x22\x23\x24", 4);
    el(&c, 0xD7, "\x01", 1);                                   /* TrackNumber */
    el(&c, 0x536E, "LeakTrack", 9);
    el(&c, 0x86, "V_TESTCODEC", 11);
    el_buf(&c, 0xE0, &d);                                      /* Video */
    el(&b, 0xBF, "\x31\x32\x33\x34", 4);
    el_buf(&b, 0xAE, &c);
    el_buf(&seg, 0x1654AE6B, &b);

    b.n = 0, c.n = 0, d.n = 0, e.n = 0;
    el(&e, 0x85, "LeakChapter", 11);
    el(&d, 0x91, "\x00", 1);                                   /* ChapterTimeStart */
    el_buf(&d, 0x80, &e);
    el(&c, 0xBF, "\x41\x42\x43\x44", 4);
    el_buf(&c, 0xB6, &d);
    el_buf(&b, 0x45B9, &c);
    el_buf(&seg, 0x1043A770, &b);

    b.n = 0, c.n = 0, d.n = 0;
    el(&c, 0x466E, "DejaVuSans.ttf", 14);
    el(&c, 0x4660, "application/x-truetype-font", 27);
    el(&c, 0x465C, "\0\1\0\0fontdata", 12);
    el(&d, 0x466E, "LeakNote.txt", 12);
    el(&d, 0x467E, "written by LeakAuthor", 21);
    el(&d, 0x4660, "text/plain", 10);
    el(&d, 0x465C, "secret", 6);
    el(&b, 0xBF, "\x51\x52\x53\x54", 4);
    el_buf(&b, 0x61A7, &c);
    el_buf(&b, 0x61A7, &d);
    d.n = 0;   /* cover art under a font's name: its data is scanned, so not listed */
    el(&d, 0x466E, "cover.ttf", 9);
    el(&d, 0x4660, "image/jpeg", 10);
    el(&d, 0x465C, "IMAGEBYTES", 10);
    el_buf(&b, 0x61A7, &d);
    el_buf(&seg, 0x1941A469, &b);

    b.n = 0, c.n = 0, d.n = 0;
    el(&d, 0x45A3, "SERIAL", 6);
    el(&d, 0x4487, "SN4242LEAK", 10);
    el_buf(&c, 0x67C8, &d);
    el_buf(&b, 0x7373, &c);
    el_buf(&seg, 0x1254C367, &b);

    b.n = 0;
    el(&b, 0xE7, "\x00", 1);
    el(&b, 0xA3, "\x81\x00\x00\x80" "BLOCKDATA", 13);
    el_buf(&seg, 0x1F43B675, &b);
    el(&seg, 0x1C53BB6B, "CUESDATA", 8);
    el(&seg, 0x1A0FF0E5, "UNKNOWNTOP", 10);
    file_with(f, &seg);
    put(f, "TRAILER-DATA", 12);
}

static void test_map_rich(void **state)
{
    (void)state;
    static struct buf f;
    map_rich_file(&f);
    struct um_media_map m;
    check_map_plan(f.b, f.n, "x.mkv", &m);
    const char *kept[] = { "BLOCKDATA", "CUESDATA", "UNKNOWNTOP", "V_TESTCODEC", "\xD7\x81\x01",
                           "\xE0\x83\xB0\x81\x10", "\x2A\xD7\xB1\x83\x0F\x42\x40", "\x44\x89\x88\x40\x8f\x40",
                           "\x91\x81\x00", "DejaVuSans.ttf", "application/x-truetype-font", "fontdata",
                           "text/plain", "\x53\x6E\x89", "\x85\x8B", "\x4D\xBB\x8B", "cover.ttf",
                           "image/jpeg", "\x46\x5C\x8A" };
    for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
        const uint8_t *q = memmem(f.b, f.n, kept[i], strlen(kept[i]));
        assert_non_null(q);
        if (!ts_media_map_covers(&m, (uint64_t)(q - f.b), strlen(kept[i]))) fail_msg("%zu: not listed", i);
    }
    const char *left[] = { "\x01\x02\x03\x04", "hidden", "LeakTitle", "LeakMux", "stash", "\x11\x12\x13\x14",
                           "\x21\x22\x23\x24", "\x31\x32\x33\x34", "LeakTrack", "LeakChapter",
                           "\x41\x42\x43\x44", "\x51\x52\x53\x54", "LeakNote.txt", "written by", "secret",
                           "SN4242LEAK", "SERIAL", "IMAGEBYTES", "TRAILER-DATA" };
    for (size_t i = 0; i < sizeof left / sizeof *left; i++) {
        const uint8_t *q = memmem(f.b, f.n, left[i], strlen(left[i]));
        assert_non_null(q);
        if (um_media_map_touches(&m, (uint64_t)(q - f.b), strlen(left[i]))) fail_msg("%s: listed", left[i]);
    }
    /* The trailer aside, the map ends where the file does. */
    assert_true(ts_media_map_covers(&m, f.n - 12 - 10, 10));
    assert_false(um_media_map_touches(&m, f.n - 12, 12));
    um_media_map_free(&m);
}

/* Appended data (a trailer after the Segment) is not listed, and the map of the
 * file with it is the map of the file without it. */
static void test_map_trailer(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = ts_load("matroska/clip.mkv", &n);
    uint8_t *q = malloc(n + 31);
    memcpy(q, p, n);
    memcpy(q + n, "\x1A\x45\xDF\xA3 not a header, a mark: LEAK", 31);
    struct um_media_map a, b;
    check_map_plan(q, n + 31, "x.mkv", &a);
    assert_false(um_media_map_touches(&a, n, 31));
    assert_true(um_media_map_touches(&a, n - 1, 1));
    assert_int_equal(ts_media_map("matroska", p, n, &b), 0);
    assert_true(um_media_map_equal(&a, &b));
    um_media_map_free(&a);
    um_media_map_free(&b);
    free(q);
    free(p);
}

/* The map depends on the structure, not on which element a skipped one is: Tags
 * turned into a Void of the same length maps the same. A changed Cluster size or a
 * changed byte of Tracks does not pass. */
static void test_map_sees_structure(void **state)
{
    (void)state;
    size_t n, h;
    uint64_t size;
    uint8_t *p = ts_load("matroska/clip.mkv", &n);
    struct um_media_map a, b;
    assert_int_equal(ts_media_map("matroska", p, n, &a), 0);
    uint8_t *q = malloc(n);

    memcpy(q, p, n);
    size_t tags = seg_child(p, 0x1254C367, &h, &size);
    assert_true(tags > 0 && h + size >= 9);
    uint64_t payload = h + size - 9;
    q[tags] = 0xEC;
    q[tags + 1] = 0x01;
    for (int i = 0; i < 7; i++) q[tags + 2 + i] = (uint8_t)(payload >> (8 * (6 - i)));
    memset(q + tags + 9, 0, (size_t)payload);
    assert_int_equal(ts_media_map("matroska", q, n, &b), 0);
    assert_true(um_media_map_equal(&a, &b));
    um_media_map_free(&b);

    /* A Cluster of another size: the next element is read from another byte. */
    memcpy(q, p, n);
    size_t c = seg_child(p, 0x1F43B675, &h, &size);
    assert_true(c > 0 && um_media_map_touches(&a, c + 4, h - 4));
    q[c + h - 1]--;
    int r = ts_media_map("matroska", q, n, &b);
    assert_true(r < 0 || !um_media_map_equal(&a, &b));
    um_media_map_free(&b);

    /* A byte of Tracks: the edit itself is caught. */
    size_t t = seg_child(p, 0x1654AE6B, &h, &size);
    const uint8_t *codec = memmem(p + t, (size_t)(h + size), "V_MPEG4", 7);
    assert_non_null(codec);
    assert_true(um_media_map_touches(&a, (uint64_t)(codec - p), 1));
    um_media_map_free(&a);
    free(q);
    free(p);
}

/* Damaged input gives an error (or UM_E_UNSUPPORTED for what the map cannot
 * follow), never a crash, a hang or a read out of bounds (run under ASan). */
static void test_map_damaged(void **state)
{
    (void)state;
    struct um_media_map m;
    struct buf seg = { .n = 0 }, f, b = { .n = 0 };
    static struct buf big;

    /* A Cluster longer than the file; then one longer than its Segment. */
    put(&seg, "\x1F\x43\xB6\x75\x10\x00\x10\x00", 8);
    el(&seg, 0xE7, "\x00", 1);
    file_with(&f, &seg);
    assert_int_equal(ts_media_map("matroska", f.b, f.n, &m), UM_E_TRUNC);
    um_media_map_free(&m);
    seg.n = 0;
    put(&seg, "\x1F\x43\xB6\x75\x88", 5);
    el(&seg, 0xE7, "\x00", 1);
    file_with(&f, &seg);
    put(&f, "0123456789", 10);
    assert_int_equal(ts_media_map("matroska", f.b, f.n, &m), UM_E_FORMAT);
    um_media_map_free(&m);

    /* Unknown sizes: a Cluster, a Segment, Info. */
    seg.n = 0;
    put(&seg, "\x1F\x43\xB6\x75\xFF", 5);
    el(&seg, 0xE7, "\x00", 1);
    file_with(&f, &seg);
    assert_int_equal(ts_media_map("matroska", f.b, f.n, &m), UM_E_UNSUPPORTED);
    um_media_map_free(&m);
    f.n = 0;
    ebml_header(&f, "webm");
    put(&f, "\x18\x53\x80\x67\xFF", 5);
    el(&f, 0x1F43B675, "\xE7\x81\x00", 3);
    assert_int_equal(ts_media_map("matroska", f.b, f.n, &m), UM_E_UNSUPPORTED);
    um_media_map_free(&m);
    seg.n = 0;
    put(&seg, "\x15\x49\xA9\x66\xFF", 5);
    el(&seg, 0x2AD7B1, "\x0F\x42\x40", 3);
    file_with(&f, &seg);
    assert_int_equal(ts_media_map("matroska", f.b, f.n, &m), UM_E_UNSUPPORTED);
    um_media_map_free(&m);

    /* Two Segments; another DocType; a WebM one is fine. */
    seg.n = 0;
    el(&seg, 0x1F43B675, "\xE7\x81\x00", 3);
    file_with(&f, &seg);
    assert_int_equal(ts_media_map("matroska", f.b, f.n, &m), 0);
    assert_true(ts_media_map_covers(&m, 0, f.n));
    um_media_map_free(&m);
    size_t one = f.n;
    el_buf(&f, 0x18538067, &seg);
    assert_int_equal(ts_media_map("matroska", f.b, f.n, &m), UM_E_UNSUPPORTED);
    um_media_map_free(&m);
    f.n = one;
    put(&f, "\x18\x53\x80\x67\x10\x00\x10\x00", 8);   /* a second one cut short */
    assert_int_equal(ts_media_map("matroska", f.b, f.n, &m), UM_E_UNSUPPORTED);
    um_media_map_free(&m);
    f.n = 0;
    ebml_header(&f, "foobar");
    el_buf(&f, 0x18538067, &seg);
    assert_int_equal(ts_media_map("matroska", f.b, f.n, &m), UM_E_UNSUPPORTED);
    um_media_map_free(&m);
    f.n = 0;
    ebml_header(&f, "webm");
    el_buf(&f, 0x18538067, &seg);
    assert_int_equal(ts_media_map("matroska", f.b, f.n, &m), 0);
    um_media_map_free(&m);

    /* A huge 8-byte size, an invalid size byte, an invalid ID byte, no Segment. */
    seg.n = 0;
    put(&seg, "\x1F\x43\xB6\x75\x01\x00\xFF\xFF\xFF\xFF\xFF\xF0", 12);
    file_with(&f, &seg);
    assert_true(um_is_error(ts_media_map("matroska", f.b, f.n, &m)));
    um_media_map_free(&m);
    seg.n = 0;
    put(&seg, "\x1F\x43\xB6\x75\x00\x00", 6);
    file_with(&f, &seg);
    assert_int_equal(ts_media_map("matroska", f.b, f.n, &m), UM_E_FORMAT);
    um_media_map_free(&m);
    seg.n = 0;
    put(&seg, "\x00\x81\x00", 3);
    file_with(&f, &seg);
    assert_int_equal(ts_media_map("matroska", f.b, f.n, &m), UM_E_FORMAT);
    um_media_map_free(&m);
    f.n = 0;
    ebml_header(&f, "matroska");
    assert_int_equal(ts_media_map("matroska", f.b, f.n, &m), UM_E_FORMAT);
    um_media_map_free(&m);
    assert_int_equal(ts_media_map("matroska", f.b, 0, &m), UM_E_FORMAT);
    um_media_map_free(&m);

    /* ChapterAtoms nested 200 deep: a limit, not a stack overflow. */
    big.n = 0;
    el(&big, 0x91, "\x00", 1);
    for (int i = 0; i < 200; i++) {
        b = big;
        big.n = 0;
        el_buf(&big, 0xB6, &b);
    }
    b = big;
    big.n = 0;
    el_buf(&big, 0x45B9, &b);
    seg.n = 0;
    el_buf(&seg, 0x1043A770, &big);
    file_with(&f, &seg);
    assert_int_equal(ts_media_map("matroska", f.b, f.n, &m), UM_E_LIMIT);
    um_media_map_free(&m);

    /* Every cut of a fixture is a truncated Segment. */
    size_t n;
    uint8_t *p = ts_load("matroska/clip.mkv", &n);
    uint32_t id;
    uint64_t sz;
    size_t ebml_end = parse(p, &id, &sz);
    ebml_end += sz;
    for (size_t cut = 1; cut < n; cut++) {
        uint8_t *q = malloc(cut);   /* exactly cut bytes, so ASan sees a read past them */
        memcpy(q, p, cut);
        int r = ts_media_map("matroska", q, cut, &m);
        /* Cut right after the EBML header there is no Segment at all. */
        if (r != (cut == ebml_end ? UM_E_FORMAT : UM_E_TRUNC)) fail_msg("cut at %zu: %d", cut, r);
        um_media_map_free(&m);
        free(q);
    }
    /* Random damage to the headers: never a crash; a map that succeeds stays in the file. */
    srand(4242);
    uint8_t *q = malloc(n);
    for (int it = 0; it < 3000; it++) {
        memcpy(q, p, n);
        for (int k = 1 + rand() % 4; k > 0; k--) {
            size_t at = (size_t)rand() % (rand() % 2 ? 4400 : n);
            q[at] = rand() % 3 ? (uint8_t)rand() : (uint8_t)(q[at] ^ (0x80 >> (rand() % 8)));
        }
        int r = ts_media_map("matroska", q, n, &m);
        assert_true(r == 0 || um_is_error(r));
        for (size_t i = 0; i < m.n; i++) assert_true(m.r[i].off + m.r[i].len <= n);
        um_media_map_free(&m);
    }
    free(q);
    free(p);
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
    /* The media map too reads the Cluster's header only: the 4 GiB are listed, the
     * Title and the appended bytes are not. */
    struct um_media_map mm;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(ts_media_map("matroska", map, total + 7, &mm), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(s < 0.5);
    assert_true(ts_media_map_covers(&mm, total - cluster - 12, cluster + 12));
    const uint8_t *title = memmem(map, f.n, "LeakTitle", 9);
    assert_non_null(title);
    assert_false(um_media_map_touches(&mm, (uint64_t)(title - map), 9));
    assert_false(um_media_map_touches(&mm, total, 7));
    assert_int_equal(um_media_map_bytes(&mm), total - 12);   /* all but the Title */
    um_media_map_free(&mm);
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
        cmocka_unit_test(test_map_fixtures),
        cmocka_unit_test(test_map_lists_media),
        cmocka_unit_test(test_map_rich),
        cmocka_unit_test(test_map_trailer),
        cmocka_unit_test(test_map_sees_structure),
        cmocka_unit_test(test_map_damaged),
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
