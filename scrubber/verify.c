#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>

#include "../common/avmem.h"
#include "../common/error.h"
#include "verify.h"

const char *um_verify_level_name(enum um_verify_level l)
{
    static const char *const n[] = { "structure", "packets", "packets_head", "pixels" };
    return (unsigned)l <= UM_VERIFY_PIXELS ? n[l] : "structure";
}

static char *why_packet(const char *what, long long n)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s at packet %lld", what, n);
    return strdup(buf);
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
    err = UM_E_VERIFY;
    if (a->width != b->width || a->height != b->height || a->format != b->format) {
        *why = strdup("decoded image geometry differs");
        goto end;
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
                goto end;
            }
    }
    err = 0;
end:
    av_frame_free(&a);
    av_frame_free(&b);
    return err;
}

static int compare_packets(AVFormatContext *fa, AVFormatContext *fb, bool allow_last_prefix,
                           uint64_t max_packets, char **why)
{
    AVPacket *a = av_packet_alloc(), *b = av_packet_alloc();
    int err = -ENOMEM;
    if (!a || !b) goto end;
    for (uint64_t n = 0;; n++) {
        if (max_packets && n >= max_packets) {
            err = 0;
            break;
        }
        int ra = av_read_frame(fa, a), rb = av_read_frame(fb, b);
        if (ra < 0 && rb < 0) {
            err = 0;
            break;
        }
        err = UM_E_VERIFY;
        if (ra < 0 || rb < 0) {
            /* A trailer that the demuxer took for one more packet is gone now. */
            if (rb < 0 && allow_last_prefix && av_read_frame(fa, a) < 0) {
                err = 0;
                break;
            }
            *why = why_packet(ra < 0 ? "the result has more packets" : "the result has fewer packets",
                              (long long)n);
            break;
        }
        bool same_meta = a->stream_index == b->stream_index && a->pts == b->pts &&
                         a->dts == b->dts && a->flags == b->flags;
        bool same_data = a->size == b->size && !memcmp(a->data, b->data, (size_t)a->size);
        if (same_meta && !same_data && allow_last_prefix && b->size < a->size &&
            !memcmp(a->data, b->data, (size_t)b->size)) {
            /* Only the last packet may have carried the removed trailer. */
            AVPacket *peek = av_packet_alloc();
            bool last = peek && av_read_frame(fb, peek) < 0;
            av_packet_free(&peek);
            if (last) {
                err = 0;
                break;
            }
        }
        if (!same_meta || !same_data) {
            *why = why_packet("media data or timing differs", (long long)n);
            break;
        }
        av_packet_unref(a);
        av_packet_unref(b);
        err = 0;
    }
end:
    av_packet_free(&a);
    av_packet_free(&b);
    return err;
}

int um_essence_compare(const uint8_t *a, uint64_t an, const uint8_t *b, uint64_t bn,
                       bool allow_last_prefix, uint64_t max_packets,
                       enum um_verify_level *level, char **why)
{
    struct um_av va, vb;
    *why = NULL;
    if (um_av_open(&va, a, an) != 0) return UM_E_UNSUPPORTED;
    int err;
    if (um_av_open(&vb, b, bn) != 0) {
        um_av_close(&va);
        *why = strdup("the result no longer opens as media");
        return UM_E_VERIFY;
    }
    err = UM_E_VERIFY;
    if (strcmp(va.fmt->iformat->name, vb.fmt->iformat->name) != 0) {
        *why = strdup("the result is detected as a different container");
        goto end;
    }
    if (va.fmt->nb_streams != vb.fmt->nb_streams) {
        *why = strdup("the number of streams differs");
        goto end;
    }
    if (va.fmt->nb_streams == 0) {
        err = UM_E_UNSUPPORTED;
        goto end;
    }
    for (unsigned i = 0; i < va.fmt->nb_streams; i++)
        if (va.fmt->streams[i]->codecpar->codec_id != vb.fmt->streams[i]->codecpar->codec_id) {
            *why = strdup("a stream's codec differs");
            goto end;
        }
    if (is_still_image(va.fmt)) {
        *level = UM_VERIFY_PIXELS;
        err = compare_pixels(va.fmt, vb.fmt, why);
    } else {
        *level = max_packets ? UM_VERIFY_PACKETS_HEAD : UM_VERIFY_PACKETS;
        err = compare_packets(va.fmt, vb.fmt, allow_last_prefix, max_packets, why);
    }
end:
    um_av_close(&va);
    um_av_close(&vb);
    return err;
}

int um_verify(struct um_scanner *sc, const struct um_policy *policy,
              const struct um_verify_options *vo, const struct um_file_result *before,
              const uint8_t *orig, uint64_t orig_size, const uint8_t *result,
              uint64_t result_size, bool truncated, const char *name,
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
    uint64_t max_packets = vo->full_limit && orig_size > vo->full_limit ? 256 : 0;
    err = um_essence_compare(orig, orig_size, result, result_size, truncated, max_packets, level, why);
    if (err == UM_E_UNSUPPORTED) {
        *level = UM_VERIFY_STRUCTURE;
        err = 0;
    }
end:
    um_file_result_free(&after);
    return err;
}
