/* Limits against hostile input: the per-file findings cap (--max-findings) fails the
 * file, keeps the first findings and says how to raise it, also when the cap is hit
 * inside an embedded item; the scrubber leaves such a file alone. The embedding depth
 * limit (--max-embed) reports what it did not look into, at info severity. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/error.h"
#include "../scanner/report.h"
#include "../scrubber/scrub.h"
#include "support.h"

/* A JPEG with `n` comment segments ("c" each): one content finding per segment. */
static uint8_t *comments_jpeg(size_t n, size_t *len)
{
    uint8_t *b = malloc(4 + 5 * n);
    assert_non_null(b);
    size_t k = 0;
    b[k++] = 0xFF, b[k++] = 0xD8;
    for (size_t i = 0; i < n; i++) b[k++] = 0xFF, b[k++] = 0xFE, b[k++] = 0, b[k++] = 3, b[k++] = 'c';
    b[k++] = 0xFF, b[k++] = 0xD9;
    *len = k;
    return b;
}

static struct um_scanner *scanner(uint32_t max_findings, int max_embed)
{
    struct um_scan_options o;
    int err;
    um_scan_options_default(&o);
    o.mime = false;
    o.hash = false;
    if (max_findings) o.max_findings = max_findings;
    if (max_embed >= 0) o.max_embed_depth = max_embed;
    struct um_scanner *sc = um_scanner_new(&o, &err);
    assert_non_null(sc);
    return sc;
}

static void defaults(void **state)
{
    (void)state;
    struct um_scan_options o;
    um_scan_options_default(&o);
    assert_int_equal(o.max_findings, 4096);
    assert_int_equal(o.max_embed_depth, 8);
}

static void exactly_the_cap_is_fine(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = comments_jpeg(4096, &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, "c.jpg", &r), 0);
    assert_int_equal(r.status, UM_ST_FOUND);
    assert_int_equal(r.findings.len, 4096);
    assert_int_equal(ts_count(&r, UM_K_CONTENT), 4096);
    assert_true(r.scanned);
    assert_null(r.error_text);
    um_file_result_free(&r);
    free(p);
}

static void one_more_than_the_default_cap_fails(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = comments_jpeg(4097, &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, "c.jpg", &r), UM_E_LIMIT);
    assert_int_equal(r.status, UM_ST_FAILED);
    assert_int_equal(r.error, UM_E_LIMIT);
    assert_false(r.scanned);
    /* The first findings are kept, in order. */
    assert_int_equal(r.findings.len, 4096);
    const struct um_finding *first = um_vec_at(&r.findings, 0);
    assert_int_equal(first->kind, UM_K_CONTENT);
    assert_int_equal(first->offset, 6);   /* the first comment's text */
    assert_string_equal(r.error_text,
                        "more than 4096 findings in one file; the rest are not listed (raise --max-findings)");
    /* And the report says so, as the file's error. */
    r.path = strdup("c.jpg");
    json_t *j = um_report_file_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "failed");
    assert_non_null(strstr(json_string_value(json_object_get(j, "error")), "more than 4096 findings"));
    assert_int_equal(json_array_size(json_object_get(j, "findings")), 4096);
    json_decref(j);
    um_file_result_free(&r);
    free(p);
}

static void a_lower_cap_from_the_option(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = comments_jpeg(10, &n);
    struct um_scanner *sc = scanner(3, -1);
    struct um_file_result r;
    um_file_result_init(&r);
    assert_int_equal(um_scan_buffer(sc, p, n, "c.jpg", &r), UM_E_LIMIT);
    assert_int_equal(r.status, UM_ST_FAILED);
    assert_int_equal(r.findings.len, 3);
    assert_non_null(strstr(r.error_text, "more than 3 findings in one file"));
    um_file_result_free(&r);
    /* A cap of 10 holds all ten. */
    um_scanner_free(sc);
    sc = scanner(10, -1);
    um_file_result_init(&r);
    assert_int_equal(um_scan_buffer(sc, p, n, "c.jpg", &r), 0);
    assert_int_equal(r.status, UM_ST_FOUND);
    assert_int_equal(r.findings.len, 10);
    um_file_result_free(&r);
    um_scanner_free(sc);
    free(p);
}

/* thumbed.jpg: the Make in its EXIF (depth 1), a comment in the EXIF thumbnail
 * (depth 2). An embedded scan keeps going past its own errors, so the cap must be
 * seen there too. */
static void the_cap_reached_inside_an_embedded_item(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = ts_load("images/thumbed.jpg", &n);
    struct um_scanner *sc = scanner(1, -1);
    struct um_file_result r;
    um_file_result_init(&r);
    assert_int_equal(um_scan_buffer(sc, p, n, "thumbed.jpg", &r), UM_E_LIMIT);
    assert_int_equal(r.status, UM_ST_FAILED);
    assert_int_equal(r.findings.len, 1);
    assert_string_equal(((const struct um_finding *)um_vec_at(&r.findings, 0))->where, "APP1/Exif/IFD0/Make");
    assert_non_null(strstr(r.error_text, "more than 1 findings"));
    um_file_result_free(&r);
    um_scanner_free(sc);
    free(p);
}

static void the_scrubber_leaves_a_capped_file_alone(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = comments_jpeg(4100, &n);
    char *dir = ts_mkdtemp();
    char *path = ts_write(dir, "c.jpg", p, n);
    assert_non_null(path);
    struct um_scanner *sc = scanner(0, -1);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    int fd = openat(dfd, "c.jpg", O_RDONLY);
    struct um_file_result r;
    um_file_result_init(&r);
    assert_int_equal(um_scan_fd(sc, fd, "c.jpg", &r), UM_E_LIMIT);
    /* Not one of the 4096 listed comments is zeroed. */
    ts_assert_scrub_refused(sc, dfd, "c.jpg", fd, &r, UM_E_LIMIT, path, p, n, n);
    um_file_result_free(&r);
    close(fd);
    close(dfd);
    um_scanner_free(sc);
    ts_rmdir(dir);
    free(dir);
    free(path);
    free(p);
}

