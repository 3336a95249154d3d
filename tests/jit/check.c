/* Shared checks of the Phase 0 tests (see check.h). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gk_test.h"

#define F GK_ARG_F32
#define I GK_ARG_I64
#define IN GK_ARG_PTR_IN
#define OUT GK_ARG_PTR_OUT
#define V GK_ARG_VOID

static const float edges[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 3.0f, -3.0f, 6.0f, 20.0f, 20.5f, -20.0f,
                              88.7f, -88.7f, 1e-30f, -1e-30f, 1e-45f, FLT_MAX, -FLT_MAX, INFINITY, -INFINITY, NAN};
enum { NE = sizeof edges / sizeof edges[0], NR = 2000 };

static gk_rng rng;

void jt_seed(uint64_t seed) { gk_rng_seed(&rng, seed); }

static int mismatches(const float *a, const float *b, int64_t n, int64_t *first)
{
    int bad = 0;
    for (int64_t i = n - 1; i >= 0; i--)
        if (!gk_same_float(a[i], b[i])) {
            bad++;
            *first = i;
        }
    return bad;
}

typedef float (*f1)(float);
typedef float (*f2)(float, float);
typedef float (*f3)(float, float, float);

void jt_check_scalar(const char *label, const struct gk_op_trace *t, int arity, void (*fn)(void))
{
    int64_t n = NR + NE * NE;
    float *in[3], *want = malloc(sizeof(float) * (size_t)n), *got = malloc(sizeof(float) * (size_t)n);
    for (int j = 0; j < 3; j++) {
        in[j] = malloc(sizeof(float) * (size_t)n);
        gk_rng_fill(&rng, in[j], NR, -25.0f, 25.0f);
        for (int e = 0; e < NE * NE; e++) /* every pair of edge values */
            in[j][NR + e] = edges[j == 0 ? e % NE : (e / NE + j - 1) % NE];
    }
    for (int64_t i = 0; i < n; i++)
        want[i] = arity == 1 ? ((f1)fn)(in[0][i]) : arity == 2 ? ((f2)fn)(in[0][i], in[1][i])
                                                                : ((f3)fn)(in[0][i], in[1][i], in[2][i]);
    CHECK(gk_trace_arity(t) == arity, "%s: arity %d, want %d", label, gk_trace_arity(t), arity);
    CHECK_STATUS(gk_trace_eval(t, n, (const float *const *)in, &got, NULL), GK_OK);
    int64_t first = 0;
    int bad = mismatches(want, got, n, &first);
    CHECK(bad == 0, "%s: %d of %lld differ, first at x=%a: want %a got %a", label, bad, (long long)n,
          (double)in[0][first], (double)want[first], (double)got[first]);
    for (int j = 0; j < 3; j++)
        free(in[j]);
    free(want);
    free(got);
}

/* lens[j]: elements of array argument j; dims: the I64 arguments in order */
static void check_call(const char *label, const struct gk_op_trace *t, void (*fn)(void), jt_caller call,
                       const gk_fn_sig *sig, const int64_t *lens, const int64_t *dims, float lo, float hi)
{
    gk_trace_arg want[8], got[8];
    float *bufs[8] = {0}, *copies[8] = {0};
    memset(want, 0, sizeof want);
    int nd = 0;
    for (int j = 0; j < sig->nargs; j++) {
        if (sig->args[j] == I)
            want[j].i = dims[nd++];
        else if (sig->args[j] == F)
            want[j].f = gk_rng_uniform(&rng, 0.01f, 2.0f);
        else {
            bufs[j] = malloc(sizeof(float) * (size_t)(lens[j] ? lens[j] : 1));
            gk_rng_fill(&rng, bufs[j], lens[j], lo, hi);
            want[j].p = bufs[j];
            want[j].len = lens[j];
        }
    }
    memcpy(got, want, sizeof got);
    for (int j = 0; j < sig->nargs; j++)
        if (sig->args[j] == OUT) {
            copies[j] = malloc(sizeof(float) * (size_t)(lens[j] ? lens[j] : 1));
            memcpy(copies[j], bufs[j], sizeof(float) * (size_t)lens[j]);
            got[j].p = copies[j];
        }
    float rw = 0, rg = 0;
    call(fn, want, &rw);
    CHECK_STATUS(gk_trace_eval_call(t, got, &rg), GK_OK);
    CHECK(gk_same_float(rw, rg), "%s: return value want %a got %a", label, (double)rw, (double)rg);
    for (int j = 0; j < sig->nargs; j++)
        if (copies[j]) {
            int64_t first = 0;
            int bad = mismatches(bufs[j], copies[j], lens[j], &first);
            CHECK(bad == 0, "%s: output %d: %d of %lld differ, first at %lld: want %a got %a", label, j, bad,
                  (long long)lens[j], (long long)first, (double)bufs[j][first], (double)copies[j][first]);
        }
    for (int j = 0; j < 8; j++) {
        free(bufs[j]);
        free(copies[j]);
    }
}

