/* Vorbis comments (the Vorbis I specification, section 5), shared by the FLAC and Ogg
 * handlers: a vendor string and "FIELD=value" pairs, each length-prefixed (32-bit LE). */
#ifndef UM_VCOMMENT_H
#define UM_VCOMMENT_H

#include "format.h"

struct um_vc_field {
    uint64_t off, len;        /* the whole field (length word and text), view-relative */
    bool picture;             /* METADATA_BLOCK_PICTURE / COVERART: a cover, not a tag */
};

/* Called for each reported field (finding >= 0) so that the caller plans its removal;
 * field is NULL for the vendor string. */
typedef int (*um_vc_plan_fn)(struct um_scan_ctx *ctx, int finding, const struct um_vc_field *field,
                             void *arg);

/* Parses the comment structure at [off, off+len) of the view and reports the vendor
 * and every field the "vorbis" table calls identifying, under where/... Cover fields
 * are reported only when report_pictures is set. Sets *end to the offset after the
 * last field. Returns 0 or a negative error for a malformed structure. */
int um_vcomment_scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t off, uint64_t len,
                     const char *where, bool report_pictures, um_vc_plan_fn plan, void *arg,
                     uint64_t *end);

#endif
