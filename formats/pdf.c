/* PDF (ISO 32000-1:2008): finds the last %%EOF (the legal end; bytes after it are
 * appended data), the document information dictionaries (section 14.3.3), the
 * trailer /ID arrays (14.4), the XMP metadata streams (14.3.2) of every revision,
 * the authors and dates of annotations (12.5), and JPEG image streams.
 *
 * Objects are located by scanning the bytes for "N G obj" rather than by following
 * the xref chain: incremental updates leave the old Info dictionaries in the file,
 * and those still carry the old author and dates; a broken or circular /Prev chain
 * cannot hide anything either. Trailers are the "trailer" dictionaries and every
 * xref stream dictionary (/Type /XRef). Object streams (/FlateDecode) are inflated
 * for the Info dictionaries and annotations they hold.
 *
 * Removal is in place, so that no xref offset moves: strings become spaces inside
 * their delimiters, /ID strings hex zeros of the same length, an XMP stream an
 * empty packet padded with spaces. A /FlateDecode stream (XMP, object stream) is
 * re-compressed to exactly its old length: the new data deflated, then stored
 * blocks of spaces. XMP properties are parsed here (libxml2) and classified like
 * the XMP handler's, not through um_scan_embedded: the packet is blanked whole, and
 * the edits of an embedded scan inside it would overlap. Streams with other
 * filters are reported, not changed. JPEG image streams are scanned as embedded
 * files (their EXIF, data after their EOI). In encrypted files /ID feeds the key
 * and strings are ciphertext: everything is reported, nothing changed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "format.h"
#include "images.h"

#define MAX_OBJECTS (1u << 22)
#define MAX_DEPTH 32
#define MAX_VALUE 4096          /* decoded bytes kept for a report value */
#define MAX_REFS 256            /* distinct /Info and /Root targets followed */
#define EOF_TAIL 2048
#define MAX_XMP (16u << 20)     /* inflated XMP bytes read */

enum vtype { V_NONE, V_DICT, V_ARRAY, V_NAME, V_STRING, V_HEX, V_NUM, V_REF, V_OTHER };

struct val {
    enum vtype t;
    uint64_t start, end;   /* bytes of the whole value, delimiters included */
    int64_t num;           /* V_NUM (integer part), V_REF object number */
    int64_t gen;           /* V_REF */
};

struct obj {
    uint32_t num, gen;
    uint64_t at;     /* offset of the first digit of "N G obj" */
    uint64_t body;   /* just after "obj" */
};

struct pdf {
    struct um_scan_ctx *ctx;
    const uint8_t *d;
    uint64_t end;
    struct obj *objs;
    size_t nobjs;
    uint64_t *trailers;     /* where each "trailer" keyword is (found once, used twice) */
    size_t ntrailers;
    bool encrypted;
    /* Inside an inflated object stream: d is this copy, edits go into it and the
     * findings (reported with the stream's range) are collected. */
    uint8_t *mut;
    uint64_t rep_off, rep_len;
    uint32_t stm;
    int *found;
    size_t nfound;
};

static bool is_ws(uint8_t c) { return c == 0 || c == 9 || c == 10 || c == 12 || c == 13 || c == 32; }
static bool is_delim(uint8_t c) { return strchr("()<>[]{}/%", c) && c; }
static bool is_regular(uint8_t c) { return !is_ws(c) && !is_delim(c); }
static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static uint64_t skip_ws(const struct pdf *p, uint64_t i)
{
    while (i < p->end) {
        if (is_ws(p->d[i])) {
            i++;
        } else if (p->d[i] == '%') {
            while (i < p->end && p->d[i] != '\n' && p->d[i] != '\r') i++;
        } else {
            break;
        }
    }
    return i;
}

/* Reads an unsigned integer token at i; false when there is none. */
static bool read_uint(const struct pdf *p, uint64_t *i, int64_t *out)
{
    uint64_t j = *i;
    int64_t v = 0;
    while (j < p->end && is_digit(p->d[j])) {
        if (v > (INT64_MAX - 9) / 10) return false;
        v = v * 10 + (p->d[j] - '0');
        j++;
    }
    if (j == *i || (j < p->end && is_regular(p->d[j]) && p->d[j] != '.')) return false;
    *i = j;
    *out = v;
    return true;
}

static int parse_value(const struct pdf *p, uint64_t *pos, int depth, struct val *v);

/* Skips a literal string starting at '(' ; returns the offset after ')'. */
static int skip_literal(const struct pdf *p, uint64_t i, uint64_t *out)
{
    int nest = 0;
    for (; i < p->end; i++) {
        uint8_t c = p->d[i];
        if (c == '\\') {
            i++;
        } else if (c == '(') {
            nest++;
        } else if (c == ')') {
            if (--nest == 0) {
                *out = i + 1;
                return 0;
            }
        }
    }
    return UM_E_TRUNC;
}

