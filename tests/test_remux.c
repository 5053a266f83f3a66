/* Tests of the REMUX removal path (scrubber/remux.c through scrubber/scrub.c): every
 * tagged fixture of testdata/av scrubs to a file that re-scans clean, keeps its
 * packets bit for bit (per the verifier and, when ffmpeg is installed, per ffmpeg's
 * own stream hashes through the real CLI), keeps languages, dispositions and chapter
 * times, drops cover art, and comes out byte-identical when done twice. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/avmem.h"
#include "../common/error.h"
#include "../scrubber/remux.h"
#include "../scrubber/scrub.h"
#include "support.h"

static const char *argv0;

static const char *const tagged[] = { "tagged.ts", "tagged.flv", "tagged.nut", "tagged.aiff",
                                      "tagged.caf", "tagged.wtv", "telemetry.ts" };

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

/* Scans dir/name and scrubs it, into out (a directory) or in place (out NULL). */
static int scrub_file(const char *dir, const char *name, const char *out, struct um_file_result *res)
{
    struct um_scan_options so;
    um_scan_options_default(&so);
    so.mime = false;
    int err;
    struct um_scanner *sc = um_scanner_new(&so, &err);
    assert_non_null(sc);
    int dirfd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_true(dirfd >= 0);
    int fd = openat(dirfd, name, O_RDONLY);
    assert_true(fd >= 0);
    int outfd = out ? open(out, O_RDONLY | O_DIRECTORY) : -1;
    um_file_result_init(res);
    assert_int_equal(um_scan_fd(sc, fd, name, res), 0);
    struct um_scrub_options o;
    um_scrub_options_default(&o);
    err = um_scrub_one(sc, &o, dirfd, name, fd, outfd, res);
    close(fd);
    close(dirfd);
    if (outfd >= 0) close(outfd);
    um_scanner_free(sc);
    return err;
}

static uint8_t *read_in(const char *dir, const char *name, size_t *n)
{
    char *p;
    assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
    uint8_t *d = ts_read(p, n);
    assert_non_null(d);
    free(p);
    return d;
}

static void test_scrub_all(void **state)
{
    char *dir = ts_mkdtemp(), *out1 = ts_mkdtemp(), *out2 = ts_mkdtemp();
    for (size_t k = 0; k < sizeof tagged / sizeof *tagged; k++) {
        const char *name = tagged[k];
        size_t n;
        uint8_t *orig = fixture(name, &n);
        free(ts_write(dir, name, orig, n));

        struct um_file_result res;
        int err = scrub_file(dir, name, out1, &res);
        if (err) fail_msg("%s: %s (%s)", name, um_strerror(err), res.error_text ? res.error_text : "");
        assert_int_equal(res.status, UM_ST_SCRUBBED);
        assert_int_equal(res.scrub_path, UM_PATH_REMUX);
        um_file_result_free(&res);

        size_t rn;
        uint8_t *result = read_in(out1, name, &rn);
        /* Clean on a re-scan, same container. */
        struct um_file_result after;
        assert_int_equal(ts_scan(result, rn, name, &after), 0);
        assert_string_equal(after.format, "av");
        if (after.findings.len) {
            const struct um_finding *f = um_vec_at(&after.findings, 0);
            fail_msg("%s: still found %s = %s", name, f->where, f->value);
        }
        um_file_result_free(&after);
        /* No marker of ours or of the original's tags anywhere in the bytes. */
        assert_null(memmem(result, rn, "Leak", 4));
        assert_null(memmem(result, rn, "SN4242", 6));
        assert_null(memmem(result, rn, "Lavf", 4));
        assert_null(memmem(result, rn, "+48.8584", 8));
        /* Same essence, per stream, every packet. */
        struct um_essence_options eo = { .remuxed = true, .decode_check = true };
        enum um_verify_level level;
        char *why = NULL;
        err = um_essence_compare_ex(orig, n, result, rn, &eo, &level, &why);
        if (err) fail_msg("%s: %s", name, why ? why : um_strerror(err));
        assert_int_equal(level, UM_VERIFY_PACKETS);
        free(why);

        /* Deterministic: a second run gives the same bytes. */
        assert_int_equal(scrub_file(dir, name, out2, &res), 0);
        um_file_result_free(&res);
        size_t rn2;
        uint8_t *again = read_in(out2, name, &rn2);
        assert_int_equal(rn, rn2);
        assert_memory_equal(result, again, rn);
        free(again);
        free(result);
        free(orig);
    }
    ts_rmdir(dir);
    ts_rmdir(out1);
    ts_rmdir(out2);
    free(dir);
    free(out1);
    free(out2);
}

