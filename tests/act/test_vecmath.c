/* ULP sweeps of the vector math functions (src/kernels/vecmath/vecmath.h) against libm in double
 * precision, for every ISA copy this CPU can run. Each function is checked on more than 10^7
 * inputs: a walk over the float bit patterns of its domain (every binade alike) plus uniform
 * random points, plus the special values (±0, ±inf, NaN, FLT_MIN, subnormals, FLT_MAX, the
 * overflow and underflow edges). The bounds asserted here are the ones stated in
 * docs/VECMATH.md; the measured maxima are printed. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gk_test.h"
#include "runtime/cpu.h"
#include "vecmath_isa.h"

typedef void (*apply_fn)(gk_tvm_fn fn, int64_t n, const float *x, float *y, float *y2);

typedef struct {
    gk_tvm_fn fn;
    const char *name;
    double (*ref)(double);
    float lo, hi;        /* the domain swept (both signs when lo < 0) */
    double ulp_avx2, ulp_avx512; /* stated bounds */
    double abs_floor;    /* errors are measured in units of max(ulp(result), abs_floor) */
    int all_specials;    /* the special values outside [lo, hi] must come out exact too */
} vm_spec;

static double ref_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
static double ref_recip(double x) { return 1.0 / x; }
static double ref_rsqrt(double x) { return 1.0 / sqrt(x); }

/* Bounds (docs/VECMATH.md): exp and log carry one polynomial rounding chain each; tanh and
 * sigmoid add an exp, a division/reciprocal and a final subtraction; erf is a rational function
 * (two polynomials, a division and a product, each rounded, where erf is close to 1);
 * recip/rsqrt are one second-order step from a 12-bit (AVX2) or 14-bit (AVX-512) estimate,
 * leaving the roundings of a*r and the last FMA; sin/cos lose relative accuracy next to their
 * zeros, so their unit is max(ulp, 2^-26). */
static const vm_spec specs[] = {
    {GK_TVM_EXP, "exp", exp, -104.0f, 89.0f, 2, 2, 0, 1},
    {GK_TVM_LOG, "log", log, 0.0f, FLT_MAX, 2, 2, 0, 1},
    {GK_TVM_TANH, "tanh", tanh, -12.0f, 12.0f, 3, 3, 0, 1},
    {GK_TVM_ERF, "erf", erf, -5.0f, 5.0f, 7, 7, 0, 1},
    {GK_TVM_SIGMOID, "sigmoid", ref_sigmoid, -86.5f, 100.0f, 3, 3, 0, 0},
    {GK_TVM_RECIP, "recip", ref_recip, 0x1p-126f, 0x1p126f, 1.5, 1.5, 0, 0},
    {GK_TVM_RSQRT, "rsqrt", ref_rsqrt, 0x1p-126f, FLT_MAX, 1.5, 1.5, 0, 0},
    {GK_TVM_SINCOS, "sin", sin, -GK_TVM_SINCOS_MAX, GK_TVM_SINCOS_MAX, 2, 2, 0x1p-26, 0},
};

static double ulp_of(double r)
{
    int e;
    frexp(r, &e);
    return ldexp(1.0, e - 24 < -149 ? -149 : e - 24);
}

/* Error of y against the double reference r in units of max(ulp(r), floor); inf when the class
 * (NaN, inf, sign of inf) is wrong. */
static double err_units(float y, double r, double floor_)
{
    if (isnan(r))
        return isnan(y) ? 0 : INFINITY;
    float rf = (float)r;
    if (isinf(rf))
        return y == rf ? 0 : INFINITY;
    if (!isfinite(y))
        return INFINITY;
    double u = ulp_of(r);
    return fabs((double)y - r) / (u > floor_ ? u : floor_);
}

typedef struct {
    double worst;
    float worst_x;
    long count;
} sweep_stat;

