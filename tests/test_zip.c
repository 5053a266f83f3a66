/* Tests for formats/zip.c and formats/ooxml.c: exact findings on generated OOXML, ODF
 * and EPUB fixtures (testdata/docs/, made by testdata/gen_docs.sh); scrubbing rebuilds
 * the members (the result re-scans clean, and tests/check_docs.py finds a valid
 * archive whose XML parses and whose text is unchanged); malformed archives (a ZIP
 * bomb, a lying entry count, a local header past the end, encrypted members,
 * truncations and flipped bytes); the real Red Star and office fixtures. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/error.h"
#include "../scrubber/scrub.h"
#include "support.h"

static bool have_python(void) { return system("command -v python3 >/dev/null 2>&1") == 0; }

/* Findings that a scrub should have removed (everything but informational notes). */
static size_t count_identifying(const struct um_file_result *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&r->findings, i);
        if (f->severity > UM_SEV_INFO) n++;
    }
    return n;
}

/* Scrubs `in` into a temp dir and checks the result: status, clean re-scan, and the
 * archive/XML/text checks of tests/check_docs.py. Returns the scrubbed bytes. */
static uint8_t *scrub_and_check(const char *in, size_t *out_n)
{
    char *out = ts_mkdtemp();
    struct um_file_result r;
    assert_int_equal(ts_scrub_to(in, out, -1, &r), 0);
    assert_int_equal(r.status, UM_ST_SCRUBBED);
    char *name = strdup(in);
    char outpath[4096];
    snprintf(outpath, sizeof outpath, "%s/%s", out, basename(name));
    uint8_t *b = ts_read(outpath, out_n);
    assert_non_null(b);
    struct um_file_result again;
    ts_scan(b, *out_n, basename(name), &again);
    assert_int_equal(again.error, 0);
    assert_int_equal(count_identifying(&again), 0);
    um_file_result_free(&again);
    if (have_python()) {
        char *script = ts_testdata("../tests/check_docs.py");
        char cmd[9000];
        snprintf(cmd, sizeof cmd, "python3 '%s' '%s' '%s' >/dev/null", script, in, outpath);
        int rc = system(cmd);
        if (rc != 0) print_message("check_docs.py failed on %s\n", in);
        assert_int_equal(rc, 0);
        free(script);
    }
    um_file_result_free(&r);
    free(name);
    ts_rmdir(out);
    free(out);
    return b;
}

static void test_docx(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = ts_load("docs/props.docx", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "props.docx", &r), 0);
    assert_string_equal(r.format, "zip");
    assert_int_equal(r.findings.len, 28);   /* with the members' dates */
    const struct um_finding *f = ts_find_key(&r, "rels:Target", 0);
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_PERSON);
    assert_true(strstr(f->value, "kimleak") != NULL);
    f = ts_find_key(&r, "custom:DeviceSerial", 0);
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_DEVICE_ID);
    assert_string_equal(f->value, "SN-998877");
    assert_string_equal(f->where, "zip/docProps/custom.xml");
    /* The range is the member: its local header is at the offset. */
    assert_memory_equal(d + f->offset, "PK\3\4", 4);
    f = ts_find_key(&r, "rsid", 0);
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_DEVICE_ID);
    assert_string_equal(f->where, "zip/word/document.xml");
    assert_true(strncmp(f->value, "4 rsid attributes", 17) == 0);
    assert_string_equal(ts_find_key(&r, "w:rsidRoot", 0)->value, "00A1B2C3");
    assert_string_equal(ts_find_key(&r, "w:author", 0)->value, "Kim Leak");
    assert_string_equal(ts_find_key(&r, "w:author", 1)->value, "Pak Reviewer");
    assert_string_equal(ts_find_key(&r, "w15:presenceInfo", 0)->value, "S::pak@example.kp");
    assert_string_equal(ts_find_key(&r, "dc:creator", 0)->value, "Kim Leak");
    assert_string_equal(ts_find_key(&r, "cp:lastPrinted", 0)->value, "2020-03-04T05:06:07Z");
    assert_string_equal(ts_find_key(&r, "Company", 0)->value, "Leak Corp");
    assert_int_equal(ts_find_key(&r, "w15:docId", 0)->kind, UM_K_DOCUMENT_ID);
    assert_null(ts_find_key(&r, "dc:language", 0));   /* not identifying */
    f = ts_find_key(&r, "ZipModifyDate", 0);
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_TIMESTAMP);
    assert_string_equal(f->value, "11 members dated (first: 2020-01-02 03:04:06)");
    for (size_t i = 0; i < r.findings.len; i++)
        assert_true(((const struct um_finding *)um_vec_at(&r.findings, i))->removable);
    um_file_result_free(&r);
    free(d);

    char *p = ts_testdata("docs/props.docx");
    size_t m;
    uint8_t *b = scrub_and_check(p, &m);
    assert_true(m != n);   /* the members were rebuilt */
    free(b);
    free(p);
}

