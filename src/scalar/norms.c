/* Scalar definitions of the row operators: softmax, rms_norm, layer_norm (one row of n).
 *
 * softmax: max-subtracted, exponentials summed in float in index order, then scaled by the
 * reciprocal of the sum. Edge cases are defined so that no NaN appears where the limit exists:
 *   - any NaN in the row          -> the whole row is NaN;
 *   - one or more +inf            -> the mass is shared equally among the +inf entries, 0 elsewhere;
 *   - every entry -inf            -> uniform 1/n;
 *   - huge finite values          -> fine (x - max <= 0, exp underflows to 0 at worst).
 *
 * rms_norm and layer_norm accumulate their sums in double (so |x| up to FLT_MAX cannot
 * overflow x*x or the sum) and normalize in double: each element is (x - mean) * inv in
 * double, rounded once to float, then multiplied by w (and b added) in float. This keeps the
 * result exact to float rounding even when the mean is large against the spread, and avoids a
 * subnormal (imprecise) scale when the rms is near FLT_MAX. SIMD kernels follow the same steps;
 * only their summation order differs. */
#include <math.h>

#include "scalar/scalar.h"

void gk_scalar_softmax(const float *x, float *y, int64_t n)
{
    float m = -INFINITY;
    for (int64_t i = 0; i < n; i++)
        if (x[i] > m || x[i] != x[i])
            m = x[i];
    if (m != m) {
        for (int64_t i = 0; i < n; i++)
            y[i] = NAN;
        return;
    }
    if (m == INFINITY) {
        int64_t count = 0;
        for (int64_t i = 0; i < n; i++)
            count += x[i] == INFINITY;
        float share = 1.0f / (float)count;
        for (int64_t i = 0; i < n; i++)
            y[i] = x[i] == INFINITY ? share : 0.0f;
        return;
    }
    if (m == -INFINITY) {
        float share = 1.0f / (float)n;
        for (int64_t i = 0; i < n; i++)
            y[i] = share;
        return;
    }
    float sum = 0.0f;
    for (int64_t i = 0; i < n; i++) {
        float e = expf(x[i] - m);
        y[i] = e;
        sum += e;
    }
    float inv = 1.0f / sum;
    for (int64_t i = 0; i < n; i++)
        y[i] = y[i] * inv;
}

void gk_scalar_rms_norm(const float *x, const float *w, float *y, int64_t n, float eps)
{
    double ss = 0.0;
    for (int64_t i = 0; i < n; i++)
        ss += (double)x[i] * (double)x[i];
    double inv = 1.0 / sqrt(ss / (double)n + (double)eps);
    for (int64_t i = 0; i < n; i++)
        y[i] = (float)((double)x[i] * inv) * w[i];
}

/* Population variance, two passes (mean first), both in double. */
void gk_scalar_layer_norm(const float *x, const float *w, const float *b, float *y, int64_t n, float eps)
{
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++)
        sum += (double)x[i];
    double mean = sum / (double)n;
    double sq = 0.0;
    for (int64_t i = 0; i < n; i++) {
        double d = (double)x[i] - mean;
        sq += d * d;
    }
    double inv = 1.0 / sqrt(sq / (double)n + (double)eps);
    for (int64_t i = 0; i < n; i++)
        y[i] = (float)(((double)x[i] - mean) * inv) * w[i] + b[i];
}
