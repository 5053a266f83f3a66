/* Drive-level traces (see drive.h). What each artifact reveals:
 * - Thumbs.db / ehthumbs.db: Windows thumbnail caches (OLE compound files) keep small
 *   copies of pictures and video frames, also of files deleted since.
 * - .DS_Store: Finder's folder records name the files that were in the folder (the
 *   B-tree records are "name length, UTF-16BE name, 4-char code, 4-char type").
 * - ._name (AppleDouble): resource forks and extended attributes from a Mac, such as
 *   com.apple.quarantine (which app downloaded it) and kMDItemWhereFroms (from where).
 * - .Trash-UID/info/NAME.trashinfo (freedesktop.org Trash spec 1.0): "Path=" (percent-
 *   encoded original path) and "DeletionDate=" of every trashed file; the UID itself.
 * - $RECYCLE.BIN/SID/$Ixxxx: the Windows account's SID, original path, size and
 *   deletion time (FILETIME) of every recycled file.
 * - System Volume Information/IndexerVolumeGuid: a GUID Windows gave this volume.
 * - .Spotlight-V100, .fseventsd: macOS content index and a log of file changes.
 * - LOST.DIR, FOUND.000: fragments of lost files recovered by Android / chkdsk.
 * - desktop.ini, autorun.inf: Explorer settings; autorun labels and programs.
 * Artifacts are removed whole by the scrubber (a DELETE edit).
 * Extended attributes: user.xdg.origin.url and friends (freedesktop.org "Common
 * Extended Attributes") carry download URLs. Timestamps: a burst of writes dates the
 * preparation of the drive; times in the future betray a clock or a time zone. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <jansson.h>

#include "../common/bytes.h"
#include "../common/error.h"
#include "drive.h"

#define MAX_ARTIFACT_READ (4u << 20)   /* bytes of an artifact file read for details */
#define MAX_LISTED 200                  /* details listed per artifact */
#define MAX_COUNT_ENTRIES 100000        /* entries counted inside an artifact directory */
#define MAX_COUNT_DEPTH 64

/* ---- names ---- */

static const struct artifact_name {
    const char *name;
    bool dir;
    enum um_artifact a;
} artifact_names[] = {
    { "Thumbs.db", false, UM_ART_THUMBS_DB },
    { "ehthumbs.db", false, UM_ART_THUMBS_DB },
    { "ehthumbs_vista.db", false, UM_ART_THUMBS_DB },
    { "desktop.ini", false, UM_ART_DESKTOP_INI },
    { ".DS_Store", false, UM_ART_DS_STORE },
    { "autorun.inf", false, UM_ART_AUTORUN_INF },
    { ".directory", false, UM_ART_DESKTOP_INI },   /* KDE's desktop.ini: view settings, times */
    { ".apdisk", false, UM_ART_MAC_META },
    { ".Spotlight-V100", true, UM_ART_MAC_META },
    { ".fseventsd", true, UM_ART_MAC_META },
    { ".TemporaryItems", true, UM_ART_MAC_META },
    { ".DocumentRevisions-V100", true, UM_ART_MAC_META },
    { ".Trashes", true, UM_ART_MAC_TRASH },
    { ".Trash", true, UM_ART_XDG_TRASH },
    { "$RECYCLE.BIN", true, UM_ART_RECYCLE_BIN },
    { "RECYCLER", true, UM_ART_RECYCLE_BIN },
    { "RECYCLED", true, UM_ART_RECYCLE_BIN },
    { "System Volume Information", true, UM_ART_SYSVOLINFO },
    { ".thumbnails", true, UM_ART_THUMBNAILS },
    { "LOST.DIR", true, UM_ART_RECOVERED },
};

enum um_artifact um_drive_classify_name(const char *name, bool is_dir)
{
    /* Case-insensitive: FAT and exFAT are, and Windows writes THUMBS.DB as well. */
    for (size_t i = 0; i < sizeof artifact_names / sizeof *artifact_names; i++)
        if (artifact_names[i].dir == is_dir && !strcasecmp(name, artifact_names[i].name))
            return artifact_names[i].a;
    if (!is_dir && name[0] == '.' && name[1] == '_' && name[2]) return UM_ART_APPLEDOUBLE;
    if (is_dir && !strncmp(name, ".Trash-", 7) && name[7]) return UM_ART_XDG_TRASH;
    if (is_dir && !strncasecmp(name, "FOUND.", 6) && strlen(name) == 9 && isdigit((unsigned char)name[6]) &&
        isdigit((unsigned char)name[7]) && isdigit((unsigned char)name[8]))
        return UM_ART_RECOVERED;
    return UM_ART_NONE;
}

