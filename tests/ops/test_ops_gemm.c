/* GEMM-family entry points (gemm, gemm_bias, gemm_bt, pack_b + gemm_prepacked for both B
 * layouts) against the scalar definitions, on every ISA level, for m, n, k around the AVX2 6x16
 * tile (1, 5, 6, 7, 15, 16, 17, 33) with odd leading dimensions, guard bytes and the padding
 * between rows of C checked. Tolerance: 2*k*eps*sum_p |a_ip||b_pj| (+ eps*|bias_j|) — any two
 * summation orders (blocking, FMA) each lie within k*eps*sum|a||b| of the exact product. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops_test.h"
#include "scalar/scalar.h"

#define EPS ((double)FLT_EPSILON)

typedef enum { NN, BIAS, BT, PACK_NN, PACK_BT } variant;
static const char *vnames[] = {"gemm", "gemm_bias", "gemm_bt", "prepacked", "prepacked_bt"};

static void test_shape(variant v, int64_t m, int64_t n, int64_t k, gk_rng *rng)
{
    int bt = v == BT || v == PACK_BT;
    const int64_t lda = k + 3, ldb = (bt ? k : n) + 1, ldc = n + 5;
    const int64_t brows = bt ? n : k;
    float *a = malloc((size_t)(m * lda) * sizeof(float)), *b = malloc((size_t)(brows * ldb) * sizeof(float));
    float *bias = malloc((size_t)n * sizeof(float));
    float *ad = malloc((size_t)(m * k) * sizeof(float)), *bd = malloc((size_t)(k * n) * sizeof(float));
    float *ref = malloc((size_t)(m * n) * sizeof(float));
    gk_rng_fill(rng, a, m * lda, -1.0f, 1.0f);
    gk_rng_fill(rng, b, brows * ldb, -1.0f, 1.0f);
    gk_rng_fill(rng, bias, n, -4.0f, 4.0f);
    /* dense copies for the definitions; bd is k-by-n or n-by-k as the variant's B */
    for (int64_t i = 0; i < m; i++)
        memcpy(ad + i * k, a + i * lda, (size_t)k * sizeof(float));
    for (int64_t r = 0; r < brows; r++)
        memcpy(bd + r * (bt ? k : n), b + r * ldb, (size_t)(bt ? k : n) * sizeof(float));
    if (bt)
        gk_scalar_gemm_bt(m, n, k, ad, bd, ref);
    else if (v == BIAS)
        gk_scalar_gemm_bias(m, n, k, ad, bd, bias, ref);
    else
        gk_scalar_gemm(m, n, k, ad, bd, ref);

    gk_guarded c = gk_guarded_new(m * ldc);
    struct gk_packed_b *pb = NULL;
    switch (v) {
    case NN: CHECK_STATUS(gk_gemm_f32(m, n, k, a, lda, b, ldb, c.p, ldc), GK_OK); break;
    case BIAS: CHECK_STATUS(gk_gemm_bias_f32(m, n, k, a, lda, b, ldb, bias, c.p, ldc), GK_OK); break;
    case BT: CHECK_STATUS(gk_gemm_bt_f32(m, n, k, a, lda, b, ldb, c.p, ldc), GK_OK); break;
    default:
        CHECK_STATUS(gk_pack_b_f32(k, n, b, ldb, bt, &pb), GK_OK);
        if (pb)
            CHECK_STATUS(gk_gemm_prepacked_f32(m, a, lda, pb, c.p, ldc), GK_OK);
        gk_packed_b_free(pb);
    }
    for (int64_t i = 0; i < m; i++) {
        for (int64_t j = 0; j < n; j++) {
            double mag = 0.0;
            for (int64_t p = 0; p < k; p++)
                mag += fabs((double)ad[i * k + p] * (bt ? bd[j * k + p] : bd[p * n + j]));
            double t = 2.0 * (double)k * EPS * mag + (v == BIAS ? EPS * fabs((double)bias[j]) : 0.0);
            float got = c.p[i * ldc + j], want = ref[i * n + j];
            CHECK(ops_close(got, want, t), "%s m=%lld n=%lld k=%lld C[%lld,%lld]: %.9g vs %.9g", vnames[v],
                  (long long)m, (long long)n, (long long)k, (long long)i, (long long)j, got, want);
        }
        for (int64_t j = n; j < ldc; j++)
            CHECK(isnan(c.p[i * ldc + j]), "%s wrote the padding of row %lld of C", vnames[v], (long long)i);
    }
    CHECK(gk_guarded_intact(&c), "%s guards m=%lld n=%lld k=%lld", vnames[v], (long long)m, (long long)n,
          (long long)k);
    gk_guarded_free(&c);
    free(a);
    free(b);
    free(bias);
    free(ad);
    free(bd);
    free(ref);
}

static void body(void *ctx)
{
    static const int64_t dims[] = {1, 5, 6, 7, 15, 16, 17, 33};
    const int nd = (int)(sizeof dims / sizeof dims[0]);
    gk_rng rng;
    gk_rng_seed(&rng, 1234);
    (void)ctx;
    for (variant v = NN; v <= PACK_BT; v++)
        for (int i = 0; i < nd; i++)
            for (int j = 0; j < nd; j++)
                for (int p = 0; p < nd; p++)
                    test_shape(v, dims[i], dims[j], dims[p], &rng);
    /* a larger shape, past one cache block in every dimension on small-cache settings */
    test_shape(NN, 70, 130, 300, &rng);
    test_shape(BT, 70, 130, 300, &rng);
    test_shape(PACK_NN, 33, 100, 257, &rng);
}

int main(void)
{
    gk_test_for_each_isa(body, NULL);
    return gk_test_finish("ops_gemm");
}
