/* The XML parts of office documents: OOXML (ECMA-376 Part 1 and 2: core, extended and
 * custom properties; WordprocessingML revision ids, authors and dates; MS-DOCX people
 * and comment extensions; the SpreadsheetML comment authors and workbook path), ODF
 * 1.2 meta.xml (section 4 of part 1) and the EPUB 3 package document's metadata.
 *
 * Parsing uses libxml2 with no network, no DTD loading and no entity substitution.
 * Findings carry the member's byte range in the archive (the values are compressed).
 * Removal works on the tree: optional elements that identify (authors, dates, the
 * application, rsid lists, custom properties, ODF meta) are dropped; rsid attributes
 * are dropped; required attributes (w:author on a tracked change) are emptied; an
 * EPUB identifier (required) becomes a fixed null UUID. The cleaned tree is written
 * back as UTF-8 and formats/zip.c re-compresses it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


#include "ooxml.h"
#include "../common/xmllib.h"

#define MAX_DISTINCT 64        /* distinct values reported per key and part */
#define NULL_UUID "urn:uuid:00000000-0000-0000-0000-000000000000"
#define FIXED_DATE "2000-01-01T00:00:00Z"

static const struct {
    const char *uri, *prefix;
} namespaces[] = {
    { "http://purl.org/dc/elements/1.1/", "dc" },
    { "http://purl.org/dc/terms/", "dcterms" },
    { "http://schemas.openxmlformats.org/package/2006/metadata/core-properties", "cp" },
    { "http://schemas.openxmlformats.org/wordprocessingml/2006/main", "w" },
    { "http://schemas.microsoft.com/office/word/2010/wordml", "w14" },
    { "http://schemas.microsoft.com/office/word/2012/wordml", "w15" },
    { "http://schemas.microsoft.com/office/word/2018/wordml/cex", "w16cex" },
    { "urn:oasis:names:tc:opendocument:xmlns:meta:1.0", "meta" },
    { "http://www.idpf.org/2007/opf", "opf" },
    { "http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac", "x15ac" },
    { "http://schemas.openxmlformats.org/spreadsheetml/2006/main", "x" },
    /* XMP */
    { "http://ns.adobe.com/xap/1.0/", "xmp" },
    { "http://ns.adobe.com/xap/1.0/mm/", "xmpMM" },
    { "http://ns.adobe.com/xap/1.0/rights/", "xmpRights" },
    { "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#", "stEvt" },
    { "http://ns.adobe.com/xap/1.0/sType/ResourceRef#", "stRef" },
    { "http://ns.adobe.com/pdf/1.3/", "pdf" },
    { "http://ns.adobe.com/pdfx/1.3/", "pdfx" },
    { "http://ns.adobe.com/photoshop/1.0/", "photoshop" },
    { "http://ns.adobe.com/exif/1.0/", "exif" },
    { "http://ns.adobe.com/exif/1.0/aux/", "aux" },
    { "http://cipa.jp/exif/1.0/", "exifEX" },
    { "http://ns.adobe.com/tiff/1.0/", "tiff" },
    { "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/", "Iptc4xmpCore" },
    { "http://iptc.org/std/Iptc4xmpExt/2008-02-29/", "Iptc4xmpExt" },
    { "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdf" },
};

/* The conventional prefix of a node's namespace (documents may bind others). */
static const char *prefix_of(const xmlNs *ns)
{
    if (!ns || !ns->href) return NULL;
    for (size_t i = 0; i < sizeof namespaces / sizeof *namespaces; i++)
        if (strcmp((const char *)ns->href, namespaces[i].uri) == 0) return namespaces[i].prefix;
    return ns->prefix ? (const char *)ns->prefix : NULL;
}

static void qname(const xmlNs *ns, const xmlChar *local, char *out, size_t n)
{
    const char *p = prefix_of(ns);
    if (p) snprintf(out, n, "%s:%s", p, (const char *)local);
    else snprintf(out, n, "%s", (const char *)local);
}

static bool blank(const char *s)
{
    if (!s) return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r') return false;
    return true;
}

