/* ASF: Windows Media audio and video (WMA, WMV), per the Advanced Systems Format
 * specification, revision 01.20.06.
 *
 * Finds: File Properties' File ID (also repeated in the Data Object and the Simple
 * Index) and Creation Date; Content Description strings (title, author, copyright,
 * description, rating); Extended Content Description pairs (WM/ToolName,
 * WM/EncodingSettings, any make/model/serial/location a recorder wrote); the Metadata
 * and Metadata Library objects of the Header Extension; pictures (WM/Picture) are
 * scanned as embedded files; Content Branding URLs (its banner scanned as a file);
 * non-zero Padding Objects. Data after the Data Object and index objects is appended.
 * Removes in place: strings and values are zeroed inside their length fields (a
 * zeroed UTF-16 string reads as empty), the File ID and Creation Date are zeroed.
 * Names, types, lengths and object sizes never change. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "format.h"

#define MAX_OBJECTS 4096
#define MAX_RECORDS 65535
#define TEXT_MAX 512

static const uint8_t G_HEADER[16] = { 0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11,
                                      0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C };
static const uint8_t G_DATA[16] = { 0x36, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11,
                                    0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C };
static const uint8_t G_FILE_PROPS[16] = { 0xA1, 0xDC, 0xAB, 0x8C, 0x47, 0xA9, 0xCF, 0x11,
                                          0x8E, 0xE4, 0x00, 0xC0, 0x0C, 0x20, 0x53, 0x65 };
static const uint8_t G_CONTENT_DESC[16] = { 0x33, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11,
                                            0xA6, 0xD9, 0x00, 0xAA, 0x00, 0x62, 0xCE, 0x6C };
static const uint8_t G_EXT_CONTENT_DESC[16] = { 0x40, 0xA4, 0xD0, 0xD2, 0x07, 0xE3, 0xD2, 0x11,
                                                0x97, 0xF0, 0x00, 0xA0, 0xC9, 0x5E, 0xA8, 0x50 };
static const uint8_t G_HEADER_EXT[16] = { 0xB5, 0x03, 0xBF, 0x5F, 0x2E, 0xA9, 0xCF, 0x11,
                                          0x8E, 0xE3, 0x00, 0xC0, 0x0C, 0x20, 0x53, 0x65 };
static const uint8_t G_METADATA[16] = { 0xEA, 0xCB, 0xF8, 0xC5, 0xAF, 0x5B, 0x77, 0x48,
                                        0x84, 0x67, 0xAA, 0x8C, 0x44, 0xFA, 0x4C, 0xCA };
static const uint8_t G_METADATA_LIB[16] = { 0x94, 0x1C, 0x23, 0x44, 0x98, 0x94, 0xD1, 0x49,
                                            0xA1, 0x41, 0x1D, 0x13, 0x4E, 0x45, 0x70, 0x54 };
static const uint8_t G_SIMPLE_INDEX[16] = { 0x90, 0x08, 0x00, 0x33, 0xB1, 0xE5, 0xCF, 0x11,
                                            0x89, 0xF4, 0x00, 0xA0, 0xC9, 0x03, 0x49, 0xCB };
static const uint8_t G_INDEX[16] = { 0xD3, 0x29, 0xE2, 0xD6, 0xDA, 0x35, 0xD1, 0x11,
                                     0x90, 0x34, 0x00, 0xA0, 0xC9, 0x03, 0x49, 0xBE };
static const uint8_t G_MEDIA_INDEX[16] = { 0xF8, 0x03, 0xB1, 0xFE, 0xAD, 0x12, 0x64, 0x4C,
                                           0x84, 0x0F, 0x2A, 0x1D, 0x2F, 0x7A, 0xD4, 0x8C };
static const uint8_t G_TIMECODE_INDEX[16] = { 0xD0, 0x3F, 0xB7, 0x3C, 0x4A, 0x0C, 0x03, 0x48,
                                              0x95, 0x3D, 0xED, 0xF7, 0xB6, 0x22, 0x8F, 0x0C };

static const uint8_t G_BRANDING[16] = { 0xFA, 0xB3, 0x11, 0x22, 0x23, 0xBD, 0xD2, 0x11,
                                        0xB4, 0xB7, 0x00, 0xA0, 0xC9, 0x55, 0xFC, 0x6E };
static const uint8_t G_PADDING[16] = { 0x74, 0xD4, 0x06, 0x18, 0xDF, 0xCA, 0x09, 0x45,
                                       0xA4, 0xBA, 0x9A, 0xAB, 0xCB, 0x96, 0xAA, 0xE8 };

/* The File ID is repeated in the Data Object and the Simple Index: one finding, one
 * zeroing of each copy. */
