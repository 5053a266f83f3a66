/* Volume identity: FAT12/16/32 (Microsoft EFI FAT32 File System Specification 1.03),
 * exFAT (Microsoft exFAT File System Specification, 2019) and NTFS boot sectors.
 * Finds the volume serial number (which Windows records in shortcut files and
 * registry keys of every machine the drive was plugged into, so it links a drive to
 * its preparer), the volume labels, the OEM name (which system formatted it), the
 * exFAT volume GUID, the date of the FAT volume label entry (when it was formatted),
 * the time-zone offsets exFAT stores next to every timestamp, and a backup boot
 * sector that still holds an older serial. Rewriting them is scrubber/volume_write.c.
 * Everything here is bounds-checked: the buffers come from an untrusted device. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "../common/bytes.h"
#include "../common/error.h"
#include "../common/io.h"
#include "drive.h"
#include "volume.h"

#define MAX_ROOT_BYTES (1u << 20)   /* root directory read at most this far */
#define MAX_SECTOR 4096

const char *um_volume_type_name(enum um_vol_type t)
{
    static const char *const n[] = { "unknown", "FAT12", "FAT16", "FAT32", "exFAT", "NTFS" };
    return (unsigned)t <= UM_VOL_NTFS ? n[t] : "unknown";
}

static bool pow2_in(uint32_t v, uint32_t lo, uint32_t hi)
{
    return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

/* 11 space-padded bytes to a trimmed C string (printable ASCII kept, others '?'). */
static void copy_padded(char *out, const uint8_t *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) out[k++] = p[i] >= 0x20 && p[i] < 0x7F ? (char)p[i] : p[i] ? '?' : ' ';
    while (k && out[k - 1] == ' ') k--;
    out[k] = 0;
}

/* UTF-16LE (n code units) to UTF-8, at most outsz-1 bytes. */
static void utf16_to_utf8(const uint8_t *p, size_t units, char *out, size_t outsz)
{
    size_t o = 0;
    for (size_t i = 0; i < units; i++) {
        uint32_t c = ld_u16le(p + 2 * i);
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units) {
            uint32_t d = ld_u16le(p + 2 * i + 2);
            if (d >= 0xDC00 && d <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (d - 0xDC00);
                i++;
            }
        }
        if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD;
        char buf[4];
        size_t l;
        if (c < 0x80) buf[0] = (char)c, l = 1;
        else if (c < 0x800) buf[0] = (char)(0xC0 | c >> 6), buf[1] = (char)(0x80 | (c & 0x3F)), l = 2;
        else if (c < 0x10000)
            buf[0] = (char)(0xE0 | c >> 12), buf[1] = (char)(0x80 | ((c >> 6) & 0x3F)),
            buf[2] = (char)(0x80 | (c & 0x3F)), l = 3;
        else
            buf[0] = (char)(0xF0 | c >> 18), buf[1] = (char)(0x80 | ((c >> 12) & 0x3F)),
            buf[2] = (char)(0x80 | ((c >> 6) & 0x3F)), buf[3] = (char)(0x80 | (c & 0x3F)), l = 4;
        if (o + l >= outsz) break;
        memcpy(out + o, buf, l);
        o += l;
    }
    out[o] = 0;
}

static int parse_fat(const uint8_t *p, size_t n, struct um_volume *v)
{
    uint32_t bps = ld_u16le(p + 11), spc = p[13], rsvd = ld_u16le(p + 14), nfats = p[16];
    uint32_t root_ents = ld_u16le(p + 17), tot16 = ld_u16le(p + 19), fatsz16 = ld_u16le(p + 22);
    uint32_t tot32 = ld_u32le(p + 32), fatsz32 = ld_u32le(p + 36);
    if (!pow2_in(bps, 512, MAX_SECTOR) || !pow2_in(spc, 1, 128) || !rsvd || !nfats || nfats > 4)
        return UM_E_FORMAT;
    if (p[21] != 0xF0 && p[21] < 0xF8) return UM_E_FORMAT;   /* media descriptor */
    uint64_t fatsz = fatsz16 ? fatsz16 : fatsz32;
    uint64_t tot = tot16 ? tot16 : tot32;
    uint64_t root_secs = ((uint64_t)root_ents * 32 + bps - 1) / bps;
    uint64_t meta = rsvd + (uint64_t)nfats * fatsz + root_secs;
    if (!fatsz || tot <= meta) return UM_E_FORMAT;
    uint64_t clusters = (tot - meta) / spc;
    v->sector_size = bps;
    v->total_sectors = tot;
    v->cluster_size = (uint64_t)bps * spc;
    v->cluster_count = clusters;
    v->fat_off = (uint64_t)rsvd * bps;
    uint32_t ext;   /* offset of the extended BPB (drive number, signature, serial...) */
    if (clusters < 4085) v->type = UM_VOL_FAT12;
    else if (clusters < 65525) v->type = UM_VOL_FAT16;
    else v->type = UM_VOL_FAT32;
    if (v->type == UM_VOL_FAT32) {
        if (fatsz16 || root_ents) return UM_E_FORMAT;
        ext = 0x40;
        v->root_cluster = ld_u32le(p + 44);
        uint32_t bk = ld_u16le(p + 50);
        if (bk && bk < rsvd) v->backup_off = (uint64_t)bk * bps;
        v->heap_off = meta * bps;
        if (v->root_cluster < 2 || v->root_cluster - 2 >= clusters) return UM_E_FORMAT;
        v->root_off = v->heap_off + (uint64_t)(v->root_cluster - 2) * v->cluster_size;
        v->root_len = v->cluster_size;
    } else {
        ext = 0x24;
        v->root_off = (rsvd + (uint64_t)nfats * fatsz) * bps;
        v->root_len = root_secs * bps;
        v->heap_off = meta * bps;
    }
    /* 0x29: serial and label follow; 0x28: serial only. */
    uint8_t sig = p[ext + 2];
    if (sig == 0x29 || sig == 0x28) {
        v->serial_off = ext + 3;
        v->serial = ld_u32le(p + v->serial_off);
        v->serial_len = 4;
    }
    if (sig == 0x29) {
        v->bpb_label_off = ext + 7;
        v->has_bpb_label = true;
        copy_padded(v->bpb_label, p + v->bpb_label_off, 11);
    }
    (void)n;
    return 0;
}

