/* The walk: order, symlinks, special files, hard links, odd names, depth. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../scanner/walk.h"
#include "support.h"

struct seen {
    char lines[64][300];
    int n;
};

static int collect(void *opaque, struct um_walk_item *it)
{
    struct seen *s = opaque;
    if (s->n < 64) {
        const char *kind = it->kind == UM_WALK_FILE ? "file" : it->kind == UM_WALK_SKIP ? "skip" : "error";
        snprintf(s->lines[s->n++], 300, "%s %s", kind, it->path);
    }
    um_walk_item_free(it);
    return 0;
}

static void touch(const char *dir, const char *name)
{
    char *p = ts_write(dir, name, "x", 1);
    assert_non_null(p);
    free(p);
}

static void walks_in_byte_order_without_following_links(void **state)
{
    (void)state;
    char *d = ts_mkdtemp(), *p;
    touch(d, "b.txt");
    touch(d, "a.txt");
    assert_true(asprintf(&p, "%s/sub", d) > 0);
    mkdir(p, 0700);
    touch(p, "z.txt");
    char *lnk, *target;
    assert_true(asprintf(&lnk, "%s/link", d) > 0);
    assert_true(asprintf(&target, "%s/sub", d) > 0);
    assert_int_equal(symlink(target, lnk), 0);
    char *fifo;
    assert_true(asprintf(&fifo, "%s/pipe", d) > 0);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    char *hard, *orig;
    assert_true(asprintf(&orig, "%s/a.txt", d) > 0);
    assert_true(asprintf(&hard, "%s/c-hardlink.txt", d) > 0);
    assert_int_equal(link(orig, hard), 0);
    /* A name that is not UTF-8 survives as bytes. */
    touch(d, "bad\xff\xfename");

    struct um_walk_options o;
    um_walk_options_default(&o);
    struct seen s = { 0 };
    assert_int_equal(um_walk(d, &o, collect, &s), 0);
    char want[8][300];
    snprintf(want[0], 300, "file %s/a.txt", d);
    snprintf(want[1], 300, "file %s/b.txt", d);
    snprintf(want[2], 300, "file %s/bad\xff\xfename", d);
    snprintf(want[3], 300, "skip %s/c-hardlink.txt", d);
    snprintf(want[4], 300, "skip %s/link", d);
    snprintf(want[5], 300, "skip %s/pipe", d);
    snprintf(want[6], 300, "file %s/sub/z.txt", d);
    assert_int_equal(s.n, 7);
    for (int i = 0; i < 7; i++) assert_string_equal(s.lines[i], want[i]);

    /* Depth 0: the subdirectory is reported as skipped, not entered. */
    o.max_depth = 0;
    struct seen s2 = { 0 };
    assert_int_equal(um_walk(d, &o, collect, &s2), 0);
    char sub[300];
    snprintf(sub, 300, "skip %s/sub", d);
    bool found = false;
    for (int i = 0; i < s2.n; i++) found |= !strcmp(s2.lines[i], sub);
    assert_true(found);

    ts_rmdir(d);
    free(d), free(p), free(lnk), free(target), free(fifo), free(hard), free(orig);
}

static void shards_are_disjoint_and_complete(void **state)
{
    (void)state;
    char *d = ts_mkdtemp();
    for (int i = 0; i < 40; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%02d", i);
        touch(d, name);
    }
    struct um_walk_options o;
    um_walk_options_default(&o);
    int total = 0;
    for (unsigned k = 1; k <= 3; k++) {
        o.shard_k = k;
        o.shard_n = 3;
        struct seen s = { 0 };
        assert_int_equal(um_walk(d, &o, collect, &s), 0);
        assert_true(s.n > 0 && s.n < 40);
        total += s.n;
    }
    assert_int_equal(total, 40);
    ts_rmdir(d);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(walks_in_byte_order_without_following_links),
        cmocka_unit_test(shards_are_disjoint_and_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
