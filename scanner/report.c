#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/error.h"
#include "../common/json_out.h"
#include "../common/utf8.h"
#include "hash.h"
#include "report.h"
#include "version.h"

struct um_report {
    FILE *out;          /* NULL: count only */
    bool ndjson, direct;   /* direct: stdout or a device/pipe, no temp+rename */
    char *path, *tmp;
    bool first;
    json_t *run;        /* the run object, finished at close */
    struct um_summary sum;
    struct timespec t0;
    uint64_t io_read0;
    struct um_json_out record;   /* the current file's record, reused */
};

static uint64_t proc_read_bytes(void)
{
    FILE *f = fopen("/proc/self/io", "r");
    char line[128];
    unsigned long long v = 0;
    if (!f) return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "read_bytes: %llu", &v) == 1) break;
    fclose(f);
    return v;
}

static void rfc3339_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *um_path_text(const char *raw, bool *exact)
{
    size_t n = strlen(raw);
    char *out = malloc(n * 3 + 1);
    size_t o = 0;
    *exact = true;
    if (!out) return NULL;
    for (size_t i = 0; i < n;) {
        const uint8_t *p = (const uint8_t *)raw + i;
        size_t len = um_utf8_len(p, n - i);
        if (len) {
            memcpy(out + o, p, len);
            o += len;
            i += len;
        } else {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i += 1;
            *exact = false;
        }
    }
    out[o] = 0;
    return out;
}

static char *hex_of(const char *raw)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = strlen(raw);
    char *s = malloc(2 * n + 1);
    if (!s) return NULL;
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = hex[(uint8_t)raw[i] >> 4];
        s[2 * i + 1] = hex[(uint8_t)raw[i] & 15];
    }
    s[2 * n] = 0;
    return s;
}

/* Members of a finding that its extra object may not replace (json_object_update_missing
 * semantics: the extra adds, never overwrites). */
static bool finding_has(const struct um_finding *f, const char *k)
{
    static const char *const always[] = { "kind", "severity", "where", "offset", "length", "removable" };
    for (size_t i = 0; i < sizeof always / sizeof *always; i++)
        if (!strcmp(k, always[i])) return true;
    return (f->key && !strcmp(k, "key")) || (f->value && !strcmp(k, "value")) || (f->note && !strcmp(k, "note"));
}

/* One file's record, written straight to o (no tree per file: see json_out.h). */
static void write_file_record(struct um_json_out *o, const struct um_file_result *res, bool ndjson)
{
    bool exact;
    char *text = um_path_text(res->path ? res->path : "", &exact);
    um_json_begin_object(o);
    um_json_member_string(o, "path", text ? text : "");
    free(text);
    if (!exact) {
        char *hex = hex_of(res->path);
        um_json_member_string(o, "path_hex", hex ? hex : "");
        free(hex);
    }
    um_json_member_int(o, "size", (int64_t)res->size);
    if (res->mime) um_json_member_string(o, "mime", res->mime);
    um_json_member_string(o, "format", res->format);
    if (res->sha256[0]) um_json_member_string(o, "sha256", res->sha256);
    um_json_member_string(o, "status", um_status_name(res->status));
    if (res->error) {
        char buf[512];
        if (res->error_text)
            snprintf(buf, sizeof buf, "%s: %s", um_strerror(res->error), res->error_text);
        else
            snprintf(buf, sizeof buf, "%s", um_strerror(res->error));
        um_json_member_string(o, res->status == UM_ST_SKIPPED ? "reason" : "error", buf);
    } else if (res->error_text) {
        um_json_member_string(o, res->status == UM_ST_SKIPPED ? "reason" : "note", res->error_text);
    }
    um_json_key(o, "findings");
    um_json_begin_array(o);
    for (size_t i = 0; i < res->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&res->findings, i);
        um_json_begin_object(o);
        um_json_member_string(o, "kind", um_kind_name(f->kind));
        um_json_member_string(o, "severity", um_severity_name(f->severity));
        um_json_member_string(o, "where", f->where ? f->where : "");
        if (f->key) um_json_member_string(o, "key", f->key);
        if (f->value) um_json_member_string(o, "value", f->value);
        um_json_member_int(o, "offset", (int64_t)f->offset);
        um_json_member_int(o, "length", (int64_t)f->length);
        um_json_key(o, "removable");
        um_json_bool(o, f->removable);
        if (f->note) um_json_member_string(o, "note", f->note);
        if (json_is_object(f->extra)) {
            const char *k;
            json_t *v;
            json_object_foreach(f->extra, k, v) {
                if (finding_has(f, k)) continue;
                um_json_key(o, k);
                um_json_value(o, v);
            }
        }
        um_json_end_object(o);
    }
    um_json_end_array(o);
    um_json_key(o, "actions");
    um_json_begin_array(o);
    for (size_t i = 0; i < res->actions.len; i++) {
        const struct um_edit *e = um_vec_at(&res->actions, i);
        um_json_begin_object(o);
        um_json_member_string(o, "op", um_op_name(e->op));
        um_json_member_int(o, "offset", (int64_t)e->offset);
        um_json_member_int(o, "length", (int64_t)e->length);
        if (res->scrub_path == UM_PATH_IN_PLACE && (e->op == UM_OP_ZERO || e->op == UM_OP_REPLACE))
            um_json_member_int(o, "stage", e->stage);
        um_json_end_object(o);
    }
    um_json_end_array(o);
    if (res->scrub_path != UM_PATH_NONE) um_json_member_string(o, "scrub_path", um_path_name(res->scrub_path));
    if (res->verified) um_json_member_string(o, "verified", res->verified);
    if (res->sha256_after[0]) um_json_member_string(o, "sha256_after", res->sha256_after);
    if (ndjson) um_json_member_string(o, "record", "file");
    um_json_end_object(o);
}

