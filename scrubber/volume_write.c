/* Rewriting volume identity consistently (see volume_write.h). Layouts as in
 * scanner/volume.c: FAT BPB serial/label (FAT32 also in the backup boot sector), the
 * FAT root directory's label entry (its date is set to 2000-01-01, the format date
 * being a trace of its own), the FAT OEM name (set to Windows' "MSDOS5.0"); exFAT VolumeSerialNumber in the main and backup boot
 * regions with the boot checksum sector rewritten (bytes 106, 107 and 112 of sector 0
 * are excluded from the sum), the label entry (0x83) and the volume GUID entry (0xA0,
 * with its set checksum); NTFS serial in the boot sector and its backup in the last
 * sector, and the label in the $Volume record's $VOLUME_NAME attribute, in $MFTMirr
 * first and then in $MFT, each with its update sequence redone. */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../common/bytes.h"
#include "../common/error.h"
#include "../common/io.h"
#include "../scanner/drive.h"
#include "volume_write.h"

#define FIXED_FAT_DATE ((20u << 9) | (1u << 5) | 1u)   /* 2000-01-01 */

int um_volume_parse_serial(const char *s, struct um_volume_change *c)
{
    c->set_serial = true;
    c->random_serial = false;
    c->serial = 0;
    if (!strcmp(s, "random")) {
        c->random_serial = true;
        return 0;
    }
    if (!strcasecmp(s, "zero")) return 0;
    unsigned digits = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '-' && p != s && p[1]) continue;
        if (!isxdigit((unsigned char)*p) || ++digits > 16) return UM_E_FORMAT;
        int d = isdigit((unsigned char)*p) ? *p - '0' : (tolower((unsigned char)*p) - 'a' + 10);
        c->serial = c->serial << 4 | (uint64_t)d;
    }
    return digits ? 0 : UM_E_FORMAT;
}

/* ---- the mounted check ---- */

/* True when a file system with device number dev is mounted; its mount point into mp. */
static bool dev_mounted(dev_t dev, char *mp, size_t n)
{
    FILE *f = fopen("/proc/self/mountinfo", "r");
    if (!f) return false;
    char *line = NULL;
    size_t cap = 0;
    bool found = false;
    while (!found && getline(&line, &cap, f) > 0) {
        unsigned maj, min;
        char point[4096];
        if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min, point) != 3) continue;
        if (makedev(maj, min) == dev) {
            um_drive_unescape_mountinfo(point);
            snprintf(mp, n, "%.500s", point);
            found = true;
        }
    }
    free(line);
    fclose(f);
    return found;
}

int um_volume_check_unmounted(int fd, char *why, size_t n)
{
    struct stat st;
    char mp[512];
    if (fstat(fd, &st) != 0) return -errno;
    if (S_ISBLK(st.st_mode)) {
        if (dev_mounted(st.st_rdev, mp, sizeof mp)) {
            snprintf(why, n, "the device is mounted on %s: unmount it first", mp);
            return -EBUSY;
        }
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, n, "neither a block device nor an image file");
        return UM_E_UNSUPPORTED;
    }
    /* An image may be attached to a loop device (and mounted through it). */
    DIR *d = opendir("/sys/block");
    if (!d) return 0;
    struct dirent *de;
    int err = 0;
    while (!err && (de = readdir(d))) {
        if (strncmp(de->d_name, "loop", 4)) continue;
        char p[300], back[4096];
        snprintf(p, sizeof p, "/sys/block/%s/loop/backing_file", de->d_name);
        FILE *f = fopen(p, "r");
        if (!f) continue;
        if (fgets(back, sizeof back, f)) {
            back[strcspn(back, "\n")] = 0;
            struct stat bs;
            if (stat(back, &bs) == 0 && bs.st_dev == st.st_dev && bs.st_ino == st.st_ino) {
                snprintf(why, n, "the image is attached to /dev/%s: detach it first", de->d_name);
                err = -EBUSY;
            }
        }
        fclose(f);
    }
    closedir(d);
    return err;
}

/* ---- helpers ---- */

static uint64_t random_u64(void)
{
    uint64_t v = 0;
    while (getrandom(&v, sizeof v, 0) != sizeof v) {
        if (errno != EINTR) break;
    }
    return v;
}