/* Parses one value at *pos (after white space), leaving *pos after it. */
static int parse_value(const struct pdf *p, uint64_t *pos, int depth, struct val *v)
{
    if (depth > MAX_DEPTH) return UM_E_LIMIT;
    uint64_t i = skip_ws(p, *pos);
    memset(v, 0, sizeof *v);
    v->start = i;
    if (i >= p->end) return UM_E_TRUNC;
    uint8_t c = p->d[i];
    int err;
    if (c == '<' && i + 1 < p->end && p->d[i + 1] == '<') {
        v->t = V_DICT;
        i += 2;
        for (;;) {
            i = skip_ws(p, i);
            if (i + 1 < p->end && p->d[i] == '>' && p->d[i + 1] == '>') {
                i += 2;
                break;
            }
            struct val sub;
            if ((err = parse_value(p, &i, depth + 1, &sub))) return err;
        }
    } else if (c == '[') {
        v->t = V_ARRAY;
        i++;
        for (;;) {
            i = skip_ws(p, i);
            if (i < p->end && p->d[i] == ']') {
                i++;
                break;
            }
            struct val sub;
            if ((err = parse_value(p, &i, depth + 1, &sub))) return err;
        }
    } else if (c == '(') {
        v->t = V_STRING;
        if ((err = skip_literal(p, i, &i))) return err;
    } else if (c == '<') {
        v->t = V_HEX;
        const uint8_t *gt = memchr(p->d + i, '>', p->end - i);
        if (!gt) return UM_E_TRUNC;
        i = (uint64_t)(gt - p->d) + 1;
    } else if (c == '/') {
        v->t = V_NAME;
        i++;
        while (i < p->end && is_regular(p->d[i])) i++;
    } else if (is_digit(c)) {
        int64_t n;
        if (!read_uint(p, &i, &n)) {
            /* A real number or something odd: skip the token. */
            while (i < p->end && is_regular(p->d[i])) i++;
            v->t = V_OTHER;
        } else {
            v->t = V_NUM;
            v->num = n;
            /* "N G R" is a reference. */
            uint64_t j = skip_ws(p, i);
            int64_t g;
            if (j < p->end && is_digit(p->d[j]) && read_uint(p, &j, &g)) {
                j = skip_ws(p, j);
                if (j < p->end && p->d[j] == 'R' && (j + 1 >= p->end || !is_regular(p->d[j + 1]))) {
                    v->t = V_REF;
                    v->gen = g;
                    i = j + 1;
                }
            }
        }
    } else if (is_regular(c)) {
        v->t = V_OTHER;   /* true, false, null, -1, .5, keywords */
        while (i < p->end && is_regular(p->d[i])) i++;
    } else {
        return UM_E_FORMAT;   /* ')', '>', ']', '{', '}' out of place */
    }
    v->end = i;
    *pos = i;
    return 0;
}

/* Compares a name value with "/Key" (no # escapes in the keys we look for). */
static bool name_is(const struct pdf *p, const struct val *v, const char *name)
{
    size_t n = strlen(name);
    return v->t == V_NAME && v->end - v->start == n + 1 && memcmp(p->d + v->start + 1, name, n) == 0;
}

/* Iterates a dictionary: *it starts at dict.start; returns 1 with key and value, 0 at
 * the end, or an error. */
static int dict_next(const struct pdf *p, const struct val *dict, uint64_t *it, struct val *key,
                     struct val *value)
{
    if (*it == dict->start) *it += 2;
    uint64_t i = skip_ws(p, *it);
    if (i + 2 > dict->end || (p->d[i] == '>' && p->d[i + 1] == '>')) return 0;
    int err = parse_value(p, &i, 1, key);
    if (err) return err;
    if (key->t != V_NAME) return UM_E_FORMAT;
    if ((err = parse_value(p, &i, 1, value))) return err;
    *it = i;
    return 1;
}

static int dict_get(const struct pdf *p, const struct val *dict, const char *name, struct val *out)
{
    uint64_t it = dict->start;
    struct val k, v;
    int r;
    while ((r = dict_next(p, dict, &it, &k, &v)) == 1) {
        if (name_is(p, &k, name)) {
            *out = v;
            return 1;
        }
    }
    return r;
}

/* ---- the object index ---- */

static int cmp_obj(const void *a, const void *b)
{
    const struct obj *x = a, *y = b;
    if (x->num != y->num) return x->num < y->num ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* The first w (wl >= 1 bytes) in [p, p + n), or NULL. For the keywords sought over a
 * whole file: memchr finds each candidate first byte many bytes a cycle, where
 * glibc's memmem for a short needle took a fifth of a PDF's scan. */
static const uint8_t *find_keyword(const uint8_t *p, size_t n, const char *w, size_t wl)
{
    const uint8_t *end = p + n;
    while ((size_t)(end - p) >= wl) {
        const uint8_t *c = memchr(p, w[0], (size_t)(end - p) - wl + 1);
        if (!c) return NULL;
        if (!memcmp(c + 1, w + 1, wl - 1)) return c;
        p = c + 1;
    }
    return NULL;
}

/* Finds every "N G obj" in the file (a recovery scan, like readers do when the xref
 * is broken). */
static int index_objects(struct pdf *p)
{
    size_t cap = 0;
    const uint8_t *d = p->d;
    uint64_t i = 0;
    while (i + 3 <= p->end) {
        const uint8_t *hit = find_keyword(d + i, p->end - i, "obj", 3);
        if (!hit) break;
        uint64_t o = (uint64_t)(hit - d);
        i = o + 3;
        if (o + 3 < p->end && is_regular(d[o + 3])) continue;
        /* Backwards: white space, generation digits, white space, number digits. */
        uint64_t j = o;
        if (j == 0 || !is_ws(d[j - 1])) continue;
        while (j > 0 && is_ws(d[j - 1])) j--;
        uint64_t gen_end = j;
        while (j > 0 && is_digit(d[j - 1]) && gen_end - j < 6) j--;
        if (j == gen_end || j == 0 || !is_ws(d[j - 1])) continue;
        uint64_t gen_start = j;
        while (j > 0 && is_ws(d[j - 1])) j--;
        uint64_t num_end = j;
        while (j > 0 && is_digit(d[j - 1]) && num_end - j < 10) j--;
        if (j == num_end || (j > 0 && is_regular(d[j - 1]))) continue;
        uint64_t num = 0, gen = 0;
        for (uint64_t k = j; k < num_end; k++) num = num * 10 + (d[k] - '0');
        for (uint64_t k = gen_start; k < gen_end; k++) gen = gen * 10 + (d[k] - '0');
        if (num > UINT32_MAX || gen > 65535) continue;
        if (p->nobjs == cap) {
            if (cap >= MAX_OBJECTS) return UM_E_LIMIT;
            size_t ncap = cap ? cap * 2 : 256;
            struct obj *n = realloc(p->objs, ncap * sizeof *n);
            if (!n) return -ENOMEM;
            p->objs = n;
            cap = ncap;
        }
        p->objs[p->nobjs++] = (struct obj){ (uint32_t)num, (uint32_t)gen, j, o + 3 };
    }
    if (p->nobjs) qsort(p->objs, p->nobjs, sizeof *p->objs, cmp_obj);
    return 0;
}

/* First index of object num in the sorted index, and how many definitions it has. */
static size_t find_objs(const struct pdf *p, int64_t num, size_t *count)
{
    size_t lo = 0, hi = p->nobjs;
    *count = 0;
    if (num < 0 || num > UINT32_MAX) return 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->objs[mid].num < (uint32_t)num) lo = mid + 1;
        else hi = mid;
    }
    size_t k = lo;
    while (k < p->nobjs && p->objs[k].num == (uint32_t)num) k++;
    *count = k - lo;
    return lo;
}

