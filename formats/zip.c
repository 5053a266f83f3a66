/* ZIP (PKWARE APPNOTE 6.3.10), and so OOXML (docx/xlsx/pptx), ODF and EPUB: finds the
 * end of central directory record (and Zip64's) to report bytes after the archive,
 * and checks the Red Star mark that is written at file offset 80 of OOXML files,
 * inside the first local header's growth-hint extra field (id 0xA220) when MS Office
 * saved the file.
 *
 * It walks the central directory (bounded), inflates the members that carry document
 * metadata (capped against ZIP bombs) and has formats/ooxml.c report what they hold.
 * JPEG and PNG members (stored or deflated) are read and their metadata blocks
 * (EXIF, XMP, IPTC, comments, text chunks, data after the end) reported; other
 * images, audio, video and embedded documents are reported as not inspected.
 * Encrypted members are reported, not read. Also: the members' own dates (DOS times,
 * extended timestamps) and bytes inside the archive that no member owns.
 *
 * Removal rebuilds the cleaned members: each one's local header and data are spliced
 * in place of the old ones (re-compressed, time set to 1980-01-01), and the central
 * directory and end record are rebuilt with the shifted offsets. Members that are not
 * rewritten keep their bytes (their dates are replaced in place), and the Red Star
 * zeroing in the first header's padding stays its own edit: the splices go around
 * it, so the mark is removed by exactly its 31 zeroed bytes. Images are cleaned here
 * rather than through um_scan_embedded: an edit inside a stored member would leave
 * its CRC stale, and a deflated member cannot be edited in place. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "format.h"
#include "ooxml.h"
#include "redstar.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_EOCD64_LOC 0x07064b50u
#define EXTRA_GROWTH_HINT 0xA220
#define EXTRA_ZIP64 0x0001

#define MAX_ENTRIES 65535                 /* members walked (no Zip64 rebuild) */
#define MAX_INFLATE (64u << 20)           /* bytes out of one member */
#define MAX_RATIO 200                     /* out/in above 1 MiB: a bomb */
#define MAX_INFLATE_TOTAL (256u << 20)    /* bytes inflated per archive */
#define MAX_REBUILD (256u << 20)          /* bytes of rebuilt members and directory */
#define DOS_DATE_1980 0x0021              /* 1980-01-01 */

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    (void)size;
    if (n >= 30 && ld_u32le(h) == SIG_LOCAL) return UM_PROBE_MAX;
    if (n >= 22 && ld_u32le(h) == SIG_EOCD) return UM_PROBE_EXT;  /* empty archive */
    return 0;
}

/* The growth-hint padding of the first local header, as [from, to), or 0/0. The
 * field is: id 0xA220, size, signature 0xA028, padding value, then padding bytes. */
static void growth_hint_padding(const uint8_t *d, uint64_t size, uint64_t *from, uint64_t *to)
{
    *from = *to = 0;
    if (size < 30 || ld_u32le(d) != SIG_LOCAL) return;
    uint64_t name_len = ld_u16le(d + 26), extra_len = ld_u16le(d + 28);
    uint64_t pos = 30 + name_len, end = pos + extra_len;
    if (end > size) return;
    while (pos + 4 <= end) {
        uint16_t id = ld_u16le(d + pos), len = ld_u16le(d + pos + 2);
        if (pos + 4 + len > end) return;
        if (id == EXTRA_GROWTH_HINT && len >= 4) {
            *from = pos + 8;
            *to = pos + 4 + len;
            return;
        }
        pos += 4 + (uint64_t)len;
    }
}

/* Reports non-zero bytes in the growth-hint padding other than a Red Star mark
 * already reported (a place where data hides, invisible to ZIP tools). */
static int check_padding(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t from, uint64_t to,
                         uint64_t skip_from, uint64_t skip_to)
{
    uint64_t first = 0, last = 0;
    bool any = false;
    for (uint64_t i = from; i < to; i++) {
        if (i >= skip_from && i < skip_to) continue;
        if (d[i]) {
            if (!any) first = i;
            last = i;
            any = true;
        }
    }
    if (!any) return 0;
    struct um_finding_spec s = {
        .kind = UM_K_NONZERO_PADDING, .severity = UM_SEV_HIGH,
        .where = "zip/local[0]/extra/0xa220/padding",
        .offset = first, .length = last + 1 - first,
    };
    int idx = um_report(ctx, &s);
    if (idx < 0) return idx;
    return um_plan(ctx, idx, UM_OP_ZERO, first, last + 1 - first, NULL);
}

struct archive {
    uint64_t eocd, end;         /* end record offset; end of the archive (after comment) */
    uint64_t cd_off, cd_size;
    uint64_t entries;
    bool zip64;
};

/* Finds the end of the archive: the EOCD record (searched backwards through the
 * largest possible comment), checked against its central directory. */
static int find_end(const uint8_t *d, uint64_t size, struct archive *a)
{
    if (size < 22) return UM_E_TRUNC;
    uint64_t lowest = size > 22 + 65535 ? size - 22 - 65535 : 0;
    for (uint64_t pos = size - 22 + 1; pos-- > lowest;) {
        if (d[pos] != 0x50 || ld_u32le(d + pos) != SIG_EOCD) continue;
        uint64_t comment = ld_u16le(d + pos + 20);
        uint64_t cd_size = ld_u32le(d + pos + 12), cd_off = ld_u32le(d + pos + 16);
        uint64_t entries = ld_u16le(d + pos + 10);
        if (pos + 22 + comment > size) continue;
        bool zip64 = cd_off == 0xFFFFFFFFu || cd_size == 0xFFFFFFFFu || entries == 0xFFFF;
        if (zip64 && pos >= 20 && ld_u32le(d + pos - 20) == SIG_EOCD64_LOC) {
            uint64_t rec = ld_u64le(d + pos - 20 + 8);
            if (rec <= pos && pos - rec >= 56 && ld_u32le(d + rec) == SIG_EOCD64) {
                entries = ld_u64le(d + rec + 32);
                cd_size = ld_u64le(d + rec + 40);
                cd_off = ld_u64le(d + rec + 48);
            }
        }
        /* A stray signature inside appended bytes fails this consistency check. */
        if (cd_off > pos || cd_size > pos - cd_off) continue;
        if (entries && (cd_off + 4 > size || ld_u32le(d + cd_off) != SIG_CENTRAL)) continue;
        a->eocd = pos;
        a->end = pos + 22 + comment;
        a->cd_off = cd_off;
        a->cd_size = cd_size;
        a->entries = entries;
        a->zip64 = zip64;
        return 0;
    }
    return UM_E_FORMAT;
}

/* ---- the central directory ---- */

