/* Ogg handler: comment packets of Vorbis, Opus, FLAC and Theora streams with exact
 * ranges, a comment packet across pages, page CRCs after the rewrite, appended data,
 * malformed pages, and scrubbed results. */
#define _GNU_SOURCE
#include "audio_support.h"

static const char *const markers[] = { "LeakTitle", "LeakAuthor", "LeakMake", "LeakModel",
                                       "SN4242LEAK", "+48.8584", "LeakSoft", "Lavf", NULL };

static uint32_t ogg_crc(const uint8_t *p, size_t n)
{
    uint32_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c ^= (uint32_t)p[i] << 24;
        for (int k = 0; k < 8; k++) c = c & 0x80000000u ? (c << 1) ^ 0x04c11db7u : c << 1;
    }
    return c;
}

/* Checks every page's CRC; returns the number of pages. */
static size_t check_pages(const uint8_t *b, size_t n)
{
    size_t pos = 0, pages = 0;
    while (pos + 27 <= n && !memcmp(b + pos, "OggS", 4)) {
        size_t nseg = b[pos + 26], body = 0;
        for (size_t i = 0; i < nseg; i++) body += b[pos + 27 + i];
        size_t len = 27 + nseg + body;
        assert_true(pos + len <= n);
        uint8_t *cp = malloc(len);
        memcpy(cp, b + pos, len);
        memset(cp + 22, 0, 4);
        if (ogg_crc(cp, len) != ld_u32le(b + pos + 22)) fail_msg("bad CRC in page at %zu", pos);
        free(cp);
        pos += len;
        pages++;
    }
    return pages;
}

static void scrub_one(const char *name, bool has_picture)
{
    size_t n, m;
    uint8_t *b = au_load(name, &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, name, &r), 0);
    assert_string_equal(r.format, "ogg");
    assert_true(r.findings.len >= 10);
    assert_int_equal(ts_count(&r, UM_K_APPENDED_DATA), 0);
    um_file_result_free(&r);
    size_t pages = check_pages(b, n);
    uint8_t *out = au_scrub_clean(b, n, name, markers, &m);
    assert_int_equal(m, n);
    assert_int_equal(check_pages(out, m), pages);
    assert_int_equal(au_has(out, m, "METADATA_BLOCK_PICTURE="), has_picture);
    assert_true(au_decodes(out, m, name));
    free(out);
    free(b);
}

static void vorbis_exact(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = au_load("vorbis.ogg", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "v.ogg", &r), 0);
    const uint8_t *c = memmem(b, n, "\x03vorbis", 7);
    assert_non_null(c);
    size_t vend = (size_t)(c - b) + 7;
    const struct um_finding *f = au_find(&r, "vorbis/comment/vendor", "vendor");
    assert_non_null(f);
    assert_int_equal(f->offset, vend);
    assert_int_equal(f->length, 4 + ld_u32le(b + vend));
    f = au_find(&r, "vorbis/comment/SERIAL", "SERIAL");
    assert_non_null(f);
    assert_int_equal(f->kind, UM_K_DEVICE_ID);
    assert_string_equal(f->value, "SN4242LEAK");
    assert_int_equal(f->length, 4 + strlen("SERIAL=SN4242LEAK"));
    assert_memory_equal(b + f->offset + 4, "SERIAL=SN4242LEAK", 17);
    assert_int_equal(au_find(&r, NULL, "LOCATION")->kind, UM_K_LOCATION);
    /* The cover is kept, not reported. */
    assert_null(au_find(&r, NULL, "METADATA_BLOCK_PICTURE"));
    um_file_result_free(&r);
    free(b);
    scrub_one("vorbis.ogg", true);
}

static void opus_flac_theora(void **state)
{
    (void)state;
    scrub_one("opus.opus", false);
    scrub_one("flac.oga", false);
    scrub_one("theora.ogv", false);
}

/* A chained file (one link after another, each with its own comment packet). */
static void chained(void **state)
{
    (void)state;
    size_t n1, n2, m;
    uint8_t *a = au_load("vorbis.ogg", &n1), *b = au_load("flac.oga", &n2);
    uint8_t *x = malloc(n1 + n2);
    memcpy(x, a, n1);
    memcpy(x + n1, b, n2);
    struct um_file_result r;
    assert_int_equal(ts_scan(x, n1 + n2, "c.ogg", &r), 0);
    assert_non_null(au_find(&r, "vorbis/comment/SERIAL", "SERIAL"));
    const struct um_finding *f = au_find(&r, "flac/comment/SERIAL", "SERIAL");
    assert_non_null(f);
    assert_true(f->offset > n1);
    assert_int_equal(ts_count(&r, UM_K_APPENDED_DATA), 0);
    um_file_result_free(&r);
    uint8_t *out = au_scrub_clean(x, n1 + n2, "c.ogg", markers, &m);
    assert_int_equal(m, n1 + n2);
    check_pages(out, m);
    free(out);
    free(x);
    free(a);
    free(b);
}

