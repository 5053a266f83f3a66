/* GPS logs: files whose whole content is a record of places and times. GPX tracks
 * (<gpx>), KML (<kml>), NMEA sentences as GPS receivers and dashcams log them
 * ($GPRMC, $GNGGA, ...), and the telemetry subtitles drones write beside each film
 * (DJI's .SRT: one cue per frame with latitude, longitude and altitude).
 *
 * Finds: the log, as one location finding for the whole file, with the number of fixes
 * and the first one. Removes nothing: the log is the file's content, not a tag in it,
 * and deleting a user's file is the user's decision; the note says to leave it off the
 * card. Ordinary subtitles (no coordinates) are not claimed. */
#define _GNU_SOURCE   /* memmem, strcasestr */
#include <stdio.h>
#include <string.h>

#include "format.h"

#define HEAD 4096   /* bytes the probe looks at */

enum log_kind { LOG_NONE, LOG_GPX, LOG_KML, LOG_NMEA, LOG_SUBTITLES };

static const char *const kind_names[] = { "", "GPX track", "KML", "NMEA log", "telemetry subtitles" };

static bool has(const uint8_t *h, size_t n, const char *s) { return memmem(h, n, s, strlen(s)) != NULL; }

/* NMEA: "$" talker (GP, GN, GL, GA, BD) and a sentence type, then a comma. */
static bool nmea_line(const uint8_t *p, size_t n)
{
    if (n < 7 || p[0] != '$' || p[6] != ',') return false;
    static const char *const talkers[] = { "GP", "GN", "GL", "GA", "BD" };
    bool talker = false;
    for (size_t i = 0; i < 5 && !talker; i++) talker = !memcmp(p + 1, talkers[i], 2);
    for (int i = 3; i < 6 && talker; i++) talker = p[i] >= 'A' && p[i] <= 'Z';
    return talker;
}

/* Case-insensitive search in a bounded buffer. */
static const uint8_t *find_ci(const uint8_t *h, size_t n, const char *s)
{
    size_t l = strlen(s);
    for (size_t i = 0; i + l <= n; i++) {
        size_t k = 0;
        while (k < l && (h[i + k] | 0x20) == (s[k] | 0x20)) k++;
        if (k == l) return h + i;
    }
    return NULL;
}

/* Where a coordinate starts, as drones write it in their subtitles: "latitude" then ':' or '=' and a
 * number (DJI's "[latitude: 39.0194]"), or "GPS(" and a number (older DJI firmware). */
static const uint8_t *coordinate_at(const uint8_t *p, size_t n)
{
    static const char *const marks[] = { "latitude", "GPS(" };
    for (size_t m = 0; m < 2; m++) {
        const uint8_t *at = p, *end = p + n;
        while ((at = find_ci(at, (size_t)(end - at), marks[m]))) {
            const uint8_t *q = at + strlen(marks[m]);
            if (m == 0) {
                while (q < end && *q == ' ') q++;
                if (q >= end || (*q != ':' && *q != '=')) {
                    at++;
                    continue;
                }
                q++;
                while (q < end && *q == ' ') q++;
            }
            if (q < end && *q == '-') q++;
            if (q < end && *q >= '0' && *q <= '9') return at;
            at++;
        }
    }
    return NULL;
}

static enum log_kind classify(const uint8_t *h, size_t n)
{
    if (n > HEAD) n = HEAD;
    size_t at = 0;
    if (n >= 3 && h[0] == 0xEF && h[1] == 0xBB && h[2] == 0xBF) at = 3;   /* UTF-8 BOM */
    while (at < n && (h[at] == ' ' || h[at] == '\t' || h[at] == '\r' || h[at] == '\n')) at++;
    const uint8_t *p = h + at;
    size_t m = n - at;
    if (m && p[0] == '<') {
        if (has(p, m, "<gpx")) return LOG_GPX;
        if (has(p, m, "<kml")) return LOG_KML;
        return LOG_NONE;
    }
    if (nmea_line(p, m)) return LOG_NMEA;
    /* SubRip: a cue number, then a timing line; a drone's cues carry coordinates. */
    if (m && p[0] >= '0' && p[0] <= '9' && has(p, m, " --> ") && coordinate_at(p, m)) return LOG_SUBTITLES;
    return LOG_NONE;
}

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    (void)size;
    return classify(h, n) != LOG_NONE ? UM_PROBE_MAX : 0;
}

