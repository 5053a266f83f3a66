/* One table that says what a metadata key reveals. Handlers look keys up here instead
 * of deciding in scattered ifs. Namespaces: exif, xmp, iptc, png, quicktime, mkv,
 * id3, vorbis, riff, asf, pdf, ooxml, odf, av (libavformat's generic keys). */
#ifndef UM_CLASSIFY_H
#define UM_CLASSIFY_H

#include <stdbool.h>

#include "finding.h"

struct um_class {
    enum um_kind kind;
    enum um_severity severity;
};

/* Case-insensitive lookup of key in namespace ns; false when the key is not known to
 * identify anything (it is then not reported). */
bool um_classify(const char *ns, const char *key, struct um_class *out);

#endif
