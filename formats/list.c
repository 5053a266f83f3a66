/* The registry: every handler, strict and cheap probes first. Adding a format is one
 * line here. */
#include <string.h>

#include "format.h"

extern const struct um_format um_format_jpeg;
extern const struct um_format um_format_zip;
extern const struct um_format um_format_tiff;
extern const struct um_format um_format_png;
extern const struct um_format um_format_gif;
extern const struct um_format um_format_isobmff;
extern const struct um_format um_format_pdf;
extern const struct um_format um_format_matroska;
extern const struct um_format um_format_riff;
extern const struct um_format um_format_flac;
extern const struct um_format um_format_ogg;
extern const struct um_format um_format_asf;
extern const struct um_format um_format_realmedia;
extern const struct um_format um_format_mp3;
extern const struct um_format um_format_gpslog;
extern const struct um_format um_format_xmp;
extern const struct um_format um_format_av;   /* the generic fallback: keep it last */

const struct um_format *const um_formats[] = {
    &um_format_jpeg,
    &um_format_zip,
    &um_format_tiff,
    &um_format_png,
    &um_format_gif,
    &um_format_isobmff,
    &um_format_pdf,
    &um_format_matroska,
    &um_format_riff,
    &um_format_flac,
    &um_format_ogg,
    &um_format_asf,
    &um_format_realmedia,
    &um_format_mp3,   /* after the others: its frame-sync probe is the weakest */
    &um_format_gpslog,   /* text: after the binary formats */
    &um_format_xmp,
    &um_format_av,
    NULL,
};

const struct um_format *um_format_by_name(const char *name)
{
    for (const struct um_format *const *f = um_formats; *f; f++)
        if (strcmp((*f)->name, name) == 0) return *f;
    return NULL;
}

const struct um_format *um_format_probe(const uint8_t *head, size_t head_len, uint64_t size,
                                        int *score)
{
    const struct um_format *best = NULL;
    int best_score = 0;
    for (const struct um_format *const *f = um_formats; *f; f++) {
        if (!(*f)->probe || ((*f)->fallback && best_score > 0)) continue;
        int s = (*f)->probe(head, head_len, size);
        if (s > best_score) best_score = s, best = *f;
        if (s >= UM_PROBE_MAX) break;
    }
    if (score) *score = best_score;
    return best;
}

bool um_ext_in_list(const char *list, const char *ext)
{
    size_t n = strlen(ext);
    if (!list || !n) return false;
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && memcmp(p, ext, n) == 0) return true;
        if (!comma) break;
        p = comma + 1;
    }
    return false;
}

const struct um_format *um_format_by_extension(const char *ext)
{
    for (const struct um_format *const *f = um_formats; *f; f++)
        if (um_ext_in_list((*f)->extensions, ext)) return *f;
    return NULL;
}
