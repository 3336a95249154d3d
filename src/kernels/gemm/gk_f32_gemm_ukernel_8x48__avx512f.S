/* gk_f32_gemm_ukernel_8x48__avx512f: the AVX-512F f32 GEMM micro-kernel, an 8-by-48 tile of C
 * in 24 zmm accumulators (contract: src/kernels/gemm/ukernel.h; shape choice: docs/GEMM.md).
 *
 * Per k step: three zmm loads of B, eight broadcasts of A, 24 FMAs (a tile of m < 8 rows runs a
 * loop that has only its rows' broadcasts and FMAs). A rows are addressed as
 * p_r + kk with p_r = a + min(r, m-1)*rs_a (eight row pointers), so a packed panel and a strided
 * row-major A share one loop and rows beyond m are never read. Edges: opmasks k1..k3 select the
 * first n columns for stores (masked-out lanes are neither read nor written). AVX-512F only. */

#define ARG_A 0
#define ARG_B 8
#define ARG_C 16
#define ARG_K 24
#define ARG_RS_A 32
#define ARG_CS_A 40
#define ARG_RS_B 48
#define ARG_LDC 56
#define ARG_M 64
#define ARG_N 72
#define ARG_BIAS 80
#define ARG_ACC 88

#define ARGS %rdi
#define P0 %r8
#define P1 %r9
#define P2 %r10
#define P3 %r11
#define P4 %r12
#define P5 %r13
#define P6 %rcx
#define P7 %rdx
#define KK %rsi
#define BP %rbx
#define RS_B %rbp
#define CS_A %r14
#define KLEFT %r15

    .text

/* p_r = a + min(r, m-1) * rs_a; %rax holds m-1 on entry and is preserved */
.macro ROW_PTR r, dst
    mov $\r, \dst
    cmp %rax, \dst
    cmova %rax, \dst
    imul ARG_RS_A(ARGS), \dst
    add P0, \dst
.endm

.macro FMA3 bcast, a0, a1, a2
    vfmadd231ps %zmm24, \bcast, \a0
    .if KS_VECS > 1
    vfmadd231ps %zmm25, \bcast, \a1
    .endif
    .if KS_VECS > 2
    vfmadd231ps %zmm26, \bcast, \a2
    .endif
.endm

/* One k step for the first `rows` rows (rows beyond m are skipped, not computed). `rows` may
 * carry 16 * v more: then only the first v (1 or 2) of the three column vectors are computed,
 * for an edge panel of n <= 16 v columns (the lanes beyond n are never stored either way). */
.macro KSTEP rows
    .set KS_ROWS, (\rows) & 15
    .set KS_VECS, (\rows) >> 4
    .if KS_VECS == 0
    .set KS_VECS, 3
    .endif
    vmovups (BP), %zmm24
    .if KS_VECS > 1
    vmovups 64(BP), %zmm25
    .endif
    .if KS_VECS > 2
    vmovups 128(BP), %zmm26
    .endif
    add RS_B, BP
    vbroadcastss (P0,KK), %zmm27
    FMA3 %zmm27, %zmm0, %zmm1, %zmm2
    .if KS_ROWS > 1
    vbroadcastss (P1,KK), %zmm28
    FMA3 %zmm28, %zmm3, %zmm4, %zmm5
    .endif
    .if KS_ROWS > 2
    vbroadcastss (P2,KK), %zmm29
    FMA3 %zmm29, %zmm6, %zmm7, %zmm8
    .endif
    .if KS_ROWS > 3
    vbroadcastss (P3,KK), %zmm30
    FMA3 %zmm30, %zmm9, %zmm10, %zmm11
    .endif
    .if KS_ROWS > 4
    vbroadcastss (P4,KK), %zmm27
    FMA3 %zmm27, %zmm12, %zmm13, %zmm14
    .endif
    .if KS_ROWS > 5
    vbroadcastss (P5,KK), %zmm28
    FMA3 %zmm28, %zmm15, %zmm16, %zmm17
    .endif
    .if KS_ROWS > 6
    vbroadcastss (P6,KK), %zmm29
    FMA3 %zmm29, %zmm18, %zmm19, %zmm20
    .endif
    .if KS_ROWS > 7
    vbroadcastss (P7,KK), %zmm30
    FMA3 %zmm30, %zmm21, %zmm22, %zmm23
    .endif
    add CS_A, KK
.endm

/* The k loop for `rows` rows: unrolled by 4, then the remainder; ends at .Lstore. */
#include "kernels/gemm/ukernel_kloop.inc"

#include "kernels/gemm/ukernel_tile48.inc"

