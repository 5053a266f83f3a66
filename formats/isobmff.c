/* ISO base media file format (ISO/IEC 14496-12) and the QuickTime File Format it grew
 * from: MP4, MOV, M4A/M4B/M4V, 3GP/3G2, HEIC/HEIF, AVIF.
 *
 * Walks the box structure through box headers only (32-bit size, 64-bit largesize,
 * size 0 = to the end), never reading mdat, so that the end of a 4 GB film costs a
 * few kilobytes of reads; bytes after the last top-level box are appended data, but
 * only when the movie was seen and neither a movie box nor media the tables point at
 * lies beyond (a damaged file is an error, never cut).
 *
 * Finds: moov/udta and trak/udta items (QuickTime ©xyz text atoms, 3GPP asset boxes
 * such as loci, XMP_, camera makers' atoms), iTunes-style ilst items (hdlr mdir) and
 * Apple mdta keys (hdlr mdta) in any meta box, XML in meta boxes (Sony), dates in
 * mvhd/tkhd/mdhd and prft, the XMP uuid box and other vendors' uuid boxes, handler
 * names and the compressor name of visual sample entries, Exif and XMP items of HEIF
 * images (located through iinf/iloc and handed to their handlers), timed-metadata
 * tracks (camm, gpmd, mebx, tmcd), and non-zero bytes in free/skip/wide boxes or
 * after a container's last child.
 *
 * Removes, in place and at the cost of the metadata only: a udta, meta or uuid box is
 * renamed `free` (a same-length REPLACE of its type) and its payload zeroed; an ilst
 * item inside a meta box that must stay is renamed the same way; dates, compressor
 * and handler names are zeroed; padding is zeroed; the bytes of HEIF Exif and XMP
 * items are zeroed (readers skip an item they cannot parse). Codec configuration,
 * the sample tables, colour profiles and mdat's media are never touched.
 * A timed-metadata track that identifies (GPS, camera motion, device records) goes
 * whole, still in place: its trak is renamed `free` and zeroed, and so is every chunk
 * of its samples in mdat, which no other track points at; the other tracks and their
 * offsets stay as they were. So does a subtitle track whose samples are NMEA fixes
 * (a dashcam's GPS log). In a fragmented movie (mvex) the samples are spread over the
 * fragments and the track is reported only; a timecode track (tmcd) is kept. */
#define _GNU_SOURCE   /* memmem */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "../common/nmea.h"

#define FOURCC(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

#define T_FTYP FOURCC('f', 't', 'y', 'p')
#define T_MOOV FOURCC('m', 'o', 'o', 'v')
#define T_MDAT FOURCC('m', 'd', 'a', 't')
#define T_FREE FOURCC('f', 'r', 'e', 'e')
#define T_SKIP FOURCC('s', 'k', 'i', 'p')
#define T_WIDE FOURCC('w', 'i', 'd', 'e')
#define T_UUID FOURCC('u', 'u', 'i', 'd')
#define T_TRAK FOURCC('t', 'r', 'a', 'k')
#define T_MDIA FOURCC('m', 'd', 'i', 'a')
#define T_MINF FOURCC('m', 'i', 'n', 'f')
#define T_STBL FOURCC('s', 't', 'b', 'l')
#define T_STSD FOURCC('s', 't', 's', 'd')
#define T_MVHD FOURCC('m', 'v', 'h', 'd')
#define T_TKHD FOURCC('t', 'k', 'h', 'd')
#define T_MDHD FOURCC('m', 'd', 'h', 'd')
#define T_HDLR FOURCC('h', 'd', 'l', 'r')
#define T_UDTA FOURCC('u', 'd', 't', 'a')
#define T_META FOURCC('m', 'e', 't', 'a')
#define T_ILST FOURCC('i', 'l', 's', 't')
#define T_KEYS FOURCC('k', 'e', 'y', 's')
#define T_DATA FOURCC('d', 'a', 't', 'a')
#define T_MEAN FOURCC('m', 'e', 'a', 'n')
#define T_NAME FOURCC('n', 'a', 'm', 'e')
#define T_FREEFORM FOURCC('-', '-', '-', '-')
#define T_IINF FOURCC('i', 'i', 'n', 'f')
#define T_INFE FOURCC('i', 'n', 'f', 'e')
#define T_ILOC FOURCC('i', 'l', 'o', 'c')
#define T_IDAT FOURCC('i', 'd', 'a', 't')
#define T_XMP_ FOURCC('X', 'M', 'P', '_')
#define T_LOCI FOURCC('l', 'o', 'c', 'i')
#define T_CHPL FOURCC('c', 'h', 'p', 'l')
#define T_HNTI FOURCC('h', 'n', 't', 'i')
#define T_HINF FOURCC('h', 'i', 'n', 'f')
#define T_PRFT FOURCC('p', 'r', 'f', 't')
#define T_COVR FOURCC('c', 'o', 'v', 'r')
#define T_XML FOURCC('x', 'm', 'l', ' ')
#define T_BXML FOURCC('b', 'x', 'm', 'l')
#define T_IPRP FOURCC('i', 'p', 'r', 'p')
#define T_STCO FOURCC('s', 't', 'c', 'o')
#define T_CO64 FOURCC('c', 'o', '6', '4')
#define T_STSC FOURCC('s', 't', 's', 'c')
#define T_STSZ FOURCC('s', 't', 's', 'z')
#define T_MVEX FOURCC('m', 'v', 'e', 'x')

#define H_VIDE FOURCC('v', 'i', 'd', 'e')
#define H_META FOURCC('m', 'e', 't', 'a')
#define H_MDIR FOURCC('m', 'd', 'i', 'r')
#define H_MDTA FOURCC('m', 'd', 't', 'a')
#define H_CAMM FOURCC('c', 'a', 'm', 'm')
#define H_TMCD FOURCC('t', 'm', 'c', 'd')
#define H_GPMD FOURCC('g', 'p', 'm', 'd')
#define H_MEBX FOURCC('m', 'e', 'b', 'x')
#define H_EXIF FOURCC('E', 'x', 'i', 'f')
#define H_MIME FOURCC('m', 'i', 'm', 'e')

/* Limits on hostile structure: real files nest 9 deep and hold a few thousand boxes
 * in their headers (a fragmented film: two per fragment). */
#define MAX_DEPTH 16
#define MAX_BOXES 1000000u
#define MAX_KEYS 1024u
#define MAX_ITEMS 16u
#define MAX_TABLES 64u
#define MAX_DROPPED_RUNS 65536u   /* zeroed runs of one dropped track's samples */
#define VALUE_MAX 512u     /* bytes of a value copied into a finding */
#define PATH_MAX_LEN 512

/* 1904-01-01 to 1970-01-01, the QuickTime/ISO epoch offset. */
#define EPOCH_1904 2082844800ull

static const uint8_t xmp_uuid[16] = { 0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8,
                                      0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC };
static const uint8_t free_type[4] = { 'f', 'r', 'e', 'e' };

struct box {
    uint64_t off;    /* header start */
    uint64_t body;   /* payload start (after size, type, largesize, usertype) */
    uint64_t end;    /* one past the last byte */
    uint32_t type;
    bool large;      /* 64-bit largesize present */
};

struct key {         /* an mdta key: its name inside the keys box */
    uint64_t off, len;
};

struct walk {
    struct um_scan_ctx *ctx;
    const uint8_t *d;
    uint64_t size;
    unsigned nboxes;
    uint32_t handler;            /* handler type of the trak being walked */
    const struct box *unit;      /* box renamed `free` to remove findings inside it */
    bool fragmented;             /* moov holds mvex: samples also live in moof/traf */
    const struct box *trak;      /* the trak being walked */
    int drop[4];                 /* findings for which that trak goes whole */
    unsigned ndrop;
    struct dropped_trak {        /* traks to go whole, planned at the end of moov */
        struct box trak;
        int drop[4];
        unsigned ndrop;
    } dropped[8];
    unsigned ndropped;
    bool keep_uuid;              /* Canon CR3: uuid boxes hold the raw file's tables */
    /* Where the media lies, read only when the file seems to end early: chunk offset
     * tables (stco/co64) and the HEIF item locations (iloc). */
    struct box tables[MAX_TABLES];
    unsigned ntables;
    char path[PATH_MAX_LEN];
    size_t path_len;
};

static bool printable_type(uint32_t t)
{
    for (int i = 3; i >= 0; i--) {
        uint8_t c = (uint8_t)(t >> (8 * i));
        if (!(c >= 0x20 && c < 0x7F) && c != 0xA9) return false;
    }
    return true;
}

/* A box type as text: '©' (0xA9, MacRoman) as UTF-8, other non-printable types in hex. */
static void type_str(uint32_t t, char *out /* >= 16 */)
{
    if (!printable_type(t)) {
        snprintf(out, 16, "0x%08x", t);
        return;
    }
    size_t n = 0;
    for (int i = 3; i >= 0; i--) {
        uint8_t c = (uint8_t)(t >> (8 * i));
        if (c == 0xA9) {
            out[n++] = (char)0xC2;
            out[n++] = (char)0xA9;
        } else {
            out[n++] = (char)c;
        }
    }
    out[n] = 0;
}

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    if (n < 8) return 0;
    uint32_t box_size = ld_u32be(h), type = ld_u32be(h + 4);
    if (box_size != 0 && box_size != 1 && box_size < 8) return 0;
    if (type == T_FTYP) return box_size >= 16 ? UM_PROBE_MAX : 0;
    /* Old QuickTime files start with the movie, its data or padding. */
    if (type == T_MOOV || type == T_MDAT || type == T_FREE || type == T_WIDE || type == T_SKIP)
        return box_size <= size ? UM_PROBE_EXT : UM_PROBE_WEAK;
    return 0;
}

/* ---- box headers ---- */

/* Reads the box header at pos inside [pos, end). At the top level size 0 means "to
 * the end of the file"; inside a container it is QuickTime's list terminator (the
 * caller stops). Every size is checked: smaller than its header is malformed, past
 * the end of the parent is truncation. */