static int parse_exfat(const uint8_t *p, size_t n, struct um_volume *v)
{
    uint8_t bps_shift = p[108], spc_shift = p[109];
    if (bps_shift < 9 || bps_shift > 12 || spc_shift > 25 - bps_shift) return UM_E_FORMAT;
    for (size_t i = 11; i < 64; i++)
        if (p[i]) return UM_E_FORMAT;   /* MustBeZero */
    v->type = UM_VOL_EXFAT;
    v->sector_size = 1u << bps_shift;
    v->cluster_size = (uint64_t)v->sector_size << spc_shift;
    v->total_sectors = ld_u64le(p + 72);
    v->fat_off = (uint64_t)ld_u32le(p + 80) * v->sector_size;
    v->heap_off = (uint64_t)ld_u32le(p + 88) * v->sector_size;
    v->cluster_count = ld_u32le(p + 92);
    v->root_cluster = ld_u32le(p + 96);
    v->serial_off = 100;
    v->serial = ld_u32le(p + 100);
    v->serial_len = 4;
    v->backup_off = 12ull * v->sector_size;
    if (v->root_cluster < 2 || v->root_cluster - 2 >= v->cluster_count) return UM_E_FORMAT;
    v->root_off = v->heap_off + (uint64_t)(v->root_cluster - 2) * v->cluster_size;
    v->root_len = v->cluster_size;
    (void)n;
    return 0;
}

static int parse_ntfs(const uint8_t *p, size_t n, struct um_volume *v)
{
    uint32_t bps = ld_u16le(p + 11);
    uint8_t spc_raw = p[13];
    if (!pow2_in(bps, 256, MAX_SECTOR)) return UM_E_FORMAT;
    uint64_t spc = spc_raw <= 0x80 ? spc_raw : spc_raw >= 0xF4 ? 1ull << (256 - spc_raw) : 0;
    if (!spc || (spc & (spc - 1))) return UM_E_FORMAT;
    v->type = UM_VOL_NTFS;
    v->sector_size = bps;
    v->cluster_size = spc * bps;
    v->total_sectors = ld_u64le(p + 0x28);
    int8_t rec = (int8_t)p[0x40];
    uint64_t recsz = rec > 0 ? (uint64_t)rec * v->cluster_size : rec < 0 && rec >= -31 ? 1ull << -rec : 0;
    if (recsz < 256 || recsz > 65536) return UM_E_FORMAT;
    v->mft_record_size = (uint32_t)recsz;
    uint64_t mft_lcn = ld_u64le(p + 0x30);
    if (mft_lcn > UINT64_MAX / v->cluster_size / 2) return UM_E_FORMAT;
    v->root_off = mft_lcn * v->cluster_size + 3 * recsz;   /* $Volume is record 3 */
    v->root_len = recsz;
    v->serial_off = 0x48;
    v->serial = ld_u64le(p + 0x48);
    v->serial_len = 8;
    /* The backup boot sector is the last sector of the partition, which is the
     * sector after the ones the BPB counts. */
    if (v->total_sectors && v->total_sectors < UINT64_MAX / bps) v->backup_off = v->total_sectors * bps;
    (void)n;
    return 0;
}

