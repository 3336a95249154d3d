/* Benchmark suites "elementwise" (silu, gelu_tanh, gelu_erf, relu, tanh, exp, swiglu), "norms"
 * (softmax, rms_norm, layer_norm) and "rope" (interleaved, neox, table): each op on a 4096-wide
 * row repeated (cache-resident, the decode case; L1 or L2 limit by footprint) and on 64 MiB of
 * rows streamed cold (DRAM limit). Beside ours, in the same run: the plain C loops of
 * bench/baseline_act.c compiled with -O3 -march=native and with -ffast-math added (the
 * compiler baselines), and on the 64 MiB case a memcpy moving the same bytes in + out with the
 * same thread count (the streaming bandwidth the targets refer to). They are timed interleaved
 * (gk_bench_run_rounds): the resident ratios swung 20-30% between runs timed one after the other. */
#include <string.h>

#include "baseline_act.h"
#include "bench.h"
/* The pool is internal: src/ is not on the bench include path, the header is reached directly. */
#include "../src/runtime/pool.h"

enum { MAX_COPIES = 64, ROW = 4096, HEAD_DIM = 128, HEADS = ROW / HEAD_DIM };
static const float eps = 1e-5f, theta = 10000.0f;

typedef enum {
    K_SILU, K_GELU_TANH, K_GELU_ERF, K_RELU, K_TANH, K_EXP, K_SWIGLU,
    K_SOFTMAX, K_RMS_NORM, K_LAYER_NORM,
    K_ROPE_INTERLEAVED, K_ROPE_NEOX, K_ROPE_TABLE,
    NKINDS
} act_kind;

static const char *const kind_names[NKINDS] = {"silu", "gelu_tanh", "gelu_erf", "relu", "tanh", "exp", "swiglu",
                                               "softmax", "rms_norm", "layer_norm", "rope_interleaved",
                                               "rope_neox", "rope_table"};

typedef void (*unary_fn)(int64_t n, const float *x, float *y);

/* The baselines of each kind, -O3 then -ffast-math (rope_table has none: a table lookup is
 * not a loop the compiler can do better or worse). */
static const unary_fn unary_bl[K_SWIGLU][2] = {
    {gk_bl_silu_O3, gk_bl_silu_fastmath},   {gk_bl_gelu_tanh_O3, gk_bl_gelu_tanh_fastmath},
    {gk_bl_gelu_erf_O3, gk_bl_gelu_erf_fastmath}, {gk_bl_relu_O3, gk_bl_relu_fastmath},
    {gk_bl_tanh_O3, gk_bl_tanh_fastmath},   {gk_bl_exp_O3, gk_bl_exp_fastmath},
};
static gk_status (*const unary_gk[K_SWIGLU])(int64_t n, const float *x, float *y) = {gk_silu_f32, gk_gelu_tanh_f32, gk_gelu_erf_f32,
                                            gk_relu_f32, gk_tanh_f32,      gk_exp_f32};

typedef struct act_arg {
    act_kind kind;
    int64_t rows, n; /* rows (tokens for rope) of n floats */
    int copies, cursor, threads;
    float *x[MAX_COPIES], *u[MAX_COPIES], *y[MAX_COPIES];
    float *w, *b, *cos_tab, *sin_tab;
    int32_t *pos;
    void *src[MAX_COPIES], *dst[MAX_COPIES]; /* memcpy: its own buffers of copy_bytes */
    size_t copy_bytes;                       /* half the case's bytes moved */
    int copy_now;                            /* the copy run_memcpy's tasks work on */
} act_arg;

static int run_gk(void *p)
{
    act_arg *a = p;
    int i = gk_bench_rotate(a->copies, &a->cursor);
    int64_t rn = a->rows * a->n;
    float *x = a->x[i], *y = a->y[i];
    switch (a->kind) {
    case K_SWIGLU: return gk_swiglu_f32(rn, x, a->u[i], y) != GK_OK;
    case K_SOFTMAX: return gk_softmax_f32(a->rows, a->n, x, a->n, y, a->n) != GK_OK;
    case K_RMS_NORM: return gk_rms_norm_f32(a->rows, a->n, x, a->n, a->w, eps, y, a->n) != GK_OK;
    case K_LAYER_NORM: return gk_layer_norm_f32(a->rows, a->n, x, a->n, a->w, a->b, eps, y, a->n) != GK_OK;
    case K_ROPE_INTERLEAVED:
    case K_ROPE_NEOX:
        return gk_rope_f32(a->rows, HEADS, HEAD_DIM, x, a->n, a->pos, theta,
                           a->kind == K_ROPE_NEOX ? GK_ROPE_NEOX : GK_ROPE_INTERLEAVED) != GK_OK;
    case K_ROPE_TABLE:
        return gk_rope_table_f32(a->rows, HEADS, HEAD_DIM, x, a->n, a->pos, a->cos_tab, a->sin_tab, a->rows,
                                 GK_ROPE_NEOX) != GK_OK;
    default: return unary_gk[a->kind](rn, x, y) != GK_OK;
    }
}