static int read_box(struct walk *w, uint64_t pos, uint64_t end, struct box *b)
{
    const uint8_t *d = w->d;
    if (end - pos < 8) return UM_E_TRUNC;
    uint64_t size = ld_u32be(d + pos);
    uint64_t hdr = 8;
    b->type = ld_u32be(d + pos + 4);
    b->large = false;
    if (size == 1) {
        if (end - pos < 16) return UM_E_TRUNC;
        size = ld_u64be(d + pos + 8);
        hdr = 16;
        b->large = true;
        if (size < 16) return UM_E_FORMAT;
    } else if (size == 0) {
        size = end - pos;
    } else if (size < 8) {
        return UM_E_FORMAT;
    }
    if (size > end - pos) return UM_E_TRUNC;
    if (b->type == T_UUID) {
        if (size < hdr + 16) return UM_E_FORMAT;
        hdr += 16;
    }
    if (++w->nboxes > MAX_BOXES) return UM_E_LIMIT;
    b->off = pos;
    b->body = pos + hdr;
    b->end = pos + size;
    return 0;
}

/* Iterates the children of a container: *pos advances over each. Returns 1 with a
 * box, 0 at the end (including a QuickTime zero terminator or fewer than 8 bytes of
 * slack), or an error. */
static int next_child(struct walk *w, uint64_t *pos, uint64_t end, struct box *b)
{
    if (*pos >= end || end - *pos < 8) return 0;
    /* QuickTime ends some lists with a zero word; a size-0 box that has a type runs
     * to the end of its parent, as libavformat reads it. */
    if (ld_u32be(w->d + *pos) == 0 && ld_u32be(w->d + *pos + 4) == 0) return 0;
    int err = read_box(w, *pos, end, b);
    if (err == UM_E_TRUNC) return UM_E_FORMAT;   /* a child larger than its parent */
    if (err) return err;
    *pos = b->end;
    return 1;
}

/* ---- sample tables ---- */

/* Calls fn(opaque, offset, length) for every chunk of a track, in table order, from its
 * chunk offsets (stco/co64), samples per chunk (stsc) and sample sizes (stsz).
 * UM_E_UNSUPPORTED for tables it does not know (stz2). */
typedef int (*chunk_fn)(void *opaque, uint64_t off, uint64_t len);

static int for_each_chunk(const uint8_t *d, uint64_t file_size, const struct box *stsc,
                          const struct box *stsz, const struct box *stco, chunk_fn fn, void *opaque)
{
    if (!stco) return 0;    /* no samples */
    if (!stsc || !stsz) return UM_E_UNSUPPORTED;
    uint64_t width = stco->type == T_CO64 ? 8 : 4;
    if (stco->end - stco->body < 8 || stsc->end - stsc->body < 8 || stsz->end - stsz->body < 12)
        return UM_E_FORMAT;
    uint64_t nchunks = ld_u32be(d + stco->body + 4), nruns = ld_u32be(d + stsc->body + 4);
    uint64_t fixed = ld_u32be(d + stsz->body + 4), nsamples = ld_u32be(d + stsz->body + 8);
    if (nchunks > (stco->end - stco->body - 8) / width || nruns > (stsc->end - stsc->body - 8) / 12 ||
        (!fixed && nsamples > (stsz->end - stsz->body - 12) / 4))
        return UM_E_FORMAT;
    const uint8_t *offs = d + stco->body + 8, *runs = d + stsc->body + 8, *sizes = d + stsz->body + 12;
    uint64_t sample = 0;
    for (uint64_t i = 0; i < nruns; i++) {
        uint64_t first = ld_u32be(runs + 12 * i), per = ld_u32be(runs + 12 * i + 4);
        uint64_t next = i + 1 < nruns ? ld_u32be(runs + 12 * (i + 1)) : nchunks + 1;
        if (first < 1 || next < first) return UM_E_FORMAT;
        if (next > nchunks + 1) next = nchunks + 1;
        for (uint64_t c = first; c < next; c++) {
            const uint8_t *o = offs + (c - 1) * width;
            uint64_t off = width == 8 ? ld_u64be(o) : ld_u32be(o), len = 0;
            uint64_t take = per < nsamples - sample ? per : nsamples - sample;
            if (fixed) {
                if (take && fixed > file_size / take) return UM_E_RANGE;
                len = fixed * take;
            } else {
                for (uint64_t k = 0; k < take; k++) len += ld_u32be(sizes + 4 * (sample + k));
            }
            sample += take;
            int err = fn(opaque, off, len);
            if (err) return err;
        }
    }
    return 0;
}

/* The first child of parent with this type. */
static bool find_child(struct walk *w, const struct box *parent, uint32_t type, struct box *out)
{
    uint64_t pos = parent->body;
    while (next_child(w, &pos, parent->end, out) == 1)
        if (out->type == type) return true;
    return false;
}

/* ---- paths ---- */

static void path_push(struct walk *w, const char *name, size_t *saved)
{
    *saved = w->path_len;
    size_t n = strlen(name);
    size_t sep = w->path_len ? 1 : 0;
    if (w->path_len + sep + n + 1 > sizeof w->path) return;
    if (sep) w->path[w->path_len++] = '/';
    memcpy(w->path + w->path_len, name, n + 1);
    w->path_len += n;
}

static void path_push_type(struct walk *w, uint32_t type, size_t *saved)
{
    char t[16];
    type_str(type, t);
    path_push(w, t, saved);
}

static void path_pop(struct walk *w, size_t saved)
{
    w->path_len = saved;
    w->path[saved] = 0;
}

/* ---- removal ---- */

/* Renames box b to `free` and zeroes everything after its size fields, so that the
 * file stays valid at every step (the scrubber applies the rename first). */
static int plan_free_box_staged(struct walk *w, int idx, const struct box *b, int rename_stage)
{
    int err = um_plan_staged(w->ctx, idx, UM_OP_REPLACE, b->off + 4, 4, free_type, rename_stage);
    if (err) return err;
    uint64_t from = b->off + (b->large ? 16 : 8);
    if (b->end > from) err = um_plan_staged(w->ctx, idx, UM_OP_ZERO, from, b->end - from, NULL, rename_stage + 1);
    return err;
}

static int plan_free_box(struct walk *w, int idx, const struct box *b)
{
    return plan_free_box_staged(w, idx, b, UM_STAGE_RENAME);
}

/* Removes a finding made inside box own: by renaming the enclosing removal unit when
 * there is one (a whole udta or meta), else the box itself. */
static int plan_remove(struct walk *w, int idx, const struct box *own)
{
    return plan_free_box(w, idx, w->unit ? w->unit : own);
}

/* Reports (key, value) found in box own, classified in the quicktime namespace, and
 * plans its removal. Harmless keys are not reported. */
static int report_item(struct walk *w, const char *key, const uint8_t *value, uint64_t value_len,
                       uint64_t off, uint64_t len, const struct box *own)
{
    if (value_len > VALUE_MAX) value_len = VALUE_MAX;
    int idx = um_report_classified(w->ctx, "quicktime", w->path, key, value, (size_t)value_len,
                                   off, len);
    if (idx == UM_NOT_IDENTIFYING) return 0;
    if (idx < 0) return idx;
    return plan_remove(w, idx, own);
}

/* ---- padding ---- */

/* Reports non-zero bytes in [from, to), a range meant to be empty, and plans to
 * zero them. */
static int check_zero_range(struct walk *w, uint64_t from, uint64_t to, const char *where)
{
    const uint8_t *d = w->d;
    uint64_t first = to, last = 0;
    for (uint64_t i = from; i < to; i++) {
        if (d[i]) {
            first = i;
            break;
        }
    }
    if (first == to) return 0;
    for (uint64_t i = to; i-- > first;) {
        if (d[i]) {
            last = i;
            break;
        }
    }
    uint64_t len = last + 1 - first;
    char preview[33];
    static const char hex[] = "0123456789abcdef";
    size_t m = len < 16 ? (size_t)len : 16;
    for (size_t i = 0; i < m; i++) {
        preview[2 * i] = hex[d[first + i] >> 4];
        preview[2 * i + 1] = hex[d[first + i] & 15];
    }
    preview[2 * m] = 0;
    struct um_finding_spec s = {
        .kind = UM_K_NONZERO_PADDING, .severity = UM_SEV_HIGH, .where = where,
        .offset = first, .length = len,
        .extra = json_pack("{s:s}", "preview", preview),
    };
    int idx = um_report(w->ctx, &s);
    if (idx < 0) return idx;
    return um_plan(w->ctx, idx, UM_OP_ZERO, first, len, NULL);
}

/* free, skip and wide boxes: their payload is meant to be ignored, so it is a place
 * to hide data. */
static int check_padding(struct walk *w, const struct box *b)
{
    uint64_t from = b->type == T_UUID ? b->body : b->off + (b->large ? 16 : 8);
    return check_zero_range(w, from, b->end, w->path);
}

/* Bytes after a container's last child (after a QuickTime zero terminator, or too
 * few for a box): no reader looks at them. */
static int check_slack(struct walk *w, uint64_t pos, uint64_t end)
{
    if (pos >= end) return 0;
    size_t saved;
    path_push(w, "(after last box)", &saved);
    int err = check_zero_range(w, pos, end, w->path);
    path_pop(w, saved);
    return err;
}

/* ---- dates ---- */

