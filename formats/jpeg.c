/* JPEG (ITU T.81, JFIF 1.02, Exif 2.32 / DCF, CIPA DC-007 MPF, Adobe XMP part 3,
 * Photoshop image resources and IPTC IIM 4.2): walks every marker segment and the
 * entropy-coded data to EOI, so that bytes after it are reported as appended data
 * (with a better description when a known trailer is recognised: MPF secondary
 * images, Samsung SEF trailers, motion-photo videos).
 *
 * Finds:
 *   APP1 Exif       -> the TIFF/EXIF handler on the block after "Exif\0\0"
 *   APP1 XMP        -> the XMP handler on the packet
 *   APP1 ext. XMP   -> reported (its chunks only make sense reassembled)
 *   APP13 Photoshop -> 8BIM resources: IPTC IIM datasets (namespace "iptc"), the
 *                      Photoshop thumbnail, EXIF and XMP copies (embedded scans)
 *   COM             -> the comment (encoder signatures such as "CREATOR: gd-jpeg" or
 *                      "Lavc..." are software, anything else is content)
 *   APP2 MPF, APP2 FlashPix, APP12 Ducky, APP11 JUMBF/C2PA -> reported
 * Removes, in place: a metadata segment keeps its marker and length and has its whole
 * payload (identifier included) zeroed. Why not turn it into a COM or another APPn:
 * every decoder already skips this very APPn by its length, and an APPn payload is
 * only ever interpreted after its identifier string matches; an all-zero identifier
 * matches no application, so no reader finds anything there and no new parse path is
 * introduced. A COM would show up as an (empty) comment in every viewer, a renamed
 * marker buys nothing. A COM segment is zeroed the same way (NUL is an empty
 * comment). IPTC datasets are zeroed value by value, and the IIM block with them.
 * Kept: JFIF APP0, ICC profiles (APP2 ICC_PROFILE), Adobe APP14, the EXIF block's
 * structure and orientation (the EXIF handler removes only identifying entries). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "format.h"

#define EXIF_ID "Exif\0"
#define XMP_ID "http://ns.adobe.com/xap/1.0/"          /* + NUL: 29 bytes */
#define XMP_EXT_ID "http://ns.adobe.com/xmp/extension/"  /* + NUL: 35 bytes */
#define PS_ID "Photoshop 3.0"                           /* + NUL: 14 bytes */
#define MAX_RESOURCES 4096
#define MAX_DATASETS 8192

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    (void)size;
    if (n >= 4 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF) return UM_PROBE_MAX;
    return 0;
}

/* Skips entropy-coded data: returns the offset of the next marker that is not a
 * stuffed 0xFF00, a restart marker or fill bytes. */
static uint64_t skip_entropy(const uint8_t *d, uint64_t pos, uint64_t size)
{
    while (pos + 1 < size) {
        const uint8_t *ff = memchr(d + pos, 0xFF, (size_t)(size - pos - 1));
        if (!ff) return size;
        pos = (uint64_t)(ff - d);
        uint8_t m = d[pos + 1];
        if (m == 0x00 || (m >= 0xD0 && m <= 0xD7) || m == 0xFF) {
            pos += m == 0xFF ? 1 : 2;
            continue;
        }
        return pos;
    }
    return size;
}

static bool starts(const uint8_t *p, uint64_t n, const char *id, size_t idlen)
{
    return n >= idlen && memcmp(p, id, idlen) == 0;
}

/* ---- IPTC IIM (inside Photoshop resource 0x0404) ---- */

struct iim_name {
    uint8_t ds;
    const char *name;
};

/* Record 2 (application) dataset names, IIM 4.2 section 6. 2:00 (record version)
 * is structure, not content. */
