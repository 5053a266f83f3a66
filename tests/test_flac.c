/* FLAC handler: Vorbis comments with exact ranges, APPLICATION and padding, the end of
 * the audio, ID3v1 at the end, malformed blocks, and scrubbed results. */
#define _GNU_SOURCE
#include "audio_support.h"

static const char *const markers[] = { "LeakTitle", "LeakAuthor", "LeakMake", "LeakModel",
                                       "SN4242LEAK", "+48.8584", "LeakSoft", "HIDDEN", NULL };

/* Offset of the first block of a type, or 0. */
static size_t block_of(const uint8_t *b, size_t n, unsigned type, bool *last)
{
    size_t pos = 4;
    while (pos + 4 <= n) {
        size_t len = (size_t)b[pos + 1] << 16 | (size_t)b[pos + 2] << 8 | b[pos + 3];
        if ((b[pos] & 0x7F) == type) {
            if (last) *last = b[pos] & 0x80;
            return pos;
        }
        if (b[pos] & 0x80) break;
        pos += 4 + len;
    }
    return 0;
}

static void vorbis_comment_exact(void **state)
{
    (void)state;
    size_t n, m;
    uint8_t *b = au_load("tagged.flac", &n);
    size_t vc = block_of(b, n, 4, NULL);
    assert_true(vc > 0);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "t.flac", &r), 0);
    assert_string_equal(r.format, "flac");
    const struct um_finding *f = au_find(&r, "VORBIS_COMMENT/vendor", "vendor");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_SOFTWARE);
    assert_int_equal(f->offset, vc + 4);
    uint32_t vl = ld_u32le(b + vc + 4);
    assert_int_equal(f->length, 4 + vl);
    f = au_find(&r, "VORBIS_COMMENT/TITLE", "TITLE");
    assert_non_null(f);
    assert_int_equal(f->offset, vc + 4 + 4 + vl + 4);   /* first field after the count */
    assert_int_equal(f->length, 4 + strlen("TITLE=LeakTitle"));
    assert_string_equal(f->value, "LeakTitle");
    assert_int_equal(au_find(&r, NULL, "ARTIST")->kind, UM_K_PERSON);
    assert_int_equal(au_find(&r, NULL, "SERIAL")->kind, UM_K_DEVICE_ID);
    assert_int_equal(au_find(&r, NULL, "LOCATION")->kind, UM_K_LOCATION);
    assert_int_equal(au_find(&r, NULL, "MAKE")->kind, UM_K_DEVICE_MODEL);
    assert_int_equal(au_find(&r, NULL, "DATE")->kind, UM_K_TIMESTAMP);
    assert_int_equal(ts_count(&r, UM_K_APPENDED_DATA), 0);
    um_file_result_free(&r);

    uint8_t *out = au_scrub_clean(b, n, "t.flac", markers, &m);
    assert_int_equal(m, n);
    assert_int_equal(out[vc] & 0x7F, 1);                 /* now PADDING */
    assert_int_equal(out[vc] & 0x80, b[vc] & 0x80);      /* last-block flag kept */
    assert_memory_equal(out + vc + 1, b + vc + 1, 3);    /* length kept */
    assert_true(block_of(out, m, 6, NULL) > 0);          /* the cover is kept */
    assert_true(au_decodes(out, m, "t.flac"));
    free(out);
    free(b);
}

static void application_padding_appended(void **state)
{
    (void)state;
    size_t n, m;
    uint8_t *b = au_load("app_pad.flac", &n);
    size_t app = block_of(b, n, 2, NULL), pad = block_of(b, n, 1, NULL);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "a.flac", &r), 0);
    const struct um_finding *f = au_find(&r, "APPLICATION", "APPLICATION");
    assert_non_null(f);
    assert_int_equal(f->offset, app);
    assert_int_equal(f->length, 4 + 4 + 17);
    f = ts_find(&r, UM_K_NONZERO_PADDING);
    assert_non_null(f);
    assert_int_equal(f->offset, pad + 4 + 20);
    assert_int_equal(f->length, 6);
    f = ts_find(&r, UM_K_APPENDED_DATA);
    assert_non_null(f);
    assert_int_equal(f->offset, n - 54);
    assert_int_equal(f->length, 54);
    um_file_result_free(&r);
    uint8_t *out = au_scrub_clean(b, n, "a.flac", markers, &m);
    assert_int_equal(m, n - 54);
    assert_int_equal(out[app] & 0x7F, 1);
    assert_true(au_decodes(out, m, "a.flac"));
    free(out);
    free(b);
}

/* An ID3v1 tag after the last frame is found and removed; bytes after it too. */
static void id3v1_and_end(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = au_load("tagged.flac", &n);
    uint8_t *x = calloc(1, n + 128 + 10);
    memcpy(x, b, n);
    memcpy(x + n, "TAG", 3);
    memcpy(x + n + 33, "LeakAuthor", 10);
    memcpy(x + n + 128, "0123456789", 10);
    struct um_file_result r;
    assert_int_equal(ts_scan(x, n + 128, "t.flac", &r), 0);
    const struct um_finding *f = au_find(&r, "ID3v1", "v1.artist");
    assert_non_null(f);
    assert_int_equal(f->offset, n + 33);
    assert_int_equal(ts_count(&r, UM_K_APPENDED_DATA), 0);
    um_file_result_free(&r);
    assert_int_equal(ts_scan(x, n + 138, "t.flac", &r), 0);
    assert_non_null(au_find(&r, "ID3v1", "v1.artist"));
    f = ts_find(&r, UM_K_APPENDED_DATA);
    assert_non_null(f);
    assert_int_equal(f->offset, n + 128);
    um_file_result_free(&r);
    size_t m;
    uint8_t *out = au_scrub_clean(x, n + 138, "t.flac", markers, &m);
    assert_int_equal(m, n);
    free(out);
    free(x);
    free(b);
}

