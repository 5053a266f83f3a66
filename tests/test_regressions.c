/* Replays every input a fuzzer ever crashed on (fuzz/regressions/<target>/), through
 * the whole scan and through the handler named by its folder. Under SAN=1 this is
 * the regression suite for memory errors. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../formats/format.h"
#include "support.h"

static void replay_all(void **state)
{
    (void)state;
    const char *base = getenv("UNMARK_TESTDATA");
    char *root;
    assert_true(asprintf(&root, "%s/../fuzz/regressions", base ? base : "testdata") > 0);
    DIR *d = opendir(root);
    size_t replayed = 0;
    struct dirent *de, *fe;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.') continue;
        char *sub;
        assert_true(asprintf(&sub, "%s/%s", root, de->d_name) > 0);
        DIR *fd = opendir(sub);
        const struct um_format *fmt = um_format_by_name(de->d_name);
        while (fd && (fe = readdir(fd))) {
            if (fe->d_name[0] == '.') continue;
            char *path;
            size_t n;
            assert_true(asprintf(&path, "%s/%s", sub, fe->d_name) > 0);
            uint8_t *buf = ts_read(path, &n);
            assert_non_null(buf);
            struct um_file_result r;
            ts_scan(buf, n, "regression", &r);
            um_file_result_free(&r);
            if (fmt) {
                struct um_scan_options o;
                int err;
                um_scan_options_default(&o);
                o.mime = o.hash = false;
                struct um_scanner *sc = um_scanner_new(&o, &err);
                um_file_result_init(&r);
                um_scan_with_format(sc, fmt, buf, n, &r);
                um_file_result_free(&r);
                um_scanner_free(sc);
            }
            free(buf);
            free(path);
            replayed++;
        }
        if (fd) closedir(fd);
        free(sub);
    }
    if (d) closedir(d);
    free(root);
    print_message("replayed %zu saved fuzzer inputs\n", replayed);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(replay_all) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
