/* Benchmark suite "blas1": vec_dot, vec_add, vec_axpy, vec_scale, vec_sum, vec_max on an
 * L1-resident length (L1 limit) and on 64 MiB cold arrays (DRAM limit). Peers: the cblas
 * libraries where BLAS has the same operation, and a plain C loop compiled at -O3 for the best
 * ISA of the machine (function clones), the baseline DESIGN §13 asks us to double. All are
 * timed interleaved, in rounds. */
#include <string.h>

#include "bench.h"
#include "peers.h"

enum { MAX_COPIES = 64, MAX_IMPLS = 8 };

typedef enum { OP_DOT, OP_ADD, OP_AXPY, OP_SCALE, OP_SUM, OP_MAX, NOPS } blas1_op;

static const char *const op_names[NOPS] = {"vec_dot", "vec_add", "vec_axpy", "vec_scale", "vec_sum", "vec_max"};
/* bytes moved and FLOPs per element (max compares, it does no arithmetic) */
static const double op_bytes[NOPS] = {8, 12, 12, 8, 4, 4};
static const double op_flops[NOPS] = {2, 1, 2, 1, 1, 0};

/* axpy accumulates into y on every call, and scale runs in place for every implementation
 * (sscal has no separate output, and an out-of-place scale is a different operation, with a
 * write-allocate the peers never pay): alphas that keep values bounded and normal over
 * millions of calls (a drift into subnormals would time the FPU's slow path, not the kernel). */
static const float axpy_alpha = 1e-3f, scale_alpha = -1.0f;

typedef struct blas1_arg {
    blas1_op op;
    int64_t n;
    int copies, cursor;
    float *x[MAX_COPIES], *y[MAX_COPIES], *o[MAX_COPIES];
    volatile float sink; /* keeps reductions from being optimised away */
} blas1_arg;

/* A peer's closure: the shared case data and which peer runs it. */
typedef struct blas1_peer_arg {
    blas1_arg *a;
    const gk_peer *peer;
} blas1_peer_arg;

static int run_gk(void *p)
{
    blas1_arg *a = p;
    int i = gk_bench_rotate(a->copies, &a->cursor);
    float r = 0;
    gk_status s = GK_OK;
    switch (a->op) {
    case OP_DOT: s = gk_vec_dot_f32(a->n, a->x[i], a->y[i], &r); break;
    case OP_ADD: s = gk_vec_add_f32(a->n, a->x[i], a->y[i], a->o[i]); break;
    case OP_AXPY: s = gk_vec_axpy_f32(a->n, axpy_alpha, a->x[i], a->y[i]); break;
    case OP_SCALE: s = gk_vec_scale_f32(a->n, a->o[i], scale_alpha, a->o[i]); break;
    case OP_SUM: s = gk_vec_sum_f32(a->n, a->x[i], &r); break;
    case OP_MAX: s = gk_vec_max_f32(a->n, a->x[i], &r); break;
    case NOPS: break;
    }
    a->sink = r;
    return s != GK_OK;
}

static int run_peer(void *p)
{
    const blas1_peer_arg *pa = p;
    const gk_peer *peer = pa->peer;
    blas1_arg *a = pa->a;
    int i = gk_bench_rotate(a->copies, &a->cursor);
    float r = 0;
    int rc = -1;
    switch (a->op) {
    case OP_DOT: rc = peer->dot(peer, a->n, a->x[i], a->y[i], &r); break;
    case OP_AXPY: rc = peer->axpy(peer, a->n, axpy_alpha, a->x[i], a->y[i]); break;
    case OP_SCALE: rc = peer->scal(peer, a->n, scale_alpha, a->o[i]); break;
    default: break;
    }
    a->sink = r;
    return rc;
}

static int peer_has(const gk_peer *p, blas1_op op)
{
    return (op == OP_DOT && p->dot) || (op == OP_AXPY && p->axpy) || (op == OP_SCALE && p->scal);
}

/* Dispatched through an ifunc, so never inlined into the timing loop. */
#define CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))

CLONES static float loop_dot(int64_t n, const float *x, const float *y)
{
    float s = 0;
    for (int64_t i = 0; i < n; i++)
        s += x[i] * y[i];
    return s;
}

CLONES static void loop_add(int64_t n, const float *x, const float *y, float *o)
{
    for (int64_t i = 0; i < n; i++)
        o[i] = x[i] + y[i];
}

CLONES static void loop_axpy(int64_t n, float alpha, const float *x, float *y)
{
    for (int64_t i = 0; i < n; i++)
        y[i] += alpha * x[i];
}

