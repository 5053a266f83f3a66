/* ZIP (PKWARE APPNOTE 6.3.10), and so OOXML (docx/xlsx/pptx), ODF and EPUB: finds the
 * end of central directory record (and Zip64's) to report bytes after the archive,
 * and checks the Red Star mark that is written at file offset 80 of OOXML files,
 * inside the first local header's growth-hint extra field (id 0xA220) when MS Office
 * saved the file. */
#include <string.h>

#include "format.h"
#include "redstar.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_EOCD64_LOC 0x07064b50u
#define EXTRA_GROWTH_HINT 0xA220

static int probe(const uint8_t *h, size_t n, uint64_t size)
{
    (void)size;
    if (n >= 30 && ld_u32le(h) == SIG_LOCAL) return UM_PROBE_MAX;
    if (n >= 22 && ld_u32le(h) == SIG_EOCD) return UM_PROBE_EXT;  /* empty archive */
    return 0;
}

/* The growth-hint padding of the first local header, as [from, to), or 0/0. The
 * field is: id 0xA220, size, signature 0xA028, padding value, then padding bytes. */
static void growth_hint_padding(const uint8_t *d, uint64_t size, uint64_t *from, uint64_t *to)
{
    *from = *to = 0;
    if (size < 30 || ld_u32le(d) != SIG_LOCAL) return;
    uint64_t name_len = ld_u16le(d + 26), extra_len = ld_u16le(d + 28);
    uint64_t pos = 30 + name_len, end = pos + extra_len;
    if (end > size) return;
    while (pos + 4 <= end) {
        uint16_t id = ld_u16le(d + pos), len = ld_u16le(d + pos + 2);
        if (pos + 4 + len > end) return;
        if (id == EXTRA_GROWTH_HINT && len >= 4) {
            *from = pos + 8;
            *to = pos + 4 + len;
            return;
        }
        pos += 4 + (uint64_t)len;
    }
}

/* Reports non-zero bytes in the growth-hint padding other than a Red Star mark
 * already reported (a place where data hides, invisible to ZIP tools). */
static int check_padding(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t from, uint64_t to,
                         uint64_t skip_from, uint64_t skip_to)
{
    uint64_t first = 0, last = 0;
    bool any = false;
    for (uint64_t i = from; i < to; i++) {
        if (i >= skip_from && i < skip_to) continue;
        if (d[i]) {
            if (!any) first = i;
            last = i;
            any = true;
        }
    }
    if (!any) return 0;
    struct um_finding_spec s = {
        .kind = UM_K_NONZERO_PADDING, .severity = UM_SEV_HIGH,
        .where = "zip/local[0]/extra/0xa220/padding",
        .offset = first, .length = last + 1 - first,
    };
    int idx = um_report(ctx, &s);
    if (idx < 0) return idx;
    return um_plan(ctx, idx, UM_OP_ZERO, first, last + 1 - first, NULL);
}

/* Finds the end of the archive: the EOCD record (searched backwards through the
 * largest possible comment), checked against its central directory. */
static int find_end(const uint8_t *d, uint64_t size, uint64_t *end)
{
    if (size < 22) return UM_E_TRUNC;
    uint64_t lowest = size > 22 + 65535 ? size - 22 - 65535 : 0;
    for (uint64_t pos = size - 22 + 1; pos-- > lowest;) {
        if (d[pos] != 0x50 || ld_u32le(d + pos) != SIG_EOCD) continue;
        uint64_t comment = ld_u16le(d + pos + 20);
        uint64_t cd_size = ld_u32le(d + pos + 12), cd_off = ld_u32le(d + pos + 16);
        uint16_t entries = ld_u16le(d + pos + 10);
        if (pos + 22 + comment > size) continue;
        bool zip64 = cd_off == 0xFFFFFFFFu || cd_size == 0xFFFFFFFFu || entries == 0xFFFF;
        if (zip64 && pos >= 20 && ld_u32le(d + pos - 20) == SIG_EOCD64_LOC) {
            uint64_t rec = ld_u64le(d + pos - 20 + 8);
            if (rec + 56 <= pos && ld_u32le(d + rec) == SIG_EOCD64) {
                cd_size = ld_u64le(d + rec + 40);
                cd_off = ld_u64le(d + rec + 48);
            }
        }
        /* A stray signature inside appended bytes fails this consistency check. */
        if (cd_off > pos || cd_size > pos - cd_off) continue;
        if (entries && (cd_off + 4 > size || ld_u32le(d + cd_off) != SIG_CENTRAL)) continue;
        *end = pos + 22 + comment;
        return 0;
    }
    return UM_E_FORMAT;
}

static int scan(struct um_scan_ctx *ctx, const uint8_t *d, uint64_t size)
{
    uint64_t pad_from, pad_to;
    growth_hint_padding(d, size, &pad_from, &pad_to);
    uint64_t mark_end;
    int err = um_redstar_check_ooxml(ctx, d, size, pad_from, pad_to, &mark_end);
    if (err < 0) return err;
    if (pad_to > pad_from) {
        /* The mark (if any) was reported above; anything else there is hidden data. */
        err = check_padding(ctx, d, pad_from, pad_to, 80, mark_end ? mark_end : 80);
        if (err < 0) return err;
    }
    uint64_t end;
    err = find_end(d, size, &end);
    if (err) return err;
    um_set_end(ctx, end, "ZIP end of central directory");
    return 0;
}

const struct um_format um_format_zip = {
    .name = "zip",
    .long_name = "ZIP archive (and OOXML, ODF, EPUB)",
    .extensions = "zip,docx,xlsx,pptx,docm,xlsm,pptm,odt,ods,odp,odg,epub,jar,apk,hwpx",
    .finds = "Red Star mark at offset 80, data in growth-hint padding, data after the end record",
    .removes = "Red Star mark (zeroed in padding), padding data, data after the end record",
    .probe = probe,
    .scan = scan,
};