static void format_date(uint64_t t, char *out, size_t n)
{
    if (t < EPOCH_1904 || t - EPOCH_1904 > (uint64_t)253402300799ll) {
        snprintf(out, n, "%llu (seconds since 1904)", (unsigned long long)t);
        return;
    }
    time_t u = (time_t)(t - EPOCH_1904);
    struct tm tm;
    if (!gmtime_r(&u, &tm)) {
        snprintf(out, n, "%llu", (unsigned long long)t);
        return;
    }
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* mvhd, tkhd and mdhd share their start: version, flags, creation_time,
 * modification_time (32-bit for version 0, 64-bit for version 1). Zeroing them keeps
 * the timescale, duration and language that playback needs. */
static int check_dates(struct walk *w, const struct box *b)
{
    const uint8_t *d = w->d;
    if (b->end - b->body < 4) return UM_E_FORMAT;
    uint8_t version = d[b->body];
    uint64_t width = version == 1 ? 8 : 4;
    uint64_t off = b->body + 4;
    if (b->end - off < 2 * width) return UM_E_FORMAT;
    uint64_t created = width == 8 ? ld_u64be(d + off) : ld_u32be(d + off);
    uint64_t modified = width == 8 ? ld_u64be(d + off + 8) : ld_u32be(d + off + 4);
    if (!created && !modified) return 0;
    char a[48], m[48], value[128];
    format_date(created, a, sizeof a);
    format_date(modified, m, sizeof m);
    snprintf(value, sizeof value, "created %s, modified %s", a, m);
    char key[8];
    type_str(b->type, key);
    int idx = um_report_classified(w->ctx, "quicktime", w->path, key, (const uint8_t *)value,
                                   strlen(value), off, 2 * width);
    if (idx == UM_NOT_IDENTIFYING) return 0;
    if (idx < 0) return idx;
    return um_plan(w->ctx, idx, UM_OP_ZERO, off, 2 * width, NULL);
}

/* prft (producer reference time): the wall clock, as NTP, when a fragment was made. */
static int check_prft(struct walk *w, const struct box *b)
{
    if (b->end - b->body < 16) return 0;
    uint64_t off = b->body + 8;
    uint64_t ntp = ld_u64be(w->d + off);
    if (!ntp) return 0;
    char value[64];
    /* NTP counts from 1900: 2208988800 s before 1970. */
    uint64_t secs = ntp >> 32;
    format_date(secs >= 126144000ull ? secs - 126144000ull : 0, value, sizeof value);
    int idx = um_report_classified(w->ctx, "quicktime", w->path, "prft", (const uint8_t *)value,
                                   strlen(value), off, 8);
    if (idx == UM_NOT_IDENTIFYING) return 0;
    if (idx < 0) return idx;
    return um_plan(w->ctx, idx, UM_OP_ZERO, off, 8, NULL);
}

/* A track's handler name names the software or device that wrote it ("Core Media
 * Video", "GoPro AVC", "VideoHandler" from libavformat). It follows version/flags,
 * pre_defined (QuickTime: component type), handler type and 12 reserved bytes: a C
 * string in ISO files, a Pascal string in QuickTime. Zeroing it leaves an empty name
 * in either reading. */
static int check_handler_name(struct walk *w, const struct box *b)
{
    const uint8_t *d = w->d;
    if (b->end - b->body <= 24) return 0;
    uint64_t off = b->body + 24, n = b->end - off;
    bool any = false;
    for (uint64_t i = 0; i < n && !any; i++) any = d[off + i] != 0;
    if (!any) return 0;
    const uint8_t *v = d + off;
    uint64_t len = n;
    if (ld_u32be(d + b->body + 4) != 0 && d[off] < n) {
        v = d + off + 1;
        len = d[off];
    } else {
        const uint8_t *z = memchr(v, 0, (size_t)n);
        if (z) len = (uint64_t)(z - v);
    }
    if (len > VALUE_MAX) len = VALUE_MAX;
    int idx = um_report_classified(w->ctx, "quicktime", w->path, "handler_name", v, (size_t)len,
                                   off, n);
    if (idx == UM_NOT_IDENTIFYING) return 0;
    if (idx < 0) return idx;
    return um_plan(w->ctx, idx, UM_OP_ZERO, off, n, NULL);
}

/* ---- item values ---- */

/* The payload of a QuickTime text atom (©xxx in udta): a list of
 * {16-bit length, 16-bit language, text}; the first string is the value. Anything
 * else (3GPP assets, binary atoms) is returned as its raw payload. */
static void udta_value(const uint8_t *d, const struct box *b, const uint8_t **v, uint64_t *n)
{
    uint64_t len = b->end - b->body;
    *v = d + b->body;
    *n = len;
    if ((b->type >> 24) == 0xA9 && len >= 4) {
        uint64_t s = ld_u16be(d + b->body);
        if (s + 4 <= len) {
            /* iTunes-style: a data box inside a udta atom. */
            if (len >= 16 && ld_u32be(d + b->body + 4) == T_DATA) {
                uint64_t ds = ld_u32be(d + b->body);
                if (ds >= 16 && ds <= len) {
                    *v = d + b->body + 16;
                    *n = ds - 16;
                    return;
                }
            }
            *v = d + b->body + 4;
            *n = s;
            return;
        }
    }
    /* 3GPP asset boxes (titl, auth, perf, cprt, ...): version/flags, language, text. */
    if (len >= 6 && ((b->type >> 24) != 0xA9) && b->type != T_XMP_ && b->type != T_LOCI &&
        d[b->body] == 0) {
        *v = d + b->body + 6;
        *n = len - 6;
    }
}

/* loci (3GPP TS 26.244): version/flags, language, name, role, longitude, latitude,
 * altitude (16.16 fixed point), astronomical body, notes. */
static void loci_value(const uint8_t *d, const struct box *b, char *out, size_t outn)
{
    uint64_t p = b->body + 6, end = b->end;
    const uint8_t *name = d + p;
    while (p < end && d[p]) p++;
    size_t name_len = (size_t)(p - (uint64_t)(name - d));
    p++;   /* NUL */
    if (p + 1 + 12 > end) {
        snprintf(out, outn, "%.*s", (int)(name_len > 100 ? 100 : name_len), (const char *)name);
        return;
    }
    p++;   /* role */
    double lon = (int32_t)ld_u32be(d + p) / 65536.0, lat = (int32_t)ld_u32be(d + p + 4) / 65536.0;
    double alt = (int32_t)ld_u32be(d + p + 8) / 65536.0;
    snprintf(out, outn, "%.*s %+.6f %+.6f %.1fm", (int)(name_len > 100 ? 100 : name_len),
             (const char *)name, lat, lon, alt);
}

/* The value of an ilst item: its first data box (type indicator, locale, value). */
static bool data_value(struct walk *w, const struct box *item, const uint8_t **v, uint64_t *n,
                       uint32_t *data_type)
{
    uint64_t pos = item->body;
    struct box c;
    while (next_child(w, &pos, item->end, &c) == 1) {
        if (c.type != T_DATA || c.end - c.body < 8) continue;
        *data_type = ld_u32be(w->d + c.body) & 0xFFFFFF;
        *v = w->d + c.body + 8;
        *n = c.end - c.body - 8;
        return true;
    }
    return false;
}

/* A key name from the file as text for keys and paths: bytes outside printable ASCII
 * become '_' (names are ASCII reverse-DNS in practice; the report must stay UTF-8). */
static void key_text(const uint8_t *p, uint64_t n, char *out /* > n */)
{
    for (uint64_t i = 0; i < n; i++) out[i] = p[i] >= 0x20 && p[i] < 0x7F ? (char)p[i] : '_';
    out[n] = 0;
}

/* A freeform ('----') item's name: mean ("com.apple.iTunes") and name ("iTunSMPB"). */
static void freeform_key(struct walk *w, const struct box *item, char *out, size_t outn)
{
    uint64_t pos = item->body;
    struct box c;
    snprintf(out, outn, "----");
    while (next_child(w, &pos, item->end, &c) == 1) {
        if (c.type != T_NAME || c.end - c.body < 4) continue;
        uint64_t n = c.end - c.body - 4;
        if (n > outn - 1) n = outn - 1;
        key_text(w->d + c.body + 4, n, out);
        return;
    }
}

/* Text for an integer-typed data value (type 21/22: big-endian signed/unsigned). */
static bool int_text(uint32_t type, const uint8_t *v, uint64_t n, char *out, size_t outn)
{
    if ((type != 21 && type != 22) || !n || n > 8) return false;
    uint64_t x = 0;
    for (uint64_t i = 0; i < n; i++) x = x << 8 | v[i];
    if (type == 21 && (v[0] & 0x80) && n < 8) x |= ~0ull << (8 * n);
    if (type == 21) snprintf(out, outn, "%lld", (long long)x);
    else snprintf(out, outn, "%llu", (unsigned long long)x);
    return true;
}

/* ---- meta / ilst / keys ---- */

static int walk_box(struct walk *w, const struct box *b, int depth);

/* The children of a meta box start after a FullBox header in ISO files, right away in
 * QuickTime's moov/meta: tell them apart by where the first child's type is. */
static uint64_t meta_children(struct walk *w, const struct box *b)
{
    const uint8_t *d = w->d;
    if (b->end - b->body >= 12 && ld_u32be(d + b->body + 4) != T_HDLR &&
        ld_u32be(d + b->body + 8) == T_HDLR)
        return b->body + 4;
    if (b->end - b->body >= 8 && ld_u32be(d + b->body + 4) == T_HDLR) return b->body;
    return b->end - b->body >= 4 ? b->body + 4 : b->end;
}

static int parse_keys(struct walk *w, const struct box *b, struct key *keys, unsigned *nkeys)
{
    const uint8_t *d = w->d;
    *nkeys = 0;
    if (b->end - b->body < 8) return UM_E_FORMAT;
    uint32_t count = ld_u32be(d + b->body + 4);
    uint64_t p = b->body + 8;
    for (uint32_t i = 0; i < count && *nkeys < MAX_KEYS; i++) {
        if (b->end - p < 8) return UM_E_FORMAT;
        uint64_t size = ld_u32be(d + p);
        if (size < 8 || size > b->end - p) return UM_E_FORMAT;
        keys[*nkeys].off = p + 8;
        keys[*nkeys].len = size - 8;
        (*nkeys)++;
        p += size;
    }
    return 0;
}

static int walk_ilst(struct walk *w, const struct box *ilst, const struct key *keys,
                     unsigned nkeys, bool mdta)
{
    uint64_t pos = ilst->body;
    struct box item;
    int r;
    while ((r = next_child(w, &pos, ilst->end, &item)) == 1) {
        char key[256];
        if (item.type == T_FREE || item.type == T_SKIP) {
            size_t saved;
            path_push_type(w, item.type, &saved);
            int err = check_padding(w, &item);
            path_pop(w, saved);
            if (err) return err;
            continue;
        }
        if (mdta) {
            /* Items are numbered from 1 into the keys box. */
            if (item.type == 0 || item.type > nkeys) {
                snprintf(key, sizeof key, "key#%u", item.type);
            } else {
                const struct key *k = &keys[item.type - 1];
                uint64_t n = k->len < sizeof key - 1 ? k->len : sizeof key - 1;
                key_text(w->d + k->off, n, key);
            }
        } else if (item.type == T_FREEFORM) {
            freeform_key(w, &item, key, sizeof key);
        } else {
            type_str(item.type, key);
        }
        size_t saved;
        path_push(w, key, &saved);
        const uint8_t *v = NULL;
        uint64_t n = 0;
        uint32_t dtype = 0;
        char num[32];
        int err = 0;
        if (data_value(w, &item, &v, &n, &dtype)) {
            if (int_text(dtype, v, n, num, sizeof num)) {
                v = (const uint8_t *)num;
                n = strlen(num);
            }
            /* Cover art (JPEG 13, PNG 14, BMP 27) carries its own EXIF. */
            if ((dtype == 13 || dtype == 14 || dtype == 27 || item.type == T_COVR) && n) {
                uint64_t off = (uint64_t)(v - w->d);
                err = um_scan_embedded(w->ctx, off, n, w->path);
                if (!err) err = report_item(w, key, NULL, 0, item.off, item.end - item.off, &item);
                path_pop(w, saved);
                if (err) return err;
                continue;
            }
        } else {
            v = w->d + item.body;
            n = item.end - item.body;
        }
        err = report_item(w, key, v, n, item.off, item.end - item.off, &item);
        path_pop(w, saved);
        if (err) return err;
    }
    return r < 0 ? r : check_slack(w, pos, ilst->end);
}

/* ---- HEIF items ---- */

struct item {
    uint32_t id;
    uint32_t type;     /* infe item_type: Exif, mime, hvc1, ... */
    bool xmp;          /* mime application/rdf+xml */
};

static int parse_iinf(struct walk *w, const struct box *b, struct item *items, unsigned cap,
                      unsigned *n)
{
    const uint8_t *d = w->d;
    *n = 0;
    if (b->end - b->body < 6) return UM_E_FORMAT;
    uint64_t pos = b->body + (d[b->body] == 0 ? 6 : 8);
    struct box e;
    int r;
    while ((r = next_child(w, &pos, b->end, &e)) == 1) {
        if (e.type != T_INFE || *n >= cap) continue;
        if (e.end - e.body < 4) continue;
        uint8_t version = d[e.body];
        uint64_t p = e.body + 4;
        struct item it = { 0 };
        if (version >= 2) {
            uint64_t idw = version == 2 ? 2 : 4;
            if (e.end - p < idw + 2 + 4) continue;
            it.id = idw == 2 ? ld_u16be(d + p) : ld_u32be(d + p);
            p += idw + 2;
            it.type = ld_u32be(d + p);
            p += 4;
            while (p < e.end && d[p]) p++;   /* item_name */
            p++;
        } else {
            if (e.end - p < 4) continue;
            it.id = ld_u16be(d + p);
            p += 4;
            while (p < e.end && d[p]) p++;
            p++;
            it.type = H_MIME;
        }
        if (it.type == H_MIME && p < e.end) {
            static const char rdf[] = "application/rdf+xml";
            it.xmp = e.end - p >= sizeof rdf - 1 && memcmp(d + p, rdf, sizeof rdf - 1) == 0;
        }
        if (it.type == H_EXIF || it.xmp) items[(*n)++] = it;
    }
    return r;
}

static int rd_sized(struct um_reader *r, unsigned width, uint64_t *v)
{
    uint16_t v16;
    uint32_t v32;
    switch (width) {
    case 0: *v = 0; return 0;
    case 2: if (rd_u16be(r, &v16)) return UM_E_FORMAT; *v = v16; return 0;
    case 4: if (rd_u32be(r, &v32)) return UM_E_FORMAT; *v = v32; return 0;
    case 8: return rd_u64be(r, v) ? UM_E_FORMAT : 0;
    default: return UM_E_FORMAT;
    }
}

/* Finds where item `id` lies, from iloc (ISO/IEC 14496-12 8.11.3): one extent in this
 * file (construction method 0) or in the idat box (method 1). Returns 1 with the
 * range, 0 when the item is elsewhere or in several pieces, or an error for a
 * malformed iloc. */
static int iloc_find(struct walk *w, const struct box *b, const struct box *idat, uint32_t id,
                     uint64_t *off, uint64_t *len)
{
    struct um_reader r = um_reader_make(w->d + b->body, b->end - b->body);
    uint8_t version, flags[3], sizes[2];
    if (rd_u8(&r, &version) || rd_copy(&r, flags, 3) || rd_copy(&r, sizes, 2)) return UM_E_FORMAT;
    if (version > 2) return 0;
    unsigned offset_size = sizes[0] >> 4, length_size = sizes[0] & 15;
    unsigned base_size = sizes[1] >> 4, index_size = version ? sizes[1] & 15 : 0;
    uint64_t count;
    if (rd_sized(&r, version < 2 ? 2 : 4, &count)) return UM_E_FORMAT;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t item_id, method = 0, dref, base, extents;
        if (rd_sized(&r, version < 2 ? 2 : 4, &item_id)) return UM_E_FORMAT;
        if (version >= 1) {
            if (rd_sized(&r, 2, &method)) return UM_E_FORMAT;
            method &= 15;
        }
        if (rd_sized(&r, 2, &dref) || rd_sized(&r, base_size, &base) ||
            rd_sized(&r, 2, &extents))
            return UM_E_FORMAT;
        uint64_t e_off = 0, e_len = 0;
        for (uint64_t e = 0; e < extents; e++) {
            uint64_t index;
            if (rd_sized(&r, index_size, &index) || rd_sized(&r, offset_size, &e_off) ||
                rd_sized(&r, length_size, &e_len))
                return UM_E_FORMAT;
        }
        if (item_id != id) continue;
        if (extents != 1 || dref != 0 || e_len == 0) return 0;
        uint64_t start;
        /* An item outside the file (a truncated image) has nothing to scan. */
        if (um_add_u64(base, e_off, &start)) return 0;
        if (method == 0) {
            if (!um_range_ok(start, e_len, w->size)) return 0;
            *off = start;
        } else if (method == 1 && idat) {
            if (!um_range_ok(start, e_len, idat->end - idat->body)) return 0;
            *off = idat->body + start;
        } else {
            return 0;
        }
        *len = e_len;
        return 1;
    }
    return 0;
}