json_t *um_report_file_json(const struct um_file_result *res)
{
    struct um_json_out o = { 0 };
    write_file_record(&o, res, false);
    json_t *j = o.failed ? NULL : json_loads(o.buf, 0, NULL);
    um_json_free(&o);
    return j;
}

static int write_json(struct um_report *r, json_t *j, size_t flags)
{
    if (!r->out) return 0;
    /* Serialised in memory and written with one call: json_dumpf writes token by
     * token, which costs more than the scan of a small file. */
    char *s = json_dumps(j, flags);
    if (!s) return -ENOMEM;
    size_t n = strlen(s);
    int err = fwrite(s, 1, n, r->out) == n ? 0 : -EIO;
    free(s);
    return err;
}

struct um_report *um_report_open(const char *path, bool ndjson, const char *command,
                                 int argc, char **argv, int nroots, char **roots,
                                 bool hashing, int *err)
{
    struct um_report *r = calloc(1, sizeof *r);
    struct stat st;
    *err = 0;
    if (!r) {
        *err = -ENOMEM;
        return NULL;
    }
    r->ndjson = ndjson;
    r->first = true;
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    r->io_read0 = proc_read_bytes();
    char started[32];
    rfc3339_now(started, sizeof started);
    json_t *av = json_array(), *rs = json_array();
    for (int i = 0; i < argc; i++) {
        bool exact;
        char *t = um_path_text(argv[i], &exact);
        json_array_append_new(av, json_string(t ? t : ""));
        free(t);
    }
    for (int i = 0; i < nroots; i++) {
        bool exact;
        char *t = um_path_text(roots[i], &exact);
        json_array_append_new(rs, json_string(t ? t : ""));
        free(t);
    }
    r->run = json_pack("{s:s, s:o, s:s, s:o, s:b, s:b}", "command", command, "argv", av,
                       "started", started, "roots", rs, "interrupted", 0, "hashed", hashing);
    if (r->run && hashing) json_object_set_new(r->run, "hash", json_string(um_sha256_implementation()));
    if (path && strcmp(path, "-") == 0) {
        r->out = stdout;
        r->direct = true;
    } else if (path && stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* A device or a pipe (/dev/stdout, a FIFO to another program): write to it
         * directly; renaming over it would replace it. */
        if (!(r->out = fopen(path, "w"))) {
            *err = -errno;
            goto fail;
        }
        r->direct = true;
    } else if (path) {
        /* A private temp beside the target, renamed into place when complete: the
         * report names IDs that endanger people, and is never seen half-written. */
        r->path = strdup(path);
        size_t n = strlen(path) + 32;
        r->tmp = malloc(n);
        if (!r->path || !r->tmp) {
            *err = -ENOMEM;
            goto fail;
        }
        snprintf(r->tmp, n, "%s.tmp-%ld", path, (long)getpid());
        int fd = open(r->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 || fchmod(fd, 0600) != 0 || !(r->out = fdopen(fd, "w"))) {
            *err = -errno;
            if (fd >= 0) close(fd);
            goto fail;
        }
    }
    if (r->out) {
        json_t *tool = json_pack("{s:s, s:s}", "name", "unmark", "version", UM_VERSION);
        if (ndjson) {
            json_t *h = json_pack("{s:s, s:i, s:o, s:O}", "record", "header", "report_version",
                                  UM_REPORT_VERSION, "tool", tool, "run", r->run);
            write_json(r, h, JSON_COMPACT);
            fputc('\n', r->out);
            json_decref(h);
        } else {
            fprintf(r->out, "{\"report_version\": %d, \"tool\": ", UM_REPORT_VERSION);
            write_json(r, tool, JSON_COMPACT);
            json_decref(tool);
            fputs(", \"files\": [", r->out);
        }
    }
    return r;
fail:
    if (r->tmp) unlink(r->tmp);
    free(r->path);
    free(r->tmp);
    json_decref(r->run);
    free(r);
    return NULL;
}

