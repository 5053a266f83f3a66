/* The TIFF/EXIF handler: findings with exact where/values/ranges, the in-place table
 * rewrite (entries removed, count and next pointer moved, GPS IFD zeroed), that the
 * scrubbed result re-scans clean and keeps its pixels, loops and hostile sizes, and
 * the real dirty.tiff against what exiftool shows. */
#include "img_util.h"

static void test_camera_tif_findings(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = img_load("images/camera.tif", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, "camera.tif", &r), 0);
    assert_string_equal(r.format, "tiff");
    img_expect(&r, "IFD0/Make", UM_K_DEVICE_MODEL, "TiffMake");
    img_expect(&r, "IFD0/Model", UM_K_DEVICE_MODEL, "TiffModel");
    img_expect(&r, "IFD0/HostComputer", UM_K_DEVICE_MODEL, "host-7");
    img_expect(&r, "ExifIFD/BodySerialNumber", UM_K_DEVICE_ID, "BODY99");
    img_expect(&r, "GPS/GPSLatitudeRef", UM_K_LOCATION, "S");
    img_expect(&r, "GPS/GPSLatitude", UM_K_LOCATION, "1 30 0");
    const struct um_finding *f = img_where(&r, "IFD0/Make");
    assert_memory_equal(p + f->offset, "TiffMake", 8);
    assert_int_equal(f->length, 9);
    assert_int_equal(ts_count(&r, UM_K_APPENDED_DATA), 0);

    /* Apply the plan: tags gone, image data and structure tags untouched. */
    size_t m;
    uint8_t *q = img_apply(&r, p, n, &m);
    assert_int_equal(m, n);
    assert_null(memmem(q, m, "TiffMake", 8));
    assert_null(memmem(q, m, "BODY99", 6));
    assert_memory_equal(q + 420, p + 420, 2304);   /* the strip */
    img_assert_clean(q, m, "camera.tif");
    struct um_file_result r2;
    assert_int_equal(ts_scan(q, m, "camera.tif", &r2), 0);
    assert_int_equal(r2.findings.len, 0);
    um_file_result_free(&r2);
    free(q);
    um_file_result_free(&r);
    free(p);
}

static void test_camera_tif_scrub(void **state)
{
    (void)state;
    char *dir, *src = ts_testdata("images/camera.tif");
    char *out = img_scrub(src, &dir);
    if (img_have_exiftool()) {
        static const char *const tags[] = { "Make", "Model", "HostComputer", "SerialNumber",
                                            "GPSLatitude", "GPSLatitudeRef", "GPSVersionID", NULL };
        img_exiftool_none(out, tags);
    }
    free(out);
    free(src);
    ts_rmdir(dir);
    free(dir);
}

/* A hand-made big-endian EXIF block: IFD0 {Make, Orientation, ExifIFD}, Exif IFD
 * {BodySerialNumber inline}, and IFD0's next pointer looping back to IFD0. */
static size_t make_block(uint8_t *b)
{
    static const uint8_t blk[] = {
        'M', 'M', 0, 42, 0, 0, 0, 8,
        0, 3,                                       /* IFD0 at 8: 3 entries */
        0x01, 0x0F, 0, 2, 0, 0, 0, 6, 0, 0, 0, 68,  /* Make, ASCII[6] at 68 */
        0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0,   /* Orientation = 6 */
        0x87, 0x69, 0, 4, 0, 0, 0, 1, 0, 0, 0, 50,  /* ExifIFD at 50 */
        0, 0, 0, 8,                                 /* next IFD: 8 again (a loop) */
        0, 1,                                       /* Exif IFD at 50: 1 entry */
        0xA4, 0x31, 0, 2, 0, 0, 0, 3, 'X', '1', 0, 0, /* BodySerialNumber "X1" inline */
        0, 0, 0, 0,
        'C', 'a', 'n', 'o', 'n', 0,                 /* at 68 */
    };
    memcpy(b, blk, sizeof blk);
    return sizeof blk;
}

