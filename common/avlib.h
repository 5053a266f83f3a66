/* FFmpeg, loaded the first time a file needs it. Linked at build time, libavcodec and
 * libavformat bring about 130 shared libraries (every codec Debian enables) that cost
 * each run some 30 ms and 25 MiB before main(), while most files and most scrubs never
 * reach FFmpeg. Code that uses FFmpeg includes this header instead of FFmpeg's, calls
 * um_avlib_load() before its first FFmpeg call, and otherwise calls FFmpeg as usual:
 * the names below resolve to the loaded functions. */
#ifndef UM_AVLIB_H
#define UM_AVLIB_H

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
#include <libavutil/log.h>
#include <libavutil/mathematics.h>
#include <libavutil/mem.h>
#include <libavutil/pixdesc.h>

/* X(library, function) for every FFmpeg function the project calls. */
#define UM_AVLIB_FUNCTIONS(X) \
    X(avutil, av_calloc) \
    X(avutil, av_dict_get) \
    X(avutil, av_dict_set) \
    X(avutil, av_fourcc_make_string) \
    X(avutil, av_frame_alloc) \
    X(avutil, av_frame_free) \
    X(avutil, av_frame_unref) \
    X(avutil, av_free) \
    X(avutil, av_freep) \
    X(avutil, av_log_set_level) \
    X(avutil, av_malloc) \
    X(avutil, av_mallocz) \
    X(avutil, av_pix_fmt_desc_get) \
    X(avutil, av_rescale_q) \
    X(avutil, av_strerror) \
    X(avcodec, av_packet_alloc) \
    X(avcodec, av_packet_free) \
    X(avcodec, av_packet_move_ref) \
    X(avcodec, av_packet_rescale_ts) \
    X(avcodec, av_packet_unref) \
    X(avcodec, avcodec_alloc_context3) \
    X(avcodec, avcodec_find_decoder) \
    X(avcodec, avcodec_free_context) \
    X(avcodec, avcodec_get_name) \
    X(avcodec, avcodec_open2) \
    X(avcodec, avcodec_parameters_copy) \
    X(avcodec, avcodec_parameters_to_context) \
    X(avcodec, avcodec_receive_frame) \
    X(avcodec, avcodec_send_packet) \
    X(avformat, av_codec_get_id) \
    X(avformat, av_codec_get_tag2) \
    X(avformat, av_guess_format) \
    X(avformat, av_interleaved_write_frame) \
    X(avformat, av_probe_input_format3) \
    X(avformat, av_read_frame) \
    X(avformat, av_stream_new_side_data) \
    X(avformat, av_write_trailer) \
    X(avformat, avformat_alloc_context) \
    X(avformat, avformat_alloc_output_context2) \
    X(avformat, avformat_close_input) \
    X(avformat, avformat_find_stream_info) \
    X(avformat, avformat_free_context) \
    X(avformat, avformat_index_get_entries_count) \
    X(avformat, avformat_index_get_entry) \
    X(avformat, avformat_new_stream) \
    X(avformat, avformat_open_input) \
    X(avformat, avformat_write_header) \
    X(avformat, avio_alloc_context) \
    X(avformat, avio_context_free) \
    X(avformat, avio_flush)

struct um_avlib {
#define UM_AVLIB_MEMBER(lib, fn) __typeof__(fn) *fn;
    UM_AVLIB_FUNCTIONS(UM_AVLIB_MEMBER)
#undef UM_AVLIB_MEMBER
};
extern struct um_avlib um_avlib;

/* Loads the libraries once per process (thread-safe) and silences their logging.
 * Returns 0, or UM_E_LIBAV with the reason in um_avlib_error(). */
int um_avlib_load(void);
const char *um_avlib_error(void);

#ifndef UM_AVLIB_DEFINE

#define av_calloc (um_avlib.av_calloc)
#define av_dict_get (um_avlib.av_dict_get)
#define av_dict_set (um_avlib.av_dict_set)
#define av_fourcc_make_string (um_avlib.av_fourcc_make_string)
#define av_frame_alloc (um_avlib.av_frame_alloc)
#define av_frame_free (um_avlib.av_frame_free)
#define av_frame_unref (um_avlib.av_frame_unref)
#define av_free (um_avlib.av_free)
#define av_freep (um_avlib.av_freep)
#define av_log_set_level (um_avlib.av_log_set_level)
#define av_malloc (um_avlib.av_malloc)
#define av_mallocz (um_avlib.av_mallocz)
#define av_pix_fmt_desc_get (um_avlib.av_pix_fmt_desc_get)
#define av_rescale_q (um_avlib.av_rescale_q)
#define av_strerror (um_avlib.av_strerror)
#define av_packet_alloc (um_avlib.av_packet_alloc)
#define av_packet_free (um_avlib.av_packet_free)
#define av_packet_move_ref (um_avlib.av_packet_move_ref)
#define av_packet_rescale_ts (um_avlib.av_packet_rescale_ts)
#define av_packet_unref (um_avlib.av_packet_unref)
#define avcodec_alloc_context3 (um_avlib.avcodec_alloc_context3)
#define avcodec_find_decoder (um_avlib.avcodec_find_decoder)
#define avcodec_free_context (um_avlib.avcodec_free_context)
#define avcodec_get_name (um_avlib.avcodec_get_name)
#define avcodec_open2 (um_avlib.avcodec_open2)
#define avcodec_parameters_copy (um_avlib.avcodec_parameters_copy)
#define avcodec_parameters_to_context (um_avlib.avcodec_parameters_to_context)
#define avcodec_receive_frame (um_avlib.avcodec_receive_frame)
#define avcodec_send_packet (um_avlib.avcodec_send_packet)
#define av_codec_get_id (um_avlib.av_codec_get_id)
#define av_codec_get_tag2 (um_avlib.av_codec_get_tag2)
#define av_guess_format (um_avlib.av_guess_format)
#define av_interleaved_write_frame (um_avlib.av_interleaved_write_frame)
#define av_probe_input_format3 (um_avlib.av_probe_input_format3)
#define av_read_frame (um_avlib.av_read_frame)
#define av_stream_new_side_data (um_avlib.av_stream_new_side_data)
#define av_write_trailer (um_avlib.av_write_trailer)
#define avformat_alloc_context (um_avlib.avformat_alloc_context)
#define avformat_alloc_output_context2 (um_avlib.avformat_alloc_output_context2)
#define avformat_close_input (um_avlib.avformat_close_input)
#define avformat_find_stream_info (um_avlib.avformat_find_stream_info)
#define avformat_free_context (um_avlib.avformat_free_context)
#define avformat_index_get_entries_count (um_avlib.avformat_index_get_entries_count)
#define avformat_index_get_entry (um_avlib.avformat_index_get_entry)
#define avformat_new_stream (um_avlib.avformat_new_stream)
#define avformat_open_input (um_avlib.avformat_open_input)
#define avformat_write_header (um_avlib.avformat_write_header)
#define avio_alloc_context (um_avlib.avio_alloc_context)
#define avio_context_free (um_avlib.avio_context_free)
#define avio_flush (um_avlib.avio_flush)
#endif

#endif
