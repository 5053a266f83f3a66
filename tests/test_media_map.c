/* Tests of media maps (common/media_map.c, the formats' media_map functions) and of
 * the proof the verifier builds on them: ranges merge and answer queries exactly; on
 * every film fixture a default plan leaves the map alone and the cleaned result maps
 * to the same bytes; media, sample tables and chunk offsets are listed, dates and
 * names are not; a large in-place scrub is proven by the map without FFmpeg, and an
 * edit inside the media is never let through by it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/error.h"
#include "../common/media_map.h"
#include "../formats/format.h"
#include "../scrubber/plan.h"
#include "../scrubber/scrub.h"
#include "../scrubber/verify.h"
#include "support.h"

/* Films with a media map, and the handler that maps them. */
static const struct { const char *rel, *format; } films[] = {
    { "isobmff/clip.mov", "isobmff" },     { "isobmff/clip_mdta.mp4", "isobmff" },
    { "isobmff/clip_ilst.mp4", "isobmff" },
    { "matroska/clip.mkv", "matroska" },    { "matroska/clip.webm", "matroska" },
    { "riff/clip.avi", "riff" },
};

static void test_ranges(void **state)
{
    struct um_media_map m;
    um_media_map_init(&m, 1000);
    assert_int_equal(um_media_map_add(&m, 100, 10), 0);
    assert_int_equal(um_media_map_add(&m, 110, 5), 0);     /* touches: merged */
    assert_int_equal(um_media_map_add(&m, 500, 100), 0);
    assert_int_equal(um_media_map_add(&m, 50, 10), 0);     /* out of order */
    assert_int_equal(um_media_map_add(&m, 0, 0), 0);       /* empty: ignored */
    assert_int_equal(um_media_map_add(&m, 990, 11), UM_E_RANGE);
    assert_int_equal(um_media_map_add(&m, UINT64_MAX, 2), UM_E_RANGE);
    struct um_range skip[] = { { 210, 5 }, { 205, 10 }, { 290, 10 } };
    assert_int_equal(um_media_map_add_except(&m, 200, 300, skip, 3), 0);
    struct um_range outside = { 150, 1 };
    assert_int_equal(um_media_map_add_except(&m, 200, 300, &outside, 1), UM_E_RANGE);
    um_media_map_finish(&m);
    /* 50-60, 100-115, 200-205, 215-290, 500-600 */
    assert_int_equal(m.n, 5);
    assert_int_equal(um_media_map_bytes(&m), 10 + 15 + 5 + 75 + 100);
    assert_true(um_media_map_touches(&m, 114, 1));
    assert_false(um_media_map_touches(&m, 115, 1));
    assert_false(um_media_map_touches(&m, 60, 40));
    assert_true(um_media_map_touches(&m, 60, 41));
    assert_false(um_media_map_touches(&m, 205, 10));
    assert_true(um_media_map_touches(&m, 205, 11));
    assert_false(um_media_map_touches(&m, 290, 210));
    assert_true(um_media_map_touches(&m, 0, 1000));
    assert_false(um_media_map_touches(&m, 599, 0));
    assert_false(um_media_map_touches(&m, 600, 400));

    struct um_media_map o;
    um_media_map_init(&o, 1000);
    const uint64_t parts[][2] = { { 500, 50 }, { 550, 50 }, { 50, 10 }, { 100, 15 }, { 200, 5 }, { 215, 75 } };
    for (size_t i = 0; i < 6; i++) assert_int_equal(um_media_map_add(&o, parts[i][0], parts[i][1]), 0);
    um_media_map_finish(&o);
    assert_true(um_media_map_equal(&m, &o));
    assert_int_equal(um_media_map_add(&o, 700, 1), 0);
    um_media_map_finish(&o);
    assert_false(um_media_map_equal(&m, &o));
    um_media_map_free(&o);
    um_media_map_free(&m);
}

/* Ranges listed as a film's tracks list them (several runs, each in file order, the
 * runs interleaved in the file) or in any order map to exactly the bytes a bitmap of
 * the same ranges holds. */
static void test_runs_sort_to_the_bitmap(void **state)
{
    enum { SIZE = 20000 };
    static bool used[SIZE];
    uint32_t seed = 12345;
    for (int round = 0; round < 40; round++) {
        struct um_media_map m;
        um_media_map_init(&m, SIZE);
        memset(used, 0, sizeof used);
        int runs = 1 + round % 5, shuffled = round % 7 == 6;
        for (int t = 0; t < runs; t++) {
            /* Track t: chunks of 1..16 bytes every 40 bytes from 8 t on, or anywhere. */
            for (uint64_t off = 8 * (uint64_t)t; off + 16 < SIZE; off += 40) {
                seed = seed * 1103515245u + 12345u;
                uint64_t o = shuffled ? (seed >> 8) % (SIZE - 16) : off, len = 1 + (seed >> 4) % 16;
                assert_int_equal(um_media_map_add(&m, o, len), 0);
                for (uint64_t b = o; b < o + len; b++) used[b] = true;
            }
        }
        um_media_map_finish(&m);
        size_t k = 0;
        for (uint64_t b = 0; b < SIZE; b++) {
            if (!used[b] || (b && used[b - 1])) continue;
            uint64_t e = b;
            while (e < SIZE && used[e]) e++;
            assert_true(k < m.n);
            assert_int_equal(m.r[k].off, b);
            assert_int_equal(m.r[k].len, e - b);
            k++;
        }
        assert_int_equal(k, m.n);
        um_media_map_free(&m);
    }
}

