/* The format handler contract.
 *
 * A handler is pure: it gets a read-only view of a file's bytes and reports findings
 * and byte edits through a scan context. It never writes, prints, allocates globals
 * or exits. Offsets it passes are relative to the view it was given; the context
 * turns them into file offsets (embedded media are scanned through sub-views).
 *
 * Adding a format: one file here exporting one `const struct um_format`, one line in
 * formats/list.c, one test file, fixtures, a row in the README's format table. */
#ifndef UM_FORMAT_H
#define UM_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../common/bytes.h"
#include "../common/error.h"
#include "../common/media_map.h"
#include "../scanner/finding.h"

struct um_scan_ctx;

/* Probe scores, in the manner of libavformat. */
#define UM_PROBE_MAX 100
#define UM_PROBE_EXT 50     /* signature plus a plausible structure */
#define UM_PROBE_WEAK 25    /* a short signature only */

struct um_format {
    const char *name;        /* short name in reports, e.g. "jpeg" */
    const char *long_name;   /* "JPEG/JFIF/Exif image" */
    const char *extensions;  /* comma-separated, lower case: "jpg,jpeg,jpe" */
    /* MIME type reported for files this handler identifies (refine per file with
     * um_set_mime). NULL: ask libmagic. Our probes already identify the content, and
     * libmagic costs 0.3-0.8 ms a file, most of a scan, so it is asked only for files
     * no handler with a MIME type claims. */
    const char *mime;
    /* A fallback (the generic demuxer handler) is probed only when no other handler
     * bids: its probe runs every FFmpeg demuxer and is the costliest. */
    bool fallback;
    /* Documents and metadata carry no audio, video or image stream of their own: the
     * verifier does not ask FFmpeg about them (it takes a PDF that embeds a JPEG for
     * an MJPEG stream, and the edited PDF for a different one). */
    bool no_essence;
    /* What `unmark formats` says this handler finds and removes. */
    const char *finds;
    const char *removes;
    /* Scores the first bytes of a file (head, head_len <= 64 KiB) and its size;
     * 0 = not this format. */
    int (*probe)(const uint8_t *head, size_t head_len, uint64_t size);
    /* Scans data[0, size). Returns 0, or a negative error for a malformed file (the
     * findings reported so far are kept and the file is reported as failed). */
    int (*scan)(struct um_scan_ctx *ctx, const uint8_t *data, uint64_t size);
    /* Films only; may be NULL. Lists in m every byte of data[0, size) that a player
     * needs (common/media_map.h), read from the container's own structure and index,
     * not from what the scan found. Pure like scan. Returns 0, or UM_E_UNSUPPORTED for
     * a layout it cannot account for whole (the verifier then asks FFmpeg), or another
     * negative error for a malformed file. Bytes after the container's end are not
     * listed. */
    int (*media_map)(struct um_media_map *m, const uint8_t *data, uint64_t size);
};

/* ---- what a handler may call ---- */

struct um_finding_spec {
    enum um_kind kind;
    enum um_severity severity;
    const char *where;
    const char *key;             /* may be NULL */
    const uint8_t *value;        /* raw bytes, sanitised by the context; may be NULL */
    size_t value_len;
    uint64_t offset, length;     /* view-relative; length 0 = no byte range */
    json_t *extra;               /* stolen (freed even on error); may be NULL */
    const char *note;            /* may be NULL */
};

/* Records a finding; returns its index (>= 0) or a negative error. */
int um_report(struct um_scan_ctx *ctx, const struct um_finding_spec *spec);
/* Convenience for the common case of a text value. */
int um_report_text(struct um_scan_ctx *ctx, enum um_kind kind, enum um_severity sev,
                   const char *where, const char *key, const char *value,
                   uint64_t offset, uint64_t length);

/* Adds an edit that removes finding `finding`. `bytes` (REPLACE: `length` of them)
 * is copied. Edits of one file must not overlap, except ZERO with ZERO. */
int um_plan(struct um_scan_ctx *ctx, int finding, enum um_op op, uint64_t offset,
            uint64_t length, const void *bytes);
/* um_plan with an explicit in-place stage (UM_STAGE_*): UM_STAGE_RENAME for a
 * rename that must reach the file before the body it announces is zeroed. */
int um_plan_staged(struct um_scan_ctx *ctx, int finding, enum um_op op, uint64_t offset,
                   uint64_t length, const void *bytes, int stage);
/* Replaces [offset, offset+length) with n new bytes (copied); forces the copy path.
 * For parts that must be rebuilt (a re-compressed ZIP member and the records that
 * point past it). Several findings may share one splice: pass each of them. */
int um_plan_splice(struct um_scan_ctx *ctx, const int *findings, size_t nfindings,
                   uint64_t offset, uint64_t length, const void *bytes, uint64_t n);

/* Classifies (namespace, key) with the one table (scanner/classify.c) and, when the
 * key identifies something, reports it with the table's kind and severity. Returns
 * the finding index, UM_NOT_IDENTIFYING (a positive-free sentinel, < 0 but not an
 * error: check with um_is_error), or a negative error. */
#define UM_NOT_IDENTIFYING (-1)
int um_report_classified(struct um_scan_ctx *ctx, const char *ns, const char *where,
                         const char *key, const uint8_t *value, size_t value_len,
                         uint64_t offset, uint64_t length);
static inline int um_is_error(int r) { return r < UM_NOT_IDENTIFYING; }
/* Sets a note on a finding (e.g. "value zeroed: the structure cannot lose it"). */
int um_note(struct um_scan_ctx *ctx, int finding, const char *note);

/* Declares where the container legally ends (view-relative) and what ended it. The
 * scan then reports the bytes after it as appended data and plans their removal. */
void um_set_end(struct um_scan_ctx *ctx, uint64_t end, const char *after);

/* Scans an embedded file (cover art, thumbnail) at [offset, offset+length) of the
 * view as a file of its own; its findings get `where` as a prefix. Bounded depth. */
int um_scan_embedded(struct um_scan_ctx *ctx, uint64_t offset, uint64_t length,
                     const char *where);

/* Refines the MIME type of the file (e.g. a ZIP that is an OOXML document); static
 * strings only. Ignored inside embedded views. */
void um_set_mime(struct um_scan_ctx *ctx, const char *mime);

/* Base offset of the current view inside the file (0 for the file itself). */
uint64_t um_ctx_base(const struct um_scan_ctx *ctx);
/* Depth of embedding: 0 for the file itself. */
int um_ctx_depth(const struct um_scan_ctx *ctx);

/* ---- registry (formats/list.c) ---- */

extern const struct um_format *const um_formats[];
const struct um_format *um_format_by_name(const char *name);
/* Best-scoring handler for this head, or NULL. */
const struct um_format *um_format_probe(const uint8_t *head, size_t head_len, uint64_t size,
                                        int *score);
/* Handler that claims this extension (lower-cased, no dot), or NULL. */
const struct um_format *um_format_by_extension(const char *ext);
/* True when ext is in the comma-separated list. */
bool um_ext_in_list(const char *list, const char *ext);

#endif