struct asf {
    const uint8_t *d;
    uint64_t size;
    int file_id;              /* finding, or -1 */
    uint8_t id[16];
};

/* UTF-16LE to UTF-8, stopping at a NUL. */
static void utf16(const uint8_t *p, uint64_t n, char *o, size_t cap)
{
    size_t w = 0;
    for (uint64_t i = 0; i + 1 < n; i += 2) {
        uint32_t u = ld_u16le(p + i);
        if (!u) break;
        if (u >= 0xD800 && u < 0xDC00 && i + 3 < n) {
            uint32_t lo = ld_u16le(p + i + 2);
            if (lo >= 0xDC00 && lo < 0xE000) u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00), i += 2;
        }
        char b[4];
        size_t k;
        if (u < 0x80) b[0] = (char)u, k = 1;
        else if (u < 0x800) b[0] = (char)(0xC0 | u >> 6), b[1] = (char)(0x80 | (u & 0x3F)), k = 2;
        else if (u < 0x10000)
            b[0] = (char)(0xE0 | u >> 12), b[1] = (char)(0x80 | ((u >> 6) & 0x3F)),
            b[2] = (char)(0x80 | (u & 0x3F)), k = 3;
        else
            b[0] = (char)(0xF0 | u >> 18), b[1] = (char)(0x80 | ((u >> 12) & 0x3F)),
            b[2] = (char)(0x80 | ((u >> 6) & 0x3F)), b[3] = (char)(0x80 | (u & 0x3F)), k = 4;
        if (w + k >= cap) break;
        memcpy(o + w, b, k);
        w += k;
    }
    o[w] = 0;
}

