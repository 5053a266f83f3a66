/* GIF (GIF87a, GIF89a; Adobe XMP part 3 for XMP in GIF): walks the header, logical
 * screen, colour tables, extensions and images with their sub-blocks to the trailer
 * 0x3B, so that bytes after it are reported as appended data.
 *
 * Finds: comment extensions (0xFE), XMP application extensions ("XMP DataXMP",
 * handed to the XMP handler), ImageMagick's IPTC/8BIM application extensions.
 * Removes, in place, keeping every sub-block length: comment text becomes spaces
 * (an empty comment to every reader), ImageMagick profile data becomes zeros. XMP is
 * stored raw, its bytes doubling as sub-block lengths that a decoder follows until it
 * lands in the 258-byte "magic trailer" (0x01, 0xFF, 0xFE ... 0x01, 0x00, 0x00) whose
 * every byte leads to the terminator. Any packet content keeps that property (a
 * decoder skipping at most 256 bytes from before the trailer lands inside it), so the
 * XMP handler blanks the packet with spaces inside its wrapper and the walk stays
 * valid. Kept: loop counts (NETSCAPE2.0), ICC profiles, graphic control and plain
 * text extensions, all image data. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

#define MAX_BLOCKS (1u << 22)

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    (void)size;
    if (n >= 13 && (memcmp(h, "GIF87a", 6) == 0 || memcmp(h, "GIF89a", 6) == 0)) return UM_PROBE_MAX;
    return 0;
}

/* Walks sub-blocks from pos to the terminator; returns the offset after it, or 0. */
static uint64_t skip_subblocks(const uint8_t *d, uint64_t pos, uint64_t size)
{
    for (unsigned count = 0; count < MAX_BLOCKS; count++) {
        if (pos >= size) return 0;
        uint8_t n = d[pos];
        if (n == 0) return pos + 1;
        pos += 1 + (uint64_t)n;
    }
    return 0;
}

static bool blank(const uint8_t *d, uint64_t pos, uint64_t end)
{
    while (pos < end) {
        uint8_t n = d[pos++];
        for (uint64_t i = 0; i < n && pos + i < end; i++)
            if (d[pos + i] != ' ' && d[pos + i] != 0) return false;
        pos += n;
    }
    return true;
}

/* Comment extension: sub-blocks [pos, end) where end is after the terminator. */
static int comment(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t ext, uint64_t pos, uint64_t end)
{
    if (blank(d, pos, end - 1)) return 0;
    char val[256];
    size_t w = 0;
    for (uint64_t p = pos; p < end - 1 && w < sizeof val; p += 1 + d[p]) {
        size_t k = d[p] < sizeof val - w ? d[p] : sizeof val - w;
        memcpy(val + w, d + p + 1, k);
        w += k;
    }
    struct um_finding_spec s = {
        .kind = UM_K_CONTENT, .severity = UM_SEV_MEDIUM, .where = "Comment", .key = "Comment",
        .value = (const uint8_t *)val, .value_len = w, .offset = ext, .length = end - ext,
    };
    int idx = um_report(ctx, &s);
    if (idx < 0) return idx;
    static const uint8_t spaces[255] = {
        [0 ... 254] = ' ',
    };
    for (uint64_t p = pos; p < end - 1; p += 1 + d[p]) {
        if (!d[p]) continue;
        int err = um_plan(ctx, idx, UM_OP_REPLACE, p + 1, d[p], spaces);
        if (err < 0) return err;
    }
    return 0;
}

/* ImageMagick's profile extensions: IPTC or Photoshop resources in sub-blocks. */
static int magick_profile(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t ext, uint64_t pos,
                          uint64_t end, const char *what)
{
    if (blank(d, pos, end - 1)) return 0;
    struct um_finding_spec s = {
        .kind = UM_K_CONTENT, .severity = UM_SEV_MEDIUM, .where = what, .key = what,
        .value = (const uint8_t *)"ImageMagick profile (IPTC / Photoshop resources)", .value_len = 48,
        .offset = ext, .length = end - ext,
    };
    int idx = um_report(ctx, &s);
    if (idx < 0) return idx;
    for (uint64_t p = pos; p < end - 1; p += 1 + d[p]) {
        if (!d[p]) continue;
        int err = um_plan(ctx, idx, UM_OP_ZERO, p + 1, d[p], NULL);
        if (err < 0) return err;
    }
    return 0;
}

