/* gllm-kernels: the f32 operators (Layer 1 kernels).
 *
 * Row-major; sizes are int64_t; leading dimensions count elements. Every entry point validates
 * its arguments (docs/API.md): NULL data pointers, negative sizes, byte sizes that overflow,
 * leading dimensions smaller than the row, and unsupported aliasing give GK_ERR_INVALID_ARG
 * with nothing written. A size of 0 is a valid no-op (pointers may then be NULL).
 * Outputs must not overlap inputs unless the function says so ("may alias").
 * Non-finite inputs propagate as IEEE arithmetic does in the scalar definitions (src/scalar/).
 * Results are bitwise identical for any thread count. */
#ifndef GK_OPS_H
#define GK_OPS_H

#include <stdint.h>

#include "gk/gk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- BLAS-1 (out/y may alias x or y exactly; partial overlap is an error) ---------------- */
GK_API gk_status gk_vec_dot_f32(int64_t n, const float *x, const float *y, float *out);
GK_API gk_status gk_vec_add_f32(int64_t n, const float *x, const float *y, float *out);
GK_API gk_status gk_vec_mul_f32(int64_t n, const float *x, const float *y, float *out);
GK_API gk_status gk_vec_scale_f32(int64_t n, const float *x, float alpha, float *out);
GK_API gk_status gk_vec_axpy_f32(int64_t n, float alpha, const float *x, float *y); /* y += alpha*x */
GK_API gk_status gk_vec_sum_f32(int64_t n, const float *x, float *out);   /* n = 0: 0 */
GK_API gk_status gk_vec_max_f32(int64_t n, const float *x, float *out);   /* n = 0: -INFINITY; NaN wins */

/* ---- BLAS-2: y = A x, A is n-by-k row-major with leading dimension lda >= k ---------------- */
GK_API gk_status gk_gemv_f32(int64_t n, int64_t k, const float *a, int64_t lda, const float *x, float *y);

/* ---- BLAS-3 ---------------------------------------------------------------------------------
 * C (m-by-n, ldc >= n) = A (m-by-k, lda >= k) * B (k-by-n, ldb >= n). C must not overlap A/B.
 * k = 0 with m, n > 0 writes zeros (plus bias). */
GK_API gk_status gk_gemm_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                             const float *b, int64_t ldb, float *c, int64_t ldc);
/* C = A B + bias[n] broadcast over rows. */
GK_API gk_status gk_gemm_bias_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                                  const float *b, int64_t ldb, const float *bias, float *c, int64_t ldc);
/* C = A B^T, B is n-by-k (ldb >= k): the LLM weight layout. */
GK_API gk_status gk_gemm_bt_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                                const float *b, int64_t ldb, float *c, int64_t ldc);

/* Pack B once for repeated gemm_prepacked calls. trans_b = 0: b is k-by-n (ldb >= n);
 * trans_b = 1: b is n-by-k (ldb >= k). The packed buffer is owned by the caller and freed with
 * gk_packed_b_free; it is read-only afterwards and may be shared across threads. */
struct gk_packed_b;
GK_API gk_status gk_pack_b_f32(int64_t k, int64_t n, const float *b, int64_t ldb, int trans_b,
                               struct gk_packed_b **out);
GK_API gk_status gk_gemm_prepacked_f32(int64_t m, const float *a, int64_t lda, const struct gk_packed_b *b,
                                       float *c, int64_t ldc);
GK_API void gk_packed_b_free(struct gk_packed_b *b);

/* ---- bf16 / f16 weights, f32 activations and output ----------------------------------------
 * Weights are bfloat16 (_bf16) or IEEE binary16 (_f16) bit patterns in uint16_t. Each weight
 * widens exactly to f32; the arithmetic is then that of the f32 operator (same tolerances).
 * y = A x with A n-by-k (lda >= k); y must not overlap A or x. */
GK_API gk_status gk_gemv_bf16(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y);
GK_API gk_status gk_gemv_f16(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y);
/* C (m-by-n, ldc >= n) = A (m-by-k f32, lda >= k) B^T with B n-by-k (ldb >= k): the LLM weight
 * layout. C must not overlap A or B; k = 0 writes zeros. gk_gemm_bt_bf16 on CPUs with AMX-BF16
 * (Linux granting the tile state) and m >= 4 splits each activation exactly into three bf16
 * parts and runs the three products on the tiles, adding them smallest first: error <= (k + 4)
 * (1 + 2^-6) 2^-24 sum_p |a_p b_p|, and the tiles flush denormals (activation parts and partial
 * sums below 2^-126 count as 0, which shows only for |a| < 2^-110 or sums that small). */
GK_API gk_status gk_gemm_bt_bf16(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *b,
                                 int64_t ldb, float *c, int64_t ldc);
GK_API gk_status gk_gemm_bt_f16(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *b,
                                int64_t ldb, float *c, int64_t ldc);

