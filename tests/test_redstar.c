/* Red Star OS watermarks: decoding, chains, look-alikes, the OOXML mark, profiles. */
#include <stdlib.h>
#include <string.h>

#include "../formats/redstar.h"
#include "support.h"

/* The mark of the real first-user sample (preview_bottle_firstuser.jpg, the 24 bytes
 * before its le32 length and "EOF"), written by a Red Star OS 3.0 machine. */
static const uint8_t real_mark[24] = {
    0xe3, 0xe0, 0xd9, 0x04, 0x55, 0x9d, 0x35, 0xf9, 0x9b, 0x3b, 0xfd, 0xda,
    0x6b, 0xd6, 0xb6, 0xa9, 0x5a, 0x13, 0xa0, 0xe6, 0x29, 0x4b, 0x75, 0xb1,
};

static void decodes_real_mark(void **state)
{
    (void)state;
    struct um_redstar_id id;
    assert_true(um_redstar_decode_mark(real_mark, &id));
    assert_string_equal(id.id, "AC9A58CDZ364C");
    assert_true(id.standard_form);
    /* Our encoder agrees with the real one, byte for byte. */
    uint8_t mark[24];
    ts_make_mark("AC9A58CDZ364C", mark);
    assert_memory_equal(mark, real_mark, 24);
    /* One byte off is garbage, never an ID. */
    uint8_t shifted[24];
    memcpy(shifted, real_mark + 1, 23);
    shifted[23] = 0x18;
    assert_false(um_redstar_decode_mark(shifted, &id));
}

static void nonstandard_ids_are_flagged(void **state)
{
    (void)state;
    uint8_t mark[24];
    struct um_redstar_id id;
    ts_make_mark("ab0", mark);   /* lower case and a real 0: printable, not the usual form */
    assert_true(um_redstar_decode_mark(mark, &id));
    assert_string_equal(id.id, "ab0");
    assert_false(id.standard_form);
    ts_make_mark("3BCH496784712", mark);  /* the constant for unreadable disks */
    assert_true(um_redstar_decode_mark(mark, &id));
    assert_false(id.standard_form);      /* 'H' is outside 0-9 A-F Z */
}

static size_t build_trailer(uint8_t *out, const char *const *ids, size_t n)
{
    for (size_t i = 0; i < n; i++) ts_make_mark(ids[i], out + 24 * i);
    uint32_t len = (uint32_t)(24 * n);
    memcpy(out + 24 * n, &len, 4);
    memcpy(out + 24 * n + 4, "EOF", 3);
    return 24 * n + 7;
}

static void chain_in_order(void **state)
{
    (void)state;
    uint8_t buf[200] = "some file body that is not any known format....";
    const char *ids[] = { "AC9A58CDZ364C", "8295FF513293A", "1234567899ABC" };
    size_t body = 48;
    size_t n = body + build_trailer(buf + body, ids, 3);
    struct um_file_result r;
    ts_scan(buf, n, "x.bin", &r);
    const struct um_finding *f = ts_find(&r, UM_K_REDSTAR_WATERMARK);
    assert_non_null(f);
    assert_int_equal(f->offset, body);
    assert_int_equal(f->length, 3 * 24 + 7);
    assert_int_equal(json_integer_value(json_object_get(f->extra, "devices")), 3);
    json_t *j = json_object_get(f->extra, "ids");
    assert_string_equal(json_string_value(json_array_get(j, 0)), "AC9A58CDZ364C");
    assert_string_equal(json_string_value(json_array_get(j, 2)), "1234567899ABC");
    assert_string_equal(json_string_value(json_object_get(f->extra, "placement")), "trailer");
    /* The plan truncates exactly there. */
    assert_int_equal(r.edits.len, 1);
    const struct um_edit *e = um_vec_at(&r.edits, 0);
    assert_int_equal(e->op, UM_OP_TRUNCATE);
    assert_int_equal(e->offset, body);
    um_file_result_free(&r);
}

static void look_alike_is_appended_data(void **state)
{
    (void)state;
    uint8_t buf[100] = { 0 };
    memset(buf, 'A', 40);
    uint32_t len = 24;
    memcpy(buf + 40 + 24, &len, 4);
    memcpy(buf + 40 + 28, "EOF", 3);   /* 24 zero bytes do not decrypt to WM */
    struct um_file_result r;
    ts_scan(buf, 40 + 31, "x.bin", &r);
    assert_int_equal(ts_count(&r, UM_K_REDSTAR_WATERMARK), 0);
    const struct um_finding *f = ts_find(&r, UM_K_APPENDED_DATA);
    assert_non_null(f);
    assert_int_equal(f->offset, 40);
    assert_int_equal(f->length, 31);
    assert_true(f->removable);
    um_file_result_free(&r);
}

static void length_that_does_not_fit_is_reported_not_removed(void **state)
{
    (void)state;
    uint8_t buf[40] = "tiny";
    uint32_t len = 48;   /* more than the file */
    memcpy(buf + 29, &len, 4);
    memcpy(buf + 33, "EOF", 3);
    struct um_file_result r;
    ts_scan(buf, 36, "x.bin", &r);
    const struct um_finding *f = ts_find(&r, UM_K_APPENDED_DATA);
    assert_non_null(f);
    assert_false(f->removable);
    assert_int_equal(r.edits.len, 0);
    um_file_result_free(&r);
}

static void profile_trailer(void **state)
{
    (void)state;
    uint8_t buf[128];
    memset(buf, 'x', 50);
    memset(buf + 50, 0x5c, 20);
    uint32_t n = 20;
    memcpy(buf + 70, &n, 4);
    memcpy(buf + 74, "wwwwvwww", 8);
    struct um_file_result r;
    ts_scan(buf, 82, "x.doc", &r);
    const struct um_finding *f = ts_find(&r, UM_K_REDSTAR_PROFILE);
    assert_non_null(f);
    assert_int_equal(f->offset, 50);
    assert_int_equal(f->length, 32);
    assert_string_equal(json_string_value(json_object_get(f->extra, "variant")), "office97");
    um_file_result_free(&r);
}

static void stacked_profile_and_trailer(void **state)
{
    (void)state;
    uint8_t buf[256];
    memset(buf, 'y', 30);
    memset(buf + 30, 1, 8);
    uint32_t n = 8;
    memcpy(buf + 38, &n, 4);
    memcpy(buf + 42, "wwwwwwww", 8);
    const char *ids[] = { "5E1AB2C3D4F9Z" };
    size_t end = 50 + build_trailer(buf + 50, ids, 1);
    struct um_file_result r;
    ts_scan(buf, end, "x.bin", &r);
    assert_int_equal(ts_count(&r, UM_K_REDSTAR_WATERMARK), 1);
    assert_int_equal(ts_count(&r, UM_K_REDSTAR_PROFILE), 1);
    assert_int_equal(ts_find(&r, UM_K_REDSTAR_PROFILE)->offset, 30);
    um_file_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_real_mark),
        cmocka_unit_test(nonstandard_ids_are_flagged),
        cmocka_unit_test(chain_in_order),
        cmocka_unit_test(look_alike_is_appended_data),
        cmocka_unit_test(length_that_does_not_fit_is_reported_not_removed),
        cmocka_unit_test(profile_trailer),
        cmocka_unit_test(stacked_profile_and_trailer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
