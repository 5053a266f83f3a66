/* libxml2, shared by the handlers that parse XML (XMP packets, OOXML/ODF parts). */
#ifndef UM_XML_H
#define UM_XML_H

/* Call before every parse: the first call in the process initialises libxml2, once
 * and serialised. Left to its lazy set-up, libxml2 2.9 initialises its globals in
 * whichever threads parse first, concurrently (a data race under -j). */
void um_xml_ready(void);

#endif
