/* Stream-copy remux without metadata, for files whose tags libavformat parsed but
 * whose bytes no native handler can edit (the REMUX plan of formats/av.c).
 *
 * Same container in and out (the input demuxer's own muxer), AVFMT_FLAG_BITEXACT so
 * that no encoder tag, random identifier or wall-clock time is written, packets
 * copied unchanged with their timestamps. What is kept and dropped is listed in
 * remux.h; which streams are kept is um_av_stream_kept() (common/avmem.c), the same
 * rule the verifier uses to map the original's streams onto the result's. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../common/avmem.h"
#include "../common/error.h"
#include "remux.h"

#define IO_BUF 65536

/* ---- output through pwrite on the caller's descriptor ---- */

struct out_io {
    int fd;
    uint64_t pos, size;
};

static int write_cb(void *opaque, uint8_t *buf, int n)
{
    struct out_io *o = opaque;
    int left = n;
    while (left > 0) {
        ssize_t w = pwrite(o->fd, buf, (size_t)left, (off_t)o->pos);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) return AVERROR(errno);
        if (w == 0) return AVERROR(EIO);
        buf += w, left -= (int)w, o->pos += (uint64_t)w;
    }
    if (o->pos > o->size) o->size = o->pos;
    return n;
}

static int64_t seek_cb(void *opaque, int64_t off, int whence)
{
    struct out_io *o = opaque;
    int64_t base;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE: return (int64_t)o->size;
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)o->pos; break;
    case SEEK_END: base = (int64_t)o->size; break;
    default: return AVERROR(EINVAL);
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0) return AVERROR(EINVAL);
    o->pos = (uint64_t)(base + off);
    return (int64_t)o->pos;
}

/* ---- which muxer ---- */

static bool all_webm_codecs(const AVFormatContext *in)
{
    for (unsigned i = 0; i < in->nb_streams; i++) {
        const AVStream *st = in->streams[i];
        if (!um_av_stream_kept(st)) continue;
        switch (st->codecpar->codec_id) {
        case AV_CODEC_ID_VP8: case AV_CODEC_ID_VP9: case AV_CODEC_ID_AV1:
        case AV_CODEC_ID_OPUS: case AV_CODEC_ID_VORBIS: case AV_CODEC_ID_WEBVTT:
            break;
        default:
            return false;
        }
    }
    return true;
}

/* The muxer that writes what the input's demuxer reads. Demuxers that read a family
 * of formats are told apart by what the file says (brand, pack header, codecs). */
static const AVOutputFormat *muxer_for(const AVFormatContext *in, const uint8_t *data, uint64_t size)
{
    static const struct { const char *demuxer, *muxer; } renamed[] = {
        { "aac", "adts" }, { "loas", "latm" }, { "mpegtsraw", "mpegts" },
    };
    const char *name = in->iformat->name;
    if (strncmp(name, "mov,", 4) == 0) {
        const AVDictionaryEntry *b = av_dict_get(in->metadata, "major_brand", NULL, 0);
        const char *brand = b ? b->value : "";
        const char *m = !strncmp(brand, "qt", 2) ? "mov" : !strncmp(brand, "3gp", 3) ? "3gp"
                      : !strncmp(brand, "3g2", 3) ? "3g2" : !strncmp(brand, "M4A", 3) ? "ipod"
                      : !strncmp(brand, "M4B", 3) ? "ipod" : "mp4";
        return av_guess_format(m, NULL, NULL);
    }
    if (strcmp(name, "matroska,webm") == 0)
        return av_guess_format(all_webm_codecs(in) ? "webm" : "matroska", NULL, NULL);
    if (strcmp(name, "mpeg") == 0) {
        /* An MPEG-2 program stream pack header has '01' in the top bits after the
         * start code; MPEG-1 system streams have '0010'. */
        bool mpeg2 = size > 4 && (data[4] & 0xC0) == 0x40;
        return av_guess_format(mpeg2 ? "vob" : "mpeg", NULL, NULL);
    }
    for (size_t i = 0; i < sizeof renamed / sizeof *renamed; i++)
        if (strcmp(name, renamed[i].demuxer) == 0) return av_guess_format(renamed[i].muxer, NULL, NULL);
    char first[32];
    size_t n = strcspn(name, ",");
    if (n >= sizeof first) return NULL;
    memcpy(first, name, n);
    first[n] = 0;
    return av_guess_format(first, NULL, NULL);
}

/* ---- streams and chapters ---- */

/* The codec tag is kept when the muxer maps it to the same codec or has no tag of
 * its own for the codec (as a stream copy on the command line does); else the muxer
 * picks its own. */
static uint32_t out_tag(const AVOutputFormat *of, const AVCodecParameters *p)
{
    unsigned tag;
    if (!of->codec_tag || av_codec_get_id(of->codec_tag, p->codec_tag) == p->codec_id ||
        !av_codec_get_tag2(of->codec_tag, p->codec_id, &tag))
        return p->codec_tag;
    return 0;
}