static const struct um_finding *not_inspected(const struct um_file_result *r)
{
    for (size_t i = 0; i < r->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&r->findings, i);
        if (f->note && strstr(f->note, "not inspected (--max-embed)")) return f;
    }
    return NULL;
}

static const struct um_finding *find_where(const struct um_file_result *r, const char *where)
{
    for (size_t i = 0; i < r->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&r->findings, i);
        if (f->where && !strcmp(f->where, where)) return f;
    }
    return NULL;
}

static void embedding_depth_limit_is_reported(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = ts_load("images/thumbed.jpg", &n);
    struct um_file_result r;

    /* Default depth 4: the thumbnail is read, nothing is left out. */
    assert_int_equal(ts_scan(p, n, "thumbed.jpg", &r), 0);
    assert_null(not_inspected(&r));
    assert_non_null(find_where(&r, "APP1/Exif/IFD1/Thumbnail/COM"));
    um_file_result_free(&r);

    /* Depth 1: the EXIF is read, the thumbnail inside it (depth 2) is not, and says so. */
    struct um_scanner *sc = scanner(0, 1);
    um_file_result_init(&r);
    assert_int_equal(um_scan_buffer(sc, p, n, "thumbed.jpg", &r), 0);
    assert_int_equal(r.status, UM_ST_FOUND);
    assert_null(find_where(&r, "APP1/Exif/IFD1/Thumbnail/COM"));
    assert_int_equal(r.findings.len, 2);
    const struct um_finding *f = not_inspected(&r);
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_EMBEDDED_MEDIA);
    assert_int_equal(f->severity, UM_SEV_INFO);
    assert_false(f->removable);
    assert_string_equal(f->where, "APP1/Exif/IFD1/Thumbnail");
    assert_string_equal(f->note, "embedded item at depth 2 not inspected (--max-embed)");
    assert_true(f->length > 100);
    assert_int_equal(p[f->offset], 0xFF);   /* the range is the thumbnail JPEG itself */
    assert_int_equal(p[f->offset + 1], 0xD8);
    assert_int_equal(json_integer_value(json_object_get(f->extra, "depth")), 2);
    um_file_result_free(&r);
    um_scanner_free(sc);

    /* Depth 0: not even the EXIF block is opened. */
    sc = scanner(0, 0);
    um_file_result_init(&r);
    assert_int_equal(um_scan_buffer(sc, p, n, "thumbed.jpg", &r), 0);
    assert_int_equal(r.findings.len, 1);
    f = not_inspected(&r);
    assert_non_null(f);
    assert_string_equal(f->where, "APP1/Exif");
    assert_string_equal(f->note, "embedded item at depth 1 not inspected (--max-embed)");
    assert_int_equal(f->severity, UM_SEV_INFO);
    um_file_result_free(&r);
    um_scanner_free(sc);
    free(p);
}

/* nested.jpg (testdata/gen_limits.sh): EXIF -> thumbnail -> EXIF -> thumbnail -> EXIF,
 * the last at depth 5, which real cameras' thumbnails can reach. The default depth
 * finds the innermost Make; a depth of 4 stops there, and says so. */
static void the_default_depth_reaches_a_thumbnails_thumbnail(void **state)
{
    (void)state;
    size_t n;
    uint8_t *p = ts_load("limits/nested.jpg", &n);
    static const char deep[] = "APP1/Exif/IFD1/Thumbnail/APP1/Exif/IFD1/Thumbnail/APP1/Exif";
    struct um_file_result r;
    assert_int_equal(ts_scan(p, n, "nested.jpg", &r), 0);
    assert_null(not_inspected(&r));
    assert_int_equal(ts_count(&r, UM_K_DEVICE_MODEL), 3);   /* OuterMake, MidMake, DeepMake */
    const struct um_finding *f = find_where(&r, "APP1/Exif/IFD1/Thumbnail/APP1/Exif/IFD1/Thumbnail/APP1/Exif/IFD0/Make");
    assert_non_null(f);
    assert_string_equal(f->value, "DeepMake");
    um_file_result_free(&r);

    struct um_scanner *sc = scanner(0, 4);
    um_file_result_init(&r);
    assert_int_equal(um_scan_buffer(sc, p, n, "nested.jpg", &r), 0);
    assert_int_equal(r.status, UM_ST_FOUND);
    assert_int_equal(ts_count(&r, UM_K_DEVICE_MODEL), 2);   /* OuterMake, MidMake */
    f = not_inspected(&r);
    assert_non_null(f);
    assert_string_equal(f->where, deep);
    assert_string_equal(f->note, "embedded item at depth 5 not inspected (--max-embed)");
    assert_int_equal(f->severity, UM_SEV_INFO);
    assert_memory_equal(p + f->offset, "MM\0*", 4);   /* the innermost TIFF header */
    um_file_result_free(&r);
    um_scanner_free(sc);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults),
        cmocka_unit_test(exactly_the_cap_is_fine),
        cmocka_unit_test(one_more_than_the_default_cap_fails),
        cmocka_unit_test(a_lower_cap_from_the_option),
        cmocka_unit_test(the_cap_reached_inside_an_embedded_item),
        cmocka_unit_test(the_scrubber_leaves_a_capped_file_alone),
        cmocka_unit_test(embedding_depth_limit_is_reported),
        cmocka_unit_test(the_default_depth_reaches_a_thumbnails_thumbnail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
