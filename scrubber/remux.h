/* The REMUX removal path: where no byte plan exists (libavformat parsed the tags and
 * gives no byte ranges), the file is rewritten by a stream copy into the same
 * container without any metadata. */
#ifndef UM_REMUX_H
#define UM_REMUX_H

#include <stdint.h>

#include "plan.h"

/* Stream-copies data[0, size) into out_fd (written from offset 0 with pwrite; the
 * caller owns the descriptor) using the input demuxer's own muxer, bit-exact, with:
 *   kept: every audio, video and subtitle stream's packets, bit for bit, with their
 *         timing; codec parameters and stream side data (rotation); dispositions;
 *         the "language" tag; chapter times; attachments (fonts) with their file
 *         name and type;
 *   dropped: all container, stream, chapter and program metadata, attached
 *         pictures, telemetry and other data streams, and any encoder tag.
 * The same input always gives the same bytes. On success *out_size is the size
 * written. On failure returns an error and sets *why (allocated, may be NULL). */
int um_remux(const uint8_t *data, uint64_t size, int out_fd, uint64_t *out_size,
             volatile int *interrupted, char **why);

/* The scrubber's producer for a REMUX plan: applies the plan's same-length edits
 * (ZERO, REPLACE) to a private copy-on-write mapping of in_fd, then remuxes the
 * kept part [0, plan->truncate_at) into out_fd. */
int um_remux_plan(int in_fd, const struct um_plan *plan, int out_fd, uint64_t *out_size,
                  volatile int *interrupted, char **why);

#endif
