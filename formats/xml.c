#include <pthread.h>

#include <libxml/parser.h>

#include "xml.h"

void um_xml_ready(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, xmlInitParser);
}
