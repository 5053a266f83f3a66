/* Tests for formats/pdf.c: exact findings on generated fixtures (testdata/docs/,
 * made by testdata/gen_docs.sh), in-place scrubbing (same length, only the reported
 * ranges change, qpdf still accepts the file, a re-scan is clean), malformed input
 * (broken xref, circular /Prev, no %%EOF, truncation), and the real files. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../scrubber/scrub.h"
#include "support.h"

static void test_info(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = ts_load("docs/info.pdf", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "info.pdf", &r), 0);
    assert_string_equal(r.format, "pdf");
    assert_int_equal(r.findings.len, 12);
    /* XMP properties, classified like the XMP handler's. */
    assert_string_equal(ts_find_key(&r, "xmp:CreatorTool", 0)->value, "LeakWriter 2.1");
    assert_int_equal(ts_find_key(&r, "xmpMM:DocumentID", 0)->kind, UM_K_DOCUMENT_ID);
    assert_int_equal(ts_find_key(&r, "dc:creator", 0)->kind, UM_K_PERSON);
    const struct um_finding *f = ts_find_key(&r, "Author", 0);
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_PERSON);
    assert_string_equal(f->value, "Kim Leak");
    assert_memory_equal(d + f->offset, "Kim Leak", 8);
    f = ts_find_key(&r, "DeviceSerial", 0);
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_DEVICE_ID);
    assert_string_equal(f->value, "SN-998877");
    f = ts_find_key(&r, "Title", 0);   /* UTF-16BE hex string */
    assert_non_null(f);
    assert_string_equal(f->value, "Leak");
    f = ts_find_key(&r, "ID", 1);
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_DOCUMENT_ID);
    assert_string_equal(f->value, "fedcba9876543210fedcba9876543210");
    f = ts_find_key(&r, "Metadata", 0);
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_DOCUMENT_ID);
    assert_memory_equal(d + f->offset, "<?xpacket begin", 15);
    assert_null(ts_find_key(&r, "Trapped", 0));   /* a name, not a string: harmless */
    assert_int_equal(ts_count(&r, UM_K_APPENDED_DATA), 0);
    for (size_t i = 0; i < r.findings.len; i++)
        assert_true(((const struct um_finding *)um_vec_at(&r.findings, i))->removable);
    um_file_result_free(&r);
    free(d);
}

static void test_appended(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = ts_load("docs/appended.pdf", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "appended.pdf", &r), 0);
    const struct um_finding *f = ts_find(&r, UM_K_APPENDED_DATA);
    assert_non_null(f);
    assert_int_equal(f->offset, 1589);
    assert_int_equal(f->length, n - 1589);
    um_file_result_free(&r);
    free(d);
}

/* Every revision's Info dictionary and every trailer's /ID is reported. */
static void test_incremental(void **state)
{
    (void)state;
    const char *files[] = { "docs/incremental.pdf", "docs/circular.pdf" };
    for (int k = 0; k < 2; k++) {
        size_t n;
        uint8_t *d = ts_load(files[k], &n);
        struct um_file_result r;
        assert_int_equal(ts_scan(d, n, files[k], &r), 0);
        assert_string_equal(ts_find_key(&r, "Author", 0)->value, "Kim Leak");
        assert_string_equal(ts_find_key(&r, "Author", 1)->value, "Pak Second");
        assert_non_null(ts_find_key(&r, "ModDate", 0));
        assert_non_null(ts_find_key(&r, "ID", 3));
        assert_int_equal(r.findings.len, 16);
        um_file_result_free(&r);
        free(d);
    }
}