/* A FAT label: 11 bytes, upper case, space padded, characters FAT allows. */
static int fat_label(const char *in, uint8_t out[11], char *why, size_t n)
{
    size_t len = strlen(in);
    if (len > 11) {
        snprintf(why, n, "a FAT label has at most 11 characters");
        return UM_E_FORMAT;
    }
    memset(out, ' ', 11);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x20 || c >= 0x7F) {
            snprintf(why, n, "a FAT label must be plain ASCII");
            return UM_E_FORMAT;
        }
        if (strchr("\"*+,./:;<=>?[\\]|", c)) c = '_';
        out[i] = (uint8_t)toupper(c);
    }
    if (out[0] == ' ') {
        snprintf(why, n, "a FAT label must not start with a space");
        return UM_E_FORMAT;
    }
    return 0;
}

/* UTF-8 to at most `max` UTF-16LE units (BMP only). Returns the count or -1. */
static int utf16_label(const char *in, uint8_t *out, int max)
{
    int k = 0;
    const unsigned char *p = (const unsigned char *)in;
    while (*p) {
        uint32_t c;
        if (p[0] < 0x80) c = *p++;
        else if ((p[0] & 0xE0) == 0xC0 && (p[1] & 0xC0) == 0x80) c = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F), p += 2;
        else if ((p[0] & 0xF0) == 0xE0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80)
            c = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F), p += 3;
        else return -1;
        if (c < 0x20 || (c >= 0xD800 && c <= 0xDFFF) || k >= max) return -1;
        out[2 * k] = (uint8_t)c;
        out[2 * k + 1] = (uint8_t)(c >> 8);
        k++;
    }
    return k;
}

/* Writes the new serial (and FAT label) into one boot sector. */
static void patch_boot(uint8_t *s, const struct um_volume *v, uint64_t serial, bool set_serial,
                       const uint8_t *label11)
{
    if (set_serial && v->serial_len == 4) {
        uint32_t x = (uint32_t)serial;
        for (int i = 0; i < 4; i++) s[v->serial_off + i] = (uint8_t)(x >> (8 * i));
    } else if (set_serial && v->serial_len == 8) {
        for (int i = 0; i < 8; i++) s[v->serial_off + i] = (uint8_t)(serial >> (8 * i));
    }
    if (label11 && v->has_bpb_label) memcpy(s + v->bpb_label_off, label11, 11);
    /* FAT's OEM name is free text that names the formatting tool ("mkfs.fat" says
     * Linux); the name Windows writes is the least telling. */
    if (v->type == UM_VOL_FAT12 || v->type == UM_VOL_FAT16 || v->type == UM_VOL_FAT32) memcpy(s + 3, "MSDOS5.0", 8);
}

/* ---- FAT ---- */

static int rewrite_fat(int fd, const struct um_volume *v, const struct um_volume_change *c, uint64_t serial,
                       char *why, size_t n)
{
    uint8_t s0[4096], bk[4096], label[11], e[32];
    const uint8_t *lbl = NULL;
    uint32_t ss = v->sector_size;
    int err;
    if (c->set_label) {
        if (c->label[0]) {
            if ((err = fat_label(c->label, label, why, n))) return err;
        } else {
            memcpy(label, "NO NAME    ", 11);
        }
        lbl = label;
    }
    if ((err = um_pread_all(fd, s0, ss, 0))) return err;
    if (v->backup_off) {
        /* FAT32 backup boot sector: written and synced before the primary. */
        if ((err = um_pread_all(fd, bk, ss, v->backup_off))) return err;
        if (bk[510] == 0x55 && bk[511] == 0xAA && !memcmp(bk + 3, s0 + 3, 8)) {
            patch_boot(bk, v, serial, c->set_serial, lbl);
            if ((err = um_pwrite_all(fd, bk, ss, v->backup_off)) || (err = um_fsync(fd))) return err;
        }
    }
    patch_boot(s0, v, serial, c->set_serial, lbl);
    if ((err = um_pwrite_all(fd, s0, ss, 0)) || (err = um_fsync(fd))) return err;

    /* The root directory's label entry: new name, and the format date neutralised. */
    if (v->has_root_label) {
        if ((err = um_pread_all(fd, e, 32, v->root_label_off))) return err;
        if (c->set_label && !c->label[0]) {
            memset(e, 0, 32);
            e[0] = 0xE5;   /* deleted; the old name is not left behind */
        } else {
            if (lbl) memcpy(e, lbl, 11);
            memset(e + 13, 0, 9);          /* creation time/date, access date, high cluster */
            e[22] = e[23] = 0;             /* write time */
            e[24] = (uint8_t)FIXED_FAT_DATE;
            e[25] = (uint8_t)(FIXED_FAT_DATE >> 8);
        }
        if ((err = um_pwrite_all(fd, e, 32, v->root_label_off)) || (err = um_fsync(fd))) return err;
    } else if (lbl && c->label[0]) {
        if (!v->free_entry_off) {
            snprintf(why, n, "no free root directory entry for the label (boot sector label written)");
            return 0;
        }
        memset(e, 0, 32);
        memcpy(e, lbl, 11);
        e[11] = 0x08;
        e[24] = (uint8_t)FIXED_FAT_DATE;
        e[25] = (uint8_t)(FIXED_FAT_DATE >> 8);
        if ((err = um_pwrite_all(fd, e, 32, v->free_entry_off)) || (err = um_fsync(fd))) return err;
    }
    return 0;
}