static void test_xlsx(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = ts_load("docs/book.xlsx", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "book.xlsx", &r), 0);
    const struct um_finding *f = ts_find_key(&r, "x15ac:absPath", 0);
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_PERSON);
    assert_string_equal(f->value, "C:\\Users\\kimleak\\Documents\\");
    f = ts_find_key(&r, "author", 0);
    assert_non_null(f);
    assert_string_equal(f->value, "Kim Leak");
    assert_string_equal(f->where, "zip/xl/comments1.xml");
    assert_non_null(ts_find_key(&r, "dc:creator", 0));
    um_file_result_free(&r);
    free(d);
    char *p = ts_testdata("docs/book.xlsx");
    size_t m;
    uint8_t *b = scrub_and_check(p, &m);
    free(b);
    free(p);
}

static void test_pptx(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = ts_load("docs/slides.pptx", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "slides.pptx", &r), 0);
    assert_string_equal(ts_find_key(&r, "author", 0)->value, "Kim Presenter");
    assert_string_equal(ts_find_key(&r, "author", 1)->value, "KP");
    const struct um_finding *f = ts_find_key(&r, "w:date", 0);
    assert_non_null(f);
    assert_string_equal(f->where, "zip/ppt/comments/comment1.xml");
    um_file_result_free(&r);
    free(d);
    char *p = ts_testdata("docs/slides.pptx");
    size_t m;
    uint8_t *b = scrub_and_check(p, &m);
    free(b);
    free(p);
}

static void test_odt(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = ts_load("docs/props.odt", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "props.odt", &r), 0);
    assert_int_equal(r.findings.len, 13);
    assert_string_equal(ts_find_key(&r, "meta:initial-creator", 0)->value, "Kim Leak");
    /* Tracked change and annotation authors and dates in content.xml. */
    const struct um_finding *c = NULL;
    for (size_t i = 0; i < r.findings.len; i++) {
        const struct um_finding *x = um_vec_at(&r.findings, i);
        if (!strcmp(x->where, "zip/content.xml") && !strcmp(x->key, "dc:creator") && !strcmp(x->value, "Pak Editor")) c = x;
    }
    assert_non_null(c);
    assert_int_equal(c->kind, UM_K_PERSON);
    assert_string_equal(ts_find_key(&r, "config:PrinterName", 0)->value, "HP-LaserJet-Office-3F");
    assert_string_equal(ts_find_key(&r, "meta:printed-by", 0)->value, "Printer Person");
    assert_string_equal(ts_find_key(&r, "meta:generator", 0)->value, "LeakOffice/1.0");
    const struct um_finding *f = ts_find_key(&r, "meta:user-defined:DeviceSerial", 0);
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_DEVICE_ID);
    um_file_result_free(&r);
    free(d);
    char *p = ts_testdata("docs/props.odt");
    size_t m;
    uint8_t *b = scrub_and_check(p, &m);
    /* The mimetype member stays first and stored. */
    assert_memory_equal(b + 30, "mimetype", 8);
    assert_int_equal(b[8], 0);
    free(b);
    free(p);
}