struct member {
    char name[512];
    uint16_t flags, method;
    uint64_t csize, usize, local_off;
    uint64_t cd_pos, cd_len;     /* its central directory entry */
    uint64_t data_off;           /* after the local header */
    uint64_t span_end;           /* where the next member (or the directory) starts */
    uint8_t *new_lh;             /* rebuilt local header + data, or NULL */
    size_t new_len;
    uint32_t new_crc;
    uint64_t new_csize, new_usize;
    size_t order;                /* its index in file order */
    bool trimmed;                /* new_lh is its own bytes without hidden data after */
};

static int cmp_local(const void *a, const void *b)
{
    const struct member *const *x = a, *const *y = b;
    return (*x)->local_off < (*y)->local_off ? -1 : (*x)->local_off > (*y)->local_off;
}

/* Reads the entries; stops at the directory's end whatever the record claims. */
static int walk_cd(const uint8_t *d, uint64_t size, const struct archive *a, struct member **out,
                   size_t *n)
{
    uint64_t pos = a->cd_off, end = a->cd_off + a->cd_size;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    while (pos + 46 <= end && ld_u32le(d + pos) == SIG_CENTRAL) {
        if (*n >= MAX_ENTRIES) return UM_E_LIMIT;
        uint64_t nl = ld_u16le(d + pos + 28), el = ld_u16le(d + pos + 30), cl = ld_u16le(d + pos + 32);
        uint64_t len = 46 + nl + el + cl;
        if (len > end - pos) return UM_E_TRUNC;
        if (*n == cap) {
            cap = cap ? cap * 2 : 32;
            struct member *m = realloc(*out, cap * sizeof *m);
            if (!m) return -ENOMEM;
            *out = m;
        }
        struct member *m = &(*out)[(*n)++];
        memset(m, 0, sizeof *m);
        m->flags = ld_u16le(d + pos + 8);
        m->method = ld_u16le(d + pos + 10);
        m->csize = ld_u32le(d + pos + 20);
        m->usize = ld_u32le(d + pos + 24);
        m->local_off = ld_u32le(d + pos + 42);
        m->cd_pos = pos;
        m->cd_len = len;
        size_t copy = nl < sizeof m->name - 1 ? (size_t)nl : sizeof m->name - 1;
        memcpy(m->name, d + pos + 46, copy);
        m->name[copy] = 0;
        for (size_t i = 0; i < copy; i++)
            if (!m->name[i]) m->name[i] = '?';   /* a NUL would cut the name short */
        /* Zip64 extra: the 64-bit values, in this order, for the fields that are
         * 0xFFFFFFFF. */
        for (uint64_t e = pos + 46 + nl; e + 4 <= pos + 46 + nl + el;) {
            uint16_t id = ld_u16le(d + e), fl = ld_u16le(d + e + 2);
            if (e + 4 + fl > pos + 46 + nl + el) break;
            if (id == EXTRA_ZIP64) {
                uint64_t f = e + 4, fe = e + 4 + fl;
                if (m->usize == 0xFFFFFFFFu && f + 8 <= fe) m->usize = ld_u64le(d + f), f += 8;
                if (m->csize == 0xFFFFFFFFu && f + 8 <= fe) m->csize = ld_u64le(d + f), f += 8;
                if (m->local_off == 0xFFFFFFFFu && f + 8 <= fe) m->local_off = ld_u64le(d + f);
            }
            e += 4 + (uint64_t)fl;
        }
        /* The local header: its own name and extra lengths give where data starts. */
        if (m->local_off > a->cd_off || a->cd_off - m->local_off < 30 ||
            ld_u32le(d + m->local_off) != SIG_LOCAL)
            return UM_E_FORMAT;
        uint64_t lnl = ld_u16le(d + m->local_off + 26), lel = ld_u16le(d + m->local_off + 28);
        m->data_off = m->local_off + 30 + lnl + lel;
        if (m->data_off > a->cd_off || m->csize > a->cd_off - m->data_off) return UM_E_FORMAT;
        pos += len;
    }
    (void)size;
    return 0;
}

/* ---- inflating ---- */

/* Inflates a raw-deflate member into *out (malloc'd), capped in size and ratio. */
static int inflate_member(const uint8_t *src, uint64_t csize, uint8_t **out, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return -ENOMEM;
    size_t cap = 64 * 1024, len = 0;
    uint8_t *buf = malloc(cap);
    int err = 0;
    if (!buf) {
        err = -ENOMEM;
        goto end;
    }
    const uint8_t *p = src;
    uint64_t left = csize;
    for (;;) {
        if (len == cap) {
            if (cap >= MAX_INFLATE) {
                err = UM_E_LIMIT;
                goto end;
            }
            cap *= 2;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                err = -ENOMEM;
                goto end;
            }
            buf = nb;
        }
        uInt chunk = left > (1u << 30) ? (1u << 30) : (uInt)left;
        z.next_in = (Bytef *)p;
        z.avail_in = chunk;
        z.next_out = buf + len;
        z.avail_out = (uInt)(cap - len);
        int r = inflate(&z, Z_NO_FLUSH);
        p += chunk - z.avail_in;
        left -= chunk - z.avail_in;
        len = cap - z.avail_out;
        if (len > (1u << 20) && len / MAX_RATIO > csize) {
            err = UM_E_LIMIT;
            goto end;
        }
        if (r == Z_STREAM_END) break;
        if (r == Z_BUF_ERROR && !left) {
            err = UM_E_TRUNC;
            goto end;
        }
        if (r != Z_OK && r != Z_BUF_ERROR) {
            err = UM_E_FORMAT;
            goto end;
        }
    }
    *out = buf;
    *outlen = len;
    buf = NULL;
end:
    inflateEnd(&z);
    free(buf);
    return err;
}

/* Raw deflate of in[0..n) into a new buffer, after `reserve` bytes left for the
 * caller (the local header), so that the member is built without a second copy. */
static int deflate_bytes(const uint8_t *in, size_t n, size_t reserve, uint8_t **out, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) return -ENOMEM;
    size_t cap = deflateBound(&z, (uLong)n);
    uint8_t *buf = malloc(reserve + cap);
    if (!buf) {
        deflateEnd(&z);
        return -ENOMEM;
    }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = buf + reserve;
    z.avail_out = (uInt)cap;
    int r = deflate(&z, Z_FINISH);
    *outlen = cap - z.avail_out;
    deflateEnd(&z);
    if (r != Z_STREAM_END) {
        free(buf);
        return UM_E_FORMAT;
    }
    *out = buf;
    return 0;
}

/* ---- per-member work ---- */

static bool is_av(const char *name)
{
    static const char *const ext[] = { ".mp4", ".m4v", ".mov", ".m4a", ".mp3", ".wav", ".wma", ".wmv",
                                       ".avi", ".mkv", ".webm", ".3gp", ".ogg", ".flac", ".aac" };
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
        size_t e = strlen(ext[i]);
        if (n > e && strcasecmp(name + n - e, ext[i]) == 0) return true;
    }
    return false;
}

