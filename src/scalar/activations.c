/* Scalar definitions of the elementwise activations (one element in, one out).
 *
 * Non-finite inputs follow IEEE arithmetic through the formula as written, e.g.
 * silu(-inf) = -inf / (1 + inf) = NaN and gelu_*(-inf) = -inf * 0 = NaN; silu(+inf) = +inf.
 * Large finite inputs are fine: silu(-100) = -100 / inf = -0. */
#include <math.h>

#include "scalar/scalar.h"

#define GK_SQRT_2_OVER_PI 0.7978845608028654f
#define GK_GELU_TANH_C 0.044715f
#define GK_SQRT1_2 0.7071067811865476f

/* Shared by silu and swiglu so both read as one formula in their machine code (inlined). */
static inline float silu(float x)
{
    return x / (1.0f + expf(-x));
}

float gk_scalar_silu(float x)
{
    return silu(x);
}

float gk_scalar_gelu_tanh(float x)
{
    return 0.5f * x * (1.0f + tanhf(GK_SQRT_2_OVER_PI * (x + GK_GELU_TANH_C * x * x * x)));
}

float gk_scalar_gelu_erf(float x)
{
    return 0.5f * x * (1.0f + erff(x * GK_SQRT1_2));
}

/* relu(NaN) = 0 and relu(-0) = +0: the comparison is false for both. This is also what
 * max(x, 0) gives on x86 (maxps returns its second operand for NaN and for equal zeros). */
float gk_scalar_relu(float x)
{
    return x > 0.0f ? x : 0.0f;
}

float gk_scalar_tanh(float x)
{
    return tanhf(x);
}

float gk_scalar_exp(float x)
{
    return expf(x);
}

float gk_scalar_swiglu(float gate, float up)
{
    return silu(gate) * up;
}
