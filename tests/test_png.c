/* The PNG handler: text/tIME/eXIf/XMP findings, chunk neutralisation (private
 * ancillary type, zeroed data, correct CRC), data after IEND, hostile lengths, and the
 * real dirty.png against exiftool. */
#include "img_util.h"

static uint32_t crc32_png(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

/* Every chunk's CRC is right (the cleaned eXIf and iTXt XMP chunks included). */
static void assert_crcs(const uint8_t *q, size_t m)
{
    size_t pos = 8;
    while (pos + 12 <= m) {
        uint32_t n = ld_u32be(q + pos);
        assert_true(pos + 12 + n <= m);
        assert_int_equal(ld_u32be(q + pos + 8 + n), crc32_png(q + pos + 4, 4 + (size_t)n));
        if (!memcmp(q + pos + 4, "IEND", 4)) return;
        pos += 12 + n;
    }
    fail_msg("no IEND");
}

static void test_text_png(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = img_load("images/text.png", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, "text.png", &r), 0);
    assert_string_equal(r.format, "png");
    img_expect(&r, "tEXt/Author", UM_K_PERSON, "Choe Hyon");
    img_expect(&r, "tEXt/Comment", UM_K_CONTENT, "hello there");
    img_expect(&r, "tEXt/Software", UM_K_SOFTWARE, "Painter 3");
    img_expect(&r, "tIME", UM_K_TIMESTAMP, "2019-05-06 07:08:09");
    img_expect(&r, "eXIf/IFD0/Make", UM_K_DEVICE_MODEL, "PngExifMake");
    img_expect(&r, "iTXt/XMP/tiff:Model", UM_K_DEVICE_MODEL, "XmpModel");
    const struct um_finding *f = img_where(&r, "tEXt/Author");
    assert_memory_equal(p + f->offset, "Author\0Choe Hyon", 16);
    uint64_t chunk = f->offset - 8;

    size_t m;
    uint8_t *q = img_apply(&r, p, n, &m);
    assert_int_equal(m, n);
    /* The Author chunk: same length, type unMk, zero data, valid CRC. */
    assert_memory_equal(q + chunk, p + chunk, 4);
    assert_memory_equal(q + chunk + 4, "unMk", 4);
    static const uint8_t z[16] = { 0 };
    assert_memory_equal(q + chunk + 8, z, 16);
    uint32_t crc = crc32_png(q + chunk + 4, 4 + 16);
    assert_int_equal(ld_u32be(q + chunk + 8 + 16), crc);
    assert_crcs(q, m);
    assert_null(memmem(q, m, "PngExifMake", 11));
    assert_null(memmem(q, m, "XmpModel", 8));
    img_assert_clean(q, m, "text.png");
    free(q);
    um_file_result_free(&r);
    free(p);
}

static void test_text_png_scrub(void **state)
{
    (void)state;
    char *dir, *src = ts_testdata("images/text.png");
    char *out = img_scrub(src, &dir);
    if (img_have_exiftool()) {
        static const char *const tags[] = { "Author", "Comment", "Software", "ModifyDate", "IFD0:Make", "XMP-tiff:Model",
                                            "XMPToolkit", NULL };
        img_exiftool_none(out, tags);
    }
    free(out);
    free(src);
    ts_rmdir(dir);
    free(dir);
}

/* Signature, IHDR, a chunk under test, IEND, trailer. */
static size_t make_png(uint8_t *b, const char *type, const void *data, uint32_t n, const char *tail)
{
    static const uint8_t head[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n',
                                    0, 0, 0, 13, 'I', 'H', 'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0,
                                    0x90, 0x77, 0x53, 0xDE };
    size_t k = sizeof head;
    memcpy(b, head, k);
    b[k] = (uint8_t)(n >> 24), b[k + 1] = (uint8_t)(n >> 16), b[k + 2] = (uint8_t)(n >> 8), b[k + 3] = (uint8_t)n;
    memcpy(b + k + 4, type, 4);
    memcpy(b + k + 8, data, n);
    uint32_t c = crc32_png(b + k + 4, 4 + n);
    b[k + 8 + n] = (uint8_t)(c >> 24), b[k + 9 + n] = (uint8_t)(c >> 16);
    b[k + 10 + n] = (uint8_t)(c >> 8), b[k + 11 + n] = (uint8_t)c;
    k += 12 + n;
    static const uint8_t iend[] = { 0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82 };
    memcpy(b + k, iend, sizeof iend);
    k += sizeof iend;
    memcpy(b + k, tail, strlen(tail));
    return k + strlen(tail);
}

