/* bf16 / f16 weight operators (gemv, gemm_bt) on every ISA level and path (m = 1 GEMV, skinny,
 * blocked after widening) against a float64 reference built on the scalar widening definitions;
 * shapes around the vector width and the tiles, k across a 1024-long slice, odd leading
 * dimensions, f16 subnormals and non-finite weights; NaN-filled outputs with guards; thread
 * counts 1 and 2 bitwise identical; the widening definitions themselves checked on exact values.
 * On AMX-BF16 CPUs gemm_bt_bf16 from m = 4 splits A into three bf16 parts on the tiles: the
 * specials there add activations of every magnitude with full mantissas, FLT_MAX, Inf and NaN,
 * and a zero activation against an Inf weight.
 * Tolerance: |y - ref| <= (k + 4) * (1 + 2^-6) * 2^-24 * sum_p |a_p x_p|: any summation order of
 * k products (Higham gamma_k; widening is exact) is within (k + 2) 2^-24; the split path sums
 * three partial products, each within that bound of its own magnitude (|mid| < 2^-7 |a|,
 * |lo| < 2^-15 |a|), and adds them with two more roundings. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gk_test.h"
#include "scalar/scalar.h"

static gk_rng rng;

/* A random finite 16-bit weight of magnitude about 2^-4 .. 2^4. */
static uint16_t rand_weight(int bf16)
{
    uint64_t r = gk_rng_u64(&rng);
    if (bf16) /* bf16: sign, 8-bit exponent (bias 127), 7-bit mantissa */
        return (uint16_t)(((r & 1) << 15) | ((123 + (r >> 1) % 9) << 7) | ((r >> 8) & 0x7f));
    /* f16: sign, 5-bit exponent (bias 15), 10-bit mantissa */
    return (uint16_t)(((r & 1) << 15) | ((11 + (r >> 1) % 9) << 10) | ((r >> 8) & 0x3ff));
}

static float widen(int bf16, uint16_t h) { return bf16 ? gk_scalar_bf16_to_f32(h) : gk_scalar_f16_to_f32(h); }

static gk_status run(int bf16, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *w,
                     int64_t ldw, float *c, int64_t ldc, int as_gemv)
{
    if (as_gemv) /* y = W a: one row of A as x */
        return bf16 ? gk_gemv_bf16(n, k, w, ldw, a, c) : gk_gemv_f16(n, k, w, ldw, a, c);
    return bf16 ? gk_gemm_bt_bf16(m, n, k, a, lda, w, ldw, c, ldc) : gk_gemm_bt_f16(m, n, k, a, lda, w, ldw, c, ldc);
}

static int check_shape(int bf16, int as_gemv, int64_t m, int64_t n, int64_t k, int specials)
{
    int64_t lda = k + 3, ldw = k + 5, ldc = n + 7;
    float *a = malloc(sizeof(float) * (size_t)(m * lda));
    uint16_t *w = malloc(sizeof(uint16_t) * (size_t)(n * ldw));
    gk_guarded c = gk_guarded_new(as_gemv ? n : m * ldc);
    int before = gk_test_failures;
    gk_rng_fill(&rng, a, m * lda, -1.0f, 1.0f);
    for (int64_t i = 0; i < n * ldw; i++)
        w[i] = rand_weight(bf16);
    if (specials) {
        for (int64_t p = 0; p < k && m > 3; p++) { /* magnitudes 2^-100 .. 2^100, full mantissas */
            a[1 * lda + p] = ldexpf(a[1 * lda + p], (int)(p % 201) - 100);
            a[2 * lda + p] = 0;
        }
        if (m > 3) { /* row 2: FLT_MAX (bf16 rounding would make it Inf) times weights of 0.5 */
            a[2 * lda + 1] = 0x1.fffffep127f;
            for (int64_t j = 0; j < n; j++)
                w[j * ldw + 1] = bf16 ? 0x3f00 : 0x3800;
            a[3 * lda] = INFINITY;
            a[3 * lda + 1] = NAN;
            a[0] = 0; /* 0 times the Inf weight below: NaN */
        }
        w[0] = bf16 ? 0x7f80 : 0x7c00;            /* +Inf in row 0 */
        w[(n - 1) * ldw + k - 1] = bf16 ? 0x7fc1 : 0x7e01; /* NaN in the last row */
        if (!bf16 && n > 2)
            for (int64_t p = 0; p < k; p++)
                w[1 * ldw + p] = (uint16_t)(1 + p % 0x3ff); /* subnormals in row 1 */
    }
    CHECK_STATUS(run(bf16, m, n, k, a, lda, w, ldw, c.p, ldc, as_gemv), GK_OK);
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double s = 0, mag = 0;
            for (int64_t p = 0; p < k; p++) {
                double t = (double)a[i * lda + p] * widen(bf16, w[j * ldw + p]);
                s += t;
                mag += fabs(t);
            }
            float got = c.p[as_gemv ? j : i * ldc + j];
            if (isfinite(s))
                CHECK(fabs(got - s) <= (double)(k + 4) * (1 + 0x1p-6) * 0x1p-24 * mag, "%s %s m=%lld n=%lld k=%lld: [%lld][%lld] = %.9g, want %.9g",
                      bf16 ? "bf16" : "f16", as_gemv ? "gemv" : "gemm_bt", (long long)m, (long long)n, (long long)k,
                      (long long)i, (long long)j, got, s);
            else
                CHECK(isnan(s) ? isnan(got) : got == s, "%s m=%lld n=%lld k=%lld: [%lld][%lld] = %g, want %g",
                      bf16 ? "bf16" : "f16", (long long)m, (long long)n, (long long)k, (long long)i, (long long)j, got, s);
            if (gk_test_failures - before > 5)
                goto out;
        }
    CHECK(gk_guarded_intact(&c), "guard bytes overwritten");