static void appended(void **state)
{
    (void)state;
    size_t n, m;
    uint8_t *b = au_load("opus_appended.opus", &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "a.opus", &r), 0);
    const struct um_finding *f = ts_find(&r, UM_K_APPENDED_DATA);
    assert_non_null(f);
    assert_int_equal(f->offset, n - 36);
    assert_int_equal(f->length, 36);
    um_file_result_free(&r);
    uint8_t *out = au_scrub_clean(b, n, "a.opus", markers, &m);
    assert_int_equal(m, n - 36);
    assert_true(au_decodes(out, m, "a.opus"));
    free(out);
    free(b);
}

/* Appends one page holding `len` bytes of data with the given lacing values. */
static size_t put_page(uint8_t *o, uint8_t flags, uint32_t serial, uint32_t seq,
                       const uint8_t *lacing, size_t nseg, const uint8_t *data, size_t len)
{
    memcpy(o, "OggS\0", 5);
    o[5] = flags;
    memset(o + 6, 0, 8);
    memcpy(o + 14, &serial, 4);
    memcpy(o + 18, &seq, 4);
    memset(o + 22, 0, 4);
    o[26] = (uint8_t)nseg;
    memcpy(o + 27, lacing, nseg);
    memcpy(o + 27 + nseg, data, len);
    uint32_t c = ogg_crc(o, 27 + nseg + len);
    memcpy(o + 22, &c, 4);
    return 27 + nseg + len;
}

/* An Opus comment packet of 600 bytes split over two pages: the field that straddles
 * the boundary is reported with a range that spans the page header, and the rewrite
 * fixes both pages' CRCs. */
static void packet_across_pages(void **state)
{
    (void)state;
    uint8_t head[19] = "OpusHead\x01\x01";
    uint8_t pkt[600];
    size_t w = 0;
    memcpy(pkt, "OpusTags", 8), w = 8;
    memcpy(pkt + w, "\x04\0\0\0Leak", 8), w += 8;
    memcpy(pkt + w, "\x02\0\0\0", 4), w += 4;
    uint32_t l1 = 490 - 4 - 4;   /* first field ends near the page boundary at 510 */
    memcpy(pkt + w, &l1, 4), w += 4;
    memcpy(pkt + w, "COMMENT=", 8);
    memset(pkt + w + 8, 'x', l1 - 8), w += l1;
    uint32_t l2 = 600 - (uint32_t)w - 4;
    memcpy(pkt + w, &l2, 4), w += 4;
    memcpy(pkt + w, "SERIAL=SN4242LEAK", 17);
    memset(pkt + w + 17, 'y', l2 - 17), w += l2;
    assert_int_equal(w, 600);

    uint8_t f[2000];
    size_t n = 0;
    uint8_t lac1[1] = { 19 }, lac2[2] = { 255, 255 }, lac3[1] = { 90 }, lac4[1] = { 3 };
    n += put_page(f + n, 2, 7, 0, lac1, 1, head, 19);
    size_t p2 = n;
    n += put_page(f + n, 0, 7, 1, lac2, 2, pkt, 510);
    size_t p3 = n;
    n += put_page(f + n, 1, 7, 2, lac3, 1, pkt + 510, 90);
    n += put_page(f + n, 4, 7, 3, lac4, 1, (const uint8_t *)"abc", 3);

    struct um_file_result r;
    assert_int_equal(ts_scan(f, n, "x.opus", &r), 0);
    const struct um_finding *s = au_find(&r, NULL, "SERIAL");
    assert_non_null(s);
    assert_int_equal(strncmp(s->value, "SN4242LEAKyyy", 13), 0);
    assert_int_equal(strlen(s->value), l2 - strlen("SERIAL="));
    /* Starts on the first page, ends at the packet end on the second. */
    assert_int_equal(s->offset, p2 + 27 + 2 + 506);   /* its length word ends the page */
    assert_int_equal(s->offset + s->length, p3 + 28 + 90);
    assert_non_null(au_find(&r, NULL, "vendor"));
    um_file_result_free(&r);
    static const char *const mk[] = { "SN4242LEAK", "Leak", "xxxx", NULL };
    size_t m;
    uint8_t *out = au_scrub_clean(f, n, "x.opus", mk, &m);
    assert_int_equal(m, n);
    assert_int_equal(check_pages(out, m), 4);
    assert_memory_equal(out + p2 + 29, "OpusTags\0\0\0\0\0\0\0\0\0", 17);
    free(out);
}

