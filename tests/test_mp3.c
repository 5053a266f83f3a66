/* MP3 handler: ID3v2.3/2.4 frames with exact ranges, unsynchronisation, ID3v1, APE,
 * the end of the audio, malformed tags, and scrubbed results that re-scan clean. */
#define _GNU_SOURCE
#include "audio_support.h"

static const char *const markers[] = { "LeakTitle", "LeakAuthor", "LeakMake", "LeakModel",
                                       "SN4242LEAK", "+48.8584", NULL };

static void id3v23_frames_exact(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = au_load("tagged23.mp3", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "t.mp3", &r), 0);
    assert_string_equal(r.format, "mp3");
    const struct um_finding *f = au_find(&r, "ID3v2.3/TIT2", "TIT2");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_CONTENT);
    assert_string_equal(f->value, "LeakTitle");
    assert_int_equal(f->offset, 10);
    assert_int_equal(f->length, 10 + 1 + 9 + 1);   /* header, encoding, text, NUL */
    f = au_find(&r, "ID3v2.3/TPE1", "TPE1");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_PERSON);
    assert_string_equal(f->value, "LeakAuthor");
    assert_int_equal(f->offset, 31);
    f = au_find(&r, NULL, "TXXX:location");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_LOCATION);
    assert_string_equal(f->value, "location: +48.8584+002.2945/");
    f = au_find(&r, NULL, "TXXX:make");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_DEVICE_MODEL);
    assert_non_null(au_find(&r, NULL, "TXXX:model"));
    assert_int_equal(au_find(&r, NULL, "TSSE")->kind, UM_K_SOFTWARE);
    /* The cover is kept (a stream to players), not reported as a frame. */
    assert_null(au_find(&r, NULL, "APIC"));
    /* ID3v1 at the end, field by field. */
    f = au_find(&r, "ID3v1", "v1.artist");
    assert_non_null(f);
    assert_string_equal(f->value, "LeakAuthor");
    assert_int_equal(f->offset, n - 128 + 33);
    assert_int_equal(f->length, 30);
    assert_int_equal(au_find(&r, "ID3v1", "v1.year")->kind, UM_K_TIMESTAMP);
    assert_int_equal(ts_count(&r, UM_K_APPENDED_DATA), 0);
    um_file_result_free(&r);

    size_t m;
    uint8_t *out = au_scrub_clean(b, n, "t.mp3", markers, &m);
    assert_int_equal(m, n - 128);   /* ID3v1 truncated, everything else in place */
    assert_memory_equal(out, b, 10);   /* ID3v2 header and size kept */
    assert_memory_equal(out + 10, "ZERO", 4);   /* removed frame: unknown id, zeroed */
    assert_true(au_decodes(out, m, "t.mp3"));
    free(out);
    free(b);
}

static void id3v24_scrub(void **state)
{
    (void)state;
    size_t n, m;
    uint8_t *b = au_load("tagged24.mp3", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "t.mp3", &r), 0);
    assert_non_null(au_find(&r, "ID3v2.4/TDRC", "TDRC"));
    assert_string_equal(au_find(&r, NULL, "TDRC")->value, "2013-05-17");
    um_file_result_free(&r);
    uint8_t *out = au_scrub_clean(b, n, "t.mp3", markers, &m);
    assert_int_equal(m, n);
    assert_true(au_decodes(out, m, "t.mp3"));
    free(out);
    free(b);
}

static void unsync_priv_padding(void **state)
{
    (void)state;
    size_t n, m;
    uint8_t *b = au_load("unsync.mp3", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "u.mp3", &r), 0);
    const struct um_finding *f = au_find(&r, NULL, "TPE1");
    assert_non_null(f);
    assert_string_equal(f->value, "Leak\xc3\xbf" "Author");   /* FF 00 -> FF, Latin-1 */
    assert_int_equal(f->offset, 10);
    assert_int_equal(f->length, 10 + 12 + 1);          /* one stuffing byte inside */
    f = au_find(&r, NULL, "PRIV");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_DEVICE_ID);
    assert_string_equal(f->value, "com.example.device: SN4242LEAK");
    f = ts_find(&r, UM_K_NONZERO_PADDING);
    assert_non_null(f);
    assert_int_equal(f->length, 6);
    assert_memory_equal(b + f->offset, "HIDDEN", 6);
    um_file_result_free(&r);
    static const char *const mk[] = { "SN4242LEAK", "HIDDEN", "Author", NULL };
    uint8_t *out = au_scrub_clean(b, n, "u.mp3", mk, &m);
    assert_true(au_decodes(out, m, "u.mp3"));
    free(out);
    free(b);
}

