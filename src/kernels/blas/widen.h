/* Widening 16-bit weights to f32 (widen.c, per ISA): for paths that convert a block of weights
 * once and then run the f32 kernels on it (large-M gemm_bt with bf16/f16 B). Exact. */
#ifndef GK_KERNELS_BLAS_WIDEN_H
#define GK_KERNELS_BLAS_WIDEN_H

#include <stdint.h>

#include "kernels/simd/target.h"

/* dst[r*k + p] = src[r*lds + p] widened, for r < rows, p < k. */
void GK_FN(gk_widen_bf16_rows)(int64_t rows, int64_t k, const uint16_t *src, int64_t lds, float *dst);
void GK_FN(gk_widen_f16_rows)(int64_t rows, int64_t k, const uint16_t *src, int64_t lds, float *dst);

#endif
