/* Media maps: a capped, sorted list of byte ranges (see media_map.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "media_map.h"

void um_media_map_init(struct um_media_map *m, uint64_t file_size)
{
    memset(m, 0, sizeof *m);
    m->size = file_size;
}

void um_media_map_free(struct um_media_map *m)
{
    free(m->r);
    memset(m, 0, sizeof *m);
}

int um_media_map_add(struct um_media_map *m, uint64_t off, uint64_t len)
{
    if (!um_range_ok(off, len, m->size)) return UM_E_RANGE;
    if (!len) return 0;
    /* Structures are mostly walked in file order: extend the last range when this one
     * touches it, which keeps a film's thousands of chunks to a few ranges. */
    if (m->n) {
        struct um_range *last = &m->r[m->n - 1];
        if (off >= last->off && off <= last->off + last->len) {
            if (off + len > last->off + last->len) last->len = off + len - last->off;
            return 0;
        }
    }
    if (m->n == m->cap) {
        if (m->cap >= UM_MEDIA_MAP_MAX) return UM_E_LIMIT;
        size_t cap = m->cap ? m->cap * 2 : 64;
        if (cap > UM_MEDIA_MAP_MAX) cap = UM_MEDIA_MAP_MAX;
        struct um_range *r = realloc(m->r, cap * sizeof *r);
        if (!r) return -ENOMEM;
        m->r = r, m->cap = cap;
    }
    m->r[m->n].off = off;
    m->r[m->n].len = len;
    m->n++;
    return 0;
}

static int cmp_off(const void *x, const void *y)
{
    const struct um_range *a = x, *b = y;
    return a->off < b->off ? -1 : a->off > b->off;
}

int um_media_map_add_except(struct um_media_map *m, uint64_t from, uint64_t to,
                            const struct um_range *skip, size_t nskip)
{
    if (to < from) return UM_E_RANGE;
    struct um_range s[8];
    if (nskip > sizeof s / sizeof *s) return UM_E_LIMIT;
    memcpy(s, skip, nskip * sizeof *s);
    qsort(s, nskip, sizeof *s, cmp_off);
    uint64_t pos = from;
    for (size_t i = 0; i < nskip; i++) {
        if (s[i].off < from || s[i].off > to || s[i].len > to - s[i].off) return UM_E_RANGE;
        if (s[i].off > pos) {
            int err = um_media_map_add(m, pos, s[i].off - pos);
            if (err) return err;
        }
        if (s[i].off + s[i].len > pos) pos = s[i].off + s[i].len;
    }
    return pos < to ? um_media_map_add(m, pos, to - pos) : 0;
}

/* Sorts r by offset. The ranges arrive as a few sorted runs (a film's tracks, each
 * listed in file order), so neighbouring runs are merged pass by pass: O(n log runs),
 * one pass for one track and none when already sorted. qsort when out of memory. */
static void sort_ranges(struct um_range *r, size_t n)
{
    size_t runs = 1;
    for (size_t i = 1; i < n; i++) runs += r[i].off < r[i - 1].off;
    if (runs == 1) return;
    struct um_range *tmp = malloc(n * sizeof *tmp);
    if (!tmp) {
        qsort(r, n, sizeof *r, cmp_off);
        return;
    }
    struct um_range *src = r, *dst = tmp;
    while (runs > 1) {
        runs = 0;
        size_t i = 0;
        while (i < n) {
            /* Two neighbouring runs [i, mid) and [mid, end). */
            size_t mid = i + 1;
            while (mid < n && src[mid].off >= src[mid - 1].off) mid++;
            size_t end = mid < n ? mid + 1 : n;
            while (end < n && src[end].off >= src[end - 1].off) end++;
            size_t a = i, b = mid, w = i;
            while (a < mid && b < end) dst[w++] = src[b].off < src[a].off ? src[b++] : src[a++];
            while (a < mid) dst[w++] = src[a++];
            while (b < end) dst[w++] = src[b++];
            i = end;
            runs++;
        }
        struct um_range *t = src;
        src = dst, dst = t;
    }
    if (src != r) memcpy(r, src, n * sizeof *r);
    free(tmp);
}

void um_media_map_finish(struct um_media_map *m)
{
    sort_ranges(m->r, m->n);
    size_t w = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (w && m->r[i].off <= m->r[w - 1].off + m->r[w - 1].len) {
            uint64_t end = m->r[i].off + m->r[i].len;
            if (end > m->r[w - 1].off + m->r[w - 1].len) m->r[w - 1].len = end - m->r[w - 1].off;
        } else {
            m->r[w++] = m->r[i];
        }
    }
    m->n = w;
}

bool um_media_map_touches(const struct um_media_map *m, uint64_t off, uint64_t len)
{
    if (!len) return false;
    /* The first range that ends after off. */
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->r[mid].off + m->r[mid].len <= off) lo = mid + 1;
        else hi = mid;
    }
    return lo < m->n && m->r[lo].off < off + len;
}

bool um_media_map_equal(const struct um_media_map *a, const struct um_media_map *b)
{
    return a->n == b->n && (!a->n || !memcmp(a->r, b->r, a->n * sizeof *a->r));
}

uint64_t um_media_map_bytes(const struct um_media_map *m)
{
    uint64_t total = 0;
    for (size_t i = 0; i < m->n; i++) total += m->r[i].len;
    return total;
}
