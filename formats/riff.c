/* RIFF (Microsoft/IBM RIFF; AVI with OpenDML AVIX extensions; WAVE with EBU Tech 3285
 * bext and RF64 (EBU Tech 3306); WebP (Google's container spec); ANI, RMID and other
 * forms). Walks the chunk tree by headers, skipping 'movi' lists and 'data' chunks by
 * size, so that the declared RIFF size (after the last AVIX part of a large AVI)
 * gives the end of the file and the bytes after it are reported.
 *
 * Finds: LIST INFO subchunks (IART, ICRD, ISFT, ...), camera LISTs ('exif' of old
 * digital cameras, Nikon 'ncdt'), AVI IDIT dates, strd (camera maker data) and strn
 * (stream names), bext fields, iXML, axml, cart, DISP, ID3 tags
 * in 'id3 ' chunks (each frame reported), adtl labels and notes, and JUNK/PAD/FLLR
 * chunks whose payload is not zero. XMP (_PMX, WebP 'XMP ') and EXIF (WebP 'EXIF')
 * blocks are scanned as embedded files by their own handlers, which clean them in
 * place and keep what display needs (EXIF orientation); WebP ICCP is kept.
 *
 * Removes in place: the chunk's FourCC becomes "JUNK" (a REPLACE of 4 bytes, so the
 * chunk is still a valid chunk of the same size that every RIFF reader skips) and
 * its payload is zeroed. A LIST INFO goes whole. Sizes and the file length never
 * change. */
#include <stdio.h>
#include <string.h>

#include "format.h"

#define MAX_DEPTH 16
#define MAX_CHUNKS (1u << 22)
#define SIZE_UNKNOWN 0xFFFFFFFFu

enum form { F_OTHER, F_AVI, F_WAVE, F_WEBP };

struct chunk {
    char id[5];
    uint64_t off;     /* first byte of the FourCC */
    uint64_t data;    /* first byte of the payload */
    uint64_t size;    /* payload size */
    uint64_t next;    /* after the payload and its pad byte */
};

struct riff {
    struct um_scan_ctx *ctx;
    const uint8_t *d;
    uint64_t size;
    enum form form;
    unsigned nchunks;
    uint64_t ds64_data;   /* RF64: the real size of the 'data' chunk, or 0 */
    bool rf64;
};

static bool fourcc_ok(const uint8_t *p)
{
    for (int i = 0; i < 4; i++)
        if (p[i] < 0x20 || p[i] > 0x7E) return false;
    return true;
}

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    (void)size;
    if (n < 12 || (memcmp(h, "RIFF", 4) != 0 && memcmp(h, "RF64", 4) != 0)) return 0;
    const uint8_t *f = h + 8;
    if (!memcmp(f, "AVI ", 4) || !memcmp(f, "WAVE", 4) || !memcmp(f, "WEBP", 4) ||
        !memcmp(f, "ACON", 4) || !memcmp(f, "RMID", 4))
        return UM_PROBE_MAX;
    /* Another RIFF form (CDXA, AMV, ...): the chunk walk still applies. */
    return fourcc_ok(f) ? UM_PROBE_EXT : 0;
}

/* Reads the chunk header at pos inside a parent ending at `end`. The pad byte after
 * an odd payload may be missing at the very end of the parent. */
static int read_chunk(struct riff *r, uint64_t pos, uint64_t end, struct chunk *c)
{
    if (++r->nchunks > MAX_CHUNKS) return UM_E_LIMIT;
    if (end - pos < 8) return UM_E_TRUNC;
    memcpy(c->id, r->d + pos, 4);
    c->id[4] = 0;
    c->off = pos;
    c->data = pos + 8;
    c->size = ld_u32le(r->d + pos + 4);
    if (r->rf64 && c->size == SIZE_UNKNOWN && !memcmp(c->id, "data", 4) && r->ds64_data)
        c->size = r->ds64_data;
    if (c->size > end - c->data) {
        /* Past the parent: inside the file that is a lying length; past the end of
         * the file, the file was cut short. */
        return c->size > r->size - c->data ? UM_E_TRUNC : UM_E_FORMAT;
    }
    c->next = c->data + c->size;
    if ((c->size & 1) && c->next < end) c->next++;
    return 0;
}

