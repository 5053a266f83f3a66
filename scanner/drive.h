/* Drive-level traces: what a drive says about the person who prepared it even when
 * every file on it is clean. OS artifacts (thumbnail caches, Finder and Explorer
 * metadata, trash folders, search indexes, recovered fragments), extended attributes
 * (download URLs), and patterns in the files' timestamps. The scrub side (deleting
 * artifacts, removing attributes, setting times) is scrubber/drive_clean.c. */
#ifndef UM_DRIVE_H
#define UM_DRIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "finding.h"

enum um_artifact {
    UM_ART_NONE,
    UM_ART_THUMBS_DB,        /* Thumbs.db, ehthumbs.db (Windows thumbnail cache) */
    UM_ART_DESKTOP_INI,      /* desktop.ini (Explorer folder settings) */
    UM_ART_DS_STORE,         /* .DS_Store (Finder: names of files that were there) */
    UM_ART_APPLEDOUBLE,      /* ._name (macOS resource forks and attributes) */
    UM_ART_AUTORUN_INF,      /* autorun.inf */
    UM_ART_MAC_META,         /* .Spotlight-V100, .fseventsd, .TemporaryItems, .DocumentRevisions-V100 */
    UM_ART_MAC_TRASH,        /* .Trashes */
    UM_ART_XDG_TRASH,        /* .Trash-UID, .Trash (freedesktop.org trash) */
    UM_ART_RECYCLE_BIN,      /* $RECYCLE.BIN, RECYCLER, RECYCLED */
    UM_ART_SYSVOLINFO,       /* System Volume Information */
    UM_ART_THUMBNAILS,       /* .thumbnails (Android, freedesktop.org) */
    UM_ART_RECOVERED,        /* LOST.DIR, FOUND.000 (fragments of lost files) */
    UM_ART_COUNT_
};

/* The artifact type of a directory entry by its name (NONE for ordinary names). */
enum um_artifact um_drive_classify_name(const char *name, bool is_dir);
const char *um_drive_artifact_name(enum um_artifact a);

/* Appends a finding to res (value sanitised); returns its index or an error. */
int um_drive_add_finding(struct um_file_result *res, enum um_kind kind, enum um_severity sev,
                         const char *where, const char *key, const char *value, uint64_t offset,
                         uint64_t length);

/* --redact for the findings from index `from` on: values become their length, and the
 * extra members that repeat them (deleted paths, names, GUIDs, accounts) are dropped. */
void um_drive_redact(struct um_file_result *res, size_t from);

/* Builds the result for an artifact `name` in dirfd (fd: the file or directory, read
 * only): one os_artifact finding saying what it reveals (trash entries' original
 * paths and deletion dates, file names a .DS_Store remembers, ...) and one DELETE edit.
 * res->path and res->st are set by the caller. */
int um_drive_artifact_result(int dirfd, const char *name, int fd, enum um_artifact a,
                             struct um_file_result *res);

/* A freedesktop.org .trashinfo file: the original path (percent-decoded) and the
 * deletion date. Returns 0 (caller frees both) or UM_E_FORMAT. */
int um_drive_parse_trashinfo(const uint8_t *p, size_t n, char **path, char **date);

/* A Windows $RECYCLE.BIN $I file: original path (UTF-8), size and deletion time. */
int um_drive_parse_recycle_i(const uint8_t *p, size_t n, char **path, uint64_t *size, int64_t *deleted);

/* File names recorded in a .DS_Store; up to max names (caller frees each). */
size_t um_drive_ds_store_names(const uint8_t *p, size_t n, char **names, size_t max);

/* Picture names a Windows Thumbs.db (an OLE compound file) lists in its "Catalog"
 * stream; up to max names (caller frees each). 0 when it is not such a file. */
size_t um_drive_thumbs_names(const uint8_t *p, size_t n, char **names, size_t max);

/* Extended attributes of the open file fd: user.* reported (download URLs high),
 * security.* and trusted.* as info. Returns the number of findings added or an error
 * (-ENOTSUP from a file system without attributes is not an error: 0). */
int um_drive_xattrs(int fd, struct um_file_result *res);

/* Timestamp patterns over the whole drive. Feed every file's stat in walk order. */
struct um_drive_times;
struct um_drive_times *um_drive_times_new(void);
void um_drive_times_add(struct um_drive_times *t, const struct stat *st);
/* Findings (kind timestamp, where "drive") about a burst of writes and times in the
 * future, into res (path = `path`). `now` is the current time. */
int um_drive_times_finish(struct um_drive_times *t, time_t now, const char *path, struct um_file_result *res);
void um_drive_times_free(struct um_drive_times *t);

/* If `path` is a mount point: its source device into dev and its type into fstype
 * (returns 0); otherwise UM_E_UNSUPPORTED. */
int um_drive_mount_source(const char *path, char *dev, size_t devsz, char *fstype, size_t fssz);
/* Decodes the octal escapes (\040) of a /proc/self/mountinfo field in place. */
void um_drive_unescape_mountinfo(char *s);

#endif
