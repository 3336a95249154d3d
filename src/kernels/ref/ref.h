/* The reference (scalar) level of the kernel table: gk_ref_<entry> for every entry of
 * src/ops/kernels.inc, each a plain loop over the scalar definitions (src/scalar/). */
#ifndef GK_KERNELS_REF_H
#define GK_KERNELS_REF_H

#include "ops/dispatch.h"

#define GK_KERNEL(name, ret, params) ret gk_ref_##name params;
#include "ops/kernels.inc"
#undef GK_KERNEL

#endif
