/* PNG (ISO/IEC 15948, PNG third edition; the "Extensions to the PNG specification"
 * for eXIf): walks the chunks from the signature to IEND, so that bytes after IEND
 * are reported as appended data. CRCs are not checked on the way (lengths decide the
 * structure, real files with stale CRCs still decode, and checking would read every
 * IDAT byte); only the chunks we change get a new, correct CRC.
 *
 * Finds: tEXt, zTXt and iTXt keywords and text (namespace "png": Author, Software,
 * Comment, Creation Time, ImageMagick's "Raw profile type ..." blobs...), XMP in iTXt
 * "XML:com.adobe.xmp" (handed to the XMP handler), EXIF in eXIf (handed to the
 * TIFF/EXIF handler), and the tIME modification time.
 * Removes, in place: a text or tIME chunk keeps its length and position but is
 * renamed to the private chunk type "unMk", its data zeroed and its CRC recomputed
 * over the new type and zeroed data. Why every decoder skips it: the type's first
 * letter is lower case (ancillary: a decoder that does not know it must ignore it),
 * the second lower case (private: no registered meaning anywhere), the third upper
 * case (the reserved bit clear, as the spec requires), the fourth lower case (safe to
 * copy: editors may carry it along without understanding it); its CRC is correct, so
 * even strict readers do not warn. Cutting the chunk instead would force the copy
 * path for no gain. XMP and EXIF are cleaned inside their chunk by the XMP and
 * TIFF/EXIF walkers (XMP blanked with spaces, EXIF entries removed in place, so an
 * eXIf orientation survives); they mirror their edits onto a copy of the chunk, and
 * the chunk's CRC is replaced with the CRC of the cleaned data. (Edits inside an EXIF
 * thumbnail are not mirrored: that rare chunk keeps a stale CRC, which libpng treats
 * as a damaged ancillary chunk and FFmpeg ignores.) */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "images.h"

#define MAX_CHUNKS (1u << 20)

static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
static const uint8_t neutral_type[4] = { 'u', 'n', 'M', 'k' };

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)   /* once per process (pthread_once): workers scan in parallel */
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[n] = c;
    }
}

static uint32_t crc_update(uint32_t c, const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    return c;
}

static uint32_t crc_zeros(uint32_t c, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) c = crc_table[c & 0xFF] ^ (c >> 8);
    return c;
}

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    (void)size;
    return n >= 16 && memcmp(h, sig, 8) == 0 && memcmp(h + 12, "IHDR", 4) == 0 ? UM_PROBE_MAX : 0;
}

/* Plans the neutralisation of the chunk at `c` (length field) with data length n. */
static int neutralise(struct um_scan_ctx *ctx, int idx, uint64_t c, uint64_t n)
{
    uint32_t crc = crc_zeros(crc_update(0xFFFFFFFFu, neutral_type, 4), n) ^ 0xFFFFFFFFu;
    uint8_t be[4] = { (uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8), (uint8_t)crc };
    int err = um_plan(ctx, idx, UM_OP_REPLACE, c + 4, 4, neutral_type);
    if (!err && n) err = um_plan(ctx, idx, UM_OP_ZERO, c + 8, n, NULL);
    if (!err) err = um_plan(ctx, idx, UM_OP_REPLACE, c + 8 + n, 4, be);
    return err;
}

static bool blank(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i] && p[i] != ' ') return false;
    return true;
}

/* EXIF (eXIf) or XMP (iTXt, from t on) inside the chunk at c: the inner handler
 * reports and plans its edits and applies them to a copy of the data, from which the
 * chunk's new CRC is computed, so the cleaned chunk is valid for every reader. */
static int inner(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t c, uint64_t dp, uint64_t n,
                 uint64_t t, bool xmp)
{
    uint8_t *copy = malloc(n ? (size_t)n : 1);
    if (!copy) return -ENOMEM;
    memcpy(copy, d + dp, (size_t)n);
    int first = -1;
    int err = xmp ? um_xmp_scan_block(ctx, d, dp + t, n - t, "iTXt/XMP/", copy + t, &first)
                  : um_tiff_scan_block(ctx, d, dp, n, "eXIf/", copy, &first);
    if (err == -ENOMEM || um_is_error(first)) {
        free(copy);
        return err;
    }
    err = 0;   /* a damaged inner block is content; what it gave is kept */
    if (first >= 0) {
        uint32_t crc = crc_update(crc_update(0xFFFFFFFFu, d + c + 4, 4), copy, n) ^ 0xFFFFFFFFu;
        uint8_t be[4] = { (uint8_t)(crc >> 24), (uint8_t)(crc >> 16), (uint8_t)(crc >> 8), (uint8_t)crc };
        if (memcmp(be, d + dp + n, 4) != 0) err = um_plan(ctx, first, UM_OP_REPLACE, dp + n, 4, be);
    }
    free(copy);
    return err;
}