static bool is_image(const char *name)
{
    static const char *const ext[] = { ".jpg", ".jpeg", ".png", ".gif", ".tif", ".tiff", ".bmp",
                                       ".webp", ".heic", ".jxl" };
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
        size_t e = strlen(ext[i]);
        if (n > e && strcasecmp(name + n - e, ext[i]) == 0) return true;
    }
    return false;
}

struct zscan {
    struct um_scan_ctx *ctx;
    const uint8_t *d;
    struct archive a;
    struct member *m;
    size_t n;
    int *findings;          /* removed by the rebuild */
    size_t nfindings;
    uint64_t inflated;
    size_t encrypted;
    bool rebuild_ok;
    const char *why_not;    /* when the rebuild is impossible */
    int times;              /* the member timestamps finding, or -1 */
    int comments;           /* the archive and member comments finding, or -1 */
};

/* Sets a local header's (or central entry's) DOS time to 1980-01-01 00:00 and zeroes
 * the times in its extended-timestamp extra fields (0x5455 "UT", 0x000A NTFS, 0x5855
 * old Info-ZIP Unix). h is a copy of the header of hl bytes. Returns true when
 * anything changed, i.e. the header dated the member. */
static bool norm_times(uint8_t *h, size_t hl, bool central)
{
    size_t base = central ? 46 : 30, tpos = central ? 12 : 10;
    if (hl < base) return false;
    size_t nl = ld_u16le(h + (central ? 28 : 26)), el = ld_u16le(h + (central ? 30 : 28));
    bool changed = ld_u16le(h + tpos) != 0 || ld_u16le(h + tpos + 2) != DOS_DATE_1980;
    h[tpos] = h[tpos + 1] = 0;
    h[tpos + 2] = DOS_DATE_1980 & 0xFF, h[tpos + 3] = DOS_DATE_1980 >> 8;
    size_t e = base + nl, end = base + nl + el;
    if (end > hl) end = hl;
    while (e + 4 <= end) {
        uint16_t id = ld_u16le(h + e), len = ld_u16le(h + e + 2);
        if (e + 4 + len > end) break;
        uint8_t *x = h + e + 4;
        size_t from = 0, to = 0;
        if (id == 0x5455) from = 1, to = len;                 /* flags, then times */
        else if (id == 0x5855) from = 0, to = len < 8 ? len : 8;   /* atime, mtime */
        if (id == 0x000A) {
            for (size_t a = 4; a + 4 <= len;) {
                uint16_t tag = ld_u16le(x + a), sz = ld_u16le(x + a + 2);
                if (a + 4 + sz > len) break;
                if (tag == 1 && sz >= 24)
                    for (size_t k = 0; k < 24; k++) changed |= x[a + 4 + k] != 0, x[a + 4 + k] = 0;
                a += 4 + (size_t)sz;
            }
        }
        for (size_t k = from; k < to; k++) changed |= x[k] != 0, x[k] = 0;
        e += 4 + (size_t)len;
    }
    return changed;
}

/* Plans same-length replacements for what norm_times changes in the header at off. */
static int plan_norm(struct zscan *z, int idx, uint64_t off, uint64_t hl, bool central)
{
    uint8_t *h = malloc(hl);
    if (!h) return -ENOMEM;
    memcpy(h, z->d + off, hl);
    int err = 0;
    if (norm_times(h, hl, central)) {
        for (uint64_t i = 0; i < hl && !err;) {
            if (h[i] == z->d[off + i]) {
                i++;
                continue;
            }
            uint64_t j = i;
            while (j < hl && h[j] != z->d[off + j]) j++;
            err = um_plan(z->ctx, idx, UM_OP_REPLACE, off + i, j - i, h + i);
            i = j;
        }
    }
    free(h);
    return err;
}

/* The rebuilt local header and data of member m from its cleaned bytes. */
static int rebuild_member(struct zscan *z, struct member *m, const uint8_t *clean, size_t n)
{
    const uint8_t *lh = z->d + m->local_off;
    uint64_t nl = ld_u16le(lh + 26), el = ld_u16le(lh + 28);
    /* The first header keeps its extra field (the growth-hint padding the Red Star
     * check and zeroing rely on); others drop theirs (they may hold timestamps). */
    uint64_t keep_extra = m->local_off == 0 ? el : 0;
    uint64_t hl = 30 + nl + keep_extra;
    if (n > UINT32_MAX) return UM_E_LIMIT;
    /* A stored member stays stored (an EPUB's or ODF's layout may rely on it). */
    bool store = m->method == 0;
    uint8_t *b;
    size_t clen;
    if (store) {
        if (!(b = malloc(hl + n))) return -ENOMEM;
        memcpy(b + hl, clean, n);
        clen = n;
    } else {
        int err = deflate_bytes(clean, n, hl, &b, &clen);
        if (err) return err;
        if (clen > UINT32_MAX) {
            free(b);
            return UM_E_LIMIT;
        }
    }
    memcpy(b, lh, 30 + nl + keep_extra);
    uint16_t flags = (uint16_t)(ld_u16le(lh + 6) & 0x0800);   /* keep only "UTF-8 name" */
    uint32_t crc = (uint32_t)crc32(0L, clean, (uInt)n);
    uint8_t *h = b;
    h[6] = (uint8_t)flags, h[7] = (uint8_t)(flags >> 8);
    h[8] = store ? 0 : 8, h[9] = 0;
    h[10] = h[11] = 0;                                    /* 00:00:00 */
    h[12] = DOS_DATE_1980 & 0xFF, h[13] = DOS_DATE_1980 >> 8;
    for (int i = 0; i < 4; i++) {
        h[14 + i] = (uint8_t)(crc >> (8 * i));
        h[18 + i] = (uint8_t)(clen >> (8 * i));
        h[22 + i] = (uint8_t)((uint64_t)n >> (8 * i));
    }
    h[28] = (uint8_t)keep_extra, h[29] = (uint8_t)(keep_extra >> 8);
    norm_times(b, hl, false);
    m->new_lh = b;
    m->new_len = hl + clen;
    m->new_crc = crc;
    m->new_csize = clen;
    m->new_usize = n;
    return 0;
}

static int add_findings(struct zscan *z, const int *f, size_t n)
{
    if (!n) return 0;
    int *nf = realloc(z->findings, (z->nfindings + n) * sizeof *nf);
    if (!nf) return -ENOMEM;
    memcpy(nf + z->nfindings, f, n * sizeof *f);
    z->findings = nf;
    z->nfindings += n;
    return 0;
}

