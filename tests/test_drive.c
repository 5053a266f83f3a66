/* Drive-level traces: OS artifact names, what their contents reveal (trashinfo,
 * $RECYCLE.BIN $I files, .DS_Store names), deleting them safely, the walker's tagging,
 * extended attributes (skipped with a message where the temp file system has no user
 * attributes), timestamp patterns, and setting times. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "../common/error.h"
#include "../scanner/drive.h"
#include "../scanner/walk.h"
#include "../scrubber/drive_clean.h"
#include "support.h"

static char *path_in(const char *dir, const char *rel)
{
    char *p;
    if (asprintf(&p, "%s/%s", dir, rel) < 0) return NULL;
    return p;
}

static void mkdir_in(const char *dir, const char *rel)
{
    char *p = path_in(dir, rel);
    assert_int_equal(mkdir(p, 0700), 0);
    free(p);
}

static void write_in(const char *dir, const char *rel, const char *text)
{
    char *p = ts_write(dir, rel, text, strlen(text));
    assert_non_null(p);
    free(p);
}

static bool exists_in(const char *dir, const char *rel)
{
    struct stat st;
    char *p = path_in(dir, rel);
    bool e = lstat(p, &st) == 0;
    free(p);
    return e;
}

static void test_classify(void **state)
{
    (void)state;
    static const struct { const char *name; bool dir; enum um_artifact want; } t[] = {
        { "Thumbs.db", false, UM_ART_THUMBS_DB },     { "THUMBS.DB", false, UM_ART_THUMBS_DB },
        { "ehthumbs.db", false, UM_ART_THUMBS_DB },   { "desktop.ini", false, UM_ART_DESKTOP_INI },
        { "Desktop.ini", false, UM_ART_DESKTOP_INI }, { ".DS_Store", false, UM_ART_DS_STORE },
        { "._film.mp4", false, UM_ART_APPLEDOUBLE },  { "._", false, UM_ART_NONE },
        { "autorun.inf", false, UM_ART_AUTORUN_INF }, { ".Spotlight-V100", true, UM_ART_MAC_META },
        { ".fseventsd", true, UM_ART_MAC_META },      { ".Trashes", true, UM_ART_MAC_TRASH },
        { ".Trash-1000", true, UM_ART_XDG_TRASH },    { ".Trash-", true, UM_ART_NONE },
        { "$RECYCLE.BIN", true, UM_ART_RECYCLE_BIN }, { "$Recycle.Bin", true, UM_ART_RECYCLE_BIN },
        { "System Volume Information", true, UM_ART_SYSVOLINFO },
        { ".thumbnails", true, UM_ART_THUMBNAILS },   { "LOST.DIR", true, UM_ART_RECOVERED },
        { "FOUND.000", true, UM_ART_RECOVERED },      { "FOUND.12", true, UM_ART_NONE },
        /* The kind of entry matters: a folder called Thumbs.db is not the cache. */
        { "Thumbs.db", true, UM_ART_NONE },           { ".Trash-1000", false, UM_ART_NONE },
        { "film.mp4", false, UM_ART_NONE },           { "Thumbs.db.bak", false, UM_ART_NONE },
        { "", false, UM_ART_NONE },
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        if (um_drive_classify_name(t[i].name, t[i].dir) != t[i].want)
            fail_msg("%s (%s): got %d, want %d", t[i].name, t[i].dir ? "dir" : "file",
                     um_drive_classify_name(t[i].name, t[i].dir), t[i].want);
    }
    assert_string_equal(um_drive_artifact_name(UM_ART_XDG_TRASH), "trash");
}

