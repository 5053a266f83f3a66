/* Turning a scan's edits into an applicable plan: keep the edits whose findings the
 * policy strips, fold truncations into one, sort, and refuse overlaps. */
#ifndef UM_PLAN_H
#define UM_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../scanner/finding.h"

struct um_policy {
    bool strip[UM_K_COUNT_];
};

/* Every kind that has a removal is stripped by default. */
void um_policy_default(struct um_policy *p);

struct um_plan {
    struct um_edit *ops;   /* sorted by offset; REPLACE bytes borrowed from the result */
    size_t n;
    uint64_t old_size, new_size;
    uint64_t truncate_at;  /* where the kept bytes end in the original (old_size if none) */
    bool truncate;         /* new_size < old_size through a TRUNCATE */
    bool in_place_ok;      /* only length-keeping ops plus at most one truncation */
    bool remux;            /* no byte plan: stream-copy remux */
    bool delete_file;      /* the whole file goes (OS artifacts) */
};

/* Builds the plan for res under policy p. Returns 0 (n may be 0: nothing to do) or
 * UM_E_PLAN when edits overlap inconsistently. */
int um_plan_build(const struct um_file_result *res, const struct um_policy *p, struct um_plan *out);
void um_plan_free(struct um_plan *plan);

/* True when finding i of res is removed under policy p (it has an edit and its kind
 * is stripped). */
bool um_plan_removes(const struct um_file_result *res, const struct um_policy *p, size_t i);

#endif