static void ape_and_id3v1_truncated(void **state)
{
    (void)state;
    size_t n, m;
    uint8_t *b = au_load("ape_v1.mp3", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "a.mp3", &r), 0);
    const struct um_finding *f = au_find(&r, "APE", "ape.Artist");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_PERSON);
    assert_string_equal(f->value, "LeakAuthor");
    assert_non_null(au_find(&r, "ID3v1", "v1.comment"));
    assert_string_equal(au_find(&r, "ID3v1", "v1.comment")->value, "serial SN4242LEAK");
    assert_int_equal(ts_count(&r, UM_K_APPENDED_DATA), 0);
    um_file_result_free(&r);
    uint8_t *out = au_scrub_clean(b, n, "a.mp3", markers, &m);
    /* APE (32 + 2 items + 32) and ID3v1 are gone: the audio ends where they began. */
    assert_int_equal(m, n - 128 - (32 + 25 + 23 + 32));
    assert_memory_equal(out, b, m);
    assert_true(au_decodes(out, m, "a.mp3"));
    free(out);
    free(b);
}

static void appended_after_id3v1(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = au_load("appended.mp3", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "x.mp3", &r), 0);
    const struct um_finding *f = ts_find(&r, UM_K_APPENDED_DATA);
    assert_non_null(f);
    assert_int_equal(f->offset, n - 72);
    assert_int_equal(f->length, 72);
    assert_non_null(au_find(&r, "ID3v1", "v1.title"));
    um_file_result_free(&r);
    size_t m;
    uint8_t *out = au_scrub_clean(b, n, "x.mp3", markers, &m);
    assert_int_equal(m, n - 72 - 128);
    free(out);
    free(b);
}

/* A Red Star trailer after the ID3v1 tag is peeled first, so the tag is found again. */
static void redstar_after_id3v1(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = au_load("tagged24.mp3", &n);
    uint8_t v1[128] = "TAG";
    memcpy(v1 + 33, "LeakAuthor", 10);
    uint8_t *x = malloc(n + 128 + 31);
    memcpy(x, b, n);
    memcpy(x + n, v1, 128);
    ts_make_mark("AC9A58CDZ364C", x + n + 128);
    memcpy(x + n + 128 + 24, "\x18\0\0\0EOF", 7);
    struct um_file_result r;
    assert_int_equal(ts_scan(x, n + 159, "x.mp3", &r), 0);
    assert_int_equal(ts_count(&r, UM_K_REDSTAR_WATERMARK), 1);
    const struct um_finding *f = au_find(&r, "ID3v1", "v1.artist");
    assert_non_null(f);
    assert_int_equal(f->offset, n + 33);
    assert_int_equal(ts_count(&r, UM_K_APPENDED_DATA), 0);
    um_file_result_free(&r);
    free(x);
    free(b);
}

/* Bare MPEG frames: detected by three frames in a row; a cut-off last frame is audio,
 * not appended data; random bytes with a sync pattern are not MP3. */
