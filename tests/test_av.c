/* Tests of the generic libavformat handler (formats/av.c): what it claims, what it
 * finds in each container of testdata/av (kinds, where, values, attached picture
 * ranges), what it must not report (languages, muxer defaults), the telemetry and
 * kept-stream rules, and that damaged input never crashes. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>

#include "../common/avmem.h"
#include "../formats/format.h"
#include "support.h"

struct fixture {
    uint8_t *data;
    size_t n;
    struct um_file_result res;
};

static void load(struct fixture *fx, const char *name)
{
    char *rel, *path;
    assert_true(asprintf(&rel, "av/%s", name) > 0);
    path = ts_testdata(rel);
    fx->data = ts_read(path, &fx->n);
    if (!fx->data) fail_msg("missing fixture %s (run testdata/gen_av.sh)", path);
    free(rel);
    free(path);
    assert_int_equal(ts_scan(fx->data, fx->n, name, &fx->res), 0);
    assert_string_equal(fx->res.format, "av");
}

static void unload(struct fixture *fx)
{
    um_file_result_free(&fx->res);
    free(fx->data);
}

static const struct um_finding *find_where(const struct um_file_result *res, const char *where)
{
    for (size_t i = 0; i < res->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&res->findings, i);
        if (f->where && strcmp(f->where, where) == 0) return f;
    }
    return NULL;
}

/* The finding at `where` exists with this kind and value, and a remux removes it. */
static void expect(const struct um_file_result *res, const char *where, enum um_kind kind,
                   const char *value)
{
    const struct um_finding *f = find_where(res, where);
    if (!f) fail_msg("no finding at %s", where);
    assert_int_equal(f->kind, kind);
    if (value) assert_string_equal(f->value, value);
    assert_true(f->removable);
    bool remux = false;
    for (size_t i = 0; i < res->edits.len; i++) {
        const struct um_edit *e = um_vec_at(&res->edits, i);
        if (um_vec_at(&res->findings, e->finding) == f) remux = e->op == UM_OP_REMUX;
    }
    assert_true(remux);
}

/* Every fixture with the common tag set reports all of them, by kind. */
static void expect_common_tags(const struct um_file_result *res)
{
    expect(res, "format/metadata/title", UM_K_CONTENT, "LeakTitle");
    expect(res, "format/metadata/artist", UM_K_PERSON, "LeakAuthor");
    expect(res, "format/metadata/location", UM_K_LOCATION, "+48.8584+002.2945/");
    expect(res, "format/metadata/make", UM_K_DEVICE_MODEL, "LeakMake");
    expect(res, "format/metadata/serial_number", UM_K_DEVICE_ID, "SN4242LEAK");
    expect(res, "format/metadata/creation_time", UM_K_TIMESTAMP, NULL);
}

static void test_flv(void **state)
{
    struct fixture fx;
    load(&fx, "tagged.flv");
    expect_common_tags(&fx.res);
    assert_int_equal(fx.res.findings.len, 6);
    unload(&fx);
}

static void test_caf(void **state)
{
    struct fixture fx;
    load(&fx, "tagged.caf");
    expect_common_tags(&fx.res);
    assert_int_equal(fx.res.findings.len, 6);
    unload(&fx);
}

static void test_wtv(void **state)
{
    struct fixture fx;
    load(&fx, "tagged.wtv");
    expect_common_tags(&fx.res);
    unload(&fx);
}

static void test_ts_programs(void **state)
{
    struct fixture fx;
    load(&fx, "tagged.ts");
    expect(&fx.res, "program[0]/metadata/service_provider", UM_K_DEVICE_MODEL, "LeakMake");
    expect(&fx.res, "program[0]/metadata/service_name", UM_K_CONTENT, "LeakTitle");
    /* The audio language is kept by the remux: never a finding. */
    for (size_t i = 0; i < fx.res.findings.len; i++) {
        const struct um_finding *f = um_vec_at(&fx.res.findings, i);
        assert_null(strstr(f->where, "language"));
    }
    assert_int_equal(fx.res.findings.len, 2);
    unload(&fx);
}

