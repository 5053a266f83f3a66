/* Red Star OS 3.0 watermarks: the appended trailer, the "organ" profile trailer and
 * the Office Open XML mark at offset 80. See formats/redstar.c. */
#ifndef UM_REDSTAR_H
#define UM_REDSTAR_H

#include <stdbool.h>
#include <stdint.h>

#include "format.h"

#define UM_REDSTAR_MARK 24
#define UM_REDSTAR_ID_MAX 21   /* printable bytes between "WM" and the NUL padding */

/* A decoded mark. */
struct um_redstar_id {
    char id[UM_REDSTAR_ID_MAX + 1];
    bool standard_form;   /* 13 characters of 0-9 A-F Z */
};

/* Decrypts one 24-byte mark; returns true when it is "WM" + a printable ID + NULs. */
bool um_redstar_decode_mark(const uint8_t mark[UM_REDSTAR_MARK], struct um_redstar_id *out);

/* Finds trailers at data[0, *end), reports them, plans their removal, and lowers
 * *end to where the file's own bytes end. Repeats while trailers are stacked. */
int um_redstar_peel(struct um_scan_ctx *ctx, const uint8_t *data, uint64_t *end);

/* Looks for a mark chain written at file offset 80 of an OOXML (ZIP) file.
 * `pad_from`/`pad_to` is the zero padding of the first local header's growth-hint
 * extra field (0/0 when there is none). Reports and, inside padding, plans zeroing.
 * *mark_end is set to the end of the chain, or 0 when there is none. */
int um_redstar_check_ooxml(struct um_scan_ctx *ctx, const uint8_t *data, uint64_t size,
                           uint64_t pad_from, uint64_t pad_to, uint64_t *mark_end);

#endif
