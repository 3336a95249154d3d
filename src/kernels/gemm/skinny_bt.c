/* Skinny C = A B^T (+ bias) for small m (2 <= m <= GK_SKINNY_BT_MAX_M), B n-by-k in f32, bf16 or
 * f16 (A and C f32): the LLM decode and small-batch case. A template over the SIMD layer,
 * compiled per ISA.
 *
 * Dot-product form, so neither A nor B is packed or transposed: a tile of TA rows of A by TB
 * rows of B keeps TA*TB vector accumulators along k (each A vector serves TB rows of B, each B
 * vector TA rows of A). k is cut into KCH-long slices so that the TB rows of B stay in L1 while
 * every row of A passes over them: B is read from memory exactly once, A (m x KCH) stays in L2.
 * Vector accumulators of all m x TB outputs persist across slices in a small stack buffer and
 * are reduced once at the end: each output is the fixed tree sum of GK_VL lanes, lane l holding
 * the products p = l (mod GK_VL) in k order, whatever the thread count. */
#include "kernels/gemm/skinny_bt.h"
#include "kernels/simd/simd.h"
#include "kernels/blas/wload.h"

#define TA 3
#define TB 4
#define KCH 1024
/* The first row tile of a slice reads B from memory: it prefetches each of its rows this far
 * ahead (into the next slice at the end of one), so the rows stream while the FMAs run (cold B,
 * 4096 x 4096, Zen 5: m = 2 bf16 2.1 -> 1.6-1.7 ms, m = 8 f32 3.9 -> 3.4-3.6 ms). With f32 B
 * the other row tiles issue the same prefetches: most hit L1, those past the slice's end start
 * the next slice while these tiles run (Zen 4, cold B, `gk bench gemm --filter "gemm_bt M=8 "`,
 * three alternated rounds: 4096 x 4096 6.26 -> 5.27 ms median, the 11008 shapes unchanged;
 * prefetching the whole next slice from those tiles instead was slower, m = 32 20-21 ms). */
#if defined(GK_TARGET_AVX512)
#define PREFETCH_BYTES 1024
#else
/* Zen 3 (AVX2), `gk bench gemm --rounds 3 --filter "gemm_bt M=8 "`, two alternated rounds:
 * 1024 bytes 4.70-4.75 / 13.2-13.3 / 12.2-12.3 ms, 512 bytes 4.39-4.47 / 12.2-12.8 / 11.7-12.2
 * ms on the three LLM shapes (256 and 384 the same as 512, 2048 slower); bf16/f16 B at m = 8 2%
 * faster, m = 32 within 2% either way. */
#define PREFETCH_BYTES 512
#endif
/* Row stride of the widened slice: one cache line more than KCH, so its TB rows do not all map
 * to the same L1 set. */
#define WIDE_LD (KCH + 16)

/* Pin a loaded vector to a register. Without it compilers fold the load into every FMA that uses
 * the vector (TA loads of each B vector per step), and the loads, not the FMAs, set the speed:
 * Zen 1 and 2 load one 256-bit vector per cycle. */
#define KEEP(v) __asm__("" : "+v"(v))

typedef struct acc_row {
    gk_vf v[TB];
} acc_row;

/* acc[i].v[j] += A[i][p..] * B[j][p..] over p in [0, kc), i < ma, j < nb (constants after inlining). */
static inline __attribute__((always_inline)) void tile(gk_wtype t, int widen, int pf, int ma, int nb, int64_t kc,
                                                       const float *a, int64_t lda, const char *b, int64_t ldb_bytes,
                                                       float *wout, acc_row *acc)
{
    gk_vf s[TA][TB], va[TA];
    for (int i = 0; i < ma; i++)
        for (int j = 0; j < nb; j++)
            s[i][j] = acc[i].v[j];
    int64_t p = 0;
    for (; p + GK_VL <= kc; p += GK_VL) {
        for (int i = 0; i < ma; i++) {
            va[i] = gk_v_loadu(a + i * lda + p);
            KEEP(va[i]);
        }
        for (int j = 0; j < nb; j++) {
            if (pf)
                __builtin_prefetch(b + j * ldb_bytes + p * (int64_t)gk_wsize(t) + PREFETCH_BYTES);
            gk_vf vb = gk_w_load(t, b + j * ldb_bytes, p);
            KEEP(vb);
            if (widen)
                gk_v_storeu(wout + j * WIDE_LD + p, vb);
            for (int i = 0; i < ma; i++)
                s[i][j] = gk_v_fma(va[i], vb, s[i][j]);
        }
    }
    if (p < kc) {
        for (int i = 0; i < ma; i++)
            va[i] = gk_v_load_tail(a + i * lda + p, kc - p);
        for (int j = 0; j < nb; j++) {
            gk_vf vb = gk_w_load_tail(t, b + j * ldb_bytes, p, kc - p);
            if (widen)
                gk_v_store_tail(wout + j * WIDE_LD + p, vb, kc - p);
            for (int i = 0; i < ma; i++)
                s[i][j] = gk_v_fma(va[i], vb, s[i][j]);
        }
    }
    for (int i = 0; i < ma; i++)
        for (int j = 0; j < nb; j++)
            acc[i].v[j] = s[i][j];
}