static void bare_frames_and_random(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = au_load("appended.mp3", &n);
    size_t audio = n - 72 - 128;
    struct um_file_result r;
    assert_int_equal(ts_scan(b, audio - 50, "b.mp3", &r), 0);
    assert_string_equal(r.format, "mp3");
    assert_int_equal(r.findings.len, 0);
    um_file_result_free(&r);

    /* Zeros before the first frame. */
    uint8_t *z = calloc(1, 500 + audio);
    memcpy(z + 500, b, audio);
    assert_int_equal(ts_scan(z, 500 + audio, "z.mp3", &r), 0);
    assert_string_equal(r.format, "mp3");
    assert_int_equal(r.findings.len, 0);
    um_file_result_free(&r);
    free(z);

    /* Audio whose last 128 bytes happen to start with "TAG": not an ID3v1 tag. */
    uint8_t *t = malloc(audio);
    memcpy(t, b, audio);
    memcpy(t + audio - 128, "TAG", 3);
    assert_int_equal(ts_scan(t, audio, "t.mp3", &r), 0);
    assert_null(au_find(&r, "ID3v1", NULL));
    assert_int_equal(ts_count(&r, UM_K_APPENDED_DATA), 0);
    um_file_result_free(&r);
    free(t);

    uint8_t rnd[4096];
    srand(7);
    for (size_t i = 0; i < sizeof rnd; i++) rnd[i] = (uint8_t)rand();
    rnd[0] = 0xFF, rnd[1] = 0xFB, rnd[2] = 0x90, rnd[3] = 0x00;   /* one plausible header */
    assert_int_equal(ts_scan(rnd, sizeof rnd, "r.bin", &r), 0);
    assert_string_not_equal(r.format, "mp3");
    um_file_result_free(&r);
    free(b);
}

/* Data hidden between frames: reported (kept: it could be a damaged frame), and the
 * walk goes on to the real end. */
static void gap_between_frames(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = au_load("appended.mp3", &n);
    size_t cut = 104 + 105;   /* after the first two frames */
    uint8_t *x = malloc(n + 100);
    memcpy(x, b, cut);
    memset(x + cut, 'H', 100);
    memcpy(x + cut + 100, b + cut, n - cut);
    struct um_file_result r;
    assert_int_equal(ts_scan(x, n + 100, "g.mp3", &r), 0);
    const struct um_finding *f = au_find(&r, "MPEG/gap", NULL);
    assert_non_null(f);
    assert_int_equal(f->offset, cut);
    assert_int_equal(f->length, 100);
    assert_false(f->removable);
    assert_non_null(au_find(&r, "ID3v1", "v1.title"));
    f = ts_find(&r, UM_K_APPENDED_DATA);
    assert_non_null(f);
    assert_int_equal(f->offset, n + 100 - 72);
    um_file_result_free(&r);
    free(x);
    free(b);
}

static void put_syncsafe(uint8_t *p, uint32_t v)
{
    p[0] = (v >> 21) & 127, p[1] = (v >> 14) & 127, p[2] = (v >> 7) & 127, p[3] = v & 127;
}

/* Frames the table does not know: a vendor/experimental frame with data is removed,
 * a play counter stays, and our own zeroed "ZERO" frames are not reported again. */
static void unknown_frames(void **state)
{
    (void)state;
    size_t n, m;
    uint8_t *b = au_load("appended.mp3", &n);
    size_t audio = n - 72 - 128;
    uint8_t tag[10 + 3 * 20];
    memset(tag, 0, sizeof tag);
    memcpy(tag, "ID3\x03\0\0", 6);
    put_syncsafe(tag + 6, 3 * 20);
    memcpy(tag + 10, "XLEK\0\0\0\x0a\0\0SN4242LEAK", 20);
    memcpy(tag + 30, "PCNT\0\0\0\x0a\0\0\0\0\0\0\0\0\0\0\0\x07", 20);
    memcpy(tag + 50, "ZERO\0\0\0\x0a\0\0", 10);
    uint8_t *x = malloc(sizeof tag + audio);
    memcpy(x, tag, sizeof tag);
    memcpy(x + sizeof tag, b, audio);
    struct um_file_result r;
    assert_int_equal(ts_scan(x, sizeof tag + audio, "u.mp3", &r), 0);
    assert_int_equal(r.findings.len, 1);
    const struct um_finding *f = au_find(&r, "ID3v2.3/XLEK", "XLEK");
    assert_non_null(f);
    assert_int_equal(f->offset, 10);
    assert_int_equal(f->length, 20);
    um_file_result_free(&r);
    static const char *const mk[] = { "SN4242LEAK", NULL };
    uint8_t *out = au_scrub_clean(x, sizeof tag + audio, "u.mp3", mk, &m);
    assert_memory_equal(out + 30, tag + 30, 20);   /* the play counter is kept */
    assert_true(au_decodes(out, m, "u.mp3"));
    free(out);
    free(x);
    free(b);
}

