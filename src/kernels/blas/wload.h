/* Weight loads for kernels that take f32, bf16 or f16 weights with f32 activations: one
 * template body per kernel, the weight type a constant after inlining (no per-element branch).
 * 16-bit weights widen to f32 exactly (bf16: shift; f16: F16C). Include after simd.h. */
#ifndef GK_KERNELS_BLAS_WLOAD_H
#define GK_KERNELS_BLAS_WLOAD_H

#include <stdint.h>
#include <string.h>

typedef enum { GK_W_F32, GK_W_BF16, GK_W_F16 } gk_wtype;

static inline size_t gk_wsize(gk_wtype t) { return t == GK_W_F32 ? 4 : 2; }

/* GK_VL weights from element i of w. */
static inline __attribute__((always_inline)) gk_vf gk_w_load(gk_wtype t, const void *w, int64_t i)
{
    switch (t) {
    case GK_W_F32: return gk_v_loadu((const float *)w + i);
    case GK_W_BF16: return gk_v_load_bf16((const uint16_t *)w + i);
    default: return gk_v_load_f16((const uint16_t *)w + i);
    }
}

/* The first n (0 < n < GK_VL) weights from element i, zeros in the other lanes; nothing past
 * element i+n-1 is read. 16-bit weights go through a zero-padded copy (a tail happens once per
 * row, so the copy costs nothing measurable). */
static inline __attribute__((always_inline)) gk_vf gk_w_load_tail(gk_wtype t, const void *w, int64_t i, int64_t n)
{
    if (t == GK_W_F32)
        return gk_v_load_tail((const float *)w + i, n);
    uint16_t pad[GK_VL] = {0};
    memcpy(pad, (const uint16_t *)w + i, (size_t)n * sizeof(uint16_t));
    return gk_w_load(t, pad, 0);
}

#endif
