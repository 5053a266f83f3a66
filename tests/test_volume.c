/* Volume identity: parsing real FAT12/16/32, exFAT and NTFS images made by the mkfs
 * tools with known serials and labels, rewriting them, and checking the result with
 * each file system's own checker. Images are built in a temp dir by the group setup;
 * tests that need a missing tool are skipped, saying so. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/bytes.h"
#include "../common/error.h"
#include "../scanner/volume.h"
#include "../scrubber/volume_write.h"
#include "support.h"

static char *dir;
static bool have_fat, have_exfat, have_ntfs;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char *cmd, *full;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&cmd, fmt, ap) < 0) cmd = NULL;
    va_end(ap);
    if (!cmd || asprintf(&full, "cd '%s' && (%s) >/dev/null 2>&1", dir, cmd) < 0) return -1;
    int r = system(full);
    free(cmd);
    free(full);
    return r;
}

static bool tool(const char *name)
{
    char *cmd;
    if (asprintf(&cmd, "command -v %s >/dev/null 2>&1 || test -x /usr/sbin/%s || test -x /sbin/%s", name, name, name) < 0)
        return false;
    bool ok = system(cmd) == 0;
    free(cmd);
    return ok;
}

static int setup(void **state)
{
    (void)state;
    dir = ts_mkdtemp();
    if (!dir) return -1;
    setenv("PATH", "/usr/sbin:/sbin:/usr/bin:/bin", 0);
    char *path = getenv("PATH");
    if (path && !strstr(path, "/usr/sbin")) {
        char *np;
        if (asprintf(&np, "%s:/usr/sbin:/sbin", path) >= 0) setenv("PATH", np, 1), free(np);
    }
    have_fat = tool("mkfs.vfat") &&
               sh("mkfs.vfat -C -F 12 -i 1234ABCD -n FAT12LBL f12.img 1440") == 0 &&
               sh("mkfs.vfat -C -F 16 -s 1 -i 2345BCDE -n FAT16LBL f16.img 8192") == 0 &&
               sh("mkfs.vfat -C -F 32 -s 1 -i 3456CDEF -n FAT32LBL f32.img 34000") == 0;
    have_exfat = tool("mkfs.exfat") && tool("tune.exfat") &&
                 sh("truncate -s 8M ex.img && mkfs.exfat -L EXLBL ex.img && tune.exfat -I 0x4567DEF0 ex.img") == 0;
    have_ntfs = tool("mkfs.ntfs") && tool("ntfslabel") &&
                sh("truncate -s 8M nt.img && mkfs.ntfs -F -f -L NTLBL nt.img && "
                   "ntfslabel --new-serial=0123456789ABCDEF nt.img") == 0;
    if (!have_fat) fprintf(stderr, "test_volume: mkfs.vfat missing or failed: FAT tests skipped\n");
    if (!have_exfat) fprintf(stderr, "test_volume: mkfs.exfat/tune.exfat missing or failed: exFAT tests skipped\n");
    if (!have_ntfs) fprintf(stderr, "test_volume: mkfs.ntfs/ntfslabel missing or failed: NTFS tests skipped\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ts_rmdir(dir);
    free(dir);
    return 0;
}

static int read_image(const char *name, struct um_volume *v)
{
    char *p;
    if (asprintf(&p, "%s/%s", dir, name) < 0) return -ENOMEM;
    int fd = open(p, O_RDONLY);
    free(p);
    if (fd < 0) return -errno;
    int r = um_volume_read(fd, v);
    close(fd);
    return r;
}

static void test_fat12(void **state)
{
    (void)state;
    if (!have_fat) skip();
    struct um_volume v;
    assert_int_equal(read_image("f12.img", &v), 0);
    assert_int_equal(v.type, UM_VOL_FAT12);
    assert_int_equal(v.serial_len, 4);
    assert_int_equal(v.serial, 0x1234ABCD);
    assert_int_equal(v.serial_off, 0x27);
    assert_true(v.has_bpb_label);
    assert_string_equal(v.bpb_label, "FAT12LBL");
    assert_int_equal(v.bpb_label_off, 0x2B);
    assert_true(v.has_root_label);
    assert_string_equal(v.root_label, "FAT12LBL");
    assert_string_equal(v.oem, "mkfs.fat");
    assert_int_equal(v.backup_off, 0);
    assert_true(v.label_date != 0);
    char s[32];
    um_volume_serial_text(&v, v.serial, s, sizeof s);
    assert_string_equal(s, "1234-ABCD");
}

static void test_fat16(void **state)
{
    (void)state;
    if (!have_fat) skip();
    struct um_volume v;
    assert_int_equal(read_image("f16.img", &v), 0);
    assert_int_equal(v.type, UM_VOL_FAT16);
    assert_int_equal(v.serial, 0x2345BCDE);
    assert_string_equal(v.bpb_label, "FAT16LBL");
    assert_string_equal(v.root_label, "FAT16LBL");
}

static void test_fat32(void **state)
{
    (void)state;
    if (!have_fat) skip();
    struct um_volume v;
    assert_int_equal(read_image("f32.img", &v), 0);
    assert_int_equal(v.type, UM_VOL_FAT32);
    assert_int_equal(v.serial, 0x3456CDEF);
    assert_int_equal(v.serial_off, 0x43);
    assert_int_equal(v.bpb_label_off, 0x47);
    assert_string_equal(v.bpb_label, "FAT32LBL");
    assert_string_equal(v.root_label, "FAT32LBL");
    assert_int_equal(v.backup_off, 6 * 512);
    assert_false(v.backup_differs);
}

static void test_exfat(void **state)
{
    (void)state;
    if (!have_exfat) skip();
    struct um_volume v;
    assert_int_equal(read_image("ex.img", &v), 0);
    assert_int_equal(v.type, UM_VOL_EXFAT);
    assert_int_equal(v.serial, 0x4567DEF0);
    assert_int_equal(v.serial_off, 100);
    assert_string_equal(v.oem, "EXFAT   ");
    assert_true(v.has_root_label);
    assert_string_equal(v.root_label, "EXLBL");
    assert_int_equal(v.backup_off, 12 * v.sector_size);
    /* The checksum we compute equals the one mkfs wrote in sector 11. */
    char *p;
    assert_true(asprintf(&p, "%s/ex.img", dir) >= 0);
    size_t n;
    uint8_t *img = ts_read(p, &n);
    free(p);
    assert_non_null(img);
    assert_int_equal(um_exfat_boot_checksum(img, v.sector_size), ld_u32le(img + 11 * v.sector_size));
    free(img);
}