/* True when [off, off+len) lies inside the payload of a top-level mdat: an item that
 * points anywhere else (at the boxes themselves, in a damaged file) is not touched. */
static bool in_mdat(struct walk *w, uint64_t off, uint64_t len)
{
    const uint8_t *d = w->d;
    uint64_t pos = 0;
    for (unsigned n = 0; n < 4096 && w->size - pos >= 8; n++) {
        uint64_t size = ld_u32be(d + pos), hdr = 8;
        if (size == 1) {
            if (w->size - pos < 16) return false;
            size = ld_u64be(d + pos + 8), hdr = 16;
        } else if (size == 0) {
            size = w->size - pos;
        }
        if (size < hdr || size > w->size - pos) return false;
        if (ld_u32be(d + pos + 4) == T_MDAT && off >= pos + hdr && off - (pos + hdr) <= size - hdr &&
            len <= size - hdr - (off - (pos + hdr)))
            return true;
        pos += size;
    }
    return false;
}

/* Hands the Exif and XMP items of a HEIF image to their handlers. An Exif item starts
 * with the offset of the TIFF header from the end of that 4-byte field. */
static int scan_items(struct walk *w, const struct box *iinf, const struct box *iloc,
                      const struct box *idat)
{
    /* Only Exif and XMP items are kept: real images have one or two. */
    struct item buf[MAX_ITEMS];
    unsigned n = 0;
    int err = parse_iinf(w, iinf, buf, MAX_ITEMS, &n);
    if (err < 0) return err;
    for (unsigned i = 0; i < n; i++) {
        uint64_t off, len;
        int r = iloc_find(w, iloc, idat, buf[i].id, &off, &len);
        if (r < 0) return r;
        if (r == 0) continue;
        if (!(idat && off >= idat->body && off < idat->end) && !in_mdat(w, off, len)) continue;
        char where[PATH_MAX_LEN + 32];
        snprintf(where, sizeof where, "%s/item[%u]/%s", w->path, buf[i].id,
                 buf[i].type == H_EXIF ? "Exif" : "XMP");
        if (buf[i].type == H_EXIF) {
            if (len < 4) continue;
            uint64_t skip = ld_u32be(w->d + off);
            if (skip > len - 4) continue;
            /* Some writers keep the "Exif\0\0" of JPEG's APP1 in front of the header. */
            if (len - 4 - skip >= 6 && !memcmp(w->d + off + 4 + skip, "Exif\0\0", 6)) skip += 6;
            err = um_scan_embedded(w->ctx, off + 4 + skip, len - 4 - skip, where);
        } else {
            err = um_scan_embedded(w->ctx, off, len, where);
        }
        if (err) return err;
        /* The item itself is reported too, so that it is never silent, and its bytes
         * are zeroed: readers skip an Exif or XMP item they cannot parse, and the
         * image data and the item tables stay as they are. */
        bool any = false;
        for (uint64_t k = 0; k < len && !any; k++) any = w->d[off + k] != 0;
        if (!any) continue;
        char desc[64];
        snprintf(desc, sizeof desc, "%s item, %llu bytes", buf[i].type == H_EXIF ? "Exif" : "XMP",
                 (unsigned long long)len);
        int idx = um_report_classified(w->ctx, "quicktime", where,
                                       buf[i].type == H_EXIF ? "Exif" : "XMP_",
                                       (const uint8_t *)desc, strlen(desc), off, len);
        if (um_is_error(idx)) return idx;
        if (idx >= 0) err = um_plan(w->ctx, idx, UM_OP_ZERO, off, len, NULL);
        if (err) return err;
    }
    return 0;
}

/* XML in a meta box (ISO/IEC 14496-12 8.11.2): Sony's XAVC cameras write their
 * NonRealTimeMeta there, with the body's maker, model and serial number. */
static int meta_xml(struct walk *w, const struct box *b)
{
    if (b->end - b->body <= 4) return 0;
    uint64_t off = b->body + 4, n = b->end - off;
    const uint8_t *x = w->d + off;
    const char *key = memmem(x, (size_t)n, "serial", 6) ? "xml.serial"
                      : memmem(x, (size_t)n, "modelName", 9) ? "xml.device" : "xml";
    size_t saved;
    path_push_type(w, b->type, &saved);
    int err = um_scan_embedded(w->ctx, off, n, w->path);
    if (!err) err = report_item(w, key, x, n, b->off, b->end - b->off, b);
    path_pop(w, saved);
    return err;
}

/* HEIF colour profiles (iprp/ipco/colr 'prof' or 'rICC') are kept, since display needs
 * them, but handed on so that a profile's own tags can be reported. */
