/* Proving a scrubbed result before it is committed: a re-scan finds nothing of what
 * was removed, the result parses as the same format, and its media essence is the
 * original's: every kept stream's packets (data and timing) identical, first frames
 * decodable; decoded pixels for still images. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "../common/avmem.h"
#include "../common/bytes.h"
#include "../common/error.h"
#include "../common/nmea.h"
#include "../formats/format.h"
#include "verify.h"

const char *um_verify_level_name(enum um_verify_level l)
{
    static const char *const n[] = { "structure", "packets", "packets_head", "pixels", "packet_ranges",
                                     "media_map" };
    return (unsigned)l <= UM_VERIFY_MEDIA_MAP ? n[l] : "structure";
}

/* Image demuxers hand out the whole file as one packet: compare pixels instead. */
static bool is_still_image(const AVFormatContext *f)
{
    const char *n = f->iformat->name;
    size_t len = strlen(n);
    /* GIF packets carry the extension blocks before each frame (comments, XMP):
     * scrubbing changes them by design, so compare what is shown instead. */
    return (len > 5 && strcmp(n + len - 5, "_pipe") == 0) || strcmp(n, "image2") == 0 || strcmp(n, "gif") == 0;
}

/* Decodes the first frame of stream 0; fills *frame. */
static int decode_first(AVFormatContext *f, AVFrame *frame)
{
    const AVCodec *codec = avcodec_find_decoder(f->streams[0]->codecpar->codec_id);
    if (!codec) return UM_E_UNSUPPORTED;
    AVCodecContext *cc = avcodec_alloc_context3(codec);
    AVPacket *pkt = av_packet_alloc();
    int err = UM_E_LIBAV;
    if (!cc || !pkt) {
        err = -ENOMEM;
        goto end;
    }
    if (avcodec_parameters_to_context(cc, f->streams[0]->codecpar) < 0) goto end;
    cc->thread_count = 1;
    if (avcodec_open2(cc, codec, NULL) < 0) goto end;
    for (int tries = 0; tries < 64; tries++) {
        int r = av_read_frame(f, pkt);
        if (r < 0) {
            avcodec_send_packet(cc, NULL);
        } else {
            if (pkt->stream_index != 0) {
                av_packet_unref(pkt);
                continue;
            }
            avcodec_send_packet(cc, pkt);
            av_packet_unref(pkt);
        }
        if (avcodec_receive_frame(cc, frame) == 0) {
            err = 0;
            break;
        }
        if (r < 0) break;
    }
end:
    av_packet_free(&pkt);
    avcodec_free_context(&cc);
    return err;
}

static int frames_equal(const AVFrame *a, const AVFrame *b, char **why)
{
    if (a->width != b->width || a->height != b->height || a->format != b->format) {
        *why = strdup("decoded image geometry differs");
        return UM_E_VERIFY;
    }
    for (int plane = 0; plane < AV_NUM_DATA_POINTERS && a->data[plane]; plane++) {
        int lines = plane == 0 ? a->height : -1;
        if (lines < 0) {
            const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(a->format);
            lines = d ? AV_CEIL_RSHIFT(a->height, (plane == 1 || plane == 2) ? d->log2_chroma_h : 0) : a->height;
        }
        int bytes = a->linesize[plane] < b->linesize[plane] ? a->linesize[plane] : b->linesize[plane];
        for (int y = 0; y < lines; y++)
            if (memcmp(a->data[plane] + (ptrdiff_t)y * a->linesize[plane],
                       b->data[plane] + (ptrdiff_t)y * b->linesize[plane], (size_t)bytes)) {
                *why = strdup("decoded pixels differ");
                return UM_E_VERIFY;
            }
    }
    return 0;
}

static int compare_pixels(AVFormatContext *fa, AVFormatContext *fb, char **why)
{
    AVFrame *a = av_frame_alloc(), *b = av_frame_alloc();
    int err = -ENOMEM;
    if (!a || !b) goto end;
    err = decode_first(fa, a);
    if (err) {
        err = err == UM_E_LIBAV ? UM_E_UNSUPPORTED : err;  /* the original does not decode */
        goto end;
    }
    if (decode_first(fb, b) != 0) {
        *why = strdup("the result does not decode");
        err = UM_E_VERIFY;
        goto end;
    }
    err = frames_equal(a, b, why);
end:
    av_frame_free(&a);
    av_frame_free(&b);
    return err;
}

