/* The f32 GEMM family for one ISA (a template compiled per ISA by gk_isa_template): the blocked
 * BLIS driver, the skinny path, pack_b / gemm_prepacked, gemm_bt with bf16 / f16 B, gemm_bt with
 * bf16 A and B (vdpbf16ps on the blocked path where AVX512_BF16 is present, amx_bf16.c's tiles
 * where AMX-BF16 is), and their registration.
 *
 * Paths (thresholds from the DeviceProfile, docs/GEMM.md):
 *   m <= gemv_max_m           streaming GEMV: gemm_bt runs gk_gemv_f32 over the rows of B;
 *                             threads split the outputs
 *   gemm, m <= rows_max_m     gk_gemm_rows_f32: whole rows of B streamed over the m rows of C;
 *                             threads split the columns
 *   m <= skinny_max_m         skinny, nothing of A packed, B streamed once:
 *                               gemm_bt (m <= GK_SKINNY_BT_MAX_M): the dot-product kernel of
 *                               skinny_bt.c
 *                               otherwise: the micro-kernel reads A's rows in place; a panel of
 *                               row-major B is read in place for up to four row blocks, else
 *                               packed per KC slice; the panel eight ahead is prefetched, so each
 *                               row of B streams in order; threads split the columns
 *   otherwise                 BLIS loops NC -> KC (pack B, threads share it) -> MC x NR-groups
 *                             (threads; each packs its A block) -> NR -> MR (micro-kernel)
 * Every element of C is summed in the same order for any thread count (KC slices in order, each
 * slice by one micro-kernel call or one set of dot-product lanes): results are bitwise identical
 * across thread counts. */
#include <stdint.h>
#include <string.h>

#include "kernels/blas/gemm_rows.h"
#include "kernels/blas/gemv.h"
#include "kernels/blas/widen.h"
#include "kernels/gemm/amx_bf16.h"
#include "kernels/gemm/pack.h"
#include "kernels/gemm/pack_bf16.h"
#include "kernels/gemm/scratch.h"
#include "kernels/gemm/skinny_bt.h"
#include "kernels/gemm/ukernel.h"
#include "kernels/simd/target.h"
#include "ops/dispatch.h"
#include "ops/packed_b.h"
#include "runtime/cpu.h"
#include "runtime/error.h"
#include "runtime/pool.h"

#if defined(GK_TARGET_AVX512)
#define ISA_LEVEL GK_ISA_AVX512
#define UKERNEL gk_f32_gemm_ukernel_8x48__avx512f
#define MR 8
#define NR 48
#elif defined(GK_TARGET_AVX2)
#define ISA_LEVEL GK_ISA_AVX2
#define UKERNEL gk_f32_gemm_ukernel_6x16__avx2
#define MR 6
#define NR 16
#endif

/* Largest KC slice: bounds the on-stack panel of the skinny path (KC_MAX*NR floats). */
#define KC_MAX 384

typedef struct blocking {
    int64_t kc, mc, nc;
    int64_t b_l2_bytes; /* > 0: the B-streaming order, with this much packed B per group */
} blocking;

static int64_t clamp_round(int64_t v, int64_t lo, int64_t hi, int64_t mult)
{
    v = v < lo ? lo : v > hi ? hi : v;
    return v - v % mult;
}

static int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/* Split `extent` into as few blocks of at most `max` as possible, all the same size (a multiple
 * of `mult`) but the last: a ragged short last block would run at a fraction of the speed. */
static int64_t balance(int64_t extent, int64_t max, int64_t mult)
{
    int64_t blocks = cdiv(extent, max);
    int64_t b = cdiv(cdiv(extent, blocks), mult) * mult;
    return b < max ? b : max;
}

/* The profile's cache-derived block sizes, fitted to this ISA's tile (the profile's MR/NR are
 * those of the best ISA, which may not be the active one) and balanced over the problem. KC
 * depends on k and the path only, so the summation order of every C element depends on the
 * shape alone. kc_max: the slice's upper bound in elements, kstep: its multiple. */
static blocking get_blocking(int64_t m, int64_t n, int64_t k, int64_t kc_max, int64_t kstep)
{
    const struct gk_device_profile *d = gk_cpu();
    blocking bl;
    bl.kc = balance(k, kc_max, kstep);
    bl.mc = balance(m, clamp_round(d->gemm_mc, MR, 4096, MR), MR);
    bl.nc = balance(n, clamp_round(d->gemm_nc, NR, 1 << 16, NR), NR);
    /* the profile's NB is for the AVX-512 tile (its MR/NR are isa_max's) */
    bl.b_l2_bytes = ISA_LEVEL == GK_ISA_AVX512 ? d->gemm_nb * d->gemm_kc * (int64_t)sizeof(float) : 0;
    return bl;
}

/* A profile KC (the blocked path's gemm_kc or the skinny path's gemm_kc_l1) as a slice bound. */
static int64_t slice_kc(int64_t profile_kc) { return clamp_round(profile_kc, 64, KC_MAX, 8); }

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/* Where B comes from: the caller's matrix (row-major k-by-n, or n-by-k when trans; f32, or
 * bf16 for the bf16 kind of the blocked path) or a packed buffer in pack_b's layout (KC slices
 * of npad = panels*NR columns each). */
typedef struct bsrc {
    const void *b;
    int64_t ldb;
    int trans;
    const float *packed;
    int64_t npad;
} bsrc;

static void run_ukernel(const float *a, int64_t rs_a, int64_t cs_a, const float *b, int64_t rs_b, float *c,
                        int64_t ldc, int64_t m, int64_t n, int64_t k, const float *bias, int accumulate)
{
    gk_f32_ukernel_args args = {
        .a = a, .b = b, .c = c, .k = k,
        .rs_a = rs_a * 4, .cs_a = cs_a * 4, .rs_b = rs_b * 4, .ldc = ldc * 4,
        .m = m, .n = n, .bias = accumulate ? NULL : bias, .accumulate = accumulate,
    };
    UKERNEL(&args);
}

/* Run fn over [0, tasks) on the pool when the work pays for it, else inline on this thread. */
static void run_tasks(int parallel, int64_t tasks, gk_task_fn fn, void *ctx)
{
    if (parallel && tasks > 1)
        gk_parallel_for(tasks, 1, fn, ctx);
    else
        fn(ctx, 0, tasks, 0);
}

