/* The per-file scan driver and the context that format handlers report through.
 *
 * Order: Red Star trailers are peeled off the end first (they are appended to any
 * file type), then the rest is identified and handed to its format handler, which
 * declares where the container ends; bytes between that end and the trailers are
 * appended data. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <magic.h>

#include "../common/io.h"
#include "../formats/format.h"
#include "../formats/redstar.h"
#include "classify.h"
#include "hash.h"
#include "scan.h"

#define HEAD_MAX (64 * 1024)

struct um_scanner {
    struct um_scan_options opt;
    /* libmagic, opened when a file first needs it: most files are named by their
     * handler, and its 8 MB database loaded twice per worker cost every run ~0.4 ms. */
    magic_t mime;
    magic_t describe;
    bool magic_tried;
    bool magic_missing;      /* this file needed its type from libmagic, which could not load */
    uint8_t *small;          /* reused read buffer for small files */
};


struct um_scan_ctx {
    struct um_scanner *sc;
    struct um_file_result *res;
    const uint8_t *data;   /* this view */
    uint64_t size;
    uint64_t base;         /* view offset in the file */
    int depth;
    const char *prefix;    /* where-prefix for embedded views, or NULL */
    bool end_set;
    uint64_t end;
    char after[48];
    const char *mime;      /* set by um_set_mime */
};

void um_scan_options_default(struct um_scan_options *o)
{
    memset(o, 0, sizeof *o);
    o->hash = true;
    o->mime = true;
    o->max_embed_depth = UM_MAX_EMBED_DEFAULT;
    o->max_findings = UM_MAX_FINDINGS_DEFAULT;
}

static void install_sigbus(void);

struct um_scanner *um_scanner_new(const struct um_scan_options *opt, int *err)
{
    install_sigbus();   /* each time: a test harness may have replaced it */
    struct um_scanner *sc = calloc(1, sizeof *sc);
    *err = 0;
    if (!sc) {
        *err = -ENOMEM;
        return NULL;
    }
    sc->opt = *opt;
    return sc;
}

static magic_t open_magic(int flags)
{
    magic_t m = magic_open(flags | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF);
    if (m && magic_load(m, NULL) != 0) {
        magic_close(m);
        m = NULL;
    }
    return m;
}

/* The handle for a lookup (describe or not), loading both at the first one; NULL when
 * libmagic cannot load. A missing type fails the file (the report's type is part of
 * what was asked); a missing description only makes the guess at appended bytes
 * plainer. */
static magic_t magic_for(struct um_scanner *sc, bool describe)
{
    if (!sc->opt.mime) return NULL;
    if (!sc->magic_tried) {
        sc->magic_tried = true;
        sc->mime = open_magic(MAGIC_MIME_TYPE);
        sc->describe = open_magic(0);
    }
    magic_t m = describe ? sc->describe : sc->mime;
    if (!m && !describe) sc->magic_missing = true;
    return m;
}

void um_scanner_free(struct um_scanner *sc)
{
    if (!sc) return;
    if (sc->mime) magic_close(sc->mime);
    if (sc->describe) magic_close(sc->describe);
    free(sc->small);
    free(sc);
}

const struct um_scan_options *um_scanner_options(const struct um_scanner *sc) { return &sc->opt; }

static char *magic_string(magic_t m, const uint8_t *p, size_t n)
{
    if (!m || n == 0) return NULL;
    const char *s = magic_buffer(m, p, n);
    return s ? strdup(s) : NULL;
}

char *um_scanner_mime(struct um_scanner *sc, const uint8_t *p, size_t n)
{
    return n ? magic_string(magic_for(sc, false), p, n < HEAD_MAX ? n : HEAD_MAX) : NULL;
}

char *um_scanner_describe(struct um_scanner *sc, const uint8_t *p, size_t n)
{
    return n ? magic_string(magic_for(sc, true), p, n < HEAD_MAX ? n : HEAD_MAX) : NULL;
}

/* Lower-case extension of a file name (no dot) into out, or "". */
static void extension_of(const char *name, char *out, size_t outsz)
{
    out[0] = 0;
    if (!name || outsz < 2) return;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base || !dot[1]) return;
    size_t i = 0;
    for (const char *c = dot + 1; *c && i + 1 < outsz; c++) {
        char ch = *c;
        if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
        out[i++] = ch;
    }
    out[i] = 0;
}