static int run_baseline(act_arg *a, int f)
{
    int i = gk_bench_rotate(a->copies, &a->cursor);
    int64_t rn = a->rows * a->n;
    float *x = a->x[i], *y = a->y[i];
    switch (a->kind) {
    case K_SWIGLU: (f ? gk_bl_swiglu_fastmath : gk_bl_swiglu_O3)(rn, x, a->u[i], y); break;
    case K_SOFTMAX: (f ? gk_bl_softmax_fastmath : gk_bl_softmax_O3)(a->rows, a->n, x, y); break;
    case K_RMS_NORM: (f ? gk_bl_rms_norm_fastmath : gk_bl_rms_norm_O3)(a->rows, a->n, x, a->w, eps, y); break;
    case K_LAYER_NORM:
        (f ? gk_bl_layer_norm_fastmath : gk_bl_layer_norm_O3)(a->rows, a->n, x, a->w, a->b, eps, y);
        break;
    case K_ROPE_INTERLEAVED:
    case K_ROPE_NEOX:
        (f ? gk_bl_rope_fastmath : gk_bl_rope_O3)(a->rows, HEADS, HEAD_DIM, x, a->pos, theta, a->kind == K_ROPE_NEOX);
        break;
    case K_ROPE_TABLE: return 1;
    default: unary_bl[a->kind][f](rn, x, y); break;
    }
    return 0;
}

static int run_baseline_o3(void *p) { return run_baseline(p, 0); }
static int run_baseline_fastmath(void *p) { return run_baseline(p, 1); }

static void copy_task(void *p, int64_t b, int64_t e, int tid)
{
    act_arg *a = p;
    int i = a->copy_now;
    size_t part = (a->copy_bytes / (size_t)a->threads + 63) & ~(size_t)63;
    (void)tid;
    for (int64_t k = b; k < e; k++) {
        size_t off = (size_t)k * part, len = off >= a->copy_bytes ? 0 : a->copy_bytes - off;
        memcpy((char *)a->dst[i] + off, (const char *)a->src[i] + off, len < part ? len : part);
    }
}

/* memcpy of half the case's bytes (so it moves the same bytes in + out), split across the
 * same number of threads as ours. */
static int run_memcpy(void *p)
{
    act_arg *a = p;
    int i = gk_bench_rotate(a->copies, &a->cursor);
    a->copy_now = i;
    if (a->threads == 1)
        memcpy(a->dst[i], a->src[i], a->copy_bytes);
    else
        gk_parallel_for(a->threads, 1, copy_task, a);
    return 0;
}

/* Bytes read + written per element of a row (rope: in place; norms: w, b are read once per
 * row but stay cached, so only x and y count). */
static double bytes_per_elem(act_kind k)
{
    return k == K_SWIGLU ? 12 : 8;
}

