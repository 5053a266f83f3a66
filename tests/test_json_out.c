/* The streaming JSON writer of the report's file records (common/json_out.c): what it
 * writes is what jansson writes for the same value (compact), every string escape,
 * bytes that are not UTF-8, records that jansson reads back, and nesting too deep. */
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../common/json_out.h"

static void same_as_jansson(const char *json_text)
{
    json_error_t e;
    json_t *v = json_loads(json_text, JSON_DECODE_ANY, &e);
    assert_non_null(v);
    char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    struct um_json_out o = { 0 };
    um_json_value(&o, v);
    assert_false(o.failed);
    assert_string_equal(o.buf, want);
    free(want);
    json_decref(v);
    um_json_free(&o);
}

static void writes_what_jansson_writes(void **state)
{
    (void)state;
    same_as_jansson("{\"a\":1,\"b\":[true,false,null,-9223372036854775807],\"c\":{\"d\":[],\"e\":{}}}");
    same_as_jansson("[\"quote \\\" backslash \\\\ slash / nl \\n cr \\r tab \\t bs \\b ff \\f\"]");
    same_as_jansson("[\"\\u0001\\u001f\\u007f\", \"\\u00e9\\u4e2d\\ud83d\\ude00\"]");
    same_as_jansson("[1.5, 0.1, 1e300, -2.0, 3.0, 1e-7, 2.5e-300]");
    same_as_jansson("{\"ids\":[\"E51DDB96Z1Z65\",\"548851BZ1ED59\"],\"devices\":2,\"standard_form\":[true,true]}");
    same_as_jansson("[[[[[]]]],{\"\":\"\"}]");
}

static void not_utf8_becomes_replacement_characters(void **state)
{
    (void)state;
    struct um_json_out o = { 0 };
    /* a lone continuation byte, a truncated sequence, an overlong '/', a surrogate */
    um_json_string(&o, "a\x80" "b\xE4\xB8" "c\xC0\xAF" "d\xED\xA0\x80" "e");
    assert_false(o.failed);
    json_t *v = json_loads(o.buf, JSON_DECODE_ANY, NULL);
    assert_non_null(v);   /* jansson refuses text that is not UTF-8 */
    assert_string_equal(json_string_value(v), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD"
                                              "d\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "e");
    json_decref(v);
    um_json_free(&o);
}

/* The edges of RFC 3629: the last and first code points of each length pass as they
 * are; overlong forms, surrogates and code points past U+10FFFF do not. */
static void utf8_edges(void **state)
{
    (void)state;
    static const char *const valid[] = { "\x7F", "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xED\x9F\xBF",
                                         "\xEE\x80\x80", "\xEF\xBF\xBF", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF" };
    static const char *const invalid[] = { "\xC1\xBF", "\xE0\x9F\xBF", "\xED\xA0\x80", "\xED\xBF\xBF",
                                           "\xF0\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF" };
    struct um_json_out o = { 0 };
    char want[64];
    for (size_t i = 0; i < sizeof valid / sizeof *valid; i++) {
        um_json_reset(&o);
        um_json_string(&o, valid[i]);
        snprintf(want, sizeof want, "\"%s\"", valid[i]);
        assert_string_equal(o.buf, want);
    }
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
        um_json_reset(&o);
        um_json_string(&o, invalid[i]);
        size_t n = strlen(invalid[i]), w = 0;   /* each byte of it: one U+FFFD */
        want[w++] = '"';
        for (size_t k = 0; k < n; k++) memcpy(want + w, "\xEF\xBF\xBD", 3), w += 3;
        want[w++] = '"', want[w] = 0;
        assert_string_equal(o.buf, want);
    }
    um_json_free(&o);
}

static void records_read_back(void **state)
{
    (void)state;
    struct um_json_out o = { 0 };
    for (int round = 0; round < 2; round++) {   /* the second after a reset reuses the buffer */
        um_json_reset(&o);
        um_json_begin_object(&o);
        um_json_key(&o, "path");
        um_json_string(&o, "/media/\"card\"/\xED\x95\x9C.mp4");
        um_json_key(&o, "size");
        um_json_int(&o, INT64_MIN);
        um_json_key(&o, "findings");
        um_json_begin_array(&o);
        for (int i = 0; i < 3; i++) {
            um_json_begin_object(&o);
            um_json_key(&o, "n");
            um_json_int(&o, i);
            um_json_key(&o, "ok");
            um_json_bool(&o, i & 1);
            um_json_end_object(&o);
        }
        um_json_end_array(&o);
        um_json_key(&o, "actions");
        um_json_begin_array(&o);
        um_json_end_array(&o);
        um_json_end_object(&o);
        assert_false(o.failed);
        assert_string_equal(o.buf, "{\"path\":\"/media/\\\"card\\\"/\xED\x95\x9C.mp4\",\"size\":-9223372036854775808,"
                                   "\"findings\":[{\"n\":0,\"ok\":false},{\"n\":1,\"ok\":true},{\"n\":2,\"ok\":false}],"
                                   "\"actions\":[]}");
    }
    um_json_free(&o);
}

static void too_deep_fails_cleanly(void **state)
{
    (void)state;
    struct um_json_out o = { 0 };
    for (int i = 0; i < 3 * UM_JSON_MAX_DEPTH; i++) um_json_begin_array(&o), um_json_int(&o, i);
    for (int i = 0; i < 3 * UM_JSON_MAX_DEPTH; i++) um_json_end_array(&o);
    assert_true(o.failed);
    um_json_reset(&o);   /* and the writer is usable again */
    um_json_begin_array(&o);
    um_json_end_array(&o);
    assert_false(o.failed);
    assert_string_equal(o.buf, "[]");
    um_json_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(writes_what_jansson_writes),
        cmocka_unit_test(not_utf8_becomes_replacement_characters),
        cmocka_unit_test(utf8_edges),
        cmocka_unit_test(records_read_back),
        cmocka_unit_test(too_deep_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