static void test_epub(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = ts_load("docs/book.epub", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "book.epub", &r), 0);
    assert_int_equal(r.findings.len, 7);
    assert_string_equal(ts_find_key(&r, "dtb:uid", 0)->value, "urn:uuid:12345678-1234-1234-1234-123456789abc");
    assert_non_null(ts_find_key(&r, "calibre:timestamp", 0));
    const struct um_finding *f = ts_find_key(&r, "dc:identifier", 0);
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_DOCUMENT_ID);
    assert_string_equal(f->value, "urn:uuid:12345678-1234-1234-1234-123456789abc");
    assert_int_equal(ts_find_key(&r, "dc:creator", 0)->kind, UM_K_PERSON);
    assert_int_equal(ts_find_key(&r, "dc:date", 0)->kind, UM_K_TIMESTAMP);
    um_file_result_free(&r);
    free(d);
    char *p = ts_testdata("docs/book.epub");
    size_t m;
    uint8_t *b = scrub_and_check(p, &m);
    free(b);
    free(p);
}

static void test_malformed(void **state)
{
    (void)state;
    size_t n;
    struct um_file_result r;
    /* A ZIP bomb is refused quickly with a clear limit error. */
    uint8_t *d = ts_load("docs/bomb.docx", &n);
    clock_t t0 = clock();
    assert_int_equal(ts_scan(d, n, "bomb.docx", &r), UM_E_LIMIT);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
    um_file_result_free(&r);
    free(d);
    /* A local header whose name runs past the end. */
    d = ts_load("docs/bad_local.docx", &n);
    assert_int_equal(ts_scan(d, n, "bad_local.docx", &r), UM_E_FORMAT);
    um_file_result_free(&r);
    free(d);
    /* An end record that claims 500 entries: the directory's bytes decide. */
    d = ts_load("docs/cd_lie.docx", &n);
    assert_int_equal(ts_scan(d, n, "cd_lie.docx", &r), 0);
    assert_int_equal(r.findings.len, 4);
    um_file_result_free(&r);
    free(d);
    char *p = ts_testdata("docs/cd_lie.docx");
    size_t m;
    uint8_t *b = scrub_and_check(p, &m);
    free(b);
    free(p);
    /* Encrypted members are reported, never parsed. */
    d = ts_load("docs/encrypted.docx", &n);
    assert_int_equal(ts_scan(d, n, "encrypted.docx", &r), 0);
    const struct um_finding *f = ts_find_key(&r, "encrypted", 0);
    assert_non_null(f);
    assert_false(f->removable);
    assert_null(ts_find_key(&r, "dc:creator", 0));
    um_file_result_free(&r);
    free(d);

    /* Truncations and flipped bytes never crash, and ranges stay inside the file. */
    d = ts_load("docs/props.docx", &n);
    for (size_t cut = 0; cut < n; cut += 13) {
        ts_scan(d, cut, "t.docx", &r);
        for (size_t i = 0; i < r.findings.len; i++) {
            f = um_vec_at(&r.findings, i);
            assert_true(f->offset + f->length <= cut);
        }
        um_file_result_free(&r);
    }
    srand(7);
    uint8_t *c = malloc(n);
    for (int k = 0; k < 300; k++) {
        memcpy(c, d, n);
        for (int j = 0; j < 4; j++) c[(size_t)rand() % n] = (uint8_t)rand();
        ts_scan(c, n, "f.docx", &r);
        um_file_result_free(&r);
    }
    free(c);
    free(d);
}

static void test_media(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = ts_load("docs/media.docx", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "media.docx", &r), 0);
    /* The stored JPEG: its EXIF (with a GPS IFD), its comment, the bytes after EOI. */
    const struct um_finding *f = ts_find_key(&r, "APP1/Exif", 0);
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_LOCATION);
    assert_string_equal(f->where, "zip/word/media/image1.jpg");
    assert_string_equal(ts_find_key(&r, "COM", 0)->value, "test");
    assert_int_equal(ts_find_key(&r, "after JPEG EOI", 0)->kind, UM_K_APPENDED_DATA);
    /* The deflated PNG: its text and time chunks. */
    f = ts_find_key(&r, "Author", 0);
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_PERSON);
    assert_string_equal(f->value, "Kim Leak");
    assert_string_equal(ts_find_key(&r, "tIME", 0)->value, "2020-01-02 03:04:05");
    /* A GIF is not inspected: said so, not hidden. */
    f = ts_find(&r, UM_K_EMBEDDED_MEDIA);
    assert_non_null(f);
    assert_string_equal(f->key, "word/media/image3.gif");
    assert_false(f->removable);
    um_file_result_free(&r);
    free(d);
    char *p = ts_testdata("docs/media.docx");
    size_t m;
    uint8_t *b = scrub_and_check(p, &m);
    assert_null(memmem(b, m, "IMPRINT", 7));
    free(b);
    free(p);
}

