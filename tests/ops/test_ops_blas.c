/* BLAS-1 and GEMV entry points against the scalar definitions, on every ISA level, over the
 * size sweep, with guard bytes checked. Tolerances (for SIMD levels; the reference level must
 * agree exactly where it runs the definition unchanged):
 *   add, mul, scale, max: exact — one IEEE operation (or a comparison) per element;
 *   axpy: eps*(|y| + |alpha x|) — a SIMD kernel may fuse the multiply-add (one rounding fewer);
 *   dot, sum, gemv: 2*n*eps*sum|terms| — any two summation orders each lie within n*eps*sum|terms|
 *   of the exact sum (n = number of terms). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops/split.h"
#include "ops_test.h"
#include "runtime/cpu.h"
#include "scalar/scalar.h"

#define EPS ((double)FLT_EPSILON)

static double sum_abs_prod(const float *x, const float *y, int64_t n)
{
    double s = 0.0;
    for (int64_t i = 0; i < n; i++)
        s += fabs((double)x[i] * (y ? (double)y[i] : 1.0));
    return s;
}

static void test_reductions(int64_t n, gk_rng *rng)
{
    float *x = malloc((size_t)(n + 1) * sizeof(float)), *y = malloc((size_t)(n + 1) * sizeof(float));
    gk_rng_fill(rng, x, n, -2.0f, 2.0f);
    gk_rng_fill(rng, y, n, -2.0f, 2.0f);
    gk_guarded o = gk_guarded_new(3);

    CHECK_STATUS(gk_vec_dot_f32(n, x, y, &o.p[0]), GK_OK);
    CHECK_STATUS(gk_vec_sum_f32(n, x, &o.p[1]), GK_OK);
    CHECK_STATUS(gk_vec_max_f32(n, x, &o.p[2]), GK_OK);
    float dot = gk_scalar_vec_dot(x, y, n), sum = gk_scalar_vec_sum(x, n), mx = gk_scalar_vec_max(x, n);
    CHECK(ops_close(o.p[0], dot, 2.0 * (double)n * EPS * sum_abs_prod(x, y, n)), "dot n=%lld: %.9g vs %.9g",
          (long long)n, o.p[0], dot);
    CHECK(ops_close(o.p[1], sum, 2.0 * (double)n * EPS * sum_abs_prod(x, NULL, n)), "sum n=%lld: %.9g vs %.9g",
          (long long)n, o.p[1], sum);
    CHECK(gk_same_float(o.p[2], mx), "max n=%lld: %.9g vs %.9g", (long long)n, o.p[2], mx);

    if (n >= 3) { /* NaN wins wherever it is; +inf beats everything else */
        x[n / 2] = INFINITY;
        CHECK_STATUS(gk_vec_max_f32(n, x, &o.p[2]), GK_OK);
        CHECK(o.p[2] == INFINITY, "max with +inf n=%lld: %g", (long long)n, o.p[2]);
        /* -inf next to +inf (their sum is NaN, which the kernels' NaN check must not take for one) */
        x[n / 2 - 1] = -INFINITY;
        CHECK_STATUS(gk_vec_max_f32(n, x, &o.p[2]), GK_OK);
        CHECK(o.p[2] == INFINITY, "max with +inf beside -inf n=%lld: %g", (long long)n, o.p[2]);
        x[n - 1] = NAN;
        CHECK_STATUS(gk_vec_max_f32(n, x, &o.p[2]), GK_OK);
        CHECK(isnan(o.p[2]), "max with NaN last n=%lld: %g", (long long)n, o.p[2]);
        x[n - 1] = 0.0f;
        x[0] = NAN;
        CHECK_STATUS(gk_vec_max_f32(n, x, &o.p[2]), GK_OK);
        CHECK(isnan(o.p[2]), "max with NaN first n=%lld: %g", (long long)n, o.p[2]);
        CHECK_STATUS(gk_vec_sum_f32(n, x, &o.p[1]), GK_OK);
        CHECK(isnan(o.p[1]), "sum with NaN n=%lld: %g", (long long)n, o.p[1]);
    }
    CHECK(gk_guarded_intact(&o), "reduction guards n=%lld", (long long)n);
    gk_guarded_free(&o);
    free(x);
    free(y);
}

