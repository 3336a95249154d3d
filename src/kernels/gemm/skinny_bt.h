/* The skinny C = A B^T kernel (skinny_bt.c), per ISA: rows [0, n) of B^T, all m rows of A. */
#ifndef GK_KERNELS_GEMM_SKINNY_BT_H
#define GK_KERNELS_GEMM_SKINNY_BT_H

#include <stdint.h>

#include "kernels/simd/target.h"

/* The largest m the kernel takes (its accumulators for m rows live on the stack). */
#define GK_SKINNY_BT_MAX_M 64

void GK_FN(gk_gemm_bt_skinny_f32)(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                                  int64_t ldb, const float *bias, float *c, int64_t ldc);

#endif
