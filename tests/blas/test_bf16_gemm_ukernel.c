/* The bf16 micro-kernel contract (gk_bf16_ukernel_args in src/kernels/gemm/ukernel.h), tested on
 * the kernel directly where the CPU has AVX512_BF16: every m <= MR and n <= NR; kp = 0, 1, odd,
 * and longer than an unroll; both C modes (C is NaN-filled when it must not be read); A rows
 * >= m and B columns >= n holding NaN (multiplied, never stored); panels at an odd offset (no
 * alignment assumed); NaN guards around the tile inside a wider C (nothing outside m-by-n is
 * touched) and guard bytes around the buffer.
 * Tolerance: the inputs are small integers in bf16, so every product and partial sum is exact in
 * f32 (and never denormal) and the result must equal the float64 reference exactly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gk_test.h"
#include "kernels/gemm/ukernel.h"
#include "runtime/cpu.h"
#include "scalar/scalar.h"

enum { MR = 8, NR = 48, KPMAX = 300, PAD = 5 };

#define BF16_NAN 0x7fc0u

static gk_rng rng;

/* A small integer -4..4 as bf16 (exact). */
static uint16_t small_int(void) { return gk_scalar_f32_to_bf16((float)(int)(gk_rng_u64(&rng) % 9) - 4.0f); }

static uint32_t pair(uint16_t lo, uint16_t hi) { return (uint32_t)lo | (uint32_t)hi << 16; }

static double dot_pair(uint32_t x, uint32_t y)
{
    return (double)gk_scalar_bf16_to_f32((uint16_t)x) * gk_scalar_bf16_to_f32((uint16_t)y) +
           (double)gk_scalar_bf16_to_f32((uint16_t)(x >> 16)) * gk_scalar_bf16_to_f32((uint16_t)(y >> 16));
}

static void check_kernel(void)
{
    static const int64_t kps[] = {0, 1, 2, 3, 4, 5, 7, 9, 17, KPMAX};
    uint32_t *a0 = malloc(sizeof(uint32_t) * (KPMAX * MR + 1)), *a = malloc(sizeof(uint32_t) * (KPMAX * MR + 1));
    uint32_t *b0 = malloc(sizeof(uint32_t) * (KPMAX * NR + 1)), *b = malloc(sizeof(uint32_t) * (KPMAX * NR + 1));
    const int64_t ldc = NR + 2 * PAD + 1, crows = MR + 2;
    gk_guarded c = gk_guarded_new(crows * ldc);
    double *ref = malloc(sizeof(double) * MR * NR);
    int fails_before = gk_test_failures;
    for (size_t ki = 0; ki < sizeof kps / sizeof kps[0]; ki++) {
        int64_t kp = kps[ki];
        for (int i = 0; i < KPMAX * MR + 1; i++)
            a0[i] = pair(small_int(), small_int());
        for (int i = 0; i < KPMAX * NR + 1; i++)
            b0[i] = pair(small_int(), small_int());
        for (int m = 1; m <= MR; m++)
            for (int n = 1; n <= NR; n++)
                for (int acc = 0; acc < 2; acc++) {
                    /* panels one word past the allocation's alignment; A rows >= m and B
                     * columns >= n are NaN pairs: multiplied, never stored */
                    const uint32_t *av = a + 1, *bv = b + 1;
                    memcpy(a, a0, sizeof(uint32_t) * (KPMAX * MR + 1));
                    memcpy(b, b0, sizeof(uint32_t) * (KPMAX * NR + 1));
                    for (int64_t q = 0; q < kp; q++) {
                        for (int r = m; r < MR; r++)
                            a[1 + q * MR + r] = pair(BF16_NAN, BF16_NAN);
                        for (int j = n; j < NR; j++)
                            b[1 + q * NR + j] = pair(BF16_NAN, BF16_NAN);
                    }
                    for (int r = 0; r < m; r++)
                        for (int j = 0; j < n; j++) {
                            double s = 0;
                            for (int64_t q = 0; q < kp; q++)
                                s += dot_pair(av[q * MR + r], bv[q * NR + j]);
                            ref[r * NR + j] = s;
                        }
                    for (int64_t i = 0; i < crows * ldc; i++)
                        c.p[i] = NAN;
                    float *ct = c.p + ldc + PAD; /* tile at row 1, column PAD */
                    if (acc)
                        for (int r = 0; r < m; r++)
                            for (int j = 0; j < n; j++)
                                ct[r * ldc + j] = 1.0f;
                    gk_bf16_ukernel_args args = {
                        .a = av, .b = bv, .c = ct, .kp = kp, .ldc = 4 * ldc, .m = m, .n = n, .accumulate = acc,
                    };
                    gk_bf16_gemm_ukernel_8x48__avx512bf16(&args);
                    for (int64_t i = 0; i < crows * ldc; i++) {
                        int64_t r = i / ldc - 1, j = i % ldc - PAD;
                        if (r >= 0 && r < m && j >= 0 && j < n) {
                            double want = ref[r * NR + j] + (acc ? 1.0 : 0.0);
                            CHECK(c.p[i] == want, "m=%d n=%d kp=%lld acc=%d: C[%lld][%lld] = %g, want %g", m, n,
                                  (long long)kp, acc, (long long)r, (long long)j, c.p[i], want);
                        } else {
                            CHECK(isnan(c.p[i]), "m=%d n=%d kp=%lld acc=%d: wrote outside the tile at (%lld, %lld)",
                                  m, n, (long long)kp, acc, (long long)r, (long long)j);
                        }
                        if (gk_test_failures - fails_before > 20)
                            goto out;
                    }
                    CHECK(gk_guarded_intact(&c), "guard bytes around C overwritten");
                }
    }
out:
    free(a0);
    free(a);
    free(b0);
    free(b);
    free(ref);
    gk_guarded_free(&c);
}

int main(void)
{
    const struct gk_device_profile *d = gk_cpu(); /* detection only: no measurement needed */
    gk_rng_seed(&rng, 13);
    if (!(d->features & GK_FEAT_AVX512BF16))
        printf("SKIP 8x48__avx512bf16: the CPU lacks AVX512_BF16\n");
    else if (gk_test_isa_selected(GK_ISA_AVX512))
        check_kernel();
    return gk_test_finish("bf16_gemm_ukernel");
}
