/* Compiler baselines for bench/act.c (see baseline_act.h): the loops a C programmer writes for
 * these operators, following the scalar definitions' formulas. Compiled with -O3 -march=native,
 * and again through baseline_act_fastmath.c with -ffast-math added; the function names carry the
 * variant. */
#include <math.h>

#include "baseline_act.h"

#ifdef __FAST_MATH__
#define BL(name) gk_bl_##name##_fastmath
#else
#define BL(name) gk_bl_##name##_O3
#endif

void BL(silu)(int64_t n, const float *x, float *y)
{
    for (int64_t i = 0; i < n; i++)
        y[i] = x[i] / (1.0f + expf(-x[i]));
}

void BL(gelu_tanh)(int64_t n, const float *x, float *y)
{
    for (int64_t i = 0; i < n; i++)
        y[i] = 0.5f * x[i] * (1.0f + tanhf(0.7978845608f * (x[i] + 0.044715f * x[i] * x[i] * x[i])));
}

void BL(gelu_erf)(int64_t n, const float *x, float *y)
{
    for (int64_t i = 0; i < n; i++)
        y[i] = 0.5f * x[i] * (1.0f + erff(x[i] * 0.70710678f));
}

void BL(relu)(int64_t n, const float *x, float *y)
{
    for (int64_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void BL(tanh)(int64_t n, const float *x, float *y)
{
    for (int64_t i = 0; i < n; i++)
        y[i] = tanhf(x[i]);
}

void BL(exp)(int64_t n, const float *x, float *y)
{
    for (int64_t i = 0; i < n; i++)
        y[i] = expf(x[i]);
}

void BL(swiglu)(int64_t n, const float *g, const float *u, float *y)
{
    for (int64_t i = 0; i < n; i++)
        y[i] = g[i] / (1.0f + expf(-g[i])) * u[i];
}

void BL(softmax)(int64_t rows, int64_t n, const float *x, float *y)
{
    for (int64_t r = 0; r < rows; r++, x += n, y += n) {
        float m = -INFINITY, s = 0.0f;
        for (int64_t i = 0; i < n; i++)
            m = x[i] > m ? x[i] : m;
        for (int64_t i = 0; i < n; i++) {
            y[i] = expf(x[i] - m);
            s += y[i];
        }
        float inv = 1.0f / s;
        for (int64_t i = 0; i < n; i++)
            y[i] *= inv;
    }
}

void BL(rms_norm)(int64_t rows, int64_t n, const float *x, const float *w, float eps, float *y)
{
    for (int64_t r = 0; r < rows; r++, x += n, y += n) {
        double ss = 0.0;
        for (int64_t i = 0; i < n; i++)
            ss += (double)x[i] * x[i];
        double inv = 1.0 / sqrt(ss / (double)n + eps);
        for (int64_t i = 0; i < n; i++)
            y[i] = (float)(x[i] * inv) * w[i];
    }
}

void BL(layer_norm)(int64_t rows, int64_t n, const float *x, const float *w, const float *b, float eps, float *y)
{
    for (int64_t r = 0; r < rows; r++, x += n, y += n) {
        double sum = 0.0, sq = 0.0;
        for (int64_t i = 0; i < n; i++)
            sum += x[i];
        double mean = sum / (double)n;
        for (int64_t i = 0; i < n; i++)
            sq += (x[i] - mean) * (x[i] - mean);
        double inv = 1.0 / sqrt(sq / (double)n + eps);
        for (int64_t i = 0; i < n; i++)
            y[i] = (float)((x[i] - mean) * inv) * w[i] + b[i];
    }
}

/* cos/sin once per token and pair, then every head: what a careful plain loop does. */
void BL(rope)(int64_t tokens, int64_t heads, int64_t head_dim, float *x, const int32_t *pos, float theta, int neox)
{
    int64_t half = head_dim / 2;
    float c[half], s[half];
    for (int64_t t = 0; t < tokens; t++) {
        for (int64_t i = 0; i < half; i++) {
            float a = (float)pos[t] * powf(theta, -(float)(2 * i) / (float)head_dim);
            c[i] = cosf(a);
            s[i] = sinf(a);
        }
        for (int64_t h = 0; h < heads; h++) {
            float *v = x + (t * heads + h) * head_dim;
            for (int64_t i = 0; i < half; i++) {
                int64_t i0 = neox ? i : 2 * i, i1 = neox ? i + half : 2 * i + 1;
                float x0 = v[i0], x1 = v[i1];
                v[i0] = x0 * c[i] - x1 * s[i];
                v[i1] = x0 * s[i] + x1 * c[i];
            }
        }
    }
}