const char *um_drive_artifact_name(enum um_artifact a)
{
    static const char *const n[UM_ART_COUNT_] = {
        [UM_ART_NONE] = "none",
        [UM_ART_THUMBS_DB] = "thumbnail_cache",
        [UM_ART_DESKTOP_INI] = "desktop_ini",
        [UM_ART_DS_STORE] = "ds_store",
        [UM_ART_APPLEDOUBLE] = "appledouble",
        [UM_ART_AUTORUN_INF] = "autorun_inf",
        [UM_ART_MAC_META] = "macos_metadata",
        [UM_ART_MAC_TRASH] = "macos_trash",
        [UM_ART_XDG_TRASH] = "trash",
        [UM_ART_RECYCLE_BIN] = "recycle_bin",
        [UM_ART_SYSVOLINFO] = "system_volume_information",
        [UM_ART_THUMBNAILS] = "thumbnails",
        [UM_ART_RECOVERED] = "recovered_fragments",
    };
    return (unsigned)a < UM_ART_COUNT_ ? n[a] : "unknown";
}

static const struct {
    enum um_severity sev;
    const char *reveals;
} artifact_info[UM_ART_COUNT_] = {
    [UM_ART_THUMBS_DB] = { UM_SEV_HIGH, "Windows thumbnail cache: small copies of pictures and video frames, "
                                        "also of files deleted since" },
    [UM_ART_DESKTOP_INI] = { UM_SEV_LOW, "Explorer folder settings: shows the drive was used on Windows" },
    [UM_ART_DS_STORE] = { UM_SEV_MEDIUM, "Finder folder records: names of files that were in this folder" },
    [UM_ART_APPLEDOUBLE] = { UM_SEV_MEDIUM, "macOS resource fork and attributes (may hold download source "
                                           "and quarantine records)" },
    [UM_ART_AUTORUN_INF] = { UM_SEV_MEDIUM, "autorun settings: a label or program name chosen by its writer" },
    [UM_ART_MAC_META] = { UM_SEV_MEDIUM, "macOS index or change log: file names and contents of the drive" },
    [UM_ART_MAC_TRASH] = { UM_SEV_HIGH, "macOS trash: files deleted on a Mac, still on the drive" },
    [UM_ART_XDG_TRASH] = { UM_SEV_HIGH, "desktop trash: deleted files, their original paths and deletion dates" },
    [UM_ART_RECYCLE_BIN] = { UM_SEV_HIGH, "Windows recycle bin: deleted files, the Windows account (SID), "
                                          "original paths and deletion times" },
    [UM_ART_SYSVOLINFO] = { UM_SEV_MEDIUM, "Windows volume data: an indexer GUID for this volume, restore "
                                           "points" },
    [UM_ART_THUMBNAILS] = { UM_SEV_HIGH, "thumbnail cache: small copies of pictures, also of deleted ones" },
    [UM_ART_RECOVERED] = { UM_SEV_HIGH, "fragments of lost or deleted files recovered by a file system check" },
};

/* ---- findings ---- */

int um_drive_add_finding(struct um_file_result *res, enum um_kind kind, enum um_severity sev,
                         const char *where, const char *key, const char *value, uint64_t offset,
                         uint64_t length)
{
    int err = 0;
    struct um_finding *f = um_vec_push(&res->findings, &err);
    if (!f) return err;
    f->kind = kind;
    f->severity = sev;
    f->offset = offset;
    f->length = length;
    f->where = strdup(where ? where : "");
    f->key = key ? strdup(key) : NULL;
    f->value = value ? um_sanitize_value((const uint8_t *)value, strlen(value)) : NULL;
    if (!f->where || (key && !f->key) || (value && !f->value)) return -ENOMEM;
    return (int)(res->findings.len - 1);
}

void um_drive_redact(struct um_file_result *res, size_t from)
{
    static const char *const keys[] = { "deleted_files", "names", "examples", "indexer_volume_guid",
                                         "windows_accounts", "user_id", "url" };
    for (size_t i = from; i < res->findings.len; i++) {
        struct um_finding *f = um_vec_at(&res->findings, i);
        if (f->value) {
            char buf[64];
            snprintf(buf, sizeof buf, "<redacted: %zu bytes>", strlen(f->value));
            char *v = strdup(buf);
            if (v) free(f->value), f->value = v;
        }
        for (size_t k = 0; f->extra && k < sizeof keys / sizeof *keys; k++) json_object_del(f->extra, keys[k]);
    }
}

/* ---- reading small files inside artifacts ---- */

