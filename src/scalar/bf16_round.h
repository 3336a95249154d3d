/* The f32 -> bf16 rounding as one inline integer function: the scalar definition
 * (gk_scalar_f32_to_bf16, lowp.c) is this function, and the per-ISA conversion loop
 * (src/kernels/blas/narrow.c) calls it so that the compiler vectorizes the same arithmetic:
 * every level gives the definition's bits. */
#ifndef GK_SCALAR_BF16_ROUND_H
#define GK_SCALAR_BF16_ROUND_H

#include <stdint.h>

/* u: the bits of an f32. Round to nearest even on the 16 dropped bits (a carry into the
 * exponent gives the next binade, or infinity past the largest bf16); a NaN keeps its sign and
 * top payload bits and gets the quiet bit, so it cannot round to infinity. */
static inline uint16_t gk_bf16_round(uint32_t u)
{
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((u >> 16) | 0x0040u);
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

#endif
