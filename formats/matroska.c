/* Matroska and WebM (EBML, RFC 8794; Matroska, RFC 9559). Walks the EBML header and
 * each Segment's top-level elements by their headers only (Clusters are skipped by
 * size, never read), so the end of the Segment, and anything after it, is found in
 * O(number of top-level elements). Reports Info (SegmentUID, Prev/NextUID, Family,
 * file names, Title, DateUTC, MuxingApp, WritingApp), every SimpleTag of Tags,
 * attachment names, descriptions and non-font, non-image attachments (image
 * attachments, i.e. cover art, are scanned as embedded files), chapter and edition
 * strings, track names, and Void elements whose payload is not zero.
 *
 * Removal keeps the file's length: an element is turned into a Void element (ID
 * 0xEC) of exactly the same total length, with a size field re-encoded to fit, and
 * its payload zeroed; strings that playback structures need to exist (chapter and
 * track names, attachment names) only have their payload zeroed. The EBML CRC-32 of
 * every master element that encloses an edit would no longer match, so it is voided
 * too: readers treat a missing CRC as "not checked", while a wrong one may make a
 * strict reader drop the element. Recomputing it instead would need the CRC over
 * the edited bytes, which a pure byte plan does not see.
 *
 * MuxingApp and WritingApp are mandatory in the spec; voiding them is what every
 * player tolerates (ffmpeg, mpv and VLC only display them), and the tests check that
 * ffmpeg decodes the result without a message. No top-level element is ever voided
 * (only children of Info and Tags, and payloads), so SeekHead entries stay valid. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "format.h"

#define ID_EBML 0x1A45DFA3u
#define ID_DOCTYPE 0x4282u
#define ID_SEGMENT 0x18538067u
#define ID_SEEKHEAD 0x114D9B74u
#define ID_INFO 0x1549A966u
#define ID_TRACKS 0x1654AE6Bu
#define ID_TAGS 0x1254C367u
#define ID_ATTACHMENTS 0x1941A469u
#define ID_CHAPTERS 0x1043A770u
#define ID_CUES 0x1C53BB6Bu
#define ID_CLUSTER 0x1F43B675u
#define ID_VOID 0xECu
#define ID_CRC32 0xBFu

/* Info children */
#define ID_SEGMENTUID 0x73A4u
#define ID_SEGMENTFILENAME 0x7384u
#define ID_PREVUID 0x3CB923u
#define ID_PREVFILENAME 0x3C83ABu
#define ID_NEXTUID 0x3EB923u
#define ID_NEXTFILENAME 0x3E83BBu
#define ID_SEGMENTFAMILY 0x4444u
#define ID_DATEUTC 0x4461u
#define ID_TITLE 0x7BA9u
#define ID_MUXINGAPP 0x4D80u
#define ID_WRITINGAPP 0x5741u

/* Tags */
#define ID_TAG 0x7373u
#define ID_SIMPLETAG 0x67C8u
#define ID_TAGNAME 0x45A3u
#define ID_TAGSTRING 0x4487u
#define ID_TAGBINARY 0x4485u

/* Attachments */
#define ID_ATTACHEDFILE 0x61A7u
#define ID_FILEDESCRIPTION 0x467Eu
#define ID_FILENAME 0x466Eu
#define ID_FILEMIMETYPE 0x4660u
#define ID_FILEDATA 0x465Cu

/* Chapters */
#define ID_EDITIONENTRY 0x45B9u
#define ID_EDITIONDISPLAY 0x4520u
#define ID_EDITIONSTRING 0x4521u
#define ID_CHAPTERATOM 0xB6u
#define ID_CHAPTERDISPLAY 0x80u
#define ID_CHAPSTRING 0x85u

/* Tracks */
#define ID_TRACKENTRY 0xAEu
#define ID_NAME 0x536Eu

/* Cluster children, to find the end of a Cluster of unknown size. */
static const uint32_t cluster_children[] = {
    0xE7, 0xA3, 0xA0, 0xAB, 0xA7, 0x5854, 0xAF, ID_CRC32, ID_VOID,
};
static const uint32_t segment_children[] = {
    ID_SEEKHEAD, ID_INFO, ID_TRACKS, ID_TAGS, ID_ATTACHMENTS, ID_CHAPTERS, ID_CUES,
    ID_CLUSTER, ID_CRC32, ID_VOID,
};

#define MAX_DEPTH 24                 /* real files nest at most ~8 deep */
#define MAX_ELEMENTS (1u << 22)      /* element headers read per file */
#define KEY_MAX 64

struct el {
    uint32_t id;
    uint64_t off;      /* first byte of the ID */
    uint64_t data;     /* first byte of the payload */
    uint64_t size;     /* payload size; for unknown sizes, the size up to the parent end */
    uint64_t end;      /* data + size */
    bool unknown;      /* the size field was all ones */
    bool clamped;      /* the size ran past the end of the file and was cut there */
};

struct crc_ref { uint64_t off, len; };