/* Every film fixture: the default plan edits nothing the map lists, and the cleaned
 * bytes map to exactly the same ranges. */
static void test_plans_leave_the_map_alone(void **state)
{
    for (size_t f = 0; f < sizeof films / sizeof *films; f++) {
        size_t n;
        uint8_t *d = ts_load(films[f].rel, &n);
        struct um_file_result res;
        ts_scan(d, n, films[f].rel, &res);
        assert_string_equal(res.format, films[f].format);
        struct um_media_map a;
        ts_media_map_proof(films[f].format, d, n, &res, films[f].rel, true, &a, NULL);
        /* Most of a film is media. */
        if (um_media_map_bytes(&a) < n / 2) fail_msg("%s: map lists only %llu of %zu bytes", films[f].rel,
                                                    (unsigned long long)um_media_map_bytes(&a), n);
        um_media_map_free(&a);
        um_file_result_free(&res);
        free(d);
    }
}

/* MP4: every chunk the stco table points at, the sample description and mdat are
 * listed; the dates of mvhd and the compressor name are not. */
static void test_mp4_contents(void **state)
{
    size_t n;
    uint8_t *d = ts_load("isobmff/clip_mdta.mp4", &n);
    struct um_media_map m;
    assert_int_equal(ts_media_map("isobmff", d, n, &m), 0);
    const uint8_t *stco = memmem(d, n, "stco", 4);
    assert_non_null(stco);
    uint32_t count = ld_u32be(stco + 8);
    assert_true(count > 0);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t off = ld_u32be(stco + 12 + 4 * i);
        assert_true(um_media_map_touches(&m, off, 1));
    }
    const uint8_t *mvhd = memmem(d, n, "mvhd", 4);
    assert_non_null(mvhd);
    uint64_t body = (uint64_t)(mvhd - d) + 4;
    uint64_t w = d[body] == 1 ? 8 : 4;
    assert_false(um_media_map_touches(&m, body + 4, 2 * w));   /* creation and modification */
    assert_true(um_media_map_touches(&m, body + 4 + 2 * w, 4)); /* timescale */
    const uint8_t *stsd = memmem(d, n, "stsd", 4);
    assert_non_null(stsd);
    const uint8_t *avc = memmem(stsd, n - (size_t)(stsd - d), "avc1", 4);   /* not the ftyp brand */
    assert_non_null(avc);
    uint64_t entry_body = (uint64_t)(avc - d) + 4;
    assert_true(um_media_map_touches(&m, entry_body, 42));        /* dimensions, resolution */
    assert_false(um_media_map_touches(&m, entry_body + 42, 32));  /* compressor name */
    const uint8_t *avcc = memmem(d, n, "avcC", 4);
    assert_non_null(avcc);
    assert_true(um_media_map_touches(&m, (uint64_t)(avcc - d), 8));
    const uint8_t *mdat = memmem(d, n, "mdat", 4);
    assert_non_null(mdat);
    uint64_t mlen = ld_u32be(mdat - 4);
    struct um_media_map whole;
    um_media_map_init(&whole, n);
    assert_int_equal(um_media_map_add(&whole, (uint64_t)(mdat - d) - 4, mlen), 0);
    um_media_map_finish(&whole);
    /* mdat lies inside one listed range. */
    bool inside = false;
    for (size_t i = 0; i < m.n; i++)
        inside = inside || (m.r[i].off <= whole.r[0].off && m.r[i].off + m.r[i].len >= whole.r[0].off + mlen);
    assert_true(inside);
    um_media_map_free(&whole);
    um_media_map_free(&m);
    free(d);
}

/* Broken structure is an error or "unsupported", never a map and never a crash; a
 * HEIF image (items, not tracks) is not mapped. */