static uint8_t *read_small(int dirfd, const char *name, size_t cap, size_t *n)
{
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) return NULL;
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) goto end;
    size_t want = (uint64_t)st.st_size < cap ? (size_t)st.st_size : cap;
    buf = malloc(want + 1);
    if (!buf) goto end;
    size_t got = 0;
    while (got < want) {
        ssize_t r = pread(fd, buf + got, want - got, (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    buf[got] = 0;
    *n = got;
end:
    close(fd);
    return buf;
}

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? tolower(c) - 'a' + 10 : -1;
}

int um_drive_parse_trashinfo(const uint8_t *p, size_t n, char **path, char **date)
{
    *path = *date = NULL;
    bool in_group = false;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && p[j] != '\n') j++;
        size_t len = j - i;
        if (len && p[i + len - 1] == '\r') len--;
        const char *l = (const char *)p + i;
        if (len && l[0] == '[') in_group = len == 12 && !memcmp(l, "[Trash Info]", 12);
        else if (in_group && len > 5 && !memcmp(l, "Path=", 5) && !*path) {
            char *s = malloc(len);
            if (!s) goto nomem;
            size_t o = 0;
            for (size_t k = 5; k < len; k++) {
                int a, b;
                if (l[k] == '%' && k + 2 < len && (a = hexval((unsigned char)l[k + 1])) >= 0 &&
                    (b = hexval((unsigned char)l[k + 2])) >= 0) {
                    s[o++] = (char)(a * 16 + b);
                    k += 2;
                } else {
                    s[o++] = l[k];
                }
            }
            s[o] = 0;
            *path = s;
        } else if (in_group && len > 13 && !memcmp(l, "DeletionDate=", 13) && !*date) {
            if (!(*date = strndup(l + 13, len - 13))) goto nomem;
        }
        i = j + 1;
    }
    if (*path) return 0;
    free(*date);
    *date = NULL;
    return UM_E_FORMAT;
nomem:
    free(*path);
    free(*date);
    *path = *date = NULL;
    return -ENOMEM;
}

/* UTF-16 (little or big endian, `units` code units) to a new UTF-8 string. */
static char *utf16_dup(const uint8_t *p, size_t units, bool be)
{
    char *out = malloc(units * 3 + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < units; i++) {
        uint32_t c = be ? ld_u16be(p + 2 * i) : ld_u16le(p + 2 * i);
        if (c == 0) break;
        if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD;   /* surrogates: rare in names */
        if (c < 0x80) out[o++] = (char)c;
        else if (c < 0x800) out[o++] = (char)(0xC0 | c >> 6), out[o++] = (char)(0x80 | (c & 0x3F));
        else
            out[o++] = (char)(0xE0 | c >> 12), out[o++] = (char)(0x80 | ((c >> 6) & 0x3F)),
            out[o++] = (char)(0x80 | (c & 0x3F));
    }
    out[o] = 0;
    return out;
}

int um_drive_parse_recycle_i(const uint8_t *p, size_t n, char **path, uint64_t *size, int64_t *deleted)
{
    *path = NULL;
    if (n < 24) return UM_E_TRUNC;
    uint64_t version = ld_u64le(p);
    *size = ld_u64le(p + 8);
    uint64_t ft = ld_u64le(p + 16);
    /* FILETIME: 100 ns units since 1601-01-01. */
    *deleted = ft ? (int64_t)(ft / 10000000ull) - 11644473600ll : 0;
    size_t off, units;
    if (version == 1) {
        off = 24, units = 260;
    } else if (version == 2) {
        if (n < 28) return UM_E_TRUNC;
        off = 28, units = ld_u32le(p + 24);
    } else {
        return UM_E_FORMAT;
    }
    if (units > (n - off) / 2) units = (n - off) / 2;
    *path = utf16_dup(p + off, units, false);
    return *path ? 0 : -ENOMEM;
}

static bool is_ds_type(const uint8_t *t)
{
    static const char *const types[] = { "bool", "shor", "long", "comp", "dutc", "type", "blob", "ustr" };
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (!memcmp(t, types[i], 4)) return true;
    return false;
}

size_t um_drive_ds_store_names(const uint8_t *p, size_t n, char **names, size_t max)
{
    size_t count = 0;
    /* A record is: u32 name length (UTF-16 units), the name in UTF-16BE, a 4-char
     * code (e.g. "Iloc"), a 4-char type. Find the type, then the name before it. */
    for (size_t t = 12; t + 4 <= n && count < max; t++) {
        if (!is_ds_type(p + t)) continue;
        bool code_ok = true;
        for (int k = 1; k <= 4; k++) code_ok = code_ok && p[t - k] >= 0x20 && p[t - k] < 0x7F;
        if (!code_ok) continue;
        size_t name_end = t - 4;
        for (size_t len = 1; len <= 1024 && 2 * len + 4 <= name_end; len++) {
            size_t q = name_end - 2 * len - 4;
            if (ld_u32be(p + q) != len) continue;
            bool ok = true;
            for (size_t k = 0; k < len && ok; k++) {
                uint16_t c = ld_u16be(p + q + 4 + 2 * k);
                ok = c >= 0x20 && c != 0x7F;
            }
            if (!ok) continue;
            char *s = utf16_dup(p + q + 4, len, true);
            if (!s) return count;
            bool dup = !strcmp(s, ".");
            for (size_t k = 0; k < count && !dup; k++) dup = !strcmp(names[k], s);
            if (dup) free(s);
            else names[count++] = s;
            break;
        }
    }
    return count;
}

/* ---- Thumbs.db (Compound File Binary format, [MS-CFB]) ---- */

#define CFB_MAX_BYTES (16u << 20)