enum um_docpart um_docpart_of(const char *name)
{
    if (strcmp(name, "docProps/core.xml") == 0) return UM_PART_CORE;
    if (strcmp(name, "docProps/app.xml") == 0) return UM_PART_APP;
    if (strcmp(name, "docProps/custom.xml") == 0) return UM_PART_CUSTOM;
    if (strcmp(name, "meta.xml") == 0) return UM_PART_ODF_META;
    if (strcmp(name, "settings.xml") == 0) return UM_PART_ODF_SETTINGS;
    if (strcmp(name, "content.xml") == 0 || strcmp(name, "styles.xml") == 0) return UM_PART_ODF_CONTENT;
    size_t n = strlen(name);
    if (n > 4 && strcasecmp(name + n - 4, ".opf") == 0) return UM_PART_OPF;
    if (n > 4 && strcasecmp(name + n - 4, ".ncx") == 0) return UM_PART_NCX;
    if (n > 5 && strcmp(name + n - 5, ".rels") == 0 && strstr(name, "_rels/")) return UM_PART_RELS;
    if (n < 4 || strcmp(name + n - 4, ".xml") != 0) return UM_PART_NONE;
    /* word/NAME.xml: document, settings, comments, people, headers, numbering... */
    if (strncmp(name, "word/", 5) == 0 && !strchr(name + 5, '/')) return UM_PART_WORD;
    if (strcmp(name, "xl/workbook.xml") == 0 || strncmp(name, "xl/comments", 11) == 0 ||
        strncmp(name, "xl/persons/", 11) == 0 || strcmp(name, "ppt/commentAuthors.xml") == 0 ||
        strcmp(name, "ppt/authors.xml") == 0 || strncmp(name, "ppt/comments/", 13) == 0)
        return UM_PART_WORD;
    return UM_PART_NONE;
}

/* ---- state of one part ---- */

struct summary {
    const char *key;
    size_t count;
    char first[160];
};

struct part {
    struct um_scan_ctx *ctx;
    const char *where;
    uint64_t off, rlen;
    struct um_docxml_result *out;
    bool changed;
    int err;
    /* distinct values already reported, as "key\0value" */
    char *seen[MAX_DISTINCT];
    size_t nseen;
    struct summary rsid_attrs, rsid_list, dates, nsids;
};

static int add_finding(struct part *p, int idx)
{
    int *n = realloc(p->out->findings, (p->out->nfindings + 1) * sizeof *n);
    if (!n) return -ENOMEM;
    p->out->findings = n;
    n[p->out->nfindings++] = idx;
    return 0;
}

/* Reports (ns, key, value) unless already reported for this part; returns true
 * when the key identifies (so the caller removes it), false when harmless. */
static bool report(struct part *p, const char *ns, const char *key, const char *value)
{
    if (p->err) return false;
    if (blank(value)) return false;
    size_t kl = strlen(key), vl = strlen(value);
    for (size_t i = 0; i < p->nseen; i++)
        if (strcmp(p->seen[i], key) == 0 && strcmp(p->seen[i] + kl + 1, value) == 0) return true;
    int idx = um_report_classified(p->ctx, ns, p->where, key, (const uint8_t *)value, vl,
                                   p->off, p->rlen);
    if (um_is_error(idx)) {
        p->err = idx;
        return false;
    }
    if (idx < 0) return false;
    if ((p->err = add_finding(p, idx))) return false;
    if (p->nseen < MAX_DISTINCT) {
        char *s = malloc(kl + vl + 2);
        if (s) {
            memcpy(s, key, kl + 1);
            memcpy(s + kl + 1, value, vl + 1);
            p->seen[p->nseen++] = s;
        }
    }
    return true;
}

/* Reports with an explicit kind (EPUB has no table namespace of its own). */
static bool report_kind(struct part *p, enum um_kind kind, enum um_severity sev, const char *key,
                        const char *value)
{
    if (p->err || blank(value)) return false;
    struct um_finding_spec s = {
        .kind = kind, .severity = sev, .where = p->where, .key = key,
        .value = (const uint8_t *)value, .value_len = strlen(value),
        .offset = p->off, .length = p->rlen,
    };
    int idx = um_report(p->ctx, &s);
    if (idx < 0) {
        p->err = idx;
        return false;
    }
    p->err = add_finding(p, idx);
    return !p->err;
}

