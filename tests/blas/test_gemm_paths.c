/* Every GEMM-family path (streaming GEMV for M = 1 with B^T, skinny M <= 32, blocked with
 * packing, prepacked B in both layouts, bias) on every ISA level against a float64 reference,
 * over shapes around the tiles (MR, NR of AVX2 6x16 and AVX-512 8x48 ± 1), empty shapes,
 * K = 1, K across KC slices, N across an NC block, odd leading dimensions; C NaN-filled (must
 * not be read),
 * guard bytes around C, padding between rows of C untouched; non-finite inputs; and thread
 * counts 1 and 2 bitwise identical.
 * Tolerance: |c - ref| <= (k + 2) * 2^-24 * (sum_p |a_ip b_pj| + |bias_j|) — the forward error
 * bound of any summation order of k products plus the bias add (Higham, gamma_k), with float64
 * accumulation as the reference. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gk_test.h"

static gk_rng rng;

typedef enum { V_GEMM, V_BIAS, V_BT, V_PACKED_NN, V_PACKED_BT, V_COUNT } variant;
static const char *const vname[] = {"gemm", "gemm_bias", "gemm_bt", "prepacked(nn)", "prepacked(bt)"};

/* B element (p, j) for B stored k-by-n (trans 0) or n-by-k (trans 1). */
static double belem(const float *b, int64_t ldb, int trans, int64_t p, int64_t j)
{
    return trans ? b[j * ldb + p] : b[p * ldb + j];
}

static gk_status run(variant v, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                     int64_t ldb, const float *bias, float *c, int64_t ldc)
{
    struct gk_packed_b *pb = NULL;
    gk_status s;
    switch (v) {
    case V_GEMM: return gk_gemm_f32(m, n, k, a, lda, b, ldb, c, ldc);
    case V_BIAS: return gk_gemm_bias_f32(m, n, k, a, lda, b, ldb, bias, c, ldc);
    case V_BT: return gk_gemm_bt_f32(m, n, k, a, lda, b, ldb, c, ldc);
    default:
        s = gk_pack_b_f32(k, n, b, ldb, v == V_PACKED_BT, &pb);
        if (s == GK_OK)
            s = gk_gemm_prepacked_f32(m, a, lda, pb, c, ldc);
        gk_packed_b_free(pb);
        return s;
    }
}

/* One shape and variant: returns 1 when every check passed. */
static int check_shape(variant v, int64_t m, int64_t n, int64_t k, int nonfinite)
{
    int trans = v == V_BT || v == V_PACKED_BT;
    int64_t lda = k + 3, ldb = (trans ? k : n) + 5, ldc = n + 7;
    int64_t brows = trans ? n : k;
    float *a = malloc(sizeof(float) * (size_t)(m * lda + 1));
    float *b = malloc(sizeof(float) * (size_t)(brows * ldb + 1));
    float *bias = malloc(sizeof(float) * (size_t)(n + 1));
    gk_guarded c = gk_guarded_new(m * ldc);
    int before = gk_test_failures;
    gk_rng_fill(&rng, a, m * lda + 1, -1.0f, 1.0f);
    gk_rng_fill(&rng, b, brows * ldb + 1, -1.0f, 1.0f);
    gk_rng_fill(&rng, bias, n + 1, -1.0f, 1.0f);
    if (nonfinite) {
        a[(m - 1) * lda + k / 2] = NAN;                  /* last row of C becomes NaN */
        b[trans ? (n - 1) * ldb + 0 : 0 * ldb + n - 1] = INFINITY; /* last column: ±Inf (or NaN) */
    }
    const float *bz = v == V_BIAS ? bias : NULL;
    CHECK_STATUS(run(v, m, n, k, a, lda, b, ldb, bz, c.p, ldc), GK_OK);
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            double s = 0, mag = 0;
            for (int64_t p = 0; p < k; p++) {
                double t = (double)a[i * lda + p] * belem(b, ldb, trans, p, j);
                s += t;
                mag += fabs(t);
            }
            if (bz) {
                s += bz[j];
                mag += fabs(bz[j]);
            }
            float got = c.p[i * ldc + j];
            if (isfinite(s)) {
                double tol = (double)(k + 2) * 0x1p-24 * mag;
                CHECK(fabs(got - s) <= tol, "%s m=%lld n=%lld k=%lld: C[%lld][%lld] = %.9g, want %.9g (tol %.3g)",
                      vname[v], (long long)m, (long long)n, (long long)k, (long long)i, (long long)j, got, s, tol);
            } else {
                CHECK(isnan(s) ? isnan(got) : got == s, "%s m=%lld n=%lld k=%lld: C[%lld][%lld] = %g, want %g",
                      vname[v], (long long)m, (long long)n, (long long)k, (long long)i, (long long)j, got, s);
            }
            if (gk_test_failures - before > 5)
                goto out;
        }
        for (int64_t j = n; j < ldc && i + 1 < m; j++)
            CHECK(isnan(c.p[i * ldc + j]), "%s: wrote the padding of C row %lld", vname[v], (long long)i);
    }
    CHECK(gk_guarded_intact(&c), "%s m=%lld n=%lld k=%lld: guard bytes around C overwritten", vname[v],
          (long long)m, (long long)n, (long long)k);
out:
    free(a);
    free(b);
    free(bias);
    gk_guarded_free(&c);
    return gk_test_failures == before;
}

/* Columns that split the blocked path's B-streaming order (where the profile takes it) into
 * several panel groups, the last one short. */
static int64_t stream_cols(void) { return gk_device_profile()->gemm_nb + 49; }