static uint64_t str_len(const uint8_t *p, uint64_t n)
{
    while (n && (!p[n - 1] || p[n - 1] == ' ' || p[n - 1] == '\n' || p[n - 1] == '\r')) n--;
    return n;
}

/* ---- edits ---- */

/* The chunk at [off, off+8+size) becomes a JUNK chunk of the same size, zeroed. */
static int plan_junk(struct riff *r, int idx, const struct chunk *c)
{
    int e = 0;
    if (memcmp(c->id, "JUNK", 4) != 0) e = um_plan_staged(r->ctx, idx, UM_OP_REPLACE, c->off, 4, "JUNK", UM_STAGE_RENAME);
    if (e == 0 && c->size) e = um_plan(r->ctx, idx, UM_OP_ZERO, c->data, c->size, NULL);
    return e;
}

/* Reports a value found at [off, off+len), classified in namespace ns; a key the
 * table does not know is still reported, as content: it is text somebody wrote.
 * Removal junks chunk `whole`. */
static int report_ns(struct riff *r, const char *ns, const char *where, const char *key,
                     const uint8_t *v, size_t n, uint64_t off, uint64_t len, const struct chunk *whole)
{
    int idx = um_report_classified(r->ctx, ns, where, key, v, n, off, len);
    if (um_is_error(idx)) return idx;
    if (idx < 0) {
        struct um_finding_spec s = {
            .kind = UM_K_CONTENT, .severity = UM_SEV_LOW, .where = where, .key = key,
            .value = v, .value_len = n, .offset = off, .length = len,
        };
        idx = um_report(r->ctx, &s);
        if (idx < 0) return idx;
    }
    int e = plan_junk(r, idx, whole);
    return e < 0 ? e : idx;
}

static int report(struct riff *r, const char *where, const char *key, const uint8_t *v,
                  size_t n, uint64_t off, uint64_t len, const struct chunk *whole)
{
    return report_ns(r, "riff", where, key, v, n, off, len, whole);
}

/* An AVI muxer that cannot know yet whether the file will pass 1 GB reserves the
 * OpenDML 'indx' and 'odml' chunks as JUNK with their headers filled in (wLongsPerEntry
 * 4 and a stream chunk id; "odml" "dmlh"), to rename them later. Those few bytes
 * are structure, not hidden data, when everything after them is zero. */
static bool reserved_odml(const uint8_t *p, uint64_t n)
{
    if (n < 16) return false;
    bool indx = p[0] == 4 && p[1] == 0 && fourcc_ok(p + 8);
    bool odml = !memcmp(p, "odmldmlh", 8);
    return (indx || odml) && um_all_zero(p + 16, n - 16);
}

/* Chunks meant to be empty space: check_padding zeroes a payload that is not. */
static bool padding_id(const char *id)
{
    return !memcmp(id, "JUNK", 4) || !memcmp(id, "junk", 4) || !memcmp(id, "PAD ", 4) ||
           !memcmp(id, "FLLR", 4) || !memcmp(id, "pad ", 4);
}

/* Text chunks that say who, where, when, or with what: junked whole when not empty. */
static const char *const text_ids[] = { "IDIT", "strd", "strn", "iXML", "axml", "cart", "DISP",
                                        "umid", "ISMP" };

static bool text_id(const char *id)
{
    for (size_t i = 0; i < sizeof text_ids / sizeof *text_ids; i++)
        if (!memcmp(id, text_ids[i], 4)) return true;
    return false;
}

/* Chunks that are tags through and through, junked whole: bext and ID3. */
static bool tag_id(const char *id)
{
    return !memcmp(id, "bext", 4) || !memcmp(id, "id3 ", 4) || !memcmp(id, "ID3 ", 4);
}

/* LIST types that are metadata through and through (walk_meta_list). */
static bool meta_list_type(const uint8_t *type)
{
    return !memcmp(type, "INFO", 4) || !memcmp(type, "exif", 4) || !memcmp(type, "ncdt", 4);
}

