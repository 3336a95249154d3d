/* The AMX-BF16 paths (docs/GEMM.md): gk_gemm_bt_bf16bf16_f32 on 32x32 TDPBF16PS tiles, and
 * gk_gemm_bt_bf16 (f32 A) on the same driver with A split exactly into three bf16 parts.
 * Per KC slice (a multiple of 32 k), tasks of an MC-row block of A and a group of 32-column
 * panels of C walk their block panel by panel, the panel's operand staying in L2 while the
 * block's 32-row slivers pass it. Two orientations (amx_ctx): C^T tiles at small m, where B,
 * the weights, streams once from the caller's matrix into the tiles and is never copied, and
 * C tiles beyond. Every C element is summed in the same order for any thread count (slices in
 * order, one tile computation per slice). */
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <immintrin.h>

#include "kernels/gemm/amx_bf16.h"
#include "kernels/gemm/pack_bf16.h"
#include "kernels/gemm/scratch.h"
#include "kernels/gemm/ukernel.h"
#include "runtime/cpu.h"
#include "runtime/error.h"
#include "runtime/once.h"
#include "runtime/pool.h"

/* Linux's arch_prctl codes (asm/prctl.h) and the XTILEDATA state component. */
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

static gk_once amx_once = GK_ONCE_INIT;
static int amx_granted;

static void amx_request(void) { amx_granted = syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0; }

int gk_amx_bf16_usable(void)
{
    gk_once_run(&amx_once, amx_request);
    return amx_granted;
}

const gk_amx_tilecfg gk_amx_tilecfg_32x32 = {
    .palette = 1,
    .colsb = {64, 64, 64, 64, 64, 64, 64, 64},
    .rows = {16, 16, 16, 16, 16, 16, 16, 16},
};

/* The tile is 32 by 32, a k block 32 bf16; a block in tile order or in pairs is 2 KiB. */
enum { T = 32, BLOCK_WORDS = 512, BLOCK_HALVES = 1024 };

static int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* The two orientations. Either way the kernel's pair operand P is packed once per slice and
 * shared by the threads:
 *   C tiles    R = A, P = B: A's block copied in tile order by its task (tile loads from a
 *              strided matrix are slow where L2 serves them again and again); C stored by the
 *              kernel itself;
 *   C^T tiles  R = B, P = A: B, the larger operand at small m, read in place, never copied;
 *              each tile transposed into C (which costs more than the kernel's own stores: so
 *              only up to TRANSPOSED_MAX_M). */
typedef struct amx_ctx {
    int64_t m, n, k;
    const uint16_t *a, *b;
    int64_t lda, ldb;
    float *c;
    int64_t ldc;
    int transposed;
    const uint16_t *r; /* the kernel's row operand (A or B), lr elements apart, nr rows */
    const uint16_t *pm; /* the pair operand (B or A), lp apart, np rows */
    int64_t lr, nr, lp, np;
    int64_t k0, kc, kb; /* the current slice: kc elements of k in kb blocks */
    int64_t mc, mblocks, npanels, groups, panels_per_group;
    uint32_t *pp; /* P's slice in pairs: its 32-row sliver s at pp + s*kb*BLOCK_WORDS */
    int no_memory;
} amx_ctx;

enum { PACK_SLIVERS = 8 };

/* P's slice in 32-row slivers of k pairs, zero-padded to whole slivers and blocks. */
static void pack_p_task(void *vctx, int64_t begin, int64_t end, int tid)
{
    const amx_ctx *x = vctx;
    (void)tid;
    int64_t pairs = (x->kc + 1) / 2;
    for (int64_t s = begin * PACK_SLIVERS; s < min64(end * PACK_SLIVERS, cdiv(x->np, T)); s++) {
        uint32_t *d = x->pp + s * x->kb * BLOCK_WORDS;
        gk_pack_bf16_pairs(x->pm + s * T * x->lp + x->k0, x->lp, x->kc, min64(T, x->np - s * T), T, d);
        memset(d + pairs * T, 0, (size_t)(x->kb * 16 - pairs) * T * sizeof(uint32_t));
    }
}

