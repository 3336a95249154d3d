/* Benchmark suite "gemv": y = A x with LLaMA-7B weight shapes (N×K), the decode step's matrix
 * product. Weights stream cold (rotated copies totalling over 4× the LLC), so the limit is DRAM
 * bandwidth on the weight bytes. Peers: cblas_sgemv, and oneDNN's sgemm with M = 1. */
#include <string.h>

#include "bench.h"
#include "peers.h"

enum { MAX_COPIES = 64 };

typedef struct gemv_arg {
    int64_t n, k;
    int copies, cursor;
    float *a[MAX_COPIES];
    float *x, *y;
    const gk_peer *peer;
} gemv_arg;

static int run_gk(void *p)
{
    gemv_arg *g = p;
    int i = gk_bench_rotate(g->copies, &g->cursor);
    return gk_gemv_f32(g->n, g->k, g->a[i], g->k, g->x, g->y) != GK_OK;
}

static int run_peer(void *p)
{
    gemv_arg *g = p;
    int i = gk_bench_rotate(g->copies, &g->cursor);
    return g->peer->gemv(g->peer, g->n, g->k, g->a[i], g->k, g->x, g->y);
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

        gk_bench_run(ctx, &c, "gk", run_gk, &g);
        for (int i = 0; gk_peer_get(i); i++) {
            g.peer = gk_peer_get(i);
            if (g.peer->gemv)
                gk_bench_run(ctx, &c, g.peer->label, run_peer, &g);
        }
        gk_bench_end_case(ctx);

        for (int i = 0; i < g.copies; i++)
            gk_bench_free(g.a[i]);
        gk_bench_free(g.x);
        gk_bench_free(g.y);
    }
}
