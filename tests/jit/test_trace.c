/* Phase 0: for every built-in scalar definition and for user-style functions, the trace's
 * interpretation equals the function bitwise on random and edge inputs (the interpreter calls
 * the same libm, so no tolerance is needed); plus the registry, the printer, the serializer and
 * clean rejections. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gk/jit.h"
#include "gk_test.h"
#include "scalar/scalar.h"
#include "user_fns.h"

#define F GK_ARG_F32
#define I GK_ARG_I64
#define IN GK_ARG_PTR_IN
#define OUT GK_ARG_PTR_OUT
#define V GK_ARG_VOID

static const float edges[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 3.0f, -3.0f, 6.0f, 20.0f, 20.5f, -20.0f,
                              88.7f, -88.7f, 1e-30f, -1e-30f, 1e-45f, FLT_MAX, -FLT_MAX, INFINITY, -INFINITY, NAN};
enum { NE = sizeof edges / sizeof edges[0], NR = 2000 };

static gk_rng rng;

static void fill(float *x, int64_t n, float lo, float hi)
{
    gk_rng_fill(&rng, x, n, lo, hi);
}

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

/* elementwise float functions of 1..3 arguments */
typedef float (*f1)(float);
typedef float (*f2)(float, float);
typedef float (*f3)(float, float, float);

static void check_scalar_fn(const char *name, const struct gk_op_trace *t, int arity, void (*fn)(void))
{
    int64_t n = NR + NE * NE;
    float *in[3], *want = malloc(sizeof(float) * (size_t)n), *got = malloc(sizeof(float) * (size_t)n);
    for (int j = 0; j < 3; j++) {
        in[j] = malloc(sizeof(float) * (size_t)n);
        fill(in[j], NR, -25.0f, 25.0f);
        for (int e = 0; e < NE * NE; e++) /* every pair of edge values */
            in[j][NR + e] = edges[j == 0 ? e % NE : (e / NE + j - 1) % NE];
    }
    for (int64_t i = 0; i < n; i++)
        want[i] = arity == 1 ? ((f1)fn)(in[0][i]) : arity == 2 ? ((f2)fn)(in[0][i], in[1][i])
                                                                : ((f3)fn)(in[0][i], in[1][i], in[2][i]);
    CHECK(!strcmp(gk_trace_pattern(t), "elementwise") && gk_trace_arity(t) == arity, "%s: pattern %s arity %d", name,
          gk_trace_pattern(t), gk_trace_arity(t));
    CHECK_STATUS(gk_trace_eval(t, n, (const float *const *)in, &got, NULL), GK_OK);
    int64_t first = 0;
    int bad = mismatches(want, got, n, &first);
    CHECK(bad == 0, "%s: %d of %lld differ, first at x=%a: want %a got %a", name, bad, (long long)n,
          (double)in[0][first], (double)want[first], (double)got[first]);
    for (int j = 0; j < 3; j++)
        free(in[j]);
    free(want);
    free(got);
}

/* a function over arrays, called with the same arguments through the trace and natively */
typedef void (*caller)(void (*fn)(void), const gk_trace_arg *a, float *ret);

