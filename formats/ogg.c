/* Ogg (RFC 3533) with Vorbis, Opus (RFC 7845), FLAC (the Ogg mapping), Theora and
 * Speex streams.
 *
 * Finds: the comment header packet of each logical stream (the second packet: vendor
 * string and fields, classified in "vorbis"), reassembled across pages; and data
 * after the last page (pages are walked header by header, never decoded).
 * Removes in place: the comment packet is rewritten at its own length: an empty vendor,
 * only the cover fields kept (players show them; demuxers make them a stream), then
 * the Vorbis framing bit, then zeros (every reader stops at the comment count and
 * ignores what follows; Opus reads a zero byte there as "no extra data"; a Vorbis
 * packet also keeps a framing bit in its last byte). The CRC of
 * every page the packet touches is recomputed and replaced. Nothing moves. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "vcomment.h"

#define MAX_PAGES (1u << 24)
#define MAX_STREAMS 16            /* at once; finished slots are reused (chained files) */
#define MAX_PACKET (64u << 20)    /* bigger comment packets are reported, not rewritten */
#define MAX_RUNS 4096

static uint32_t crc_table[256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)   /* once per process (pthread_once): workers scan in parallel */
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i << 24;
        for (int k = 0; k < 8; k++) c = c & 0x80000000u ? (c << 1) ^ 0x04c11db7u : c << 1;
        crc_table[i] = c;
    }
}

static uint32_t crc_update(uint32_t c, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) c = (c << 8) ^ crc_table[(c >> 24) ^ p[i]];
    return c;
}

struct page {
    uint64_t off, body, end;   /* header, body and end offsets */
    uint32_t serial;
    uint8_t flags, nseg;
    const uint8_t *lacing;
};

static bool page_at(const uint8_t *d, uint64_t size, uint64_t pos, struct page *pg)
{
    if (size - pos < 27 || memcmp(d + pos, "OggS", 4) || d[pos + 4] != 0) return false;
    pg->off = pos;
    pg->flags = d[pos + 5];
    pg->serial = ld_u32le(d + pos + 14);
    pg->nseg = d[pos + 26];
    if (size - pos - 27 < pg->nseg) return false;
    pg->lacing = d + pos + 27;
    uint64_t body = 0;
    for (unsigned i = 0; i < pg->nseg; i++) body += pg->lacing[i];
    pg->body = pos + 27 + pg->nseg;
    if (size - pg->body < body) return false;
    pg->end = pg->body + body;
    return true;
}

/* A stretch of a packet that lies in one page. */
struct run {
    uint64_t pkt_off, file_off, len, page;   /* page: offset of its header */
};

struct stream {
    uint32_t serial;
    int packet;               /* index of the packet being assembled */
    bool done;
    uint8_t magic[8];         /* first bytes of packet 0 */
    size_t magic_len;
    struct run *runs;         /* packet 1 */
    size_t nruns;
    uint64_t len;
    bool too_big;
};

struct pkt {
    const struct run *runs;
    size_t nruns;
};

static uint64_t pkt_map(const void *arg, uint64_t i)
{
    const struct pkt *p = arg;
    size_t lo = 0, hi = p->nruns;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (p->runs[mid].pkt_off <= i) lo = mid;
        else hi = mid;
    }
    const struct run *r = &p->runs[lo];
    uint64_t k = i - r->pkt_off;
    return r->file_off + (k < r->len ? k : r->len ? r->len - 1 : 0);
}

struct keep {
    struct um_vc_field *f;
    size_t n, cap;
    int *findings;
    size_t nf, capf;
};

