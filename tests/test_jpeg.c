/* The JPEG handler: EXIF/GPS/IPTC/XMP/COM findings with exact places and values, the
 * thumbnail scanned as embedded media, in-place neutralisation of segments, kept
 * orientation/ICC/JFIF, trailer descriptions after EOI, hostile input, the real
 * dirty.jpg against exiftool, and Red Star samples scrubbing back to their originals. */
#include "img_util.h"

static void test_camera_findings(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = img_load("images/camera.jpg", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, "camera.jpg", &r), 0);
    assert_string_equal(r.format, "jpeg");
    img_expect(&r, "APP1/Exif/IFD0/Make", UM_K_DEVICE_MODEL, "TestMake");
    img_expect(&r, "APP1/Exif/IFD0/Model", UM_K_DEVICE_MODEL, "Model X100");
    img_expect(&r, "APP1/Exif/IFD0/Software", UM_K_SOFTWARE, "FW 1.02");
    img_expect(&r, "APP1/Exif/IFD0/Artist", UM_K_PERSON, "Kim Chol");
    img_expect(&r, "APP1/Exif/ExifIFD/DateTimeOriginal", UM_K_TIMESTAMP, "2020:01:02 03:04:05");
    img_expect(&r, "APP1/Exif/ExifIFD/BodySerialNumber", UM_K_DEVICE_ID, "SN123456789");
    img_expect(&r, "APP1/Exif/ExifIFD/LensSerialNumber", UM_K_DEVICE_ID, "LS42");
    img_expect(&r, "APP1/Exif/ExifIFD/ImageUniqueID", UM_K_DEVICE_ID, "0123456789abcdef0123456789abcdef");
    img_expect(&r, "APP1/Exif/GPS/GPSLatitude", UM_K_LOCATION, "39 2 21.12");
    img_expect(&r, "APP1/Exif/GPS/GPSLongitude", UM_K_LOCATION, "125 45 45");
    img_expect(&r, "APP1/Exif/GPS/GPSLatitudeRef", UM_K_LOCATION, "N");
    img_expect(&r, "APP13/IPTC/By-line", UM_K_PERSON, "Ri Su");
    img_expect(&r, "APP13/IPTC/City", UM_K_LOCATION, "Pyongyang");
    img_expect(&r, "COM", UM_K_SOFTWARE, "CREATOR: gd-jpeg v1.0");
    /* Offsets are file offsets of the value bytes. */
    const struct um_finding *f = img_where(&r, "APP1/Exif/ExifIFD/BodySerialNumber");
    assert_memory_equal(p + f->offset, "SN123456789", 11);
    f = img_where(&r, "APP13/IPTC/City");
    assert_memory_equal(p + f->offset, "Pyongyang", 9);
    assert_int_equal(ts_count(&r, UM_K_APPENDED_DATA), 0);

    size_t m;
    uint8_t *q = img_apply(&r, p, n, &m);
    assert_int_equal(m, n);
    img_assert_clean(q, m, "camera.jpg");
    assert_null(memmem(q, m, "SN123456789", 11));
    assert_null(memmem(q, m, "Pyongyang", 9));
    assert_null(memmem(q, m, "gd-jpeg", 7));
    /* Orientation (0x0112 SHORT 1 = 6) survives in IFD0. */
    static const uint8_t orient[] = { 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6 };
    assert_non_null(memmem(q, m, orient, sizeof orient));
    free(q);
    um_file_result_free(&r);
    free(p);
}

static void test_camera_scrub(void **state)
{
    (void)state;
    char *dir, *src = ts_testdata("images/camera.jpg");
    char *out = img_scrub(src, &dir);
    if (img_have_exiftool()) {
        static const char *const tags[] = {
            "IFD0:Make", "IFD0:Model", "Software", "Artist", "DateTimeOriginal", "SerialNumber",
            "LensSerialNumber", "ImageUniqueID", "GPSLatitude", "GPSLongitude", "GPSLatitudeRef",
            "GPSLongitudeRef", "GPSVersionID", "By-line", "City", "Comment", "Creator",
            "XMP-tiff:Make", "DocumentID", "XMPToolkit", NULL };
        img_exiftool_none(out, tags);
    }
    free(out);
    free(src);
    ts_rmdir(dir);
    free(dir);
}