struct cfb {
    const uint8_t *p;
    size_t n;
    uint32_t ss;              /* sector size */
    uint32_t *fat;
    size_t nfat;
};

/* Reads a stream by its FAT chain into a new buffer of `size` bytes (capped). */
static uint8_t *cfb_chain(const struct cfb *c, uint32_t start, uint64_t size, const uint32_t *fat, size_t nfat,
                          const uint8_t *base, size_t base_len, uint32_t unit, size_t *got)
{
    if (size > CFB_MAX_BYTES) size = CFB_MAX_BYTES;
    uint8_t *out = malloc(size ? size : 1);
    if (!out) return NULL;
    size_t o = 0;
    uint32_t s = start;
    /* Every step moves to a new unit or stops: at most nfat steps, so loops end. */
    for (size_t steps = 0; o < size && s < nfat && steps <= nfat; steps++) {
        uint64_t off = base == c->p ? ((uint64_t)s + 1) * unit : (uint64_t)s * unit;
        if (!um_range_ok(off, unit, base_len)) break;
        size_t k = size - o < unit ? size - o : unit;
        memcpy(out + o, base + off, k);
        o += k;
        s = fat[s];
    }
    *got = o;
    return out;
}

size_t um_drive_thumbs_names(const uint8_t *p, size_t n, char **names, size_t max)
{
    if (n < 512 || memcmp(p, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)) return 0;
    struct cfb c = { .p = p, .n = n };
    uint16_t shift = ld_u16le(p + 0x1E), mshift = ld_u16le(p + 0x20);
    if ((shift != 9 && shift != 12) || mshift != 6) return 0;
    c.ss = 1u << shift;
    uint32_t nfatsec = ld_u32le(p + 0x2C), dir_start = ld_u32le(p + 0x30), cutoff = ld_u32le(p + 0x38);
    uint32_t minifat_start = ld_u32le(p + 0x3C), nminifat = ld_u32le(p + 0x40);
    if (nfatsec > 109) nfatsec = 109;   /* the header's DIFAT: plenty for a thumbnail cache */
    size_t count = 0;
    uint8_t *dir = NULL, *mini = NULL, *minifat_b = NULL, *cat = NULL;
    c.fat = calloc((size_t)nfatsec * (c.ss / 4) + 1, sizeof *c.fat);
    if (!c.fat) return 0;
    for (uint32_t i = 0; i < nfatsec; i++) {
        uint32_t sec = ld_u32le(p + 0x4C + 4 * i);
        uint64_t off = ((uint64_t)sec + 1) * c.ss;
        if (!um_range_ok(off, c.ss, n)) break;
        for (uint32_t k = 0; k < c.ss / 4; k++) c.fat[c.nfat++] = ld_u32le(p + off + 4 * k);
    }
    size_t dlen, mlen = 0, mflen = 0, clen;
    dir = cfb_chain(&c, dir_start, CFB_MAX_BYTES, c.fat, c.nfat, p, n, c.ss, &dlen);
    if (!dir || dlen < 128) goto end;
    /* Entry 0 is the root: its stream is the mini stream. Find "Catalog". */
    uint32_t cat_start = 0;
    uint64_t cat_size = 0;
    bool found = false;
    for (size_t e = 0; e + 128 <= dlen; e += 128) {
        const uint8_t *d = dir + e;
        uint16_t nl = ld_u16le(d + 0x40);
        if (d[0x42] == 2 && nl == 16 && !memcmp(d, "C\0a\0t\0a\0l\0o\0g\0\0\0", 16)) {
            cat_start = ld_u32le(d + 0x74);
            cat_size = ld_u32le(d + 0x78);
            found = true;
            break;
        }
    }
    if (!found || cat_size < 8) goto end;
    if (cat_size < cutoff) {
        mini = cfb_chain(&c, ld_u32le(dir + 0x74), ld_u32le(dir + 0x78), c.fat, c.nfat, p, n, c.ss, &mlen);
        minifat_b = cfb_chain(&c, minifat_start, (uint64_t)nminifat * c.ss, c.fat, c.nfat, p, n, c.ss, &mflen);
        if (!mini || !minifat_b) goto end;
        size_t nmf = mflen / 4;
        uint32_t *mf = malloc((nmf + 1) * sizeof *mf);
        if (!mf) goto end;
        for (size_t i = 0; i < nmf; i++) mf[i] = ld_u32le(minifat_b + 4 * i);
        cat = cfb_chain(&c, cat_start, cat_size, mf, nmf, mini, mlen, 64, &clen);
        free(mf);
    } else {
        cat = cfb_chain(&c, cat_start, cat_size, c.fat, c.nfat, p, n, c.ss, &clen);
    }
    if (!cat || clen < 16) goto end;
    /* Catalog: u16 header length, u16 version, u32 entries, then per entry: u32 length,
     * u32 index, u64 FILETIME, the name in UTF-16LE up to a NUL. */
    size_t o = ld_u16le(cat);
    uint32_t entries = ld_u32le(cat + 4);
    for (uint32_t i = 0; i < entries && count < max && um_range_ok(o, 16, clen); i++) {
        uint32_t len = ld_u32le(cat + o);
        if (len < 18 || !um_range_ok(o, len, clen)) break;
        char *s = utf16_dup(cat + o + 16, (len - 16) / 2, false);
        if (!s) break;
        if (s[0]) names[count++] = s;
        else free(s);
        o += len;
    }
end:
    free(cat);
    free(minifat_b);
    free(mini);
    free(dir);
    free(c.fat);
    return count;
}

