/* The f32 GEMM micro-kernel contract (src/kernels/gemm/ukernel.h, docs/GEMM.md), tested on each
 * kernel directly for every edge the drivers rely on: every m <= MR and n <= NR; k = 0, 1, odd,
 * and longer than an unroll; the three C modes (C is NaN-filled when it must not be read);
 * packed and strided A at odd, unaligned offsets, the strided one in an allocation that ends
 * with row m-1 (rows >= m are never read: run under valgrind to see it); B lanes >= n holding
 * NaN (multiplied, never stored); NaN guards around the tile inside a wider C (nothing outside
 * m-by-n is touched).
 * Kernels run only where the CPU has their ISA.
 * Tolerance: inputs are small integers, so every product and partial sum is exact in f32 and
 * the result must equal the float64 reference exactly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gk_test.h"
#include "kernels/gemm/ukernel.h"
#include "runtime/cpu.h"

enum { KMAX = 300, PAD = 5 };

static gk_rng rng;

static float small_int(void) { return (float)(int)(gk_rng_u64(&rng) % 9) - 4.0f; }

static void check_kernel(const gk_f32_ukernel *uk, const char *name)
{
    const int mr = uk->mr, nr = uk->nr;
    const int64_t ks[] = {0, 1, 2, 3, 4, 5, 7, 9, 17, KMAX};
    /* A strided: row-major mr-by-k with lda = k + 3, starting one float past alignment */
    float *a = malloc(sizeof(float) * (size_t)(mr * (KMAX + 3) + 1));
    float *ap = malloc(sizeof(float) * (size_t)(mr * KMAX + 1));
    float *b0 = malloc(sizeof(float) * (size_t)(nr * KMAX + 1));
    float *b = malloc(sizeof(float) * (size_t)(nr * KMAX + 1));
    float bias[64 + 1];
    const int64_t ldc = nr + 2 * PAD + 1, crows = mr + 2;
    gk_guarded c = gk_guarded_new(crows * ldc);
    double *ref = malloc(sizeof(double) * (size_t)(mr * nr));
    int fails_before = gk_test_failures;
    for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
        int64_t k = ks[ki], lda = k + 3;
        for (int i = 0; i < mr * (KMAX + 3) + 1; i++)
            a[i] = small_int();
        for (int i = 0; i < nr * KMAX + 1; i++)
            b0[i] = small_int();
        for (int i = 0; i < nr + 1; i++)
            bias[i] = small_int();
        for (int m = 1; m <= mr; m++)
            for (int n = 1; n <= nr; n++)
                for (int mode = 0; mode < 3; mode++)
                    for (int packed = 0; packed < 2; packed++) {
                        const float *av = a + 1, *bv = b + 1;
                        float *bw = b + 1;
                        /* B lanes >= n are NaN: they are multiplied but must never reach C */
                        memcpy(b, b0, sizeof(float) * (size_t)(nr * KMAX + 1));
                        for (int64_t p = 0; p < k; p++)
                            for (int j = n; j < nr; j++)
                                bw[p * nr + j] = NAN;
                        if (packed) {
                            for (int64_t p = 0; p < k; p++)
                                for (int r = 0; r < mr; r++)
                                    ap[1 + p * mr + r] = r < m ? av[r * lda + p] : NAN;
                        }
                        for (int r = 0; r < m; r++)
                            for (int j = 0; j < n; j++) {
                                double s = 0;
                                for (int64_t p = 0; p < k; p++)
                                    s += (double)av[r * lda + p] * bv[p * nr + j];
                                ref[r * nr + j] = s;
                            }
                        /* C: NaN everywhere (mode 0/1 must not read it); mode 2 starts from 1 */
                        for (int64_t i = 0; i < crows * ldc; i++)
                            c.p[i] = NAN;
                        float *ct = c.p + ldc + PAD; /* tile at row 1, column PAD */
                        if (mode == 2)
                            for (int r = 0; r < m; r++)
                                for (int j = 0; j < n; j++)
                                    ct[r * ldc + j] = 1.0f;
                        /* strided A in a buffer that ends with row m-1, so a read of a row >= m
                         * leaves the allocation (caught by valgrind, see tests/blas/CMakeLists.txt) */
                        float *tight = malloc(sizeof(float) * (size_t)((m - 1) * lda + k + 1));
                        memcpy(tight, av, sizeof(float) * (size_t)((m - 1) * lda + k));
                        /* B likewise ends with row k-1 */
                        float *btight = malloc(sizeof(float) * (size_t)(k * nr + 1));
                        memcpy(btight, bv, sizeof(float) * (size_t)(k * nr));
                        gk_f32_ukernel_args args = {
                            .a = packed ? ap + 1 : tight, .b = btight, .c = ct, .k = k,
                            .rs_a = packed ? 4 : 4 * lda, .cs_a = packed ? 4 * mr : 4,
                            .rs_b = 4 * nr, .ldc = 4 * ldc, .m = m, .n = n,
                            .bias = mode == 1 ? bias : NULL, .accumulate = mode == 2,
                        };
                        uk->fn(&args);
                        free(tight);
                        free(btight);
                        for (int64_t i = 0; i < crows * ldc; i++) {
                            int64_t r = i / ldc - 1, j = i % ldc - PAD;
                            if (r >= 0 && r < m && j >= 0 && j < n) {
                                double want = ref[r * nr + j] + (mode == 1 ? bias[j] : mode == 2 ? 1.0 : 0.0);
                                CHECK(c.p[i] == want, "%s m=%d n=%d k=%lld mode=%d packed=%d: C[%lld][%lld] = %g, want %g",
                                      name, m, n, (long long)k, mode, packed, (long long)r, (long long)j, c.p[i], want);
                            } else {
                                CHECK(isnan(c.p[i]), "%s m=%d n=%d k=%lld mode=%d: wrote outside the tile at (%lld, %lld)",
                                      name, m, n, (long long)k, mode, (long long)r, (long long)j);
                            }
                            if (gk_test_failures - fails_before > 20)
                                goto out;
                        }
                        CHECK(gk_guarded_intact(&c), "%s: guard bytes around C overwritten", name);
                    }
    }
out:
    free(a);
    free(ap);
    free(b);
    free(b0);
    free(ref);
    gk_guarded_free(&c);
}

int main(void)
{
    const struct gk_device_profile *d = gk_cpu(); /* detection only: no measurement needed */
    gk_rng_seed(&rng, 7);
    if (!((d->features & GK_FEAT_AVX2) && (d->features & GK_FEAT_FMA))) {
        printf("SKIP 6x16__avx2: the CPU lacks AVX2+FMA\n");
    } else if (gk_test_isa_selected(GK_ISA_AVX2)) {
        gk_f32_ukernel uk = {gk_f32_gemm_ukernel_6x16__avx2, 6, 16};
        check_kernel(&uk, "6x16__avx2");
    }
    if (!(d->features & GK_FEAT_AVX512F)) {
        printf("SKIP 8x48__avx512f: the CPU lacks AVX-512F\n");
    } else if (gk_test_isa_selected(GK_ISA_AVX512)) {
        gk_f32_ukernel uk = {gk_f32_gemm_ukernel_8x48__avx512f, 8, 48};
        check_kernel(&uk, "8x48__avx512f");
    }
    return gk_test_finish("gemm_ukernel");
}