static void test_camera_in_place(void **state)
{
    (void)state;
    img_check_in_place("images/camera.jpg", "camera.jpg");
}

static void test_thumbnail(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = img_load("images/thumbed.jpg", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, "thumbed.jpg", &r), 0);
    img_expect(&r, "APP1/Exif/IFD0/Make", UM_K_DEVICE_MODEL, "ThumbMake");
    img_expect(&r, "APP1/Exif/IFD1/Thumbnail/COM", UM_K_CONTENT, "thumb secret");
    size_t m;
    uint8_t *q = img_apply(&r, p, n, &m);
    img_assert_clean(q, m, "thumbed.jpg");
    free(q);
    um_file_result_free(&r);
    free(p);
}

/* SOI, APP0 JFIF, COM, APP2 ICC, APP13 IPTC, APP2 MPF, EOI, then a trailer. */
static size_t make_jpeg(uint8_t *b, const char *trailer, size_t tlen)
{
    size_t n = 0;
#define PUT(...) do { static const uint8_t x_[] = { __VA_ARGS__ }; memcpy(b + n, x_, sizeof x_); n += sizeof x_; } while (0)
    PUT(0xFF, 0xD8);
    PUT(0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 2, 0, 0, 1, 0, 1, 0, 0);
    PUT(0xFF, 0xFE, 0, 10, 'L', 'a', 'v', 'c', '5', '8', '.', '1');
    PUT(0xFF, 0xE2, 0, 18, 'I', 'C', 'C', '_', 'P', 'R', 'O', 'F', 'I', 'L', 'E', 0, 1, 1, 'x', 'y');
    /* APP13: "Photoshop 3.0\0" 8BIM 0404 "" size 13: 1C 02 50 00 03 "Kim", 1C 02 00 00 00, pad */
    PUT(0xFF, 0xED, 0, 2 + 14 + 12 + 14, 'P', 'h', 'o', 't', 'o', 's', 'h', 'o', 'p', ' ', '3', '.', '0', 0,
        '8', 'B', 'I', 'M', 0x04, 0x04, 0, 0, 0, 0, 0, 13,
        0x1C, 2, 80, 0, 3, 'K', 'i', 'm', 0x1C, 2, 0, 0, 0, 0);
    PUT(0xFF, 0xE2, 0, 10, 'M', 'P', 'F', 0, 'M', 'M', 0, 42);
    PUT(0xFF, 0xD9);
#undef PUT
    memcpy(b + n, trailer, tlen);
    return n + tlen;
}

static void test_segments(void **state)
{
    (void)state;
    uint8_t b[256];
    size_t n = make_jpeg(b, "\0\0\0\0\0\0\0\x10SEFHxxxxSEFT", 20);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "x.jpg", &r), 0);
    img_expect(&r, "COM", UM_K_SOFTWARE, "Lavc58.1");
    img_expect(&r, "APP13/IPTC/By-line", UM_K_PERSON, "Kim");
    img_expect(&r, "APP2/MPF", UM_K_EMBEDDED_MEDIA, NULL);
    const struct um_finding *a = ts_find(&r, UM_K_APPENDED_DATA);
    assert_non_null(a);
    assert_string_equal(a->where, "after JPEG EOI (Samsung SEF trailer)");
    assert_int_equal(a->length, 20);
    assert_int_equal(r.findings.len, 4);
    size_t m;
    uint8_t *q = img_apply(&r, b, n, &m);
    assert_int_equal(m, n - 20);
    /* JFIF and ICC untouched; the COM and MPF payloads zeroed, markers kept. */
    assert_memory_equal(q, b, 2 + 18);
    assert_memory_equal(q + 32, b + 32, 20);
    assert_int_equal(q[20], 0xFF);
    assert_int_equal(q[21], 0xFE);
    assert_int_equal(q[23], 10);
    static const uint8_t z8[8] = { 0 };
    assert_memory_equal(q + 24, z8, 8);
    img_assert_clean(q, m, "x.jpg");
    free(q);
    um_file_result_free(&r);
}

