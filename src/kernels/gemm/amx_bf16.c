/* The AMX-BF16 blocked path of gk_gemm_bt_bf16bf16_f32 (docs/GEMM.md): BLIS's loops around
 * the 32x32 TDPBF16PS micro-kernel. Per KC slice (a multiple of 32 k): B's slice is packed
 * into 32-column panels in k pairs (threads share it), then tasks of an MC-row block and a
 * group of panels pack their A block in tile order and walk it panel by panel, each B panel
 * staying in L1 while the block's 32-row slivers pass it. Every C element is summed in the
 * same order for any thread count (slices in order, one kernel call per slice). */
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

/* The tile is 32 rows by 32 columns, a k block 32 bf16; an A or B block is 2 KiB. */
enum { T = 32, BLOCK_WORDS = 512 };

static int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

typedef struct amx_ctx {
    int64_t m, n, k;
    const uint16_t *a, *b;
    int64_t lda, ldb;
    float *c;
    int64_t ldc;
    int64_t k0, kc, kb; /* the current slice: kc elements of k in kb blocks */
    int64_t mc, mblocks, npanels, groups, panels_per_group;
    uint32_t *bp; /* the packed B slice: panel p at bp + p*kb*BLOCK_WORDS */
    int no_memory;
} amx_ctx;

enum { PACK_PANELS = 8 };

static void pack_b_task(void *vctx, int64_t begin, int64_t end, int tid)
{
    const amx_ctx *x = vctx;
    (void)tid;
    int64_t pairs = (x->kc + 1) / 2;
    for (int64_t p = begin * PACK_PANELS; p < min64(end * PACK_PANELS, x->npanels); p++) {
        uint32_t *dst = x->bp + p * x->kb * BLOCK_WORDS;
        gk_pack_bf16_pairs(x->b + p * T * x->ldb + x->k0, x->ldb, x->kc, min64(T, x->n - p * T), T, dst);
        memset(dst + pairs * T, 0, (size_t)(x->kb * 16 - pairs) * T * sizeof(uint32_t));
    }
}

/* Rows i .. i+rows-1 of A's slice into slivers of 32 rows in tile order, zero-padded to whole
 * slivers and blocks. */
static void pack_a(const amx_ctx *x, int64_t i, int64_t rows, uint16_t *dst)
{
    for (int64_t s = 0; s < cdiv(rows, T); s++)
        for (int64_t q = 0; q < x->kb; q++) {
            int64_t left = x->kc - q * T;
            __mmask32 mask = left >= T ? ~(__mmask32)0 : ((__mmask32)1 << left) - 1;
            uint16_t *d = dst + (s * x->kb + q) * T * T;
            for (int64_t r = 0; r < T; r++) {
                int64_t row = s * T + r;
                __m512i v = _mm512_setzero_si512();
                if (row < rows)
                    v = _mm512_maskz_loadu_epi16(mask, x->a + (i + row) * x->lda + x->k0 + q * T);
                _mm512_storeu_si512(d + r * T, v);
            }
        }
}

/* One tile of C at (i, j); edge tiles go through a full 32x32 buffer. */
static void tile(const amx_ctx *x, const uint16_t *ap, const uint32_t *bp, int64_t i, int64_t j)
{
    int64_t rows = min64(T, x->m - i), cols = min64(T, x->n - j);
    float *c = x->c + i * x->ldc + j;
    gk_amx_ukernel_args args = {.a = ap, .b = bp, .c = c, .kb = x->kb, .ldc = x->ldc * 4, .accumulate = x->k0 > 0};
    if (rows == T && cols == T) {
        gk_bf16_gemm_ukernel_32x32__amx(&args);
        return;
    }
    _Alignas(64) float buf[T * T] = {0};
    if (args.accumulate)
        for (int64_t r = 0; r < rows; r++)
            memcpy(buf + r * T, c + r * x->ldc, (size_t)cols * sizeof(float));
    args.c = buf;
    args.ldc = T * 4;
    gk_bf16_gemm_ukernel_32x32__amx(&args);
    for (int64_t r = 0; r < rows; r++)
        memcpy(c + r * x->ldc, buf + r * T, (size_t)cols * sizeof(float));
}

static void block_task(void *vctx, int64_t begin, int64_t end, int tid)
{
    amx_ctx *x = vctx;
    (void)tid;
    uint16_t *ap = gk_gemm_scratch_get((size_t)(cdiv(x->mc, T) * x->kb * BLOCK_WORDS) * sizeof(uint32_t));
    if (!ap) {
        __atomic_store_n(&x->no_memory, 1, __ATOMIC_RELAXED);
        return;
    }
    gk_amx_tile_config(&gk_amx_tilecfg_32x32);
    int64_t packed_i0 = -1;
    for (int64_t t = begin; t < end; t++) {
        int64_t i0 = t / x->groups * x->mc, mcur = min64(x->mc, x->m - i0);
        int64_t p0 = t % x->groups * x->panels_per_group, p1 = min64(p0 + x->panels_per_group, x->npanels);
        if (i0 != packed_i0) {
            pack_a(x, i0, mcur, ap);
            packed_i0 = i0;
        }
        for (int64_t p = p0; p < p1; p++)
            for (int64_t s = 0; s * T < mcur; s++)
                tile(x, ap + s * x->kb * BLOCK_WORDS * 2, x->bp + p * x->kb * BLOCK_WORDS, i0 + s * T, p * T);
    }
    gk_amx_tile_release();
    gk_gemm_scratch_put(ap);
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

gk_status gk_gemm_bt_bf16bf16_amx(int64_t m, int64_t n, int64_t k, const uint16_t *a, int64_t lda,
                                  const uint16_t *b, int64_t ldb, float *c, int64_t ldc)
{
    const struct gk_device_profile *d = gk_cpu();
    int parallel = gk_pool_threads() > 1 && 2.0 * (double)m * (double)n * (double)k >= (double)d->parallel_min_flops;
    int threads = parallel ? gk_pool_threads() : 1;
    amx_ctx x = {.m = m, .n = n, .k = k, .a = a, .b = b, .lda = lda, .ldb = ldb, .c = c, .ldc = ldc};
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
    x.bp = gk_gemm_scratch_get((size_t)(x.npanels * (kc / T) * BLOCK_WORDS) * sizeof(uint32_t));
    if (!x.bp)
        return gk_fail(GK_ERR_NO_MEMORY, "gemm_bt_bf16bf16: out of memory for the packed B slice");
    for (x.k0 = 0; x.k0 < k; x.k0 += kc) {
        x.kc = min64(kc, k - x.k0);
        x.kb = cdiv(x.kc, T);
        run_tasks(parallel, cdiv(x.npanels, PACK_PANELS), pack_b_task, &x);
        run_tasks(parallel, x.mblocks * x.groups, block_task, &x);
        if (x.no_memory)
            break;
    }
    gk_gemm_scratch_put(x.bp);
    return x.no_memory ? gk_fail(GK_ERR_NO_MEMORY, "gemm_bt_bf16bf16: out of memory for a packed A block") : GK_OK;
}
