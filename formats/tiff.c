/* TIFF files and bare EXIF blocks (TIFF 6.0, EXIF 2.32 / CIPA DC-008, DNG 1.6 tags):
 * one handler, because an EXIF block is a TIFF structure without image data. It is
 * reached directly for .tif files (depth 0) and through um_scan_embedded for the EXIF
 * of a JPEG (APP1), PNG (eXIf), WebP, HEIF or a Photoshop resource.
 *
 * Walks IFD0, the Exif IFD (0x8769), the GPS IFD (0x8825), the Interoperability IFD
 * (0xA005), SubIFDs (0x014A) and the chain of next IFDs (IFD1 holds the thumbnail),
 * every offset bounds-checked, every IFD visited once (a visited set stops loops),
 * entry counts and the number of IFDs capped.
 *
 * Finds: every identifying tag the classification table names (make, model, serial
 * numbers, owner, dates, software, descriptions, GPS), maker notes (vendor blobs that
 * hold serial numbers), embedded XMP (0x02BC) and the IFD1 thumbnail (scanned as
 * embedded JPEG).
 * Removes, in place, keeping every offset in the file valid:
 *   - an identifying entry leaves its IFD: the entry table is rewritten with one
 *     same-length REPLACE (kept entries move up in their sorted order, the count drops,
 *     the next-IFD pointer follows the last entry, the freed tail is zeroed), and the
 *     value's out-of-line data is zeroed;
 *   - the GPS IFD: its pointer entry leaves IFD0 and the whole GPS IFD (table and
 *     values) is zeroed;
 *   - maker notes: the entry leaves the Exif IFD and the blob is zeroed.
 * Kept: orientation, resolution, colour space, all image-structure tags and in a TIFF
 * file the strips/tiles themselves (essence, never touched).
 *
 * One table rewrite serves every finding of its IFD; it is attached to the most
 * severe of them (so `--keep` of a low-severity kind still zeroes that kind's values
 * only if the rewrite is not taken; over-removal, never under-removal). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../scanner/classify.h"
#include "format.h"
#include "images.h"

#define MAX_IFDS 64          /* IFDs visited per block */
#define MAX_ENTRIES 4096     /* entries per IFD; more is not a real file */
#define MAX_DEPTH 8          /* nesting of sub-IFDs */
#define VALUE_MAX 192        /* characters of a value put into a report */

enum ifd_kind { IFD_MAIN, IFD_EXIF, IFD_GPS, IFD_INTEROP };

struct tiff {
    struct um_scan_ctx *ctx;
    const uint8_t *d;
    uint64_t size;
    bool le;
    uint32_t visited[MAX_IFDS];
    int nvisited;
    int err;                 /* first structural error met (the walk goes on) */
    uint64_t base;           /* block offset in the view (um_tiff_scan_block) */
    const char *prefix;      /* where-prefix ("" or "eXIf/") */
    uint8_t *mirror;         /* if set: a copy of the block that edits are applied to */
    int first;               /* first finding reported in the block, or -1 */
    bool raw;                /* a camera raw file (NEF, CR2, DNG...): see keep_for_raw */
    /* Ranges the structure uses (IFD tables, values, strips, tiles, thumbnails), and
     * the ranges maker notes point to: those are zeroed at the end, unless they
     * overlap a used range (a maker note whose offsets we misread). */
    struct span { uint64_t off, len; int idx, stage; } *claimed, *refs, *zeros, *replaced;
    size_t nclaimed, nrefs, nzeros, nreplaced;
    bool overflow;           /* too many ranges to judge: maker-note refs are left */
};

/* In-place order (see UM_STAGE_*): values first, then the GPS IFD that pointed at
 * them, then the rewritten tables that pointed at the GPS IFD; a scrub killed at any
 * point leaves nothing that is unreachable but not yet zeroed. */
enum { STAGE_VALUES = UM_STAGE_ZERO, STAGE_SUBTABLE = UM_STAGE_REWRITE, STAGE_TABLE = UM_STAGE_REWRITE + 1 };

#define MAX_SPANS 65536

static void push_span(struct tiff *t, struct span **v, size_t *n, uint64_t off, uint64_t len, int idx)
{
    if (t->overflow) return;
    if (*n >= MAX_SPANS) {
        t->overflow = true;
        return;
    }
    if (*n % 256 == 0) {
        struct span *nv = realloc(*v, (*n + 256) * sizeof **v);
        if (!nv) {
            t->overflow = true;   /* fail safe: no refs zeroed */
            return;
        }
        *v = nv;
    }
    (*v)[(*n)++] = (struct span){ off, len, idx, STAGE_VALUES };
}