/* Decodes one still picture (an attached cover) from its packet. */
static int decode_picture(const AVCodecParameters *par, const AVPacket *pkt, AVFrame *frame)
{
    const AVCodec *codec = avcodec_find_decoder(par->codec_id);
    if (!codec || !pkt->size) return UM_E_UNSUPPORTED;
    AVCodecContext *cc = avcodec_alloc_context3(codec);
    int err = UM_E_LIBAV;
    if (!cc) return -ENOMEM;
    cc->thread_count = 1;
    if (avcodec_parameters_to_context(cc, par) >= 0 && avcodec_open2(cc, codec, NULL) >= 0 &&
        avcodec_send_packet(cc, pkt) >= 0) {
        avcodec_send_packet(cc, NULL);
        if (avcodec_receive_frame(cc, frame) == 0) err = 0;
    }
    avcodec_free_context(&cc);
    return err;
}

/* Cover art is scanned and cleaned as an image of its own, so its bytes change while
 * its pixels must not: compare what it decodes to. */
static int attached_pictures_equal(const AVStream *a, const AVStream *b, char **why)
{
    AVFrame *fa = av_frame_alloc(), *fb = av_frame_alloc();
    int err = -ENOMEM;
    if (!fa || !fb) goto end;
    if (decode_picture(a->codecpar, &a->attached_pic, fa) != 0) {
        /* Nothing to compare against: equal bytes are the only proof left. */
        err = a->attached_pic.size == b->attached_pic.size &&
              !memcmp(a->attached_pic.data, b->attached_pic.data, (size_t)a->attached_pic.size) ? 0 : UM_E_VERIFY;
        if (err) *why = strdup("a cover picture that does not decode was changed");
        goto end;
    }
    if (decode_picture(b->codecpar, &b->attached_pic, fb) != 0) {
        *why = strdup("a cover picture no longer decodes");
        err = UM_E_VERIFY;
        goto end;
    }
    err = frames_equal(fa, fb, why);
end:
    av_frame_free(&fa);
    av_frame_free(&fb);
    return err;
}

/* ---- packets: one running digest per stream ----
 *
 * Each file is demuxed once, and every kept stream's packets (timestamps in the
 * original's time base, key/discard flags, size, data) go into a SHA-256 of their own,
 * so the comparison does not depend on how the muxer interleaved the streams (a
 * remux may interleave differently) and needs no memory per packet. The last packet
 * of each stream is held back, so that a trailer glued to the last packet (FLAC) or
 * read as one more packet can be told apart from a real difference. */

struct side {
    struct sha256_ctx h;
    uint64_t n;
    AVPacket *last;
    int64_t last_pts, last_dts;
};

struct stream_cmp {
    int b;                /* the result's stream index, or -1 when not compared */
    AVRational tb_a, tb_b;
    struct side a, b_side;
};

static void hash_packet(struct sha256_ctx *h, const AVPacket *p, int64_t pts, int64_t dts)
{
    uint8_t meta[28];
    int64_t v[3] = { pts, dts, (int64_t)p->size };
    int32_t flags = p->flags & (AV_PKT_FLAG_KEY | AV_PKT_FLAG_DISCARD);
    memcpy(meta, v, sizeof v);
    memcpy(meta + 24, &flags, 4);
    sha256_update(h, sizeof meta, meta);
    if (p->size > 0) sha256_update(h, (size_t)p->size, p->data);
}

static int64_t to_tb(int64_t t, AVRational from, AVRational to)
{
    return t == AV_NOPTS_VALUE ? t : av_rescale_q(t, from, to);
}

/* Adds one packet to a side: the held-back one is hashed, this one is held. */
static int take(struct side *sd, AVPacket *pkt, int64_t pts, int64_t dts)
{
    if (sd->last) {
        hash_packet(&sd->h, sd->last, sd->last_pts, sd->last_dts);
        av_packet_unref(sd->last);
    } else if (!(sd->last = av_packet_alloc())) {
        return -ENOMEM;
    }
    av_packet_move_ref(sd->last, pkt);
    sd->last_pts = pts, sd->last_dts = dts;
    sd->n++;
    return 0;
}

static bool same_meta(const struct side *x, const struct side *y)
{
    return x->last_pts == y->last_pts && x->last_dts == y->last_dts &&
           (x->last->flags & (AV_PKT_FLAG_KEY | AV_PKT_FLAG_DISCARD)) ==
               (y->last->flags & (AV_PKT_FLAG_KEY | AV_PKT_FLAG_DISCARD));
}

static bool same_digest(const struct sha256_ctx *x, const struct sha256_ctx *y)
{
    struct sha256_ctx cx = *x, cy = *y;
    uint8_t dx[SHA256_DIGEST_SIZE], dy[SHA256_DIGEST_SIZE];
    sha256_digest(&cx, sizeof dx, dx);
    sha256_digest(&cy, sizeof dy, dy);
    return memcmp(dx, dy, sizeof dx) == 0;
}

