/* Scalar definitions of BLAS-1, GEMV and the GEMM family.
 *
 * Reductions accumulate in float, sequentially in index order, starting from +0 (vec_max from
 * -inf). The GEMM family accumulates each C element over k in order in float and adds the bias
 * last; the dense and strided (_ld) forms share one inlined body, so they round identically. */
#include <math.h>
#include <stddef.h>

#include "scalar/scalar.h"

#define GK_ALWAYS_INLINE static inline __attribute__((always_inline))

float gk_scalar_vec_dot(const float *x, const float *y, int64_t n)
{
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++)
        s += x[i] * y[i];
    return s;
}

void gk_scalar_vec_add(const float *x, const float *y, float *out, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = x[i] + y[i];
}

void gk_scalar_vec_mul(const float *x, const float *y, float *out, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = x[i] * y[i];
}

void gk_scalar_vec_scale(const float *x, float *out, int64_t n, float alpha)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = alpha * x[i];
}

/* Product rounded before the add (no FMA): -ffp-contract=off keeps it that way. */
void gk_scalar_vec_axpy(const float *x, const float *y, float *out, int64_t n, float alpha)
{
    for (int64_t i = 0; i < n; i++)
        out[i] = y[i] + alpha * x[i];
}

float gk_scalar_vec_sum(const float *x, int64_t n)
{
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++)
        s += x[i];
    return s;
}

/* NaN wins: once m is NaN no comparison replaces it, and a NaN element replaces any m.
 * Among equal values the first is kept (max(-0, +0) is whichever comes first). */
float gk_scalar_vec_max(const float *x, int64_t n)
{
    float m = -INFINITY;
    for (int64_t i = 0; i < n; i++)
        if (x[i] > m || x[i] != x[i])
            m = x[i];
    return m;
}

GK_ALWAYS_INLINE void gemv_body(int64_t n, int64_t k, const float *a, int64_t lda, const float *x, float *y)
{
    for (int64_t i = 0; i < n; i++) {
        float acc = 0.0f;
        for (int64_t p = 0; p < k; p++)
            acc += a[i * lda + p] * x[p];
        y[i] = acc;
    }
}

void gk_scalar_gemv(int64_t n, int64_t k, const float *a, const float *x, float *y)
{
    gemv_body(n, k, a, k, x, y);
}

void gk_scalar_gemv_ld(int64_t n, int64_t k, const float *a, int64_t lda, const float *x, float *y)
{
    gemv_body(n, k, a, lda, x, y);
}

/* B element (p, j) is at b[p*bsk + j*bsn]: (ldb, 1) for B k-by-n, (1, ldb) for B^T. */
GK_ALWAYS_INLINE void gemm_body(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                                int64_t bsk, int64_t bsn, const float *bias, float *c, int64_t ldc)
{
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            float acc = 0.0f;
            for (int64_t p = 0; p < k; p++)
                acc += a[i * lda + p] * b[p * bsk + j * bsn];
            c[i * ldc + j] = bias ? acc + bias[j] : acc;
        }
    }
}

void gk_scalar_gemm(int64_t m, int64_t n, int64_t k, const float *a, const float *b, float *c)
{
    gemm_body(m, n, k, a, k, b, n, 1, NULL, c, n);
}

void gk_scalar_gemm_bt(int64_t m, int64_t n, int64_t k, const float *a, const float *b, float *c)
{
    gemm_body(m, n, k, a, k, b, 1, k, NULL, c, n);
}

void gk_scalar_gemm_bias(int64_t m, int64_t n, int64_t k, const float *a, const float *b, const float *bias,
                         float *c)
{
    gemm_body(m, n, k, a, k, b, n, 1, bias, c, n);
}

void gk_scalar_gemm_ld(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb,
                       const float *bias, float *c, int64_t ldc)
{
    gemm_body(m, n, k, a, lda, b, ldb, 1, bias, c, ldc);
}

void gk_scalar_gemm_bt_ld(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                          int64_t ldb, const float *bias, float *c, int64_t ldc)
{
    gemm_body(m, n, k, a, lda, b, 1, ldb, bias, c, ldc);
}
