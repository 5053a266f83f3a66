/* Rewriting a volume's identity (serial number, label, exFAT volume GUID, the FAT
 * label entry's date) on an unmounted FAT12/16/32, exFAT or NTFS device or image,
 * keeping every copy consistent: FAT32 and NTFS backup boot sectors, exFAT main and
 * backup boot regions with their checksums. Backups are written and synced first,
 * then the primary, so a crash leaves at worst the old identity in the primary. */
#ifndef UM_VOLUME_WRITE_H
#define UM_VOLUME_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../scanner/volume.h"

struct um_volume_change {
    bool set_serial;
    bool random_serial;      /* a fresh random serial (and GUID) */
    uint64_t serial;         /* when !random_serial */
    bool set_label;
    const char *label;       /* UTF-8; "" removes the label */
};

/* Parses --new-serial: "random", "zero"/"ZERO", or hex digits (a '-' is allowed, as
 * in 1234-ABCD). Returns 0 or UM_E_FORMAT. */
int um_volume_parse_serial(const char *s, struct um_volume_change *c);

/* 0 when the device or image on fd is not mounted (nor attached to a loop device);
 * otherwise -EBUSY with an explanation in why. */
int um_volume_check_unmounted(int fd, char *why, size_t n);

/* Applies c to the volume v (as read by um_volume_read from the same fd). Returns 0 or
 * an error with an explanation in why. */
int um_volume_rewrite(int fd, const struct um_volume *v, const struct um_volume_change *c,
                      char *why, size_t n);

/* Walks every directory of an unmounted FAT or exFAT volume applying fix (wiping
 * deleted entries, setting every entry's times), writing changed directory bytes in
 * place, then syncing. st says what was seen and changed. */
int um_volume_fix_dirs(int fd, struct um_volume *v, const struct um_volume_dirfix *fix,
                       struct um_volume_dirstats *st, char *why, size_t n);

#endif
