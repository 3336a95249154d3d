/* The reference kernel table: every entry filled, so every ISA level inherits a working kernel
 * for whatever it does not implement itself. */
#include "kernels/ref/ref.h"

const gk_kernel_table gk_kernels_ref = {
#define GK_KERNEL(name, ret, params) .name = gk_ref_##name,
#include "ops/kernels.inc"
#undef GK_KERNEL
};
