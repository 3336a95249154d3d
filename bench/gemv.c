/* Benchmark suite "gemv": y = A x with LLaMA-7B weight shapes (N×K), the decode step's matrix
 * product. Weights stream cold (rotated copies totalling over 4× the LLC), so the limit is DRAM
 * bandwidth on the weight bytes. Peers: cblas_sgemv, and oneDNN's sgemm with M = 1, timed
 * interleaved with ours in rounds. */
#include <string.h>

#include "bench.h"
#include "peers.h"

enum { MAX_COPIES = 64, MAX_IMPLS = 8 };

typedef struct gemv_arg {
    int64_t n, k;
    int copies, cursor;
    float *a[MAX_COPIES];
    float *x, *y;
} gemv_arg;

/* A peer's closure: the shared case data and which peer runs it. */
typedef struct gemv_peer_arg {
    gemv_arg *g;
    const gk_peer *peer;
} gemv_peer_arg;

static int run_gk(void *p)
{
    gemv_arg *g = p;
    int i = gk_bench_rotate(g->copies, &g->cursor);
    return gk_gemv_f32(g->n, g->k, g->a[i], g->k, g->x, g->y) != GK_OK;
}

static int run_peer(void *p)
{
    const gemv_peer_arg *pa = p;
    gemv_arg *g = pa->g;
    int i = gk_bench_rotate(g->copies, &g->cursor);
    return pa->peer->gemv(pa->peer, g->n, g->k, g->a[i], g->k, g->x, g->y);
}

void gk_bench_suite_gemv(gk_bench_ctx *ctx)
{
    static const int64_t shapes[][2] = {{4096, 4096}, {11008, 4096}, {4096, 11008}};
    int nshapes = gk_bench_quick(ctx) ? 1 : 3;
    for (int s = 0; s < nshapes; s++) {
        int64_t n = shapes[s][0], k = shapes[s][1];
        gk_bench_case c = {.suite = "gemv", .op = "gemv", .limit = GK_LIMIT_DRAM};
        snprintf(c.shape, sizeof c.shape, "N=%lld K=%lld", (long long)n, (long long)k);
        c.flops = 2.0 * (double)n * (double)k;
        c.bytes = 4.0 * ((double)n * (double)k + (double)k + (double)n);
        if (!gk_bench_selected(ctx, &c))
            continue;

        static gemv_arg g; /* static: the copy table is large for a stack frame */
        memset(&g, 0, sizeof g);
        size_t wbytes = (size_t)(n * k) * sizeof(float);
        g.n = n;
        g.k = k;
        g.copies = gk_bench_cold_copies(wbytes);
        for (int i = 0; i < g.copies; i++) {
            g.a[i] = gk_bench_alloc(wbytes);
            gk_bench_fill_f32(g.a[i], (size_t)(n * k), 11 + (uint64_t)i);
        }
        g.x = gk_bench_alloc((size_t)k * sizeof(float));
        g.y = gk_bench_alloc((size_t)n * sizeof(float));
        gk_bench_fill_f32(g.x, (size_t)k, 7);

        gk_bench_impl impls[MAX_IMPLS] = {{"gk", run_gk, &g}};
        gemv_peer_arg pa[MAX_IMPLS];
        int ni = 1;
        for (int i = 0; gk_peer_get(i) && ni < MAX_IMPLS; i++)
            if (gk_peer_get(i)->gemv) {
                pa[ni] = (gemv_peer_arg){&g, gk_peer_get(i)};
                impls[ni] = (gk_bench_impl){pa[ni].peer->label, run_peer, &pa[ni]};
                ni++;
            }
        gk_bench_run_rounds(ctx, &c, impls, ni);

        for (int i = 0; i < g.copies; i++)
            gk_bench_free(g.a[i]);
        gk_bench_free(g.x);
        gk_bench_free(g.y);
    }
}