/* Resolves an integer that may be given by reference (a stream's /Length): the last
 * definition wins, as in a reader. */
static bool resolve_int(const struct pdf *p, const struct val *v, int64_t *out)
{
    if (v->t == V_NUM) {
        *out = v->num;
        return true;
    }
    if (v->t != V_REF) return false;
    size_t n, first = find_objs(p, v->num, &n);
    for (size_t k = n; k-- > 0;) {
        uint64_t i = p->objs[first + k].body;
        struct val x;
        if (parse_value(p, &i, 1, &x) == 0 && x.t == V_NUM) {
            *out = x.num;
            return true;
        }
    }
    return false;
}

/* ---- strings ---- */

/* Decodes a literal or hex string (delimiters included in v) into out (at most
 * MAX_VALUE bytes); UTF-16BE with a BOM becomes UTF-8. */
static size_t decode_string(const struct pdf *p, const struct val *v, uint8_t *out)
{
    uint8_t raw[MAX_VALUE];
    size_t n = 0;
    const uint8_t *s = p->d + v->start + 1, *e = p->d + v->end - 1;
    if (v->t == V_HEX) {
        int half = -1;
        for (; s < e && n < MAX_VALUE; s++) {
            int x;
            if (*s >= '0' && *s <= '9') x = *s - '0';
            else if ((*s | 32) >= 'a' && (*s | 32) <= 'f') x = (*s | 32) - 'a' + 10;
            else continue;
            if (half < 0) {
                half = x;
            } else {
                raw[n++] = (uint8_t)(half << 4 | x);
                half = -1;
            }
        }
        if (half >= 0 && n < MAX_VALUE) raw[n++] = (uint8_t)(half << 4);
    } else {
        for (; s < e && n < MAX_VALUE; s++) {
            if (*s != '\\' || s + 1 >= e) {
                raw[n++] = *s;
                continue;
            }
            s++;
            switch (*s) {
            case 'n': raw[n++] = '\n'; break;
            case 'r': raw[n++] = '\r'; break;
            case 't': raw[n++] = '\t'; break;
            case 'b': raw[n++] = '\b'; break;
            case 'f': raw[n++] = '\f'; break;
            case '\r': if (s + 1 < e && s[1] == '\n') s++; break;
            case '\n': break;
            default:
                if (*s >= '0' && *s <= '7') {
                    int x = 0, k = 0;
                    while (k < 3 && s < e && *s >= '0' && *s <= '7') x = x * 8 + (*s++ - '0'), k++;
                    s--;
                    raw[n++] = (uint8_t)x;
                } else {
                    raw[n++] = *s;
                }
            }
        }
    }
    if (n >= 2 && raw[0] == 0xFE && raw[1] == 0xFF) {
        size_t m = 0;
        for (size_t k = 2; k + 1 < n && m + 4 <= MAX_VALUE; k += 2) {
            uint32_t c = (uint32_t)raw[k] << 8 | raw[k + 1];
            if (c >= 0xD800 && c < 0xDC00 && k + 3 < n) {
                uint32_t lo = (uint32_t)raw[k + 2] << 8 | raw[k + 3];
                if (lo >= 0xDC00 && lo < 0xE000) {
                    c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                    k += 2;
                }
            }
            if (c < 0x80) {
                out[m++] = (uint8_t)c;
            } else if (c < 0x800) {
                out[m++] = (uint8_t)(0xC0 | c >> 6);
                out[m++] = (uint8_t)(0x80 | (c & 63));
            } else if (c < 0x10000) {
                out[m++] = (uint8_t)(0xE0 | c >> 12);
                out[m++] = (uint8_t)(0x80 | (c >> 6 & 63));
                out[m++] = (uint8_t)(0x80 | (c & 63));
            } else {
                out[m++] = (uint8_t)(0xF0 | c >> 18);
                out[m++] = (uint8_t)(0x80 | (c >> 12 & 63));
                out[m++] = (uint8_t)(0x80 | (c >> 6 & 63));
                out[m++] = (uint8_t)(0x80 | (c & 63));
            }
        }
        return m;
    }
    memcpy(out, raw, n);
    return n;
}

static bool blank(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_ws(s[i])) return false;
    return true;
}

/* Same-length replacement of the bytes between a string's delimiters. */
static int plan_fill(struct pdf *p, int idx, uint64_t off, uint64_t len, uint8_t fill)
{
    if (!len) return 0;
    uint8_t *b = malloc(len);
    if (!b) return -ENOMEM;
    memset(b, fill, len);
    int err = um_plan(p->ctx, idx, UM_OP_REPLACE, off, len, b);
    free(b);
    return err;
}