/* Bytes no member owns: after a member's data and between the directory and the
 * end record. Removed by the rebuild (trimmed member, rebuilt directory). */
static void test_hidden(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = ts_load("docs/hidden.docx", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "hidden.docx", &r), 0);
    assert_int_equal(ts_count(&r, UM_K_NONZERO_PADDING), 2);
    const struct um_finding *f = ts_find(&r, UM_K_NONZERO_PADDING);
    assert_int_equal(f->length, 15);
    assert_memory_equal(d + f->offset, "HIDDEN-A1B2C3D4", 15);
    um_file_result_free(&r);
    char *p = ts_testdata("docs/hidden.docx");
    size_t m;
    uint8_t *b = scrub_and_check(p, &m);
    assert_null(memmem(b, m, "HIDDEN", 6));
    free(b);
    free(p);
    free(d);
    /* A part with a DTD (entities that would expand a billion times) is reported as
     * unreadable, quickly. */
    d = ts_load("docs/dtd.docx", &n);
    clock_t t0 = clock();
    assert_int_equal(ts_scan(d, n, "dtd.docx", &r), 0);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
    assert_int_equal(r.findings.len, 1);
    assert_false(((const struct um_finding *)um_vec_at(&r.findings, 0))->removable);
    um_file_result_free(&r);
    free(d);
}

/* Archive and member comments: zeroed in place, or inside the rebuilt directory. */
static void test_comments(void **state)
{
    (void)state;
    const char *files[] = { "docs/commented.zip", "docs/commented.docx" };
    for (int k = 0; k < 2; k++) {
        size_t n;
        uint8_t *d = ts_load(files[k], &n);
        struct um_file_result r;
        assert_int_equal(ts_scan(d, n, files[k], &r), 0);
        const struct um_finding *f = ts_find_key(&r, "comment", 0);
        assert_non_null(f);
        assert_string_equal(f->value, "packed on KIM-LAPTOP");
        assert_true(f->removable);
        um_file_result_free(&r);
        char *p = ts_testdata(files[k]);
        size_t m;
        uint8_t *b = scrub_and_check(p, &m);
        assert_null(memmem(b, m, "KIM-LAPTOP", 10));
        assert_null(memmem(b, m, "from Kim", 8));
        if (k == 0) assert_int_equal(m, n);   /* nothing else to do: in place */
        free(b);
        free(p);
        free(d);
    }
}

/* Members' dates alone: removed in place (same length), extended timestamps too. */
static void test_dates(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = ts_load("docs/dated.zip", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "dated.zip", &r), 0);
    assert_int_equal(r.findings.len, 1);
    const struct um_finding *f = ts_find_key(&r, "ZipModifyDate", 0);
    assert_non_null(f);
    assert_string_equal(f->value, "2 members dated (first: 2021-05-06 07:08:10)");
    for (size_t i = 0; i < r.edits.len; i++)
        assert_int_equal(((const struct um_edit *)um_vec_at(&r.edits, i))->op, UM_OP_REPLACE);
    um_file_result_free(&r);
    char *p = ts_testdata("docs/dated.zip");
    size_t m;
    uint8_t *b = scrub_and_check(p, &m);
    assert_int_equal(m, n);
    /* The UT mtime (1620284890 = 0x609395da) is gone from both headers. */
    assert_non_null(memmem(d, n, "\xda\x95\x93\x60", 4));
    assert_null(memmem(b, m, "\xda\x95\x93\x60", 4));
    free(b);
    free(p);
    free(d);
}

