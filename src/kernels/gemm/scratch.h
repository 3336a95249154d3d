/* Reusable packing buffers for the blocked GEMM path: a few process-wide buffers handed out
 * under a lock and returned after the call, so repeated GEMMs do not allocate (buffers from
 * 2 MiB up sit on huge pages via gk_alloc). Concurrent calls each get their own buffer. */
#ifndef GK_KERNELS_GEMM_SCRATCH_H
#define GK_KERNELS_GEMM_SCRATCH_H

#include <stddef.h>

/* A buffer of at least `bytes` (64-byte aligned), or NULL when out of memory. */
void *gk_gemm_scratch_get(size_t bytes);
/* Return a buffer from gk_gemm_scratch_get (NULL is fine). */
void gk_gemm_scratch_put(void *p);

#endif
