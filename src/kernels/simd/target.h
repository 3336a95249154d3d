/* Which ISA a per-ISA template is being compiled for (set by cmake/GkIsa.cmake), and the name
 * macro that gives each compiled copy its own symbols: GK_FN(gk_silu_f32) -> gk_silu_f32_avx2. */
#ifndef GK_SIMD_TARGET_H
#define GK_SIMD_TARGET_H

#if defined(GK_TARGET_AVX512)
#define GK_TARGET_NAME avx512
#elif defined(GK_TARGET_AVX2)
#define GK_TARGET_NAME avx2
#elif defined(GK_TARGET_SCALAR)
#define GK_TARGET_NAME scalar
#else
#error "per-ISA template compiled without GK_TARGET_<ISA> (use gk_isa_template in CMake)"
#endif

#define GK_CAT3_(a, b, c) a##b##c
#define GK_CAT3(a, b, c) GK_CAT3_(a, b, c)
#define GK_FN(name) GK_CAT3(name, _, GK_TARGET_NAME)

#endif
