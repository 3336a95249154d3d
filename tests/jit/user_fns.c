/* User-style scalar functions (see user_fns.h): branches, libm calls, constants, reductions. */
#include <math.h>

#include "user_fns.h"

float u_hardswish(float x)
{
    float r = x + 3.0f;
    if (r < 0.0f)
        r = 0.0f;
    if (r > 6.0f)
        r = 6.0f;
    return x * r / 6.0f;
}

float u_mish(float x) { return x * tanhf(log1pf(expf(x))); }

float u_softplus(float x)
{
    if (x > 20.0f)
        return x;
    return log1pf(expf(x));
}

float u_leaky_relu(float x)
{
    if (x > 0.0f)
        return x;
    return 0.01f * x;
}

float u_clamp(float x) { return fminf(fmaxf(x, -1.5f), 2.5f); }

float u_quick_gelu(float x) { return x / (1.0f + expf(-1.702f * x)); }

float u_elu(float x) { return x > 0.0f ? x : expm1f(x); }

float u_selu(float x)
{
    const float alpha = 1.6732632423543772f, scale = 1.0507009873554805f;
    return scale * (x > 0.0f ? x : alpha * (expf(x) - 1.0f));
}

float u_poly(float x) { return ((0.25f * x - 1.5f) * x + 2.0f) * x - 0.75f; }

float u_rational(float x) { return (x * x + 1.0f) / (x * x + 2.0f * fabsf(x) + 3.0f); }

float u_sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

float u_abs_diff(float a, float b) { return fabsf(a - b); }

float u_lerp(float a, float b, float t) { return a + t * (b - a); }

float u_gelu_erf(float x) { return 0.5f * x * (1.0f + erff(x * 0.70710678f)); }

/* eps added after the square root, float accumulation */
void u_norm_eps_outside(const float *x, float *y, int64_t n, float eps)
{
    float ss = 0.0f;
    for (int64_t i = 0; i < n; i++)
        ss += x[i] * x[i];
    float inv = 1.0f / (sqrtf(ss / (float)n) + eps);
    for (int64_t i = 0; i < n; i++)
        y[i] = x[i] * inv;
}

float u_logsumexp(const float *x, int64_t n)
{
    float m = x[0];
    for (int64_t i = 1; i < n; i++)
        m = fmaxf(m, x[i]);
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++)
        s += expf(x[i] - m);
    return m + logf(s);
}

float u_masked_sum(const float *x, const float *mask, int64_t n)
{
    float s = 0.0f;
    for (int64_t i = 0; i < n; i++)
        s += mask[i] > 0.5f ? x[i] : 0.0f;
    return s;
}

void u_scale_shift(const float *x, float *y, int64_t n, float a, float b)
{
    for (int64_t i = 0; i < n; i++)
        y[i] = x[i] * a + b;
}

/* y[i] = x[i] + y[i+1] from the end: a loop that counts down */
void u_suffix_sum(const float *x, float *y, int64_t n)
{
    float s = 0.0f;
    for (int64_t i = n - 1; i >= 0; i--) {
        s += x[i];
        y[i] = s;
    }
}

/* an int counter and a stride-2 read */
float u_even_sum(const float *x, int64_t n)
{
    float s = 0.0f;
    for (int i = 0; i < (int)(n / 2); i++)
        s += x[2 * i];
    return s;
}

float u_fma3(float a, float b, float c) { return fmaf(a, b, c) * 0.5f; }
