/* libFuzzer targets. Built once per handler with -DUM_FUZZ_FORMAT="name" (that parser
 * alone, probes skipped, so random input reaches it), and once without (the whole scan
 * of one file: Red Star peeling, probing, the handler, appended data, then the plan
 * built and applied in memory and the result scanned again, as a scrub would). Both
 * write the report's record of the result and read it back; a handler with a media
 * map also maps the input, and every range must lie inside it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../formats/format.h"
#include "../scanner/report.h"
#include "../scanner/scan.h"
#include "../scrubber/plan.h"

static struct um_scanner *scanner(void)
{
    static struct um_scanner *sc;
    if (!sc) {
        struct um_scan_options o;
        int err;
        um_scan_options_default(&o);
        o.mime = false;   /* libmagic is fuzzed by its own project; keep runs fast */
        o.hash = false;
        sc = um_scanner_new(&o, &err);
        if (!sc) abort();
    }
    return sc;
}

#ifndef UM_FUZZ_FORMAT
/* Applies an in-place plan to a copy, as the scrubber's private mapping does. */
static void apply_and_rescan(const uint8_t *data, size_t size, struct um_file_result *res)
{
    struct um_policy pol;
    struct um_plan plan;
    um_policy_default(&pol);
    if (um_plan_build(res, &pol, &plan) != 0) return;
    if (plan.in_place_ok && (plan.n || plan.truncate)) {
        uint8_t *copy = malloc(size ? size : 1);
        if (!copy) abort();
        memcpy(copy, data, size);
        for (size_t i = 0; i < plan.n; i++) {
            const struct um_edit *e = &plan.ops[i];
            if (e->offset + e->length > size) abort();   /* a plan outside the file is a bug */
            if (e->op == UM_OP_ZERO) memset(copy + e->offset, 0, e->length);
            else memcpy(copy + e->offset, e->bytes, e->length);
        }
        struct um_file_result again;
        um_file_result_init(&again);
        um_scan_buffer(scanner(), copy, plan.new_size, "fuzz", &again);
        um_file_result_free(&again);
        free(copy);
    }
    um_plan_free(&plan);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct um_file_result res;
    um_file_result_init(&res);
#ifdef UM_FUZZ_FORMAT
    const struct um_format *fmt = um_format_by_name(UM_FUZZ_FORMAT);
    if (!fmt) abort();
    um_scan_with_format(scanner(), fmt, data, size, &res);
    if (fmt->media_map) {
        struct um_media_map m;
        um_media_map_init(&m, size);
        if (fmt->media_map(&m, data, size) == 0) {
            um_media_map_finish(&m);
            for (size_t i = 0; i < m.n; i++)
                if (m.r[i].off > size || m.r[i].len > size - m.r[i].off) abort();
        }
        um_media_map_free(&m);
    }
#else
    um_scan_buffer(scanner(), data, size, "fuzz", &res);
    apply_and_rescan(data, size, &res);
#endif
    /* Every finding and edit must lie inside the input. */
    for (size_t i = 0; i < res.findings.len; i++) {
        const struct um_finding *f = um_vec_at(&res.findings, i);
        if (f->length && (f->offset > size || f->length > size - f->offset)) abort();
    }
    for (size_t i = 0; i < res.edits.len; i++) {
        const struct um_edit *e = um_vec_at(&res.edits, i);
        if (e->offset > size || e->length > size - e->offset) abort();
    }
    /* The report's record of whatever was found is JSON that reads back (the writer
     * escapes every value the file put there). */
    if (!res.path) res.path = strdup("fuzz");
    json_t *record = um_report_file_json(&res);
    if (!record) abort();
    json_decref(record);
    um_file_result_free(&res);
    return 0;
}
