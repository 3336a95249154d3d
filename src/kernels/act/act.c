/* Elementwise activation kernels for one ISA (a template over the SIMD layer, compiled per ISA):
 * silu, gelu_tanh, gelu_erf, relu, tanh, exp, swiglu. The ops layer validates and splits the
 * array into chunks across threads; each kernel maps one contiguous range, two vectors per step
 * (the math chains are long, two independent ones keep both FMA pipes busy) and a masked tail.
 * y may alias x exactly: every element is read before it is written.
 *
 * Accuracy against the scalar definitions (src/scalar/activations.c), which use libm in float:
 * exp and tanh are within the vecmath bounds (docs/VECMATH.md); silu/swiglu are x / (1 + e^-x)
 * as defined, e^-x by gk_v_exp_neg_sat (+inf where expf(-x) overflows); gelu_tanh uses the identity
 * 0.5 (1 + tanh u) = sigmoid(2u), which has no cancellation for negative x (the definition
 * loses relative accuracy there, so tests compare with an absolute floor); gelu_erf is
 * 0.5 x (1 + erf(x / sqrt 2)) like the definition. Non-finite inputs give what the definitions
 * give: silu(-inf) = gelu(-inf) = NaN, silu(+inf) = +inf, relu(NaN) = 0. */
#include "kernels/simd/simd.h"
#include "kernels/simd/stream.h"
#include "kernels/vecmath/vecmath.h"
#include "ops/dispatch.h"

#define GK_GELU_K1 1.5957691216057308f   /* 2 sqrt(2/pi) */
#define GK_GELU_K3 0.071354816272785f    /* 2 sqrt(2/pi) * 0.044715 */

/* x / (1 + e^-x) as defined: one division, and silu(-inf) = -inf / inf = NaN, silu(-100) = -0
 * come out as in the definition. */
static inline gk_vf silu_v(gk_vf x)
{
    return gk_v_div(x, gk_v_add(gk_v_set1(1.0f), gk_v_exp_neg_sat(x)));
}

/* x sigmoid(v) as x / (1 + e^-v), silu's form: one rounding and one vector op fewer than a
 * sigmoid times x (the op is ALU-bound at 64 MiB on Zen 3: 15 GB/s against memcpy's 18.7).
 * gelu(-inf) = -inf / inf = NaN and gelu(x << 0) = -0 come out as in the definition. */
static inline gk_vf gelu_tanh_v(gk_vf x)
{
    gk_vf v = gk_v_mul(x, gk_v_fma(gk_v_set1(GK_GELU_K3), gk_v_mul(x, x), gk_v_set1(GK_GELU_K1)));
    return gk_v_div(x, gk_v_add(gk_v_set1(1.0f), gk_v_exp_neg_sat(v)));
}

/* h + h * erf with h = x/2 exact: one rounding for 0.5 x (1 + erf). */
static inline gk_vf gelu_erf_v(gk_vf x)
{
    gk_vf h = gk_v_mul(gk_v_set1(0.5f), x);
    return gk_v_fma(h, gk_v_erf(gk_v_mul(x, gk_v_set1(0.70710678118654752f))), h);
}

/* max(x, 0) returns its second operand for NaN and for -0: relu(NaN) = relu(-0) = +0, as defined. */
static inline gk_vf relu_v(gk_vf x)
{
    return gk_v_max(x, gk_v_zero());
}

/* y[i] = f(x[i]) over [i0, n), masked loads and stores. */
static inline __attribute__((always_inline)) void map1_tail(int64_t i0, int64_t n, const float *x, float *y,
                                                            gk_vf (*f)(gk_vf))
{
    for (int64_t i = i0; i < n; i += GK_VL) {
        int64_t left = n - i < GK_VL ? n - i : GK_VL;
        gk_v_store_tail(y + i, f(gk_v_load_tail(x + i, left)), left);
    }
}

/* y[i] = f(x[i]); inlined per op so f is a direct call the compiler expands. With `stream`, the
 * body's stores are non-temporal (after a masked head up to y's vector alignment) and fenced:
 * the output bypasses the caches instead of evicting the input streaming through them. */
static inline __attribute__((always_inline)) void map1(int64_t n, const float *x, float *y, int stream,
                                                       gk_vf (*f)(gk_vf))
{
    int64_t i = gk_stream_head(n, y, stream);
    map1_tail(0, i, x, y, f);
    for (; i + 2 * GK_VL <= n; i += 2 * GK_VL) {
        gk_vf a = gk_v_loadu(x + i), b = gk_v_loadu(x + i + GK_VL);
        gk_v_put(y + i, f(a), stream);
        gk_v_put(y + i + GK_VL, f(b), stream);
    }
    if (stream)
        gk_v_stream_fence();
    map1_tail(i, n, x, y, f);
}

#define GK_ACT_UNARY(op, f)                                                            \
    static void GK_FN(gk_##op##_f32)(int64_t n, const float *x, float *y, int stream) \
    {                                                                                  \
        map1(n, x, y, stream, f);                                                      \
    }

GK_ACT_UNARY(silu, silu_v)
GK_ACT_UNARY(gelu_tanh, gelu_tanh_v)
GK_ACT_UNARY(gelu_erf, gelu_erf_v)
GK_ACT_UNARY(relu, relu_v)
GK_ACT_UNARY(tanh, gk_v_tanh)
GK_ACT_UNARY(exp, gk_v_exp)

/* y = silu(gate) * up over [i0, n), masked loads and stores. */
static void swiglu_tail(int64_t i0, int64_t n, const float *gate, const float *up, float *y)
{
    for (int64_t i = i0; i < n; i += GK_VL) {
        int64_t left = n - i < GK_VL ? n - i : GK_VL;
        gk_vf g = gk_v_load_tail(gate + i, left), u = gk_v_load_tail(up + i, left);
        gk_v_store_tail(y + i, gk_v_mul(silu_v(g), u), left);
    }
}

/* y = silu(gate) * up; y may alias gate or up exactly. Streaming as in map1. */
static void GK_FN(gk_swiglu_f32)(int64_t n, const float *gate, const float *up, float *y, int stream)
{
    int64_t i = gk_stream_head(n, y, stream);
    swiglu_tail(0, i, gate, up, y);
    for (; i + 2 * GK_VL <= n; i += 2 * GK_VL) {
        gk_vf g0 = gk_v_loadu(gate + i), g1 = gk_v_loadu(gate + i + GK_VL);
        gk_vf u0 = gk_v_loadu(up + i), u1 = gk_v_loadu(up + i + GK_VL);
        gk_v_put(y + i, gk_v_mul(silu_v(g0), u0), stream);
        gk_v_put(y + i + GK_VL, gk_v_mul(silu_v(g1), u1), stream);
    }
    if (stream)
        gk_v_stream_fence();
    swiglu_tail(i, n, gate, up, y);
}

void GK_FN(gk_register_act)(gk_kernel_table *t, uint32_t features)
{
    (void)features;
    t->silu = GK_FN(gk_silu_f32);
    t->gelu_tanh = GK_FN(gk_gelu_tanh_f32);
    t->gelu_erf = GK_FN(gk_gelu_erf_f32);
    t->relu = GK_FN(gk_relu_f32);
    t->tanh = GK_FN(gk_tanh_f32);
    t->exp = GK_FN(gk_exp_f32);
    t->swiglu = GK_FN(gk_swiglu_f32);
}
