/* The elementwise kernels (silu, gelu_tanh, gelu_erf, relu, tanh, exp, swiglu) through the public
 * API on every ISA level: against the scalar definitions and a float64 reference, over the
 * length sweep with special values, in place, with NaN guards around the output, and bitwise
 * identical at 1 and 2 threads. */
#include <float.h>
#include <stdlib.h>

#include "act_test.h"
#include "runtime/cpu.h"
#include "scalar/scalar.h"

typedef gk_status (*unary_op)(int64_t n, const float *x, float *y);

/* Tolerances, each against the scalar definition s (libm in float) and the float64 formula d:
 *  exp, tanh: the vecmath bounds (2, 3 ULP; docs/VECMATH.md) plus libm's own <= 1 ULP: 3 and
 *    4 ULP of s.
 *  relu: exact.
 *  silu: sigmoid within 3 ULP, times x, plus libm's rounding in the definition: 6 ULP of s; results below 1e-30 in magnitude (x < -64,
 *    where the definition's expf overflows to inf at -88.7 and gives -0) only need |y| < 1e-25.
 *  gelu_tanh: the argument v = 2 sqrt(2/pi) (x + 0.044715 x^3) is rounded to float, and
 *    e^-v amplifies its up to 3 roundings by |v|: |y - d| <= (8 + 4|v|) 2^-24 |d|, plus |x| 2^-124 where the
 *    sigmoid flushes to 0; the definition cancels in 1 + tanh for x < 0, so against s (and
 *    against d at the scalar level, which is the definition) the bound adds |x| 2^-23.
 *  gelu_erf: erf within 7 ULP of a value <= 1 (an absolute error up to 2^-21.5 where erf is
 *    near +-1), halved by 0.5 x (1 + erf): |y - d| <= 4 ULP(d) + |x| 2^-22, the same against s
 *    (which cancels the same way). */
static int close_to(const char *op, float x, float y, float s, double d)
{
    double ad = fabs(d);
    if (!strcmp(op, "relu"))
        return gk_same_float(y, s);
    if (isnan(s) || isinf(s) || isnan(y) || isinf(y))
        return gk_same_float(y, s);
    if (!strcmp(op, "exp"))
        return act_ulps(y, s) <= 3;
    if (!strcmp(op, "tanh"))
        return act_ulps(y, s) <= 4;
    if (!strcmp(op, "silu"))
        return act_ulps(y, s) <= 6 || (fabs(d) < 1e-30 && fabsf(y) < 1e-25f);
    if (!strcmp(op, "gelu_tanh")) {
        double v = 1.5957691216057308 * ((double)x + 0.044715 * (double)x * x * x);
        double tol = (8 + 4 * fabs(v)) * 0x1p-24 * ad + fabs(x) * 0x1p-124;
        double def = fabs(x) * 0x1p-23;
        return fabs(y - d) <= tol + (gk_get_isa() == GK_ISA_SCALAR ? def : 0) && fabs((double)y - s) <= tol + def;
    }
    /* gelu_erf */
    double tol = 4 * act_ulp(d) + fabs(x) * 0x1p-22;
    return fabs(y - d) <= tol && fabs((double)y - s) <= tol;
}

static double ref_silu(double x) { return x / (1 + exp(-x)); }
/* 0.5 (1 + tanh u) = 1 / (1 + e^-2u): the same function without the cancellation for x < 0 */
static double ref_gelu_tanh(double x) { return x / (1 + exp(-1.5957691216057308 * (x + 0.044715 * x * x * x))); }
static double ref_gelu_erf(double x) { return 0.5 * x * (1 + erf(x * 0.7071067811865476)); }
static double ref_relu(double x) { return x > 0 ? x : 0; }