/* ---- exFAT ---- */

static int rewrite_exfat_region(int fd, const struct um_volume *v, uint64_t base, uint64_t serial, bool check_oem)
{
    uint32_t ss = v->sector_size;
    size_t len = 12u * ss;
    uint8_t *r = malloc(len);
    if (!r) return -ENOMEM;
    int err = um_pread_all(fd, r, len, base);
    if (!err && check_oem && memcmp(r + 3, "EXFAT   ", 8)) err = UM_E_FORMAT;
    if (!err) {
        for (int i = 0; i < 4; i++) r[100 + i] = (uint8_t)(serial >> (8 * i));
        uint32_t sum = um_exfat_boot_checksum(r, ss);
        for (uint32_t i = 0; i < ss; i += 4)
            for (int k = 0; k < 4; k++) r[11u * ss + i + k] = (uint8_t)(sum >> (8 * k));
        err = um_pwrite_all(fd, r, len, base);
        if (!err) err = um_fsync(fd);
    }
    free(r);
    return err;
}

static uint16_t entry_set_checksum(const uint8_t *p, size_t n)
{
    uint16_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 2 || i == 3) continue;
        sum = (uint16_t)(((sum & 1) ? 0x8000 : 0) + (sum >> 1) + p[i]);
    }
    return sum;
}

static int rewrite_exfat(int fd, const struct um_volume *v, const struct um_volume_change *c, uint64_t serial,
                         char *why, size_t n)
{
    int err;
    uint8_t e[32];
    if (c->set_serial) {
        /* Backup region first: a crash in between leaves a valid old primary. */
        if ((err = rewrite_exfat_region(fd, v, v->backup_off, serial, true))) {
            if (err == UM_E_FORMAT) snprintf(why, n, "the backup boot region is not exFAT; not changed");
            return err;
        }
        if ((err = rewrite_exfat_region(fd, v, 0, serial, true))) return err;
        if (v->has_guid) {
            if ((err = um_pread_all(fd, e, 32, v->guid_off))) return err;
            if (e[0] == 0xA0 && e[1] == 0) {
                for (int i = 0; i < 16; i += 8) {
                    uint64_t r = c->random_serial ? random_u64() : 0;
                    memcpy(e + 6 + i, &r, 8);
                }
                uint16_t sum = entry_set_checksum(e, 32);
                e[2] = (uint8_t)sum;
                e[3] = (uint8_t)(sum >> 8);
                if ((err = um_pwrite_all(fd, e, 32, v->guid_off)) || (err = um_fsync(fd))) return err;
            }
        }
    }
    if (c->set_label) {
        uint64_t off = v->root_label_off ? v->root_label_off : v->free_entry_off;
        memset(e, 0, 32);
        int k = utf16_label(c->label, e + 2, 11);
        if (k < 0) {
            snprintf(why, n, "an exFAT label has at most 11 characters");
            return UM_E_FORMAT;
        }
        if (!off) {
            snprintf(why, n, "no free root directory entry for the label");
            return UM_E_UNSUPPORTED;
        }
        e[0] = k ? 0x83 : 0x03;
        e[1] = (uint8_t)k;
        if ((err = um_pwrite_all(fd, e, 32, off)) || (err = um_fsync(fd))) return err;
    }
    return 0;
}

