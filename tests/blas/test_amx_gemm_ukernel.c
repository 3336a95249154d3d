/* The AMX-BF16 micro-kernel contract (gk_amx_ukernel_args in src/kernels/gemm/ukernel.h),
 * tested on the kernel directly where the CPU has AMX-BF16 and Linux grants the tile state:
 * kb = 0, 1, 2, odd and long; both C modes (C NaN-filled when it must not be read); A in tile
 * order and as a row-major matrix with an odd row length; operands one bf16 past 64-byte
 * alignment (none assumed); the tile inside a wider NaN-filled C with
 * guard bytes (nothing outside the 32x32 tile touched); a NaN in one A element reaches exactly
 * the row it belongs to.
 * Tolerance: the inputs are small integers in bf16, so every product and partial sum is exact in
 * f32 and the result must equal the float64 reference exactly. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gk_test.h"
#include "kernels/gemm/amx_bf16.h"
#include "kernels/gemm/ukernel.h"
#include "runtime/cpu.h"
#include "scalar/scalar.h"

enum { T = 32, KBMAX = 70, PAD = 3 };

static gk_rng rng;

static uint16_t small_int(void) { return gk_scalar_f32_to_bf16((float)(int)(gk_rng_u64(&rng) % 9) - 4.0f); }
static double bf(uint16_t h) { return gk_scalar_bf16_to_f32(h); }

/* Element (r, kk) of A (rows lda elements apart, blocks astep elements apart) and (kk, j) of B
 * in the tile-order blocks of the contract. */
static uint16_t a_at(const uint16_t *a, int64_t lda, int64_t astep, int r, int64_t kk)
{
    return a[kk / T * astep + r * lda + kk % T];
}
static uint16_t b_at(const uint16_t *b, int j, int64_t kk)
{
    return b[kk / T * T * T + (kk % T / 2) * 2 * T + 2 * j + kk % 2];
}

static void check_kernel(void)
{
    static const int64_t kbs[] = {0, 1, 2, 3, 17, KBMAX};
    const int64_t row_lda = KBMAX * T + 7; /* row-major A: an odd row length */
    size_t words = (size_t)row_lda * T + 1;
    uint16_t *abuf = malloc(sizeof(uint16_t) * words), *bbuf = malloc(sizeof(uint16_t) * words);
    uint16_t *a = abuf + 1, *b = bbuf + 1; /* one bf16 past the allocation's alignment */
    const int64_t ldc = T + 2 * PAD + 1, crows = T + 2;
    gk_guarded c = gk_guarded_new(crows * ldc);
    int before = gk_test_failures;
    gk_amx_tile_config(&gk_amx_tilecfg_32x32);
    for (size_t ki = 0; ki < sizeof kbs / sizeof kbs[0]; ki++)
        for (int acc = 0; acc < 2; acc++)
            for (int nan_row = -1; nan_row < 32; nan_row += 19) {
                int64_t kb = kbs[ki];
                int rowmajor = (nan_row + acc) % 2 != 0;
                int64_t lda = rowmajor ? row_lda : T, astep = rowmajor ? T : T * T;
                for (size_t i = 0; i + 1 < words; i++) {
                    a[i] = small_int();
                    b[i] = small_int();
                }
                if (nan_row >= 0 && kb > 0)
                    a[nan_row * lda + 5] = 0x7fc0; /* block 0, row nan_row, k = 5 */
                for (int64_t i = 0; i < crows * ldc; i++)
                    c.p[i] = NAN;
                float *ct = c.p + ldc + PAD; /* tile at row 1, column PAD */
                if (acc)
                    for (int r = 0; r < T; r++)
                        for (int j = 0; j < T; j++)
                            ct[r * ldc + j] = (float)(r - j);
                gk_amx_ukernel_args args = {.a = a, .b = (const uint32_t *)b, .c = ct, .kb = kb, .ldc = 4 * ldc,
                                            .accumulate = acc, .lda = 2 * lda, .astep = 2 * astep};
                gk_bf16_gemm_ukernel_32x32__amx(&args);
                for (int64_t i = 0; i < crows * ldc; i++) {
                    int64_t r = i / ldc - 1, j = i % ldc - PAD;
                    if (r >= 0 && r < T && j >= 0 && j < T) {
                        double want = acc ? (double)(r - j) : 0;
                        for (int64_t kk = 0; kk < kb * T; kk++)
                            want += bf(a_at(a, lda, astep, (int)r, kk)) * bf(b_at(b, (int)j, kk));
                        CHECK(isnan(want) ? isnan(c.p[i]) : c.p[i] == want,
                              "kb=%lld acc=%d nan_row=%d rowmajor=%d: C[%lld][%lld] = %g, want %g", (long long)kb, acc,
                              nan_row, rowmajor,
                              (long long)r, (long long)j, c.p[i], want);
                    } else {
                        CHECK(isnan(c.p[i]), "kb=%lld acc=%d: wrote outside the tile at (%lld, %lld)", (long long)kb,
                              acc, (long long)r, (long long)j);
                    }
                    if (gk_test_failures - before > 20)
                        goto out;
                }
                CHECK(gk_guarded_intact(&c), "guard bytes around C overwritten");
            }
out:
    gk_amx_tile_release();
    free(abuf);
    free(bbuf);
    gk_guarded_free(&c);
}

int main(void)
{
    const struct gk_device_profile *d = gk_cpu(); /* detection only: no measurement needed */
    gk_rng_seed(&rng, 17);
    if (!(d->features & GK_FEAT_AMX_BF16))
        printf("SKIP 32x32__amx: the CPU lacks AMX-BF16\n");
    else if (!gk_amx_bf16_usable())
        printf("SKIP 32x32__amx: Linux refused the AMX tile state\n");
    else if (gk_test_isa_selected(GK_ISA_AVX512))
        check_kernel();
    return gk_test_finish("amx_gemm_ukernel");
}
