/* The f32 GEMM micro-kernel contract (docs/GEMM.md), shared by the C drivers and the assembly
 * kernels. The kernels read their arguments from this struct: the offsets are part of the
 * contract and are pinned by the static asserts below (the .S files use the same numbers).
 *
 * One call computes an m-by-n tile (1 <= m <= MR, 1 <= n <= NR) of
 *     C = A·B            accumulate == 0, bias == NULL   (C is never read: it may hold NaN)
 *     C = A·B + bias     accumulate == 0, bias != NULL   (bias[0..n) broadcast over rows)
 *     C = C + A·B        accumulate != 0                 (bias ignored)
 * with A·B accumulated in k order from +0 by FMA, k >= 0.
 *   A: element (r, p) at (char *)a + r*rs_a + p*cs_a. Rows r >= m are never read, so A may be
 *      a packed MR-row panel (rs_a = 4, cs_a = 4*MR) or the caller's row-major matrix
 *      (rs_a = 4*lda, cs_a = 4).
 *   B: row p at (char *)b + p*rs_b, NR floats readable in every row (a packed panel, rs_b =
 *      4*NR, or a row-major matrix whose rows have NR floats left from b); lanes >= n are
 *      multiplied but never stored.
 *   C: row r at (char *)c + r*ldc; only the m-by-n tile is read (accumulate) or written.
 * No alignment is assumed for any pointer or stride. */
#ifndef GK_KERNELS_GEMM_UKERNEL_H
#define GK_KERNELS_GEMM_UKERNEL_H

#include <stddef.h>
#include <stdint.h>

typedef struct gk_f32_ukernel_args {
    const float *a;     /*  0 */
    const float *b;     /*  8 */
    float *c;           /* 16 */
    int64_t k;          /* 24 */
    int64_t rs_a;       /* 32: bytes */
    int64_t cs_a;       /* 40: bytes */
    int64_t rs_b;       /* 48: bytes */
    int64_t ldc;        /* 56: bytes */
    int64_t m;          /* 64 */
    int64_t n;          /* 72 */
    const float *bias;  /* 80 */
    int64_t accumulate; /* 88 */
} gk_f32_ukernel_args;

_Static_assert(offsetof(gk_f32_ukernel_args, k) == 24, "ukernel ABI");
_Static_assert(offsetof(gk_f32_ukernel_args, m) == 64, "ukernel ABI");
_Static_assert(offsetof(gk_f32_ukernel_args, bias) == 80, "ukernel ABI");
_Static_assert(sizeof(gk_f32_ukernel_args) == 96, "ukernel ABI");

typedef void (*gk_f32_ukernel_fn)(const gk_f32_ukernel_args *args);

/* A micro-kernel and the tile it computes: registered together, as BLIS does. */
typedef struct gk_f32_ukernel {
    gk_f32_ukernel_fn fn;
    int mr, nr;
} gk_f32_ukernel;

void gk_f32_gemm_ukernel_6x16__avx2(const gk_f32_ukernel_args *args);
void gk_f32_gemm_ukernel_8x48__avx512f(const gk_f32_ukernel_args *args);

/* The bf16 micro-kernel contract (AVX512_BF16 vdpbf16ps, docs/GEMM.md). Operands are packed in
 * k pairs: a 32-bit word holds the bf16 elements 2q (low half) and 2q+1 (high half) of one row
 * (A) or column (B); an odd k's last pair has a zero high half. One call computes an m-by-n tile
 * (1 <= m <= MR, 1 <= n <= NR) of
 *     C = A·B            accumulate == 0   (C is never read: it may hold NaN)
 *     C = C + A·B        accumulate != 0
 * from kp >= 0 pairs, each pair's two products added to the f32 accumulators (started at +0) in
 * pair order, as vdpbf16ps does it: round to nearest even, denormal inputs and results flushed to
 * zero whatever MXCSR says. Only packed panels are taken (the blocked path packs both sides):
 *   A: pair q of row r at a[q*MR + r]; all MR rows are read and multiplied, rows >= m are never
 *      stored (they may hold anything).
 *   B: pair q of column j at b[q*NR + j]; columns >= n are multiplied but never stored.
 *   C: row r at (char *)c + r*ldc; only the m-by-n tile is read (accumulate) or written.
 * No alignment is assumed. */
