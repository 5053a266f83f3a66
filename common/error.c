/* One strerror for system errors (-errno) and our own codes. */
#include <string.h>

#include "error.h"

const char *um_strerror(int err)
{
    static const char *const own[] = {
        [UM_E_TRUNC - UM_E_BASE] = "structure truncated",
        [UM_E_FORMAT - UM_E_BASE] = "malformed structure",
        [UM_E_RANGE - UM_E_BASE] = "size or offset out of range",
        [UM_E_LIMIT - UM_E_BASE] = "limit reached",
        [UM_E_CHANGED - UM_E_BASE] = "file changed since it was scanned; not touched",
        [UM_E_VERIFY - UM_E_BASE] = "result failed verification; original kept",
        [UM_E_PLAN - UM_E_BASE] = "inconsistent edit plan; original kept",
        [UM_E_UNSUPPORTED - UM_E_BASE] = "not supported",
        [UM_E_INTERRUPTED - UM_E_BASE] = "interrupted",
        [UM_E_DAMAGED - UM_E_BASE] = "file is damaged; not changed",
        [UM_E_LIBAV - UM_E_BASE] = "media library error",
        [UM_E_MAGIC - UM_E_BASE] = "type identification failed",
    };
    if (err >= 0) return "success";
    if (err >= UM_E_BASE && err < UM_E_END_) {
        const char *s = own[err - UM_E_BASE];
        return s ? s : "unknown error";
    }
    return strerror(-err);
}
