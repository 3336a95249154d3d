/* Status names and the thread-local last-error message. */
#include "runtime/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_error[512];

const char *gk_status_str(gk_status s)
{
    switch (s) {
    case GK_OK: return "GK_OK";
    case GK_ERR_INVALID_ARG: return "GK_ERR_INVALID_ARG";
    case GK_ERR_UNSUPPORTED: return "GK_ERR_UNSUPPORTED";
    case GK_ERR_NO_MEMORY: return "GK_ERR_NO_MEMORY";
    case GK_ERR_JIT: return "GK_ERR_JIT";
    case GK_ERR_INTERNAL: return "GK_ERR_INTERNAL";
    }
    return "GK_ERR_UNKNOWN";
}

const char *gk_last_error(void)
{
    return last_error;
}

gk_status gk_fail(gk_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}

const char *gk_version(void)
{
#define GK_STR2(x) #x
#define GK_STR(x) GK_STR2(x)
    return GK_STR(GK_VERSION_MAJOR) "." GK_STR(GK_VERSION_MINOR) "." GK_STR(GK_VERSION_PATCH);
}
