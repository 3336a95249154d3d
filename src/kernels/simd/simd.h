/* Entry point of the SIMD primitive layer for op templates: selects the primitive header of the
 * ISA this copy of the template is compiled for (GK_TARGET_<ISA>, set by gk_isa_template). Every
 * header defines the same primitives (see avx2.h for the list): GK_VL lanes of type gk_vf, lane
 * masks gk_vm, i32 lanes gk_vi for exponent tricks and f64 half-width lanes gk_vd. */
#ifndef GK_SIMD_SIMD_H
#define GK_SIMD_SIMD_H

#include "kernels/simd/target.h"

#if defined(GK_TARGET_AVX512)
#include "kernels/simd/avx512.h"
#elif defined(GK_TARGET_AVX2)
#include "kernels/simd/avx2.h"
#else
#error "the SIMD primitive layer has no header for this target"
#endif

/* Bytes in one vector (the natural alignment of gk_v_load / gk_v_store). */
#define GK_VBYTES (GK_VL * 4)

#endif
