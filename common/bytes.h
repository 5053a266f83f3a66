/* Bounds-checked byte reader over untrusted input.
 * Every read either succeeds and advances, or returns UM_E_TRUNC and leaves the
 * reader where it was (parsers advance only on success). */
#ifndef UM_BYTES_H
#define UM_BYTES_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "error.h"

struct um_reader {
    const uint8_t *p;
    const uint8_t *end;
};

static inline struct um_reader um_reader_make(const uint8_t *p, uint64_t len)
{
    struct um_reader r = { p, p + len };
    return r;
}

static inline uint64_t rd_left(const struct um_reader *r) { return (uint64_t)(r->end - r->p); }

static inline int rd_need(const struct um_reader *r, uint64_t n)
{
    return n <= rd_left(r) ? 0 : UM_E_TRUNC;
}

static inline int rd_skip(struct um_reader *r, uint64_t n)
{
    if (rd_need(r, n)) return UM_E_TRUNC;
    r->p += n;
    return 0;
}

static inline int rd_bytes(struct um_reader *r, uint64_t n, const uint8_t **out)
{
    if (rd_need(r, n)) return UM_E_TRUNC;
    *out = r->p;
    r->p += n;
    return 0;
}

static inline int rd_copy(struct um_reader *r, void *dst, size_t n)
{
    if (rd_need(r, n)) return UM_E_TRUNC;
    memcpy(dst, r->p, n);
    r->p += n;
    return 0;
}

static inline int rd_u8(struct um_reader *r, uint8_t *v)
{
    if (rd_need(r, 1)) return UM_E_TRUNC;
    *v = *r->p++;
    return 0;
}

/* Unaligned loads from a pointer the caller has already bounds-checked. */
static inline uint16_t ld_u16le(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint16_t ld_u16be(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t ld_u24be(const uint8_t *p) { return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]; }
static inline uint32_t ld_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint32_t ld_u32be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
static inline uint64_t ld_u64le(const uint8_t *p) { return (uint64_t)ld_u32le(p + 4) << 32 | ld_u32le(p); }
static inline uint64_t ld_u64be(const uint8_t *p) { return (uint64_t)ld_u32be(p) << 32 | ld_u32be(p + 4); }

#define UM_RD_FN(name, type, width, loader)                          \
    static inline int name(struct um_reader *r, type *v)             \
    {                                                                \
        if (rd_need(r, width)) return UM_E_TRUNC;                    \
        *v = loader(r->p);                                           \
        r->p += width;                                               \
        return 0;                                                    \
    }
UM_RD_FN(rd_u16le, uint16_t, 2, ld_u16le)
UM_RD_FN(rd_u16be, uint16_t, 2, ld_u16be)
UM_RD_FN(rd_u24be, uint32_t, 3, ld_u24be)
UM_RD_FN(rd_u32le, uint32_t, 4, ld_u32le)
UM_RD_FN(rd_u32be, uint32_t, 4, ld_u32be)
UM_RD_FN(rd_u64le, uint64_t, 8, ld_u64le)
UM_RD_FN(rd_u64be, uint64_t, 8, ld_u64be)
#undef UM_RD_FN

/* a + b without wrapping; returns UM_E_RANGE if it would. */
/* True when p[0, n) is all zero bytes (n 0: true). */
static inline bool um_all_zero(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i]) return false;
    return true;
}

static inline int um_add_u64(uint64_t a, uint64_t b, uint64_t *out)
{
    if (a > UINT64_MAX - b) return UM_E_RANGE;
    *out = a + b;
    return 0;
}

/* A byte range [off, off+len). */
struct um_range {
    uint64_t off, len;
};

/* True when [off, off+len) lies inside [0, size). */
static inline int um_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

#endif