/* tEXt, zTXt, iTXt at chunk c with data [dp, dp+n). */
static int text_chunk(struct um_scan_ctx *ctx, const uint8_t *d, const char *type, uint64_t c,
                      uint64_t dp, uint64_t n)
{
    const uint8_t *p = d + dp;
    const uint8_t *nul = memchr(p, 0, (size_t)(n < 80 ? n : 80));
    if (!nul || nul == p) return 0;   /* no keyword: not a text chunk we can name */
    char key[80];
    size_t kl = (size_t)(nul - p);
    memcpy(key, p, kl);
    key[kl] = 0;
    uint64_t t = kl + 1;   /* text starts here (relative to dp) */
    bool compressed = type[0] == 'z';
    if (type[0] == 'i') {
        if (t + 2 > n) return 0;
        compressed = p[t] != 0;
        t += 2;
        for (int field = 0; field < 2; field++) {   /* language tag, translated keyword */
            const uint8_t *z = t < n ? memchr(p + t, 0, (size_t)(n - t)) : NULL;
            if (!z) return 0;
            t = (uint64_t)(z - p) + 1;
        }
        if (!compressed && strcmp(key, "XML:com.adobe.xmp") == 0)
            return inner(ctx, d, c, dp, n, t, true);
    } else if (compressed) {
        t += 1;   /* compression method */
    }
    if (t > n || (!compressed && blank(p + t, n - t))) return 0;
    char where[96];
    snprintf(where, sizeof where, "%s/%s", type, key);
    char val[128];
    const uint8_t *v = p + t;
    size_t vl = (size_t)(n - t);
    if (compressed) {
        vl = (size_t)snprintf(val, sizeof val, "<compressed, %llu bytes>", (unsigned long long)(n - t));
        v = (const uint8_t *)val;
    }
    int idx = um_report_classified(ctx, "png", where, key, v, vl, dp, n);
    if (idx < 0) return um_is_error(idx) ? idx : 0;
    return neutralise(ctx, idx, c, n);
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    pthread_once(&crc_once, crc_init);
    if (size < 8 || memcmp(d, sig, 8) != 0) return UM_E_FORMAT;
    uint64_t pos = 8;
    for (unsigned count = 0; count < MAX_CHUNKS; count++) {
        if (pos + 12 > size) return UM_E_TRUNC;
        uint64_t n = ld_u32be(d + pos);
        if (n > 0x7FFFFFFFu) return UM_E_FORMAT;   /* the spec's limit on lengths */
        if (!um_range_ok(pos + 8, n + 4, size)) return UM_E_TRUNC;
        char type[5];
        memcpy(type, d + pos + 4, 4);
        type[4] = 0;
        for (int i = 0; i < 4; i++)
            if (!((type[i] >= 'A' && type[i] <= 'Z') || (type[i] >= 'a' && type[i] <= 'z')))
                return UM_E_FORMAT;
        uint64_t dp = pos + 8;
        int err = 0;
        if (!strcmp(type, "IEND")) {
            um_set_end(ctx, dp + n + 4, "PNG IEND");
            return 0;
        } else if (!strcmp(type, "tEXt") || !strcmp(type, "zTXt") || !strcmp(type, "iTXt")) {
            err = text_chunk(ctx, d, type, pos, dp, n);
        } else if (!strcmp(type, "eXIf") && n >= 8) {
            err = inner(ctx, d, pos, dp, n, 0, false);
        } else if (!strcmp(type, "tIME") && n == 7 && !blank(d + dp, 7)) {
            const uint8_t *t = d + dp;
            char v[32];
            snprintf(v, sizeof v, "%04u-%02u-%02u %02u:%02u:%02u", ld_u16be(t), t[2], t[3], t[4], t[5], t[6]);
            int idx = um_report_classified(ctx, "png", "tIME", "tIME", (const uint8_t *)v, strlen(v), dp, n);
            if (um_is_error(idx)) return idx;
            if (idx >= 0) err = neutralise(ctx, idx, pos, n);
        }
        if (um_is_error(err)) return err;
        pos = dp + n + 4;
    }
    return UM_E_LIMIT;
}

const struct um_format um_format_png = {
    .name = "png",
    .long_name = "PNG image",
    .extensions = "png,apng",
    .mime = "image/png",
    .finds = "tEXt/zTXt/iTXt text (author, software, comments, raw EXIF/IPTC profiles), XMP, "
             "eXIf EXIF, tIME, data after IEND",
    .removes = "text and tIME chunks (renamed to a private ancillary type, zeroed, CRC fixed), "
               "XMP and EXIF contents, data after IEND",
    .probe = probe,
    .scan = scan,
};
