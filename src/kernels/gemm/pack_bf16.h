/* Packing of bf16 operands in k pairs for the AVX512_BF16 micro-kernel (its contract:
 * gk_bf16_ukernel_args in ukernel.h). Included by the AVX-512 copy of the driver template.
 *
 * The bf16 elements 2q and 2q+1 of a row are adjacent in memory, so a pair is one 32-bit word
 * and packing is a transpose of 32-bit elements: the same 8x8 network as the f32 packing. A
 * panel of width w holds, for pair q, the words of rows 0..w-1 at dst[q*w ..]; A's rows and
 * B^T's rows (B's columns) are packed alike. */
#ifndef GK_KERNELS_GEMM_PACK_BF16_H
#define GK_KERNELS_GEMM_PACK_BF16_H

#include <stdint.h>

#include "kernels/gemm/pack.h"

/* The word of the elements p (low half) and p+1 of a row; an odd k's last pair (p+1 == end)
 * gets a zero high half, which adds 0 * 0 to the dot product. */
static inline uint32_t gk_bf16_pair(const uint16_t *row, int64_t p, int64_t end)
{
    return (uint32_t)row[p] | (p + 1 < end ? (uint32_t)row[p + 1] << 16 : 0u);
}

/* One panel: `rows` rows (rows <= w) of kc elements starting at src, rows ld elements apart,
 * into (kc+1)/2 pairs of w words; words of rows >= rows are zero. 8x8 word transposes where 8
 * rows and 8 whole pairs are left, word copies at the edges. */
static inline void gk_pack_bf16_pairs(const uint16_t *src, int64_t ld, int64_t kc, int64_t rows, int w,
                                      uint32_t *dst)
{
    const int64_t kp = (kc + 1) / 2, whole8 = kc / 2 / 8 * 8, rows8 = rows / 8 * 8;
    for (int64_t r = 0; r < rows8; r += 8)
        for (int64_t q = 0; q < whole8; q += 8) {
            __m256 v[8];
            for (int i = 0; i < 8; i++) {
                const uint16_t *s = src + (r + i) * ld + 2 * q;
                __builtin_prefetch(s + 128);
                v[i] = _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i_u *)s));
            }
            gk_transpose_8x8_rows(v, (float *)(dst + q * w + r), w);
        }
    for (int64_t q = 0; q < kp; q++) {
        int64_t r = q < whole8 ? rows8 : 0;
        for (; r < rows; r++)
            dst[q * w + r] = gk_bf16_pair(src + r * ld, 2 * q, kc);
        for (; r < w; r++)
            dst[q * w + r] = 0;
    }
}

#endif