/* Inputs whose lane sums turn NaN without a NaN among them: the kernels may take such a sum for
 * a NaN, and must then still return the max. Sums of FLT_MAX overflow to +inf in every lane and
 * the -FLT_MAX half brings them to -inf: inf - inf; the second case mixes the infinities. */
static void test_max_overflow(int64_t n)
{
    float *x = malloc((size_t)(n + 1) * sizeof(float)), out;
    for (int64_t i = 0; i < n; i++)
        x[i] = i < (n + 1) / 2 ? FLT_MAX : -FLT_MAX;
    CHECK_STATUS(gk_vec_max_f32(n, x, &out), GK_OK);
    CHECK(out == FLT_MAX, "max of +-FLT_MAX halves n=%lld: %g", (long long)n, out);
    for (int64_t i = 0; i < n; i++)
        x[i] = i % 3 ? -INFINITY : (i % 2 ? INFINITY : -1.0f);
    CHECK_STATUS(gk_vec_max_f32(n, x, &out), GK_OK);
    float want = n > 3 ? INFINITY : -1.0f;
    CHECK(out == want, "max of mixed infinities n=%lld: %g (want %g)", (long long)n, out, want);
    free(x);
}

static void test_elementwise(int64_t n, gk_rng *rng)
{
    float *x = malloc((size_t)(n + 1) * sizeof(float)), *y = malloc((size_t)(n + 1) * sizeof(float));
    float *ref = malloc((size_t)(n + 1) * sizeof(float));
    gk_rng_fill(rng, x, n, -3.0f, 3.0f);
    gk_rng_fill(rng, y, n, -3.0f, 3.0f);
    ops_put_specials(x, n, n / 2);
    const float alpha = -1.75f;
    gk_guarded o = gk_guarded_new(n);

    CHECK_STATUS(gk_vec_add_f32(n, x, y, o.p), GK_OK);
    gk_scalar_vec_add(x, y, ref, n);
    for (int64_t i = 0; i < n; i++)
        CHECK(gk_same_float(o.p[i], ref[i]), "add n=%lld i=%lld: %g vs %g", (long long)n, (long long)i, o.p[i], ref[i]);
    CHECK_STATUS(gk_vec_mul_f32(n, x, y, o.p), GK_OK);
    gk_scalar_vec_mul(x, y, ref, n);
    for (int64_t i = 0; i < n; i++)
        CHECK(gk_same_float(o.p[i], ref[i]), "mul n=%lld i=%lld: %g vs %g", (long long)n, (long long)i, o.p[i], ref[i]);
    CHECK_STATUS(gk_vec_scale_f32(n, x, alpha, o.p), GK_OK);
    gk_scalar_vec_scale(x, ref, n, alpha);
    for (int64_t i = 0; i < n; i++)
        CHECK(gk_same_float(o.p[i], ref[i]), "scale n=%lld i=%lld: %g vs %g", (long long)n, (long long)i, o.p[i],
              ref[i]);
    if (n > 0)
        memcpy(o.p, y, (size_t)n * sizeof(float));
    CHECK_STATUS(gk_vec_axpy_f32(n, alpha, x, o.p), GK_OK);
    gk_scalar_vec_axpy(x, y, ref, n, alpha);
    for (int64_t i = 0; i < n; i++)
        CHECK(ops_close(o.p[i], ref[i], EPS * (fabs((double)y[i]) + fabs((double)alpha * x[i]))),
              "axpy n=%lld i=%lld: %g vs %g", (long long)n, (long long)i, o.p[i], ref[i]);
    CHECK(gk_guarded_intact(&o), "elementwise guards n=%lld", (long long)n);
    gk_guarded_free(&o);
    free(x);
    free(y);
    free(ref);
}