static void claim(struct tiff *t, uint64_t off, uint64_t len)
{
    if (len) push_span(t, &t->claimed, &t->nclaimed, off, len, -1);
}



/* A camera raw file is a TIFF whose decoders (libraw, dcraw, vendor tools) pick the
 * decoding path by Make/Model and read curves, white balance and sensor data from the
 * maker note: removing those would leave a file nobody can develop. Recognised by
 * Canon's "CR" marker, SubIFDs in IFD0, or an IFD0 that is only a reduced-resolution
 * preview (NewSubfileType 1), as NEF, CR2, DNG, ARW and PEF have. */
static bool keep_for_raw(const struct tiff *t, uint16_t tag)
{
    return t->raw && (tag == 0x010F || tag == 0x0110 || tag == 0x927C || tag == 0xC614 || tag == 0xC615);
}

/* Plans an edit at a block-relative offset; mirrors it onto the caller's copy. */
static int plan_stage(struct tiff *t, int idx, enum um_op op, uint64_t off, uint64_t len, const void *bytes,
                      int stage)
{
    int err = um_plan_staged(t->ctx, idx, op, t->base + off, len, bytes, stage);
    if (!err && t->mirror) {
        if (op == UM_OP_ZERO) memset(t->mirror + off, 0, (size_t)len);
        else if (op == UM_OP_REPLACE) memcpy(t->mirror + off, bytes, (size_t)len);
    }
    return err;
}

static int plan(struct tiff *t, int idx, enum um_op op, uint64_t off, uint64_t len, const void *bytes)
{
    return plan_stage(t, idx, op, off, len, bytes, op == UM_OP_REPLACE ? STAGE_TABLE : STAGE_VALUES);
}

static int report(struct tiff *t, const char *where, const char *key, const char *val, size_t vl,
                  uint64_t off, uint64_t len)
{
    char full[128];
    snprintf(full, sizeof full, "%s%s", t->prefix, where);
    int idx = um_report_classified(t->ctx, "exif", full, key, (const uint8_t *)val, vl, t->base + off, len);
    if (idx >= 0 && t->first < 0) t->first = idx;
    return idx;
}

static int embed(struct tiff *t, uint64_t off, uint64_t len, const char *where)
{
    char full[128];
    snprintf(full, sizeof full, "%s%s", t->prefix, where);
    if (full[0] && full[strlen(full) - 1] == '/') full[strlen(full) - 1] = 0;
    return um_scan_embedded(t->ctx, t->base + off, len, full);
}

static bool overlaps(const struct span *v, size_t n, uint64_t off, uint64_t len)
{
    for (size_t k = 0; k < n; k++)
        if (off < v[k].off + v[k].len && v[k].off < off + len) return true;
    return false;
}

/* Zeroes are planned after the walk, when every rewritten IFD table is known: in a
 * damaged block a value may lie inside a table we rewrite, and a zero across a
 * rewrite would make the whole file's plan inconsistent (and so unscrubbable, its
 * other findings included). Such a value is left orphaned by its entry's removal. */
static int defer_zero(struct tiff *t, int idx, uint64_t off, uint64_t len, int stage)
{
    size_t before = t->nzeros;
    push_span(t, &t->zeros, &t->nzeros, off, len, idx);
    if (t->nzeros == before) return plan_stage(t, idx, UM_OP_ZERO, off, len, NULL, stage);   /* list full */
    t->zeros[t->nzeros - 1].stage = stage;
    return 0;
}

static int replace_table(struct tiff *t, int idx, uint64_t off, uint64_t len, const uint8_t *bytes)
{
    /* Two IFDs sharing bytes cannot both be rewritten: the second stays as it is
     * (its findings then survive the re-scan and the scrub fails, rather than
     * writing a table that the other rewrite contradicts). */
    if (overlaps(t->replaced, t->nreplaced, off, len)) return 0;
    int err = plan(t, idx, UM_OP_REPLACE, off, len, bytes);
    if (!err) {
        size_t before = t->nreplaced;
        push_span(t, &t->replaced, &t->nreplaced, off, len, idx);
        if (t->nreplaced == before) t->overflow = true;
    }
    return err;
}