/* True when the 258-byte magic trailer sits at t and ends the extension at end. */
static bool magic_trailer(const uint8_t *d, uint64_t t, uint64_t end)
{
    if (t + 258 != end || d[t] != 0x01) return false;
    for (unsigned i = 1; i < 256; i++)
        if (d[t + i] != (uint8_t)(256 - i)) return false;
    return d[t + 256] == 0 && d[t + 257] == 0;
}

/* XMP: raw packet from pos up to the magic trailer. */
static int xmp(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t ext, uint64_t pos, uint64_t end)
{
    /* The trailer starts with 0x01 0xFF 0xFE (bytes UTF-8 never has). */
    uint64_t stop = end;
    for (uint64_t p = pos; p + 3 <= end; p++) {
        if (d[p] == 0x01 && d[p + 1] == 0xFF && d[p + 2] == 0xFE) {
            stop = p;
            break;
        }
    }
    if (stop > pos && magic_trailer(d, stop, end)) return um_scan_embedded(ctx, pos, stop - pos, "XMP");
    /* No intact trailer: changing the packet would change where a decoder's sub-block
     * walk lands. Zero the data the way a decoder walks it, lengths kept. */
    if (blank(d, pos, end - 1)) return 0;
    struct um_finding_spec s = {
        .kind = UM_K_CONTENT, .severity = UM_SEV_MEDIUM, .where = "XMP", .key = "XMP",
        .value = (const uint8_t *)"XMP packet without its magic trailer", .value_len = 36,
        .offset = ext, .length = end - ext, .note = "sub-block data zeroed, lengths kept",
    };
    int idx = um_report(ctx, &s);
    if (idx < 0) return idx;
    for (uint64_t p = pos; p < end - 1; p += 1 + d[p]) {
        if (!d[p]) continue;
        int err = um_plan(ctx, idx, UM_OP_ZERO, p + 1, d[p], NULL);
        if (err < 0) return err;
    }
    return 0;
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    if (size < 13) return UM_E_TRUNC;
    uint64_t pos = 13;
    if (d[10] & 0x80) pos += 3ull << ((d[10] & 7) + 1);   /* global colour table */
    for (unsigned count = 0; count < MAX_BLOCKS; count++) {
        if (pos >= size) return UM_E_TRUNC;
        uint8_t b = d[pos];
        if (b == 0x3B) {
            um_set_end(ctx, pos + 1, "GIF trailer");
            return 0;
        }
        if (b == 0x2C) {   /* image: descriptor, local colour table, LZW size, data */
            if (pos + 10 > size) return UM_E_TRUNC;
            uint8_t packed = d[pos + 9];
            uint64_t p = pos + 10;
            if (packed & 0x80) p += 3ull << ((packed & 7) + 1);
            p += 1;   /* LZW minimum code size */
            uint64_t next = skip_subblocks(d, p, size);
            if (!next) return UM_E_TRUNC;
            pos = next;
            continue;
        }
        if (b != 0x21) return UM_E_FORMAT;
        if (pos + 2 > size) return UM_E_TRUNC;
        uint8_t label = d[pos + 1];
        uint64_t sub = pos + 2;
        uint64_t next = skip_subblocks(d, sub, size);
        if (!next) return UM_E_TRUNC;
        int err = 0;
        if (label == 0xFE) {
            err = comment(ctx, d, pos, sub, next);
        } else if (label == 0xFF && d[sub] == 11 && sub + 12 <= next) {
            const uint8_t *id = d + sub + 1;
            if (memcmp(id, "XMP DataXMP", 11) == 0) err = xmp(ctx, d, pos, sub + 12, next);
            else if (memcmp(id, "MGKIPTC0000", 11) == 0) err = magick_profile(ctx, d, pos, sub + 12, next, "MGKIPTC");
            else if (memcmp(id, "MGK8BIM0000", 11) == 0) err = magick_profile(ctx, d, pos, sub + 12, next, "MGK8BIM");
        }
        if (um_is_error(err)) return err;
        pos = next;
    }
    return UM_E_LIMIT;
}

const struct um_format um_format_gif = {
    .name = "gif",
    .long_name = "GIF image",
    .extensions = "gif",
    .mime = "image/gif",
    .finds = "comments, XMP, ImageMagick IPTC/8BIM profiles, data after the trailer",
    .removes = "comment text (spaces), XMP (blanked), profiles (zeroed), data after the trailer",
    .probe = probe,
    .scan = scan,
};