static void count(struct summary *s, const char *key, const char *value)
{
    s->key = key;
    if (!s->count && value) snprintf(s->first, sizeof s->first, "%s", value);
    else if (value && strlen(s->first) + strlen(value) + 2 < sizeof s->first && s->count < 8) {
        strcat(s->first, " ");
        strcat(s->first, value);
    }
    s->count++;
}

static void report_summary(struct part *p, const struct summary *s, const char *what)
{
    if (!s->count) return;
    char v[256];
    snprintf(v, sizeof v, "%zu %s (%s%s)", s->count, what, s->first, s->count > 8 ? " ..." : "");
    report(p, "ooxml", s->key, v);
}

static char *text_of(xmlNode *n)
{
    return (char *)xmlNodeGetContent(n);
}

static void drop(struct part *p, xmlNode *n)
{
    xmlUnlinkNode(n);
    xmlFreeNode(n);
    p->changed = true;
}

/* ---- OOXML property parts ---- */

static void scan_props(struct part *p, xmlNode *root, enum um_docpart kind)
{
    for (xmlNode *n = root ? root->children : NULL, *next; n; n = next) {
        next = n->next;
        if (n->type != XML_ELEMENT_NODE) continue;
        char key[160];
        char *v = NULL;
        if (kind == UM_PART_CUSTOM) {
            xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
            snprintf(key, sizeof key, "custom:%s", name ? (const char *)name : "");
            xmlFree(name);
        } else if (kind == UM_PART_APP) {
            snprintf(key, sizeof key, "%s", (const char *)n->name);
        } else {
            qname(n->ns, n->name, key, sizeof key);
        }
        if (kind == UM_PART_APP && strcmp(key, "HeadingPairs") == 0) continue;   /* see below */
        v = text_of(n);
        if (report(p, "ooxml", key, v)) drop(p, n);
        xmlFree(v);
    }
    /* The part titles go with the heading pairs that count them: both or neither. */
    if (kind != UM_PART_APP || !p->changed || !root) return;
    bool titles = false;
    for (xmlNode *n = root->children; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "TitlesOfParts") == 0) titles = true;
    for (xmlNode *n = root->children, *next; n && !titles; n = next) {
        next = n->next;
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "HeadingPairs") == 0) drop(p, n);
    }
}

/* ---- WordprocessingML and friends ---- */

static bool attr_is(const xmlAttr *a, const char *prefix, const char *local)
{
    const char *pre = prefix_of(a->ns);
    return strcmp((const char *)a->name, local) == 0 && pre && strcmp(pre, prefix) == 0;
}

static bool elem_is(const xmlNode *n, const char *prefix, const char *local)
{
    const char *pre = prefix_of(n->ns);
    return strcmp((const char *)n->name, local) == 0 && pre && strcmp(pre, prefix) == 0;
}

static char *attr_value(xmlAttr *a)
{
    return (char *)xmlNodeListGetString(a->doc, a->children, 1);
}

static void empty_attr(struct part *p, xmlAttr *a)
{
    xmlSetNsProp(a->parent, a->ns, a->name, (const xmlChar *)"");
    p->changed = true;
}