/* A chunk that is meant to be empty space. */
static int check_padding(struct riff *r, const char *where, const struct chunk *c)
{
    if (um_all_zero(r->d + c->data, c->size)) return 0;
    if (r->form == F_AVI && reserved_odml(r->d + c->data, c->size)) return 0;
    size_t n = c->size < 32 ? (size_t)c->size : 32;
    struct um_finding_spec s = {
        .kind = UM_K_NONZERO_PADDING, .severity = UM_SEV_MEDIUM, .where = where,
        .key = c->id, .value = r->d + c->data, .value_len = n,
        .offset = c->data, .length = c->size,
    };
    int idx = um_report(r->ctx, &s);
    if (idx < 0) return idx;
    return um_plan(r->ctx, idx, UM_OP_ZERO, c->data, c->size, NULL);
}

/* ---- bext (EBU Tech 3285) ---- */

static int walk_bext(struct riff *r, const char *where, const struct chunk *c)
{
    static const struct { const char *key; unsigned off, len; } f[] = {
        { "bext.Description", 0, 256 }, { "bext.Originator", 256, 32 },
        { "bext.OriginatorReference", 288, 32 }, { "bext.OriginationDate", 320, 10 },
        { "bext.OriginationTime", 330, 8 },
    };
    const uint8_t *p = r->d + c->data;
    char w[96];
    snprintf(w, sizeof w, "%s/bext", where);
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        if (c->size < f[i].off + f[i].len) break;
        uint64_t n = str_len(p + f[i].off, f[i].len);
        if (!n) continue;
        int e = report(r, w, f[i].key, p + f[i].off, (size_t)n, c->data + f[i].off, f[i].len, c);
        if (e < 0) return e;
    }
    if (c->size >= 346 && !um_all_zero(p + 338, 8)) {
        /* Samples since midnight of the first sample: the time of day of recording. */
        char v[40];
        snprintf(v, sizeof v, "%llu samples after midnight", (unsigned long long)ld_u64le(p + 338));
        int e = report(r, w, "bext.TimeReference", (const uint8_t *)v, strlen(v), c->data + 338, 8, c);
        if (e < 0) return e;
    }
    if (c->size >= 412 && !um_all_zero(p + 348, 64)) {
        static const char x[] = "0123456789abcdef";
        char v[129];
        for (int i = 0; i < 64; i++) v[2 * i] = x[p[348 + i] >> 4], v[2 * i + 1] = x[p[348 + i] & 15];
        v[128] = 0;
        int e = report(r, w, "bext.UMID", (const uint8_t *)v, 128, c->data + 348, 64, c);
        if (e < 0) return e;
    }
    if (c->size > 602) {
        uint64_t n = str_len(p + 602, c->size - 602);
        if (n) {
            int e = report(r, w, "bext.CodingHistory", p + 602, n > 256 ? 256 : (size_t)n,
                           c->data + 602, c->size - 602, c);
            if (e < 0) return e;
        }
    }
    return 0;
}

/* ---- ID3v2 inside an 'id3 ' chunk ---- */

static uint32_t syncsafe(const uint8_t *p)
{
    return (uint32_t)(p[0] & 0x7F) << 21 | (uint32_t)(p[1] & 0x7F) << 14 |
           (uint32_t)(p[2] & 0x7F) << 7 | (p[3] & 0x7F);
}

/* A text value as UTF-8 (UTF-16 reduced to its BMP characters; NULs, which separate
 * descriptions and list items, become spaces). */
static size_t id3_text(uint8_t enc, const uint8_t *p, uint64_t n, char *out, size_t cap)
{
    size_t k = 0;
    if (enc == 1 || enc == 2) {
        bool le = false;
        uint64_t i = 0;
        for (; i + 1 < n && k + 4 < cap; i += 2) {
            if (p[i] == 0xFF && p[i + 1] == 0xFE) { le = true; continue; }
            if (p[i] == 0xFE && p[i + 1] == 0xFF) { le = false; continue; }
            unsigned u = le ? (unsigned)(p[i] | p[i + 1] << 8) : (unsigned)(p[i] << 8 | p[i + 1]);
            if (!u) u = ' ';
            if (u < 0x80) {
                out[k++] = (char)u;
            } else if (u < 0x800) {
                out[k++] = (char)(0xC0 | u >> 6);
                out[k++] = (char)(0x80 | (u & 0x3F));
            } else {
                out[k++] = (char)(0xE0 | u >> 12);
                out[k++] = (char)(0x80 | ((u >> 6) & 0x3F));
                out[k++] = (char)(0x80 | (u & 0x3F));
            }
        }
    } else {
        for (uint64_t i = 0; i < n && k + 1 < cap; i++) out[k++] = p[i] ? (char)p[i] : ' ';
    }
    while (k && out[k - 1] == ' ') k--;
    out[k] = 0;
    size_t lead = 0;
    while (lead < k && out[lead] == ' ') lead++;
    memmove(out, out + lead, k - lead + 1);
    return k - lead;
}