static void test_trashinfo(void **state)
{
    (void)state;
    char *path, *date;
    const char *ok = "[Trash Info]\r\nPath=/home/kim/%ED%95%9C%20file.txt\r\nDeletionDate=2024-05-01T10:20:30\r\n";
    assert_int_equal(um_drive_parse_trashinfo((const uint8_t *)ok, strlen(ok), &path, &date), 0);
    assert_string_equal(path, "/home/kim/\xED\x95\x9C file.txt");
    assert_string_equal(date, "2024-05-01T10:20:30");
    free(path);
    free(date);
    /* Keys outside the [Trash Info] group do not count. */
    const char *other = "[Other]\nPath=/x\n";
    assert_int_equal(um_drive_parse_trashinfo((const uint8_t *)other, strlen(other), &path, &date), UM_E_FORMAT);
    assert_null(path);
    /* A bad escape is kept literally; a missing date is fine. */
    const char *odd = "[Trash Info]\nPath=a%zz%4";
    assert_int_equal(um_drive_parse_trashinfo((const uint8_t *)odd, strlen(odd), &path, &date), 0);
    assert_string_equal(path, "a%zz%4");
    assert_null(date);
    free(path);
    assert_int_equal(um_drive_parse_trashinfo((const uint8_t *)"", 0, &path, &date), UM_E_FORMAT);
}

static size_t make_i_file(uint8_t *b, int version, const char *ascii_path)
{
    size_t n = strlen(ascii_path), o = 0;
    memset(b, 0, 600);
    b[0] = (uint8_t)version;
    b[8] = 0x10;                                 /* size 16 */
    uint64_t ft = (1700000000ull + 11644473600ull) * 10000000ull;
    memcpy(b + 16, &ft, 8);
    o = 24;
    if (version == 2) {
        uint32_t units = (uint32_t)n + 1;
        memcpy(b + 24, &units, 4);
        o = 28;
    }
    for (size_t i = 0; i < n; i++) b[o + 2 * i] = (uint8_t)ascii_path[i];
    return version == 2 ? o + 2 * (n + 1) : 24 + 520;
}

static void test_recycle_i(void **state)
{
    (void)state;
    uint8_t b[600];
    char *path;
    uint64_t size;
    int64_t when;
    for (int v = 1; v <= 2; v++) {
        size_t n = make_i_file(b, v, "C:\\Users\\kim\\film.mp4");
        assert_int_equal(um_drive_parse_recycle_i(b, n, &path, &size, &when), 0);
        assert_string_equal(path, "C:\\Users\\kim\\film.mp4");
        assert_int_equal(size, 16);
        assert_int_equal(when, 1700000000);
        free(path);
        /* Truncated names are cut, never read past the end. */
        assert_int_equal(um_drive_parse_recycle_i(b, v == 2 ? 34 : 30, &path, &size, &when), 0);
        assert_string_equal(path, "C:\\");
        free(path);
    }
    assert_int_equal(um_drive_parse_recycle_i(b, 10, &path, &size, &when), UM_E_TRUNC);
    b[0] = 9;
    assert_int_equal(um_drive_parse_recycle_i(b, 100, &path, &size, &when), UM_E_FORMAT);
}

/* A .DS_Store record: u32 length, UTF-16BE name, code, type, value. */
static size_t ds_record(uint8_t *p, const char *name, const char *code, const char *type)
{
    size_t n = strlen(name), o = 0;
    p[o++] = 0, p[o++] = 0, p[o++] = 0, p[o++] = (uint8_t)n;
    for (size_t i = 0; i < n; i++) p[o++] = 0, p[o++] = (uint8_t)name[i];
    memcpy(p + o, code, 4), o += 4;
    memcpy(p + o, type, 4), o += 4;
    memset(p + o, 0, 8), o += 8;
    return o;
}