static void test_block_rewrite(void **state)
{
    (void)state;
    uint8_t b[128];
    size_t n = make_block(b);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "exif.bin", &r), 0);
    assert_int_equal(r.findings.len, 2);
    img_expect(&r, "IFD0/Make", UM_K_DEVICE_MODEL, "Canon");
    img_expect(&r, "ExifIFD/BodySerialNumber", UM_K_DEVICE_ID, "X1");
    size_t m;
    uint8_t *q = img_apply(&r, b, n, &m);
    /* IFD0 now: 2 entries (Orientation, ExifIFD), the next pointer after them, then a
     * zeroed slot; Make's value zeroed. */
    static const uint8_t ifd0[] = {
        0, 2,
        0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0,
        0x87, 0x69, 0, 4, 0, 0, 0, 1, 0, 0, 0, 50,
        0, 0, 0, 8,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    };
    assert_memory_equal(q + 8, ifd0, sizeof ifd0);
    static const uint8_t zero6[6] = { 0 };
    assert_memory_equal(q + 68, zero6, 6);
    assert_int_equal(q[50], 0);
    assert_int_equal(q[51], 0);   /* Exif IFD count 0 */
    img_assert_clean(q, m, "exif.bin");
    free(q);
    um_file_result_free(&r);
}

/* A maker note that is an IFD: what it points to outside itself is zeroed, unless
 * the bytes belong to the block's own structure (a misread offset). */
static void test_makernote_refs(void **state)
{
    (void)state;
    static const uint8_t blk[] = {
        'I', 'I', 42, 0, 8, 0, 0, 0,
        1, 0, 0x69, 0x87, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0,     /* IFD0 at 8 */
        1, 0, 0x7C, 0x92, 7, 0, 30, 0, 0, 0, 44, 0, 0, 0, 0, 0, 0, 0,    /* Exif IFD at 26 */
        2, 0,                                                            /* maker note at 44 */
        1, 0, 7, 0, 8, 0, 0, 0, 74, 0, 0, 0,                             /* -> free bytes */
        2, 0, 7, 0, 8, 0, 0, 0, 10, 0, 0, 0,                             /* -> IFD0's entry */
        0, 0, 0, 0,
        'S', 'E', 'C', 'R', 'E', 'T', 'A', 'B',                          /* at 74 */
    };
    struct um_file_result r;
    assert_int_equal(ts_scan(blk, sizeof blk, "exif.bin", &r), 0);
    img_expect(&r, "ExifIFD/MakerNote", UM_K_DEVICE_ID, NULL);
    size_t m;
    uint8_t *q = img_apply(&r, blk, sizeof blk, &m);
    static const uint8_t z[30] = { 0 };
    assert_memory_equal(q + 44, z, 30);       /* the blob */
    assert_memory_equal(q + 74, z, 8);        /* what it pointed to */
    assert_memory_equal(q, blk, 26);          /* IFD0 untouched */
    assert_int_equal(q[26], 0);               /* Exif IFD: the entry is gone */
    img_assert_clean(q, m, "exif.bin");
    free(q);
    um_file_result_free(&r);
}

/* A camera raw file (IFD0 a reduced-resolution preview): Make stays, decoders need
 * it; the serial number goes. */
static void test_raw_keeps_make(void **state)
{
    (void)state;
    static const uint8_t raw[] = {
        'I', 'I', 42, 0, 8, 0, 0, 0,
        3, 0,
        0xFE, 0x00, 4, 0, 1, 0, 0, 0, 1, 0, 0, 0,   /* NewSubfileType = 1 */
        0x0F, 0x01, 2, 0, 6, 0, 0, 0, 50, 0, 0, 0,  /* Make "NIKON" at 50 */
        0x31, 0xA4, 2, 0, 4, 0, 0, 0, 'S', '9', '9', 0, /* BodySerialNumber inline */
        0, 0, 0, 0,
        'N', 'I', 'K', 'O', 'N', 0,
    };
    struct um_file_result r;
    assert_int_equal(ts_scan(raw, sizeof raw, "x.nef", &r), 0);
    const struct um_finding *make = img_where(&r, "IFD0/Make");
    assert_non_null(make);
    assert_false(make->removable);
    assert_non_null(make->note);
    img_expect(&r, "IFD0/BodySerialNumber", UM_K_DEVICE_ID, "S99");
    size_t m;
    uint8_t *q = img_apply(&r, raw, sizeof raw, &m);
    assert_int_equal(q[8], 2);   /* two entries left */
    assert_memory_equal(q + 50, "NIKON", 5);
    assert_null(memmem(q, m, "S99", 3));
    free(q);
    um_file_result_free(&r);
}