typedef struct gk_bf16_ukernel_args {
    const uint32_t *a;  /*  0 */
    const uint32_t *b;  /*  8 */
    float *c;           /* 16 */
    int64_t kp;         /* 24: k pairs */
    int64_t ldc;        /* 32: bytes */
    int64_t m;          /* 40 */
    int64_t n;          /* 48 */
    int64_t accumulate; /* 56 */
} gk_bf16_ukernel_args;

_Static_assert(offsetof(gk_bf16_ukernel_args, kp) == 24, "ukernel ABI");
_Static_assert(offsetof(gk_bf16_ukernel_args, m) == 40, "ukernel ABI");
_Static_assert(sizeof(gk_bf16_ukernel_args) == 64, "ukernel ABI");

void gk_bf16_gemm_ukernel_8x48__avx512bf16(const gk_bf16_ukernel_args *args);

/* The AMX-BF16 micro-kernel contract (TDPBF16PS, docs/GEMM.md). One call computes the full
 * 32-by-32 f32 tile
 *     C = A·B            accumulate == 0   (C is never read: it may hold NaN)
 *     C = C + A·B        accumulate != 0
 * from kb >= 0 blocks of 32 k, each block's products added to C in k-pair order, as TDPBF16PS
 * does it (RNE; denormal inputs and results flushed to zero whatever MXCSR says). Operands:
 *   A: block q, row r at (char *)a + q*astep + r*lda: that row's 32 bf16 of the block (a
 *      row-major matrix: lda = its row bytes, astep = 64; tile order: lda = 64, astep = 2048).
 *   B: in tile order, 2 KiB per block: pair p (k elements 2p, 2p+1 of block q) of column j
 *      at (uint32_t *)((char *)b + q*2048) + p*32 + j.
 *   C: row r at (char *)c + r*ldc, all 32 rows and 32 columns read (accumulate) and written.
 * The calling thread must have loaded gk_amx_tilecfg (gk_amx_tile_config, after the OS granted
 * the tile state: gk_amx_bf16_usable in amx_bf16.h) and releases it after its last call. */
typedef struct gk_amx_ukernel_args {
    const uint16_t *a;  /*  0 */
    const uint32_t *b;  /*  8 */
    float *c;           /* 16 */
    int64_t kb;         /* 24: blocks of 32 k */
    int64_t ldc;        /* 32: bytes */
    int64_t accumulate; /* 40 */
    int64_t lda;        /* 48: bytes */
    int64_t astep;      /* 56: bytes */
} gk_amx_ukernel_args;

_Static_assert(offsetof(gk_amx_ukernel_args, kb) == 24, "ukernel ABI");
_Static_assert(offsetof(gk_amx_ukernel_args, accumulate) == 40, "ukernel ABI");
_Static_assert(offsetof(gk_amx_ukernel_args, astep) == 56, "ukernel ABI");

/* LDTILECFG's 64-byte operand: palette 1, every tile 16 rows of 64 bytes. */
typedef struct gk_amx_tilecfg {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} gk_amx_tilecfg;

_Static_assert(sizeof(gk_amx_tilecfg) == 64, "LDTILECFG operand");

extern const gk_amx_tilecfg gk_amx_tilecfg_32x32;

void gk_amx_tile_config(const gk_amx_tilecfg *cfg);
void gk_amx_tile_release(void);
void gk_bf16_gemm_ukernel_32x32__amx(const gk_amx_ukernel_args *args);

#endif
