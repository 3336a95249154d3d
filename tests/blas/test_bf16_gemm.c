/* gk_gemm_bt_bf16bf16_f32 (bf16 A and B, f32 C) on every ISA level and path (the widening path;
 * for m > 3 on AMX-BF16 CPUs the tile path in both orientations (C^T tiles up to m = 192, C
 * tiles beyond), for m > 8 on other AVX512_BF16 CPUs the vdpbf16ps blocked path, and on AMX CPUs the vdpbf16ps path too, from the table registered without AMX) against
 * a float64 reference of the bf16 values: m, n, k = 0, 1, around the 8x48 and 32x32 tiles, odd
 * k, k across several KC slices, odd leading dimensions, a large shape; Inf and NaN inputs;
 * NaN-filled outputs with guards; 1 and 2 threads bitwise identical; bad input. The AVX-512
 * level as registered for a CPU without AVX512_BF16 and AMX (the emulated Cannon Lake) must
 * pick neither, and still computes the product. Then gk_f32_to_bf16's rounding on exact cases and its entry against the scalar
 * definition.
 * Tolerance: |c - ref| <= (k + 2) * 2^-24 * sum_p |a_p b_p|. The products of two bf16 values
 * are exact in f32 and every path adds them to an f32 sum one rounding at a time (the widening
 * path by FMA, vdpbf16ps two products per lane per step, RNE), so the bound of any summation
 * order of k terms applies (Higham gamma_k; TDPBF16PS adds the products of each k pair in
 * order too). vdpbf16ps and TDPBF16PS also flush denormals: the inputs here
 * (|x| in 2^-4 .. 2^4) keep every product and partial sum a multiple of 2^-24 or zero, never
 * denormal, so the flush cannot show; denormal inputs are a documented difference (ops.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gk/ops.h"
#include "gk_test.h"
#include "ops/dispatch.h"
#include "runtime/cpu.h"
#include "scalar/scalar.h"

static gk_rng rng;

/* A random bf16 of magnitude 2^-4 .. 2^4: sign, exponent 123..131, 7-bit mantissa. */
static uint16_t rand_bf16(void)
{
    uint64_t r = gk_rng_u64(&rng);
    return (uint16_t)(((r & 1) << 15) | ((123 + (r >> 1) % 9) << 7) | ((r >> 8) & 0x7f));
}

static void fill(uint16_t *x, int64_t n)
{
    for (int64_t i = 0; i < n; i++)
        x[i] = rand_bf16();
}

static double bf(uint16_t h) { return gk_scalar_bf16_to_f32(h); }

/* The entry under test: the public one, or a table's (vdpbf16ps_on_amx) */
typedef gk_status (*bf16bf16_fn)(int64_t, int64_t, int64_t, const uint16_t *, int64_t, const uint16_t *, int64_t,
                                 float *, int64_t);
static bf16bf16_fn entry = gk_gemm_bt_bf16bf16_f32;

/* specials: +Inf in A[0][0], NaN in the last element of B's last row */
static int check_shape(int64_t m, int64_t n, int64_t k, int specials)
{
    int64_t lda = k + 3, ldb = k + 5, ldc = n + 7;
    uint16_t *a = malloc(sizeof(uint16_t) * (size_t)(m * lda + 1));
    uint16_t *b = malloc(sizeof(uint16_t) * (size_t)(n * ldb + 1));
    gk_guarded c = gk_guarded_new(m * ldc + 1);
    int before = gk_test_failures;
    fill(a, m * lda + 1);
    fill(b, n * ldb + 1);
    if (specials && m > 0 && n > 0 && k > 0) {
        a[0] = 0x7f80;
        b[(n - 1) * ldb + k - 1] = 0x7fc1;
    }
    CHECK_STATUS(entry(m, n, k, a, lda, b, ldb, c.p, ldc), GK_OK);
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < ldc && i * ldc + j < c.n; j++) {
            float got = c.p[i * ldc + j];
            if (j >= n) {
                CHECK(isnan(got), "m=%lld n=%lld k=%lld: wrote C[%lld][%lld] outside the output", (long long)m,
                      (long long)n, (long long)k, (long long)i, (long long)j);
                continue;
            }
            double s = 0, mag = 0;
            for (int64_t p = 0; p < k; p++) {
                double t = bf(a[i * lda + p]) * bf(b[j * ldb + p]);
                s += t;
                mag += fabs(t);
            }
            if (isfinite(s))
                CHECK(fabs(got - s) <= (double)(k + 2) * 0x1p-24 * mag,
                      "m=%lld n=%lld k=%lld: C[%lld][%lld] = %.9g, want %.9g", (long long)m, (long long)n,
                      (long long)k, (long long)i, (long long)j, got, s);
            else
                CHECK(isnan(s) ? isnan(got) : got == s, "m=%lld n=%lld k=%lld: C[%lld][%lld] = %g, want %g",
                      (long long)m, (long long)n, (long long)k, (long long)i, (long long)j, got, s);
            if (gk_test_failures - before > 5)
                goto out;
        }
    CHECK(gk_guarded_intact(&c), "m=%lld n=%lld k=%lld: guard bytes overwritten", (long long)m, (long long)n,
          (long long)k);