static void test_hostile(void **state)
{
    (void)state;
    uint8_t b[128];
    size_t n = make_block(b);
    struct um_file_result r;
    /* Every truncation: an error or a result, never a crash. */
    for (size_t k = 0; k <= n; k++) {
        (void)ts_scan(b, k, "exif.bin", &r);
        um_file_result_free(&r);
    }
    /* Huge counts and offsets. */
    uint8_t h[128];
    memcpy(h, b, n);
    h[8] = 0xFF, h[9] = 0xFF;
    assert_true(ts_scan(h, n, "exif.bin", &r) != 0 || r.findings.len == 0);
    um_file_result_free(&r);
    memcpy(h, b, n);
    h[14] = h[15] = h[16] = h[17] = 0xFF;   /* Make count 4G */
    (void)ts_scan(h, n, "exif.bin", &r);
    const struct um_finding *f = img_where(&r, "IFD0/Make");
    assert_non_null(f);   /* still reported, as an entry whose value is out of range */
    um_file_result_free(&r);
    /* A value lying inside the table that is rewritten: the plan must stay consistent
     * (no zero across the rewrite), so the rest of the file can still be cleaned. */
    memcpy(h, b, n);
    h[21] = 8;   /* Make's value at offset 8: IFD0's own table */
    assert_int_equal(ts_scan(h, n, "exif.bin", &r), 0);
    assert_non_null(img_where(&r, "IFD0/Make"));
    size_t hm;
    uint8_t *hq = img_apply(&r, h, n, &hm);   /* asserts the plan builds */
    img_assert_clean(hq, hm, "exif.bin");
    free(hq);
    um_file_result_free(&r);
    /* Self-referencing Exif pointer. */
    memcpy(h, b, n);
    h[44] = 0, h[45] = 0, h[46] = 0, h[47] = 8;
    (void)ts_scan(h, n, "exif.bin", &r);
    um_file_result_free(&r);
    /* Random corruption of a real file. */
    size_t fn;
    uint8_t *p = img_load("images/camera.tif", &fn);
    srand(7);
    for (int i = 0; i < 3000; i++) {
        uint8_t *c = malloc(fn);
        memcpy(c, p, fn);
        for (int k = 0; k < 4; k++) c[(size_t)rand() % 420] = (uint8_t)rand();
        (void)ts_scan(c, fn, "x.tif", &r);
        um_file_result_free(&r);
        free(c);
    }
    free(p);
}

static void test_dirty_tiff(void **state)
{
    (void)state;
    char *path = img_shared("mat2/dirty.tiff");
    if (!path) skip();
    size_t n;
    uint8_t *p = ts_read(path, &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, "dirty.tiff", &r), 0);
    img_expect(&r, "IFD0/Make", UM_K_DEVICE_MODEL, "OLYMPUS IMAGING CORP.");
    img_expect(&r, "IFD0/Model", UM_K_DEVICE_MODEL, "C7070WZ");
    img_expect(&r, "IFD0/Software", UM_K_SOFTWARE, "Version 1.0");
    img_expect(&r, "IFD0/DateTime", UM_K_TIMESTAMP, "2005:12:26 17:09:35");
    img_expect(&r, "IFD0/ImageDescription", UM_K_CONTENT, "OLYMPUS DIGITAL CAMERA");
    img_expect(&r, "ExifIFD/DateTimeOriginal", UM_K_TIMESTAMP, NULL);
    img_expect(&r, "ExifIFD/DateTimeDigitized", UM_K_TIMESTAMP, NULL);
    img_expect(&r, "ExifIFD/MakerNote", UM_K_DEVICE_ID, NULL);
    um_file_result_free(&r);
    free(p);
    char *dir;
    char *out = img_scrub(path, &dir);
    if (img_have_exiftool()) {
        static const char *const tags[] = {
            "Make", "Model", "Software", "ModifyDate", "ImageDescription", "DateTimeOriginal",
            "CreateDate", "SerialNumber", "CameraType", "CameraID", "ThumbnailImage", "DataDump",
            "Firmware", NULL };
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
    img_check_in_place("images/camera.tif", "camera.tif");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_camera_tif_findings),
        cmocka_unit_test(test_camera_tif_scrub),
        cmocka_unit_test(test_block_rewrite),
        cmocka_unit_test(test_makernote_refs),
        cmocka_unit_test(test_raw_keeps_make),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_dirty_tiff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
