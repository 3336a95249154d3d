/* Per-ISA registration of kernels into the dispatch table (compiled once per ISA). Each kernel
 * family contributes one register call; entries left alone are inherited from the level below. */
#include "kernels/simd/target.h"
#include "ops/dispatch.h"

#define GK_REGISTER_FAMILY(family) void GK_FN(family)(gk_kernel_table * t, uint32_t features);
#include "kernels/families.inc"
#undef GK_REGISTER_FAMILY

void GK_FN(gk_register_kernels)(gk_kernel_table *t, uint32_t features)
{
#define GK_REGISTER_FAMILY(family) GK_FN(family)(t, features);
#include "kernels/families.inc"
#undef GK_REGISTER_FAMILY
    (void)t;
    (void)features;
}