/* Head mode (large files, PACKETS_HEAD): the first max packets of each file, but no
 * more than this many bytes of them (a high-bitrate film's first 256 packets can be
 * hundreds of MiB). Where the ranges proof already showed every packet's bytes and
 * place unchanged, the head is there for timing and needs far less. */
#define HEAD_BYTES (16ull << 20)
#define HEAD_BYTES_PROVEN (1ull << 20)

/* Reads up to max packets (0 = all; in head mode at most max_bytes of them) of one
 * file into the per-stream digests. */
static int read_side(AVFormatContext *f, struct stream_cmp *sc, unsigned ns, bool result,
                     const int *rev, uint64_t max, uint64_t max_bytes, bool *eof, int *last_stream)
{
    unsigned known = result ? f->nb_streams : ns;   /* streams when the map was made */
    AVPacket *pkt = av_packet_alloc();
    if (!pkt) return -ENOMEM;
    int err = 0;
    *eof = false;
    uint64_t bytes = 0;
    for (uint64_t n = 0; !max || (n < max && bytes < max_bytes); n++) {
        int r = av_read_frame(f, pkt);
        if (r < 0) {
            *eof = true;
            break;
        }
        int si = pkt->stream_index, s = -1;
        if (si < 0 || (unsigned)si >= known) {
            /* A stream the header did not announce: it cannot be mapped, so its
             * packets cannot be proven equal. */
            av_packet_unref(pkt);
            err = UM_E_VERIFY;
            break;
        }
        s = result ? rev[si] : si;
        if (s < 0 || (unsigned)s >= ns || sc[s].b < 0) {
            av_packet_unref(pkt);
            continue;
        }
        struct stream_cmp *c = &sc[s];
        int64_t pts = result ? to_tb(pkt->pts, c->tb_b, c->tb_a) : pkt->pts;
        int64_t dts = result ? to_tb(pkt->dts, c->tb_b, c->tb_a) : pkt->dts;
        bytes += (uint64_t)pkt->size;
        if ((err = take(result ? &c->b_side : &c->a, pkt, pts, dts)) != 0) break;
        if (last_stream) *last_stream = s;
    }
    av_packet_free(&pkt);
    return err;
}

/* Compares the finished digests of one stream; allow_tail lets the original's last
 * packet carry a trailer that the result lacks (or be one packet more). */
static bool stream_equal(struct stream_cmp *c, bool allow_tail)
{
    struct side *a = &c->a, *b = &c->b_side;
    if (a->n == 0 || b->n == 0) return a->n == b->n;
    bool body = same_digest(&a->h, &b->h);
    if (a->n == b->n && body && same_meta(a, b) && a->last->size == b->last->size &&
        !memcmp(a->last->data, b->last->data, (size_t)a->last->size))
        return true;
    if (!allow_tail) return false;
    /* The last packet kept its start but lost the glued trailer. */
    if (a->n == b->n && body && same_meta(a, b) && b->last->size < a->last->size &&
        !memcmp(a->last->data, b->last->data, (size_t)b->last->size))
        return true;
    /* The trailer was read as one more packet: everything of the result equals
     * everything of the original but that last packet. */
    if (a->n == b->n + 1) {
        struct sha256_ctx hb = b->h;
        hash_packet(&hb, b->last, b->last_pts, b->last_dts);
        return same_digest(&a->h, &hb);
    }
    return false;
}

