/* FLAC (RFC 9639): the "fLaC" marker and the metadata blocks before the audio frames.
 *
 * Finds: VORBIS_COMMENT (vendor string and every field, classified in "vorbis"),
 * APPLICATION and reserved-type blocks, non-zero PADDING, PICTURE descriptions (the
 * picture itself is scanned as an embedded file), an ID3v1 tag at the end, and data
 * after the last audio frame when that frame can be pinned down (see find_end).
 * Removes in place: a removed block becomes PADDING (its type byte is rewritten,
 * keeping the last-block flag and the length, and its body is zeroed), so nothing
 * moves. STREAMINFO, SEEKTABLE, CUESHEET and the pictures are kept: playback and
 * display need them. */
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "vcomment.h"

#define MAX_BLOCKS 4096
#define END_SEARCH (1u << 20)   /* how far back from the end the last frame is sought */

enum { B_STREAMINFO, B_PADDING, B_APPLICATION, B_SEEKTABLE, B_VORBIS_COMMENT, B_CUESHEET,
       B_PICTURE };

struct block {
    uint64_t hdr, body, len;   /* header offset, body offset and length */
};

/* Turns the block into PADDING: the rewrite of the type byte and the zeroing of the
 * body. Several findings may share the block: identical edits merge. */
static int to_padding(struct um_scan_ctx *ctx, const uint8_t *d, int finding, const struct block *b)
{
    uint8_t t = (uint8_t)((d[b->hdr] & 0x80) | B_PADDING);
    int err = um_plan(ctx, finding, UM_OP_REPLACE, b->hdr, 1, &t);
    if (err < 0 || !b->len) return err;
    return um_plan(ctx, finding, UM_OP_ZERO, b->body, b->len, NULL);
}

struct vc_arg {
    const uint8_t *d;
    const struct block *b;
};

static int vc_plan(struct um_scan_ctx *ctx, int finding, const struct um_vc_field *f, void *arg)
{
    const struct vc_arg *a = arg;
    (void)f;
    if (finding < 0) return 0;   /* a cover kept in the comment: the block goes anyway */
    return to_padding(ctx, a->d, finding, a->b);
}

static int nonzero_run(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t off, uint64_t len,
                       const char *where)
{
    uint64_t first = UINT64_MAX, last = 0;
    for (uint64_t i = off; i < off + len; i++)
        if (d[i]) {
            if (first == UINT64_MAX) first = i;
            last = i;
        }
    if (first == UINT64_MAX) return 0;
    static const char hx[] = "0123456789abcdef";
    char pv[33];
    uint64_t n = last + 1 - first, m = n < 16 ? n : 16;
    for (uint64_t i = 0; i < m; i++) pv[2 * i] = hx[d[first + i] >> 4], pv[2 * i + 1] = hx[d[first + i] & 15];
    pv[2 * m] = 0;
    struct um_finding_spec s = {
        .kind = UM_K_NONZERO_PADDING, .severity = UM_SEV_HIGH, .where = where,
        .value = (const uint8_t *)pv, .value_len = strlen(pv), .offset = first, .length = n,
    };
    int r = um_report(ctx, &s);
    if (r < 0) return r;
    return um_plan(ctx, r, UM_OP_ZERO, first, n, NULL);
}

static int picture(struct um_scan_ctx *ctx, const uint8_t *d, const struct block *b)
{
    /* type, MIME (length-prefixed), description (UTF-8), width, height, depth,
     * colours, then the data (all lengths 32-bit big-endian). */
    struct um_reader r = um_reader_make(d + b->body, b->len);
    uint32_t type, ml, dl, dims[4], pl;
    const uint8_t *mime, *desc, *pic;
    if (rd_u32be(&r, &type) || rd_u32be(&r, &ml) || rd_bytes(&r, ml, &mime) ||
        rd_u32be(&r, &dl) || rd_bytes(&r, dl, &desc))
        return UM_E_FORMAT;
    for (int i = 0; i < 4; i++)
        if (rd_u32be(&r, &dims[i])) return UM_E_FORMAT;
    if (rd_u32be(&r, &pl) || rd_bytes(&r, pl, &pic)) return UM_E_FORMAT;
    bool empty = true;
    for (uint32_t i = 0; i < dl; i++) empty = empty && !desc[i];
    if (!empty) {
        /* The description is zeroed inside its length-prefixed string: the block and
         * the picture stay as they are. */
        uint64_t doff = (uint64_t)(desc - d);
        int f = um_report_classified(ctx, "vorbis", "PICTURE/description", "DESCRIPTION", desc, dl,
                                     doff, dl);
        if (um_is_error(f)) return f;
        if (f >= 0) {
            int err = um_plan(ctx, f, UM_OP_ZERO, doff, dl, NULL);
            if (err < 0) return err;
        }
    }
    if (!pl) return 0;
    return um_scan_embedded(ctx, (uint64_t)(pic - d), pl, "PICTURE");
}

