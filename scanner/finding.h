/* What a scan learns about one file: findings, the edit plan that removes them, and
 * the per-file result that the report and the scrubber consume. Everything here is
 * owned memory: nothing points into a file mapping once a scan has returned. */
#ifndef UM_FINDING_H
#define UM_FINDING_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include <jansson.h>

#include "../common/vec.h"

/* Kinds, as named in the report. Keep um_kind_name() in finding.c in step. */
enum um_kind {
    UM_K_REDSTAR_WATERMARK,
    UM_K_REDSTAR_PROFILE,
    UM_K_APPENDED_DATA,
    UM_K_NONZERO_PADDING,  /* non-zero bytes inside a structure meant to be empty */
    UM_K_TYPE_MISMATCH,
    UM_K_DEVICE_ID,
    UM_K_LOCATION,
    UM_K_DEVICE_MODEL,
    UM_K_SOFTWARE,
    UM_K_PERSON,
    UM_K_TIMESTAMP,
    UM_K_DOCUMENT_ID,
    UM_K_CONTENT,
    UM_K_EMBEDDED_MEDIA,
    UM_K_OS_ARTIFACT,
    UM_K_XATTR,
    UM_K_VOLUME_ID,
    UM_K_COUNT_
};

enum um_severity { UM_SEV_INFO, UM_SEV_LOW, UM_SEV_MEDIUM, UM_SEV_HIGH, UM_SEV_CRITICAL };

/* Byte operations on the original file. */
enum um_op {
    UM_OP_ZERO,      /* overwrite [offset, offset+length) with zeros */
    UM_OP_REPLACE,   /* overwrite [offset, offset+length) with `bytes` (same length) */
    UM_OP_CUT,       /* drop [offset, offset+length); later bytes move up */
    UM_OP_TRUNCATE,  /* drop everything from offset on; length = bytes dropped */
    UM_OP_REMUX,     /* no byte plan exists: stream-copy remux without metadata */
    UM_OP_DELETE,    /* remove the whole file (OS artifacts) */
    UM_OP_SPLICE,    /* replace [offset, offset+length) with `bytes_len` new bytes (copy path):
                        for rebuilt parts such as a re-compressed ZIP member */
};

struct um_finding {
    enum um_kind kind;
    enum um_severity severity;
    char *where;      /* structural path, e.g. "APP1/Exif/IFD0/Make" */
    char *key;        /* may be NULL */
    char *value;      /* sanitised, at most UM_VALUE_MAX characters; may be NULL */
    uint64_t offset;  /* in the file (absolute), with length; length 0 = no range */
    uint64_t length;
    json_t *extra;    /* kind-specific members merged into the report object; owned */
    bool removable;   /* the plan holds edits that remove it */
    char *note;       /* why it cannot be removed, or how it was neutralised */
};

struct um_edit {
    enum um_op op;
    uint64_t offset, length;
    uint8_t *bytes;      /* REPLACE (`length` bytes) and SPLICE (`bytes_len` bytes), owned */
    uint64_t bytes_len;
    size_t finding;      /* index of the finding this edit removes */
    size_t *also;        /* SPLICE: further findings it removes (owned); the splice is
                            applied only when every one of them is stripped */
    size_t nalso;
    uint8_t stage;       /* in-place write order: lower stages first, fsync between */
};

/* In-place stages: edits of a lower stage reach the file first, with an fsync between
 * stages. By default zeroing (stage 1) comes before rewrites (stage 2): a table
 * rewritten before the values it pointed at are zeroed would leave them orphaned,
 * where no re-scan finds them. A handler that renames a structure before wiping its
 * body (an MP4 box to `free`, a Matroska element to Void) asks for the rename first
 * (stage 0); one with nested tables orders them inner first (stages up to 7). */
enum { UM_STAGE_RENAME = 0, UM_STAGE_ZERO = 1, UM_STAGE_REWRITE = 2, UM_STAGE_LAST = 7 };

enum um_status { UM_ST_CLEAN, UM_ST_FOUND, UM_ST_SCRUBBED, UM_ST_FAILED, UM_ST_SKIPPED };

/* How the scrubber wrote a file. */
enum um_path { UM_PATH_NONE, UM_PATH_IN_PLACE, UM_PATH_COPY, UM_PATH_REMUX, UM_PATH_DELETE };

#define UM_VALUE_MAX 200

/* Findings kept per file (--max-findings): a hostile file must not make a report grow
 * without bound. A file with more fails, keeping the first ones. */
#define UM_MAX_FINDINGS_DEFAULT 4096
#define UM_MAX_FINDINGS_LIMIT 1000000

struct um_file_result {
    char *path;          /* raw bytes as on disk (display path: root joined) */
    uint64_t size;
    char *mime;          /* libmagic, may be NULL */
    const char *format;  /* static handler name, or "unknown" */
    char sha256[65];     /* "" when not hashed */
    enum um_status status;
    int error;           /* 0, or the error that failed or skipped the file */
    char *error_text;    /* detail for error, may be NULL */
    struct um_vec findings;  /* struct um_finding */
    struct um_vec edits;     /* struct um_edit */
    struct um_vec actions;   /* struct um_edit actually applied (bytes unused) */
    enum um_path scrub_path;
    const char *verified;    /* how the result was proven (static text), or NULL */
    char sha256_after[65];
    struct stat st;      /* identity at scan time, for the changed-since-scan check */
    uint64_t bytes_read; /* estimate of bytes the scan touched */
    bool scanned;        /* findings are complete (no error stopped the parse) */
};

const char *um_kind_name(enum um_kind k);
int um_kind_from_name(const char *name);   /* -1 if unknown */
const char *um_severity_name(enum um_severity s);
const char *um_op_name(enum um_op op);
const char *um_status_name(enum um_status s);
const char *um_path_name(enum um_path p);

void um_file_result_init(struct um_file_result *r);
/* Fails a result whose findings hit the cap (findings.overflowed): the report is incomplete
 * and a scrub of what was listed would leave the rest. */
void um_file_result_fail_full(struct um_file_result *r);
void um_file_result_free(struct um_file_result *r);

/* The first (at most 16) bytes of p as lowercase hex, for a finding's "preview". */
void um_hex_preview(const uint8_t *p, uint64_t n, char out[33]);

/* Sanitises a value for the report: valid UTF-8, control characters escaped,
 * at most UM_VALUE_MAX characters. Returns a new string or NULL on ENOMEM. */
char *um_sanitize_value(const uint8_t *p, size_t n);

#endif