static int worth_threads(int64_t m, int64_t n, int64_t k)
{
    const struct gk_device_profile *d = gk_cpu();
    double flops = 2.0 * (double)m * (double)n * (double)k;
    double bytes = 4.0 * (double)n * (double)k;
    return gk_pool_threads() > 1 && (flops >= (double)d->parallel_min_flops || bytes >= (double)d->parallel_min_bytes);
}

/* ---- skinny path ------------------------------------------------------------------------- */

typedef struct skinny_ctx {
    int64_t m, n, k, kc;
    const float *a;
    int64_t lda;
    bsrc bs;
    const float *bias;
    float *c;
    int64_t ldc;
    int64_t panels_per_task;
    int no_memory; /* set by a task that could not get its strip buffers */
} skinny_ctx;

/* Panels ahead of the one being multiplied whose rows of B are prefetched (B read in place or
 * packed one panel at a time). Across the panels of a KC slice each row of B is read in order,
 * so the prefetches walk down every row as one stream. */
enum { SKINNY_PREFETCH_PANELS = 8 };

/* Row blocks up to which a panel of row-major B is read in place rather than packed: each block
 * re-reads it from L2. Measured on Zen 5 (AVX-512) at k = n = 4096: m = 32 6.8 ms in place vs
 * 8.7 ms packed per panel. On Zen 3 (AVX2) the strips below win at every m. */
#if defined(GK_TARGET_AVX512)
enum { SKINNY_INPLACE_MAX_BLOCKS = 4 };
#else
enum { SKINNY_INPLACE_MAX_BLOCKS = 0 };
#endif

static int skinny_inplace(int64_t m, bsrc bs)
{
    return !bs.packed && !bs.trans && cdiv(m, MR) <= SKINNY_INPLACE_MAX_BLOCKS;
}

/* B read in place streams KC rows at once, each a run of NR floats per panel: fewer rows make
 * fewer, longer concurrent streams, which DRAM serves faster, until the passes over C cost more.
 * Measured on Zen 4 at n = k = 4096 (KC 144 from the L1 rule): m = 2 5.0 -> 3.4-3.7 ms with
 * KC 16, m = 8 6.7-7.4 -> 4.8-5.7 ms with KC 16, m = 16 best at 32, m = 32 the same at 64 as at
 * 144 and 25% slower at 16. Hence KC = 2 m, at least 16. */
static int64_t skinny_inplace_kc(int64_t m, int64_t kc)
{
    int64_t want = (2 * m + 7) / 8 * 8;
    want = want < 16 ? 16 : want;
    return want < kc ? want : kc;
}

/* Products whose A and B together fit in L2 take the skinny path at any m on AVX2: packing A
 * buys nothing there. Zen 3, a test loop, best of 40 calls, two rounds: 256^3 91.4-91.8 ->
 * 95.2 GFLOP/s; 512^3 (2 MiB, not taken) is 3% slower on the skinny path. Not measured on an
 * AVX-512 core. */
#if defined(GK_TARGET_AVX2)
enum { SMALL_SKINNY = 1 };
#else
enum { SMALL_SKINNY = 0 };
#endif

/* Row-major B that is not read in place is packed a strip at a time: STRIP_PANELS panels of one
 * KC slice, so each row of B is read as one run of STRIP_PANELS*NR floats. A panel of B alone is
 * one or three cache lines per row, rows ldb apart: such a column of lines falls into a few sets
 * of every cache level when ldb is a multiple of 4 KiB, and DRAM serves short runs at half its
 * streaming rate. The next strip is packed in pieces between the micro-kernel calls on the
 * current one (two strip buffers), so B streams in while the FMAs run. */
enum { STRIP_PANELS = NR == 16 ? 8 : 4 };

/* Row block `blk` of the near-equal blocks of m rows (8 = 4 + 4, not 6 + 2: a block of few rows
 * has too few accumulators to cover the FMA latency) times one panel of B. */
static void skinny_block(const skinny_ctx *x, const float *bp, int64_t rs_b, int64_t k0, int64_t kcur, int64_t j0,
                         int64_t ncur, int64_t blk)
{
    int64_t nb = cdiv(x->m, MR), q = x->m / nb, r = x->m % nb;
    int64_t i0 = blk * q + min64(blk, r), rows = q + (blk < r);
    run_ukernel(x->a + i0 * x->lda + k0, x->lda, 1, bp, rs_b, x->c + i0 * x->ldc + j0, x->ldc, rows, ncur, kcur,
                x->bias ? x->bias + j0 : NULL, k0 > 0);
}

/* Panels jp .. jp+np-1 of the KC slice at k0 (kc rows). */
typedef struct strip {
    int64_t k0, kc, jp, np;
} strip;

/* Strip s of panels [jp0, jp1): slices in order, strips in order within a slice. */
static strip strip_at(const skinny_ctx *x, int64_t jp0, int64_t jp1, int64_t s)
{
    int64_t per = cdiv(jp1 - jp0, STRIP_PANELS);
    strip t;
    t.k0 = s / per * x->kc;
    t.kc = min64(x->kc, x->k - t.k0);
    t.jp = jp0 + s % per * STRIP_PANELS;
    t.np = min64(STRIP_PANELS, jp1 - t.jp);
    return t;
}

static void pack_strip_rows(const skinny_ctx *x, strip t, int64_t p0, int64_t p1, float *dst)
{
    int64_t j0 = t.jp * NR;
    gk_pack_b_nn_rows(x->bs.b, x->bs.ldb, t.k0, t.kc, p0, p1, j0, min64(t.np * NR, x->n - j0), NR, dst);
}

/* Ask for rows p0..p1-1 of a strip, the piece packed after the next micro-kernel call: issued
 * before that call, they stream in during its FMAs. Non-temporal (prefetchnta): measured on
 * Zen 3 at k = n = 4096, m = 32 16.5 ms against 18.6-19.3 ms with prefetcht0/t1/t2 and 21.5-22.9
 * ms with none, m = 8 9.6 ms against 11.0-13.3 ms. */