static int heif_profiles(struct walk *w, const struct box *iprp)
{
    uint64_t pos = iprp->body;
    struct box ipco, c;
    int r;
    while ((r = next_child(w, &pos, iprp->end, &ipco)) == 1) {
        if (ipco.type != FOURCC('i', 'p', 'c', 'o')) continue;
        uint64_t p = ipco.body;
        while ((r = next_child(w, &p, ipco.end, &c)) == 1) {
            if (c.type != FOURCC('c', 'o', 'l', 'r') || c.end - c.body <= 4) continue;
            uint32_t kind = ld_u32be(w->d + c.body);
            if (kind != FOURCC('p', 'r', 'o', 'f') && kind != FOURCC('r', 'I', 'C', 'C')) continue;
            char where[PATH_MAX_LEN + 32];
            snprintf(where, sizeof where, "%s%siprp/ipco/colr", w->path, w->path_len ? "/" : "");
            int err = um_scan_embedded(w->ctx, c.body + 4, c.end - c.body - 4, where);
            if (err) return err;
        }
        if (r < 0) return r;
    }
    return r;
}

static int walk_meta(struct walk *w, const struct box *b, int depth)
{
    const uint8_t *d = w->d;
    struct box c, hdlr = { 0 }, keys = { 0 }, ilst = { 0 }, iinf = { 0 }, iloc = { 0 }, idat = { 0 };
    bool only_tags = true;
    uint64_t pos = meta_children(w, b);
    int r;
    while ((r = next_child(w, &pos, b->end, &c)) == 1) {
        switch (c.type) {
        case T_HDLR: hdlr = c; break;
        case T_KEYS: keys = c; break;
        case T_ILST: ilst = c; break;
        case T_IINF: iinf = c; only_tags = false; break;
        case T_ILOC: iloc = c; only_tags = false; break;
        case T_IDAT: idat = c; only_tags = false; break;
        case T_FREE: case T_SKIP: break;
        default: only_tags = false; break;
        }
    }
    if (r < 0) return r;
    uint32_t handler = hdlr.end - hdlr.body >= 12 ? ld_u32be(d + hdlr.body + 8) : 0;
    /* A meta box of tags only goes as a whole; one that also holds what an image needs
     * (a HEIF meta: hdlr pict, iinf, iloc) keeps its boxes and loses its tags. */
    const struct box *saved_unit = w->unit;
    if (!w->unit && only_tags && (handler == H_MDIR || handler == H_MDTA)) w->unit = b;

    int err = 0;
    if (ilst.end) {
        struct key key_list[MAX_KEYS];
        unsigned nkeys = 0;
        /* A damaged keys box still lets the items be reported, by number. */
        if (handler == H_MDTA && keys.end && parse_keys(w, &keys, key_list, &nkeys)) nkeys = 0;
        size_t saved;
        path_push(w, "ilst", &saved);
        err = walk_ilst(w, &ilst, key_list, nkeys, handler == H_MDTA);
        path_pop(w, saved);
    }
    if (!err && iinf.end && iloc.end) err = scan_items(w, &iinf, &iloc, idat.end ? &idat : NULL);
    if (iloc.end && w->ntables < MAX_TABLES) w->tables[w->ntables++] = iloc;
    /* Padding, vendor boxes and XML among the children. */
    pos = meta_children(w, b);
    while (!err && (r = next_child(w, &pos, b->end, &c)) == 1) {
        if (c.type == T_FREE || c.type == T_SKIP || c.type == T_UUID || c.type == T_UDTA)
            err = walk_box(w, &c, depth + 1);
        else if (c.type == T_XML || c.type == T_BXML)
            err = meta_xml(w, &c);
        else if (c.type == T_IPRP)
            err = heif_profiles(w, &c);
    }
    w->unit = saved_unit;
    return err;
}

/* udta children that are structure, not tags: Nero chapters (playback shows them),
 * RTP hint information. */
static bool udta_structural(uint32_t t)
{
    return t == T_CHPL || t == T_HNTI || t == T_HINF;
}

static int walk_udta(struct walk *w, const struct box *b, int depth)
{
    struct box c;
    uint64_t pos = b->body;
    bool keep = false;
    int r;
    while ((r = next_child(w, &pos, b->end, &c)) == 1)
        if (c.type == T_CHPL) keep = true;
    if (r < 0 && r != UM_E_FORMAT) return r;
    /* The whole udta goes unless it holds chapters that must stay; then its tags go
     * one by one. */
    const struct box *saved_unit = w->unit;
    if (!w->unit && !keep) w->unit = b;
    int err = 0;
    pos = b->body;
    while (!err && (r = next_child(w, &pos, b->end, &c)) == 1) {
        if (udta_structural(c.type)) continue;
        if (c.type == T_META || c.type == T_FREE || c.type == T_SKIP || c.type == T_UUID ||
            c.type == T_UDTA) {
            err = walk_box(w, &c, depth + 1);
            continue;
        }
        size_t saved;
        path_push_type(w, c.type, &saved);
        char key[16];
        type_str(c.type, key);
        if (c.type == T_XMP_) {
            err = um_scan_embedded(w->ctx, c.body, c.end - c.body, w->path);
            if (!err)
                err = report_item(w, key, w->d + c.body, c.end - c.body, c.off, c.end - c.off, &c);
        } else if (c.type == T_LOCI && c.end - c.body >= 6) {
            char v[200];
            loci_value(w->d, &c, v, sizeof v);
            err = report_item(w, key, (const uint8_t *)v, strlen(v), c.off, c.end - c.off, &c);
        } else {
            const uint8_t *v;
            uint64_t n;
            udta_value(w->d, &c, &v, &n);
            err = report_item(w, key, v, n, c.off, c.end - c.off, &c);
        }
        path_pop(w, saved);
    }
    if (!err && r == 0) err = check_slack(w, pos, b->end);
    /* Cameras write odd things into udta; libavformat clamps a child that overruns
     * it. Here the unreadable rest is hidden data: reported and zeroed, which leaves
     * a zero terminator where it began. */
    if (!err && r == UM_E_FORMAT) {
        size_t saved;
        path_push(w, "(malformed box)", &saved);
        err = check_zero_range(w, pos, b->end, w->path);
        path_pop(w, saved);
        r = 0;
    }
    w->unit = saved_unit;
    return err ? err : r;
}

/* uuid boxes that playback needs: PIFF (Smooth Streaming) protection system header,
 * track encryption and sample encryption; Spherical Video V1 (a 360-degree film shows
 * flat without it). */
static bool uuid_needed(const uint8_t *u)
{
    static const uint8_t keep[][16] = {
        { 0xd0, 0x8a, 0x4f, 0x18, 0x10, 0xf3, 0x4a, 0x82, 0xb6, 0xc8, 0x32, 0xd8, 0xab, 0xa1, 0x83, 0xd3 },
        { 0x89, 0x74, 0xdb, 0xce, 0x7b, 0xe7, 0x4c, 0x51, 0x84, 0xf9, 0x71, 0x48, 0xf9, 0x88, 0x25, 0x54 },
        { 0xa2, 0x39, 0x4f, 0x52, 0x5a, 0x9b, 0x4f, 0x14, 0xa2, 0x44, 0x6c, 0x42, 0x7c, 0x64, 0x8d, 0xf4 },
        { 0xff, 0xcc, 0x82, 0x63, 0xf8, 0x55, 0x4a, 0x93, 0x88, 0x14, 0x58, 0x7a, 0x02, 0x52, 0x1f, 0xdd },
    };
    for (size_t i = 0; i < sizeof keep / sizeof *keep; i++)
        if (!memcmp(u, keep[i], 16)) return true;
    return false;
}

static int walk_uuid(struct walk *w, const struct box *b)
{
    const uint8_t *u = w->d + b->body - 16;
    if (uuid_needed(u)) return 0;
    uint64_t n = b->end - b->body;
    if (!memcmp(u, xmp_uuid, 16)) {
        /* The XMP handler reports the properties; the box itself is reported too, so
         * that the packet is never silent, and goes as a whole. */
        int err = um_scan_embedded(w->ctx, b->body, n, w->path);
        if (err) return err;
        if (!w->keep_uuid)
            return report_item(w, "uuid-xmp", w->d + b->body, n, b->off, b->end - b->off, b);
        int idx = um_report_classified(w->ctx, "quicktime", w->path, "uuid-xmp", w->d + b->body,
                                       (size_t)(n < VALUE_MAX ? n : VALUE_MAX), b->off,
                                       b->end - b->off);
        if (um_is_error(idx)) return idx;
        return idx >= 0 ? um_note(w->ctx, idx, "kept: a Canon CR3 raw file's offset table "
                                               "points at its uuid boxes") : 0;
    }
    char key[48];
    static const char hex[] = "0123456789abcdef";
    size_t k = 0;
    k += (size_t)snprintf(key, sizeof key, "uuid-");
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) key[k++] = '-';
        key[k++] = hex[u[i] >> 4];
        key[k++] = hex[u[i] & 15];
    }
    key[k] = 0;
    /* Vendors' boxes (Sony, GoPro, Insta360, Canon): device data of unknown layout. */
    if (n > VALUE_MAX) n = VALUE_MAX;
    struct um_finding_spec s = {
        .kind = UM_K_DEVICE_ID, .severity = UM_SEV_MEDIUM, .where = w->path, .key = key,
        .value = w->d + b->body, .value_len = (size_t)n,
        .offset = b->off, .length = b->end - b->off,
        .note = w->keep_uuid ? "kept: a Canon CR3 raw file's uuid boxes hold its offset tables"
                             : "vendor uuid box of unknown layout",
    };
    int idx = um_report(w->ctx, &s);
    if (idx < 0 || w->keep_uuid) return idx < 0 ? idx : 0;
    return plan_remove(w, idx, b);
}

/* ---- timed-metadata tracks ---- */

/* Gathers a dropped track's chunks into runs of contiguous bytes and zeroes each run.
 * check: only counts the runs, and makes sure that each chunk lies inside an mdat
 * and that no kept track's chunk shares a byte with it (why says which failed). */
struct sample_wipe {
    struct walk *w;
    int idx;
    bool check;
    const struct um_media_map *kept;
    const char *why;
    uint64_t off, len;   /* the run being gathered */
    unsigned runs;
};