static int flush_zeros(struct tiff *t)
{
    int err = 0;
    for (size_t i = 0; i < t->nzeros && !err; i++) {
        const struct span *z = &t->zeros[i];
        bool clash = overlaps(t->replaced, t->nreplaced, z->off, z->len);
        err = plan_stage(t, z->idx, UM_OP_ZERO, z->off, clash ? 0 : z->len, NULL, z->stage);
    }
    free(t->zeros);
    free(t->replaced);
    t->zeros = t->replaced = NULL;
    return err;
}

/* Zeroes the maker-note refs that touch nothing the structure uses. */
static int zero_refs(struct tiff *t)
{
    int err = 0;
    for (size_t i = 0; i < t->nrefs && !err && !t->overflow; i++) {
        const struct span *r = &t->refs[i];
        bool free_space = true;
        for (size_t k = 0; k < t->nclaimed && free_space; k++) {
            const struct span *c = &t->claimed[k];
            if (r->off < c->off + c->len && c->off < r->off + r->len) free_space = false;
        }
        if (free_space && !overlaps(t->replaced, t->nreplaced, r->off, r->len))
            err = plan(t, r->idx, UM_OP_ZERO, r->off, r->len, NULL);
    }
    free(t->claimed);
    free(t->refs);
    t->claimed = t->refs = NULL;
    return err;
}

struct tag_name {
    uint16_t tag;
    const char *name;
};

/* Tags of IFD0/IFD1/SubIFDs that may identify something (names as in the specs). */
static const struct tag_name main_tags[] = {
    { 0x000B, "ProcessingSoftware" }, { 0x010D, "DocumentName" }, { 0x010E, "ImageDescription" },
    { 0x010F, "Make" }, { 0x0110, "Model" }, { 0x011D, "PageName" }, { 0x0131, "Software" },
    { 0x0132, "DateTime" }, { 0x013B, "Artist" }, { 0x013C, "HostComputer" },
    { 0x8298, "Copyright" }, { 0x83BB, "IPTC-NAA" }, { 0x8649, "PhotoshopSettings" },
    { 0x9003, "DateTimeOriginal" }, { 0x9C9B, "XPTitle" }, { 0x9C9C, "XPComment" },
    { 0x9C9D, "XPAuthor" }, { 0x9C9E, "XPKeywords" }, { 0x9C9F, "XPSubject" },
    { 0xA420, "ImageUniqueID" }, { 0xA430, "CameraOwnerName" }, { 0xA431, "BodySerialNumber" },
    { 0xA433, "LensMake" }, { 0xA434, "LensModel" }, { 0xA435, "LensSerialNumber" },
    { 0xC614, "UniqueCameraModel" }, { 0xC615, "LocalizedCameraModel" },
    { 0xC62F, "CameraSerialNumber" }, { 0xC71B, "PreviewDateTime" }, { 0x927C, "MakerNote" },
    { 0xC4A5, NULL },  /* PrintIM: printer settings, not identifying */
    { 0, NULL },
};

static const struct tag_name exif_tags[] = {
    { 0x9003, "DateTimeOriginal" }, { 0x9004, "DateTimeDigitized" }, { 0x9010, "OffsetTime" },
    { 0x9011, "OffsetTimeOriginal" }, { 0x9012, "OffsetTimeDigitized" },
    { 0x9290, "SubSecTime" }, { 0x9291, "SubSecTimeOriginal" }, { 0x9292, "SubSecTimeDigitized" },
    { 0x927C, "MakerNote" }, { 0x9286, "UserComment" }, { 0xA420, "ImageUniqueID" },
    { 0xA430, "CameraOwnerName" }, { 0xA431, "BodySerialNumber" }, { 0xA432, "LensSpecification" },
    { 0xA433, "LensMake" }, { 0xA434, "LensModel" }, { 0xA435, "LensSerialNumber" },
    { 0x010F, "Make" }, { 0x0110, "Model" }, { 0x0131, "Software" }, { 0x013B, "Artist" },
    { 0x9213, "ImageHistory" },
    /* EXIF 3.0 */
    { 0xA436, "ImageTitle" }, { 0xA437, "Photographer" }, { 0xA438, "ImageEditor" },
    { 0xA439, "CameraFirmware" }, { 0xA43A, "RAWDevelopingSoftware" },
    { 0xA43B, "ImageEditingSoftware" }, { 0xA43C, "MetadataEditingSoftware" },
    { 0, NULL },
};