/* `rows` rows of `len` bf16 at src (ld apart) into kb blocks in tile order (block q, row r at
 * dst + (q*32 + r)*32), zero-padded to 32 rows and kb*32 columns. */
static void pack_tiles(const uint16_t *src, int64_t ld, int64_t rows, int64_t len, int64_t kb, uint16_t *dst)
{
    for (int64_t r = 0; r < T; r++)
        for (int64_t q = 0; q < kb; q++) {
            int64_t left = r < rows ? len - q * T : 0;
            __mmask32 mask = left >= T ? ~(__mmask32)0 : left > 0 ? ((__mmask32)1 << left) - 1 : 0;
            _mm512_storeu_si512(dst + (q * T + r) * T, _mm512_maskz_loadu_epi16(mask, src + r * ld + q * T));
        }
}

/* A 16x16 block of f32 at src (rows lds apart) transposed into v: four rounds that swap the
 * off-diagonal d-by-d blocks of every 2d-by-2d block, d = 8, 4, 2, 1. Round d's permutes take
 * column c of the upper row from the upper row (bit d of c clear) or the lower row (set). */
static const int32_t swap_lo[4][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23},
    {0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27},
    {0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29},
    {0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30},
};
static const int32_t swap_hi[4][16] = {
    {8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31},
    {4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31},
    {2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31},
    {1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31},
};

static void transpose16(const float *src, int64_t lds, __m512 v[16])
{
    for (int r = 0; r < 16; r++)
        v[r] = _mm512_load_ps(src + r * lds);
    for (int round = 0; round < 4; round++) {
        int d = 8 >> round;
        __m512i ilo = _mm512_loadu_si512(swap_lo[round]), ihi = _mm512_loadu_si512(swap_hi[round]);
        for (int r = 0; r < 16; r++)
            if (!(r & d)) {
                __m512 u = v[r], w = v[r + d];
                v[r] = _mm512_permutex2var_ps(u, ilo, w);
                v[r + d] = _mm512_permutex2var_ps(u, ihi, w);
            }
    }
}

/* The 32x32 tile t of C^T (row = column of C) into C at (i, j), added to C past the first slice. */
static void store_transposed(const amx_ctx *x, const float *t, int64_t i, int64_t j)
{
    int64_t rows = min64(T, x->m - i), cols = min64(T, x->n - j);
    for (int g = 0; g * 16 < rows; g++)
        for (int h = 0; h * 16 < cols; h++) {
            __m512 v[16];
            transpose16(t + h * 16 * T + g * 16, T, v);
            int64_t left = cols - h * 16;
            __mmask16 mask = left >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << left) - 1);
            for (int64_t u = 0; u < min64(16, rows - g * 16); u++) {
                float *c = x->c + (i + g * 16 + u) * x->ldc + j + h * 16;
                __m512 y = v[u];
                if (x->k0 > 0)
                    y = _mm512_add_ps(y, _mm512_maskz_loadu_ps(mask, c));
                _mm512_mask_storeu_ps(c, mask, y);
            }
        }
}

/* A task's scratch: its A block in tile order (C tiles) or B's partial last panel in tile
 * order (C^T tiles: the panel starting at row redge_row, or -1), one zero-padded k-tail block
 * of B, and an edge tile of C. */
typedef struct amx_scratch {
    uint16_t *rp, *kedge;
    int64_t redge_row;
    float *t;
} amx_scratch;

/* The tile of C at (i, j): its R panel (32 rows at ri) times its P sliver (at pi). R comes from
 * the task's tile-order copy (A's block, or B's partial last panel), else straight from B, a
 * partial last k block then from a zero-padded block in a second, accumulating call. */
