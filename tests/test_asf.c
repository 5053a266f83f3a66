/* ASF handler: File ID (and its copies), creation date, content description and
 * extended content description with exact ranges, appended data, malformed objects,
 * and scrubbed results. */
#define _GNU_SOURCE
#include "audio_support.h"

static const char *const markers[] = { "LeakTitle", "LeakAuthor", "LeakMake", "LeakModel",
                                       "SN4242LEAK", "+48.8584", "LeakSoft", "Lavf", NULL };

static const uint8_t fid[16] = { 0x0f, 0x1e, 0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78,
                                 0x87, 0x96, 0xa5, 0xb4, 0xc3, 0xd2, 0xe1, 0xf0 };

static void wma_exact(void **state)
{
    (void)state;
    size_t n, m;
    uint8_t *b = au_load("tagged.wma", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "t.wma", &r), 0);
    assert_string_equal(r.format, "asf");
    const struct um_finding *f = au_find(&r, "FileProperties/CreationDate", "CreationDate");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_TIMESTAMP);
    assert_string_equal(f->value, "2013-05-17T08:09:10Z");
    assert_int_equal(f->length, 8);
    f = au_find(&r, "ContentDescription/Title", "Title");
    assert_non_null(f);
    assert_string_equal(f->value, "LeakTitle");
    assert_int_equal(f->length, 20);   /* UTF-16 with its NUL */
    assert_memory_equal(b + f->offset, "L\0e\0a\0k\0T\0", 10);
    f = au_find(&r, NULL, "location");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_LOCATION);
    assert_string_equal(f->value, "+48.8584+002.2945/");
    assert_int_equal(au_find(&r, NULL, "make")->kind, UM_K_DEVICE_MODEL);
    assert_int_equal(au_find(&r, NULL, "WM/ToolName")->kind, UM_K_SOFTWARE);
    assert_int_equal(au_find(&r, NULL, "WM/EncodingSettings")->kind, UM_K_SOFTWARE);
    assert_int_equal(au_find(&r, "ContentDescription/Author", "Author")->kind, UM_K_PERSON);
    assert_int_equal(ts_count(&r, UM_K_APPENDED_DATA), 0);
    um_file_result_free(&r);
    uint8_t *out = au_scrub_clean(b, n, "t.wma", markers, &m);
    assert_int_equal(m, n);
    assert_true(au_decodes(out, m, "t.wma"));
    free(out);
    free(b);
}

static void wmv_file_id_and_appended(void **state)
{
    (void)state;
    size_t n, m;
    uint8_t *b = au_load("video.wmv", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "v.wmv", &r), 0);
    const struct um_finding *f = au_find(&r, "FileProperties/FileID", "FileID");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_DEVICE_ID);
    assert_string_equal(f->value, "3C2D1E0F-5A4B-7869-8796-A5B4C3D2E1F0");
    assert_memory_equal(b + f->offset, fid, 16);
    f = ts_find(&r, UM_K_APPENDED_DATA);
    assert_non_null(f);
    assert_int_equal(f->offset, n - 36);
    um_file_result_free(&r);
    uint8_t *out = au_scrub_clean(b, n, "v.wmv", markers, &m);
    assert_int_equal(m, n - 36);
    assert_null(memmem(out, m, fid, 16));   /* the Data Object's copy too */
    assert_true(au_decodes(out, m, "v.wmv"));
    free(out);
    free(b);
}

/* Inserts an object as the first child of the Header Object. */
static uint8_t *insert_object(const uint8_t *b, size_t n, const uint8_t guid[16],
                              const uint8_t *body, size_t bl, size_t *out_n)
{
    size_t ol = 24 + bl;
    uint8_t *x = malloc(n + ol);
    memcpy(x, b, 30);
    memcpy(x + 30, guid, 16);
    uint64_t sz = ol;
    memcpy(x + 46, &sz, 8);
    memcpy(x + 54, body, bl);
    memcpy(x + 30 + ol, b + 30, n - 30);
    uint64_t hs = ld_u64le(b + 16) + ol;
    memcpy(x + 16, &hs, 8);
    uint32_t cnt = ld_u32le(b + 24) + 1;
    memcpy(x + 24, &cnt, 4);
    *out_n = n + ol;
    return x;
}