static void check_call(const char *name, const struct gk_op_trace *t, void (*fn)(void), caller call,
                       const int64_t *dims, float fmin, float fmax)
{
    gk_trace_arg want[8], got[8];
    memset(want, 0, sizeof want);
    float *bufs[8] = {0};
    int nd = 0;
    /* the caller passes the signature through dims: dims[0] = nargs, then kinds, then sizes */
    int nargs = (int)dims[0];
    for (int j = 0; j < nargs; j++) {
        int kind = (int)dims[1 + j];
        int64_t len = dims[1 + nargs + j];
        memset(&want[j], 0, sizeof want[j]);
        if (kind == I)
            want[j].i = dims[1 + 2 * nargs + nd++];
        else if (kind == F)
            want[j].f = gk_rng_uniform(&rng, 0.01f, 2.0f);
        else {
            bufs[j] = malloc(sizeof(float) * (size_t)(len ? len : 1));
            fill(bufs[j], len, fmin, fmax);
            want[j].p = bufs[j];
            want[j].len = len;
        }
    }
    memcpy(got, want, sizeof got);
    float *copies[8] = {0};
    for (int j = 0; j < nargs; j++)
        if ((int)dims[1 + j] == OUT) {
            copies[j] = malloc(sizeof(float) * (size_t)(want[j].len ? want[j].len : 1));
            memcpy(copies[j], bufs[j], sizeof(float) * (size_t)want[j].len);
            got[j].p = copies[j];
        }
    float rw = 0, rg = 0;
    call(fn, want, &rw);
    CHECK_STATUS(gk_trace_eval_call(t, got, &rg), GK_OK);
    CHECK(gk_same_float(rw, rg), "%s: return value want %a got %a", name, (double)rw, (double)rg);
    for (int j = 0; j < nargs; j++)
        if (copies[j]) {
            int64_t first = 0;
            int bad = mismatches(bufs[j], copies[j], want[j].len, &first);
            CHECK(bad == 0, "%s: output %d: %d of %lld differ, first at %lld: want %a got %a", name, j, bad,
                  (long long)want[j].len, (long long)first, (double)bufs[j][first], (double)copies[j][first]);
        }
    for (int j = 0; j < 8; j++) {
        free(bufs[j]);
        free(copies[j]);
    }
}

#define P(j) ((float *)(uintptr_t)a[j].p)
static void c_vec_dot(void (*fn)(void), const gk_trace_arg *a, float *r) { *r = ((float (*)(const float *, const float *, int64_t))fn)(a[0].p, a[1].p, a[2].i); }
static void c_vec_bin(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, const float *, float *, int64_t))fn)(a[0].p, a[1].p, P(2), a[3].i); }
static void c_vec_scale(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, float *, int64_t, float))fn)(a[0].p, P(1), a[2].i, a[3].f); }
static void c_vec_axpy(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, const float *, float *, int64_t, float))fn)(a[0].p, a[1].p, P(2), a[3].i, a[4].f); }
static void c_vec_red(void (*fn)(void), const gk_trace_arg *a, float *r) { *r = ((float (*)(const float *, int64_t))fn)(a[0].p, a[1].i); }
static void c_rms(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, const float *, float *, int64_t, float))fn)(a[0].p, a[1].p, P(2), a[3].i, a[4].f); }
static void c_ln(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, const float *, const float *, float *, int64_t, float))fn)(a[0].p, a[1].p, a[2].p, P(3), a[4].i, a[5].f); }
static void c_rope(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, float *, int64_t, float, float))fn)(a[0].p, P(1), a[2].i, a[3].f, a[4].f); }
static void c_gemv(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(int64_t, int64_t, const float *, const float *, float *))fn)(a[0].i, a[1].i, a[2].p, a[3].p, P(4)); }
static void c_gemm(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(int64_t, int64_t, int64_t, const float *, const float *, float *))fn)(a[0].i, a[1].i, a[2].i, a[3].p, a[4].p, P(5)); }
static void c_gemm_bias(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(int64_t, int64_t, int64_t, const float *, const float *, const float *, float *))fn)(a[0].i, a[1].i, a[2].i, a[3].p, a[4].p, a[5].p, P(6)); }
static void c_norm2(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, float *, int64_t, float))fn)(a[0].p, P(1), a[2].i, a[3].f); }
static void c_masked(void (*fn)(void), const gk_trace_arg *a, float *r) { *r = ((float (*)(const float *, const float *, int64_t))fn)(a[0].p, a[1].p, a[2].i); }
static void c_scale_shift(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, float *, int64_t, float, float))fn)(a[0].p, P(1), a[2].i, a[3].f, a[4].f); }

/* length-n array functions: every array has n elements */
static void check_rows(const char *name, const struct gk_op_trace *t, void (*fn)(void), caller call, gk_fn_sig sig,
                       int64_t n)
{
    int64_t d[1 + 8 + 8 + 3];
    d[0] = sig.nargs;
    for (int j = 0; j < sig.nargs; j++) {
        d[1 + j] = sig.args[j];
        d[1 + sig.nargs + j] = n;
    }
    d[1 + 2 * sig.nargs] = n;
    check_call(name, t, fn, call, d, -4.0f, 4.0f);
}

