/* bf16 x bf16 GEMM (C f32 = A·B^T, B n-by-k) on AMX-BF16 tiles: the blocked path of
 * gk_gemm_bt_bf16bf16_f32 on CPUs with AMX (docs/GEMM.md). Built with the AVX-512 level. */
#ifndef GK_KERNELS_GEMM_AMX_BF16_H
#define GK_KERNELS_GEMM_AMX_BF16_H

#include <stdint.h>

#include "gk/gk.h"

/* Whether this process may use the AMX tile state: asks Linux once (arch_prctl
 * ARCH_REQ_XCOMP_PERM for XTILEDATA); 0 where the OS refuses. Call only where the CPU reports
 * AMX-BF16 (GK_FEAT_AMX_BF16). */
int gk_amx_bf16_usable(void);

/* Arguments as gk_gemm_bt_bf16bf16_f32 after validation: m, n, k >= 1. */
gk_status gk_gemm_bt_bf16bf16_amx(int64_t m, int64_t n, int64_t k, const uint16_t *a, int64_t lda,
                                  const uint16_t *b, int64_t ldb, float *c, int64_t ldc);

/* gk_gemm_bt_bf16 (f32 A, bf16 B) on the tiles, A split exactly into three bf16 parts; the same
 * validated arguments. */
gk_status gk_gemm_bt_bf16_split_amx(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                                    const uint16_t *b, int64_t ldb, float *c, int64_t ldc);

#endif