CLONES static void loop_scale(int64_t n, const float *x, float alpha, float *o)
{
    for (int64_t i = 0; i < n; i++)
        o[i] = alpha * x[i];
}

CLONES static float loop_sum(int64_t n, const float *x)
{
    float s = 0;
    for (int64_t i = 0; i < n; i++)
        s += x[i];
    return s;
}

CLONES static float loop_max(int64_t n, const float *x)
{
    float m = x[0];
    for (int64_t i = 1; i < n; i++)
        m = x[i] > m ? x[i] : m;
    return m;
}

static int run_loop(void *p)
{
    blas1_arg *a = p;
    int i = gk_bench_rotate(a->copies, &a->cursor);
    float r = 0;
    switch (a->op) {
    case OP_DOT: r = loop_dot(a->n, a->x[i], a->y[i]); break;
    case OP_ADD: loop_add(a->n, a->x[i], a->y[i], a->o[i]); break;
    case OP_AXPY: loop_axpy(a->n, axpy_alpha, a->x[i], a->y[i]); break;
    case OP_SCALE: loop_scale(a->n, a->o[i], scale_alpha, a->o[i]); break;
    case OP_SUM: r = loop_sum(a->n, a->x[i]); break;
    case OP_MAX: r = loop_max(a->n, a->x[i]); break;
    case NOPS: break;
    }
    a->sink = r;
    return 0;
}

static void run_size(gk_bench_ctx *ctx, int64_t n, gk_bench_limit limit, const char *where)
{
    gk_bench_case cases[NOPS];
    int any = 0;
    for (int op = 0; op < NOPS; op++) {
        gk_bench_case *c = &cases[op];
        memset(c, 0, sizeof *c);
        c->suite = "blas1";
        c->op = op_names[op];
        snprintf(c->shape, sizeof c->shape, "n=%lld (%s)", (long long)n, where);
        c->flops = op_flops[op] * (double)n;
        c->bytes = op_bytes[op] * (double)n;
        c->limit = limit;
        any |= gk_bench_selected(ctx, c);
    }
    if (!any)
        return;

    static blas1_arg a; /* static: the copy tables are large for a stack frame */
    memset(&a, 0, sizeof a);
    size_t bytes = (size_t)n * sizeof(float);
    a.n = n;
    a.copies = limit == GK_LIMIT_DRAM ? gk_bench_cold_copies(3 * bytes) : 1;
    for (int i = 0; i < a.copies; i++) {
        a.x[i] = gk_bench_alloc(bytes);
        a.y[i] = gk_bench_alloc(bytes);
        a.o[i] = gk_bench_alloc(bytes);
        gk_bench_fill_f32(a.x[i], (size_t)n, 1 + (uint64_t)i);
        gk_bench_fill_f32(a.y[i], (size_t)n, 101 + (uint64_t)i);
        gk_bench_fill_f32(a.o[i], (size_t)n, 201 + (uint64_t)i);
    }
    for (int op = 0; op < NOPS; op++) {
        const gk_bench_case *c = &cases[op];
        if (!gk_bench_selected(ctx, c))
            continue;
        a.op = (blas1_op)op;
        gk_bench_impl impls[MAX_IMPLS] = {{"gk", run_gk, &a}, {"c-loop -O3 (best-ISA clone)", run_loop, &a}};
        blas1_peer_arg pa[MAX_IMPLS];
        int ni = 2;
        for (int i = 0; gk_peer_get(i) && ni < MAX_IMPLS; i++)
            if (peer_has(gk_peer_get(i), a.op)) {
                pa[ni] = (blas1_peer_arg){&a, gk_peer_get(i)};
                impls[ni] = (gk_bench_impl){pa[ni].peer->label, run_peer, &pa[ni]};
                ni++;
            }
        gk_bench_run_rounds(ctx, c, impls, ni);
    }
    for (int i = 0; i < a.copies; i++) {
        gk_bench_free(a.x[i]);
        gk_bench_free(a.y[i]);
        gk_bench_free(a.o[i]);
    }
}

void gk_bench_suite_blas1(gk_bench_ctx *ctx)
{
    const struct gk_device_profile *p = gk_device_profile();
    /* three arrays (add: x, y, out) fill at most three quarters of L1 */
    int64_t l1 = p->l1d.size > 0 ? p->l1d.size : 32 * 1024;
    int64_t hot = l1 / 16;
    run_size(ctx, hot, GK_LIMIT_L1, "L1");
    run_size(ctx, (64ll << 20) / (int64_t)sizeof(float), GK_LIMIT_DRAM, "64 MiB cold");
}