static void test_ds_store(void **state)
{
    (void)state;
    uint8_t buf[512] = { 0, 0, 0, 1, 'B', 'u', 'd', '1' };
    size_t o = 32;
    o += ds_record(buf + o, "holiday.jpg", "Iloc", "blob");
    o += ds_record(buf + o, "holiday.jpg", "lg1S", "comp");   /* same name again */
    o += ds_record(buf + o, "secret.mkv", "ptbL", "ustr");
    o += ds_record(buf + o, ".", "vSrn", "long");             /* the folder itself */
    char *names[8];
    size_t k = um_drive_ds_store_names(buf, o, names, 8);
    assert_int_equal(k, 2);
    assert_string_equal(names[0], "holiday.jpg");
    assert_string_equal(names[1], "secret.mkv");
    for (size_t i = 0; i < k; i++) free(names[i]);
    /* Garbage and truncation: no crash, bounded output. */
    srandom(7);
    for (int r = 0; r < 2000; r++) {
        uint8_t g[300];
        for (size_t i = 0; i < sizeof g; i++) g[i] = (uint8_t)(random() % 4 ? random() : "blobIloc"[random() % 8]);
        k = um_drive_ds_store_names(g, (size_t)(random() % 300), names, 8);
        assert_true(k <= 8);
        for (size_t i = 0; i < k; i++) free(names[i]);
    }
}

static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24); }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }

static void dir_entry(uint8_t *d, const char *name, uint8_t type, uint32_t start, uint32_t size)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < n; i++) d[2 * i] = (uint8_t)name[i];
    put16(d + 0x40, (uint16_t)(2 * (n + 1)));
    d[0x42] = type;
    put32(d + 0x44, 0xFFFFFFFF), put32(d + 0x48, 0xFFFFFFFF), put32(d + 0x4C, 0xFFFFFFFF);
    put32(d + 0x74, start);
    put32(d + 0x78, size);
}