/* ---- the handler-facing API ---- */

uint64_t um_ctx_base(const struct um_scan_ctx *ctx) { return ctx->base; }

void um_set_mime(struct um_scan_ctx *ctx, const char *mime)
{
    if (ctx->depth == 0) ctx->mime = mime;
}
int um_ctx_depth(const struct um_scan_ctx *ctx) { return ctx->depth; }

static char *join_where(const char *prefix, const char *where)
{
    if (!where) where = "";
    if (!prefix) return strdup(where);
    size_t a = strlen(prefix), b = strlen(where);
    char *s = malloc(a + b + 2);
    if (!s) return NULL;
    memcpy(s, prefix, a);
    s[a] = '/';
    memcpy(s + a + 1, where, b + 1);
    return s;
}

int um_report(struct um_scan_ctx *ctx, const struct um_finding_spec *spec)
{
    int err;
    if (!um_range_ok(spec->offset, spec->length, ctx->size)) {
        json_decref(spec->extra);
        return UM_E_RANGE;
    }
    struct um_finding *f = um_vec_push(&ctx->res->findings, &err);
    if (!f) {
        /* A refused finding is remembered by the array itself (findings.overflowed),
         * whatever the handler does with the error: an embedded scan swallows its
         * errors, and hidden findings must never look clean. */
        json_decref(spec->extra);
        return err;
    }
    f->kind = spec->kind;
    f->severity = spec->severity;
    f->offset = spec->length ? ctx->base + spec->offset : 0;
    f->length = spec->length;
    f->extra = spec->extra;
    f->where = join_where(ctx->prefix, spec->where);
    f->key = spec->key ? strdup(spec->key) : NULL;
    f->note = spec->note ? strdup(spec->note) : NULL;
    if (spec->value) {
        if (ctx->sc->opt.redact) {
            char buf[48];
            snprintf(buf, sizeof buf, "<redacted: %zu bytes>", spec->value_len);
            f->value = strdup(buf);
        } else {
            f->value = um_sanitize_value(spec->value, spec->value_len);
        }
    }
    if (!f->where || (spec->key && !f->key) || (spec->note && !f->note) ||
        (spec->value && !f->value))
        return -ENOMEM;  /* the result owns what was allocated; freed with it */
    return (int)(ctx->res->findings.len - 1);
}

int um_report_text(struct um_scan_ctx *ctx, enum um_kind kind, enum um_severity sev,
                   const char *where, const char *key, const char *value,
                   uint64_t offset, uint64_t length)
{
    struct um_finding_spec s = {
        .kind = kind, .severity = sev, .where = where, .key = key,
        .value = (const uint8_t *)value, .value_len = value ? strlen(value) : 0,
        .offset = offset, .length = length,
    };
    return um_report(ctx, &s);
}

int um_plan(struct um_scan_ctx *ctx, int finding, enum um_op op, uint64_t offset,
            uint64_t length, const void *bytes)
{
    return um_plan_staged(ctx, finding, op, offset, length, bytes,
                          op == UM_OP_REPLACE ? UM_STAGE_REWRITE : UM_STAGE_ZERO);
}

int um_plan_staged(struct um_scan_ctx *ctx, int finding, enum um_op op, uint64_t offset,
                   uint64_t length, const void *bytes, int stage)
{
    int err;
    if (finding < 0 || (size_t)finding >= ctx->res->findings.len) return UM_E_PLAN;
    if (op == UM_OP_TRUNCATE) length = offset <= ctx->size ? ctx->size - offset : 0;
    if (!um_range_ok(offset, length, ctx->size)) return UM_E_RANGE;
    if (op == UM_OP_REPLACE && !bytes) return UM_E_PLAN;
    /* Inside an embedded view the bytes after it belong to the container: a
     * truncation there becomes zeroing, and a cut is not allowed (it would shift
     * the container's own offsets). */
    if (ctx->depth > 0 && op == UM_OP_TRUNCATE) op = UM_OP_ZERO;
    if (ctx->depth > 0 && op == UM_OP_CUT) return UM_E_UNSUPPORTED;
    struct um_edit *e = um_vec_push(&ctx->res->edits, &err);
    if (!e) return err;
    e->op = op;
    e->offset = ctx->base + offset;
    e->length = length;
    e->finding = (size_t)finding;
    e->stage = (uint8_t)(stage < 0 ? 0 : stage > UM_STAGE_LAST ? UM_STAGE_LAST : stage);
    if (op == UM_OP_SPLICE) return UM_E_PLAN;   /* use um_plan_splice */
    if (op == UM_OP_REPLACE) {
        e->bytes_len = length;
        e->bytes = malloc(length ? length : 1);
        if (!e->bytes) return -ENOMEM;
        memcpy(e->bytes, bytes, length);
    }
    ((struct um_finding *)um_vec_at(&ctx->res->findings, (size_t)finding))->removable = true;
    return 0;
}

