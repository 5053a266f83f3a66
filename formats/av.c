/* The generic handler: every container libavformat can demux that no native handler
 * claims (MPEG-TS, MPEG-PS, FLV, NUT, AIFF, CAF, WTV, MXF, ...). It is the fallback,
 * registered last and bidding below every native handler.
 *
 * Finds: container, stream, chapter and program metadata (libavformat's AVDictionary
 * view of whatever tags the format has), attached pictures (cover art; scanned as
 * embedded files when their bytes are found in the view), and data streams that carry
 * telemetry (GoPro gpmd, Google camm, Apple mebx, KLV, other data tracks).
 * Removes: everything it finds, by a REMUX (scrubber/remux.c): a stream copy that
 * keeps picture, sound, subtitles, dispositions, languages and chapter times, and
 * drops all metadata, attached pictures and telemetry. libavformat gives no byte
 * ranges for what it parsed, so there is no byte plan here; a native handler that
 * knows the layout always does better. */
#define _GNU_SOURCE   /* memmem */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../common/avmem.h"
#include "format.h"

/* Below every native bid, so that a native handler always wins a tie or a near miss. */
#define PROBE_FALLBACK 5
/* A hostile file can hold any number of tags; the report has a cap of its own. */
#define MAX_REPORTS 1024
/* Some formats deliver their tags in the first packets (FLV's onMetaData script tag,
 * MPEG-TS streams announced late): read a few before looking. */
#define HEAD_PACKETS 32
#define HEAD_BYTES (4u << 20)
/* Where a cover picture's bytes are searched when the demuxer gives no position. */
#define PIC_SEARCH_WINDOW (64ull << 20)

/* Demuxers not to claim: images and MP3 have native handlers (and image2 would read
 * file sequences), what is not media (tty: any ANSI text; libgme: it bids on every
 * gzip file, for gzipped chiptunes), and demuxers that open other files or URLs
 * named inside the file (also refused in common/avmem.c). */
static const char *const not_ours[] = {
    "image2", "mjpeg", "mjpeg_2000", "mpjpeg", "mp3", "gif", "apng", "tty", "libgme",
    "hls", "dash", "concat", "ffconcat", "sdp", "rtsp", "rtp", "imf", "hds",
    "webm_dash_manifest", "smoothstreaming", "ffmetadata", "data", "bin",
};

static bool claimed(const char *name)
{
    size_t len = strlen(name);
    if (len > 5 && strcmp(name + len - 5, "_pipe") == 0) return false;   /* image pipes */
    for (size_t i = 0; i < sizeof not_ours / sizeof *not_ours; i++)
        if (strcmp(name, not_ours[i]) == 0) return false;
    return true;
}

/* Plain text (no NUL, no control bytes but white space, in the first 4 KiB): FFmpeg's
 * text demuxers are subtitle and playlist formats, which carry no device tags, and
 * probing every demuxer on every text file is most of the cost of scanning a tree. */
static bool looks_like_text(const uint8_t *p, size_t n)
{
    if (n > 4096) n = 4096;
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 && p[i] != '\n' && p[i] != '\r' && p[i] != '\t' && p[i] != '\f') return false;
    return true;
}

static int probe(const uint8_t *head, size_t n, uint64_t size)
{
    (void)size;
    if (n < 16 || n > INT32_MAX - AVPROBE_PADDING_SIZE || looks_like_text(head, n)) return 0;
    /* Without FFmpeg nothing can be said of the file: bid, so that the scan fails
     * the file with an error instead of passing it over as unknown. */
    if (um_avlib_load() != 0) return PROBE_FALLBACK;
    uint8_t *buf = av_malloc(n + AVPROBE_PADDING_SIZE);
    if (!buf) return 0;
    memcpy(buf, head, n);
    memset(buf + n, 0, AVPROBE_PADDING_SIZE);
    AVProbeData pd = { .filename = "", .buf = buf, .buf_size = (int)n };
    int score = 0;
    const AVInputFormat *f = av_probe_input_format3(&pd, 1, &score);
    av_free(buf);
    /* AVPROBE_SCORE_RETRY (25) is where libavformat itself stops trusting a guess. */
    if (!f || score <= AVPROBE_SCORE_RETRY || !claimed(f->name)) return 0;
    return PROBE_FALLBACK;
}

/* Tags that describe the stream, not its maker, and that the remux keeps or that
 * every muxer writes for itself. */
static const char *const structural_keys[] = {
    "language", "major_brand", "minor_version", "compatible_brands", "operational_pattern_ul",
    "BPS", "DURATION", "NUMBER_OF_FRAMES", "NUMBER_OF_BYTES", "_STATISTICS_TAGS",
};

/* Values that libavformat's own muxers write in bit-exact mode: they identify no one,
 * and a remuxed file carries them, so they must not be findings. */
