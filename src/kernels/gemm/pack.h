/* Packing for the f32 GEMM driver (included by the per-ISA driver template, so each ISA's copy
 * is compiled and vectorized with that ISA's flags).
 *
 * Packed B: a kc-by-nc block is a sequence of NR-wide column panels, panel j holding rows
 * p = 0..kc-1 of columns j*NR .. j*NR+NR-1 contiguously ([p][NR]); columns beyond n are zero
 * so the micro-kernel can read full NR-wide rows. The same layout serves gk_pack_b (all of B,
 * one such block per KC slice of k) and the per-call packing of the blocked path.
 * Packed A: an mc-by-kc block is a sequence of MR-row panels ([p][MR]); rows beyond m are not
 * written because the micro-kernel never reads rows >= m. */
#ifndef GK_KERNELS_GEMM_PACK_H
#define GK_KERNELS_GEMM_PACK_H

#include <immintrin.h>
#include <stdint.h>
#include <string.h>

/* Rows of B ahead of the one being copied that are prefetched: B's rows are often more than a
 * page apart, where the hardware prefetchers stop, and the skinny paths are bound by how fast B
 * streams in from memory. */
#define GK_PACK_PREFETCH_ROWS 8

/* 8x8 transpose of 32-bit elements: loaded rows r[i], i < 8, become rows dst[i*ldd .. +8).
 * 256-bit AVX code, shared by every x86 level this driver is compiled for (all of them have
 * AVX2), and by the bf16 packing, which moves k pairs as 32-bit elements. */
static inline void gk_transpose_8x8_rows(const __m256 r[8], float *dst, int64_t ldd)
{
    __m256 t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 4; i++) {
        _mm256_storeu_ps(dst + i * ldd, _mm256_permute2f128_ps(u[i], u[i + 4], 0x20));
        _mm256_storeu_ps(dst + (i + 4) * ldd, _mm256_permute2f128_ps(u[i], u[i + 4], 0x31));
    }
}

/* 8x8 transpose: rows src[i*lds .. +8), i < 8, become rows dst[i*ldd .. +8). */
static inline void gk_transpose_8x8(const float *src, int64_t lds, float *dst, int64_t ldd)
{
    __m256 r[8];
    for (int i = 0; i < 8; i++)
        r[i] = _mm256_loadu_ps(src + i * lds);
    gk_transpose_8x8_rows(r, dst, ldd);
}

/* Rows p0..p1-1 of the panels of rows k0..k0+kc-1, columns j0..j0+ncols-1 of row-major B
 * (k-by-n), NR-wide panels kc*nr floats apart in dst. Row by row across all the panels, so each
 * row of B is read as one contiguous run; the rows ahead are prefetched up to row kc-1, past p1,
 * so a caller that packs a block in pieces between other work finds each piece's rows arriving. */
static inline void gk_pack_b_nn_rows(const float *b, int64_t ldb, int64_t k0, int64_t kc, int64_t p0, int64_t p1,
                                     int64_t j0, int64_t ncols, int nr, float *dst)
{
    const int64_t full = ncols / nr, part = ncols - full * nr;
    for (int64_t p = p0; p < p1; p++) {
        const float *src = b + (k0 + p) * ldb + j0;
        if (p + GK_PACK_PREFETCH_ROWS < kc)
            for (int64_t j = 0; j < ncols; j += 16)
                __builtin_prefetch(src + GK_PACK_PREFETCH_ROWS * ldb + j);
        float *d = dst + p * nr;
        for (int64_t jp = 0; jp < full; jp++)
            for (int q = 0; q < nr; q += 8) /* whole ymm moves: the copy is bound by stores */
                _mm256_storeu_ps(d + jp * kc * nr + q, _mm256_loadu_ps(src + jp * nr + q));
        if (part) {
            d += full * kc * nr;
            memcpy(d, src + full * nr, (size_t)part * sizeof(float));
            memset(d + part, 0, (size_t)(nr - part) * sizeof(float));
        }
    }
}