/* A comment packet too short to rewrite: reported, left alone, no write past it. */
static void tiny_comment_packet(void **state)
{
    (void)state;
    uint8_t f[200];
    size_t n = 0;
    uint8_t l1[1] = { 30 }, l2[1] = { 10 };
    uint8_t id[30] = "\x01vorbis";
    n += put_page(f + n, 2, 9, 0, l1, 1, id, 30);
    n += put_page(f + n, 0, 9, 1, l2, 1, (const uint8_t *)"\x03vorbis\x7f\0\0", 10);
    struct um_file_result r;
    assert_int_equal(ts_scan(f, n, "t.ogg", &r), 0);
    const struct um_finding *m = au_find(&r, "vorbis/comment", "malformed");
    assert_non_null(m);
    assert_false(m->removable);
    um_file_result_free(&r);
}

static void malformed_pages(void **state)
{
    (void)state;
    size_t n;
    uint8_t *b = au_load("vorbis.ogg", &n);
    struct um_file_result r;
    for (size_t k = 0; k < n; k += 13) {
        assert_true(ts_scan(b, k, "v.ogg", &r) <= 0);
        um_file_result_free(&r);
    }
    /* A segment table that claims more bytes than there are: no pages at all. */
    uint8_t *x = malloc(n);
    memcpy(x, b, n);
    x[26] = 255;
    assert_true(ts_scan(x, 300, "v.ogg", &r) < 0);
    um_file_result_free(&r);
    /* A comment field length far past the packet, a comment count of 4 billion: the
     * comment is reported as malformed and replaced by an empty one, quickly. */
    uint8_t *c = memmem(b, n, "\x03vorbis", 7);
    size_t co = (size_t)(c - b);
    uint32_t vl = ld_u32le(c + 7);
    for (int k = 0; k < 2; k++) {
        memcpy(x, b, n);
        memset(x + co + 7 + 4 + vl + 4 - 4 * (size_t)k, 0xFF, 4);
        /* Fix the page CRC so that only the comment is wrong. */
        size_t pg = (size_t)((uint8_t *)memmem(x + 4, n - 4, "OggS", 4) - x);
        size_t nseg = x[pg + 26], body = 0;
        for (size_t i = 0; i < nseg; i++) body += x[pg + 27 + i];
        memset(x + pg + 22, 0, 4);
        uint32_t crc = ogg_crc(x + pg, 27 + nseg + body);
        memcpy(x + pg + 22, &crc, 4);
        assert_int_equal(ts_scan(x, n, "v.ogg", &r), 0);
        assert_non_null(au_find(&r, "vorbis/comment", "malformed"));
        um_file_result_free(&r);
        size_t m;
        uint8_t *out = au_scrub_clean(x, n, "v.ogg", markers, &m);
        check_pages(out, m);
        assert_true(au_decodes(out, m, "v.ogg"));
        free(out);
    }
    free(x);
    free(b);
}

static void shared_dirty_ogg(void **state)
{
    (void)state;
    char *p = ts_shared("mat2/dirty.ogg");
    if (!p) return;
    size_t n, m;
    uint8_t *b = ts_read(p, &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(b, n, "dirty.ogg", &r), 0);
    static const char *const keys[][2] = {
        { "vendor", "Xiph.Org libVorbis I 20101101 (Schaufenugget)" }, { "ARTIST", "jvoisin" },
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
    static const char *const mk[] = { "jvoisin", "harmfull", "MAT !", "various", "Schaufenugget", NULL };
    uint8_t *out = au_scrub_clean(b, n, "dirty.ogg", mk, &m);
    assert_int_equal(m, n);
    check_pages(out, m);
    assert_true(au_decodes(out, m, "dirty.ogg"));
    free(out);
    free(b);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vorbis_exact),
        cmocka_unit_test(opus_flac_theora),
        cmocka_unit_test(chained),
        cmocka_unit_test(appended),
        cmocka_unit_test(packet_across_pages),
        cmocka_unit_test(tiny_comment_packet),
        cmocka_unit_test(malformed_pages),
        cmocka_unit_test(shared_dirty_ogg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