/* ---- artifact results ---- */

struct tally {
    uint64_t files, dirs, bytes, entries;
    bool capped;
};

static void count_tree(int dirfd, int depth, dev_t dev, struct tally *t)
{
    int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    rewinddir(d);   /* a dup shares the offset: start from the top whatever read it before */
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (++t->entries > MAX_COUNT_ENTRIES) {
            t->capped = true;
            break;
        }
        struct stat st;
        if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            t->dirs++;
            if (depth >= MAX_COUNT_DEPTH || st.st_dev != dev) {
                t->capped = true;
                continue;
            }
            int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                count_tree(sub, depth + 1, dev, t);
                close(sub);
            }
        } else {
            t->files++;
            if (S_ISREG(st.st_mode)) t->bytes += (uint64_t)st.st_size;
        }
    }
    closedir(d);
}

static char *fmt_time(int64_t t)
{
    char buf[40];
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm)) return strdup("?");
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return strdup(buf);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Sorted names of the entries of dirfd, at most max (caller frees). */
static size_t list_dir(int dirfd, char **names, size_t max)
{
    int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return 0;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return 0;
    }
    rewinddir(d);
    size_t n = 0;
    struct dirent *de;
    while (n < max && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (!(names[n] = strdup(de->d_name))) break;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    return n;
}

/* .Trash-UID/info/NAME.trashinfo -> [{path, deleted}] */
static void trash_details(int fd, json_t *extra, char *summary, size_t sn)
{
    int info = openat(fd, "info", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (info < 0) return;
    char *names[MAX_LISTED];
    size_t n = list_dir(info, names, MAX_LISTED);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]), got;
        if (len > 10 && !strcmp(names[i] + len - 10, ".trashinfo")) {
            uint8_t *b = read_small(info, names[i], 65536, &got);
            char *path, *date;
            if (b && um_drive_parse_trashinfo(b, got, &path, &date) == 0) {
                char *pv = um_sanitize_value((const uint8_t *)path, strlen(path));
                json_array_append_new(arr, json_pack("{s:s, s:s}", "original_path", pv ? pv : "",
                                                     "deleted", date ? date : ""));
                if (json_array_size(arr) == 1)
                    snprintf(summary, sn, "%s (deleted %s)", path, date ? date : "?");
                free(pv);
                free(path);
                free(date);
            }
            free(b);
        }
        free(names[i]);
    }
    close(info);
    json_object_set_new(extra, "deleted_files", arr);
}

