/* NMEA 0183 sentences, as GPS receivers write them and dashcams log them: the test
 * shared by the scanner (a subtitle track or a file that is a GPS log) and the
 * verifier (a subtitle stream that may go because it is one). */
#ifndef UM_NMEA_H
#define UM_NMEA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* True when p[0, n) holds a position fix sentence (RMC or GGA, GPS or multi-system). */
static inline bool um_has_nmea(const uint8_t *p, size_t n)
{
    /* "$G" then P or N, then RMC or GGA, then a comma. */
    for (size_t i = 0; n >= 7 && i <= n - 7; i++) {
        if (p[i] != '$' || p[i + 1] != 'G' || (p[i + 2] != 'P' && p[i + 2] != 'N') || p[i + 6] != ',') continue;
        if (!memcmp(p + i + 3, "RMC", 3) || !memcmp(p + i + 3, "GGA", 3)) return true;
    }
    return false;
}

#endif