static void guid_text(const uint8_t *g, char *o, size_t cap)
{
    snprintf(o, cap, "%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X", ld_u32le(g),
             ld_u16le(g + 4), ld_u16le(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* A typed value as text: 0 UTF-16 string, 1 bytes, 2 BOOL, 3 DWORD, 4 QWORD, 5 WORD,
 * 6 GUID. */
static void value_text(unsigned type, const uint8_t *p, uint64_t n, char *o, size_t cap)
{
    switch (type) {
    case 0: utf16(p, n, o, cap); return;
    case 2: snprintf(o, cap, "%s", n && !um_all_zero(p, n) ? "true" : "false"); return;
    case 3: snprintf(o, cap, "%u", n >= 4 ? ld_u32le(p) : 0); return;
    case 4: snprintf(o, cap, "%llu", (unsigned long long)(n >= 8 ? ld_u64le(p) : 0)); return;
    case 5: snprintf(o, cap, "%u", n >= 2 ? ld_u16le(p) : 0); return;
    case 6:
        if (n >= 16) { guid_text(p, o, cap); return; }
        /* fall through */
    default: snprintf(o, cap, "(%llu bytes)", (unsigned long long)n); return;
    }
}

/* WM/Picture: type, data length, MIME and description (NUL-terminated UTF-16), data.
 * The picture is kept (a stream to players) and scanned as an embedded file. */
static int picture(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t off, uint64_t n)
{
    if (n < 5) return 0;
    uint64_t len = ld_u32le(d + off + 1), p = 5;
    for (int s = 0; s < 2; s++) {   /* MIME, then description */
        while (p + 1 < n && (d[off + p] || d[off + p + 1])) p += 2;
        p += 2;
    }
    if (p > n || len > n - p) return 0;
    return um_scan_embedded(ctx, off + p, len, "WM/Picture");
}

/* Reports one name/value pair and plans the zeroing of its value. */
static int pair(struct um_scan_ctx *ctx, const uint8_t *d, const char *where, const uint8_t *name,
                uint64_t name_len, unsigned type, uint64_t voff, uint64_t vlen)
{
    char key[128], val[TEXT_MAX], w[192];
    utf16(name, name_len, key, sizeof key);
    if (!strcmp(key, "WM/Picture") && type == 1) return picture(ctx, d, voff, vlen);
    if (!vlen || um_all_zero(d + voff, vlen)) return 0;   /* empty, or already zeroed */
    value_text(type, d + voff, vlen, val, sizeof val);
    snprintf(w, sizeof w, "%s/%s", where, key);
    int r = um_report_classified(ctx, "asf", w, key, (const uint8_t *)val, strlen(val), voff, vlen);
    if (r < 0) return um_is_error(r) ? r : 0;
    return um_plan(ctx, r, UM_OP_ZERO, voff, vlen, NULL);
}

static int content_desc(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t off, uint64_t len)
{
    static const char *const names[5] = { "Title", "Author", "Copyright", "Description", "Rating" };
    if (len < 10) return UM_E_FORMAT;
    uint64_t p = off + 10, end = off + len;
    for (int i = 0; i < 5; i++) {
        uint64_t n = ld_u16le(d + off + 2 * i);
        if (n > end - p) return UM_E_FORMAT;
        if (n && !um_all_zero(d + p, n)) {
            char val[TEXT_MAX], w[48];
            utf16(d + p, n, val, sizeof val);
            snprintf(w, sizeof w, "ContentDescription/%s", names[i]);
            int r = um_report_classified(ctx, "asf", w, names[i], (const uint8_t *)val, strlen(val), p, n);
            if (um_is_error(r)) return r;
            if (r >= 0 && (r = um_plan(ctx, r, UM_OP_ZERO, p, n, NULL)) < 0) return r;
        }
        p += n;
    }
    return 0;
}

static int ext_content_desc(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t off, uint64_t len)
{
    struct um_reader r = um_reader_make(d + off, len);
    uint16_t count;
    if (rd_u16le(&r, &count)) return UM_E_FORMAT;
    for (unsigned i = 0; i < count; i++) {
        uint16_t nl, type, vl;
        const uint8_t *name, *val;
        if (rd_u16le(&r, &nl) || rd_bytes(&r, nl, &name) || rd_u16le(&r, &type) ||
            rd_u16le(&r, &vl) || rd_bytes(&r, vl, &val))
            return UM_E_FORMAT;
        int err = pair(ctx, d, "ExtendedContentDescription", name, nl, type, (uint64_t)(val - d), vl);
        if (err < 0) return err;
    }
    return 0;
}

/* Metadata and Metadata Library records: language index, stream number, name length,
 * type, data length (32-bit), name, data. */
static int metadata(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t off, uint64_t len,
                    const char *where)
{
    struct um_reader r = um_reader_make(d + off, len);
    uint16_t count;
    if (rd_u16le(&r, &count)) return UM_E_FORMAT;
    for (unsigned i = 0; i < count; i++) {
        uint16_t lang, stream, nl, type;
        uint32_t vl;
        const uint8_t *name, *val;
        if (rd_u16le(&r, &lang) || rd_u16le(&r, &stream) || rd_u16le(&r, &nl) ||
            rd_u16le(&r, &type) || rd_u32le(&r, &vl) || rd_bytes(&r, nl, &name) ||
            rd_bytes(&r, vl, &val))
            return UM_E_FORMAT;
        int err = pair(ctx, d, where, name, nl, type, (uint64_t)(val - d), vl);
        if (err < 0) return err;
    }
    return 0;
}

static int file_props(struct um_scan_ctx *ctx, struct asf *a, uint64_t off, uint64_t len)
{
    const uint8_t *d = a->d;
    if (len < 80) return UM_E_FORMAT;
    if (!um_all_zero(d + off, 16)) {
        char g[40];
        guid_text(d + off, g, sizeof g);
        int r = um_report_classified(ctx, "asf", "FileProperties/FileID", "FileID",
                                     (const uint8_t *)g, strlen(g), off, 16);
        if (um_is_error(r)) return r;
        if (r >= 0) {
            a->file_id = r;
            memcpy(a->id, d + off, 16);
            if ((r = um_plan(ctx, r, UM_OP_ZERO, off, 16, NULL)) < 0) return r;
        }
    }
    /* 0, or the Unix epoch that muxers write when they know no date: unset. */
    uint64_t t = ld_u64le(d + off + 24);
    if (t && t != 116444736000000000ull) {
        /* 100-ns units since 1601-01-01. */
        char v[48];
        long long secs = (long long)(t / 10000000u) - 11644473600LL;
        long long days = secs >= 0 ? secs / 86400 : -1;
        if (days >= 0) {
            /* civil date from days since 1970 (H. Hinnant's algorithm) */
            long long z = days + 719468, era = z / 146097, doe = z - era * 146097;
            long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
            long long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            long long mp = (5 * doy + 2) / 153, dd = doy - (153 * mp + 2) / 5 + 1;
            long long mm = mp < 10 ? mp + 3 : mp - 9;
            long long sod = secs % 86400;
            snprintf(v, sizeof v, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ", y + (mm <= 2), mm, dd,
                     sod / 3600, sod / 60 % 60, sod % 60);
        } else {
            snprintf(v, sizeof v, "%llu", (unsigned long long)t);
        }
        int r = um_report_classified(ctx, "asf", "FileProperties/CreationDate", "CreationDate",
                                     (const uint8_t *)v, strlen(v), off + 24, 8);
        if (um_is_error(r)) return r;
        if (r >= 0 && (r = um_plan(ctx, r, UM_OP_ZERO, off + 24, 8, NULL)) < 0) return r;
    }
    return 0;
}

/* Content Branding: banner image type, size and data, banner URL, copyright URL
 * (32-bit lengths, ASCII). The URLs are zeroed; the banner is scanned as a file. */
static int branding(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t off, uint64_t len)
{
    struct um_reader r = um_reader_make(d + off, len);
    uint32_t type, il, ul;
    const uint8_t *img, *url;
    if (rd_u32le(&r, &type) || rd_u32le(&r, &il) || rd_bytes(&r, il, &img)) return UM_E_FORMAT;
    if (il && um_scan_embedded(ctx, (uint64_t)(img - d), il, "ContentBranding/banner") < 0) return -ENOMEM;
    static const char *const keys[2] = { "BannerImageURL", "CopyrightURL" };
    for (int i = 0; i < 2; i++) {
        if (rd_u32le(&r, &ul) || rd_bytes(&r, ul, &url)) return UM_E_FORMAT;
        if (!ul || um_all_zero(url, ul)) continue;
        char w[48];
        snprintf(w, sizeof w, "ContentBranding/%s", keys[i]);
        int k = um_report_classified(ctx, "asf", w, keys[i], url, ul, (uint64_t)(url - d), ul);
        if (um_is_error(k)) return k;
        if (k >= 0 && (k = um_plan(ctx, k, UM_OP_ZERO, (uint64_t)(url - d), ul, NULL)) < 0) return k;
    }
    return 0;
}

/* The Padding Object must hold zeros: anything else is hidden data. */
static int padding(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t off, uint64_t len)
{
    uint64_t first = UINT64_MAX, last = 0;
    for (uint64_t i = off; i < off + len; i++)
        if (d[i]) {
            if (first == UINT64_MAX) first = i;
            last = i;
        }
    if (first == UINT64_MAX) return 0;
    char pv[40];
    uint64_t n = last + 1 - first;
    snprintf(pv, sizeof pv, "(%llu bytes)", (unsigned long long)n);
    struct um_finding_spec s = {
        .kind = UM_K_NONZERO_PADDING, .severity = UM_SEV_HIGH, .where = "Padding",
        .value = (const uint8_t *)pv, .value_len = strlen(pv), .offset = first, .length = n,
    };
    int r = um_report(ctx, &s);
    if (r < 0) return r;
    return um_plan(ctx, r, UM_OP_ZERO, first, n, NULL);
}

/* Walks the objects in [off, end): each a GUID, a 64-bit size (header included), and
 * data. depth 0 is the Header Object's children, 1 the Header Extension's. */
static int objects(struct um_scan_ctx *ctx, struct asf *a, uint64_t off, uint64_t end, int depth)
{
    const uint8_t *d = a->d;
    int err = 0;
    for (int i = 0; off < end; i++) {
        if (i >= MAX_OBJECTS) return UM_E_LIMIT;
        if (end - off < 24) return UM_E_FORMAT;
        uint64_t sz = ld_u64le(d + off + 16);
        if (sz < 24 || sz > end - off) return UM_E_FORMAT;   /* 0, or past the parent */
        const uint8_t *g = d + off;
        uint64_t body = off + 24, bl = sz - 24;
        if (!memcmp(g, G_FILE_PROPS, 16)) err = file_props(ctx, a, body, bl);
        else if (!memcmp(g, G_CONTENT_DESC, 16)) err = content_desc(ctx, d, body, bl);
        else if (!memcmp(g, G_EXT_CONTENT_DESC, 16)) err = ext_content_desc(ctx, d, body, bl);
        else if (!memcmp(g, G_METADATA, 16)) err = metadata(ctx, d, body, bl, "Metadata");
        else if (!memcmp(g, G_METADATA_LIB, 16)) err = metadata(ctx, d, body, bl, "MetadataLibrary");
        else if (!memcmp(g, G_BRANDING, 16)) err = branding(ctx, d, body, bl);
        else if (!memcmp(g, G_PADDING, 16)) err = padding(ctx, d, body, bl);
        else if (!memcmp(g, G_HEADER_EXT, 16) && depth == 0) {
            /* reserved GUID, reserved 16-bit, data size, then objects */
            if (bl < 22) return UM_E_FORMAT;
            uint64_t dl = ld_u32le(d + body + 18);
            if (dl > bl - 22) return UM_E_FORMAT;
            err = objects(ctx, a, body + 22, body + 22 + dl, 1);
        }
        if (err == UM_E_FORMAT &&
            (!memcmp(g, G_CONTENT_DESC, 16) || !memcmp(g, G_EXT_CONTENT_DESC, 16) ||
             !memcmp(g, G_METADATA, 16) || !memcmp(g, G_METADATA_LIB, 16) ||
             !memcmp(g, G_BRANDING, 16))) {
            /* A metadata object that cannot be parsed is emptied: zeroed, its counts
             * and lengths read 0, and the object keeps its size. */
            int f = um_report_text(ctx, UM_K_CONTENT, UM_SEV_MEDIUM, "object", "malformed",
                                   "metadata object that cannot be parsed", off, sz);
            err = f < 0 ? f : um_plan(ctx, f, UM_OP_ZERO, body, bl, NULL);
        }
        if (err < 0) return err;
        off += sz;
    }
    return 0;
}

/* Another copy of the File ID (Data Object, Simple Index). The same id rides on the
 * File Properties finding; a copy that stands alone (a different id, or the first copy
 * already zeroed by a scrub that was interrupted) is a finding of its own. */
static int other_file_id(struct um_scan_ctx *ctx, struct asf *a, uint64_t off, const char *where)
{
    if (off + 16 > a->size || um_all_zero(a->d + off, 16)) return 0;
    if (a->file_id >= 0 && !memcmp(a->d + off, a->id, 16))
        return um_plan(ctx, a->file_id, UM_OP_ZERO, off, 16, NULL);
    char g[40];
    guid_text(a->d + off, g, sizeof g);
    int r = um_report_classified(ctx, "asf", where, "FileID", (const uint8_t *)g, strlen(g), off, 16);
    if (um_is_error(r)) return r;
    return r >= 0 ? um_plan(ctx, r, UM_OP_ZERO, off, 16, NULL) : 0;
}

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    (void)size;
    if (n >= 30 && !memcmp(h, G_HEADER, 16)) return UM_PROBE_MAX;
    return 0;
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    struct asf a = { .d = d, .size = size, .file_id = -1 };
    if (size < 30) return UM_E_TRUNC;
    uint64_t hs = ld_u64le(d + 16);
    if (hs < 30) return UM_E_FORMAT;
    if (hs > size) return UM_E_TRUNC;
    int err = objects(ctx, &a, 30, hs, 0);
    if (err < 0) return err;

    /* The Data Object follows the header; index objects follow the data. */
    uint64_t pos = hs;
    if (size - pos < 50 || memcmp(d + pos, G_DATA, 16)) return 0;   /* the end is not known */
    uint64_t ds = ld_u64le(d + pos + 16);
    if ((err = other_file_id(ctx, &a, pos + 24, "Data/FileID")) < 0) return err;
    if (ds < 50 || ds > size - pos) return 0;   /* live/broadcast size, or cut short */
    pos += ds;
    for (int i = 0; i < MAX_OBJECTS && size - pos >= 24; i++) {
        const uint8_t *g = d + pos;
        if (memcmp(g, G_SIMPLE_INDEX, 16) && memcmp(g, G_INDEX, 16) && memcmp(g, G_MEDIA_INDEX, 16) &&
            memcmp(g, G_TIMECODE_INDEX, 16))
            break;
        uint64_t sz = ld_u64le(d + pos + 16);
        if (sz < 24 || sz > size - pos) break;
        if (!memcmp(g, G_SIMPLE_INDEX, 16) && (err = other_file_id(ctx, &a, pos + 24, "SimpleIndex/FileID")) < 0)
            return err;
        pos += sz;
    }
    um_set_end(ctx, pos, "last ASF object");
    return 0;
}

const struct um_format um_format_asf = {
    .name = "asf",
    .long_name = "ASF (Windows Media WMA/WMV)",
    .extensions = "asf,wma,wmv",
    .mime = "video/x-ms-asf",
    .finds = "File ID, creation date, content description, extended content description, "
             "metadata and metadata library values, pictures, data after the last object",
    .removes = "values zeroed in place inside their length fields; appended data truncated",
    .probe = probe,
    .scan = scan,
};
