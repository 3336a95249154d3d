/* f32 -> bf16 conversion of a contiguous range (the kernel entry f32_to_bf16), a template
 * compiled per ISA: a plain loop over the definition's inline rounding (scalar/bf16_round.h),
 * which the compiler vectorizes with this copy's ISA flags. Same bits as the definition. */
#include <string.h>

#include "kernels/simd/target.h"
#include "ops/dispatch.h"
#include "scalar/bf16_round.h"

static void GK_FN(gk_f32_to_bf16)(int64_t n, const float *x, uint16_t *y)
{
    for (int64_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, x + i, sizeof u);
        y[i] = gk_bf16_round(u);
    }
}

void GK_FN(gk_register_convert)(gk_kernel_table *t, uint32_t features)
{
    (void)features;
    t->f32_to_bf16 = GK_FN(gk_f32_to_bf16);
}