static void test_ntfs(void **state)
{
    (void)state;
    if (!have_ntfs) skip();
    struct um_volume v;
    assert_int_equal(read_image("nt.img", &v), 0);
    assert_int_equal(v.type, UM_VOL_NTFS);
    assert_int_equal(v.serial_len, 8);
    assert_int_equal(v.serial, 0x0123456789ABCDEFull);
    assert_true(v.has_root_label);
    assert_string_equal(v.root_label, "NTLBL");
    assert_int_equal(v.backup_off, (8u << 20) - 512);
    assert_false(v.backup_differs);
}

static void test_findings(void **state)
{
    (void)state;
    if (!have_fat) skip();
    struct um_volume v;
    struct um_file_result res;
    assert_int_equal(read_image("f32.img", &v), 0);
    um_file_result_init(&res);
    assert_int_equal(um_volume_findings(&v, "/dev/test", &res), 0);
    assert_string_equal(res.path, "/dev/test");
    const struct um_finding *f = ts_find(&res, UM_K_VOLUME_ID);
    assert_non_null(f);
    assert_string_equal(f->value, "3456-CDEF");
    assert_int_equal(f->severity, UM_SEV_HIGH);
    assert_int_equal(ts_count(&res, UM_K_VOLUME_ID), 3);   /* serial, BPB label, root label */
    assert_int_equal(ts_count(&res, UM_K_TIMESTAMP), 1);   /* the label entry's date */
    assert_int_equal(ts_count(&res, UM_K_SOFTWARE), 1);    /* mkfs.fat */
    um_file_result_free(&res);
}

/* Copies an image, rewrites it, re-reads it, and runs the checker. */
static void rewrite_and_check(const char *img, const char *serial, const char *label, const char *fsck,
                              struct um_volume *after)
{
    assert_int_equal(sh("cp %s w-%s", img, img), 0);
    char *p, why[200];
    assert_true(asprintf(&p, "%s/w-%s", dir, img) >= 0);
    int fd = open(p, O_RDWR);
    free(p);
    assert_true(fd >= 0);
    struct um_volume v;
    assert_int_equal(um_volume_read(fd, &v), 0);
    struct um_volume_change c = { 0 };
    if (serial) assert_int_equal(um_volume_parse_serial(serial, &c), 0);
    if (label) c.set_label = true, c.label = label;
    int r = um_volume_rewrite(fd, &v, &c, why, sizeof why);
    if (r) fprintf(stderr, "rewrite: %s: %s\n", um_strerror(r), why);
    assert_int_equal(r, 0);
    assert_int_equal(um_volume_read(fd, after), 0);
    close(fd);
    char *full;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    assert_true(asprintf(&full, fsck, img, img) >= 0);
#pragma GCC diagnostic pop
    r = sh("%s", full);
    if (r) fprintf(stderr, "checker failed: %s\n", full);
    assert_int_equal(r, 0);
    free(full);
}