static void scan_word(struct part *p, xmlNode *n, int depth)
{
    for (xmlNode *next; n && !p->err; n = next) {
        next = n->next;
        if (n->type != XML_ELEMENT_NODE) continue;
        /* Elements that are dropped whole. */
        if (elem_is(n, "w", "rsids")) {
            for (xmlNode *c = n->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE) continue;
                xmlChar *v = xmlGetNsProp(c, (const xmlChar *)"val", c->ns ? c->ns->href : NULL);
                if (elem_is(c, "w", "rsidRoot")) report(p, "ooxml", "w:rsidRoot", (const char *)v);
                else count(&p->rsid_list, "w:rsid", (const char *)v);
                xmlFree(v);
            }
            drop(p, n);
            continue;
        }
        if (elem_is(n, "w14", "docId") || elem_is(n, "w15", "docId") || elem_is(n, "w", "nsid") ||
            elem_is(n, "w15", "presenceInfo") || elem_is(n, "x15ac", "absPath")) {
            char key[64];
            qname(n->ns, n->name, key, sizeof key);
            xmlChar *v = xmlGetNsProp(n, (const xmlChar *)"val", n->ns ? n->ns->href : NULL);
            if (!v) v = xmlGetNsProp(n, (const xmlChar *)"userId", n->ns ? n->ns->href : NULL);
            if (!v) v = xmlGetProp(n, (const xmlChar *)"url");
            bool id;
            if (elem_is(n, "w", "nsid")) count(&p->nsids, "w:nsid", (const char *)v), id = true;
            else id = report(p, "ooxml", key, v ? (const char *)v : "present");
            xmlFree(v);
            if (id) {
                drop(p, n);
                continue;
            }
        }
        /* Spreadsheet comment authors: <authors><author>Name</author>. */
        if (elem_is(n, "x", "author")) {
            char *v = text_of(n);
            if (report(p, "ooxml", "author", v)) {
                xmlNodeSetContent(n, (const xmlChar *)"");
                p->changed = true;
            }
            xmlFree(v);
        }
        /* PresentationML comment authors and SpreadsheetML persons carry names in
         * attributes without a namespace. */
        if (strcmp((const char *)n->name, "cmAuthor") == 0 || strcmp((const char *)n->name, "person") == 0) {
            for (xmlAttr *a = n->properties; a; a = a->next) {
                if (a->ns) continue;
                const char *an = (const char *)a->name;
                bool name = !strcmp(an, "name") || !strcmp(an, "initials") || !strcmp(an, "displayName");
                bool user = !strcmp(an, "userId");
                if (!name && !user) continue;
                char *v = attr_value(a);
                if (report(p, "ooxml", user ? "w15:presenceInfo" : "author", v)) empty_attr(p, a);
                xmlFree(v);
            }
        }
        for (xmlAttr *a = n->properties, *an; a; a = an) {
            an = a->next;
            const char *pre = prefix_of(a->ns);
            if (pre && strcmp(pre, "w") == 0 && strncmp((const char *)a->name, "rsid", 4) == 0) {
                char *rv = attr_value(a);
                count(&p->rsid_attrs, "rsid", rv);
                xmlFree(rv);
                xmlRemoveProp(a);
                p->changed = true;
            } else if (attr_is(a, "w", "author") || attr_is(a, "w15", "author") ||
                       attr_is(a, "w", "initials")) {
                char key[64];
                qname(a->ns, a->name, key, sizeof key);
                if (attr_is(a, "w15", "author")) snprintf(key, sizeof key, "w15:person");
                char *v = attr_value(a);
                if (report(p, "ooxml", key, v)) empty_attr(p, a);
                xmlFree(v);
            } else if (attr_is(a, "w", "date") || attr_is(a, "w16cex", "dateUtc") ||
                       (!a->ns && !strcmp((const char *)a->name, "dt") && !strcmp((const char *)n->name, "cm")) ||
                       (!a->ns && !strcmp((const char *)a->name, "created") && !strcmp((const char *)n->name, "cm"))) {
                /* PresentationML comments: dt (legacy, optional), created (modern,
                 * required: set to a fixed date). */
                char *v = attr_value(a);
                bool created = !strcmp((const char *)a->name, "created");
                if (!created || (v && strcmp(v, "1980-01-01T00:00:00.000") != 0)) {
                    count(&p->dates, "w:date", v);
                    if (created) xmlSetProp(n, a->name, (const xmlChar *)"1980-01-01T00:00:00.000");
                    else xmlRemoveProp(a);
                    p->changed = true;
                }
                xmlFree(v);
            }
        }
        if (depth < 256) scan_word(p, n->children, depth + 1);
    }
}

/* ---- ODF meta.xml ---- */