/* Reports every frame of the tag; removing any of them junks the whole chunk (an ID3
 * tag in a RIFF file plays no part in playback). */
static int walk_id3(struct riff *r, const char *where, const struct chunk *c)
{
    const uint8_t *p = r->d + c->data;
    uint64_t n = c->size;
    char w[96];
    snprintf(w, sizeof w, "%s/%s", where, c->id);
    if (n < 10 || memcmp(p, "ID3", 3) != 0 || p[3] < 2 || p[3] > 4) {
        if (um_all_zero(p, n)) return 0;
        int e = report(r, w, "ID3", p, n < 64 ? (size_t)n : 64, c->data, n, c);
        return e < 0 ? e : 0;
    }
    unsigned ver = p[3];
    uint64_t end = 10 + (uint64_t)syncsafe(p + 6);
    if (end > n) end = n;
    uint64_t pos = 10;
    if (ver >= 3 && (p[5] & 0x40) && pos + 4 <= end)   /* extended header */
        pos += ver == 4 ? syncsafe(p + 10) : 4 + (uint64_t)ld_u32be(p + 10);
    unsigned idlen = ver == 2 ? 3 : 4, hlen = ver == 2 ? 6 : 10;
    int found = 0;
    for (unsigned count = 0; pos + hlen <= end && count < 4096; count++) {
        if (!p[pos]) break;   /* padding */
        char id[5] = { 0 };
        memcpy(id, p + pos, idlen);
        uint64_t fs = ver == 2 ? ld_u24be(p + pos + 3) : ver == 4 ? syncsafe(p + pos + 4) : ld_u32be(p + pos + 4);
        if (fs > end - pos - hlen) break;
        const uint8_t *fd = p + pos + hlen;
        char v[256];
        size_t vl;
        if (id[0] == 'T' && fs >= 1) {
            vl = id3_text(fd[0], fd + 1, fs - 1, v, sizeof v);
        } else if ((!strcmp(id, "COMM") || !strcmp(id, "USLT")) && fs >= 4) {
            vl = id3_text(fd[0], fd + 4, fs - 4, v, sizeof v);   /* after the language */
        } else {
            vl = (size_t)(fs < 64 ? fs : 64);
            memcpy(v, fd, vl);
        }
        int e = report_ns(r, "id3", w, id, (const uint8_t *)v, vl, c->data + pos, hlen + fs, c);
        if (e < 0) return e;
        found++;
        pos += hlen + fs;
    }
    if (!found && !um_all_zero(p + 10, n - 10)) {
        int e = report(r, w, "ID3", p, 10, c->data, n, c);
        return e < 0 ? e : 0;
    }
    return 0;
}

/* ---- lists ---- */

static int walk_list(struct riff *r, const struct chunk *list, const char *where, int depth);

/* A LIST that is metadata through and through: INFO (text), 'exif' (old digital
 * cameras: ecor make, emdl model, emnt maker note, edat/etim dates, eucm comment)
 * and Nikon's 'ncdt' (nctg camera tags, ncth/ncvw preview JPEGs). Every non-empty
 * subchunk is reported, keyed "ID" for INFO and "type.ID" for the others; removing
 * any of them turns the whole LIST into JUNK. */
