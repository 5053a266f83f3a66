/* Proving a scrubbed result before it is committed: it re-scans clean of what was
 * removed, still parses as the same format, and carries the same media essence. */
#ifndef UM_VERIFY_H
#define UM_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "../scanner/scan.h"
#include "plan.h"

enum um_verify_level {
    UM_VERIFY_STRUCTURE,   /* re-scan only (not media, or no demuxer for it) */
    UM_VERIFY_PACKETS,     /* every packet's data, pts, dts and flags compared */
    UM_VERIFY_PACKETS_HEAD,/* the first packets compared (large files, --verify fast) */
    UM_VERIFY_PIXELS,      /* still image: decoded pixels compared */
    UM_VERIFY_RANGES,      /* large file, in-place edits: every packet's position, size and
                              timing compared (read without its data), every edit proven
                              outside all packet bytes, the first packets compared in full */
    UM_VERIFY_MEDIA_MAP,   /* large file, in-place edits: no edit touches a byte of the
                              format's media map, and the result maps to the same bytes
                              (no film read, FFmpeg not asked; --verify demux asks it) */
};

const char *um_verify_level_name(enum um_verify_level l);

struct um_verify_options {
    uint64_t full_limit;   /* files larger than this get PACKETS_HEAD, 0 = always full */
    bool demux;            /* large in-place edits go to FFmpeg too, not the media map alone */
};

/* Returns 0 when `result` is a faithful, clean version of `orig`; otherwise
 * UM_E_VERIFY with *why set to a static or allocated explanation (free with
 * um_verify_why_free). */
int um_verify(struct um_scanner *sc, const struct um_policy *policy,
              const struct um_verify_options *vo, const struct um_file_result *before,
              const uint8_t *orig, uint64_t orig_size, const uint8_t *result,
              uint64_t result_size, const struct um_plan *plan, const char *name,
              enum um_verify_level *level, char **why);

struct um_essence_options {
    bool allow_last_prefix;  /* the original's last packet may carry a removed trailer */
    bool remuxed;            /* the result is a remux: only kept streams, mapped in order */
    uint64_t max_packets;    /* 0 = every packet; else the first max_packets of each file */
    bool decode_check;       /* the result's first audio/video frames must decode */
    /* For a proof by packet ranges (with max_packets): the result is the original
     * with these same-length edits applied and cut at kept_end; NULL/0 = no such
     * proof. */
    const struct um_edit *edits;
    size_t nedits;
    uint64_t kept_end;
    bool ranges;
};

/* Compares media essence of two byte views: per stream, every packet's data, pts,
 * dts and key flag (in the original's time base), independent of interleaving; then
 * the first frame of each audio/video stream of the result must decode wherever the
 * original's does. 0 equal, UM_E_VERIFY differs (why set, allocated), UM_E_UNSUPPORTED
 * when `a` is not media libavformat can demux. *level says what was proven. */
int um_essence_compare_ex(const uint8_t *a, uint64_t an, const uint8_t *b, uint64_t bn,
                          const struct um_essence_options *eo, enum um_verify_level *level,
                          char **why);


#endif
