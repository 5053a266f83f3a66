/* Red Star OS 3.0 watermarks.
 *
 * Format (ERNW, 32C3 2015; real samples in the shared fixtures): a mark is the
 * DES-ECB encryption, key 07 06 05 04 03 02 01 00, of 24 bytes "WM" + device ID +
 * NULs. A trailer is mark_1..mark_n (oldest first), le32 total mark length, "EOF",
 * appended after the end of the file. Office Open XML files get one mark + length +
 * "EOF" written at file offset 80 instead. The rarer "organ" trailer is an N-byte
 * encrypted profile, le32 N, then "wwwwwwww" (or "wwwwvwww" for Office 97-2003).
 *
 * A trailer whose marks do not decrypt to "WM..." is reported as appended data, never
 * as a decoded ID. Removal: truncate at the trailer (zeroed first), or zero the 31
 * bytes of an OOXML mark when they sit in growth-hint padding. */
#include <stdio.h>
#include <string.h>

#include <nettle/des.h>

#include "redstar.h"

static const uint8_t des_key[DES_KEY_SIZE] = { 7, 6, 5, 4, 3, 2, 1, 0 };

/* Chains longer than this are not plausible: one mark per machine that touched it. */
#define MAX_MARKS 4096

bool um_redstar_decode_mark(const uint8_t mark[UM_REDSTAR_MARK], struct um_redstar_id *out)
{
    struct des_ctx des;
    uint8_t plain[UM_REDSTAR_MARK];
    des_set_key(&des, des_key);
    des_decrypt(&des, UM_REDSTAR_MARK, plain, mark);
    memset(out, 0, sizeof *out);
    if (plain[0] != 'W' || plain[1] != 'M') return false;
    /* ID: printable ASCII from byte 2 up to the first NUL, within the 20-byte field. */
    size_t n = 0;
    while (2 + n < 20 && plain[2 + n] != 0) {
        uint8_t c = plain[2 + n];
        if (c < 0x21 || c > 0x7E) return false;
        n++;
    }
    if (n == 0) return false;
    for (size_t i = 2 + n; i < 20; i++)
        if (plain[i] != 0) return false;
    memcpy(out->id, plain + 2, n);
    out->standard_form = n == 13;
    for (size_t i = 0; i < n && out->standard_form; i++) {
        char c = out->id[i];
        out->standard_form = (c >= '1' && c <= '9') || (c >= 'A' && c <= 'F') || c == 'Z';
    }
    return true;
}

/* Decodes `count` marks at p; returns how many decoded, filling ids/forms arrays. */
static size_t decode_chain(const uint8_t *p, size_t count, json_t *ids, json_t *forms)
{
    size_t ok = 0;
    for (size_t i = 0; i < count; i++) {
        struct um_redstar_id id;
        if (!um_redstar_decode_mark(p + i * UM_REDSTAR_MARK, &id)) continue;
        ok++;
        json_array_append_new(ids, json_string(id.id));
        json_array_append_new(forms, json_boolean(id.standard_form));
    }
    return ok;
}

/* Reports a chain of `count` marks at [off, off+len); returns the finding's index.
 * A chain that does not decrypt is reported as `miss_kind` instead. */
static int report_chain(struct um_scan_ctx *ctx, const uint8_t *marks, size_t count,
                        uint64_t off, uint64_t len, const char *placement, const char *where,
                        enum um_kind miss_kind)
{
    json_t *ids = json_array(), *forms = json_array();
    size_t ok = decode_chain(marks, count, ids, forms);
    if (ok != count) {
        /* Looks like a trailer but is not one: appended data, never an ID. */
        json_decref(ids);
        json_decref(forms);
        char preview[33];
        um_hex_preview(marks, len, preview);
        struct um_finding_spec s = {
            .kind = miss_kind, .severity = UM_SEV_HIGH, .where = where,
            .offset = off, .length = len,
            .extra = json_pack("{s:s, s:s, s:s}", "after", "file", "preview", preview,
                               "guess", "Red Star-like marks that do not decrypt to WM"),
        };
        return um_report(ctx, &s);
    }
    json_t *extra = json_pack("{s:o, s:I, s:s, s:o}", "ids", ids, "devices", (json_int_t)count,
                              "placement", placement, "standard_form", forms);
    char value[64];
    snprintf(value, sizeof value, "%zu device%s", count, count == 1 ? "" : "s");
    struct um_finding_spec s = {
        .kind = UM_K_REDSTAR_WATERMARK, .severity = UM_SEV_CRITICAL, .where = where,
        .key = "device_ids", .value = (const uint8_t *)value, .value_len = strlen(value),
        .offset = off, .length = len, .extra = extra,
    };
    return um_report(ctx, &s);
}