/* ---- NTFS ---- */

/* Rewrites the resident $VOLUME_NAME attribute of the $Volume record (record 3) at
 * `off`: undo the update sequence, resize the attribute in place (later attributes
 * move), redo the update sequence with the next sequence number. */
static int ntfs_set_label_at(int fd, const struct um_volume *v, uint64_t off, const uint8_t *name, uint32_t nlen,
                             char *why, size_t n)
{
    uint32_t rs = v->mft_record_size;
    uint8_t *rec = malloc(rs);
    if (!rec) return -ENOMEM;
    int err = um_pread_all(fd, rec, rs, off);
    if (err) goto end;
    err = UM_E_FORMAT;
    snprintf(why, n, "the $Volume record is not as expected; label not changed");
    if (memcmp(rec, "FILE", 4)) goto end;
    uint16_t usa_off = ld_u16le(rec + 4), usa_cnt = ld_u16le(rec + 6);
    if (usa_cnt < 2 || !um_range_ok(usa_off, 2ull * usa_cnt, rs) || (uint64_t)(usa_cnt - 1) * 512 > rs) goto end;
    for (uint32_t i = 1; i < usa_cnt; i++) {
        if (memcmp(rec + i * 512 - 2, rec + usa_off, 2)) goto end;
        memcpy(rec + i * 512 - 2, rec + usa_off + 2 * i, 2);
    }
    uint32_t used = ld_u32le(rec + 0x18), alloc = ld_u32le(rec + 0x1C);
    if (used > rs || alloc > rs || used > alloc) goto end;
    uint32_t a = ld_u16le(rec + 0x14);
    for (int guard = 0; guard < 64; guard++) {
        if (!um_range_ok(a, 24, used)) goto end;
        uint32_t type = ld_u32le(rec + a), len = ld_u32le(rec + a + 4);
        if (type == 0xFFFFFFFFu || len < 24 || !um_range_ok(a, len, used)) goto end;
        if (type != 0x60) {
            a += len;
            continue;
        }
        uint16_t voff = ld_u16le(rec + a + 0x14);
        if (rec[a + 8] != 0 || voff < 24 || voff > len) goto end;   /* must be resident */
        uint32_t nalen = (voff + nlen + 7u) & ~7u;
        if ((uint64_t)used - len + nalen > alloc) {
            snprintf(why, n, "no room for a label this long in the $Volume record");
            goto end;
        }
        memmove(rec + a + nalen, rec + a + len, used - (a + len));
        uint32_t old_used = used;
        used = used - len + nalen;
        if (old_used > used) memset(rec + used, 0, old_used - used);   /* no leftovers of the old tail */
        memset(rec + a + voff, 0, nalen - voff);
        memcpy(rec + a + voff, name, nlen);
        rec[a + 4] = (uint8_t)nalen, rec[a + 5] = (uint8_t)(nalen >> 8), rec[a + 6] = rec[a + 7] = 0;
        for (int k = 0; k < 4; k++) rec[a + 0x10 + k] = (uint8_t)(nlen >> (8 * k));
        for (int k = 0; k < 4; k++) rec[0x18 + k] = (uint8_t)(used >> (8 * k));
        /* Update sequence: next number; each stride's last two bytes go into the array. */
        uint16_t usn = (uint16_t)(ld_u16le(rec + usa_off) + 1);
        if (usn == 0 || usn == 0xFFFF) usn = 1;
        rec[usa_off] = (uint8_t)usn, rec[usa_off + 1] = (uint8_t)(usn >> 8);
        for (uint32_t i = 1; i < usa_cnt; i++) {
            memcpy(rec + usa_off + 2 * i, rec + i * 512 - 2, 2);
            memcpy(rec + i * 512 - 2, rec + usa_off, 2);
        }
        why[0] = 0;
        err = um_pwrite_all(fd, rec, rs, off);
        if (!err) err = um_fsync(fd);
        goto end;
    }
end:
    free(rec);
    return err;
}