int um_volume_parse_boot(const uint8_t *p, size_t n, struct um_volume *v)
{
    memset(v, 0, sizeof *v);
    if (n < 512) return UM_E_TRUNC;
    memcpy(v->oem, p + 3, 8);
    for (int i = 0; i < 8; i++)
        if (v->oem[i] && ((uint8_t)v->oem[i] < 0x20 || (uint8_t)v->oem[i] >= 0x7F)) v->oem[i] = '?';
    v->oem[8] = 0;
    if (p[510] != 0x55 || p[511] != 0xAA) return UM_E_FORMAT;
    int r;
    if (!memcmp(p + 3, "EXFAT   ", 8)) r = parse_exfat(p, n, v);
    else if (!memcmp(p + 3, "NTFS    ", 8)) r = parse_ntfs(p, n, v);
    else if (p[0] == 0xEB || p[0] == 0xE9) r = parse_fat(p, n, v);
    else r = UM_E_FORMAT;
    if (r) v->type = UM_VOL_UNKNOWN;
    return r;
}

static void add_tz(struct um_volume *v, uint8_t raw)
{
    if (!(raw & 0x80)) return;               /* OffsetValid clear */
    int q = raw & 0x7F;
    if (q & 0x40) q -= 0x80;                 /* 7-bit two's complement, 15-minute units */
    for (unsigned i = 0; i < v->ntz; i++)
        if (v->tz[i] == q) {
            v->tz_count[i]++;
            return;
        }
    if (v->ntz < UM_VOL_MAX_TZ) {
        v->tz[v->ntz] = q;
        v->tz_count[v->ntz++] = 1;
    }
}

bool um_volume_mbr_first(const uint8_t *s0, unsigned *number, uint8_t *type, uint32_t *start)
{
    if (s0[510] != 0x55 || s0[511] != 0xAA) return false;
    for (unsigned i = 0; i < 4; i++) {
        const uint8_t *e = s0 + 446 + 16 * i;
        if ((e[0] & 0x7F) || !e[4] || !ld_u32le(e + 8) || !ld_u32le(e + 12)) continue;   /* status, type, start, size */
        *number = i + 1, *type = e[4], *start = ld_u32le(e + 8);
        return true;
    }
    return false;
}

int um_volume_parse_root(struct um_volume *v, const uint8_t *p, size_t n, uint64_t abs)
{
    for (size_t off = 0; off + 32 <= n; off += 32) {
        const uint8_t *e = p + off;
        if (v->type == UM_VOL_EXFAT) {
            uint8_t t = e[0];
            if (t == 0x00) {
                if (!v->free_entry_off) v->free_entry_off = abs + off;
                v->root_end_seen = true;
                return 1;
            }
            if (t == 0x83 || (t == 0x03 && !v->has_root_label)) {
                unsigned cnt = e[1] > 11 ? 11 : e[1];
                v->root_label_off = abs + off;
                v->has_root_label = t == 0x83;
                if (t == 0x83) utf16_to_utf8(e + 2, cnt, v->root_label, sizeof v->root_label);
            } else if (t == 0xA0) {
                v->has_guid = true;
                memcpy(v->guid, e + 6, 16);
                v->guid_off = abs + off;
            } else if (t == 0x85) {
                add_tz(v, e[22]);
                add_tz(v, e[23]);
                add_tz(v, e[24]);
            } else if (!(t & 0x80) && !v->free_entry_off) {
                v->free_entry_off = abs + off;   /* an unused (deleted) entry */
            }
        } else {
            uint8_t c = e[0], attr = e[11];
            if (c == 0x00) {
                if (!v->free_entry_off) v->free_entry_off = abs + off;
                v->root_end_seen = true;
                return 1;
            }
            if (c == 0xE5) {
                if (!v->free_entry_off) v->free_entry_off = abs + off;
                continue;
            }
            if ((attr & 0x3F) == 0x0F) continue;   /* long-name entry */
            if ((attr & 0x08) && !(attr & 0x10) && !v->has_root_label) {
                v->has_root_label = true;
                v->root_label_off = abs + off;
                copy_padded(v->root_label, e, 11);
                v->label_time = ld_u16le(e + 22);
                v->label_date = ld_u16le(e + 24);
            }
        }
    }
    return 0;
}