/* "<marks> le32(24n) EOF" ending at `end`. Returns 1 if found (and *start set). */
static int peel_trailer(struct um_scan_ctx *ctx, const uint8_t *data, uint64_t end, uint64_t *start)
{
    if (end < 7 + UM_REDSTAR_MARK || memcmp(data + end - 3, "EOF", 3) != 0) return 0;
    uint32_t len = ld_u32le(data + end - 7);
    if (len == 0 || len % UM_REDSTAR_MARK || len / UM_REDSTAR_MARK > MAX_MARKS) return 0;
    if ((uint64_t)len + 7 > end) {
        /* The shape is right but the length does not fit: say so, remove nothing. */
        struct um_finding_spec s = {
            .kind = UM_K_APPENDED_DATA, .severity = UM_SEV_LOW, .where = "trailer",
            .offset = end - 7, .length = 7,
            .extra = json_pack("{s:s, s:s, s:s}", "after", "file", "preview", "",
                               "guess", "Red Star-like EOF marker whose length does not fit the file"),
            .note = "not removed: the declared length runs past the start of the file",
        };
        int idx = um_report(ctx, &s);
        return idx < 0 ? idx : 0;
    }
    uint64_t off = end - 7 - len;
    int idx = report_chain(ctx, data + off, len / UM_REDSTAR_MARK, off, (uint64_t)len + 7,
                           "trailer", "trailer", UM_K_APPENDED_DATA);
    if (idx < 0) return idx;
    int err = um_plan(ctx, idx, UM_OP_TRUNCATE, off, (uint64_t)len + 7, NULL);
    if (err) return err;
    *start = off;
    return 1;
}

/* "<profile N bytes> le32(N) wwwwwwww|wwwwvwww" ending at `end`. */
static int peel_profile(struct um_scan_ctx *ctx, const uint8_t *data, uint64_t end, uint64_t *start)
{
    if (end < 12) return 0;
    const uint8_t *tag = data + end - 8;
    if (memcmp(tag, "wwwwwwww", 8) != 0 && memcmp(tag, "wwwwvwww", 8) != 0) return 0;
    uint32_t n = ld_u32le(data + end - 12);
    if ((uint64_t)n + 12 > end) return 0;
    uint64_t off = end - 12 - n;
    char value[48];
    snprintf(value, sizeof value, "%u-byte encrypted profile", n);
    struct um_finding_spec s = {
        .kind = UM_K_REDSTAR_PROFILE, .severity = UM_SEV_CRITICAL, .where = "trailer",
        .key = "profile", .value = (const uint8_t *)value, .value_len = strlen(value),
        .offset = off, .length = (uint64_t)n + 12,
        .extra = json_pack("{s:s}", "variant", tag[4] == 'v' ? "office97" : "standard"),
    };
    int idx = um_report(ctx, &s);
    if (idx < 0) return idx;
    int err = um_plan(ctx, idx, UM_OP_TRUNCATE, off, (uint64_t)n + 12, NULL);
    if (err) return err;
    *start = off;
    return 1;
}

int um_redstar_peel(struct um_scan_ctx *ctx, const uint8_t *data, uint64_t *end)
{
    /* Each machine rewrites the trailer as one chain, but an organ trailer and an
     * ordinary one can stack; a few rounds cover every real combination. */
    for (int round = 0; round < 8; round++) {
        uint64_t start = 0;
        int r = peel_trailer(ctx, data, *end, &start);
        if (r == 0) r = peel_profile(ctx, data, *end, &start);
        if (r <= 0) return r;
        *end = start;
    }
    return 0;
}

int um_redstar_check_ooxml(struct um_scan_ctx *ctx, const uint8_t *data, uint64_t size,
                           uint64_t pad_from, uint64_t pad_to, uint64_t *mark_end)
{
    const uint64_t at = 80;
    *mark_end = 0;
    /* One mark is what the daemon writes; allow a chain in case a second machine
     * extends it the way it extends trailers. */
    for (uint64_t n = 1; n <= 8; n++) {
        uint64_t len = n * UM_REDSTAR_MARK;
        if (at + len + 7 > size) return 0;
        if (ld_u32le(data + at + len) != len || memcmp(data + at + len + 4, "EOF", 3) != 0) continue;
        bool in_pad = pad_from <= at && at + len + 7 <= pad_to;
        int idx = report_chain(ctx, data + at, (size_t)n, at, len + 7,
                               in_pad ? "ooxml_padding" : "ooxml_overwrite",
                               in_pad ? "zip/local[0]/extra/0xa220/padding" : "zip/offset80",
                               UM_K_NONZERO_PADDING);
        if (idx < 0) return idx;
        *mark_end = at + len + 7;
        if (in_pad) return um_plan(ctx, idx, UM_OP_ZERO, at, len + 7, NULL);
        return um_note(ctx, idx, "the mark overwrote ZIP data: the archive was damaged by the "
                                 "watermark itself; not changed");
    }
    return 0;
}