static const char *const gps_names[] = {
    "GPSVersionID", "GPSLatitudeRef", "GPSLatitude", "GPSLongitudeRef", "GPSLongitude",
    "GPSAltitudeRef", "GPSAltitude", "GPSTimeStamp", "GPSSatellites", "GPSStatus",
    "GPSMeasureMode", "GPSDOP", "GPSSpeedRef", "GPSSpeed", "GPSTrackRef", "GPSTrack",
    "GPSImgDirectionRef", "GPSImgDirection", "GPSMapDatum", "GPSDestLatitudeRef",
    "GPSDestLatitude", "GPSDestLongitudeRef", "GPSDestLongitude", "GPSDestBearingRef",
    "GPSDestBearing", "GPSDestDistanceRef", "GPSDestDistance", "GPSProcessingMethod",
    "GPSAreaInformation", "GPSDateStamp", "GPSDifferential", "GPSHPositioningError",
};

static const char *tag_name(enum ifd_kind k, uint16_t tag, char *buf, size_t bufsz)
{
    if (k == IFD_GPS) {
        if (tag < sizeof gps_names / sizeof *gps_names) return gps_names[tag];
        snprintf(buf, bufsz, "GPSTag0x%04X", tag);   /* still a GPS tag: location */
        return buf;
    }
    if (k == IFD_INTEROP) return NULL;
    const struct tag_name *t = k == IFD_EXIF ? exif_tags : main_tags;
    for (; t->tag || t->name; t++)
        if (t->tag == tag) return t->name;
    return NULL;
}

static uint16_t u16(const struct tiff *t, const uint8_t *p) { return t->le ? ld_u16le(p) : ld_u16be(p); }
static uint32_t u32(const struct tiff *t, const uint8_t *p) { return t->le ? ld_u32le(p) : ld_u32be(p); }
static void put16(const struct tiff *t, uint8_t *p, uint16_t v)
{
    if (t->le) p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
    else p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

static unsigned type_size(uint16_t type)
{
    static const unsigned sz[] = { 0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4 };
    return type < sizeof sz / sizeof *sz ? sz[type] : 0;
}

static bool blank(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i] && p[i] != ' ') return false;
    return true;
}

/* Renders a value for the report into out (NUL-terminated); returns its length. */
static size_t render(const struct tiff *t, uint16_t tag, uint16_t type, uint32_t count,
                     const uint8_t *p, uint64_t n, char *out, size_t outsz)
{
    size_t w = 0;
    out[0] = 0;
    if (tag >= 0x9C9B && tag <= 0x9C9F) {          /* XP*: UTF-16LE in BYTEs */
        for (uint64_t i = 0; i + 1 < n && w + 1 < outsz; i += 2) {
            uint16_t c = ld_u16le(p + i);
            if (!c) break;
            out[w++] = c < 0x80 ? (char)c : '?';
        }
    } else if (tag == 0x9286 && n >= 8) {          /* UserComment: 8-byte charset code */
        bool uni = memcmp(p, "UNICODE", 7) == 0;
        for (uint64_t i = 8; i < n && w + 1 < outsz; i += uni ? 2 : 1) {
            uint16_t c = uni ? (i + 1 < n ? u16(t, p + i) : 0) : p[i];
            if (!c) break;
            out[w++] = c < 0x80 ? (char)c : '?';
        }
    } else if (type == 2 || type == 7) {
        size_t m = n < outsz - 1 ? (size_t)n : outsz - 1;
        if (type == 2) while (m && (p[m - 1] == 0 || p[m - 1] == ' ')) m--;
        memcpy(out, p, m);
        w = m;
    } else {
        unsigned ts = type_size(type);
        for (uint32_t i = 0; i < count && i < 16 && (uint64_t)(i + 1) * ts <= n; i++) {
            const uint8_t *q = p + (uint64_t)i * ts;
            char num[48];
            switch (type) {
            case 1: snprintf(num, sizeof num, "%u", q[0]); break;
            case 6: snprintf(num, sizeof num, "%d", (int8_t)q[0]); break;
            case 3: snprintf(num, sizeof num, "%u", u16(t, q)); break;
            case 8: snprintf(num, sizeof num, "%d", (int16_t)u16(t, q)); break;
            case 4: case 13: snprintf(num, sizeof num, "%u", u32(t, q)); break;
            case 9: snprintf(num, sizeof num, "%d", (int32_t)u32(t, q)); break;
            case 5: case 10: {
                double a = type == 5 ? (double)u32(t, q) : (double)(int32_t)u32(t, q);
                double b = type == 5 ? (double)u32(t, q + 4) : (double)(int32_t)u32(t, q + 4);
                if (b == 0) snprintf(num, sizeof num, "%.0f/0", a);
                else snprintf(num, sizeof num, "%.10g", a / b);
                break;
            }
            default: snprintf(num, sizeof num, "?"); break;
            }
            int k = snprintf(out + w, outsz - w, "%s%s", i ? " " : "", num);
            if (k < 0 || (size_t)k >= outsz - w) break;
            w += (size_t)k;
        }
    }
    out[w] = 0;
    return w;
}

