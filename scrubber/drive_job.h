/* Drive-level work of a scan or scrub run, around the per-file walk: the volume's
 * identity (--volume DEV, or the device of a mount-point root), timestamp patterns
 * over all files (--drive, or a mount-point root), and scrub --times. The command
 * line fills a job; the records it makes go through the same emit as files' results. */
#ifndef UM_DRIVE_JOB_H
#define UM_DRIVE_JOB_H

#include <stdbool.h>
#include <time.h>

#include "../scanner/drive.h"
#include "../scanner/walk.h"
#include "volume_write.h"

struct um_drive_job {
    bool scrub, dry_run, redact;
    const char *volume;              /* --volume DEV|IMAGE */
    bool volume_change;              /* --new-serial or --label given */
    struct um_volume_change vchange;
    bool drive;                      /* --drive (set too for a mount-point root) */
    bool set_times;                  /* scrub --times fixed[=DATE] */
    struct timespec times_to;
    const char *out;                 /* scrub --out DIR */
    volatile int *stop;
    int (*emit)(void *opaque, struct um_file_result *res);
    void *opaque;
    struct um_drive_times *times;    /* internal */
};

/* Before the walk: the volume records. Returns 0 or a fatal error (-ENOMEM); a volume
 * that cannot be read is a failed record, not an error. */
int um_drive_job_before(struct um_drive_job *j, int nroots, char **roots);
/* For every walked item, in walk order. */
void um_drive_job_item(struct um_drive_job *j, const struct um_walk_item *it);
/* After the walk: timestamp patterns, and scrub --times. */
int um_drive_job_after(struct um_drive_job *j, int nroots, char **roots);
void um_drive_job_free(struct um_drive_job *j);

#endif
