#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_out.h"
#include "utf8.h"

static void put(struct um_json_out *o, const char *s, size_t n)
{
    if (o->failed) return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (o->len + n + 1 > cap) cap *= 2;
        char *b = realloc(o->buf, cap);
        if (!b) {
            o->failed = true;
            return;
        }
        o->buf = b, o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = 0;
}

static void putc_(struct um_json_out *o, char c) { put(o, &c, 1); }

void um_json_reset(struct um_json_out *o)
{
    o->len = 0;
    if (o->buf) o->buf[0] = 0;
    o->failed = false;
    o->depth = 0;
    o->after_key = false;
}

void um_json_free(struct um_json_out *o)
{
    free(o->buf);
    memset(o, 0, sizeof *o);
}

/* Before a value or a key: the comma that separates it from the previous item. */
static void item(struct um_json_out *o)
{
    if (o->after_key) {
        o->after_key = false;
        return;
    }
    if (o->depth > 0 && o->depth <= UM_JSON_MAX_DEPTH) {
        if (o->need_comma[o->depth - 1]) putc_(o, ',');
        o->need_comma[o->depth - 1] = true;
    }
}

static void open_(struct um_json_out *o, char c)
{
    item(o);
    putc_(o, c);
    if (o->depth < UM_JSON_MAX_DEPTH) o->need_comma[o->depth] = false;
    else o->failed = true;   /* deeper than any record goes: refuse rather than misplace commas */
    o->depth++;
}

static void close_(struct um_json_out *o, char c)
{
    if (o->depth > 0) o->depth--;
    putc_(o, c);
}

void um_json_begin_object(struct um_json_out *o) { open_(o, '{'); }
void um_json_end_object(struct um_json_out *o) { close_(o, '}'); }
void um_json_begin_array(struct um_json_out *o) { open_(o, '['); }
void um_json_end_array(struct um_json_out *o) { close_(o, ']'); }

static void quoted(struct um_json_out *o, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    putc_(o, '"');
    size_t i = 0;
    while (i < n) {
        /* Printable ASCII other than '"' and '\\' goes out as it is, a run at a time. */
        size_t start = i;
        while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '"' && p[i] != '\\') i++;
        if (i > start) put(o, s + start, i - start);
        if (i == n) break;
        unsigned char c = p[i];
        char u[8];
        const char *esc = u;
        size_t l = 1;
        if (c == '"') esc = "\\\"";
        else if (c == '\\') esc = "\\\\";
        else if (c == '\n') esc = "\\n";
        else if (c == '\r') esc = "\\r";
        else if (c == '\t') esc = "\\t";
        else if (c == '\b') esc = "\\b";
        else if (c == '\f') esc = "\\f";
        else if (c < 0x20) snprintf(u, sizeof u, "\\u%04X", c);
        else if ((l = um_utf8_len(p + i, n - i)) != 0) esc = NULL;   /* a valid sequence, as it is */
        else esc = "\xEF\xBF\xBD", l = 1;
        if (esc) put(o, esc, strlen(esc));
        else put(o, s + i, l);
        i += l;
    }
    putc_(o, '"');
}

void um_json_key(struct um_json_out *o, const char *key)
{
    item(o);
    quoted(o, key, strlen(key));
    putc_(o, ':');
    o->after_key = true;
}

void um_json_string(struct um_json_out *o, const char *s)
{
    item(o);
    quoted(o, s ? s : "", s ? strlen(s) : 0);
}

void um_json_int(struct um_json_out *o, int64_t v)
{
    char b[24], *e = b + sizeof b, *q = e;   /* digits from the right; no printf per number */
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do *--q = (char)('0' + m % 10);
    while (m /= 10);
    if (v < 0) *--q = '-';
    item(o);
    put(o, q, (size_t)(e - q));
}

void um_json_member_string(struct um_json_out *o, const char *key, const char *s)
{
    um_json_key(o, key);
    um_json_string(o, s);
}

void um_json_member_int(struct um_json_out *o, const char *key, int64_t v)
{
    um_json_key(o, key);
    um_json_int(o, v);
}

void um_json_raw(struct um_json_out *o, const char *text) { put(o, text, strlen(text)); }

void um_json_bool(struct um_json_out *o, bool v)
{
    item(o);
    put(o, v ? "true" : "false", v ? 4 : 5);
}

void um_json_value(struct um_json_out *o, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *m;
        um_json_begin_object(o);
        json_object_foreach((json_t *)v, k, m) {
            um_json_key(o, k);
            um_json_value(o, m);
        }
        um_json_end_object(o);
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *m;
        um_json_begin_array(o);
        json_array_foreach(v, i, m) um_json_value(o, m);
        um_json_end_array(o);
        break;
    }
    case JSON_STRING:
        item(o);
        quoted(o, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        um_json_int(o, (int64_t)json_integer_value(v));
        break;
    case JSON_REAL: {
        /* As jansson writes a real: 17 significant digits, always with a point or an
         * exponent so that it reads back as a real. */
        char b[40];
        int n = snprintf(b, sizeof b, "%.17g", json_real_value(v));
        if (n > 0 && !strpbrk(b, ".eEni")) strcat(b, ".0");
        char *e = strchr(b, 'e');
        if (e) {   /* and its exponent without a '+' or leading zeros: 1e300, 1e-7 */
            char *d = e + 1 + (e[1] == '-'), *z = d + (*d == '+');
            while (z[0] == '0' && z[1]) z++;
            memmove(d, z, strlen(z) + 1);
        }
        item(o);
        put(o, b, strlen(b));
        break;
    }
    case JSON_TRUE:
    case JSON_FALSE:
        um_json_bool(o, json_is_true(v));
        break;
    case JSON_NULL:
        item(o);
        put(o, "null", 4);
        break;
    }
}
