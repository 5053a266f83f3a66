/* Drive-level work around the walk (see drive_job.h). The volume record: identity
 * (scanner/volume.c), every directory's deleted names and UTC offsets; in scrub, the
 * rewrite (scrubber/volume_write.c) on an unmounted device or image only, then a
 * re-read for the note. The timestamp record: burst and future times over every
 * walked file (scanner/drive.c); in scrub --times, every time under the roots (or
 * --out) set to one date (scrubber/drive_clean.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/error.h"
#include "../scanner/volume.h"
#include "drive_clean.h"
#include "drive_job.h"

static void set_note(struct um_file_result *res, const char *text)
{
    free(res->error_text);
    res->error_text = strdup(text);
}

static int emit_record(struct um_drive_job *j, struct um_file_result *res)
{
    if (j->redact) um_drive_redact(res, 0);
    return j->emit ? j->emit(j->opaque, res) : 0;
}

/* Which findings a rewrite removed. */
static void mark_removed(struct um_file_result *res, const struct um_volume *v, const struct um_volume_change *ch,
                         bool dirs, bool set_times)
{
    bool fat = v->type == UM_VOL_FAT12 || v->type == UM_VOL_FAT16 || v->type == UM_VOL_FAT32;
    for (size_t i = 0; i < res->findings.len; i++) {
        struct um_finding *f = um_vec_at(&res->findings, i);
        const char *k = f->key ? f->key : "";
        f->removable = (ch->set_serial && (!strcmp(k, "serial") || !strcmp(k, "previous_serial") || !strcmp(k, "guid"))) ||
                       (ch->set_label && !strcmp(k, "label")) ||
                       (fat && (!strcmp(k, "formatted") || !strcmp(k, "oem_name"))) ||
                       (dirs && !strcmp(k, "deleted_names")) || (dirs && set_times && !strcmp(k, "time_zone"));
    }
}

/* Reports the volume on dev; in scrub, rewrites it first (the report keeps what was
 * there, marked removed, and notes the new identity). */