/* A minimal Thumbs.db: a compound file whose Catalog lives in the mini stream. */
static size_t make_thumbs(uint8_t *f)
{
    memset(f, 0, 3072);
    memcpy(f, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
    put16(f + 0x18, 0x3E), put16(f + 0x1A, 3), put16(f + 0x1C, 0xFFFE), put16(f + 0x1E, 9), put16(f + 0x20, 6);
    put32(f + 0x2C, 1), put32(f + 0x30, 1), put32(f + 0x38, 4096), put32(f + 0x3C, 2), put32(f + 0x40, 1);
    put32(f + 0x44, 0xFFFFFFFE);
    put32(f + 0x4C, 0);
    for (int i = 1; i < 109; i++) put32(f + 0x4C + 4 * i, 0xFFFFFFFF);
    uint8_t *fat = f + 512;
    for (int i = 0; i < 128; i++) put32(fat + 4 * i, 0xFFFFFFFF);
    put32(fat, 0xFFFFFFFD), put32(fat + 4, 0xFFFFFFFE), put32(fat + 8, 0xFFFFFFFE);
    put32(fat + 12, 4), put32(fat + 16, 0xFFFFFFFE);
    uint8_t *cat = f + 2048;   /* the mini stream: sectors 3 and 4 */
    put16(cat, 16), put16(cat + 2, 7), put32(cat + 4, 2);
    size_t o = 16;
    const char *names[] = { "holiday.jpg", "gone.png" };
    for (int k = 0; k < 2; k++) {
        size_t n = strlen(names[k]), len = (16 + 2 * (n + 1) + 3) & ~(size_t)3;
        put32(cat + o, (uint32_t)len), put32(cat + o + 4, (uint32_t)k + 1);
        for (size_t i = 0; i < n; i++) cat[o + 16 + 2 * i] = (uint8_t)names[k][i];
        o += len;
    }
    dir_entry(f + 1024, "Root Entry", 5, 3, 1024);
    dir_entry(f + 1024 + 128, "Catalog", 2, 0, (uint32_t)o);
    uint8_t *minifat = f + 1536;
    for (int i = 0; i < 128; i++) put32(minifat + 4 * i, 0xFFFFFFFF);
    put32(minifat, 1), put32(minifat + 4, 0xFFFFFFFE);
    return 3072;
}

static void test_thumbs_db(void **state)
{
    (void)state;
    uint8_t f[3072];
    size_t n = make_thumbs(f);
    char *names[4];
    size_t k = um_drive_thumbs_names(f, n, names, 4);
    assert_int_equal(k, 2);
    assert_string_equal(names[0], "holiday.jpg");
    assert_string_equal(names[1], "gone.png");
    for (size_t i = 0; i < k; i++) free(names[i]);
    /* A FAT chain that loops, a truncated file, random damage: bounded, no crash. */
    put32(f + 512 + 12, 3);   /* mini stream sector 3 -> 3 */
    k = um_drive_thumbs_names(f, n, names, 4);
    for (size_t i = 0; i < k; i++) free(names[i]);
    make_thumbs(f);
    assert_int_equal(um_drive_thumbs_names(f, 600, names, 4), 0);
    srandom(11);
    for (int r = 0; r < 3000; r++) {
        make_thumbs(f);
        for (int j = 0; j < 8; j++) f[512 + random() % (3072 - 512)] = (uint8_t)random();
        k = um_drive_thumbs_names(f, n, names, 4);
        assert_true(k <= 4);
        for (size_t i = 0; i < k; i++) free(names[i]);
    }
}

/* An artifact directory's result: what it reveals, and one DELETE edit. */
static void test_artifact_result(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    mkdir_in(dir, ".Trash-1000");
    mkdir_in(dir, ".Trash-1000/info");
    mkdir_in(dir, ".Trash-1000/files");
    write_in(dir, ".Trash-1000/info/a.trashinfo", "[Trash Info]\nPath=/home/kim/a.txt\nDeletionDate=2024-01-02T03:04:05\n");
    write_in(dir, ".Trash-1000/files/a.txt", "secret");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    int fd = openat(dfd, ".Trash-1000", O_RDONLY | O_DIRECTORY);
    struct um_file_result res;
    um_file_result_init(&res);
    assert_int_equal(um_drive_artifact_result(dfd, ".Trash-1000", fd, UM_ART_XDG_TRASH, &res), 0);
    assert_int_equal(res.status, UM_ST_FOUND);
    assert_int_equal(ts_count(&res, UM_K_OS_ARTIFACT), 1);
    const struct um_finding *f = ts_find(&res, UM_K_OS_ARTIFACT);
    assert_int_equal(f->severity, UM_SEV_HIGH);
    assert_true(f->removable);
    assert_non_null(strstr(f->value, "/home/kim/a.txt"));
    json_t *del = json_object_get(f->extra, "deleted_files");
    assert_int_equal(json_array_size(del), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(del, 0), "deleted")), "2024-01-02T03:04:05");
    assert_string_equal(json_string_value(json_object_get(f->extra, "user_id")), "1000");
    assert_int_equal(res.edits.len, 1);
    assert_int_equal(((struct um_edit *)um_vec_at(&res.edits, 0))->op, UM_OP_DELETE);
    /* --redact: the value becomes its length, the details go. */
    um_drive_redact(&res, 0);
    f = ts_find(&res, UM_K_OS_ARTIFACT);
    assert_non_null(strstr(f->value, "<redacted: "));
    assert_null(json_object_get(f->extra, "deleted_files"));
    assert_null(json_object_get(f->extra, "user_id"));
    assert_non_null(json_object_get(f->extra, "contains"));
    um_file_result_free(&res);
    close(fd);
    close(dfd);
    ts_rmdir(dir);
    free(dir);
}

/* AppleDouble files carry a Mac's attributes: the download URL is quoted. */
static void test_appledouble(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    uint8_t b[200] = { 0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00 };
    memcpy(b + 60, "ATTR", 4);
    memcpy(b + 80, "com.apple.metadata:kMDItemWhereFroms", 36);
    static const char plist[] = "bplist00\xa1\x01_\x10\x1bhttps://example.org/film.mp4\x08";
    memcpy(b + 130, plist, sizeof plist - 1);
    char *p = ts_write(dir, "._film.mp4", b, sizeof b);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY), fd = open(p, O_RDONLY);
    struct um_file_result res;
    um_file_result_init(&res);
    assert_int_equal(um_drive_artifact_result(dfd, "._film.mp4", fd, UM_ART_APPLEDOUBLE, &res), 0);
    const struct um_finding *f = ts_find(&res, UM_K_OS_ARTIFACT);
    assert_non_null(strstr(f->value, "kMDItemWhereFroms"));
    assert_string_equal(json_string_value(json_object_get(f->extra, "url")), "https://example.org/film.mp4");
    um_file_result_free(&res);
    close(fd);
    close(dfd);
    free(p);
    ts_rmdir(dir);
    free(dir);
}