static const struct gk_op_trace *get(const char *name, const char *pattern)
{
    const struct gk_op_trace *t = NULL;
    gk_status s = gk_trace_get(name, &t);
    CHECK(s == GK_OK, "%s: %s", name, gk_last_error());
    if (s != GK_OK)
        return NULL;
    CHECK(!strcmp(gk_trace_pattern(t), pattern), "%s: pattern %s, want %s", name, gk_trace_pattern(t), pattern);
    return t;
}

static void test_builtin_elementwise(void)
{
    static const struct {
        const char *name;
        void (*fn)(void);
        int arity;
    } ew[] = {
        {"silu", (void (*)(void))gk_scalar_silu, 1},     {"gelu_tanh", (void (*)(void))gk_scalar_gelu_tanh, 1},
        {"gelu_erf", (void (*)(void))gk_scalar_gelu_erf, 1}, {"relu", (void (*)(void))gk_scalar_relu, 1},
        {"tanh", (void (*)(void))gk_scalar_tanh, 1},     {"exp", (void (*)(void))gk_scalar_exp, 1},
        {"swiglu", (void (*)(void))gk_scalar_swiglu, 2},
    };
    for (size_t i = 0; i < sizeof ew / sizeof ew[0]; i++) {
        const struct gk_op_trace *t = get(ew[i].name, "elementwise");
        if (t)
            check_scalar_fn(ew[i].name, t, ew[i].arity, ew[i].fn);
    }
}

static void test_builtin_arrays(void)
{
    static const int64_t sizes[] = {1, 2, 7, 33, 1000};
    static const struct {
        const char *name, *pattern;
        void (*fn)(void);
        caller call;
        gk_fn_sig sig;
    } ops[] = {
        {"vec_dot", "reduction", (void (*)(void))gk_scalar_vec_dot, c_vec_dot, {F, 3, {IN, IN, I}}},
        {"vec_add", "elementwise", (void (*)(void))gk_scalar_vec_add, c_vec_bin, {V, 4, {IN, IN, OUT, I}}},
        {"vec_mul", "elementwise", (void (*)(void))gk_scalar_vec_mul, c_vec_bin, {V, 4, {IN, IN, OUT, I}}},
        {"vec_scale", "elementwise", (void (*)(void))gk_scalar_vec_scale, c_vec_scale, {V, 4, {IN, OUT, I, F}}},
        {"vec_axpy", "elementwise", (void (*)(void))gk_scalar_vec_axpy, c_vec_axpy, {V, 5, {IN, IN, OUT, I, F}}},
        {"vec_sum", "reduction", (void (*)(void))gk_scalar_vec_sum, c_vec_red, {F, 2, {IN, I}}},
        {"vec_max", "reduction", (void (*)(void))gk_scalar_vec_max, c_vec_red, {F, 2, {IN, I}}},
        {"rms_norm", "map-reduce-map", (void (*)(void))gk_scalar_rms_norm, c_rms, {V, 5, {IN, IN, OUT, I, F}}},
        {"layer_norm", "map-reduce-map", (void (*)(void))gk_scalar_layer_norm, c_ln, {V, 6, {IN, IN, IN, OUT, I, F}}},
        {"rope_interleaved", "injective", (void (*)(void))gk_scalar_rope_interleaved, c_rope, {V, 5, {IN, OUT, I, F, F}}},
        {"rope_neox", "injective", (void (*)(void))gk_scalar_rope_neox, c_rope, {V, 5, {IN, OUT, I, F, F}}},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const struct gk_op_trace *t = get(ops[i].name, ops[i].pattern);
        if (!t)
            continue;
        for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
            int64_t n = sizes[k];
            if (!strncmp(ops[i].name, "rope", 4) && (n & 1))
                n++;
            check_rows(ops[i].name, t, ops[i].fn, ops[i].call, ops[i].sig, n);
        }
    }
    /* the eval convention of gk_trace_eval: arrays + one length, float return in out[nout][0] */
    const struct gk_op_trace *t = get("vec_dot", "reduction");
    float x[5] = {1, 2, 3, 4, 5}, y[5] = {2, 2, 2, 2, 0.5f}, r = 0, *outs[1] = {&r};
    const float *ins[2] = {x, y};
    CHECK_STATUS(gk_trace_eval(t, 5, ins, outs, NULL), GK_OK);
    CHECK(r == 22.5f, "vec_dot via gk_trace_eval: %g", (double)r);
}