int um_volume_parse_ntfs_volume_record(struct um_volume *v, uint8_t *rec, size_t n, uint64_t abs)
{
    if (n < 48 || memcmp(rec, "FILE", 4)) return UM_E_FORMAT;
    uint16_t usa_off = ld_u16le(rec + 4), usa_cnt = ld_u16le(rec + 6);
    uint32_t stride = 512;
    /* Update sequence: the last two bytes of every 512-byte stride were swapped out
     * for the sequence number; put the saved bytes back. */
    if (usa_cnt < 1 || !um_range_ok(usa_off, 2ull * usa_cnt, n) || (uint64_t)(usa_cnt - 1) * stride > n)
        return UM_E_FORMAT;
    for (uint32_t i = 1; i < usa_cnt; i++) {
        uint8_t *end = rec + i * stride - 2;
        if (memcmp(end, rec + usa_off, 2)) return UM_E_FORMAT;   /* torn write */
        memcpy(end, rec + usa_off + 2 * i, 2);
    }
    uint32_t a = ld_u16le(rec + 0x14);
    for (int guard = 0; guard < 64 && um_range_ok(a, 16, n); guard++) {
        uint32_t type = ld_u32le(rec + a), len = ld_u32le(rec + a + 4);
        if (type == 0xFFFFFFFFu || len < 16 || !um_range_ok(a, len, n)) break;
        if (type == 0x10 && rec[a + 8] == 0 && len >= 24) {   /* $STANDARD_INFORMATION */
            uint32_t vlen = ld_u32le(rec + a + 0x10);
            uint16_t voff = ld_u16le(rec + a + 0x14);
            if (vlen >= 8 && um_range_ok(voff, 8, len)) {
                uint64_t ft = ld_u64le(rec + a + voff);   /* FILETIME: 100 ns since 1601 */
                if (ft > 116444736000000000ull) v->ntfs_created = (int64_t)((ft - 116444736000000000ull) / 10000000ull);
            }
        }
        if (type == 0x60 && rec[a + 8] == 0 && len >= 24) {   /* resident $VOLUME_NAME */
            uint32_t vlen = ld_u32le(rec + a + 0x10);
            uint16_t voff = ld_u16le(rec + a + 0x14);
            if (um_range_ok(voff, vlen, len)) {
                v->has_root_label = true;
                v->root_label_off = abs + a + voff;
                v->root_label_len = vlen;
                utf16_to_utf8(rec + a + voff, vlen / 2, v->root_label, sizeof v->root_label);
            }
            return 0;
        }
        a += len;
    }
    return 0;
}

uint32_t um_exfat_boot_checksum(const uint8_t *region, uint32_t sector_size)
{
    uint32_t sum = 0;
    for (uint64_t i = 0; i < 11ull * sector_size; i++) {
        if (i == 106 || i == 107 || i == 112) continue;   /* VolumeFlags, PercentInUse */
        sum = ((sum & 1) ? 0x80000000u : 0) + (sum >> 1) + region[i];
    }
    return sum;
}

/* Next cluster in a FAT32/exFAT chain, or 0 at the end or on anything odd. */
static uint32_t next_cluster(int fd, const struct um_volume *v, uint32_t c)
{
    uint8_t b[4];
    if (um_pread_all(fd, b, 4, v->fat_off + 4ull * c)) return 0;
    uint32_t nx = ld_u32le(b);
    if (v->type == UM_VOL_FAT32) nx &= 0x0FFFFFFF;
    if (nx < 2 || nx - 2 >= v->cluster_count) return 0;
    return nx;
}

int um_volume_read(int fd, struct um_volume *v)
{
    uint8_t s0[MAX_SECTOR];
    int err = um_pread_all(fd, s0, 512, 0);
    if (err) return err;
    if ((err = um_volume_parse_boot(s0, 512, v))) return err;
    uint8_t *buf = NULL;
    /* The backup boot sector: an older serial there is still a trace. */
    if (v->backup_off && v->serial_len) {
        uint8_t bk[512];
        if (!um_pread_all(fd, bk, 512, v->backup_off) && bk[510] == 0x55 && bk[511] == 0xAA &&
            !memcmp(bk + 3, s0 + 3, 8)) {
            uint64_t bs = v->serial_len == 8 ? ld_u64le(bk + v->serial_off) : ld_u32le(bk + v->serial_off);
            v->backup_serial = bs;
            v->backup_differs = bs != v->serial;
        }
    }
    if (v->type == UM_VOL_NTFS) {
        buf = malloc(v->mft_record_size);
        if (!buf) return -ENOMEM;
        if (!um_pread_all(fd, buf, v->mft_record_size, v->root_off))
            (void)um_volume_parse_ntfs_volume_record(v, buf, v->mft_record_size, v->root_off);
        free(buf);
        return 0;
    }
    if (v->type == UM_VOL_FAT12 || v->type == UM_VOL_FAT16) {
        uint64_t len = v->root_len > MAX_ROOT_BYTES ? MAX_ROOT_BYTES : v->root_len;
        buf = malloc(len ? len : 1);
        if (!buf) return -ENOMEM;
        if (!um_pread_all(fd, buf, len, v->root_off)) um_volume_parse_root(v, buf, len, v->root_off);
        free(buf);
        return 0;
    }
    /* FAT32, exFAT: follow the root directory's cluster chain, capped (of a huge
     * cluster only the start is read: the label entry comes first in practice). */
    size_t chunk = v->cluster_size > MAX_ROOT_BYTES ? MAX_ROOT_BYTES : (size_t)v->cluster_size;
    buf = malloc(chunk);
    if (!buf) return -ENOMEM;
    uint32_t c = v->root_cluster;
    for (uint64_t read = 0; c && read < MAX_ROOT_BYTES; read += chunk) {
        uint64_t off = v->heap_off + (uint64_t)(c - 2) * v->cluster_size;
        if (um_pread_all(fd, buf, chunk, off)) break;
        if (um_volume_parse_root(v, buf, chunk, off)) break;
        c = next_cluster(fd, v, c);
    }
    free(buf);
    return 0;
}

/* ---- walking every directory (FAT, exFAT) ---- */

