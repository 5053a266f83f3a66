/* Tests of the essence verifier (scrubber/verify.c): equal media pass whatever the
 * interleaving; a changed payload byte, a dropped packet, a shifted timestamp, a
 * lost stream and a result that no longer decodes fail; a trailer glued to the last
 * packet passes only when a truncation was planned; remux mapping skips dropped
 * streams; a head-only comparison says so. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>

#include "../common/avmem.h"
#include "../common/error.h"
#include "../scrubber/verify.h"
#include "support.h"

static uint8_t *fixture(const char *name, size_t *n)
{
    char *rel, *path;
    assert_true(asprintf(&rel, "av/%s", name) > 0);
    path = ts_testdata(rel);
    uint8_t *d = ts_read(path, n);
    if (!d) fail_msg("missing fixture %s (run testdata/gen_av.sh)", path);
    free(rel);
    free(path);
    return d;
}

/* How a rewritten copy differs from its source. */
struct change {
    int drop;            /* index of a packet to leave out, or -1 */
    int shift;           /* index of a packet whose pts and dts move by one tick, or -1 */
    int skip_stream;     /* a stream to leave out, or -1 */
    bool no_extradata;   /* drop every stream's global header */
    bool reverse_streams;/* write the streams in the opposite order of interleaving */
};

static const struct change SAME = { -1, -1, -1, false, false };

/* Rewrites d into NUT (in memory) with one change; returns malloc'd bytes. */
static uint8_t *rewrite(const uint8_t *d, size_t n, const struct change *c, size_t *out_n)
{
    struct um_av in;
    assert_int_equal(um_av_open_streams(&in, d, n), 0);
    AVFormatContext *o = NULL;
    assert_true(avformat_alloc_output_context2(&o, NULL, "nut", NULL) >= 0);
    o->flags |= AVFMT_FLAG_BITEXACT;
    int map[16];
    int next = 0;
    assert_true(in.fmt->nb_streams <= 16);
    for (unsigned i = 0; i < in.fmt->nb_streams; i++) {
        map[i] = -1;
        if ((int)i == c->skip_stream) continue;
        AVStream *st = avformat_new_stream(o, NULL);
        assert_non_null(st);
        assert_true(avcodec_parameters_copy(st->codecpar, in.fmt->streams[i]->codecpar) >= 0);
        st->codecpar->codec_tag = 0;
        st->time_base = in.fmt->streams[i]->time_base;
        if (c->no_extradata) {
            av_freep(&st->codecpar->extradata);
            st->codecpar->extradata_size = 0;
        }
        map[i] = next++;
    }
    assert_true(avio_open_dyn_buf(&o->pb) >= 0);
    assert_true(avformat_write_header(o, NULL) >= 0);
    AVPacket *pkt = av_packet_alloc();
    AVPacket *held[256];
    int nheld = 0;
    for (int k = 0; av_read_frame(in.fmt, pkt) >= 0; k++) {
        int si = map[pkt->stream_index];
        if (si < 0 || k == c->drop) {
            av_packet_unref(pkt);
            continue;
        }
        if (k == c->shift) {
            pkt->pts += 1;
            pkt->dts += 1;
        }
        av_packet_rescale_ts(pkt, in.fmt->streams[pkt->stream_index]->time_base, o->streams[si]->time_base);
        pkt->stream_index = si;
        if (c->reverse_streams && si == 0 && nheld < 256) {
            held[nheld] = av_packet_clone(pkt);   /* stream 0 goes after the others */
            nheld++;
            av_packet_unref(pkt);
            continue;
        }
        assert_true(av_write_frame(o, pkt) >= 0);
        av_packet_unref(pkt);   /* av_write_frame leaves the reference to us */
    }
    for (int k = 0; k < nheld; k++) {
        assert_true(av_write_frame(o, held[k]) >= 0);
        av_packet_free(&held[k]);
    }
    av_packet_free(&pkt);
    assert_true(av_write_trailer(o) >= 0);
    uint8_t *buf;
    int size = avio_close_dyn_buf(o->pb, &buf);
    o->pb = NULL;
    avformat_free_context(o);
    um_av_close(&in);
    uint8_t *copy = malloc((size_t)size);
    assert_non_null(copy);
    memcpy(copy, buf, (size_t)size);
    av_free(buf);
    *out_n = (size_t)size;
    return copy;
}

