/* The vector math functions under test, applied to arrays by a per-ISA copy of vecmath_isa.c. */
#ifndef GK_TEST_VECMATH_ISA_H
#define GK_TEST_VECMATH_ISA_H

#include <stdint.h>

/* Domain of the sin/cos sweep: GK_SINCOS_MAX of vecmath.h. */
#define GK_TVM_SINCOS_MAX 131072.0f

typedef enum {
    GK_TVM_EXP,
    GK_TVM_LOG,
    GK_TVM_TANH,
    GK_TVM_ERF,
    GK_TVM_SIGMOID,
    GK_TVM_RECIP,
    GK_TVM_RSQRT,
    GK_TVM_SINCOS /* y = sin, y2 = cos */
} gk_tvm_fn;

/* y[i] = fn(x[i]) (and y2[i] = cos x[i] for GK_TVM_SINCOS; y2 may be NULL otherwise). */
void gk_tvm_apply_avx2(gk_tvm_fn fn, int64_t n, const float *x, float *y, float *y2);
void gk_tvm_apply_avx512(gk_tvm_fn fn, int64_t n, const float *x, float *y, float *y2);

#endif
