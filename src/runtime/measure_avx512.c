/* 512-bit measurement loops (AVX-512F): FMA peak and read bandwidth (see measure.h). */
#include "runtime/measure.h"

#include <immintrin.h>

#define CHAINS 24

/* 24 chains: latency 4 × two 512-bit FMA pipes = 8 in flight is the most any known core needs;
 * 24 accumulators leave 8 of the 32 zmm registers free, so nothing spills. */
int64_t gk_measure_fma_avx512(int64_t iters, float *sink)
{
    /* acc = acc·m + c converges to c / (1 − m) = 0.1: no overflow and no denormals. */
    const __m512 m = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(1e-4f);
    __m512 a[CHAINS];
    for (int j = 0; j < CHAINS; j++)
        a[j] = _mm512_set1_ps(0.01f * (float)(j + 1));
    for (int64_t i = 0; i < iters; i++) {
#pragma GCC unroll 24
        for (int j = 0; j < CHAINS; j++)
            a[j] = _mm512_fmadd_ps(a[j], m, c);
    }
    __m512 s = a[0];
    for (int j = 1; j < CHAINS; j++)
        s = _mm512_add_ps(s, a[j]);
    *sink = _mm512_reduce_add_ps(s);
    return iters * CHAINS * 16 * 2;
}

/* 8 accumulators: two loads per cycle against a 3-4 cycle add latency. */
float gk_measure_read_avx512(const float *p, int64_t n)
{
    __m512 s[8];
    for (int j = 0; j < 8; j++)
        s[j] = _mm512_setzero_ps();
    for (int64_t i = 0; i < n; i += 128) {
#pragma GCC unroll 8
        for (int j = 0; j < 8; j++)
            s[j] = _mm512_add_ps(s[j], _mm512_load_ps(p + i + 16 * j));
    }
    for (int j = 1; j < 8; j++)
        s[0] = _mm512_add_ps(s[0], s[j]);
    return _mm512_reduce_add_ps(s[0]);
}