static int volume_record(struct um_drive_job *j, const char *dev, const char *mounted_at)
{
    bool rewrite = j->scrub && !mounted_at && !j->dry_run;
    struct stat st;
    struct um_file_result res;
    struct um_volume v;
    struct um_volume_dirstats ds;
    char why[300] = "";
    int err = 0, fd = -1;
    um_file_result_init(&res);
    res.path = strdup(dev);
    res.format = "volume";
    if (!res.path) return -ENOMEM;
    if (stat(dev, &st) != 0) {
        err = -errno;
        goto fail;
    }
    /* O_EXCL on a block device fails while it is mounted: the kernel's own guard. */
    fd = open(dev, (rewrite ? O_RDWR | (S_ISBLK(st.st_mode) ? O_EXCL : 0) : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
        err = -errno;
        snprintf(why, sizeof why, "%s", errno == EBUSY ? "the device is in use (mounted?)" : "cannot open");
        goto fail;
    }
    if ((err = um_volume_read(fd, &v))) {
        uint8_t s0[512];
        unsigned num;
        uint8_t type;
        uint32_t start;
        if (pread(fd, s0, sizeof s0, 0) == (ssize_t)sizeof s0 && um_volume_mbr_first(s0, &num, &type, &start)) {
            char eg[160] = "";
            size_t l = strlen(dev);
            if (S_ISBLK(st.st_mode))   /* /dev/sdb -> /dev/sdb1, /dev/mmcblk0 -> /dev/mmcblk0p1 */
                snprintf(eg, sizeof eg, ", e.g. %.120s%s%u", dev, l && dev[l - 1] >= '0' && dev[l - 1] <= '9' ? "p" : "", num);
            snprintf(why, sizeof why, "a partition table, not a volume: give the partition%s (partition %u has type "
                     "0x%02x and starts at sector %u)", eg, num, type, start);
        } else {
            snprintf(why, sizeof why, "no FAT, exFAT or NTFS boot sector");
        }
        goto fail;
    }
    bool dirs = um_volume_walk_dirs(fd, &v, NULL, NULL, NULL, &ds) == 0;   /* FAT, exFAT */
    if ((err = um_volume_findings(&v, dev, &res))) goto fail;
    if (dirs && (err = um_volume_dir_findings(&ds, &res))) goto fail;
    if (mounted_at) {
        snprintf(why, sizeof why, "mounted at %s: to rewrite, unmount and run unmark scrub --volume %s", mounted_at, dev);
        set_note(&res, why);
    } else if (j->scrub && j->dry_run) {
        set_note(&res, "dry run: the volume was not rewritten");
    } else if (rewrite) {
        struct um_volume_change ch = j->vchange;
        if (!ch.set_serial) ch.set_serial = ch.random_serial = true;   /* scrub's default */
        if ((err = um_volume_rewrite(fd, &v, &ch, why, sizeof why))) goto fail;
        struct um_volume_dirfix fix = { .wipe_deleted = true, .set_times = j->set_times };
        um_volume_fat_datetime(j->times_to.tv_sec, &fix.date, &fix.time);
        char dwhy[200];
        if (dirs && (err = um_volume_fix_dirs(fd, &v, &fix, &ds, dwhy, sizeof dwhy))) {
            snprintf(why, sizeof why, "%s", dwhy);
            goto fail;
        }
        struct um_volume after;
        if ((err = um_volume_read(fd, &after))) goto fail;
        char serial[40] = "none", note[600];
        if (after.serial_len) um_volume_serial_text(&after, after.serial, serial, sizeof serial);
        const char *label = after.has_root_label ? after.root_label : after.has_bpb_label ? after.bpb_label : "";
        snprintf(note, sizeof note, "rewritten: serial %s, label \"%s\"; %llu directory entries cleaned%s%s", serial,
                 label, dirs ? (unsigned long long)ds.changed_entries : 0ull, why[0] ? "; " : "", why);
        set_note(&res, note);
        mark_removed(&res, &v, &ch, dirs, j->set_times);
        res.status = UM_ST_SCRUBBED;
    }
    close(fd);
    err = emit_record(j, &res);
    um_file_result_free(&res);
    return err == -ENOMEM ? err : 0;
fail:
    if (fd >= 0) close(fd);
    res.status = UM_ST_FAILED;
    res.error = err ? err : UM_E_FORMAT;
    if (why[0]) set_note(&res, why);
    err = emit_record(j, &res);
    um_file_result_free(&res);
    return err == -ENOMEM ? err : 0;   /* a failed record: the summary counts it, exit 2 */
}

static bool drive_fs(const char *fstype)
{
    static const char *const fs[] = { "vfat", "msdos", "exfat", "ntfs", "ntfs3", "fuseblk" };
    for (size_t i = 0; i < sizeof fs / sizeof *fs; i++)
        if (!strcmp(fstype, fs[i])) return true;
    return false;
}

int um_drive_job_before(struct um_drive_job *j, int nroots, char **roots)
{
    int err = 0;
    if (j->volume) err = volume_record(j, j->volume, NULL);
    for (int i = 0; i < nroots && !err; i++) {
        char dev[4096], fstype[64];
        if (um_drive_mount_source(roots[i], dev, sizeof dev, fstype, sizeof fstype) != 0) continue;
        j->drive = true;   /* a mount point is a whole drive */
        if (j->volume || !drive_fs(fstype) || access(dev, R_OK) != 0) continue;
        err = volume_record(j, dev, roots[i]);
    }
    if (!err && (j->drive || j->set_times) && !j->times && !(j->times = um_drive_times_new())) err = -ENOMEM;
    return err;
}

void um_drive_job_item(struct um_drive_job *j, const struct um_walk_item *it)
{
    if (j->times && it->kind == UM_WALK_FILE && !it->artifact) um_drive_times_add(j->times, &it->st);
}

int um_drive_job_after(struct um_drive_job *j, int nroots, char **roots)
{
    if (!j->times || !nroots || (j->stop && *j->stop)) return 0;
    struct um_file_result res;
    um_file_result_init(&res);
    int err = um_drive_times_finish(j->times, time(NULL), nroots == 1 ? roots[0] : "(all roots)", &res);
    if (!err && j->scrub && j->set_times && !j->dry_run) {
        unsigned long n = 0, total = 0;
        int e = 0;
        for (int i = 0; i < (j->out ? 1 : nroots); i++) {
            int e1 = um_drive_set_tree_times(j->out ? j->out : roots[i], j->times_to, &n);
            total += n;
            if (e1 && !e) e = e1;
        }
        char note[160];
        snprintf(note, sizeof note, "times of %lu files and folders set to one date%s%s", total,
                 e ? "; some failed: " : "", e ? um_strerror(e) : "");
        set_note(&res, note);
        for (size_t i = 0; i < res.findings.len; i++) ((struct um_finding *)um_vec_at(&res.findings, i))->removable = !e;
        if (e) res.status = UM_ST_FAILED, res.error = e;
        else if (res.findings.len) res.status = UM_ST_SCRUBBED;
    }
    if (!err && (res.findings.len || res.error || res.error_text)) err = emit_record(j, &res);
    um_file_result_free(&res);
    return err == -EIO ? 0 : err;
}

void um_drive_job_free(struct um_drive_job *j)
{
    um_drive_times_free(j->times);
    j->times = NULL;
}