out:
    free(a);
    free(b);
    gk_guarded_free(&c);
    return gk_test_failures == before;
}

static void shapes(void *ctx)
{
    (void)ctx;
    /* m: the widening path up to 8 (3 on AMX), the blocked paths beyond (MR = 8 +- 1, the AMX
     * tile 32 +- 1); n: NR = 48 +- 1, 32 +- 1 */
    static const int64_t ms[] = {1, 2, 7, 8, 9, 16, 17, 31, 32, 33, 65};
    static const int64_t ns[] = {1, 5, 31, 32, 33, 47, 48, 49, 97};
    static const int64_t ks[] = {1, 2, 3, 16, 17, 63, 2601}; /* 2601: three KC slices, the last odd */
    for (size_t mi = 0; mi < sizeof ms / sizeof ms[0]; mi++)
        for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++)
            for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++)
                if (!check_shape(ms[mi], ns[ni], ks[ki], 0))
                    return;
    check_shape(0, 5, 7, 0);
    check_shape(5, 0, 7, 0);
    check_shape(5, 9, 0, 0); /* k = 0: zeros */
    check_shape(300, 200, 517, 0);
    check_shape(192, 97, 2601, 0); /* the tile path's last m of C^T tiles, then its first of C tiles */
    check_shape(193, 97, 2601, 0);
    check_shape(1, 9, 40, 1);
    check_shape(7, 9, 41, 1);
    check_shape(40, 60, 41, 1);
}

static void threads(void *ctx)
{
    (void)ctx;
    if (!gk_test_threads_allowed(2, "bf16_gemm threads"))
        return;
    static const int64_t shape[][3] = {{1, 3001, 700}, {9, 1500, 500}, {200, 600, 301}, {300, 700, 1100}, {150, 333, 2100}};
    for (size_t si = 0; si < sizeof shape / sizeof shape[0]; si++) {
        int64_t m = shape[si][0], n = shape[si][1], k = shape[si][2];
        uint16_t *a = malloc(sizeof(uint16_t) * (size_t)(m * k)), *b = malloc(sizeof(uint16_t) * (size_t)(n * k));
        float *c1 = malloc(sizeof(float) * (size_t)(m * n)), *c2 = malloc(sizeof(float) * (size_t)(m * n));
        fill(a, m * k);
        fill(b, n * k);
        CHECK_STATUS(gk_set_num_threads(1), GK_OK);
        CHECK_STATUS(entry(m, n, k, a, k, b, k, c1, n), GK_OK);
        CHECK_STATUS(gk_set_num_threads(2), GK_OK);
        CHECK_STATUS(entry(m, n, k, a, k, b, k, c2, n), GK_OK);
        CHECK(memcmp(c1, c2, sizeof(float) * (size_t)(m * n)) == 0, "m=%lld: 1 and 2 threads differ", (long long)m);
        free(a);
        free(b);
        free(c1);
        free(c2);
    }
}

/* The AVX-512 table built for this CPU's features less `drop` (as dispatch builds it on an
 * AVX-512 CPU without them); NULL where the CPU lacks AVX-512F. */
static const gk_kernel_table *table_without(uint32_t drop, gk_kernel_table *t)
{
    const struct gk_device_profile *d = gk_cpu();
    const gk_kernel_table *native;
    if (!(d->features & GK_FEAT_AVX512F) || gk_dispatch_isa(GK_ISA_AVX512, &native) != GK_OK)
        return NULL;
    *t = gk_kernels_ref;
    gk_register_kernels_avx2(t, d->features & ~drop);
    gk_register_kernels_avx512(t, d->features & ~drop);
    return native;
}