/* What playback needs stays: languages, chapter times; cover art goes. */
static void test_kept_and_dropped(void **state)
{
    char *dir = ts_mkdtemp(), *out = ts_mkdtemp();
    static const char *const names[] = { "tagged.nut", "tagged.ts", "tagged.aiff" };
    for (size_t k = 0; k < 3; k++) {
        size_t n;
        uint8_t *orig = fixture(names[k], &n);
        free(ts_write(dir, names[k], orig, n));
        free(orig);
        struct um_file_result res;
        assert_int_equal(scrub_file(dir, names[k], out, &res), 0);
        um_file_result_free(&res);
    }
    size_t n;
    struct um_av av;
    uint8_t *nut = read_in(out, "tagged.nut", &n);
    assert_int_equal(um_av_open(&av, nut, n), 0);
    assert_int_equal(av.fmt->nb_streams, 2);
    const AVDictionaryEntry *lang = av_dict_get(av.fmt->streams[1]->metadata, "language", NULL, 0);
    assert_non_null(lang);
    assert_string_equal(lang->value, "kor");
    assert_null(av_dict_get(av.fmt->streams[0]->metadata, "handler_name", NULL, 0));
    assert_int_equal(av.fmt->nb_chapters, 2);
    AVChapter *c1 = av.fmt->chapters[1];
    assert_int_equal(av_rescale_q(c1->start, c1->time_base, (AVRational){ 1, 1000 }), 100);
    assert_int_equal(av_rescale_q(c1->end, c1->time_base, (AVRational){ 1, 1000 }), 200);
    assert_null(av_dict_get(c1->metadata, "title", NULL, 0));
    assert_null(av_dict_get(av.fmt->metadata, "", NULL, AV_DICT_IGNORE_SUFFIX));
    um_av_close(&av);
    free(nut);

    uint8_t *ts = read_in(out, "tagged.ts", &n);
    assert_int_equal(um_av_open(&av, ts, n), 0);
    assert_int_equal(av.fmt->nb_streams, 2);
    lang = av_dict_get(av.fmt->streams[1]->metadata, "language", NULL, 0);
    assert_non_null(lang);
    assert_string_equal(lang->value, "kor");
    um_av_close(&av);
    free(ts);

    uint8_t *aiff = read_in(out, "tagged.aiff", &n);
    assert_int_equal(um_av_open(&av, aiff, n), 0);
    assert_int_equal(av.fmt->nb_streams, 1);   /* the cover is gone */
    assert_int_equal(av.fmt->streams[0]->codecpar->codec_type, AVMEDIA_TYPE_AUDIO);
    um_av_close(&av);
    assert_null(memmem(aiff, n, "\xff\xd8\xff", 3));
    free(aiff);
    ts_rmdir(dir);
    ts_rmdir(out);
    free(dir);
    free(out);
}