/* Deleting never follows a symlink out of the artifact, and removes everything in it. */
static void test_delete(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp(), *outside = ts_mkdtemp();
    write_in(outside, "precious.txt", "keep me");
    mkdir_in(dir, "$RECYCLE.BIN");
    mkdir_in(dir, "$RECYCLE.BIN/S-1-5-21-1");
    mkdir_in(dir, "$RECYCLE.BIN/S-1-5-21-1/deep");
    write_in(dir, "$RECYCLE.BIN/S-1-5-21-1/$Rfile", "deleted data");
    write_in(dir, "$RECYCLE.BIN/S-1-5-21-1/deep/x", "x");
    char *link = path_in(dir, "$RECYCLE.BIN/S-1-5-21-1/escape");
    assert_int_equal(symlink(outside, link), 0);
    free(link);
    link = path_in(dir, "$RECYCLE.BIN/filelink");
    char *target = path_in(outside, "precious.txt");
    assert_int_equal(symlink(target, link), 0);
    free(link);
    free(target);
    write_in(dir, "Thumbs.db", "thumbs");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    assert_int_equal(um_drive_delete(dfd, "$RECYCLE.BIN", true), 0);
    assert_int_equal(um_drive_delete(dfd, "Thumbs.db", false), 0);
    assert_false(exists_in(dir, "$RECYCLE.BIN"));
    assert_false(exists_in(dir, "Thumbs.db"));
    assert_true(exists_in(outside, "precious.txt"));
    size_t n;
    char *p = path_in(outside, "precious.txt");
    uint8_t *b = ts_read(p, &n);
    assert_int_equal(n, 7);
    assert_memory_equal(b, "keep me", 7);   /* not zeroed through the link either */
    free(b);
    free(p);
    /* Names that could leave the directory are refused. */
    assert_int_equal(um_drive_delete(dfd, "..", true), -EINVAL);
    assert_int_equal(um_drive_delete(dfd, "a/b", false), -EINVAL);
    assert_int_equal(um_drive_delete(dfd, "", false), -EINVAL);
    /* A file where a directory was expected is not removed as one. */
    write_in(dir, "desktop.ini", "[.ShellClassInfo]");
    assert_int_equal(um_drive_delete(dfd, "desktop.ini", true), -ENOTDIR);
    assert_true(exists_in(dir, "desktop.ini"));
    close(dfd);
    ts_rmdir(dir);
    ts_rmdir(outside);
    free(dir);
    free(outside);
}

/* With --out an artifact is simply not copied: nothing is deleted. */
static void test_scrub_delete_out(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    write_in(dir, ".DS_Store", "x");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    struct um_file_result res;
    um_file_result_init(&res);
    assert_int_equal(fstatat(dfd, ".DS_Store", &res.st, AT_SYMLINK_NOFOLLOW), 0);
    res.status = UM_ST_FOUND;
    assert_int_equal(um_drive_scrub_delete(dfd, ".DS_Store", true, false, &res), 0);
    assert_int_equal(res.status, UM_ST_SCRUBBED);
    assert_int_equal(res.scrub_path, UM_PATH_DELETE);
    assert_true(exists_in(dir, ".DS_Store"));
    /* Dry run: nothing at all. */
    res.status = UM_ST_FOUND;
    assert_int_equal(um_drive_scrub_delete(dfd, ".DS_Store", false, true, &res), 0);
    assert_true(exists_in(dir, ".DS_Store"));
    /* In place; a swapped file is refused. */
    struct stat real = res.st;
    res.st.st_ino++;
    assert_int_equal(um_drive_scrub_delete(dfd, ".DS_Store", false, false, &res), UM_E_CHANGED);
    assert_true(exists_in(dir, ".DS_Store"));
    res.st = real;
    res.status = UM_ST_FOUND;
    assert_int_equal(um_drive_scrub_delete(dfd, ".DS_Store", false, false, &res), 0);
    assert_false(exists_in(dir, ".DS_Store"));
    um_file_result_free(&res);
    close(dfd);
    ts_rmdir(dir);
    free(dir);
}

