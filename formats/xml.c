#include "xml.h"

int um_xml_ready(void) { return um_xmllib_load(); }