/* In place (no --out): the file is replaced by its remux, atomically. */
static void test_in_place(void **state)
{
    char *dir = ts_mkdtemp();
    size_t n;
    uint8_t *orig = fixture("tagged.flv", &n);
    free(ts_write(dir, "clip.flv", orig, n));
    struct um_file_result res;
    assert_int_equal(scrub_file(dir, "clip.flv", NULL, &res), 0);
    assert_int_equal(res.scrub_path, UM_PATH_REMUX);
    um_file_result_free(&res);
    size_t rn;
    uint8_t *result = read_in(dir, "clip.flv", &rn);
    struct um_file_result after;
    assert_int_equal(ts_scan(result, rn, "clip.flv", &after), 0);
    assert_int_equal(after.findings.len, 0);
    um_file_result_free(&after);
    /* No temp or backup file is left behind. */
    char *cmd;
    assert_true(asprintf(&cmd, "test $(ls -A '%s' | wc -l) -eq 1", dir) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(result);
    free(orig);
    ts_rmdir(dir);
    free(dir);
}

/* A Red Star trailer after a remuxed file goes too, and the verifier accepts the
 * original's trailing bytes as not media. */
static void test_with_trailer(void **state)
{
    char *dir = ts_mkdtemp(), *out = ts_mkdtemp();
    size_t n;
    uint8_t *orig = fixture("tagged.aiff", &n);
    uint8_t *marked = malloc(n + 31);
    assert_non_null(marked);
    memcpy(marked, orig, n);
    ts_make_mark("AC9A58CDZ364C", marked + n);
    memcpy(marked + n + 24, "\x18\0\0\0EOF", 7);
    free(ts_write(dir, "song.aiff", marked, n + 31));
    struct um_file_result res;
    int err = scrub_file(dir, "song.aiff", out, &res);
    if (err) fail_msg("%s (%s)", um_strerror(err), res.error_text ? res.error_text : "");
    assert_int_equal(res.scrub_path, UM_PATH_REMUX);
    um_file_result_free(&res);
    size_t rn;
    uint8_t *result = read_in(out, "song.aiff", &rn);
    assert_true(rn < n);
    assert_null(memmem(result, rn, "EOF", 3));
    struct um_file_result after;
    assert_int_equal(ts_scan(result, rn, "song.aiff", &after), 0);
    assert_int_equal(after.findings.len, 0);
    um_file_result_free(&after);
    free(result);
    free(marked);
    free(orig);
    ts_rmdir(dir);
    ts_rmdir(out);
    free(dir);
    free(out);
}

static void test_not_media(void **state)
{
    char *dir = ts_mkdtemp();
    char *p = ts_write(dir, "x", "", 0);
    int fd = open(p, O_RDWR);
    assert_true(fd >= 0);
    uint64_t size = 1;
    char *why = NULL;
    static const uint8_t junk[64] = { 1, 2, 3 };
    assert_int_equal(um_remux(junk, sizeof junk, fd, &size, NULL, &why), UM_E_UNSUPPORTED);
    assert_int_equal(size, 0);
    assert_non_null(why);
    free(why);
    close(fd);
    free(p);
    ts_rmdir(dir);
    free(dir);
}

/* Remuxes bytes into a temp file; returns its bytes (malloc'd) or NULL with *err. */
static uint8_t *remux_bytes(const uint8_t *d, size_t n, size_t *out_n, int *err)
{
    char *dir = ts_mkdtemp();
    char *p = ts_write(dir, "out", "", 0);
    int fd = open(p, O_RDWR);
    assert_true(fd >= 0);
    uint64_t size = 0;
    char *why = NULL;
    *err = um_remux(d, n, fd, &size, NULL, &why);
    free(why);
    uint8_t *out = NULL;
    if (!*err) {
        assert_int_equal(ftruncate(fd, (off_t)size), 0);
        out = ts_read(p, out_n);
        assert_non_null(out);
        assert_int_equal(*out_n, size);
    }
    close(fd);
    free(p);
    ts_rmdir(dir);
    free(dir);
    return out;
}

/* The remux itself is format-independent: Matroska keeps languages, default and
 * forced flags, the subtitle track, the attached font with its name and type, and
 * chapter times; loses every tag and chapter title; twice gives the same bytes. */
static void test_remux_matroska(void **state)
{
    size_t n, rn, rn2;
    int err;
    uint8_t *orig = fixture("rich.mkv", &n);
    uint8_t *r = remux_bytes(orig, n, &rn, &err);
    assert_int_equal(err, 0);
    uint8_t *r2 = remux_bytes(orig, n, &rn2, &err);
    assert_int_equal(err, 0);
    assert_int_equal(rn, rn2);
    assert_memory_equal(r, r2, rn);
    assert_null(memmem(r, rn, "Leak", 4));
    assert_null(memmem(r, rn, "Lavc", 4));

    struct um_av av;
    assert_int_equal(um_av_open_streams(&av, r, rn), 0);
    AVFormatContext *f = av.fmt;
    assert_int_equal(f->nb_streams, 4);
    assert_int_equal(f->streams[1]->disposition & AV_DISPOSITION_DEFAULT, AV_DISPOSITION_DEFAULT);
    assert_int_equal(f->streams[2]->disposition & AV_DISPOSITION_FORCED, AV_DISPOSITION_FORCED);
    assert_string_equal(av_dict_get(f->streams[1]->metadata, "language", NULL, 0)->value, "kor");
    assert_string_equal(av_dict_get(f->streams[2]->metadata, "language", NULL, 0)->value, "eng");
    assert_int_equal(f->streams[2]->codecpar->codec_type, AVMEDIA_TYPE_SUBTITLE);
    assert_int_equal(f->streams[3]->codecpar->codec_type, AVMEDIA_TYPE_ATTACHMENT);
    assert_string_equal(av_dict_get(f->streams[3]->metadata, "filename", NULL, 0)->value, "font.ttf");
    assert_int_equal(f->streams[3]->codecpar->extradata_size, 600);
    assert_null(av_dict_get(f->streams[0]->metadata, "ENCODER", NULL, 0));
    assert_null(av_dict_get(f->metadata, "title", NULL, 0));
    assert_int_equal(f->nb_chapters, 2);
    assert_null(av_dict_get(f->chapters[0]->metadata, "title", NULL, 0));
    um_av_close(&av);

    struct um_essence_options eo = { .remuxed = true, .decode_check = true };
    enum um_verify_level level;
    char *why = NULL;
    err = um_essence_compare_ex(orig, n, r, rn, &eo, &level, &why);
    if (err) fail_msg("%s", why ? why : um_strerror(err));
    free(why);
    free(r);
    free(r2);
    free(orig);
}

/* Damaged input: the remux fails or succeeds, never crashes; what it writes from a
 * damaged file is still checked by the verifier without crashing. */
static void test_remux_damaged(void **state)
{
    static const char *const names[] = { "tagged.ts", "tagged.flv", "tagged.nut", "tagged.aiff",
                                         "tagged.caf", "rich.mkv" };
    unsigned seed = 777;
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        size_t n;
        uint8_t *orig = fixture(names[k], &n);
        uint8_t *copy = malloc(n);
        for (int round = 0; round < 12; round++) {
            memcpy(copy, orig, n);
            size_t len = n;
            if (round % 3 == 0) len = n * (size_t)(round + 1) / 13;   /* truncated */
            for (int flips = 0; round % 3 && flips < 6; flips++) {
                seed = seed * 1103515245u + 12345u;
                copy[(seed >> 8) % n] ^= (uint8_t)(1u << (seed % 8));
            }
            size_t rn;
            int err;
            uint8_t *r = remux_bytes(copy, len, &rn, &err);
            assert_true(err <= 0);
            if (r) {
                struct um_essence_options eo = { .remuxed = true, .decode_check = true };
                enum um_verify_level level;
                char *why = NULL;
                (void)um_essence_compare_ex(copy, len, r, rn, &eo, &level, &why);
                free(why);
            }
            free(r);
        }
        free(copy);
        free(orig);
    }
}

