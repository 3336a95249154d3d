/* Internal error reporting: set the thread-local message and return the status in one step,
 * so every failure path reads `return gk_fail(GK_ERR_INVALID_ARG, "...", ...);`. */
#ifndef GK_RUNTIME_ERROR_H
#define GK_RUNTIME_ERROR_H

#include "gk/gk.h"

#if defined(__GNUC__)
#define GK_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define GK_PRINTF(f, a)
#endif

gk_status gk_fail(gk_status s, const char *fmt, ...) GK_PRINTF(2, 3);

/* Propagate a failing status (the message is already set). */
#define GK_TRY(expr)                       \
    do {                                   \
        gk_status gk_try_s_ = (expr);      \
        if (gk_try_s_ != GK_OK)            \
            return gk_try_s_;              \
    } while (0)

#endif