static void test_builtin_gemm(void)
{
    static const int64_t shapes[][3] = {{1, 1, 1}, {3, 5, 7}, {8, 16, 9}, {2, 1, 13}};
    static const struct {
        const char *name;
        void (*fn)(void);
        caller call;
        gk_fn_sig sig;
        int bias;
    } ops[] = {
        {"gemm", (void (*)(void))gk_scalar_gemm, c_gemm, {V, 6, {I, I, I, IN, IN, OUT}}, 0},
        {"gemm_bt", (void (*)(void))gk_scalar_gemm_bt, c_gemm, {V, 6, {I, I, I, IN, IN, OUT}}, 0},
        {"gemm_bias", (void (*)(void))gk_scalar_gemm_bias, c_gemm_bias, {V, 7, {I, I, I, IN, IN, IN, OUT}}, 1},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const struct gk_op_trace *t = get(ops[i].name, "gemm");
        if (!t)
            continue;
        for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
            int64_t m = shapes[k][0], n = shapes[k][1], kk = shapes[k][2];
            int64_t d[1 + 7 + 7 + 3] = {ops[i].sig.nargs};
            for (int j = 0; j < ops[i].sig.nargs; j++)
                d[1 + j] = ops[i].sig.args[j];
            int64_t *len = &d[1 + ops[i].sig.nargs];
            len[3] = m * kk;
            len[4] = kk * n;
            if (ops[i].bias)
                len[5] = n;
            len[ops[i].sig.nargs - 1] = m * n;
            int64_t *dims = &d[1 + 2 * ops[i].sig.nargs];
            dims[0] = m;
            dims[1] = n;
            dims[2] = kk;
            check_call(ops[i].name, t, ops[i].fn, ops[i].call, d, -2.0f, 2.0f);
        }
    }
    const struct gk_op_trace *t = get("gemv", "gemm");
    for (size_t k = 0; t && k < sizeof shapes / sizeof shapes[0]; k++) {
        int64_t n = shapes[k][1], kk = shapes[k][2];
        int64_t d[1 + 5 + 5 + 2] = {5, I, I, IN, IN, OUT, 0, 0, n * kk, kk, n, n, kk};
        check_call("gemv", t, (void (*)(void))gk_scalar_gemv, c_gemv, d, -2.0f, 2.0f);
    }
}

static void test_user_functions(void)
{
    static const struct {
        const char *name;
        void (*fn)(void);
        int arity;
    } ew[] = {
        {"u_hardswish", (void (*)(void))u_hardswish, 1}, {"u_mish", (void (*)(void))u_mish, 1},
        {"u_softplus", (void (*)(void))u_softplus, 1},   {"u_leaky_relu", (void (*)(void))u_leaky_relu, 1},
        {"u_clamp", (void (*)(void))u_clamp, 1},         {"u_quick_gelu", (void (*)(void))u_quick_gelu, 1},
        {"u_elu", (void (*)(void))u_elu, 1},             {"u_selu", (void (*)(void))u_selu, 1},
        {"u_poly", (void (*)(void))u_poly, 1},           {"u_rational", (void (*)(void))u_rational, 1},
        {"u_sigmoid", (void (*)(void))u_sigmoid, 1},     {"u_gelu_erf", (void (*)(void))u_gelu_erf, 1},
        {"u_abs_diff", (void (*)(void))u_abs_diff, 2},   {"u_lerp", (void (*)(void))u_lerp, 3},
    };
    for (size_t i = 0; i < sizeof ew / sizeof ew[0]; i++) {
        gk_fn_sig sig = {F, ew[i].arity, {F, F, F}};
        CHECK_STATUS(gk_register_scalar_fn(ew[i].name, ew[i].fn, &sig), GK_OK);
        const struct gk_op_trace *t = get(ew[i].name, "elementwise");
        if (t)
            check_scalar_fn(ew[i].name, t, ew[i].arity, ew[i].fn);
    }
    static const struct {
        const char *name, *pattern;
        void (*fn)(void);
        caller call;
        gk_fn_sig sig;
    } ops[] = {
        {"u_norm_eps_outside", "map-reduce-map", (void (*)(void))u_norm_eps_outside, c_norm2, {V, 4, {IN, OUT, I, F}}},
        {"u_logsumexp", "reduction", (void (*)(void))u_logsumexp, c_vec_red, {F, 2, {IN, I}}},
        {"u_masked_sum", "reduction", (void (*)(void))u_masked_sum, c_masked, {F, 3, {IN, IN, I}}},
        {"u_scale_shift", "elementwise", (void (*)(void))u_scale_shift, c_scale_shift, {V, 5, {IN, OUT, I, F, F}}},
    };
    static const int64_t sizes[] = {1, 5, 64, 999};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        CHECK_STATUS(gk_register_scalar_fn(ops[i].name, ops[i].fn, &ops[i].sig), GK_OK);
        const struct gk_op_trace *t = get(ops[i].name, ops[i].pattern);
        for (size_t k = 0; t && k < sizeof sizes / sizeof sizes[0]; k++)
            check_rows(ops[i].name, t, ops[i].fn, ops[i].call, ops[i].sig, sizes[k]);
    }
}