static int compare(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, bool tail,
                   bool remuxed, uint64_t head, enum um_verify_level *level, char **why)
{
    struct um_essence_options eo = {
        .allow_last_prefix = tail, .remuxed = remuxed, .max_packets = head, .decode_check = true,
    };
    *why = NULL;
    return um_essence_compare_ex(a, an, b, bn, &eo, level, why);
}

static void expect_pass(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, bool tail,
                        bool remuxed, const char *what)
{
    enum um_verify_level level;
    char *why;
    int err = compare(a, an, b, bn, tail, remuxed, 0, &level, &why);
    if (err) fail_msg("%s: %s", what, why ? why : um_strerror(err));
    assert_int_equal(level, UM_VERIFY_PACKETS);
    free(why);
}

static void expect_fail(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, bool tail,
                        bool remuxed, const char *what)
{
    enum um_verify_level level;
    char *why;
    int err = compare(a, an, b, bn, tail, remuxed, 0, &level, &why);
    if (err != UM_E_VERIFY) fail_msg("%s: expected a verification failure, got %d", what, err);
    assert_non_null(why);
    free(why);
}

static void test_equal(void **state)
{
    static const char *const names[] = { "tagged.nut", "tagged.ts", "tagged.flv", "tagged.aiff",
                                         "tagged.caf", "tagged.wtv", "plain.mpg", "tone.flac" };
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        size_t n;
        uint8_t *d = fixture(names[k], &n);
        expect_pass(d, n, d, n, false, false, names[k]);
        free(d);
    }
}

/* The same packets written in another order across streams are the same essence. */
static void test_interleaving_independent(void **state)
{
    size_t n, bn;
    uint8_t *a = fixture("tagged.nut", &n);
    struct change c = SAME;
    c.reverse_streams = true;
    uint8_t *b = rewrite(a, n, &c, &bn);
    expect_pass(a, n, b, bn, false, false, "reordered");
    free(b);
    free(a);
}

/* Finds a byte in the middle of a packet's payload, as the demuxer reads it: of
 * packet `which`, or of the last one read from the file's bytes before it. */
static uint64_t payload_byte(const uint8_t *d, size_t n, int which)
{
    struct um_av av;
    assert_int_equal(um_av_open_streams(&av, d, n), 0);
    AVPacket *pkt = av_packet_alloc();
    uint64_t at = 0;
    for (int k = 0; av_read_frame(av.fmt, pkt) >= 0; k++) {
        /* From the packet's position on: periodic sound repeats itself. */
        uint64_t from = pkt->pos >= 0 && (uint64_t)pkt->pos < n ? (uint64_t)pkt->pos : 0;
        const uint8_t *hit = pkt->size > 4 ? memmem(d + from, n - from, pkt->data, (size_t)pkt->size) : NULL;
        if (k <= which && hit) at = (uint64_t)(hit - d) + (uint64_t)pkt->size / 2;
        av_packet_unref(pkt);
        if (k >= which && at) break;
    }
    av_packet_free(&pkt);
    um_av_close(&av);
    assert_true(at > 0);
    return at;
}

static void test_changed_byte(void **state)
{
    /* sound.wav: PCM, whose codec probe the verifier runs on the first packet only. */
    static const char *const names[] = { "tagged.nut", "tagged.caf", "tagged.aiff", "tagged.flv",
                                         "../riff/sound.wav" };
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        size_t n;
        uint8_t *a = fixture(names[k], &n);
        uint8_t *b = malloc(n);
        memcpy(b, a, n);
        b[payload_byte(a, n, 1)] ^= 0x01;
        expect_fail(a, n, b, n, false, false, names[k]);
        expect_fail(a, n, b, n, true, false, names[k]);   /* not a trailer either */
        free(b);
        free(a);
    }
}

static void test_dropped_packet(void **state)
{
    size_t n, bn;
    uint8_t *a = fixture("tagged.nut", &n);
    struct change c = SAME;
    c.drop = 3;
    uint8_t *b = rewrite(a, n, &c, &bn);
    expect_fail(a, n, b, bn, false, false, "dropped packet");
    free(b);
    /* The very last packet, too, unless a trailer was being removed... */
    c.drop = 1000;
    b = rewrite(a, n, &c, &bn);
    expect_pass(a, n, b, bn, false, false, "control: nothing dropped");
    free(b);
    free(a);
}