/* Without AVX512_BF16 and AMX-BF16 the bf16 x bf16 entry is another function than the native
 * table's, and its result on a blocked-path shape (m > 8) is right. */
static void no_bf16_fallback(void)
{
    gk_kernel_table t;
    uint32_t drop = GK_FEAT_AVX512BF16 | GK_FEAT_AMX_BF16;
    const gk_kernel_table *native = table_without(drop, &t);
    if (!native) {
        printf("SKIP no_bf16_fallback: the CPU lacks AVX-512F\n");
        return;
    }
    if (gk_cpu()->features & drop)
        CHECK(t.gemm_bt_bf16bf16 != native->gemm_bt_bf16bf16, "without AVX512_BF16 and AMX a BF16 path was registered");
    enum { M = 40, N = 60, K = 41 };
    static uint16_t a[M * K], b[N * K];
    static float c[M * N];
    fill(a, M * K);
    fill(b, N * K);
    CHECK_STATUS(t.gemm_bt_bf16bf16(M, N, K, a, K, b, K, c, N), GK_OK);
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0, mag = 0;
            for (int p = 0; p < K; p++) {
                s += bf(a[i * K + p]) * bf(b[j * K + p]);
                mag += fabs(bf(a[i * K + p]) * bf(b[j * K + p]));
            }
            CHECK(fabs(c[i * N + j] - s) <= (K + 2) * 0x1p-24 * mag, "fallback C[%d][%d] = %.9g, want %.9g", i, j,
                  c[i * N + j], s);
        }
}

/* On an AMX CPU the native table takes the tile path; the vdpbf16ps path (the table without
 * AMX) gets the same shapes and thread checks here. */
static void vdpbf16ps_on_amx(void)
{
    gk_kernel_table t;
    const gk_kernel_table *native = table_without(GK_FEAT_AMX_BF16, &t);
    if (!native || !(gk_cpu()->features & GK_FEAT_AMX_BF16) || !(gk_cpu()->features & GK_FEAT_AVX512BF16)) {
        printf("SKIP vdpbf16ps_on_amx: the CPU lacks AMX-BF16 or AVX512_BF16\n");
        return;
    }
    CHECK(t.gemm_bt_bf16bf16 != native->gemm_bt_bf16bf16, "the AMX table and the one without AMX are the same");
    entry = t.gemm_bt_bf16bf16;
    shapes(NULL);
    threads(NULL);
    entry = gk_gemm_bt_bf16bf16_f32;
}

/* Bad input (DESIGN §10): GK_ERR_INVALID_ARG, nothing written. */
static void bad_input(void)
{
    uint16_t a[64] = {0}, b[64] = {0}, y16[4] = {7, 7, 7, 7};
    float c[16], x[4] = {1, 2, 3, 4};
    for (int i = 0; i < 16; i++)
        c[i] = 7;
    CHECK_STATUS(gk_gemm_bt_bf16bf16_f32(2, 2, 4, NULL, 4, b, 4, c, 2), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_gemm_bt_bf16bf16_f32(2, 2, 4, a, 4, NULL, 4, c, 2), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_gemm_bt_bf16bf16_f32(2, 2, 4, a, 4, b, 4, NULL, 2), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_gemm_bt_bf16bf16_f32(-1, 2, 4, a, 4, b, 4, c, 2), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_gemm_bt_bf16bf16_f32(2, -2, 4, a, 4, b, 4, c, 2), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_gemm_bt_bf16bf16_f32(2, 2, -4, a, 4, b, 4, c, 2), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_gemm_bt_bf16bf16_f32(2, 2, 4, a, 3, b, 4, c, 2), GK_ERR_INVALID_ARG);  /* lda < k */
    CHECK_STATUS(gk_gemm_bt_bf16bf16_f32(2, 2, 4, a, 4, b, 3, c, 2), GK_ERR_INVALID_ARG);  /* ldb < k */
    CHECK_STATUS(gk_gemm_bt_bf16bf16_f32(2, 2, 4, a, 4, b, 4, c, 1), GK_ERR_INVALID_ARG);  /* ldc < n */
    CHECK_STATUS(gk_gemm_bt_bf16bf16_f32(INT64_MAX / 2, 2, 4, a, 4, b, 4, c, 2), GK_ERR_INVALID_ARG); /* overflow */
    CHECK_STATUS(gk_gemm_bt_bf16bf16_f32(2, 2, 4, a, INT64_MAX / 2, b, 4, c, 2), GK_ERR_INVALID_ARG);
    /* C overlapping A (A's bytes inside C's) */
    CHECK_STATUS(gk_gemm_bt_bf16bf16_f32(2, 2, 4, (const uint16_t *)c, 4, b, 4, c, 2), GK_ERR_INVALID_ARG);
    for (int i = 0; i < 16; i++)
        CHECK(c[i] == 7, "C[%d] written on error", i);
    CHECK_STATUS(gk_f32_to_bf16(4, NULL, y16), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_f32_to_bf16(4, x, NULL), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_f32_to_bf16(-1, x, y16), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_f32_to_bf16(4, x, (uint16_t *)x + 1), GK_ERR_INVALID_ARG); /* overlap */
    CHECK(y16[0] == 7 && y16[3] == 7, "y written on error");
    CHECK_STATUS(gk_f32_to_bf16(0, NULL, NULL), GK_OK);
    CHECK_STATUS(gk_gemm_bt_bf16bf16_f32(0, 2, 4, NULL, 4, NULL, 4, NULL, 2), GK_OK);
}

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* The rounding definition on exact cases, then the entry (every level, several chunks) against
 * it bit for bit. */