static const struct iim_name iim2[] = {
    { 5, "ObjectName" }, { 7, "EditStatus" }, { 12, "SubjectReference" }, { 15, "Category" },
    { 20, "SupplementalCategories" }, { 22, "FixtureIdentifier" }, { 25, "Keywords" },
    { 26, "ContentLocationCode" }, { 27, "ContentLocationName" }, { 30, "ReleaseDate" },
    { 35, "ReleaseTime" }, { 37, "ExpirationDate" }, { 38, "ExpirationTime" },
    { 40, "SpecialInstructions" }, { 55, "DateCreated" }, { 60, "TimeCreated" },
    { 62, "DigitalCreationDate" }, { 63, "DigitalCreationTime" }, { 65, "OriginatingProgram" },
    { 70, "ProgramVersion" }, { 80, "By-line" }, { 85, "By-lineTitle" }, { 90, "City" },
    { 92, "Sub-location" }, { 95, "Province-State" }, { 100, "Country-PrimaryLocationCode" },
    { 101, "Country-PrimaryLocationName" }, { 103, "OriginalTransmissionReference" },
    { 105, "Headline" }, { 110, "Credit" }, { 115, "Source" }, { 116, "CopyrightNotice" },
    { 118, "Contact" }, { 120, "Caption-Abstract" }, { 122, "Writer-Editor" },
    { 0, NULL },
};

/* Reports the identifying datasets of an IIM block [off, off+len) and zeroes them;
 * returns the first finding or -1 (or a negative error below -1). */
static int scan_iim(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t off, uint64_t len,
                    const char *prefix)
{
    uint64_t pos = off, end = off + len;
    int first = -1;
    for (int count = 0; pos + 5 <= end && count < MAX_DATASETS; count++) {
        if (d[pos] != 0x1C) break;   /* padding or the end of the datasets */
        uint8_t rec = d[pos + 1], ds = d[pos + 2];
        uint64_t size = ld_u16be(d + pos + 3), hdr = 5;
        if (size & 0x8000) {          /* extended dataset: the length of the length */
            uint64_t ll = size & 0x7FFF;
            if (ll == 0 || ll > 8 || pos + 5 + ll > end) break;
            size = 0;
            for (uint64_t i = 0; i < ll; i++) size = size << 8 | d[pos + 5 + i];
            hdr += ll;
        }
        if (!um_range_ok(pos + hdr, size, end)) break;
        uint64_t v = pos + hdr;
        pos = v + size;
        if (rec != 2 || ds == 0 || size == 0 || um_all_zero(d + v, size)) continue;
        char nbuf[24];
        const char *name = NULL;
        for (const struct iim_name *n = iim2; n->name; n++)
            if (n->ds == ds) name = n->name;
        if (!name) {
            snprintf(nbuf, sizeof nbuf, "2:%u", ds);
            name = nbuf;
        }
        char where[96];
        snprintf(where, sizeof where, "%s/%s", prefix, name);
        int idx = um_report_classified(ctx, "iptc", where, name, d + v, (size_t)size, v, size);
        if (um_is_error(idx)) return idx;
        if (idx < 0) continue;
        if (first < 0) first = idx;
        int err = um_plan(ctx, idx, UM_OP_ZERO, v, size, NULL);
        if (err < 0) return err;
    }
    return first;
}

/* ---- Photoshop image resources (APP13) ---- */

static int scan_photoshop(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t off, uint64_t len)
{
    uint64_t pos = off, end = off + len;
    uint64_t digest = 0, digest_len = 0;   /* 0x0425: MD5 of the IPTC block as it was */
    int iptc = -1;
    for (int count = 0; pos + 12 <= end && count < MAX_RESOURCES; count++) {
        if (memcmp(d + pos, "8BIM", 4) != 0) break;
        uint16_t id = ld_u16be(d + pos + 4);
        uint64_t name_len = d[pos + 6];
        uint64_t name_total = (1 + name_len + 1) & ~(uint64_t)1;   /* Pascal string, even */
        uint64_t q = pos + 6 + name_total;
        if (q + 4 > end) break;
        uint64_t size = ld_u32be(d + q);
        uint64_t data = q + 4;
        if (!um_range_ok(data, size, end)) break;
        pos = data + size + (size & 1);
        int r = 0;
        if (id == 0x0404) {
            int first = scan_iim(ctx, d, data, size, "APP13/IPTC");
            if (um_is_error(first)) return first;
            /* The whole IIM block goes with its first finding: no dataset, not even
             * the record version, is left to show that IPTC was there. */
            if (first >= 0) r = um_plan(ctx, first, UM_OP_ZERO, data, size, NULL);
            if (first >= 0 && iptc < 0) iptc = first;
        } else if (id == 0x0425) {
            digest = data, digest_len = size;
        } else if ((id == 0x0409 || id == 0x040C) && size > 28) {
            r = um_scan_embedded(ctx, data + 28, size - 28, "APP13/Thumbnail");
        } else if (id == 0x0422) {
            r = um_scan_embedded(ctx, data, size, "APP13/Exif");
        } else if (id == 0x0424) {
            r = um_scan_embedded(ctx, data, size, "APP13/XMP");
        }
        if (r < 0) return r;
    }
    /* The stored digest would let anyone match this file to the original's IPTC. */
    if (iptc >= 0 && digest_len) return um_plan(ctx, iptc, UM_OP_ZERO, digest, digest_len, NULL);
    return 0;
}