struct mkv {
    struct um_scan_ctx *ctx;
    const uint8_t *d;
    uint64_t size;
    unsigned nel;
    /* The CRC-32 element of each enclosing master (len 0: none), outermost first. */
    struct crc_ref crc[MAX_DEPTH];
    int ncrc;
};

/* ---- EBML primitives ---- */

static unsigned vint_len(uint8_t b)
{
    for (unsigned n = 1; n <= 8; n++)
        if (b & (0x80u >> (n - 1))) return n;
    return 0;
}

/* Reads the element header at pos, whose parent ends at `end`. A size running past
 * the parent is an error (a lying length); an unknown size is allowed only where the
 * caller accepts it and is resolved by the caller. */
static int read_el_any(struct mkv *m, uint64_t pos, uint64_t end, struct el *e, bool clamp)
{
    const uint8_t *d = m->d;
    if (++m->nel > MAX_ELEMENTS) return UM_E_LIMIT;
    if (pos >= end) return UM_E_TRUNC;
    unsigned il = vint_len(d[pos]);
    if (!il || il > 4) return UM_E_FORMAT;
    if (end - pos < il + 1u) return UM_E_TRUNC;
    uint32_t id = 0;
    for (unsigned i = 0; i < il; i++) id = id << 8 | d[pos + i];
    uint64_t sp = pos + il;
    unsigned sl = vint_len(d[sp]);
    if (!sl) return UM_E_FORMAT;
    if (end - sp < sl) return UM_E_TRUNC;
    uint64_t v = d[sp] & (0xFFu >> sl);
    bool ones = v == (0xFFu >> sl);
    for (unsigned i = 1; i < sl; i++) {
        v = v << 8 | d[sp + i];
        ones = ones && d[sp + i] == 0xFF;
    }
    e->id = id;
    e->off = pos;
    e->data = sp + sl;
    e->unknown = ones;
    e->clamped = false;
    if (ones) {
        e->size = end - e->data;
    } else {
        if (v > end - e->data) {
            /* Past the end of the file: truncated. Inside the file but past the
             * parent: a lying length. A clamping caller walks what is there. */
            if (!clamp) return v > m->size - e->data ? UM_E_TRUNC : UM_E_FORMAT;
            v = end - e->data;
            e->clamped = true;
        }
        e->size = v;
    }
    e->end = e->data + e->size;
    return 0;
}

static int read_el(struct mkv *m, uint64_t pos, uint64_t end, struct el *e)
{
    return read_el_any(m, pos, end, e, false);
}

static bool in_list(uint32_t id, const uint32_t *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == id) return true;
    return false;
}

/* Length of a string payload without its trailing NUL padding. */
static uint64_t str_len(const uint8_t *p, uint64_t n)
{
    while (n && !p[n - 1]) n--;
    return n;
}

static void copy_str(char *out, size_t cap, const uint8_t *p, uint64_t n)
{
    n = str_len(p, n);
    size_t k = n < cap - 1 ? (size_t)n : cap - 1;
    memcpy(out, p, k);
    out[k] = 0;
    for (size_t i = 0; i < k; i++)
        if (!out[i]) out[i] = '?';
}

/* ---- edits ---- */

/* Turns [off, off+total) into a Void element of the same total length: the ID
 * becomes 0xEC and the size field is re-encoded with the smallest length s for which
 * the payload total-1-s is a valid (not all-ones) s-byte size. That s is never more
 * than the old header length minus one, so the new header lies within the old one. */
static int plan_void(struct mkv *m, int idx, uint64_t off, uint64_t total)
{
    if (total < 2) return UM_E_FORMAT;   /* no element is shorter than ID + size */
    unsigned s = 1;
    while (s < 8 && total - 1 - s > (((uint64_t)1 << (7 * s)) - 2)) s++;
    uint64_t payload = total - 1 - s;
    if (payload > (((uint64_t)1 << (7 * s)) - 2)) return UM_E_RANGE;
    uint8_t hdr[9];
    hdr[0] = ID_VOID;
    for (unsigned i = 0; i < s; i++) hdr[1 + i] = (uint8_t)(payload >> (8 * (s - 1 - i)));
    hdr[1] |= (uint8_t)(0x80u >> (s - 1));
    int r = um_plan_staged(m->ctx, idx, UM_OP_REPLACE, off, 1 + s, hdr, UM_STAGE_RENAME);
    if (r < 0) return r;
    if (payload) r = um_plan(m->ctx, idx, UM_OP_ZERO, off + 1 + s, payload, NULL);
    return r;
}

/* Voids the CRC-32 of every master that encloses an edit of finding idx. */
static int plan_crcs(struct mkv *m, int idx)
{
    for (int i = 0; i < m->ncrc; i++) {
        if (!m->crc[i].len) continue;
        int r = plan_void(m, idx, m->crc[i].off, m->crc[i].len);
        if (r < 0) return r;
    }
    return 0;
}

