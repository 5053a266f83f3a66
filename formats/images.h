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

#endif
