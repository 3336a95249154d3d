/* Validation shared by the GEMV and GEMM entry points of every weight type (f32, bf16, f16):
 * sizes, leading dimensions, regions and overlap, then the empty cases that kernels never see.
 * Each returns GK_OK with *done = 1 when the call is complete (nothing to compute, or k = 0
 * handled by writing the empty sums), *done = 0 when the kernel must run. */
#ifndef GK_OPS_SHAPES_H
#define GK_OPS_SHAPES_H

#include "ops/dispatch.h"
#include "ops/split.h"
#include "ops/validate.h"

/* Rows of A per GEMV chunk: about GK_OPS_CHUNK elements, rounded up to whole blocks of the
 * kernels' GK_GEMV_ROW_BLOCK rows. A chunk of fewer rows (one row when k >= GK_OPS_CHUNK)
 * would run the kernels' single-row loop, which loads x once per row and keeps only two FMA
 * chains, and streams one row at a time: long rows then ran 25% below the DRAM speed. */
static inline int64_t gk_ops_gemv_grain(int64_t k)
{
    int64_t g = gk_ops_row_grain(k);
    return (g + GK_GEMV_ROW_BLOCK - 1) / GK_GEMV_ROW_BLOCK * GK_GEMV_ROW_BLOCK;
}

/* y (n) = A (n-by-k, ld lda, region ra) x (k). */
gk_status gk_ops_gemv_shape(const char *fn, int64_t n, int64_t k, gk_region ra, int64_t lda, const float *x,
                            float *y, int *done);

/* C (m-by-n, ldc) = A (m-by-k, lda) B (+ bias): ra is A's region (m-by-k), rb B's (k-by-n, or
 * n-by-k when trans_b) and rbias the bias vector's (empty when there is no bias). */
gk_status gk_ops_gemm_shape(const char *fn, int trans_b, int64_t m, int64_t n, int64_t k, gk_region ra,
                            int64_t lda, gk_region rb, int64_t ldb, gk_region rbias, const float *bias, float *c,
                            int64_t ldc, int *done);

#endif