static int keep_plan(struct um_scan_ctx *ctx, int finding, const struct um_vc_field *field, void *arg)
{
    struct keep *k = arg;
    (void)ctx;
    if (finding < 0) {
        if (!field) return 0;
        if (k->n == k->cap) {
            size_t c = k->cap ? 2 * k->cap : 8;
            void *p = realloc(k->f, c * sizeof *k->f);
            if (!p) return -ENOMEM;
            k->f = p, k->cap = c;
        }
        k->f[k->n++] = *field;
        return 0;
    }
    if (k->nf == k->capf) {
        size_t c = k->capf ? 2 * k->capf : 16;
        void *p = realloc(k->findings, c * sizeof *k->findings);
        if (!p) return -ENOMEM;
        k->findings = p, k->capf = c;
    }
    k->findings[k->nf++] = finding;
    return 0;
}

/* Where the comment structure starts in packet 1, by the codec of packet 0; and
 * whether a framing bit follows it. Returns false for streams without comments. */
static bool comment_layout(const struct stream *s, const uint8_t *pk, uint64_t n, uint64_t *skip,
                           bool *framing, const char **codec)
{
    const uint8_t *m = s->magic;
    *framing = false;
    if (s->magic_len >= 7 && !memcmp(m, "\x01vorbis", 7)) {
        *codec = "vorbis", *skip = 7, *framing = true;
        return n >= 7 && !memcmp(pk, "\x03vorbis", 7);
    }
    if (s->magic_len >= 8 && !memcmp(m, "OpusHead", 8)) {
        *codec = "opus", *skip = 8;
        return n >= 8 && !memcmp(pk, "OpusTags", 8);
    }
    if (s->magic_len >= 5 && !memcmp(m, "\x7f" "FLAC", 5)) {
        *codec = "flac", *skip = 4;   /* a VORBIS_COMMENT metadata block */
        return n >= 4 && (pk[0] & 0x7F) == 4;
    }
    if (s->magic_len >= 7 && !memcmp(m, "\x80theora", 7)) {
        *codec = "theora", *skip = 7;
        return n >= 7 && !memcmp(pk, "\x81theora", 7);
    }
    if (s->magic_len >= 8 && !memcmp(m, "Speex   ", 8)) {
        *codec = "speex", *skip = 0;
        return true;
    }
    return false;
}

