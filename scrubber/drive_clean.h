/* Cleaning drive-level traces: deleting OS artifacts (files, or directories removed
 * recursively without following symlinks or leaving the file system), removing user
 * extended attributes, and setting every time on the drive to one date. */
#ifndef UM_DRIVE_CLEAN_H
#define UM_DRIVE_CLEAN_H

#include <stdbool.h>
#include <time.h>

#include "../scanner/finding.h"

/* Removes `name` in dirfd: a file (its bytes overwritten with zeros first when no
 * other name links to it) or a directory tree, bottom up, with unlinkat(). Never
 * follows a symlink (symlinks inside are removed as links) and never crosses into
 * another file system (-EXDEV). Returns 0 or the first error. */
int um_drive_delete(int dirfd, const char *name, bool is_dir);

/* The scrub of an artifact (a plan with delete_file): deletes it in place, or with
 * to_out simply does not copy it. Updates res (status, actions, scrub_path). */
int um_drive_scrub_delete(int dirfd, const char *name, bool to_out, bool dry_run, struct um_file_result *res);

/* Removes the user.* attributes reported in res from the file `name` in dirfd (as it
 * is now: after an in-place scrub, or untouched). With to_out nothing is removed (the
 * copy never carries attributes) but the findings count as removed. Sets the result
 * SCRUBBED when it was only FOUND because of attributes. Returns the number removed
 * or an error. */
int um_drive_scrub_xattrs(int dirfd, const char *name, bool to_out, bool dry_run, struct um_file_result *res);

/* Sets atime and mtime of `name` in dirfd to t, not following a symlink. */
int um_drive_set_times(int dirfd, const char *name, struct timespec t);

/* Sets the times of everything under root (and root itself), children before their
 * directory, staying on root's file system. *count gets the number of entries set.
 * Returns 0 or the first error (it goes on after errors). */
int um_drive_set_tree_times(const char *root, struct timespec t, unsigned long *count);

/* Parses --times: "keep" (*set = false), "fixed" (2000-01-01T00:00:00Z) or
 * "fixed=YYYY-MM-DD[THH:MM:SS[Z]]" (UTC). Returns 0 or UM_E_FORMAT. */
int um_drive_parse_times(const char *s, bool *set, struct timespec *t);

#endif
