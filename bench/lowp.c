/* Benchmark suite "lowp": bf16 and f16 weights with f32 activations (gk_gemv_bf16/_f16,
 * gk_gemm_bt_bf16/_f16) at LLaMA-7B shapes. Weights stream cold (rotated copies over 4x the
 * LLC); the limit is the roofline on the 16-bit weight bytes. For comparison in the same run:
 * our f32 kernel and each peer's f32 GEMV/GEMM on the same shape (f32 weights, twice the bytes),
 * which is what a caller without 16-bit kernels would run.
 * gemm_bt_bf16bf16 (bf16 activations and weights, f32 output) is compute-bound at the prefill
 * and square shapes it is timed on, so it runs hot (one copy, as GEMM benchmarks do) against
 * the f32 peak (the %limit column): vdpbf16ps can reach 200% of it where it issues at the FMA
 * rate, AMX tiles several times that. Beside it, gk_gemm_bt_f32 on the same shape:
 * the harness's ratio column on that row is the bf16 speed-up. No peer row: oneDNN's bf16
 * matmul needs its primitive API, MKL's cblas_gemm_bf16bf16f32 is not installed here. Every
 * case is timed interleaved, in rounds. */
#include <string.h>

#include "bench.h"
#include "peers.h"

enum { MAX_COPIES = 64, MAX_IMPLS = 8 };

typedef struct lowp_arg {
    int bf16;
    int64_t m, n, k;
    int copies, cursor;
    uint16_t *w[MAX_COPIES];
    float *wf[MAX_COPIES];
    float *x, *y;
} lowp_arg;

/* A peer's closure: the shared case data and which peer runs it. */
typedef struct lowp_peer_arg {
    lowp_arg *g;
    const gk_peer *peer;
} lowp_peer_arg;

static int run_gk(void *p)
{
    lowp_arg *g = p;
    int i = gk_bench_rotate(g->copies, &g->cursor);
    if (g->m == 1)
        return (g->bf16 ? gk_gemv_bf16 : gk_gemv_f16)(g->n, g->k, g->w[i], g->k, g->x, g->y) != GK_OK;
    return (g->bf16 ? gk_gemm_bt_bf16 : gk_gemm_bt_f16)(g->m, g->n, g->k, g->x, g->k, g->w[i], g->k, g->y, g->n) !=
           GK_OK;
}

static int run_gk_f32(void *p)
{
    lowp_arg *g = p;
    int i = gk_bench_rotate(g->copies, &g->cursor);
    if (g->m == 1)
        return gk_gemv_f32(g->n, g->k, g->wf[i], g->k, g->x, g->y) != GK_OK;
    return gk_gemm_bt_f32(g->m, g->n, g->k, g->x, g->k, g->wf[i], g->k, g->y, g->n) != GK_OK;
}

static int run_peer(void *p)
{
    const lowp_peer_arg *pa = p;
    const gk_peer *peer = pa->peer;
    lowp_arg *g = pa->g;
    int i = gk_bench_rotate(g->copies, &g->cursor);
    if (g->m == 1)
        return peer->gemv(peer, g->n, g->k, g->wf[i], g->k, g->x, g->y);
    return peer->gemm(peer, 1, g->m, g->n, g->k, g->x, g->k, g->wf[i], g->k, g->y, g->n);
}

/* Plausible random 16-bit weights (random sign and mantissa, a narrow exponent range); the f32
 * copy used by the f32 rows is filled on its own: only its bytes and the time matter there. */
static void fill_weights(uint16_t *w, float *wf, int64_t count, int bf16, uint64_t seed)
{
    gk_bench_fill_f32(wf, (size_t)count, seed);
    for (int64_t i = 0; i < count; i++) {
        uint64_t r = (uint64_t)i * 0x9E3779B97F4A7C15ull ^ seed;
        r ^= r >> 29;
        w[i] = bf16 ? (uint16_t)(((r & 1) << 15) | ((121 + (r >> 1) % 8) << 7) | ((r >> 8) & 0x7f))
                    : (uint16_t)(((r & 1) << 15) | ((9 + (r >> 1) % 8) << 10) | ((r >> 8) & 0x3ff));
    }
}

typedef struct bf16_arg {
    int64_t m, n, k;
    uint16_t *a, *b;
    float *af, *bf, *c;
} bf16_arg;

static int run_bf16bf16(void *p)
{
    const bf16_arg *g = p;
    return gk_gemm_bt_bf16bf16_f32(g->m, g->n, g->k, g->a, g->k, g->b, g->k, g->c, g->n) != GK_OK;
}

static int run_bf16bf16_f32(void *p)
{
    const bf16_arg *g = p;
    return gk_gemm_bt_f32(g->m, g->n, g->k, g->af, g->k, g->bf, g->k, g->c, g->n) != GK_OK;
}