static int scan_part(struct zscan *z, struct member *m, enum um_docpart part)
{
    const uint8_t *xml;
    uint8_t *buf = NULL;
    size_t len;
    int err;
    if (m->method == 0) {
        xml = z->d + m->data_off;
        len = (size_t)m->csize;
        if (len > MAX_INFLATE) return UM_E_LIMIT;
    } else if (m->method == 8) {
        if (z->inflated >= MAX_INFLATE_TOTAL) return UM_E_LIMIT;
        err = inflate_member(z->d + m->data_off, m->csize, &buf, &len);
        if (err) return err;
        z->inflated += len;
        xml = buf;
    } else {
        return 0;   /* another compression method: not read */
    }
    struct um_docxml_result r;
    err = um_docxml_scan(z->ctx, part, m->name, xml, len, m->local_off, m->span_end - m->local_off, &r);
    if (!err && r.cleaned) {
        if ((err = rebuild_member(z, m, r.cleaned, r.cleaned_len)) == 0)
            err = add_findings(z, r.findings, r.nfindings);
    }
    um_docxml_result_free(&r);
    free(buf);
    if (err == UM_E_FORMAT && len > 0) {
        /* A metadata part that does not parse cannot be vouched for: say so. */
        char where[600];
        snprintf(where, sizeof where, "zip/%s", m->name);
        struct um_finding_spec s = {
            .kind = UM_K_CONTENT, .severity = UM_SEV_MEDIUM, .where = where, .key = "unreadable",
            .offset = m->local_off, .length = m->span_end - m->local_off,
            .note = "a metadata part that is not well-formed XML: not read, not changed",
        };
        int idx = um_report(z->ctx, &s);
        return idx < 0 ? idx : 0;
    }
    return err == UM_E_FORMAT ? 0 : err;
}

/* ---- images inside the archive ----
 *
 * Their metadata is removed here, not by the image handlers through
 * um_scan_embedded: an edit inside a stored member would leave the member's CRC
 * stale (a damaged archive), and a deflated member cannot be edited in place at
 * all. So the image is read (inflated when needed), its metadata blocks are reported
 * and dropped, and the member is rebuilt like an XML part. */

struct strip {
    struct zscan *z;
    struct member *m;
    char where[600];
    uint8_t *out;      /* the image without its metadata */
    size_t len, cap;
    int *findings;
    size_t nfindings;
    int err;
};

static void put(struct strip *st, const uint8_t *p, size_t n)
{
    if (st->err) return;
    if (st->len + n > st->cap) {
        size_t cap = st->cap ? st->cap : 4096;
        while (cap < st->len + n) cap *= 2;
        uint8_t *o = realloc(st->out, cap);
        if (!o) {
            st->err = -ENOMEM;
            return;
        }
        st->out = o;
        st->cap = cap;
    }
    memcpy(st->out + st->len, p, n);
    st->len += n;
}

static void found(struct strip *st, enum um_kind kind, enum um_severity sev, const char *key,
                  const uint8_t *value, size_t vlen, const char *ns)
{
    if (st->err) return;
    int idx;
    if (ns) {
        idx = um_report_classified(st->z->ctx, ns, st->where, key, value, vlen, st->m->local_off,
                                   st->m->span_end - st->m->local_off);
        if (idx == UM_NOT_IDENTIFYING) return;
    } else {
        struct um_finding_spec s = {
            .kind = kind, .severity = sev, .where = st->where, .key = key, .value = value,
            .value_len = vlen, .offset = st->m->local_off, .length = st->m->span_end - st->m->local_off,
        };
        idx = um_report(st->z->ctx, &s);
    }
    if (idx < 0) {
        st->err = idx;
        return;
    }
    int *f = realloc(st->findings, (st->nfindings + 1) * sizeof *f);
    if (!f) {
        st->err = -ENOMEM;
        return;
    }
    st->findings = f;
    f[st->nfindings++] = idx;
}

/* What an EXIF (TIFF) block reveals, from the tags of IFD0 and the Exif IFD: GPS
 * makes it a location, a serial number a device id, make/model a device model. */
static enum um_kind exif_kind(const uint8_t *t, size_t n)
{
    if (n < 8) return UM_K_CONTENT;
    bool le = t[0] == 'I';
    #define U16(p) (le ? ld_u16le(p) : ld_u16be(p))
    #define U32(p) (le ? ld_u32le(p) : ld_u32be(p))
    enum um_kind kind = UM_K_CONTENT;
    uint64_t ifd = U32(t + 4);
    for (int pass = 0; pass < 2 && ifd && ifd + 2 <= n; pass++) {
        uint64_t cnt = U16(t + ifd), next = 0;
        for (uint64_t i = 0; i < cnt && ifd + 2 + 12 * (i + 1) <= n; i++) {
            const uint8_t *e = t + ifd + 2 + 12 * i;
            uint16_t tag = U16(e);
            if (tag == 0x8825) return UM_K_LOCATION;
            if (tag == 0xA431 || tag == 0xA435 || tag == 0xA420) kind = UM_K_DEVICE_ID;
            if ((tag == 0x010F || tag == 0x0110) && kind == UM_K_CONTENT) kind = UM_K_DEVICE_MODEL;
            if (tag == 0x8769) next = U32(e + 8);
        }
        ifd = next;
    }
    return kind;
    #undef U16
    #undef U32
}

static void strip_jpeg(struct strip *st, const uint8_t *d, size_t n)
{
    size_t i = 2;
    put(st, d, 2);
    while (i + 4 <= n && !st->err) {
        if (d[i] != 0xFF) return;   /* not a marker: leave the image alone */
        uint8_t mk = d[i + 1];
        if (mk == 0xFF) {
            i++;
            continue;
        }
        if (mk == 0x01 || (mk >= 0xD0 && mk <= 0xD7)) {   /* markers without a length */
            put(st, d + i, 2);
            i += 2;
            continue;
        }
        if (mk == 0xDA || mk == 0xD9) {
            /* Entropy-coded data to the last EOI; anything after it is appended. */
            size_t end = n;
            while (end >= i + 2 && !(d[end - 2] == 0xFF && d[end - 1] == 0xD9)) end--;
            if (end < i + 2) end = n;
            put(st, d + i, end - i);
            if (end < n) {
                char v[48];
                snprintf(v, sizeof v, "%zu bytes after EOI", n - end);
                found(st, UM_K_APPENDED_DATA, UM_SEV_HIGH, "after JPEG EOI", (const uint8_t *)v, strlen(v), NULL);
            }
            return;
        }
        size_t len = ld_u16be(d + i + 2);
        if (len < 2 || i + 2 + len > n) return;
        const uint8_t *pl = d + i + 4;
        size_t pn = len - 2;
        bool drop = false;
        if (mk == 0xE1 && pn >= 6 && memcmp(pl, "Exif\0\0", 6) == 0) {
            found(st, exif_kind(pl + 6, pn - 6), UM_SEV_HIGH, "APP1/Exif",
                  (const uint8_t *)"EXIF block", 10, NULL);
            drop = true;
        } else if (mk == 0xE1) {
            found(st, UM_K_DOCUMENT_ID, UM_SEV_MEDIUM, "APP1/XMP", (const uint8_t *)"XMP packet", 10, NULL);
            drop = true;
        } else if (mk == 0xED) {
            found(st, UM_K_CONTENT, UM_SEV_MEDIUM, "APP13/Photoshop", (const uint8_t *)"IPTC/IRB", 8, NULL);
            drop = true;
        } else if (mk == 0xFE) {
            found(st, UM_K_CONTENT, UM_SEV_LOW, "COM", pl, pn > 200 ? 200 : pn, NULL);
            drop = true;
        } else if ((mk >= 0xE3 && mk <= 0xEC) || mk == 0xEF || (mk == 0xE2 && !(pn >= 12 && memcmp(pl, "ICC_PROFILE", 11) == 0))) {
            char key[16];
            snprintf(key, sizeof key, "APP%d", mk - 0xE0);
            found(st, UM_K_CONTENT, UM_SEV_LOW, key, (const uint8_t *)"application segment", 19, NULL);
            drop = true;
        }
        if (!drop) put(st, d + i, 2 + len);
        i += 2 + len;
    }
}