/* Reports the comment packet of one stream and plans its rewrite. */
static int comment_packet(struct um_scan_ctx *ctx, const uint8_t *d, struct stream *s)
{
    if (!s->nruns || s->too_big) return 0;
    int err = 0;
    uint8_t *pk = malloc(s->len ? s->len : 1), *np = NULL;
    struct keep k = { 0 };
    if (!pk) return -ENOMEM;
    for (size_t i = 0; i < s->nruns; i++)
        memcpy(pk + s->runs[i].pkt_off, d + s->runs[i].file_off, s->runs[i].len);
    uint64_t skip;
    bool framing;
    const char *codec;
    if (!comment_layout(s, pk, s->len, &skip, &framing, &codec)) goto end;
    struct um_vc_src src = { .p = pk + skip, .len = s->len - skip, .map = NULL };
    struct run *shifted = malloc(s->nruns * sizeof *shifted);
    if (!shifted) { err = -ENOMEM; goto end; }
    /* Runs re-based to the comment start, so that src indices map directly. */
    size_t ns = 0;
    for (size_t i = 0; i < s->nruns; i++) {
        struct run r = s->runs[i];
        if (r.pkt_off + r.len <= skip) continue;
        if (r.pkt_off < skip) {
            uint64_t cut = skip - r.pkt_off;
            r.file_off += cut, r.len -= cut, r.pkt_off = skip;
        }
        r.pkt_off -= skip;
        shifted[ns++] = r;
    }
    struct pkt smap = { shifted, ns };
    src.map = pkt_map, src.map_arg = &smap;
    char where[32];
    snprintf(where, sizeof where, "%s/comment", codec);
    uint64_t cend;
    err = um_vcomment_scan(ctx, &src, where, false, keep_plan, &k, &cend);
    if (err == UM_E_FORMAT || err == UM_E_LIMIT) {
        /* A comment that cannot be parsed is replaced by an empty one: whatever it
         * holds goes, and the stream plays as before. */
        uint64_t ro = pkt_map(&smap, 0), re = pkt_map(&smap, src.len ? src.len - 1 : 0) + 1;
        int f = um_report_text(ctx, UM_K_CONTENT, UM_SEV_MEDIUM, where, "malformed",
                               "comment header that cannot be parsed", ro, re - ro);
        err = f < 0 ? f : keep_plan(ctx, f, NULL, &k);
    }
    free(shifted);
    if (err < 0 || !k.nf) goto end;

    /* The new packet: same prefix, empty vendor, the kept covers, framing, zeros. A
     * packet too short to hold even that (malformed) is left alone: its findings then
     * stay, unremoved. */
    uint64_t need = skip + 8 + (framing ? 1 : 0);
    for (size_t i = 0; i < k.n; i++) need += k.f[i].len;
    if (need > s->len) goto end;
    np = calloc(1, s->len ? s->len : 1);
    if (!np) { err = -ENOMEM; goto end; }
    memcpy(np, pk, skip);
    uint64_t w = skip + 8;
    uint32_t kept = 0;
    for (size_t i = 0; i < k.n; i++) {
        memcpy(np + w, pk + skip + k.f[i].off, k.f[i].len);
        w += k.f[i].len;
        kept++;
    }
    np[skip + 4] = (uint8_t)kept, np[skip + 5] = (uint8_t)(kept >> 8);
    np[skip + 6] = (uint8_t)(kept >> 16), np[skip + 7] = (uint8_t)(kept >> 24);
    /* libvorbis reads the framing bit right after the last comment; a reader that
     * looks for it in the packet's last byte finds one there too. */
    if (framing) np[w++] = 1;
    if (framing) np[s->len - 1] = 1;

    /* Edits: one per changed page, from its CRC field to the end of the last changed
     * run in it, so that the page is rewritten by a single write: a scrub killed in
     * between never leaves a page whose CRC does not match (a reader would drop it,
     * and with it the header the stream needs). */
    for (size_t i = 0; i < s->nruns; i++) {
        const struct run *r = &s->runs[i];
        if (!memcmp(np + r->pkt_off, pk + r->pkt_off, r->len)) continue;
        bool seen = false;   /* an earlier run of the same page already wrote it */
        for (size_t j = 0; j < i && !seen; j++)
            seen = s->runs[j].page == r->page && memcmp(np + s->runs[j].pkt_off, pk + s->runs[j].pkt_off, s->runs[j].len);
        if (seen) continue;
        uint64_t plen = 27;
        uint64_t nseg = d[r->page + 26], body = 0;
        for (uint64_t j = 0; j < nseg; j++) body += d[r->page + 27 + j];
        plen += nseg + body;
        uint8_t *cp = malloc(plen);
        if (!cp) { err = -ENOMEM; goto end; }
        memcpy(cp, d + r->page, plen);
        uint64_t last = 0;
        for (size_t j = i; j < s->nruns; j++) {
            const struct run *q = &s->runs[j];
            if (q->page != r->page) continue;
            memcpy(cp + (q->file_off - q->page), np + q->pkt_off, q->len);
            if (q->file_off - q->page + q->len > last) last = q->file_off - q->page + q->len;
        }
        memset(cp + 22, 0, 4);
        uint32_t c = crc_update(0, cp, plen);
        cp[22] = (uint8_t)c, cp[23] = (uint8_t)(c >> 8), cp[24] = (uint8_t)(c >> 16), cp[25] = (uint8_t)(c >> 24);
        for (size_t f = 0; f < k.nf && !err; f++)
            err = um_plan(ctx, k.findings[f], UM_OP_REPLACE, r->page + 22, last - 22, cp + 22);
        free(cp);
        if (err) goto end;
    }
end:
    free(pk);
    free(np);
    free(k.f);
    free(k.findings);
    return err;
}

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    (void)size;
    if (n >= 27 && !memcmp(h, "OggS", 4) && h[4] == 0) return UM_PROBE_MAX;
    return 0;
}

