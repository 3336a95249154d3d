/* gk_f32_gemm_ukernel_6x16__avx2: the AVX2+FMA f32 GEMM micro-kernel, a 6-by-16 tile of C held
 * in 12 ymm accumulators (contract: src/kernels/gemm/ukernel.h, docs/GEMM.md).
 *
 * Per k step: two ymm loads of B, six broadcasts of A, twelve FMAs (a tile of m < 6 rows runs a
 * loop that has only its rows' broadcasts and FMAs). A rows are addressed as
 * p_r + kk with p_r = a + min(r, m-1)*rs_a, so one offset register serves a packed panel and a
 * strided row-major A alike, and rows beyond m re-read row m-1 instead of leaving the matrix.
 * Edges: n < 16 stores through a lane mask (vmaskmovps never touches masked-out memory); rows
 * beyond m are not stored. */

/* argument struct offsets (pinned by _Static_asserts in ukernel.h) */
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

/* register roles in the k loop */
#define ARGS %rdi
#define P0 %r8
#define P1 %r9
#define P2 %r10
#define P3 %r11
#define P4 %r12
#define P5 %r13
#define KK %rsi
#define BP %rbx
#define RS_B %rbp
#define CS_A %r14
#define KLEFT %r15

    .section .rodata
    .balign 64
/* lane masks for n < 16: 16 x all-ones then 16 x zero, read from offset 64 - 4n */
.Lmask_tab:
    .rept 16
    .long -1
    .endr
    .rept 16
    .long 0
    .endr

    .text

/* p_r = a + min(r, m-1) * rs_a; %rcx holds m-1, %rax rs_a */
.macro ROW_PTR r, dst
    mov $\r, %edx
    cmp %rcx, %rdx
    cmova %rcx, %rdx
    imul %rax, %rdx
    lea (P0,%rdx), \dst
.endm

/* One k step for the first `rows` rows (rows beyond m are skipped, not computed). */
.macro KSTEP rows
    vmovups (BP), %ymm12
    vmovups 32(BP), %ymm13
    add RS_B, BP
    vbroadcastss (P0,KK), %ymm14
    vfmadd231ps %ymm12, %ymm14, %ymm0
    vfmadd231ps %ymm13, %ymm14, %ymm1
    .if \rows > 1
    vbroadcastss (P1,KK), %ymm15
    vfmadd231ps %ymm12, %ymm15, %ymm2
    vfmadd231ps %ymm13, %ymm15, %ymm3
    .endif
    .if \rows > 2
    vbroadcastss (P2,KK), %ymm14
    vfmadd231ps %ymm12, %ymm14, %ymm4
    vfmadd231ps %ymm13, %ymm14, %ymm5
    .endif
    .if \rows > 3
    vbroadcastss (P3,KK), %ymm15
    vfmadd231ps %ymm12, %ymm15, %ymm6
    vfmadd231ps %ymm13, %ymm15, %ymm7
    .endif
    .if \rows > 4
    vbroadcastss (P4,KK), %ymm14
    vfmadd231ps %ymm12, %ymm14, %ymm8
    vfmadd231ps %ymm13, %ymm14, %ymm9
    .endif
    .if \rows > 5
    vbroadcastss (P5,KK), %ymm15
    vfmadd231ps %ymm12, %ymm15, %ymm10
    vfmadd231ps %ymm13, %ymm15, %ymm11
    .endif
    add CS_A, KK
.endm

/* The k loop for `rows` rows: unrolled by 4, then the remainder; ends at .Lstore. */
#include "kernels/gemm/ukernel_kloop.inc"

/* Store one row: acc += C row (accumulate) or += ymm12/13 (bias or zero), full width. */
.macro ROW_FULL_C lo, hi
    vaddps (%rcx), \lo, \lo
    vaddps 32(%rcx), \hi, \hi
    vmovups \lo, (%rcx)
    vmovups \hi, 32(%rcx)
    add %rdx, %rcx
    dec %rsi
    jz .Ldone
.endm

.macro ROW_FULL_BIAS lo, hi
    vaddps %ymm12, \lo, \lo
    vaddps %ymm13, \hi, \hi
    vmovups \lo, (%rcx)
    vmovups \hi, 32(%rcx)
    add %rdx, %rcx
    dec %rsi
    jz .Ldone
.endm

/* masked forms: lane masks in ymm14/15 */
.macro ROW_MASK_C lo, hi
    vmaskmovps (%rcx), %ymm14, %ymm12
    vmaskmovps 32(%rcx), %ymm15, %ymm13
    vaddps %ymm12, \lo, \lo
    vaddps %ymm13, \hi, \hi
    vmaskmovps \lo, %ymm14, (%rcx)
    vmaskmovps \hi, %ymm15, 32(%rcx)
    add %rdx, %rcx
    dec %rsi
    jz .Ldone
.endm

.macro ROW_MASK_BIAS lo, hi
    vaddps %ymm12, \lo, \lo
    vaddps %ymm13, \hi, \hi
    vmaskmovps \lo, %ymm14, (%rcx)
    vmaskmovps \hi, %ymm15, 32(%rcx)
    add %rdx, %rcx
    dec %rsi
    jz .Ldone
.endm

    .globl gk_f32_gemm_ukernel_6x16__avx2
    .hidden gk_f32_gemm_ukernel_6x16__avx2
    .type gk_f32_gemm_ukernel_6x16__avx2, @function
    .p2align 5