static void test_malformed(void **state)
{
    (void)state;
    /* A broken xref and a missing %%EOF: the objects are still found. */
    const char *files[] = { "docs/broken_xref.pdf", "docs/no_eof.pdf" };
    for (int k = 0; k < 2; k++) {
        size_t n;
        uint8_t *d = ts_load(files[k], &n);
        struct um_file_result r;
        assert_int_equal(ts_scan(d, n, files[k], &r), 0);
        assert_int_equal(r.findings.len, 12);
        assert_int_equal(ts_count(&r, UM_K_APPENDED_DATA), 0);
        um_file_result_free(&r);
        free(d);
    }
    /* Every truncation of a real file parses without a crash or a hang. */
    size_t n;
    uint8_t *d = ts_load("docs/incremental.pdf", &n);
    for (size_t cut = 0; cut < n; cut += 7) {
        uint8_t *t = malloc(cut + 1);
        memcpy(t, d, cut);
        struct um_file_result r;
        ts_scan(t, cut, "t.pdf", &r);
        for (size_t i = 0; i < r.findings.len; i++) {
            const struct um_finding *f = um_vec_at(&r.findings, i);
            assert_true(f->offset + f->length <= cut);
        }
        um_file_result_free(&r);
        free(t);
    }
    /* Deep nesting is capped. */
    static const char deep_head[] = "%PDF-1.4\n1 0 obj\n";
    size_t dn = sizeof deep_head - 1 + 20000;
    uint8_t *deep = malloc(dn);
    memcpy(deep, deep_head, sizeof deep_head - 1);
    memset(deep + sizeof deep_head - 1, '[', 20000);
    struct um_file_result r;
    ts_scan(deep, dn, "deep.pdf", &r);
    um_file_result_free(&r);
    free(deep);
    free(d);
}

static void test_compressed_and_encrypted(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = ts_load("docs/flate_xmp.pdf", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "flate_xmp.pdf", &r), 0);
    /* A /FlateDecode XMP stream is read, and removable in place. */
    const struct um_finding *f = ts_find_key(&r, "Metadata", 0);
    assert_non_null(f);
    assert_true(f->removable);
    assert_string_equal(ts_find_key(&r, "xmp:CreatorTool", 0)->value, "LeakWriter 2.1");
    um_file_result_free(&r);
    free(d);

    d = ts_load("docs/encrypted.pdf", &n);
    assert_int_equal(ts_scan(d, n, "encrypted.pdf", &r), 0);
    assert_int_equal(r.findings.len, 9);
    assert_int_equal(r.edits.len, 0);   /* /ID is part of the key: nothing is touched */
    um_file_result_free(&r);
    free(d);
}

/* Scrubs into a temp dir; the file keeps its length, only reported ranges change,
 * qpdf accepts it and it re-scans clean. */
static void scrub_and_check(const char *in_path, size_t expect_removed_tail)
{
    char *out = ts_mkdtemp();
    struct um_file_result r;
    assert_int_equal(ts_scrub_to(in_path, out, -1, &r), 0);
    assert_int_equal(r.status, UM_ST_SCRUBBED);
    size_t n, m;
    uint8_t *a = ts_read(in_path, &n);
    char *name = strdup(in_path);
    char outpath[4096];
    snprintf(outpath, sizeof outpath, "%s/%s", out, basename(name));
    uint8_t *b = ts_read(outpath, &m);
    assert_non_null(b);
    assert_int_equal(m + expect_removed_tail, n);
    /* Outside the findings' ranges nothing changed (so the page content is intact). */
    for (size_t i = 0; i < m; i++) {
        if (a[i] == b[i]) continue;
        bool inside = false;
        for (size_t k = 0; k < r.findings.len && !inside; k++) {
            const struct um_finding *f = um_vec_at(&r.findings, k);
            inside = i >= f->offset && i < f->offset + f->length;
        }
        assert_true(inside);
    }
    struct um_file_result again;
    assert_int_equal(ts_scan(b, m, "x.pdf", &again), 0);
    assert_int_equal(again.findings.len, 0);
    um_file_result_free(&again);
    if (ts_have_tool("qpdf")) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "qpdf --check '%s' >/dev/null 2>&1", outpath);
        int rc = system(cmd);
        /* 0 = fine, 3 = warnings (the broken fixtures have them to begin with). */
        assert_true(rc == 0 || WEXITSTATUS(rc) == 3);
    }
    um_file_result_free(&r);
    free(a);
    free(b);
    free(name);
    ts_rmdir(out);
    free(out);
}