/* ---- the end of the audio ---- */

static uint8_t crc8(const uint8_t *p, size_t n)
{
    uint8_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (uint8_t)(c & 0x80 ? (c << 1) ^ 0x07 : c << 1);
    }
    return c;
}

/* CRC-16 (polynomial 0x8005, the frame footer's) a byte at a time: entry b is the
 * CRC of the byte b followed by eight zero bits. The end search steps it over up to
 * a whole frame, where the bitwise loop was a quarter of a FLAC file's scan. */
static const uint16_t crc16_table[256] = {
    0x0000, 0x8005, 0x800f, 0x000a, 0x801b, 0x001e, 0x0014, 0x8011,
    0x8033, 0x0036, 0x003c, 0x8039, 0x0028, 0x802d, 0x8027, 0x0022,
    0x8063, 0x0066, 0x006c, 0x8069, 0x0078, 0x807d, 0x8077, 0x0072,
    0x0050, 0x8055, 0x805f, 0x005a, 0x804b, 0x004e, 0x0044, 0x8041,
    0x80c3, 0x00c6, 0x00cc, 0x80c9, 0x00d8, 0x80dd, 0x80d7, 0x00d2,
    0x00f0, 0x80f5, 0x80ff, 0x00fa, 0x80eb, 0x00ee, 0x00e4, 0x80e1,
    0x00a0, 0x80a5, 0x80af, 0x00aa, 0x80bb, 0x00be, 0x00b4, 0x80b1,
    0x8093, 0x0096, 0x009c, 0x8099, 0x0088, 0x808d, 0x8087, 0x0082,
    0x8183, 0x0186, 0x018c, 0x8189, 0x0198, 0x819d, 0x8197, 0x0192,
    0x01b0, 0x81b5, 0x81bf, 0x01ba, 0x81ab, 0x01ae, 0x01a4, 0x81a1,
    0x01e0, 0x81e5, 0x81ef, 0x01ea, 0x81fb, 0x01fe, 0x01f4, 0x81f1,
    0x81d3, 0x01d6, 0x01dc, 0x81d9, 0x01c8, 0x81cd, 0x81c7, 0x01c2,
    0x0140, 0x8145, 0x814f, 0x014a, 0x815b, 0x015e, 0x0154, 0x8151,
    0x8173, 0x0176, 0x017c, 0x8179, 0x0168, 0x816d, 0x8167, 0x0162,
    0x8123, 0x0126, 0x012c, 0x8129, 0x0138, 0x813d, 0x8137, 0x0132,
    0x0110, 0x8115, 0x811f, 0x011a, 0x810b, 0x010e, 0x0104, 0x8101,
    0x8303, 0x0306, 0x030c, 0x8309, 0x0318, 0x831d, 0x8317, 0x0312,
    0x0330, 0x8335, 0x833f, 0x033a, 0x832b, 0x032e, 0x0324, 0x8321,
    0x0360, 0x8365, 0x836f, 0x036a, 0x837b, 0x037e, 0x0374, 0x8371,
    0x8353, 0x0356, 0x035c, 0x8359, 0x0348, 0x834d, 0x8347, 0x0342,
    0x03c0, 0x83c5, 0x83cf, 0x03ca, 0x83db, 0x03de, 0x03d4, 0x83d1,
    0x83f3, 0x03f6, 0x03fc, 0x83f9, 0x03e8, 0x83ed, 0x83e7, 0x03e2,
    0x83a3, 0x03a6, 0x03ac, 0x83a9, 0x03b8, 0x83bd, 0x83b7, 0x03b2,
    0x0390, 0x8395, 0x839f, 0x039a, 0x838b, 0x038e, 0x0384, 0x8381,
    0x0280, 0x8285, 0x828f, 0x028a, 0x829b, 0x029e, 0x0294, 0x8291,
    0x82b3, 0x02b6, 0x02bc, 0x82b9, 0x02a8, 0x82ad, 0x82a7, 0x02a2,
    0x82e3, 0x02e6, 0x02ec, 0x82e9, 0x02f8, 0x82fd, 0x82f7, 0x02f2,
    0x02d0, 0x82d5, 0x82df, 0x02da, 0x82cb, 0x02ce, 0x02c4, 0x82c1,
    0x8243, 0x0246, 0x024c, 0x8249, 0x0258, 0x825d, 0x8257, 0x0252,
    0x0270, 0x8275, 0x827f, 0x027a, 0x826b, 0x026e, 0x0264, 0x8261,
    0x0220, 0x8225, 0x822f, 0x022a, 0x823b, 0x023e, 0x0234, 0x8231,
    0x8213, 0x0216, 0x021c, 0x8219, 0x0208, 0x820d, 0x8207, 0x0202,
};

