/* GPS logs: GPX, KML, NMEA and a drone's telemetry subtitles are each one high-severity
 * location finding for the whole file, never removed; subtitles that only mention
 * the words are not claimed. The fixtures in testdata/gpslog/ are written by hand in
 * the layouts those programs and devices write. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "../formats/format.h"
#include "support.h"

static void expect_log(const char *rel, const char *value_start)
{
    size_t n;
    uint8_t *d = ts_load(rel, &n);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, strrchr(rel, '/') + 1, &r), 0);
    assert_string_equal(r.format, "gpslog");
    assert_int_equal(r.findings.len, 1);
    const struct um_finding *f = um_vec_at(&r.findings, 0);
    assert_int_equal(f->kind, UM_K_LOCATION);
    assert_int_equal(f->severity, UM_SEV_HIGH);
    assert_string_equal(f->key, "gps_log");
    if (strncmp(f->value, value_start, strlen(value_start)) != 0)
        fail_msg("%s: value '%s', expected it to start with '%s'", rel, f->value, value_start);
    assert_int_equal(f->offset, 0);
    assert_int_equal(f->length, n);
    assert_false(f->removable);   /* the file is the log: nothing in it to cut away */
    assert_non_null(strstr(f->note, "not removed"));
    assert_int_equal(r.edits.len, 0);
    um_file_result_free(&r);
    free(d);
}

static void logs_found(void **state)
{
    (void)state;
    expect_log("gpslog/walk.gpx", "GPX track, 2 fixes; first: <trkpt lat=\"39.0194\"");
    expect_log("gpslog/places.kml", "KML, 1 fixes; first: <coordinates>125.7380,39.0194");
    expect_log("gpslog/track.nmea", "NMEA log, 2 fixes; first: $GPRMC,080910.00,A,3901.1667,N");
    expect_log("gpslog/DJI_0001.SRT", "telemetry subtitles, 2 fixes; first: latitude: 39.019444]");
}

/* A film's subtitles that say "latitude" and "GPS" in their text are not a log. */
static void ordinary_subtitles_not_claimed(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = ts_load("gpslog/film.srt", &n);
    const struct um_format *g = um_format_by_name("gpslog");
    assert_non_null(g);
    assert_int_equal(g->probe(d, n, n), 0);
    struct um_file_result r;
    assert_int_equal(ts_scan(d, n, "film.srt", &r), 0);
    assert_string_not_equal(r.format, "gpslog");
    assert_int_equal(ts_count(&r, UM_K_LOCATION), 0);
    um_file_result_free(&r);
    /* Nor is a cue whose "latitude:" is not followed by a number. */
    static const char cue[] = "1\n00:00:01,000 --> 00:00:02,000\nlatitude: unknown\n";
    assert_int_equal(g->probe((const uint8_t *)cue, sizeof cue - 1, sizeof cue - 1), 0);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(logs_found),
        cmocka_unit_test(ordinary_subtitles_not_claimed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