#define TILE_CASE(ma, nb)                                                \
    case (ma) * 8 + (nb):                                                \
        tile(t, widen, pf, ma, nb, kc, a, lda, b, ldb_bytes, wout, acc); \
        break;

static inline __attribute__((always_inline)) void tile_any(gk_wtype t, int widen, int pf, int ma, int nb, int64_t kc,
                                                           const float *a, int64_t lda, const char *b,
                                                           int64_t ldb_bytes, float *wout, acc_row *acc)
{
    switch (ma * 8 + nb) {
        TILE_CASE(1, 1) TILE_CASE(1, 2) TILE_CASE(1, 3) TILE_CASE(1, 4)
        TILE_CASE(2, 1) TILE_CASE(2, 2) TILE_CASE(2, 3) TILE_CASE(2, 4)
        TILE_CASE(3, 1) TILE_CASE(3, 2) TILE_CASE(3, 3) TILE_CASE(3, 4)
    }
}

/* wide: TB * WIDE_LD floats for 16-bit B (each slice is widened once into L1, not once per row
 * tile of A); unused for f32 B. */
static inline __attribute__((always_inline)) void skinny_bt(gk_wtype t, int64_t m, int64_t n, int64_t k,
                                                            const float *a, int64_t lda, const void *b, int64_t ldb,
                                                            const float *bias, float *c, int64_t ldc, float *wide)
{
    acc_row acc[GK_SKINNY_BT_MAX_M];
    const int64_t es = (int64_t)gk_wsize(t), ldb_bytes = ldb * es;
    for (int64_t j0 = 0; j0 < n; j0 += TB) {
        int nb = n - j0 < TB ? (int)(n - j0) : TB;
        for (int64_t i = 0; i < m; i++)
            for (int j = 0; j < TB; j++)
                acc[i].v[j] = gk_v_zero();
        for (int64_t k0 = 0; k0 < k; k0 += KCH) {
            int64_t kc = k - k0 < KCH ? k - k0 : KCH;
            const char *bk = (const char *)b + j0 * ldb_bytes + k0 * es;
            if (t == GK_W_F32) {
                for (int64_t i0 = 0; i0 < m; i0 += TA)
                    tile_any(GK_W_F32, 0, 1, m - i0 < TA ? (int)(m - i0) : TA, nb, kc, a + i0 * lda + k0, lda,
                             bk, ldb_bytes, NULL, acc + i0);
                continue;
            }
            /* 16-bit B: the first row tile widens the slice as it multiplies (so the memory
             * stream overlaps FMAs) and leaves it in L1 for the other row tiles */
            tile_any(t, 1, 1, m < TA ? (int)m : TA, nb, kc, a + k0, lda, bk, ldb_bytes, wide, acc);
            for (int64_t i0 = TA; i0 < m; i0 += TA)
                tile_any(GK_W_F32, 0, 0, m - i0 < TA ? (int)(m - i0) : TA, nb, kc, a + i0 * lda + k0, lda,
                         (const char *)wide, WIDE_LD * (int64_t)sizeof(float), NULL, acc + i0);
        }
        for (int64_t i = 0; i < m; i++)
            for (int j = 0; j < nb; j++) {
                float s = gk_v_reduce_add(acc[i].v[j]);
                c[i * ldc + j0 + j] = bias ? s + bias[j0 + j] : s;
            }
    }
}

void GK_FN(gk_gemm_bt_skinny_f32)(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                                  int64_t ldb, const float *bias, float *c, int64_t ldc)
{
    skinny_bt(GK_W_F32, m, n, k, a, lda, b, ldb, bias, c, ldc, NULL);
}

void GK_FN(gk_gemm_bt_skinny_bf16)(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *b,
                                   int64_t ldb, float *c, int64_t ldc)
{
    float wide[TB * WIDE_LD] __attribute__((aligned(64)));
    skinny_bt(GK_W_BF16, m, n, k, a, lda, b, ldb, NULL, c, ldc, wide);
}

void GK_FN(gk_gemm_bt_skinny_f16)(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *b,
                                  int64_t ldb, float *c, int64_t ldc)
{
    float wide[TB * WIDE_LD] __attribute__((aligned(64)));
    skinny_bt(GK_W_F16, m, n, k, a, lda, b, ldb, NULL, c, ldc, wide);
}
