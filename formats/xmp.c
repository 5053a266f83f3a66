/* XMP packets (ISO 16684-1, Adobe XMP Specification parts 1-3): standalone .xmp
 * files and the packets that JPEG APP1, PNG iTXt, TIFF tag 700, GIF application
 * extensions, WebP, PDF and MP4 carry (reached through um_scan_embedded).
 *
 * Parses the RDF with libxml2, network and DTD loading off and entities left
 * unexpanded (no external entities, no entity bombs), and reports every identifying
 * property in the namespace "xmp" under its usual prefix, whatever prefix the packet
 * bound (tiff:Make, exif:GPSLatitude, xmpMM:DocumentID, dc:creator, stEvt:when...),
 * in attribute form and element form, nested structures included.
 * Removes, in place: the packet's contents are overwritten inside the existing
 * `<?xpacket begin ...?>` ... `<?xpacket end=...?>` wrapper (or the whole range when
 * there is none) with an empty `<x:xmpmeta .../>` element padded with spaces (0x20),
 * so readers see a valid packet of the same size with no properties (XMP's own
 * in-place update rule: padding is whitespace). A packet that
 * does not parse is reported as one unreadable-XMP finding and blanked all the same:
 * nobody can tell what it hides. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "../scanner/classify.h"
#include "format.h"
#include "../common/xmllib.h"
#include "images.h"

#define MAX_PACKET (64u << 20)   /* larger "packets" are not parsed, only blanked */
#define MAX_REPORTS 4096
#define MAX_NEST 64

static const struct {
    const char *uri, *prefix;
} known_ns[] = {
    { "http://ns.adobe.com/tiff/1.0/", "tiff" },
    { "http://ns.adobe.com/exif/1.0/", "exif" },
    { "http://cipa.jp/exif/1.0/", "exifEX" },
    { "http://ns.adobe.com/exif/1.0/aux/", "aux" },
    { "http://ns.adobe.com/xap/1.0/", "xmp" },
    { "http://ns.adobe.com/xap/1.0/mm/", "xmpMM" },
    { "http://ns.adobe.com/xap/1.0/rights/", "xmpRights" },
    { "http://purl.org/dc/elements/1.1/", "dc" },
    { "http://ns.adobe.com/photoshop/1.0/", "photoshop" },
    { "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/", "Iptc4xmpCore" },
    { "http://iptc.org/std/Iptc4xmpExt/2008-02-29/", "Iptc4xmpExt" },
    { "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#", "stEvt" },
    { "http://ns.adobe.com/xap/1.0/sType/ResourceRef#", "stRef" },
    { "http://ns.adobe.com/pdf/1.3/", "pdf" },
    { "http://ns.google.com/photos/1.0/camera/", "GCamera" },
    { "http://ns.adobe.com/camera-raw-settings/1.0/", "crs" },
};

#define RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