static int wipe_flush(struct sample_wipe *sw)
{
    if (!sw->len) return 0;
    if (++sw->runs > MAX_DROPPED_RUNS) return UM_E_LIMIT;
    int err = sw->check ? 0 : um_plan(sw->w->ctx, sw->idx, UM_OP_ZERO, sw->off, sw->len, NULL);
    sw->len = 0;
    return err;
}

static int wipe_chunk(void *opaque, uint64_t off, uint64_t len)
{
    struct sample_wipe *sw = opaque;
    if (!len) return 0;
    if (sw->check && !in_mdat(sw->w, off, len)) {
        sw->why = "its sample tables point outside the media data";
        return UM_E_RANGE;
    }
    if (sw->check && um_media_map_touches(sw->kept, off, len)) {
        sw->why = "its samples share bytes with another track's";
        return UM_E_RANGE;
    }
    if (sw->len && off == sw->off + sw->len) {
        sw->len += len;
        return 0;
    }
    int err = wipe_flush(sw);
    sw->off = off, sw->len = len;
    return err;
}

static int trak_chunks(struct walk *w, const struct box *trak, chunk_fn fn, void *opaque)
{
    struct box mdia, minf, stbl, c, stsc = { 0 }, stsz = { 0 }, stco = { 0 };
    if (!find_child(w, trak, T_MDIA, &mdia) || !find_child(w, &mdia, T_MINF, &minf) ||
        !find_child(w, &minf, T_STBL, &stbl))
        return 0;   /* no sample table: no samples */
    uint64_t pos = stbl.body;
    while (next_child(w, &pos, stbl.end, &c) == 1) {
        if (c.type == T_STSC) stsc = c;
        else if (c.type == T_STSZ) stsz = c;
        else if (c.type == T_STCO || c.type == T_CO64) stco = c;
    }
    return for_each_chunk(w->d, w->size, stsc.type ? &stsc : NULL, stsz.type ? &stsz : NULL,
                          stco.type ? &stco : NULL, fn, opaque);
}

static int keep_note(struct walk *w, const struct dropped_trak *t, const char *why)
{
    char note[200];
    snprintf(note, sizeof note, "track kept: %s (removing it needs a remux, not done)", why);
    int err = 0;
    for (unsigned i = 0; i < t->ndrop && !err; i++) err = um_note(w->ctx, t->drop[i], note);
    return err;
}

static bool is_dropped(const struct walk *w, uint64_t off)
{
    for (unsigned i = 0; i < w->ndropped; i++)
        if (w->dropped[i].trak.off == off) return true;
    return false;
}

static int map_chunk(void *m, uint64_t off, uint64_t len);

/* At the end of the movie: each trak in w->dropped goes whole. The chunks of the
 * tracks that stay are listed first; a dropped track's chunks must each lie in an
 * mdat and share no byte with them. Then its samples are zeroed and its trak is
 * renamed `free` and zeroed (the rename before the body: a player then skips it). A
 * track that fails a check is kept, with a note saying why. */
static int drop_tracks(struct walk *w, const struct box *moov)
{
    struct um_media_map kept;
    um_media_map_init(&kept, w->size);
    uint64_t pos = moov->body;
    struct box c;
    int err = 0;
    while (!err && next_child(w, &pos, moov->end, &c) == 1)
        if (c.type == T_TRAK && !is_dropped(w, c.off)) err = trak_chunks(w, &c, map_chunk, &kept);
    um_media_map_finish(&kept);
    bool listed = !err;
    err = 0;
    for (unsigned i = 0; i < w->ndropped && !err; i++) {
        const struct dropped_trak *t = &w->dropped[i];
        if (!listed) {
            err = keep_note(w, t, "the other tracks' sample tables could not be followed");
            continue;
        }
        struct sample_wipe sw = { .w = w, .idx = t->drop[0], .check = true, .kept = &kept,
                                  .why = "its sample tables could not be followed" };
        int bad = trak_chunks(w, &t->trak, wipe_chunk, &sw);
        if (!bad) bad = wipe_flush(&sw);
        if (bad == UM_E_LIMIT) sw.why = "its samples are in too many pieces";
        if (bad == UM_E_UNSUPPORTED || bad == UM_E_FORMAT || bad == UM_E_RANGE || bad == UM_E_LIMIT) {
            err = keep_note(w, t, sw.why);
            continue;
        }
        if (bad) {
            err = bad;
            break;
        }
        /* The samples are zeroed first (stage 1) and the trak goes after (renamed at 2,
         * its body zeroed at 3): renamed first, a scrub killed in between would leave
         * samples that nothing points at, where no later scan finds them. */
        sw = (struct sample_wipe){ .w = w, .idx = t->drop[0] };
        err = trak_chunks(w, &t->trak, wipe_chunk, &sw);
        if (!err) err = wipe_flush(&sw);
        for (unsigned k = 0; k < t->ndrop && !err; k++)
            err = plan_free_box_staged(w, t->drop[k], &t->trak, UM_STAGE_REWRITE);
    }
    um_media_map_free(&kept);
    w->ndropped = 0;
    return err;
}

/* The first chunk of a track's samples that is not all zeros (stops the walk over its
 * chunks there). Zeroed chunks are skipped: a scrub killed while it zeroed the samples
 * of such a track leaves its first chunks zeroed, and the rest must still be found. */
struct first_chunk {
    const struct walk *w;
    uint64_t off, len;
    bool found, any, bad;   /* a chunk with data; any chunk at all; a chunk out of the file */
};

static int take_first_chunk(void *opaque, uint64_t off, uint64_t len)
{
    struct first_chunk *f = opaque;
    if (!len) return 0;
    if (!um_range_ok(off, len, f->w->size)) {
        f->bad = true;
        return 1;   /* a table that leaves the file: stop */
    }
    f->any = true;
    if (um_all_zero(f->w->d + off, len)) return 0;
    f->off = off, f->len = len, f->found = true;
    return 1;   /* enough */
}

/* Dashcams (Nextbase, others) log GPS as a subtitle track whose samples are NMEA
 * sentences. Its first chunk that is not all zeros is read (at most 64 KiB of it);
 * when it holds one, the track goes whole like a timed-metadata track (the verifier
 * checks the same of the stream's first such packet before it lets a subtitle
 * stream go). */
static int subtitle_gps(struct walk *w, const struct box *trak)
{
    struct first_chunk f = { .w = w };
    int r = trak_chunks(w, trak, take_first_chunk, &f);
    if (r < 0 || f.bad || !f.any) return 0;
    /* Every sample zeros: what a scrub of such a track that was killed leaves. Nothing
     * is left to read, but the track is finished off, as the scrub would have. */
    bool emptied = !f.found;
    if (!emptied && !um_has_nmea(w->d + f.off, f.len > 65536 ? 65536 : (size_t)f.len)) return 0;
    const char *value = emptied ? "subtitle track whose samples are all zeros (left by an interrupted scrub of a GPS log)"
                                : "subtitle track whose samples are GPS fixes (NMEA sentences)";
    struct um_finding_spec s = {
        .kind = UM_K_LOCATION, .severity = emptied ? UM_SEV_LOW : UM_SEV_HIGH, .where = w->path,
        .key = "gps-subtitles", .value = (const uint8_t *)value, .value_len = strlen(value),
        .offset = trak->off, .length = trak->end - trak->off,
    };
    int idx = um_report(w->ctx, &s);
    if (idx < 0) return idx;
    if (w->fragmented)
        return um_note(w->ctx, idx, "GPS subtitle track of a fragmented movie: its samples are in every "
                                    "fragment; removing it needs a remux, not done");
    w->drop[w->ndrop++] = idx;   /* the first of the trak's findings that take it whole */
    return 0;
}

/* Timed metadata travels as a track of its own: camera motion and GPS (camm, Google),
 * GoPro telemetry with GPS (gpmd), Apple boxed metadata (mebx), timecode (tmcd). */
static int timed_metadata(struct walk *w, const struct box *entry)
{
    const char *key = NULL;
    switch (entry->type) {
    case H_CAMM: key = "camm"; break;
    case H_GPMD: key = "gpmd"; break;
    case H_MEBX:
        /* Apple's boxed metadata names its keys in the sample entry. */
        key = memmem(w->d + entry->body, (size_t)(entry->end - entry->body), "location", 8)
                  ? "mebx.location" : "mebx";
        break;
    case H_TMCD: key = "tmcd"; break;
    default:
        if (w->handler == H_META || w->handler == H_CAMM) key = "timed-metadata";
        break;
    }
    if (!key) return 0;
    char value[64];
    char t[16], h[16];
    type_str(entry->type, t);
    type_str(w->handler, h);
    snprintf(value, sizeof value, "%s track (handler %s)", t, h);
    int idx = um_report_classified(w->ctx, "quicktime", w->path, key, (const uint8_t *)value,
                                   strlen(value), entry->off, entry->end - entry->off);
    if (idx == UM_NOT_IDENTIFYING) return 0;
    if (idx < 0) return idx;
    if (entry->type == H_TMCD)
        return um_note(w->ctx, idx, "timecode track: kept (editing programs and players read it); "
                                    "it holds a start time, not a device");
    if (w->fragmented)
        return um_note(w->ctx, idx, "timed-metadata track of a fragmented movie: its samples are in "
                                    "every fragment; removing it needs a remux, not done");
    if (!w->trak || w->ndrop == sizeof w->drop / sizeof *w->drop)
        return um_note(w->ctx, idx, "timed-metadata entry outside a track's usual place: kept");
    w->drop[w->ndrop++] = idx;
    return 0;
}

/* Sample descriptions: codec configuration stays untouched; only the 32-byte
 * compressor name of visual sample entries (ISO/IEC 14496-12 12.1.3, a Pascal
 * string) is zeroed, which leaves an empty name. */
static int walk_stsd(struct walk *w, const struct box *b)
{
    const uint8_t *d = w->d;
    if (b->end - b->body < 8) return UM_E_FORMAT;
    uint64_t pos = b->body + 8;
    struct box e;
    int r, err = 0;
    while (!err && (r = next_child(w, &pos, b->end, &e)) == 1) {
        size_t saved;
        path_push_type(w, e.type, &saved);
        err = timed_metadata(w, &e);
        bool visual = w->handler == H_VIDE || w->handler == FOURCC('p', 'i', 'c', 't') ||
                      w->handler == FOURCC('a', 'u', 'x', 'v');
        if (!err && visual && e.end - e.body >= 42 + 32) {
            uint64_t off = e.body + 42;
            const uint8_t *cn = d + off;
            bool any = false;
            for (int i = 0; i < 32; i++) any = any || cn[i];
            if (any) {
                const uint8_t *v = cn + 1;
                size_t n = cn[0] <= 31 ? cn[0] : 31;
                int idx = um_report_classified(w->ctx, "quicktime", w->path, "compressorname",
                                               v, n, off, 32);
                if (um_is_error(idx)) err = idx;
                else if (idx >= 0) err = um_plan(w->ctx, idx, UM_OP_ZERO, off, 32, NULL);
            }
        }
        path_pop(w, saved);
    }
    if (err) return err;
    return r < 0 ? r : 0;
}