static void malformed_tags(void **state)
{
    (void)state;
    struct um_file_result r;
    uint8_t t[200];
    /* Size bytes with the high bit set: not syncsafe, refused. */
    memset(t, 0, sizeof t);
    memcpy(t, "ID3\x03\0\0\x80\x80\x80\x80", 10);
    assert_int_equal(ts_scan(t, sizeof t, "m.mp3", &r), 0);   /* not claimed as MP3 */
    assert_string_not_equal(r.format, "mp3");
    um_file_result_free(&r);

    /* Tag size past the end of the file: an error, quickly. */
    memcpy(t, "ID3\x03\0\0", 6);
    put_syncsafe(t + 6, 0x0FFFFFFF);
    memcpy(t + 10, "TIT2\0\0\0\x05\0\0\0abcd", 15);
    assert_true(ts_scan(t, sizeof t, "m.mp3", &r) < 0);
    assert_non_null(au_find(&r, NULL, "TIT2"));   /* what was readable is reported */
    um_file_result_free(&r);

    /* Frame size past the tag end, zero-length frames, v2.4 with plain sizes. */
    memset(t, 0, sizeof t);
    memcpy(t, "ID3\x04\0\0", 6);
    put_syncsafe(t + 6, 100);
    memcpy(t + 10, "TIT2\0\0\0\0\0\0", 10);          /* zero-length */
    memcpy(t + 20, "TPE1\0\0\0\x06\0\0\0LeakA", 16);
    memcpy(t + 36, "TALB\x7f\x7f\x7f\x7f\0\0\0XY", 13); /* runs past the tag */
    assert_int_equal(ts_scan(t, sizeof t, "m.mp3", &r), 0);
    assert_string_equal(au_find(&r, NULL, "TPE1")->value, "LeakA");
    const struct um_finding *f = ts_find(&r, UM_K_NONZERO_PADDING);
    assert_non_null(f);   /* the unparseable frame is zeroed as padding */
    assert_int_equal(f->offset, 36);
    um_file_result_free(&r);

    /* Truncated headers everywhere: never reads past the end. */
    for (size_t k = 0; k < 60; k++) {
        assert_true(ts_scan(t, k, "m.mp3", &r) <= 0);
        um_file_result_free(&r);
    }
}

static void shared_dirty_mp3(void **state)
{
    (void)state;
    char *p = ts_shared("mat2/dirty.mp3");
    if (!p) return;
    size_t n, m;
    uint8_t *b = ts_read(p, &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "dirty.mp3", &r), 0);
    /* Everything exiftool shows in the tag. */
    static const char *const keys[][2] = {
        { "TPE1", "jvoisin" }, { "TALB", "harmfull" }, { "TIT2", "I am so" },
        { "TCON", "Python" }, { "TRCK", "42" }, { "TDRC", "1337" }, { "TYER", "1337" },
        { "COMM", "Thank you for using MAT !" },
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const struct um_finding *f = au_find(&r, NULL, keys[i][0]);
        if (!f) fail_msg("missing %s", keys[i][0]);
        assert_string_equal(f->value, keys[i][1]);
    }
    assert_non_null(au_find(&r, NULL, "TXXX:I am a "));
    /* What exiftool calls Encoder: reported, kept (gapless playback needs the tag). */
    const struct um_finding *e = au_find(&r, "MPEG/Xing/encoder", "encoder");
    assert_non_null(e);
    assert_string_equal(e->value, "LAME3.99r");
    assert_false(e->removable);
    um_file_result_free(&r);
    static const char *const mk[] = { "jvoisin", "harmfull", "MAT !", "various", NULL };
    uint8_t *out = au_scrub_clean(b, n, "dirty.mp3", mk, &m);
    assert_int_equal(m, n);
    assert_true(au_decodes(out, m, "dirty.mp3"));
    free(out);
    free(b);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(id3v23_frames_exact),
        cmocka_unit_test(id3v24_scrub),
        cmocka_unit_test(unsync_priv_padding),
        cmocka_unit_test(ape_and_id3v1_truncated),
        cmocka_unit_test(appended_after_id3v1),
        cmocka_unit_test(redstar_after_id3v1),
        cmocka_unit_test(bare_frames_and_random),
        cmocka_unit_test(gap_between_frames),
        cmocka_unit_test(unknown_frames),
        cmocka_unit_test(malformed_tags),
        cmocka_unit_test(shared_dirty_mp3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
