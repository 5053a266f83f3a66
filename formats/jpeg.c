/* JPEG (ITU T.81, JFIF, Exif/DCF): walks the marker segments and the entropy-coded
 * data to the EOI marker, so that bytes after it are reported as appended data.
 * Metadata segments are not interpreted here yet (see the README's format table). */
#include <string.h>

#include "format.h"

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    (void)size;
    if (n >= 4 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF) return UM_PROBE_MAX;
    return 0;
}

/* Skips entropy-coded data: returns the offset of the next marker that is not a
 * stuffed 0xFF00, a restart marker or fill bytes. */
static uint64_t skip_entropy(const uint8_t *d, uint64_t pos, uint64_t size)
{
    while (pos + 1 < size) {
        const uint8_t *ff = memchr(d + pos, 0xFF, (size_t)(size - pos - 1));
        if (!ff) return size;
        pos = (uint64_t)(ff - d);
        uint8_t m = d[pos + 1];
        if (m == 0x00 || (m >= 0xD0 && m <= 0xD7) || m == 0xFF) {
            pos += m == 0xFF ? 1 : 2;
            continue;
        }
        return pos;
    }
    return size;
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    uint64_t pos = 2;
    for (;;) {
        if (pos + 2 > size) return UM_E_TRUNC;
        if (d[pos] != 0xFF) return UM_E_FORMAT;
        uint8_t m = d[pos + 1];
        if (m == 0xFF) { pos++; continue; }     /* fill byte */
        if (m == 0xD9) {                        /* EOI */
            um_set_end(ctx, pos + 2, "JPEG EOI");
            return 0;
        }
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { pos += 2; continue; }
        if (pos + 4 > size) return UM_E_TRUNC;
        uint16_t len = ld_u16be(d + pos + 2);
        if (len < 2) return UM_E_FORMAT;
        if (!um_range_ok(pos + 2, len, size)) return UM_E_TRUNC;
        pos += 2 + (uint64_t)len;
        if (m == 0xDA) pos = skip_entropy(d, pos, size);   /* SOS: scan data follows */
    }
}

const struct um_format um_format_jpeg = {
    .name = "jpeg",
    .long_name = "JPEG image",
    .extensions = "jpg,jpeg,jpe,jfif",
    .mime = "image/jpeg",
    .finds = "data after EOI",
    .removes = "data after EOI",
    .probe = probe,
    .scan = scan,
};