static void scan_odf(struct part *p, xmlNode *root)
{
    /* office:document-meta / office:meta / children */
    for (xmlNode *m = root ? root->children : NULL; m; m = m->next) {
        if (m->type != XML_ELEMENT_NODE || strcmp((const char *)m->name, "meta") != 0) continue;
        for (xmlNode *n = m->children, *next; n && !p->err; n = next) {
            next = n->next;
            if (n->type != XML_ELEMENT_NODE) continue;
            char key[160];
            qname(n->ns, n->name, key, sizeof key);
            char *v = text_of(n);
            char buf[600];
            const char *value = v;
            if (strcmp(key, "meta:user-defined") == 0) {
                xmlChar *name = xmlGetNsProp(n, (const xmlChar *)"name", n->ns ? n->ns->href : NULL);
                /* Classified by the property's name: meta:user-defined:DeviceSerial. */
                snprintf(key, sizeof key, "meta:user-defined:%s", name ? (const char *)name : "");
                snprintf(buf, sizeof buf, "%s=%s", name ? (const char *)name : "", v ? v : "");
                xmlFree(name);
                value = buf;
            } else if (strcmp(key, "meta:template") == 0) {
                xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
                snprintf(buf, sizeof buf, "%s", href ? (const char *)href : "");
                xmlFree(href);
                value = buf;
            }
            if (report(p, "odf", key, value)) drop(p, n);
            xmlFree(v);
        }
    }
}

/* ---- ODF settings.xml: config:config-item PrinterName, PrinterSetup (a base64
 * blob that holds the printer's and driver's names), PrintFaxName ---- */

static void scan_odf_settings(struct part *p, xmlNode *n, int depth)
{
    for (; n && !p->err; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (strcmp((const char *)n->name, "config-item") == 0) {
            xmlChar *name = xmlGetNsProp(n, (const xmlChar *)"name", n->ns ? n->ns->href : NULL);
            if (name && (strcmp((const char *)name, "PrinterName") == 0 ||
                         strcmp((const char *)name, "PrinterSetup") == 0 ||
                         strcmp((const char *)name, "PrintFaxName") == 0)) {
                char key[64];
                snprintf(key, sizeof key, "config:%s", (const char *)name);
                char *v = text_of(n);
                if (report(p, "odf", key, v)) {
                    xmlNodeSetContent(n, (const xmlChar *)"");
                    p->changed = true;
                }
                xmlFree(v);
            }
            xmlFree(name);
        } else if (depth < 64) {
            scan_odf_settings(p, n->children, depth + 1);
        }
    }
}

/* ---- ODF content: who made a tracked change or wrote an annotation, and when
 * (office:change-info and office:annotation hold dc:creator and dc:date) ---- */

#define ODF_NULL_DATE "1970-01-01T00:00:00"

static void scan_odf_content(struct part *p, xmlNode *n, int depth, bool in_info, bool date_required)
{
    for (xmlNode *next; n && !p->err; n = next) {
        next = n->next;
        if (n->type != XML_ELEMENT_NODE) continue;
        const char *local = (const char *)n->name;
        const char *pre = prefix_of(n->ns);
        if (in_info && pre && strcmp(pre, "dc") == 0) {
            char *v = text_of(n);
            if (strcmp(local, "creator") == 0) {
                if (report(p, "odf", "dc:creator", v)) drop(p, n);
            } else if (strcmp(local, "date") == 0 && v && strcmp(v, ODF_NULL_DATE) != 0) {
                /* Required in a change's info, optional in an annotation. */
                if (report(p, "odf", "dc:date", v)) {
                    if (date_required) xmlNodeSetContent(n, (const xmlChar *)ODF_NULL_DATE), p->changed = true;
                    else drop(p, n);
                }
            }
            xmlFree(v);
            continue;
        }
        if (in_info && pre && strcmp(pre, "meta") == 0 && strcmp(local, "creator-initials") == 0) {
            char *v = text_of(n);
            if (report(p, "odf", "dc:creator", v)) drop(p, n);
            xmlFree(v);
            continue;
        }
        bool info = strcmp(local, "change-info") == 0, note = strcmp(local, "annotation") == 0;
        if (depth < 256) scan_odf_content(p, n->children, depth + 1, in_info || info || note, info);
    }
}

/* ---- EPUB 2 navigation: <meta name="dtb:uid" content="..."/> ---- */

