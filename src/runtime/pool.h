/* Internal thread-pool interface (not an installed header). Exported from the shared library
 * only so that the `gk` tool's pool benchmark, which links it, can time the pool directly. */
#ifndef GK_RUNTIME_POOL_H
#define GK_RUNTIME_POOL_H

#include "gk/gk.h"

/* fn(ctx, begin, end, tid) runs on [begin, end), a chunk of at most `grain` items. */
typedef void (*gk_task_fn)(void *ctx, int64_t begin, int64_t end, int tid);

/* Run fn over [0, n) in chunks of `grain` items (the last may be shorter), handed out
 * dynamically to at most gk_get_num_threads() threads, the caller included; returns when all
 * chunks are done. Chunk boundaries depend only on n and grain, never on the thread count, so
 * a kernel that computes each chunk independently gives bitwise-identical results for any
 * count. Safe to call from several user threads at once (calls then serialize or run inline)
 * and from inside a task (runs inline). tid is in [0, threads). */
GK_API void gk_parallel_for(int64_t n, int64_t grain, gk_task_fn fn, void *ctx);

/* How many threads a gk_parallel_for started now would use at most. */
GK_API int gk_pool_threads(void);

#endif