static void test_hostile(void **state)
{
    (void)state;
    uint8_t b[256];
    size_t n = make_jpeg(b, "", 0);
    struct um_file_result r;
    for (size_t k = 4; k < n; k++) {
        assert_true(ts_scan(b, k, "x.jpg", &r) != 0);   /* no EOI: truncated */
        um_file_result_free(&r);
    }
    /* A segment length of 0 and of 1 is malformed. */
    uint8_t c[256];
    memcpy(c, b, n);
    c[22] = 0, c[23] = 1;
    assert_int_equal(ts_scan(c, n, "x.jpg", &r), UM_E_FORMAT);
    um_file_result_free(&r);
    /* Huge IIM and 8BIM sizes stay inside their segment. */
    memcpy(c, b, n);
    uint8_t *ps = memmem(c, n, "8BIM", 4);
    ps[8] = ps[9] = 0x7F;
    assert_int_equal(ts_scan(c, n, "x.jpg", &r), 0);
    um_file_result_free(&r);
    memcpy(c, b, n);
    uint8_t *iim = memmem(c, n, "\x1C\x02\x50", 3);
    iim[3] = 0x80, iim[4] = 0x08;   /* extended length of 8 bytes */
    assert_int_equal(ts_scan(c, n, "x.jpg", &r), 0);
    um_file_result_free(&r);
    /* An EXIF block whose TIFF header is broken: reported and zeroed whole. */
    static const uint8_t bad_exif[] = { 0xFF, 0xD8, 0xFF, 0xE1, 0, 16, 'E', 'x', 'i', 'f', 0, 0,
                                        'X', 'X', 0, 42, 0, 0, 0, 8, 0xFF, 0xD9 };
    assert_int_equal(ts_scan(bad_exif, sizeof bad_exif, "x.jpg", &r), 0);
    img_expect(&r, "APP1/Exif", UM_K_CONTENT, "EXIF block that does not parse");
    size_t bm;
    uint8_t *bq = img_apply(&r, bad_exif, sizeof bad_exif, &bm);
    img_assert_clean(bq, bm, "x.jpg");
    free(bq);
    um_file_result_free(&r);
    /* Random corruption of a real file's metadata segments. */
    size_t fn;
    uint8_t *p = img_load("images/camera.jpg", &fn);
    srand(11);
    for (int i = 0; i < 3000; i++) {
        uint8_t *x = malloc(fn);
        memcpy(x, p, fn);
        for (int k = 0; k < 4; k++) x[2 + (size_t)rand() % 900] = (uint8_t)rand();
        (void)ts_scan(x, fn, "x.jpg", &r);
        um_file_result_free(&r);
        free(x);
    }
    free(p);
}

static void test_dirty_jpg(void **state)
{
    (void)state;
    char *path = img_shared("mat2/dirty.jpg");
    if (!path) skip();
    size_t n;
    uint8_t *p = ts_read(path, &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, "dirty.jpg", &r), 0);
    img_expect(&r, "COM", UM_K_SOFTWARE, "Created with GIMP");
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

/* Red Star samples: the scrubbed file must be the original, byte for byte (nothing
 * in the original is metadata we remove). */
static void test_redstar(void **state)
{
    (void)state;
    char *orig = img_shared("redstar/preview_bottle_original.jpg");
    if (!orig) skip();
    size_t on;
    uint8_t *o = ts_read(orig, &on);
    static const char *const marked[] = { "redstar/preview_bottle_firstuser.jpg",
                                          "redstar/preview_bottle_seconduser.jpg" };
    for (size_t i = 0; i < 2; i++) {
        char *path = img_shared(marked[i]);
        assert_non_null(path);
        char *dir, *out = img_scrub(path, &dir);
        size_t sn;
        uint8_t *s = ts_read(out, &sn);
        assert_int_equal(sn, on);
        assert_memory_equal(s, o, on);
        free(s);
        free(out);
        ts_rmdir(dir);
        free(dir);
        free(path);
    }
    free(o);
    free(orig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_camera_findings),
        cmocka_unit_test(test_camera_scrub),
        cmocka_unit_test(test_camera_in_place),
        cmocka_unit_test(test_thumbnail),
        cmocka_unit_test(test_segments),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_dirty_jpg),
        cmocka_unit_test(test_redstar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
