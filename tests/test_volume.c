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
#include <time.h>
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
    /* Formatted a moment ago. */
    assert_true(v.ntfs_created > time(NULL) - 3600 && v.ntfs_created <= time(NULL) + 60);
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

static uint32_t subs[8];
static size_t nsubs;
static void on_sub(void *opaque, uint32_t cluster, uint64_t length, bool contiguous)
{
    (void)opaque, (void)length, (void)contiguous;
    if (nsubs < 8) subs[nsubs++] = cluster;
}

static void fat_entry(uint8_t *e, const char *name11, uint8_t attr, uint16_t cluster)
{
    memset(e, 0, 32);
    memcpy(e, name11, 11);
    e[11] = attr;
    e[26] = (uint8_t)cluster, e[27] = (uint8_t)(cluster >> 8);
    e[24] = 0x55, e[25] = 0x5A;   /* some date */
}

/* One FAT directory's bytes: what is counted, what a fix changes. */
static void test_fat_dir_bytes(void **state)
{
    (void)state;
    struct um_volume v;
    memset(&v, 0, sizeof v);
    v.type = UM_VOL_FAT16;
    uint8_t d[32 * 8];
    fat_entry(d, ".          ", 0x10, 5);
    fat_entry(d + 32, "FILM    MKV", 0x20, 9);
    fat_entry(d + 64, "\xE5" "ECRET  AVI", 0x20, 12);
    fat_entry(d + 96, "SUB        ", 0x10, 7);
    fat_entry(d + 128, "\x41x\0y\0z\0\0\0\0\0", 0x0F, 0);   /* long name part */
    fat_entry(d + 160, "LABEL      ", 0x08, 0);
    memset(d + 192, 0, 64);                                    /* end */
    fat_entry(d + 224, "AFTER   END", 0x20, 3);                /* never looked at */
    struct um_volume_dirstats st;
    memset(&st, 0, sizeof st);
    nsubs = 0;
    assert_false(um_volume_dir_bytes(&v, d, sizeof d, true, NULL, &st, on_sub, NULL));
    assert_int_equal(st.deleted, 1);
    assert_string_equal(st.examples[0], "?ECRET.AVI");
    assert_int_equal(nsubs, 1);   /* SUB; not "." */
    assert_int_equal(subs[0], 7);
    struct um_volume_dirfix fix = { .wipe_deleted = true, .set_times = true };
    um_volume_fat_datetime(946684800, &fix.date, &fix.time);
    assert_int_equal(fix.date, (20 << 9) | (1 << 5) | 1);
    assert_int_equal(fix.time, 0);
    memset(&st, 0, sizeof st);
    assert_true(um_volume_dir_bytes(&v, d, sizeof d, true, &fix, &st, on_sub, NULL));
    assert_int_equal(d[64], 0xE5);                             /* still free */
    for (int i = 65; i < 96; i++) assert_int_equal(d[i], 0);   /* name gone */
    assert_int_equal(ld_u16le(d + 32 + 24), fix.date);         /* written */
    assert_int_equal(ld_u16le(d + 32 + 16), fix.date);         /* created */
    assert_int_equal(ld_u16le(d + 32 + 18), fix.date);         /* accessed */
    assert_int_equal(ld_u16le(d + 160 + 24), 0x5A55);          /* the label entry: rewrite's business */
    assert_int_equal(ld_u16le(d + 224 + 24), 0x5A55);          /* after the end: untouched */
    /* Again: nothing left to wipe (but times are rewritten, idempotently). */
    memset(&st, 0, sizeof st);
    um_volume_dir_bytes(&v, d, sizeof d, true, &fix, &st, on_sub, NULL);
    assert_int_equal(st.deleted, 0);
    um_volume_fat_datetime(0, &fix.date, &fix.time);
    assert_int_equal(fix.date, (0 << 9) | (1 << 5) | 1);       /* clamped to 1980-01-01 */
}

static uint16_t exfat_set_sum(const uint8_t *p, size_t n)
{
    uint16_t sum = 0;
    for (size_t i = 0; i < n; i++)
        if (i != 2 && i != 3) sum = (uint16_t)(((sum & 1) ? 0x8000 : 0) + (sum >> 1) + p[i]);
    return sum;
}

