/* GEMV y = A x (A n-by-k row-major) for one ISA, with f32, bf16 or f16 weights and f32 x and y
 * (a template over the SIMD layer, compiled per ISA). M = 1 is memory-bound: the kernel streams
 * each row of A exactly once. Four rows go together so every loaded vector of x serves four
 * rows, and each row keeps two accumulators so the FMA latency is hidden (8 independent chains).
 * The callers split rows across threads; rows are independent, so any split gives the same bits.
 * Rounding: each row sums 2*GK_VL interleaved partial sums, combined by a fixed tree: error
 * <= (k / (2*GK_VL) + log2(2*GK_VL) + 1) * eps * sum |a_ip x_p| (vs k*eps for the sequential
 * scalar loop); 16-bit weights widen exactly, so the bound is the same. */
#include "kernels/blas/gemv.h"
#include "kernels/simd/simd.h"
#include "kernels/blas/wload.h"
#include "ops/dispatch.h"
#include "runtime/cpu.h"

/* rows per block; the ops layer hands out whole blocks (gk_ops_gemv_grain) */
#define ROWS GK_GEMV_ROW_BLOCK

/* 16-bit weights advance half as many bytes per step as f32 ones, and on Zen 5 the hardware
 * prefetchers alone then leave DRAM idle: prefetching each row 1 KiB ahead streams bf16 at 29
 * instead of 26 GB/s and f16 at 32 instead of 27 (4096 x 4096, cold); for f32 weights it costs
 * 3-7%. On Zen 4 it slows 16-bit weights too: the profile's gemv16_prefetch says where it runs. */
#define PREFETCH_BYTES 1024

/* y[0..rows) for `rows` rows (a constant after inlining) starting at row pointer a. */
static inline __attribute__((always_inline)) void gemv_rows(gk_wtype t, int pf, int rows, int64_t k, const char *a,
                                                             int64_t lda_bytes, const float *x, float *y)
{
    gk_vf acc[ROWS][2];
    for (int r = 0; r < rows; r++)
        acc[r][0] = acc[r][1] = gk_v_zero();
    int64_t p = 0;
    for (; p + 2 * GK_VL <= k; p += 2 * GK_VL) {
        gk_vf x0 = gk_v_loadu(x + p), x1 = gk_v_loadu(x + p + GK_VL);
        if (pf) /* one line of each row per step, 1 KiB ahead */
            for (int r = 0; r < rows; r++)
                __builtin_prefetch(a + r * lda_bytes + p * 2 + PREFETCH_BYTES);
        for (int r = 0; r < rows; r++) {
            acc[r][0] = gk_v_fma(gk_w_load(t, a + r * lda_bytes, p), x0, acc[r][0]);
            acc[r][1] = gk_v_fma(gk_w_load(t, a + r * lda_bytes, p + GK_VL), x1, acc[r][1]);
        }
    }
    for (; p < k; p += GK_VL) {
        int64_t left = k - p < GK_VL ? k - p : GK_VL;
        gk_vf x0 = gk_v_load_tail(x + p, left);
        for (int r = 0; r < rows; r++)
            acc[r][0] = gk_v_fma(left == GK_VL ? gk_w_load(t, a + r * lda_bytes, p)
                                               : gk_w_load_tail(t, a + r * lda_bytes, p, left),
                                 x0, acc[r][0]);
    }
    for (int r = 0; r < rows; r++)
        y[r] = gk_v_reduce_add(gk_v_add(acc[r][0], acc[r][1]));
}

static inline __attribute__((always_inline)) void gemv_any(gk_wtype t, int64_t n, int64_t k, const void *a,
                                                            int64_t lda, const float *x, float *y)
{
    const char *rows = a;
    int64_t ldb = lda * (int64_t)gk_wsize(t);
    int64_t i = 0;
    if (t != GK_W_F32 && gk_cpu()->gemv16_prefetch)
        for (; i + ROWS <= n; i += ROWS)
            gemv_rows(t, 1, ROWS, k, rows + i * ldb, ldb, x, y + i);
    for (; i + ROWS <= n; i += ROWS)
        gemv_rows(t, 0, ROWS, k, rows + i * ldb, ldb, x, y + i);
    for (; i < n; i++)
        gemv_rows(t, 0, 1, k, rows + i * ldb, ldb, x, y + i);
}

void GK_FN(gk_gemv_f32)(int64_t n, int64_t k, const float *a, int64_t lda, const float *x, float *y)
{
    gemv_any(GK_W_F32, n, k, a, lda, x, y);
}

void GK_FN(gk_gemv_bf16)(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y)
{
    gemv_any(GK_W_BF16, n, k, a, lda, x, y);
}

void GK_FN(gk_gemv_f16)(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y)
{
    gemv_any(GK_W_F16, n, k, a, lda, x, y);
}

void GK_FN(gk_register_gemv)(gk_kernel_table *t, uint32_t features)
{
    (void)features;
    t->gemv = GK_FN(gk_gemv_f32);
    t->gemv_bf16 = GK_FN(gk_gemv_bf16);
    t->gemv_f16 = GK_FN(gk_gemv_f16);
}