static int add_run(struct stream *s, uint64_t file_off, uint64_t len, uint64_t page)
{
    if (s->len + len > MAX_PACKET || s->nruns >= MAX_RUNS) {
        s->too_big = true;
        return 0;
    }
    if (s->nruns && s->runs[s->nruns - 1].page == page) {
        s->runs[s->nruns - 1].len += len;   /* more segments of the same page */
    } else {
        void *p = realloc(s->runs, (s->nruns + 1) * sizeof *s->runs);
        if (!p) return -ENOMEM;
        s->runs = p;
        s->runs[s->nruns++] = (struct run){ s->len, file_off, len, page };
    }
    s->len += len;
    return 0;
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    struct stream st[MAX_STREAMS];
    size_t nst = 0;
    uint64_t pos = 0;
    unsigned pages = 0;
    int err = 0;
    size_t pending = 0;   /* streams whose comment packet is not complete yet */
    pthread_once(&crc_once, crc_init);
    memset(st, 0, sizeof st);
    while (pos < size) {
        struct page pg;
        if (!page_at(d, size, pos, &pg)) break;
        if (++pages > MAX_PAGES) goto end;   /* too long to walk: the end is not known */
        if (pending || (pg.flags & 2)) {
            struct stream *s = NULL;
            for (size_t i = 0; i < nst; i++)
                if (st[i].serial == pg.serial && !st[i].done) s = &st[i];
            if (!s && (pg.flags & 2)) {   /* beginning of a stream (or of a chained link) */
                for (size_t i = 0; i < nst && !s; i++)
                    if (st[i].done) {
                        free(st[i].runs);
                        memset(&st[i], 0, sizeof st[i]);
                        s = &st[i];
                    }
                if (!s && nst < MAX_STREAMS) s = &st[nst++];
                if (s) {
                    s->serial = pg.serial;
                    pending++;
                }
            }
            if (s && !s->done) {
                uint64_t o = pg.body;
                for (unsigned i = 0; i < pg.nseg && !s->done; i++) {
                    unsigned lv = pg.lacing[i];
                    if (s->packet == 0 && s->magic_len < sizeof s->magic) {
                        size_t take = lv < sizeof s->magic - s->magic_len ? lv : sizeof s->magic - s->magic_len;
                        memcpy(s->magic + s->magic_len, d + o, take);
                        s->magic_len += take;
                    }
                    if (s->packet == 1 && lv && (err = add_run(s, o, lv, pg.off)) < 0) goto end;
                    o += lv;
                    if (lv < 255) {
                        if (s->packet == 1) {
                            s->done = true;
                            pending--;
                            if ((err = comment_packet(ctx, d, s)) < 0) goto end;
                        }
                        s->packet++;
                    }
                }
            }
        }
        pos = pg.end;
    }
    if (pos == 0) {
        err = UM_E_FORMAT;
        goto end;
    }
    /* A page cut off by the end of the file is still part of the stream (a copy that
     * was interrupted): no end is declared then. */
    if (size - pos >= 4 && !memcmp(d + pos, "OggS", 4) && size - pos < 27 + 255 + 255 * 255) goto end;
    um_set_end(ctx, pos, "last Ogg page");
end:
    for (size_t i = 0; i < nst; i++) free(st[i].runs);
    return err;
}

const struct um_format um_format_ogg = {
    .name = "ogg",
    .long_name = "Ogg (Vorbis, Opus, FLAC, Theora, Speex)",
    .extensions = "ogg,oga,ogv,opus,spx,ogx",
    .mime = "audio/ogg",
    .finds = "comment headers (vendor and fields) of every stream, data after the last page",
    .removes = "comment headers rewritten in place at their length (covers kept), page CRCs "
               "recomputed; appended data truncated",
    .probe = probe,
    .scan = scan,
};