void um_volume_fat_datetime(time_t t, uint16_t *date, uint16_t *time)
{
    struct tm tm;
    if (t < 315532800) t = 315532800;   /* 1980-01-01 */
    if (!gmtime_r(&t, &tm) || tm.tm_year > 207) {
        *date = (uint16_t)(127u << 9 | 12u << 5 | 31u);
        *time = (uint16_t)(23u << 11 | 59u << 5 | 29u);
        return;
    }
    *date = (uint16_t)((unsigned)(tm.tm_year - 80) << 9 | (unsigned)(tm.tm_mon + 1) << 5 | (unsigned)tm.tm_mday);
    *time = (uint16_t)((unsigned)tm.tm_hour << 11 | (unsigned)tm.tm_min << 5 | (unsigned)tm.tm_sec / 2);
}

#define MAX_DIRS 100000
#define MAX_DIR_BYTES (4u << 20)

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v), put16(p + 2, (uint16_t)(v >> 16)); }

static bool any_nonzero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return true;
    return false;
}

static void add_example(struct um_volume_dirstats *st, const char *s)
{
    if (st->nexamples < UM_VOL_MAX_EXAMPLES && s[0])
        snprintf(st->examples[st->nexamples++], sizeof st->examples[0], "%s", s);
}

static bool fat_dir_bytes(struct um_volume *v, uint8_t *p, size_t n, const struct um_volume_dirfix *fix,
                          struct um_volume_dirstats *st,
                          void (*sub)(void *, uint32_t, uint64_t, bool), void *opaque)
{
    bool dirty = false;
    for (size_t o = 0; o + 32 <= n; o += 32) {
        uint8_t *e = p + o, attr = e[11];
        if (e[0] == 0x00) break;
        st->entries++;
        if (e[0] == 0xE5) {
            if (!any_nonzero(e + 1, 31)) continue;   /* already wiped */
            if ((attr & 0x3F) != 0x0F) {
                char name[16];
                size_t k = 0;
                name[k++] = '?';   /* the first character is gone: the rest is not */
                for (int i = 1; i < 8 && e[i] != ' '; i++) name[k++] = e[i] >= 0x20 && e[i] < 0x7F ? (char)e[i] : '?';
                if (e[8] != ' ') name[k++] = '.';
                for (int i = 8; i < 11 && e[i] != ' '; i++) name[k++] = e[i] >= 0x20 && e[i] < 0x7F ? (char)e[i] : '?';
                name[k] = 0;
                st->deleted++;
                add_example(st, name);
            }
            if (fix && fix->wipe_deleted) {
                memset(e + 1, 0, 31);
                dirty = true;
                st->changed_entries++;
            }
            continue;
        }
        if ((attr & 0x3F) == 0x0F || (attr & 0x08)) continue;   /* long name; volume label */
        if (fix && fix->set_times) {
            e[13] = 0;
            put16(e + 14, fix->time), put16(e + 16, fix->date);   /* created */
            put16(e + 18, fix->date);                              /* accessed */
            put16(e + 22, fix->time), put16(e + 24, fix->date);   /* written */
            dirty = true;
            st->changed_entries++;
        }
        if ((attr & 0x10) && e[0] != '.') {
            uint32_t cl = ld_u16le(e + 26) | (v->type == UM_VOL_FAT32 ? (uint32_t)ld_u16le(e + 20) << 16 : 0);
            if (cl >= 2) sub(opaque, cl, 0, false);
        }
    }
    return dirty;
}

static uint16_t set_checksum(const uint8_t *p, size_t n)
{
    uint16_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 2 || i == 3) continue;
        sum = (uint16_t)(((sum & 1) ? 0x8000 : 0) + (sum >> 1) + p[i]);
    }
    return sum;
}

static bool exfat_dir_bytes(struct um_volume *v, uint8_t *p, size_t n, bool root, const struct um_volume_dirfix *fix,
                            struct um_volume_dirstats *st,
                            void (*sub)(void *, uint32_t, uint64_t, bool), void *opaque)
{
    bool dirty = false;
    size_t count = n / 32;
    for (size_t i = 0; i < count; i++) {
        uint8_t *e = p + 32 * i, t = e[0];
        if (t == 0x00) break;
        st->entries++;
        if (!(t & 0x80)) {   /* unused: a deleted entry keeps its bytes */
            if (!any_nonzero(e + 1, 31)) continue;
            if (t == 0x05) st->deleted++;
            if (t == 0x41 && i > 0 && p[32 * (i - 1)] == 0x40) {
                char name[48];
                utf16_to_utf8(e + 2, 15, name, sizeof name);
                add_example(st, name);
            }
            if (fix && fix->wipe_deleted) {
                memset(e + 1, 0, 31);
                dirty = true;
                st->changed_entries++;
            }
            continue;
        }
        if (t != 0x85) continue;
        unsigned sc = e[1];
        if (sc < 2 || sc > 18 || i + sc >= count) continue;
        if (!root) {
            add_tz(v, e[22]);
            add_tz(v, e[23]);
            add_tz(v, e[24]);
        }
        const uint8_t *se = e + 32;
        if ((ld_u16le(e + 4) & 0x10) && se[0] == 0xC0) {
            uint32_t cl = ld_u32le(se + 20);
            if (cl >= 2) sub(opaque, cl, ld_u64le(se + 24), (se[1] & 2) != 0);
        }
        if (fix && fix->set_times) {
            uint32_t ts = (uint32_t)fix->date << 16 | fix->time;
            put32(e + 8, ts), put32(e + 12, ts), put32(e + 16, ts);
            e[20] = e[21] = 0;               /* 10 ms increments */
            e[22] = e[23] = e[24] = 0;       /* UTC offsets: none recorded */
            put16(e + 2, set_checksum(e, 32u * (sc + 1)));
            dirty = true;
            st->changed_entries++;
        }
        i += sc;
    }
    return dirty;
}