static void scan_ncx(struct part *p, xmlNode *n, int depth)
{
    for (; n && !p->err; n = n->next) {
        if (n->type != XML_ELEMENT_NODE) continue;
        if (strcmp((const char *)n->name, "meta") == 0) {
            xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
            xmlChar *content = xmlGetProp(n, (const xmlChar *)"content");
            if (name && content && strcmp((const char *)name, "dtb:uid") == 0 &&
                strcmp((const char *)content, NULL_UUID) != 0 &&
                report_kind(p, UM_K_DOCUMENT_ID, UM_SEV_MEDIUM, "dtb:uid", (const char *)content)) {
                xmlSetProp(n, (const xmlChar *)"content", (const xmlChar *)NULL_UUID);
                p->changed = true;
            }
            xmlFree(name);
            xmlFree(content);
        } else if (depth < 64) {
            scan_ncx(p, n->children, depth + 1);
        }
    }
}

/* ---- OOXML relationships: an external target on a local disk or share (the
 * attached template, a linked file) names the folder, usually with the user's
 * name: file:///C:\Users\kim\AppData\...\Normal.dotm. It keeps its file name. ---- */

static bool local_path(const char *t)
{
    return !strncasecmp(t, "file:", 5) || !strncmp(t, "\\\\", 2) ||
           (((t[0] | 32) >= 'a' && (t[0] | 32) <= 'z') && t[1] == ':' && (t[2] == '\\' || t[2] == '/')) ||
           t[0] == '/';
}

static void scan_rels(struct part *p, xmlNode *root)
{
    for (xmlNode *n = root ? root->children : NULL; n && !p->err; n = n->next) {
        if (n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "Relationship") != 0) continue;
        xmlChar *mode = xmlGetProp(n, (const xmlChar *)"TargetMode");
        xmlChar *target = xmlGetProp(n, (const xmlChar *)"Target");
        if (mode && target && strcmp((const char *)mode, "External") == 0 && local_path((const char *)target) &&
            report(p, "ooxml", "rels:Target", (const char *)target)) {
            const char *base = (const char *)target, *q;
            for (q = base; *q; q++)
                if (*q == '/' || *q == '\\') base = q + 1;
            xmlSetProp(n, (const xmlChar *)"Target", (const xmlChar *)base);
            p->changed = true;
        }
        xmlFree(mode);
        xmlFree(target);
    }
}

/* ---- EPUB package document ---- */

static void scan_opf(struct part *p, xmlNode *n, int depth)
{
    for (xmlNode *next; n && !p->err; n = next) {
        next = n->next;
        if (n->type != XML_ELEMENT_NODE) continue;
        char key[160];
        qname(n->ns, n->name, key, sizeof key);
        char *v = text_of(n);
        if (strcmp(key, "dc:identifier") == 0) {
            /* Required, and referenced by the package's unique-identifier. */
            if (v && strcmp(v, NULL_UUID) != 0 && report_kind(p, UM_K_DOCUMENT_ID, UM_SEV_MEDIUM, key, v)) {
                xmlNodeSetContent(n, (const xmlChar *)NULL_UUID);
                p->changed = true;
            }
        } else if (strcmp(key, "dc:creator") == 0 || strcmp(key, "dc:contributor") == 0 ||
                   strcmp(key, "dc:publisher") == 0 || strcmp(key, "dc:rights") == 0) {
            if (report_kind(p, UM_K_PERSON, UM_SEV_MEDIUM, key, v)) drop(p, n);
        } else if (strcmp(key, "dc:date") == 0) {
            if (report_kind(p, UM_K_TIMESTAMP, UM_SEV_LOW, key, v)) drop(p, n);
        } else if (strcmp(key, "opf:meta") == 0) {
            xmlChar *prop = xmlGetProp(n, (const xmlChar *)"property");
            xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
            if (prop && strcmp((const char *)prop, "dcterms:modified") == 0) {
                /* Required in EPUB 3: set to a fixed date. */
                if (v && strcmp(v, FIXED_DATE) != 0 &&
                    report_kind(p, UM_K_TIMESTAMP, UM_SEV_LOW, "dcterms:modified", v)) {
                    xmlNodeSetContent(n, (const xmlChar *)FIXED_DATE);
                    p->changed = true;
                }
            } else if (name && strcmp((const char *)name, "calibre:timestamp") == 0) {
                xmlChar *c = xmlGetProp(n, (const xmlChar *)"content");
                bool drop_it = report_kind(p, UM_K_TIMESTAMP, UM_SEV_LOW, "calibre:timestamp", (const char *)c);
                xmlFree(c);
                if (drop_it) {
                    xmlFree(prop);
                    xmlFree(name);
                    xmlFree(v);
                    drop(p, n);
                    continue;
                }
            } else if (name && strcmp((const char *)name, "generator") == 0) {
                xmlChar *c = xmlGetProp(n, (const xmlChar *)"content");
                if (report_kind(p, UM_K_SOFTWARE, UM_SEV_LOW, "generator", (const char *)c)) {
                    xmlFree(c);
                    xmlFree(prop);
                    xmlFree(name);
                    xmlFree(v);
                    drop(p, n);
                    continue;
                }
                xmlFree(c);
            }
            xmlFree(prop);
            xmlFree(name);
        } else if (depth < 64) {
            xmlFree(v);
            v = NULL;
            scan_opf(p, n->children, depth + 1);
        }
        xmlFree(v);
    }
}