int um_plan_splice(struct um_scan_ctx *ctx, const int *findings, size_t nfindings,
                   uint64_t offset, uint64_t length, const void *bytes, uint64_t n)
{
    int err;
    if (!nfindings || !um_range_ok(offset, length, ctx->size) || (n && !bytes)) return UM_E_PLAN;
    if (ctx->depth > 0) return UM_E_UNSUPPORTED;
    for (size_t i = 0; i < nfindings; i++)
        if (findings[i] < 0 || (size_t)findings[i] >= ctx->res->findings.len) return UM_E_PLAN;
    struct um_edit *e = um_vec_push(&ctx->res->edits, &err);
    if (!e) return err;
    e->op = UM_OP_SPLICE;
    e->offset = ctx->base + offset;
    e->length = length;
    e->finding = (size_t)findings[0];
    e->bytes_len = n;
    e->bytes = malloc(n ? n : 1);
    if (!e->bytes) return -ENOMEM;
    if (n) memcpy(e->bytes, bytes, n);
    if (nfindings > 1) {
        e->also = malloc((nfindings - 1) * sizeof *e->also);
        if (!e->also) return -ENOMEM;
        for (size_t i = 1; i < nfindings; i++) e->also[i - 1] = (size_t)findings[i];
        e->nalso = nfindings - 1;
    }
    for (size_t i = 0; i < nfindings; i++)
        ((struct um_finding *)um_vec_at(&ctx->res->findings, (size_t)findings[i]))->removable = true;
    return 0;
}

int um_report_classified(struct um_scan_ctx *ctx, const char *ns, const char *where,
                         const char *key, const uint8_t *value, size_t value_len,
                         uint64_t offset, uint64_t length)
{
    struct um_class c;
    if (!um_classify(ns, key, &c)) return UM_NOT_IDENTIFYING;
    struct um_finding_spec s = {
        .kind = c.kind, .severity = c.severity, .where = where, .key = key,
        .value = value, .value_len = value_len, .offset = offset, .length = length,
    };
    return um_report(ctx, &s);
}

int um_note(struct um_scan_ctx *ctx, int finding, const char *note)
{
    if (finding < 0 || (size_t)finding >= ctx->res->findings.len) return UM_E_PLAN;
    struct um_finding *f = um_vec_at(&ctx->res->findings, (size_t)finding);
    char *n = strdup(note);
    if (!n) return -ENOMEM;
    free(f->note);
    f->note = n;
    return 0;
}

void um_set_end(struct um_scan_ctx *ctx, uint64_t end, const char *after)
{
    if (end > ctx->size) end = ctx->size;
    ctx->end_set = true;
    ctx->end = end;
    snprintf(ctx->after, sizeof ctx->after, "%s", after ? after : "");
}

/* ---- appended data ---- */

static double entropy(const uint8_t *p, size_t n)
{
    size_t count[256] = { 0 };
    for (size_t i = 0; i < n; i++) count[p[i]]++;
    double h = 0;
    for (int i = 0; i < 256; i++) {
        if (!count[i]) continue;
        double q = (double)count[i] / (double)n;
        h -= q * log2(q);
    }
    return h;
}

static bool mostly_text(const uint8_t *p, size_t n)
{
    size_t text = 0;
    for (size_t i = 0; i < n; i++)
        if ((p[i] >= 0x20 && p[i] < 0x7F) || p[i] == '\n' || p[i] == '\r' || p[i] == '\t' || p[i] >= 0x80)
            text++;
    return text * 10 >= n * 9;
}

