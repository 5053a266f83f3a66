/* Loads libxml2 on first use (see xmllib.h). Its soname has been libxml2.so.2, with a
 * backward-compatible ABI, since 2.0; a library that lacks a function we call fails
 * the load, saying which. */
#define UM_XMLLIB_DEFINE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "xmllib.h"

struct um_xmllib um_xmllib;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_err;
static char load_why[256];

static void load(void)
{
    void *h = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        load_err = -ELIBACC;
        snprintf(load_why, sizeof load_why, "cannot load libxml2.so.2: %s", dlerror());
        return;
    }
    /* The handle stays open for the life of the process. */
#define UM_XMLLIB_RESOLVE(fn)                                                     \
    if (!(um_xmllib.fn = (__typeof__(fn) *)dlsym(h, #fn)) && !load_err) {         \
        load_err = -ELIBACC;                                                      \
        snprintf(load_why, sizeof load_why, "libxml2 has no %s", #fn);            \
    }
    UM_XMLLIB_FUNCTIONS(UM_XMLLIB_RESOLVE)
#undef UM_XMLLIB_RESOLVE
    if (!load_err && !(um_xmllib.free_hook = (xmlFreeFunc *)dlsym(h, "xmlFree"))) {
        load_err = -ELIBACC;
        snprintf(load_why, sizeof load_why, "libxml2 has no xmlFree");
    }
    /* Initialised here, once and serialised: left to its lazy set-up, libxml2 2.9
     * initialises its globals in whichever threads parse first, concurrently. */
    if (!load_err) um_xmllib.xmlInitParser();
}

int um_xmllib_load(void)
{
    pthread_once(&once, load);
    return load_err;
}

const char *um_xmllib_error(void) { return load_why[0] ? load_why : "libxml2 is loaded"; }