/* $RECYCLE.BIN/SID/$I* -> SIDs and [{path, size, deleted}] */
static void recycle_details(int fd, json_t *extra, char *summary, size_t sn)
{
    char *sids[64];
    size_t ns = list_dir(fd, sids, 64);
    json_t *sarr = json_array(), *arr = json_array();
    for (size_t i = 0; i < ns; i++) {
        int sub = openat(fd, sids[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0) {
            if (!strncmp(sids[i], "S-1-", 4)) json_array_append_new(sarr, json_string(sids[i]));
            char *names[MAX_LISTED];
            size_t n = list_dir(sub, names, MAX_LISTED);
            for (size_t k = 0; k < n; k++) {
                size_t got;
                uint8_t *b = names[k][0] == '$' && names[k][1] == 'I' ? read_small(sub, names[k], 65536, &got) : NULL;
                char *path;
                uint64_t size;
                int64_t when;
                if (b && um_drive_parse_recycle_i(b, got, &path, &size, &when) == 0) {
                    char *pv = um_sanitize_value((const uint8_t *)path, strlen(path));
                    char *ts = fmt_time(when);
                    json_array_append_new(arr, json_pack("{s:s, s:I, s:s}", "original_path", pv ? pv : "",
                                                         "size", (json_int_t)size, "deleted", ts ? ts : ""));
                    if (json_array_size(arr) == 1)
                        snprintf(summary, sn, "account %s; %s (deleted %s)", sids[i], path, ts ? ts : "?");
                    free(ts);
                    free(pv);
                    free(path);
                }
                free(b);
                free(names[k]);
            }
            close(sub);
        }
        free(sids[i]);
    }
    json_object_set_new(extra, "windows_accounts", sarr);
    json_object_set_new(extra, "deleted_files", arr);
}

static void sysvol_details(int fd, json_t *extra, char *summary, size_t sn)
{
    size_t n;
    uint8_t *b = read_small(fd, "IndexerVolumeGuid", 4096, &n);
    if (!b) return;
    size_t off = n >= 2 && b[0] == 0xFF && b[1] == 0xFE ? 2 : 0;
    char *g = utf16_dup(b + off, (n - off) / 2, false);
    if (g) {
        json_object_set_new(extra, "indexer_volume_guid", json_string(g));
        snprintf(summary, sn, "IndexerVolumeGuid %s", g);
    }
    free(g);
    free(b);
}

int um_drive_artifact_result(int dirfd, const char *name, int fd, enum um_artifact a,
                             struct um_file_result *res)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) return fd < 0 ? -EBADF : -errno;
    bool is_dir = S_ISDIR(st.st_mode);
    json_t *extra = json_object();
    char summary[600] = "";
    res->format = "os_artifact";
    res->scanned = true;
    if (!extra) return -ENOMEM;
    json_object_set_new(extra, "artifact", json_string(um_drive_artifact_name(a)));
    if (is_dir) {
        struct tally t = { 0 };
        count_tree(fd, 0, st.st_dev, &t);
        res->size = t.bytes;
        json_object_set_new(extra, "contains", json_pack("{s:I, s:I, s:I, s:b}", "files", (json_int_t)t.files,
                                                         "directories", (json_int_t)t.dirs, "bytes",
                                                         (json_int_t)t.bytes, "counted_partly", t.capped));
        if (a == UM_ART_XDG_TRASH) {
            if (!strncmp(name, ".Trash-", 7)) json_object_set_new(extra, "user_id", json_string(name + 7));
            trash_details(fd, extra, summary, sizeof summary);
        } else if (a == UM_ART_RECYCLE_BIN) {
            recycle_details(fd, extra, summary, sizeof summary);
        } else if (a == UM_ART_SYSVOLINFO) {
            sysvol_details(fd, extra, summary, sizeof summary);
        }
        if (!summary[0])
            snprintf(summary, sizeof summary, "%llu files, %llu bytes", (unsigned long long)t.files,
                     (unsigned long long)t.bytes);
    } else {
        size_t n = 0;
        uint8_t *b = read_small(dirfd, name, a == UM_ART_THUMBS_DB ? CFB_MAX_BYTES : a == UM_ART_DS_STORE ? MAX_ARTIFACT_READ : 65536, &n);
        res->size = (uint64_t)st.st_size;
        if (b && a == UM_ART_DS_STORE) {
            char *names[MAX_LISTED];
            size_t k = um_drive_ds_store_names(b, n, names, MAX_LISTED);
            json_t *arr = json_array();
            size_t o = 0;
            for (size_t i = 0; i < k; i++) {
                json_t *js = json_string(names[i]);
                json_array_append_new(arr, js ? js : json_string("?"));
                if (o < sizeof summary - 1)
                    o += (size_t)snprintf(summary + o, sizeof summary - o, "%s%s", i ? ", " : "names: ", names[i]);
                free(names[i]);
            }
            json_object_set_new(extra, "names", arr);
        } else if (b && (a == UM_ART_AUTORUN_INF || a == UM_ART_DESKTOP_INI)) {
            snprintf(summary, sizeof summary, "%.*s", (int)(n < 300 ? n : 300), (const char *)b);
        } else if (b && a == UM_ART_THUMBS_DB && n >= 8 && !memcmp(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8)) {
            char *names[MAX_LISTED];
            size_t k = um_drive_thumbs_names(b, n, names, MAX_LISTED);
            json_t *arr = json_array();
            size_t o = (size_t)snprintf(summary, sizeof summary, "thumbnail cache, %llu bytes",
                                        (unsigned long long)st.st_size);
            for (size_t i = 0; i < k; i++) {
                json_t *js = json_string(names[i]);
                json_array_append_new(arr, js ? js : json_string("?"));
                if (o < sizeof summary - 1)
                    o += (size_t)snprintf(summary + o, sizeof summary - o, "%s%s", i ? ", " : "; pictures: ", names[i]);
                free(names[i]);
            }
            json_object_set_new(extra, "names", arr);
        } else if (b && a == UM_ART_APPLEDOUBLE && n >= 4 && ld_u32be(b) == 0x00051607) {
            bool attrs = memmem(b, n, "ATTR", 4) != NULL;
            bool where = memmem(b, n, "kMDItemWhereFroms", 17) != NULL;
            bool quar = memmem(b, n, "com.apple.quarantine", 20) != NULL;
            size_t o = (size_t)snprintf(summary, sizeof summary, "AppleDouble%s%s%s",
                                        attrs ? " with extended attributes" : "",
                                        where ? "; download source (kMDItemWhereFroms)" : "",
                                        quar ? "; quarantine record (downloading app)" : "");
            /* The download source is a binary plist of URL strings: quote the first. */
            const uint8_t *u = memmem(b, n, "http", 4);
            if (u && (size_t)(b + n - u) > 8 && (!memcmp(u, "https://", 8) || !memcmp(u, "http://", 7))) {
                size_t l = 0;
                while (u + l < b + n && l < 200 && u[l] > 0x20 && u[l] < 0x7F) l++;
                if (o < sizeof summary)
                    snprintf(summary + o, sizeof summary - o, "; URL %.*s", (int)l, (const char *)u);
                json_object_set_new(extra, "url", json_stringn((const char *)u, l));
            }
        }
        free(b);
        if (!summary[0]) snprintf(summary, sizeof summary, "%llu bytes", (unsigned long long)st.st_size);
    }
    char where[80];
    snprintf(where, sizeof where, "os_artifact/%s", um_drive_artifact_name(a));
    enum um_severity sev = artifact_info[a].sev;
    int i = um_drive_add_finding(res, UM_K_OS_ARTIFACT, sev ? sev : UM_SEV_MEDIUM, where,
                                 um_drive_artifact_name(a), summary, 0, 0);
    if (i < 0) {
        json_decref(extra);
        return i;
    }
    struct um_finding *f = um_vec_at(&res->findings, (size_t)i);
    json_object_set_new(extra, "reveals", json_string(artifact_info[a].reveals ? artifact_info[a].reveals : ""));
    f->extra = extra;
    f->removable = true;
    int err = 0;
    struct um_edit *e = um_vec_push(&res->edits, &err);
    if (!e) return err;
    e->op = UM_OP_DELETE;
    e->offset = 0;
    e->length = res->size;
    e->finding = (size_t)i;
    res->status = UM_ST_FOUND;
    return 0;
}