/* ---- comments ---- */

/* Encoders and editors that sign their output in a COM segment. */
static bool encoder_comment(const uint8_t *p, uint64_t n)
{
    static const char *const sigs[] = {
        "CREATOR: gd-jpeg", "Lavc", "Lavf", "Created with ", "LEAD Technologies",
        "File written by Adobe Photoshop", "Intel(R) JPEG Library", "AppleMark",
        "Optimized by JPEGmini", "Handmade Software", "Compressed by jpeg-recompress",
        "Processed By eBay", "Kodak", "ACD Systems", "Adobe ImageReady", "XV version",
        "Generated by ", "Made with ", "Corel",
    };
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++)
        if (starts(p, n, sigs[i], strlen(sigs[i]))) return true;
    return false;
}

static int report_segment(struct um_scan_ctx *ctx, enum um_kind kind, enum um_severity sev,
                          const char *where, const uint8_t *value, size_t vlen,
                          uint64_t off, uint64_t len, const char *note)
{
    struct um_finding_spec s = {
        .kind = kind, .severity = sev, .where = where, .value = value, .value_len = vlen,
        .offset = off, .length = len, .note = note,
    };
    int idx = um_report(ctx, &s);
    if (idx < 0) return idx;
    return um_plan(ctx, idx, UM_OP_ZERO, off, len, NULL);
}

/* One marker segment's payload [p, p+n) at view offset off. */
static int segment(struct um_scan_ctx *ctx, uint8_t m, const uint8_t *d, uint64_t off, uint64_t n,
                   bool *mpf)
{
    const uint8_t *p = d + off;
    if (m == 0xE1 && n >= 6 && memcmp(p, EXIF_ID, 5) == 0) {
        /* A block the EXIF walker cannot even start on is reported and zeroed whole:
         * nobody can say what it holds, and no reader can use it anyway. */
        const uint8_t *b = p + 6;
        uint64_t bn = n - 6;
        bool le = bn >= 8 && memcmp(b, "II*\0", 4) == 0, be = bn >= 8 && memcmp(b, "MM\0*", 4) == 0;
        uint32_t first = le ? ld_u32le(b + 4) : be ? ld_u32be(b + 4) : 0;
        if ((le || be) && first >= 8 && (uint64_t)first + 2 <= bn)
            return um_scan_embedded(ctx, off + 6, bn, "APP1/Exif");
        if (um_all_zero(b, bn)) return 0;
        static const char v[] = "EXIF block that does not parse";
        return report_segment(ctx, UM_K_CONTENT, UM_SEV_MEDIUM, "APP1/Exif", (const uint8_t *)v,
                              sizeof v - 1, off, n, "unreadable EXIF block zeroed whole");
    }
    if (m == 0xE1 && starts(p, n, XMP_ID, sizeof XMP_ID))
        return um_scan_embedded(ctx, off + sizeof XMP_ID, n - sizeof XMP_ID, "APP1/XMP");
    if (m == 0xE1 && starts(p, n, XMP_EXT_ID, sizeof XMP_EXT_ID)) {
        /* GUID (32 hex digits), full length, chunk offset, chunk. */
        uint64_t g = sizeof XMP_EXT_ID;
        size_t glen = n >= g + 32 ? 32 : (size_t)(n - g);
        return report_segment(ctx, UM_K_CONTENT, UM_SEV_MEDIUM, "APP1/ExtendedXMP", p + g, glen,
                              off, n, "extended XMP chunk zeroed (it continues the main packet)");
    }
    if (m == 0xED && starts(p, n, PS_ID, sizeof PS_ID))
        return scan_photoshop(ctx, d, off + sizeof PS_ID, n - sizeof PS_ID);
    if (m == 0xFE) {
        uint64_t k = n;
        while (k && (p[k - 1] == 0 || p[k - 1] == ' ' || p[k - 1] == '\n')) k--;
        if (!k) return 0;   /* empty (or already scrubbed) */
        bool enc = encoder_comment(p, k);
        return report_segment(ctx, enc ? UM_K_SOFTWARE : UM_K_CONTENT, enc ? UM_SEV_LOW : UM_SEV_MEDIUM,
                              "COM", p, (size_t)k, off, n, NULL);
    }
    if (m == 0xE2 && starts(p, n, "MPF\0", 4)) {
        *mpf = true;
        static const char v[] = "Multi-Picture Format index (secondary images after EOI)";
        return report_segment(ctx, UM_K_EMBEDDED_MEDIA, UM_SEV_LOW, "APP2/MPF", (const uint8_t *)v,
                              sizeof v - 1, off, n, "index zeroed; the images it lists follow EOI");
    }
    if (m == 0xE2 && starts(p, n, "FPXR\0", 5)) {
        static const char v[] = "FlashPix extension data";
        return report_segment(ctx, UM_K_CONTENT, UM_SEV_LOW, "APP2/FlashPix", (const uint8_t *)v,
                              sizeof v - 1, off, n, NULL);
    }
    if (m == 0xEC && starts(p, n, "Ducky", 5)) {
        static const char v[] = "Photoshop Save for Web data (comment, copyright)";
        return report_segment(ctx, UM_K_CONTENT, UM_SEV_LOW, "APP12/Ducky", (const uint8_t *)v,
                              sizeof v - 1, off, n, NULL);
    }
    if (m == 0xEB && starts(p, n, "JP", 2) && n > 8) {
        /* JUMBF boxes: C2PA content credentials name the signer and the software. */
        static const char v[] = "JUMBF box (C2PA content credentials)";
        return report_segment(ctx, UM_K_DOCUMENT_ID, UM_SEV_MEDIUM, "APP11/JUMBF", (const uint8_t *)v,
                              sizeof v - 1, off, n, NULL);
    }
    return 0;
}