static void prefetch_strip_rows(const skinny_ctx *x, strip t, int64_t p0, int64_t p1)
{
    int64_t j0 = t.jp * NR;
    gk_prefetch_b_block(x->bs.b, x->bs.ldb, 0, t.k0 + p0, p1 - p0, j0, min64(t.np * NR, x->n - j0), 1);
}

/* Panels [jp0, jp1) of C from row-major B packed in strips (bufs: two of KC*STRIP_PANELS*NR). */
static void skinny_strips(const skinny_ctx *x, int64_t jp0, int64_t jp1, float *bufs)
{
    const int64_t nb = cdiv(x->m, MR), total = cdiv(x->k, x->kc) * cdiv(jp1 - jp0, STRIP_PANELS);
    float *buf[2] = {bufs, bufs + x->kc * STRIP_PANELS * NR};
    strip cur = strip_at(x, jp0, jp1, 0);
    pack_strip_rows(x, cur, 0, cur.kc, buf[0]);
    for (int64_t s = 0; s < total; s++) {
        int more = s + 1 < total;
        strip nxt = more ? strip_at(x, jp0, jp1, s + 1) : cur;
        int64_t units = cur.np * nb;
        for (int64_t u = 0; u < units; u++) {
            int64_t p = u / nb, j0 = (cur.jp + p) * NR;
            skinny_block(x, buf[s & 1] + p * cur.kc * NR, NR, cur.k0, cur.kc, j0, min64(NR, x->n - j0), u % nb);
            if (more) {
                pack_strip_rows(x, nxt, nxt.kc * u / units, nxt.kc * (u + 1) / units, buf[(s + 1) & 1]);
                prefetch_strip_rows(x, nxt, nxt.kc * (u + 1) / units, min64(nxt.kc * (u + 2) / units, nxt.kc));
            }
        }
        cur = nxt;
    }
}

static void skinny_task(void *vctx, int64_t begin, int64_t end, int tid)
{
    skinny_ctx *x = vctx;
    (void)tid;
    int64_t npanels = cdiv(x->n, NR);
    int64_t jp0 = begin * x->panels_per_task, jp1 = min64(end * x->panels_per_task, npanels);
    if (!x->bs.packed && !x->bs.trans && !skinny_inplace(x->m, x->bs)) {
        float *bufs = gk_gemm_scratch_get((size_t)(2 * x->kc * STRIP_PANELS * NR) * sizeof(float));
        if (bufs)
            skinny_strips(x, jp0, jp1, bufs);
        else
            __atomic_store_n(&x->no_memory, 1, __ATOMIC_RELAXED);
        gk_gemm_scratch_put(bufs);
        return;
    }
    float buf[KC_MAX * NR] __attribute__((aligned(64)));
    for (int64_t k0 = 0; k0 < x->k; k0 += x->kc) {
        int64_t kcur = min64(x->kc, x->k - k0);
        for (int64_t jp = jp0; jp < jp1; jp++) {
            int64_t j0 = jp * NR, ncur = min64(NR, x->n - j0);
            const float *bp = buf;
            int64_t rs_b = NR;
            if (x->bs.packed) {
                bp = x->bs.packed + k0 * x->bs.npad + jp * kcur * NR;
            } else {
                /* the panel SKINNY_PREFETCH_PANELS ahead, in this slice or the next one */
                int64_t ahead = jp + SKINNY_PREFETCH_PANELS, nk0 = k0;
                if (ahead >= jp1)
                    ahead = jp0 + (ahead - jp1), nk0 = k0 + x->kc;
                if (nk0 < x->k && ahead < jp1)
                    gk_prefetch_b_block(x->bs.b, x->bs.ldb, x->bs.trans, nk0, min64(x->kc, x->k - nk0), ahead * NR,
                                        min64(NR, x->n - ahead * NR), 0);
                if (!x->bs.trans && ncur == NR) {
                    bp = (const float *)x->bs.b + k0 * x->bs.ldb + j0;
                    rs_b = x->bs.ldb;
                } else if (x->bs.trans) {
                    gk_pack_b_bt(x->bs.b, x->bs.ldb, k0, kcur, j0, ncur, NR, buf);
                } else {
                    gk_pack_b_nn(x->bs.b, x->bs.ldb, k0, kcur, j0, ncur, NR, buf);
                }
            }
            for (int64_t blk = 0; blk < cdiv(x->m, MR); blk++)
                skinny_block(x, bp, rs_b, k0, kcur, j0, ncur, blk);
        }
    }
}

static gk_status gemm_skinny(int64_t m, int64_t n, int64_t k, int64_t kc, const float *a, int64_t lda, bsrc bs,
                             const float *bias, float *c, int64_t ldc)
{
    skinny_ctx x = {m, n, k, kc, a, lda, bs, bias, c, ldc, 0, 0};
    int parallel = worth_threads(m, n, k);
    int64_t npanels = cdiv(n, NR);
    /* a few tasks per thread for the dynamic hand-out to balance; at least one B panel each */
    int64_t tasks = parallel ? min64(npanels, 4 * (int64_t)gk_pool_threads()) : 1;
    x.panels_per_task = cdiv(npanels, tasks);
    run_tasks(parallel, cdiv(npanels, x.panels_per_task), skinny_task, &x);
    if (x.no_memory)
        return gk_fail(GK_ERR_NO_MEMORY, "gemm: out of memory for the skinny path's B strips");
    return GK_OK;
}

/* ---- blocked path ------------------------------------------------------------------------ */

struct blocked_kind;

typedef struct blocked_ctx {
    const struct blocked_kind *kind;
    int64_t m, n, k;
    const void *a;
    int64_t lda;
    bsrc bs;
    const float *bias;
    float *c;
    int64_t ldc;
    blocking bl;
    /* the current NC x KC block: kc elements of k in ks packed steps */
    int64_t j0, nc, k0, kc, ks;
    const float *bp; /* packed panels in 4-byte steps (f32 elements or bf16 pairs) */
    float *bbuf;  /* packed B of the current block (when B is not prepacked) */
    int64_t groups, panels_per_group;
    int no_memory; /* set by a task that could not get its A buffer */
} blocked_ctx;

/* What the blocked path multiplies: its packing and its micro-kernel call. Packed panels are
 * counted in 4-byte steps, kstep elements of k each (an f32, or a pair of bf16), so the loops,
 * buffers and threading below serve every kind. */