static int walk_children(struct walk *w, const struct box *b, int depth)
{
    uint64_t pos = b->body;
    struct box c;
    int r;
    while ((r = next_child(w, &pos, b->end, &c)) == 1) {
        int err = walk_box(w, &c, depth + 1);
        if (err) return err;
    }
    return r < 0 ? r : check_slack(w, pos, b->end);
}

static int walk_box(struct walk *w, const struct box *b, int depth)
{
    if (depth > MAX_DEPTH) return UM_E_LIMIT;
    const uint8_t *d = w->d;
    size_t saved;
    path_push_type(w, b->type, &saved);
    int err = 0;
    switch (b->type) {
    case T_MOOV: {
        struct box mvex;
        w->fragmented = find_child(w, b, T_MVEX, &mvex);
        w->ndropped = 0;
        err = walk_children(w, b, depth);
        if (!err && w->ndropped) err = drop_tracks(w, b);
        break;
    }
    case T_MDIA: case T_MINF: case T_STBL:
        err = walk_children(w, b, depth);
        break;
    case T_TRAK: {
        /* A trak inside another (no real file has one) is walked as a track of its own. */
        uint32_t handler = w->handler;
        const struct box *trak = w->trak;
        unsigned ndrop = w->ndrop;
        w->handler = 0, w->trak = b, w->ndrop = 0;
        err = walk_children(w, b, depth);
        bool text = w->handler == FOURCC('s', 'b', 't', 'l') || w->handler == FOURCC('t', 'e', 'x', 't') ||
                    w->handler == FOURCC('s', 'u', 'b', 't');
        if (!err && text && !w->ndrop) err = subtitle_gps(w, b);
        if (!err && w->ndrop) {
            struct dropped_trak t = { .trak = *b, .ndrop = w->ndrop };
            memcpy(t.drop, w->drop, sizeof t.drop);
            if (w->ndropped < sizeof w->dropped / sizeof *w->dropped) w->dropped[w->ndropped++] = t;
            else err = keep_note(w, &t, "the movie has more such tracks than are removed in one pass");
        }
        w->handler = handler, w->trak = trak, w->ndrop = ndrop;
        break;
    }
    case T_MVHD: case T_TKHD: case T_MDHD:
        err = check_dates(w, b);
        break;
    case T_HDLR:
        /* QuickTime's minf/hdlr names the data handler ('dhlr'), not the media. */
        if (b->end - b->body >= 12 && ld_u32be(d + b->body + 4) != FOURCC('d', 'h', 'l', 'r'))
            w->handler = ld_u32be(d + b->body + 8);
        err = check_handler_name(w, b);
        break;
    case T_STSD: err = walk_stsd(w, b); break;
    case T_UDTA: err = walk_udta(w, b, depth); break;
    case T_META: err = walk_meta(w, b, depth); break;
    case T_UUID: err = walk_uuid(w, b); break;
    case T_FREE: case T_SKIP: case T_WIDE: err = check_padding(w, b); break;
    case T_PRFT: err = check_prft(w, b); break;
    case T_STCO: case T_CO64:
        if (w->ntables < MAX_TABLES) w->tables[w->ntables++] = *b;
        break;
    case FOURCC('c', 'm', 'o', 'v'): {
        /* Old QuickTime compresses the movie header with zlib: what it holds is not
         * read here, and saying so beats silence. */
        struct um_finding_spec s = {
            .kind = UM_K_CONTENT, .severity = UM_SEV_INFO, .where = w->path,
            .offset = b->off, .length = b->end - b->off,
            .note = "compressed movie header (cmov): its metadata was not inspected",
        };
        int idx = um_report(w->ctx, &s);
        err = idx < 0 ? idx : 0;
        break;
    }
    case FOURCC('g', 'p', 's', ' '): {
        /* Dashcams on Novatek chips index GPS fixes from moov: the blocks themselves lie
         * inside mdat, among the media, where no track points at them. */
        char value[64];
        snprintf(value, sizeof value, "GPS index of %llu blocks inside the media data",
                 (unsigned long long)((b->end - b->body) / 8));
        struct um_finding_spec s = {
            .kind = UM_K_LOCATION, .severity = UM_SEV_HIGH, .where = w->path, .key = "gps",
            .value = (const uint8_t *)value, .value_len = strlen(value),
            .offset = b->off, .length = b->end - b->off,
            .note = "dashcam GPS track (Novatek layout): reported, not removed; the fixes lie in "
                    "blocks inside mdat that this version does not rewrite",
        };
        int idx = um_report(w->ctx, &s);
        err = idx < 0 ? idx : 0;
        break;
    }
    default: break;
    }
    path_pop(w, saved);
    return err;
}

/* Box types that may stand at the top level; a known type running past the end is a
 * truncated file, anything else that does not fit is appended data. */