/* What appended bytes probably are: a short phrase for the report. */
static char *guess_appended(struct um_scanner *sc, const uint8_t *p, uint64_t n)
{
    size_t sample = n < 4096 ? (size_t)n : 4096;
    if (um_all_zero(p, n < (1u << 20) ? n : (1u << 20))) return strdup("all zeros");
    /* Tag sections that players' libraries append, which libmagic does not name. */
    static const struct { const char *magic, *what; uint64_t size; /* 0: any */ } tags[] = {
        { "RMMD", "RealJukebox metadata section (RMMD)", 0 }, { "APETAGEX", "APE tag", 0 },
        { "LYRICSBEGIN", "Lyrics3 tag", 0 }, { "TAG", "ID3v1 tag", 128 },
    };
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++) {
        size_t l = strlen(tags[i].magic);
        if (n >= l && !memcmp(p, tags[i].magic, l) && (!tags[i].size || n == tags[i].size))
            return strdup(tags[i].what);
    }
    char *desc = um_scanner_describe(sc, p, (size_t)(n < HEAD_MAX ? n : HEAD_MAX));
    if (desc && strcmp(desc, "data") != 0 && strncmp(desc, "ASCII text", 10) != 0 &&
        strncmp(desc, "ISO-8859", 8) != 0 && strncmp(desc, "Non-ISO", 7) != 0)
        return desc;
    free(desc);
    if (mostly_text(p, sample)) return strdup("text");
    /* With fewer than 256 bytes entropy cannot reach 8 bits; scale the bar. */
    double h = entropy(p, sample);
    double bar = sample >= 256 ? 7.2 : 0.9 * log2((double)sample);
    if (sample >= 16 && h >= bar) return strdup("high entropy (encrypted or compressed)");
    return strdup("unknown binary data");
}

/* Reports [from, to) of the view as appended data and plans its removal. */
static int report_appended(struct um_scan_ctx *ctx, uint64_t from, uint64_t to, const char *after)
{
    /* Zeros after an embedded item are its container's padding, not hidden data. */
    if (ctx->depth > 0 && um_all_zero(ctx->data + from, to - from)) return 0;
    char preview[33];
    um_hex_preview(ctx->data + from, to - from, preview);
    char *guess = guess_appended(ctx->sc, ctx->data + from, to - from);
    json_t *extra = json_pack("{s:s, s:s, s:s?}", "after", after, "preview", preview,
                              "guess", guess);
    free(guess);
    char where[64];
    snprintf(where, sizeof where, "after %s", after);
    struct um_finding_spec s = {
        .kind = UM_K_APPENDED_DATA, .severity = UM_SEV_HIGH, .where = where,
        .offset = from, .length = to - from, .extra = extra,
    };
    int idx = um_report(ctx, &s);
    if (idx < 0) return idx;
    enum um_op op = to == ctx->size ? UM_OP_TRUNCATE : UM_OP_ZERO;
    return um_plan(ctx, idx, op, from, to - from, NULL);
}

/* ---- the driver ---- */

static void type_check(struct um_scan_ctx *ctx, const struct um_format *fmt, const char *name)
{
    char ext[16];
    extension_of(name, ext, sizeof ext);
    if (!ext[0] || um_ext_in_list(fmt->extensions, ext)) return;
    const struct um_format *claimed = um_format_by_extension(ext);
    if (!claimed || claimed == fmt) return;
    char value[96];
    snprintf(value, sizeof value, ".%s is %s, content is %s", ext, claimed->name, fmt->name);
    struct um_finding_spec s = {
        .kind = UM_K_TYPE_MISMATCH, .severity = UM_SEV_INFO, .where = "name",
        .key = "extension", .value = (const uint8_t *)value, .value_len = strlen(value),
        .extra = json_pack("{s:s, s:s}", "extension", ext, "content", fmt->name),
    };
    (void)um_report(ctx, &s);
}

/* Runs one handler over the view; what lies after the end it declares is appended. */
static int run_handler(struct um_scan_ctx *ctx, const struct um_format *fmt)
{
    ctx->end_set = false;
    int err = fmt->scan(ctx, ctx->data, ctx->size);
    if (err == 0 && ctx->end_set && ctx->end < ctx->size) {
        char after[48];
        memcpy(after, ctx->after, sizeof after);
        err = report_appended(ctx, ctx->end, ctx->size, after);
    }
    return err;
}