struct xmp {
    struct um_scan_ctx *ctx;
    const uint8_t *d;
    uint64_t size;
    int owner;                   /* most severe finding: it owns the blanking edit */
    enum um_severity owner_sev;
    int nreports;
    int err;
    int *found;                  /* every finding, to mark them removed */
    int nfound;
    uint64_t base;               /* packet offset in the view */
    const char *prefix;          /* where-prefix */
    uint64_t detached;           /* > 0: d is a copy (inflated) of view bytes [base, base+detached) */
};

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    (void)size;
    size_t i = 0;
    if (n >= 3 && h[0] == 0xEF && h[1] == 0xBB && h[2] == 0xBF) i = 3;
    while (i < n && i < 256 && (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n' || h[i] == 0)) i++;
    const char *p = (const char *)h + i;
    size_t left = n - i;
    if (left >= 9 && memcmp(p, "<?xpacket", 9) == 0) return UM_PROBE_MAX;
    if (left >= 10 && memcmp(p, "<x:xmpmeta", 10) == 0) return UM_PROBE_MAX;
    if (left >= 8 && memcmp(p, "<rdf:RDF", 8) == 0) return UM_PROBE_EXT;
    if (left >= 5 && memcmp(p, "<?xml", 5) == 0) {
        size_t w = left < 512 ? left : 512;
        if (memmem(p, w, "<x:xmpmeta", 10) || memmem(p, w, "<rdf:RDF", 8)) return UM_PROBE_EXT;
    }
    return 0;
}

static const char *canonical_prefix(const xmlNs *ns)
{
    if (!ns || !ns->href) return NULL;
    for (size_t i = 0; i < sizeof known_ns / sizeof *known_ns; i++)
        if (strcmp((const char *)ns->href, known_ns[i].uri) == 0) return known_ns[i].prefix;
    return ns->prefix ? (const char *)ns->prefix : NULL;
}

/* Collapses whitespace runs to one space and trims; in place. */
static size_t squeeze(char *s)
{
    size_t w = 0;
    bool space = true;
    for (size_t r = 0; s[r]; r++) {
        char c = s[r];
        bool ws = c == ' ' || c == '\t' || c == '\r' || c == '\n';
        if (ws) {
            if (!space) s[w++] = ' ';
            space = true;
        } else {
            s[w++] = c;
            space = false;
        }
    }
    while (w && s[w - 1] == ' ') w--;
    s[w] = 0;
    return w;
}

/* The value's bytes in the packet when they occur there verbatim, else the packet. */
static void locate(const struct xmp *x, const char *v, size_t vl, uint64_t *off, uint64_t *len)
{
    /* Searching is quadratic in the worst case: only in packets of ordinary size. */
    const uint8_t *hit = !x->detached && vl >= 2 && x->size <= (1u << 20) ? memmem(x->d, (size_t)x->size, v, vl) : NULL;
    if (hit) {
        *off = (uint64_t)(hit - x->d);
        *len = vl;
    } else {
        *off = 0;
        *len = x->detached ? x->detached : x->size;
    }
}

/* Reports key=value when the table says it identifies; returns true if reported. */
static bool report(struct xmp *x, const char *key, char *value)
{
    if (x->err || x->nreports >= MAX_REPORTS) return false;
    size_t vl = squeeze(value);
    if (!vl) return false;
    uint64_t off, len;
    locate(x, value, vl, &off, &len);
    char where[192];
    snprintf(where, sizeof where, "%s%s", x->prefix, key);
    int idx = um_report_classified(x->ctx, "xmp", where, key, (const uint8_t *)value, vl, x->base + off, len);
    if (um_is_error(idx)) {
        x->err = idx;
        return false;
    }
    if (idx < 0) return false;
    x->nreports++;
    struct um_class c;
    enum um_severity sev = um_classify("xmp", key, &c) ? c.severity : UM_SEV_LOW;
    if (x->owner < 0 || sev > x->owner_sev) x->owner = idx, x->owner_sev = sev;
    if (x->found && x->nfound < MAX_REPORTS) x->found[x->nfound++] = idx;
    return true;
}

/* The text of a property: its text nodes, array items joined with "; ". */
static void collect(const xmlNode *n, char *buf, size_t cap, size_t *w, int depth)
{
    for (; n && depth < MAX_NEST; n = n->next) {
        if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content) {
            const char *t = (const char *)n->content;
            while (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n') t++;
            size_t len = strlen(t);
            while (len && (t[len - 1] == ' ' || t[len - 1] == '\t' || t[len - 1] == '\r' || t[len - 1] == '\n')) len--;
            if (!len) continue;
            if (*w && *w + 2 < cap) buf[(*w)++] = ';', buf[(*w)++] = ' ';
            size_t k = len < cap - 1 - *w ? len : cap - 1 - *w;
            memcpy(buf + *w, t, k);
            *w += k;
            buf[*w] = 0;
        } else if (n->type == XML_ELEMENT_NODE) {
            for (const xmlAttr *a = n->properties; a; a = a->next)
                if (a->ns && strcmp((const char *)a->ns->href, RDF_NS) != 0)
                    collect(a->children, buf, cap, w, depth + 1);
            collect(n->children, buf, cap, w, depth + 1);
        }
    }
}

static bool is_rdf(const xmlNs *ns) { return ns && ns->href && strcmp((const char *)ns->href, RDF_NS) == 0; }

static void visit(struct xmp *x, xmlNode *node, int depth)
{
    for (xmlNode *n = node; n && !x->err; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        /* Attributes: the short form of simple properties. */
        for (xmlAttr *a = n->properties; a; a = a->next) {
            if (!a->ns || is_rdf(a->ns)) continue;
            const char *pre = canonical_prefix(a->ns);
            if (!pre || strcmp(pre, "xml") == 0) continue;
            char key[160];
            snprintf(key, sizeof key, "%s:%s", pre, (const char *)a->name);
            xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
            if (v) report(x, key, (char *)v);
            xmlFree(v);
        }
        const char *pre = is_rdf(n->ns) ? NULL : canonical_prefix(n->ns);
        if (pre && strcmp(pre, "x") != 0) {
            char key[160];
            snprintf(key, sizeof key, "%s:%s", pre, (const char *)n->name);
            struct um_class c;
            if (um_classify("xmp", key, &c)) {
                char v[512];
                size_t w = 0;
                v[0] = 0;
                collect(n->children, v, sizeof v, &w, 0);
                for (const xmlAttr *a = n->properties; a && !w; a = a->next)   /* rdf:resource */
                    if (a->ns && is_rdf(a->ns) && strcmp((const char *)a->name, "resource") == 0)
                        collect(a->children, v, sizeof v, &w, 0);
                bool done = report(x, key, v);
                /* A reported property covers its structure; an empty one may still
                 * carry attribute-form fields below. */
                if (done) continue;
            }
        }
        if (depth < MAX_NEST) visit(x, n->children, depth + 1);
    }
}

/* The range to blank: inside the xpacket wrapper when there is one. */
static void blank_range(const uint8_t *d, uint64_t size, uint64_t *from, uint64_t *to)
{
    *from = 0;
    *to = size;
    const uint8_t *b = memmem(d, (size_t)size, "<?xpacket begin", 15);
    if (!b) return;
    const uint8_t *be = memmem(b, (size_t)(size - (uint64_t)(b - d)), "?>", 2);
    if (!be) return;
    uint64_t start = (uint64_t)(be - d) + 2;
    const uint8_t *e = NULL;
    for (const uint8_t *p = d + start; p < d + size;) {   /* last "<?xpacket end" */
        const uint8_t *q = memmem(p, (size_t)(size - (uint64_t)(p - d)), "<?xpacket end", 13);
        if (!q) break;
        e = q;
        p = q + 13;
    }
    if (!e) return;
    *from = start;
    *to = (uint64_t)(e - d);
}

static bool blank(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n' && p[i] != 0) return false;
    return true;
}

static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static int scan_packet(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size, uint64_t base,
                       const char *prefix, uint8_t *mirror, int *first)
{
    *first = -1;
    uint64_t from, to;
    blank_range(d, size, &from, &to);
    if (blank(d + from, to - from)) return 0;   /* empty or already scrubbed */

    struct xmp x = { .ctx = ctx, .d = d, .size = size, .owner = -1, .base = base, .prefix = prefix };
    x.found = malloc(MAX_REPORTS * sizeof *x.found);
    if (!x.found) return -ENOMEM;
    xmlDoc *doc = NULL;
    if (size <= MAX_PACKET) {
        int loaded = um_xmllib_load();
        if (loaded) {
            free(x.found);
            return loaded;
        }
        /* libxml2 would print parse errors; a handler never prints. */
        xmlSetGenericErrorFunc(NULL, silent);
        doc = xmlReadMemory((const char *)d, (int)size, "xmp.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    }
    if (doc) {
        visit(&x, xmlDocGetRootElement(doc), 0);
        xmlFreeDoc(doc);
        if (x.err || x.owner < 0) {   /* nothing identifying: leave the packet alone */
            free(x.found);
            return x.err;
        }
    } else {
        static const char v[] = "XMP packet that does not parse";
        char where[64];
        snprintf(where, sizeof where, "%sXMP", prefix);
        struct um_finding_spec s = {
            .kind = UM_K_CONTENT, .severity = UM_SEV_MEDIUM, .where = where, .value = (const uint8_t *)v,
            .value_len = sizeof v - 1, .offset = base + from, .length = to - from,
            .note = "unreadable packet blanked whole",
        };
        x.owner = um_report(ctx, &s);
        if (x.owner < 0) {
            free(x.found);
            return x.owner;
        }
        x.found[x.nfound++] = x.owner;
    }
    *first = x.found[0];
    /* One blanking serves every finding; it belongs to the most severe one. The other
     * findings' values lie inside it: they get an empty edit that marks them as
     * removed by it (if a policy keeps the owner, the re-scan finds them again and the
     * scrub fails rather than claim a removal that did not happen). */
    uint64_t n = to - from;
    uint8_t *spaces = malloc(n ? (size_t)n : 1);
    int err = -ENOMEM;
    if (spaces) {
        memset(spaces, ' ', (size_t)n);
        /* An empty xmpmeta element first: without a wrapper an all-space result would
         * no longer be XMP (nor, for a sidecar file, anything), and inside one it is
         * what a writer leaves for "no properties" (readers do not flag it). */
        static const char empty[] = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/>";
        if (n >= sizeof empty - 1) memcpy(spaces, empty, sizeof empty - 1);
        err = um_plan(ctx, x.owner, UM_OP_REPLACE, base + from, n, spaces);
        if (!err && mirror) memcpy(mirror + from, spaces, (size_t)n);
        free(spaces);
    }
    for (int i = 0; i < x.nfound && !err; i++)
        if (x.found[i] != x.owner) err = um_plan(ctx, x.found[i], UM_OP_ZERO, base + from, 0, NULL);
    free(x.found);
    return err;
}

int um_xmp_report_detached(struct um_scan_ctx *ctx, const uint8_t *xml, size_t len, const char *prefix,
                           uint64_t off, uint64_t rlen, int *found, int cap, int *n)
{
    *n = 0;
    if (!rlen || len > MAX_PACKET) return len > MAX_PACKET ? UM_E_LIMIT : 0;
    struct xmp x = { .ctx = ctx, .d = xml, .size = len, .owner = -1, .base = off, .prefix = prefix,
                     .detached = rlen, .found = found };
    int err = um_xmllib_load();
    if (err) return err;
    xmlSetGenericErrorFunc(NULL, silent);
    xmlDoc *doc = xmlReadMemory((const char *)xml, (int)len, "xmp.xml", NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    if (!doc) return UM_E_FORMAT;
    /* found holds at most MAX_REPORTS; the caller's cap may be smaller. */
    if (cap < MAX_REPORTS) x.nreports = MAX_REPORTS - cap;
    visit(&x, xmlDocGetRootElement(doc), 0);
    xmlFreeDoc(doc);
    *n = x.nfound;
    return x.err;
}

int um_xmp_scan_block(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t off, uint64_t len,
                      const char *prefix, uint8_t *mirror, int *first)
{
    return scan_packet(ctx, d + off, len, off, prefix, mirror, first);
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    int first;
    return scan_packet(ctx, d, size, 0, "", NULL, &first);
}

const struct um_format um_format_xmp = {
    .name = "xmp",
    .long_name = "XMP packet",
    .extensions = "xmp",
    .mime = "application/rdf+xml",
    .no_essence = true,
    .finds = "XMP properties: make, model, serials, GPS, creator tools, people, dates, "
             "document and instance ids, titles and descriptions",
    .removes = "the whole packet (overwritten with spaces inside its xpacket wrapper)",
    .probe = probe,
    .scan = scan,
};