static void shapes(void *ctx)
{
    (void)ctx;
    static const int64_t ms[] = {1, 2, 5, 6, 7, 8, 9, 13, 31, 32, 33, 47, 97};
    static const int64_t ns[] = {1, 15, 16, 17, 47, 48, 49, 97};
    static const int64_t ks[] = {1, 2, 31, 200, 401};
    for (int v = 0; v < V_COUNT; v++)
        for (size_t mi = 0; mi < sizeof ms / sizeof ms[0]; mi++)
            for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++)
                for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++)
                    if (!check_shape((variant)v, ms[mi], ns[ni], ks[ki], 0))
                        return;
    for (int v = 0; v < V_COUNT; v++) {
        check_shape((variant)v, 1, 33, 70, 1);
        check_shape((variant)v, 20, 33, 70, 1);
        check_shape((variant)v, 70, 33, 300, 1);
        /* the blocked path's edges where small products (A and B within L2) take the skinny one:
         * k long enough that A and B exceed a 512 KiB L2 */
        check_shape((variant)v, 33, 15, 4001, 0);
        check_shape((variant)v, 47, 17, 4001, 0);
        check_shape((variant)v, 97, 49, 4001, 0);
        /* wider than one NC block and longer than one KC slice */
        check_shape((variant)v, 40, 4100, 390, 0);
        /* the skinny path's B strips: several per KC slice, the last one and its last panel short
         * (m = 8 takes the rows path where the profile gives it, m = 20 the strips) */
        check_shape((variant)v, 8, 273, 800, 0);
        check_shape((variant)v, 20, 273, 800, 0);
        check_shape((variant)v, 70, 273, 800, 0);
        /* the blocked path's B-streaming order: more panels than one group's share of L2 */
        check_shape((variant)v, 136, stream_cols(), 70, 0);
    }
}

/* Empty shapes: m or n = 0 writes nothing; k = 0 writes zeros (plus the bias). */
static void empty_shapes(void *ctx)
{
    (void)ctx;
    float a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8] = {1, 1, 1, 1, 1, 1, 1, 1}, bias[4] = {1, 2, 3, 4};
    for (int v = 0; v < V_COUNT; v++) {
        gk_guarded c = gk_guarded_new(8);
        CHECK_STATUS(run((variant)v, 0, 3, 2, a, 2, b, 3, bias, c.p, 3), GK_OK);
        CHECK_STATUS(run((variant)v, 2, 0, 2, a, 2, b, 2, bias, c.p, 1), GK_OK);
        for (int i = 0; i < 8; i++)
            CHECK(isnan(c.p[i]), "%s: m or n = 0 wrote C[%d]", vname[v], i);
        CHECK_STATUS(run((variant)v, 2, 3, 0, a, 1, b, 3, bias, c.p, 4), GK_OK);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 4; j++) {
                float want = j == 3 ? NAN : v == V_BIAS ? bias[j] : 0.0f;
                CHECK(j == 3 ? isnan(c.p[i * 4 + j]) : c.p[i * 4 + j] == want, "%s k=0: C[%d][%d] = %g", vname[v], i, j,
                      c.p[i * 4 + j]);
            }
        CHECK(gk_guarded_intact(&c), "%s: guards around C", vname[v]);
        gk_guarded_free(&c);
    }
}

/* Bitwise identical results for 1 and 2 threads on each path. */
static void threads(void *ctx)
{
    (void)ctx;
    /* 2100 rows: an odd number of MC blocks on the machines measured so far (Zen 4: 7 of 336,
     * Zen 3: 13 of 174), which the blocked path rounds up to a multiple of the threads */
    static const int64_t shape[][3] = {{1, 3001, 700}, {17, 1500, 500}, {200, 300, 500}, {64, 2000, 256},
                                       {2100, 64, 200}, {136, 0, 70}};
    for (size_t si = 0; si < sizeof shape / sizeof shape[0]; si++)
        for (int v = 0; v < V_COUNT; v++) {
            int64_t m = shape[si][0], n = shape[si][1] ? shape[si][1] : stream_cols(), k = shape[si][2];
            int trans = v == V_BT || v == V_PACKED_BT;
            int64_t brows = trans ? n : k, bcols = trans ? k : n;
            float *a = malloc(sizeof(float) * (size_t)(m * k)), *b = malloc(sizeof(float) * (size_t)(brows * bcols));
            float *bias = malloc(sizeof(float) * (size_t)n);
            float *c1 = malloc(sizeof(float) * (size_t)(m * n)), *c2 = malloc(sizeof(float) * (size_t)(m * n));
            gk_rng_fill(&rng, a, m * k, -1.0f, 1.0f);
            gk_rng_fill(&rng, b, brows * bcols, -1.0f, 1.0f);
            gk_rng_fill(&rng, bias, n, -1.0f, 1.0f);
            CHECK_STATUS(gk_set_num_threads(1), GK_OK);
            CHECK_STATUS(run((variant)v, m, n, k, a, k, b, bcols, bias, c1, n), GK_OK);
            CHECK_STATUS(gk_set_num_threads(2), GK_OK);
            CHECK_STATUS(run((variant)v, m, n, k, a, k, b, bcols, bias, c2, n), GK_OK);
            CHECK(memcmp(c1, c2, sizeof(float) * (size_t)(m * n)) == 0, "%s m=%lld n=%lld k=%lld: 1 and 2 threads differ",
                  vname[v], (long long)m, (long long)n, (long long)k);
            free(a);
            free(b);
            free(bias);
            free(c1);
            free(c2);
        }
}

int main(void)
{
    gk_rng_seed(&rng, 11);
    gk_test_for_each_isa(empty_shapes, NULL);
    gk_test_for_each_isa(shapes, NULL);
    gk_test_for_each_isa(threads, NULL);
    return gk_test_finish("gemm_paths");
}