static int compare_packets(AVFormatContext *fa, AVFormatContext *fb, const int *map,
                           const int *rev, bool allow_last_prefix, uint64_t max_packets, uint64_t max_bytes,
                           char **why)
{
    unsigned ns = fa->nb_streams;
    struct stream_cmp *sc = calloc(ns, sizeof *sc);
    if (!sc) return -ENOMEM;
    int err = 0;
    for (unsigned i = 0; i < ns; i++) {
        sc[i].b = map[i];
        sha256_init(&sc[i].a.h);
        sha256_init(&sc[i].b_side.h);
        if (map[i] < 0) continue;
        if ((fa->streams[i]->disposition & AV_DISPOSITION_ATTACHED_PIC) &&
            (fb->streams[map[i]]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
            if (!err) err = attached_pictures_equal(fa->streams[i], fb->streams[map[i]], why);
            sc[i].b = -1;   /* its one packet is the picture: compared above */
            continue;
        }
        sc[i].tb_a = fa->streams[i]->time_base;
        sc[i].tb_b = fb->streams[map[i]]->time_base;
    }
    bool eof_a = false, eof_b = false;
    int last_a = -1;
    if (!err) err = read_side(fa, sc, ns, false, rev, max_packets, max_bytes, &eof_a, &last_a);
    if (!err) err = read_side(fb, sc, ns, true, rev, max_packets, max_bytes, &eof_b, NULL);
    if (err == UM_E_VERIFY && !*why) *why = strdup("a stream appeared in the middle of the file");
    for (unsigned i = 0; !err && i < ns; i++) {
        if (sc[i].b < 0) continue;
        bool tail = allow_last_prefix && eof_a && eof_b && (int)i == last_a;
        if (stream_equal(&sc[i], tail)) continue;
        char buf[160];
        snprintf(buf, sizeof buf, "media data or timing of stream %u differs (%llu packets before, %llu after)",
                 i, (unsigned long long)sc[i].a.n, (unsigned long long)sc[i].b_side.n);
        *why = strdup(buf);
        err = UM_E_VERIFY;
    }
    for (unsigned i = 0; i < ns; i++) {
        av_packet_free(&sc[i].a.last);
        av_packet_free(&sc[i].b_side.last);
    }
    free(sc);
    return err;
}

/* ---- decoding: the first frame of every audio and video stream ---- */

#define DECODE_MAX_PACKETS 2048

/* Sets ok[i] for every stream i of f whose first frame decodes (one thread). Streams
 * without a decoder in this build count as decoded: nothing can be said of them. */
static int decode_first_frames(AVFormatContext *f, bool *ok)
{
    unsigned ns = f->nb_streams;
    AVCodecContext **cc = calloc(ns ? ns : 1, sizeof *cc);
    AVPacket *pkt = av_packet_alloc();
    AVFrame *frame = av_frame_alloc();
    int err = 0;
    unsigned pending = 0;
    if (!cc || !pkt || !frame) {
        err = -ENOMEM;
        goto end;
    }
    for (unsigned i = 0; i < ns; i++) {
        const AVStream *st = f->streams[i];
        enum AVMediaType t = st->codecpar->codec_type;
        ok[i] = true;
        if ((t != AVMEDIA_TYPE_AUDIO && t != AVMEDIA_TYPE_VIDEO) ||
            (st->disposition & AV_DISPOSITION_ATTACHED_PIC))
            continue;
        const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
        if (!codec) continue;
        ok[i] = false;
        if (!(cc[i] = avcodec_alloc_context3(codec))) {
            err = -ENOMEM;
            goto end;
        }
        cc[i]->thread_count = 1;
        if (avcodec_parameters_to_context(cc[i], st->codecpar) < 0 ||
            avcodec_open2(cc[i], codec, NULL) < 0) {
            avcodec_free_context(&cc[i]);
            continue;   /* ok[i] stays false: the stream cannot even be opened */
        }
        pending++;
    }
    for (int n = 0; pending && n < DECODE_MAX_PACKETS; n++) {
        int r = av_read_frame(f, pkt);
        if (r < 0) break;
        int i = pkt->stream_index;
        if (i >= 0 && (unsigned)i < ns && cc[i] && !ok[i]) {
            avcodec_send_packet(cc[i], pkt);
            if (avcodec_receive_frame(cc[i], frame) == 0) {
                ok[i] = true;
                pending--;
                av_frame_unref(frame);
            }
        }
        av_packet_unref(pkt);
    }
    /* Streams too short to fill the decoder's delay: drain it. */
    for (unsigned i = 0; pending && i < ns; i++) {
        if (!cc[i] || ok[i]) continue;
        avcodec_send_packet(cc[i], NULL);
        if (avcodec_receive_frame(cc[i], frame) == 0) {
            ok[i] = true;
            pending--;
            av_frame_unref(frame);
        }
    }
end:
    if (cc)
        for (unsigned i = 0; i < ns; i++) avcodec_free_context(&cc[i]);
    free(cc);
    av_packet_free(&pkt);
    av_frame_free(&frame);
    return err;
}

/* One side of a comparison, its codecs probed on the first packet (avmem.h). */
static int open_side(struct um_av *av, const uint8_t *d, uint64_t n)
{
    int err = um_av_open_streams(av, d, n);
    if (!err) um_av_probe_codecs_once(av);
    return err;
}

/* The result's first frames must decode wherever the original's do. rev (nrev
 * entries) maps the result's streams to the original's. */
static int check_decodes(const uint8_t *a, uint64_t an, const uint8_t *b, uint64_t bn,
                         const int *rev, unsigned nrev, char **why)
{
    struct um_av va, vb;
    bool *oka = NULL, *okb = NULL;
    int err = UM_E_VERIFY;
    if (open_side(&vb, b, bn) != 0) {
        *why = strdup("the result no longer opens as media");
        return UM_E_VERIFY;
    }
    /* Counts as opened: streams that show up while decoding are not looked at. */
    unsigned nb = vb.fmt->nb_streams < nrev ? vb.fmt->nb_streams : nrev, na = 0;
    okb = calloc(vb.fmt->nb_streams + 1, sizeof *okb);
    if (!okb) {
        err = -ENOMEM;
        goto end_b;
    }
    if ((err = decode_first_frames(vb.fmt, okb)) != 0) goto end_b;
    bool all = true;
    for (unsigned i = 0; i < nb; i++) all = all && okb[i];
    if (all) goto end_b;
    /* Something does not decode: fine only where the original does not decode either
     * (a codec this build lacks options for, a stream that starts mid-GOP). */
    if (open_side(&va, a, an) != 0) {
        err = 0;
        goto end_b;
    }
    na = va.fmt->nb_streams;
    oka = calloc(na + 1, sizeof *oka);
    if (!oka) {
        err = -ENOMEM;
        goto end_a;
    }
    if ((err = decode_first_frames(va.fmt, oka)) != 0) goto end_a;
    for (unsigned j = 0; j < nb; j++) {
        int i = rev[j];
        if (okb[j] || i < 0 || (unsigned)i >= na || !oka[i]) continue;
        char buf[96];
        snprintf(buf, sizeof buf, "the first frame of stream %u of the result does not decode", j);
        *why = strdup(buf);
        err = UM_E_VERIFY;
        goto end_a;
    }
    err = 0;
end_a:
    free(oka);
    um_av_close(&va);
end_b:
    free(okb);
    um_av_close(&vb);
    return err;
}

/* ---- packet ranges: a proof that reads no media data ----
 *
 * For a large file edited in place, reading every packet of both files would read
 * the whole film twice. Instead: the original's index (for MP4/MOV built from the
 * sample tables, complete without reading data) gives the byte range of every
 * packet; every edit must lie outside all of them; then both files are demuxed with
 * those ranges read as zeros (common/avmem.c sparse mode), so that only headers are
 * read, and every packet's position, size, timestamps and flags must be equal. Equal
 * positions outside every edit mean equal bytes. Only for demuxers whose index
 * entries are exactly the packets' bytes (mov); any packet outside the index falls
 * back to the head comparison. */

#define RANGES_MAX (64u << 20)

static int cmp_range(const void *x, const void *y)
{
    const struct um_range *a = x, *b = y;
    return a->off < b->off ? -1 : a->off > b->off;
}

static bool proof_stream(const AVStream *st)
{
    return um_av_stream_kept(st) && st->codecpar->codec_type != AVMEDIA_TYPE_ATTACHMENT;
}

/* The merged byte ranges of every compared stream's index entries. */
static int index_ranges(AVFormatContext *f, uint64_t size, struct um_range **out, size_t *n)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < f->nb_streams; i++)
        if (proof_stream(f->streams[i])) total += (uint64_t)avformat_index_get_entries_count(f->streams[i]);
    if (total == 0 || total > RANGES_MAX) return UM_E_UNSUPPORTED;
    struct um_range *r = malloc((size_t)total * sizeof *r);
    if (!r) return -ENOMEM;
    size_t k = 0;
    for (unsigned i = 0; i < f->nb_streams; i++) {
        AVStream *st = f->streams[i];
        if (!proof_stream(st)) continue;
        int count = avformat_index_get_entries_count(st);
        for (int j = 0; j < count; j++) {
            const AVIndexEntry *e = avformat_index_get_entry(st, j);
            if (!e || e->size <= 0) continue;
            if (e->pos < 0 || !um_range_ok((uint64_t)e->pos, (uint64_t)e->size, size)) {
                free(r);
                return UM_E_UNSUPPORTED;
            }
            r[k].off = (uint64_t)e->pos;
            r[k].len = (uint64_t)e->size;
            k++;
        }
    }
    qsort(r, k, sizeof *r, cmp_range);
    size_t w = 0;
    for (size_t i = 0; i < k; i++) {
        if (w && r[i].off <= r[w - 1].off + r[w - 1].len) {
            uint64_t end = r[i].off + r[i].len;
            if (end > r[w - 1].off + r[w - 1].len) r[w - 1].len = end - r[w - 1].off;
        } else {
            r[w++] = r[i];
        }
    }
    *out = r;
    *n = w;
    return 0;
}