static int rewrite_ntfs_label(int fd, const struct um_volume *v, const char *label, char *why, size_t n)
{
    uint8_t s0[512], name[256];
    int err = um_pread_all(fd, s0, 512, 0);
    if (err) return err;
    int units = utf16_label(label, name, 128);
    if (units < 0) {
        snprintf(why, n, "an NTFS label has at most 128 characters");
        return UM_E_FORMAT;
    }
    uint64_t mirr = ld_u64le(s0 + 0x38);
    if (!v->mft_record_size || !v->cluster_size || mirr > UINT64_MAX / v->cluster_size / 2) return UM_E_FORMAT;
    /* $MFTMirr holds copies of the first records, $Volume among them: mirror first. */
    uint64_t mirr_off = mirr * v->cluster_size + 3ull * v->mft_record_size;
    if ((err = ntfs_set_label_at(fd, v, mirr_off, name, 2u * (uint32_t)units, why, n))) return err;
    return ntfs_set_label_at(fd, v, v->root_off, name, 2u * (uint32_t)units, why, n);
}

static int rewrite_ntfs(int fd, const struct um_volume *v, const struct um_volume_change *c, uint64_t serial,
                        char *why, size_t n)
{
    uint8_t s0[4096], bk[4096];
    uint32_t ss = v->sector_size;
    int err;
    if (c->set_label && (err = rewrite_ntfs_label(fd, v, c->label, why, n))) return err;
    if (!c->set_serial) return 0;
    if ((err = um_pread_all(fd, s0, ss, 0))) return err;
    if (v->backup_off) {
        if ((err = um_pread_all(fd, bk, ss, v->backup_off))) {
            snprintf(why, n, "cannot read the backup boot sector (image shorter than the volume?)");
            return err;
        }
        if (!memcmp(bk + 3, "NTFS    ", 8)) {
            patch_boot(bk, v, serial, true, NULL);
            if ((err = um_pwrite_all(fd, bk, ss, v->backup_off)) || (err = um_fsync(fd))) return err;
        }
    }
    patch_boot(s0, v, serial, true, NULL);
    if ((err = um_pwrite_all(fd, s0, ss, 0)) || (err = um_fsync(fd))) return err;
    return 0;
}

int um_volume_rewrite(int fd, const struct um_volume *v, const struct um_volume_change *c, char *why, size_t n)
{
    if (n) why[0] = 0;
    int err = um_volume_check_unmounted(fd, why, n);
    if (err) return err;
    if (v->sector_size > 4096 || v->sector_size < 512) return UM_E_UNSUPPORTED;
    uint64_t serial = c->random_serial ? random_u64() : c->serial;
    if (v->serial_len == 4) {
        if (!c->random_serial && serial > 0xFFFFFFFFu) {
            snprintf(why, n, "this volume's serial has 8 hex digits at most");
            return UM_E_RANGE;
        }
        serial &= 0xFFFFFFFFu;
    }
    if (c->set_serial && !v->serial_len && v->type != UM_VOL_EXFAT) {
        snprintf(why, n, "this volume has no serial number field");
        return UM_E_UNSUPPORTED;
    }
    switch (v->type) {
    case UM_VOL_FAT12: case UM_VOL_FAT16: case UM_VOL_FAT32: return rewrite_fat(fd, v, c, serial, why, n);
    case UM_VOL_EXFAT: return rewrite_exfat(fd, v, c, serial, why, n);
    case UM_VOL_NTFS: return rewrite_ntfs(fd, v, c, serial, why, n);
    default: return UM_E_UNSUPPORTED;
    }
}

/* ---- every directory ---- */

static int write_dir_bytes(void *opaque, uint64_t off, const uint8_t *p, size_t n)
{
    return um_pwrite_all(*(int *)opaque, p, n, off);
}

int um_volume_fix_dirs(int fd, struct um_volume *v, const struct um_volume_dirfix *fix,
                       struct um_volume_dirstats *st, char *why, size_t n)
{
    if (n) why[0] = 0;
    int err = um_volume_check_unmounted(fd, why, n);
    if (err) return err;
    err = um_volume_walk_dirs(fd, v, fix, write_dir_bytes, &fd, st);
    if (!err) err = um_fsync(fd);
    else snprintf(why, n, "rewriting directory entries failed");
    return err;
}