void jt_check_rows(const char *label, const struct gk_op_trace *t, void (*fn)(void), jt_caller call, gk_fn_sig sig,
                   int64_t n)
{
    int64_t lens[8], dims[8];
    for (int j = 0; j < 8; j++)
        lens[j] = dims[j] = n;
    check_call(label, t, fn, call, &sig, lens, dims, -4.0f, 4.0f);
}

const struct gk_op_trace *jt_get(const char *name, const char *pattern)
{
    const struct gk_op_trace *t = NULL;
    gk_status s = gk_trace_get(name, &t);
    CHECK(s == GK_OK, "%s: %s", name, gk_last_error());
    if (s != GK_OK)
        return NULL;
    CHECK(!strcmp(gk_trace_pattern(t), pattern), "%s: pattern %s, want %s", name, gk_trace_pattern(t), pattern);
    return t;
}

/* ---- the built-in operators ---- */

#define P(j) ((float *)(uintptr_t)a[j].p)
static void c_dot(void (*fn)(void), const gk_trace_arg *a, float *r) { *r = ((float (*)(const float *, const float *, int64_t))fn)(a[0].p, a[1].p, a[2].i); }
static void c_bin(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, const float *, float *, int64_t))fn)(a[0].p, a[1].p, P(2), a[3].i); }
static void c_scale(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, float *, int64_t, float))fn)(a[0].p, P(1), a[2].i, a[3].f); }
static void c_axpy(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, const float *, float *, int64_t, float))fn)(a[0].p, a[1].p, P(2), a[3].i, a[4].f); }
static void c_red(void (*fn)(void), const gk_trace_arg *a, float *r) { *r = ((float (*)(const float *, int64_t))fn)(a[0].p, a[1].i); }
static void c_row(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, float *, int64_t))fn)(a[0].p, P(1), a[2].i); }
static void c_rms(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, const float *, float *, int64_t, float))fn)(a[0].p, a[1].p, P(2), a[3].i, a[4].f); }
static void c_ln(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, const float *, const float *, float *, int64_t, float))fn)(a[0].p, a[1].p, a[2].p, P(3), a[4].i, a[5].f); }
static void c_rope(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, float *, int64_t, float, float))fn)(a[0].p, P(1), a[2].i, a[3].f, a[4].f); }
static void c_gemv(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(int64_t, int64_t, const float *, const float *, float *))fn)(a[0].i, a[1].i, a[2].p, a[3].p, P(4)); }
static void c_gemm(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(int64_t, int64_t, int64_t, const float *, const float *, float *))fn)(a[0].i, a[1].i, a[2].i, a[3].p, a[4].p, P(5)); }
static void c_gemm_bias(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(int64_t, int64_t, int64_t, const float *, const float *, const float *, float *))fn)(a[0].i, a[1].i, a[2].i, a[3].p, a[4].p, a[5].p, P(6)); }

enum { K_SCALAR, K_ROWS, K_ROPE, K_GEMV, K_GEMM };