static uint16_t crc16_step(uint16_t c, uint8_t b)
{
    return (uint16_t)(c << 8) ^ crc16_table[(c >> 8) ^ b];
}

struct si {
    unsigned min_bs, max_bs;
    uint32_t max_frame;
    uint64_t total;
};

/* Parses a frame header at p (n bytes available): its first sample and block size.
 * Checks the reserved bits and the header CRC-8. */
static bool frame_header(const uint8_t *p, uint64_t n, const struct si *s, uint64_t *first,
                         uint32_t *bs, size_t *hlen)
{
    if (n < 6 || p[0] != 0xFF || (p[1] & 0xFE) != 0xF8) return false;
    unsigned bsc = p[2] >> 4, src = p[2] & 15, ch = p[3] >> 4, ss = (p[3] >> 1) & 7;
    if (bsc == 0 || src == 15 || ch > 10 || ss == 3 || (p[3] & 1)) return false;
    size_t i = 4;
    /* The coded number: UTF-8-like, 1 to 7 bytes. */
    uint64_t num = p[i];
    int extra = 0;
    if (num < 0x80) extra = 0;
    else if ((num & 0xE0) == 0xC0) extra = 1, num &= 0x1F;
    else if ((num & 0xF0) == 0xE0) extra = 2, num &= 0x0F;
    else if ((num & 0xF8) == 0xF0) extra = 3, num &= 0x07;
    else if ((num & 0xFC) == 0xF8) extra = 4, num &= 0x03;
    else if ((num & 0xFE) == 0xFC) extra = 5, num &= 0x01;
    else if (num == 0xFE) extra = 6, num = 0;
    else return false;
    i++;
    if (i + (size_t)extra + 4 > n) return false;
    for (int k = 0; k < extra; k++, i++) {
        if ((p[i] & 0xC0) != 0x80) return false;
        num = num << 6 | (p[i] & 0x3F);
    }
    uint32_t b;
    if (bsc == 1) b = 192;
    else if (bsc <= 5) b = 576u << (bsc - 2);
    else if (bsc == 6) b = p[i++] + 1u;
    else if (bsc == 7) b = ld_u16be(p + i) + 1u, i += 2;
    else b = 256u << (bsc - 8);
    if (src == 12) i++;
    else if (src == 13 || src == 14) i += 2;
    if (i + 1 > n || crc8(p, i) != p[i]) return false;
    *hlen = i + 1;
    *bs = b;
    *first = (p[1] & 1) ? num : num * s->max_bs;
    return true;
}

/* The end of the last audio frame, or UINT64_MAX when it cannot be pinned down.
 * Frames carry no length: the last one is the frame whose first sample plus block
 * size is STREAMINFO's total, sought backwards from the end; it ends where its
 * CRC-16 closes. That end is taken only when exactly one place closes the CRC, so
 * that a chance match can never cut audio away. */