static bool seen(struct tiff *t, uint32_t off)
{
    for (int i = 0; i < t->nvisited; i++)
        if (t->visited[i] == off) return true;
    if (t->nvisited >= MAX_IFDS) return true;   /* cap: treat as visited, stop */
    t->visited[t->nvisited++] = off;
    return false;
}

static enum um_severity severity_of(const char *key)
{
    struct um_class c;
    return um_classify("exif", key, &c) ? c.severity : UM_SEV_INFO;
}

static int walk_ifd(struct tiff *t, uint32_t off, enum ifd_kind kind, const char *name,
                    int depth, int *first_finding);

/* Many maker notes (Olympus, Canon, Panasonic, Pentax, Sony...) are an IFD, at the
 * start of the blob or after a vendor signature, whose offsets count from the TIFF
 * header of the EXIF block, so their bulky values (previews, serial-laden dumps) lie
 * outside the blob. Zeroing the blob orphans them; zero them too. Only a table that
 * parses cleanly is trusted (every type valid, every range inside the block), only
 * blob-like values are touched, and only where the block's own structure does not
 * use the bytes (zero_refs, after the walk: vendors that count offsets from elsewhere
 * would otherwise have us zero real data). */
static int zero_makernote_refs(struct tiff *t, int idx, uint64_t mn, uint64_t mn_len)
{
    static const unsigned starts[] = { 0, 8, 12 };
    for (size_t s = 0; s < sizeof starts / sizeof *starts; s++) {
        uint64_t off = mn + starts[s];
        if (starts[s] + 2 > mn_len) break;
        uint16_t n = u16(t, t->d + off);
        if (n == 0 || n > 512 || !um_range_ok(off + 2, (uint64_t)n * 12, mn + mn_len)) continue;
        bool ok = true;
        for (uint16_t i = 0; i < n && ok; i++) {
            const uint8_t *e = t->d + off + 2 + (uint64_t)i * 12;
            uint16_t type = u16(t, e + 2);
            uint64_t vsize = (uint64_t)type_size(type) * u32(t, e + 4);
            if (!type_size(type)) ok = false;
            else if (vsize > 4 && !um_range_ok(u32(t, e + 8), vsize, t->size)) ok = false;
        }
        if (!ok) continue;
        for (uint16_t i = 0; i < n; i++) {
            const uint8_t *e = t->d + off + 2 + (uint64_t)i * 12;
            uint16_t type = u16(t, e + 2);
            uint64_t vsize = (uint64_t)type_size(type) * u32(t, e + 4), voff = u32(t, e + 8);
            if (vsize <= 4 || !(type == 1 || type == 2 || type == 7)) continue;
            if (voff >= mn && voff + vsize <= mn + mn_len) continue;   /* inside: zeroed anyway */
            push_span(t, &t->refs, &t->nrefs, voff, vsize, idx);
        }
        return 0;
    }
    return 0;
}

/* Walks one sub-IFD that an entry points to; returns its first finding or -1. */
static int walk_sub(struct tiff *t, uint32_t off, enum ifd_kind kind, const char *name, int depth)
{
    int first = -1;
    int r = walk_ifd(t, off, kind, name, depth + 1, &first);
    if (r == -ENOMEM) return r;
    if (r < 0 && !t->err) t->err = r;
    return first;
}

/* Walks one IFD. Reports its identifying entries and plans their removal; recurses
 * into sub-IFDs. *first_finding gets the first finding reported in it (or -1). */