typedef struct blocked_kind {
    int kstep;
    /* panels of columns j .. j+cols-1 of the current KC slice of B, kc steps apart */
    void (*pack_b)(const blocked_ctx *x, int64_t j, int64_t cols, float *dst);
    /* one MR-row panel of rows i .. i+rows-1 of A's current KC slice */
    void (*pack_a)(const blocked_ctx *x, int64_t i, int64_t rows, float *dst);
    /* the rows-by-cols tile of C at (i, j) from packed panels ap and bp */
    void (*tile)(const blocked_ctx *x, const float *ap, const float *bp, int64_t i, int64_t j, int64_t rows,
                 int64_t cols);
} blocked_kind;

static void pack_b_f32(const blocked_ctx *x, int64_t j, int64_t cols, float *dst)
{
    if (x->bs.trans)
        gk_pack_b_bt(x->bs.b, x->bs.ldb, x->k0, x->kc, j, cols, NR, dst);
    else
        gk_pack_b_nn(x->bs.b, x->bs.ldb, x->k0, x->kc, j, cols, NR, dst);
}

static void pack_a_f32(const blocked_ctx *x, int64_t i, int64_t rows, float *dst)
{
    gk_pack_a_panel(x->a, x->lda, i, rows, x->k0, x->kc, MR, dst);
}

static void tile_f32(const blocked_ctx *x, const float *ap, const float *bp, int64_t i, int64_t j, int64_t rows,
                     int64_t cols)
{
    run_ukernel(ap, 1, MR, bp, NR, x->c + i * x->ldc + j, x->ldc, rows, cols, x->kc, x->bias ? x->bias + j : NULL,
                x->k0 > 0);
}

static const blocked_kind f32_kind = {1, pack_b_f32, pack_a_f32, tile_f32};

/* Panels packed per task: enough row length for the packing to stream B. */
enum { PACK_PANELS = 8 };

static void pack_b_task(void *vctx, int64_t begin, int64_t end, int tid)
{
    const blocked_ctx *x = vctx;
    (void)tid;
    int64_t jp0 = begin * PACK_PANELS, jp1 = min64(end * PACK_PANELS, cdiv(x->nc, NR));
    int64_t j = x->j0 + jp0 * NR, cols = min64(jp1 * NR, x->nc) - jp0 * NR;
    x->kind->pack_b(x, j, cols, x->bbuf + jp0 * x->ks * NR);
}

/* The tile of packed A rows ir.. of the block at row i0 and packed B panel jp. */
static inline void block_tile(const blocked_ctx *x, const float *ap, int64_t i0, int64_t mcur, int64_t ir, int64_t jp)
{
    int64_t j = x->j0 + jp * NR;
    x->kind->tile(x, ap + ir * x->ks, x->bp + jp * x->ks * NR, i0 + ir, j, min64(MR, mcur - ir), min64(NR, x->n - j));
}

/* A task is a row block and a group of B panels. In BLIS's order each panel of B stays in L1
 * while the block's MR-row slivers of A pass it; in the B-streaming order (blocking.b_l2_bytes)
 * each A sliver stays in L1 while the group's panels, held in L2, pass it, and C is walked along
 * its rows. Every tile is computed the same way in either order.
 * Each call takes its own A buffer from the scratch cache (not one per thread id: the thread
 * count may change between planning and running, and a task never depends on which thread runs
 * it). */
static void block_task(void *vctx, int64_t begin, int64_t end, int tid)
{
    blocked_ctx *x = vctx;
    (void)tid;
    float *ap = gk_gemm_scratch_get((size_t)(x->bl.mc * x->ks) * sizeof(float));
    if (!ap) {
        __atomic_store_n(&x->no_memory, 1, __ATOMIC_RELAXED);
        return;
    }
    int64_t npanels = cdiv(x->nc, NR);
    int64_t packed_i0 = -1;
    for (int64_t t = begin; t < end; t++) {
        int64_t i0 = t / x->groups * x->bl.mc, mcur = min64(x->bl.mc, x->m - i0);
        int64_t g = t % x->groups;
        int64_t jp0 = g * x->panels_per_group, jp1 = min64(jp0 + x->panels_per_group, npanels);
        if (i0 != packed_i0) {
            for (int64_t ir = 0; ir < mcur; ir += MR)
                x->kind->pack_a(x, i0 + ir, min64(MR, mcur - ir), ap + ir * x->ks);
            packed_i0 = i0;
        }
        if (x->bl.b_l2_bytes) {
            for (int64_t ir = 0; ir < mcur; ir += MR)
                for (int64_t jp = jp0; jp < jp1; jp++)
                    block_tile(x, ap, i0, mcur, ir, jp);
        } else {
            for (int64_t jp = jp0; jp < jp1; jp++)
                for (int64_t ir = 0; ir < mcur; ir += MR)
                    block_tile(x, ap, i0, mcur, ir, jp);
        }
    }
    gk_gemm_scratch_put(ap);
}

