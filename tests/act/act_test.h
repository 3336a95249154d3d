/* Helpers of the issue-4 kernel tests: ULP distance, the length sweep, inputs with special
 * values, and a run of an op at 1 and 2 threads. */
#ifndef GK_ACT_TEST_H
#define GK_ACT_TEST_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "gk_test.h"

/* 0, 1, around both vector widths (8, 16) and twice them, odd tails, one row past 4096, and a
 * length of several ops-layer chunks (16384 elements) with an odd tail. */
static const int64_t act_lens[] = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 100, 1023,
                                   4095, 4096, 4097, 70001};
enum { ACT_NLENS = sizeof act_lens / sizeof act_lens[0] };

/* Distance in representable floats (0 for equal values, including -0 vs +0 and NaN vs NaN;
 * huge when only one is NaN). */
static inline double act_ulps(float a, float b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b) ? 0 : 1e30;
    int32_t ia, ib;
    memcpy(&ia, &a, 4);
    memcpy(&ib, &b, 4);
    int64_t oa = ia < 0 ? (int64_t)INT32_MIN - ia : ia, ob = ib < 0 ? (int64_t)INT32_MIN - ib : ib;
    return (double)(oa > ob ? oa - ob : ob - oa);
}

/* One ULP of a double value at float precision (normal or subnormal). */
static inline double act_ulp(double r)
{
    int e;
    frexp(r, &e);
    return ldexp(1.0, e - 24 < -149 ? -149 : e - 24);
}

/* x[i] uniform in [lo, hi], with every 97th element replaced by a special value. */
static inline void act_fill(gk_rng *r, float *x, int64_t n, float lo, float hi, int specials)
{
    static const float sv[] = {0.0f, -0.0f, INFINITY, -INFINITY, NAN, 1e30f, -1e30f, 1e-40f, -3e38f, 88.0f,
                               -88.0f, -100.0f, 100.0f};
    gk_rng_fill(r, x, n, lo, hi);
    if (specials)
        for (int64_t i = 5, k = 0; i < n; i += 97, k++)
            x[i] = sv[k % (int64_t)(sizeof sv / sizeof sv[0])];
}

#endif