static bool top_level_type(uint32_t t)
{
    static const uint32_t known[] = {
        T_FTYP, T_MOOV, T_MDAT, T_FREE, T_SKIP, T_WIDE, T_UUID, T_META, T_PRFT,
        FOURCC('m', 'o', 'o', 'f'), FOURCC('m', 'f', 'r', 'a'), FOURCC('s', 'i', 'd', 'x'),
        FOURCC('s', 's', 'i', 'x'), FOURCC('s', 't', 'y', 'p'), FOURCC('e', 'm', 's', 'g'),
        FOURCC('p', 'd', 'i', 'n'), FOURCC('p', 'n', 'o', 't'), FOURCC('m', 'e', 'c', 'o'),
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (known[i] == t) return true;
    return false;
}

/* True when a top-level box header for moov, mdat or moof seems to stand somewhere in
 * [pos, size): then the bytes at pos are a damaged box, not appended data, and
 * cutting them would cut the film. A tail too long to search is treated the same. */
static bool tail_has_boxes(const uint8_t *d, uint64_t pos, uint64_t size)
{
    if (size - pos > (64u << 20)) return true;
    static const char *const types[] = { "moov", "mdat", "moof" };
    for (size_t i = 0; i < 3; i++) {
        const uint8_t *p = d + pos, *end = d + size;
        while (p < end) {
            const uint8_t *hit = memmem(p, (size_t)(end - p), types[i], 4);
            if (!hit) break;
            uint64_t at = (uint64_t)(hit - d);
            if (at >= pos + 4) {
                uint64_t box = ld_u32be(hit - 4);
                if (box == 0 || box == 1 || (box >= 8 && box <= size - (at - 4))) return true;
            }
            p = hit + 1;
        }
    }
    return false;
}

/* The end of the last byte of media that the tables point at (for stco/co64 the
 * start of the last chunk, which is enough to tell whether media lies beyond). */
static uint64_t media_end(struct walk *w)
{
    const uint8_t *d = w->d;
    uint64_t end = 0;
    for (unsigned t = 0; t < w->ntables; t++) {
        const struct box *b = &w->tables[t];
        if (b->type == T_ILOC) {
            /* Every item of construction method 0: its one-extent location. */
            struct um_reader r = um_reader_make(d + b->body, b->end - b->body);
            uint8_t version, flags[3], sizes[2];
            if (rd_u8(&r, &version) || rd_copy(&r, flags, 3) || rd_copy(&r, sizes, 2) || version > 2)
                continue;
            unsigned index_size = version ? sizes[1] & 15 : 0;
            uint64_t count;
            if (rd_sized(&r, version < 2 ? 2 : 4, &count)) continue;
            for (uint64_t i = 0; i < count; i++) {
                uint64_t id, method = 0, dref, base, extents, index, off, len, e;
                if (rd_sized(&r, version < 2 ? 2 : 4, &id) ||
                    (version >= 1 && rd_sized(&r, 2, &method)) || rd_sized(&r, 2, &dref) ||
                    rd_sized(&r, sizes[1] >> 4, &base) || rd_sized(&r, 2, &extents))
                    break;
                for (uint64_t x = 0; x < extents; x++) {
                    if (rd_sized(&r, index_size, &index) || rd_sized(&r, sizes[0] >> 4, &off) ||
                        rd_sized(&r, sizes[0] & 15, &len))
                        goto next_table;
                    if ((method & 15) == 0 && !um_add_u64(base, off, &e) && !um_add_u64(e, len, &e) &&
                        e > end)
                        end = e;
                }
            }
        } else {
            if (b->end - b->body < 8) continue;
            uint64_t n = ld_u32be(d + b->body + 4);
            uint64_t width = b->type == T_CO64 ? 8 : 4;
            uint64_t room = (b->end - b->body - 8) / width;
            if (n > room) n = room;
            for (uint64_t i = 0; i < n; i++) {
                const uint8_t *p = d + b->body + 8 + i * width;
                uint64_t o = width == 8 ? ld_u64be(p) : ld_u32be(p);
                if (o + 1 > end) end = o + 1;
            }
        }
    next_table:;
    }
    return end;
}

/* The MIME type a major brand stands for (ISO/IEC 14496-12 brands, RFC 6381, HEIF). */
static const char *brand_mime(uint32_t brand)
{
    static const struct { uint32_t brand; const char *mime; } map[] = {
        { FOURCC('q', 't', ' ', ' '), "video/quicktime" }, { FOURCC('M', '4', 'A', ' '), "audio/mp4" },
        { FOURCC('M', '4', 'B', ' '), "audio/mp4" },       { FOURCC('3', 'g', 'p', '4'), "video/3gpp" },
        { FOURCC('3', 'g', 'p', '5'), "video/3gpp" },      { FOURCC('3', 'g', 'p', '6'), "video/3gpp" },
        { FOURCC('3', 'g', '2', 'a'), "video/3gpp2" },     { FOURCC('h', 'e', 'i', 'c'), "image/heic" },
        { FOURCC('h', 'e', 'i', 'x'), "image/heic" },      { FOURCC('m', 'i', 'f', '1'), "image/heif" },
        { FOURCC('a', 'v', 'i', 'f'), "image/avif" },      { FOURCC('c', 'r', 'x', ' '), "image/x-canon-cr3" },
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (map[i].brand == brand) return map[i].mime;
    return "video/mp4";
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    struct walk w = { .ctx = ctx, .d = d, .size = size };
    uint64_t pos = 0;
    bool any = false, movie = false;
    while (pos < size) {
        uint32_t type = size - pos >= 8 ? ld_u32be(d + pos + 4) : 0;
        struct box b;
        int err = size - pos < 8 || !printable_type(type) ? UM_E_FORMAT : read_box(&w, pos, size, &b);
        if ((err == UM_E_FORMAT || err == UM_E_TRUNC) && any && !top_level_type(type)) {
            /* Not a box: the file ended before. Only once the movie (or a HEIF meta) was
             * seen, and no box of the movie follows: a damaged file is never cut. */
            if (!movie || tail_has_boxes(d, pos, size) || media_end(&w) > pos) return UM_E_FORMAT;
            break;
        }
        if (err) return err;
        if (b.type == T_FTYP && b.end - b.body >= 4) {
            w.keep_uuid = ld_u32be(d + b.body) == FOURCC('c', 'r', 'x', ' ');
            um_set_mime(ctx, brand_mime(ld_u32be(d + b.body)));
        }
        if (b.type == T_MOOV || b.type == T_META) movie = true;
        err = walk_box(&w, &b, 0);
        if (err) return err;
        pos = b.end;
        any = true;
    }
    if (!any) return UM_E_FORMAT;
    um_set_end(ctx, pos, "MP4 last top-level box");
    return 0;
}

/* ---- media map (common/media_map.h) ----
 *
 * What a player reads, from the boxes and the sample tables alone: every box header on
 * the way to the media, the movie, track and media headers but for their dates, the
 * handler types, the sample descriptions but for the compressor names, the sample
 * tables, every mdat, and every chunk the tables point at wherever it lies. Boxes
 * that only carry tags (udta, meta, uuid other than the ones playback needs, free,
 * skip, wide, prft) keep only their size fields, which chain their siblings; bytes
 * after a container's last child are not read by anyone. Unknown boxes are listed
 * whole. */

struct mapper {
    struct walk w;               /* box reading only: no scan context */
    struct um_media_map *m;
    uint32_t handler;            /* of the trak being mapped */
};

static int map_size_field(struct mapper *p, const struct box *b)
{
    int err = um_media_map_add(p->m, b->off, 4);
    return err || !b->large ? err : um_media_map_add(p->m, b->off + 8, 8);
}

static int map_whole(struct mapper *p, const struct box *b)
{
    return um_media_map_add(p->m, b->off, b->end - b->off);
}

/* mvhd, tkhd, mdhd: all but the two dates the scan zeroes (check_dates). */
static int map_dated(struct mapper *p, const struct box *b)
{
    const uint8_t *d = p->w.d;
    if (b->end - b->body < 4) return UM_E_FORMAT;
    uint64_t width = d[b->body] == 1 ? 8 : 4;
    if (b->end - b->body - 4 < 2 * width) return UM_E_FORMAT;
    struct um_range dates = { b->body + 4, 2 * width };
    return um_media_map_add_except(p->m, b->off, b->end, &dates, 1);
}

/* hdlr: up to its name, which the scan zeroes (check_handler_name). */
static int map_hdlr(struct mapper *p, const struct box *b)
{
    const uint8_t *d = p->w.d;
    if (b->end - b->body >= 12 && ld_u32be(d + b->body + 4) != FOURCC('d', 'h', 'l', 'r'))
        p->handler = ld_u32be(d + b->body + 8);
    uint64_t to = b->end - b->body > 24 ? b->body + 24 : b->end;
    return um_media_map_add(p->m, b->off, to - b->off);
}

/* stsd: every sample entry but the compressor name of visual ones (walk_stsd). */
static int map_stsd(struct mapper *p, const struct box *b)
{
    if (b->end - b->body < 8) return UM_E_FORMAT;
    int err = um_media_map_add(p->m, b->off, b->body + 8 - b->off);
    uint64_t pos = b->body + 8;
    bool visual = p->handler == H_VIDE || p->handler == FOURCC('p', 'i', 'c', 't') ||
                  p->handler == FOURCC('a', 'u', 'x', 'v');
    struct box e;
    int r;
    while (!err && (r = next_child(&p->w, &pos, b->end, &e)) == 1) {
        if (visual && e.end - e.body >= 42 + 32) {
            struct um_range name = { e.body + 42, 32 };
            err = um_media_map_add_except(p->m, e.off, e.end, &name, 1);
        } else {
            err = map_whole(p, &e);
        }
    }
    if (err) return err;
    if (r < 0) return r;
    return um_media_map_add(p->m, pos, b->end - pos);   /* whatever follows the entries */
}

/* The bytes of every chunk, wherever it lies (a chunk outside every mdat is listed all
 * the same). */
static int map_chunk(void *m, uint64_t off, uint64_t len) { return um_media_map_add(m, off, len); }

static int map_container(struct mapper *p, const struct box *b, int depth);

static int map_udta(struct mapper *p, const struct box *b)
{
    struct box c;
    uint64_t pos = b->body;
    bool keep = false;
    int r;
    while ((r = next_child(&p->w, &pos, b->end, &c)) == 1)
        if (c.type == T_CHPL) keep = true;
    if (!keep) return map_size_field(p, b);   /* renamed free and zeroed as a whole */
    /* It stays for its chapters: its header and the structure in it stay too. */
    int err = um_media_map_add(p->m, b->off, b->body - b->off);
    pos = b->body;
    while (!err && (r = next_child(&p->w, &pos, b->end, &c)) == 1)
        err = udta_structural(c.type) ? map_whole(p, &c) : map_size_field(p, &c);
    return err ? err : r < 0 && r != UM_E_FORMAT ? r : 0;
}

static int map_box(struct mapper *p, const struct box *b, int depth)
{
    switch (b->type) {
    case T_MOOV: case T_MDIA: case T_MINF: case T_STBL:
        return map_container(p, b, depth);
    case T_TRAK: {
        uint32_t handler = p->handler;
        p->handler = 0;
        int err = map_container(p, b, depth);
        p->handler = handler;
        return err;
    }
    case T_MVHD: case T_TKHD: case T_MDHD: return map_dated(p, b);
    case T_HDLR: return map_hdlr(p, b);
    case T_STSD: return map_stsd(p, b);
    case T_UDTA: return map_udta(p, b);
    case T_UUID:
        return b->body >= 16 && uuid_needed(p->w.d + b->body - 16) ? map_whole(p, b) : map_size_field(p, b);
    case T_META: case T_FREE: case T_SKIP: case T_WIDE: case T_PRFT:
        return map_size_field(p, b);
    case FOURCC('c', 'm', 'o', 'v'):
        return UM_E_UNSUPPORTED;   /* the tables are compressed: chunks cannot be listed */
    default:
        return map_whole(p, b);
    }
}

static int map_container(struct mapper *p, const struct box *b, int depth)
{
    if (depth > MAX_DEPTH) return UM_E_LIMIT;
    int err = um_media_map_add(p->m, b->off, b->body - b->off);
    uint64_t pos = b->body;
    struct box c, stsc = { 0 }, stsz = { 0 }, stco = { 0 };
    int r;
    while (!err && (r = next_child(&p->w, &pos, b->end, &c)) == 1) {
        if (c.type == T_STSC) stsc = c;
        else if (c.type == T_STSZ) stsz = c;
        else if (c.type == T_STCO || c.type == T_CO64) stco = c;
        err = map_box(p, &c, depth + 1);
    }
    if (err) return err;
    if (r < 0) return r;
    if (b->type == T_STBL)
        err = for_each_chunk(p->w.d, p->w.size, stsc.type ? &stsc : NULL, stsz.type ? &stsz : NULL,
                             stco.type ? &stco : NULL, map_chunk, p->m);
    return err;
}

static int media_map(struct um_media_map *m, const uint8_t *d, uint64_t size)
{
    struct mapper p = { .w = { .d = d, .size = size }, .m = m };
    uint64_t pos = 0;
    bool movie = false;
    while (pos < size) {
        uint32_t type = size - pos >= 8 ? ld_u32be(d + pos + 4) : 0;
        struct box b;
        int err = size - pos < 8 || !printable_type(type) ? UM_E_FORMAT : read_box(&p.w, pos, size, &b);
        if ((err == UM_E_FORMAT || err == UM_E_TRUNC) && movie && !top_level_type(type))
            break;   /* appended data (the scan decided; any chunk beyond is listed) */
        if (err) return err;
        if (b.type == T_FTYP && b.end - b.body >= 4 && ld_u32be(d + b.body) == FOURCC('c', 'r', 'x', ' '))
            return UM_E_UNSUPPORTED;   /* Canon raw: its uuid boxes are the picture's tables */
        if (b.type == T_META && !movie) return UM_E_UNSUPPORTED;   /* HEIF: items, not tracks */
        if (b.type == T_MOOV) movie = true;
        err = map_box(&p, &b, 0);
        if (err) return err;
        pos = b.end;
    }
    return movie ? 0 : UM_E_UNSUPPORTED;
}

const struct um_format um_format_isobmff = {
    .name = "isobmff",
    .long_name = "ISO base media / QuickTime (MP4, MOV, M4A, 3GP, HEIC, AVIF)",
    .extensions = "mp4,m4a,m4v,m4b,mov,qt,3gp,3g2,heic,heif,avif",
    .mime = "video/mp4",
    .finds = "udta and ilst/mdta tags (GPS, make, model, software, people, dates), "
             "mvhd/tkhd/mdhd dates, XMP and vendor uuid boxes, compressor names, HEIF "
             "Exif/XMP items, timed-metadata tracks, data in free boxes, data after the last box",
    .removes = "tags (udta/meta/uuid renamed free and zeroed), dates and compressor names "
               "(zeroed), padding data, data after the last box, timed-metadata tracks (trak renamed "
               "free, it and its samples zeroed; also NMEA subtitle tracks; in fragmented movies reported only)",
    .probe = probe,
    .scan = scan,
    .media_map = media_map,
};
