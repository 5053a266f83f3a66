/* Error codes: 0 is success, negative is failure. System errors are -errno; our own
 * codes live far below any errno value so that one um_strerror() explains both. */
#ifndef UM_ERROR_H
#define UM_ERROR_H

enum {
    UM_E_BASE = -10000,
    UM_E_TRUNC = UM_E_BASE,   /* a structure runs past the end of its data */
    UM_E_FORMAT,              /* a structure is malformed */
    UM_E_RANGE,               /* a size or offset overflows or is out of range */
    UM_E_LIMIT,               /* a configured limit was reached */
    UM_E_CHANGED,             /* the file changed since it was scanned */
    UM_E_VERIFY,              /* the result failed verification; nothing committed */
    UM_E_PLAN,                /* the edit plan is inconsistent (overlapping edits) */
    UM_E_UNSUPPORTED,         /* not implemented for this input */
    UM_E_INTERRUPTED,         /* stopped by a signal */
    UM_E_DAMAGED,             /* the file is damaged and cannot be cleaned safely */
    UM_E_LIBAV,               /* libavformat/libavcodec reported an error */
    UM_E_MAGIC,               /* libmagic failed */
    UM_E_END_
};

const char *um_strerror(int err);

#endif
