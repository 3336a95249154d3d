/* Scalar definitions of rotary position embedding, one head of head_dim elements.
 *
 * Pair i (0 <= i < head_dim/2) rotates by angle = pos * theta^(-2i/head_dim); the angle, its
 * cosine and sine are computed in float (powf, cosf, sinf), so SIMD kernels that build a
 * cos/sin table with the same calls match exactly. Both inputs of a pair are read before
 * either output is written, so y may alias x. */
#include <math.h>

#include "scalar/scalar.h"

static inline float rope_angle(int64_t i, int64_t head_dim, float pos, float theta)
{
    return pos * powf(theta, -(float)(2 * i) / (float)head_dim);
}

/* GPT-J layout: pairs (x[2i], x[2i+1]). */
void gk_scalar_rope_interleaved(const float *x, float *y, int64_t head_dim, float pos, float theta)
{
    for (int64_t i = 0; i < head_dim / 2; i++) {
        float a = rope_angle(i, head_dim, pos, theta);
        float c = cosf(a), s = sinf(a);
        float x0 = x[2 * i], x1 = x[2 * i + 1];
        y[2 * i] = x0 * c - x1 * s;
        y[2 * i + 1] = x0 * s + x1 * c;
    }
}

/* NeoX layout: pairs (x[i], x[i + head_dim/2]). */
void gk_scalar_rope_neox(const float *x, float *y, int64_t head_dim, float pos, float theta)
{
    int64_t half = head_dim / 2;
    for (int64_t i = 0; i < half; i++) {
        float a = rope_angle(i, head_dim, pos, theta);
        float c = cosf(a), s = sinf(a);
        float x0 = x[i], x1 = x[i + half];
        y[i] = x0 * c - x1 * s;
        y[i + half] = x0 * s + x1 * c;
    }
}