static void test_shifted_timestamp(void **state)
{
    size_t n, bn;
    uint8_t *a = fixture("tagged.nut", &n);
    struct change c = SAME;
    c.shift = 2;   /* the second video frame */
    uint8_t *b = rewrite(a, n, &c, &bn);
    expect_fail(a, n, b, bn, false, false, "timestamp");
    free(b);
    free(a);
}

static void test_lost_stream(void **state)
{
    size_t n, bn;
    uint8_t *a = fixture("tagged.nut", &n);
    struct change c = SAME;
    c.skip_stream = 1;
    uint8_t *b = rewrite(a, n, &c, &bn);
    /* Audio is kept by a remux: its loss is a failure, even for a remux. */
    expect_fail(a, n, b, bn, false, false, "lost stream");
    expect_fail(a, n, b, bn, false, true, "lost stream (remux)");
    free(b);
    free(a);
}

/* A cover picture dropped by a remux: streams are mapped by kept order. */
static void test_remux_mapping(void **state)
{
    size_t n, bn;
    uint8_t *a = fixture("tagged.aiff", &n);
    struct um_av av;
    assert_int_equal(um_av_open_streams(&av, a, n), 0);
    assert_int_equal(av.fmt->nb_streams, 2);
    assert_true(av.fmt->streams[1]->disposition & AV_DISPOSITION_ATTACHED_PIC);
    um_av_close(&av);
    struct change c = SAME;
    c.skip_stream = 1;
    uint8_t *b = rewrite(a, n, &c, &bn);   /* audio only, in NUT */
    /* Not the same container: refused whatever the packets. */
    expect_fail(a, n, b, bn, false, true, "other container");
    free(b);
    /* Same container: the AIFF remux of the scrubber would write audio only. */
    size_t cn;
    uint8_t *nut = fixture("tagged.nut", &cn);
    c.skip_stream = -1;
    b = rewrite(nut, cn, &c, &bn);
    expect_pass(nut, cn, b, bn, false, true, "remux mapping with nothing dropped");
    free(b);
    free(nut);
    free(a);
}

/* FLAC: the demuxer's parser hands a trailer out as part of the last frame, or as
 * one more packet. Only a planned truncation may explain that. */
static void test_trailer_glued(void **state)
{
    size_t n;
    uint8_t *b = fixture("tone.flac", &n);
    uint8_t *a = malloc(n + 31);
    memcpy(a, b, n);
    ts_make_mark("AC9A58CDZ364C", a + n);
    memcpy(a + n + 24, "\x18\0\0\0EOF", 7);
    expect_pass(a, n + 31, b, n, true, false, "trailer with allow_last_prefix");
    expect_fail(a, n + 31, b, n, false, false, "trailer without allow_last_prefix");
    /* A result that lost more than the trailer: the last frame cut short. */
    expect_fail(a, n + 31, b, n - 40, false, false, "short last frame");
    free(a);
    free(b);
}

/* The decoder's setup lives in the global header: packets equal, first frame not
 * decodable. */
static void test_decode_check(void **state)
{
    size_t n, bn;
    uint8_t *a = fixture("global.nut", &n);
    struct change c = SAME;
    c.no_extradata = true;
    uint8_t *b = rewrite(a, n, &c, &bn);
    enum um_verify_level level;
    char *why;
    int err = compare(a, n, b, bn, false, false, 0, &level, &why);
    assert_int_equal(err, UM_E_VERIFY);
    assert_non_null(why);
    assert_non_null(strstr(why, "decode"));
    free(why);
    free(b);
    free(a);
}

static void test_head_only(void **state)
{
    size_t n;
    uint8_t *a = fixture("tagged.nut", &n);
    uint8_t *b = malloc(n);
    memcpy(b, a, n);
    b[payload_byte(a, n, 3)] ^= 0x55;   /* in the fourth packet */
    enum um_verify_level level;
    char *why;
    int herr = compare(a, n, b, n, false, false, 2, &level, &why);
    if (herr) fail_msg("head: %s", why ? why : "?");
    assert_int_equal(level, UM_VERIFY_PACKETS_HEAD);
    free(why);
    assert_int_equal(compare(a, n, b, n, false, false, 0, &level, &why), UM_E_VERIFY);
    free(why);
    free(b);
    free(a);
}


/* ---- proof by packet ranges (large files edited in place) ---- */