static int walk_meta_list(struct riff *r, const struct chunk *list, const char *where)
{
    uint64_t pos = list->data + 4, end = list->data + list->size;
    const uint8_t *type = r->d + list->data;
    bool info = !memcmp(type, "INFO", 4);
    char w[96];
    snprintf(w, sizeof w, "%s/LIST:%.4s", where, (const char *)type);
    while (end - pos >= 8) {
        struct chunk c;
        int e = read_chunk(r, pos, end, &c);
        if (e < 0) return e;
        uint64_t n = str_len(r->d + c.data, c.size);
        if (n && (info || !um_all_zero(r->d + c.data, c.size))) {
            char ww[112], key[16];
            snprintf(ww, sizeof ww, "%s/%s", w, c.id);
            if (info) snprintf(key, sizeof key, "%s", c.id);
            else snprintf(key, sizeof key, "%.4s.%s", (const char *)type, c.id);
            e = report(r, ww, key, r->d + c.data, n > 256 ? 256 : (size_t)n, c.off, c.next - c.off, list);
            if (e < 0) return e;
        }
        pos = c.next;
    }
    return 0;
}

/* adtl: cue labels and notes ('labl', 'note': cue id + text; 'ltxt': 20 bytes + text).
 * Their text is zeroed; the cue points stay. */
static int walk_adtl(struct riff *r, const struct chunk *list, const char *where)
{
    uint64_t pos = list->data + 4, end = list->data + list->size;
    char w[96];
    snprintf(w, sizeof w, "%s/LIST:adtl", where);
    while (end - pos >= 8) {
        struct chunk c;
        int e = read_chunk(r, pos, end, &c);
        if (e < 0) return e;
        uint64_t skip = !memcmp(c.id, "ltxt", 4) ? 20 : 4;
        if ((!memcmp(c.id, "labl", 4) || !memcmp(c.id, "note", 4) || !memcmp(c.id, "ltxt", 4)) && c.size > skip) {
            uint64_t n = str_len(r->d + c.data + skip, c.size - skip);
            if (n) {
                struct um_finding_spec s = {
                    .kind = UM_K_CONTENT, .severity = UM_SEV_LOW, .where = w, .key = c.id,
                    .value = r->d + c.data + skip, .value_len = n > 256 ? 256 : (size_t)n,
                    .offset = c.data + skip, .length = c.size - skip,
                };
                int idx = um_report(r->ctx, &s);
                if (idx < 0) return idx;
                if ((e = um_plan(r->ctx, idx, UM_OP_ZERO, c.data + skip, c.size - skip, NULL)) < 0) return e;
            }
        }
        pos = c.next;
    }
    return 0;
}

/* One chunk of any list (or of the RIFF form itself). */
static int walk_chunk(struct riff *r, const struct chunk *c, const char *where, int depth)
{
    const uint8_t *p = r->d + c->data;
    char w[112];
    snprintf(w, sizeof w, "%s/%s", where, c->id);
    if (!memcmp(c->id, "LIST", 4)) return walk_list(r, c, where, depth + 1);
    if (padding_id(c->id)) return check_padding(r, w, c);
    if (!memcmp(c->id, "bext", 4)) return walk_bext(r, where, c);
    if (!memcmp(c->id, "id3 ", 4) || !memcmp(c->id, "ID3 ", 4)) return walk_id3(r, where, c);
    if (!memcmp(c->id, "_PMX", 4) || (r->form == F_WEBP && !memcmp(c->id, "XMP ", 4)))
        return um_scan_embedded(r->ctx, c->data, c->size, w);
    if (r->form == F_WEBP && !memcmp(c->id, "EXIF", 4)) {
        /* The container spec says the payload is a TIFF block; some writers keep the
         * JPEG APP1 "Exif\0\0" prefix, which the TIFF handler must not see. */
        uint64_t skip = c->size >= 6 && !memcmp(p, "Exif\0\0", 6) ? 6 : 0;
        if (c->size == skip) return 0;
        return um_scan_embedded(r->ctx, c->data + skip, c->size - skip, w);
    }
    if (text_id(c->id)) {
        if (um_all_zero(p, c->size)) return 0;
        uint64_t n = c->size;
        const uint8_t *v = p;
        if (!memcmp(c->id, "DISP", 4) && n >= 4) v += 4, n -= 4;   /* clipboard format, then data */
        n = str_len(v, n);
        int e = report(r, w, c->id, v, n > 256 ? 256 : (size_t)n, c->off, c->next - c->off, c);
        return e < 0 ? e : 0;
    }
    return 0;
}