/* ---- what is reported ---- */

/* An annotation (a comment, a highlight, a stamp) names its author in /T and dates
 * itself in /M and /CreationDate. Form fields (/FT) and widgets use /T for the
 * field's name, and links have none: those are left alone. */
static bool is_annot(const struct pdf *p, const struct val *dict)
{
    struct val type, sub, x;
    if (dict_get(p, dict, "Subtype", &sub) != 1 || sub.t != V_NAME) return false;
    if (name_is(p, &sub, "Widget") || name_is(p, &sub, "Link") || dict_get(p, dict, "FT", &x) == 1) return false;
    bool annot = dict_get(p, dict, "Type", &type) == 1 && name_is(p, &type, "Annot");
    return annot || dict_get(p, dict, "Rect", &x) == 1;
}

/* Reports the string values of an Info dictionary (every key) or of an annotation
 * (its author and dates) and blanks them. */
static int report_dict(struct pdf *p, const struct obj *o, bool annot)
{
    uint64_t i = o->body;
    struct val dict;
    if (parse_value(p, &i, 0, &dict) || dict.t != V_DICT) return 0;   /* not a dictionary */
    uint64_t it = dict.start;
    struct val k, v;
    int r;
    uint8_t value[MAX_VALUE];
    while ((r = dict_next(p, &dict, &it, &k, &v)) == 1) {
        char key[128];
        size_t kl = k.end - k.start - 1;
        if (kl >= sizeof key) kl = sizeof key - 1;
        memcpy(key, p->d + k.start + 1, kl);
        key[kl] = 0;
        if (annot && strcmp(key, "T") != 0 && strcmp(key, "M") != 0 && strcmp(key, "CreationDate") != 0)
            continue;
        struct val sv = v;
        if (v.t == V_REF) {
            /* A value given by reference: follow it to a string object. */
            size_t n, first = find_objs(p, v.num, &n);
            if (!n) continue;
            uint64_t j = p->objs[first + n - 1].body;
            if (parse_value(p, &j, 1, &sv)) continue;
        }
        if (sv.t != V_STRING && sv.t != V_HEX) continue;   /* /Trapped /False and the like */
        size_t n = decode_string(p, &sv, value);
        if (blank(value, n)) continue;                     /* already scrubbed */
        char where[128];
        const char *what = annot ? "Annot" : "Info";
        if (p->mut) snprintf(where, sizeof where, "pdf/objstm[%u]/obj[%u %u]/%s", p->stm, o->num, o->gen, what);
        else snprintf(where, sizeof where, "pdf/obj[%u %u]/%s", o->num, o->gen, what);
        char akey[140];
        const char *rkey = key;
        if (annot) snprintf(akey, sizeof akey, "Annot.%s", key), rkey = akey;
        uint64_t in = sv.start + 1, inlen = sv.end - sv.start - 2;
        int idx = um_report_classified(p->ctx, "pdf", where, rkey, value, n, p->mut ? p->rep_off : in,
                                       p->mut ? p->rep_len : inlen);
        if (um_is_error(idx)) return idx;
        if (idx < 0) continue;
        int err;
        if (p->encrypted) {
            err = um_note(p->ctx, idx, "encrypted PDF: the value is ciphertext; not changed");
        } else if (p->mut) {
            memset(p->mut + in, ' ', inlen);
            int *f = realloc(p->found, (p->nfound + 1) * sizeof *f);
            if (!f) return -ENOMEM;
            p->found = f;
            f[p->nfound++] = idx;
            err = 0;
        } else {
            err = plan_fill(p, idx, in, inlen, ' ');
        }
        if (err) return err;
    }
    (void)r;   /* a malformed dictionary ends the list: what was found is kept */
    return 0;
}

static int report_id(struct pdf *p, const struct val *arr, const char *where_base)
{
    uint64_t i = arr->start + 1;
    uint8_t value[MAX_VALUE];
    for (int n = 0; n < 2; n++) {
        struct val s;
        if (parse_value(p, &i, 1, &s)) return 0;
        if (s.t != V_STRING && s.t != V_HEX) return 0;
        size_t len = decode_string(p, &s, value);
        if (um_all_zero(value, len)) continue;
        char hex[2 * 64 + 1];
        size_t shown = len < 64 ? len : 64;
        for (size_t k = 0; k < shown; k++) snprintf(hex + 2 * k, 3, "%02x", value[k]);
        hex[2 * shown] = 0;
        char where[112];
        snprintf(where, sizeof where, "%s/ID[%d]", where_base, n);
        int idx = um_report_classified(p->ctx, "pdf", where, "ID", (const uint8_t *)hex, 2 * shown,
                                       s.start, s.end - s.start);
        if (um_is_error(idx)) return idx;
        if (idx < 0) continue;
        int err;
        if (p->encrypted) {
            err = um_note(p->ctx, idx, "encrypted PDF: /ID is part of the key; not changed");
        } else if (s.t == V_HEX) {
            err = plan_fill(p, idx, s.start + 1, s.end - s.start - 2, '0');
        } else {
            /* (literal) becomes <000...> of the same length. */
            uint64_t len2 = s.end - s.start;
            uint8_t *b = malloc(len2);
            if (!b) return -ENOMEM;
            memset(b, '0', len2);
            b[0] = '<';
            b[len2 - 1] = '>';
            err = um_plan(p->ctx, idx, UM_OP_REPLACE, s.start, len2, b);
            free(b);
        }
        if (err) return err;
    }
    return 0;
}

