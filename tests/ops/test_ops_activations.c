/* Activation entry points against the scalar definitions, on every ISA level, over the size
 * sweep (random inputs in [-10, 10] plus signed zeros, infinities and NaN), out of place and in
 * place, with guard bytes checked. Tolerance, for SIMD levels that use polynomial
 * approximations of exp/tanh/erf (DESIGN §8: a few ulp): 16 ulp of the result
 * (16*eps*|want|) plus 2*eps*|x| for the cancellation in 1 + tanh / 1 + erf near -1 (gelu of
 * large negative x) and in silu's 1 + exp(-x). relu is exact. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops_test.h"
#include "scalar/scalar.h"

#define EPS ((double)FLT_EPSILON)

typedef gk_status (*api_fn)(int64_t, const float *, float *);
typedef float (*def_fn)(float);

static const struct {
    const char *name;
    api_fn api;
    def_fn def;
    int exact;
} ops[] = {
    {"silu", gk_silu_f32, gk_scalar_silu, 0},
    {"gelu_tanh", gk_gelu_tanh_f32, gk_scalar_gelu_tanh, 0},
    {"gelu_erf", gk_gelu_erf_f32, gk_scalar_gelu_erf, 0},
    {"relu", gk_relu_f32, gk_scalar_relu, 1},
    {"tanh", gk_tanh_f32, gk_scalar_tanh, 0},
    {"exp", gk_exp_f32, gk_scalar_exp, 0},
};

static int agree(float got, float want, float x, int exact)
{
    if (exact)
        return gk_same_float(got, want);
    return ops_close(got, want, 16.0 * EPS * fabs((double)want) + 2.0 * EPS * fabs((double)x));
}

static void test_size(int64_t n, gk_rng *rng)
{
    float *x = malloc((size_t)(n + 1) * sizeof(float)), *u = malloc((size_t)(n + 1) * sizeof(float));
    gk_rng_fill(rng, x, n, -10.0f, 10.0f);
    gk_rng_fill(rng, u, n, -3.0f, 3.0f);
    ops_put_specials(x, n, n / 3);
    gk_guarded o = gk_guarded_new(n);
    for (size_t f = 0; f < sizeof ops / sizeof ops[0]; f++) {
        CHECK_STATUS(ops[f].api(n, x, o.p), GK_OK);
        for (int64_t i = 0; i < n; i++) {
            float want = ops[f].def(x[i]);
            CHECK(agree(o.p[i], want, x[i], ops[f].exact), "%s n=%lld x=%.9g: %.9g vs %.9g", ops[f].name,
                  (long long)n, x[i], o.p[i], want);
        }
        /* in place gives the same values */
        float *copy = malloc((size_t)(n + 1) * sizeof(float));
        if (n > 0)
            memcpy(copy, x, (size_t)n * sizeof(float));
        CHECK_STATUS(ops[f].api(n, copy, copy), GK_OK);
        for (int64_t i = 0; i < n; i++)
            CHECK(gk_same_float(copy[i], o.p[i]), "%s in place n=%lld i=%lld", ops[f].name, (long long)n,
                  (long long)i);
        free(copy);
    }
    CHECK_STATUS(gk_swiglu_f32(n, x, u, o.p), GK_OK);
    for (int64_t i = 0; i < n; i++) {
        float want = gk_scalar_swiglu(x[i], u[i]);
        CHECK(ops_close(o.p[i], want, 16.0 * EPS * fabs((double)want) + 2.0 * EPS * fabs((double)x[i] * u[i])),
              "swiglu n=%lld gate=%.9g up=%.9g: %.9g vs %.9g", (long long)n, x[i], u[i], o.p[i], want);
    }
    CHECK(gk_guarded_intact(&o), "activation guards n=%lld", (long long)n);
    gk_guarded_free(&o);
    free(x);
    free(u);
}

static void body(void *ctx)
{
    gk_rng rng;
    gk_rng_seed(&rng, 7);
    (void)ctx;
    for (int s = 0; s < ops_nsizes; s++)
        test_size(ops_sizes[s], &rng);
}

int main(void)
{
    gk_test_for_each_isa(body, NULL);
    return gk_test_finish("ops_activations");
}