bool um_volume_dir_bytes(struct um_volume *v, uint8_t *p, size_t n, bool root, const struct um_volume_dirfix *fix,
                         struct um_volume_dirstats *st,
                         void (*sub)(void *opaque, uint32_t cluster, uint64_t length, bool contiguous), void *opaque)
{
    if (v->type == UM_VOL_EXFAT) return exfat_dir_bytes(v, p, n, root, fix, st, sub, opaque);
    if (v->type == UM_VOL_FAT12 || v->type == UM_VOL_FAT16 || v->type == UM_VOL_FAT32)
        return fat_dir_bytes(v, p, n, fix, st, sub, opaque);
    return false;
}

/* Next cluster of any FAT (12, 16, 32) or exFAT chain; 0 at the end or on damage. */
static uint32_t fat_next(int fd, const struct um_volume *v, uint32_t c)
{
    uint8_t b[4];
    uint32_t nx;
    switch (v->type) {
    case UM_VOL_FAT12:
        if (um_pread_all(fd, b, 2, v->fat_off + c + c / 2)) return 0;
        nx = ld_u16le(b);
        nx = (c & 1) ? nx >> 4 : nx & 0xFFF;
        break;
    case UM_VOL_FAT16:
        if (um_pread_all(fd, b, 2, v->fat_off + 2ull * c)) return 0;
        nx = ld_u16le(b);
        break;
    case UM_VOL_FAT32:
    case UM_VOL_EXFAT:
        return next_cluster(fd, v, c);
    default:
        return 0;
    }
    if (nx < 2 || nx - 2 >= v->cluster_count) return 0;
    return nx;
}

struct pending {
    uint32_t cluster;
    uint64_t length;
    bool contiguous;
};

struct dirwalk {
    struct pending *stack;
    size_t n, cap;
    bool overflow;
};

static void push_dir(void *opaque, uint32_t cluster, uint64_t length, bool contiguous)
{
    struct dirwalk *w = opaque;
    if (w->n == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 64;
        struct pending *ns = ncap <= MAX_DIRS ? realloc(w->stack, ncap * sizeof *ns) : NULL;
        if (!ns) {
            w->overflow = true;
            return;
        }
        w->stack = ns, w->cap = ncap;
    }
    w->stack[w->n++] = (struct pending){ cluster, length, contiguous };
}

struct seg {
    uint64_t off;
    size_t len;
};

/* Reads one directory into buf (segments say where each part lives). */
static int read_dir(int fd, const struct um_volume *v, const struct pending *d, bool fixed_root, uint8_t *buf,
                    size_t *len, struct seg *segs, size_t *nseg, size_t maxseg, bool *capped)
{
    *len = 0, *nseg = 0;
    if (fixed_root) {
        size_t n = v->root_len > MAX_DIR_BYTES ? MAX_DIR_BYTES : (size_t)v->root_len;
        int err = um_pread_all(fd, buf, n, v->root_off);
        if (err) return err;
        segs[0] = (struct seg){ v->root_off, n };
        *len = n, *nseg = 1;
        return 0;
    }
    size_t chunk = v->cluster_size > MAX_DIR_BYTES ? MAX_DIR_BYTES : (size_t)v->cluster_size;
    uint64_t want = d->contiguous ? d->length : UINT64_MAX;
    uint32_t c = d->cluster;
    while (c && *len + chunk <= MAX_DIR_BYTES && *nseg < maxseg && want > 0) {
        if (c - 2 >= v->cluster_count) break;
        uint64_t off = v->heap_off + (uint64_t)(c - 2) * v->cluster_size;
        int err = um_pread_all(fd, buf + *len, chunk, off);
        if (err) return *len ? 0 : err;
        segs[(*nseg)++] = (struct seg){ off, chunk };
        *len += chunk;
        if (d->contiguous) {
            want = want > v->cluster_size ? want - v->cluster_size : 0;
            c++;
        } else {
            c = fat_next(fd, v, c);
        }
    }
    if (c && want > 0 && (*len + chunk > MAX_DIR_BYTES || *nseg >= maxseg)) *capped = true;
    return 0;
}

