/* Volume identity of FAT12/16/32, exFAT and NTFS volumes: serial numbers, labels,
 * OEM names and the dates that betray when a volume was formatted. Parsing is pure
 * (functions over byte buffers); um_volume_read() is the thin I/O layer that reads a
 * device or image and feeds them. Rewriting is in scrubber/volume_write.c. */
#ifndef UM_VOLUME_H
#define UM_VOLUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "finding.h"

enum um_vol_type { UM_VOL_UNKNOWN, UM_VOL_FAT12, UM_VOL_FAT16, UM_VOL_FAT32, UM_VOL_EXFAT, UM_VOL_NTFS };

#define UM_VOL_MAX_TZ 16

struct um_volume {
    enum um_vol_type type;
    uint32_t sector_size;
    uint64_t total_sectors;
    char oem[9];                 /* the 8-byte OEM name, NUL-terminated */
    uint64_t serial;
    unsigned serial_len;         /* 4 (FAT, exFAT) or 8 (NTFS); 0 = none */
    uint32_t serial_off;         /* inside the boot sector */
    bool has_bpb_label;          /* FAT: the 11-byte label in the extended BPB */
    char bpb_label[12];
    uint32_t bpb_label_off;
    uint64_t backup_off;         /* byte offset of the backup boot sector (FAT32, NTFS)
                                    or backup boot region (exFAT); 0 = none */
    bool backup_differs;         /* the backup's serial differs from the primary's */
    uint64_t backup_serial;
    /* Where the root directory starts (FAT, exFAT) or where the $Volume MFT record is
     * (NTFS), and what a cluster is. */
    uint64_t root_off, root_len; /* FAT12/16: the fixed region; others: one cluster/record */
    uint32_t root_cluster;       /* FAT32, exFAT */
    uint64_t cluster_size, fat_off, heap_off;
    uint64_t cluster_count;
    uint32_t mft_record_size;
    /* From the root directory (or $Volume). */
    bool has_root_label;
    char root_label[100];        /* UTF-8 */
    uint64_t root_label_off;     /* absolute byte offset of the label entry / attribute value */
    uint32_t root_label_len;     /* NTFS: value length in bytes */
    uint16_t label_date, label_time;   /* FAT label entry write date/time (0 = none) */
    int64_t ntfs_created;        /* NTFS: $Volume's creation time (Unix seconds; 0 = none) */
    bool has_guid;               /* exFAT volume GUID entry */
    uint8_t guid[16];
    uint64_t guid_off;
    bool root_end_seen;          /* the end-of-directory marker was reached */
    uint64_t free_entry_off;     /* a free root entry (for a new label), 0 = none */
    /* exFAT: UTC offsets (in 15-minute units) found in the root's file entries. */
    int tz[UM_VOL_MAX_TZ];
    unsigned tz_count[UM_VOL_MAX_TZ];
    unsigned ntz;
};

/* Walking every directory of a FAT or exFAT volume (not NTFS): deleted entries
 * still name deleted files, and every entry carries creation, write and access
 * times (exFAT also UTC offsets). A fix, if given, wipes deleted entries (only their
 * first byte, the "unused" mark, stays) and sets every time to one date (exFAT: UTC
 * offsets cleared, entry set checksums recomputed); changed directory bytes go to
 * `writer` (scrubber/volume_write.c): this file never writes. */
struct um_volume_dirfix {
    bool wipe_deleted;
    bool set_times;
    uint16_t date, time;         /* FAT/exFAT packed date and time */
};

#define UM_VOL_MAX_EXAMPLES 5

struct um_volume_dirstats {
    uint64_t dirs, entries, deleted;   /* deleted: entries that still hold a name */
    char examples[UM_VOL_MAX_EXAMPLES][48];
    unsigned nexamples;
    uint64_t changed_entries;
    bool capped;                 /* a cap stopped the walk early */
};

/* A UTC time as FAT's packed date and time (years 1980-2107; clamped). */
void um_volume_fat_datetime(time_t t, uint16_t *date, uint16_t *time);

typedef int (*um_volume_writer)(void *opaque, uint64_t off, const uint8_t *p, size_t n);

int um_volume_walk_dirs(int fd, struct um_volume *v, const struct um_volume_dirfix *fix,
                        um_volume_writer writer, void *opaque, struct um_volume_dirstats *st);

/* Processes one directory's bytes (whole 32-byte entries) as the walk does; `root`
 * says whether it is the root (whose UTC offsets um_volume_parse_root counts). Calls
 * sub(opaque, first_cluster, length, contiguous) for each subdirectory. Returns true
 * when the bytes were changed. Pure: for tests. */
bool um_volume_dir_bytes(struct um_volume *v, uint8_t *p, size_t n, bool root, const struct um_volume_dirfix *fix,
                         struct um_volume_dirstats *st,
                         void (*sub)(void *opaque, uint32_t cluster, uint64_t length, bool contiguous), void *opaque);

const char *um_volume_type_name(enum um_vol_type t);

/* Parses sector 0 (at least 512 bytes; the whole sector when it is larger). Returns 0,
 * UM_E_FORMAT when it is no FAT/exFAT/NTFS boot sector, or UM_E_TRUNC. */
int um_volume_parse_boot(const uint8_t *p, size_t n, struct um_volume *v);

/* Feeds a chunk of the root directory (FAT, exFAT: whole 32-byte entries) found at
 * absolute byte offset `abs`. Returns 1 once the end of the directory is seen, else 0. */
int um_volume_parse_root(struct um_volume *v, const uint8_t *p, size_t n, uint64_t abs);

/* NTFS: parses the $Volume MFT record (record 3, `n` = record size, fixups still
 * applied in place on a private copy) found at absolute offset `abs`. */
int um_volume_parse_ntfs_volume_record(struct um_volume *v, uint8_t *rec, size_t n, uint64_t abs);

/* exFAT boot region checksum over sectors 0..10 (11 * sector_size bytes). */
uint32_t um_exfat_boot_checksum(const uint8_t *region, uint32_t sector_size);

/* Reads and parses the volume on fd (a block device or an image): boot sector, backup,
 * root directory (following the FAT chain, capped) or $Volume. */
int um_volume_read(int fd, struct um_volume *v);

/* When sector 0 (512 bytes) is an MBR partition table rather than a volume: the
 * 1-based number, type and start sector of its first partition. Returns true then. */
bool um_volume_mbr_first(const uint8_t *s0, unsigned *number, uint8_t *type, uint32_t *start);

/* Findings (kinds volume_id, software, timestamp) about v into res, whose path is
 * set to `path`; `removable` says whether the caller can rewrite the identity. */
int um_volume_findings(const struct um_volume *v, const char *path, struct um_file_result *res);

/* Adds the findings of a directory walk (deleted entries that still name files). */
int um_volume_dir_findings(const struct um_volume_dirstats *st, struct um_file_result *res);

/* "1234-ABCD" for 4-byte serials, 16 hex digits for NTFS. */
void um_volume_serial_text(const struct um_volume *v, uint64_t serial, char *out, size_t n);

#endif
