#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../common/error.h"
#include "plan.h"

void um_policy_default(struct um_policy *p)
{
    for (int k = 0; k < UM_K_COUNT_; k++) p->strip[k] = true;
    p->strip[UM_K_TYPE_MISMATCH] = false;   /* a name, not a tag: nothing to remove */
}

bool um_plan_removes(const struct um_file_result *res, const struct um_policy *p, size_t i)
{
    const struct um_finding *f = um_vec_at(&res->findings, i);
    return f && f->removable && p->strip[f->kind];
}

static int cmp_edit(const void *a, const void *b)
{
    const struct um_edit *x = a, *y = b;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    if (x->length != y->length) return x->length < y->length ? -1 : 1;
    return (int)x->op - (int)y->op;
}

int um_plan_build(const struct um_file_result *res, const struct um_policy *p, struct um_plan *out)
{
    memset(out, 0, sizeof *out);
    out->old_size = out->new_size = out->truncate_at = res->size;
    size_t n = res->edits.len;
    if (!n) {
        out->in_place_ok = true;
        return 0;
    }
    out->ops = calloc(n, sizeof *out->ops);
    if (!out->ops) return -ENOMEM;

    /* Pass 1: the earliest truncation wins; it also takes every later edit with it. */
    uint64_t cut_at = res->size;
    for (size_t i = 0; i < n; i++) {
        const struct um_edit *e = um_vec_at(&res->edits, i);
        if (!um_plan_removes(res, p, e->finding)) continue;
        if (e->op == UM_OP_TRUNCATE && e->offset < cut_at) cut_at = e->offset;
        if (e->op == UM_OP_REMUX) out->remux = true;
        if (e->op == UM_OP_DELETE) out->delete_file = true;
    }
    for (size_t i = 0; i < n; i++) {
        const struct um_edit *e = um_vec_at(&res->edits, i);
        if (!um_plan_removes(res, p, e->finding)) continue;
        if (e->op == UM_OP_TRUNCATE || e->op == UM_OP_REMUX || e->op == UM_OP_DELETE) continue;
        bool all = true;
        for (size_t k = 0; k < e->nalso; k++) all = all && um_plan_removes(res, p, e->also[k]);
        if (!all) continue;   /* a splice removes several findings or none */
        if (e->offset >= cut_at) continue;
        struct um_edit op = *e;
        if (op.offset + op.length > cut_at) {
            if (op.op == UM_OP_REPLACE || op.op == UM_OP_SPLICE) goto conflict;  /* half a replacement is not one */
            op.length = cut_at - op.offset;
        }
        if (op.length) out->ops[out->n++] = op;
    }
    qsort(out->ops, out->n, sizeof *out->ops, cmp_edit);

    /* Pass 2: an edit lying wholly inside a ZERO range is covered by it (a container
     * zeroes a whole box while an embedded handler planned finer edits inside it);
     * overlapping ZERO ranges merge, as do CUT ranges; any other overlap is refused. */
    size_t w = 0;
    for (size_t i = 0; i < out->n; i++) {
        struct um_edit cur = out->ops[i];
        uint64_t cur_end = cur.offset + cur.length;
        /* A zero range swallows the edits before it that it covers. */
        while (cur.op == UM_OP_ZERO && w && out->ops[w - 1].offset >= cur.offset &&
               out->ops[w - 1].offset + out->ops[w - 1].length <= cur_end)
            w--;
        if (w) {
            struct um_edit *prev = &out->ops[w - 1];
            uint64_t prev_end = prev->offset + prev->length;
            if (cur.offset < prev_end) {
                if (prev->op == UM_OP_ZERO && cur_end <= prev_end) continue;   /* covered */
                bool same = prev->op == cur.op && prev->offset == cur.offset && prev->length == cur.length &&
                            (prev->op != UM_OP_REPLACE || !memcmp(prev->bytes, cur.bytes, cur.length));
                if (same) continue;
                bool mergeable = (prev->op == UM_OP_ZERO && cur.op == UM_OP_ZERO) ||
                                 (prev->op == UM_OP_CUT && cur.op == UM_OP_CUT);
                if (!mergeable) goto conflict;
                if (cur_end > prev_end) prev->length = cur_end - prev->offset;
                continue;
            }
        }
        out->ops[w++] = cur;
    }
    out->n = w;

    uint64_t size = cut_at;
    bool moves = false;
    for (size_t i = 0; i < out->n; i++) {
        const struct um_edit *e = &out->ops[i];
        if (e->op == UM_OP_CUT) size -= e->length, moves = true;
        if (e->op == UM_OP_SPLICE) size = size - e->length + e->bytes_len, moves = true;
    }
    out->truncate = cut_at < res->size;
    out->truncate_at = cut_at;
    out->new_size = size;
    out->in_place_ok = !moves && !out->remux;
    return 0;
conflict:
    um_plan_free(out);
    return UM_E_PLAN;
}

void um_plan_free(struct um_plan *plan)
{
    free(plan->ops);
    memset(plan, 0, sizeof *plan);
}
