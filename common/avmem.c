/* libavformat over memory: an AVIOContext whose reads and seeks are bounds-checked
 * copies from the view, and the shared stream rules (see avmem.h). */
#include <errno.h>
#include <strings.h>
#include <string.h>

#include "avmem.h"
#include "error.h"

#define IO_BUF 65536

static int read_cb(void *opaque, uint8_t *buf, int n)
{
    struct um_av *av = opaque;
    if (av->pos >= av->size) return AVERROR_EOF;
    uint64_t left = av->size - av->pos;
    if ((uint64_t)n > left) n = (int)left;
    memcpy(buf, av->data + av->pos, (size_t)n);
    av->pos += (uint64_t)n;
    return n;
}

static int64_t seek_cb(void *opaque, int64_t off, int whence)
{
    struct um_av *av = opaque;
    int64_t base;
    switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE: return (int64_t)av->size;
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t)av->pos; break;
    case SEEK_END: base = (int64_t)av->size; break;
    default: return AVERROR(EINVAL);
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0) return AVERROR(EINVAL);
    av->pos = (uint64_t)(base + off);   /* past the end reads as EOF */
    return (int64_t)av->pos;
}

/* Demuxers that follow references (playlists, concat lists, QuickTime drefs) would
 * open other files or URLs: refuse, the view is all there is. */
static int refuse_open(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                       AVDictionary **options)
{
    (void)s, (void)pb, (void)url, (void)flags, (void)options;
    return AVERROR(EPERM);
}

int um_av_open(struct um_av *av, const uint8_t *data, uint64_t size)
{
    memset(av, 0, sizeof *av);
    if (um_avlib_load() != 0) return UM_E_LIBAV;
    av->data = data;
    av->size = size;
    uint8_t *buf = av_malloc(IO_BUF);
    if (!buf) return -ENOMEM;
    av->io = avio_alloc_context(buf, IO_BUF, 0, av, read_cb, NULL, seek_cb);
    if (!av->io) {
        av_free(buf);
        return -ENOMEM;
    }
    av->fmt = avformat_alloc_context();
    if (!av->fmt) {
        um_av_close(av);
        return -ENOMEM;
    }
    av->fmt->pb = av->io;
    av->fmt->io_open = refuse_open;
    av->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    av->fmt->probesize = 1 << 20;
    av->fmt->format_probesize = 1 << 20;
    av->fmt->max_analyze_duration = 0;
    int r = avformat_open_input(&av->fmt, NULL, NULL, NULL);
    if (r < 0) {
        av->fmt = NULL;   /* freed by avformat_open_input on failure */
        um_av_close(av);
        return UM_E_LIBAV;
    }
    return 0;
}

int um_av_open_streams(struct um_av *av, const uint8_t *data, uint64_t size)
{
    int err = um_av_open(av, data, size);
    if (err) return err;
    if (((av->fmt->ctx_flags & AVFMTCTX_NOHEADER) || av->fmt->nb_streams == 0) &&
        avformat_find_stream_info(av->fmt, NULL) < 0) {
        um_av_close(av);
        return UM_E_LIBAV;
    }
    return 0;
}

void um_av_probe_codecs_once(struct um_av *av)
{
    /* libavformat ends a codec probe once the data it buffered reaches the probe
     * size; 32 bytes is the least the option takes. */
    if (av->fmt) av->fmt->probesize = 32;
}

void um_av_close(struct um_av *av)
{
    if (av->fmt) avformat_close_input(&av->fmt);
    if (av->io) {
        av_freep(&av->io->buffer);
        avio_context_free(&av->io);
    }
    memset(av, 0, sizeof *av);
}

bool um_av_is_telemetry(const AVStream *st)
{
    const AVCodecParameters *p = st->codecpar;
    if (p->codec_type == AVMEDIA_TYPE_DATA) return true;
    uint32_t tag = p->codec_tag;
    if (tag == MKTAG('g', 'p', 'm', 'd') || tag == MKTAG('c', 'a', 'm', 'm') ||
        tag == MKTAG('m', 'e', 'b', 'x'))
        return true;
    if (p->codec_type == AVMEDIA_TYPE_AUDIO || p->codec_type == AVMEDIA_TYPE_VIDEO) return false;
    const AVDictionaryEntry *h = av_dict_get(st->metadata, "handler_name", NULL, 0);
    if (!h) return false;
    static const char *const words[] = { "gopro", "gps", "telemetry", "camm", "sensor" };
    for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
        size_t n = strlen(words[i]);
        for (const char *c = h->value; *c; c++)
            if (strncasecmp(c, words[i], n) == 0) return true;
    }
    return false;
}

bool um_av_stream_kept(const AVStream *st)
{
    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) return false;
    if (um_av_is_telemetry(st)) return false;
    switch (st->codecpar->codec_type) {
    case AVMEDIA_TYPE_AUDIO:
    case AVMEDIA_TYPE_VIDEO:
    case AVMEDIA_TYPE_SUBTITLE:
    case AVMEDIA_TYPE_ATTACHMENT:
        return true;
    default:
        return false;
    }
}