static void strip_png(struct strip *st, const uint8_t *d, size_t n)
{
    size_t i = 8;
    put(st, d, 8);
    while (i + 12 <= n && !st->err) {
        uint64_t len = ld_u32be(d + i);
        if (len > n - i - 12) return;
        const uint8_t *type = d + i + 4, *pl = d + i + 8;
        char t[5] = { (char)type[0], (char)type[1], (char)type[2], (char)type[3], 0 };
        bool drop = false;
        if (!memcmp(t, "tEXt", 4) || !memcmp(t, "zTXt", 4) || !memcmp(t, "iTXt", 4)) {
            const uint8_t *nul = memchr(pl, 0, (size_t)len);
            char key[80];
            size_t kl = nul ? (size_t)(nul - pl) : (size_t)len;
            if (kl >= sizeof key) kl = sizeof key - 1;
            memcpy(key, pl, kl);
            key[kl] = 0;
            size_t vo = nul ? kl + 1 : (size_t)len;
            uint8_t text[512];
            size_t tn = 0;
            const uint8_t *v = pl + vo;
            size_t vn = (size_t)len - vo;
            bool compressed = !memcmp(t, "zTXt", 4);
            if (!memcmp(t, "iTXt", 4)) {
                /* flag, method, language\0, translated keyword\0, text */
                compressed = vn >= 2 && v[0] == 1;
                size_t k = 2, zeros = 0;
                while (k < vn && zeros < 2) zeros += v[k++] == 0;
                v += k < vn ? k : vn;
                vn -= k < vn ? k : vn;
            } else if (compressed) {
                v += vn ? 1 : 0, vn -= vn ? 1 : 0;   /* the method byte */
            }
            if (compressed) {
                /* Show the start of the text: inflate at most sizeof text bytes. */
                z_stream zs;
                memset(&zs, 0, sizeof zs);
                if (inflateInit(&zs) == Z_OK) {
                    zs.next_in = (Bytef *)v;
                    zs.avail_in = (uInt)vn;
                    zs.next_out = text;
                    zs.avail_out = sizeof text;
                    inflate(&zs, Z_SYNC_FLUSH);
                    tn = sizeof text - zs.avail_out;
                    inflateEnd(&zs);
                }
                v = text;
                vn = tn;
            }
            found(st, UM_K_CONTENT, UM_SEV_LOW, key, v, vn, "png");
            drop = true;
        } else if (!memcmp(t, "tIME", 4)) {
            char v[32] = "";
            if (len >= 7)
                snprintf(v, sizeof v, "%04u-%02u-%02u %02u:%02u:%02u", ld_u16be(pl), pl[2], pl[3], pl[4], pl[5], pl[6]);
            found(st, UM_K_TIMESTAMP, UM_SEV_LOW, "tIME", (const uint8_t *)v, strlen(v), "png");
            drop = true;
        } else if (!memcmp(t, "eXIf", 4)) {
            found(st, exif_kind(pl, (size_t)len), UM_SEV_HIGH, "eXIf", (const uint8_t *)"EXIF block", 10, NULL);
            drop = true;
        }
        if (!drop) put(st, d + i, (size_t)len + 12);
        i += (size_t)len + 12;
        if (!memcmp(t, "IEND", 4)) {
            if (i < n) {
                char v[48];
                snprintf(v, sizeof v, "%zu bytes after IEND", n - i);
                found(st, UM_K_APPENDED_DATA, UM_SEV_HIGH, "after PNG IEND", (const uint8_t *)v, strlen(v), NULL);
            }
            return;
        }
    }
}

static int scan_image(struct zscan *z, struct member *m)
{
    uint8_t *buf = NULL;
    const uint8_t *img;
    size_t len;
    int err = 0;
    if (m->method == 0) {
        img = z->d + m->data_off;
        len = (size_t)m->csize;
    } else if (m->method == 8 && z->inflated < MAX_INFLATE_TOTAL) {
        err = inflate_member(z->d + m->data_off, m->csize, &buf, &len);
        if (err == UM_E_LIMIT) err = 0, buf = NULL;   /* a big picture: reported below */
        if (err) return err == -ENOMEM ? err : 0;
        z->inflated += len;
        img = buf;
    } else {
        img = NULL;
        len = 0;
    }
    struct strip st = { .z = z, .m = m };
    snprintf(st.where, sizeof st.where, "zip/%s", m->name);
    bool known = false;
    if (img && len >= 4 && img[0] == 0xFF && img[1] == 0xD8) known = true, strip_jpeg(&st, img, len);
    else if (img && len >= 8 && memcmp(img, "\x89PNG\r\n\x1a\n", 8) == 0) known = true, strip_png(&st, img, len);
    err = st.err;
    if (!err && !known) {
        char value[64];
        snprintf(value, sizeof value, "%llu bytes", (unsigned long long)m->usize);
        struct um_finding_spec s = {
            .kind = UM_K_EMBEDDED_MEDIA, .severity = UM_SEV_INFO, .where = st.where, .key = m->name,
            .value = (const uint8_t *)value, .value_len = strlen(value),
            .offset = m->local_off, .length = m->span_end - m->local_off,
            .note = "an image format not inspected inside archives (only JPEG and PNG are)",
        };
        int idx = um_report(z->ctx, &s);
        if (idx < 0) err = idx;
    }
    if (!err && st.nfindings) {
        err = rebuild_member(z, m, st.out, st.len);
        if (!err) err = add_findings(z, st.findings, st.nfindings);
    }
    free(st.out);
    free(st.findings);
    free(buf);
    return err;
}

