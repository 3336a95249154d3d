/* gk_bf16_gemm_ukernel_8x48__avx512bf16: the AVX512_BF16 GEMM micro-kernel, an 8-by-48 f32 tile
 * of C from bf16 panels packed in k pairs, in 24 zmm accumulators (contract:
 * gk_bf16_ukernel_args in src/kernels/gemm/ukernel.h; docs/GEMM.md).
 *
 * Per k pair: three zmm loads of B (48 columns x 2 bf16), eight 32-bit broadcasts of A (one
 * pair per row), 24 vdpbf16ps: each lane adds two products, so one instruction does the work of
 * two FMAs, and the tile's loads per FLOP are half of the f32 kernel's. The same 8x48 shape as
 * the f32 AVX-512 kernel, so the driver's MR/NR and blocking serve both. Only packed panels are
 * taken: A needs no row pointers, and every row is computed (the blocked path has m > 8, edge
 * tiles are rare); rows >= m and columns >= n are never stored (opmasks k1..k3 select the first
 * n columns; masked-out lanes are neither read nor written). Uses only caller-saved registers. */

#define ARG_A 0
#define ARG_B 8
#define ARG_C 16
#define ARG_KP 24
#define ARG_LDC 32
#define ARG_M 40
#define ARG_N 48
#define ARG_ACC 56

#define ARGS %rdi
#define AP %rsi
#define BP %rdx
#define KLEFT %r8

    .text

/* acc0..2 += pairs of the broadcast row times the three B vectors */
.macro DOT3 bcast, a0, a1, a2
    vdpbf16ps %zmm24, \bcast, \a0
    vdpbf16ps %zmm25, \bcast, \a1
    vdpbf16ps %zmm26, \bcast, \a2
.endm

/* Four rows from byte offset `off` of the A pair panel: broadcast their pairs, 12 dot products. */
.macro ROWS4 off, c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11
    vpbroadcastd \off(AP), %zmm27
    vpbroadcastd \off+4(AP), %zmm28
    vpbroadcastd \off+8(AP), %zmm29
    vpbroadcastd \off+12(AP), %zmm30
    DOT3 %zmm27, \c0, \c1, \c2
    DOT3 %zmm28, \c3, \c4, \c5
    DOT3 %zmm29, \c6, \c7, \c8
    DOT3 %zmm30, \c9, \c10, \c11
.endm

/* One k pair for all eight rows (`rows` is the shared k loop's parameter: always 8 here). */
.macro KSTEP rows
    .ifne \rows - 8
    .error "the bf16 kernel computes all eight rows"
    .endif
    vmovups (BP), %zmm24
    vmovups 64(BP), %zmm25
    vmovups 128(BP), %zmm26
    ROWS4 0, %zmm0, %zmm1, %zmm2, %zmm3, %zmm4, %zmm5, %zmm6, %zmm7, %zmm8, %zmm9, %zmm10, %zmm11
    ROWS4 16, %zmm12, %zmm13, %zmm14, %zmm15, %zmm16, %zmm17, %zmm18, %zmm19, %zmm20, %zmm21, %zmm22, %zmm23
    add $192, BP
    add $32, AP
.endm

/* The k loop: unrolled by 4, then the remainder; ends at .Lstore. */
#include "kernels/gemm/ukernel_kloop.inc"

#include "kernels/gemm/ukernel_tile48.inc"

/* One row of the tile: C added in when accumulating (%r11 != 0), then the masked store;
 * %rcx row pointer, %r9 ldc, %r10 rows left. */
.macro ROW a0, a1, a2
    test %r11, %r11
    jz 1f
    TILE48_ADD_C \a0, \a1, \a2, %rcx
1:
    TILE48_STORE \a0, \a1, \a2, %rcx, %r9, %r10
.endm

    .globl gk_bf16_gemm_ukernel_8x48__avx512bf16
    .hidden gk_bf16_gemm_ukernel_8x48__avx512bf16
    .type gk_bf16_gemm_ukernel_8x48__avx512bf16, @function
    .p2align 5
gk_bf16_gemm_ukernel_8x48__avx512bf16:
    .cfi_startproc
    mov ARG_C(ARGS), %rcx
    mov ARG_LDC(ARGS), %r9
    TILE48_PREFETCH_C %rcx, %r9
    mov ARG_A(ARGS), AP
    mov ARG_B(ARGS), BP
    mov ARG_KP(ARGS), KLEFT
    .irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23
    vpxord %zmm\r, %zmm\r, %zmm\r
    .endr
    KLOOP 8

.Lstore:
    mov ARG_N(ARGS), %rcx
    TILE48_MASKS
    mov ARG_C(ARGS), %rcx
    mov ARG_LDC(ARGS), %r9
    mov ARG_M(ARGS), %r10
    mov ARG_ACC(ARGS), %r11
    TILE48_ROWS ROW

.Ldone:
    vzeroupper
    ret
    .cfi_endproc
    .size gk_bf16_gemm_ukernel_8x48__avx512bf16, .-gk_bf16_gemm_ukernel_8x48__avx512bf16

    .section .note.GNU-stack, "", @progbits