int um_volume_walk_dirs(int fd, struct um_volume *v, const struct um_volume_dirfix *fix,
                        um_volume_writer writer, void *opaque, struct um_volume_dirstats *st)
{
    memset(st, 0, sizeof *st);
    if (v->type != UM_VOL_FAT12 && v->type != UM_VOL_FAT16 && v->type != UM_VOL_FAT32 && v->type != UM_VOL_EXFAT)
        return UM_E_UNSUPPORTED;
    if (!v->cluster_size) return UM_E_FORMAT;
    size_t maxseg = MAX_DIR_BYTES / 512;
    uint8_t *buf = malloc(MAX_DIR_BYTES);
    struct seg *segs = malloc(maxseg * sizeof *segs);
    struct dirwalk w = { 0 };
    int err = 0;
    if (!buf || !segs) {
        err = -ENOMEM;
        goto end;
    }
    bool fixed_root = v->type == UM_VOL_FAT12 || v->type == UM_VOL_FAT16;
    push_dir(&w, fixed_root ? 0 : v->root_cluster, 0, false);
    bool root = true;
    while (w.n && !err) {
        if (st->dirs >= MAX_DIRS) {
            st->capped = true;
            break;
        }
        struct pending d = w.stack[--w.n];
        size_t len, nseg;
        int r = read_dir(fd, v, &d, fixed_root && root, buf, &len, segs, &nseg, maxseg, &st->capped);
        bool was_root = root;
        root = false;
        if (r) {
            if (was_root) err = r;
            continue;
        }
        st->dirs++;
        bool dirty = um_volume_dir_bytes(v, buf, len, was_root, fix, st, push_dir, &w);
        if (dirty && writer) {
            size_t pos = 0;
            for (size_t i = 0; i < nseg && !err; i++) {
                err = writer(opaque, segs[i].off, buf + pos, segs[i].len);
                pos += segs[i].len;
            }
        }
    }
    if (w.overflow || w.n) st->capped = true;
end:
    free(w.stack);
    free(segs);
    free(buf);
    return err;
}

int um_volume_dir_findings(const struct um_volume_dirstats *st, struct um_file_result *res)
{
    if (!st->deleted) return 0;
    char text[300];
    size_t o = (size_t)snprintf(text, sizeof text, "%llu deleted files still named in directories",
                                (unsigned long long)st->deleted);
    for (unsigned i = 0; i < st->nexamples && o < sizeof text; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "%s%s", i ? ", " : ": ", st->examples[i]);
    int i = um_drive_add_finding(res, UM_K_OS_ARTIFACT, UM_SEV_HIGH, "volume/deleted_directory_entries",
                                 "deleted_names", text, 0, 0);
    if (i < 0) return i;
    struct um_finding *f = um_vec_at(&res->findings, (size_t)i);
    json_t *ex = json_array();
    for (unsigned k = 0; k < st->nexamples; k++) {
        json_t *js = json_string(st->examples[k]);
        json_array_append_new(ex, js ? js : json_string("?"));
    }
    f->extra = json_pack("{s:I, s:o}", "deleted_entries", (json_int_t)st->deleted, "examples", ex);
    f->note = strdup("names (and sizes) of deleted files stay in directory entries until overwritten; "
                     "scrub --volume wipes them");
    res->status = UM_ST_FOUND;
    return 0;
}

void um_volume_serial_text(const struct um_volume *v, uint64_t serial, char *out, size_t n)
{
    if (v->serial_len == 8)
        snprintf(out, n, "%016llX", (unsigned long long)serial);
    else
        snprintf(out, n, "%04X-%04X", (unsigned)(serial >> 16) & 0xFFFF, (unsigned)serial & 0xFFFF);
}

/* What an OEM name says about the system that formatted the volume. */
static const char *oem_meaning(const char *oem)
{
    static const struct { const char *prefix, *meaning; } t[] = {
        { "mkfs.fat", "formatted on Linux (dosfstools)" },
        { "mkdosfs", "formatted on Linux (old dosfstools)" },
        { "MSDOS5.0", "formatted by Windows" },
        { "MSWIN4.", "formatted by Windows 9x" },
        { "BSD  4.4", "formatted by macOS or BSD" },
        { "NTFS", "NTFS" },
        { "EXFAT", "exFAT" },
    };
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        if (!strncmp(oem, t[i].prefix, strlen(t[i].prefix))) return t[i].meaning;
    return "formatting tool unknown";
}

