/* Plan building: policy filtering, folding truncations, overlap refusal, sizes. */
#include <stdlib.h>
#include <string.h>

#include "../common/error.h"
#include "../scrubber/plan.h"
#include "support.h"

static size_t add_finding(struct um_file_result *r, enum um_kind k)
{
    int err;
    struct um_finding *f = um_vec_push(&r->findings, &err);
    f->kind = k;
    f->removable = true;
    return r->findings.len - 1;
}

static void add_edit(struct um_file_result *r, size_t finding, enum um_op op, uint64_t off, uint64_t len)
{
    int err;
    struct um_edit *e = um_vec_push(&r->edits, &err);
    e->op = op;
    e->offset = off;
    e->length = len;
    e->finding = finding;
    if (op == UM_OP_REPLACE) e->bytes = calloc(1, len), e->bytes_len = len;
}

static void truncations_fold_and_take_later_edits(void **state)
{
    (void)state;
    struct um_file_result r;
    um_file_result_init(&r);
    r.size = 1000;
    size_t a = add_finding(&r, UM_K_REDSTAR_WATERMARK), b = add_finding(&r, UM_K_APPENDED_DATA);
    size_t c = add_finding(&r, UM_K_DEVICE_ID);
    add_edit(&r, a, UM_OP_TRUNCATE, 969, 31);
    add_edit(&r, b, UM_OP_TRUNCATE, 900, 69);
    add_edit(&r, c, UM_OP_ZERO, 950, 10);   /* inside the truncated tail: dropped */
    add_edit(&r, c, UM_OP_ZERO, 10, 5);
    struct um_plan p;
    struct um_policy pol;
    um_policy_default(&pol);
    assert_int_equal(um_plan_build(&r, &pol, &p), 0);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.ops[0].offset, 10);
    assert_true(p.truncate);
    assert_int_equal(p.truncate_at, 900);
    assert_int_equal(p.new_size, 900);
    assert_true(p.in_place_ok);
    um_plan_free(&p);
    /* Keeping appended data keeps its truncation out; the watermark's stays. */
    pol.strip[UM_K_APPENDED_DATA] = false;
    assert_int_equal(um_plan_build(&r, &pol, &p), 0);
    assert_int_equal(p.truncate_at, 969);
    um_plan_free(&p);
    um_file_result_free(&r);
}

static void overlaps_are_refused_but_zeros_merge(void **state)
{
    (void)state;
    struct um_file_result r;
    um_file_result_init(&r);
    r.size = 100;
    size_t a = add_finding(&r, UM_K_DEVICE_ID);
    add_edit(&r, a, UM_OP_ZERO, 10, 10);
    add_edit(&r, a, UM_OP_ZERO, 15, 10);
    struct um_plan p;
    struct um_policy pol;
    um_policy_default(&pol);
    assert_int_equal(um_plan_build(&r, &pol, &p), 0);
    assert_int_equal(p.n, 1);
    assert_int_equal(p.ops[0].length, 15);
    um_plan_free(&p);
    add_edit(&r, a, UM_OP_REPLACE, 23, 4);   /* straddles the end of a zero range */
    assert_int_equal(um_plan_build(&r, &pol, &p), UM_E_PLAN);
    um_file_result_free(&r);
}

static void cuts_force_the_copy_path(void **state)
{
    (void)state;
    struct um_file_result r;
    um_file_result_init(&r);
    r.size = 100;
    size_t a = add_finding(&r, UM_K_SOFTWARE);
    add_edit(&r, a, UM_OP_CUT, 40, 20);
    struct um_plan p;
    struct um_policy pol;
    um_policy_default(&pol);
    assert_int_equal(um_plan_build(&r, &pol, &p), 0);
    assert_false(p.in_place_ok);
    assert_int_equal(p.new_size, 80);
    um_plan_free(&p);
    /* --keep software: nothing to do. */
    pol.strip[UM_K_SOFTWARE] = false;
    assert_int_equal(um_plan_build(&r, &pol, &p), 0);
    assert_int_equal(p.n, 0);
    assert_false(p.truncate);
    um_plan_free(&p);
    um_file_result_free(&r);
}

static void zero_ranges_cover_edits_inside_them(void **state)
{
    (void)state;
    struct um_file_result r;
    um_file_result_init(&r);
    r.size = 1000;
    size_t box = add_finding(&r, UM_K_DEVICE_ID), inner = add_finding(&r, UM_K_LOCATION);
    add_edit(&r, inner, UM_OP_REPLACE, 120, 4);   /* an embedded handler's edit ... */
    add_edit(&r, inner, UM_OP_ZERO, 130, 10);
    add_edit(&r, box, UM_OP_ZERO, 100, 100);      /* ... inside a box the container zeroes */
    add_edit(&r, box, UM_OP_REPLACE, 96, 4);      /* the box rename, just before it */
    struct um_plan p;
    struct um_policy pol;
    um_policy_default(&pol);
    assert_int_equal(um_plan_build(&r, &pol, &p), 0);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.ops[0].op, UM_OP_REPLACE);
    assert_int_equal(p.ops[0].offset, 96);
    assert_int_equal(p.ops[1].op, UM_OP_ZERO);
    assert_int_equal(p.ops[1].offset, 100);
    assert_int_equal(p.ops[1].length, 100);
    um_plan_free(&p);
    /* Keeping the box's kind: the inner edits stand on their own again. */
    pol.strip[UM_K_DEVICE_ID] = false;
    assert_int_equal(um_plan_build(&r, &pol, &p), 0);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.ops[0].offset, 120);
    um_plan_free(&p);
    /* A REPLACE that straddles the end of a zero range is still a conflict. */
    add_edit(&r, inner, UM_OP_REPLACE, 198, 4);
    pol.strip[UM_K_DEVICE_ID] = true;
    assert_int_equal(um_plan_build(&r, &pol, &p), UM_E_PLAN);
    um_file_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(truncations_fold_and_take_later_edits),
        cmocka_unit_test(overlaps_are_refused_but_zeros_merge),
        cmocka_unit_test(cuts_force_the_copy_path),
        cmocka_unit_test(zero_ranges_cover_edits_inside_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
