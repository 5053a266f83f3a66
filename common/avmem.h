/* libavformat over bytes already in memory (a file mapping or a sub-view of one), so
 * demuxing touches only the pages the demuxer asks for. */
#ifndef UM_AVMEM_H
#define UM_AVMEM_H

#include <stdint.h>

#include <libavformat/avformat.h>

struct um_av {
    AVFormatContext *fmt;
    AVIOContext *io;
    const uint8_t *data;
    uint64_t size, pos;
};

/* Opens a demuxer over data[0, size) with bounded probing; returns 0 or an error.
 * The libraries are silenced once per process (a library never prints). */
int um_av_open(struct um_av *av, const uint8_t *data, uint64_t size);
void um_av_close(struct um_av *av);

#endif
