/* Packing for the f32 GEMM driver (included by the per-ISA driver template, so each ISA's copy
 * is compiled and vectorized with that ISA's flags).
 *
 * Packed B: a kc-by-nc block is a sequence of NR-wide column panels, panel j holding rows
 * p = 0..kc-1 of columns j*NR .. j*NR+NR-1 contiguously ([p][NR]); columns beyond n are zero
 * so the micro-kernel can read full NR-wide rows. The same layout serves gk_pack_b (all of B,
 * one such block per KC slice of k) and the per-call packing of the blocked path.
 * Packed A: an mc-by-kc block is a sequence of MR-row panels ([p][MR]); rows beyond m are not
 * written because the micro-kernel never reads rows >= m. */
#ifndef GK_KERNELS_GEMM_PACK_H
#define GK_KERNELS_GEMM_PACK_H

#include <stdint.h>
#include <string.h>

/* One NR-wide panel of rows k0..k0+kc-1, columns j0..j0+nc-1 (nc <= NR) of row-major B. */
static inline void gk_pack_b_panel_nn(const float *b, int64_t ldb, int64_t k0, int64_t kc, int64_t j0, int64_t nc,
                                      int nr, float *dst)
{
    const float *src = b + k0 * ldb + j0;
    if (nc == nr) {
        for (int64_t p = 0; p < kc; p++)
            memcpy(dst + p * nr, src + p * ldb, (size_t)nr * sizeof(float));
        return;
    }
    for (int64_t p = 0; p < kc; p++) {
        int64_t j = 0;
        for (; j < nc; j++)
            dst[p * nr + j] = src[p * ldb + j];
        for (; j < nr; j++)
            dst[p * nr + j] = 0.0f;
    }
}

/* The same panel taken from B stored n-by-k (B^T row-major): a transpose of nc rows. Rows of
 * the source are read in 8-element runs so that every cache line brought in is used while it
 * is still in L1. */
static inline void gk_pack_b_panel_bt(const float *b, int64_t ldb, int64_t k0, int64_t kc, int64_t j0, int64_t nc,
                                      int nr, float *dst)
{
    const float *src = b + j0 * ldb + k0;
    int64_t p = 0;
    for (; p + 8 <= kc; p += 8) {
        for (int64_t j = 0; j < nc; j++) {
            const float *s = src + j * ldb + p;
            for (int q = 0; q < 8; q++)
                dst[(p + q) * nr + j] = s[q];
        }
        for (int64_t j = nc; j < nr; j++)
            for (int q = 0; q < 8; q++)
                dst[(p + q) * nr + j] = 0.0f;
    }
    for (; p < kc; p++) {
        for (int64_t j = 0; j < nc; j++)
            dst[p * nr + j] = src[j * ldb + p];
        for (int64_t j = nc; j < nr; j++)
            dst[p * nr + j] = 0.0f;
    }
}

/* One MR-row panel of rows i0..i0+mc-1 (mc <= MR), columns k0..k0+kc-1 of row-major A. */
static inline void gk_pack_a_panel(const float *a, int64_t lda, int64_t i0, int64_t mc, int64_t k0, int64_t kc,
                                   int mr, float *dst)
{
    const float *src = a + i0 * lda + k0;
    int64_t p = 0;
    for (; p + 8 <= kc; p += 8)
        for (int64_t r = 0; r < mc; r++) {
            const float *s = src + r * lda + p;
            for (int q = 0; q < 8; q++)
                dst[(p + q) * mr + r] = s[q];
        }
    for (; p < kc; p++)
        for (int64_t r = 0; r < mc; r++)
            dst[p * mr + r] = src[r * lda + p];
}

#endif
