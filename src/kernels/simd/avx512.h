/* SIMD primitive layer, AVX-512 F/BW/DQ/VL: 16 f32 lanes in a zmm register. Same primitive names
 * and meanings as avx2.h; masks are k registers and tails use masked loads/stores, which
 * suppress faults on the lanes they leave out. */
#ifndef GK_SIMD_AVX512_H
#define GK_SIMD_AVX512_H

#include <immintrin.h>
#include <stdint.h>

#define GK_VL 16 /* f32 lanes per vector */
#define GK_VREGS 32 /* architectural vector registers */

typedef __m512 gk_vf;     /* 16 x f32 */
typedef __m512i gk_vi;    /* 16 x i32 */
typedef __mmask16 gk_vm;  /* lane mask: one bit per lane */
typedef __m512d gk_vd;    /* GK_VL/2 x f64, for accumulations that must not overflow or cancel */

/* ---- memory ---- */
/* Load GK_VL floats from a 64-byte aligned address. */
static inline gk_vf gk_v_load(const float *p) { return _mm512_load_ps(p); }
/* Load GK_VL floats from any address. */
static inline gk_vf gk_v_loadu(const float *p) { return _mm512_loadu_ps(p); }
/* Store GK_VL floats to a 64-byte aligned address. */
static inline void gk_v_store(float *p, gk_vf v) { _mm512_store_ps(p, v); }
/* Store GK_VL floats to any address. */
static inline void gk_v_storeu(float *p, gk_vf v) { _mm512_storeu_ps(p, v); }

/* Lane mask of the first n lanes, 0 <= n <= GK_VL. */
static inline gk_vm gk_m_first(int64_t n) { return (gk_vm)((1u << (unsigned)n) - 1u); }
/* Load the first n floats (0 <= n <= GK_VL), zero the other lanes; nothing past p[n-1] is read. */
static inline gk_vf gk_v_load_tail(const float *p, int64_t n) { return _mm512_maskz_loadu_ps(gk_m_first(n), p); }
/* Store the first n lanes (0 <= n <= GK_VL); nothing past p[n-1] is written. */
static inline void gk_v_store_tail(float *p, gk_vf v, int64_t n) { _mm512_mask_storeu_ps(p, gk_m_first(n), v); }
/* Store with a non-temporal hint (bypasses the caches; p 64-byte aligned). */
static inline void gk_v_stream(float *p, gk_vf v) { _mm512_stream_ps(p, v); }
/* Orders this thread's non-temporal stores before its later stores. */
static inline void gk_v_stream_fence(void) { _mm_sfence(); }

/* ---- constants ---- */
/* Every lane = x. */
static inline gk_vf gk_v_set1(float x) { return _mm512_set1_ps(x); }
/* All lanes zero. */
static inline gk_vf gk_v_zero(void) { return _mm512_setzero_ps(); }