/* ---- bf16 activations and weights, f32 output (MKL's cblas_gemm_bf16bf16f32 form) ----------
 * C (m-by-n f32, ldc >= n) = A (m-by-k bf16, lda >= k) B^T, B n-by-k bf16 (ldb >= k): the LLM
 * weight layout with activations already rounded to bf16 (gk_f32_to_bf16). Defined as the
 * products of the bf16 values (exact in f32) summed in f32 (src/scalar/lowp.c); error
 * |c - exact| <= (k + 2) * 2^-24 * sum_p |a_p b_p| on every path. Where the CPU has AMX-BF16
 * (and Linux grants the tile state) and m > 3, TDPBF16PS computes it; else where it has
 * AVX512_BF16 and m > 8, vdpbf16ps. Both flush denormal inputs and partial sums to zero
 * (whatever MXCSR says), so bf16 denormals (|x| < 2^-126) count as 0 there and results below
 * 2^-126 may differ beyond that bound; elsewhere both operands are widened and multiplied in
 * f32. NaN and Inf propagate. C must not overlap A or B; k = 0 writes zeros. Thread-safe;
 * bitwise identical for any thread count. Errors: GK_ERR_INVALID_ARG (NULL, negative sizes,
 * ld too small, sizes that overflow, overlap; nothing written), GK_ERR_NO_MEMORY. */
GK_API gk_status gk_gemm_bt_bf16bf16_f32(int64_t m, int64_t n, int64_t k, const uint16_t *a, int64_t lda,
                                         const uint16_t *b, int64_t ldb, float *c, int64_t ldc);
/* y[i] = x[i] rounded to bf16 (round to nearest, ties to even; values that round past the largest bf16
 * become +-Inf; a NaN stays a NaN, quieted, with its sign and top payload bits). Exact for
 * values bf16 can hold, subnormals included. y must not overlap x. Thread-safe; errors:
 * GK_ERR_INVALID_ARG (NULL with n > 0, n < 0, overlap; nothing written). */
GK_API gk_status gk_f32_to_bf16(int64_t n, const float *x, uint16_t *y);

/* ---- activations over n contiguous elements (y may alias x exactly) ------------------------- */
GK_API gk_status gk_silu_f32(int64_t n, const float *x, float *y);      /* x / (1 + exp(-x)) */
GK_API gk_status gk_gelu_tanh_f32(int64_t n, const float *x, float *y); /* tanh approximation */
GK_API gk_status gk_gelu_erf_f32(int64_t n, const float *x, float *y);  /* exact: x/2 (1 + erf(x/sqrt 2)) */
GK_API gk_status gk_relu_f32(int64_t n, const float *x, float *y);
GK_API gk_status gk_tanh_f32(int64_t n, const float *x, float *y);
GK_API gk_status gk_exp_f32(int64_t n, const float *x, float *y);
GK_API gk_status gk_swiglu_f32(int64_t n, const float *gate, const float *up, float *y); /* silu(gate) * up */

/* ---- row-wise ops: rows of n elements, row strides ldx/ldy >= n (y may alias x exactly) ---- */
GK_API gk_status gk_softmax_f32(int64_t rows, int64_t n, const float *x, int64_t ldx, float *y, int64_t ldy);
GK_API gk_status gk_rms_norm_f32(int64_t rows, int64_t n, const float *x, int64_t ldx, const float *w,
                                 float eps, float *y, int64_t ldy);
GK_API gk_status gk_layer_norm_f32(int64_t rows, int64_t n, const float *x, int64_t ldx, const float *w,
                                   const float *b, float eps, float *y, int64_t ldy);

/* ---- rotary position embedding, in place ---------------------------------------------------
 * x holds tokens × heads × head_dim; token t starts at x + t*ld_token (ld_token >= heads*head_dim),
 * heads are contiguous. Pair i of a head (0 <= i < head_dim/2) rotates by pos[t] * theta^(-2i/head_dim).
 * INTERLEAVED (GPT-J): pairs (x[2i], x[2i+1]); NEOX: pairs (x[i], x[i + head_dim/2]).
 * head_dim must be even; theta > 0. */
typedef enum { GK_ROPE_INTERLEAVED = 0, GK_ROPE_NEOX = 1 } gk_rope_layout;
GK_API gk_status gk_rope_f32(int64_t tokens, int64_t heads, int64_t head_dim, float *x, int64_t ld_token,
                             const int32_t *pos, float theta, gk_rope_layout layout);
/* The same rotation with precomputed angles: cos_tab and sin_tab hold table_rows rows of
 * head_dim/2 entries; token t uses row pos[t] (0 <= pos[t] < table_rows) as the cos and sin of its
 * pairs. Tables and pos must not overlap x. */
GK_API gk_status gk_rope_table_f32(int64_t tokens, int64_t heads, int64_t head_dim, float *x, int64_t ld_token,
                                   const int32_t *pos, const float *cos_tab, const float *sin_tab,
                                   int64_t table_rows, gk_rope_layout layout);

#ifdef __cplusplus
}
#endif

#endif