/* Plans the splices: each rewritten member, then the directory and end record. */
static int plan_rebuild(struct zscan *z, struct member **order, uint64_t pad_from, uint64_t pad_to)
{
    int err;
    int64_t delta = 0;
    uint64_t total = 0;
    for (size_t i = 0; i < z->n; i++) total += order[i]->new_lh ? order[i]->new_len : 0;
    total += z->a.end - z->a.cd_off;
    if (total > MAX_REBUILD) {
        int err2 = 0;
        for (size_t i = 0; i < z->nfindings && !err2; i++)
            err2 = um_note(z->ctx, z->findings[i], "not removed: the rebuilt members would exceed 256 MiB");
        return err2;
    }
    /* New local header offsets, in file order. */
    uint64_t *new_off = malloc(z->n * sizeof *new_off);
    if (!new_off) return -ENOMEM;
    for (size_t i = 0; i < z->n; i++) {
        struct member *m = order[i];
        new_off[i] = (uint64_t)((int64_t)m->local_off + delta);
        if (!m->new_lh) continue;
        uint64_t old_len = m->span_end - m->local_off;
        if (m->local_off == 0 && pad_to > pad_from && pad_to <= m->new_len) {
            /* Around the growth-hint padding, which keeps its bytes and its own
             * zeroing edits (Red Star mark, hidden data). */
            err = um_plan_splice(z->ctx, z->findings, z->nfindings, 0, pad_from, m->new_lh, pad_from);
            if (!err)
                err = um_plan_splice(z->ctx, z->findings, z->nfindings, pad_to, old_len - pad_to,
                                     m->new_lh + pad_to, m->new_len - pad_to);
        } else {
            err = um_plan_splice(z->ctx, z->findings, z->nfindings, m->local_off, old_len, m->new_lh,
                                 m->new_len);
        }
        if (err) goto end;
        delta += (int64_t)m->new_len - (int64_t)old_len;
    }
    /* The directory, in its own order, with new offsets and the rewritten values. */
    uint64_t cd_len = 0;
    for (size_t i = 0; i < z->n; i++) {
        const uint8_t *e = z->d + z->m[i].cd_pos;
        bool rewritten = z->m[i].new_lh && !z->m[i].trimmed;
        cd_len += rewritten ? 46 + (uint64_t)ld_u16le(e + 28) + ld_u16le(e + 32) : z->m[i].cd_len;
    }
    uint64_t eocd_len = z->a.end - z->a.eocd;
    uint8_t *cd = malloc(cd_len + eocd_len);
    if (!cd) {
        err = -ENOMEM;
        goto end;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < z->n; i++) {
        const struct member *m = &z->m[i];
        const uint8_t *e = z->d + m->cd_pos;
        uint64_t nl = ld_u16le(e + 28), el = ld_u16le(e + 30), cl = ld_u16le(e + 32);
        uint8_t *o = cd + w;
        size_t k = m->order;
        if (m->new_lh && !m->trimmed) {
            memcpy(o, e, 46 + nl);
            memcpy(o + 46 + nl, e + 46 + nl + el, cl);   /* drop the extra, keep the comment */
            if (z->comments >= 0) memset(o + 46 + nl, 0, cl);
            uint16_t flags = (uint16_t)(ld_u16le(e + 8) & 0x0800);
            o[8] = (uint8_t)flags, o[9] = (uint8_t)(flags >> 8);
            o[10] = m->method == 0 ? 0 : 8, o[11] = 0, o[12] = o[13] = 0;
            o[14] = DOS_DATE_1980 & 0xFF, o[15] = DOS_DATE_1980 >> 8;
            for (int b = 0; b < 4; b++) {
                o[16 + b] = (uint8_t)(m->new_crc >> (8 * b));
                o[20 + b] = (uint8_t)(m->new_csize >> (8 * b));
                o[24 + b] = (uint8_t)(m->new_usize >> (8 * b));
            }
            o[30] = o[31] = 0;
            w += 46 + nl + cl;
        } else {
            memcpy(o, e, m->cd_len);
            if (z->times >= 0) norm_times(o, m->cd_len, true);
            if (z->comments >= 0) memset(o + 46 + nl + el, 0, cl);
            w += m->cd_len;
        }
        for (int b = 0; b < 4; b++) o[42 + b] = (uint8_t)(new_off[k] >> (8 * b));
    }
    uint64_t new_cd_off = (uint64_t)((int64_t)z->a.cd_off + delta);
    memcpy(cd + w, z->d + z->a.eocd, eocd_len);
    if (z->comments >= 0) memset(cd + w + 22, 0, eocd_len - 22);
    /* The counts are what the directory holds (a record that lied is corrected). */
    for (int b = 0; b < 2; b++) {
        cd[w + 8 + b] = (uint8_t)(z->n >> (8 * b));
        cd[w + 10 + b] = (uint8_t)(z->n >> (8 * b));
    }
    for (int b = 0; b < 4; b++) {
        cd[w + 12 + b] = (uint8_t)(cd_len >> (8 * b));
        cd[w + 16 + b] = (uint8_t)(new_cd_off >> (8 * b));
    }
    err = um_plan_splice(z->ctx, z->findings, z->nfindings, z->a.cd_off, z->a.end - z->a.cd_off, cd,
                         cd_len + eocd_len);
    free(cd);
end:
    free(new_off);
    return err;
}

/* Bytes inside the archive that no member owns: between a member's data (and its
 * data descriptor) and the next header, or between the directory and the end
 * record. Readers skip them, so data can hide there. Zero bytes are harmless. */
static uint64_t owned_end(const struct zscan *z, const struct member *m)
{
    uint64_t end = m->data_off + m->csize, room = m->span_end - end;
    if (m->flags & 8) {
        /* The data descriptor: signature optional, sizes 32 or 64 bits. */
        bool sig = room >= 4 && ld_u32le(z->d + end) == 0x08074b50u;
        uint64_t dd = sig ? (room == 24 ? 24 : 16) : (room == 20 ? 20 : 12);
        end += dd < room ? dd : room;
    }
    return end;
}

static bool nonzero(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i]) return true;
    return false;
}

static bool dir_gap(const struct zscan *z)
{
    uint64_t from = z->a.cd_off + z->a.cd_size;
    return !z->a.zip64 && z->a.eocd > from && nonzero(z->d + from, z->a.eocd - from);
}

static bool member_gap(const struct zscan *z, const struct member *m)
{
    uint64_t from = owned_end(z, m);
    return m->span_end > from && nonzero(z->d + from, m->span_end - from);
}

/* Reports one gap; with the rebuild it goes (the member is trimmed, the directory
 * rebuilt), without it is zeroed. */