/* The data range of the stream whose dictionary is `dict`. */
static bool stream_range(const struct pdf *p, const struct val *dict, uint64_t *off, uint64_t *len)
{
    uint64_t i = skip_ws(p, dict->end);
    if (i + 6 > p->end || memcmp(p->d + i, "stream", 6) != 0) return false;
    i += 6;
    if (i < p->end && p->d[i] == '\r') i++;
    if (i < p->end && p->d[i] == '\n') i++;
    struct val lv;
    int64_t n;
    if (dict_get(p, dict, "Length", &lv) == 1 && resolve_int(p, &lv, &n) && n >= 0 &&
        um_range_ok(i, (uint64_t)n, p->end)) {
        uint64_t e = skip_ws(p, i + (uint64_t)n);
        if (e + 9 <= p->end && memcmp(p->d + e, "endstream", 9) == 0) {
            *off = i;
            *len = (uint64_t)n;
            return true;
        }
    }
    /* A wrong /Length: readers fall back to searching for endstream. */
    const uint8_t *hit = find_keyword(p->d + i, p->end - i, "endstream", 9);
    if (!hit) return false;
    uint64_t e = (uint64_t)(hit - p->d);
    if (e > i && p->d[e - 1] == '\n') e--;
    if (e > i && p->d[e - 1] == '\r') e--;
    *off = i;
    *len = e - i;
    return true;
}

/* What a scrubbed XMP stream holds: an empty packet (so that readers that parse it
 * find valid XMP) padded with spaces. */
static const char empty_xmp[] =
    "<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>"
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/><?xpacket end=\"w\"?>";

static bool scrubbed_xmp(const uint8_t *s, uint64_t n)
{
    size_t e = sizeof empty_xmp - 1;
    if (n >= e && memcmp(s, empty_xmp, e) == 0) s += e, n -= e;
    return blank(s, n);
}

static int plan_xmp(struct pdf *p, int idx, uint64_t off, uint64_t len)
{
    uint8_t *b = malloc(len);
    if (!b) return -ENOMEM;
    memset(b, ' ', len);
    size_t e = sizeof empty_xmp - 1;
    if (len >= e) memcpy(b, empty_xmp, e);
    int err = um_plan(p->ctx, idx, UM_OP_REPLACE, off, len, b);
    free(b);
    return err;
}

/* Inflates a zlib stream (capped) into *out. */
static int inflate_stream(const uint8_t *src, uint64_t n, uint8_t **out, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) return -ENOMEM;
    size_t cap = 16384, len = 0;
    uint8_t *buf = malloc(cap);
    int err = buf ? 0 : -ENOMEM;
    z.next_in = (Bytef *)src;
    z.avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
    while (!err) {
        if (len == cap) {
            if (cap >= MAX_XMP) {
                err = UM_E_LIMIT;
                break;
            }
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                err = -ENOMEM;
                break;
            }
            buf = nb, cap *= 2;
        }
        z.next_out = buf + len;
        z.avail_out = (uInt)(cap - len);
        int r = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
        if (r == Z_STREAM_END) break;
        if (r == Z_BUF_ERROR && z.avail_out) err = UM_E_TRUNC;
        else if (r != Z_OK && r != Z_BUF_ERROR) err = UM_E_FORMAT;
    }
    inflateEnd(&z);
    if (err) {
        free(buf);
        return err;
    }
    *out = buf;
    *outlen = len;
    return 0;
}

/* A zlib stream of exactly n bytes that inflates to plain[0, plen) followed by
 * spaces: the data deflated and flushed to a byte boundary, then stored blocks of
 * spaces sized to fill, then the Adler-32. So a compressed stream is rewritten in
 * place; NULL when the data does not fit. Trailing spaces are harmless where this
 * is used (after an XMP packet, after the last object of an object stream). */
static uint8_t *exact_zlib(const uint8_t *plain, size_t plen, uint64_t n)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit(&z, 9) != Z_OK) return NULL;
    size_t cap = deflateBound(&z, (uLong)plen) + 16;
    uint8_t *head = malloc(cap);
    if (!head) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = (Bytef *)plain;
    z.avail_in = (uInt)plen;
    z.next_out = head;
    z.avail_out = (uInt)cap;
    int r = deflate(&z, Z_SYNC_FLUSH);
    size_t c = cap - z.avail_out;
    uLong adler = z.adler;
    bool ok = r == Z_OK && !z.avail_in;
    deflateEnd(&z);
    uint8_t *b = NULL;
    if (!ok || n < c + 4 + 5) goto end;
    uint64_t room = n - c - 4, blocks = 1;
    while (room >= 5 * blocks && room - 5 * blocks > 65535 * blocks) blocks++;
    if (room < 5 * blocks) goto end;
    b = malloc(n);
    if (!b) goto end;
    memcpy(b, head, c);
    uint64_t w = c, left = room - 5 * blocks;
    static const uint8_t spaces[1024] = { [0 ... 1023] = ' ' };
    for (uint64_t i = 0; i < blocks; i++) {
        uint64_t len = i + 1 == blocks ? left : (left < 65535 ? left : 65535);
        b[w++] = i + 1 == blocks ? 1 : 0;   /* BFINAL on the last; BTYPE 00 = stored */
        b[w++] = (uint8_t)len, b[w++] = (uint8_t)(len >> 8);
        b[w++] = (uint8_t)~len, b[w++] = (uint8_t)(~len >> 8);
        memset(b + w, ' ', len);
        for (uint64_t done = 0; done < len;) {
            uInt chunk = len - done > sizeof spaces ? (uInt)sizeof spaces : (uInt)(len - done);
            adler = adler32(adler, spaces, chunk);
            done += chunk;
        }
        w += len, left -= len;
    }
    for (int i = 3; i >= 0; i--) b[w++] = (uint8_t)(adler >> (8 * i));
    if (w != n) {
        free(b);
        b = NULL;
    }
