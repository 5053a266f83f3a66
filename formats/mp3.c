/* MP3 and MPEG-1/2/2.5 audio layers I-III (ISO/IEC 11172-3, 13818-3) with their tags:
 * ID3v2.2/2.3/2.4 (id3.org informal standards), ID3v1 and ID3v1.1 with the "TAG+"
 * extension, APE v1/v2 (footer "APETAGEX") and Lyrics3 v1/v2.
 *
 * Finds: every ID3v2 frame that the classification table calls identifying (text,
 * TXXX by description, comments, PRIV/UFID owners, pictures scanned as embedded
 * files), non-zero ID3v2 padding, ID3v1 fields, APE items, Lyrics3 blocks; and walks
 * the audio frames (header reads only) to the last frame, so that whatever follows
 * the last frame or tag is reported as appended data.
 * Removes: ID3v2 frames in place (the frame area is zeroed: zeros are valid ID3v2
 * padding, the header and its size stay, so the audio does not move); tags after the
 * audio (ID3v1, APE, Lyrics3) are truncated away. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

#define MAX_ID3V2_TAGS 8            /* back-to-back tags at the start */
#define MAX_FRAMES (1u << 23)       /* audio frames walked (~55 h at 44.1 kHz) */
#define MAX_RESYNC 64               /* damaged stretches skipped inside the audio */
#define RESYNC_WINDOW (64 * 1024)   /* how far a lost sync is searched for */
#define FIRST_SYNC_WINDOW (1u << 20)
#define MAX_TAIL_TAGS 8
#define MAX_UNSYNC_TAG (64u << 20)  /* bigger unsynchronised tags are refused */
#define TEXT_MAX 1024

/* ---- MPEG audio frame headers ---- */

struct mpa {
    unsigned version;   /* 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5 */
    unsigned layer;     /* 1..3 */
    unsigned rate;      /* Hz */
    uint32_t len;       /* frame length in bytes */
};

static const uint16_t bitrates[5][15] = {
    { 0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448 },  /* V1 L1 */
    { 0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384 },     /* V1 L2 */
    { 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320 },     /* V1 L3 */
    { 0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256 },    /* V2 L1 */
    { 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160 },         /* V2 L2/L3 */
};
static const uint16_t rates[3] = { 44100, 48000, 32000 };

/* Parses a frame header at p (4 bytes available). Free-format (bitrate index 0)
 * frames have no computable length and are refused. */
static bool mpa_header(const uint8_t *p, struct mpa *m)
{
    if (p[0] != 0xFF || (p[1] & 0xE0) != 0xE0) return false;
    unsigned ver = (p[1] >> 3) & 3, lay = (p[1] >> 1) & 3;
    unsigned bri = p[2] >> 4, sri = (p[2] >> 2) & 3, pad = (p[2] >> 1) & 1;
    if (ver == 1 || lay == 0 || bri == 0 || bri == 15 || sri == 3) return false;
    if ((p[3] & 3) == 2) return false;   /* reserved emphasis: not a header */
    m->layer = 4 - lay;
    m->version = ver;
    m->rate = rates[sri] >> (ver == 3 ? 0 : ver == 2 ? 1 : 2);
    unsigned table = ver == 3 ? m->layer - 1 : m->layer == 1 ? 3 : 4;
    uint32_t br = bitrates[table][bri] * 1000u;
    if (m->layer == 1) m->len = (12 * br / m->rate + pad) * 4;
    else if (m->layer == 3 && ver != 3) m->len = 72 * br / m->rate + pad;
    else m->len = 144 * br / m->rate + pad;
    return m->len >= 4;
}

static bool mpa_same(const struct mpa *a, const struct mpa *b)
{
    return a->version == b->version && a->layer == b->layer && a->rate == b->rate;
}

/* True when a frame at pos is followed by `need` more frames of the same stream, or
 * the run ends exactly at limit. */
static bool mpa_run(const uint8_t *d, uint64_t pos, uint64_t limit, int need, struct mpa *first)
{
    struct mpa m, f;
    if (pos + 4 > limit || !mpa_header(d + pos, &f)) return false;
    if (first) *first = f;
    uint32_t len = f.len;
    for (int i = 0;; i++) {
        pos += len;
        if (pos == limit) return true;
        if (i == need) return true;
        if (pos + 4 > limit || !mpa_header(d + pos, &m) || !mpa_same(&m, &f)) return false;
        len = m.len;
    }
}

/* First offset in [from, from+window) where a run of 3 frames starts, or UINT64_MAX. */
static uint64_t mpa_find(const uint8_t *d, uint64_t from, uint64_t limit, uint64_t window)
{
    uint64_t stop = from + window < limit ? from + window : limit;
    for (uint64_t p = from; p + 4 <= stop;) {
        const uint8_t *ff = memchr(d + p, 0xFF, (size_t)(stop - p));
        if (!ff) break;
        p = (uint64_t)(ff - d);
        if (p + 4 > limit) break;
        if (mpa_run(d, p, limit, 2, NULL)) return p;
        p++;
    }
    return UINT64_MAX;
}

/* ---- text ---- */

static size_t put_cp(char *o, size_t cap, size_t n, uint32_t cp)
{
    char b[4];
    size_t k;
    if (cp < 0x80) b[0] = (char)cp, k = 1;
    else if (cp < 0x800) b[0] = (char)(0xC0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3F)), k = 2;
    else if (cp < 0x10000)
        b[0] = (char)(0xE0 | cp >> 12), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
        b[2] = (char)(0x80 | (cp & 0x3F)), k = 3;
    else
        b[0] = (char)(0xF0 | cp >> 18), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), k = 4;
    if (n + k >= cap) return n;
    memcpy(o + n, b, k);
    return n + k;
}

/* Decodes ID3 text (0 ISO-8859-1, 1 UTF-16 with BOM, 2 UTF-16BE, 3 UTF-8) into UTF-8;
 * NUL separators between several values become "; ". Returns the length. */