static void tile(const amx_ctx *x, amx_scratch *s, int64_t i0, int64_t i, int64_t j)
{
    int64_t ri = x->transposed ? j : i, pi = x->transposed ? i : j;
    int64_t rows = min64(T, x->m - i), cols = min64(T, x->n - j);
    const uint16_t *rp = x->r + ri * x->lr + x->k0;
    int direct = !x->transposed && rows == T && cols == T;
    gk_amx_ukernel_args args = {.a = rp, .b = x->pp + pi / T * x->kb * BLOCK_WORDS, .kb = x->kc / T,
                                .lda = x->lr * 2, .astep = T * 2};
    args.c = direct ? x->c + i * x->ldc + j : s->t;
    args.ldc = direct ? x->ldc * 4 : T * 4;
    args.accumulate = !x->transposed && x->k0 > 0;
    if (args.accumulate && !direct)
        for (int64_t r = 0; r < rows; r++)
            memcpy(s->t + r * T, x->c + (i + r) * x->ldc + j, (size_t)cols * sizeof(float));
    if (!x->transposed || x->nr - ri < T) {
        if (!x->transposed)
            args.a = s->rp + (i - i0) / T * x->kb * BLOCK_HALVES;
        else {
            if (s->redge_row != ri)
                pack_tiles(rp, x->lr, x->nr - ri, x->kc, x->kb, s->rp);
            s->redge_row = ri;
            args.a = s->rp;
        }
        args.kb = x->kb;
        args.lda = T * 2;
        args.astep = BLOCK_HALVES * 2;
    }
    gk_bf16_gemm_ukernel_32x32__amx(&args);
    if (args.kb < x->kb) {
        pack_tiles(rp + args.kb * T, x->lr, T, x->kc - args.kb * T, 1, s->kedge);
        args.a = s->kedge;
        args.b += args.kb * BLOCK_WORDS;
        args.kb = 1;
        args.lda = T * 2;
        args.accumulate = 1;
        gk_bf16_gemm_ukernel_32x32__amx(&args);
    }
    if (x->transposed)
        store_transposed(x, s->t, i, j);
    else if (!direct)
        for (int64_t r = 0; r < rows; r++)
            memcpy(x->c + (i + r) * x->ldc + j, s->t + r * T, (size_t)cols * sizeof(float));
}

static void block_task(void *vctx, int64_t begin, int64_t end, int tid)
{
    amx_ctx *x = vctx;
    (void)tid;
    size_t rhalves = (size_t)((x->transposed ? 1 : cdiv(x->mc, T)) * x->kb * BLOCK_HALVES);
    uint16_t *buf = gk_gemm_scratch_get((rhalves + BLOCK_HALVES) * sizeof(uint16_t) + T * T * sizeof(float));
    if (!buf) {
        __atomic_store_n(&x->no_memory, 1, __ATOMIC_RELAXED);
        return;
    }
    amx_scratch s = {.rp = buf, .kedge = buf + rhalves, .redge_row = -1, .t = (float *)(buf + rhalves + BLOCK_HALVES)};
    gk_amx_tile_config(&gk_amx_tilecfg_32x32);
    int64_t packed_i0 = -1;
    for (int64_t task = begin; task < end; task++) {
        int64_t i0 = task / x->groups * x->mc, i1 = min64(i0 + x->mc, x->m);
        int64_t p0 = task % x->groups * x->panels_per_group, p1 = min64(p0 + x->panels_per_group, x->npanels);
        if (!x->transposed && i0 != packed_i0) {
            for (int64_t i = i0; i < i1; i += T)
                pack_tiles(x->a + i * x->lda + x->k0, x->lda, min64(T, i1 - i), x->kc, x->kb,
                           s.rp + (i - i0) / T * x->kb * BLOCK_HALVES);
            packed_i0 = i0;
        }
        for (int64_t p = p0; p < p1; p++)
            for (int64_t i = i0; i < i1; i += T)
                tile(x, &s, i0, i, p * T);
    }
    gk_amx_tile_release();
    gk_gemm_scratch_put(buf);
}

static void run_tasks(int parallel, int64_t tasks, gk_task_fn fn, void *ctx)
{
    if (parallel && tasks > 1)
        gk_parallel_for(tasks, 1, fn, ctx);
    else
        fn(ctx, 0, tasks, 0);
}

