/* Non-temporal output for op templates: the kernels that the ops layer tells to stream (their
 * whole output exceeds the last-level cache and is not an input, gk_ops_stream_output) write
 * the body of each output range with gk_v_stream after a masked head up to the vector
 * alignment, and fence once before returning. The values are the same as with cached stores;
 * only the cache traffic differs (no read for ownership, no eviction of the input still to be
 * read). */
#ifndef GK_SIMD_STREAM_H
#define GK_SIMD_STREAM_H

#include "kernels/simd/simd.h"

/* Elements before y + i is aligned for gk_v_stream (at most n); 0 when not streaming. */
static inline int64_t gk_stream_head(int64_t n, const float *y, int stream)
{
    int64_t h = stream ? (int64_t)((GK_VBYTES - (uintptr_t)y % GK_VBYTES) % GK_VBYTES / 4) : 0;
    return h < n ? h : n;
}

/* A full-vector store of the body: non-temporal when streaming (p is then aligned). */
static inline void gk_v_put(float *p, gk_vf v, int stream)
{
    if (stream)
        gk_v_stream(p, v);
    else
        gk_v_storeu(p, v);
}

#endif
