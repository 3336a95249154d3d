/* Benchmark suite "gemm": classic square SGEMM (256 … 4096) and LLaMA-7B shapes, M from decode
 * (1) to prefill (512) against the 4096/11008 weight matrices, in the nn layout (C = A B,
 * gk_gemm_f32 vs cblas NoTrans) and the bt layout (C = A B^T with B stored N×K, gk_gemm_bt_f32
 * vs cblas Trans). Hot data, as is standard for GEMM; the limit is the roofline, which for
 * small M is the weights' DRAM traffic. Ours and the peers are timed interleaved, in rounds. */
#include "bench.h"
#include "peers.h"

enum { MAX_IMPLS = 8 };

typedef struct gemm_arg {
    int64_t m, n, k;
    int trans_b;
    const float *a, *b;
    float *c;
    const gk_peer *peer;
} gemm_arg;

static int run_gk(void *p)
{
    gemm_arg *g = p;
    gk_status s = g->trans_b ? gk_gemm_bt_f32(g->m, g->n, g->k, g->a, g->k, g->b, g->k, g->c, g->n)
                             : gk_gemm_f32(g->m, g->n, g->k, g->a, g->k, g->b, g->n, g->c, g->n);
    return s != GK_OK;
}

static int run_peer(void *p)
{
    gemm_arg *g = p;
    return g->peer->gemm(g->peer, g->trans_b, g->m, g->n, g->k, g->a, g->k, g->b, g->trans_b ? g->k : g->n, g->c,
                         g->n);
}

static void describe(gk_bench_case *c, int trans_b, int64_t m, int64_t n, int64_t k)
{
    *c = (gk_bench_case){.suite = "gemm", .op = trans_b ? "gemm_bt" : "gemm", .limit = GK_LIMIT_ROOFLINE};
    snprintf(c->shape, sizeof c->shape, "M=%lld N=%lld K=%lld", (long long)m, (long long)n, (long long)k);
    c->flops = 2.0 * (double)m * (double)n * (double)k;
    c->bytes = 4.0 * ((double)m * (double)k + (double)k * (double)n + (double)m * (double)n);
}

/* Every case of one weight matrix (N×K) shares its buffers: A and C sized for the largest M. */
static void run_weights(gk_bench_ctx *ctx, int64_t n, int64_t k, const int64_t *ms, int nm, const int *layouts,
                        int nl)
{
    gk_bench_case c;
    int any = 0;
    for (int l = 0; l < nl; l++)
        for (int i = 0; i < nm; i++) {
            describe(&c, layouts[l], ms[i], n, k);
            any |= gk_bench_selected(ctx, &c);
        }
    if (!any)
        return;
    int64_t mmax = 0;
    for (int i = 0; i < nm; i++)
        mmax = ms[i] > mmax ? ms[i] : mmax;
    float *a = gk_bench_alloc((size_t)(mmax * k) * sizeof(float));
    float *b = gk_bench_alloc((size_t)(k * n) * sizeof(float));
    float *cbuf = gk_bench_alloc((size_t)(mmax * n) * sizeof(float));
    gk_bench_fill_f32(a, (size_t)(mmax * k), 1);
    gk_bench_fill_f32(b, (size_t)(k * n), 2);

    for (int l = 0; l < nl; l++)
        for (int i = 0; i < nm; i++) {
            describe(&c, layouts[l], ms[i], n, k);
            if (!gk_bench_selected(ctx, &c))
                continue;
            gemm_arg g[MAX_IMPLS];
            gk_bench_impl impls[MAX_IMPLS];
            int ni = 0;
            g[0] = (gemm_arg){.m = ms[i], .n = n, .k = k, .trans_b = layouts[l], .a = a, .b = b, .c = cbuf};
            impls[ni++] = (gk_bench_impl){"gk", run_gk, &g[0]};
            for (int p = 0; gk_peer_get(p) && ni < MAX_IMPLS; p++)
                if (gk_peer_get(p)->gemm) {
                    g[ni] = g[0];
                    g[ni].peer = gk_peer_get(p);
                    impls[ni] = (gk_bench_impl){g[ni].peer->label, run_peer, &g[ni]};
                    ni++;
                }
            gk_bench_run_rounds(ctx, &c, impls, ni);
        }
    gk_bench_free(a);
    gk_bench_free(b);
    gk_bench_free(cbuf);
}

void gk_bench_suite_gemm(gk_bench_ctx *ctx)
{
    int quick = gk_bench_quick(ctx);
    static const int64_t squares[] = {256, 512, 1024, 2048, 4096};
    static const int nn[] = {0}, both[] = {0, 1};
    int nsq = quick ? 2 : 5;
    for (int i = 0; i < nsq; i++)
        run_weights(ctx, squares[i], squares[i], &squares[i], 1, nn, 1);

    static const int64_t llm_m[] = {1, 8, 32, 128, 512};
    static const int64_t weights[][2] = {{4096, 4096}, {11008, 4096}, {4096, 11008}};
    int nw = quick ? 1 : 3, nm = quick ? 2 : 5;
    for (int w = 0; w < nw; w++)
        run_weights(ctx, weights[w][0], weights[w][1], llm_m, nm, both, 2);
}