static uint64_t find_end(const uint8_t *d, uint64_t audio, uint64_t size, const struct si *s)
{
    if (!s->total || !s->max_bs) return UINT64_MAX;
    uint64_t lo = size > audio + END_SEARCH ? size - END_SEARCH : audio;
    uint64_t maxf = s->max_frame ? s->max_frame : (uint64_t)s->max_bs * 8 * 4 + 64;
    for (uint64_t p = size; p-- > lo;) {
        if (d[p] != 0xFF || p + 1 >= size || (d[p + 1] & 0xFE) != 0xF8) continue;
        uint64_t first;
        uint32_t bs;
        size_t hl;
        if (!frame_header(d + p, size - p, s, &first, &bs, &hl)) continue;
        if (first + bs != s->total) continue;
        uint64_t stop = size - p < maxf ? size : p + maxf;
        uint16_t c = 0;
        uint64_t end = UINT64_MAX;
        int hits = 0;
        for (uint64_t q = p; q < stop; q++) {
            c = crc16_step(c, d[q]);
            if (c == 0 && q + 1 - p > hl + 2) {
                end = q + 1;
                hits++;
            }
        }
        return hits == 1 ? end : UINT64_MAX;
    }
    return UINT64_MAX;
}

/* An ID3v1 tag's text fields hold text or NULs, never other control bytes: audio
 * that happens to hold "TAG" 128 bytes before the end is not taken for one. */
static bool id3v1_ok(const uint8_t *p)
{
    for (int i = 3; i < 125; i++)
        if (p[i] && p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r') return false;
    return !memcmp(p, "TAG", 3);
}

static int id3v1(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t pos)
{
    static const struct { const char *key; unsigned off, len; } f[] = {
        { "v1.title", 3, 30 }, { "v1.artist", 33, 30 }, { "v1.album", 63, 30 },
        { "v1.year", 93, 4 }, { "v1.comment", 97, 30 },
    };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        const uint8_t *p = d + pos + f[i].off;
        size_t n = 0;
        while (n < f[i].len && p[n]) n++;
        while (n && p[n - 1] == ' ') n--;
        if (!n) continue;
        int r = um_report_classified(ctx, "id3", "ID3v1", f[i].key, p, n, pos + f[i].off, n);
        if (um_is_error(r)) return r;
        if (r >= 0 && (r = um_plan(ctx, r, UM_OP_TRUNCATE, pos, 0, NULL)) < 0) return r;
    }
    return 0;
}