out:
    free(a);
    free(w);
    gk_guarded_free(&c);
    return gk_test_failures == before;
}

static void shapes(void *ctx)
{
    (void)ctx;
    static const int64_t ms[] = {1, 2, 5, 8, 31, 32, 33, 70};
    static const int64_t ns[] = {1, 3, 4, 5, 17, 49, 300};
    static const int64_t ks[] = {1, 7, 8, 9, 16, 17, 33, 1030};
    for (int bf16 = 0; bf16 < 2; bf16++) {
        for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++)
            for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
                check_shape(bf16, 1, 1, ns[ni], ks[ki], 0);
                for (size_t mi = 0; mi < sizeof ms / sizeof ms[0]; mi++)
                    if (!check_shape(bf16, 0, ms[mi], ns[ni], ks[ki], 0))
                        return;
            }
        check_shape(bf16, 1, 1, 9, 40, 1);
        check_shape(bf16, 0, 1, 9, 40, 1);
        check_shape(bf16, 0, 7, 9, 40, 1);
        check_shape(bf16, 0, 80, 9, 40, 1);
    }
}

static void threads(void *ctx)
{
    (void)ctx;
    static const int64_t shape[][3] = {{1, 3001, 700}, {9, 1500, 500}, {100, 600, 300}};
    for (int bf16 = 0; bf16 < 2; bf16++)
        for (size_t si = 0; si < sizeof shape / sizeof shape[0]; si++) {
            int64_t m = shape[si][0], n = shape[si][1], k = shape[si][2];
            float *a = malloc(sizeof(float) * (size_t)(m * k));
            uint16_t *w = malloc(sizeof(uint16_t) * (size_t)(n * k));
            float *c1 = malloc(sizeof(float) * (size_t)(m * n)), *c2 = malloc(sizeof(float) * (size_t)(m * n));
            gk_rng_fill(&rng, a, m * k, -1.0f, 1.0f);
            for (int64_t i = 0; i < n * k; i++)
                w[i] = rand_weight(bf16);
            for (int g = 0; g < 2; g++) {
                if (g && m > 1)
                    continue;
                CHECK_STATUS(gk_set_num_threads(1), GK_OK);
                CHECK_STATUS(run(bf16, m, n, k, a, k, w, k, c1, n, g), GK_OK);
                CHECK_STATUS(gk_set_num_threads(2), GK_OK);
                CHECK_STATUS(run(bf16, m, n, k, a, k, w, k, c2, n, g), GK_OK);
                CHECK(memcmp(c1, c2, sizeof(float) * (size_t)(m * n)) == 0, "%s m=%lld: 1 and 2 threads differ",
                      bf16 ? "bf16" : "f16", (long long)m);
            }
            free(a);
            free(w);
            free(c1);
            free(c2);
        }
}

/* The widening definitions on exact values. */
static void widening(void)
{
    CHECK(gk_scalar_f16_to_f32(0x3c00) == 1.0f, "f16 1.0");
    CHECK(gk_scalar_f16_to_f32(0xc000) == -2.0f, "f16 -2.0");
    CHECK(gk_scalar_f16_to_f32(0x0001) == 0x1p-24f, "f16 smallest subnormal");
    CHECK(gk_scalar_f16_to_f32(0x03ff) == 0x3ffp-24f, "f16 largest subnormal");
    CHECK(gk_scalar_f16_to_f32(0x7bff) == 65504.0f, "f16 max");
    CHECK(isinf(gk_scalar_f16_to_f32(0xfc00)) && gk_scalar_f16_to_f32(0xfc00) < 0, "f16 -inf");
    CHECK(isnan(gk_scalar_f16_to_f32(0x7c01)), "f16 NaN");
    CHECK(signbit(gk_scalar_f16_to_f32(0x8000)) && gk_scalar_f16_to_f32(0x8000) == 0.0f, "f16 -0");
    CHECK(gk_scalar_bf16_to_f32(0x3f80) == 1.0f, "bf16 1.0");
    CHECK(gk_scalar_bf16_to_f32(0xc0a0) == -5.0f, "bf16 -5.0");
    CHECK(isinf(gk_scalar_bf16_to_f32(0x7f80)), "bf16 inf");
}

/* Bad input (DESIGN §10): nothing written, a message set. */
static void bad_input(void)
{
    float x[4] = {1, 2, 3, 4}, y[4] = {7, 7, 7, 7};
    uint16_t w[16] = {0};
    CHECK_STATUS(gk_gemv_bf16(2, 4, NULL, 4, x, y), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_gemv_f16(2, 4, w, 3, x, y), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_gemv_f16(-1, 4, w, 4, x, y), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_gemm_bt_bf16(1, 2, 4, x, 4, w, 2, y, 2), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_gemm_bt_f16(1, 2, 4, x, 4, w, 4, y, 1), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_gemm_bt_f16(1, 2, 4, x, 4, w, 4, NULL, 2), GK_ERR_INVALID_ARG);
    CHECK(y[0] == 7 && y[1] == 7, "an output was written on error");
    CHECK_STATUS(gk_gemv_bf16(0, 4, NULL, 4, NULL, NULL), GK_OK);
    CHECK_STATUS(gk_gemm_bt_f16(2, 2, 0, NULL, 0, NULL, 0, y, 2), GK_OK);
    CHECK(y[0] == 0 && y[3] == 0, "k = 0 must write zeros");
}

int main(void)
{
    gk_rng_seed(&rng, 5);
    widening();
    bad_input();
    gk_test_for_each_isa(shapes, NULL);
    gk_test_for_each_isa(threads, NULL);
    return gk_test_finish("lowp");
}