int um_volume_findings(const struct um_volume *v, const char *path, struct um_file_result *res)
{
    char text[160];
    int i;
    free(res->path);
    res->path = strdup(path);
    if (!res->path) return -ENOMEM;
    res->format = "volume";
    res->scanned = true;
    const char *type = um_volume_type_name(v->type);
    if (v->serial_len) {
        um_volume_serial_text(v, v->serial, text, sizeof text);
        i = um_drive_add_finding(res, UM_K_VOLUME_ID, UM_SEV_HIGH, "boot_sector/VolumeSerialNumber",
                                 "serial", text, v->serial_off, v->serial_len);
        if (i < 0) return i;
        struct um_finding *f = um_vec_at(&res->findings, (size_t)i);
        f->extra = json_pack("{s:s}", "filesystem", type);
        f->note = strdup("Windows records the serial of every drive it mounts (shortcuts, registry); "
                         "rewrite it with: unmark scrub --volume DEV --new-serial random");
    }
    if (v->backup_differs) {
        um_volume_serial_text(v, v->backup_serial, text, sizeof text);
        i = um_drive_add_finding(res, UM_K_VOLUME_ID, UM_SEV_HIGH, "backup_boot_sector/VolumeSerialNumber",
                                 "previous_serial", text, v->backup_off + v->serial_off, v->serial_len);
        if (i < 0) return i;
    }
    if (v->has_bpb_label && strcmp(v->bpb_label, "NO NAME") != 0 && v->bpb_label[0]) {
        i = um_drive_add_finding(res, UM_K_VOLUME_ID, UM_SEV_MEDIUM, "boot_sector/VolumeLabel", "label",
                                 v->bpb_label, v->bpb_label_off, 11);
        if (i < 0) return i;
    }
    if (v->has_root_label && v->root_label[0]) {
        const char *where = v->type == UM_VOL_NTFS ? "$Volume/$VOLUME_NAME" : "root_directory/volume_label";
        i = um_drive_add_finding(res, UM_K_VOLUME_ID, UM_SEV_MEDIUM, where, "label", v->root_label,
                                 v->root_label_off, v->type == UM_VOL_NTFS ? v->root_label_len : 32);
        if (i < 0) return i;
    }
    if (v->has_guid) {
        static const char hex[] = "0123456789abcdef";
        size_t o = 0;
        for (int k = 0; k < 16; k++) {
            if (k == 4 || k == 6 || k == 8 || k == 10) text[o++] = '-';
            text[o++] = hex[v->guid[k] >> 4];
            text[o++] = hex[v->guid[k] & 15];
        }
        text[o] = 0;
        i = um_drive_add_finding(res, UM_K_VOLUME_ID, UM_SEV_HIGH, "root_directory/volume_guid", "guid",
                                 text, v->guid_off, 32);
        if (i < 0) return i;
    }
    /* 2000-01-01 00:00 is the date a rewrite leaves: not a trace. */
    if (v->label_date && !(v->label_date == ((20u << 9) | (1u << 5) | 1u) && v->label_time == 0)) {
        unsigned d = v->label_date, t = v->label_time;
        snprintf(text, sizeof text, "%04u-%02u-%02uT%02u:%02u:%02u (local time)", 1980 + (d >> 9),
                 (d >> 5) & 15, d & 31, t >> 11, (t >> 5) & 63, (t & 31) * 2);
        i = um_drive_add_finding(res, UM_K_TIMESTAMP, UM_SEV_MEDIUM, "root_directory/volume_label/date",
                                 "formatted", text, v->root_label_off + 22, 4);
        if (i < 0) return i;
        struct um_finding *f = um_vec_at(&res->findings, (size_t)i);
        f->note = strdup("the label entry is written when the volume is formatted or relabelled");
    }
    if (v->ntfs_created) {
        time_t t = (time_t)v->ntfs_created;
        struct tm tm;
        if (gmtime_r(&t, &tm)) {
            strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
            i = um_drive_add_finding(res, UM_K_TIMESTAMP, UM_SEV_MEDIUM, "$Volume/$STANDARD_INFORMATION/created",
                                     "formatted", text, v->root_off, 0);
            if (i < 0) return i;
            struct um_finding *f = um_vec_at(&res->findings, (size_t)i);
            f->note = strdup("when the volume was formatted; every system file repeats it: not rewritten (reformat "
                             "with the clock set to a neutral date to change it)");
        }
    }
    for (unsigned k = 0; k < v->ntz; k++) {
        int q = v->tz[k];
        int mins = q * 15, a = mins < 0 ? -mins : mins;
        snprintf(text, sizeof text, "UTC%c%02d:%02d (%u timestamps in the root directory)", mins < 0 ? '-' : '+',
                 a / 60, a % 60, v->tz_count[k]);
        /* UTC+0 says little; any other offset narrows down where the files were written. */
        i = um_drive_add_finding(res, UM_K_TIMESTAMP, q ? UM_SEV_HIGH : UM_SEV_LOW,
                                 "root_directory/file_entries/UtcOffset", "time_zone", text, v->root_off, 0);
        if (i < 0) return i;
    }
    snprintf(text, sizeof text, "%s: %s", v->oem, oem_meaning(v->oem));
    bool telling = v->type != UM_VOL_NTFS && v->type != UM_VOL_EXFAT && strcmp(v->oem, "MSDOS5.0") != 0;
    i = um_drive_add_finding(res, UM_K_SOFTWARE, telling ? UM_SEV_LOW : UM_SEV_INFO,
                             "boot_sector/OEMName", "oem_name", text, 3, 8);
    if (i < 0) return i;
    res->status = UM_ST_FOUND;
    return 0;
}