static void check_batch(apply_fn f, const vm_spec *s, const float *x, int64_t n, float *y, float *y2,
                        sweep_stat *st, sweep_stat *st2)
{
    f(s->fn, n, x, y, y2);
    for (int64_t i = 0; i < n; i++) {
        double e = err_units(y[i], s->ref((double)x[i]), s->abs_floor);
        if (e > st->worst || isnan(e)) {
            st->worst = e;
            st->worst_x = x[i];
        }
        if (y2) {
            double e2 = err_units(y2[i], cos((double)x[i]), s->abs_floor);
            if (e2 > st2->worst) {
                st2->worst = e2;
                st2->worst_x = x[i];
            }
        }
    }
    st->count += n;
}

enum { BATCH = 1 << 16, WALK = 6000000, RANDOM = 4200000 };

static void sweep(apply_fn f, const vm_spec *s, int is512)
{
    float *x = malloc(BATCH * sizeof *x), *y = malloc(BATCH * sizeof *y), *y2 = malloc(BATCH * sizeof *y2);
    float *cy2 = s->fn == GK_TVM_SINCOS ? y2 : NULL;
    sweep_stat st = {0, 0, 0}, st2 = {0, 0, 0};
    gk_rng rng;
    gk_rng_seed(&rng, 42 + s->fn);
    /* walk over bit patterns: magnitudes from the smallest positive float (or |lo|) to hi */
    float amin = s->lo > 0 ? s->lo : 0x1p-149f, amax = fmaxf(fabsf(s->lo), s->hi);
    uint32_t b0, b1;
    memcpy(&b0, &amin, 4);
    memcpy(&b1, &amax, 4);
    long walk = s->lo < 0 ? WALK / 2 : WALK; /* bit patterns per sign */
    double step = (double)(b1 - b0) / (double)walk;
    int64_t k = 0;
    for (long i = 0; i < walk; i++) {
        uint32_t b = b0 + (uint32_t)(step * (double)i);
        float v;
        memcpy(&v, &b, 4);
        if (v <= s->hi && v >= s->lo)
            x[k++] = v;
        if (s->lo < 0 && -v >= s->lo)
            x[k++] = -v;
        if (k > BATCH - 2) {
            check_batch(f, s, x, k, y, cy2, &st, &st2);
            k = 0;
        }
    }
    for (long i = 0; i < RANDOM; i++) {
        x[k++] = gk_rng_uniform(&rng, s->lo, s->hi);
        if (k == BATCH) {
            check_batch(f, s, x, k, y, cy2, &st, &st2);
            k = 0;
        }
    }
    check_batch(f, s, x, k, y, cy2, &st, &st2);
    double bound = is512 ? s->ulp_avx512 : s->ulp_avx2;
    printf("  %-8s %9ld inputs  max %.3f (at %.9g)  bound %.1f\n", s->name, st.count, st.worst, (double)st.worst_x,
           bound);
    CHECK(st.count >= 10000000, "%s: only %ld inputs swept", s->name, st.count);
    CHECK(st.worst <= bound, "%s: max error %.3f units at x = %.9g, bound %.1f", s->name, st.worst,
          (double)st.worst_x, bound);
    if (cy2) {
        printf("  %-8s %9ld inputs  max %.3f (at %.9g)  bound %.1f\n", "cos", st.count, st2.worst,
               (double)st2.worst_x, bound);
        CHECK(st2.worst <= bound, "cos: max error %.3f units at x = %.9g, bound %.1f", st2.worst,
              (double)st2.worst_x, bound);
    }
    free(x);
    free(y);
    free(y2);
}

