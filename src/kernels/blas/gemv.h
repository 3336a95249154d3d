/* The per-ISA GEMV kernels, also called by the GEMM family for M = 1. */
#ifndef GK_KERNELS_BLAS_GEMV_H
#define GK_KERNELS_BLAS_GEMV_H

#include <stdint.h>

#include "kernels/simd/target.h"

/* y[0..n) = A x, A n-by-k row-major (gemv.c). */
void GK_FN(gk_gemv_f32)(int64_t n, int64_t k, const float *a, int64_t lda, const float *x, float *y);
/* The same with bf16 / f16 weights (gemv.c). */
void GK_FN(gk_gemv_bf16)(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y);
void GK_FN(gk_gemv_f16)(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y);
#endif