static size_t id3_text(unsigned enc, const uint8_t *p, size_t n, char *o, size_t cap)
{
    size_t w = 0;
    if (cap == 0) return 0;
    if (enc == 1 || enc == 2) {
        bool be = enc == 2;
        for (size_t i = 0; i + 1 < n; i += 2) {
            uint32_t u = be ? ld_u16be(p + i) : ld_u16le(p + i);
            if (u == 0xFEFF && enc == 1) { be = false; continue; }
            if (u == 0xFFFE && enc == 1) { be = true; continue; }
            if (u == 0xFEFF) continue;
            if (u >= 0xD800 && u < 0xDC00 && i + 3 < n) {
                uint32_t lo = be ? ld_u16be(p + i + 2) : ld_u16le(p + i + 2);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                    i += 2;
                }
            }
            if (u == 0) {
                if (i + 2 < n) w = put_cp(o, cap, w, ';'), w = put_cp(o, cap, w, ' ');
                continue;
            }
            w = put_cp(o, cap, w, u);
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            if (p[i] == 0) {
                if (i + 1 < n) w = put_cp(o, cap, w, ';'), w = put_cp(o, cap, w, ' ');
                continue;
            }
            if (enc == 3) {   /* already UTF-8: the context sanitises what is invalid */
                if (w + 1 < cap) o[w++] = (char)p[i];
            } else {
                w = put_cp(o, cap, w, p[i]);
            }
        }
    }
    /* Strip trailing separators left by terminators. */
    while (w >= 2 && o[w - 1] == ' ' && o[w - 2] == ';') w -= 2;
    o[w] = 0;
    return w;
}

/* Length of a terminated string in encoding enc (without the terminator) and the
 * offset just after the terminator (n when there is none). */
static size_t id3_strlen(unsigned enc, const uint8_t *p, size_t n, size_t *next)
{
    if (enc == 1 || enc == 2) {
        for (size_t i = 0; i + 1 < n; i += 2)
            if (p[i] == 0 && p[i + 1] == 0) {
                *next = i + 2;
                return i;
            }
        *next = n;
        return n;
    }
    const uint8_t *z = memchr(p, 0, n);
    if (!z) {
        *next = n;
        return n;
    }
    *next = (size_t)(z - p) + 1;
    return (size_t)(z - p);
}

/* o = a + sep + b, cut to fit (values are capped by the report anyway). */
static void join(char *o, size_t cap, const char *a, const char *sep, const char *b)
{
    size_t w = 0;
    for (const char *part[3] = { a, sep, b }, **q = part; q < part + 3; q++)
        for (const char *c = *q; *c && w + 1 < cap; c++) o[w++] = *c;
    o[w] = 0;
}

static void hex_of(const uint8_t *p, size_t n, char *o, size_t cap)
{
    static const char hx[] = "0123456789abcdef";
    size_t w = 0;
    for (size_t i = 0; i < n && w + 3 < cap; i++) {
        o[w++] = hx[p[i] >> 4];
        o[w++] = hx[p[i] & 15];
    }
    o[w] = 0;
}

static bool printable(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] >= 0x7F) return false;
    return n > 0;
}

/* ---- ID3v2 ---- */

/* ID3v2.2 three-letter ids mapped to their v2.3 names, so one table classifies both. */
static const char *const v22_map[][2] = {
    { "TT1", "TIT1" }, { "TT2", "TIT2" }, { "TT3", "TIT3" }, { "TP1", "TPE1" }, { "TP2", "TPE2" },
    { "TP3", "TPE3" }, { "TP4", "TPE4" }, { "TCM", "TCOM" }, { "TXT", "TEXT" }, { "TOL", "TOLY" },
    { "TOA", "TOPE" }, { "TCR", "TCOP" }, { "TPB", "TPUB" }, { "TEN", "TENC" }, { "TSS", "TSSE" },
    { "TYE", "TYER" }, { "TDA", "TDAT" }, { "TIM", "TIME" }, { "TOR", "TORY" }, { "TAL", "TALB" },
    { "TXX", "TXXX" }, { "WXX", "WXXX" }, { "WAR", "WOAR" }, { "COM", "COMM" }, { "ULT", "USLT" },
    { "PIC", "APIC" }, { "UFI", "UFID" }, { "GEO", "GEOB" }, { "POP", "POPM" }, { "CNT", "PCNT" },
    { "TCO", "TCON" }, { "TRK", "TRCK" }, { "TPA", "TPOS" }, { "TLE", "TLEN" }, { "TRC", "TSRC" },
};

struct id3tag {
    unsigned ver;            /* 2, 3 or 4 */
    const uint8_t *b;        /* frame data stream (de-unsynchronised copy or the file) */
    uint64_t bl;
    const uint32_t *map;     /* b index -> view offset, or NULL when b is the file */
    const uint8_t *file;     /* the view */
    uint64_t base;           /* view offset of b[0] when map is NULL */
    uint64_t area_off, area_len;   /* view range zeroed when a frame is removed */
    char where[16];          /* "ID3v2.3" */
};

static uint64_t tag_off(const struct id3tag *t, uint64_t i)
{
    if (!t->map) return t->base + i;
    return i < t->bl ? t->map[i] : (t->bl ? t->map[t->bl - 1] + 1 : t->base);
}

