/* Reference activation kernels: the scalar definition applied element by element (plain stores:
 * the streaming hint only matters to the vector kernels). */
#include "kernels/ref/ref.h"
#include "scalar/scalar.h"

#define GK_REF_UNARY(op)                                     \
    void gk_ref_##op(int64_t n, const float *x, float *y, int stream) \
    {                                                        \
        (void)stream;                                        \
        for (int64_t i = 0; i < n; i++)                      \
            y[i] = gk_scalar_##op(x[i]);                     \
    }

GK_REF_UNARY(silu)
GK_REF_UNARY(gelu_tanh)
GK_REF_UNARY(gelu_erf)
GK_REF_UNARY(relu)
GK_REF_UNARY(tanh)
GK_REF_UNARY(exp)

void gk_ref_swiglu(int64_t n, const float *gate, const float *up, float *y, int stream)
{
    (void)stream;
    for (int64_t i = 0; i < n; i++)
        y[i] = gk_scalar_swiglu(gate[i], up[i]);
}