static int add_stream(AVFormatContext *out, const AVStream *ist)
{
    AVStream *ost = avformat_new_stream(out, NULL);
    if (!ost) return -ENOMEM;
    if (avcodec_parameters_copy(ost->codecpar, ist->codecpar) < 0) return -ENOMEM;
    ost->codecpar->codec_tag = out_tag(out->oformat, ist->codecpar);
    ost->time_base = ist->time_base;
    ost->avg_frame_rate = ist->avg_frame_rate;
    ost->r_frame_rate = ist->r_frame_rate;
    ost->sample_aspect_ratio = ist->sample_aspect_ratio;
    ost->disposition = ist->disposition;
    /* Languages and attachment names are what playback needs; nothing else. */
    static const char *const keep[] = { "language", "filename", "mimetype" };
    for (size_t k = 0; k < sizeof keep / sizeof *keep; k++) {
        if (k > 0 && ist->codecpar->codec_type != AVMEDIA_TYPE_ATTACHMENT) break;
        const AVDictionaryEntry *e = av_dict_get(ist->metadata, keep[k], NULL, 0);
        if (e && av_dict_set(&ost->metadata, keep[k], e->value, 0) < 0) return -ENOMEM;
    }
    /* Stream side data: display matrix (rotation), stereo 3D, spherical mapping. */
    for (int i = 0; i < ist->nb_side_data; i++) {
        const AVPacketSideData *sd = &ist->side_data[i];
        uint8_t *dst = av_stream_new_side_data(ost, sd->type, sd->size);
        if (!dst) return -ENOMEM;
        memcpy(dst, sd->data, sd->size);
    }
    return 0;
}

/* Chapter times stay (they are navigation); their titles go. */
static int copy_chapters(AVFormatContext *out, const AVFormatContext *in)
{
    if (!in->nb_chapters) return 0;
    out->chapters = av_calloc(in->nb_chapters, sizeof *out->chapters);
    if (!out->chapters) return -ENOMEM;
    for (unsigned i = 0; i < in->nb_chapters; i++) {
        const AVChapter *ic = in->chapters[i];
        AVChapter *oc = av_mallocz(sizeof *oc);
        if (!oc) return -ENOMEM;
        oc->id = ic->id;
        oc->time_base = ic->time_base;
        oc->start = ic->start;
        oc->end = ic->end;
        out->chapters[out->nb_chapters++] = oc;
    }
    return 0;
}

/* Metadata that arrives inside packets (stream-carried tags) is dropped too. */
static void strip_packet_metadata(AVPacket *pkt)
{
    for (int i = 0; i < pkt->side_data_elems;) {
        enum AVPacketSideDataType t = pkt->side_data[i].type;
        if (t == AV_PKT_DATA_STRINGS_METADATA || t == AV_PKT_DATA_METADATA_UPDATE) {
            av_freep(&pkt->side_data[i].data);
            pkt->side_data[i] = pkt->side_data[--pkt->side_data_elems];
        } else {
            i++;
        }
    }
}

static char *why_text(const char *what, int averr)
{
    char buf[160], e[AV_ERROR_MAX_STRING_SIZE] = "";
    if (averr) av_strerror(averr, e, sizeof e);
    snprintf(buf, sizeof buf, "remux: %s%s%s", what, averr ? ": " : "", e);
    return strdup(buf);
}

