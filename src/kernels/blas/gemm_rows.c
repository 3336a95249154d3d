/* f32 y = x^T B for B k-by-n row-major (y_j = sum_p x_p B[p][j]): gemm with M = 1, a template
 * over the SIMD layer compiled per ISA. Memory-bound like GEMV, but B's rows run along y, so
 * the kernel streams four rows of B at a time over a slice of y that stays in L1 (each row is
 * read as one long contiguous run, which the prefetchers follow at full speed) and accumulates
 * into y in k order: y_j rounds as the sequential FMA chain over p, for any split of the
 * columns across threads. */
#include "kernels/blas/gemv.h"
#include "kernels/simd/simd.h"

/* y[0..n) = sum over the rows p in [0, k) of x[p] * B[p][0..n); y is overwritten. */
void GK_FN(gk_gemv_t_f32)(int64_t n, int64_t k, const float *b, int64_t ldb, const float *x, float *y)
{
    const int64_t nv = n / GK_VL * GK_VL, tail = n - nv;
    for (int64_t j = 0; j < nv; j += GK_VL)
        gk_v_storeu(y + j, gk_v_zero());
    if (tail)
        gk_v_store_tail(y + nv, gk_v_zero(), tail);
    int64_t p = 0;
    for (; p + 4 <= k; p += 4) {
        const float *b0 = b + p * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb, *b3 = b2 + ldb;
        gk_vf x0 = gk_v_set1(x[p]), x1 = gk_v_set1(x[p + 1]), x2 = gk_v_set1(x[p + 2]), x3 = gk_v_set1(x[p + 3]);
        for (int64_t j = 0; j < nv; j += GK_VL) {
            gk_vf s = gk_v_fma(x0, gk_v_loadu(b0 + j), gk_v_loadu(y + j));
            s = gk_v_fma(x1, gk_v_loadu(b1 + j), s);
            s = gk_v_fma(x2, gk_v_loadu(b2 + j), s);
            gk_v_storeu(y + j, gk_v_fma(x3, gk_v_loadu(b3 + j), s));
        }
        if (tail) {
            gk_vf s = gk_v_fma(x0, gk_v_load_tail(b0 + nv, tail), gk_v_load_tail(y + nv, tail));
            s = gk_v_fma(x1, gk_v_load_tail(b1 + nv, tail), s);
            s = gk_v_fma(x2, gk_v_load_tail(b2 + nv, tail), s);
            gk_v_store_tail(y + nv, gk_v_fma(x3, gk_v_load_tail(b3 + nv, tail), s), tail);
        }
    }
    for (; p < k; p++) {
        const float *b0 = b + p * ldb;
        gk_vf x0 = gk_v_set1(x[p]);
        for (int64_t j = 0; j < nv; j += GK_VL)
            gk_v_storeu(y + j, gk_v_fma(x0, gk_v_loadu(b0 + j), gk_v_loadu(y + j)));
        if (tail)
            gk_v_store_tail(y + nv, gk_v_fma(x0, gk_v_load_tail(b0 + nv, tail), gk_v_load_tail(y + nv, tail)), tail);
    }
}
