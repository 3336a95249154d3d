/* The few-rows GEMM kernel (gemm_rows.c), declared by name for each ISA it is compiled for, so
 * that its test can call every copy the CPU runs. */
#ifndef GK_KERNELS_BLAS_GEMM_ROWS_H
#define GK_KERNELS_BLAS_GEMM_ROWS_H

#include <stdint.h>

/* The most rows of A it takes (one register-blocked copy per row count). */
#define GK_GEMM_ROWS_MAX_M 8

/* C = A B, A m-by-k (1 <= m <= GK_GEMM_ROWS_MAX_M), B k-by-n, C m-by-n, all row-major: whole
 * rows of B streamed over C; each C element is the sequential FMA chain over p from 0. */
void gk_gemm_rows_f32_avx2(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb,
                           float *c, int64_t ldc);
void gk_gemm_rows_f32_avx512(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                             int64_t ldb, float *c, int64_t ldc);

#endif
