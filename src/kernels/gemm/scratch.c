/* Reusable packing buffers for the blocked GEMM path (scratch.h). A handful of slots cover the
 * library's own threads plus a few concurrent user threads; a request finding every slot busy
 * gets a private buffer that is freed on return. */
#include "kernels/gemm/scratch.h"

#include <pthread.h>

#include "gk/gk.h"
#include "runtime/mem.h"

enum { SLOTS = 16 };

static struct slot {
    void *p;
    size_t bytes;
    int busy;
} slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *gk_gemm_scratch_get(size_t bytes)
{
    void *p = NULL;
    pthread_mutex_lock(&lock);
    struct slot *idle = NULL;
    for (int i = 0; i < SLOTS && !p; i++) {
        struct slot *s = &slots[i];
        if (s->busy)
            continue;
        if (s->p && s->bytes >= bytes) {
            s->busy = 1;
            p = s->p;
        } else if (!idle || !s->p) {
            idle = s;
        }
    }
    if (!p && idle) {
        /* grow an idle slot (or fill an empty one): buffers only ever get larger */
        gk_free(idle->p);
        idle->p = gk_alloc(bytes);
        idle->bytes = idle->p ? bytes : 0;
        idle->busy = idle->p != NULL;
        p = idle->p;
    }
    pthread_mutex_unlock(&lock);
    return p ? p : gk_alloc(bytes);
}

void gk_gemm_scratch_put(void *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < SLOTS; i++)
        if (slots[i].p == p) {
            slots[i].busy = 0;
            pthread_mutex_unlock(&lock);
            return;
        }
    pthread_mutex_unlock(&lock);
    gk_free(p);
}
