/* Vorbis comments (the Vorbis I specification, section 5), shared by the FLAC and Ogg
 * handlers: a vendor string and "FIELD=value" pairs, each length-prefixed (32-bit LE). */
#ifndef UM_VCOMMENT_H
#define UM_VCOMMENT_H

#include "format.h"

struct um_vc_field {
    uint64_t off, len;        /* the whole field (length word and text), index in src->p */
    bool picture;             /* METADATA_BLOCK_PICTURE / COVERART: a cover, not a tag */
};

/* Called for each reported field (finding >= 0) so that the caller plans its removal;
 * field is NULL for the vendor string. Cover fields that are not reported come with
 * finding UM_NOT_IDENTIFYING, so that a caller rebuilding the comment can keep them. */
typedef int (*um_vc_plan_fn)(struct um_scan_ctx *ctx, int finding, const struct um_vc_field *field,
                             void *arg);

/* Where the comment bytes are: p[0, len), and how an index into p maps to a view
 * offset (map NULL: view offset = base + index; Ogg packets span pages). */
struct um_vc_src {
    const uint8_t *p;
    uint64_t len;
    uint64_t base;
    uint64_t (*map)(const void *arg, uint64_t i);
    const void *map_arg;
};

/* Parses the comment structure and reports the vendor and every field the "vorbis"
 * table calls identifying, under where/... Cover fields are reported only when
 * report_pictures is set. Field offsets passed to plan are indices into src->p.
 * Sets *end to the index after the last field. Returns 0 or a negative error for a
 * malformed structure. */
int um_vcomment_scan(struct um_scan_ctx *ctx, const struct um_vc_src *src, const char *where,
                     bool report_pictures, um_vc_plan_fn plan, void *arg, uint64_t *end);

#endif