static gk_status gemm_blocked(const blocked_kind *kind, int64_t m, int64_t n, int64_t k, blocking bl, const void *a,
                              int64_t lda, bsrc bs, const float *bias, float *c, int64_t ldc)
{
    int parallel = worth_threads(m, n, k);
    int threads = parallel ? gk_pool_threads() : 1;
    int64_t mblocks = cdiv(m, bl.mc), ks_max = cdiv(bl.kc, kind->kstep);
    /* Row blocks in a multiple of the threads: 7 equal blocks on 2 threads cap the speed-up at
     * 1.75x (2048^3 with Zen 4's MC of 336). MC only splits rows: the sums do not change. */
    if (mblocks > threads && mblocks % threads) {
        bl.mc = cdiv(cdiv(m, cdiv(mblocks, threads) * threads), MR) * MR;
        mblocks = cdiv(m, bl.mc);
    }
    blocked_ctx x = {.kind = kind, .m = m, .n = n, .k = k, .a = a, .lda = lda, .bs = bs, .bias = bias, .c = c,
                     .ldc = ldc, .bl = bl};
    void *bbuf = NULL;
    if (!bs.packed && !(bbuf = gk_gemm_scratch_get((size_t)cdiv(min64(bl.nc, n), NR) * NR * (size_t)ks_max * sizeof(float))))
        return gk_fail(GK_ERR_NO_MEMORY, "gemm: out of memory for the packed B block");
    x.bbuf = bbuf;
    for (x.j0 = 0; x.j0 < n; x.j0 += bl.nc) {
        x.nc = min64(bl.nc, n - x.j0);
        int64_t npanels = cdiv(x.nc, NR);
        /* split the columns too when the row blocks alone cannot keep every thread busy */
        x.groups = min64(npanels, cdiv(2 * (int64_t)threads, mblocks));
        /* the B-streaming order: no more panels in a group than its share of L2 holds */
        if (bl.b_l2_bytes) {
            int64_t max_panels = bl.b_l2_bytes / (ks_max * NR * (int64_t)sizeof(float));
            int64_t need = cdiv(npanels, max_panels > 0 ? max_panels : 1);
            x.groups = need > x.groups ? need : x.groups;
        }
        x.panels_per_group = cdiv(npanels, x.groups);
        x.groups = cdiv(npanels, x.panels_per_group);
        /* and the tasks in a multiple of the threads where fewer groups give one (256^3: 6
         * panels in 3 groups on 2 threads would leave one thread idle for a third of the time);
         * the B-streaming order rounds up, so a group stays within its share of L2 */
        if (mblocks * x.groups % threads && x.groups > threads) {
            int64_t g = bl.b_l2_bytes ? min64(npanels, cdiv(x.groups, threads) * threads) : x.groups / threads * threads;
            x.panels_per_group = cdiv(npanels, g);
            x.groups = cdiv(npanels, x.panels_per_group);
        }
        for (x.k0 = 0; x.k0 < k; x.k0 += bl.kc) {
            x.kc = min64(bl.kc, k - x.k0);
            x.ks = cdiv(x.kc, kind->kstep);
            if (bs.packed) {
                x.bp = bs.packed + x.k0 * bs.npad + (x.j0 / NR) * x.kc * NR;
            } else {
                run_tasks(parallel, cdiv(npanels, PACK_PANELS), pack_b_task, &x);
                x.bp = x.bbuf;
            }
            run_tasks(parallel, mblocks * x.groups, block_task, &x);
        }
    }
    gk_gemm_scratch_put(bbuf);
    if (x.no_memory)
        return gk_fail(GK_ERR_NO_MEMORY, "gemm: out of memory for a packed A block");
    return GK_OK;
}

/* ---- entries ----------------------------------------------------------------------------- */

static gk_status gemm_any(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, bsrc bs, int64_t kc_packed,
                          const float *bias, float *c, int64_t ldc)
{
    const struct gk_device_profile *d = gk_cpu();
    int skinny = m <= d->skinny_max_m || (SMALL_SKINNY && 4.0 * ((double)m * (double)k + (double)k * (double)n) <=
                                                             (double)d->l2.size);
    int64_t kc_max = slice_kc(skinny ? d->gemm_kc_l1 : d->gemm_kc);
    if (skinny && skinny_inplace(m, bs))
        kc_max = skinny_inplace_kc(m, kc_max);
    blocking bl = get_blocking(m, n, k, kc_max, 4);
    if (bs.packed)
        bl.kc = kc_packed;
    if (skinny)
        return gemm_skinny(m, n, k, bl.kc, a, lda, bs, bias, c, ldc);
    return gemm_blocked(&f32_kind, m, n, k, bl, a, lda, bs, bias, c, ldc);
}

/* M = 1 and skinny B^T run as row/column-split SIMD kernels: each task owns a fixed range of
 * outputs (so the split never changes a result) and streams its own part of B. */
typedef struct rows_ctx {
    int64_t m, n, k;
    const float *a;
    int64_t lda;
    const float *b;
    int64_t ldb;
    const float *bias;
    float *c;
    int64_t ldc;
    int64_t width; /* output columns per task */
} rows_ctx;

/* Outputs per task: a multiple of every kernel's tile, large enough to amortize the hand-out. */
enum { TASK_COLS = 256 };

static void add_bias(int64_t n, const float *bias, float *y)
{
    if (bias)
        for (int64_t j = 0; j < n; j++)
            y[j] += bias[j];
}

/* gemm_bt, m = 1: y = B a, rows [j0, j1) of B. */
static void gemv_task(void *vctx, int64_t begin, int64_t end, int tid)
{
    const rows_ctx *x = vctx;
    (void)tid;
    int64_t j0 = begin * x->width, j1 = min64(end * x->width, x->n);
    GK_FN(gk_gemv_f32)(j1 - j0, x->k, x->b + j0 * x->ldb, x->ldb, x->a, x->c + j0);
    add_bias(j1 - j0, x->bias ? x->bias + j0 : NULL, x->c + j0);
}

/* gemm, few rows: columns [j0, j1) of C from columns [j0, j1) of B (task width: gemm_rows). */
static void rows_task(void *vctx, int64_t begin, int64_t end, int tid)
{
    const rows_ctx *x = vctx;
    (void)tid;
    int64_t j0 = begin * x->width, j1 = min64(end * x->width, x->n), w = j1 - j0;
    /* The kernel re-reads and re-writes C while it loads rows of B at the same columns. When
     * ldc or ldb is a multiple of 1 KiB floats, those rows share their address bits below
     * 4 KiB, and each load waits for the stores before it (4K aliasing; Zen 3, m = 8, n =
     * 4096, C in L1: 29-32 against 53-58 GFLOP/s at n = 4000). So it works on a copy of C whose
     * rows are 64 bytes further apart than a multiple of 4 KiB, and whose first row sits 2 KiB
     * away from B's column j0 modulo 4 KiB; the sums are the same. */
    int64_t ldw = (w + 1023) / 1024 * 1024 + 16;
    float *work = gk_gemm_scratch_get((size_t)(x->m * ldw + 1024) * sizeof(float));
    float *cw = x->c + j0;
    int64_t ldcw = x->ldc;
    if (work) {
        uintptr_t want = ((uintptr_t)(x->b + j0) + 2048) & 4095, at = (uintptr_t)work & 4095;
        cw = work + ((want - at) & 4095) / sizeof(float);
        ldcw = ldw;
    }
    GK_FN(gk_gemm_rows_f32)(x->m, w, x->k, x->a, x->lda, x->b + j0, x->ldb, cw, ldcw);
    for (int64_t i = 0; i < x->m; i++) {
        float *ci = x->c + i * x->ldc + j0;
        if (work)
            memcpy(ci, cw + i * ldcw, (size_t)w * sizeof(float));
        add_bias(w, x->bias ? x->bias + j0 : NULL, ci);
    }
    gk_gemm_scratch_put(work);
}

