#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <libavutil/log.h>
#include <libavutil/mem.h>

#include "avmem.h"
#include "error.h"

#define IO_BUF 65536

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;
static void quiet(void) { av_log_set_level(AV_LOG_QUIET); }

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

int um_av_open(struct um_av *av, const uint8_t *data, uint64_t size)
{
    pthread_once(&quiet_once, quiet);
    memset(av, 0, sizeof *av);
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

void um_av_close(struct um_av *av)
{
    if (av->fmt) avformat_close_input(&av->fmt);
    if (av->io) {
        av_freep(&av->io->buffer);
        avio_context_free(&av->io);
    }
    memset(av, 0, sizeof *av);
}
