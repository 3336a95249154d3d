/* SIMD primitive layer, AVX2 + FMA + F16C: 8 f32 lanes in a ymm register. Op templates use only
 * these primitives (the same names and meanings in every ISA header), so one template source
 * compiles for every ISA. Masks are full-width lane masks (all ones / all zeros) because AVX2
 * has no mask registers; tails use vmaskmov, which neither reads nor faults past the end. */
#ifndef GK_SIMD_AVX2_H
#define GK_SIMD_AVX2_H

#include <immintrin.h>
#include <stdint.h>

#define GK_VL 8 /* f32 lanes per vector */
#define GK_VREGS 16 /* architectural vector registers */

typedef __m256 gk_vf;  /* 8 x f32 */
typedef __m256i gk_vi; /* 8 x i32 */
typedef __m256 gk_vm;  /* lane mask: all-ones lanes are true */
typedef __m256d gk_vd; /* GK_VL/2 x f64, for accumulations that must not overflow or cancel */

/* ---- memory ---- */
/* Load GK_VL floats from a 32-byte aligned address. */
static inline gk_vf gk_v_load(const float *p) { return _mm256_load_ps(p); }
/* Load GK_VL floats from any address. */
static inline gk_vf gk_v_loadu(const float *p) { return _mm256_loadu_ps(p); }
/* Store GK_VL floats to a 32-byte aligned address. */
static inline void gk_v_store(float *p, gk_vf v) { _mm256_store_ps(p, v); }
/* Store GK_VL floats to any address. */
static inline void gk_v_storeu(float *p, gk_vf v) { _mm256_storeu_ps(p, v); }

/* Lane mask of the first n lanes, 0 <= n <= GK_VL. */
static inline gk_vm gk_m_first(int64_t n)
{
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), idx));
}
/* Load the first n floats (0 <= n <= GK_VL), zero the other lanes; nothing past p[n-1] is read. */
static inline gk_vf gk_v_load_tail(const float *p, int64_t n)
{
    return _mm256_maskload_ps(p, _mm256_castps_si256(gk_m_first(n)));
}
/* Store the first n lanes (0 <= n <= GK_VL); nothing past p[n-1] is written. */
static inline void gk_v_store_tail(float *p, gk_vf v, int64_t n)
{
    _mm256_maskstore_ps(p, _mm256_castps_si256(gk_m_first(n)), v);
}
/* Store with a non-temporal hint (bypasses the caches; p 32-byte aligned). */
static inline void gk_v_stream(float *p, gk_vf v) { _mm256_stream_ps(p, v); }
/* Orders this thread's non-temporal stores before its later stores (call after a streamed
 * output, before another thread may read it). */
static inline void gk_v_stream_fence(void) { _mm_sfence(); }

/* ---- constants ---- */
/* Every lane = x. */
static inline gk_vf gk_v_set1(float x) { return _mm256_set1_ps(x); }
/* All lanes zero. */
static inline gk_vf gk_v_zero(void) { return _mm256_setzero_ps(); }