static int scan_view(struct um_scan_ctx *ctx, const char *name, const struct um_format **out)
{
    size_t head = ctx->size < HEAD_MAX ? (size_t)ctx->size : HEAD_MAX;
    int score = 0;
    const struct um_format *fmt = um_format_probe(ctx->data, head, ctx->size, &score);
    if (out) *out = fmt;
    if (!fmt) return 0;
    if (ctx->depth == 0) type_check(ctx, fmt, name);
    return run_handler(ctx, fmt);
}

int um_scan_embedded(struct um_scan_ctx *ctx, uint64_t offset, uint64_t length, const char *where)
{
    if (!um_range_ok(offset, length, ctx->size)) return UM_E_RANGE;
    if (ctx->depth + 1 > ctx->sc->opt.max_embed_depth) {
        /* Not looked into: said so (info, it does not change the exit status), since
         * an item left unread may still hold tags. */
        char note[96];
        snprintf(note, sizeof note, "embedded item at depth %d not inspected (--max-embed)", ctx->depth + 1);
        struct um_finding_spec s = {
            .kind = UM_K_EMBEDDED_MEDIA, .severity = UM_SEV_INFO, .where = where,
            .offset = offset, .length = length, .note = note,
            .extra = json_pack("{s:i}", "depth", ctx->depth + 1),
        };
        int idx = um_report(ctx, &s);
        return idx == -ENOMEM ? idx : 0;
    }
    char *prefix = join_where(ctx->prefix, where);
    if (!prefix) return -ENOMEM;
    struct um_scan_ctx sub = {
        .sc = ctx->sc, .res = ctx->res, .data = ctx->data + offset, .size = length,
        .base = ctx->base + offset, .depth = ctx->depth + 1, .prefix = prefix,
    };
    int err = scan_view(&sub, NULL, NULL);
    free(prefix);
    /* A malformed embedded item is the container's content, not a failure of the
     * file: report what was found and go on. */
    return err == -ENOMEM ? err : 0;
}

/* The outcome of a scan, the same for every entry point. */
static int finish(struct um_file_result *res, int err)
{
    if (res->findings.overflowed) {
        /* Whatever else happened: hidden findings must never look clean. */
        um_file_result_fail_full(res);
        return UM_E_LIMIT;
    }
    res->scanned = err == 0;
    if (err) res->error = err;
    res->status = err ? UM_ST_FAILED : res->findings.len ? UM_ST_FOUND : UM_ST_CLEAN;
    return err;
}

int um_scan_buffer(struct um_scanner *sc, const uint8_t *data, uint64_t size,
                   const char *name, struct um_file_result *res)
{
    struct um_scan_ctx ctx = { .sc = sc, .res = res, .data = data, .size = size };
    int err;

    res->size = size;
    sc->magic_missing = false;
    if (sc->opt.max_findings) res->findings.max_len = sc->opt.max_findings;
    /* Trailers first: they sit after every format's end, newest outermost. */
    uint64_t end = size;
    err = um_redstar_peel(&ctx, data, &end);
    if (err < 0) goto done;

    ctx.size = end;
    const struct um_format *fmt = NULL;
    err = scan_view(&ctx, name, &fmt);
    res->format = fmt ? fmt->name : "unknown";
    if (sc->opt.mime && !res->mime) {
        const char *own = ctx.mime ? ctx.mime : fmt ? fmt->mime : NULL;
        res->mime = own ? strdup(own) : um_scanner_mime(sc, data, (size_t)(end < HEAD_MAX ? end : HEAD_MAX));
    }
    if (sc->magic_missing && !err) {
        err = UM_E_MAGIC;
        free(res->error_text);
        res->error_text = strdup("libmagic could not load its database (the file type could not be identified)");
    }
done:
    return finish(res, err);
}

int um_scan_with_format(struct um_scanner *sc, const struct um_format *fmt, const uint8_t *data,
                        uint64_t size, struct um_file_result *res)
{
    struct um_scan_ctx ctx = { .sc = sc, .res = res, .data = data, .size = size };
    res->size = size;
    res->format = fmt->name;
    if (sc->opt.max_findings) res->findings.max_len = sc->opt.max_findings;
    return finish(res, run_handler(&ctx, fmt));
}

/* A file truncated by someone else while it is mapped raises SIGBUS on the next touch
 * of a page past its new end. That must fail this file, not kill the run: the handler
 * jumps back to the scan that was touching the mapping on this thread. */
