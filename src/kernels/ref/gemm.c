/* Reference GEMV and GEMM-family kernels: the strided scalar definitions, single-threaded.
 * The reference packed B is a dense k-by-n copy (B^T is transposed while packing), so
 * gemm_prepacked rounds exactly like gemm, and like gemm_bt for a transposed B. */
#include "kernels/ref/ref.h"
#include "ops/packed_b.h"
#include "runtime/error.h"
#include "scalar/scalar.h"

void gk_ref_gemv(int64_t n, int64_t k, const float *a, int64_t lda, const float *x, float *y)
{
    gk_scalar_gemv_ld(n, k, a, lda, x, y);
}

gk_status gk_ref_gemm(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb,
                      const float *bias, float *c, int64_t ldc)
{
    gk_scalar_gemm_ld(m, n, k, a, lda, b, ldb, bias, c, ldc);
    return GK_OK;
}

gk_status gk_ref_gemm_bt(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                         int64_t ldb, const float *bias, float *c, int64_t ldc)
{
    gk_scalar_gemm_bt_ld(m, n, k, a, lda, b, ldb, bias, c, ldc);
    return GK_OK;
}

gk_status gk_ref_pack_b(int64_t k, int64_t n, const float *b, int64_t ldb, int trans_b, struct gk_packed_b **out)
{
    struct gk_packed_b *pb;
    GK_TRY(gk_packed_b_new(GK_ISA_SCALAR, k, n, (size_t)k * (size_t)n * sizeof(float), &pb));
    float *d = pb->data;
    for (int64_t p = 0; p < k; p++)
        for (int64_t j = 0; j < n; j++)
            d[p * n + j] = trans_b ? b[j * ldb + p] : b[p * ldb + j];
    *out = pb;
    return GK_OK;
}

gk_status gk_ref_gemm_prepacked(int64_t m, const float *a, int64_t lda, const struct gk_packed_b *b, float *c,
                                int64_t ldc)
{
    gk_scalar_gemm_ld(m, b->n, b->k, a, lda, b->data, b->n, NULL, c, ldc);
    return GK_OK;
}