/* One exFAT directory's bytes: subfolders, deleted names, the set checksum after a fix. */
static void test_exfat_dir_bytes(void **state)
{
    (void)state;
    struct um_volume v;
    memset(&v, 0, sizeof v);
    v.type = UM_VOL_EXFAT;
    uint8_t d[32 * 8] = { 0 };
    d[0] = 0x85, d[1] = 2, d[4] = 0x10;                 /* a folder */
    d[22] = d[23] = d[24] = 0x80 | 36;
    d[32] = 0xC0, d[33] = 0x03;                         /* contiguous */
    d[32 + 20] = 42;                                    /* first cluster */
    d[32 + 24] = 0x00, d[32 + 25] = 0x10;               /* 4096 bytes */
    d[64] = 0xC1, d[66] = 'D';
    uint16_t sum = exfat_set_sum(d, 96);
    d[2] = (uint8_t)sum, d[3] = (uint8_t)(sum >> 8);
    d[96] = 0x05, d[97] = 2;                            /* a deleted file */
    d[128] = 0x40;
    d[160] = 0x41, d[162] = 'G', d[164] = 'O', d[166] = 'N', d[168] = 'E';
    struct um_volume_dirstats st;
    memset(&st, 0, sizeof st);
    nsubs = 0;
    assert_false(um_volume_dir_bytes(&v, d, sizeof d, false, NULL, &st, on_sub, NULL));
    assert_int_equal(nsubs, 1);
    assert_int_equal(subs[0], 42);
    assert_int_equal(st.deleted, 1);
    assert_string_equal(st.examples[0], "GONE");
    assert_int_equal(v.ntz, 1);                          /* not the root: counted here */
    assert_int_equal(v.tz_count[0], 3);
    struct um_volume_dirfix fix = { .wipe_deleted = true, .set_times = true };
    um_volume_fat_datetime(946684800, &fix.date, &fix.time);
    memset(&st, 0, sizeof st);
    assert_true(um_volume_dir_bytes(&v, d, sizeof d, false, &fix, &st, on_sub, NULL));
    assert_int_equal(ld_u32le(d + 12), (uint32_t)fix.date << 16);
    assert_int_equal(d[22] | d[23] | d[24], 0);
    assert_int_equal(ld_u16le(d + 2), exfat_set_sum(d, 96));
    assert_int_equal(d[160], 0x41);
    for (int i = 161; i < 192; i++) assert_int_equal(d[i], 0);
    /* A set claiming more entries than there are is left alone. */
    uint8_t t[64] = { 0x85, 17 };
    memset(&st, 0, sizeof st);
    assert_false(um_volume_dir_bytes(&v, t, sizeof t, false, &fix, &st, on_sub, NULL));
}

/* Hostile directories and FAT chains (loops, wild clusters): the walk ends, bounded. */
static void test_walk_hostile(void **state)
{
    (void)state;
    if (!have_fat) skip();
    static const char *const imgs[] = { "f12.img", "f16.img", "f32.img" };
    srandom(3);
    for (int round = 0; round < 12; round++) {
        const char *img = imgs[round % 3];
        assert_int_equal(sh("cp %s h.img", img), 0);
        char *p;
        assert_true(asprintf(&p, "%s/h.img", dir) >= 0);
        int fd = open(p, O_RDWR);
        free(p);
        struct um_volume v;
        assert_int_equal(um_volume_read(fd, &v), 0);
        /* Scribble over the FAT and the start of the root directory. */
        uint8_t junk[8192];
        for (size_t i = 0; i < sizeof junk; i++) junk[i] = (uint8_t)random();
        if (round & 1)   /* mostly "directory" entries pointing at cluster 2 (a loop) */
            for (size_t i = 0; i < sizeof junk; i += 32) junk[i + 11] = 0x10, junk[i + 26] = 2, junk[i + 27] = 0, junk[i] = 'D';
        assert_int_equal(pwrite(fd, junk, sizeof junk, (off_t)v.fat_off), (ssize_t)sizeof junk);
        assert_int_equal(pwrite(fd, junk, sizeof junk, (off_t)v.root_off), (ssize_t)sizeof junk);
        struct um_volume_dirstats st;
        int r = um_volume_read(fd, &v);
        assert_true(r == 0 || r == UM_E_FORMAT);
        if (r == 0) {
            assert_true(um_volume_walk_dirs(fd, &v, NULL, NULL, NULL, &st) >= UM_E_BASE);
            assert_true(st.dirs <= 100000);
        }
        close(fd);
    }
}

/* A whole disk with a partition table is named as such, with its first partition. */
static void test_mbr(void **state)
{
    (void)state;
    uint8_t s0[512] = { 0 };
    unsigned num;
    uint8_t type;
    uint32_t start;
    assert_false(um_volume_mbr_first(s0, &num, &type, &start));
    s0[510] = 0x55, s0[511] = 0xAA;
    assert_false(um_volume_mbr_first(s0, &num, &type, &start));   /* no partition */
    uint8_t *e = s0 + 446 + 16;                                   /* the second slot */
    e[4] = 0x0C, e[8] = 0x00, e[9] = 0x08, e[12] = 0x40;
    assert_true(um_volume_mbr_first(s0, &num, &type, &start));
    assert_int_equal(num, 2);
    assert_int_equal(type, 0x0C);
    assert_int_equal(start, 2048);
    struct um_volume v;
    assert_int_equal(um_volume_parse_boot(s0, 512, &v), UM_E_FORMAT);
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
        cmocka_unit_test(test_fat_dir_bytes), cmocka_unit_test(test_exfat_dir_bytes),
        cmocka_unit_test(test_walk_hostile),  cmocka_unit_test(test_mbr),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
