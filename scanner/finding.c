/* Names, lifetimes and value sanitising for findings and per-file results. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/error.h"
#include "../common/utf8.h"
#include "finding.h"

static const char *const kind_names[UM_K_COUNT_] = {
    [UM_K_REDSTAR_WATERMARK] = "redstar_watermark",
    [UM_K_REDSTAR_PROFILE] = "redstar_profile",
    [UM_K_APPENDED_DATA] = "appended_data",
    [UM_K_NONZERO_PADDING] = "nonzero_padding",
    [UM_K_TYPE_MISMATCH] = "type_mismatch",
    [UM_K_DEVICE_ID] = "device_id",
    [UM_K_LOCATION] = "location",
    [UM_K_DEVICE_MODEL] = "device_model",
    [UM_K_SOFTWARE] = "software",
    [UM_K_PERSON] = "person",
    [UM_K_TIMESTAMP] = "timestamp",
    [UM_K_DOCUMENT_ID] = "document_id",
    [UM_K_CONTENT] = "content",
    [UM_K_EMBEDDED_MEDIA] = "embedded_media",
    [UM_K_OS_ARTIFACT] = "os_artifact",
    [UM_K_XATTR] = "xattr",
    [UM_K_VOLUME_ID] = "volume_id",
};

const char *um_kind_name(enum um_kind k)
{
    return (unsigned)k < UM_K_COUNT_ ? kind_names[k] : "unknown";
}

int um_kind_from_name(const char *name)
{
    for (int k = 0; k < UM_K_COUNT_; k++)
        if (strcmp(kind_names[k], name) == 0) return k;
    return -1;
}

const char *um_severity_name(enum um_severity s)
{
    static const char *const n[] = { "info", "low", "medium", "high", "critical" };
    return (unsigned)s <= UM_SEV_CRITICAL ? n[s] : "info";
}

const char *um_op_name(enum um_op op)
{
    static const char *const n[] = { "zero", "replace", "cut", "truncate", "remux", "delete", "splice" };
    return (unsigned)op <= UM_OP_SPLICE ? n[op] : "unknown";
}

const char *um_status_name(enum um_status s)
{
    static const char *const n[] = { "clean", "found", "scrubbed", "failed", "skipped" };
    return (unsigned)s <= UM_ST_SKIPPED ? n[s] : "failed";
}

const char *um_path_name(enum um_path p)
{
    static const char *const n[] = { "none", "in_place", "copy", "remux", "delete" };
    return (unsigned)p <= UM_PATH_DELETE ? n[p] : "none";
}

/* Caps: a hostile file must not make a report grow without bound. The findings cap
 * is the default of --max-findings; a scan sets the option's value. */
#define MAX_EDITS 65536

void um_file_result_init(struct um_file_result *r)
{
    memset(r, 0, sizeof *r);
    r->format = "unknown";
    um_vec_init(&r->findings, sizeof(struct um_finding), UM_MAX_FINDINGS_DEFAULT);
    um_vec_init(&r->edits, sizeof(struct um_edit), MAX_EDITS);
    um_vec_init(&r->actions, sizeof(struct um_edit), MAX_EDITS);
}

void um_file_result_fail_full(struct um_file_result *r)
{
    char text[128];
    snprintf(text, sizeof text,
             "more than %zu findings in one file; the rest are not listed (raise --max-findings)",
             r->findings.max_len);
    free(r->error_text);
    r->error_text = strdup(text);
    r->error = UM_E_LIMIT;
    r->status = UM_ST_FAILED;
    r->scanned = false;
}

static void free_edits(struct um_vec *v)
{
    for (size_t i = 0; i < v->len; i++) {
        struct um_edit *e = um_vec_at(v, i);
        free(e->bytes);
        free(e->also);
    }
    um_vec_free(v);
}

static void clear_findings(struct um_file_result *r)
{
    for (size_t i = 0; i < r->findings.len; i++) {
        struct um_finding *f = um_vec_at(&r->findings, i);
        free(f->where);
        free(f->key);
        free(f->value);
        free(f->note);
        json_decref(f->extra);
    }
    um_vec_free(&r->findings);
    free_edits(&r->edits);
    free_edits(&r->actions);
}

void um_file_result_free(struct um_file_result *r)
{
    if (!r) return;
    clear_findings(r);
    free(r->path);
    free(r->mime);
    free(r->error_text);
    r->path = r->mime = r->error_text = NULL;
}

void um_hex_preview(const uint8_t *p, uint64_t n, char out[33])
{
    static const char hex[] = "0123456789abcdef";
    size_t m = n < 16 ? (size_t)n : 16;
    for (size_t i = 0; i < m; i++) {
        out[2 * i] = hex[p[i] >> 4];
        out[2 * i + 1] = hex[p[i] & 15];
    }
    out[2 * m] = 0;
}

char *um_sanitize_value(const uint8_t *p, size_t n)
{
    /* Worst case: every byte becomes "\xHH" (4 bytes), plus an ellipsis. */
    size_t cap = (n < UM_VALUE_MAX * 4 ? n : UM_VALUE_MAX * 4) * 4 + 8;
    char *out = malloc(cap);
    if (!out) return NULL;
    size_t o = 0, chars = 0, i = 0;
    /* Trailing NULs are C-string padding, not content. */
    while (n > 0 && p[n - 1] == 0) n--;
    while (i < n && chars < UM_VALUE_MAX) {
        size_t l = um_utf8_len(p + i, n - i);
        if (l == 1 && p[i] >= 0x20 && p[i] != 0x7F) {
            out[o++] = (char)p[i];
        } else if (l > 1) {
            memcpy(out + o, p + i, l);
            o += l;
        } else {
            static const char hex[] = "0123456789abcdef";
            uint8_t c = p[i];
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
            l = 1;
        }
        i += l;
        chars++;
    }
    if (i < n) {
        memcpy(out + o, "\xe2\x80\xa6", 3); /* … */
        o += 3;
    }
    out[o] = 0;
    return out;
}