/* One row of C: acc += C (accumulate) or += zmm27..29 (bias or zero), then the masked store.
 * %rcx row pointer, %rdx ldc, %rsi rows left. */
.macro ROW_C a0, a1, a2
    TILE48_ADD_C \a0, \a1, \a2, %rcx
    TILE48_STORE \a0, \a1, \a2, %rcx, %rdx, %rsi
.endm

.macro ROW_BIAS a0, a1, a2
    vaddps %zmm27, \a0, \a0
    vaddps %zmm28, \a1, \a1
    vaddps %zmm29, \a2, \a2
    TILE48_STORE \a0, \a1, \a2, %rcx, %rdx, %rsi
.endm

    .globl gk_f32_gemm_ukernel_8x48__avx512f
    .hidden gk_f32_gemm_ukernel_8x48__avx512f
    .type gk_f32_gemm_ukernel_8x48__avx512f, @function
    .p2align 5
gk_f32_gemm_ukernel_8x48__avx512f:
    .cfi_startproc
    push %rbx
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbx, 0
    push %rbp
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbp, 0
    push %r12
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r12, 0
    push %r13
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r13, 0
    push %r14
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r14, 0
    push %r15
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r15, 0

    mov ARG_A(ARGS), P0
    mov ARG_M(ARGS), %rax
    dec %rax
    ROW_PTR 1, P1
    ROW_PTR 2, P2
    ROW_PTR 3, P3
    ROW_PTR 4, P4
    ROW_PTR 5, P5
    ROW_PTR 6, P6
    ROW_PTR 7, P7

    mov ARG_C(ARGS), %rax
    mov ARG_LDC(ARGS), RS_B
    TILE48_PREFETCH_C %rax, RS_B

    mov ARG_B(ARGS), BP
    mov ARG_RS_B(ARGS), RS_B
    mov ARG_CS_A(ARGS), CS_A
    mov ARG_K(ARGS), KLEFT
    xor %esi, %esi

    .irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23
    vpxord %zmm\r, %zmm\r, %zmm\r
    .endr

    /* a loop per row count, so short edge tiles (and skinny M) cost only their rows */
    mov ARG_M(ARGS), %rax
    cmp $8, %rax
    jae .Lfull
    cmp $1, %rax
    je .Lrows1
    cmp $2, %rax
    je .Lrows2
    cmp $3, %rax
    je .Lrows3
    cmp $4, %rax
    je .Lrows4
    cmp $5, %rax
    je .Lrows5
    cmp $6, %rax
    je .Lrows6
    KLOOP 7
.Lrows1:
    KLOOP 1
.Lrows2:
    KLOOP 2
.Lrows3:
    KLOOP 3
.Lrows4:
    KLOOP 4
.Lrows5:
    KLOOP 5
.Lrows6:
    KLOOP 6
/* all eight rows; a narrow edge panel (n <= 16 or 32) computes only its column vectors */
.Lfull:
    cmpq $16, ARG_N(ARGS)
    jbe .Lrows8v1
    cmpq $32, ARG_N(ARGS)
    jbe .Lrows8v2
    KLOOP 8
.Lrows8v1:
    KLOOP 8 + 16
.Lrows8v2:
    KLOOP 8 + 32

.Lstore:
    mov ARG_N(ARGS), %rcx
    TILE48_MASKS

    mov ARG_C(ARGS), %rcx
    mov ARG_LDC(ARGS), %rdx
    mov ARG_M(ARGS), %rsi
    cmpq $0, ARG_ACC(ARGS)
    jne .Lrows_c
    vpxord %zmm27, %zmm27, %zmm27
    vpxord %zmm28, %zmm28, %zmm28
    vpxord %zmm29, %zmm29, %zmm29
    mov ARG_BIAS(ARGS), %rax
    test %rax, %rax
    jz .Lrows_bias
    vmovups (%rax), %zmm27{%k1}{z}
    vmovups 64(%rax), %zmm28{%k2}{z}
    vmovups 128(%rax), %zmm29{%k3}{z}
.Lrows_bias:
    TILE48_ROWS ROW_BIAS
.Lrows_c:
    TILE48_ROWS ROW_C

.Ldone:
    vzeroupper
    pop %r15
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r15
    pop %r14
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r14
    pop %r13
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r13
    pop %r12
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r12
    pop %rbp
    .cfi_adjust_cfa_offset -8
    .cfi_restore %rbp
    pop %rbx
    .cfi_adjust_cfa_offset -8
    .cfi_restore %rbx
    ret
    .cfi_endproc
    .size gk_f32_gemm_ukernel_8x48__avx512f, .-gk_f32_gemm_ukernel_8x48__avx512f

    .section .note.GNU-stack, "", @progbits
