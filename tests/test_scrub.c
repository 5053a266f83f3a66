/* The scrubber on real files in a temp directory: in place, copy, --out, refusing a
 * file that changed since its scan, and keeping the original when verification fails. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/error.h"
#include "../scrubber/scrub.h"
#include "support.h"

struct fx {
    char *dir;
    struct um_scanner *sc;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct um_scan_options o;
    int err;
    um_scan_options_default(&o);
    o.mime = false;
    f->dir = ts_mkdtemp();
    f->sc = um_scanner_new(&o, &err);
    *state = f;
    return f->dir && f->sc ? 0 : -1;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    ts_rmdir(f->dir);
    free(f->dir);
    um_scanner_free(f->sc);
    free(f);
    return 0;
}

/* A minimal valid JPEG (SOI, one APP0, EOI) is enough for the structure walk; the
 * essence check skips what libavformat cannot decode. */
static size_t make_file(uint8_t *buf, const char *id, size_t extra)
{
    static const uint8_t jpeg[] = { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, 'J', 'F', 'I', 'F', 0xFF, 0xD9 };
    memcpy(buf, jpeg, sizeof jpeg);
    size_t n = sizeof jpeg;
    memset(buf + n, 0xAB, extra);   /* appended data */
    n += extra;
    if (id) {
        ts_make_mark(id, buf + n);
        uint32_t len = 24;
        memcpy(buf + n + 24, &len, 4);
        memcpy(buf + n + 28, "EOF", 3);
        n += 31;
    }
    return n;
}

static int scrub(struct fx *f, const char *name, const struct um_scrub_options *o, int out_dirfd,
                 struct um_file_result *res, void (*between)(const char *path))
{
    int dfd = open(f->dir, O_RDONLY | O_DIRECTORY);
    int fd = openat(dfd, name, O_RDONLY);
    um_file_result_init(res);
    um_scan_fd(f->sc, fd, name, res);
    if (between) {
        char *p;
        assert_true(asprintf(&p, "%s/%s", f->dir, name) > 0);
        between(p);
        free(p);
    }
    int err = um_scrub_one(f->sc, o, dfd, name, fd, out_dirfd, res);
    close(fd);
    close(dfd);
    return err;
}

static bool no_temp_left(const char *dir)
{
    char *cmd;
    assert_true(asprintf(&cmd, "ls -A '%s' | grep -q '^\\.unmark-'", dir) > 0);
    int rc = system(cmd);
    free(cmd);
    return rc != 0;
}

static void in_place_removes_trailer_and_appended(void **state)
{
    struct fx *f = *state;
    uint8_t buf[256];
    size_t n = make_file(buf, "5E1AB2C3D4F9Z", 20);
    char *p = ts_write(f->dir, "a.jpg", buf, n);
    struct um_scrub_options o;
    um_scrub_options_default(&o);
    struct um_file_result res;
    assert_int_equal(scrub(f, "a.jpg", &o, -1, &res, NULL), 0);
    assert_int_equal(res.status, UM_ST_SCRUBBED);
    assert_int_equal(res.scrub_path, UM_PATH_IN_PLACE);
    size_t m;
    uint8_t *after = ts_read(p, &m);
    assert_int_equal(m, 12);
    assert_memory_equal(after, buf, 12);
    assert_true(no_temp_left(f->dir));
    free(after);
    free(p);
    um_file_result_free(&res);
}

static void copy_path_gives_the_same_bytes(void **state)
{
    struct fx *f = *state;
    uint8_t buf[256];
    size_t n = make_file(buf, "AC9A58CDZ364C", 0);
    char *p = ts_write(f->dir, "b.jpg", buf, n);
    chmod(p, 0640);
    struct um_scrub_options o;
    um_scrub_options_default(&o);
    o.force_copy = true;
    struct um_file_result res;
    assert_int_equal(scrub(f, "b.jpg", &o, -1, &res, NULL), 0);
    assert_int_equal(res.scrub_path, UM_PATH_COPY);
    size_t m;
    uint8_t *after = ts_read(p, &m);
    assert_int_equal(m, 12);
    struct stat st;
    stat(p, &st);
    assert_int_equal(st.st_mode & 0777, 0640);   /* the original's mode, not the temp's */
    assert_true(no_temp_left(f->dir));
    free(after);
    free(p);
    um_file_result_free(&res);
}

