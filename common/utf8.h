/* UTF-8 as RFC 3629 has it: the one check behind every text the report carries
 * (paths, found values, the JSON writer). */
#ifndef UM_UTF8_H
#define UM_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at p (1..4; n >= 1 bytes available), or 0: no
 * overlong forms, no surrogates, nothing above U+10FFFF. */
static inline size_t um_utf8_len(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    if (c < 0x80) return 1;
    size_t len = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (!len || len > n) return 0;
    for (size_t i = 1; i < len; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;   /* overlong 3-byte form */
    if (c == 0xED && p[1] > 0x9F) return 0;   /* U+D800..U+DFFF */
    if (c == 0xF0 && p[1] < 0x90) return 0;   /* overlong 4-byte form */
    if (c == 0xF4 && p[1] > 0x8F) return 0;   /* above U+10FFFF */
    return len;
}

#endif