/* The range that holds [off, off+len) whole, or that overlaps it. */
static const struct um_range *find_range(const struct um_range *r, size_t n, uint64_t off, uint64_t len,
                                         bool whole)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].off + r[mid].len <= off) lo = mid + 1;
        else hi = mid;
    }
    if (lo == n) return NULL;
    if (whole) return r[lo].off <= off && off + len <= r[lo].off + r[lo].len ? &r[lo] : NULL;
    return r[lo].off < off + len ? &r[lo] : NULL;
}

static bool same_params(const AVStream *x, const AVStream *y)
{
    const AVCodecParameters *a = x->codecpar, *b = y->codecpar;
    return a->codec_id == b->codec_id && a->codec_type == b->codec_type &&
           a->extradata_size == b->extradata_size &&
           (!a->extradata_size || !memcmp(a->extradata, b->extradata, (size_t)a->extradata_size)) &&
           a->width == b->width && a->height == b->height && a->sample_rate == b->sample_rate &&
           a->ch_layout.nb_channels == b->ch_layout.nb_channels && a->format == b->format &&
           x->time_base.num == y->time_base.num && x->time_base.den == y->time_base.den;
}

/* Every proven stream's index (each sample's position, size, decoding time and
 * flags, as the demuxer built it from the sample tables) is the same in both. */