static int walk_list(struct riff *r, const struct chunk *list, const char *where, int depth)
{
    if (depth > MAX_DEPTH) return UM_E_LIMIT;
    if (list->size < 4) return 0;
    const uint8_t *type = r->d + list->data;
    if (!memcmp(type, "movi", 4) || !memcmp(type, "rec ", 4)) return 0;   /* essence */
    if (meta_list_type(type)) return walk_meta_list(r, list, where);
    if (!memcmp(type, "adtl", 4)) return walk_adtl(r, list, where);
    char w[96];
    snprintf(w, sizeof w, "%s/LIST:%.4s", where, (const char *)type);
    uint64_t pos = list->data + 4, end = list->data + list->size;
    while (end - pos >= 8) {
        struct chunk c;
        int e = read_chunk(r, pos, end, &c);
        if (e < 0) return e;
        if ((e = walk_chunk(r, &c, w, depth)) < 0) return e;
        pos = c.next;
    }
    return 0;
}

/* RF64: the ds64 chunk (first in the form) holds the 64-bit RIFF and data sizes. */
static int read_ds64(struct riff *r, uint64_t *riff_size)
{
    if (r->size < 12 + 8 + 24 || memcmp(r->d + 12, "ds64", 4) != 0) return UM_E_FORMAT;
    if (ld_u32le(r->d + 16) < 24) return UM_E_FORMAT;
    *riff_size = ld_u64le(r->d + 20);
    r->ds64_data = ld_u64le(r->d + 28);
    return 0;
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    struct riff r = { .ctx = ctx, .d = d, .size = size };
    uint64_t pos = 0, end = 0;
    bool truncated = false;
    unsigned parts = 0;
    if (size < 12) return UM_E_TRUNC;
    r.rf64 = !memcmp(d, "RF64", 4);
    const uint8_t *f = d + 8;
    r.form = !memcmp(f, "AVI ", 4) ? F_AVI : !memcmp(f, "WAVE", 4) ? F_WAVE
           : !memcmp(f, "WEBP", 4) ? F_WEBP : F_OTHER;
    static const char *const form_mime[] = { [F_OTHER] = "application/x-riff", [F_AVI] = "video/x-msvideo",
                                              [F_WAVE] = "audio/x-wav", [F_WEBP] = "image/webp" };
    um_set_mime(ctx, form_mime[r.form]);
    /* The form, then (AVI over 1 GB) further RIFF 'AVIX' parts, back to back. */
    while (size - pos >= 12 && !truncated) {
        bool first = parts == 0;
        if (!first && (memcmp(d + pos, "RIFF", 4) != 0 || memcmp(d + pos + 8, "AVIX", 4) != 0)) break;
        uint64_t rs = ld_u32le(d + pos + 4);
        if (first && r.rf64) {
            if (rs != SIZE_UNKNOWN) return UM_E_FORMAT;
            int e = read_ds64(&r, &rs);
            if (e < 0) return e;
        }
        uint64_t part_end;
        if (!r.rf64 && (rs == 0 || rs == SIZE_UNKNOWN) && r.form == F_WAVE && first) {
            /* A recorder that never came back to write the size: up to the end. */
            part_end = size;
        } else if (rs < 4) {
            return UM_E_FORMAT;
        } else if (rs == size - pos - 8 + 1 && (rs & 1)) {
            part_end = size;    /* an odd size whose pad byte was never written */
        } else if (rs > size - pos - 8) {
            truncated = true;   /* cut short: walk what is there, then say so */
            part_end = size;
        } else {
            part_end = pos + 8 + rs;
        }
        char where[32];
        if (parts) snprintf(where, sizeof where, "RIFF:AVIX[%u]", parts);
        else snprintf(where, sizeof where, "RIFF:%.4s", (const char *)f);
        uint64_t cp = pos + 12;
        while (part_end - cp >= 8) {
            struct chunk c;
            int e;
            if (part_end == size && (rs == 0 || rs == SIZE_UNKNOWN) && !memcmp(d + cp, "data", 4)) {
                /* Unknown-size WAVE: the data chunk may be unknown too. */
                uint64_t ds = ld_u32le(d + cp + 4);
                if (ds == 0 || ds == SIZE_UNKNOWN || ds > size - cp - 8) ds = size - cp - 8;
                cp += 8 + ds + (ds & 1);
                if (cp > size) cp = size;
                continue;
            }
            e = read_chunk(&r, cp, part_end, &c);
            if (e < 0) return e;
            if ((e = walk_chunk(&r, &c, where, 0)) < 0) return e;
            cp = c.next;
        }
        if (cp < part_end) {
            /* Fewer than 8 bytes left inside the declared size: not a chunk. Zeros
             * are slack; anything else is hidden and goes. */
            struct chunk slack = { .off = cp, .data = cp, .size = part_end - cp, .next = part_end };
            memcpy(slack.id, "tail", 5);
            int e = check_padding(&r, where, &slack);
            if (e < 0) return e;
        }
        pos = part_end;
        if ((rs & 1) && pos < size && !d[pos]) pos++;   /* the form's own pad byte */
        end = pos;
        parts++;
    }
    if (truncated) return UM_E_TRUNC;
    um_set_end(ctx, end, parts > 1 ? "last RIFF AVIX part" : "RIFF declared size");
    return 0;
}