/* What follows EOI, for a clearer appended-data finding. */
static const char *after_eoi(const uint8_t *d, uint64_t end, uint64_t size, bool mpf)
{
    uint64_t n = size - end;
    const uint8_t *p = d + end;
    if (n >= 8 && memcmp(d + size - 4, "SEFT", 4) == 0) return "JPEG EOI (Samsung SEF trailer)";
    if (n >= 12 && memcmp(p + 4, "ftyp", 4) == 0) return "JPEG EOI (motion photo video)";
    if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
        return mpf ? "JPEG EOI (MPF secondary image)" : "JPEG EOI (another JPEG)";
    if (n >= 16 && memmem(p, (size_t)(n < 4096 ? n : 4096), "MotionPhoto_Data", 16))
        return "JPEG EOI (Samsung motion photo)";
    return "JPEG EOI";
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    uint64_t pos = 2;
    bool mpf = false;
    for (;;) {
        if (pos + 2 > size) return UM_E_TRUNC;
        if (d[pos] != 0xFF) return UM_E_FORMAT;
        uint8_t m = d[pos + 1];
        if (m == 0xFF) { pos++; continue; }     /* fill byte */
        if (m == 0xD9) {                        /* EOI */
            um_set_end(ctx, pos + 2, after_eoi(d, pos + 2, size, mpf));
            return 0;
        }
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { pos += 2; continue; }
        if (pos + 4 > size) return UM_E_TRUNC;
        uint16_t len = ld_u16be(d + pos + 2);
        if (len < 2) return UM_E_FORMAT;
        if (!um_range_ok(pos + 2, len, size)) return UM_E_TRUNC;
        int err = segment(ctx, m, d, pos + 4, (uint64_t)len - 2, &mpf);
        if (um_is_error(err)) return err;
        pos += 2 + (uint64_t)len;
        if (m == 0xDA) pos = skip_entropy(d, pos, size);   /* SOS: scan data follows */
    }
}

const struct um_format um_format_jpeg = {
    .name = "jpeg",
    .long_name = "JPEG image",
    .extensions = "jpg,jpeg,jpe,jfif",
    .mime = "image/jpeg",
    .finds = "EXIF (with GPS, serials, thumbnail), XMP, extended XMP, IPTC, comments, MPF, "
             "FlashPix, Ducky, JUMBF/C2PA, data after EOI",
    .removes = "identifying EXIF entries, XMP contents, IPTC datasets, comments and other "
               "metadata segments (zeroed in place), data after EOI",
    .probe = probe,
    .scan = scan,
};