static bool same_index(const AVFormatContext *a, const AVFormatContext *b, const int *map, unsigned *stream)
{
    for (unsigned i = 0; i < a->nb_streams; i++) {
        if (!proof_stream(a->streams[i])) continue;
        *stream = i;
        if (map[i] < 0) return false;
        AVStream *sb = b->streams[map[i]];
        int n = avformat_index_get_entries_count(a->streams[i]);
        if (n != avformat_index_get_entries_count(sb)) return false;
        for (int j = 0; j < n; j++) {
            const AVIndexEntry *x = avformat_index_get_entry(a->streams[i], j);
            const AVIndexEntry *y = avformat_index_get_entry(sb, j);
            if (!x || !y || x->pos != y->pos || x->timestamp != y->timestamp || x->size != y->size ||
                x->flags != y->flags || x->min_distance != y->min_distance)
                return false;
        }
    }
    return true;
}

/* Same-length edits of an MP4/MOV whose sample tables the demuxer reads whole: no
 * edit touches a byte of any sample, and the result's demuxer built the same index
 * with the same codec parameters, so every packet's data and position are the
 * original's without reading either film. (Presentation times come from the same
 * tables; the first packets are also compared in full, timing included.) Works on
 * the two demuxers the caller opened (header and index only: no packet is read, so
 * the packet comparison that follows starts from the beginning). */
static int prove_by_ranges(AVFormatContext *fa, AVFormatContext *fb, const int *map, uint64_t an,
                           const struct um_essence_options *eo, char **why)
{
    struct um_range *r = NULL;
    size_t nr = 0;
    bool mov = strncmp(fa->iformat->name, "mov,", 4) == 0 && !(fa->ctx_flags & AVFMTCTX_NOHEADER);
    int err = mov ? index_ranges(fa, an, &r, &nr) : UM_E_UNSUPPORTED;
    if (err) return err;
    err = UM_E_VERIFY;
    for (size_t i = 0; i <= eo->nedits; i++) {
        uint64_t off = i < eo->nedits ? eo->edits[i].offset : eo->kept_end;
        uint64_t len = i < eo->nedits ? eo->edits[i].length : an - eo->kept_end;
        if (len && find_range(r, nr, off, len, false)) {
            *why = strdup("an edit touches the bytes of a media packet");
            goto end;
        }
    }
    /* Same container, and the streams mapped: checked by the caller. */
    for (unsigned i = 0; i < fa->nb_streams; i++)
        if (proof_stream(fa->streams[i]) && (map[i] < 0 || !same_params(fa->streams[i], fb->streams[map[i]]))) {
            *why = strdup("a stream's codec parameters differ");
            goto end;
        }
    unsigned bad = 0;
    if (!same_index(fa, fb, map, &bad)) {
        char buf[128];
        snprintf(buf, sizeof buf, "the position or timing of stream %u's packets differs", bad);
        *why = strdup(buf);
        goto end;
    }
    err = 0;
end:
    free(r);
    return err;
}

/* A subtitle stream of the original that is a GPS log (its first packet that is not
 * all zeros holds NMEA sentences, as dashcams write them; zeroed ones are what a
 * killed scrub of it left), or that holds nothing but zeros: a scrub may drop it like
 * telemetry. The original is demuxed again from its start, up to 4096 packets. */
static bool subtitle_is_gps(const uint8_t *a, uint64_t an, int index)
{
    struct um_av av;
    if (open_side(&av, a, an) != 0) return false;
    AVPacket *pkt = av_packet_alloc();
    bool gps = false, decided = false, seen = false;
    for (int i = 0; pkt && !decided && i < 4096 && av_read_frame(av.fmt, pkt) >= 0; i++) {
        if (pkt->stream_index == index) seen = true;
        if (pkt->stream_index == index && pkt->data && !um_all_zero(pkt->data, (uint64_t)pkt->size)) {
            gps = um_has_nmea(pkt->data, (size_t)pkt->size);
            decided = true;
        }
        av_packet_unref(pkt);
    }
    if (!decided) gps = seen;   /* nothing but zeros: no text to lose (an emptied log) */
    av_packet_free(&pkt);
    um_av_close(&av);
    return gps;
}

