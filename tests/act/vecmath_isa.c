/* Per-ISA access to the vector math functions of src/kernels/vecmath/vecmath.h for the ULP tests
 * (they are static inline, so each ISA copy of this file exports one array-applying function). */
#include "kernels/vecmath/vecmath.h"
#include "vecmath_isa.h"

static inline gk_vf apply(gk_tvm_fn fn, gk_vf x, gk_vf *second)
{
    switch (fn) {
    case GK_TVM_EXP: return gk_v_exp(x);
    case GK_TVM_LOG: return gk_v_log(x);
    case GK_TVM_TANH: return gk_v_tanh(x);
    case GK_TVM_ERF: return gk_v_erf(x);
    case GK_TVM_SIGMOID: return gk_v_sigmoid(x);
    case GK_TVM_RECIP: return gk_v_recip(x);
    case GK_TVM_RSQRT: return gk_v_rsqrt(x);
    default: {
        gk_vf s, c;
        gk_v_sincos(x, &s, &c);
        *second = c;
        return s;
    }
    }
}

void GK_FN(gk_tvm_apply)(gk_tvm_fn fn, int64_t n, const float *x, float *y, float *y2)
{
    gk_vf c = gk_v_zero();
    int64_t i = 0;
    for (; i + GK_VL <= n; i += GK_VL) {
        gk_v_storeu(y + i, apply(fn, gk_v_loadu(x + i), &c));
        if (y2)
            gk_v_storeu(y2 + i, c);
    }
    gk_vf v = apply(fn, gk_v_load_tail(x + i, n - i), &c);
    gk_v_store_tail(y + i, v, n - i);
    if (y2)
        gk_v_store_tail(y2 + i, c, n - i);
}
