/* The skinny C = A B^T kernels (skinny_bt.c), per ISA: rows [0, n) of B, all m rows of A. */
#ifndef GK_KERNELS_GEMM_SKINNY_BT_H
#define GK_KERNELS_GEMM_SKINNY_BT_H

#include <stdint.h>

#include "kernels/simd/target.h"

/* The largest m the kernel takes (its accumulators for m rows live on the stack). */
#define GK_SKINNY_BT_MAX_M 64

void GK_FN(gk_gemm_bt_skinny_f32)(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                                  int64_t ldb, const float *bias, float *c, int64_t ldc);
/* The same with bf16 / f16 B (no bias). */
void GK_FN(gk_gemm_bt_skinny_bf16)(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *b,
                                   int64_t ldb, float *c, int64_t ldc);
void GK_FN(gk_gemm_bt_skinny_f16)(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *b,
                                  int64_t ldb, float *c, int64_t ldc);

#endif