static int report_gap(struct zscan *z, uint64_t from, uint64_t to, bool rebuild, const char *where)
{
    uint64_t first = from, last = to;
    while (first < to && !z->d[first]) first++;
    if (first == to) return 0;
    while (last > first && !z->d[last - 1]) last--;
    struct um_finding_spec s = {
        .kind = UM_K_NONZERO_PADDING, .severity = UM_SEV_HIGH, .where = where,
        .offset = first, .length = last - first,
        .note = "bytes inside the archive that no member owns",
    };
    int idx = um_report(z->ctx, &s);
    if (idx < 0) return idx;
    if (rebuild) return add_findings(z, &idx, 1);
    return um_plan(z->ctx, idx, UM_OP_ZERO, first, last - first, NULL);
}

static int report_gaps(struct zscan *z, bool rebuild)
{
    int err = 0;
    for (size_t i = 0; i < z->n && !err; i++) {
        struct member *m = &z->m[i];
        if (!member_gap(z, m)) continue;
        char where[600];
        snprintf(where, sizeof where, "zip/%s/after", m->name);
        uint64_t end = owned_end(z, m);
        err = report_gap(z, end, m->span_end, rebuild, where);
        if (err || !rebuild || m->new_lh) continue;
        /* Its own bytes, without what follows them. */
        m->new_len = end - m->local_off;
        m->new_lh = malloc(m->new_len ? m->new_len : 1);
        if (!m->new_lh) return -ENOMEM;
        memcpy(m->new_lh, z->d + m->local_off, m->new_len);
        if (z->times >= 0) norm_times(m->new_lh, m->data_off - m->local_off, false);
        m->trimmed = true;
    }
    if (!err && dir_gap(z))
        err = report_gap(z, z->a.cd_off + z->a.cd_size, z->a.eocd, rebuild, "zip/directory/after");
    return err;
}

/* The archive comment and the members' comments: free text a tool or a person can
 * put anything in. Zeroed (their lengths stay, so nothing moves). */
static int report_comments(struct zscan *z)
{
    uint64_t total = 0;
    const uint8_t *first = NULL;
    size_t first_len = 0;
    for (size_t i = 0; i < z->n; i++) {
        const uint8_t *e = z->d + z->m[i].cd_pos;
        uint64_t nl = ld_u16le(e + 28), el = ld_u16le(e + 30), cl = ld_u16le(e + 32);
        if (cl && nonzero(e + 46 + nl + el, cl)) {
            if (!first) first = e + 46 + nl + el, first_len = (size_t)cl;
            total += cl;
        }
    }
    uint64_t acl = z->a.end - z->a.eocd - 22;
    if (acl && nonzero(z->d + z->a.eocd + 22, acl)) {
        first = z->d + z->a.eocd + 22, first_len = (size_t)acl;   /* the archive's wins */
        total += acl;
    }
    if (!total) return 0;
    struct um_finding_spec s = {
        .kind = UM_K_CONTENT, .severity = UM_SEV_LOW, .where = "zip/comments", .key = "comment",
        .value = first, .value_len = first_len > 200 ? 200 : first_len,
        .offset = z->a.cd_off, .length = z->a.end - z->a.cd_off,
    };
    int idx = um_report(z->ctx, &s);
    if (idx < 0) return idx;
    z->comments = idx;
    return 0;
}

/* Without a rebuild: zero every comment where it is. */
static int plan_comments(struct zscan *z)
{
    int err = 0;
    for (size_t i = 0; i < z->n && !err; i++) {
        const uint8_t *e = z->d + z->m[i].cd_pos;
        uint64_t nl = ld_u16le(e + 28), el = ld_u16le(e + 30), cl = ld_u16le(e + 32);
        if (cl && nonzero(e + 46 + nl + el, cl))
            err = um_plan(z->ctx, z->comments, UM_OP_ZERO, z->m[i].cd_pos + 46 + nl + el, cl, NULL);
    }
    uint64_t acl = z->a.end - z->a.eocd - 22;
    if (!err && acl && nonzero(z->d + z->a.eocd + 22, acl))
        err = um_plan(z->ctx, z->comments, UM_OP_ZERO, z->a.eocd + 22, acl, NULL);
    return err;
}

/* One finding for the members' own dates (DOS times and extended timestamps): they
 * tell when the document was saved, often to the second. */
static int report_times(struct zscan *z)
{
    size_t dated = 0;
    const struct member *first = NULL;
    for (size_t i = 0; i < z->n; i++) {
        const struct member *m = &z->m[i];
        uint64_t hl = m->data_off - m->local_off;
        uint8_t *h = malloc(hl > m->cd_len ? hl : m->cd_len);
        if (!h) return -ENOMEM;
        memcpy(h, z->d + m->local_off, hl);
        bool d1 = norm_times(h, hl, false);
        memcpy(h, z->d + m->cd_pos, m->cd_len);
        bool d2 = norm_times(h, m->cd_len, true);
        free(h);
        if (d1 || d2) {
            if (!first) first = m;
            dated++;
        }
    }
    if (!dated) return 0;
    uint16_t t = ld_u16le(z->d + first->cd_pos + 12), dt = ld_u16le(z->d + first->cd_pos + 14);
    char value[96];
    snprintf(value, sizeof value, "%zu members dated (first: %04u-%02u-%02u %02u:%02u:%02u)", dated,
             1980 + (dt >> 9), (dt >> 5) & 15, dt & 31, t >> 11, (t >> 5) & 63, (t & 31) * 2);
    struct um_finding_spec s = {
        .kind = UM_K_TIMESTAMP, .severity = UM_SEV_LOW, .where = "zip/members", .key = "ZipModifyDate",
        .value = (const uint8_t *)value, .value_len = strlen(value),
        .offset = z->a.cd_off, .length = z->a.cd_size,
    };
    int idx = um_report(z->ctx, &s);
    if (idx < 0) return idx;
    z->times = idx;
    return 0;
}

/* What kind of document the archive is: OOXML by its main part, ODF and EPUB by their
 * stored "mimetype" member (static strings only, as um_set_mime needs). */