static __thread sigjmp_buf *bus_jump;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    (void)si, (void)uc;
    if (bus_jump) siglongjmp(*bus_jump, 1);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_sigbus(void)
{
    struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO | SA_NODEFER };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, NULL);
}

/* The scan covers the bytes the first fstat counted. A file that grew or was rewritten
 * meanwhile (size or mtime moved) has a stale report: it fails and needs a rescan, and
 * the scrubber, which never edits a failed scan, leaves it alone. Shrinking is caught
 * on the way (a short read, or SIGBUS on the mapping) and keeps its own message. */
static int check_unchanged(int fd, int err, struct um_file_result *res)
{
    struct stat now;
    if (err == -EIO || err == -ENOMEM) return err;
    if (fstat(fd, &now) != 0) {
        err = -errno;
    } else if (now.st_size == res->st.st_size && now.st_mtim.tv_sec == res->st.st_mtim.tv_sec &&
               now.st_mtim.tv_nsec == res->st.st_mtim.tv_nsec) {
        return err;
    } else {
        err = UM_E_CHANGED;
        free(res->error_text);
        res->error_text = strdup("the file changed while it was being read");
        res->sha256[0] = 0;
    }
    res->error = err;
    res->status = UM_ST_FAILED;
    res->scanned = false;
    return err;
}

static int scan_fd(struct um_scanner *sc, int fd, const char *name, struct um_file_result *res);

int um_scan_fd(struct um_scanner *sc, int fd, const char *name, struct um_file_result *res)
{
    int err = scan_fd(sc, fd, name, res);
    if (res->status == UM_ST_SKIPPED || !S_ISREG(res->st.st_mode)) return err;
    return check_unchanged(fd, err, res);
}

static int scan_fd(struct um_scanner *sc, int fd, const char *name, struct um_file_result *res)
{
    if (fstat(fd, &res->st) != 0) return res->error = -errno;
    if (!S_ISREG(res->st.st_mode)) return res->error = UM_E_UNSUPPORTED;
    uint64_t size = (uint64_t)res->st.st_size;
    res->size = size;
    if (sc->opt.max_filesize && size > sc->opt.max_filesize) {
        res->status = UM_ST_SKIPPED;
        res->error = UM_E_LIMIT;
        return 0;
    }
    if (size == 0) return um_scan_buffer(sc, (const uint8_t *)"", 0, name, res);
    if (size > SIZE_MAX) return res->error = UM_E_RANGE;
    if (size <= UM_SCAN_READ_WHOLE) {
        if (!sc->small && !(sc->small = malloc(UM_SCAN_READ_WHOLE))) return res->error = -ENOMEM;
        int err = um_pread_all(fd, sc->small, (size_t)size, 0);
        if (err) {
            res->status = UM_ST_FAILED;
            res->error_text = strdup(err == UM_E_TRUNC ? "the file shrank while it was being read" : "read failed");
            return res->error = err == UM_E_TRUNC ? -EIO : err;
        }
        if (sc->opt.hash) um_sha256_hex(sc->small, size, res->sha256);
        return um_scan_buffer(sc, sc->small, size, name, res);
    }
    void *map = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) return res->error = -errno;
    /* Structure walks jump around; the hash streams. Tell the kernel which. */
    (void)madvise(map, (size_t)size, MADV_RANDOM);
    volatile int err = 0;
    sigjmp_buf jump;
    if (sigsetjmp(jump, 1) == 0) {
        bus_jump = &jump;
        bool hash = sc->opt.hash && !sc->opt.hash_later;
        if (hash && !sc->small) sc->small = malloc(UM_SCAN_READ_WHOLE);  /* NULL: hashing allocates */
        if (hash &&
            (err = um_sha256_fd(fd, size, sc->small, sc->small ? UM_SCAN_READ_WHOLE : 0, res->sha256)) == -EIO)
            res->error_text = strdup("the file shrank while it was being read");
        if (!err) err = um_scan_buffer(sc, map, size, name, res);
    } else {
        res->sha256[0] = 0;
        err = -EIO;
        free(res->error_text);
        res->error_text = strdup("the file shrank while it was being read");
    }
    bus_jump = NULL;
    if (err) res->error = err, res->status = UM_ST_FAILED;
    munmap(map, (size_t)size);
    return err;
}