static int walk_ifd(struct tiff *t, uint32_t off, enum ifd_kind kind, const char *name,
                    int depth, int *first_finding)
{
    struct um_scan_ctx *ctx = t->ctx;
    *first_finding = -1;
    if (depth > MAX_DEPTH) return UM_E_LIMIT;
    if (off < 8) return UM_E_FORMAT;
    if (!um_range_ok(off, 2, t->size)) return UM_E_TRUNC;
    if (seen(t, off)) return 0;
    uint16_t n = u16(t, t->d + off);
    if (n == 0) return 0;
    if (n > MAX_ENTRIES) return UM_E_LIMIT;
    uint64_t table = (uint64_t)off + 2;
    if (!um_range_ok(table, (uint64_t)n * 12, t->size)) return UM_E_TRUNC;
    bool has_next = um_range_ok(table + (uint64_t)n * 12, 4, t->size);
    uint64_t table_len = 2 + (uint64_t)n * 12 + (has_next ? 4 : 0);

    int *removed = malloc(n * sizeof *removed);   /* finding that removes entry i, or -1 */
    if (!removed) return -ENOMEM;
    claim(t, off, table_len);
    /* Image data: strips (0x0111/0x0117) or tiles (0x0144/0x0145). */
    uint64_t data_off[2] = { 0 }, data_cnt[2] = { 0 };
    uint16_t data_type[2][2] = { { 0 } };
    uint32_t data_n[2] = { 0 };
    int err = 0, owner = -1;
    enum um_severity owner_sev = UM_SEV_INFO;
    uint32_t thumb_off = 0, thumb_len = 0;

    for (uint16_t i = 0; i < n; i++) {
        removed[i] = -1;
        const uint8_t *e = t->d + table + (uint64_t)i * 12;
        uint16_t tag = u16(t, e), type = u16(t, e + 2);
        uint32_t count = u32(t, e + 4);
        unsigned ts = type_size(type);
        uint64_t vsize = (uint64_t)ts * count, voff;
        bool valid = ts != 0;
        if (vsize <= 4) voff = table + (uint64_t)i * 12 + 8;
        else voff = u32(t, e + 8);
        if (!um_range_ok(voff, vsize, t->size)) valid = false;
        if (valid && vsize > 4) claim(t, voff, vsize);
        if (valid && (type == 3 || type == 4)) {
            int which = tag == 0x0111 || tag == 0x0117 ? 0 : tag == 0x0144 || tag == 0x0145 ? 1 : -1;
            if (which >= 0) {
                bool counts = tag == 0x0117 || tag == 0x0145;
                (counts ? data_cnt : data_off)[which] = voff;
                data_type[which][counts] = type;
                if (!counts) data_n[which] = count;
            }
        }

        /* Pointers to further IFDs. */
        if (valid && (type == 4 || type == 13) && count == 1) {
            uint32_t sub = u32(t, e + 8);
            if (kind == IFD_MAIN && tag == 0x8769) {
                if (walk_sub(t, sub, IFD_EXIF, "ExifIFD", depth) == -ENOMEM) goto nomem;
                continue;
            }
            if (kind == IFD_MAIN && tag == 0x8825) {
                int g = walk_sub(t, sub, IFD_GPS, "GPS", depth);
                if (g == -ENOMEM) goto nomem;
                if (g >= 0) {   /* the pointer leaves this IFD with its IFD zeroed */
                    removed[i] = g;
                    if (owner < 0 || owner_sev < UM_SEV_HIGH) owner = g, owner_sev = UM_SEV_HIGH;
                    if (*first_finding < 0) *first_finding = g;
                }
                continue;
            }
            if (kind == IFD_EXIF && tag == 0xA005) {
                if (walk_sub(t, sub, IFD_INTEROP, "Interop", depth) == -ENOMEM) goto nomem;
                continue;
            }
        }
        if (valid && kind == IFD_MAIN && tag == 0x014A && (type == 4 || type == 13)) {
            for (uint32_t k = 0; k < count && k < 16; k++) {
                char sub_name[24];
                snprintf(sub_name, sizeof sub_name, "SubIFD%u", k);
                if (walk_sub(t, u32(t, t->d + voff + 4 * (uint64_t)k), IFD_MAIN, sub_name, depth) ==
                    -ENOMEM)
                    goto nomem;
            }
            continue;
        }
        if (kind == IFD_MAIN && tag == 0x0201 && count == 1) thumb_off = u32(t, e + 8);
        if (kind == IFD_MAIN && tag == 0x0202 && count == 1)
            thumb_len = type == 3 ? u16(t, e + 8) : u32(t, e + 8);
        if (valid && kind == IFD_MAIN && tag == 0x02BC && vsize > 0) {   /* XMP packet */
            char where[48];
            snprintf(where, sizeof where, "%s/XMP", name);
            if (embed(t, voff, vsize, where) == -ENOMEM) goto nomem;
            continue;
        }

        char nbuf[24];
        const char *key = tag_name(kind, tag, nbuf, sizeof nbuf);
        if (!key) continue;
        char where[64];
        snprintf(where, sizeof where, "%s/%s", name, key);
        int idx;
        if (!valid) {
            /* The value lies outside the block: the entry itself still goes. */
            const char *why = "<value out of range>";
            idx = report(t, where, key, why, strlen(why), table + (uint64_t)i * 12, 12);
        } else {
            const uint8_t *vp = t->d + voff;
            if (tag == 0x9286 ? (vsize <= 8 || blank(vp + 8, vsize - 8)) : blank(vp, vsize)) continue;
            char val[VALUE_MAX + 1];
            size_t vl;
            if (tag == 0x927C || tag == 0x83BB || tag == 0x8649) {
                /* Binary blobs: show their printable head (a maker's signature). */
                vl = 0;
                while (vl < vsize && vl < 32 && vp[vl] >= 0x20 && vp[vl] < 0x7F) vl++;
                vl = (size_t)snprintf(val, sizeof val, "%.*s (%llu bytes)", (int)vl, (const char *)vp,
                                      (unsigned long long)vsize);
            } else {
                vl = render(t, tag, type, count, vp, vsize, val, sizeof val);
            }
            idx = report(t, where, key, val, vl, voff, vsize);
            if (idx >= 0 && tag == 0x927C && !keep_for_raw(t, tag)) {
                (void)um_note(ctx, idx, "maker note zeroed: vendor data with serial numbers");
                if ((err = zero_makernote_refs(t, idx, voff, vsize)) < 0) goto end;
            }
        }
        if (um_is_error(idx)) {
            err = idx;
            goto end;
        }
        if (idx < 0) continue;
        if (keep_for_raw(t, tag)) {
            (void)um_note(ctx, idx, "kept: raw converters identify the camera and decode by it");
            continue;
        }
        removed[i] = idx;
        if (*first_finding < 0) *first_finding = idx;
        enum um_severity sev = kind == IFD_GPS ? UM_SEV_HIGH : severity_of(key);
        if (owner < 0 || sev > owner_sev) owner = idx, owner_sev = sev;
        if (valid && vsize > 4) err = defer_zero(t, idx, voff, vsize, STAGE_VALUES);
        else if (kind == IFD_GPS) err = defer_zero(t, idx, table + (uint64_t)i * 12, 12, STAGE_SUBTABLE);
        else
            /* The value lives in the entry, which the table rewrite (owned by the most
             * severe finding of this IFD) drops: an empty edit marks it as removed by
             * that rewrite. If a policy keeps the owner, the re-scan still finds this
             * one and the scrub fails instead of claiming a removal it did not do. */
            err = plan(t, idx, UM_OP_ZERO, voff, 0, NULL);
        if (err < 0) goto end;
    }

    if (owner >= 0) {
        if (kind == IFD_GPS) {
            /* The whole GPS IFD goes: its pointer is dropped by the parent. */
            err = defer_zero(t, owner, off, table_len, STAGE_SUBTABLE);
            if (err < 0) goto end;
        } else {
            uint8_t *nt = calloc(1, (size_t)table_len);
            if (!nt) {
                err = -ENOMEM;
                goto end;
            }
            uint16_t kept = 0;
            for (uint16_t i = 0; i < n; i++) {
                if (removed[i] >= 0) continue;
                memcpy(nt + 2 + (size_t)kept * 12, t->d + table + (uint64_t)i * 12, 12);
                kept++;
            }
            put16(t, nt, kept);
            if (has_next) memcpy(nt + 2 + (size_t)kept * 12, t->d + table + (uint64_t)n * 12, 4);
            err = replace_table(t, owner, off, table_len, nt);
            free(nt);
            if (err < 0) goto end;
        }
    }

    for (int w = 0; w < 2; w++) {
        if (!data_off[w] || !data_cnt[w]) continue;
        for (uint32_t k = 0; k < data_n[w] && !t->overflow; k++) {
            /* Both arrays were range-checked for data_n entries of their type; the
             * counts array may be shorter: check it here. */
            unsigned cs = data_type[w][1] == 3 ? 2 : 4, os = data_type[w][0] == 3 ? 2 : 4;
            if (!um_range_ok(data_cnt[w] + (uint64_t)k * cs, cs, t->size)) break;
            const uint8_t *o = t->d + data_off[w] + (uint64_t)k * os, *c = t->d + data_cnt[w] + (uint64_t)k * cs;
            claim(t, os == 2 ? u16(t, o) : u32(t, o), cs == 2 ? u16(t, c) : u32(t, c));
        }
    }
    if (thumb_off && thumb_len) claim(t, thumb_off, thumb_len);

    /* IFD1's thumbnail is a JPEG with metadata of its own. */
    if (thumb_off && thumb_len && um_range_ok(thumb_off, thumb_len, t->size)) {
        char where[48];
        snprintf(where, sizeof where, "%s/Thumbnail", name);
        if (embed(t, thumb_off, thumb_len, where) == -ENOMEM) goto nomem;
    }

    /* The chain of main IFDs: IFD0 -> IFD1 -> ... */
    if (kind == IFD_MAIN && has_next && strncmp(name, "IFD", 3) == 0) {
        uint32_t next = u32(t, t->d + table + (uint64_t)n * 12);
        if (next) {
            int num = atoi(name + 3) + 1;
            char next_name[16];
            snprintf(next_name, sizeof next_name, "IFD%d", num);
            int ignored;
            /* The chain is iteration in disguise: depth is not increased. */
            int r = walk_ifd(t, next, IFD_MAIN, next_name, depth, &ignored);
            if (r == -ENOMEM) goto nomem;
            if (r < 0 && !t->err) t->err = r;
        }
    }
end:
    free(removed);
    return err;
nomem:
    err = -ENOMEM;
    goto end;
}

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    if (n < 8) return 0;
    bool le = memcmp(h, "II*\0", 4) == 0, be = memcmp(h, "MM\0*", 4) == 0;
    if (!le && !be) return 0;
    uint32_t first = le ? ld_u32le(h + 4) : ld_u32be(h + 4);
    return first >= 8 && first < size ? UM_PROBE_MAX : UM_PROBE_WEAK;
}