/* ---- media map (common/media_map.h) ----
 *
 * The verifier proves a large in-place scrub safe by comparing the maps of the film
 * before and after, so the map lists what the scan never edits and a player may
 * read, and decides by ids and sizes alone, which an edit never changes but for
 * renames to JUNK: every RIFF header, the hdrl, strl and odml lists with every
 * header in them, movi and idx1 whole without reading them, fmt, fact, data, cue and
 * any unknown chunk whole. Of a chunk the scan may rename JUNK and zero (LIST INFO,
 * exif and ncdt, the text chunks, bext, ID3) or zero as padding, it lists only the
 * size field, which chains its siblings, and its pad byte, which nothing edits, so
 * that the chunk maps the same before and after its rename. XMP in _PMX is cleaned
 * in place by its own handler: its header stays, its payload does not; adtl loses
 * the text of its labels, not their cue ids. Slack at the end of a RIFF (fewer than
 * eight bytes, zeroed by the scan) and bytes after the last RIFF are not listed. */

struct mapper {
    struct riff r;               /* chunk reading only: no scan context */
    struct um_media_map *m;
};

static int map_span(struct mapper *p, uint64_t from, uint64_t to)
{
    return um_media_map_add(p->m, from, to - from);
}

/* The size field and the pad byte: what a chunk keeps through plan_junk. */
static int map_size_field(struct mapper *p, const struct chunk *c)
{
    int err = um_media_map_add(p->m, c->off + 4, 4);
    return err ? err : map_span(p, c->data + c->size, c->next);
}

/* walk_adtl zeroes the text after the cue id of labl, note and ltxt. */
static int map_adtl(struct mapper *p, uint64_t pos, uint64_t end)
{
    while (end - pos >= 8) {
        struct chunk c;
        int err = read_chunk(&p->r, pos, end, &c);
        if (err) return err;
        uint64_t skip = !memcmp(c.id, "ltxt", 4) ? 20 : 4;
        bool text = !memcmp(c.id, "labl", 4) || !memcmp(c.id, "note", 4) || !memcmp(c.id, "ltxt", 4);
        if (text && c.size > skip) {
            err = map_span(p, c.off, c.data + skip);
            if (!err) err = map_span(p, c.data + c.size, c.next);
        } else {
            err = map_span(p, c.off, c.next);
        }
        if (err) return err;
        pos = c.next;
    }
    return map_span(p, pos, end);
}

static int map_chunk(struct mapper *p, const struct chunk *c, int depth);

/* A LIST as walk_list takes it. Bytes after its last chunk are not edited: listed. */
static int map_list(struct mapper *p, const struct chunk *list, int depth)
{
    if (depth > MAX_DEPTH) return UM_E_LIMIT;
    if (list->size < 4) return map_span(p, list->off, list->next);
    const uint8_t *type = p->r.d + list->data;
    if (!memcmp(type, "movi", 4) || !memcmp(type, "rec ", 4)) return map_span(p, list->off, list->next);
    if (meta_list_type(type)) return map_size_field(p, list);   /* junked whole */
    uint64_t pos = list->data + 4, end = list->data + list->size;
    int err = map_span(p, list->off, pos);
    if (err) return err;
    if (!memcmp(type, "adtl", 4)) {
        err = map_adtl(p, pos, end);
    } else {
        while (end - pos >= 8) {
            struct chunk c;
            if ((err = read_chunk(&p->r, pos, end, &c)) || (err = map_chunk(p, &c, depth))) return err;
            pos = c.next;
        }
        err = map_span(p, pos, end);
    }
    return err ? err : map_span(p, end, list->next);
}