/* Special values: the class (NaN, ±inf, ±0) must be exact, finite results within the bound. */
static void specials(apply_fn f, int is512)
{
    static const float sv[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, FLT_MIN, -FLT_MIN, 0x1p-149f, -0x1p-149f,
                               FLT_MAX, -FLT_MAX, 1.0f, -1.0f,
                               /* exp: last finite, first inf, last normal, last nonzero, first zero */
                               88.7228317f, 88.7228394f, 88.8f, -87.3365479f, -87.3365555f, -103.278931f,
                               -103.972076f, -104.0f, -150.0f, 126.5f, -126.5f,
                               /* tanh: 0.625, 9.01, 10 (saturation); erf: 1.0f from 3.9375 (the clamp) */
                               0.625f, -0.625f, 0.62499994f, 1.0f, 0.99999994f, 3.9375f, 3.93749976f, 9.01f, 10.0f,
                               1e-20f, -1e-20f};
    enum { NS = sizeof sv / sizeof sv[0] };
    float y[NS], y2[NS];
    for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++) {
        const vm_spec *s = &specs[k];
        f(s->fn, NS, sv, y, y2);
        double bound = is512 ? s->ulp_avx512 : s->ulp_avx2;
        for (int i = 0; i < NS; i++) {
            double r = s->ref((double)sv[i]);
            float a = fabsf(sv[i]);
            int in_domain = (sv[i] >= s->lo && sv[i] <= s->hi) || isnan(sv[i]) || s->all_specials;
            /* recip, rsqrt keep 0, inf and (rsqrt) negative normals exact; sigmoid its limits */
            if (s->fn == GK_TVM_RECIP && (a == 0.0f || isinf(a) || (a >= s->lo && a <= s->hi)))
                in_domain = 1;
            if (s->fn == GK_TVM_RSQRT && (a == 0.0f || isinf(a) || sv[i] <= -s->lo))
                in_domain = 1;
            if (s->fn == GK_TVM_SIGMOID && isinf(sv[i]))
                in_domain = 1;
            if (!in_domain)
                continue;
            double e = err_units(y[i], r, s->abs_floor);
            CHECK(e <= bound, "%s(%.9g) = %.9g, want %.9g (%.3g units)", s->name, (double)sv[i], (double)y[i], r, e);
            if (s->fn == GK_TVM_SINCOS) {
                double e2 = err_units(y2[i], cos((double)sv[i]), s->abs_floor);
                CHECK(e2 <= bound, "cos(%.9g) = %.9g (%.3g units)", (double)sv[i], (double)y2[i], e2);
            }
        }
    }
    /* signs of zero that the formulas must keep */
    float z[4] = {-0.0f, 0.0f, -0.0f, 0.0f}, out[4];
    f(GK_TVM_TANH, 2, z, out, NULL);
    CHECK(signbit(out[0]) && !signbit(out[1]), "tanh(-0) must be -0 and tanh(+0) +0");
    f(GK_TVM_ERF, 2, z, out, NULL);
    CHECK(signbit(out[0]) && !signbit(out[1]), "erf(-0) must be -0 and erf(+0) +0");
    /* sigmoid far below its domain: flushed toward 0, never above 2^-125 or negative */
    float lo[3] = {-88.0f, -200.0f, -INFINITY};
    f(GK_TVM_SIGMOID, 3, lo, out, NULL);
    for (int i = 0; i < 3; i++)
        CHECK(out[i] >= 0.0f && out[i] <= 0x1p-125f, "sigmoid(%g) = %g", (double)lo[i], (double)out[i]);
}

int main(void)
{
    static const struct {
        const char *name;
        apply_fn f;
        gk_isa isa;
    } isas[] = {{"avx2", gk_tvm_apply_avx2, GK_ISA_AVX2}, {"avx512", gk_tvm_apply_avx512, GK_ISA_AVX512}};
    for (size_t i = 0; i < sizeof isas / sizeof isas[0]; i++) {
        if (gk_cpu()->isa_max < isas[i].isa) {
            printf("SKIP %s: not supported by this CPU\n", isas[i].name);
            continue;
        }
        printf("%s:\n", isas[i].name);
        specials(isas[i].f, isas[i].isa == GK_ISA_AVX512);
        for (size_t k = 0; k < sizeof specs / sizeof specs[0]; k++)
            sweep(isas[i].f, &specs[k], isas[i].isa == GK_ISA_AVX512);
    }
    return gk_test_finish("vecmath");
}
