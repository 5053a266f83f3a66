#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../common/error.h"
#include "merge.h"
#include "report.h"

static int cmp_path(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    /* path_hex, when present, orders by the exact bytes. */
    const char *px = json_string_value(json_object_get(x, "path_hex"));
    const char *py = json_string_value(json_object_get(y, "path_hex"));
    if (!px) px = json_string_value(json_object_get(x, "path"));
    if (!py) py = json_string_value(json_object_get(y, "path"));
    return strcmp(px ? px : "", py ? py : "");
}

static void add_summary(json_t *total, json_t *part)
{
    const char *key;
    json_t *v;
    json_object_foreach(part, key, v) {
        json_t *t = json_object_get(total, key);
        if (json_is_integer(v)) {
            json_object_set_new(total, key, json_integer((t ? json_integer_value(t) : 0) + json_integer_value(v)));
        } else if (json_is_real(v)) {
            /* Shards run side by side: the joined time is the longest. */
            double a = t ? json_real_value(t) : 0, b = json_real_value(v);
            json_object_set_new(total, key, json_real(a > b ? a : b));
        } else if (json_is_object(v)) {
            if (!t) json_object_set_new(total, key, t = json_object());
            add_summary(t, v);
        }
    }
}

int um_merge_reports(int n, char **paths, FILE *out, bool ndjson, const char **why)
{
    json_t *files = json_array(), *summary = json_object(), *header = NULL, *runs = json_array();
    bool interrupted = false;
    int err = 0;
    *why = NULL;
    for (int i = 0; i < n && !err; i++) {
        FILE *f = fopen(paths[i], "r");
        if (!f) {
            err = -errno;
            *why = "cannot open a report";
            break;
        }
        json_error_t je;
        bool footer = false;
        json_t *rec;
        while ((rec = json_loadf(f, JSON_DISABLE_EOF_CHECK, &je))) {
            const char *kind = json_string_value(json_object_get(rec, "record"));
            if (kind && !strcmp(kind, "file")) {
                json_object_del(rec, "record");
                json_array_append(files, rec);
            } else if (kind && !strcmp(kind, "header")) {
                if (json_integer_value(json_object_get(rec, "report_version")) != UM_REPORT_VERSION) {
                    err = UM_E_FORMAT;
                    *why = "a report has another report_version";
                }
                if (!header) header = json_incref(rec);
            } else if (kind && !strcmp(kind, "footer")) {
                footer = true;
                json_t *run = json_object_get(rec, "run");
                json_array_append(runs, run);
                interrupted |= json_is_true(json_object_get(run, "interrupted"));
                add_summary(summary, json_object_get(rec, "summary"));
            } else {
                err = UM_E_FORMAT;
                *why = "not an NDJSON report of unmark (use --ndjson)";
            }
            json_decref(rec);
            if (err) break;
        }
        if (!err && !feof(f)) {
            /* json_loadf stops at the first error: anything left is not a record. */
            int c;
            while ((c = fgetc(f)) == '\n' || c == ' ' || c == '\r') {}
            if (c != EOF) {
                err = UM_E_FORMAT;
                *why = "a report has a line that is not JSON";
            }
        }
        if (!err && !footer) {
            err = UM_E_FORMAT;
            *why = "a report has no footer: it was cut short";
        }
        fclose(f);
    }
    if (!err && !header) {
        err = UM_E_FORMAT;
        *why = "no report header found";
    }
    if (!err) {
        size_t nf = json_array_size(files);
        json_t **v = malloc((nf ? nf : 1) * sizeof *v);
        if (!v) {
            err = -ENOMEM;
            goto end;
        }
        for (size_t i = 0; i < nf; i++) v[i] = json_array_get(files, i);
        qsort(v, nf, sizeof *v, cmp_path);
        json_t *run = json_pack("{s:s, s:O, s:b}", "command", "merge", "shards", runs, "interrupted", interrupted);
        size_t flags = JSON_COMPACT | JSON_PRESERVE_ORDER;
        if (ndjson) {
            json_t *h = json_pack("{s:s, s:O, s:O, s:O}", "record", "header", "report_version",
                                  json_object_get(header, "report_version"), "tool",
                                  json_object_get(header, "tool"), "run", run);
            json_dumpf(h, out, flags);
            fputc('\n', out);
            json_decref(h);
            for (size_t i = 0; i < nf; i++) {
                json_t *r = json_deep_copy(v[i]);
                json_object_set_new(r, "record", json_string("file"));
                json_dumpf(r, out, flags);
                fputc('\n', out);
                json_decref(r);
            }
            json_t *ft = json_pack("{s:s, s:O, s:O}", "record", "footer", "run", run, "summary", summary);
            json_dumpf(ft, out, flags);
            fputc('\n', out);
            json_decref(ft);
        } else {
            fprintf(out, "{\"report_version\": %d, \"tool\": ", UM_REPORT_VERSION);
            json_dumpf(json_object_get(header, "tool"), out, flags);
            fputs(", \"files\": [", out);
            for (size_t i = 0; i < nf; i++) {
                fputs(i ? ",\n  " : "\n  ", out);
                json_dumpf(v[i], out, flags);
            }
            fputs("\n ],\n \"run\": ", out);
            json_dumpf(run, out, flags);
            fputs(",\n \"summary\": ", out);
            json_dumpf(summary, out, flags);
            fputs("}\n", out);
        }
        json_decref(run);
        free(v);
        if (fflush(out) != 0 || ferror(out)) err = -EIO, *why = "writing the joined report failed";
    }
end:
    json_decref(files);
    json_decref(summary);
    json_decref(header);
    json_decref(runs);
    return err;
}
