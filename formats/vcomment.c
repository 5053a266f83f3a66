/* Vorbis comment parsing for the FLAC and Ogg handlers (see vcomment.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vcomment.h"

#define MAX_FIELDS 65536

/* View range of src->p[i, i+n). */
static void range(const struct um_vc_src *src, uint64_t i, uint64_t n, uint64_t *off, uint64_t *len)
{
    if (!src->map) {
        *off = src->base + i, *len = n;
        return;
    }
    uint64_t a = src->map(src->map_arg, i), b = n ? src->map(src->map_arg, i + n - 1) + 1 : a;
    *off = a, *len = b - a;
}

int um_vcomment_scan(struct um_scan_ctx *ctx, const struct um_vc_src *src, const char *where,
                     bool report_pictures, um_vc_plan_fn plan, void *arg, uint64_t *end)
{
    struct um_reader r = um_reader_make(src->p, src->len);
    uint32_t vl, count;
    const uint8_t *v;
    char w[200], key[96];
    uint64_t ro, rl;
    int err;
    *end = 0;
    if ((err = rd_u32le(&r, &vl)) || (err = rd_bytes(&r, vl, &v))) return UM_E_FORMAT;
    /* A zeroed vendor string (our own scrub) is an empty one. */
    if (vl && !um_all_zero(v, vl)) {
        snprintf(w, sizeof w, "%s/vendor", where);
        range(src, 0, 4 + (uint64_t)vl, &ro, &rl);
        int f = um_report_classified(ctx, "vorbis", w, "vendor", v, vl, ro, rl);
        if (um_is_error(f)) return f;
        if (f >= 0 && (err = plan(ctx, f, NULL, arg)) < 0) return err;
    }
    if (rd_u32le(&r, &count)) return UM_E_FORMAT;
    if (count > MAX_FIELDS) return UM_E_LIMIT;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t fo = (uint64_t)(r.p - src->p);
        uint32_t fl;
        const uint8_t *f;
        if (rd_u32le(&r, &fl) || rd_bytes(&r, fl, &f)) return UM_E_FORMAT;
        if (!fl || um_all_zero(f, fl)) continue;
        const uint8_t *eq = memchr(f, '=', fl);
        size_t kl = eq ? (size_t)(eq - f) : fl;
        snprintf(key, sizeof key, "%.*s", (int)(kl < 80 ? kl : 80), (const char *)f);
        for (char *c = key; *c; c++)
            if ((unsigned char)*c < 0x20) *c = '?';
        const uint8_t *val = eq ? eq + 1 : f + fl;
        size_t vlen = eq ? fl - kl - 1 : 0;
        struct um_vc_field fld = { .off = fo, .len = 4 + (uint64_t)fl };
        fld.picture = !strcasecmp(key, "METADATA_BLOCK_PICTURE") || !strcasecmp(key, "COVERART");
        if (fld.picture && !report_pictures) {
            if ((err = plan(ctx, UM_NOT_IDENTIFYING, &fld, arg)) < 0) return err;
            continue;
        }
        char shown[80];
        if (fld.picture) {
            snprintf(shown, sizeof shown, "(picture, %zu bytes of base64)", vlen);
            val = (const uint8_t *)shown, vlen = strlen(shown);
        }
        snprintf(w, sizeof w, "%s/%s", where, key);
        range(src, fo, fld.len, &ro, &rl);
        int k = um_report_classified(ctx, "vorbis", w, key, val, vlen, ro, rl);
        if (um_is_error(k)) return k;
        if (k >= 0 && (err = plan(ctx, k, &fld, arg)) < 0) return err;
    }
    *end = (uint64_t)(r.p - src->p);
    return 0;
}