/* Enters a master: records its CRC-32 child (spec: the first child, if any). */
static int push_master(struct mkv *m, const struct el *e, bool track_crc)
{
    if (m->ncrc >= MAX_DEPTH) return UM_E_LIMIT;
    struct crc_ref c = { 0, 0 };
    struct el k;
    if (track_crc && e->size && read_el(m, e->data, e->end, &k) == 0 && k.id == ID_CRC32 && !k.unknown)
        c.off = k.off, c.len = k.end - k.off;
    m->crc[m->ncrc++] = c;
    return 0;
}

static void pop_master(struct mkv *m) { m->ncrc--; }

/* Reports a classified finding over element e; removal voids the element (or, with
 * zero_only, zeroes its payload). Not identifying: nothing happens. */
static int report_el(struct mkv *m, const char *where, const char *key, const uint8_t *value,
                     size_t vlen, const struct el *e, bool zero_only)
{
    uint64_t off = zero_only ? e->data : e->off, len = zero_only ? e->size : e->end - e->off;
    int idx = um_report_classified(m->ctx, "mkv", where, key, value, vlen, off, len);
    if (idx < 0) return um_is_error(idx) ? idx : 0;
    int r = zero_only ? um_plan(m->ctx, idx, UM_OP_ZERO, e->data, e->size, NULL)
                      : plan_void(m, idx, e->off, e->end - e->off);
    if (r == 0) r = plan_crcs(m, idx);
    return r < 0 ? r : idx;
}

/* A Void element: its payload should be zeros; anything else may hide data. */
static int check_void(struct mkv *m, const char *where, const struct el *e)
{
    if (um_all_zero(m->d + e->data, e->size)) return 0;
    size_t n = e->size < 32 ? (size_t)e->size : 32;
    struct um_finding_spec s = {
        .kind = UM_K_NONZERO_PADDING, .severity = UM_SEV_MEDIUM, .where = where,
        .key = "Void", .value = m->d + e->data, .value_len = n,
        .offset = e->data, .length = e->size,
    };
    int idx = um_report(m->ctx, &s);
    if (idx < 0) return idx;
    int r = um_plan(m->ctx, idx, UM_OP_ZERO, e->data, e->size, NULL);
    return r < 0 ? r : plan_crcs(m, idx);
}

