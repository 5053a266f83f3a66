/* libavformat over bytes already in memory (a file mapping or a sub-view of one), so
 * demuxing touches only the pages the demuxer asks for, plus the stream rules that
 * the generic handler, the remux and the verifier must agree on. */
#ifndef UM_AVMEM_H
#define UM_AVMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "avlib.h"
#include "bytes.h"

struct um_av {
    AVFormatContext *fmt;
    AVIOContext *io;
    const uint8_t *data;
    uint64_t size, pos;
};

/* Opens a demuxer over data[0, size) with bounded probing; returns 0 or an error.
 * The demuxer may not open other files or URLs (playlists, references): every
 * nested open is refused. The libraries are silenced once per process (a library
 * never prints). */
int um_av_open(struct um_av *av, const uint8_t *data, uint64_t size);
/* The same, and when the container's header does not list every stream (FLV, MPEG
 * streams: AVFMTCTX_NOHEADER) reads ahead until it does (bounded by the probe size;
 * the packets read are buffered and still delivered). */
int um_av_open_streams(struct um_av *av, const uint8_t *data, uint64_t size);
void um_av_close(struct um_av *av);
/* For reading packets to compare with another file's: a stream whose demuxer asks for
 * a codec probe (PCM in a WAV may be S/PDIF) is probed on its first packet, not again
 * at every doubling of the data read up to the probe size, each time with every
 * demuxer's probe: that was nine tenths of verifying a small WAV. Both sides of a
 * comparison see the same essence, so they decide alike. Call it after
 * um_av_open_streams: it also bounds any later avformat_find_stream_info. */
void um_av_probe_codecs_once(struct um_av *av);

/* True for a stream that carries sensor data rather than picture or sound: a data
 * stream, a GoPro/Google/Apple metadata track (gpmd, camm, mebx), or a non-A/V
 * track whose handler names GPS or telemetry. */
bool um_av_is_telemetry(const AVStream *st);

/* True for a stream the remux keeps (audio, video, subtitles, attachments such as
 * fonts); false for attached pictures and telemetry, which identify. The verifier
 * maps the original's kept streams, in order, onto the result's streams. */
bool um_av_stream_kept(const AVStream *st);

#endif
