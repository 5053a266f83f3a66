/* The GIF handler: comment and XMP findings, in-place blanking that keeps every
 * sub-block length (and the XMP magic trailer walk), data after the trailer, hostile
 * input, and the real dirty.gif against exiftool. */
#include "img_util.h"

/* Walks a GIF's blocks as a decoder does; returns true when it reaches 0x3B. */
static bool walks(const uint8_t *d, size_t n)
{
    size_t pos = 13;
    if (d[10] & 0x80) pos += 3u << ((d[10] & 7) + 1);
    while (pos < n) {
        if (d[pos] == 0x3B) return true;
        if (d[pos] == 0x2C) {
            uint8_t packed = d[pos + 9];
            pos += 10 + ((packed & 0x80) ? 3u << ((packed & 7) + 1) : 0) + 1;
        } else if (d[pos] == 0x21) {
            pos += 2;
        } else {
            return false;
        }
        while (pos < n && d[pos]) pos += 1 + d[pos];
        pos++;
    }
    return false;
}

static void test_comment_gif(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = img_load("images/comment.gif", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, "comment.gif", &r), 0);
    assert_string_equal(r.format, "gif");
    img_expect(&r, "Comment", UM_K_CONTENT, "secret comment");
    img_expect(&r, "XMP/dc:creator", UM_K_PERSON, "Gif Author");
    img_expect(&r, "XMP/x:xmptk", UM_K_SOFTWARE, NULL);
    const struct um_finding *f = img_where(&r, "Comment");
    assert_int_equal(p[f->offset], 0x21);
    assert_int_equal(p[f->offset + 1], 0xFE);
    size_t m;
    uint8_t *q = img_apply(&r, p, n, &m);
    assert_int_equal(m, n);
    assert_null(memmem(q, m, "secret comment", 14));
    assert_null(memmem(q, m, "Gif Author", 10));
    assert_non_null(memmem(q, m, "XMP DataXMP", 11));   /* the extension stays, empty */
    assert_true(walks(q, m));
    img_assert_clean(q, m, "comment.gif");
    free(q);
    um_file_result_free(&r);
    free(p);

    char *dir, *src = ts_testdata("images/comment.gif");
    char *out = img_scrub(src, &dir);
    if (img_have_exiftool()) {
        static const char *const tags[] = { "Comment", "Creator", "XMPToolkit", NULL };
        img_exiftool_none(out, tags);
    }
    free(out);
    free(src);
    ts_rmdir(dir);
    free(dir);
}

/* GIF89a 1x1, no GCT, a comment, one image, trailer, then `tail`. */
static size_t make_gif(uint8_t *b, const char *tail)
{
    static const uint8_t g[] = {
        'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0,
        0x21, 0xFE, 3, 'a', 'b', 'c', 2, 'd', 'e', 0,
        0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0,
        0x3B,
    };
    memcpy(b, g, sizeof g);
    memcpy(b + sizeof g, tail, strlen(tail));
    return sizeof g + strlen(tail);
}

static void test_structure(void **state)
{
    (void)state;
    uint8_t b[128];
    size_t n = make_gif(b, "TAILDATA");
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "x.gif", &r), 0);
    img_expect(&r, "Comment", UM_K_CONTENT, "abcde");
    const struct um_finding *a = ts_find(&r, UM_K_APPENDED_DATA);
    assert_non_null(a);
    assert_string_equal(a->where, "after GIF trailer");
    assert_int_equal(a->length, 8);
    size_t m;
    uint8_t *q = img_apply(&r, b, n, &m);
    assert_int_equal(m, n - 8);
    static const uint8_t want[] = { 0x21, 0xFE, 3, ' ', ' ', ' ', 2, ' ', ' ', 0 };
    assert_memory_equal(q + 13, want, sizeof want);
    img_assert_clean(q, m, "x.gif");
    free(q);
    um_file_result_free(&r);
}

static void test_hostile(void **state)
{
    (void)state;
    uint8_t b[128], c[128];
    size_t n = make_gif(b, "");
    struct um_file_result r;
    for (size_t k = 13; k < n; k++) {   /* no trailer reached: truncated */
        assert_true(ts_scan(b, k, "x.gif", &r) != 0);
        um_file_result_free(&r);
    }
    memcpy(c, b, n);
    c[10] = 0x87;   /* a 768-byte global colour table that is not there */
    assert_true(ts_scan(c, n, "x.gif", &r) != 0);
    um_file_result_free(&r);
    memcpy(c, b, n);
    c[15] = 0xFF;   /* a sub-block running past the end */
    assert_true(ts_scan(c, n, "x.gif", &r) != 0);
    um_file_result_free(&r);
    memcpy(c, b, n);
    c[13] = 0x99;   /* an unknown block introducer */
    assert_int_equal(ts_scan(c, n, "x.gif", &r), UM_E_FORMAT);
    um_file_result_free(&r);
    size_t fn;
    uint8_t *p = img_load("images/comment.gif", &fn);
    srand(3);
    for (int i = 0; i < 3000; i++) {
        uint8_t *x = malloc(fn);
        memcpy(x, p, fn);
        for (int k = 0; k < 4; k++) x[6 + (size_t)rand() % (fn - 6)] = (uint8_t)rand();
        (void)ts_scan(x, fn, "x.gif", &r);
        um_file_result_free(&r);
        free(x);
    }
    free(p);
}

/* XMP whose magic trailer is damaged (found by fuzzing): blanking the packet would
 * move a decoder's sub-block walk, so its data is zeroed along the walk instead. */
static void test_xmp_without_trailer(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = img_load("images/xmp_no_trailer.gif", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, "x.gif", &r), 0);
    img_expect(&r, "XMP", UM_K_CONTENT, "XMP packet without its magic trailer");
    size_t m;
    uint8_t *q = img_apply(&r, p, n, &m);
    assert_true(walks(q, m));
    img_assert_clean(q, m, "x.gif");
    free(q);
    um_file_result_free(&r);
    free(p);
}

static void test_dirty_gif(void **state)
{
    (void)state;
    char *path = img_shared("mat2/dirty.gif");
    if (!path) skip();
    size_t n;
    uint8_t *p = ts_read(path, &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, "dirty.gif", &r), 0);
    img_expect(&r, "Comment", UM_K_CONTENT, "this is a test comment");
    um_file_result_free(&r);
    free(p);
    char *dir, *out = img_scrub(path, &dir);
    if (img_have_exiftool()) {
        static const char *const tags[] = { "Comment", NULL };
        img_exiftool_none(out, tags);
    }
    free(out);
    ts_rmdir(dir);
    free(dir);
    free(path);
}

static void test_in_place(void **state)
{
    (void)state;
    img_check_in_place("images/comment.gif", "comment.gif");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_comment_gif),
        cmocka_unit_test(test_structure),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_xmp_without_trailer),
        cmocka_unit_test(test_dirty_gif),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
