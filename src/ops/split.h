/* How the ops layer splits memory-bound work across the thread pool (DESIGN §9). Chunk
 * boundaries depend only on the problem size, never on the thread count, and small problems run
 * the same chunks inline: results are bitwise identical for any thread count. */
#ifndef GK_OPS_SPLIT_H
#define GK_OPS_SPLIT_H

#include <stdint.h>

#include "gk/gk.h"
#include "runtime/cpu.h"
#include "runtime/pool.h"

/* Elements per chunk: 64 KiB of f32, large enough that handing out a chunk costs little
 * against streaming it, small enough to balance two threads on L2-sized arrays. */
#define GK_OPS_CHUNK ((int64_t)16384)

/* Reductions keep one partial per chunk on the stack; longer arrays use longer chunks. */
#define GK_OPS_MAX_CHUNKS ((int64_t)1024)

/* Run fn over [0, n) in chunks of `grain` items; inline when the call moves fewer than the
 * profile's parallel_min_bytes (bytes_per_item bytes per item), else on the pool. */
static inline void gk_ops_run(int64_t n, int64_t grain, int64_t bytes_per_item, gk_task_fn fn, void *ctx)
{
    /* a product, not a division: this test is on the path of every small call */
    if ((__int128)n * bytes_per_item < (__int128)gk_cpu()->parallel_min_bytes) {
        for (int64_t b = 0; b < n; b += grain)
            fn(ctx, b, b + grain < n ? b + grain : n, 0);
        return;
    }
    gk_parallel_for(n, grain, fn, ctx);
}

/* Output size above which an op writes with non-temporal stores: the last-level cache of the
 * device profile (every instance of it, or the L2s where no L3 is reported), counted at most
 * GK_OPS_LLC_PER_CORE per usable core. Above it, cached stores would only evict the input still
 * to be read and add a read for ownership of each line; the output is not reused from cache
 * anyway. The cap is for VMs, whose CPUID reports the host's whole L3 as theirs (480 MiB
 * "shared by 2 CPUs" on the 2-vCPU Xeon of 2026-12-03) while neighbours use it: there 64 MiB
 * outputs went cached, and streaming them measured vec_add 12.5 -> 9.5 ms, silu 11.0 -> 9.3,
 * swiglu 14.5 -> 11.9 (docs/PERFORMANCE.md). */
#define GK_OPS_LLC_PER_CORE ((int64_t)8 << 20)

static inline int64_t gk_ops_stream_min_bytes(void)
{
    const struct gk_device_profile *p = gk_cpu();
    const gk_cache_level *llc = p->l3.size > 0 ? &p->l3 : &p->l2;
    int64_t shared = llc->shared_by > 0 ? llc->shared_by : 1;
    int64_t bytes = llc->size * ((p->cores + shared - 1) / shared);
    return bytes < p->cores * GK_OPS_LLC_PER_CORE ? bytes : p->cores * GK_OPS_LLC_PER_CORE;
}

/* Whether an op should write its `bytes` of output `out` with non-temporal stores. Not when it
 * writes in place over an input (`in0` or `in1`, either may be NULL): the lines were just read,
 * so cached stores need no read for ownership (64 MiB vec_scale in place: 8.6 ms streamed,
 * 4.9 ms cached). */
static inline int gk_ops_stream_output(int64_t bytes, const void *out, const void *in0, const void *in1)
{
    int64_t min = gk_ops_stream_min_bytes();
    return min > 0 && bytes > min && out != in0 && out != in1;
}

/* Rows (or tokens) per chunk for rows of `row` elements: about GK_OPS_CHUNK elements. */
static inline int64_t gk_ops_row_grain(int64_t row)
{
    return row >= GK_OPS_CHUNK ? 1 : GK_OPS_CHUNK / row;
}

/* Chunk length of a reduction over n elements: GK_OPS_CHUNK, or longer (a multiple of 64)
 * so that there are at most GK_OPS_MAX_CHUNKS partials. */
static inline int64_t gk_ops_reduce_chunk(int64_t n)
{
    int64_t c = (n + GK_OPS_MAX_CHUNKS - 1) / GK_OPS_MAX_CHUNKS;
    c = (c + 63) / 64 * 64;
    return c > GK_OPS_CHUNK ? c : GK_OPS_CHUNK;
}

#endif