/* gemm_bt, skinny m: columns [j0, j1) of C from rows [j0, j1) of B. */
static void skinny_bt_task(void *vctx, int64_t begin, int64_t end, int tid)
{
    const rows_ctx *x = vctx;
    (void)tid;
    int64_t j0 = begin * x->width, j1 = min64(end * x->width, x->n);
    GK_FN(gk_gemm_bt_skinny_f32)(x->m, j1 - j0, x->k, x->a, x->lda, x->b + j0 * x->ldb, x->ldb,
                                 x->bias ? x->bias + j0 : NULL, x->c + j0, x->ldc);
}

/* C = A B + bias for m <= rows_max_m over threads. Each task streams a column range of every
 * row of B, and a row's runs must stay long for the prefetchers to follow them (256-column
 * tasks, 1 KiB runs 16 KiB apart, made 2 threads slower than one at m = 1): one range per
 * thread, a multiple of 64. */
static void gemm_rows(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb,
                      const float *bias, float *c, int64_t ldc)
{
    int parallel = worth_threads(m, n, k);
    int64_t width = parallel ? cdiv(cdiv(n, gk_pool_threads()), 64) * 64 : n;
    rows_ctx ctx = {.m = m, .n = n, .k = k, .a = a, .lda = lda, .b = b, .ldb = ldb, .bias = bias, .c = c,
                    .ldc = ldc, .width = width};
    run_tasks(parallel, cdiv(n, width), rows_task, &ctx);
}

static gk_status GK_FN(gk_gemm_f32)(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                                    int64_t ldb, const float *bias, float *c, int64_t ldc)
{
    if (m <= gk_cpu()->rows_max_m && m <= GK_GEMM_ROWS_MAX_M) {
        gemm_rows(m, n, k, a, lda, b, ldb, bias, c, ldc);
        return GK_OK;
    }
    bsrc bs = {b, ldb, 0, NULL, 0};
    return gemm_any(m, n, k, a, lda, bs, 0, bias, c, ldc);
}

static gk_status GK_FN(gk_gemm_bt_f32)(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                                       int64_t ldb, const float *bias, float *c, int64_t ldc)
{
    const struct gk_device_profile *d = gk_cpu();
    if (m <= d->gemv_max_m) {
        for (int64_t i = 0; i < m; i++) {
            rows_ctx x = {1, n, k, a + i * lda, lda, b, ldb, bias, c + i * ldc, ldc, TASK_COLS};
            run_tasks(worth_threads(1, n, k), cdiv(n, TASK_COLS), gemv_task, &x);
        }
        return GK_OK;
    }
    if (m <= d->skinny_max_m && m <= GK_SKINNY_BT_MAX_M) {
        rows_ctx x = {m, n, k, a, lda, b, ldb, bias, c, ldc, TASK_COLS};
        run_tasks(worth_threads(m, n, k), cdiv(n, TASK_COLS), skinny_bt_task, &x);
        return GK_OK;
    }
    bsrc bs = {b, ldb, 1, NULL, 0};
    return gemm_any(m, n, k, a, lda, bs, 0, bias, c, ldc);
}

/* ---- bf16 / f16 B^T ----------------------------------------------------------------------
 * m = 1 and skinny m run the 16-bit forms of the GEMV and skinny kernels (weights widened in
 * registers, streamed once). Larger m widens WIDEN_ROWS rows of B at a time into an f32 block
 * and runs the blocked f32 path on it: the widening is O(n k) against O(m n k) of compute. */
enum { WIDEN_ROWS = 256 };

typedef struct lowp_ctx {
    int bf16;
    int64_t m, n, k;
    const float *a;
    int64_t lda;
    const uint16_t *b;
    int64_t ldb;
    float *c;
    int64_t ldc;
} lowp_ctx;

static void lowp_task(void *vctx, int64_t begin, int64_t end, int tid)
{
    const lowp_ctx *x = vctx;
    (void)tid;
    int64_t j0 = begin * TASK_COLS, j1 = min64(end * TASK_COLS, x->n);
    const uint16_t *b = x->b + j0 * x->ldb;
    if (x->m == 1 && x->bf16)
        GK_FN(gk_gemv_bf16)(j1 - j0, x->k, b, x->ldb, x->a, x->c + j0);
    else if (x->m == 1)
        GK_FN(gk_gemv_f16)(j1 - j0, x->k, b, x->ldb, x->a, x->c + j0);
    else if (x->bf16)
        GK_FN(gk_gemm_bt_skinny_bf16)(x->m, j1 - j0, x->k, x->a, x->lda, b, x->ldb, x->c + j0, x->ldc);
    else
        GK_FN(gk_gemm_bt_skinny_f16)(x->m, j1 - j0, x->k, x->a, x->lda, b, x->ldb, x->c + j0, x->ldc);
}

