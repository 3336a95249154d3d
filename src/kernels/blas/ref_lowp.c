/* Reference (scalar-level) kernels for the bf16 / f16 entries: the strided scalar
 * definitions, single-threaded. They fill the reference table's entries like src/kernels/ref/. */
#include "kernels/ref/ref.h"
#include "scalar/scalar.h"

void gk_ref_gemv_bf16(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y)
{
    gk_scalar_gemv_bf16_ld(n, k, a, lda, x, y);
}

void gk_ref_gemv_f16(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y)
{
    gk_scalar_gemv_f16_ld(n, k, a, lda, x, y);
}

gk_status gk_ref_gemm_bt_bf16(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *b,
                              int64_t ldb, float *c, int64_t ldc)
{
    gk_scalar_gemm_bt_bf16_ld(m, n, k, a, lda, b, ldb, c, ldc);
    return GK_OK;
}

gk_status gk_ref_gemm_bt_f16(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *b,
                             int64_t ldb, float *c, int64_t ldc)
{
    gk_scalar_gemm_bt_f16_ld(m, n, k, a, lda, b, ldb, c, ldc);
    return GK_OK;
}

gk_status gk_ref_gemm_bt_bf16bf16(int64_t m, int64_t n, int64_t k, const uint16_t *a, int64_t lda,
                                  const uint16_t *b, int64_t ldb, float *c, int64_t ldc)
{
    gk_scalar_gemm_bt_bf16bf16_ld(m, n, k, a, lda, b, ldb, c, ldc);
    return GK_OK;
}

void gk_ref_f32_to_bf16(int64_t n, const float *x, uint16_t *y)
{
    for (int64_t i = 0; i < n; i++)
        y[i] = gk_scalar_f32_to_bf16(x[i]);
}
