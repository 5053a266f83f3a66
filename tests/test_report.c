/* Report building blocks: path escaping, value sanitising, file objects. */
#include <stdlib.h>
#include <string.h>

#include "../scanner/report.h"
#include "support.h"

static void paths_keep_their_bytes(void **state)
{
    (void)state;
    bool exact;
    char *t = um_path_text("ok/\xed\x95\x9c.jpg", &exact);   /* Korean syllable, valid */
    assert_true(exact);
    assert_string_equal(t, "ok/\xed\x95\x9c.jpg");
    free(t);
    t = um_path_text("bad\xff.jpg", &exact);
    assert_false(exact);
    assert_string_equal(t, "bad\xef\xbf\xbd.jpg");
    free(t);

    struct um_file_result r;
    um_file_result_init(&r);
    r.path = strdup("x\xfe");
    json_t *o = um_report_file_json(&r);
    assert_string_equal(json_string_value(json_object_get(o, "path_hex")), "78fe");
    json_decref(o);
    um_file_result_free(&r);
}

static void values_are_sanitised_and_capped(void **state)
{
    (void)state;
    char *v = um_sanitize_value((const uint8_t *)"a\nb\x01\0\0", 6);
    assert_string_equal(v, "a\\x0ab\\x01");
    free(v);
    uint8_t big[1000];
    memset(big, 'q', sizeof big);
    v = um_sanitize_value(big, sizeof big);
    assert_int_equal(strlen(v), 200 + 3);   /* 200 characters and an ellipsis */
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_keep_their_bytes),
        cmocka_unit_test(values_are_sanitised_and_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