static void test_damaged(void **state)
{
    size_t n;
    uint8_t *d = ts_load("isobmff/clip_mdta.mp4", &n);
    struct um_media_map m;
    const uint8_t *stco = memmem(d, n, "stco", 4);
    assert_non_null(stco);
    uint8_t *bad = malloc(n);
    memcpy(bad, d, n);
    /* A chunk offset past the end of the file. */
    uint64_t at = (uint64_t)(stco - d) + 12;
    bad[at] = bad[at + 1] = bad[at + 2] = bad[at + 3] = 0xFF;
    assert_true(um_is_error(ts_media_map("isobmff", bad, n, &m)) || m.n == 0);
    um_media_map_free(&m);
    /* A box that runs past its parent. */
    memcpy(bad, d, n);
    const uint8_t *trak = memmem(d, n, "trak", 4);
    assert_non_null(trak);
    at = (uint64_t)(trak - d) - 4;
    bad[at] = 0x7F;
    assert_int_not_equal(ts_media_map("isobmff", bad, n, &m), 0);
    um_media_map_free(&m);
    /* Truncations anywhere: no memory error (run under ASan), never a map that is
     * claimed whole for less than the file. */
    for (size_t cut = 8; cut < n; cut += n / 97 + 1) {
        int err = ts_media_map("isobmff", d, cut, &m);
        (void)err;
        um_media_map_free(&m);
    }
    free(bad);
    free(d);
    size_t hn;
    uint8_t *heic = ts_load("isobmff/image.heic", &hn);
    assert_int_equal(ts_media_map("isobmff", heic, hn, &m), UM_E_UNSUPPORTED);
    um_media_map_free(&m);
    free(heic);
}

/* Scrubs a copy of the fixture in place, as if it were a large film (full_limit 1). */
static void scrub_large(const char *rel, bool demux, struct um_file_result *res)
{
    size_t n;
    uint8_t *d = ts_load(rel, &n);
    char *dir = ts_mkdtemp();
    const char *name = strrchr(rel, '/') + 1;
    free(ts_write(dir, name, d, n));
    struct um_scrub_options so;
    um_scrub_options_default(&so);
    so.verify.full_limit = 1;
    so.verify.demux = demux;
    ts_scrub_in_place(dir, name, &so, res);
    ts_rmdir(dir);
    free(dir);
    free(d);
}

static void test_large_in_place_proven_by_map(void **state)
{
    for (size_t f = 0; f < sizeof films / sizeof *films; f++) {
        struct um_file_result res;
        scrub_large(films[f].rel, false, &res);
        if (!res.verified || strcmp(res.verified, "media_map") != 0)
            fail_msg("%s: verified %s", films[f].rel, res.verified ? res.verified : "(none)");
        um_file_result_free(&res);
    }
    /* --verify demux: FFmpeg is asked as before. */
    struct um_file_result res;
    scrub_large("isobmff/clip.mov", true, &res);
    assert_string_equal(res.verified, "packet_ranges");
    um_file_result_free(&res);
    /* A whole telemetry track removed: the map lists its trak, so FFmpeg is asked; the
     * video's index and codec are the same, and no edit touches a video packet. */
    const char *dropped[] = { "isobmff/camm.mp4", "isobmff/gpmd.mp4" };
    for (size_t i = 0; i < 2; i++) {
        scrub_large(dropped[i], false, &res);
        assert_int_equal(res.status, UM_ST_SCRUBBED);
        if (!res.verified || strcmp(res.verified, "packet_ranges") != 0)
            fail_msg("%s: verified %s", dropped[i], res.verified ? res.verified : "(none)");
        um_file_result_free(&res);
    }
}

/* An edit inside the media: the map does not prove it, FFmpeg is asked and finds the
 * difference. */
static void test_edit_in_media_not_proven(void **state)
{
    size_t n;
    uint8_t *d = ts_load("isobmff/clip_mdta.mp4", &n);
    struct um_file_result before;
    ts_scan(d, n, "clip_mdta.mp4", &before);
    const uint8_t *mdat = memmem(d, n, "mdat", 4);
    assert_non_null(mdat);
    uint64_t off = (uint64_t)(mdat - d) + 4 + 64;
    uint8_t *r = malloc(n);
    memcpy(r, d, n);
    memset(r + off, 0, 16);
    struct um_edit e = { .op = UM_OP_ZERO, .offset = off, .length = 16 };
    struct um_plan plan = { .ops = &e, .n = 1, .old_size = n, .new_size = n, .truncate_at = n, .in_place_ok = true };
    struct um_scan_options o;
    um_scan_options_default(&o);
    int err;
    struct um_scanner *sc = um_scanner_new(&o, &err);
    assert_non_null(sc);
    struct um_policy pol;
    um_policy_default(&pol);
    struct um_verify_options vo = { .full_limit = 1 };
    enum um_verify_level level;
    char *why = NULL;
    err = um_verify(sc, &pol, &vo, &before, d, n, r, n, &plan, "clip_mdta.mp4", &level, &why);
    assert_int_equal(err, UM_E_VERIFY);
    assert_int_not_equal(level, UM_VERIFY_MEDIA_MAP);
    assert_non_null(why);
    free(why);
    um_scanner_free(sc);
    um_file_result_free(&before);
    free(r);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_runs_sort_to_the_bitmap),
        cmocka_unit_test(test_plans_leave_the_map_alone),
        cmocka_unit_test(test_mp4_contents),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_large_in_place_proven_by_map),
        cmocka_unit_test(test_edit_in_media_not_proven),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
