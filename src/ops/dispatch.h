/* The per-ISA kernel table and the zero-cost dispatch to it (DESIGN §4). */
#ifndef GK_OPS_DISPATCH_H
#define GK_OPS_DISPATCH_H

#include "gk/gk.h"

typedef struct gk_kernel_table {
#define GK_KERNEL(name, ret, params) ret(*name) params;
#include "ops/kernels.inc"
#undef GK_KERNEL
} gk_kernel_table;

/* Rows the GEMV kernels compute together (gemv, gemv_bf16, gemv_f16): the ops layer hands them
 * whole blocks (gk_ops_gemv_grain), since a lone row runs a slower single-row loop. */
#define GK_GEMV_ROW_BLOCK 4

/* The scalar level: every entry, built on the definitions in src/scalar/. */
extern const gk_kernel_table gk_kernels_ref;

/* Per-ISA registration (src/kernels/register.c, compiled per ISA): overwrite the entries that
 * ISA implements, using the CPU's feature bits for optional extensions (e.g. AVX512_BF16). */
void gk_register_kernels_avx2(gk_kernel_table *t, uint32_t features);
void gk_register_kernels_avx512(gk_kernel_table *t, uint32_t features);

/* The table of the active ISA level. Fails (GK_ERR_UNSUPPORTED) when GK_ISA names a level
 * this CPU lacks or an unknown level. */
gk_status gk_dispatch(const gk_kernel_table **t);

/* The table of a given level (for tests and benchmarks comparing levels); the level must be
 * supported by this CPU. */
gk_status gk_dispatch_isa(gk_isa isa, const gk_kernel_table **t);

#endif
