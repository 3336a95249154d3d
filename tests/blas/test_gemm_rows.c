/* The few-rows GEMM kernel (src/kernels/blas/gemm_rows.c), called directly per ISA so that every
 * row count it is compiled for runs wherever the CPU has the ISA, whichever rows_max_m the
 * profile gives gemm: m = 1..GK_GEMM_ROWS_MAX_M, n and k around its tiles (two vectors of
 * columns, KB = 5 rows of B per pass), odd leading dimensions and offsets, NaN guards around C
 * (nothing outside m-by-n is written), and non-finite inputs.
 * Tolerance: none. The kernel's contract is that C[i][j] rounds as the sequential FMA chain
 * over p from 0, so it must equal fmaf applied in that order bit for bit (NaN for NaN). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gk_test.h"
#include "kernels/blas/gemm_rows.h"
#include "runtime/cpu.h"

typedef void (*rows_fn)(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb,
                        float *c, int64_t ldc);

static gk_rng rng;

static int same(float x, float y) { return (isnan(x) && isnan(y)) || memcmp(&x, &y, sizeof x) == 0; }

static void check(rows_fn fn, const char *name, int64_t m, int64_t n, int64_t k, int special)
{
    const int64_t lda = k + 3, ldb = n + 5, ldc = n + 7;
    float *a = malloc(sizeof(float) * (size_t)(m * lda + 1));
    float *b = malloc(sizeof(float) * (size_t)(k * ldb + 1));
    gk_guarded c = gk_guarded_new(m * ldc + 1);
    gk_rng_fill(&rng, a, m * lda + 1, -2.0f, 2.0f);
    gk_rng_fill(&rng, b, k * ldb + 1, -2.0f, 2.0f);
    if (special && k > 0 && n > 0) {
        b[(k / 2) * ldb + n / 2] = INFINITY;
        a[(m - 1) * lda + k - 1] = NAN;
    }
    /* one float past alignment, as a caller's sub-matrix would be */
    fn(m, n, k, a + 1, lda, b + 1, ldb, c.p + 1, ldc);
    int bad = 0;
    for (int64_t i = 0; i < m && !bad; i++)
        for (int64_t j = 0; j < ldc && !bad; j++) {
            float got = c.p[1 + i * ldc + j];
            if (j >= n) { /* between rows: still the NaN fill */
                bad = !isnan(got);
                CHECK(!bad, "%s m=%lld n=%lld k=%lld: C[%lld][%lld] outside n was written", name, (long long)m,
                      (long long)n, (long long)k, (long long)i, (long long)j);
                continue;
            }
            float want = 0.0f;
            for (int64_t p = 0; p < k; p++)
                want = fmaf(a[1 + i * lda + p], b[1 + p * ldb + j], want);
            bad = !same(got, want);
            CHECK(!bad, "%s m=%lld n=%lld k=%lld: C[%lld][%lld] = %a, want %a", name, (long long)m, (long long)n,
                  (long long)k, (long long)i, (long long)j, got, want);
        }
    CHECK(gk_guarded_intact(&c), "%s m=%lld n=%lld k=%lld: guard bytes around C overwritten", name, (long long)m,
          (long long)n, (long long)k);
    free(a);
    free(b);
    gk_guarded_free(&c);
}

static void check_kernel(rows_fn fn, int vl, const char *name)
{
    const int64_t ns[] = {0, 1, vl - 1, vl, vl + 1, 2 * vl - 1, 2 * vl, 2 * vl + 1, 5 * vl + 3, 1000};
    const int64_t ks[] = {0, 1, 4, 5, 6, 11, 37};
    for (int64_t m = 1; m <= GK_GEMM_ROWS_MAX_M; m++)
        for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++)
            for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++)
                check(fn, name, m, ns[ni], ks[ki], 0);
    check(fn, name, 3, 2 * vl + 1, 11, 1); /* Inf in B, NaN in A */
    check(fn, name, GK_GEMM_ROWS_MAX_M, 4096, 64, 0);
}

int main(void)
{
    const struct gk_device_profile *d = gk_cpu(); /* detection only */
    gk_rng_seed(&rng, 11);
    if (!((d->features & GK_FEAT_AVX2) && (d->features & GK_FEAT_FMA)))
        printf("SKIP avx2: the CPU lacks AVX2+FMA\n");
    else if (gk_test_isa_selected(GK_ISA_AVX2))
        check_kernel(gk_gemm_rows_f32_avx2, 8, "gemm_rows_f32_avx2");
    if (!(d->features & GK_FEAT_AVX512F))
        printf("SKIP avx512: the CPU lacks AVX-512F\n");
    else if (gk_test_isa_selected(GK_ISA_AVX512))
        check_kernel(gk_gemm_rows_f32_avx512, 16, "gemm_rows_f32_avx512");
    return gk_test_finish("gemm_rows");
}