end:
    free(head);
    return b;
}

static uint8_t *exact_empty_xmp(uint64_t n)
{
    return exact_zlib((const uint8_t *)empty_xmp, sizeof empty_xmp - 1, n);
}

/* True when the stream's only filter is /FlateDecode without parameters. */
static bool plain_flate(const struct pdf *p, const struct val *dict, bool *has_filter)
{
    struct val filter, parms;
    *has_filter = dict_get(p, dict, "Filter", &filter) == 1 && filter.t != V_OTHER;
    if (!*has_filter || dict_get(p, dict, "DecodeParms", &parms) == 1) return false;
    if (name_is(p, &filter, "FlateDecode")) return true;
    if (filter.t != V_ARRAY || filter.end - filter.start > 24) return false;
    const uint8_t *a = p->d + filter.start;
    size_t slashes = 0;
    for (uint64_t i = 0; i < filter.end - filter.start; i++) slashes += a[i] == '/';
    return slashes == 1 && memmem(a, filter.end - filter.start, "/FlateDecode", 12);
}

static int report_xmp(struct pdf *p, const struct obj *o, const struct val *dict)
{
    uint64_t off, len;
    if (!stream_range(p, dict, &off, &len) || !len) return 0;
    /* Only a plain /FlateDecode (no predictor) is read and rewritten. */
    bool has_filter;
    bool flate = plain_flate(p, dict, &has_filter);
    uint8_t *plain = NULL;
    size_t plen = len;
    const uint8_t *xmp = p->d + off;
    if (flate) {
        int err = inflate_stream(p->d + off, len, &plain, &plen);
        if (err == -ENOMEM) return err;
        if (err) flate = false;   /* unreadable: reported as compressed below */
        xmp = plain;
    }
    bool readable = !has_filter || flate;
    if (readable && scrubbed_xmp(xmp, plen)) {
        free(plain);
        return 0;
    }
    char where[96];
    snprintf(where, sizeof where, "pdf/obj[%u %u]/Metadata", o->num, o->gen);
    int props[256], nprops = 0;
    int err = 0;
    if (readable && !p->encrypted) {
        char prefix[112];
        snprintf(prefix, sizeof prefix, "%s/", where);
        err = um_xmp_report_detached(p->ctx, xmp, plen, prefix, off, len, props, 256, &nprops);
        if (err == UM_E_FORMAT || err == UM_E_LIMIT) err = 0;   /* not XML: the stream is still reported */
    }
    bool has_id = readable && (memmem(xmp, plen, "DocumentID", 10) || memmem(xmp, plen, "InstanceID", 10));
    free(plain);
    uint8_t *fill = NULL;
    if (!err && flate && !p->encrypted) {
        fill = exact_empty_xmp(len);
        if (!fill) flate = false;   /* too short to hold an empty packet */
    }
    bool removable = !p->encrypted && (!has_filter || flate);
    char value[64];
    snprintf(value, sizeof value, "XMP packet, %llu bytes%s", (unsigned long long)len,
             has_filter ? " compressed" : "");
    struct um_finding_spec s = {
        .kind = has_id || !readable ? UM_K_DOCUMENT_ID : UM_K_CONTENT,
        .severity = UM_SEV_MEDIUM,
        .where = where, .key = "Metadata",
        .value = (const uint8_t *)value, .value_len = strlen(value),
        .offset = off, .length = len,
        .note = p->encrypted ? "encrypted PDF: not changed"
                : !readable ? "compressed with a filter that is not read: not scanned inside and not changed"
                : NULL,
    };
    int idx = err ? err : um_report(p->ctx, &s);
    if (idx < 0) err = idx;
    /* Every property found shares the one edit that blanks the packet (identical
     * replacements of one range are one edit). */
    for (int i = 0; !err && removable && i <= nprops; i++) {
        int f = i < nprops ? props[i] : idx;
        if (fill) err = um_plan(p->ctx, f, UM_OP_REPLACE, off, len, fill);
        else err = plan_xmp(p, f, off, len);
    }
    free(fill);
    return err;
}

/* Info dictionaries and annotations inside object streams (PDF 1.5, 7.5.7): the
 * stream is inflated, the objects found by the stream's header, their strings blanked
 * in the copy, and the stream re-compressed to exactly its old length. want[k] are
 * Info object numbers still looked for; found ones are marked in seen[k]. */