/* Info inside a /FlateDecode object stream: found, and removed by re-compressing
 * the stream into exactly its old length. */
static void test_objstm(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = ts_load("docs/objstm.pdf", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "objstm.pdf", &r), 0);
    assert_int_equal(r.findings.len, 12);
    const struct um_finding *f = ts_find_key(&r, "Author", 0);
    assert_non_null(f);
    assert_string_equal(f->value, "Kim Leak");
    assert_true(strncmp(f->where, "pdf/objstm[", 11) == 0);
    assert_true(f->removable);
    assert_string_equal(ts_find_key(&r, "DeviceSerial", 0)->value, "SN-998877");
    um_file_result_free(&r);
    free(d);
    char *p = ts_testdata("docs/objstm.pdf");
    scrub_and_check(p, 0);
    free(p);
}

/* A /DCTDecode image is the camera's JPEG: scanned as an embedded file. */
static void test_image(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = ts_load("docs/image.pdf", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "image.pdf", &r), 0);
    const struct um_finding *f = ts_find(&r, UM_K_APPENDED_DATA);
    assert_non_null(f);
    assert_true(strncmp(f->where, "pdf/obj[8 0]/Image", 18) == 0);
    assert_memory_equal(d + f->offset, "IMPRINT", 7);
    assert_true(f->removable);
    um_file_result_free(&r);
    free(d);
    char *p = ts_testdata("docs/image.pdf");
    scrub_and_check(p, 0);
    free(p);
}

/* A page image that FFmpeg decodes (a camera JPEG with EXIF) makes FFmpeg
 * take the whole PDF for an MJPEG stream (probe score 12); the verifier must not ask
 * it about a PDF, or every such PDF fails its scrub ("media data of stream 0
 * differs"), as the benchmark corpus showed. */
