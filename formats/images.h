/* Entry points shared between the image handlers, for containers that must know the
 * bytes an inner handler's edits produce (a PNG chunk's CRC covers its EXIF or XMP).
 * Each scans a block at [off, off+len) of the caller's view, reports with `prefix`
 * before every where, plans its edits in the caller's context, and applies the same
 * edits to `mirror` (a caller-owned copy of the block, or NULL). *first gets the first
 * finding reported (or -1). Return 0 or a negative error, like a handler's scan. */
#ifndef UM_IMAGES_H
#define UM_IMAGES_H

#include "format.h"

int um_tiff_scan_block(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t off, uint64_t len,
                       const char *prefix, uint8_t *mirror, int *first);
int um_xmp_scan_block(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t off, uint64_t len,
                      const char *prefix, uint8_t *mirror, int *first);
/* For XMP held outside the view (inflated from a compressed PDF stream): reports its
 * properties with the view range [off, off+rlen) it came from, their indices into
 * found[0, cap), their number into *n. The caller plans the blanking of that range. */
int um_xmp_report_detached(struct um_scan_ctx *ctx, const uint8_t *xml, size_t len, const char *prefix,
                           uint64_t off, uint64_t rlen, int *found, int cap, int *n);

#endif