/* Iterates the children of a master of known size. */
#define FOR_CHILDREN(m, parent, k, r)                                        \
    for (uint64_t k##_pos = (parent)->data; k##_pos < (parent)->end; k##_pos = (k).end) \
        if (((r) = read_el((m), k##_pos, (parent)->end, &(k))) < 0) return (r); \
        else if ((k).unknown) return UM_E_FORMAT;                          \
        else

/* ---- Info ---- */

static void hex(char *out, size_t cap, const uint8_t *p, uint64_t n)
{
    static const char x[] = "0123456789abcdef";
    size_t k = 0;
    for (uint64_t i = 0; i < n && k + 3 <= cap; i++) {
        out[k++] = x[p[i] >> 4];
        out[k++] = x[p[i] & 15];
    }
    out[k] = 0;
}

/* DateUTC: signed nanoseconds since 2001-01-01T00:00:00 UTC. */
static void date_utc(char *out, size_t cap, const uint8_t *p, uint64_t n)
{
    if (n == 0 || n > 8) {
        snprintf(out, cap, "(invalid date of %llu bytes)", (unsigned long long)n);
        return;
    }
    uint64_t u = p[0] & 0x80 ? UINT64_MAX : 0;
    for (uint64_t i = 0; i < n; i++) u = u << 8 | p[i];
    int64_t ns = (int64_t)u;
    time_t t = (time_t)(978307200 + ns / 1000000000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, cap, "%lld ns after 2001-01-01", (long long)ns);
}

static int walk_info(struct mkv *m, const struct el *info)
{
    int r;
    struct el k;
    if ((r = push_master(m, info, true)) < 0) return r;
    FOR_CHILDREN(m, info, k, r) {
        const uint8_t *p = m->d + k.data;
        const char *key = NULL;
        char buf[80];
        const char *val = buf;
        size_t vlen;
        switch (k.id) {
        case ID_SEGMENTUID: key = "SegmentUID"; break;
        case ID_PREVUID: key = "PrevUID"; break;
        case ID_NEXTUID: key = "NextUID"; break;
        case ID_SEGMENTFAMILY: key = "SegmentFamily"; break;
        case ID_SEGMENTFILENAME: key = "SegmentFilename"; break;
        case ID_PREVFILENAME: key = "PrevFilename"; break;
        case ID_NEXTFILENAME: key = "NextFilename"; break;
        case ID_DATEUTC: key = "DateUTC"; break;
        case ID_TITLE: key = "Title"; break;
        case ID_MUXINGAPP: key = "MuxingApp"; break;
        case ID_WRITINGAPP: key = "WritingApp"; break;
        case ID_VOID:
            if ((r = check_void(m, "Segment/Info/Void", &k)) < 0) goto end;
            continue;
        default: continue;   /* TimestampScale, Duration, ChapterTranslate: kept */
        }
        if (k.id == ID_SEGMENTUID || k.id == ID_PREVUID || k.id == ID_NEXTUID ||
            k.id == ID_SEGMENTFAMILY) {
            if (um_all_zero(p, k.size)) continue;
            hex(buf, sizeof buf, p, k.size);
            vlen = strlen(buf);
        } else if (k.id == ID_DATEUTC) {
            date_utc(buf, sizeof buf, p, k.size);
            vlen = strlen(buf);
        } else {
            vlen = (size_t)str_len(p, k.size);
            if (!vlen) continue;
            val = (const char *)p;
        }
        char where[48];
        snprintf(where, sizeof where, "Segment/Info/%s", key);
        if ((r = report_el(m, where, key, (const uint8_t *)val, vlen, &k, false)) < 0) goto end;
    }
    r = 0;
end:
    pop_master(m);
    return r;
}

/* ---- Tags ---- */

/* Statistics that muxers compute (mkvmerge, ffmpeg): harmless when they hold only a
 * number or a duration, so they are not reported then. */
static bool harmless_tag(const char *name, const uint8_t *v, uint64_t n)
{
    static const char *const names[] = { "DURATION", "BPS", "NUMBER_OF_FRAMES", "NUMBER_OF_BYTES" };
    bool known = false;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(name, names[i]) == 0) known = true;
    if (!known) return false;
    for (uint64_t i = 0; i < n; i++)
        if (!((v[i] >= '0' && v[i] <= '9') || v[i] == ':' || v[i] == '.')) return false;
    return true;
}

/* A SimpleTag: TagName and TagString/TagBinary, maybe nested SimpleTags. A top-level
 * SimpleTag is voided whole; a nested one (inside a SimpleTag that is voided anyway)
 * only has its value zeroed, so that its edits never overlap the parent's. */
static int walk_simpletag(struct mkv *m, const struct el *st, int depth, bool nested)
{
    int r;
    struct el k, val = { 0 };
    char name[KEY_MAX] = "";
    bool have_val = false, binary = false;
    if (depth > MAX_DEPTH) return UM_E_LIMIT;
    /* A CRC-32 inside a SimpleTag is not tracked: the SimpleTag is voided whole. */
    if ((r = push_master(m, st, false)) < 0) return r;
    FOR_CHILDREN(m, st, k, r) {
        switch (k.id) {
        case ID_TAGNAME: copy_str(name, sizeof name, m->d + k.data, k.size); break;
        case ID_TAGSTRING: val = k, have_val = true, binary = false; break;
        case ID_TAGBINARY: val = k, have_val = true, binary = true; break;
        case ID_SIMPLETAG:
            if ((r = walk_simpletag(m, &k, depth + 1, true)) < 0) goto end;
            break;
        case ID_VOID:
            if ((r = check_void(m, "Segment/Tags/Tag/SimpleTag/Void", &k)) < 0) goto end;
            break;
        default: break;
        }
    }
    r = 0;
    if (!have_val) goto end;
    uint64_t vlen = binary ? val.size : str_len(m->d + val.data, val.size);
    if (!vlen || um_all_zero(m->d + val.data, val.size)) goto end;   /* empty: nothing to hide */
    if (!name[0]) strcpy(name, "(no name)");
    if (harmless_tag(name, m->d + val.data, vlen)) goto end;
    size_t shown = vlen < 256 ? (size_t)vlen : 256;
    r = report_el(m, "Segment/Tags/Tag/SimpleTag", name, m->d + val.data, shown,
                  nested ? &val : st, nested);
    if (r > 0) r = 0;
end:
    pop_master(m);
    return r;
}

static int walk_tags(struct mkv *m, const struct el *tags)
{
    int r;
    struct el k, t;
    if ((r = push_master(m, tags, true)) < 0) return r;
    FOR_CHILDREN(m, tags, k, r) {
        if (k.id == ID_VOID) {
            if ((r = check_void(m, "Segment/Tags/Void", &k)) < 0) goto end;
            continue;
        }
        if (k.id != ID_TAG) continue;
        if ((r = push_master(m, &k, true)) < 0) goto end;
        FOR_CHILDREN(m, &k, t, r) {
            /* A Void inside a Tag is where a voided SimpleTag stays (and where bytes
             * can hide): check it like every other Void. */
            if (t.id == ID_SIMPLETAG) r = walk_simpletag(m, &t, 0, false);
            else if (t.id == ID_VOID) r = check_void(m, "Segment/Tags/Tag/Void", &t);
            if (r < 0) {
                pop_master(m);
                goto end;
            }
        }
        pop_master(m);
    }
    r = 0;
end:
    pop_master(m);
    return r;
}

/* ---- Attachments ---- */

static bool starts(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strlen(s) >= n && memcmp(s, prefix, n) == 0;
}

static bool is_font(const char *mime, const char *name)
{
    if (starts(mime, "font/") || starts(mime, "application/x-font") ||
        strcmp(mime, "application/x-truetype-font") == 0 ||
        strcmp(mime, "application/vnd.ms-opentype") == 0 || strcmp(mime, "application/font-sfnt") == 0)
        return true;
    size_t n = strlen(name);
    if (n < 4) return false;
    const char *ext = name + n - 4;
    return !strcasecmp(ext, ".ttf") || !strcasecmp(ext, ".otf") || !strcasecmp(ext, ".ttc");
}

static int walk_attached_file(struct mkv *m, const struct el *af)
{
    int r;
    struct el k, fname = { 0 }, desc = { 0 }, data = { 0 };
    bool have_name = false, have_desc = false, have_data = false;
    char mime[64] = "", name[128] = "";
    if ((r = push_master(m, af, true)) < 0) return r;
    FOR_CHILDREN(m, af, k, r) {
        switch (k.id) {
        case ID_FILENAME: fname = k, have_name = true; copy_str(name, sizeof name, m->d + k.data, k.size); break;
        case ID_FILEDESCRIPTION: desc = k, have_desc = true; break;
        case ID_FILEMIMETYPE: copy_str(mime, sizeof mime, m->d + k.data, k.size); break;
        case ID_FILEDATA: data = k, have_data = true; break;
        default: break;
        }
    }
    r = 0;
    bool font = is_font(mime, name);
    bool image = starts(mime, "image/");
    const char *where = "Segment/Attachments/AttachedFile";
    if (have_data && !font && !image && !um_all_zero(m->d + data.data, data.size)) {
        /* Neither a font (needed by subtitles) nor cover art: an arbitrary file riding
         * along, which nothing here can inspect. Its data, name and description are
         * zeroed; the element itself stays, because readers count attachments as
         * streams and the result must keep the same streams. */
        char v[256];
        snprintf(v, sizeof v, "%s (%s, %llu bytes)", name[0] ? name : "(no name)",
                 mime[0] ? mime : "no type", (unsigned long long)data.size);
        struct um_finding_spec s = {
            .kind = UM_K_EMBEDDED_MEDIA, .severity = UM_SEV_MEDIUM, .where = where,
            .key = "AttachedFile", .value = (const uint8_t *)v, .value_len = strlen(v),
            .offset = af->off, .length = af->end - af->off,
        };
        int idx = um_report(m->ctx, &s);
        if (idx < 0) { r = idx; goto end; }
        r = um_plan(m->ctx, idx, UM_OP_ZERO, data.data, data.size, NULL);
        if (r == 0 && have_name && fname.size) r = um_plan(m->ctx, idx, UM_OP_ZERO, fname.data, fname.size, NULL);
        if (r == 0 && have_desc && desc.size) r = um_plan(m->ctx, idx, UM_OP_ZERO, desc.data, desc.size, NULL);
        if (r == 0) r = plan_crcs(m, idx);
        goto end;
    }
    if (have_desc && str_len(m->d + desc.data, desc.size)) {
        r = report_el(m, where, "FileDescription", m->d + desc.data,
                      (size_t)str_len(m->d + desc.data, desc.size), &desc, true);
        if (r < 0) goto end;
    }
    /* A font's name is the font's, not the user's. Other names are zeroed, not
     * voided: the element is mandatory and readers drop attachments without it. */
    if (have_name && !font && str_len(m->d + fname.data, fname.size)) {
        r = report_el(m, where, "FileName", m->d + fname.data,
                      (size_t)str_len(m->d + fname.data, fname.size), &fname, true);
        if (r < 0) goto end;
    }
    /* Cover art has metadata of its own (a JPEG's EXIF). Edits made by the embedded
     * scan do not void the CRC-32 of AttachedFile/Attachments themselves (the
     * handler API does not say which findings it added); the FileName finding
     * above does, so this gap remains only for nameless covers or a policy that
     * keeps content. Readers do not check CRCs unless asked to. */
    if (have_data && image && data.size)
        r = um_scan_embedded(m->ctx, data.data, data.size, "Segment/Attachments/AttachedFile/FileData");
    if (r > 0) r = 0;
end:
    pop_master(m);
    return r;
}

static int walk_attachments(struct mkv *m, const struct el *att)
{
    int r;
    struct el k;
    if ((r = push_master(m, att, true)) < 0) return r;
    FOR_CHILDREN(m, att, k, r) {
        if (k.id == ID_ATTACHEDFILE && (r = walk_attached_file(m, &k)) < 0) goto end;
        if (k.id == ID_VOID && (r = check_void(m, "Segment/Attachments/Void", &k)) < 0) goto end;
    }
    r = 0;
end:
    pop_master(m);
    return r;
}

/* ---- Chapters and Tracks: strings zeroed in place, timing and structure kept ---- */

/* Walks a master of the chapter or track tree; zeroes ChapString/EditionString/Name. */
static int walk_strings(struct mkv *m, const struct el *e, const char *where, bool chapters,
                        int depth)
{
    int r;
    struct el k;
    if (depth > MAX_DEPTH) return UM_E_LIMIT;
    if ((r = push_master(m, e, true)) < 0) return r;
    FOR_CHILDREN(m, e, k, r) {
        const char *key = NULL;
        if (k.id == ID_VOID) {
            if ((r = check_void(m, where, &k)) < 0) goto end;
            continue;
        }
        bool master = chapters ? k.id == ID_EDITIONENTRY || k.id == ID_CHAPTERATOM ||
                                 k.id == ID_CHAPTERDISPLAY || k.id == ID_EDITIONDISPLAY
                               : k.id == ID_TRACKENTRY;
        if (master) {
            if ((r = walk_strings(m, &k, where, chapters, depth + 1)) < 0) goto end;
            continue;
        }
        if (chapters && k.id == ID_CHAPSTRING) key = "ChapString";
        else if (chapters && k.id == ID_EDITIONSTRING) key = "EditionString";
        else if (!chapters && k.id == ID_NAME) key = "Name";
        else continue;
        uint64_t n = str_len(m->d + k.data, k.size);
        if (!n) continue;
        char w[64];
        snprintf(w, sizeof w, "%s/%s", where, key);
        if ((r = report_el(m, w, key, m->d + k.data, (size_t)n, &k, true)) < 0) goto end;
    }
    r = 0;
end:
    pop_master(m);
    return r;
}

/* ---- Segment ---- */

/* Finds where a Cluster of unknown size ends: at the first element that cannot be
 * one of its children. Only headers are read. */
static int cluster_end(struct mkv *m, uint64_t pos, uint64_t end, uint64_t *out)
{
    struct el k;
    while (pos < end) {
        int r = read_el(m, pos, end, &k);
        if (r == UM_E_FORMAT) break;   /* not an element: the Segment decides */
        if (r < 0) return r;
        if (!in_list(k.id, cluster_children, sizeof cluster_children / sizeof *cluster_children)) break;
        if (k.unknown) return UM_E_FORMAT;
        pos = k.end;
    }
    *out = pos;
    return 0;
}

/* Walks one Segment; sets *end to where it ends. */
static int walk_segment(struct mkv *m, const struct el *seg, uint64_t *end)
{
    int r;
    uint64_t pos = seg->data;
    if ((r = push_master(m, seg, true)) < 0) return r;
    while (pos < seg->end) {
        struct el k;
        r = read_el(m, pos, seg->end, &k);
        if (r == UM_E_FORMAT && seg->unknown) break;   /* not EBML: the Segment ended */
        if (r < 0) goto done;
        if (seg->unknown && !in_list(k.id, segment_children, sizeof segment_children / sizeof *segment_children))
            break;   /* a Segment of unknown size ends at the first non-child */
        if (k.unknown) {
            if (k.id != ID_CLUSTER) { r = UM_E_FORMAT; goto done; }
            uint64_t ce;
            if ((r = cluster_end(m, k.data, seg->end, &ce)) < 0) goto done;
            k.end = ce, k.size = ce - k.data;
        }
        switch (k.id) {
        case ID_INFO: r = walk_info(m, &k); break;
        case ID_TAGS: r = walk_tags(m, &k); break;
        case ID_ATTACHMENTS: r = walk_attachments(m, &k); break;
        case ID_CHAPTERS: r = walk_strings(m, &k, "Segment/Chapters", true, 0); break;
        case ID_TRACKS: r = walk_strings(m, &k, "Segment/Tracks/TrackEntry", false, 0); break;
        case ID_VOID: r = check_void(m, "Segment/Void", &k); break;
        default: r = 0; break;   /* Clusters, Cues, SeekHead: skipped by size */
        }
        if (r < 0) goto done;
        pos = k.end;
    }
    r = 0;
done:
    pop_master(m);
    *end = pos;
    return r;
}

static int doctype_ok(const uint8_t *p, uint64_t n)
{
    n = str_len(p, n);
    return (n == 8 && !memcmp(p, "matroska", 8)) || (n == 4 && !memcmp(p, "webm", 4));
}

/* Checks the EBML header's DocType; 1 = Matroska/WebM, 0 = another EBML format. */
static int ebml_header(struct mkv *m, const struct el *h)
{
    int r;
    struct el k;
    FOR_CHILDREN(m, h, k, r) {
        if (k.id == ID_DOCTYPE) {
            if (m->ctx && str_len(m->d + k.data, k.size) == 4 && !memcmp(m->d + k.data, "webm", 4))
                um_set_mime(m->ctx, "video/webm");
            return doctype_ok(m->d + k.data, k.size);
        }
    }
    return 1;   /* DocType defaults to "matroska" */
}

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    (void)size;
    if (n < 5 || ld_u32be(h) != ID_EBML) return 0;
    struct mkv m = { .d = h, .size = n };
    struct el e;
    if (read_el(&m, 0, n, &e) < 0) {
        /* The header runs past the head we were given: the magic alone. */
        return UM_PROBE_WEAK;
    }
    int r = ebml_header(&m, &e);
    return r == 1 ? UM_PROBE_MAX : r == 0 ? 0 : UM_PROBE_WEAK;
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    struct mkv m = { .ctx = ctx, .d = d, .size = size };
    uint64_t pos = 0, end = 0;
    bool segment = false, truncated = false;
    int r;
    while (pos < size && !truncated) {
        struct el e;
        /* A Segment may run past the end of a cut-short file: walk what is there
         * (its metadata is usually at the front), then say it is truncated. */
        r = read_el_any(&m, pos, size, &e, size - pos >= 4 && ld_u32be(d + pos) == ID_SEGMENT);
        if (r < 0) {
            if (segment) break;   /* after a Segment: not EBML, so appended data */
            return r;
        }
        if (e.id == ID_EBML && !e.unknown) {
            if ((r = ebml_header(&m, &e)) < 0 && !segment) return r;
            if (r <= 0) {
                if (!segment) return UM_E_FORMAT;
                break;   /* another EBML format appended after ours */
            }
        } else if (e.id == ID_SEGMENT) {
            segment = true;
            truncated = e.clamped;
            if ((r = walk_segment(&m, &e, &e.end)) < 0) return r;
        } else if (e.id == ID_VOID && !e.unknown) {
            if ((r = check_void(&m, "Void", &e)) < 0) return r;
        } else {
            if (!segment) return UM_E_FORMAT;
            break;
        }
        pos = end = e.end;
    }
    if (!segment) return UM_E_FORMAT;
    if (truncated) return UM_E_TRUNC;
    um_set_end(ctx, end, "Matroska segment");
    return 0;
}

/* ---- media map (common/media_map.h) ----
 *
 * The map mirrors the scan's edits rather than the spec's notion of metadata: the
 * verifier proves an in-place scrub safe when no edit touches a listed byte and the
 * edited file maps the same, so everything the scan may void or zero (see walk_info,
 * walk_tags, walk_strings, walk_attached_file, check_void and plan_crcs) is left out,
 * and everything else a demuxer could read is listed. Elements that an edit may turn
 * into a Void (Info entries, CRC-32s) are left out whole, with their headers, and so
 * is every Void and every Tags: the map of the edited file, where they all read as
 * Voids of the same length, is then the same. Masters that hold no edit (SeekHead,
 * Cues, Clusters, unknown ones) are listed whole from their headers, so a film's
 * clusters cost one header read each. Unknown sizes cannot be accounted for without
 * reading the clusters, and a second Segment is one the demuxer may not play: both
 * are left to FFmpeg. */

/* Info children that walk_info voids whole when they hold something. */
static const uint32_t info_voided[] = {
    ID_SEGMENTUID, ID_PREVUID, ID_NEXTUID, ID_SEGMENTFAMILY, ID_SEGMENTFILENAME,
    ID_PREVFILENAME, ID_NEXTFILENAME, ID_DATEUTC, ID_TITLE, ID_MUXINGAPP, ID_WRITINGAPP,
};

static int map_span(struct um_media_map *mm, uint64_t from, uint64_t to)
{
    return um_media_map_add(mm, from, to - from);
}

/* Reads a child for the map: an unknown size is a layout the map cannot follow. */
static int map_child(struct mkv *m, uint64_t pos, const struct el *parent, struct el *k)
{
    int r = read_el(m, pos, parent->end, k);
    if (r < 0) return r;
    return k->unknown ? UM_E_UNSUPPORTED : 0;
}

/* A Void, or a CRC-32 that plan_crcs may turn into one. */
static bool map_voidable(uint32_t id) { return id == ID_VOID || id == ID_CRC32; }

static int map_info(struct mkv *m, struct um_media_map *mm, const struct el *info)
{
    int r = map_span(mm, info->off, info->data);
    struct el k;
    for (uint64_t pos = info->data; !r && pos < info->end; pos = k.end) {
        if ((r = map_child(m, pos, info, &k)) < 0) return r;
        if (map_voidable(k.id) || in_list(k.id, info_voided, sizeof info_voided / sizeof *info_voided))
            continue;
        r = map_span(mm, k.off, k.end);   /* TimestampScale, Duration, ChapterTranslate */
    }
    return r;
}

/* The chapter or track tree as walk_strings walks it: the strings it zeroes keep
 * their headers and lose their payloads. */
static int map_strings(struct mkv *m, struct um_media_map *mm, const struct el *e, bool chapters,
                       int depth)
{
    if (depth > MAX_DEPTH) return UM_E_LIMIT;
    int r = map_span(mm, e->off, e->data);
    struct el k;
    for (uint64_t pos = e->data; !r && pos < e->end; pos = k.end) {
        if ((r = map_child(m, pos, e, &k)) < 0) return r;
        if (map_voidable(k.id)) continue;
        bool master = chapters ? k.id == ID_EDITIONENTRY || k.id == ID_CHAPTERATOM ||
                                 k.id == ID_CHAPTERDISPLAY || k.id == ID_EDITIONDISPLAY
                               : k.id == ID_TRACKENTRY;
        bool zeroed = chapters ? k.id == ID_CHAPSTRING || k.id == ID_EDITIONSTRING : k.id == ID_NAME;
        if (master) r = map_strings(m, mm, &k, chapters, depth + 1);
        else r = map_span(mm, k.off, zeroed ? k.data : k.end);
    }
    return r;
}

/* An attachment keeps its structure; only a font's data and name are surely left
 * alone by walk_attached_file (other data is zeroed, an image's is scanned as cover
 * art even under a font's name, other names and every description are zeroed).
 * Whether it is a font depends on the type and the name, which the scan never
 * zeroes for a font, so the edited file agrees. */
static int map_attached_file(struct mkv *m, struct um_media_map *mm, const struct el *af)
{
    char mime[64] = "", name[128] = "";
    struct el k;
    int r;
    for (uint64_t pos = af->data; pos < af->end; pos = k.end) {
        if ((r = map_child(m, pos, af, &k)) < 0) return r;
        if (k.id == ID_FILENAME) copy_str(name, sizeof name, m->d + k.data, k.size);
        if (k.id == ID_FILEMIMETYPE) copy_str(mime, sizeof mime, m->d + k.data, k.size);
    }
    bool font = is_font(mime, name), font_data = font && !starts(mime, "image/");
    r = map_span(mm, af->off, af->data);
    for (uint64_t pos = af->data; !r && pos < af->end; pos = k.end) {
        if ((r = map_child(m, pos, af, &k)) < 0) return r;
        if (map_voidable(k.id)) continue;
        bool payload = k.id == ID_FILEDESCRIPTION ? false
                     : k.id == ID_FILENAME ? font
                     : k.id == ID_FILEDATA ? font_data : true;
        r = map_span(mm, k.off, payload ? k.end : k.data);
    }
    return r;
}

static int map_attachments(struct mkv *m, struct um_media_map *mm, const struct el *att)
{
    int r = map_span(mm, att->off, att->data);
    struct el k;
    for (uint64_t pos = att->data; !r && pos < att->end; pos = k.end) {
        if ((r = map_child(m, pos, att, &k)) < 0) return r;
        if (map_voidable(k.id)) continue;
        r = k.id == ID_ATTACHEDFILE ? map_attached_file(m, mm, &k) : map_span(mm, k.off, k.end);
    }
    return r;
}

static int map_segment(struct mkv *m, struct um_media_map *mm, const struct el *seg)
{
    int r = map_span(mm, seg->off, seg->data);
    struct el k;
    for (uint64_t pos = seg->data; !r && pos < seg->end; pos = k.end) {
        if ((r = map_child(m, pos, seg, &k)) < 0) return r;
        switch (k.id) {
        case ID_INFO: r = map_info(m, mm, &k); break;
        case ID_TRACKS: r = map_strings(m, mm, &k, false, 0); break;
        case ID_CHAPTERS: r = map_strings(m, mm, &k, true, 0); break;
        case ID_ATTACHMENTS: r = map_attachments(m, mm, &k); break;
        case ID_TAGS: case ID_VOID: case ID_CRC32: break;
        default: r = map_span(mm, k.off, k.end); break;   /* Clusters, Cues, SeekHead */
        }
    }
    return r;
}

/* Follows scan's top-level loop, so that the map ends where the scan's kept bytes
 * end: what follows the Segment (more EBML headers, Voids, appended data) is not
 * listed, but a second Segment there is not a tail the map may ignore. */
static int media_map(struct um_media_map *mm, const uint8_t *d, uint64_t size)
{
    struct mkv m = { .d = d, .size = size };
    uint64_t pos = 0;
    bool segment = false;
    int r;
    while (pos < size) {
        struct el e;
        bool seg_id = size - pos >= 4 && ld_u32be(d + pos) == ID_SEGMENT;
        if ((r = read_el(&m, pos, size, &e)) < 0) {
            if (segment && seg_id) return UM_E_UNSUPPORTED;
            if (segment) break;   /* not EBML: appended data */
            return r;
        }
        if (e.unknown && e.id == ID_SEGMENT) return UM_E_UNSUPPORTED;   /* a live stream */
        if (e.unknown) {
            if (!segment) return UM_E_FORMAT;
            break;
        }
        if (e.id == ID_EBML) {
            if ((r = ebml_header(&m, &e)) < 0 && !segment) return r;
            if (r <= 0) {
                if (!segment) return UM_E_UNSUPPORTED;   /* another EBML format */
                break;
            }
            if (!segment && (r = map_span(mm, e.off, e.end)) < 0) return r;
        } else if (e.id == ID_SEGMENT) {
            if (segment) return UM_E_UNSUPPORTED;
            segment = true;
            if ((r = map_segment(&m, mm, &e)) < 0) return r;
        } else if (e.id != ID_VOID) {
            if (!segment) return UM_E_FORMAT;
            break;
        }
        pos = e.end;
    }
    return segment ? 0 : UM_E_FORMAT;
}

const struct um_format um_format_matroska = {
    .name = "matroska",
    .long_name = "Matroska/WebM (EBML)",
    .extensions = "mkv,mka,mks,mk3d,webm",
    .mime = "video/x-matroska",
    .finds = "Info UIDs, title, dates, muxing/writing app; Tags; attachment names and "
             "non-font attachments (cover art scanned); chapter and track names; "
             "non-zero Void; data after the Segment",
    .removes = "voids Info and Tags entries, zeroes names and foreign attachments' data, "
               "voids CRC-32 of edited elements; cuts data after the Segment",
    .probe = probe,
    .scan = scan,
    .media_map = media_map,
};