static bool frame_id_ok(const uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (!((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' && p[i] <= '9'))) return false;
    return true;
}

static uint32_t syncsafe(const uint8_t *p)
{
    return (uint32_t)(p[0] & 0x7F) << 21 | (uint32_t)(p[1] & 0x7F) << 14 |
           (uint32_t)(p[2] & 0x7F) << 7 | (p[3] & 0x7F);
}

static bool syncsafe_ok(const uint8_t *p)
{
    return !((p[0] | p[1] | p[2] | p[3]) & 0x80);
}

/* Plans the removal of finding r, frame [fo, fo+fl). A removed frame keeps its place
 * and size but becomes an unknown frame "ZERO" (flags cleared, body zeroed): readers
 * skip unknown frames, so the frames after it (a kept cover picture) stay readable and
 * nothing moves. In a tag with whole-tag unsynchronisation the file bytes of a frame
 * do not match its size field, so there the whole frame area is zeroed instead (zeros
 * are valid ID3v2 padding). */
static int id3_remove(struct um_scan_ctx *ctx, const struct id3tag *t, int r, uint64_t fo,
                      uint64_t fl)
{
    unsigned hl = t->ver == 2 ? 6 : 10;
    if (t->map || fl < hl) return um_plan(ctx, r, UM_OP_ZERO, t->area_off, t->area_len, NULL);
    uint8_t h[10];
    memcpy(h, t->file + fo, hl);
    memcpy(h, "ZERO", t->ver == 2 ? 3 : 4);
    if (hl == 10) h[8] = h[9] = 0;
    int err = um_plan(ctx, r, UM_OP_REPLACE, fo, hl, h);
    if (err < 0 || fl == hl) return err;
    return um_plan(ctx, r, UM_OP_ZERO, fo + hl, fl - hl, NULL);
}

/* Reports frame [fo, fo+fl) when the table calls its key identifying. */
static int id3_report(struct um_scan_ctx *ctx, const struct id3tag *t, const char *id,
                      const char *key, const char *value, uint64_t fo, uint64_t fl)
{
    char where[32];
    snprintf(where, sizeof where, "%s/%s", t->where, id);
    int r = um_report_classified(ctx, "id3", where, key, (const uint8_t *)value,
                                 value ? strlen(value) : 0, fo, fl);
    if (r < 0) return um_is_error(r) ? r : 0;
    return id3_remove(ctx, t, r, fo, fl);
}

/* Decodes and reports one frame. p/n is the frame content (after any added header
 * bytes, de-unsynchronised); data_off is its view offset when the content bytes are
 * the file's own (else UINT64_MAX: pictures then cannot be scanned in place). */
static int id3_frame(struct um_scan_ctx *ctx, const struct id3tag *t, const char *id,
                     const uint8_t *p, size_t n, uint64_t fo, uint64_t fl, uint64_t data_off,
                     bool opaque)
{
    char val[TEXT_MAX], a[TEXT_MAX], key[80];
    const char *k = id;
    val[0] = 0;
    if (opaque) {
        snprintf(val, sizeof val, "(compressed or encrypted, %zu bytes)", n);
        return id3_report(ctx, t, id, id, val, fo, fl);
    }
    if (!strcmp(id, "TXXX") || !strcmp(id, "WXXX")) {
        if (n < 1) return id3_report(ctx, t, id, id, NULL, fo, fl);
        unsigned enc = p[0];
        size_t next, dl = id3_strlen(enc, p + 1, n - 1, &next);
        id3_text(enc, p + 1, dl, a, sizeof a);
        if (id[0] == 'T') id3_text(enc, p + 1 + next, n - 1 - next, val, sizeof val);
        else id3_text(0, p + 1 + next, n - 1 - next, val, sizeof val);
        /* Classified by description first ("TXXX:location"), so that ffmpeg's
         * location/make/serial tags get their own kinds. */
        join(key, sizeof key, id, ":", a);
        char both[TEXT_MAX];
        join(both, sizeof both, a, ": ", val);
        char where[32];
        snprintf(where, sizeof where, "%s/%s", t->where, id);
        int r = um_report_classified(ctx, "id3", where, key, (const uint8_t *)both,
                                     strlen(both), fo, fl);
        if (r == UM_NOT_IDENTIFYING)
            return id3_report(ctx, t, id, id, both, fo, fl);
        if (r < 0) return r;
        return id3_remove(ctx, t, r, fo, fl);
    }
    if (id[0] == 'T') {
        if (n >= 1) id3_text(p[0], p + 1, n - 1, val, sizeof val);
    } else if (id[0] == 'W') {
        id3_text(0, p, n, val, sizeof val);
    } else if (!strcmp(id, "COMM") || !strcmp(id, "USLT")) {
        if (n >= 4) {
            unsigned enc = p[0];
            size_t next, dl = id3_strlen(enc, p + 4, n - 4, &next);
            id3_text(enc, p + 4, dl, a, sizeof a);
            id3_text(enc, p + 4 + next, n - 4 - next, val + 0, sizeof val);
            if (a[0]) {
                char both[TEXT_MAX];
                join(both, sizeof both, a, ": ", val);
                memcpy(val, both, sizeof val);
            }
        }
    } else if (!strcmp(id, "PRIV") || !strcmp(id, "UFID")) {
        size_t next, ol = id3_strlen(0, p, n, &next);
        id3_text(0, p, ol, a, sizeof a);
        const uint8_t *q = p + next;
        size_t ql = n - next;
        char h[67];
        if (printable(q, ql < 32 ? ql : 32)) {
            snprintf(h, sizeof h, "%.*s", (int)(ql < 64 ? ql : 64), (const char *)q);
        } else {
            hex_of(q, ql < 32 ? ql : 32, h, sizeof h);
        }
        join(val, sizeof val, a, ": ", h);
    } else if (!strcmp(id, "APIC") || !strcmp(id, "GEOB")) {
        /* APIC: enc, mime (latin1), type, description; v2.2 PIC: enc, 3-char
         * format, type, description. GEOB: enc, mime, filename, description. */
        if (n < 2) return id3_report(ctx, t, id, id, NULL, fo, fl);
        unsigned enc = p[0];
        size_t pos = 1, next;
        char mime[64] = "";
        if (t->ver == 2 && id[0] == 'A') {
            if (n < 5) return id3_report(ctx, t, id, id, NULL, fo, fl);
            snprintf(mime, sizeof mime, "%.3s", (const char *)p + 1);
            pos = 4;
        } else {
            size_t ml = id3_strlen(0, p + 1, n - 1, &next);
            id3_text(0, p + 1, ml < 60 ? ml : 60, mime, sizeof mime);
            pos = 1 + next;
        }
        if (id[0] == 'A') {
            if (pos < n) pos++;   /* picture type */
        } else if (pos < n) {
            size_t fnl = id3_strlen(enc, p + pos, n - pos, &next);
            id3_text(enc, p + pos, fnl, a, sizeof a);
            pos += next;
        }
        char desc[TEXT_MAX] = "";
        if (pos < n) {
            size_t dl = id3_strlen(enc, p + pos, n - pos, &next);
            id3_text(enc, p + pos, dl, desc, sizeof desc);
            pos += next;
        }
        if (pos > n) pos = n;
        char head[TEXT_MAX], sz[32];
        join(head, sizeof head, mime, desc[0] ? " " : "", desc);
        join(val, sizeof val, head, id[0] == 'G' && a[0] ? " " : "", id[0] == 'G' ? a : "");
        snprintf(sz, sizeof sz, " (%zu bytes)", n - pos);
        join(head, sizeof head, val, "", sz);
        memcpy(val, head, sizeof val);
        /* A cover picture is kept (players show it; it is a stream to demuxers):
         * what identifies inside it is found by scanning it as a file of its own.
         * Where the tag cannot be edited frame by frame it goes with the rest. */
        int err = 0;
        if (id[0] == 'G' || t->map || data_off == UINT64_MAX) err = id3_report(ctx, t, id, id, val, fo, fl);
        if (err < 0) return err;
        /* A GEOB object is removed whole: scanning it would only plan edits inside
         * a range that is zeroed anyway. */
        if (id[0] == 'A' && !t->map && data_off != UINT64_MAX && n > pos)
            return um_scan_embedded(ctx, data_off + pos, n - pos, id);
        return 0;
    } else if (!strcmp(id, "POPM")) {
        size_t next, el = id3_strlen(0, p, n, &next);
        id3_text(0, p, el, val, sizeof val);
    } else {
        val[0] = 0;
    }
    char where[32];
    snprintf(where, sizeof where, "%s/%s", t->where, id);
    int r = um_report_classified(ctx, "id3", where, k, val[0] ? (const uint8_t *)val : NULL,
                                 strlen(val), fo, fl);
    if (r >= 0) return id3_remove(ctx, t, r, fo, fl);
    if (um_is_error(r)) return r;
    /* Frames the table does not know: the defined ones that only steer playback stay
     * (chapters too: their timing is navigation, though their title subframes stay);
     * anything else (experimental X/Y/Z frames, vendor frames) can carry any data and
     * is removed like the rest. Our own removed frames ("ZERO", body zero) are not. */
    static const char harmless[] = "PCNT RVA2 RVAD EQU2 EQUA MLLT ETCO SYTC SEEK ASPI RBUF AENC "
                                   "ENCR GRID POSS RVRB CHAP CTOC CNT RVA EQU MLL ETC STC BUF "
                                   "REV CRA";
    bool zero = true;
    for (size_t i = 0; i < n && zero; i++) zero = !p[i];
    if (zero || strstr(harmless, id)) return 0;
    char shown[64];
    snprintf(shown, sizeof shown, "(unknown frame, %zu bytes)", n);
    struct um_finding_spec sp = {
        .kind = UM_K_CONTENT, .severity = UM_SEV_LOW, .where = where, .key = id,
        .value = (const uint8_t *)shown, .value_len = strlen(shown), .offset = fo, .length = fl,
    };
    r = um_report(ctx, &sp);
    if (r < 0) return r;
    return id3_remove(ctx, t, r, fo, fl);
}

/* Walks the frames of one tag (t->b). Returns the stream offset where the frames end
 * (padding or something unparseable starts). */
static int id3_frames(struct um_scan_ctx *ctx, struct id3tag *t, uint64_t start,
                      bool unsync_frames, uint64_t *frames_end)
{
    unsigned hl = t->ver == 2 ? 6 : 10, idl = t->ver == 2 ? 3 : 4;
    uint64_t fp = start;
    uint8_t *tmp = NULL;
    int err = 0;
    while (fp + hl <= t->bl) {
        const uint8_t *h = t->b + fp;
        if (h[0] == 0 || !frame_id_ok(h, idl)) break;   /* padding, or garbage */
        uint64_t fsize;
        uint8_t fmt = 0;
        if (t->ver == 2) {
            fsize = ld_u24be(h + 3);
        } else if (t->ver == 3) {
            fsize = ld_u32be(h + 4);
            fmt = h[9];
        } else {
            /* v2.4 sizes are syncsafe, but some writers (old iTunes) wrote plain
             * sizes: take the plain reading when only it lands on a frame. */
            fsize = syncsafe(h + 4);
            fmt = h[9];
            uint64_t plain = ld_u32be(h + 4);
            if (plain != fsize) {
                uint64_t ns = fp + hl + fsize, np = fp + hl + plain;
                bool s_ok = syncsafe_ok(h + 4) &&
                            (ns == t->bl || (ns + hl <= t->bl && (t->b[ns] == 0 || frame_id_ok(t->b + ns, 4))));
                bool p_ok = np == t->bl || (np + hl <= t->bl && (t->b[np] == 0 || frame_id_ok(t->b + np, 4)));
                if (!s_ok && p_ok) fsize = plain;
            }
        }
        if (fsize > t->bl - fp - hl) break;   /* runs past the tag: stop, the rest is zeroed */
        char id[5] = { 0 };
        memcpy(id, h, idl);
        const char *name = id;
        if (t->ver == 2)
            for (size_t i = 0; i < sizeof v22_map / sizeof *v22_map; i++)
                if (!strcmp(v22_map[i][0], id)) name = v22_map[i][1];
        const uint8_t *p = h + hl;
        uint64_t n = fsize;
        bool opaque = false, unsync = false;
        if (t->ver == 3) {
            if (fmt & 0x80) { if (n < 4) goto next; p += 4, n -= 4; opaque = true; }
            if (fmt & 0x40) { if (n < 1) goto next; p += 1, n -= 1; opaque = true; }
            if (fmt & 0x20) { if (n < 1) goto next; p += 1, n -= 1; }
        } else if (t->ver == 4) {
            if (fmt & 0x40) { if (n < 1) goto next; p += 1, n -= 1; }
            if (fmt & 0x04) { if (n < 1) goto next; p += 1, n -= 1; opaque = true; }
            if (fmt & 0x01) { if (n < 4) goto next; p += 4, n -= 4; }
            if (fmt & 0x08) opaque = true;
            unsync = (fmt & 0x02) || unsync_frames;
        }
        uint64_t data_off = t->map ? UINT64_MAX : t->base + (uint64_t)(p - t->b);
        if (unsync && !opaque) {
            /* Per-frame unsynchronisation (v2.4): undo FF 00 -> FF into a copy. */
            free(tmp);
            tmp = malloc(n ? n : 1);
            if (!tmp) { err = -ENOMEM; goto done; }
            size_t w = 0;
            for (uint64_t i = 0; i < n; i++) {
                tmp[w++] = p[i];
                if (p[i] == 0xFF && i + 1 < n && p[i + 1] == 0) i++;
            }
            if (w != n) data_off = UINT64_MAX;
            p = tmp;
            n = w;
        }
        {
            uint64_t fo = tag_off(t, fp), fe = tag_off(t, fp + hl + fsize);
            err = id3_frame(ctx, t, name, p, (size_t)n, fo, fe - fo, data_off, opaque);
            if (err < 0) goto done;
        }
    next:
        fp += hl + fsize;
    }
done:
    free(tmp);
    *frames_end = fp;
    return err;
}

/* Parses an ID3v2 tag at pos. Returns 1 when there is none, 0 with *end set, or an
 * error for a malformed tag (after reporting what could be read). */
static int scan_id3v2(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size, uint64_t pos,
                      uint64_t *end)
{
    if (pos + 10 > size || memcmp(d + pos, "ID3", 3) != 0) return 1;
    const uint8_t *h = d + pos;
    unsigned ver = h[3], flags = h[5];
    if (ver < 2 || ver > 4 || h[4] == 0xFF) return 1;
    if (!syncsafe_ok(h + 6)) return UM_E_FORMAT;   /* not syncsafe: not a size we trust */
    uint64_t body = pos + 10, bsize = syncsafe(h + 6);
    uint64_t tend = body + bsize + (ver == 4 && (flags & 0x10) ? 10 : 0);
    int trunc = 0;
    if (tend > size) {
        trunc = UM_E_TRUNC;
        tend = size;
        bsize = size - body < bsize ? size - body : bsize;
    }
    *end = tend;

    struct id3tag t = { .ver = ver, .b = d + body, .bl = bsize, .base = body, .file = d };
    snprintf(t.where, sizeof t.where, "ID3v2.%u", ver);
    uint8_t *copy = NULL;
    uint32_t *map = NULL;
    int err = 0;
    if (ver == 2 && (flags & 0x40)) {
        /* v2.2 compression was never defined: the frames cannot be read. Zero them. */
        t.area_off = body, t.area_len = bsize;
        int r = um_report_text(ctx, UM_K_CONTENT, UM_SEV_LOW, t.where, "compressed",
                               "ID3v2.2 tag with undefined compression", pos, tend - pos);
        if (r >= 0) r = um_plan(ctx, r, UM_OP_ZERO, body, bsize, NULL);
        return r < 0 ? r : trunc;
    }
    if (ver < 4 && (flags & 0x80)) {
        /* Whole-tag unsynchronisation: frames are read from a copy with FF 00 -> FF,
         * and a map gives back each byte's place in the file. */
        if (bsize > MAX_UNSYNC_TAG || body + bsize > UINT32_MAX) return UM_E_LIMIT;
        copy = malloc(bsize ? bsize : 1);
        map = malloc((bsize ? bsize : 1) * sizeof *map);
        if (!copy || !map) { err = -ENOMEM; goto done; }
        uint64_t w = 0;
        for (uint64_t i = 0; i < bsize; i++) {
            copy[w] = d[body + i];
            map[w++] = (uint32_t)(body + i);
            if (d[body + i] == 0xFF && i + 1 < bsize && d[body + i + 1] == 0) i++;
        }
        t.b = copy, t.bl = w, t.map = map;
    }
    uint64_t start = 0;
    if (ver >= 3 && (flags & 0x40)) {
        /* Extended header: kept as it is (v2.3 size excludes its 4 size bytes). */
        if (t.bl < 4) { err = UM_E_FORMAT; goto done; }
        uint64_t es = ver == 3 ? (uint64_t)ld_u32be(t.b) + 4 : syncsafe(t.b);
        if (es < 6 || es > t.bl) { err = UM_E_FORMAT; goto done; }
        start = es;
    }
    t.area_off = tag_off(&t, start);
    t.area_len = body + bsize - t.area_off;
    uint64_t fend;
    err = id3_frames(ctx, &t, start, ver == 4 && (flags & 0x80), &fend);
    if (err < 0) goto done;
    /* Padding (or what could not be parsed as frames) must be zeros. */
    uint64_t po = tag_off(&t, fend), pe = body + bsize;
    uint64_t first = UINT64_MAX, last = 0;
    for (uint64_t i = po; i < pe; i++)
        if (d[i]) {
            if (first == UINT64_MAX) first = i;
            last = i;
        }
    if (first != UINT64_MAX) {
        char preview[40];
        uint64_t pl = last + 1 - first;
        hex_of(d + first, pl < 16 ? (size_t)pl : 16, preview, sizeof preview);
        char where[32];
        snprintf(where, sizeof where, "%s/padding", t.where);
        struct um_finding_spec s = {
            .kind = UM_K_NONZERO_PADDING, .severity = UM_SEV_HIGH, .where = where,
            .value = (const uint8_t *)preview, .value_len = strlen(preview),
            .offset = first, .length = pl,
            .note = fend < t.bl ? "frame data that cannot be parsed" : NULL,
        };
        int r = um_report(ctx, &s);
        if (r < 0) { err = r; goto done; }
        err = um_plan(ctx, r, UM_OP_ZERO, first, pl, NULL);
        if (err < 0) goto done;
    }
    err = trunc;
done:
    free(copy);
    free(map);
    return err;
}

/* ---- tags after the audio ---- */

static void latin1_field(const uint8_t *p, size_t n, char *o, size_t cap)
{
    while (n && (p[n - 1] == 0 || p[n - 1] == ' ')) n--;
    size_t z = 0;
    while (z < n && p[z]) z++;
    id3_text(0, p, z, o, cap);
}

static int id3v1(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t pos, uint64_t ext,
                 uint64_t cut)
{
    /* TAG: title 30, artist 30, album 30, year 4, comment 30, genre 1. TAG+ (227
     * bytes before it): title 60, artist 60, album 60, speed, genre 30, times. */
    static const struct { const char *key; unsigned off, len, xoff, xlen; } f[] = {
        { "v1.title", 3, 30, 4, 60 }, { "v1.artist", 33, 30, 64, 60 },
        { "v1.album", 63, 30, 124, 60 }, { "v1.year", 93, 4, 0, 0 },
        { "v1.comment", 97, 30, 0, 0 },
    };
    for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
        char v[TEXT_MAX], x[TEXT_MAX] = "";
        unsigned len = f[i].len;
        /* ID3v1.1: a zero at comment[28] and a track number in [29]. */
        if (i == 4 && d[pos + 125] == 0 && d[pos + 126]) len = 28;
        latin1_field(d + pos + f[i].off, len, v, sizeof v);
        if (ext != UINT64_MAX && f[i].xlen) latin1_field(d + ext + f[i].xoff, f[i].xlen, x, sizeof x);
        if (x[0]) {
            size_t l = strlen(v);
            snprintf(v + l, sizeof v - l, "%s", x);
        }
        if (!v[0]) continue;
        uint64_t off = pos + f[i].off, len2 = len;
        int r = um_report_classified(ctx, "id3", ext != UINT64_MAX ? "ID3v1+" : "ID3v1", f[i].key,
                                     (const uint8_t *)v, strlen(v), off, len2);
        if (um_is_error(r)) return r;
        if (r >= 0 && (r = um_plan(ctx, r, UM_OP_TRUNCATE, cut, 0, NULL)) < 0) return r;
    }
    return 0;
}

/* APE tag: 32-byte header/footer "APETAGEX", version, size (items + footer), count,
 * flags (bit 31: has header, bit 29: this is the header), 8 reserved. */
static int ape(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t start, uint64_t items,
               uint64_t items_end, uint32_t count, uint64_t cut)
{
    uint64_t p = items;
    for (uint32_t i = 0; i < count && i < 1024 && p + 9 <= items_end; i++) {
        uint32_t vl = ld_u32le(d + p), fl = ld_u32le(d + p + 4);
        const uint8_t *k = d + p + 8;
        const uint8_t *z = memchr(k, 0, (size_t)(items_end - p - 8));
        if (!z) break;
        uint64_t kl = (uint64_t)(z - k), vo = p + 8 + kl + 1;
        if (vl > items_end - vo) break;
        char key[96], val[TEXT_MAX];
        snprintf(key, sizeof key, "ape.%.*s", (int)(kl < 80 ? kl : 80), (const char *)k);
        if (((fl >> 1) & 3) == 0) id3_text(3, d + vo, vl, val, sizeof val);
        else snprintf(val, sizeof val, "(binary, %u bytes)", vl);
        int r = um_report_classified(ctx, "id3", "APE", key, (const uint8_t *)val, strlen(val), p,
                                     vo + vl - p);
        if (um_is_error(r)) return r;
        if (r >= 0 && (r = um_plan(ctx, r, UM_OP_TRUNCATE, cut, 0, NULL)) < 0) return r;
        p = vo + vl;
    }
    (void)start;
    return 0;
}

static int lyrics3(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t start, uint64_t end,
                   uint64_t cut)
{
    char v[TEXT_MAX];
    uint64_t n = end - start;
    id3_text(0, d + start, n < 300 ? (size_t)n : 300, v, sizeof v);
    int r = um_report_classified(ctx, "id3", "Lyrics3", "lyrics3", (const uint8_t *)v,
                                 strlen(v), start, n);
    if (um_is_error(r)) return r;
    if (r >= 0 && (r = um_plan(ctx, r, UM_OP_TRUNCATE, cut, 0, NULL)) < 0) return r;
    return 0;
}

struct tail {
    enum { T_ID3V1, T_APE, T_LYRICS } type;
    uint64_t start, end;      /* whole tag */
    uint64_t ext;             /* ID3v1: TAG+ offset or UINT64_MAX; APE: items start */
    uint64_t items_end;
    uint32_t count;
};

/* An ID3v1 tag's text fields hold text or NULs, never other control bytes. */
static bool id3v1_ok(const uint8_t *p)
{
    for (int i = 3; i < 125; i++)
        if (p[i] && p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\r') return false;
    return !memcmp(p, "TAG", 3);
}

/* Recognises a tag that ends exactly at `end`, reading backwards. */
static bool tail_at(const uint8_t *d, uint64_t lo, uint64_t end, struct tail *t)
{
    if (end >= lo + 128 && id3v1_ok(d + end - 128)) {
        t->type = T_ID3V1, t->start = end - 128, t->end = end, t->ext = UINT64_MAX;
        if (t->start >= lo + 227 && !memcmp(d + t->start - 227, "TAG+", 4))
            t->ext = t->start - 227, t->start = t->ext;
        return true;
    }
    if (end >= lo + 32 && !memcmp(d + end - 32, "APETAGEX", 8)) {
        const uint8_t *f = d + end - 32;
        uint64_t sz = ld_u32le(f + 12);
        uint32_t flags = ld_u32le(f + 20);
        if (sz < 32 || (flags & (1u << 29))) return false;
        uint64_t hdr = (flags & (1u << 31)) ? 32 : 0;
        if (sz + hdr > end - lo) return false;
        t->type = T_APE, t->start = end - sz - hdr, t->end = end;
        t->ext = end - sz, t->items_end = end - 32, t->count = ld_u32le(f + 16);
        return true;
    }
    if (end >= lo + 15 + 11 && !memcmp(d + end - 9, "LYRICS200", 9)) {
        uint64_t sz = 0;
        for (int i = 0; i < 6; i++) {
            uint8_t c = d[end - 15 + i];
            if (c < '0' || c > '9') return false;
            sz = sz * 10 + (c - '0');
        }
        if (sz < 11 || sz > end - 15 - lo) return false;
        uint64_t s = end - 15 - sz;
        if (memcmp(d + s, "LYRICSBEGIN", 11)) return false;
        t->type = T_LYRICS, t->start = s, t->end = end;
        return true;
    }
    if (end >= lo + 20 && !memcmp(d + end - 9, "LYRICSEND", 9)) {
        /* Lyrics3 v1: at most 5100 bytes of lyrics after "LYRICSBEGIN". */
        uint64_t from = end - 9 > lo + 5100 + 11 ? end - 9 - 5100 - 11 : lo;
        for (uint64_t s = end - 9 - 11 + 1; s-- > from;)
            if (!memcmp(d + s, "LYRICSBEGIN", 11)) {
                t->type = T_LYRICS, t->start = s, t->end = end;
                return true;
            }
    }
    return false;
}

static int report_tail(struct um_scan_ctx *ctx, const uint8_t *d, const struct tail *t)
{
    switch (t->type) {
    case T_ID3V1: return id3v1(ctx, d, t->end - 128, t->ext, t->start);
    case T_APE: return ape(ctx, d, t->start, t->ext, t->items_end, t->count, t->start);
    default: return lyrics3(ctx, d, t->start, t->end, t->start);
    }
}

/* The encoder string of a Xing/Info frame's LAME extension ("LAME3.99r", "Lavc59.37"):
 * reported as software, but kept: players read the encoder delay and padding from
 * this tag (gapless playback), and its CRC covers the string. */
static int xing_encoder(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t a, const struct mpa *m)
{
    bool mono = (d[a + 3] >> 6) == 3;
    uint64_t side = m->version == 3 ? (mono ? 17 : 32) : (mono ? 9 : 17);
    uint64_t x = a + 4 + side, end = a + m->len;
    if (m->layer != 3 || x + 8 > end) return 0;
    if (memcmp(d + x, "Xing", 4) && memcmp(d + x, "Info", 4)) return 0;
    uint32_t flags = ld_u32be(d + x + 4);
    uint64_t p = x + 8 + (flags & 1 ? 4 : 0) + (flags & 2 ? 4 : 0) + (flags & 4 ? 100 : 0) +
                 (flags & 8 ? 4 : 0);
    if (p + 9 > end || !printable(d + p, 4)) return 0;
    size_t n = 0;
    while (n < 9 && d[p + n] >= 0x20 && d[p + n] < 0x7F) n++;
    struct um_finding_spec sp = {
        .kind = UM_K_SOFTWARE, .severity = UM_SEV_LOW, .where = "MPEG/Xing/encoder",
        .key = "encoder", .value = d + p, .value_len = n, .offset = p, .length = n,
        .note = "kept: players read the encoder delay and padding from this tag",
    };
    int r = um_report(ctx, &sp);
    return r < 0 ? r : 0;
}

/* Bytes that are neither tag nor frame inside the stream (before the first frame, or
 * where sync was lost): reported so that hidden data is seen, but kept, since they may
 * be a damaged frame that a decoder still uses. Zeros are ordinary padding. */
static int report_gap(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t from, uint64_t to)
{
    uint64_t nz = 0;
    for (uint64_t i = from; i < to; i++) nz += d[i] != 0;
    if (nz < 16) return 0;
    char pv[64];
    snprintf(pv, sizeof pv, "(%llu bytes between frames)", (unsigned long long)(to - from));
    struct um_finding_spec s = {
        .kind = UM_K_NONZERO_PADDING, .severity = UM_SEV_MEDIUM, .where = "MPEG/gap",
        .value = (const uint8_t *)pv, .value_len = strlen(pv), .offset = from, .length = to - from,
        .note = "kept: may be a damaged frame",
    };
    int r = um_report(ctx, &s);
    return r < 0 ? r : 0;
}

/* ---- the handler ---- */

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    if (n >= 10 && !memcmp(h, "ID3", 3) && h[3] >= 2 && h[3] <= 4 && h[4] != 0xFF &&
        syncsafe_ok(h + 6))
        return UM_PROBE_MAX;
    /* Bare MPEG audio: a frame at the start and three frames in a row (from there, or
     * soon after a damaged frame; two that end the file do too), so that random data
     * with an 0xFFE sync does not pass. */
    uint64_t lim = n < size ? n : size;
    struct mpa f;
    if (n >= 4 && mpa_header(h, &f)) {
        if (mpa_run(h, 0, lim, 2, NULL)) return UM_PROBE_EXT;
        if (mpa_find(h, 1, lim, 8192) != UINT64_MAX) return UM_PROBE_EXT;
    }
    /* Zeros before the first frame (some rippers and cut tools leave them). */
    size_t z = 0;
    while (z < n && z < 4096 && h[z] == 0) z++;
    if (z > 0 && z + 4 <= lim && mpa_header(h + z, &f) && mpa_run(h, z, lim, 3, NULL))
        return UM_PROBE_WEAK;
    return 0;
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    int err;
    uint64_t pos = 0;
    for (int i = 0; i < MAX_ID3V2_TAGS; i++) {
        uint64_t e;
        err = scan_id3v2(ctx, d, size, pos, &e);
        if (err == 1) break;
        if (err < 0) return err;
        pos = e;
    }

    /* Tags at the end, read backwards (APE v1 has no header to find forwards). */
    struct tail tails[MAX_TAIL_TAGS];
    int nt = 0;
    uint64_t tail_start = size;
    while (nt < MAX_TAIL_TAGS && tail_at(d, pos, tail_start, &tails[nt]))
        tail_start = tails[nt++].start;

    /* The audio: the first run of frames, then frame by frame to the last one. */
    /* Right after the tag two frames in a row are enough; elsewhere three are needed. */
    uint64_t a = mpa_run(d, pos, tail_start, 1, NULL) ? pos
                                                      : mpa_find(d, pos, tail_start, FIRST_SYNC_WINDOW);
    if (a == UINT64_MAX) {
        /* Not MPEG audio after the tag: FLAC or AAC with a leading ID3 tag. Scan the
         * rest as a file of its own. */
        for (int i = 0; i < nt; i++)
            if ((err = report_tail(ctx, d, &tails[i])) < 0) return err;
        if (pos < tail_start && pos > 0) return um_scan_embedded(ctx, pos, tail_start - pos, "audio");
        return 0;
    }
    struct mpa first, m;
    mpa_header(d + a, &first);
    if ((err = xing_encoder(ctx, d, a, &first)) < 0) return err;
    if ((err = report_gap(ctx, d, pos, a)) < 0) return err;
    uint64_t p = a, audio_end = a;
    unsigned frames = 0, resyncs = 0;
    bool capped = false;
    while (p < tail_start) {
        if (++frames > MAX_FRAMES) { capped = true; break; }
        if (p + 4 <= tail_start && mpa_header(d + p, &m) && mpa_same(&m, &first)) {
            if (m.len > tail_start - p) {
                /* A frame that runs into the "tags" and ends where the file does (or
                 * where another frame starts) means they were audio bytes that only
                 * looked like a tag. Otherwise a cut-off last frame is still audio. */
                uint64_t fe = p + m.len;
                struct mpa nx;
                if (nt && fe <= size && (fe == size || (size - fe >= 4 && mpa_header(d + fe, &nx)))) {
                    nt = 0;
                    tail_start = size;
                    continue;
                }
                audio_end = tail_start;
                break;
            }
            p += m.len;
            audio_end = p;
            continue;
        }
        /* Lost sync: a damaged stretch inside the audio, or the end of it. */
        if (resyncs++ >= MAX_RESYNC) break;
        uint64_t q = mpa_find(d, p + 1, tail_start, RESYNC_WINDOW);
        if (q == UINT64_MAX) break;
        struct mpa qm;
        mpa_header(d + q, &qm);
        if (!mpa_same(&qm, &first)) break;
        if ((err = report_gap(ctx, d, p, q)) < 0) return err;
        p = q;
    }

    /* Tags forwards from the last frame (ID3v1, APE with a header, Lyrics3, an
     * appended ID3v2), up to the tags found from the end. */
    uint64_t e = audio_end;
    for (int guard = 0; e < tail_start && guard < MAX_TAIL_TAGS; guard++) {
        struct tail t;
        uint64_t te;
        if (tail_start - e >= 128 && id3v1_ok(d + e) && memcmp(d + e, "TAG+", 4)) {
            t.type = T_ID3V1, t.start = e, t.end = e + 128, t.ext = UINT64_MAX;
        } else if (tail_start - e >= 227 + 128 && !memcmp(d + e, "TAG+", 4) &&
                   !memcmp(d + e + 227, "TAG", 3)) {
            t.type = T_ID3V1, t.start = e, t.end = e + 227 + 128, t.ext = e;
        } else if (tail_start - e >= 32 && !memcmp(d + e, "APETAGEX", 8) &&
                   (ld_u32le(d + e + 20) & (1u << 29)) && ld_u32le(d + e + 12) >= 32 &&
                   ld_u32le(d + e + 12) <= tail_start - e - 32) {
            uint64_t sz = ld_u32le(d + e + 12);
            t.type = T_APE, t.start = e, t.end = e + 32 + sz, t.ext = e + 32;
            t.items_end = t.end - 32, t.count = ld_u32le(d + e + 16);
        } else if (scan_id3v2(ctx, d, tail_start, e, &te) == 0) {
            e = te;
            continue;
        } else if (tail_start - e > 11 && !memcmp(d + e, "LYRICSBEGIN", 11) &&
                   tail_at(d, e, tail_start, &t) && t.start == e) {
            /* a Lyrics3 block that ends at the tags from the end */
        } else {
            break;
        }
        if ((err = report_tail(ctx, d, &t)) < 0) return err;
        e = t.end;
    }
    for (int i = 0; i < nt; i++)
        if ((err = report_tail(ctx, d, &tails[i])) < 0) return err;
    if (capped) return 0;   /* too long to walk: the end is not known */
    if (e == tail_start) um_set_end(ctx, size, nt ? "tags after the audio" : "last MPEG audio frame");
    else um_set_end(ctx, e, e == audio_end ? "last MPEG audio frame" : "tags after the audio");
    return 0;
}

const struct um_format um_format_mp3 = {
    .name = "mp3",
    .long_name = "MPEG audio (MP3/MP2) with ID3v2, ID3v1, APE and Lyrics3 tags",
    .extensions = "mp3,mp2,mpa",
    .mime = "audio/mpeg",
    .finds = "ID3v2 frames (text, TXXX, comments, PRIV/UFID ids, pictures), non-zero ID3v2 "
             "padding, ID3v1 fields, APE items, Lyrics3, data after the last frame or tag",
    .removes = "ID3v2 frames (zeroed in place as padding), ID3v1/APE/Lyrics3 tags and "
               "appended data (truncated)",
    .probe = probe,
    .scan = scan,
};