static int scan_objstm(struct pdf *p, const struct obj *o, const struct val *dict, const int64_t (*want)[2],
                       size_t nwant, bool *seen)
{
    bool has_filter;
    uint64_t off, len;
    if (!stream_range(p, dict, &off, &len)) return 0;
    bool flate = plain_flate(p, dict, &has_filter);
    if (has_filter && !flate) return 0;
    struct val nv, fv;
    int64_t count, first;
    if (dict_get(p, dict, "N", &nv) != 1 || !resolve_int(p, &nv, &count) || count <= 0 ||
        dict_get(p, dict, "First", &fv) != 1 || !resolve_int(p, &fv, &first) || first < 0)
        return 0;
    uint8_t *buf = NULL;
    size_t blen = (size_t)len;
    int err;
    if (flate) {
        if ((err = inflate_stream(p->d + off, len, &buf, &blen))) return err == -ENOMEM ? err : 0;
    } else {
        buf = malloc(blen ? blen : 1);
        if (!buf) return -ENOMEM;
        memcpy(buf, p->d + off, blen);
    }
    struct pdf q = { .ctx = p->ctx, .d = buf, .end = blen, .encrypted = p->encrypted, .mut = buf,
                     .rep_off = off, .rep_len = len, .stm = o->num };
    uint64_t i = 0;
    err = 0;
    for (int64_t k = 0; k < count && k < 100000 && !err; k++) {
        int64_t num, rel;
        i = skip_ws(&q, i);
        if (i >= (uint64_t)first || !read_uint(&q, &i, &num)) break;
        i = skip_ws(&q, i);
        if (!read_uint(&q, &i, &rel)) break;
        if (num > UINT32_MAX || (uint64_t)first + (uint64_t)rel >= blen) continue;
        struct obj inner = { (uint32_t)num, 0, 0, (uint64_t)first + (uint64_t)rel };
        bool info = false;
        for (size_t w = 0; w < nwant; w++)
            if (want[w][0] == num) seen[w] = info = true;
        if (info) {
            err = report_dict(&q, &inner, false);
        } else {
            uint64_t j = inner.body;
            struct val d2;
            if (parse_value(&q, &j, 0, &d2) == 0 && d2.t == V_DICT && is_annot(&q, &d2))
                err = report_dict(&q, &inner, true);
        }
    }
    if (!err && q.nfound) {
        uint8_t *z = flate ? exact_zlib(buf, blen, len) : NULL;
        for (size_t k = 0; k < q.nfound && !err; k++) {
            if (!flate) err = um_plan(p->ctx, q.found[k], UM_OP_REPLACE, off, len, buf);
            else if (z) err = um_plan(p->ctx, q.found[k], UM_OP_REPLACE, off, len, z);
            else err = um_note(p->ctx, q.found[k], "in an object stream that does not re-compress into "
                                                   "its old length: not changed");
        }
        free(z);
    }
    free(q.found);
    free(buf);
    return err;
}

/* Trailer dictionaries: "trailer << >>" and xref stream dictionaries. */
struct trailer_refs {
    int64_t info[MAX_REFS][2];
    bool seen[MAX_REFS];
    size_t ninfo;
};

static void add_ref(struct trailer_refs *t, const struct val *v)
{
    if (v->t != V_REF) return;
    for (size_t k = 0; k < t->ninfo; k++)
        if (t->info[k][0] == v->num && t->info[k][1] == v->gen) return;
    if (t->ninfo < MAX_REFS) {
        t->info[t->ninfo][0] = v->num;
        t->info[t->ninfo][1] = v->gen;
        t->ninfo++;
    }
}

static int trailer(struct pdf *p, const struct val *dict, const char *where, struct trailer_refs *t,
                   bool ids)
{
    struct val v;
    if (!ids) {
        if (dict_get(p, dict, "Encrypt", &v) == 1) p->encrypted = true;
        if (dict_get(p, dict, "Info", &v) == 1) add_ref(t, &v);
        return 0;
    }
    if (dict_get(p, dict, "ID", &v) == 1 && v.t == V_ARRAY) return report_id(p, &v, where);
    return 0;
}

/* Finds every "trailer" keyword, once: the trailers are read in two passes. */
static int index_trailers(struct pdf *p)
{
    size_t cap = 0;
    for (uint64_t i = 0; i + 7 <= p->end;) {
        const uint8_t *hit = find_keyword(p->d + i, p->end - i, "trailer", 7);
        if (!hit) break;
        if (p->ntrailers == cap) {
            if (cap >= MAX_OBJECTS) return UM_E_LIMIT;
            size_t ncap = cap ? cap * 2 : 8;
            uint64_t *n = realloc(p->trailers, ncap * sizeof *n);
            if (!n) return -ENOMEM;
            p->trailers = n;
            cap = ncap;
        }
        p->trailers[p->ntrailers++] = (uint64_t)(hit - p->d);
        i = (uint64_t)(hit - p->d) + 7;
    }
    return 0;
}

/* Calls trailer() on every trailer dictionary. */
static int each_trailer(struct pdf *p, struct trailer_refs *t, bool ids)
{
    int err;
    for (size_t k = 0; k < p->ntrailers; k++) {
        uint64_t at = p->trailers[k], j = at + 7;
        struct val dict;
        if (parse_value(p, &j, 0, &dict) || dict.t != V_DICT) continue;
        char where[64];
        snprintf(where, sizeof where, "pdf/trailer@%llu", (unsigned long long)at);
        if ((err = trailer(p, &dict, where, t, ids))) return err;
    }
    for (size_t k = 0; k < p->nobjs; k++) {
        uint64_t j = p->objs[k].body;
        struct val dict, type;
        if (parse_value(p, &j, 0, &dict) || dict.t != V_DICT) continue;
        if (dict_get(p, &dict, "Type", &type) != 1 || !name_is(p, &type, "XRef")) continue;
        char where[64];
        snprintf(where, sizeof where, "pdf/obj[%u %u]/XRef", p->objs[k].num, p->objs[k].gen);
        if ((err = trailer(p, &dict, where, t, ids))) return err;
    }
    return 0;
}

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    (void)size;
    if (n >= 5 && memcmp(h, "%PDF-", 5) == 0) return UM_PROBE_MAX;
    /* Readers accept the header anywhere in the first 1024 bytes. */
    const uint8_t *hit = memmem(h, n < 1024 ? n : 1024, "%PDF-", 5);
    return hit ? UM_PROBE_EXT : 0;
}