struct walked {
    char names[16][64];
    int artifact[16];
    int n;
};

static int collect(void *opaque, struct um_walk_item *it)
{
    struct walked *w = opaque;
    if (w->n < 16) {
        snprintf(w->names[w->n], sizeof w->names[0], "%s", it->name);
        w->artifact[w->n++] = it->artifact;
    }
    um_walk_item_free(it);
    return 0;
}

/* The walker tags artifacts and does not descend into artifact directories. */
static void test_walk_tags(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    mkdir_in(dir, "LOST.DIR");
    write_in(dir, "LOST.DIR/fragment1", "x");
    write_in(dir, "film.mkv", "x");
    write_in(dir, "._film.mkv", "x");
    struct um_walk_options o;
    um_walk_options_default(&o);
    struct walked w = { .n = 0 };
    assert_int_equal(um_walk(dir, &o, collect, &w), 0);
    assert_int_equal(w.n, 3);
    assert_string_equal(w.names[0], "._film.mkv");   /* byte order */
    assert_int_equal(w.artifact[0], UM_ART_APPLEDOUBLE);
    assert_string_equal(w.names[1], "LOST.DIR");      /* one item, not descended */
    assert_int_equal(w.artifact[1], UM_ART_RECOVERED);
    assert_string_equal(w.names[2], "film.mkv");
    assert_int_equal(w.artifact[2], UM_ART_NONE);
    ts_rmdir(dir);
    free(dir);
}

static void test_xattrs(void **state)
{
    (void)state;
    char *dir = ts_mkdtemp();
    char *p = ts_write(dir, "film.mp4", "data", 4);
    int fd = open(p, O_RDONLY);
    const char *url = "https://example.org/film.mp4";
    if (fsetxattr(fd, "user.xdg.origin.url", url, strlen(url), 0) != 0) {
        fprintf(stderr, "test_xattrs: skipped: the temp file system has no user attributes (%s); "
                        "set TMPDIR to a disk-backed directory to run it\n", strerror(errno));
        close(fd);
        free(p);
        ts_rmdir(dir);
        free(dir);
        skip();
    }
    assert_int_equal(fsetxattr(fd, "user.note", "x", 1, 0), 0);
    struct um_file_result res;
    um_file_result_init(&res);
    int n = um_drive_xattrs(fd, &res);
    assert_true(n >= 2);
    assert_int_equal(res.status, UM_ST_FOUND);
    bool saw_url = false, saw_note = false;
    for (size_t i = 0; i < res.findings.len; i++) {
        const struct um_finding *f = um_vec_at(&res.findings, i);
        assert_int_equal(f->kind, UM_K_XATTR);
        if (!strcmp(f->key, "user.xdg.origin.url")) {
            saw_url = true;
            assert_int_equal(f->severity, UM_SEV_HIGH);
            assert_string_equal(f->value, url);
            assert_true(f->removable);
        } else if (!strcmp(f->key, "user.note")) {
            saw_note = true;
            assert_int_equal(f->severity, UM_SEV_MEDIUM);
        } else {
            assert_int_equal(f->severity, UM_SEV_INFO);   /* security.*, system.* */
            assert_false(f->removable);
        }
    }
    assert_true(saw_url && saw_note);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    /* --out: the copy never carries them; the original keeps them. */
    assert_int_equal(um_drive_scrub_xattrs(dfd, "film.mp4", true, false, &res), 2);
    assert_true(fgetxattr(fd, "user.xdg.origin.url", NULL, 0) > 0);
    res.status = UM_ST_FOUND;
    assert_int_equal(um_drive_scrub_xattrs(dfd, "film.mp4", false, false, &res), 2);
    assert_int_equal(res.status, UM_ST_SCRUBBED);
    assert_true(fgetxattr(fd, "user.xdg.origin.url", NULL, 0) < 0 && errno == ENODATA);
    assert_true(fgetxattr(fd, "user.note", NULL, 0) < 0 && errno == ENODATA);
    /* Scanned again: nothing of the user's left. */
    struct um_file_result again;
    um_file_result_init(&again);
    assert_int_equal(um_drive_xattrs(fd, &again) >= 0, 1);
    for (size_t i = 0; i < again.findings.len; i++)
        assert_int_equal(((struct um_finding *)um_vec_at(&again.findings, i))->severity, UM_SEV_INFO);
    um_file_result_free(&again);
    um_file_result_free(&res);
    close(dfd);
    close(fd);
    free(p);
    ts_rmdir(dir);
    free(dir);
}

