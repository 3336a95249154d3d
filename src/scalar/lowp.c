/* Scalar definitions of the bf16 / f16 operators: GEMV and C = A B^T with 16-bit weights, f32
 * activations and output; C = A B^T with bf16 A and B; the conversions between f32 and the
 * 16-bit formats. A 16-bit value is widened to f32 exactly, then the f32 definitions'
 * arithmetic applies unchanged (sequential float accumulation in k order from +0; the product
 * of two bf16 values is exact in f32). */
#include <string.h>

#include "scalar/bf16_round.h"
#include "scalar/scalar.h"

float gk_scalar_bf16_to_f32(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* IEEE binary16 -> binary32, exact; NaNs come out quiet with their payload, as F16C does. */
float gk_scalar_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu, bits;
    float f;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13) | (man ? 0x00400000u : 0);
    } else if (exp == 0) {
        f = (float)man * 0x1p-24f; /* zero or subnormal: man * 2^-24 is exact in f32 */
        return sign ? -f : f;
    } else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* f32 -> bf16, round to nearest even; NaN stays NaN (quieted, sign and top payload bits kept);
 * values that round past the largest bf16 become infinity; subnormals round like any value. */
uint16_t gk_scalar_f32_to_bf16(float x)
{
    uint32_t u;
    memcpy(&u, &x, sizeof u);
    return gk_bf16_round(u);
}

static inline __attribute__((always_inline)) float widen(int bf16, uint16_t h)
{
    return bf16 ? gk_scalar_bf16_to_f32(h) : gk_scalar_f16_to_f32(h);
}

/* Element i of A: f32, or bf16 widened (a_bf16). */
static inline __attribute__((always_inline)) float a_elem(int a_bf16, const void *a, int64_t i)
{
    return a_bf16 ? gk_scalar_bf16_to_f32(((const uint16_t *)a)[i]) : ((const float *)a)[i];
}

static inline __attribute__((always_inline)) void gemv_body(int bf16, int64_t n, int64_t k, const uint16_t *a,
                                                             int64_t lda, const float *x, float *y)
{
    for (int64_t i = 0; i < n; i++) {
        float acc = 0.0f;
        for (int64_t p = 0; p < k; p++)
            acc += widen(bf16, a[i * lda + p]) * x[p];
        y[i] = acc;
    }
}

static inline __attribute__((always_inline)) void gemm_bt_body(int a_bf16, int bf16, int64_t m, int64_t n,
                                                                int64_t k, const void *a, int64_t lda,
                                                                const uint16_t *b, int64_t ldb, float *c, int64_t ldc)
{
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            float acc = 0.0f;
            for (int64_t p = 0; p < k; p++)
                acc += a_elem(a_bf16, a, i * lda + p) * widen(bf16, b[j * ldb + p]);
            c[i * ldc + j] = acc;
        }
}

void gk_scalar_gemv_bf16(int64_t n, int64_t k, const uint16_t *a, const float *x, float *y)
{
    gemv_body(1, n, k, a, k, x, y);
}

void gk_scalar_gemv_f16(int64_t n, int64_t k, const uint16_t *a, const float *x, float *y)
{
    gemv_body(0, n, k, a, k, x, y);
}

void gk_scalar_gemm_bt_bf16(int64_t m, int64_t n, int64_t k, const float *a, const uint16_t *b, float *c)
{
    gemm_bt_body(0, 1, m, n, k, a, k, b, k, c, n);
}

void gk_scalar_gemm_bt_f16(int64_t m, int64_t n, int64_t k, const float *a, const uint16_t *b, float *c)
{
    gemm_bt_body(0, 0, m, n, k, a, k, b, k, c, n);
}

void gk_scalar_gemv_bf16_ld(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y)
{
    gemv_body(1, n, k, a, lda, x, y);
}

void gk_scalar_gemv_f16_ld(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y)
{
    gemv_body(0, n, k, a, lda, x, y);
}

void gk_scalar_gemm_bt_bf16_ld(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *b,
                               int64_t ldb, float *c, int64_t ldc)
{
    gemm_bt_body(0, 1, m, n, k, a, lda, b, ldb, c, ldc);
}

void gk_scalar_gemm_bt_f16_ld(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *b,
                              int64_t ldb, float *c, int64_t ldc)
{
    gemm_bt_body(0, 0, m, n, k, a, lda, b, ldb, c, ldc);
}

void gk_scalar_gemm_bt_bf16bf16(int64_t m, int64_t n, int64_t k, const uint16_t *a, const uint16_t *b, float *c)
{
    gemm_bt_body(1, 1, m, n, k, a, k, b, k, c, n);
}

void gk_scalar_gemm_bt_bf16bf16_ld(int64_t m, int64_t n, int64_t k, const uint16_t *a, int64_t lda,
                                   const uint16_t *b, int64_t ldb, float *c, int64_t ldc)
{
    gemm_bt_body(1, 1, m, n, k, a, lda, b, ldb, c, ldc);
}
