/* The scalar definitions: one plain C function per operator, the single source of truth for
 * what each operator computes (DESIGN §1, §6). Built with fixed flags (src/scalar/CMakeLists.txt),
 * exported with C linkage so that the JIT's Phase 0 can read their machine code and so that
 * tests (C and Python/ctypes) can call them. SIMD kernels are tested against them.
 *
 * Argument order convention (the JIT's evaluation convention relies on it): input arrays, then
 * output arrays, then the length, then float parameters. Outputs may alias inputs exactly. */
#ifndef GK_SCALAR_H
#define GK_SCALAR_H

#include <stdint.h>

#include "gk/gk.h"

/* elementwise, one element */
GK_API float gk_scalar_silu(float x);
GK_API float gk_scalar_gelu_tanh(float x);
GK_API float gk_scalar_gelu_erf(float x);
GK_API float gk_scalar_relu(float x);
GK_API float gk_scalar_tanh(float x);
GK_API float gk_scalar_exp(float x);
GK_API float gk_scalar_swiglu(float gate, float up);

/* BLAS-1 */
GK_API float gk_scalar_vec_dot(const float *x, const float *y, int64_t n);
GK_API void gk_scalar_vec_add(const float *x, const float *y, float *out, int64_t n);
GK_API void gk_scalar_vec_mul(const float *x, const float *y, float *out, int64_t n);
GK_API void gk_scalar_vec_scale(const float *x, float *out, int64_t n, float alpha);
GK_API void gk_scalar_vec_axpy(const float *x, const float *y, float *out, int64_t n, float alpha); /* out = y + alpha*x */
GK_API float gk_scalar_vec_sum(const float *x, int64_t n);
GK_API float gk_scalar_vec_max(const float *x, int64_t n);

/* one row */
GK_API void gk_scalar_softmax(const float *x, float *y, int64_t n);
GK_API void gk_scalar_rms_norm(const float *x, const float *w, float *y, int64_t n, float eps);
GK_API void gk_scalar_layer_norm(const float *x, const float *w, const float *b, float *y, int64_t n, float eps);
/* one head of head_dim elements at position pos */
GK_API void gk_scalar_rope_interleaved(const float *x, float *y, int64_t head_dim, float pos, float theta);
GK_API void gk_scalar_rope_neox(const float *x, float *y, int64_t head_dim, float pos, float theta);

/* BLAS-2/3, dense (leading dimension = row length) */
GK_API void gk_scalar_gemv(int64_t n, int64_t k, const float *a, const float *x, float *y);
GK_API void gk_scalar_gemm(int64_t m, int64_t n, int64_t k, const float *a, const float *b, float *c);
GK_API void gk_scalar_gemm_bt(int64_t m, int64_t n, int64_t k, const float *a, const float *b, float *c);
GK_API void gk_scalar_gemm_bias(int64_t m, int64_t n, int64_t k, const float *a, const float *b, const float *bias,
                                float *c);

/* strided forms for the reference kernels: same arithmetic as the dense forms (one shared
 * inline body), bias may be NULL */
GK_API void gk_scalar_gemv_ld(int64_t n, int64_t k, const float *a, int64_t lda, const float *x, float *y);
GK_API void gk_scalar_gemm_ld(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                              int64_t ldb, const float *bias, float *c, int64_t ldc);
GK_API void gk_scalar_gemm_bt_ld(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                                 int64_t ldb, const float *bias, float *c, int64_t ldc);

/* bf16 / f16 weights (lowp.c): a weight widens exactly to f32, then the f32 arithmetic above */
GK_API float gk_scalar_bf16_to_f32(uint16_t h);
GK_API float gk_scalar_f16_to_f32(uint16_t h);
GK_API void gk_scalar_gemv_bf16(int64_t n, int64_t k, const uint16_t *a, const float *x, float *y);
GK_API void gk_scalar_gemv_f16(int64_t n, int64_t k, const uint16_t *a, const float *x, float *y);
GK_API void gk_scalar_gemm_bt_bf16(int64_t m, int64_t n, int64_t k, const float *a, const uint16_t *b, float *c);
GK_API void gk_scalar_gemm_bt_f16(int64_t m, int64_t n, int64_t k, const float *a, const uint16_t *b, float *c);
GK_API void gk_scalar_gemv_bf16_ld(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y);
GK_API void gk_scalar_gemv_f16_ld(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y);
GK_API void gk_scalar_gemm_bt_bf16_ld(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *b,
                                      int64_t ldb, float *c, int64_t ldc);
GK_API void gk_scalar_gemm_bt_f16_ld(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *b,
                                     int64_t ldb, float *c, int64_t ldc);
/* bf16 A and B: both widen exactly, products and sums as above */
GK_API void gk_scalar_gemm_bt_bf16bf16(int64_t m, int64_t n, int64_t k, const uint16_t *a, const uint16_t *b, float *c);
GK_API void gk_scalar_gemm_bt_bf16bf16_ld(int64_t m, int64_t n, int64_t k, const uint16_t *a, int64_t lda,
                                          const uint16_t *b, int64_t ldb, float *c, int64_t ldc);
/* f32 -> bf16: round to nearest even, NaN quieted, overflow to infinity */
GK_API uint16_t gk_scalar_f32_to_bf16(float x);

#endif