/* ---- extended attributes ---- */

#define MAX_XATTR_LIST 65536
#define MAX_XATTR_VALUE 4096

static enum um_severity xattr_severity(const char *name)
{
    static const char *const high[] = { "origin", "referrer", "url", "wherefroms", "quarantine", "author",
                                        "creator", "publisher", "comment" };
    if (strncmp(name, "user.", 5)) return UM_SEV_INFO;
    for (size_t i = 0; i < sizeof high / sizeof *high; i++)
        if (strcasestr(name, high[i])) return UM_SEV_HIGH;
    return UM_SEV_MEDIUM;
}

int um_drive_xattrs(int fd, struct um_file_result *res)
{
    char *list = NULL;
    ssize_t len = 0;
    for (int tries = 0; tries < 3; tries++) {
        len = flistxattr(fd, NULL, 0);
        if (len <= 0) break;
        if (len > MAX_XATTR_LIST) len = MAX_XATTR_LIST;
        free(list);
        if (!(list = malloc((size_t)len))) return -ENOMEM;
        len = flistxattr(fd, list, (size_t)len);
        if (len >= 0 || errno != ERANGE) break;
    }
    if (len < 0) {
        int e = errno;
        free(list);
        return e == ENOTSUP || e == ENODATA || e == ERANGE ? 0 : -e;
    }
    int added = 0;
    for (ssize_t o = 0; o < len;) {
        const char *name = list + o;
        size_t nl = strnlen(name, (size_t)(len - o));
        o += (ssize_t)nl + 1;
        if (!nl || (size_t)o > (size_t)len + 1) break;
        char value[MAX_XATTR_VALUE + 1];
        ssize_t vl = fgetxattr(fd, name, value, MAX_XATTR_VALUE);
        if (vl < 0 && errno == ERANGE) {
            strcpy(value, "(longer than 4096 bytes)");
            vl = (ssize_t)strlen(value);
        }
        if (vl < 0) vl = 0;
        char *v = um_sanitize_value((const uint8_t *)value, (size_t)vl);
        char where[300];
        snprintf(where, sizeof where, "xattr/%.280s", name);
        enum um_severity sev = xattr_severity(name);
        int i = um_drive_add_finding(res, UM_K_XATTR, sev, where, name, v ? v : "", 0, 0);
        free(v);
        if (i < 0) {
            free(list);
            return i;
        }
        struct um_finding *f = um_vec_at(&res->findings, (size_t)i);
        /* Only user attributes are ours to remove; the others belong to the system
         * (SELinux labels, capabilities, ACLs) and are reported for completeness. */
        f->removable = !strncmp(name, "user.", 5);
        if (!f->removable) f->note = strdup("system attribute: reported only");
        added++;
        if (sev > UM_SEV_INFO && res->status == UM_ST_CLEAN) res->status = UM_ST_FOUND;
    }
    free(list);
    return added;
}

/* ---- timestamps ---- */

#define MAX_TIMES (16u << 20)
#define BURST_WINDOW 600            /* seconds: "written within a few minutes" */
#define FUTURE_GRACE 300            /* seconds of clock skew forgiven */

struct um_drive_times {
    int64_t *t;
    size_t n, cap;
    uint64_t dropped;
};

struct um_drive_times *um_drive_times_new(void) { return calloc(1, sizeof(struct um_drive_times)); }

void um_drive_times_free(struct um_drive_times *t)
{
    if (!t) return;
    free(t->t);
    free(t);
}