static void test_rewrite_fat(void **state)
{
    (void)state;
    if (!have_fat) skip();
    struct um_volume v;
    rewrite_and_check("f12.img", "DEADBEEF", "CLEAN", "out=$(fsck.vfat -n w-%s) && ! echo \"$out\" | grep -qi differ", &v);
    assert_int_equal(v.serial, 0xDEADBEEF);
    assert_string_equal(v.bpb_label, "CLEAN");
    assert_string_equal(v.root_label, "CLEAN");
    assert_int_equal(v.label_date, (20 << 9) | (1 << 5) | 1);
    rewrite_and_check("f32.img", "zero", "new lbl", "out=$(fsck.vfat -n w-%s) && ! echo \"$out\" | grep -qi differ", &v);
    assert_int_equal(v.serial, 0);
    assert_string_equal(v.bpb_label, "NEW LBL");
    assert_string_equal(v.root_label, "NEW LBL");
    assert_false(v.backup_differs);   /* the backup boot sector moved with it */
    assert_int_equal(v.backup_serial, 0);
    rewrite_and_check("f16.img", "1111-2222", "", "out=$(fsck.vfat -n w-%s) && ! echo \"$out\" | grep -qi differ", &v);
    assert_int_equal(v.serial, 0x11112222);
    assert_string_equal(v.bpb_label, "NO NAME");
    assert_false(v.has_root_label);
    /* mtools agrees about the new identity. */
    assert_int_equal(sh("mlabel -i w-f12.img -s | grep -q CLEAN"), 0);
}

static void test_rewrite_exfat(void **state)
{
    (void)state;
    if (!have_exfat) skip();
    struct um_volume v;
    rewrite_and_check("ex.img", "CAFEF00D", "Neu", "fsck.exfat -n w-%s", &v);
    assert_int_equal(v.serial, 0xCAFEF00D);
    assert_string_equal(v.root_label, "Neu");
    assert_false(v.backup_differs);
    assert_int_equal(sh("tune.exfat -i w-ex.img | grep -qi 0xcafef00d"), 0);
    assert_int_equal(sh("tune.exfat -l w-ex.img | grep -q 'label: Neu'"), 0);
    rewrite_and_check("ex.img", "random", "", "fsck.exfat -n w-%s", &v);
    assert_true(v.serial != 0x4567DEF0);
    assert_false(v.has_root_label);
}

static void test_rewrite_ntfs(void **state)
{
    (void)state;
    if (!have_ntfs) skip();
    struct um_volume v;
    rewrite_and_check("nt.img", "FEDCBA9876543210", NULL, "ntfsfix -n w-%s", &v);
    assert_int_equal(v.serial, 0xFEDCBA9876543210ull);
    assert_false(v.backup_differs);
    assert_string_equal(v.root_label, "NTLBL");
    /* The label lives in $Volume, mirrored in $MFTMirr (ntfsfix compares the two). */
    rewrite_and_check("nt.img", NULL, "Sauber \xC3\x9C", "ntfsfix -n w-%s && ntfslabel w-%s | grep -q Sauber", &v);
    assert_string_equal(v.root_label, "Sauber \xC3\x9C");
    rewrite_and_check("nt.img", NULL, "a label much longer than the one mkntfs wrote", "ntfsfix -n w-%s", &v);
    assert_string_equal(v.root_label, "a label much longer than the one mkntfs wrote");
    rewrite_and_check("nt.img", "zero", "", "ntfsfix -n w-%s", &v);
    assert_string_equal(v.root_label, "");
    assert_int_equal(v.serial, 0);
}

static void test_parse_serial(void **state)
{
    (void)state;
    struct um_volume_change c;
    assert_int_equal(um_volume_parse_serial("random", &c), 0);
    assert_true(c.random_serial);
    assert_int_equal(um_volume_parse_serial("ZERO", &c), 0);
    assert_false(c.random_serial);
    assert_int_equal(c.serial, 0);
    assert_int_equal(um_volume_parse_serial("1234-abcd", &c), 0);
    assert_int_equal(c.serial, 0x1234ABCD);
    assert_int_equal(um_volume_parse_serial("xyz", &c), UM_E_FORMAT);
    assert_int_equal(um_volume_parse_serial("", &c), UM_E_FORMAT);
    assert_int_equal(um_volume_parse_serial("-12", &c), UM_E_FORMAT);
    assert_int_equal(um_volume_parse_serial("12345678901234567", &c), UM_E_FORMAT);
}