/* Slices of up to 2048 k and row blocks of up to 256 rows: an A sliver and a B panel are then
 * 128 KiB each, in L2, and fewer slices mean fewer passes over C. Measured on the Sapphire
 * Rapids-class VM (1 thread, best of 3, ms for M=128 / 512 x 4096 x 4096 and 2048^3):
 * KC 512: 7.5-7.8 / 19.8-21.7 / 16.0-17.9 over MC 128-512; KC 1024 MC 256: 7.4 / 19.4 / 16.2;
 * KC 2048 MC 256: 6.7-6.9 / 17.2-18.3 / 15.1-15.9; KC 4096: 7.1-7.6 / 20.1-29.6 / 14.1-15.7. */
enum { AMX_KC = 2048, AMX_MC = 256 };

/* C^T tiles up to 192 rows of A, measured (1 thread, best of 20, N = K = 4096; C tiles / C^T
 * tiles): m = 128 8.5 / 6.4 ms, 192 10.3-10.9 / 9.3-10.1, 256 12.9-13.3 / 13.5-14.1, 384
 * 17.1-17.5 / 19.9-20.3, 512 21.5 / 29.5. */
enum { TRANSPOSED_MAX_M = 192 };

gk_status gk_gemm_bt_bf16bf16_amx(int64_t m, int64_t n, int64_t k, const uint16_t *a, int64_t lda,
                                  const uint16_t *b, int64_t ldb, float *c, int64_t ldc)
{
    const struct gk_device_profile *d = gk_cpu();
    int parallel = gk_pool_threads() > 1 && 2.0 * (double)m * (double)n * (double)k >= (double)d->parallel_min_flops;
    int threads = parallel ? gk_pool_threads() : 1;
    amx_ctx x = {.m = m, .n = n, .k = k, .a = a, .b = b, .lda = lda, .ldb = ldb, .c = c, .ldc = ldc,
                 .transposed = m <= TRANSPOSED_MAX_M};
    x.r = x.transposed ? b : a;
    x.lr = x.transposed ? ldb : lda;
    x.nr = x.transposed ? n : m;
    x.pm = x.transposed ? a : b;
    x.lp = x.transposed ? lda : ldb;
    x.np = x.transposed ? m : n;
    /* equal slices (multiples of 32) and row blocks (multiples of 32, a multiple of the threads) */
    int64_t slices = cdiv(k, AMX_KC), kc = cdiv(cdiv(k, slices), T) * T;
    x.mblocks = cdiv(m, AMX_MC);
    if (x.mblocks > threads && x.mblocks % threads)
        x.mblocks = cdiv(x.mblocks, threads) * threads;
    x.mc = cdiv(cdiv(m, x.mblocks), T) * T;
    x.mblocks = cdiv(m, x.mc);
    x.npanels = cdiv(n, T);
    x.groups = min64(x.npanels, cdiv(2 * (int64_t)threads, x.mblocks));
    x.panels_per_group = cdiv(x.npanels, x.groups);
    x.groups = cdiv(x.npanels, x.panels_per_group);
    x.pp = gk_gemm_scratch_get((size_t)(cdiv(x.np, T) * (kc / T) * BLOCK_WORDS) * sizeof(uint32_t));
    if (!x.pp)
        return gk_fail(GK_ERR_NO_MEMORY, "gemm_bt_bf16bf16: out of memory for a packed operand");
    for (x.k0 = 0; x.k0 < k; x.k0 += kc) {
        x.kc = min64(kc, k - x.k0);
        x.kb = cdiv(x.kc, T);
        run_tasks(parallel, cdiv(cdiv(x.np, T), PACK_SLIVERS), pack_p_task, &x);
        run_tasks(parallel, x.mblocks * x.groups, block_task, &x);
        if (x.no_memory)
            break;
    }
    gk_gemm_scratch_put(x.pp);
    return x.no_memory ? gk_fail(GK_ERR_NO_MEMORY, "gemm_bt_bf16bf16: out of memory for a tile's scratch") : GK_OK;
}