static const struct {
    const char *name;
    unary_op op;
    float (*scalar)(float);
    double (*ref)(double);
    float lo, hi;
} unary[] = {
    {"silu", gk_silu_f32, gk_scalar_silu, ref_silu, -20, 20},
    {"gelu_tanh", gk_gelu_tanh_f32, gk_scalar_gelu_tanh, ref_gelu_tanh, -12, 12},
    {"gelu_erf", gk_gelu_erf_f32, gk_scalar_gelu_erf, ref_gelu_erf, -8, 8},
    {"relu", gk_relu_f32, gk_scalar_relu, ref_relu, -5, 5},
    {"tanh", gk_tanh_f32, gk_scalar_tanh, tanh, -12, 12},
    {"exp", gk_exp_f32, gk_scalar_exp, exp, -110, 90},
};
enum { NUNARY = sizeof unary / sizeof unary[0] };

static void test_unary(void *ctx)
{
    (void)ctx;
    gk_rng rng;
    for (int k = 0; k < NUNARY; k++) {
        gk_rng_seed(&rng, 100 + (uint64_t)k);
        for (int li = 0; li < ACT_NLENS; li++) {
            int64_t n = act_lens[li];
            float *x = malloc((size_t)(n + 1) * sizeof *x);
            act_fill(&rng, x, n, unary[k].lo, unary[k].hi, 1);
            gk_guarded y = gk_guarded_new(n);
            CHECK_STATUS(unary[k].op(n, n ? x : NULL, n ? y.p : NULL), GK_OK);
            CHECK(gk_guarded_intact(&y), "%s n=%lld: guard bytes overwritten", unary[k].name, (long long)n);
            int bad = 0;
            for (int64_t i = 0; i < n && bad < 3; i++) {
                float s = unary[k].scalar(x[i]);
                if (!close_to(unary[k].name, x[i], y.p[i], s, unary[k].ref(x[i]))) {
                    bad++;
                    CHECK(0, "%s n=%lld: x[%lld]=%.9g -> %.9g, definition %.9g, float64 %.9g", unary[k].name,
                          (long long)n, (long long)i, (double)x[i], (double)y.p[i], (double)s,
                          unary[k].ref(x[i]));
                }
            }
            /* in place gives the same bits */
            unary[k].op(n, x, x);
            for (int64_t i = 0; i < n; i++)
                if (!gk_same_float(x[i], y.p[i])) {
                    CHECK(0, "%s n=%lld: in place differs at %lld", unary[k].name, (long long)n, (long long)i);
                    break;
                }
            gk_guarded_free(&y);
            free(x);
        }
    }
}

/* swiglu = silu(gate) * up: 7 ULP of the definition (silu's 6 and one product), with silu's
 * absolute floor scaled by |up|. */
static void test_swiglu(void *ctx)
{
    (void)ctx;
    gk_rng rng;
    gk_rng_seed(&rng, 7);
    for (int li = 0; li < ACT_NLENS; li++) {
        int64_t n = act_lens[li];
        float *g = malloc((size_t)(n + 1) * sizeof *g), *u = malloc((size_t)(n + 1) * sizeof *u);
        act_fill(&rng, g, n, -20, 20, 1);
        act_fill(&rng, u, n, -4, 4, 0);
        gk_guarded y = gk_guarded_new(n);
        CHECK_STATUS(gk_swiglu_f32(n, g, u, y.p), GK_OK);
        CHECK(gk_guarded_intact(&y), "swiglu n=%lld: guard bytes overwritten", (long long)n);
        int bad = 0;
        for (int64_t i = 0; i < n && bad < 3; i++) {
            float s = gk_scalar_swiglu(g[i], u[i]);
            int ok = isnan(s) || isinf(s) ? gk_same_float(y.p[i], s)
                                          : act_ulps(y.p[i], s) <= 7 || fabsf(y.p[i] - s) < 1e-25f * fabsf(u[i]) + 1e-37f;
            if (!ok) {
                bad++;
                CHECK(0, "swiglu n=%lld: gate %.9g up %.9g -> %.9g, definition %.9g", (long long)n, (double)g[i],
                      (double)u[i], (double)y.p[i], (double)s);
            }
        }
        /* y aliasing gate, then up */
        float *g2 = malloc((size_t)(n + 1) * sizeof *g2);
        memcpy(g2, g, (size_t)n * sizeof *g);
        gk_swiglu_f32(n, g2, u, g2);
        gk_swiglu_f32(n, g, u, u);
        for (int64_t i = 0; i < n; i++)
            if (!gk_same_float(g2[i], y.p[i]) || !gk_same_float(u[i], y.p[i])) {
                CHECK(0, "swiglu n=%lld: in place differs at %lld", (long long)n, (long long)i);
                break;
            }
        gk_guarded_free(&y);
        free(g);
        free(u);
        free(g2);
    }
}

