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
};

const char *um_verify_level_name(enum um_verify_level l);

struct um_verify_options {
    uint64_t full_limit;   /* files larger than this get PACKETS_HEAD, 0 = always full */
};

/* Returns 0 when `result` is a faithful, clean version of `orig`; otherwise
 * UM_E_VERIFY with *why set to a static or allocated explanation (free with
 * um_verify_why_free). */
int um_verify(struct um_scanner *sc, const struct um_policy *policy,
              const struct um_verify_options *vo, const struct um_file_result *before,
              const uint8_t *orig, uint64_t orig_size, const uint8_t *result,
              uint64_t result_size, bool truncated, const char *name,
              enum um_verify_level *level, char **why);

/* Compares media essence of two byte views; 0 equal, UM_E_VERIFY differs (why set),
 * UM_E_UNSUPPORTED when `a` is not media libavformat can demux. */
int um_essence_compare(const uint8_t *a, uint64_t an, const uint8_t *b, uint64_t bn,
                       bool allow_last_prefix, uint64_t max_packets,
                       enum um_verify_level *level, char **why);

#endif