static void test_itxt_and_trailer(void **state)
{
    (void)state;
    uint8_t b[256];
    static const char itxt[] = "Author\0\0\0ko\0\xec\xa0\x80\xec\x9e\x90\0Kim Il";
    size_t n = make_png(b, "iTXt", itxt, sizeof itxt - 1, "HIDDEN-TAIL");
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "x.png", &r), 0);
    img_expect(&r, "iTXt/Author", UM_K_PERSON, "Kim Il");
    const struct um_finding *a = ts_find(&r, UM_K_APPENDED_DATA);
    assert_non_null(a);
    assert_string_equal(a->where, "after PNG IEND");
    assert_int_equal(a->length, 11);
    size_t m;
    uint8_t *q = img_apply(&r, b, n, &m);
    assert_int_equal(m, n - 11);
    img_assert_clean(q, m, "x.png");
    free(q);
    um_file_result_free(&r);
    /* zTXt reported without inflating. */
    static const char ztxt[] = "Copyright\0\0\x78\x9c\x03\0\0\0\0\x01";
    n = make_png(b, "zTXt", ztxt, sizeof ztxt - 1, "");
    assert_int_equal(ts_scan(b, n, "x.png", &r), 0);
    img_expect(&r, "zTXt/Copyright", UM_K_PERSON, NULL);
    um_file_result_free(&r);
}

static void test_hostile(void **state)
{
    (void)state;
    uint8_t b[256], c[256];
    static const char text[] = "Comment\0abc";
    size_t n = make_png(b, "tEXt", text, sizeof text - 1, "");
    struct um_file_result r;
    for (size_t k = 16; k < n; k++) {   /* every truncation before IEND ends: an error */
        assert_true(ts_scan(b, k, "x.png", &r) != 0);
        um_file_result_free(&r);
    }
    memcpy(c, b, n);
    c[33] = 0xFF;   /* the tEXt length: > 2^31 */
    assert_int_equal(ts_scan(c, n, "x.png", &r), UM_E_FORMAT);
    um_file_result_free(&r);
    memcpy(c, b, n);
    c[36] = 0x7F;   /* tEXt length past the end */
    assert_int_equal(ts_scan(c, n, "x.png", &r), UM_E_TRUNC);
    um_file_result_free(&r);
    memcpy(c, b, n);
    c[n - 1] ^= 0xFF;   /* IEND CRC wrong: lenient */
    assert_int_equal(ts_scan(c, n, "x.png", &r), 0);
    um_file_result_free(&r);
    /* A text chunk without a keyword terminator, and one with an empty keyword. */
    n = make_png(b, "tEXt", "abcdef", 6, "");
    assert_int_equal(ts_scan(b, n, "x.png", &r), 0);
    assert_int_equal(r.findings.len, 0);
    um_file_result_free(&r);
    size_t fn;
    uint8_t *p = img_load("images/text.png", &fn);
    srand(5);
    for (int i = 0; i < 3000; i++) {
        uint8_t *x = malloc(fn);
        memcpy(x, p, fn);
        for (int k = 0; k < 4; k++) x[8 + (size_t)rand() % (fn - 8)] = (uint8_t)rand();
        (void)ts_scan(x, fn, "x.png", &r);
        um_file_result_free(&r);
        free(x);
    }
    free(p);
}

static void test_dirty_png(void **state)
{
    (void)state;
    char *path = img_shared("mat2/dirty.png");
    if (!path) skip();
    size_t n;
    uint8_t *p = ts_read(path, &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, "dirty.png", &r), 0);
    img_expect(&r, "tIME", UM_K_TIMESTAMP, "2018-03-20 21:59:25");
    img_expect(&r, "iTXt/Comment", UM_K_CONTENT, "This is a comment, be careful!");
    um_file_result_free(&r);
    free(p);
    char *dir, *out = img_scrub(path, &dir);
    if (img_have_exiftool()) {
        static const char *const tags[] = { "Comment", "ModifyDate", NULL };
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
    img_check_in_place("images/text.png", "text.png");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_text_png),
        cmocka_unit_test(test_text_png_scrub),
        cmocka_unit_test(test_itxt_and_trailer),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_dirty_png),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