static const struct { const char *key, *value; bool prefix; } muxer_defaults[] = {
    { "service_provider", "FFmpeg", false }, { "service_name", "Service01", false },
    { "company_name", "FFmpeg", false }, { "product_name", "OP1a Muxer", false },
    { "product_version", "0.0.0", false }, { "product_version_num", "0.0.0.0.0", false },
    { "toolkit_version_num", "0.0.0.0.0", false }, { "application_platform", "Lavf", false },
    { "uid", "adab4424-2f25-4dc7-92ff-", true }, { "generation_uid", "adab4424-2f25-4dc7-92ff-", true },
    { "product_uid", "adab4424-2f25-4dc7-92ff-", true }, { "timecode", "00:00:00:00", false },
    { "vendor_id", "[0][0][0][0]", false }, { "handler_name", "VideoHandler", false },
    { "handler_name", "SoundHandler", false }, { "handler_name", "SubtitleHandler", false },
    { "handler_name", "DataHandler", false }, { "encoder", "Lavf", false },
    { "material_package_umid", "0x060A2B340101010501010D001300000000000000000000000000000000", true },
    { "file_package_umid", "0x060A2B340101010501010D001300000000000000000000000000000000", true },
};

static bool harmless(const char *key, const char *value)
{
    for (size_t i = 0; i < sizeof structural_keys / sizeof *structural_keys; i++)
        if (strcmp(key, structural_keys[i]) == 0) return true;
    if (!*value) return true;
    for (size_t i = 0; i < sizeof muxer_defaults / sizeof *muxer_defaults; i++) {
        const char *v = muxer_defaults[i].value;
        if (strcmp(key, muxer_defaults[i].key) != 0) continue;
        if (muxer_defaults[i].prefix ? strncmp(value, v, strlen(v)) == 0 : strcmp(value, v) == 0)
            return true;
    }
    return false;
}

struct state {
    struct um_scan_ctx *ctx;
    const uint8_t *data;
    uint64_t size;
    int reports;
};

/* Plans the remux that removes finding idx. Inside another file (an embedded view)
 * a remux would rewrite the container, not this part: reported, not planned. */
static int plan_remux(struct state *s, int idx)
{
    if (um_is_error(idx)) return idx;
    if (idx < 0) return 0;
    s->reports++;
    if (um_ctx_depth(s->ctx) > 0)
        return um_note(s->ctx, idx, "embedded media: only a remux of it could remove this");
    return um_plan(s->ctx, idx, UM_OP_REMUX, 0, 0, NULL);
}

static int report_dict(struct state *s, const AVDictionary *d, const char *prefix, bool attachment)
{
    const AVDictionaryEntry *e = NULL;
    while ((e = av_dict_get(d, "", e, AV_DICT_IGNORE_SUFFIX))) {
        if (s->reports >= MAX_REPORTS) return 0;
        if (harmless(e->key, e->value)) continue;
        /* An attachment (a font) needs its name and type; the remux keeps both. */
        if (attachment && (!strcmp(e->key, "filename") || !strcmp(e->key, "mimetype"))) continue;
        char where[256];
        snprintf(where, sizeof where, "%s/metadata/%s", prefix, e->key);
        int err = plan_remux(s, um_report_classified(s->ctx, "av", where, e->key,
                                                     (const uint8_t *)e->value,
                                                     strlen(e->value), 0, 0));
        if (err) return err;
    }
    return 0;
}

/* Where the picture's bytes are in the view: at the packet's position when the
 * demuxer read it from there, else searched near the head and the tail (ID3 and
 * Vorbis pictures are parsed from copies). Returns false when not found verbatim. */
static bool locate(const struct state *s, const AVPacket *pkt, uint64_t *off)
{
    if (pkt->size <= 0 || !pkt->data) return false;
    uint64_t n = (uint64_t)pkt->size;
    if (pkt->pos >= 0 && um_range_ok((uint64_t)pkt->pos, n, s->size) &&
        memcmp(s->data + pkt->pos, pkt->data, (size_t)n) == 0) {
        *off = (uint64_t)pkt->pos;
        return true;
    }
    uint64_t win = s->size < PIC_SEARCH_WINDOW ? s->size : PIC_SEARCH_WINDOW;
    const uint8_t *hit = memmem(s->data, (size_t)win, pkt->data, (size_t)n);
    if (!hit && s->size > win) {
        uint64_t from = s->size - win;
        hit = memmem(s->data + from, (size_t)win, pkt->data, (size_t)n);
    }
    if (!hit) return false;
    *off = (uint64_t)(hit - s->data);
    return true;
}