int um_remux(const uint8_t *data, uint64_t size, int out_fd, uint64_t *out_size,
             volatile int *interrupted, char **why)
{
    struct um_av in;
    struct out_io o = { .fd = out_fd };
    AVFormatContext *out = NULL;
    AVIOContext *io = NULL;
    AVPacket *pkt = NULL;
    int *map = NULL;
    int err = 0, r;

    *why = NULL;
    *out_size = 0;
    if (um_avlib_load() != 0) {
        *why = strdup(um_avlib_error());
        return UM_E_LIBAV;
    }
    if (um_av_open(&in, data, size) != 0) {
        *why = strdup("remux: the file does not open as media");
        return UM_E_UNSUPPORTED;
    }
    /* Muxers need complete codec parameters (sizes, rates, extradata), and some
     * containers announce their streams only in the packets. */
    if ((r = avformat_find_stream_info(in.fmt, NULL)) < 0) {
        *why = why_text("cannot read the streams", r);
        err = UM_E_LIBAV;
        goto end;
    }
    const AVOutputFormat *of = muxer_for(in.fmt, data, size);
    if (!of) {
        *why = strdup("remux: no muxer writes this container");
        err = UM_E_UNSUPPORTED;
        goto end;
    }
    if ((r = avformat_alloc_output_context2(&out, of, NULL, NULL)) < 0) {
        err = r == AVERROR(ENOMEM) ? -ENOMEM : UM_E_LIBAV;
        goto end;
    }
    out->flags |= AVFMT_FLAG_BITEXACT;
    map = malloc((in.fmt->nb_streams ? in.fmt->nb_streams : 1) * sizeof *map);
    if (!map) {
        err = -ENOMEM;
        goto end;
    }
    unsigned kept = 0, nmap = in.fmt->nb_streams;
    for (unsigned i = 0; i < nmap; i++) {
        const AVStream *ist = in.fmt->streams[i];
        map[i] = -1;
        if (!um_av_stream_kept(ist)) continue;
        if (ist->codecpar->codec_id == AV_CODEC_ID_NONE) {
            /* Picture or sound we cannot carry over: refuse rather than lose it. */
            *why = strdup("remux: a stream has an unknown codec");
            err = UM_E_UNSUPPORTED;
            goto end;
        }
        if ((err = add_stream(out, ist)) != 0) goto end;
        map[i] = (int)kept++;
    }
    if (!kept) {
        *why = strdup("remux: no stream to keep");
        err = UM_E_UNSUPPORTED;
        goto end;
    }
    if ((err = copy_chapters(out, in.fmt)) != 0) goto end;

    uint8_t *buf = av_malloc(IO_BUF);
    if (!buf) {
        err = -ENOMEM;
        goto end;
    }
    io = avio_alloc_context(buf, IO_BUF, 1, &o, NULL, write_cb, seek_cb);
    if (!io) {
        av_free(buf);
        err = -ENOMEM;
        goto end;
    }
    out->pb = io;
    out->flags |= AVFMT_FLAG_CUSTOM_IO;
    if ((r = avformat_write_header(out, NULL)) < 0) {
        *why = why_text("the muxer refused the streams", r);
        err = UM_E_LIBAV;
        goto end;
    }
    pkt = av_packet_alloc();
    if (!pkt) {
        err = -ENOMEM;
        goto end;
    }
    while ((r = av_read_frame(in.fmt, pkt)) >= 0) {
        if (interrupted && *interrupted) {
            err = UM_E_INTERRUPTED;
            goto end;
        }
        int si = pkt->stream_index;
        if (si >= 0 && (unsigned)si >= nmap && um_av_stream_kept(in.fmt->streams[si])) {
            /* Announced by no header and found too late to be muxed: refuse rather
             * than lose it. */
            *why = strdup("remux: a stream appeared in the middle of the file");
            err = UM_E_UNSUPPORTED;
            goto end;
        }
        if (si < 0 || (unsigned)si >= nmap || map[si] < 0) {
            av_packet_unref(pkt);
            continue;
        }
        const AVStream *ist = in.fmt->streams[si];
        pkt->stream_index = map[si];
        av_packet_rescale_ts(pkt, ist->time_base, out->streams[map[si]]->time_base);
        pkt->pos = -1;
        strip_packet_metadata(pkt);
        if ((r = av_interleaved_write_frame(out, pkt)) < 0) {
            *why = why_text("writing a packet failed", r);
            err = UM_E_LIBAV;
            goto end;
        }
    }
    if (r != AVERROR_EOF) {
        *why = why_text("reading the original failed", r);
        err = UM_E_LIBAV;
        goto end;
    }
    if ((r = av_write_trailer(out)) < 0) {
        *why = why_text("finishing the file failed", r);
        err = UM_E_LIBAV;
        goto end;
    }
    avio_flush(io);
    if (io->error < 0) {
        *why = why_text("writing failed", io->error);
        err = io->error == AVERROR(ENOSPC) ? -ENOSPC : UM_E_LIBAV;
        goto end;
    }
    *out_size = o.size;
end:
    av_packet_free(&pkt);
    free(map);
    if (io) {
        av_freep(&io->buffer);
        avio_context_free(&io);
    }
    if (out) {
        out->pb = NULL;
        avformat_free_context(out);
    }
    um_av_close(&in);
    return err;
}

int um_remux_plan(int in_fd, const struct um_plan *plan, int out_fd, uint64_t *out_size,
                  volatile int *interrupted, char **why)
{
    uint64_t size = plan->old_size, end = plan->truncate_at;
    *why = NULL;
    if (!end) {
        *why = strdup("remux: nothing to keep");
        return UM_E_UNSUPPORTED;
    }
    /* Private copy-on-write: only the pages of edited ranges are copied. */
    uint8_t *work = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE, in_fd, 0);
    if (work == MAP_FAILED) return -errno;
    for (size_t i = 0; i < plan->n; i++) {
        const struct um_edit *e = &plan->ops[i];
        if (e->offset >= end) continue;
        uint64_t len = e->length < end - e->offset ? e->length : end - e->offset;
        if (e->op == UM_OP_ZERO) memset(work + e->offset, 0, (size_t)len);
        else if (e->op == UM_OP_REPLACE) memcpy(work + e->offset, e->bytes, (size_t)len);
        /* CUT and SPLICE move bytes: the remux rewrites the layout anyway, and the
         * re-scan of the result proves that what they removed is gone. */
    }
    int err = um_remux(work, end, out_fd, out_size, interrupted, why);
    munmap(work, (size_t)size);
    if (!err && ftruncate(out_fd, (off_t)*out_size) != 0) err = -errno;
    return err;
}