/* How many fixes the log holds, and where the first one is. */
static uint64_t count_fixes(const uint8_t *d, uint64_t size, enum log_kind k, const uint8_t **first)
{
    const char *mark = k == LOG_GPX ? "<trkpt" : k == LOG_KML ? "<coordinates" : NULL;
    uint64_t n = 0;
    *first = NULL;
    if (mark) {
        for (const uint8_t *p = d; (p = memmem(p, (size_t)(size - (uint64_t)(p - d)), mark, strlen(mark)));
             p++, n++)
            if (!*first) *first = p;
        if (!n && k == LOG_GPX) {   /* waypoints or routes only */
            for (const uint8_t *p = d; (p = memmem(p, (size_t)(size - (uint64_t)(p - d)), "<wpt", 4)); p++, n++)
                if (!*first) *first = p;
        }
        return n;
    }
    for (uint64_t i = 0; i < size;) {
        const uint8_t *nl = memchr(d + i, '\n', (size_t)(size - i));
        uint64_t end = nl ? (uint64_t)(nl - d) : size;
        size_t len = (size_t)(end - i);
        const uint8_t *fix = k == LOG_NMEA ? (nmea_line(d + i, len) ? d + i : NULL) : coordinate_at(d + i, len);
        if (fix) {
            if (!*first) *first = fix;
            n++;
        }
        i = end + 1;
    }
    return n;
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    enum log_kind k = classify(d, size > HEAD ? HEAD : (size_t)size);
    if (k == LOG_NONE) return UM_E_FORMAT;
    static const char *const mimes[] = { NULL, "application/gpx+xml", "application/vnd.google-earth.kml+xml",
                                         "text/plain", "application/x-subrip" };
    um_set_mime(ctx, mimes[k]);
    const uint8_t *first;
    uint64_t fixes = count_fixes(d, size, k, &first);
    char value[200];
    int n = snprintf(value, sizeof value, "%s, %llu fixes", kind_names[k], (unsigned long long)fixes);
    if (first && n > 0 && (size_t)n < sizeof value - 16) {
        /* The first fix, up to the end of its line, shown as printable text. */
        size_t w = (size_t)n, room = sizeof value - 1;
        w += (size_t)snprintf(value + w, room - w, "; first: ");
        for (const uint8_t *p = first; p < d + size && w < room && *p != '\n' && *p != '\r'; p++)
            value[w++] = *p >= 0x20 && *p < 0x7F ? (char)*p : '.';
        value[w] = 0;
    }
    struct um_finding_spec s = {
        .kind = UM_K_LOCATION, .severity = UM_SEV_HIGH, .where = "file", .key = "gps_log",
        .value = (const uint8_t *)value, .value_len = strlen(value), .offset = 0, .length = size,
        .note = "the whole file is a record of places and times: reported, not removed (it is the "
                "file's content); leave it off the card or delete it",
    };
    int idx = um_report(ctx, &s);
    return idx < 0 ? idx : 0;
}

const struct um_format um_format_gpslog = {
    .name = "gpslog",
    .long_name = "GPS logs (GPX, KML, NMEA, drone telemetry subtitles)",
    .extensions = "gpx,kml,nmea",
    .mime = "text/plain",
    .no_essence = true,
    .finds = "GPS tracks and logs: GPX, KML, NMEA sentences, subtitles with coordinates (DJI .SRT)",
    .removes = "nothing: the file is the log (reported with a note)",
    .probe = probe,
    .scan = scan,
};