static void test_registry_and_errors(void)
{
    const struct gk_op_trace *a = NULL, *b = NULL;
    CHECK_STATUS(gk_trace_get("silu", &a), GK_OK);
    CHECK_STATUS(gk_trace_get("silu", &b), GK_OK);
    CHECK(a == b, "cached trace differs");
    CHECK_STATUS(gk_trace_get("no_such_op", &a), GK_ERR_INVALID_ARG);
    gk_fn_sig sig = {F, 1, {F}};
    CHECK_STATUS(gk_register_scalar_fn("silu", (void (*)(void))u_sigmoid, &sig), GK_ERR_INVALID_ARG);
    /* bytes the analyser does not understand: rejected with the address and instruction */
    static const unsigned char code[] = {0x0f, 0xa2, 0xc3}; /* cpuid; ret */
    struct gk_op_trace *t = NULL;
    CHECK_STATUS(gk_trace_analyze_code(code, sizeof code, &sig, &t), GK_ERR_UNSUPPORTED);
    CHECK(strstr(gk_last_error(), "cpuid") != NULL, "message: %s", gk_last_error());
    static const unsigned char loop[] = {0xeb, 0xfe}; /* jmp $ */
    CHECK_STATUS(gk_trace_analyze_code(loop, sizeof loop, &sig, &t), GK_ERR_UNSUPPORTED);
    /* serializer round trip keeps the trace and its behaviour */
    const struct gk_op_trace *r = NULL;
    CHECK_STATUS(gk_trace_get("rms_norm", &r), GK_OK);
    unsigned char *bytes = NULL;
    size_t len = 0;
    CHECK_STATUS(gk_trace_serialize(r, &bytes, &len), GK_OK);
    struct gk_op_trace *back = NULL;
    CHECK_STATUS(gk_trace_deserialize(bytes, len, &back), GK_OK);
    CHECK(back && !strcmp(gk_trace_pattern(back), "map-reduce-map"), "round trip pattern");
    if (bytes && len > 40) {
        bytes[len - 20] ^= 0x7f; /* corrupt an operand */
        struct gk_op_trace *bad = NULL;
        gk_status s = gk_trace_deserialize(bytes, len, &bad);
        CHECK(s == GK_OK || s == GK_ERR_INVALID_ARG, "corrupt bytes: %s", gk_status_str(s));
        gk_trace_free(bad);
        CHECK_STATUS(gk_trace_deserialize(bytes, len - 1, &bad), GK_ERR_INVALID_ARG);
    }
    free(bytes);
    gk_trace_free(back);
    /* the printer names the stages */
    char buf[8192] = {0};
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    CHECK_STATUS(gk_trace_print(r, f), GK_OK);
    fclose(f);
    CHECK(strstr(buf, "pattern: map-reduce-map") && strstr(buf, "combine add") && strstr(buf, "sqrt.f64"),
          "printed trace:\n%s", buf);
}

int main(void)
{
    gk_rng_seed(&rng, 20261125);
    test_builtin_elementwise();
    test_builtin_arrays();
    test_builtin_gemm();
    test_user_functions();
    test_registry_and_errors();
    return gk_test_finish("jit_trace");
}