static void count(struct um_summary *s, const struct um_file_result *res)
{
    s->files++;
    if (res->findings.len) s->with_findings++;
    s->findings += res->findings.len;
    for (size_t i = 0; i < res->findings.len; i++) {
        const struct um_finding *f = um_vec_at(&res->findings, i);
        s->by_kind[f->kind]++;
    }
    if (res->status == UM_ST_SCRUBBED) s->scrubbed++;
    if (res->status == UM_ST_FAILED) s->errors++;
    if (res->status == UM_ST_SKIPPED) s->skipped++;
    if (res->sha256[0]) s->bytes_hashed += res->size;
}

int um_report_file(struct um_report *r, const struct um_file_result *res)
{
    count(&r->sum, res);
    if (!r->out) return 0;
    um_json_reset(&r->record);
    if (!r->ndjson) um_json_raw(&r->record, r->first ? "\n  " : ",\n  ");
    write_file_record(&r->record, res, r->ndjson);
    if (r->ndjson) um_json_raw(&r->record, "\n");
    if (r->record.failed) return -ENOMEM;
    r->first = false;
    return fwrite(r->record.buf, 1, r->record.len, r->out) == r->record.len && !ferror(r->out) ? 0 : -EIO;
}

int um_report_close(struct um_report *r, bool interrupted, struct um_summary *out)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->sum.seconds = (double)(t1.tv_sec - r->t0.tv_sec) + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e9;
    uint64_t io = proc_read_bytes();
    r->sum.bytes_read = io > r->io_read0 ? io - r->io_read0 : 0;
    char finished[32];
    rfc3339_now(finished, sizeof finished);
    json_object_set_new(r->run, "finished", json_string(finished));
    json_object_set_new(r->run, "interrupted", json_boolean(interrupted));
    json_t *by = json_object();
    for (int k = 0; k < UM_K_COUNT_; k++)
        if (r->sum.by_kind[k]) json_object_set_new(by, um_kind_name(k), json_integer((json_int_t)r->sum.by_kind[k]));
    json_t *sum = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:o}",
                            "files", (json_int_t)r->sum.files, "with_findings", (json_int_t)r->sum.with_findings,
                            "findings", (json_int_t)r->sum.findings, "scrubbed", (json_int_t)r->sum.scrubbed,
                            "errors", (json_int_t)r->sum.errors, "skipped", (json_int_t)r->sum.skipped,
                            "bytes_read", (json_int_t)r->sum.bytes_read,
                            "bytes_hashed", (json_int_t)r->sum.bytes_hashed,
                            "seconds", r->sum.seconds, "by_kind", by);
    int err = 0;
    if (r->out) {
        if (r->ndjson) {
            json_t *f = json_pack("{s:s, s:O, s:O}", "record", "footer", "run", r->run, "summary", sum);
            write_json(r, f, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fputc('\n', r->out);
            json_decref(f);
        } else {
            fputs(r->first ? "],\n \"run\": " : "\n ],\n \"run\": ", r->out);
            write_json(r, r->run, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fputs(",\n \"summary\": ", r->out);
            write_json(r, sum, JSON_COMPACT | JSON_PRESERVE_ORDER);
            fputs("}\n", r->out);
        }
        errno = 0;
        if (fflush(r->out) != 0 || ferror(r->out)) err = errno ? -errno : -EIO;
        if (r->direct && r->out != stdout && fclose(r->out) != 0 && !err) err = -errno;
        if (!r->direct) {
            if (!err && fsync(fileno(r->out)) != 0) err = -errno;
            if (fclose(r->out) != 0 && !err) err = -errno;
            if (!err && rename(r->tmp, r->path) != 0) err = -errno;
            if (err) unlink(r->tmp);
        }
    }
    if (out) *out = r->sum;
    json_decref(sum);
    json_decref(r->run);
    um_json_free(&r->record);
    free(r->path);
    free(r->tmp);
    free(r);
    return err;
}