/* The end of the last "%%EOF" plus its end-of-line, or 0 when there is none. */
static uint64_t find_eof(const uint8_t *d, uint64_t size)
{
    /* Usually in the last bytes; a long appendix needs the slow search. */
    for (int pass = 0; pass < 2; pass++) {
        uint64_t lowest = pass == 0 && size > EOF_TAIL ? size - EOF_TAIL : 0;
        if (pass == 1 && size <= EOF_TAIL) break;
        for (uint64_t i = size >= 5 ? size - 5 + 1 : 0; i-- > lowest;) {
            if (d[i] != '%' || memcmp(d + i, "%%EOF", 5) != 0) continue;
            uint64_t e = i + 5;
            if (e < size && d[e] == '\r') e++;
            if (e < size && d[e] == '\n') e++;
            return e;
        }
    }
    return 0;
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    struct pdf p = { .ctx = ctx, .d = d, .end = size };
    struct trailer_refs *t = NULL;
    int err;

    uint64_t eof = find_eof(d, size);
    if (eof) {
        um_set_end(ctx, eof, "PDF %%EOF");
        p.end = eof;
    }
    if ((err = index_objects(&p)) || (err = index_trailers(&p))) goto end;
    t = calloc(1, sizeof *t);
    if (!t) {
        err = -ENOMEM;
        goto end;
    }
    /* Pass 1 learns whether the file is encrypted before anything is planned. */
    if ((err = each_trailer(&p, t, false))) goto end;
    if ((err = each_trailer(&p, t, true))) goto end;

    for (size_t k = 0; k < t->ninfo; k++) {
        size_t n, first = find_objs(&p, t->info[k][0], &n);
        for (size_t m = 0; m < n; m++) {
            const struct obj *o = &p.objs[first + m];
            if (o->gen != t->info[k][1]) continue;
            t->seen[k] = true;
            if ((err = report_dict(&p, o, false)) < 0) goto end;
        }
    }
    /* Object streams: the Info dictionaries not found as plain objects, and every
     * annotation. */
    for (size_t m = 0; m < p.nobjs; m++) {
        uint64_t j = p.objs[m].body;
        struct val dict, type;
        if (parse_value(&p, &j, 0, &dict) || dict.t != V_DICT) continue;
        if (dict_get(&p, &dict, "Type", &type) != 1 || !name_is(&p, &type, "ObjStm")) continue;
        int64_t want[MAX_REFS][2];
        size_t nwant = 0, map[MAX_REFS];
        bool found[MAX_REFS] = { false };
        for (size_t k = 0; k < t->ninfo; k++)
            if (!t->seen[k]) want[nwant][0] = t->info[k][0], want[nwant][1] = t->info[k][1], map[nwant++] = k;
        if ((err = scan_objstm(&p, &p.objs[m], &dict, (const int64_t (*)[2])want, nwant, found)) < 0) goto end;
        for (size_t w = 0; w < nwant; w++)
            if (found[w]) t->seen[map[w]] = true;
    }
    for (size_t k = 0; k < t->ninfo; k++) {
        if (!t->seen[k]) {
            char where[64];
            snprintf(where, sizeof where, "pdf/obj[%lld %lld]/Info", (long long)t->info[k][0],
                     (long long)t->info[k][1]);
            struct um_finding_spec s = {
                .kind = UM_K_CONTENT, .severity = UM_SEV_MEDIUM, .where = where, .key = "Info",
                .note = "the document information dictionary is neither a plain object nor in a "
                        "readable object stream: not read and not changed",
            };
            if ((err = um_report(ctx, &s)) < 0) goto end;
        }
    }
    /* XMP: every metadata stream, the catalog's and any page's or image's. JPEG
     * images (/DCTDecode alone) are the camera's file as it was, EXIF and all:
     * they are scanned as embedded files, whose edits keep their length. */
    for (size_t k = 0; k < p.nobjs; k++) {
        uint64_t j = p.objs[k].body;
        struct val dict, type, sub, filter;
        if (parse_value(&p, &j, 0, &dict) || dict.t != V_DICT) continue;
        bool meta = dict_get(&p, &dict, "Type", &type) == 1 && name_is(&p, &type, "Metadata");
        bool has_sub = dict_get(&p, &dict, "Subtype", &sub) == 1;
        if (meta || (has_sub && name_is(&p, &sub, "XML"))) {
            if ((err = report_xmp(&p, &p.objs[k], &dict)) < 0) goto end;
            continue;
        }
        if (has_sub && is_annot(&p, &dict)) {
            if ((err = report_dict(&p, &p.objs[k], true)) < 0) goto end;
            continue;
        }
        if (!has_sub || !name_is(&p, &sub, "Image") || p.encrypted) continue;
        if (dict_get(&p, &dict, "Filter", &filter) != 1) continue;
        bool dct = name_is(&p, &filter, "DCTDecode");
        if (filter.t == V_ARRAY) {
            uint64_t a = filter.start + 1;
            struct val only, none;
            dct = parse_value(&p, &a, 1, &only) == 0 && name_is(&p, &only, "DCTDecode") &&
                  parse_value(&p, &a, 1, &none) != 0;
        }
        uint64_t off, len;
        if (!dct || !stream_range(&p, &dict, &off, &len) || !len) continue;
        char where[64];
        snprintf(where, sizeof where, "pdf/obj[%u %u]/Image", p.objs[k].num, p.objs[k].gen);
        if ((err = um_scan_embedded(ctx, off, len, where)) < 0) goto end;
    }
    err = 0;
end:
    free(t);
    free(p.objs);
    free(p.trailers);
    return err;
}

const struct um_format um_format_pdf = {
    .name = "pdf",
    .long_name = "PDF document",
    .extensions = "pdf",
    .mime = "application/pdf",
    .no_essence = true,
    .finds = "Info dictionaries of every revision (object streams too), trailer /ID, XMP streams, "
             "JPEG images' metadata, data after %%EOF",
    .removes = "Info strings (spaces), /ID (hex zeros), XMP (an empty packet; Flate streams "
               "re-compressed to their length), data after %%EOF; all in place",
    .probe = probe,
    .scan = scan,
};