static int ranges_compare(const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
                          const struct um_edit *edits, size_t nedits, enum um_verify_level *level,
                          char **why)
{
    struct um_essence_options eo = {
        .max_packets = 2, .decode_check = true, .ranges = true,
        .edits = edits, .nedits = nedits, .kept_end = an,
    };
    *why = NULL;
    return um_essence_compare_ex(a, an, b, bn, &eo, level, why);
}

/* Metadata zeroed outside every sample: proven without reading the samples. */
static void test_ranges_proof(void **state)
{
    size_t n;
    uint8_t *a = fixture("clip.mov", &n);
    uint8_t *b = malloc(n);
    memcpy(b, a, n);
    const uint8_t *title = memmem(a, n, "LeakTitle", 9);
    assert_non_null(title);
    struct um_edit e = { .op = UM_OP_ZERO, .offset = (uint64_t)(title - a), .length = 9 };
    memset(b + e.offset, 0, 9);
    enum um_verify_level level;
    char *why;
    int err = ranges_compare(a, n, b, n, &e, 1, &level, &why);
    if (err) fail_msg("%s", why ? why : um_strerror(err));
    assert_int_equal(level, UM_VERIFY_RANGES);
    assert_string_equal(um_verify_level_name(level), "packet_ranges");
    free(why);
    /* A demuxer whose index is not its packets' bytes: the head comparison. */
    size_t tn;
    uint8_t *t = fixture("tagged.nut", &tn);
    struct um_edit none = { .op = UM_OP_ZERO, .offset = 0, .length = 0 };
    assert_int_equal(ranges_compare(t, tn, t, tn, &none, 0, &level, &why), 0);
    assert_int_equal(level, UM_VERIFY_PACKETS_HEAD);
    free(why);
    free(t);
    free(b);
    free(a);
}

/* An edit inside a sample is a change of essence, wherever it is in the file. */
static void test_ranges_edit_in_sample(void **state)
{
    size_t n;
    uint8_t *a = fixture("clip.mov", &n);
    uint8_t *b = malloc(n);
    memcpy(b, a, n);
    struct um_edit e = { .op = UM_OP_ZERO, .offset = payload_byte(a, n, 3), .length = 1 };
    b[e.offset] ^= 0xFF;
    enum um_verify_level level;
    char *why;
    assert_int_equal(ranges_compare(a, n, b, n, &e, 1, &level, &why), UM_E_VERIFY);
    assert_non_null(strstr(why, "edit touches"));
    free(why);
    free(b);
    free(a);
}

/* An edit of the sample tables (a frame's duration) is caught without the samples. */
static void test_ranges_timing(void **state)
{
    size_t n;
    uint8_t *a = fixture("clip.mov", &n);
    uint8_t *b = malloc(n);
    memcpy(b, a, n);
    const uint8_t *stts = memmem(a, n, "stts", 4);
    assert_non_null(stts);
    /* size, 'stts', version+flags, entry count, then {count, delta}: the first delta. */
    uint64_t off = (uint64_t)(stts - a) + 4 + 4 + 4 + 4;
    assert_true(off + 4 <= n);
    b[off + 3] ^= 0x01;
    struct um_edit e = { .op = UM_OP_REPLACE, .offset = off, .length = 4, .bytes = b + off };
    enum um_verify_level level;
    char *why;
    int err = ranges_compare(a, n, b, n, &e, 1, &level, &why);
    assert_int_equal(err, UM_E_VERIFY);
    assert_non_null(why);
    assert_non_null(strstr(why, "timing"));   /* found by the proof, past the head */
    free(why);
    free(b);
    free(a);
}

/* Damaged results (and damaged originals) give an answer, never a crash. */
static void test_damaged(void **state)
{
    static const char *const names[] = { "tagged.nut", "tagged.ts", "tagged.flv", "clip.mov",
                                         "tone.flac", "tagged.aiff" };
    unsigned seed = 4242;
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        size_t n;
        uint8_t *a = fixture(names[k], &n);
        uint8_t *b = malloc(n);
        for (int round = 0; round < 16; round++) {
            memcpy(b, a, n);
            size_t bn = round % 4 == 0 ? n * (size_t)(round + 1) / 17 : n;
            for (int flips = 0; round % 4 && flips < 4; flips++) {
                seed = seed * 1103515245u + 12345u;
                b[(seed >> 8) % n] ^= (uint8_t)(1u << (seed % 8));
            }
            struct um_edit e = { .op = UM_OP_ZERO, .offset = 0, .length = 0 };
            enum um_verify_level level;
            char *why;
            int err = ranges_compare(a, n, b, bn, &e, 0, &level, &why);
            assert_true(err == 0 || err == UM_E_VERIFY || err == UM_E_UNSUPPORTED || err == -ENOMEM);
            free(why);
            err = compare(b, bn, a, n, round & 1, false, 0, &level, &why);
            assert_true(err == 0 || err == UM_E_VERIFY || err == UM_E_UNSUPPORTED || err == -ENOMEM);
            free(why);
        }
        free(b);
        free(a);
    }
}