static int report_attached_pic(struct state *s, const AVStream *st, const char *prefix)
{
    const AVPacket *pkt = &st->attached_pic;
    uint64_t off = 0;
    bool found = locate(s, pkt, &off);
    const char *codec = avcodec_get_name(st->codecpar->codec_id);
    char where[96];
    snprintf(where, sizeof where, "%s/attached_pic", prefix);
    struct um_finding_spec spec = {
        .kind = UM_K_EMBEDDED_MEDIA, .severity = UM_SEV_MEDIUM, .where = where,
        .key = "attached_pic", .value = (const uint8_t *)codec, .value_len = strlen(codec),
        .offset = found ? off : 0, .length = found ? (uint64_t)pkt->size : 0,
        .note = "a cover or thumbnail picture: dropped by the remux",
    };
    int err = plan_remux(s, um_report(s->ctx, &spec));
    if (err) return err;
    /* The picture may carry EXIF/XMP of its own; the embedded scan reports them. */
    if (found) return um_scan_embedded(s->ctx, off, (uint64_t)pkt->size, where);
    return 0;
}

static int report_telemetry(struct state *s, const AVStream *st, const char *prefix)
{
    const AVCodecParameters *p = st->codecpar;
    char tag[AV_FOURCC_MAX_STRING_SIZE] = "";
    if (p->codec_tag) av_fourcc_make_string(tag, p->codec_tag);
    const AVDictionaryEntry *h = av_dict_get(st->metadata, "handler_name", NULL, 0);
    char value[160];
    snprintf(value, sizeof value, "%s%s%s%s%s", avcodec_get_name(p->codec_id),
             tag[0] ? " tag " : "", tag, h ? " handler " : "", h ? h->value : "");
    /* Sensor tracks of cameras and phones (GPMF, CAMM, KLV/MISB) carry GPS fixes; any
     * other data track is unknown content that playback does not need. */
    bool sensor = p->codec_id == AV_CODEC_ID_SMPTE_KLV || p->codec_tag == MKTAG('g', 'p', 'm', 'd') ||
                  p->codec_tag == MKTAG('c', 'a', 'm', 'm') || p->codec_tag == MKTAG('m', 'e', 'b', 'x') ||
                  p->codec_type != AVMEDIA_TYPE_DATA;
    char where[96];
    snprintf(where, sizeof where, "%s/telemetry", prefix);
    struct um_finding_spec spec = {
        .kind = sensor ? UM_K_LOCATION : UM_K_CONTENT,
        .severity = sensor ? UM_SEV_HIGH : UM_SEV_MEDIUM,
        .where = where, .key = "data_stream",
        .value = (const uint8_t *)value, .value_len = strlen(value),
        .note = sensor ? "sensor data track (GPS, motion): dropped by the remux"
                       : "data track (may carry sensor data): dropped by the remux",
    };
    return plan_remux(s, um_report(s->ctx, &spec));
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *data, uint64_t size)
{
    struct um_av av;
    int err = um_av_open(&av, data, size);
    if (err) return err;
    struct state s = { .ctx = ctx, .data = data, .size = size };
    AVFormatContext *f = av.fmt;
    char prefix[64];

    AVPacket *pkt = av_packet_alloc();
    if (!pkt) {
        um_av_close(&av);
        return -ENOMEM;
    }
    for (int i = 0; i < HEAD_PACKETS && av.pos < HEAD_BYTES && av_read_frame(f, pkt) >= 0; i++)
        av_packet_unref(pkt);
    av_packet_free(&pkt);

    err = report_dict(&s, f->metadata, "format", false);
    for (unsigned i = 0; !err && i < f->nb_streams; i++) {
        const AVStream *st = f->streams[i];
        snprintf(prefix, sizeof prefix, "stream[%u]", i);
        err = report_dict(&s, st->metadata, prefix,
                          st->codecpar->codec_type == AVMEDIA_TYPE_ATTACHMENT);
        if (!err && (st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            err = report_attached_pic(&s, st, prefix);
        else if (!err && um_av_is_telemetry(st))
            err = report_telemetry(&s, st, prefix);
    }
    for (unsigned i = 0; !err && i < f->nb_chapters; i++) {
        snprintf(prefix, sizeof prefix, "chapter[%u]", i);
        err = report_dict(&s, f->chapters[i]->metadata, prefix, false);
    }
    for (unsigned i = 0; !err && i < f->nb_programs; i++) {
        snprintf(prefix, sizeof prefix, "program[%u]", i);
        err = report_dict(&s, f->programs[i]->metadata, prefix, false);
    }
    um_av_close(&av);
    return err;
}

const struct um_format um_format_av = {
    .name = "av",
    .long_name = "any other audio/video container libavformat can demux",
    .extensions = "ts,m2ts,mts,mpg,mpeg,vob,flv,nut,aif,aiff,aifc,caf,wtv,mxf,dv,rm,rmvb,amr",
    .fallback = true,
    .finds = "container, stream, chapter and program metadata; attached pictures; "
             "telemetry data streams",
    .removes = "all of them, by a stream-copy remux (picture and sound bit-identical)",
    .probe = probe,
    .scan = scan,
};
