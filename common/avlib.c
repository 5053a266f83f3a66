/* Loads FFmpeg on first use (see avlib.h). The sonames come from the headers the
 * project was built with, so a library of another major version is never picked. */
#define UM_AVLIB_DEFINE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "avlib.h"
#include "error.h"

struct um_avlib um_avlib;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_err;
static char load_why[256];

static void *open_lib(const char *soname)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h && !load_why[0]) snprintf(load_why, sizeof load_why, "cannot load %s: %s", soname, dlerror());
    return h;
}

static void load(void)
{
    void *lib_avutil = open_lib("libavutil.so." AV_STRINGIFY(LIBAVUTIL_VERSION_MAJOR));
    void *lib_avcodec = open_lib("libavcodec.so." AV_STRINGIFY(LIBAVCODEC_VERSION_MAJOR));
    void *lib_avformat = open_lib("libavformat.so." AV_STRINGIFY(LIBAVFORMAT_VERSION_MAJOR));
    if (!lib_avutil || !lib_avcodec || !lib_avformat) {
        load_err = UM_E_LIBAV;
        return;
    }
    /* The handles stay open for the life of the process. */
#define UM_AVLIB_RESOLVE(lib, fn)                                                      \
    if (!(um_avlib.fn = (__typeof__(fn) *)dlsym(lib_##lib, #fn)) && !load_err) {       \
        load_err = UM_E_LIBAV;                                                         \
        snprintf(load_why, sizeof load_why, "lib%s has no %s", #lib, #fn);             \
    }
    UM_AVLIB_FUNCTIONS(UM_AVLIB_RESOLVE)
#undef UM_AVLIB_RESOLVE
    if (!load_err) um_avlib.av_log_set_level(AV_LOG_QUIET);   /* a library never prints */
}

int um_avlib_load(void)
{
    pthread_once(&once, load);
    return load_err;
}

const char *um_avlib_error(void) { return load_why[0] ? load_why : "FFmpeg is loaded"; }