gk_f32_gemm_ukernel_6x16__avx2:
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
    mov ARG_RS_A(ARGS), %rax
    mov ARG_M(ARGS), %rcx
    dec %rcx
    ROW_PTR 1, P1
    ROW_PTR 2, P2
    ROW_PTR 3, P3
    ROW_PTR 4, P4
    ROW_PTR 5, P5

    /* C lines are touched at the end: start fetching them now (prefetch never faults) */
    mov ARG_C(ARGS), %rax
    mov ARG_LDC(ARGS), %rdx
    prefetcht0 (%rax)
    prefetcht0 60(%rax)
    add %rdx, %rax
    prefetcht0 (%rax)
    prefetcht0 60(%rax)
    add %rdx, %rax
    prefetcht0 (%rax)
    prefetcht0 60(%rax)
    add %rdx, %rax
    prefetcht0 (%rax)
    prefetcht0 60(%rax)
    add %rdx, %rax
    prefetcht0 (%rax)
    prefetcht0 60(%rax)
    add %rdx, %rax
    prefetcht0 (%rax)
    prefetcht0 60(%rax)

    mov ARG_B(ARGS), BP
    mov ARG_RS_B(ARGS), RS_B
    mov ARG_CS_A(ARGS), CS_A
    mov ARG_K(ARGS), KLEFT
    xor %esi, %esi

    vxorps %ymm0, %ymm0, %ymm0
    vxorps %ymm1, %ymm1, %ymm1
    vxorps %ymm2, %ymm2, %ymm2
    vxorps %ymm3, %ymm3, %ymm3
    vxorps %ymm4, %ymm4, %ymm4
    vxorps %ymm5, %ymm5, %ymm5
    vxorps %ymm6, %ymm6, %ymm6
    vxorps %ymm7, %ymm7, %ymm7
    vxorps %ymm8, %ymm8, %ymm8
    vxorps %ymm9, %ymm9, %ymm9
    vxorps %ymm10, %ymm10, %ymm10
    vxorps %ymm11, %ymm11, %ymm11

    /* a loop per row count, so short edge tiles (and skinny M) cost only their rows */
    mov ARG_M(ARGS), %rax
    cmp $6, %rax
    jae .Lrows6
    cmp $1, %rax
    je .Lrows1
    cmp $2, %rax
    je .Lrows2
    cmp $3, %rax
    je .Lrows3
    cmp $4, %rax
    je .Lrows4
    KLOOP 5
.Lrows1:
    KLOOP 1
.Lrows2:
    KLOOP 2
.Lrows3:
    KLOOP 3
.Lrows4:
    KLOOP 4
.Lrows6:
    KLOOP 6

.Lstore:
    mov ARG_C(ARGS), %rcx
    mov ARG_LDC(ARGS), %rdx
    mov ARG_M(ARGS), %rsi
    cmpq $16, ARG_N(ARGS)
    jne .Lmasked

    cmpq $0, ARG_ACC(ARGS)
    jne .Lfull_c
    vxorps %ymm12, %ymm12, %ymm12
    vxorps %ymm13, %ymm13, %ymm13
    mov ARG_BIAS(ARGS), %rax
    test %rax, %rax
    jz .Lfull_bias
    vmovups (%rax), %ymm12
    vmovups 32(%rax), %ymm13
.Lfull_bias:
    ROW_FULL_BIAS %ymm0, %ymm1
    ROW_FULL_BIAS %ymm2, %ymm3
    ROW_FULL_BIAS %ymm4, %ymm5
    ROW_FULL_BIAS %ymm6, %ymm7
    ROW_FULL_BIAS %ymm8, %ymm9
    ROW_FULL_BIAS %ymm10, %ymm11
    jmp .Ldone
.Lfull_c:
    ROW_FULL_C %ymm0, %ymm1
    ROW_FULL_C %ymm2, %ymm3
    ROW_FULL_C %ymm4, %ymm5
    ROW_FULL_C %ymm6, %ymm7
    ROW_FULL_C %ymm8, %ymm9
    ROW_FULL_C %ymm10, %ymm11
    jmp .Ldone

.Lmasked:
    mov ARG_N(ARGS), %rax
    shl $2, %rax
    lea .Lmask_tab+64(%rip), %r8
    sub %rax, %r8
    vmovups (%r8), %ymm14
    vmovups 32(%r8), %ymm15
    cmpq $0, ARG_ACC(ARGS)
    jne .Lmask_c
    vxorps %ymm12, %ymm12, %ymm12
    vxorps %ymm13, %ymm13, %ymm13
    mov ARG_BIAS(ARGS), %rax
    test %rax, %rax
    jz .Lmask_bias
    vmaskmovps (%rax), %ymm14, %ymm12
    vmaskmovps 32(%rax), %ymm15, %ymm13
.Lmask_bias:
    ROW_MASK_BIAS %ymm0, %ymm1
    ROW_MASK_BIAS %ymm2, %ymm3
    ROW_MASK_BIAS %ymm4, %ymm5
    ROW_MASK_BIAS %ymm6, %ymm7
    ROW_MASK_BIAS %ymm8, %ymm9
    ROW_MASK_BIAS %ymm10, %ymm11
    jmp .Ldone
.Lmask_c:
    ROW_MASK_C %ymm0, %ymm1
    ROW_MASK_C %ymm2, %ymm3
    ROW_MASK_C %ymm4, %ymm5
    ROW_MASK_C %ymm6, %ymm7
    ROW_MASK_C %ymm8, %ymm9
    ROW_MASK_C %ymm10, %ymm11

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
    .size gk_f32_gemm_ukernel_6x16__avx2, .-gk_f32_gemm_ukernel_6x16__avx2

    .section .note.GNU-stack, "", @progbits