/* lda = k, k + 1 (odd) and k + 16: rows that are not vector-aligned */
static void test_gemv(int64_t n, int64_t k, int64_t pad, gk_rng *rng)
{
    int64_t lda = k + pad;
    float *a = malloc((size_t)(n * lda + 1) * sizeof(float)), *x = malloc((size_t)(k + 1) * sizeof(float));
    float *dense = malloc((size_t)(n * k + 1) * sizeof(float)), *ref = malloc((size_t)(n + 1) * sizeof(float));
    gk_rng_fill(rng, a, n * lda, -1.0f, 1.0f);
    gk_rng_fill(rng, x, k, -1.0f, 1.0f);
    for (int64_t i = 0; i < n; i++)
        for (int64_t p = 0; p < k; p++)
            dense[i * k + p] = a[i * lda + p];
    gk_guarded o = gk_guarded_new(n);
    CHECK_STATUS(gk_gemv_f32(n, k, a, lda, x, o.p), GK_OK);
    gk_scalar_gemv(n, k, dense, x, ref);
    for (int64_t i = 0; i < n; i++)
        CHECK(ops_close(o.p[i], ref[i], 2.0 * (double)k * EPS * sum_abs_prod(a + i * lda, x, k)),
              "gemv n=%lld k=%lld lda=%lld row %lld: %.9g vs %.9g", (long long)n, (long long)k, (long long)lda,
              (long long)i, o.p[i], ref[i]);
    CHECK(gk_guarded_intact(&o), "gemv guards");
    gk_guarded_free(&o);
    free(a);
    free(x);
    free(dense);
    free(ref);
}

static void body(void *ctx)
{
    gk_rng rng;
    gk_rng_seed(&rng, 42);
    (void)ctx;
    for (int s = 0; s < ops_nsizes; s++) {
        test_reductions(ops_sizes[s], &rng);
        if (ops_sizes[s] > 0)
            test_max_overflow(ops_sizes[s]);
        test_elementwise(ops_sizes[s], &rng);
    }
    static const int64_t gn[] = {1, 7, 8, 9, 17, 64}, gk[] = {1, 7, 8, 9, 16, 33, 1000}, pads[] = {0, 1, 16};
    for (size_t i = 0; i < sizeof gn / sizeof gn[0]; i++)
        for (size_t j = 0; j < sizeof gk / sizeof gk[0]; j++)
            for (size_t p = 0; p < sizeof pads / sizeof pads[0]; p++)
                test_gemv(gn[i], gk[j], pads[p], &rng);
    /* long rows: a chunk of about GK_OPS_CHUNK elements is fewer than 4 rows, so the ops layer
     * rounds it up to whole 4-row kernel blocks (k prime, n not a multiple of 4) */
    static const int64_t ln[] = {9, 37}, lk[] = {5003, 16411};
    for (size_t i = 0; i < sizeof ln / sizeof ln[0]; i++)
        for (size_t j = 0; j < sizeof lk / sizeof lk[0]; j++)
            test_gemv(ln[i], lk[j], 1, &rng);
}

/* add, mul and scale write outputs above gk_ops_stream_min_bytes with non-temporal stores
 * after a masked head up to the vector alignment: the definition's bits all the same, nothing
 * written past the end, at an aligned and a misaligned output. */
static void test_stream(void *ctx)
{
    (void)ctx;
    int64_t n = gk_ops_stream_min_bytes() / 4 + 1001;
    gk_rng rng;
    gk_rng_seed(&rng, 7);
    float *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y), *want = malloc((size_t)n * sizeof *want);
    gk_rng_fill(&rng, x, n, -3.0f, 3.0f);
    gk_rng_fill(&rng, y, n, -3.0f, 3.0f);
    gk_guarded o = gk_guarded_new(n);
    static const char *const names[] = {"vec_add", "vec_mul", "vec_scale"};
    for (int op = 0; op < 3; op++)
        for (int64_t off = 0; off < 2; off++) {
            int64_t m = n - off;
            float *out = o.p + off;
            if (op == 0) {
                gk_scalar_vec_add(x, y, want, m);
                CHECK_STATUS(gk_vec_add_f32(m, x, y, out), GK_OK);
            } else if (op == 1) {
                gk_scalar_vec_mul(x, y, want, m);
                CHECK_STATUS(gk_vec_mul_f32(m, x, y, out), GK_OK);
            } else {
                gk_scalar_vec_scale(x, want, m, -1.75f);
                CHECK_STATUS(gk_vec_scale_f32(m, x, -1.75f, out), GK_OK);
            }
            CHECK(memcmp(out, want, (size_t)m * sizeof *want) == 0, "%s n=%lld: streamed output differs", names[op],
                  (long long)m);
            CHECK(gk_guarded_intact(&o), "%s: guard bytes overwritten", names[op]);
        }
    gk_guarded_free(&o);
    free(x);
    free(y);
    free(want);
}

int main(void)
{
    gk_test_for_each_isa(body, NULL);
    gk_test_for_each_isa(test_stream, NULL);
    return gk_test_finish("ops_blas");
}