/* Sets map[i] to the result's stream for each stream i of the original (a, an bytes),
 * or -1 for one that is gone, and returns how many are mapped. A remux keeps the
 * streams um_av_stream_kept keeps, in order. An edit in place keeps every stream, but
 * an edit that removed a whole timed-metadata track (telemetry, data: what a remux
 * drops too) or a subtitle track that is a GPS log leaves fewer: the result's streams
 * are then matched in order by their container ids, and only such a stream may be
 * missing, never picture, sound, other subtitles or cover art. */
static unsigned map_streams(const AVFormatContext *a, const AVFormatContext *b, bool remuxed, int *map,
                            const uint8_t *ad, uint64_t an)
{
    unsigned na = a->nb_streams, nb = b->nb_streams, j = 0;
    if (remuxed || na == nb) {
        for (unsigned i = 0; i < na; i++)
            map[i] = !remuxed || um_av_stream_kept(a->streams[i]) ? (int)j++ : -1;
        return j;
    }
    for (unsigned i = 0; i < na; i++) {
        const AVStream *s = a->streams[i];
        bool telemetry = !um_av_stream_kept(s) && !(s->disposition & AV_DISPOSITION_ATTACHED_PIC);
        if (j < nb && b->streams[j]->id == s->id) {
            map[i] = (int)j++;
        } else if (telemetry || (s->codecpar->codec_type == AVMEDIA_TYPE_SUBTITLE && subtitle_is_gps(ad, an, (int)i))) {
            map[i] = -1;
        } else {
            return UINT_MAX;   /* a stream that must stay is not where it was */
        }
    }
    return j;
}

int um_essence_compare_ex(const uint8_t *a, uint64_t an, const uint8_t *b, uint64_t bn,
                          const struct um_essence_options *eo, enum um_verify_level *level,
                          char **why)
{
    struct um_av va, vb;
    int *map = NULL, *rev = NULL;
    *why = NULL;
    if (um_avlib_load() != 0) {   /* not "unsupported": that would pass on structure alone */
        *why = strdup(um_avlib_error());
        return UM_E_LIBAV;
    }
    if (open_side(&va, a, an) != 0) return UM_E_UNSUPPORTED;
    int err;
    if (open_side(&vb, b, bn) != 0) {
        um_av_close(&va);
        *why = strdup("the result no longer opens as media");
        return UM_E_VERIFY;
    }
    err = UM_E_VERIFY;
    if (strcmp(va.fmt->iformat->name, vb.fmt->iformat->name) != 0) {
        *why = strdup("the result is detected as a different container");
        goto end;
    }
    if (va.fmt->nb_streams == 0) {
        err = UM_E_UNSUPPORTED;
        goto end;
    }
    /* Stream i of the original is stream map[i] of the result; a remux keeps the
     * kept streams in order and drops the rest. */
    map = malloc(va.fmt->nb_streams * sizeof *map);
    rev = malloc((vb.fmt->nb_streams + 1) * sizeof *rev);
    if (!map || !rev) {
        err = -ENOMEM;
        goto end;
    }
    unsigned nb = map_streams(va.fmt, vb.fmt, eo->remuxed, map, a, an);
    if (nb != vb.fmt->nb_streams) {
        *why = strdup("the number of streams differs");
        goto end;
    }
    for (unsigned i = 0; i < va.fmt->nb_streams; i++) {
        if (map[i] < 0) continue;
        rev[map[i]] = (int)i;
        if (va.fmt->streams[i]->codecpar->codec_id != vb.fmt->streams[map[i]]->codecpar->codec_id) {
            *why = strdup("a stream's codec differs");
            goto end;
        }
    }
    if (is_still_image(va.fmt)) {
        *level = UM_VERIFY_PIXELS;
        err = compare_pixels(va.fmt, vb.fmt, why);
    } else {
        *level = eo->max_packets ? UM_VERIFY_PACKETS_HEAD : UM_VERIFY_PACKETS;
        if (eo->max_packets && eo->ranges && !eo->remuxed) {
            /* Large and edited in place: prove it by packet ranges where the format
             * allows, on top of comparing the first packets in full. */
            err = prove_by_ranges(va.fmt, vb.fmt, map, an, eo, why);
            if (err && err != UM_E_UNSUPPORTED) goto end;
            if (!err) *level = UM_VERIFY_RANGES;
        }
        uint64_t head = *level == UM_VERIFY_RANGES ? HEAD_BYTES_PROVEN : HEAD_BYTES;
        err = compare_packets(va.fmt, vb.fmt, map, rev, eo->allow_last_prefix, eo->max_packets, head, why);
        if (!err && eo->decode_check) err = check_decodes(a, an, b, bn, rev, nb, why);
    }
end:
    free(map);
    free(rev);
    um_av_close(&va);
    um_av_close(&vb);
    return err;
}

