/* The accuracy claim of the BLAS-1 reductions (src/kernels/blas/blas1.c, docs/GEMM.md) on long
 * vectors, on every SIMD level: blocked pairwise summation keeps the error at
 *   (4096/(4*GK_VL) + log2(4*GK_VL) + log2(ceil(n/4096)) + 1) * eps * sum|t_i|
 * instead of the sequential n*eps. The test uses the AVX2 bound (GK_VL = 8: 128 + 5 + ... eps),
 * which also covers AVX-512 (GK_VL = 16 gives a smaller bound), and all-positive terms, where a
 * sequential float sum of 2^22 terms drifts far beyond it. Long vectors make the ops layer split
 * into chunks whose partials add sequentially: with at most 1024 chunks that adds 1024 eps at
 * worst, so the bound checked is the kernel bound plus the chunk count. */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "gk_test.h"

static gk_rng rng;

static void long_sums(void *ctx)
{
    (void)ctx;
    if (gk_get_isa() == GK_ISA_SCALAR) /* the reference level is the sequential definition */
        return;
    static const int64_t ns[] = {4095, 4097, 65536 + 3, (1 << 22) + 37};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        int64_t n = ns[i];
        float *x = malloc(sizeof(float) * (size_t)n), *y = malloc(sizeof(float) * (size_t)n);
        gk_rng_fill(&rng, x, n, 0.0f, 1.0f);
        gk_rng_fill(&rng, y, n, 0.0f, 1.0f);
        double sx = 0, sxy = 0;
        for (int64_t j = 0; j < n; j++) {
            sx += x[j];
            sxy += (double)x[j] * y[j];
        }
        int64_t chunks = (n + 16383) / 16384;
        double levels = log2(ceil((double)n / 4096.0)) + 1.0;
        double bound = (4096.0 / 32.0 + 5.0 + levels + (double)(chunks > 1024 ? 1024 : chunks)) * FLT_EPSILON / 2;
        float got;
        CHECK_STATUS(gk_vec_sum_f32(n, x, &got), GK_OK);
        CHECK(fabs(got - sx) <= bound * sx, "sum n=%lld: rel error %.3g > bound %.3g", (long long)n,
              fabs(got - sx) / sx, bound);
        CHECK_STATUS(gk_vec_dot_f32(n, x, y, &got), GK_OK);
        CHECK(fabs(got - sxy) <= bound * sxy, "dot n=%lld: rel error %.3g > bound %.3g", (long long)n,
              fabs(got - sxy) / sxy, bound);
        free(x);
        free(y);
    }
}

int main(void)
{
    gk_rng_seed(&rng, 3);
    gk_test_for_each_isa(long_sums, NULL);
    return gk_test_finish("blas1_accuracy");
}