static void test_nut_streams_and_chapters(void **state)
{
    struct fixture fx;
    load(&fx, "tagged.nut");
    expect(&fx.res, "format/metadata/title", UM_K_CONTENT, "LeakTitle");
    expect(&fx.res, "format/metadata/artist", UM_K_PERSON, "LeakAuthor");
    expect(&fx.res, "format/metadata/location", UM_K_LOCATION, "+48.8584+002.2945/");
    expect(&fx.res, "stream[0]/metadata/handler_name", UM_K_SOFTWARE, "LeakCam");
    expect(&fx.res, "chapter[0]/metadata/title", UM_K_CONTENT, "LeakChapter");
    expect(&fx.res, "chapter[1]/metadata/title", UM_K_CONTENT, "Second");
    assert_null(find_where(&fx.res, "stream[1]/metadata/language"));
    unload(&fx);
}

static void test_aiff_cover(void **state)
{
    struct fixture fx;
    load(&fx, "tagged.aiff");
    expect_common_tags(&fx.res);
    const struct um_finding *pic = ts_find(&fx.res, UM_K_EMBEDDED_MEDIA);
    assert_non_null(pic);
    assert_string_equal(pic->where, "stream[1]/attached_pic");
    assert_string_equal(pic->value, "mjpeg");
    assert_true(pic->removable);
    /* The range is the JPEG itself, inside the ID3 chunk. */
    assert_true(pic->length > 100);
    assert_true(pic->offset + pic->length <= fx.n);
    assert_memory_equal(fx.data + pic->offset, "\xff\xd8\xff", 3);
    assert_memory_equal(fx.data + pic->offset + pic->length - 2, "\xff\xd9", 2);
    unload(&fx);
}

/* A data stream beside picture and sound is reported and dropped by the remux. */
static void test_telemetry_stream(void **state)
{
    struct fixture fx;
    load(&fx, "telemetry.ts");
    expect(&fx.res, "stream[2]/telemetry", UM_K_CONTENT, NULL);
    const struct um_finding *f = find_where(&fx.res, "stream[2]/telemetry");
    assert_string_equal(f->key, "data_stream");
    assert_non_null(strstr(f->value, "bin_data"));
    unload(&fx);
}

/* Containers without tags, and libavformat's own bit-exact identifiers (MXF), are
 * clean: what our remux writes must never be reported. */
static void test_clean(void **state)
{
    static const char *const names[] = { "plain.mpg", "plain.mxf" };
    for (size_t i = 0; i < 2; i++) {
        struct fixture fx;
        load(&fx, names[i]);
        if (fx.res.findings.len) {
            const struct um_finding *f = um_vec_at(&fx.res.findings, 0);
            fail_msg("%s: unexpected finding %s = %s", names[i], f->where, f->value);
        }
        assert_int_equal(fx.res.status, UM_ST_CLEAN);
        unload(&fx);
    }
}

/* Native handlers win; text, images and noise are not claimed. */
static void test_probe(void **state)
{
    const struct um_format *av = um_format_by_name("av");
    assert_non_null(av);
    /* It is the last handler: the fallback. */
    size_t n = 0;
    while (um_formats[n]) n++;
    assert_ptr_equal(um_formats[n - 1], av);

    static const uint8_t jpeg[] = { 0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0 };
    int score = 0;
    assert_ptr_equal(um_format_probe(jpeg, sizeof jpeg, sizeof jpeg, &score), um_format_by_name("jpeg"));
    assert_int_equal(av->probe(jpeg, sizeof jpeg, sizeof jpeg), 0);

    const char *text = "Hello, this is an ordinary text file with a few words in it.\n"
                       "\x1b[1mANSI bold\x1b[0m and more text to make it long enough.\n";
    assert_int_equal(av->probe((const uint8_t *)text, strlen(text), strlen(text)), 0);

    uint8_t zeros[4096] = { 0 };
    assert_int_equal(av->probe(zeros, sizeof zeros, sizeof zeros), 0);
    assert_int_equal(av->probe(zeros, 3, 3), 0);

    /* A real fixture bids below any native handler's weakest bid. */
    struct fixture fx;
    load(&fx, "tagged.ts");
    int s = av->probe(fx.data, fx.n, fx.n);
    assert_true(s > 0 && s < UM_PROBE_WEAK);
    unload(&fx);
}

static AVStream *new_stream(AVFormatContext *f, enum AVMediaType t, uint32_t tag, const char *handler)
{
    AVStream *st = avformat_new_stream(f, NULL);
    assert_non_null(st);
    st->codecpar->codec_type = t;
    st->codecpar->codec_tag = tag;
    if (handler) av_dict_set(&st->metadata, "handler_name", handler, 0);
    return st;
}