/* Length of an ID3v2 tag that some taggers put before "fLaC", or 0. */
static uint64_t id3v2_len(const uint8_t *h, uint64_t n)
{
    if (n < 10 || memcmp(h, "ID3", 3) || h[3] < 2 || h[3] > 4 || ((h[6] | h[7] | h[8] | h[9]) & 0x80))
        return 0;
    uint64_t len = 10 + ((uint64_t)h[6] << 21 | (uint64_t)h[7] << 14 | (uint64_t)h[8] << 7 | h[9]);
    return h[3] == 4 && (h[5] & 0x10) ? len + 10 : len;
}

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    (void)size;
    uint64_t t = id3v2_len(h, n);
    if (t + 8 <= n && !memcmp(h + t, "fLaC", 4) && (h[t + 4] & 0x7F) == B_STREAMINFO)
        return UM_PROBE_MAX;
    return 0;
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    struct si s = { 0 };
    int err;
    /* A leading ID3v2 tag is scanned (and cleaned) by the MP3 handler's tag code as an
     * embedded item; the FLAC stream starts after it. */
    uint64_t start = id3v2_len(d, size);
    if (start > size || size - start < 8 || memcmp(d + start, "fLaC", 4)) return UM_E_FORMAT;
    if (start && (err = um_scan_embedded(ctx, 0, start, "ID3v2")) < 0) return err;
    uint64_t pos = start + 4;
    for (int i = 0;; i++) {
        if (i >= MAX_BLOCKS) return UM_E_LIMIT;
        if (pos + 4 > size) return UM_E_TRUNC;
        struct block b = { .hdr = pos, .body = pos + 4, .len = ld_u24be(d + pos + 1) };
        unsigned type = d[pos] & 0x7F;
        bool last = d[pos] & 0x80;
        if (!um_range_ok(b.body, b.len, size)) return UM_E_TRUNC;
        if (type == 127) return UM_E_FORMAT;
        char where[48];
        switch (type) {
        case B_STREAMINFO:
            if (i != 0 || b.len < 34) return UM_E_FORMAT;
            s.min_bs = ld_u16be(d + b.body);
            s.max_bs = ld_u16be(d + b.body + 2);
            s.max_frame = ld_u24be(d + b.body + 7);
            s.total = (uint64_t)(d[b.body + 13] & 0x0F) << 32 | ld_u32be(d + b.body + 14);
            break;
        case B_PADDING:
            if ((err = nonzero_run(ctx, d, b.body, b.len, "PADDING")) < 0) return err;
            break;
        case B_VORBIS_COMMENT: {
            struct vc_arg a = { d, &b };
            uint64_t vend;
            struct um_vc_src src = { .p = d + b.body, .len = b.len, .base = b.body };
            err = um_vcomment_scan(ctx, &src, "VORBIS_COMMENT", true, vc_plan, &a, &vend);
            if (err == UM_E_FORMAT || err == UM_E_LIMIT) {
                /* Cannot be parsed: the whole block goes (becomes padding). */
                int f = um_report_text(ctx, UM_K_CONTENT, UM_SEV_MEDIUM, "VORBIS_COMMENT",
                                       "malformed", "comment block that cannot be parsed",
                                       b.hdr, 4 + b.len);
                err = f < 0 ? f : to_padding(ctx, d, f, &b);
            }
            if (err < 0) return err;
            break;
        }
        case B_PICTURE:
            if ((err = picture(ctx, d, &b)) < 0) return err;
            break;
        case B_SEEKTABLE:
        case B_CUESHEET:
            break;
        default: {
            /* APPLICATION blocks (a registered id and any data: foreign RIFF/AIFF
             * chunks, editor state) and reserved types: data no player needs. */
            char val[64] = "";
            if (b.len >= 4) {
                for (int k = 0; k < 4; k++) {
                    uint8_t c = d[b.body + k];
                    val[k] = c >= 0x20 && c < 0x7F ? (char)c : '?';
                }
                snprintf(val + 4, sizeof val - 4, " (%llu bytes)", (unsigned long long)b.len);
            }
            snprintf(where, sizeof where, type == B_APPLICATION ? "APPLICATION" : "block type %u", type);
            struct um_finding_spec sp = {
                .kind = UM_K_CONTENT, .severity = UM_SEV_MEDIUM, .where = where,
                .key = type == B_APPLICATION ? "APPLICATION" : "reserved",
                .value = (const uint8_t *)val, .value_len = strlen(val),
                .offset = b.hdr, .length = 4 + b.len,
            };
            int r = um_report(ctx, &sp);
            if (r < 0) return r;
            if ((err = to_padding(ctx, d, r, &b)) < 0) return err;
        }
        }
        pos = b.body + b.len;
        if (last) break;
    }

    uint64_t end = find_end(d, pos, size, &s);
    if (end != UINT64_MAX) {
        if (size - end >= 128 && id3v1_ok(d + end)) {
            if ((err = id3v1(ctx, d, end)) < 0) return err;
            end += 128;
        }
        um_set_end(ctx, end, "last FLAC frame");
    } else if (size - pos >= 128 && id3v1_ok(d + size - 128)) {
        /* No certain end, but an ID3v1 tag (not FLAC) closes the file. */
        if ((err = id3v1(ctx, d, size - 128)) < 0) return err;
    }
    return 0;
}

const struct um_format um_format_flac = {
    .name = "flac",
    .long_name = "FLAC audio",
    .extensions = "flac,fla",
    .mime = "audio/flac",
    .finds = "Vorbis comments (vendor and fields), APPLICATION and reserved blocks, non-zero "
             "padding, picture descriptions and what the pictures hold, ID3v1, appended data",
    .removes = "blocks turned into zeroed PADDING in place; ID3v1 and appended data truncated",
    .probe = probe,
    .scan = scan,
};
