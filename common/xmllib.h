/* libxml2, loaded the first time a document needs it. Linked at build time it brings
 * ICU and the C++ runtime, about 0.8 ms of every run's start (a third of it), while a
 * film or a card of photos without XMP never parses XML. Code that uses libxml2
 * includes this header instead of libxml2's, calls um_xmllib_load() before its first
 * libxml2 call, and otherwise calls libxml2 as usual: the names below resolve to the
 * loaded functions (and xmlFree to the library's own free hook). */
#ifndef UM_XMLLIB_H
#define UM_XMLLIB_H

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

/* X(function) for every libxml2 function the project calls. */
#define UM_XMLLIB_FUNCTIONS(X) \
    X(xmlInitParser) \
    X(xmlSetGenericErrorFunc) \
    X(xmlReadMemory) \
    X(xmlDocGetRootElement) \
    X(xmlDocDumpMemoryEnc) \
    X(xmlFreeDoc) \
    X(xmlFreeNode) \
    X(xmlUnlinkNode) \
    X(xmlGetProp) \
    X(xmlGetNsProp) \
    X(xmlSetProp) \
    X(xmlSetNsProp) \
    X(xmlRemoveProp) \
    X(xmlNodeGetContent) \
    X(xmlNodeSetContent) \
    X(xmlNodeListGetString)

struct um_xmllib {
#define UM_XMLLIB_MEMBER(fn) __typeof__(fn) *fn;
    UM_XMLLIB_FUNCTIONS(UM_XMLLIB_MEMBER)
#undef UM_XMLLIB_MEMBER
    xmlFreeFunc *free_hook;   /* libxml2's global xmlFree: what frees its strings */
};
extern struct um_xmllib um_xmllib;

/* Loads libxml2 and initialises its parser, once per process (thread-safe). Returns
 * 0, or -ELIBACC with the reason in um_xmllib_error(). */
int um_xmllib_load(void);
const char *um_xmllib_error(void);

#ifndef UM_XMLLIB_DEFINE
#define xmlInitParser (um_xmllib.xmlInitParser)
#define xmlSetGenericErrorFunc (um_xmllib.xmlSetGenericErrorFunc)
#define xmlReadMemory (um_xmllib.xmlReadMemory)
#define xmlDocGetRootElement (um_xmllib.xmlDocGetRootElement)
#define xmlDocDumpMemoryEnc (um_xmllib.xmlDocDumpMemoryEnc)
#define xmlFreeDoc (um_xmllib.xmlFreeDoc)
#define xmlFreeNode (um_xmllib.xmlFreeNode)
#define xmlUnlinkNode (um_xmllib.xmlUnlinkNode)
#define xmlGetProp (um_xmllib.xmlGetProp)
#define xmlGetNsProp (um_xmllib.xmlGetNsProp)
#define xmlSetProp (um_xmllib.xmlSetProp)
#define xmlSetNsProp (um_xmllib.xmlSetNsProp)
#define xmlRemoveProp (um_xmllib.xmlRemoveProp)
#define xmlNodeGetContent (um_xmllib.xmlNodeGetContent)
#define xmlNodeSetContent (um_xmllib.xmlNodeSetContent)
#define xmlNodeListGetString (um_xmllib.xmlNodeListGetString)
#define xmlFree (*um_xmllib.free_hook)
#endif

#endif