static void test_decodable_page_image(void **state)
{
    (void)state;
    size_t jn;
    uint8_t *jpeg = ts_load("images/camera.jpg", &jn);
    char *pdf = malloc(jn + 4096);
    size_t n = 0, off[6];
    n += (size_t)sprintf(pdf + n, "%%PDF-1.4\n");
    off[1] = n, n += (size_t)sprintf(pdf + n, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    off[2] = n, n += (size_t)sprintf(pdf + n, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
    off[3] = n, n += (size_t)sprintf(pdf + n, "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 32 24] "
                                            "/Resources << /XObject << /Im1 4 0 R >> >> >>\nendobj\n");
    off[4] = n, n += (size_t)sprintf(pdf + n, "4 0 obj\n<< /Type /XObject /Subtype /Image /Width 32 /Height 24 "
                                            "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode "
                                            "/Length %zu >>\nstream\n", jn);
    memcpy(pdf + n, jpeg, jn), n += jn;
    n += (size_t)sprintf(pdf + n, "\nendstream\nendobj\n");
    off[5] = n, n += (size_t)sprintf(pdf + n, "5 0 obj\n<< /Author (Kim Leak) /Producer (Red Star) >>\nendobj\n");
    size_t xref = n;
    n += (size_t)sprintf(pdf + n, "xref\n0 6\n0000000000 65535 f \n");
    for (int i = 1; i <= 5; i++) n += (size_t)sprintf(pdf + n, "%010zu 00000 n \n", off[i]);
    n += (size_t)sprintf(pdf + n, "trailer\n<< /Size 6 /Root 1 0 R /Info 5 0 R >>\nstartxref\n%zu\n%%%%EOF\n", xref);
    char *dir = ts_mkdtemp();
    char *path = ts_write(dir, "page.pdf", pdf, n);
    char *out = ts_mkdtemp();
    struct um_file_result r;
    assert_int_equal(ts_scrub_to(path, out, -1, &r), 0);
    assert_non_null(ts_find_key(&r, "Author", 0));
    assert_int_equal(r.status, UM_ST_SCRUBBED);
    assert_string_equal(r.verified, "structure");
    um_file_result_free(&r);
    ts_rmdir(out), ts_rmdir(dir);
    free(out), free(dir), free(path), free(pdf), free(jpeg);
}

/* Annotations: the author (/T) and dates, plain and inside an object stream. */
static void test_annot(void **state)
{
    (void)state;
    const char *files[] = { "docs/annot.pdf", "docs/annot_objstm.pdf" };
    for (int k = 0; k < 2; k++) {
        size_t n;
        uint8_t *d = ts_load(files[k], &n);
        struct um_file_result r;
        assert_int_equal(ts_scan(d, n, files[k], &r), 0);
        const struct um_finding *f = ts_find_key(&r, "Annot.T", 0);
        assert_non_null(f);
        assert_int_equal(f->kind, UM_K_PERSON);
        assert_string_equal(f->value, "Kim Annotator");
        assert_true(f->removable);
        assert_int_equal(ts_find_key(&r, "Annot.M", 0)->kind, UM_K_TIMESTAMP);
        assert_null(ts_find_key(&r, "Annot.Contents", 0));   /* the note itself is content */
        um_file_result_free(&r);
        free(d);
        char *p = ts_testdata(files[k]);
        scrub_and_check(p, 0);
        free(p);
    }
}

static void test_scrub(void **state)
{
    (void)state;
    const char *files[] = { "docs/info.pdf", "docs/incremental.pdf", "docs/circular.pdf", "docs/no_eof.pdf",
                            "docs/flate_xmp.pdf" };
    for (int k = 0; k < 5; k++) {
        char *p = ts_testdata(files[k]);
        scrub_and_check(p, 0);
        free(p);
    }
    char *p = ts_testdata("docs/appended.pdf");
    scrub_and_check(p, 96);
    free(p);
}

static void test_real(void **state)
{
    (void)state;
    char *path = ts_shared("mat2/dirty.pdf");
    if (!path) return;
    size_t n;
    uint8_t *d = ts_read(path, &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "dirty.pdf", &r), 0);
    /* Both revisions' Info (pdfTeX's, then the PDFeXpress certification), 4 /IDs, XMP
     * (with the XMP toolkit that wrote it). */
    assert_int_equal(r.findings.len, 24);
    assert_string_equal(ts_find_key(&r, "x:xmptk", 0)->value, "Adobe XMP Core 4.2.1-c041 52.342996, 2008/05/07-20:48:00");
    assert_string_equal(ts_find_key(&r, "Producer", 0)->value, "pdfTeX-1.40.14");
    assert_non_null(ts_find_key(&r, "xmpMM:InstanceID", 0));
    assert_non_null(ts_find_key(&r, "PTEX.Fullbanner", 1));
    assert_non_null(ts_find_key(&r, "Application", 0));
    assert_non_null(ts_find_key(&r, "Metadata", 0));
    um_file_result_free(&r);
    free(d);
    /* The fixture is read-only: scrub a writable copy. */
    char *dir = ts_mkdtemp();
    d = ts_read(path, &n);
    char *copy = ts_write(dir, "dirty.pdf", d, n);
    scrub_and_check(copy, 0);
    free(copy);
    free(d);
    ts_rmdir(dir);
    free(dir);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_appended),
        cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_objstm),
        cmocka_unit_test(test_compressed_and_encrypted),
        cmocka_unit_test(test_image),
        cmocka_unit_test(test_decodable_page_image),
        cmocka_unit_test(test_annot),
        cmocka_unit_test(test_scrub),
        cmocka_unit_test(test_real),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