static void feed(struct um_drive_times *t, int64_t sec)
{
    struct stat st;
    memset(&st, 0, sizeof st);
    st.st_mtim.tv_sec = (time_t)sec;
    um_drive_times_add(t, &st);
}

static void test_burst(void **state)
{
    (void)state;
    const int64_t now = 1800000000;
    struct um_drive_times *t = um_drive_times_new();
    for (int i = 0; i < 10; i++) feed(t, 1700000000 + i * 30);   /* 10 files in 4.5 minutes */
    feed(t, 1500000000);
    feed(t, 1600000000);
    struct um_file_result res;
    um_file_result_init(&res);
    assert_int_equal(um_drive_times_finish(t, now, "/media/usb", &res), 0);
    assert_string_equal(res.path, "/media/usb");
    assert_int_equal(ts_count(&res, UM_K_TIMESTAMP), 1);
    const struct um_finding *f = ts_find(&res, UM_K_TIMESTAMP);
    assert_string_equal(f->where, "drive");
    assert_string_equal(f->key, "write_burst");
    assert_non_null(strstr(f->value, "10 of 12 files"));
    assert_non_null(strstr(f->value, "2023-11-14T22:13:20Z"));
    assert_int_equal(json_integer_value(json_object_get(f->extra, "from")), 1700000000);
    um_file_result_free(&res);
    um_drive_times_free(t);

    /* Spread over years: no burst. Two in the future. */
    t = um_drive_times_new();
    for (int i = 0; i < 10; i++) feed(t, 1500000000 + (int64_t)i * 86400 * 40);
    feed(t, now + 7200);
    feed(t, now + 9 * 3600);
    um_file_result_init(&res);
    assert_int_equal(um_drive_times_finish(t, now, "d", &res), 0);
    assert_int_equal(ts_count(&res, UM_K_TIMESTAMP), 1);
    f = ts_find(&res, UM_K_TIMESTAMP);
    assert_string_equal(f->key, "future_times");
    assert_non_null(strstr(f->value, "2 files"));
    assert_non_null(strstr(f->value, "9 h 00 min"));
    um_file_result_free(&res);
    um_drive_times_free(t);

    /* All at one fixed whole hour (after scrub --times fixed): not a trace. */
    t = um_drive_times_new();
    for (int i = 0; i < 10; i++) feed(t, 946684800);
    um_file_result_init(&res);
    assert_int_equal(um_drive_times_finish(t, now, "d", &res), 0);
    assert_int_equal(res.findings.len, 0);
    um_file_result_free(&res);
    um_drive_times_free(t);

    /* Too few files to say anything; NULL is harmless. */
    t = um_drive_times_new();
    feed(t, 1);
    um_file_result_init(&res);
    assert_int_equal(um_drive_times_finish(t, now, "d", &res), 0);
    assert_int_equal(res.findings.len, 0);
    um_file_result_free(&res);
    um_drive_times_free(t);
    um_drive_times_add(NULL, NULL);
    um_drive_times_free(NULL);
}