static void bf16bf16_cases(gk_bench_ctx *ctx)
{
    static const int64_t shapes[][3] = {{128, 4096, 4096}, {512, 4096, 4096}, {2048, 2048, 2048}};
    int nshapes = gk_bench_quick(ctx) ? 1 : 3;
    for (int s = 0; s < nshapes; s++) {
        int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        gk_bench_case c = {.suite = "lowp", .op = "gemm_bt_bf16bf16", .limit = GK_LIMIT_COMPUTE};
        snprintf(c.shape, sizeof c.shape, "M=%lld N=%lld K=%lld", (long long)m, (long long)n, (long long)k);
        c.flops = 2.0 * (double)m * (double)n * (double)k;
        c.bytes = 2.0 * ((double)m * (double)k + (double)n * (double)k) + 4.0 * (double)m * (double)n;
        if (!gk_bench_selected(ctx, &c))
            continue;
        bf16_arg g = {m, n, k, gk_bench_alloc((size_t)(m * k) * 2), gk_bench_alloc((size_t)(n * k) * 2),
                      gk_bench_alloc((size_t)(m * k) * 4), gk_bench_alloc((size_t)(n * k) * 4),
                      gk_bench_alloc((size_t)(m * n) * 4)};
        gk_bench_fill_f32(g.af, (size_t)(m * k), 3);
        gk_bench_fill_f32(g.bf, (size_t)(n * k), 4);
        gk_f32_to_bf16(m * k, g.af, g.a); /* valid arguments: cannot fail */
        gk_f32_to_bf16(n * k, g.bf, g.b);
        gk_bench_impl impls[] = {{"gk", run_bf16bf16, &g}, {"gk f32 (gemm_bt_f32)", run_bf16bf16_f32, &g}};
        gk_bench_run_rounds(ctx, &c, impls, 2);
        gk_bench_free(g.a);
        gk_bench_free(g.b);
        gk_bench_free(g.af);
        gk_bench_free(g.bf);
        gk_bench_free(g.c);
    }
}

void gk_bench_suite_lowp(gk_bench_ctx *ctx)
{
    static const int64_t shapes[][3] = {{1, 4096, 4096}, {8, 4096, 4096}, {32, 4096, 4096}, {1, 11008, 4096}};
    int nshapes = gk_bench_quick(ctx) ? 2 : 4;
    for (int bf16 = 1; bf16 >= 0; bf16--)
        for (int s = 0; s < nshapes; s++) {
            int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
            gk_bench_case c = {.suite = "lowp", .op = m == 1 ? (bf16 ? "gemv_bf16" : "gemv_f16")
                                                            : (bf16 ? "gemm_bt_bf16" : "gemm_bt_f16"),
                               .limit = GK_LIMIT_ROOFLINE};
            snprintf(c.shape, sizeof c.shape, "M=%lld N=%lld K=%lld", (long long)m, (long long)n, (long long)k);
            c.flops = 2.0 * (double)m * (double)n * (double)k;
            c.bytes = 2.0 * (double)n * (double)k + 4.0 * ((double)m * (double)k + (double)m * (double)n);
            if (!gk_bench_selected(ctx, &c))
                continue;

            static lowp_arg g; /* static: the copy tables are large for a stack frame */
            memset(&g, 0, sizeof g);
            g.bf16 = bf16;
            g.m = m;
            g.n = n;
            g.k = k;
            /* enough copies for the f32 weights to stream cold too */
            g.copies = gk_bench_cold_copies((size_t)(n * k) * sizeof(float));
            for (int i = 0; i < g.copies; i++) {
                g.w[i] = gk_bench_alloc((size_t)(n * k) * sizeof(uint16_t));
                g.wf[i] = gk_bench_alloc((size_t)(n * k) * sizeof(float));
                fill_weights(g.w[i], g.wf[i], n * k, bf16, 17 + (uint64_t)i);
            }
            g.x = gk_bench_alloc((size_t)(m * k) * sizeof(float));
            g.y = gk_bench_alloc((size_t)(m * n) * sizeof(float));
            gk_bench_fill_f32(g.x, (size_t)(m * k), 5);

            gk_bench_impl impls[MAX_IMPLS] = {{"gk", run_gk, &g}, {"gk f32 weights", run_gk_f32, &g}};
            lowp_peer_arg pa[MAX_IMPLS];
            int ni = 2;
            for (int i = 0; gk_peer_get(i) && ni < MAX_IMPLS; i++) {
                const gk_peer *peer = gk_peer_get(i);
                if (m == 1 ? peer->gemv != NULL : peer->gemm != NULL) {
                    pa[ni] = (lowp_peer_arg){&g, peer};
                    impls[ni] = (gk_bench_impl){peer->label, run_peer, &pa[ni]};
                    ni++;
                }
            }
            gk_bench_run_rounds(ctx, &c, impls, ni);

            for (int i = 0; i < g.copies; i++) {
                gk_bench_free(g.w[i]);
                gk_bench_free(g.wf[i]);
            }
            gk_bench_free(g.x);
            gk_bench_free(g.y);
        }
    bf16bf16_cases(ctx);
}