/* Hostile boot sectors: never a crash, never a bogus result. */
static void test_malformed(void **state)
{
    (void)state;
    uint8_t s[512] = { 0 };
    struct um_volume v;
    assert_int_equal(um_volume_parse_boot(s, 100, &v), UM_E_TRUNC);
    assert_int_equal(um_volume_parse_boot(s, 512, &v), UM_E_FORMAT);
    s[510] = 0x55, s[511] = 0xAA;
    assert_int_equal(um_volume_parse_boot(s, 512, &v), UM_E_FORMAT);
    /* FAT-looking sector with a zero sector size. */
    s[0] = 0xEB;
    assert_int_equal(um_volume_parse_boot(s, 512, &v), UM_E_FORMAT);
    /* exFAT with absurd shifts. */
    memcpy(s + 3, "EXFAT   ", 8);
    s[108] = 40;
    assert_int_equal(um_volume_parse_boot(s, 512, &v), UM_E_FORMAT);
    /* NTFS with a record size of zero. */
    memset(s + 3, 0, 100);
    memcpy(s + 3, "NTFS    ", 8);
    s[11] = 0, s[12] = 2, s[13] = 8;
    assert_int_equal(um_volume_parse_boot(s, 512, &v), UM_E_FORMAT);
    /* Random bytes, many times. */
    srandom(1);
    for (int i = 0; i < 20000; i++) {
        for (size_t k = 0; k < 512; k++) s[k] = (uint8_t)random();
        s[510] = 0x55, s[511] = 0xAA;
        if (i % 3 == 0) s[0] = 0xEB;
        if (i % 3 == 1) memcpy(s + 3, "EXFAT   ", 8);
        (void)um_volume_parse_boot(s, 512, &v);
        uint8_t root[4096];
        for (size_t k = 0; k < sizeof root; k++) root[k] = (uint8_t)random();
        v.type = i % 2 ? UM_VOL_EXFAT : UM_VOL_FAT16;
        (void)um_volume_parse_root(&v, root, sizeof root, 0);
        v.type = UM_VOL_NTFS;
        memcpy(root, "FILE", 4);
        (void)um_volume_parse_ntfs_volume_record(&v, root, 1024, 0);
    }
}

/* exFAT keeps a UTC offset beside every timestamp: +09:00 narrows down a lot. */
static void test_exfat_tz(void **state)
{
    (void)state;
    struct um_volume v;
    memset(&v, 0, sizeof v);
    v.type = UM_VOL_EXFAT;
    uint8_t root[32 * 4] = { 0 };
    root[0] = 0x85;
    root[22] = root[23] = 0x80 | 36;   /* valid, 36 quarter hours */
    root[24] = 0x80 | (0x80 - 20);     /* valid, -5:00 */
    root[32] = 0xC0;                   /* stream extension: ignored */
    assert_int_equal(um_volume_parse_root(&v, root, sizeof root, 4096), 1);
    assert_int_equal(v.ntz, 2);
    assert_int_equal(v.tz[0], 36);
    assert_int_equal(v.tz_count[0], 2);
    assert_int_equal(v.tz[1], -20);
    assert_int_equal(v.free_entry_off, 4096 + 64);
    struct um_file_result res;
    um_file_result_init(&res);
    assert_int_equal(um_volume_findings(&v, "img", &res), 0);
    assert_int_equal(ts_count(&res, UM_K_TIMESTAMP), 2);
    const struct um_finding *f = ts_find(&res, UM_K_TIMESTAMP);
    assert_non_null(strstr(f->value, "UTC+09:00"));
    assert_int_equal(f->severity, UM_SEV_HIGH);
    um_file_result_free(&res);
}

/* A truncated image: the reader reports it, not a crash. */
static void test_truncated_image(void **state)
{
    (void)state;
    if (!have_fat) skip();
    assert_int_equal(sh("head -c 600 f32.img > t.img"), 0);
    struct um_volume v;
    int r = read_image("t.img", &v);
    assert_true(r == 0 || r == UM_E_TRUNC);
    assert_int_equal(v.serial, 0x3456CDEF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fat12),        cmocka_unit_test(test_fat16),
        cmocka_unit_test(test_fat32),        cmocka_unit_test(test_exfat),
        cmocka_unit_test(test_ntfs),         cmocka_unit_test(test_findings),
        cmocka_unit_test(test_rewrite_fat),  cmocka_unit_test(test_rewrite_exfat),
        cmocka_unit_test(test_rewrite_ntfs), cmocka_unit_test(test_parse_serial),
        cmocka_unit_test(test_malformed),    cmocka_unit_test(test_truncated_image),
        cmocka_unit_test(test_exfat_tz),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