/* ---- arithmetic (IEEE, lane by lane) ---- */
static inline gk_vf gk_v_add(gk_vf a, gk_vf b) { return _mm512_add_ps(a, b); }
static inline gk_vf gk_v_sub(gk_vf a, gk_vf b) { return _mm512_sub_ps(a, b); }
static inline gk_vf gk_v_mul(gk_vf a, gk_vf b) { return _mm512_mul_ps(a, b); }
static inline gk_vf gk_v_div(gk_vf a, gk_vf b) { return _mm512_div_ps(a, b); }
static inline gk_vf gk_v_sqrt(gk_vf a) { return _mm512_sqrt_ps(a); }
/* a*b + c with one rounding. */
static inline gk_vf gk_v_fma(gk_vf a, gk_vf b, gk_vf c) { return _mm512_fmadd_ps(a, b, c); }
/* c - a*b with one rounding. */
static inline gk_vf gk_v_fnma(gk_vf a, gk_vf b, gk_vf c) { return _mm512_fnmadd_ps(a, b, c); }
/* x86 max: b when either is NaN (so max(const, x) propagates a NaN x). */
static inline gk_vf gk_v_max(gk_vf a, gk_vf b) { return _mm512_max_ps(a, b); }
/* x86 min: b when either is NaN (so min(const, x) propagates a NaN x). */
static inline gk_vf gk_v_min(gk_vf a, gk_vf b) { return _mm512_min_ps(a, b); }
/* Round to nearest integer, ties to even (result still f32). */
static inline gk_vf gk_v_round(gk_vf a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/* ~14-bit reciprocal estimate (gk_v_recip in vecmath refines it). */
static inline gk_vf gk_v_rcp_est(gk_vf a) { return _mm512_rcp14_ps(a); }
/* ~14-bit reciprocal square root estimate (gk_v_rsqrt in vecmath refines it). */
static inline gk_vf gk_v_rsqrt_est(gk_vf a) { return _mm512_rsqrt14_ps(a); }

/* ---- bitwise (on the f32 bit patterns) ---- */
static inline gk_vf gk_v_and(gk_vf a, gk_vf b) { return _mm512_and_ps(a, b); }
static inline gk_vf gk_v_or(gk_vf a, gk_vf b) { return _mm512_or_ps(a, b); }
static inline gk_vf gk_v_xor(gk_vf a, gk_vf b) { return _mm512_xor_ps(a, b); }
/* ~a & b. */
static inline gk_vf gk_v_andnot(gk_vf a, gk_vf b) { return _mm512_andnot_ps(a, b); }
/* |a| (clears the sign bit; NaN stays NaN). */
static inline gk_vf gk_v_abs(gk_vf a) { return _mm512_andnot_ps(_mm512_set1_ps(-0.0f), a); }
/* -a (flips the sign bit). */
static inline gk_vf gk_v_neg(gk_vf a) { return _mm512_xor_ps(_mm512_set1_ps(-0.0f), a); }

/* ---- compares (ordered: false when either is NaN) and masks ---- */
static inline gk_vm gk_v_cmp_lt(gk_vf a, gk_vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline gk_vm gk_v_cmp_le(gk_vf a, gk_vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
static inline gk_vm gk_v_cmp_gt(gk_vf a, gk_vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
static inline gk_vm gk_v_cmp_eq(gk_vf a, gk_vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
/* True in NaN lanes. */
static inline gk_vm gk_v_isnan(gk_vf a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
/* True in lanes where a or b is NaN: one compare tests two vectors. */
static inline gk_vm gk_v_unord(gk_vf a, gk_vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_UNORD_Q); }
/* m, less the lanes where a or b is NaN: one masked compare. */
static inline gk_vm gk_m_and_ord(gk_vm m, gk_vf a, gk_vf b) { return _mm512_mask_cmp_ps_mask(m, a, b, _CMP_ORD_Q); }
/* Per lane: m ? a : b. */
static inline gk_vf gk_v_select(gk_vm m, gk_vf a, gk_vf b) { return _mm512_mask_blend_ps(m, b, a); }
static inline gk_vm gk_m_and(gk_vm a, gk_vm b) { return (gk_vm)(a & b); }
static inline gk_vm gk_m_or(gk_vm a, gk_vm b) { return (gk_vm)(a | b); }
/* The empty mask. */
static inline gk_vm gk_m_none(void) { return 0; }
/* Nonzero when any lane is true (for rare-case branches). */
static inline int gk_m_any(gk_vm m) { return m != 0; }
/* Nonzero when every lane is true. */
static inline int gk_m_all(gk_vm m) { return m == 0xFFFF; }
/* Count of true lanes. */
static inline int gk_m_count(gk_vm m) { return __builtin_popcount((unsigned)m); }

/* ---- lane permutes ---- */
/* Swap the lanes of each even/odd pair: (a0, a1, a2, a3, ...) -> (a1, a0, a3, a2, ...). */
static inline gk_vf gk_v_swap_pairs(gk_vf a) { return _mm512_permute_ps(a, 0xB1); }

/* ---- horizontal ---- */
/* Sum of all lanes (pairwise tree: same result for the same vector, whatever the caller). */
static inline float gk_v_reduce_add(gk_vf a)
{
    __m256 h = _mm256_add_ps(_mm512_castps512_ps256(a), _mm512_extractf32x8_ps(a, 1));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
/* Maximum of all lanes (NaN lanes ignored unless all are NaN; test NaN separately). */
static inline float gk_v_reduce_max(gk_vf a)
{
    __m256 h = _mm256_max_ps(_mm512_castps512_ps256(a), _mm512_extractf32x8_ps(a, 1));
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* ---- conversions and integer lanes (exponent manipulation) ---- */
/* Load GK_VL IEEE half floats and widen them to f32. */
static inline gk_vf gk_v_load_f16(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }
/* Load GK_VL bfloat16 values and widen them to f32 (bf16 is the top half of an f32). */
static inline gk_vf gk_v_load_bf16(const uint16_t *p)
{
    __m512i w = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(w, 16));
}
/* f32 -> i32 rounding to nearest even (out of range: INT32_MIN). */
static inline gk_vi gk_v_cvt_i32(gk_vf a) { return _mm512_cvtps_epi32(a); }
/* i32 -> f32. */
static inline gk_vf gk_vi_cvt_f32(gk_vi a) { return _mm512_cvtepi32_ps(a); }
/* Reinterpret bits f32 <-> i32 (free). */
static inline gk_vi gk_v_as_i(gk_vf a) { return _mm512_castps_si512(a); }
static inline gk_vf gk_vi_as_f(gk_vi a) { return _mm512_castsi512_ps(a); }
static inline gk_vi gk_vi_set1(int32_t x) { return _mm512_set1_epi32(x); }
static inline gk_vi gk_vi_add(gk_vi a, gk_vi b) { return _mm512_add_epi32(a, b); }
static inline gk_vi gk_vi_sub(gk_vi a, gk_vi b) { return _mm512_sub_epi32(a, b); }
static inline gk_vi gk_vi_and(gk_vi a, gk_vi b) { return _mm512_and_si512(a, b); }
/* Shifts by a constant count: left, logical right, arithmetic right. */
#define gk_vi_sll(a, k) _mm512_slli_epi32((a), (k))
#define gk_vi_srl(a, k) _mm512_srli_epi32((a), (k))
#define gk_vi_sra(a, k) _mm512_srai_epi32((a), (k))

/* ---- f64 half-width lanes ---- */
static inline gk_vd gk_vd_zero(void) { return _mm512_setzero_pd(); }
/* Widen the low / high GK_VL/2 lanes of a to f64 (exact). */
static inline gk_vd gk_vd_from_lo(gk_vf a) { return _mm512_cvtps_pd(_mm512_castps512_ps256(a)); }
static inline gk_vd gk_vd_from_hi(gk_vf a) { return _mm512_cvtps_pd(_mm512_extractf32x8_ps(a, 1)); }
static inline gk_vd gk_vd_set1(double x) { return _mm512_set1_pd(x); }
static inline gk_vd gk_vd_add(gk_vd a, gk_vd b) { return _mm512_add_pd(a, b); }
static inline gk_vd gk_vd_sub(gk_vd a, gk_vd b) { return _mm512_sub_pd(a, b); }
static inline gk_vd gk_vd_mul(gk_vd a, gk_vd b) { return _mm512_mul_pd(a, b); }
/* a*b + c with one rounding. */
static inline gk_vd gk_vd_fma(gk_vd a, gk_vd b, gk_vd c) { return _mm512_fmadd_pd(a, b, c); }
/* Round two f64 halves to f32 and join them (lo lanes first): inverse of gk_vd_from_lo/hi. */
static inline gk_vf gk_v_from_vd(gk_vd lo, gk_vd hi) { return _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)), _mm512_cvtpd_ps(hi), 1); }
/* Sum of all lanes. */
static inline double gk_vd_reduce_add(gk_vd a)
{
    __m256d h = _mm256_add_pd(_mm512_castpd512_pd256(a), _mm512_extractf64x4_pd(a, 1));
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(h), _mm256_extractf128_pd(h, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

#endif