/* ---- media map: a proof that reads neither film nor asks FFmpeg ----
 *
 * For a large file edited in place the result is the original with the plan's
 * same-length edits and at most a cut tail. When the format's media map (every byte
 * a player reads: media, indexes, codec setup, the sizes that chain the structure)
 * has no byte in any edit or in the tail, and the result maps to exactly the same
 * bytes (the edits did not change how the structure reads), every byte a player
 * reads is the original's. The map is conservative, so a miss is not a failure: the
 * caller then asks FFmpeg as for any file. 0 proven, UM_E_UNSUPPORTED otherwise. */
static int prove_by_media_map(const struct um_format *fmt, const uint8_t *orig, uint64_t orig_size,
                              const uint8_t *result, uint64_t result_size, const struct um_plan *plan)
{
    struct um_media_map a, b;
    um_media_map_init(&a, orig_size);
    um_media_map_init(&b, result_size);
    int err = fmt->media_map(&a, orig, orig_size);
    if (!err) err = fmt->media_map(&b, result, result_size);
    if (err) goto end;
    um_media_map_finish(&a);
    um_media_map_finish(&b);
    err = UM_E_UNSUPPORTED;
    if (!a.n || !um_media_map_equal(&a, &b)) goto end;
    for (size_t i = 0; i < plan->n; i++)
        if (um_media_map_touches(&a, plan->ops[i].offset, plan->ops[i].length)) goto end;
    if (plan->truncate && um_media_map_touches(&a, plan->truncate_at, orig_size - plan->truncate_at)) goto end;
    err = 0;
end:
    um_media_map_free(&a);
    um_media_map_free(&b);
    return err ? UM_E_UNSUPPORTED : 0;
}

int um_verify(struct um_scanner *sc, const struct um_policy *policy,
              const struct um_verify_options *vo, const struct um_file_result *before,
              const uint8_t *orig, uint64_t orig_size, const uint8_t *result,
              uint64_t result_size, const struct um_plan *plan, const char *name,
              enum um_verify_level *level, char **why)
{
    struct um_file_result after;
    um_file_result_init(&after);
    *why = NULL;
    *level = UM_VERIFY_STRUCTURE;
    int err = UM_E_VERIFY;
    um_scan_buffer(sc, result, result_size, name, &after);
    if (before->scanned && !after.scanned) {
        char buf[160];
        snprintf(buf, sizeof buf, "the result no longer parses: %s", um_strerror(after.error));
        *why = strdup(buf);
        goto end;
    }
    if (strcmp(before->format, after.format) != 0) {
        *why = strdup("the result is identified as a different format");
        goto end;
    }
    for (size_t i = 0; i < after.findings.len; i++) {
        if (!um_plan_removes(&after, policy, i)) continue;
        const struct um_finding *f = um_vec_at(&after.findings, i);
        char buf[200];
        snprintf(buf, sizeof buf, "still present after scrubbing: %s at %s", um_kind_name(f->kind),
                 f->where ? f->where : "?");
        *why = strdup(buf);
        goto end;
    }
    /* Not media, or no handler identified it: FFmpeg's guess at such bytes (it finds
     * an MJPEG stream in a PDF that embeds a JPEG) proves nothing. */
    const struct um_format *fmt = um_format_by_name(before->format);
    if (!fmt || fmt->no_essence) {
        err = 0;
        goto end;
    }
    bool large = vo->full_limit && orig_size > vo->full_limit;
    if (large && fmt->media_map && !vo->demux && plan->in_place_ok && !plan->remux &&
        result_size == plan->new_size &&
        prove_by_media_map(fmt, orig, orig_size, result, result_size, plan) == 0) {
        *level = UM_VERIFY_MEDIA_MAP;
        err = 0;
        goto end;
    }
    /* A remux rewrote every byte and may interleave differently: always compare
     * every packet (its cost is small next to the remux itself). */
    struct um_essence_options eo = {
        .allow_last_prefix = plan->truncate,
        .remuxed = plan->remux,
        .max_packets = !plan->remux && vo->full_limit && orig_size > vo->full_limit ? 256 : 0,
        .decode_check = true,
        /* Same-length edits only (no bytes moved): a proof by packet ranges applies. */
        .ranges = plan->in_place_ok && !plan->remux,
        .edits = plan->ops, .nedits = plan->n, .kept_end = plan->truncate_at,
    };
    err = um_essence_compare_ex(orig, orig_size, result, result_size, &eo, level, why);
    if (err == UM_E_UNSUPPORTED) {
        *level = UM_VERIFY_STRUCTURE;
        err = 0;
    }
end:
    um_file_result_free(&after);
    return err;
}
