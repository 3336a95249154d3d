/* The DeviceProfile's measurement loops, written once and compiled per ISA (gk_isa_template):
 * the read probe at every width (the scalar copy is the SSE2 baseline every x86-64 has), the
 * FMA probe where the ISA has FMA. See measure.h. */
#include "runtime/measure.h"

#include "kernels/simd/target.h"

#if defined(GK_TARGET_SCALAR)
#define MEASURE_BYTES 16
#else
#include "kernels/simd/simd.h"
#define MEASURE_BYTES GK_VBYTES
#endif

/* A GCC vector of the target's width: the compiler emits one full-width load + add per lane
 * group, which is all the read probe needs. */
typedef float measure_vec __attribute__((vector_size(MEASURE_BYTES)));
enum { vec_floats = MEASURE_BYTES / 4, read_chains = 8 };

/* 8 accumulators: two loads per cycle against a 3-4 cycle add latency. */
float GK_FN(gk_measure_read)(const float *p, int64_t n)
{
    measure_vec s[read_chains] = {0};
    for (int64_t i = 0; i < n; i += read_chains * vec_floats) {
#pragma GCC unroll 8
        for (int j = 0; j < read_chains; j++)
            s[j] += *(const measure_vec *)(p + i + j * vec_floats);
    }
    for (int j = 1; j < read_chains; j++)
        s[0] += s[j];
    float sum = 0;
    for (int l = 0; l < vec_floats; l++)
        sum += s[0][l];
    return sum;
}

#if !defined(GK_TARGET_SCALAR)
/* Independent chains: every known core needs latency (4-5) × FMA pipes (1-2) ≤ 10 in flight;
 * three quarters of the register file covers that and leaves room for the two constants. */
enum { fma_chains = GK_VREGS * 3 / 4 };

int64_t GK_FN(gk_measure_fma)(int64_t iters, float *sink)
{
    /* acc = acc·m + c converges to c / (1 − m) = 0.1: no overflow and no denormals. */
    const gk_vf m = gk_v_set1(0.999f), c = gk_v_set1(1e-4f);
    gk_vf a[fma_chains];
    for (int j = 0; j < fma_chains; j++)
        a[j] = gk_v_set1(0.01f * (float)(j + 1));
    for (int64_t i = 0; i < iters; i++) {
#pragma GCC unroll 24
        for (int j = 0; j < fma_chains; j++)
            a[j] = gk_v_fma(a[j], m, c);
    }
    for (int j = 1; j < fma_chains; j++)
        a[0] = gk_v_add(a[0], a[j]);
    *sink = gk_v_reduce_add(a[0]);
    return iters * fma_chains * GK_VL * 2;
}
#endif