static void run_kind(gk_bench_ctx *ctx, act_kind k, int64_t rows, const char *where, gk_bench_limit limit)
{
    gk_bench_case c;
    memset(&c, 0, sizeof c);
    c.suite = k <= K_SWIGLU ? "elementwise" : k <= K_LAYER_NORM ? "norms" : "rope";
    c.op = kind_names[k];
    c.bytes = bytes_per_elem(k) * (double)(rows * ROW);
    if (k >= K_ROPE_INTERLEAVED)
        snprintf(c.shape, sizeof c.shape, "tokens=%lld heads=%d head_dim=%d (%s)", (long long)rows, HEADS, HEAD_DIM,
                 where);
    else
        snprintf(c.shape, sizeof c.shape, "rows=%lld n=%d (%s)", (long long)rows, ROW, where);
    c.limit = limit;
    if (!gk_bench_selected(ctx, &c))
        return;

    static act_arg a; /* static: the copy tables are large for a stack frame */
    memset(&a, 0, sizeof a);
    a.kind = k;
    a.rows = rows;
    a.n = ROW;
    a.threads = gk_bench_threads(ctx);
    size_t bytes = (size_t)(rows * ROW) * sizeof(float);
    int in_place = k >= K_ROPE_INTERLEAVED;
    a.copies = limit == GK_LIMIT_DRAM ? gk_bench_cold_copies((size_t)c.bytes) : 1;
    if (a.copies > MAX_COPIES)
        a.copies = MAX_COPIES;
    for (int i = 0; i < a.copies; i++) {
        a.x[i] = gk_bench_alloc(bytes);
        gk_bench_fill_f32(a.x[i], (size_t)(rows * ROW), 1 + (uint64_t)i);
        if (k <= K_SWIGLU) /* activations see [-4, 4), a realistic pre-activation range */
            for (int64_t e = 0; e < rows * ROW; e++)
                a.x[i][e] *= 4.0f;
        a.y[i] = in_place ? a.x[i] : gk_bench_alloc(bytes);
        if (k == K_SWIGLU) {
            a.u[i] = gk_bench_alloc(bytes);
            gk_bench_fill_f32(a.u[i], (size_t)(rows * ROW), 101 + (uint64_t)i);
        }
    }
    a.w = gk_bench_alloc(ROW * sizeof(float));
    a.b = gk_bench_alloc(ROW * sizeof(float));
    gk_bench_fill_f32(a.w, ROW, 7);
    gk_bench_fill_f32(a.b, ROW, 8);
    a.pos = gk_bench_alloc((size_t)rows * sizeof(int32_t));
    for (int64_t t = 0; t < rows; t++)
        a.pos[t] = (int32_t)(rows == 1 ? 1000 : t);
    if (k == K_ROPE_TABLE) {
        a.cos_tab = gk_bench_alloc((size_t)rows * HEAD_DIM / 2 * sizeof(float));
        a.sin_tab = gk_bench_alloc((size_t)rows * HEAD_DIM / 2 * sizeof(float));
        gk_bench_fill_f32(a.cos_tab, (size_t)rows * HEAD_DIM / 2, 9);
        gk_bench_fill_f32(a.sin_tab, (size_t)rows * HEAD_DIM / 2, 10);
        for (int64_t t = 0; t < rows; t++)
            a.pos[t] = (int32_t)((t * 7) % rows);
    }

    gk_bench_impl impls[4] = {{"gk", run_gk, &a}};
    int n = 1;
    if (k != K_ROPE_TABLE) {
        impls[n++] = (gk_bench_impl){"C -O3 -march=native", run_baseline_o3, &a};
        impls[n++] = (gk_bench_impl){"C -O3 -march=native -ffast-math", run_baseline_fastmath, &a};
    }
    if (limit == GK_LIMIT_DRAM) {
        a.copy_bytes = (size_t)(c.bytes / 2);
        for (int i = 0; i < a.copies; i++) {
            a.src[i] = gk_bench_alloc(a.copy_bytes);
            a.dst[i] = gk_bench_alloc(a.copy_bytes);
            gk_bench_fill_f32(a.src[i], a.copy_bytes / sizeof(float), 1 + (uint64_t)i);
        }
        impls[n++] = (gk_bench_impl){"memcpy (same bytes, same threads)", run_memcpy, &a};
    }
    gk_bench_run_rounds(ctx, &c, impls, n);
    for (int i = 0; i < a.copies; i++) {
        gk_bench_free(a.x[i]);
        if (!in_place)
            gk_bench_free(a.y[i]);
        if (a.u[i])
            gk_bench_free(a.u[i]);
        if (a.src[i]) {
            gk_bench_free(a.src[i]);
            gk_bench_free(a.dst[i]);
        }
    }

    gk_bench_free(a.w);
    gk_bench_free(a.b);
    gk_bench_free(a.pos);
    if (a.cos_tab) {
        gk_bench_free(a.cos_tab);
        gk_bench_free(a.sin_tab);
    }
}

/* Rows of ROW floats one call of a resident case touches: x, y and the other inputs. */
static int resident_rows(act_kind k)
{
    switch (k) {
    case K_SWIGLU:
    case K_RMS_NORM: return 3;
    case K_LAYER_NORM: return 4;
    case K_ROPE_INTERLEAVED:
    case K_ROPE_NEOX: return 1;
    case K_ROPE_TABLE: return 2;
    default: return 2;
    }
}

/* The two sizes of every op: one 4096-wide row repeated (L1 when x, y and the op's other
 * inputs fit there, else L2), and 64 MiB of input rows streamed cold. */
static void run_range(gk_bench_ctx *ctx, act_kind first, act_kind last)
{
    const struct gk_device_profile *p = gk_device_profile();
    int64_t l1 = p->l1d.size > 0 ? p->l1d.size : 32 * 1024;
    for (int k = (int)first; k <= (int)last; k++) {
        int64_t footprint = (int64_t)(ROW * sizeof(float)) * resident_rows((act_kind)k);
        run_kind(ctx, (act_kind)k, 1, "resident row", footprint <= l1 ? GK_LIMIT_L1 : GK_LIMIT_L2);
        run_kind(ctx, (act_kind)k, (64ll << 20) / (ROW * (int64_t)sizeof(float)), "64 MiB cold", GK_LIMIT_DRAM);
    }
}

void gk_bench_suite_elementwise(gk_bench_ctx *ctx)
{
    run_range(ctx, K_SILU, K_SWIGLU);
}

void gk_bench_suite_norms(gk_bench_ctx *ctx)
{
    run_range(ctx, K_SOFTMAX, K_LAYER_NORM);
}

void gk_bench_suite_rope(gk_bench_ctx *ctx)
{
    run_range(ctx, K_ROPE_INTERLEAVED, K_ROPE_TABLE);
}