static void test_redstar_love(void **state)
{
    (void)state;
    char *path = ts_shared("redstar/love.docx");
    if (!path) return;
    size_t n;
    uint8_t *d = ts_read(path, &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "love.docx", &r), 0);
    assert_int_equal(ts_count(&r, UM_K_REDSTAR_WATERMARK), 1);
    const struct um_finding *f = ts_find(&r, UM_K_REDSTAR_WATERMARK);
    assert_int_equal(f->offset, 80);
    assert_int_equal(f->length, 31);
    assert_string_equal(json_string_value(json_object_get(f->extra, "placement")), "ooxml_padding");
    assert_string_equal(json_string_value(json_array_get(json_object_get(f->extra, "ids"), 0)),
                        "B48Z789B3AZ97");
    assert_non_null(ts_find_key(&r, "w:rsidRoot", 0));
    assert_string_equal(ts_find_key(&r, "Company", 0)->value, "Enno Rey Netzwerke");
    um_file_result_free(&r);

    char *dir = ts_mkdtemp();
    char *copy = ts_write(dir, "love.docx", d, n);
    /* The watermark alone: exactly its 31 bytes are zeroed. */
    char *out = ts_mkdtemp();
    assert_int_equal(ts_scrub_to(copy, out, UM_K_REDSTAR_WATERMARK, &r), 0);
    assert_int_equal(r.status, UM_ST_SCRUBBED);
    char outpath[4200];
    snprintf(outpath, sizeof outpath, "%s/love.docx", out);
    size_t m;
    uint8_t *b = ts_read(outpath, &m);
    assert_int_equal(m, n);
    size_t diff = 0;
    for (size_t i = 0; i < n; i++)
        if (d[i] != b[i]) {
            assert_true(i >= 80 && i < 111);
            assert_int_equal(b[i], 0);
            diff++;
        }
    assert_true(diff > 0 && diff <= 31);
    for (size_t i = 80; i < 111; i++) assert_int_equal(b[i], 0);
    free(b);
    um_file_result_free(&r);
    ts_rmdir(out);
    free(out);
    /* Everything: the members are rebuilt around the zeroed padding. */
    b = scrub_and_check(copy, &m);
    for (size_t i = 80; i < 111; i++) assert_int_equal(b[i], 0);
    free(b);
    free(copy);
    ts_rmdir(dir);
    free(dir);
    free(d);
    free(path);
}

static void test_real_office(void **state)
{
    (void)state;
    static const char *const files[] = {
        "dirty.docx", "dirty_with_nsid.docx", "embedded.docx", "comment.docx", "revision.docx",
        "office_revision_session_ids.docx", "dirty.odt",
    };
    /* Keys exiftool shows in each (the identifying ones). */
    static const char *const keys[][4] = {
        { "dc:creator", "cp:lastModifiedBy", "Application", "dcterms:created" },
        { "dc:creator", "cp:lastModifiedBy", "w:rsidRoot", "w:nsid" },
        { "dc:creator", "Application", "dcterms:modified", "cp:revision" },
        { "w:author", "w15:person", "w15:presenceInfo", "dc:creator" },
        { "w:author", "w:date", "dc:creator", "Application" },
        { "cp:lastModifiedBy", "rsid", "w:rsidRoot", "AppVersion" },
        { "meta:initial-creator", "dc:creator", "meta:generator", "meta:creation-date" },
    };
    char *mat2 = ts_shared("mat2");
    if (!mat2) return;
    char path[4096];
    char *dir = ts_mkdtemp();
    for (size_t k = 0; k < sizeof files / sizeof *files; k++) {
        snprintf(path, sizeof path, "%s/%s", mat2, files[k]);
        size_t n, m;
        uint8_t *d = ts_read(path, &n);
        assert_non_null(d);
        struct um_file_result r;
        assert_int_equal(ts_scan(d, n, files[k], &r), 0);
        for (int j = 0; j < 4; j++) {
            if (!ts_find_key(&r, keys[k][j], 0)) print_message("%s: no %s\n", files[k], keys[k][j]);
            assert_non_null(ts_find_key(&r, keys[k][j], 0));
        }
        um_file_result_free(&r);
        char *copy = ts_write(dir, files[k], d, n);
        uint8_t *b = scrub_and_check(copy, &m);
        free(b);
        free(copy);
        free(d);
    }
    ts_rmdir(dir);
    free(dir);
    free(mat2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docx),
        cmocka_unit_test(test_xlsx),
        cmocka_unit_test(test_pptx),
        cmocka_unit_test(test_odt),
        cmocka_unit_test(test_epub),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_media),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_comments),
        cmocka_unit_test(test_hidden),
        cmocka_unit_test(test_redstar_love),
        cmocka_unit_test(test_real_office),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