static const struct {
    const char *name, *pattern;
    int kind;
    jt_caller call;
    gk_fn_sig sig;
} ops[] = {
    {"silu", "elementwise", K_SCALAR, NULL, {F, 1, {F}}},
    {"gelu_tanh", "elementwise", K_SCALAR, NULL, {F, 1, {F}}},
    {"gelu_erf", "elementwise", K_SCALAR, NULL, {F, 1, {F}}},
    {"relu", "elementwise", K_SCALAR, NULL, {F, 1, {F}}},
    {"tanh", "elementwise", K_SCALAR, NULL, {F, 1, {F}}},
    {"exp", "elementwise", K_SCALAR, NULL, {F, 1, {F}}},
    {"swiglu", "elementwise", K_SCALAR, NULL, {F, 2, {F, F}}},
    {"vec_dot", "reduction", K_ROWS, c_dot, {F, 3, {IN, IN, I}}},
    {"vec_add", "elementwise", K_ROWS, c_bin, {V, 4, {IN, IN, OUT, I}}},
    {"vec_mul", "elementwise", K_ROWS, c_bin, {V, 4, {IN, IN, OUT, I}}},
    {"vec_scale", "elementwise", K_ROWS, c_scale, {V, 4, {IN, OUT, I, F}}},
    {"vec_axpy", "elementwise", K_ROWS, c_axpy, {V, 5, {IN, IN, OUT, I, F}}},
    {"vec_sum", "reduction", K_ROWS, c_red, {F, 2, {IN, I}}},
    {"vec_max", "reduction", K_ROWS, c_red, {F, 2, {IN, I}}},
    {"softmax", "map-reduce-map", K_ROWS, c_row, {V, 3, {IN, OUT, I}}},
    {"rms_norm", "map-reduce-map", K_ROWS, c_rms, {V, 5, {IN, IN, OUT, I, F}}},
    {"layer_norm", "map-reduce-map", K_ROWS, c_ln, {V, 6, {IN, IN, IN, OUT, I, F}}},
    {"rope_interleaved", "injective", K_ROPE, c_rope, {V, 5, {IN, OUT, I, F, F}}},
    {"rope_neox", "injective", K_ROPE, c_rope, {V, 5, {IN, OUT, I, F, F}}},
    {"gemv", "gemm", K_GEMV, c_gemv, {V, 5, {I, I, IN, IN, OUT}}},
    {"gemm", "gemm", K_GEMM, c_gemm, {V, 6, {I, I, I, IN, IN, OUT}}},
    {"gemm_bt", "gemm", K_GEMM, c_gemm, {V, 6, {I, I, I, IN, IN, OUT}}},
    {"gemm_bias", "gemm", K_GEMM, c_gemm_bias, {V, 7, {I, I, I, IN, IN, IN, OUT}}},
};
enum { NOPS = sizeof ops / sizeof ops[0] };

int jt_builtin_count(void) { return NOPS; }

const char *jt_builtin_name(int i) { return i >= 0 && i < NOPS ? ops[i].name : NULL; }

/* softmax's defined edge cases (NaN row, +inf entries, all -inf, huge values): each is a
 * conditional region of its trace */
static void check_softmax_edges(const char *label, const struct gk_op_trace *t, void (*fn)(void))
{
    static const float rows[][5] = {{1, 2, NAN, 3, 4},
                                    {1, INFINITY, 2, INFINITY, -INFINITY},
                                    {-INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY},
                                    {3e38f, -3e38f, 1e38f, 0, -1},
                                    {INFINITY, NAN, 0, 0, 0}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        float want[5], got[5], *outs[1] = {got};
        const float *ins[1] = {rows[i]};
        ((void (*)(const float *, float *, int64_t))fn)(rows[i], want, 5);
        CHECK_STATUS(gk_trace_eval(t, 5, ins, outs, NULL), GK_OK);
        for (int j = 0; j < 5; j++)
            CHECK(gk_same_float(want[j], got[j]), "%s: edge row %zu[%d]: want %a got %a", label, i, j, (double)want[j],
                  (double)got[j]);
    }
}

void jt_check_builtin(const char *op, const char *label, void (*fn)(void))
{
    int k = 0;
    while (k < NOPS && strcmp(ops[k].name, op))
        k++;
    CHECK(k < NOPS && fn, "%s: unknown built-in %s or no function", label, op);
    if (k == NOPS || !fn)
        return;
    CHECK_STATUS(gk_register_scalar_fn(label, fn, &ops[k].sig), GK_OK);
    const struct gk_op_trace *t = jt_get(label, ops[k].pattern);
    if (!t)
        return;
    static const int64_t sizes[] = {1, 2, 7, 33, 1000};
    static const int64_t shapes[][3] = {{1, 1, 1}, {3, 5, 7}, {8, 16, 9}, {2, 1, 13}};
    switch (ops[k].kind) {
    case K_SCALAR:
        jt_check_scalar(label, t, ops[k].sig.nargs, fn);
        break;
    case K_ROWS:
    case K_ROPE:
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            jt_check_rows(label, t, fn, ops[k].call, ops[k].sig, sizes[i] + (ops[k].kind == K_ROPE && (sizes[i] & 1)));
        if (!strcmp(op, "softmax"))
            check_softmax_edges(label, t, fn);
        break;
    case K_GEMV:
    case K_GEMM:
        for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
            int64_t m = shapes[i][0], n = shapes[i][1], kk = shapes[i][2];
            int64_t lens[8] = {0}, dims[3] = {m, n, kk};
            if (ops[k].kind == K_GEMV) { /* y[n] = A[n][k] x[k] */
                dims[0] = n;
                dims[1] = kk;
                lens[2] = n * kk;
                lens[3] = kk;
                lens[4] = n;
            } else {
                lens[3] = m * kk;
                lens[4] = kk * n;
                lens[5] = ops[k].sig.nargs == 7 ? n : m * n;
                lens[6] = m * n;
            }
            check_call(label, t, fn, ops[k].call, &ops[k].sig, lens, dims, -2.0f, 2.0f);
        }
        break;
    }
}
