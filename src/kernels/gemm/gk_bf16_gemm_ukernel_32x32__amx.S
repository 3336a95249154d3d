/* gk_bf16_gemm_ukernel_32x32__amx: the AMX-BF16 GEMM micro-kernel, a 32-by-32 f32 tile of C
 * from bf16 panels in AMX tile order (contract: gk_amx_ukernel_args in
 * src/kernels/gemm/ukernel.h; docs/GEMM.md), and the tile configuration it runs under.
 *
 * Tile registers (gk_amx_tile_config: palette 1, every tile 16 rows of 64 bytes): tmm0..3 the
 * four 16x16 f32 quarters of C, tmm4/5 A's rows 0-15 / 16-31 (32 bf16 of k each, rows lda bytes
 * apart, so A may be the caller's own row-major matrix), tmm6/7 B's columns 0-15 / 16-31 (16 k
 * pairs each). Per k block of 32: four tile loads (4 KiB) and four TDPBF16PS (16x16x32 products
 * each, 16384 FLOPs). The caller handles edge tiles (a full tile is loaded and stored with ldc),
 * so the kernel has no masks. */

#define ARG_A 0
#define ARG_B 8
#define ARG_C 16
#define ARG_KB 24
#define ARG_LDC 32
#define ARG_ACC 40
#define ARG_LDA 48
#define ARG_ASTEP 56

    .text

    .globl gk_amx_tile_config
    .hidden gk_amx_tile_config
    .type gk_amx_tile_config, @function
    .p2align 4
gk_amx_tile_config:
    .cfi_startproc
    ldtilecfg (%rdi)
    ret
    .cfi_endproc
    .size gk_amx_tile_config, .-gk_amx_tile_config

    .globl gk_amx_tile_release
    .hidden gk_amx_tile_release
    .type gk_amx_tile_release, @function
    .p2align 4
gk_amx_tile_release:
    .cfi_startproc
    tilerelease
    ret
    .cfi_endproc
    .size gk_amx_tile_release, .-gk_amx_tile_release

    .globl gk_bf16_gemm_ukernel_32x32__amx
    .hidden gk_bf16_gemm_ukernel_32x32__amx
    .type gk_bf16_gemm_ukernel_32x32__amx, @function
    .p2align 5
gk_bf16_gemm_ukernel_32x32__amx:
    .cfi_startproc
    mov ARG_C(%rdi), %rcx
    mov ARG_LDC(%rdi), %r9
    mov %r9, %r11
    shl $4, %r11
    add %rcx, %r11              /* C's row 16 */
    cmpq $0, ARG_ACC(%rdi)
    jz 1f
    tileloadd (%rcx,%r9,1), %tmm0
    tileloadd 64(%rcx,%r9,1), %tmm1
    tileloadd (%r11,%r9,1), %tmm2
    tileloadd 64(%r11,%r9,1), %tmm3
    jmp 2f
1:
    tilezero %tmm0
    tilezero %tmm1
    tilezero %tmm2
    tilezero %tmm3
2:
    mov ARG_A(%rdi), %rsi
    mov ARG_LDA(%rdi), %rax
    mov %rax, %rcx
    shl $4, %rcx
    add %rsi, %rcx              /* A's row 16 */
    mov ARG_ASTEP(%rdi), %r9
    mov ARG_B(%rdi), %rdx
    mov ARG_KB(%rdi), %r8
    mov $128, %r10d             /* B block: 16 pair rows of 32 columns */
    test %r8, %r8
    jz 4f
3:
    tileloadd (%rsi,%rax,1), %tmm4
    tileloadd (%rcx,%rax,1), %tmm5
    tileloadd (%rdx,%r10,1), %tmm6
    tileloadd 64(%rdx,%r10,1), %tmm7
    tdpbf16ps %tmm6, %tmm4, %tmm0
    tdpbf16ps %tmm7, %tmm4, %tmm1
    tdpbf16ps %tmm6, %tmm5, %tmm2
    tdpbf16ps %tmm7, %tmm5, %tmm3
    add %r9, %rsi
    add %r9, %rcx
    add $2048, %rdx
    dec %r8
    jnz 3b
4:
    mov ARG_C(%rdi), %rcx
    mov ARG_LDC(%rdi), %r9
    tilestored %tmm0, (%rcx,%r9,1)
    tilestored %tmm1, 64(%rcx,%r9,1)
    tilestored %tmm2, (%r11,%r9,1)
    tilestored %tmm3, 64(%r11,%r9,1)
    ret
    .cfi_endproc
    .size gk_bf16_gemm_ukernel_32x32__amx, .-gk_bf16_gemm_ukernel_32x32__amx

    .section .note.GNU-stack, "", @progbits