/* The real files of other tools that this tree's generic handler claims (others may
 * have native handlers by now: those are left to their own tests). */
static void test_shared_fixtures(void **state)
{
    char *dir = ts_shared("mat2");
    if (!dir) skip();
    static const char *const names[] = { "dirty.aiff", "dirty.flac", "dirty.wav", "dirty.avi",
                                         "dirty.wmv", "dirty.mp4", "dirty.ogg" };
    char *out = ts_mkdtemp();
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        struct um_file_result res;
        int err = scrub_file(dir, names[k], out, &res);
        bool ours = strcmp(res.format, "av") == 0;
        if (!ours) {
            printf("note: %s is claimed by %s here\n", names[k], res.format);
            um_file_result_free(&res);
            continue;
        }
        size_t rn;
        char *p;
        assert_true(asprintf(&p, "%s/%s", out, names[k]) > 0);
        uint8_t *result = ts_read(p, &rn);
        if (err) {
            /* Refused (Ogg Vorbis: its muxer recomputes a granule position, so one
             * timestamp changes): then nothing may have been written. */
            printf("note: %s not remuxed: %s\n", names[k], res.error_text ? res.error_text : um_strerror(err));
            assert_int_equal(err, UM_E_VERIFY);
            assert_null(result);
        } else {
            assert_int_equal(res.scrub_path, UM_PATH_REMUX);
            assert_non_null(result);
            struct um_file_result after;
            assert_int_equal(ts_scan(result, rn, names[k], &after), 0);
            assert_int_equal(after.findings.len, 0);
            um_file_result_free(&after);
        }
        free(result);
        free(p);
        um_file_result_free(&res);
    }
    ts_rmdir(out);
    free(out);
    free(dir);
}