/* ---- arithmetic (IEEE, lane by lane) ---- */
static inline gk_vf gk_v_add(gk_vf a, gk_vf b) { return _mm256_add_ps(a, b); }
static inline gk_vf gk_v_sub(gk_vf a, gk_vf b) { return _mm256_sub_ps(a, b); }
static inline gk_vf gk_v_mul(gk_vf a, gk_vf b) { return _mm256_mul_ps(a, b); }
static inline gk_vf gk_v_div(gk_vf a, gk_vf b) { return _mm256_div_ps(a, b); }
static inline gk_vf gk_v_sqrt(gk_vf a) { return _mm256_sqrt_ps(a); }
/* a*b + c with one rounding. */
static inline gk_vf gk_v_fma(gk_vf a, gk_vf b, gk_vf c) { return _mm256_fmadd_ps(a, b, c); }
/* c - a*b with one rounding. */
static inline gk_vf gk_v_fnma(gk_vf a, gk_vf b, gk_vf c) { return _mm256_fnmadd_ps(a, b, c); }
/* x86 max: b when either is NaN (so max(const, x) propagates a NaN x). */
static inline gk_vf gk_v_max(gk_vf a, gk_vf b) { return _mm256_max_ps(a, b); }
/* x86 min: b when either is NaN (so min(const, x) propagates a NaN x). */
static inline gk_vf gk_v_min(gk_vf a, gk_vf b) { return _mm256_min_ps(a, b); }
/* Round to nearest integer, ties to even (result still f32). */
static inline gk_vf gk_v_round(gk_vf a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
/* ~12-bit reciprocal estimate (gk_v_recip in vecmath refines it). */
static inline gk_vf gk_v_rcp_est(gk_vf a) { return _mm256_rcp_ps(a); }
/* ~12-bit reciprocal square root estimate (gk_v_rsqrt in vecmath refines it). */
static inline gk_vf gk_v_rsqrt_est(gk_vf a) { return _mm256_rsqrt_ps(a); }

/* ---- bitwise (on the f32 bit patterns) ---- */
static inline gk_vf gk_v_and(gk_vf a, gk_vf b) { return _mm256_and_ps(a, b); }
static inline gk_vf gk_v_or(gk_vf a, gk_vf b) { return _mm256_or_ps(a, b); }
static inline gk_vf gk_v_xor(gk_vf a, gk_vf b) { return _mm256_xor_ps(a, b); }
/* ~a & b. */
static inline gk_vf gk_v_andnot(gk_vf a, gk_vf b) { return _mm256_andnot_ps(a, b); }
/* |a| (clears the sign bit; NaN stays NaN). */
static inline gk_vf gk_v_abs(gk_vf a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
/* -a (flips the sign bit). */
static inline gk_vf gk_v_neg(gk_vf a) { return _mm256_xor_ps(_mm256_set1_ps(-0.0f), a); }

/* ---- compares (ordered: false when either is NaN) and masks ---- */
static inline gk_vm gk_v_cmp_lt(gk_vf a, gk_vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline gk_vm gk_v_cmp_le(gk_vf a, gk_vf b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
static inline gk_vm gk_v_cmp_gt(gk_vf a, gk_vf b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
static inline gk_vm gk_v_cmp_eq(gk_vf a, gk_vf b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
/* True in NaN lanes. */
static inline gk_vm gk_v_isnan(gk_vf a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
/* True in lanes where a or b is NaN: one compare tests two vectors. */
static inline gk_vm gk_v_unord(gk_vf a, gk_vf b) { return _mm256_cmp_ps(a, b, _CMP_UNORD_Q); }
/* m, less the lanes where a or b is NaN. */
static inline gk_vm gk_m_and_ord(gk_vm m, gk_vf a, gk_vf b) { return _mm256_and_ps(m, _mm256_cmp_ps(a, b, _CMP_ORD_Q)); }
/* Per lane: m ? a : b. */
static inline gk_vf gk_v_select(gk_vm m, gk_vf a, gk_vf b) { return _mm256_blendv_ps(b, a, m); }
static inline gk_vm gk_m_and(gk_vm a, gk_vm b) { return _mm256_and_ps(a, b); }
static inline gk_vm gk_m_or(gk_vm a, gk_vm b) { return _mm256_or_ps(a, b); }
/* The empty mask. */
static inline gk_vm gk_m_none(void) { return _mm256_setzero_ps(); }
/* Nonzero when any lane is true (for rare-case branches). */
static inline int gk_m_any(gk_vm m) { return _mm256_movemask_ps(m) != 0; }
/* Nonzero when every lane is true. */
static inline int gk_m_all(gk_vm m) { return _mm256_movemask_ps(m) == 0xFF; }
/* Count of true lanes. */
static inline int gk_m_count(gk_vm m) { return __builtin_popcount((unsigned)_mm256_movemask_ps(m)); }

/* ---- lane permutes ---- */
/* Swap the lanes of each even/odd pair: (a0, a1, a2, a3, ...) -> (a1, a0, a3, a2, ...). */
static inline gk_vf gk_v_swap_pairs(gk_vf a) { return _mm256_permute_ps(a, 0xB1); }

/* ---- horizontal ---- */
/* Sum of all lanes (pairwise tree: same result for the same vector, whatever the caller). */
static inline float gk_v_reduce_add(gk_vf a)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
/* Maximum of all lanes (NaN lanes ignored unless all are NaN; test NaN separately). */
static inline float gk_v_reduce_max(gk_vf a)
{
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/* ---- conversions and integer lanes (exponent manipulation) ---- */
/* Load GK_VL IEEE half floats and widen them to f32 (F16C). */
static inline gk_vf gk_v_load_f16(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }
/* Load GK_VL bfloat16 values and widen them to f32 (bf16 is the top half of an f32). */
static inline gk_vf gk_v_load_bf16(const uint16_t *p)
{
    __m256i w = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(w, 16));
}
/* f32 -> i32 rounding to nearest even (out of range: INT32_MIN). */
static inline gk_vi gk_v_cvt_i32(gk_vf a) { return _mm256_cvtps_epi32(a); }
/* i32 -> f32. */
static inline gk_vf gk_vi_cvt_f32(gk_vi a) { return _mm256_cvtepi32_ps(a); }
/* Reinterpret bits f32 <-> i32 (free). */
static inline gk_vi gk_v_as_i(gk_vf a) { return _mm256_castps_si256(a); }
static inline gk_vf gk_vi_as_f(gk_vi a) { return _mm256_castsi256_ps(a); }
static inline gk_vi gk_vi_set1(int32_t x) { return _mm256_set1_epi32(x); }
static inline gk_vi gk_vi_add(gk_vi a, gk_vi b) { return _mm256_add_epi32(a, b); }
static inline gk_vi gk_vi_sub(gk_vi a, gk_vi b) { return _mm256_sub_epi32(a, b); }
static inline gk_vi gk_vi_and(gk_vi a, gk_vi b) { return _mm256_and_si256(a, b); }
/* Shifts by a constant count: left, logical right, arithmetic right. */
#define gk_vi_sll(a, k) _mm256_slli_epi32((a), (k))
#define gk_vi_srl(a, k) _mm256_srli_epi32((a), (k))
#define gk_vi_sra(a, k) _mm256_srai_epi32((a), (k))

/* ---- f64 half-width lanes ---- */
static inline gk_vd gk_vd_zero(void) { return _mm256_setzero_pd(); }
/* Widen the low / high GK_VL/2 lanes of a to f64 (exact). */
static inline gk_vd gk_vd_from_lo(gk_vf a) { return _mm256_cvtps_pd(_mm256_castps256_ps128(a)); }
static inline gk_vd gk_vd_from_hi(gk_vf a) { return _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)); }
static inline gk_vd gk_vd_set1(double x) { return _mm256_set1_pd(x); }
static inline gk_vd gk_vd_add(gk_vd a, gk_vd b) { return _mm256_add_pd(a, b); }
static inline gk_vd gk_vd_sub(gk_vd a, gk_vd b) { return _mm256_sub_pd(a, b); }
static inline gk_vd gk_vd_mul(gk_vd a, gk_vd b) { return _mm256_mul_pd(a, b); }
/* a*b + c with one rounding. */
static inline gk_vd gk_vd_fma(gk_vd a, gk_vd b, gk_vd c) { return _mm256_fmadd_pd(a, b, c); }
/* Round two f64 halves to f32 and join them (lo lanes first): inverse of gk_vd_from_lo/hi. */
static inline gk_vf gk_v_from_vd(gk_vd lo, gk_vd hi) { return _mm256_set_m128(_mm256_cvtpd_ps(hi), _mm256_cvtpd_ps(lo)); }
/* Sum of all lanes. */
static inline double gk_vd_reduce_add(gk_vd a)
{
    __m128d s = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

#endif