void um_drive_times_add(struct um_drive_times *t, const struct stat *st)
{
    if (!t || !st) return;
    if (t->n == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 1024;
        int64_t *nt = ncap <= MAX_TIMES ? realloc(t->t, ncap * sizeof *nt) : NULL;
        if (!nt) {
            t->dropped++;
            return;
        }
        t->t = nt;
        t->cap = ncap;
    }
    t->t[t->n++] = (int64_t)st->st_mtim.tv_sec;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int um_drive_times_finish(struct um_drive_times *t, time_t now, const char *path, struct um_file_result *res)
{
    free(res->path);
    res->path = strdup(path);
    if (!res->path) return -ENOMEM;
    res->format = "drive";
    res->scanned = true;
    if (!t || t->n < 3) return 0;
    qsort(t->t, t->n, sizeof *t->t, cmp_i64);
    /* The densest window of BURST_WINDOW seconds (two pointers over sorted times). */
    size_t best = 0, best_lo = 0;
    for (size_t lo = 0, hi = 0; hi < t->n; hi++) {
        while (t->t[hi] - t->t[lo] > BURST_WINDOW) lo++;
        if (hi - lo + 1 > best) best = hi - lo + 1, best_lo = lo;
    }
    char text[300];
    int i;
    /* A burst at one whole hour, to the second, is a date set on purpose (scrub --times
     * fixed), not a moment of writing. */
    bool deliberate = t->t[best_lo] == t->t[best_lo + best - 1] && t->t[best_lo] % 3600 == 0;
    if (best * 2 > t->n && !deliberate) {
        char *a = fmt_time(t->t[best_lo]), *b = fmt_time(t->t[best_lo + best - 1]);
        snprintf(text, sizeof text, "%zu of %zu files last modified between %s and %s", best, t->n,
                 a ? a : "?", b ? b : "?");
        free(a);
        free(b);
        i = um_drive_add_finding(res, UM_K_TIMESTAMP, UM_SEV_MEDIUM, "drive", "write_burst", text, 0, 0);
        if (i < 0) return i;
        struct um_finding *f = um_vec_at(&res->findings, (size_t)i);
        f->note = strdup("dates when the drive was prepared; scrub --times fixed sets every time to one date");
        f->extra = json_pack("{s:I, s:I, s:I, s:I}", "files", (json_int_t)best, "of", (json_int_t)t->n,
                             "from", (json_int_t)t->t[best_lo], "to", (json_int_t)t->t[best_lo + best - 1]);
    }
    size_t future = 0;
    for (size_t k = t->n; k > 0 && t->t[k - 1] > (int64_t)now + FUTURE_GRACE; k--) future++;
    if (future) {
        int64_t ahead = t->t[t->n - 1] - (int64_t)now;
        snprintf(text, sizeof text, "%zu files modified in the future, up to %lld h %02lld min ahead", future,
                 (long long)(ahead / 3600), (long long)(ahead % 3600 / 60));
        i = um_drive_add_finding(res, UM_K_TIMESTAMP, UM_SEV_MEDIUM, "drive", "future_times", text, 0, 0);
        if (i < 0) return i;
        struct um_finding *f = um_vec_at(&res->findings, (size_t)i);
        f->note = strdup("a writer's clock set wrong, or local times written in a time zone east of this one");
        f->extra = json_pack("{s:I, s:I}", "files", (json_int_t)future, "seconds_ahead", (json_int_t)ahead);
    }
    if (res->findings.len) res->status = UM_ST_FOUND;
    return 0;
}

/* ---- mount points ---- */

void um_drive_unescape_mountinfo(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' && p[3] <= '7') {
            *o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
            p += 3;
        } else {
            *o++ = *p;
        }
    }
    *o = 0;
}

int um_drive_mount_source(const char *path, char *dev, size_t devsz, char *fstype, size_t fssz)
{
    char real[PATH_MAX];
    struct stat st;
    if (!realpath(path, real)) return -errno;
    /* A drive is mounted on a directory: a film named alone is not read against the
     * whole mount table (it costs a single-film run a third of a millisecond). */
    if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) return UM_E_UNSUPPORTED;
    FILE *f = fopen("/proc/self/mountinfo", "r");
    if (!f) return -errno;
    char *line = NULL;
    size_t cap = 0;
    int r = UM_E_UNSUPPORTED;
    while (getline(&line, &cap, f) > 0) {
        char point[PATH_MAX], fs[64], src[PATH_MAX];
        char *dash = strstr(line, " - ");
        if (!dash || sscanf(line, "%*u %*u %*s %*s %4095s", point) != 1) continue;
        if (sscanf(dash + 3, "%63s %4095s", fs, src) != 2) continue;
        um_drive_unescape_mountinfo(point);
        if (strcmp(point, real) != 0) continue;
        um_drive_unescape_mountinfo(src);
        snprintf(dev, devsz, "%s", src);
        snprintf(fstype, fssz, "%s", fs);
        r = 0;   /* the last matching line is the mount on top: keep reading */
    }
    free(line);
    fclose(f);
    return r;
}