/* Runs cmd and returns its standard output (caller frees), or NULL. */
static char *capture(const char *cmd)
{
    FILE *f = popen(cmd, "r");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (n + 1 == cap) buf = realloc(buf, cap *= 2);
    }
    int st = pclose(f);
    if (!buf || st != 0) {
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    return buf;
}

/* The real CLI, checked by ffmpeg itself: no tags left in ffprobe, stream hashes of
 * picture and sound unchanged. */
static void test_cli_ffmpeg(void **state)
{
    char *bin_dir = strdup(argv0), *cli;
    assert_true(asprintf(&cli, "%s/../unmark", dirname(bin_dir)) > 0);
    free(bin_dir);
    if (access(cli, X_OK) != 0 || system("ffmpeg -version >/dev/null 2>&1") != 0) {
        printf("skipped: needs %s (make) and ffmpeg\n", cli);
        free(cli);
        skip();
    }
    char *dir = ts_mkdtemp(), *out = ts_mkdtemp();
    for (size_t k = 0; k < sizeof tagged / sizeof *tagged; k++) {
        size_t n;
        uint8_t *orig = fixture(tagged[k], &n);
        char *src = ts_write(dir, tagged[k], orig, n);
        free(orig);
        char *cmd;
        assert_true(asprintf(&cmd, "'%s' scrub -q --no-hash --out '%s' '%s' >/dev/null 2>&1", cli, out, src) > 0);
        assert_int_equal(system(cmd), 0);
        free(cmd);
        char *dst;
        assert_true(asprintf(&dst, "%s/%s", out, tagged[k]) > 0);
        static const char hash[] = "ffmpeg -nostdin -v error -i '%s' -map 0:V? -map 0:a? -c copy "
                                   "-f streamhash -hash md5 -";
        char *c1, *c2;
        assert_true(asprintf(&c1, hash, src) > 0 && asprintf(&c2, hash, dst) > 0);
        char *h1 = capture(c1), *h2 = capture(c2);
        assert_non_null(h1);
        assert_non_null(h2);
        assert_true(strlen(h1) > 10);
        assert_string_equal(h1, h2);
        free(c1), free(c2), free(h1), free(h2);
        assert_true(asprintf(&c1, "ffprobe -v error -show_entries format_tags:stream_tags:"
                                  "program_tags:chapter_tags -of compact '%s'", dst) > 0);
        char *tags = capture(c1);
        assert_non_null(tags);
        for (char *t = strstr(tags, "tag:"); t; t = strstr(t + 4, "tag:"))
            if (strncmp(t, "tag:language=", 13) != 0 && strncmp(t, "tag:service_name=Service01|", 27) != 0 &&
                strncmp(t, "tag:service_provider=FFmpeg", 27) != 0)
                fail_msg("%s: ffprobe still shows %.40s", tagged[k], t);
        free(tags);
        free(c1);
        free(dst);
        free(src);
    }
    ts_rmdir(dir);
    ts_rmdir(out);
    free(dir);
    free(out);
    free(cli);
}

int main(int argc, char **argv)
{
    (void)argc;
    argv0 = argv[0];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scrub_all),
        cmocka_unit_test(test_kept_and_dropped),
        cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_with_trailer),
        cmocka_unit_test(test_not_media),
        cmocka_unit_test(test_remux_matroska),
        cmocka_unit_test(test_remux_damaged),
        cmocka_unit_test(test_shared_fixtures),
        cmocka_unit_test(test_cli_ffmpeg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