static const char *document_mime(const struct zscan *z)
{
    static const struct { const char *part, *mime; } ooxml[] = {
        { "word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
        { "xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
        { "ppt/presentation.xml", "application/vnd.openxmlformats-officedocument.presentationml.presentation" },
    };
    static const char *const declared[] = {
        "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation", "application/vnd.oasis.opendocument.graphics",
        "application/epub+zip",
    };
    for (size_t i = 0; i < z->n; i++) {
        const struct member *m = &z->m[i];
        for (size_t k = 0; k < sizeof ooxml / sizeof *ooxml; k++)
            if (!strcmp(m->name, ooxml[k].part)) return ooxml[k].mime;
        if (!strcmp(m->name, "mimetype") && m->method == 0 && um_range_ok(m->data_off, m->csize, z->a.end))
            for (size_t k = 0; k < sizeof declared / sizeof *declared; k++)
                if (m->csize == strlen(declared[k]) && !memcmp(z->d + m->data_off, declared[k], m->csize))
                    return declared[k];
    }
    return "application/zip";
}

static int scan_members(struct zscan *z, uint64_t pad_from, uint64_t pad_to)
{
    int err = walk_cd(z->d, z->a.end, &z->a, &z->m, &z->n);
    if (err) return err;
    if (!z->n) return 0;
    struct member **order = malloc(z->n * sizeof *order);
    if (!order) return -ENOMEM;
    for (size_t i = 0; i < z->n; i++) order[i] = &z->m[i];
    qsort(order, z->n, sizeof *order, cmp_local);
    for (size_t i = 0; i < z->n; i++) {
        order[i]->order = i;
        order[i]->span_end = i + 1 < z->n ? order[i + 1]->local_off : z->a.cd_off;
        /* Overlapping members (a crafted archive): readable, not rebuildable. */
        if (order[i]->span_end < order[i]->data_off + order[i]->csize) {
            z->rebuild_ok = false;
            z->why_not = "members overlap";
            order[i]->span_end = order[i]->data_off + order[i]->csize;
        }
    }
    if (z->a.zip64) z->rebuild_ok = false, z->why_not = "Zip64 archive";
    if (um_ctx_depth(z->ctx) > 0) z->rebuild_ok = false, z->why_not = "archive inside another file";

    um_set_mime(z->ctx, document_mime(z));
    for (size_t i = 0; i < z->n && !err; i++) {
        struct member *m = &z->m[i];
        enum um_docpart part = um_docpart_of(m->name);
        bool image = is_image(m->name);
        if (m->flags & 1) {
            z->encrypted++;
            continue;
        }
        if (part != UM_PART_NONE) err = scan_part(z, m, part);
        else if (image) err = scan_image(z, m);
        else if (is_av(m->name)) {
            /* Audio and video (media in a presentation) carry their own tags; the
             * container handlers cannot be run on a member of an archive. */
            char where[600];
            snprintf(where, sizeof where, "zip/%s", m->name);
            struct um_finding_spec s = {
                .kind = UM_K_EMBEDDED_MEDIA, .severity = UM_SEV_LOW, .where = where, .key = m->name,
                .offset = m->local_off, .length = m->span_end - m->local_off,
                .note = "audio or video inside the archive: its own metadata is not inspected",
            };
            int idx = um_report(z->ctx, &s);
            if (idx < 0) err = idx;
        } else if (strstr(m->name, "/embeddings/") || strncmp(m->name, "Object ", 7) == 0) {
            /* An embedded document (OLE object, workbook in a chart) has metadata of
             * its own, which is not read here. */
            char where[600];
            snprintf(where, sizeof where, "zip/%s", m->name);
            struct um_finding_spec s = {
                .kind = UM_K_EMBEDDED_MEDIA, .severity = UM_SEV_LOW, .where = where, .key = m->name,
                .offset = m->local_off, .length = m->span_end - m->local_off,
                .note = "an embedded document: its own metadata is not inspected",
            };
            int idx = um_report(z->ctx, &s);
            if (idx < 0) err = idx;
        }
    }
    if (!err && z->encrypted) {
        char value[64];
        snprintf(value, sizeof value, "%zu encrypted members", z->encrypted);
        struct um_finding_spec s = {
            .kind = UM_K_EMBEDDED_MEDIA, .severity = UM_SEV_INFO, .where = "zip", .key = "encrypted",
            .value = (const uint8_t *)value, .value_len = strlen(value),
            .note = "encrypted members cannot be inspected or cleaned",
        };
        int idx = um_report(z->ctx, &s);
        if (idx < 0) err = idx;
    }
    if (!err) err = report_times(z);
    if (!err) err = report_comments(z);
    bool gaps = dir_gap(z);
    for (size_t i = 0; i < z->n && !gaps; i++) gaps = member_gap(z, &z->m[i]);
    bool rebuild = !err && (z->nfindings || gaps) && z->rebuild_ok;
    if (!err) err = report_gaps(z, rebuild);
    if (!err && rebuild && z->times >= 0) err = add_findings(z, &z->times, 1);
    if (!err && z->comments >= 0) err = rebuild ? add_findings(z, &z->comments, 1) : plan_comments(z);
    /* Member times outside what the rebuild rewrites: same-length replacements. */
    for (size_t i = 0; i < z->n && !err && z->times >= 0; i++) {
        struct member *m = &z->m[i];
        if (!m->new_lh || !rebuild) err = plan_norm(z, z->times, m->local_off, m->data_off - m->local_off, false);
        if (!err && !rebuild) err = plan_norm(z, z->times, m->cd_pos, m->cd_len, true);
    }
    if (!err && z->nfindings) {
        if (z->rebuild_ok) {
            err = plan_rebuild(z, order, pad_from, pad_to);
        } else {
            char note[96];
            snprintf(note, sizeof note, "not removed: the archive cannot be rebuilt (%s)", z->why_not);
            for (size_t i = 0; i < z->nfindings && !err; i++) err = um_note(z->ctx, z->findings[i], note);
        }
    }
    free(order);
    return err;
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    uint64_t pad_from, pad_to;
    growth_hint_padding(d, size, &pad_from, &pad_to);
    uint64_t mark_end;
    int err = um_redstar_check_ooxml(ctx, d, size, pad_from, pad_to, &mark_end);
    if (err < 0) return err;
    if (pad_to > pad_from) {
        /* The mark (if any) was reported above; anything else there is hidden data. */
        err = check_padding(ctx, d, pad_from, pad_to, 80, mark_end ? mark_end : 80);
        if (err < 0) return err;
    }
    struct zscan z = { .ctx = ctx, .d = d, .rebuild_ok = true, .times = -1, .comments = -1 };
    err = find_end(d, size, &z.a);
    if (err) return err;
    um_set_end(ctx, z.a.end, "ZIP end of central directory");
    err = scan_members(&z, pad_from, pad_to);
    for (size_t i = 0; i < z.n; i++) free(z.m[i].new_lh);
    free(z.m);
    free(z.findings);
    return err;
}

const struct um_format um_format_zip = {
    .name = "zip",
    .long_name = "ZIP archive (and OOXML, ODF, EPUB)",
    .extensions = "zip,docx,xlsx,pptx,docm,xlsm,pptm,odt,ods,odp,odg,epub,jar,apk,hwpx",
    .mime = "application/zip",
    .no_essence = true,
    .finds = "Red Star mark at offset 80, data in growth-hint padding, data after the end record, "
             "document properties, rsids, authors, ODF and EPUB metadata, images' EXIF",
    .removes = "Red Star mark (zeroed in padding), padding data, data after the end record, "
               "document metadata (members rebuilt)",
    .probe = probe,
    .scan = scan,
};