static void rounding(void *ctx)
{
    (void)ctx;
    static const struct {
        uint32_t in;
        uint16_t out;
    } cases[] = {
        {0x3f800000, 0x3f80}, /* 1.0 */
        {0x3f808000, 0x3f80}, /* 1 + 2^-8: a tie, to the even 0x3f80 */
        {0x3f818000, 0x3f82}, /* a tie, to the even 0x3f82 */
        {0x3f808001, 0x3f81}, /* just above the tie: up */
        {0x3f807fff, 0x3f80}, /* just below: down */
        {0xbf818000, 0xbf82}, /* negative tie */
        {0x80000000, 0x8000}, /* -0 */
        {0x00008000, 0x0000}, /* subnormal tie to even (zero) */
        {0x00018000, 0x0002}, /* subnormal tie to even */
        {0x7f800000, 0x7f80}, /* +Inf */
        {0xff800000, 0xff80}, /* -Inf */
        {0x7f7fffff, 0x7f80}, /* FLT_MAX rounds up to Inf */
        {0xff7f8000, 0xff80}, /* a tie at the top, to even: -Inf */
        {0x7f7f7fff, 0x7f7f}, /* the largest bf16 stays */
        {0x7fc00000, 0x7fc0}, /* quiet NaN */
        {0x7f800001, 0x7fc0}, /* signalling NaN, payload only in the low half: quieted, still NaN */
        {0xffa00000, 0xffe0}, /* negative signalling NaN: sign and top payload kept */
    };
    enum { N = 2 * 16384 + 37 };
    float *x = malloc(sizeof(float) * N);
    uint16_t *y = malloc(sizeof(uint16_t) * N);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK(gk_scalar_f32_to_bf16(from_bits(cases[i].in)) == cases[i].out, "f32_to_bf16(0x%08x) = 0x%04x, want 0x%04x",
              (unsigned)cases[i].in, (unsigned)gk_scalar_f32_to_bf16(from_bits(cases[i].in)), (unsigned)cases[i].out);
    for (int i = 0; i < N; i++) {
        uint32_t u = (uint32_t)gk_rng_u64(&rng);
        x[i] = i < (int)(sizeof cases / sizeof cases[0]) ? from_bits(cases[i].in) : from_bits(u);
    }
    CHECK_STATUS(gk_f32_to_bf16(N, x, y), GK_OK);
    for (int i = 0; i < N; i++)
        if (y[i] != gk_scalar_f32_to_bf16(x[i])) {
            CHECK(0, "gk_f32_to_bf16: y[%d] = 0x%04x, want 0x%04x", i, (unsigned)y[i],
                  (unsigned)gk_scalar_f32_to_bf16(x[i]));
            break;
        }
    free(x);
    free(y);
}

int main(void)
{
    gk_rng_seed(&rng, 11);
    bad_input();
    no_bf16_fallback();
    vdpbf16ps_on_amx();
    gk_test_for_each_isa(rounding, NULL);
    gk_test_for_each_isa(shapes, NULL);
    gk_test_for_each_isa(threads, NULL);
    return gk_test_finish("bf16_gemm");
}