/* All kc rows of those panels. */
static inline void gk_pack_b_nn(const float *b, int64_t ldb, int64_t k0, int64_t kc, int64_t j0, int64_t ncols,
                                int nr, float *dst)
{
    gk_pack_b_nn_rows(b, ldb, k0, kc, 0, kc, j0, ncols, nr, dst);
}

/* The same panels from B stored n-by-k (B^T row-major): 8x8 transposes where 8 rows and 8
 * columns are left, element copies at the edges. */
static inline void gk_pack_b_bt(const float *b, int64_t ldb, int64_t k0, int64_t kc, int64_t j0, int64_t ncols,
                                int nr, float *dst)
{
    for (int64_t jp = 0; jp * nr < ncols; jp++) {
        const int64_t nc = ncols - jp * nr < nr ? ncols - jp * nr : nr, nc8 = nc / 8 * 8, kc8 = kc / 8 * 8;
        const float *src = b + (j0 + jp * nr) * ldb + k0;
        float *d = dst + jp * kc * nr;
        for (int64_t j = 0; j < nc8; j += 8)
            for (int64_t p = 0; p < kc8; p += 8) {
                for (int i = 0; i < 8; i++)
                    __builtin_prefetch(src + (j + i) * ldb + p + 64);
                gk_transpose_8x8(src + j * ldb + p, ldb, d + p * nr + j, nr);
            }
        for (int64_t p = 0; p < kc; p++) {
            int64_t j = p < kc8 ? nc8 : 0;
            for (; j < nc; j++)
                d[p * nr + j] = src[j * ldb + p];
            for (; j < nr; j++)
                d[p * nr + j] = 0.0f;
        }
    }
}

/* Ask for the block rows k0..k0+kc-1, columns j0..j0+ncols-1 of B (k-by-n, or n-by-k when
 * trans) to be brought in ahead of its packing or use: issued before the caller computes on the
 * block packed last, the memory stream then overlaps the FMAs instead of preceding them. nta:
 * prefetchnta instead of prefetcht1 (the skinny path's strips, docs/GEMM.md); a constant at
 * every call, so each inlined copy keeps one form. */
static inline void gk_prefetch_b_block(const float *b, int64_t ldb, int trans, int64_t k0, int64_t kc, int64_t j0,
                                       int64_t ncols, int nta)
{
    const int64_t rows = trans ? ncols : kc, run = trans ? kc : ncols;
    const float *src = trans ? b + j0 * ldb + k0 : b + k0 * ldb + j0;
    for (int64_t r = 0; r < rows; r++)
        for (int64_t o = 0; o < run; o += 16) {
            if (nta)
                __builtin_prefetch(src + r * ldb + o, 0, 0);
            else
                __builtin_prefetch(src + r * ldb + o, 0, 2);
        }
}

/* One MR-row panel of rows i0..i0+mc-1 (mc <= MR), columns k0..k0+kc-1 of row-major A. */
static inline void gk_pack_a_panel(const float *a, int64_t lda, int64_t i0, int64_t mc, int64_t k0, int64_t kc,
                                   int mr, float *dst)
{
    const float *src = a + i0 * lda + k0;
    int64_t p = 0;
    if (mr == 8 && mc == 8) /* a full 8-row panel is a column of 8x8 transposes */
        for (; p + 8 <= kc; p += 8)
            gk_transpose_8x8(src + p, lda, dst + p * 8, 8);
    for (; p + 8 <= kc; p += 8)
        for (int64_t r = 0; r < mc; r++) {
            const float *s = src + r * lda + p;
            for (int q = 0; q < 8; q++)
                dst[(p + q) * mr + r] = s[q];
        }
    for (; p < kc; p++)
        for (int64_t r = 0; r < mc; r++)
            dst[p * mr + r] = src[r * lda + p];
}

#endif
