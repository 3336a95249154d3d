/* Phase 0: for every built-in scalar definition and for user-style functions, the trace's
 * interpretation equals the function bitwise on random and edge inputs (the interpreter calls
 * the same libm, so no tolerance is needed); plus the registry, the printer, the serializer and
 * clean rejections. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gk/jit.h"
#include "gk_test.h"
#include "scalar/scalar.h"
#include "user_fns.h"

#define F GK_ARG_F32
#define I GK_ARG_I64
#define IN GK_ARG_PTR_IN
#define OUT GK_ARG_PTR_OUT
#define V GK_ARG_VOID

#define P(j) ((float *)(uintptr_t)a[j].p)
static void c_red(void (*fn)(void), const gk_trace_arg *a, float *r) { *r = ((float (*)(const float *, int64_t))fn)(a[0].p, a[1].i); }
static void c_norm2(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, float *, int64_t, float))fn)(a[0].p, P(1), a[2].i, a[3].f); }
static void c_masked(void (*fn)(void), const gk_trace_arg *a, float *r) { *r = ((float (*)(const float *, const float *, int64_t))fn)(a[0].p, a[1].p, a[2].i); }
static void c_row(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, float *, int64_t))fn)(a[0].p, P(1), a[2].i); }
static void c_scale_shift(void (*fn)(void), const gk_trace_arg *a, float *r) { (void)r; ((void (*)(const float *, float *, int64_t, float, float))fn)(a[0].p, P(1), a[2].i, a[3].f, a[4].f); }

/* every built-in operator's scalar definition, as linked into the library */
static void test_builtins(void)
{
#define B(op) {#op, (void (*)(void))gk_scalar_##op}
    static const struct {
        const char *name;
        void (*fn)(void);
    } fns[] = {B(silu), B(gelu_tanh), B(gelu_erf), B(relu), B(tanh), B(exp), B(swiglu), B(vec_dot), B(vec_add),
               B(vec_mul), B(vec_scale), B(vec_axpy), B(vec_sum), B(vec_max), B(softmax), B(rms_norm), B(layer_norm),
               B(rope_interleaved), B(rope_neox), B(gemv), B(gemm), B(gemm_bt), B(gemm_bias)};
#undef B
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        jt_check_builtin(fns[i].name, fns[i].name, fns[i].fn);
    /* the eval convention of gk_trace_eval: arrays + one length, float return in out[nout][0] */
    const struct gk_op_trace *t = jt_get("vec_dot", "reduction");
    float x[5] = {1, 2, 3, 4, 5}, y[5] = {2, 2, 2, 2, 0.5f}, r = 0, *outs[1] = {&r};
    const float *ins[2] = {x, y};
    if (t)
        CHECK_STATUS(gk_trace_eval(t, 5, ins, outs, NULL), GK_OK);
    CHECK(r == 22.5f, "vec_dot via gk_trace_eval: %g", (double)r);
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
        {"u_fma3", (void (*)(void))u_fma3, 3},
    };
    for (size_t i = 0; i < sizeof ew / sizeof ew[0]; i++) {
        gk_fn_sig sig = {F, ew[i].arity, {F, F, F}};
        CHECK_STATUS(gk_register_scalar_fn(ew[i].name, ew[i].fn, &sig), GK_OK);
        const struct gk_op_trace *t = jt_get(ew[i].name, "elementwise");
        if (t)
            jt_check_scalar(ew[i].name, t, ew[i].arity, ew[i].fn);
    }
    static const struct {
        const char *name, *pattern;
        void (*fn)(void);
        jt_caller call;
        gk_fn_sig sig;
    } ops[] = {
        {"u_norm_eps_outside", "map-reduce-map", (void (*)(void))u_norm_eps_outside, c_norm2, {V, 4, {IN, OUT, I, F}}},
        {"u_logsumexp", "reduction", (void (*)(void))u_logsumexp, c_red, {F, 2, {IN, I}}},
        {"u_masked_sum", "reduction", (void (*)(void))u_masked_sum, c_masked, {F, 3, {IN, IN, I}}},
        {"u_scale_shift", "elementwise", (void (*)(void))u_scale_shift, c_scale_shift, {V, 5, {IN, OUT, I, F, F}}},
        {"u_suffix_sum", "opaque", (void (*)(void))u_suffix_sum, c_row, {V, 3, {IN, OUT, I}}},
        {"u_even_sum", "reduction", (void (*)(void))u_even_sum, c_red, {F, 2, {IN, I}}},
    };
    static const int64_t sizes[] = {1, 5, 64, 999};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        CHECK_STATUS(gk_register_scalar_fn(ops[i].name, ops[i].fn, &ops[i].sig), GK_OK);
        const struct gk_op_trace *t = jt_get(ops[i].name, ops[i].pattern);
        for (size_t k = 0; t && k < sizeof sizes / sizeof sizes[0]; k++)
            jt_check_rows(ops[i].name, t, ops[i].fn, ops[i].call, ops[i].sig, sizes[k]);
    }
}

/* concurrent first uses: every thread gets the same traces */
enum { NTHREADS = 4 };
static const char *const concurrent_names[] = {"u_sigmoid_mt", "u_poly_mt", "u_rational_mt", "u_mish_mt"};

static void *get_all(void *arg)
{
    const struct gk_op_trace **got = arg;
    for (int i = 0; i < 4; i++)
        if (gk_trace_get(concurrent_names[i], &got[i]) != GK_OK)
            got[i] = NULL;
    return NULL;
}

static void test_concurrent_registry(void)
{
    gk_fn_sig f1 = {F, 1, {F}};
    void (*fns[4])(void) = {(void (*)(void))u_sigmoid, (void (*)(void))u_poly, (void (*)(void))u_rational,
                            (void (*)(void))u_mish};
    for (int i = 0; i < 4; i++)
        CHECK_STATUS(gk_register_scalar_fn(concurrent_names[i], fns[i], &f1), GK_OK);
    const struct gk_op_trace *got[NTHREADS][4];
    pthread_t th[NTHREADS];
    for (int t = 0; t < NTHREADS; t++)
        CHECK(pthread_create(&th[t], NULL, get_all, got[t]) == 0, "pthread_create");
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < NTHREADS; t++)
        for (int i = 0; i < 4; i++)
            CHECK(got[t][i] && got[t][i] == got[0][i], "thread %d got another trace for %s", t, concurrent_names[i]);
}

static void test_registry_and_errors(void)
{
    const struct gk_op_trace *a = NULL, *b = NULL;
    CHECK_STATUS(gk_trace_get("silu", &a), GK_OK);
    CHECK_STATUS(gk_trace_get("silu", &b), GK_OK);
    CHECK(a == b, "cached trace differs");
    /* a second name for the same function (same address and bytes) shares the trace */
    gk_fn_sig f1 = {F, 1, {F}};
    const struct gk_op_trace *alias = NULL;
    CHECK_STATUS(gk_register_scalar_fn("silu_alias", (void (*)(void))gk_scalar_silu, &f1), GK_OK);
    CHECK_STATUS(gk_trace_get("silu_alias", &alias), GK_OK);
    CHECK(alias == a, "alias analysed again");
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
    jt_seed(20261125);
    test_builtins();
    test_user_functions();
    test_registry_and_errors();
    test_concurrent_registry();
    return gk_test_finish("jit_trace");
}