static gk_status gemm_bt_lowp(int bf16, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                              const uint16_t *b, int64_t ldb, float *c, int64_t ldc)
{
    const struct gk_device_profile *d = gk_cpu();
    if (m <= d->gemv_max_m) {
        for (int64_t i = 0; i < m; i++) {
            lowp_ctx x = {bf16, 1, n, k, a + i * lda, lda, b, ldb, c + i * ldc, ldc};
            run_tasks(worth_threads(1, n, k / 2), cdiv(n, TASK_COLS), lowp_task, &x);
        }
        return GK_OK;
    }
    if (m <= d->skinny_max_m && m <= GK_SKINNY_BT_MAX_M) {
        lowp_ctx x = {bf16, m, n, k, a, lda, b, ldb, c, ldc};
        run_tasks(worth_threads(m, n, k / 2), cdiv(n, TASK_COLS), lowp_task, &x);
        return GK_OK;
    }
    int64_t rows = min64(WIDEN_ROWS, n);
    float *wide = gk_gemm_scratch_get((size_t)(rows * k) * sizeof(float));
    if (!wide)
        return gk_fail(GK_ERR_NO_MEMORY, "gemm_bt: out of memory for the widened block of B");
    gk_status s = GK_OK;
    for (int64_t j0 = 0; j0 < n && s == GK_OK; j0 += rows) {
        int64_t r = min64(rows, n - j0);
        if (bf16)
            GK_FN(gk_widen_bf16_rows)(r, k, b + j0 * ldb, ldb, wide);
        else
            GK_FN(gk_widen_f16_rows)(r, k, b + j0 * ldb, ldb, wide);
        bsrc bs = {wide, k, 1, NULL, 0};
        s = gemm_any(m, r, k, a, lda, bs, 0, NULL, c + j0, ldc);
    }
    gk_gemm_scratch_put(wide);
    return s;
}

static gk_status GK_FN(gk_gemm_bt_bf16)(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                                        const uint16_t *b, int64_t ldb, float *c, int64_t ldc)
{
    return gemm_bt_lowp(1, m, n, k, a, lda, b, ldb, c, ldc);
}

static gk_status GK_FN(gk_gemm_bt_f16)(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                                       const uint16_t *b, int64_t ldb, float *c, int64_t ldc)
{
    return gemm_bt_lowp(0, m, n, k, a, lda, b, ldb, c, ldc);
}

/* ---- bf16 A and B^T ----------------------------------------------------------------------
 * The product of two bf16 values is exact in f32, so widening A and running the bf16-weight
 * path on it (which widens B) computes the definition's products, accumulated in f32: this is
 * the path of every level without AVX512_BF16, and of small m with it. */
static gk_status GK_FN(gk_gemm_bt_bf16bf16)(int64_t m, int64_t n, int64_t k, const uint16_t *a, int64_t lda,
                                            const uint16_t *b, int64_t ldb, float *c, int64_t ldc)
{
    float *wide = gk_gemm_scratch_get((size_t)(m * k) * sizeof(float));
    if (!wide)
        return gk_fail(GK_ERR_NO_MEMORY, "gemm_bt_bf16bf16: out of memory for the widened A");
    GK_FN(gk_widen_bf16_rows)(m, k, a, lda, wide);
    gk_status s = gemm_bt_lowp(1, m, n, k, wide, k, b, ldb, c, ldc);
    gk_gemm_scratch_put(wide);
    return s;
}

#if defined(GK_TARGET_AVX512)
/* With AVX512_BF16, the blocked path on panels packed in k pairs (pack_bf16.h) with the
 * vdpbf16ps micro-kernel: twice the f32 FMA rate. Up to BF16_WIDEN_MAX_M rows the widening
 * path runs instead: there B is streamed once without packing (GEMV and the skinny dot-product
 * kernel), which is what bounds small m, while the blocked path packs all of B per call.
 * Measured on Zen 5 (N = K = 4096, 1 thread, best of 5, a noisy machine): widening 3.2 ms at
 * m = 8, 4.6 at m = 12, 5.1 at m = 16; blocked 4.2 ms at m = 17, about flat below (B's packing
 * dominates), so the crossover is near m = 10. */
enum { BF16_WIDEN_MAX_M = 8 };

/* KC slices of 6x the profile's L1-rule KC elements (3x its steps: k pairs). Each slice reads and
 * writes all of C once, and at the f32 slice's cache footprint (2x KC elements) those passes
 * cost 15-20%: measured on Zen 5 (KC 216, 1 thread, best of 3), M=512 N=K=4096 took 54.8 ms
 * at 2x, 48.8 at 4x, 46.3 at 6x, 44.9 at 8x; 2048^3 52.1 / 46.3 / 43.0 / 43.0; M=128 12.5 /
 * 12.7 / 13.0 / 13.0. The B micro-panel then streams from L2 (16 bytes per cycle at peak). */
enum { BF16_KC_SCALE = 6 };

static void pack_b_bf16(const blocked_ctx *x, int64_t j, int64_t cols, float *dst)
{
    const uint16_t *b = x->bs.b;
    for (int64_t jp = 0; jp * NR < cols; jp++)
        gk_pack_bf16_pairs(b + (j + jp * NR) * x->bs.ldb + x->k0, x->bs.ldb, x->kc, min64(NR, cols - jp * NR), NR,
                           (uint32_t *)(dst + jp * x->ks * NR));
}

static void pack_a_bf16(const blocked_ctx *x, int64_t i, int64_t rows, float *dst)
{
    const uint16_t *a = x->a;
    gk_pack_bf16_pairs(a + i * x->lda + x->k0, x->lda, x->kc, rows, MR, (uint32_t *)dst);
}

static void tile_bf16(const blocked_ctx *x, const float *ap, const float *bp, int64_t i, int64_t j, int64_t rows,
                      int64_t cols)
{
    gk_bf16_ukernel_args args = {
        .a = (const uint32_t *)ap, .b = (const uint32_t *)bp, .c = x->c + i * x->ldc + j, .kp = x->ks,
        .ldc = x->ldc * 4, .m = rows, .n = cols, .accumulate = x->k0 > 0,
    };
    gk_bf16_gemm_ukernel_8x48__avx512bf16(&args);
}

static const blocked_kind bf16_kind = {2, pack_b_bf16, pack_a_bf16, tile_bf16};

static gk_status gk_gemm_bt_bf16bf16_avx512bf16(int64_t m, int64_t n, int64_t k, const uint16_t *a, int64_t lda,
                                                const uint16_t *b, int64_t ldb, float *c, int64_t ldc)
{
    if (m <= BF16_WIDEN_MAX_M)
        return GK_FN(gk_gemm_bt_bf16bf16)(m, n, k, a, lda, b, ldb, c, ldc);
    bsrc bs = {b, ldb, 1, NULL, 0};
    blocking bl = get_blocking(m, n, k, BF16_KC_SCALE * slice_kc(gk_cpu()->gemm_kc_l1), 4 * BF16_KC_SCALE);
    return gemm_blocked(&bf16_kind, m, n, k, bl, a, lda, bs, NULL, c, ldc);
}

