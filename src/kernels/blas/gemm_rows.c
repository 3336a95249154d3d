/* f32 C = A B for m <= GK_GEMM_ROWS_MAX_M rows of A and B k-by-n row-major: gemm with few rows
 * (m = 1 is y = x^T B), a template over the SIMD layer compiled per ISA. Memory-bound like
 * GEMV, so the kernel reads B as the prefetchers stream fastest, whole rows in order: each pass
 * takes KB rows of B, two vectors of columns at a time in registers, and adds their products
 * into every row of C, which stays in L1/L2 (m*n floats). Packing B in strips instead reads it
 * as short runs from rows ldb apart: a test loop on Zen 3 copied 64 MiB at 9-10 GB/s that way
 * against 14-18 GB/s along whole rows. Each C element rounds as the sequential FMA chain over
 * p, for any split of the columns across threads. */
#include "kernels/blas/gemm_rows.h"
#include "kernels/simd/simd.h"

/* Rows of B per pass: 2*KB vectors of B and the four accumulators of two rows of C fit 16
 * registers (A's broadcasts are FMA memory operands); each pass re-reads and re-writes the m
 * rows of C once per KB rows of B. 4 and 6 measured the same as 5 (docs/GEMM.md). */
#define KB 5

#define INLINE static inline __attribute__((always_inline))

/* C[i][0..n) += sum over q < kb of A[i][q] * B[q][0..n), for i < m (constants after inlining). */
INLINE void pass(int m, int kb, int64_t n, const float *a, int64_t lda, const float *b, int64_t ldb, float *c,
                 int64_t ldc)
{
    /* A's m x kb values as broadcast vectors, loaded from one base: with A's scalars addressed
     * row by row, the compiler spills a pointer per value and every FMA waits on two loads */
    gk_vf av[GK_GEMM_ROWS_MAX_M * KB];
    for (int i = 0; i < m; i++)
        for (int q = 0; q < kb; q++)
            av[i * kb + q] = gk_v_set1(a[i * lda + q]);
    int64_t j = 0;
    for (; j + 2 * GK_VL <= n; j += 2 * GK_VL) {
        gk_vf b0[KB], b1[KB];
        for (int q = 0; q < kb; q++) {
            b0[q] = gk_v_loadu(b + q * ldb + j);
            b1[q] = gk_v_loadu(b + q * ldb + j + GK_VL);
        }
        /* two rows at a time: four independent FMA chains */
        int i = 0;
        for (; i + 2 <= m; i += 2) {
            float *ci = c + i * ldc + j, *cn = ci + ldc;
            gk_vf s0 = gk_v_loadu(ci), s1 = gk_v_loadu(ci + GK_VL);
            gk_vf t0 = gk_v_loadu(cn), t1 = gk_v_loadu(cn + GK_VL);
            for (int q = 0; q < kb; q++) {
                s0 = gk_v_fma(av[i * kb + q], b0[q], s0);
                s1 = gk_v_fma(av[i * kb + q], b1[q], s1);
                t0 = gk_v_fma(av[(i + 1) * kb + q], b0[q], t0);
                t1 = gk_v_fma(av[(i + 1) * kb + q], b1[q], t1);
            }
            gk_v_storeu(ci, s0);
            gk_v_storeu(ci + GK_VL, s1);
            gk_v_storeu(cn, t0);
            gk_v_storeu(cn + GK_VL, t1);
        }
        if (i < m) {
            float *ci = c + i * ldc + j;
            gk_vf s0 = gk_v_loadu(ci), s1 = gk_v_loadu(ci + GK_VL);
            for (int q = 0; q < kb; q++) {
                s0 = gk_v_fma(av[i * kb + q], b0[q], s0);
                s1 = gk_v_fma(av[i * kb + q], b1[q], s1);
            }
            gk_v_storeu(ci, s0);
            gk_v_storeu(ci + GK_VL, s1);
        }
    }
    for (; j < n; j += GK_VL) {
        int64_t w = n - j < GK_VL ? n - j : GK_VL;
        gk_vf bv[KB];
        for (int q = 0; q < kb; q++)
            bv[q] = w == GK_VL ? gk_v_loadu(b + q * ldb + j) : gk_v_load_tail(b + q * ldb + j, w);
        for (int i = 0; i < m; i++) {
            float *ci = c + i * ldc + j;
            gk_vf s = w == GK_VL ? gk_v_loadu(ci) : gk_v_load_tail(ci, w);
            for (int q = 0; q < kb; q++)
                s = gk_v_fma(av[i * kb + q], bv[q], s);
            if (w == GK_VL)
                gk_v_storeu(ci, s);
            else
                gk_v_store_tail(ci, s, w);
        }
    }
}

/* All of k: passes of KB rows, then single rows. */
INLINE void rows(int m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb, float *c,
                 int64_t ldc)
{
    int64_t p = 0;
    for (; p + KB <= k; p += KB)
        pass(m, KB, n, a + p, lda, b + p * ldb, ldb, c, ldc);
    for (; p < k; p++)
        pass(m, 1, n, a + p, lda, b + p * ldb, ldb, c, ldc);
}

void GK_FN(gk_gemm_rows_f32)(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                             int64_t ldb, float *c, int64_t ldc)
{
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++)
            c[i * ldc + j] = 0.0f;
    switch (m) {
    case 1: rows(1, n, k, a, lda, b, ldb, c, ldc); break;
    case 2: rows(2, n, k, a, lda, b, ldb, c, ldc); break;
    case 3: rows(3, n, k, a, lda, b, ldb, c, ldc); break;
    case 4: rows(4, n, k, a, lda, b, ldb, c, ldc); break;
    case 5: rows(5, n, k, a, lda, b, ldb, c, ldc); break;
    case 6: rows(6, n, k, a, lda, b, ldb, c, ldc); break;
    case 7: rows(7, n, k, a, lda, b, ldb, c, ldc); break;
    default: rows(GK_GEMM_ROWS_MAX_M, n, k, a, lda, b, ldb, c, ldc); break;
    }
}
