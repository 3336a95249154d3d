/* Widening bf16 / f16 rows to f32 (widen.h), a template over the SIMD layer compiled per ISA. */
#include "kernels/blas/widen.h"
#include "kernels/simd/simd.h"
#include "kernels/blas/wload.h"

static inline __attribute__((always_inline)) void widen_rows(gk_wtype t, int64_t rows, int64_t k,
                                                             const uint16_t *src, int64_t lds, float *dst)
{
    for (int64_t r = 0; r < rows; r++) {
        const uint16_t *s = src + r * lds;
        float *d = dst + r * k;
        int64_t p = 0;
        for (; p + GK_VL <= k; p += GK_VL)
            gk_v_storeu(d + p, gk_w_load(t, s, p));
        if (p < k)
            gk_v_store_tail(d + p, gk_w_load_tail(t, s, p, k - p), k - p);
    }
}

void GK_FN(gk_widen_bf16_rows)(int64_t rows, int64_t k, const uint16_t *src, int64_t lds, float *dst)
{
    widen_rows(GK_W_BF16, rows, k, src, lds, dst);
}

void GK_FN(gk_widen_f16_rows)(int64_t rows, int64_t k, const uint16_t *src, int64_t lds, float *dst)
{
    widen_rows(GK_W_F16, rows, k, src, lds, dst);
}