/* The ops layer splits long arrays into fixed chunks: 1 and 2 threads give the same bits. */
static void test_threads(void *ctx)
{
    (void)ctx;
    enum { N = 300007 };
    gk_rng rng;
    gk_rng_seed(&rng, 3);
    float *x = malloc(N * sizeof *x), *u = malloc(N * sizeof *u), *y1 = malloc(N * sizeof *y1),
          *y2 = malloc(N * sizeof *y2);
    act_fill(&rng, x, N, -10, 10, 1);
    act_fill(&rng, u, N, -3, 3, 0);
    for (int k = 0; k <= NUNARY; k++) {
        gk_set_num_threads(1);
        k < NUNARY ? unary[k].op(N, x, y1) : gk_swiglu_f32(N, x, u, y1);
        gk_set_num_threads(2);
        k < NUNARY ? unary[k].op(N, x, y2) : gk_swiglu_f32(N, x, u, y2);
        CHECK(memcmp(y1, y2, N * sizeof *y1) == 0, "%s: 1 and 2 threads differ", k < NUNARY ? unary[k].name : "swiglu");
    }
    free(x);
    free(u);
    free(y1);
    free(y2);
}

/* Outputs larger than the last-level cache are written with non-temporal stores (after a
 * masked head up to the vector alignment): the same bits as the cached stores that short calls
 * use, nothing written past the end. Checked at an aligned and a misaligned output. */
static void test_stream(void *ctx)
{
    (void)ctx;
    const struct gk_device_profile *p = gk_cpu();
    int64_t llc = (p->l3.size > 0 ? p->l3.size : p->l2.size) * p->cores, n = llc / 4 + 1001, step = 65536;
    gk_rng rng;
    gk_rng_seed(&rng, 11);
    float *x = malloc((size_t)n * sizeof *x), *u = malloc((size_t)n * sizeof *u), *want = malloc((size_t)n * sizeof *want);
    act_fill(&rng, x, n, -10, 10, 1);
    act_fill(&rng, u, n, -3, 3, 0);
    gk_guarded y = gk_guarded_new(n);
    for (int k = 0; k <= NUNARY; k++) {
        const char *name = k < NUNARY ? unary[k].name : "swiglu";
        for (int64_t off = 0; off < 2; off++) {
            int64_t m = n - off;
            for (int64_t b = 0; b < m; b += step) {
                int64_t len = m - b < step ? m - b : step;
                k < NUNARY ? unary[k].op(len, x + b, want + b) : gk_swiglu_f32(len, x + b, u + b, want + b);
            }
            k < NUNARY ? unary[k].op(m, x, y.p + off) : gk_swiglu_f32(m, x, u, y.p + off);
            CHECK(memcmp(y.p + off, want, (size_t)m * sizeof *want) == 0, "%s n=%lld: streamed output differs",
                  name, (long long)m);
            CHECK(gk_guarded_intact(&y), "%s: guard bytes overwritten", name);
        }
    }
    gk_guarded_free(&y);
    free(x);
    free(u);
    free(want);
}

int main(void)
{
    gk_test_for_each_isa(test_unary, NULL);
    gk_test_for_each_isa(test_swiglu, NULL);
    gk_test_for_each_isa(test_threads, NULL);
    gk_test_for_each_isa(test_stream, NULL);
    /* bad input reaches no kernel: nothing written, message names the argument */
    float x[4] = {1, 2, 3, 4}, y[4] = {0};
    CHECK_STATUS(gk_silu_f32(-1, x, y), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_gelu_erf_f32(4, NULL, y), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_swiglu_f32(3, x, x + 1, x), GK_ERR_INVALID_ARG); /* y overlaps up partially */
    CHECK(y[0] == 0 && x[0] == 1 && x[3] == 4, "a failing call wrote its output");
    return gk_test_finish("act_elementwise");
}
