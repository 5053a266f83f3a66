/* A media map: the byte ranges of a film that a player needs, listed from the
 * container's own structure and index.
 *
 * A format's media_map function (formats/format.h) lists every byte that carries media
 * or that a demuxer reads to find, time and decode it: sample or block data, sample
 * tables and indexes, codec setup, track and stream headers, and the size fields that
 * chain the structure together. What it leaves out is only what a player can do
 * without: tag and metadata structures, padding, dates, names. When in doubt a byte is
 * listed: a listed byte that an edit touches only costs the fast proof (the verifier
 * then asks FFmpeg), an unlisted byte that carries media could cost the film.
 *
 * The verifier uses it for large files edited in place: when no edit touches a listed
 * byte and the edited result lists exactly the same ranges, every byte a player reads
 * is the original's, without reading the film (scrubber/verify.c). */
#ifndef UM_MEDIA_MAP_H
#define UM_MEDIA_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bytes.h"

/* Ranges at the most (16 bytes each); a map that needs more is not used. */
#define UM_MEDIA_MAP_MAX (1u << 22)

struct um_media_map {
    struct um_range *r;
    size_t n, cap;
    uint64_t size;   /* of the file it maps: every range lies inside it */
};

void um_media_map_init(struct um_media_map *m, uint64_t file_size);
void um_media_map_free(struct um_media_map *m);
/* Lists [off, off+len) as needed by a player. A range that leaves the file is
 * UM_E_RANGE, more than UM_MEDIA_MAP_MAX ranges UM_E_LIMIT; len 0 is ignored.
 * Touching or overlapping ranges are merged. */
int um_media_map_add(struct um_media_map *m, uint64_t off, uint64_t len);
/* Lists [from, to) with the parts in skip[0..nskip) left out (each inside it, in any
 * order, possibly overlapping): a box whose date fields or name a scrub may zero. */
int um_media_map_add_except(struct um_media_map *m, uint64_t from, uint64_t to,
                            const struct um_range *skip, size_t nskip);
/* Sorts and merges; then the queries below may be asked. */
void um_media_map_finish(struct um_media_map *m);
/* True when some listed byte lies in [off, off+len). */
bool um_media_map_touches(const struct um_media_map *m, uint64_t off, uint64_t len);
/* True when both list exactly the same bytes. */
bool um_media_map_equal(const struct um_media_map *a, const struct um_media_map *b);
/* Bytes listed (after finish). */
uint64_t um_media_map_bytes(const struct um_media_map *m);

#endif