static void test_stream_rules(void **state)
{
    AVFormatContext *f = avformat_alloc_context();
    assert_non_null(f);
    AVStream *video = new_stream(f, AVMEDIA_TYPE_VIDEO, 0, "GoPro AVC");
    AVStream *gpmd = new_stream(f, AVMEDIA_TYPE_DATA, MKTAG('g', 'p', 'm', 'd'), "GoPro MET");
    AVStream *camm = new_stream(f, AVMEDIA_TYPE_UNKNOWN, MKTAG('c', 'a', 'm', 'm'), NULL);
    AVStream *gps_sub = new_stream(f, AVMEDIA_TYPE_SUBTITLE, 0, "Car GPS track");
    AVStream *sub = new_stream(f, AVMEDIA_TYPE_SUBTITLE, 0, "SubtitleHandler");
    AVStream *cover = new_stream(f, AVMEDIA_TYPE_VIDEO, 0, NULL);
    cover->disposition |= AV_DISPOSITION_ATTACHED_PIC;
    AVStream *font = new_stream(f, AVMEDIA_TYPE_ATTACHMENT, 0, NULL);

    assert_false(um_av_is_telemetry(video));   /* a camera's own video is content */
    assert_true(um_av_stream_kept(video));
    assert_true(um_av_is_telemetry(gpmd));
    assert_false(um_av_stream_kept(gpmd));
    assert_true(um_av_is_telemetry(camm));
    assert_false(um_av_stream_kept(camm));
    assert_true(um_av_is_telemetry(gps_sub));
    assert_false(um_av_stream_kept(gps_sub));
    assert_false(um_av_is_telemetry(sub));
    assert_true(um_av_stream_kept(sub));
    assert_false(um_av_stream_kept(cover));
    assert_true(um_av_stream_kept(font));
    avformat_free_context(f);
}

/* Every prefix and many byte-flipped variants either scan or fail cleanly. */
static void test_damaged(void **state)
{
    static const char *const names[] = { "tagged.ts", "tagged.flv", "tagged.nut", "tagged.aiff",
                                         "tagged.caf", "tagged.wtv", "plain.mxf" };
    unsigned seed = 12345;
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        struct fixture fx;
        load(&fx, names[k]);
        uint8_t *copy = malloc(fx.n);
        assert_non_null(copy);
        for (size_t cut = 0; cut < fx.n; cut += fx.n / 37 + 1) {
            struct um_file_result r;
            ts_scan(fx.data, cut, names[k], &r);
            um_file_result_free(&r);
        }
        for (int round = 0; round < 40; round++) {
            memcpy(copy, fx.data, fx.n);
            for (int flips = 0; flips < 8; flips++) {
                seed = seed * 1103515245u + 12345u;
                copy[(seed >> 8) % fx.n] ^= (uint8_t)(1u << (seed % 8));
            }
            struct um_file_result r;
            int err = ts_scan(copy, fx.n, names[k], &r);
            assert_true(err == 0 || err < 0);
            um_file_result_free(&r);
        }
        free(copy);
        unload(&fx);
    }
}

/* The real files of other tools, where this tree has no native handler for them. */
static void test_shared_fixtures(void **state)
{
    char *path = ts_shared("mat2/dirty.aiff");
    if (!path) skip();
    size_t n;
    uint8_t *d = ts_read(path, &n);
    assert_non_null(d);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "dirty.aiff", &r), 0);
    assert_string_equal(r.format, "av");
    expect(&r, "format/metadata/title", UM_K_CONTENT, "I am so");
    expect(&r, "format/metadata/comment", UM_K_CONTENT, "Thank you for using MAT !");
    um_file_result_free(&r);
    free(d);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flv),
        cmocka_unit_test(test_caf),
        cmocka_unit_test(test_wtv),
        cmocka_unit_test(test_ts_programs),
        cmocka_unit_test(test_nut_streams_and_chapters),
        cmocka_unit_test(test_aiff_cover),
        cmocka_unit_test(test_telemetry_stream),
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_stream_rules),
        cmocka_unit_test(test_damaged),
        cmocka_unit_test(test_shared_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