static int walk_block(struct tiff *t)
{
    if (t->size < 8) return UM_E_TRUNC;
    int first;
    /* A damaged sub-IFD (a bogus Interop pointer is common in real files) leaves the
     * rest of the block readable: what was found is reported and removable; only a
     * damaged IFD0 fails the block. */
    claim(t, 0, 8);
    int err = walk_ifd(t, u32(t, t->d + 4), IFD_MAIN, "IFD0", 0, &first);
    /* Refs first: they are judged against the rewritten tables, which flush frees. */
    int zerr = zero_refs(t);
    int ferr = flush_zeros(t);
    return err ? err : zerr ? zerr : ferr;
}

int um_tiff_scan_block(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t off, uint64_t len,
                       const char *prefix, uint8_t *mirror, int *first)
{
    struct tiff t = { .ctx = ctx, .d = d + off, .size = len, .base = off, .prefix = prefix,
                      .mirror = mirror, .first = -1 };
    *first = -1;
    if (len < 8 || !(memcmp(t.d, "II*\0", 4) == 0 || memcmp(t.d, "MM\0*", 4) == 0)) return UM_E_FORMAT;
    t.le = t.d[0] == 'I';
    int err = walk_block(&t);
    *first = t.first;
    return err;
}

static bool is_raw(const struct tiff *t)
{
    if (t->size >= 10 && t->d[8] == 'C' && t->d[9] == 'R') return true;
    uint32_t off = u32(t, t->d + 4);
    if (!um_range_ok(off, 2, t->size)) return false;
    uint16_t n = u16(t, t->d + off);
    for (uint16_t i = 0; i < n && i < MAX_ENTRIES; i++) {
        uint64_t e = (uint64_t)off + 2 + (uint64_t)i * 12;
        if (!um_range_ok(e, 12, t->size)) break;
        uint16_t tag = u16(t, t->d + e), type = u16(t, t->d + e + 2);
        if (tag == 0x014A) return true;
        if (tag == 0x00FE && (type == 4 ? u32(t, t->d + e + 8) : u16(t, t->d + e + 8)) == 1) return true;
    }
    return false;
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    if (size < 8) return UM_E_TRUNC;
    struct tiff t = { .ctx = ctx, .d = d, .size = size, .le = d[0] == 'I', .prefix = "", .first = -1 };
    /* Only a file is a raw file; an EXIF block inside a JPEG never is. */
    t.raw = um_ctx_depth(ctx) == 0 && is_raw(&t);
    return walk_block(&t);
}

const struct um_format um_format_tiff = {
    .name = "tiff",
    .long_name = "TIFF image / EXIF block",
    .extensions = "tif,tiff,dng",
    .mime = "image/tiff",
    .finds = "EXIF/TIFF tags: make, model, serial numbers, owner, GPS, dates, software, "
             "descriptions, maker notes; embedded XMP; the thumbnail's own metadata",
    .removes = "identifying IFD entries (table rewritten in place, values zeroed), the GPS IFD, "
               "maker notes",
    .probe = probe,
    .scan = scan,
};