int um_docxml_scan(struct um_scan_ctx *ctx, enum um_docpart kind, const char *name,
                   const uint8_t *xml, size_t len, uint64_t off, uint64_t rlen,
                   struct um_docxml_result *out)
{
    memset(out, 0, sizeof *out);
    if (len > INT32_MAX) return UM_E_LIMIT;
    char where[300];
    snprintf(where, sizeof where, "zip/%s", name);
    struct part p = { .ctx = ctx, .where = where, .off = off, .rlen = rlen, .out = out };
    /* No network, no DTD, no entity substitution: a document cannot make us fetch or
     * expand anything. */
    int err = um_xmllib_load();
    if (err) return err;
    xmlDoc *doc = xmlReadMemory((const char *)xml, (int)len, NULL, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) return UM_E_FORMAT;
    if (doc->intSubset) {
        /* Office parts never carry a DTD; one here could only be there to make
         * entity expansion (in xmlNodeGetContent) explode. Reported, not read. */
        xmlFreeDoc(doc);
        struct um_finding_spec s = {
            .kind = UM_K_CONTENT, .severity = UM_SEV_MEDIUM, .where = where, .key = "DOCTYPE",
            .offset = off, .length = rlen, .note = "an XML part with a DTD: not read",
        };
        int idx = um_report(ctx, &s);
        return idx < 0 ? idx : 0;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    switch (kind) {
    case UM_PART_CORE:
    case UM_PART_APP:
    case UM_PART_CUSTOM:
        scan_props(&p, root, kind);
        break;
    case UM_PART_WORD:
        scan_word(&p, root, 0);
        report_summary(&p, &p.rsid_attrs, "rsid attributes");
        report_summary(&p, &p.rsid_list, "rsid values");
        report_summary(&p, &p.nsids, "list ids");
        report_summary(&p, &p.dates, "revision and comment dates");
        break;
    case UM_PART_ODF_META:
        scan_odf(&p, root);
        break;
    case UM_PART_OPF:
        scan_opf(&p, root, 0);
        break;
    case UM_PART_ODF_SETTINGS:
        scan_odf_settings(&p, root, 0);
        break;
    case UM_PART_NCX:
        scan_ncx(&p, root, 0);
        break;
    case UM_PART_ODF_CONTENT:
        scan_odf_content(&p, root, 0, false, false);
        break;
    case UM_PART_RELS:
        scan_rels(&p, root);
        break;
    default:
        break;
    }
    err = p.err;
    if (!err && p.changed && out->nfindings) {
        xmlChar *buf = NULL;
        int n = 0;
        xmlDocDumpMemoryEnc(doc, &buf, &n, "UTF-8");
        if (!buf || n < 0) {
            err = -ENOMEM;
        } else {
            out->cleaned = malloc((size_t)n ? (size_t)n : 1);
            if (!out->cleaned) err = -ENOMEM;
            else memcpy(out->cleaned, buf, (size_t)n), out->cleaned_len = (size_t)n;
        }
        xmlFree(buf);
    }
    for (size_t i = 0; i < p.nseen; i++) free(p.seen[i]);
    xmlFreeDoc(doc);
    return err;
}

void um_docxml_result_free(struct um_docxml_result *r)
{
    free(r->findings);
    free(r->cleaned);
    memset(r, 0, sizeof *r);
}

