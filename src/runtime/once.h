/* pthread_once behind a flag, for set-ups that every op call reads (the device profile, the
 * kernel tables): once done, a call is one acquire load instead of a call into libpthread. */
#ifndef GK_RUNTIME_ONCE_H
#define GK_RUNTIME_ONCE_H

#include <pthread.h>
#include <stdatomic.h>

typedef struct gk_once {
    pthread_once_t once;
    atomic_int done;
} gk_once;

#define GK_ONCE_INIT {PTHREAD_ONCE_INIT, 0}

static inline void gk_once_run(gk_once *o, void (*fn)(void))
{
    if (!atomic_load_explicit(&o->done, memory_order_acquire)) {
        pthread_once(&o->once, fn);
        atomic_store_explicit(&o->done, 1, memory_order_release);
    }
}

#endif
