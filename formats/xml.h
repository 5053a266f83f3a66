/* libxml2, shared by the handlers that parse XML (XMP packets, OOXML/ODF parts). */
#ifndef UM_XML_H
#define UM_XML_H

#include "../common/xmllib.h"

/* Call before every parse: the first call in the process loads and initialises
 * libxml2 (common/xmllib.c). Returns 0, or -ELIBACC when it cannot be loaded: the
 * caller fails the part, it never guesses. */
int um_xml_ready(void);

#endif