/* With AMX-BF16 (and the OS's consent), the tile path of amx_bf16.c past AMX_WIDEN_MAX_M rows.
 * It streams B once without packing too, so it is bound by B's bytes from m = 4 on: measured
 * on the Sapphire Rapids-class VM (N = K = 4096, 1 thread, best of 20), tiles 2.0 ms at every
 * m from 2 to 32, widening 1.54 ms at m = 2, 2.05 at 4, 3.1-3.8 at 8, 5.4 at 16. */
enum { AMX_WIDEN_MAX_M = 3 };

static gk_status gk_gemm_bt_bf16bf16_amxbf16(int64_t m, int64_t n, int64_t k, const uint16_t *a, int64_t lda,
                                             const uint16_t *b, int64_t ldb, float *c, int64_t ldc)
{
    if (m <= AMX_WIDEN_MAX_M)
        return GK_FN(gk_gemm_bt_bf16bf16)(m, n, k, a, lda, b, ldb, c, ldc);
    return gk_gemm_bt_bf16bf16_amx(m, n, k, a, lda, b, ldb, c, ldc);
}

/* gk_gemm_bt_bf16 with AMX-BF16: from SPLIT_MIN_M rows, A split into three bf16 parts on the
 * tiles (amx_bf16.c). Measured (N = K = 4096, 1 thread, best of 10, split / widening path): m = 3
 * 2.0 / 2.0 ms, 4 2.0-2.1 / 2.2-2.3, 8 2.1 / 3.7-4.1, 32 5.0 / 12.2-13.3, 128 18.1 / 40.3. */
enum { SPLIT_MIN_M = 4 };

static gk_status gk_gemm_bt_bf16_amxbf16(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                                         const uint16_t *b, int64_t ldb, float *c, int64_t ldc)
{
    if (m < SPLIT_MIN_M)
        return GK_FN(gk_gemm_bt_bf16)(m, n, k, a, lda, b, ldb, c, ldc);
    return gk_gemm_bt_bf16_split_amx(m, n, k, a, lda, b, ldb, c, ldc);
}
#endif

typedef struct pack_all_ctx {
    int64_t k, n, kc, npad;
    const float *b;
    int64_t ldb;
    int trans;
    float *dst;
} pack_all_ctx;

/* Task t packs panel group t % groups of KC slice t / groups. */
static void pack_all_task(void *vctx, int64_t begin, int64_t end, int tid)
{
    const pack_all_ctx *x = vctx;
    int64_t panels = x->npad / NR, groups = cdiv(panels, PACK_PANELS);
    (void)tid;
    for (int64_t t = begin; t < end; t++) {
        int64_t k0 = t / groups * x->kc, jp = t % groups * PACK_PANELS;
        int64_t kcur = min64(x->kc, x->k - k0), j0 = jp * NR, cols = min64(j0 + PACK_PANELS * NR, x->n) - j0;
        float *dst = x->dst + k0 * x->npad + jp * kcur * NR;
        if (x->trans)
            gk_pack_b_bt(x->b, x->ldb, k0, kcur, j0, cols, NR, dst);
        else
            gk_pack_b_nn(x->b, x->ldb, k0, kcur, j0, cols, NR, dst);
    }
}

static gk_status GK_FN(gk_pack_b_f32)(int64_t k, int64_t n, const float *b, int64_t ldb, int trans_b,
                                      struct gk_packed_b **out)
{
    int64_t npad = cdiv(n, NR) * NR, kc = get_blocking(1, n, k, slice_kc(gk_cpu()->gemm_kc), 4).kc;
    struct gk_packed_b *pb;
    GK_TRY(gk_packed_b_new(ISA_LEVEL, k, n, (size_t)k * (size_t)npad * sizeof(float), &pb));
    pb->param[0] = NR;
    pb->param[1] = kc;
    pack_all_ctx x = {k, n, kc, npad, b, ldb, trans_b, pb->data};
    run_tasks(worth_threads(1, n, k), cdiv(k, kc) * cdiv(npad / NR, PACK_PANELS), pack_all_task, &x);
    *out = pb;
    return GK_OK;
}

static gk_status GK_FN(gk_gemm_prepacked_f32)(int64_t m, const float *a, int64_t lda, const struct gk_packed_b *b,
                                              float *c, int64_t ldc)
{
    if (b->param[0] != NR || b->param[1] < 1 || b->param[1] > KC_MAX)
        return gk_fail(GK_ERR_INVALID_ARG, "gemm_prepacked: b was packed with a layout (NR %lld, KC %lld) "
                                           "this kernel does not use (NR %d)",
                       (long long)b->param[0], (long long)b->param[1], NR);
    bsrc bs = {NULL, 0, 0, b->data, cdiv(b->n, NR) * NR};
    return gemm_any(m, b->n, b->k, a, lda, bs, b->param[1], NULL, c, ldc);
}

void GK_FN(gk_register_gemm)(gk_kernel_table *t, uint32_t features)
{
    (void)features;
    t->gemm_bt_bf16bf16 = GK_FN(gk_gemm_bt_bf16bf16);
#if defined(GK_TARGET_AVX512)
    if (features & GK_FEAT_AVX512BF16) /* the avx512 level runs on CPUs without it too */
        t->gemm_bt_bf16bf16 = gk_gemm_bt_bf16bf16_avx512bf16;
    if ((features & GK_FEAT_AMX_BF16) && gk_amx_bf16_usable())
        t->gemm_bt_bf16bf16 = gk_gemm_bt_bf16bf16_amxbf16;
#endif
    t->gemm = GK_FN(gk_gemm_f32);
    t->gemm_bt = GK_FN(gk_gemm_bt_f32);
    t->pack_b = GK_FN(gk_pack_b_f32);
    t->gemm_prepacked = GK_FN(gk_gemm_prepacked_f32);
    t->gemm_bt_bf16 = GK_FN(gk_gemm_bt_bf16);
    t->gemm_bt_f16 = GK_FN(gk_gemm_bt_f16);
#if defined(GK_TARGET_AVX512)
    if ((features & GK_FEAT_AMX_BF16) && gk_amx_bf16_usable())
        t->gemm_bt_bf16 = gk_gemm_bt_bf16_amxbf16;
#endif
}