static void padding_and_branding(void **state)
{
    (void)state;
    size_t n, xn, yn, m;
    uint8_t *b = au_load("tagged.wma", &n);
    static const uint8_t pad_guid[16] = { 0x74, 0xD4, 0x06, 0x18, 0xDF, 0xCA, 0x09, 0x45,
                                          0xA4, 0xBA, 0x9A, 0xAB, 0xCB, 0x96, 0xAA, 0xE8 };
    static const uint8_t brand_guid[16] = { 0xFA, 0xB3, 0x11, 0x22, 0x23, 0xBD, 0xD2, 0x11,
                                            0xB4, 0xB7, 0x00, 0xA0, 0xC9, 0x55, 0xFC, 0x6E };
    uint8_t pad[32] = { 0 };
    memcpy(pad + 10, "HIDDEN", 6);
    uint8_t *x = insert_object(b, n, pad_guid, pad, sizeof pad, &xn);
    uint8_t brand[4 + 4 + 4 + 4 + 22] = { 0 };
    brand[12] = 22;
    memcpy(brand + 16, "http://leak.example/sn", 22);
    uint8_t *y = insert_object(x, xn, brand_guid, brand, sizeof brand, &yn);
    struct um_file_result r;
    assert_int_equal(ts_scan(y, yn, "p.wma", &r), 0);
    const struct um_finding *f = ts_find(&r, UM_K_NONZERO_PADDING);
    assert_non_null(f);
    assert_int_equal(f->length, 6);
    assert_memory_equal(y + f->offset, "HIDDEN", 6);
    f = au_find(&r, "ContentBranding/CopyrightURL", "CopyrightURL");
    assert_non_null(f);
    assert_string_equal(f->value, "http://leak.example/sn");
    assert_int_equal(f->offset, 30 + 24 + 16);
    assert_non_null(au_find(&r, NULL, "WM/ToolName"));
    um_file_result_free(&r);
    static const char *const mk[] = { "HIDDEN", "leak.example", "LeakTitle", NULL };
    uint8_t *out = au_scrub_clean(y, yn, "p.wma", mk, &m);
    assert_int_equal(m, yn);
    assert_true(au_decodes(out, m, "p.wma"));
    free(out);
    free(y);
    free(x);
    free(b);
}

static void malformed_objects(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = au_load("tagged.wma", &n);
    struct um_file_result r;
    for (size_t k = 0; k < n; k += 11) {
        assert_true(ts_scan(b, k, "t.wma", &r) <= 0);
        um_file_result_free(&r);
    }
    uint8_t *x = malloc(n);
    /* First child object of size 0, then of a huge size. */
    memcpy(x, b, n);
    memset(x + 30 + 16, 0, 8);
    assert_int_equal(ts_scan(x, n, "t.wma", &r), UM_E_FORMAT);
    um_file_result_free(&r);
    memset(x + 30 + 16, 0xFF, 8);
    assert_int_equal(ts_scan(x, n, "t.wma", &r), UM_E_FORMAT);
    um_file_result_free(&r);
    /* A header size past the end of the file. */
    memcpy(x, b, n);
    memset(x + 16, 0x7F, 8);
    assert_int_equal(ts_scan(x, n, "t.wma", &r), UM_E_TRUNC);
    um_file_result_free(&r);
    /* An extended content descriptor count beyond the object: emptied. */
    memcpy(x, b, n);
    static const uint8_t ecd[16] = { 0x40, 0xA4, 0xD0, 0xD2, 0x07, 0xE3, 0xD2, 0x11,
                                     0x97, 0xF0, 0x00, 0xA0, 0xC9, 0x5E, 0xA8, 0x50 };
    uint8_t *e = memmem(x, n, ecd, 16);
    assert_non_null(e);
    e[24] = 0xFF, e[25] = 0xFF;
    /* The object is reported and emptied (zeroed: count 0), the file scrubs clean. */
    assert_int_equal(ts_scan(x, n, "t.wma", &r), 0);
    const struct um_finding *f = au_find(&r, "object", "malformed");
    assert_non_null(f);
    assert_int_equal(f->offset, (size_t)(e - x));
    um_file_result_free(&r);
    size_t m;
    static const char *const mk[] = { "LeakMake", "LeakSoft", NULL };
    uint8_t *out = au_scrub_clean(x, n, "t.wma", mk, &m);
    assert_true(au_decodes(out, m, "t.wma"));
    free(out);
    free(x);
    free(b);
}

static void shared_dirty_wmv(void **state)
{
    (void)state;
    char *p = ts_shared("mat2/dirty.wmv");
    if (!p) return;
    size_t n, m;
    uint8_t *b = ts_read(p, &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "dirty.wmv", &r), 0);
    const struct um_finding *f = au_find(&r, NULL, "WM/EncodingSettings");
    assert_non_null(f);
    assert_string_equal(f->value, "Lavf52.103.0");
    /* File ID and creation date are unset in this file: nothing to report. */
    assert_null(au_find(&r, NULL, "FileID"));
    assert_null(au_find(&r, NULL, "CreationDate"));
    assert_int_equal(ts_count(&r, UM_K_APPENDED_DATA), 0);
    um_file_result_free(&r);
    static const char *const mk[] = { "Lavf52", NULL };
    uint8_t *out = au_scrub_clean(b, n, "dirty.wmv", mk, &m);
    assert_int_equal(m, n);
    assert_true(au_decodes(out, m, "dirty.wmv"));
    free(out);
    free(b);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(wma_exact),
        cmocka_unit_test(wmv_file_id_and_appended),
        cmocka_unit_test(padding_and_branding),
        cmocka_unit_test(malformed_objects),
        cmocka_unit_test(shared_dirty_wmv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