static void test_times(void **state)
{
    (void)state;
    bool set;
    struct timespec t;
    assert_int_equal(um_drive_parse_times("keep", &set, &t), 0);
    assert_false(set);
    assert_int_equal(um_drive_parse_times("fixed", &set, &t), 0);
    assert_true(set);
    assert_int_equal(t.tv_sec, 946684800);
    assert_int_equal(um_drive_parse_times("fixed=2010-06-15", &set, &t), 0);
    assert_int_equal(t.tv_sec, 1276560000);
    assert_int_equal(um_drive_parse_times("fixed=2010-06-15T12:30:00Z", &set, &t), 0);
    assert_int_equal(t.tv_sec, 1276560000 + 12 * 3600 + 1800);
    assert_int_equal(um_drive_parse_times("fixed=1970-01-01", &set, &t), UM_E_RANGE);
    assert_int_equal(um_drive_parse_times("fixed=2010-13-01", &set, &t), UM_E_FORMAT);
    assert_int_equal(um_drive_parse_times("fixed=2010-01-01junk", &set, &t), UM_E_FORMAT);
    assert_int_equal(um_drive_parse_times("sometimes", &set, &t), UM_E_FORMAT);

    char *dir = ts_mkdtemp(), *outside = ts_mkdtemp();
    mkdir_in(dir, "a");
    mkdir_in(dir, "a/b");
    write_in(dir, "a/b/f", "x");
    write_in(dir, "g", "y");
    char *target = path_in(outside, "o"), *link = path_in(dir, "a/link");
    write_in(outside, "o", "z");
    assert_int_equal(symlink(target, link), 0);
    struct stat before;
    assert_int_equal(stat(target, &before), 0);
    struct timespec fixed = { .tv_sec = 946684800 };
    unsigned long n;
    assert_int_equal(um_drive_set_tree_times(dir, fixed, &n), 0);
    assert_int_equal(n, 6);   /* a, a/b, a/b/f, a/link, g, the root */
    const char *check[] = { "", "a", "a/b", "a/b/f", "g" };
    for (size_t i = 0; i < 5; i++) {
        struct stat st;
        char *p = path_in(dir, check[i]);
        assert_int_equal(lstat(p, &st), 0);
        assert_int_equal(st.st_mtim.tv_sec, 946684800);
        assert_int_equal(st.st_atim.tv_sec, 946684800);
        free(p);
    }
    struct stat after;
    assert_int_equal(stat(target, &after), 0);
    assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);   /* link not followed */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    fixed.tv_sec = 1000000000;
    assert_int_equal(um_drive_set_times(dfd, "g", fixed), 0);
    close(dfd);
    struct stat st;
    char *g = path_in(dir, "g");
    assert_int_equal(stat(g, &st), 0);
    assert_int_equal(st.st_mtim.tv_sec, 1000000000);
    free(g);
    free(target);
    free(link);
    ts_rmdir(dir);
    ts_rmdir(outside);
    free(dir);
    free(outside);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),        cmocka_unit_test(test_trashinfo),
        cmocka_unit_test(test_recycle_i),       cmocka_unit_test(test_ds_store),
        cmocka_unit_test(test_thumbs_db),       cmocka_unit_test(test_appledouble),
        cmocka_unit_test(test_artifact_result), cmocka_unit_test(test_delete),
        cmocka_unit_test(test_scrub_delete_out), cmocka_unit_test(test_walk_tags),
        cmocka_unit_test(test_xattrs),          cmocka_unit_test(test_burst),
        cmocka_unit_test(test_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