/* One chunk, classified as walk_chunk classifies it (AVI and WAVE: no WebP chunks). */
static int map_chunk(struct mapper *p, const struct chunk *c, int depth)
{
    if (!memcmp(c->id, "LIST", 4)) return map_list(p, c, depth + 1);
    if (padding_id(c->id) || text_id(c->id) || tag_id(c->id)) return map_size_field(p, c);
    if (!memcmp(c->id, "_PMX", 4)) {
        int err = map_span(p, c->off, c->data);
        return err ? err : map_span(p, c->data + c->size, c->next);
    }
    return map_span(p, c->off, c->next);
}

/* The parts are found as scan finds them, so the map ends where the scan puts the
 * end of the file and a cut tail is never listed. */
static int media_map(struct um_media_map *m, const uint8_t *d, uint64_t size)
{
    if (size < 12) return UM_E_TRUNC;
    if (!memcmp(d, "RF64", 4) || !memcmp(d, "BW64", 4)) return UM_E_UNSUPPORTED;   /* ds64 sizes */
    if (memcmp(d, "RIFF", 4) != 0) return UM_E_FORMAT;
    bool avi = !memcmp(d + 8, "AVI ", 4);
    if (!avi && memcmp(d + 8, "WAVE", 4) != 0) return UM_E_UNSUPPORTED;
    struct mapper p = { .r = { .d = d, .size = size, .form = avi ? F_AVI : F_WAVE }, .m = m };
    uint64_t pos = 0;
    for (unsigned parts = 0; size - pos >= 12; parts++) {
        if (parts && (memcmp(d + pos, "RIFF", 4) != 0 || memcmp(d + pos + 8, "AVIX", 4) != 0)) break;
        uint64_t rs = ld_u32le(d + pos + 4), part_end;
        if (!avi && !parts && (rs == 0 || rs == SIZE_UNKNOWN)) {
            /* Never finalised: the scan runs it and its data chunk to the end of the
             * file, where a player has to guess too. */
            return UM_E_UNSUPPORTED;
        } else if (rs < 4) {
            return UM_E_FORMAT;
        } else if (rs == size - pos - 8 + 1 && (rs & 1)) {
            part_end = size;    /* the pad byte was never written */
        } else if (rs > size - pos - 8) {
            return UM_E_TRUNC;
        } else {
            part_end = pos + 8 + rs;
        }
        int err = map_span(&p, pos, pos + 12);
        if (err) return err;
        for (uint64_t cp = pos + 12; part_end - cp >= 8;) {
            struct chunk c;
            if ((err = read_chunk(&p.r, cp, part_end, &c)) || (err = map_chunk(&p, &c, 0))) return err;
            cp = c.next;
        }
        /* Fewer than 8 bytes may be left before part_end: slack that check_padding
         * zeroes when it is not zero, so not listed. */
        pos = part_end;
        if ((rs & 1) && pos < size && !d[pos]) {
            if ((err = map_span(&p, pos, pos + 1))) return err;
            pos++;
        }
    }
    return 0;
}

const struct um_format um_format_riff = {
    .name = "riff",
    .long_name = "RIFF (AVI, WAVE, WebP, RF64)",
    .extensions = "avi,wav,wave,webp,ani,rmi,bwf",
    .mime = "application/x-riff",
    .finds = "LIST INFO, IDIT, strd, strn, bext, iXML, axml, cart, ID3 chunks, adtl labels; "
             "EXIF/XMP scanned; non-zero JUNK; data after the RIFF size",
    .removes = "renames chunks to JUNK and zeroes them in place; cuts data after the RIFF size",
    .probe = probe,
    .scan = scan,
    .media_map = media_map,
};