static void out_dir_leaves_original(void **state)
{
    struct fx *f = *state;
    uint8_t buf[256];
    size_t n = make_file(buf, "AC9A58CDZ364C", 0);
    char *p = ts_write(f->dir, "c.jpg", buf, n);
    char *out;
    assert_true(asprintf(&out, "%s/out", f->dir) > 0);
    mkdir(out, 0700);
    int ofd = open(out, O_RDONLY | O_DIRECTORY);
    struct um_scrub_options o;
    um_scrub_options_default(&o);
    struct um_file_result res;
    assert_int_equal(scrub(f, "c.jpg", &o, ofd, &res, NULL), 0);
    close(ofd);
    size_t m, k;
    uint8_t *orig = ts_read(p, &m);
    assert_int_equal(m, n);
    assert_memory_equal(orig, buf, n);
    char *q;
    assert_true(asprintf(&q, "%s/c.jpg", out) > 0);
    uint8_t *clean = ts_read(q, &k);
    assert_int_equal(k, 12);
    assert_true(no_temp_left(out));
    free(orig);
    free(clean);
    free(p);
    free(q);
    free(out);
    um_file_result_free(&res);
}

static void append_byte(const char *path)
{
    FILE *fp = fopen(path, "ab");
    fputc('!', fp);
    fclose(fp);
}

static void changed_since_scan_is_refused(void **state)
{
    struct fx *f = *state;
    uint8_t buf[256];
    size_t n = make_file(buf, "AC9A58CDZ364C", 0);
    char *p = ts_write(f->dir, "d.jpg", buf, n);
    struct um_scrub_options o;
    um_scrub_options_default(&o);
    struct um_file_result res;
    assert_int_equal(scrub(f, "d.jpg", &o, -1, &res, append_byte), UM_E_CHANGED);
    assert_int_equal(res.status, UM_ST_FAILED);
    size_t m;
    uint8_t *after = ts_read(p, &m);
    assert_int_equal(m, n + 1);   /* untouched: the change someone else made stays */
    assert_memory_equal(after, buf, n);
    free(after);
    free(p);
    um_file_result_free(&res);
}

static void dry_run_writes_nothing(void **state)
{
    struct fx *f = *state;
    uint8_t buf[256];
    size_t n = make_file(buf, "AC9A58CDZ364C", 5);
    char *p = ts_write(f->dir, "e.jpg", buf, n);
    struct um_scrub_options o;
    um_scrub_options_default(&o);
    o.dry_run = true;
    struct um_file_result res;
    assert_int_equal(scrub(f, "e.jpg", &o, -1, &res, NULL), 0);
    assert_int_equal(res.status, UM_ST_FOUND);
    size_t m;
    uint8_t *after = ts_read(p, &m);
    assert_int_equal(m, n);
    free(after);
    free(p);
    um_file_result_free(&res);
}

static void verify_refuses_a_result_that_still_carries_the_tag(void **state)
{
    struct fx *f = *state;
    uint8_t buf[256];
    size_t n = make_file(buf, "AC9A58CDZ364C", 0);
    struct um_file_result before;
    um_file_result_init(&before);
    um_scan_buffer(f->sc, buf, n, "x.jpg", &before);
    struct um_policy pol;
    um_policy_default(&pol);
    struct um_verify_options vo = { 0 };
    enum um_verify_level level;
    char *why = NULL;
    /* "Result" identical to the original: the watermark is still there. */
    struct um_plan none = { .old_size = n, .new_size = n, .truncate_at = n, .in_place_ok = true };
    assert_int_equal(um_verify(f->sc, &pol, &vo, &before, buf, n, buf, n, &none, "x.jpg", &level, &why),
                     UM_E_VERIFY);
    assert_non_null(why);
    assert_non_null(strstr(why, "redstar_watermark"));
    free(why);
    /* The real result passes. */
    struct um_plan cut = { .old_size = n, .new_size = 12, .truncate_at = 12, .truncate = true, .in_place_ok = true };
    assert_int_equal(um_verify(f->sc, &pol, &vo, &before, buf, n, buf, 12, &cut, "x.jpg", &level, &why), 0);
    free(why);
    um_file_result_free(&before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(in_place_removes_trailer_and_appended, setup, teardown),
        cmocka_unit_test_setup_teardown(copy_path_gives_the_same_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(out_dir_leaves_original, setup, teardown),
        cmocka_unit_test_setup_teardown(changed_since_scan_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(dry_run_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(verify_refuses_a_result_that_still_carries_the_tag, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