/* ---- f32 A on the tiles: gk_gemm_bt_bf16 ---------------------------------------------------
 * An f32 is exactly the sum of three bf16 values: hi = its top 16 bits (truncated, so it never
 * rounds up to Inf), mid = the top 16 bits of the exact remainder a - hi (at most 16 significant
 * bits), lo = the remainder of that (at most 8, so exact in bf16). Products with bf16 weights
 * are exact in f32, so C = A_hi·B^T + A_mid·B^T + A_lo·B^T keeps the activations unrounded:
 * the tiles run 3 x SPLIT_ROWS rows of A per pass over B, and the three partial products are
 * added smallest first. Inf and NaN keep mid = lo = 0 (Inf - Inf would make a NaN). A
 * non-finite weight or activation makes A_hi·B^T non-finite (a nonzero a has a nonzero hi), and
 * that sum alone is then the answer: mid or lo may be 0 where hi is not, and 0·Inf is NaN. */
enum { SPLIT_ROWS = 128 };

static __mmask16 nonfinite(__m512 v)
{
    const __m512i expo = _mm512_set1_epi32(0x7f800000);
    return _mm512_cmpeq_epi32_mask(_mm512_and_si512(_mm512_castps_si512(v), expo), expo);
}

static void split_row(const float *a, int64_t k, uint16_t *hi, uint16_t *mid, uint16_t *lo)
{
    const __m512i top = _mm512_set1_epi32((int32_t)0xffff0000);
    for (int64_t p = 0; p < k; p += 16) {
        __mmask16 mask = k - p >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (k - p)) - 1);
        __m512i bits = _mm512_castps_si512(_mm512_maskz_loadu_ps(mask, a + p));
        __m512i h = _mm512_and_si512(bits, top);
        __m512 r1 = _mm512_maskz_sub_ps(~nonfinite(_mm512_castsi512_ps(bits)), _mm512_castsi512_ps(bits),
                                        _mm512_castsi512_ps(h));
        __m512i md = _mm512_and_si512(_mm512_castps_si512(r1), top);
        __m512 r2 = _mm512_sub_ps(r1, _mm512_castsi512_ps(md));
        _mm256_mask_storeu_epi16(hi + p, mask, _mm512_cvtepi32_epi16(_mm512_srli_epi32(h, 16)));
        _mm256_mask_storeu_epi16(mid + p, mask, _mm512_cvtepi32_epi16(_mm512_srli_epi32(md, 16)));
        _mm256_mask_storeu_epi16(lo + p, mask,
                                 _mm512_cvtepi32_epi16(_mm512_srli_epi32(_mm512_castps_si512(r2), 16)));
    }
}

gk_status gk_gemm_bt_bf16_split_amx(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                                    const uint16_t *b, int64_t ldb, float *c, int64_t ldc)
{
    int64_t rows = min64(SPLIT_ROWS, m);
    uint16_t *a3 = gk_gemm_scratch_get((size_t)(3 * rows * k) * sizeof(uint16_t));
    float *c3 = gk_gemm_scratch_get((size_t)(3 * rows * n) * sizeof(float));
    gk_status s = a3 && c3 ? GK_OK : gk_fail(GK_ERR_NO_MEMORY, "gemm_bt_bf16: out of memory for the split A");
    for (int64_t i0 = 0; s == GK_OK && i0 < m; i0 += rows) {
        int64_t r = min64(rows, m - i0);
        for (int64_t i = 0; i < r; i++)
            split_row(a + (i0 + i) * lda, k, a3 + i * k, a3 + (r + i) * k, a3 + (2 * r + i) * k);
        s = gk_gemm_bt_bf16bf16_amx(3 * r, n, k, a3, k, b, ldb, c3, n);
        for (int64_t i = 0; s == GK_OK && i < r; i++)
            for (int64_t j = 0; j < n; j += 16) {
                __mmask16 mask = n - j >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - j)) - 1);
                __m512 h = _mm512_maskz_loadu_ps(mask, c3 + i * n + j);
                __m512 md = _mm512_maskz_loadu_ps(mask, c3 + (r + i) * n + j);
                __m512 l = _mm512_maskz_loadu_ps(mask, c3 + (2 * r + i) * n + j);
                __m512 sum = _mm512_add_ps(_mm512_add_ps(l, md), h);
                _mm512_mask_storeu_ps(c + (i0 + i) * ldc + j, mask, _mm512_mask_blend_ps(nonfinite(h), sum, h));
            }
    }
    gk_gemm_scratch_put(a3);
    gk_gemm_scratch_put(c3);
    return s;
}