/* Some taggers put an ID3v2 tag before "fLaC": still FLAC, the tag cleaned too. */
static void leading_id3v2(void **state)
{
    (void)state;
    size_t n, m;
    uint8_t *b = au_load("tagged.flac", &n);
    static const uint8_t tag[] = "ID3\x03\0\0\0\0\0\x14" "TIT2\0\0\0\x0a\0\0\0LeakTitle";
    uint8_t *x = malloc(n + 30);
    memcpy(x, tag, 30);
    memcpy(x + 30, b, n);
    struct um_file_result r;
    assert_int_equal(ts_scan(x, n + 30, "t.flac", &r), 0);
    assert_string_equal(r.format, "flac");
    assert_int_equal(ts_count(&r, UM_K_TYPE_MISMATCH), 0);
    const struct um_finding *f = au_find(&r, "ID3v2/ID3v2.3/TIT2", "TIT2");
    assert_non_null(f);
    assert_int_equal(f->offset, 10);
    assert_non_null(au_find(&r, NULL, "SERIAL"));
    um_file_result_free(&r);
    uint8_t *out = au_scrub_clean(x, n + 30, "t.flac", markers, &m);
    assert_int_equal(m, n + 30);
    assert_true(au_decodes(out, m, "t.flac"));
    free(out);
    free(x);
    free(b);
}

static void malformed_blocks(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = au_load("tagged.flac", &n);
    struct um_file_result r;
    /* Every truncation of the metadata: an error or a result, never a read past. */
    for (size_t k = 4; k < 700 && k < n; k += 7) {
        int err = ts_scan(b, k, "t.flac", &r);
        assert_true(err <= 0);
        um_file_result_free(&r);
    }
    uint8_t *x = malloc(n);
    /* A block length past the end of the file. */
    memcpy(x, b, n);
    size_t vc = block_of(b, n, 4, NULL);
    x[vc + 1] = 0xFF, x[vc + 2] = 0xFF, x[vc + 3] = 0xFF;
    assert_int_equal(ts_scan(x, n, "t.flac", &r), UM_E_TRUNC);
    um_file_result_free(&r);
    /* A comment count far beyond the block, a field length past the block: the block
     * is reported as malformed and goes whole (becomes padding). */
    uint32_t vl = ld_u32le(b + vc + 4);
    for (int k = 0; k < 2; k++) {
        memcpy(x, b, n);
        memset(x + vc + 8 + vl + 4 * (size_t)k, 0xFF, 4);
        assert_int_equal(ts_scan(x, n, "t.flac", &r), 0);
        const struct um_finding *f = au_find(&r, "VORBIS_COMMENT", "malformed");
        assert_non_null(f);
        assert_int_equal(f->offset, vc);
        um_file_result_free(&r);
        size_t m;
        uint8_t *out = au_scrub_clean(x, n, "t.flac", markers, &m);
        assert_int_equal(out[vc] & 0x7F, 1);
        assert_true(au_decodes(out, m, "t.flac"));
        free(out);
    }
    /* Zero-length blocks only, no last flag: runs to the end, an error. */
    uint8_t z[64] = "fLaC";
    assert_true(ts_scan(z, sizeof z, "z.flac", &r) < 0);
    um_file_result_free(&r);
    free(x);
    free(b);
}

static void shared_dirty_flac(void **state)
{
    (void)state;
    char *p = ts_shared("mat2/dirty.flac");
    if (!p) return;
    size_t n, m;
    uint8_t *b = ts_read(p, &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "dirty.flac", &r), 0);
    static const char *const keys[][2] = {
        { "vendor", "reference libFLAC 1.2.1 20070917" }, { "ARTIST", "jvoisin" },
        { "ALBUM", "harmfull" }, { "TITLE", "I am so" }, { "GENRE", "Python" },
        { "TRACKNUMBER", "42" }, { "DATE", "1337" }, { "COMMENTS", "Thank you for using MAT !" },
        { "I am a ", "various comment" },
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const struct um_finding *f = au_find(&r, NULL, keys[i][0]);
        if (!f) fail_msg("missing %s", keys[i][0]);
        assert_string_equal(f->value, keys[i][1]);
    }
    um_file_result_free(&r);
    static const char *const mk[] = { "jvoisin", "harmfull", "MAT !", "various", "libFLAC", NULL };
    uint8_t *out = au_scrub_clean(b, n, "dirty.flac", mk, &m);
    assert_int_equal(m, n);
    assert_true(au_decodes(out, m, "dirty.flac"));
    free(out);
    free(b);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vorbis_comment_exact),
        cmocka_unit_test(application_padding_appended),
        cmocka_unit_test(id3v1_and_end),
        cmocka_unit_test(leading_id3v2),
        cmocka_unit_test(malformed_blocks),
        cmocka_unit_test(shared_dirty_flac),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