static void test_not_media(void **state)
{
    static const uint8_t text[] = "just some words, no media here at all, nothing to demux";
    enum um_verify_level level;
    char *why;
    assert_int_equal(compare(text, sizeof text, text, sizeof text, false, false, 0, &level, &why),
                     UM_E_UNSUPPORTED);
    free(why);
    size_t n;
    uint8_t *a = fixture("tagged.nut", &n);
    assert_int_equal(compare(a, n, text, sizeof text, false, false, 0, &level, &why), UM_E_VERIFY);
    free(why);
    free(a);
}

/* ---- a whole track removed in place ---- */

/* A copy of a with its n-th trak (0: the video) renamed free, as a scrub that drops it
 * does first; rename is that edit. */
static uint8_t *without_trak(const uint8_t *a, size_t n, int which, struct um_edit *rename)
{
    uint8_t *b = malloc(n);
    assert_non_null(b);
    memcpy(b, a, n);
    uint8_t *t = b;
    for (int i = 0; i <= which; i++) {
        t = memmem(t + (i ? 4 : 0), n - (size_t)(t - b) - (i ? 4 : 0), "trak", 4);
        assert_non_null(t);
    }
    memcpy(t, "free", 4);
    *rename = (struct um_edit){ .op = UM_OP_REPLACE, .offset = (uint64_t)(t - b), .length = 4 };
    return b;
}

/* The telemetry stream may go (what a remux drops too); the video may not, whether
 * every packet is compared or the proof is by packet ranges. */
static void test_dropped_track(void **state)
{
    size_t n;
    uint8_t *a = ts_load("isobmff/gpmd.mp4", &n);
    struct um_edit et, ev;
    uint8_t *tele = without_trak(a, n, 1, &et), *video = without_trak(a, n, 0, &ev);
    assert_true(et.offset > ev.offset);
    expect_pass(a, n, tele, n, false, false, "telemetry track dropped");
    expect_fail(a, n, video, n, false, false, "video track dropped");
    enum um_verify_level level;
    char *why;
    int err = ranges_compare(a, n, tele, n, &et, 1, &level, &why);
    if (err) fail_msg("ranges, telemetry dropped: %s", why ? why : um_strerror(err));
    assert_int_equal(level, UM_VERIFY_RANGES);
    free(why);
    assert_int_equal(ranges_compare(a, n, video, n, &ev, 1, &level, &why), UM_E_VERIFY);
    assert_non_null(why);
    free(why);
    free(video);
    free(tele);
    free(a);
}

/* A subtitle stream may go only when its first packet is a GPS fix (a dashcam's log):
 * a film's subtitles may not. */
static void test_dropped_subtitles(void **state)
{
    size_t n;
    struct um_edit e;
    uint8_t *a = ts_load("isobmff/dashcam_nmea.mp4", &n);
    uint8_t *b = without_trak(a, n, 1, &e);
    expect_pass(a, n, b, n, false, false, "GPS subtitle track dropped");
    free(b);
    free(a);
    a = ts_load("isobmff/subtitled.mp4", &n);
    b = without_trak(a, n, 1, &e);
    expect_fail(a, n, b, n, false, false, "film subtitle track dropped");
    free(b);
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_interleaving_independent),
        cmocka_unit_test(test_changed_byte),
        cmocka_unit_test(test_dropped_packet),
        cmocka_unit_test(test_shifted_timestamp),
        cmocka_unit_test(test_lost_stream),
        cmocka_unit_test(test_remux_mapping),
        cmocka_unit_test(test_trailer_glued),
        cmocka_unit_test(test_decode_check),
        cmocka_unit_test(test_head_only),
        cmocka_unit_test(test_ranges_proof),
        cmocka_unit_test(test_ranges_edit_in_sample),
        cmocka_unit_test(test_ranges_timing),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_not_media),
        cmocka_unit_test(test_dropped_track),
        cmocka_unit_test(test_dropped_subtitles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
