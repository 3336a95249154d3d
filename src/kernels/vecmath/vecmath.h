/* Vector math functions over the SIMD primitive layer: exp, log, tanh, erf, sigmoid, sin/cos,
 * and refined recip/rsqrt. Written once against simd.h, so every ISA copy of a kernel (and the
 * JIT's math lowering, which emits the same steps) shares one algorithm and one set of constants.
 * Algorithms, constants and the measured error bounds are documented in docs/VECMATH.md; the
 * bounds are checked by tests/act/test_vecmath.c against libm in double precision. */
#ifndef GK_VECMATH_H
#define GK_VECMATH_H

#include "kernels/simd/simd.h"

/* ---- exp ----------------------------------------------------------------------------------
 * x = n*ln2 + r, |r| <= ln2/2, n = round(x*log2(e)) (found with the 1.5*2^23 shifter, which also
 * leaves n in the low mantissa bits); e^r = 1 + r + r^2 P(r), P of degree 4 fitted at Chebyshev
 * nodes on |r| <= ln2/2 by fit_vecmath.py (approximation error 0.16 ULP), evaluated as
 * 1 + r (1 + r P(r)) (two FMAs, no separate r^2 and final add);
 * 2^n is added to the exponent field. Lanes with |n| > 125 (result near overflow, subnormal,
 * 0, inf) or NaN take gk_v_exp_special_, which scales by 2^n in two halves so subnormal
 * results are rounded once. Max error 1 ULP (measured). */
#define GK_EXP_LOG2E 1.44269504088896341f
#define GK_EXP_SHIFT 12582912.0f       /* 1.5 * 2^23 */
#define GK_EXP_LN2_HI 0.693145751953125f /* 0x3f317200: n*hi is exact for |n| < 2^12 */
#define GK_EXP_LN2_LO 1.428606765330187e-06f

static inline gk_vf gk_v_exp_poly_(gk_vf r)
{
    gk_vf p = gk_v_fma(gk_v_set1(1.392617589e-03f), r, gk_v_set1(8.363173343e-03f));
    p = gk_v_fma(p, r, gk_v_set1(4.166655615e-02f));
    p = gk_v_fma(p, r, gk_v_set1(1.666657776e-01f));
    p = gk_v_fma(p, r, gk_v_set1(0.5f));
    return gk_v_fma(r, gk_v_fma(r, p, gk_v_set1(1.0f)), gk_v_set1(1.0f));
}

/* Reduction x -> (n as float, r); z's low mantissa bits hold n + (shift - GK_EXP_SHIFT). */
static inline gk_vf gk_v_exp_reduce_(gk_vf x, float shift, gk_vf *z, gk_vf *n)
{
    *z = gk_v_fma(x, gk_v_set1(GK_EXP_LOG2E), gk_v_set1(shift));
    *n = gk_v_sub(*z, gk_v_set1(shift));
    gk_vf r = gk_v_fnma(*n, gk_v_set1(GK_EXP_LN2_HI), x);
    return gk_v_fnma(*n, gk_v_set1(GK_EXP_LN2_LO), r);
}

static inline gk_vf gk_v_exp_special_(gk_vf x)
{
    /* beyond [-104, 89] the result is 0 or inf anyway; min/max keep a NaN x (see simd.h) */
    x = gk_v_max(gk_v_set1(-104.0f), gk_v_min(gk_v_set1(89.0f), x));
    gk_vf z, n;
    gk_vf p = gk_v_exp_poly_(gk_v_exp_reduce_(x, GK_EXP_SHIFT, &z, &n));
    gk_vi ni = gk_v_cvt_i32(n);
    gk_vi n1 = gk_vi_sra(ni, 1), n2 = gk_vi_sub(ni, n1); /* both in [-75, 65]: normal scales */
    gk_vf s1 = gk_vi_as_f(gk_vi_sll(gk_vi_add(n1, gk_vi_set1(127)), 23));
    gk_vf s2 = gk_vi_as_f(gk_vi_sll(gk_vi_add(n2, gk_vi_set1(127)), 23));
    return gk_v_mul(gk_v_mul(p, s1), s2);
}

static inline gk_vf gk_v_exp(gk_vf x)
{
    gk_vf z, n;
    gk_vf p = gk_v_exp_poly_(gk_v_exp_reduce_(x, GK_EXP_SHIFT, &z, &n));
    gk_vf y = gk_vi_as_f(gk_vi_add(gk_v_as_i(p), gk_vi_sll(gk_v_as_i(z), 23)));
    gk_vm ok = gk_v_cmp_le(gk_v_abs(n), gk_v_set1(125.0f)); /* p * 2^n stays normal */
    if (__builtin_expect(!gk_m_all(ok), 0))
        y = gk_v_select(ok, y, gk_v_exp_special_(x));
    return y;
}

/* e^x for x <= 0 (softmax's e^(x - max)): no special path. x is clamped to >= -88 (max keeps a
 * NaN x) and 2^n is a multiplication by the float whose bits are z << 23, the shifter biased by
 * 127 so that z's low bits hold n + 127: a normal 2^n for n >= -126 (a subnormal result is
 * rounded once) and +0 for n = -127, i.e. results below about e^-87.68 (< 2^-126) are 0, far
 * below the rounding of a sum that contains e^0 = 1. Max error 1 ULP for normal results. */
static inline gk_vf gk_v_exp_nonpos(gk_vf x)
{
    gk_vf z, n;
    gk_vf p = gk_v_exp_poly_(gk_v_exp_reduce_(gk_v_max(gk_v_set1(-88.0f), x), GK_EXP_SHIFT + 127.0f, &z, &n));
    return gk_v_mul(p, gk_vi_as_f(gk_vi_sll(gk_v_as_i(z), 23)));
}

/* e^-x for the logistic function's 1 / (1 + e^-x), written for few vector ops (no blend, no
 * branch): x is clamped once to [-89, 87] (min/max keep a NaN x), the reduction and the
 * polynomial are exp's with the sign of -x folded into them (r' = x + n ln2 = -r, e^r =
 * 1 - r' (1 - r' P(-r')) by two fnma), and 2^n is a multiplication by the float whose exponent
 * field is n + 127, taken from the shifter's low bits (biased by 127 in the shifter constant).
 * n = 128 (x <= -88.38) gives +inf exactly as expf(-x) overflows (from 88.72 in expf: between
 * the two the true e^-x is finite but 1 / (1 + e^-x) < 2^-127 either way); x >= 87 gives
 * e^-87. Within 1.5 ULP elsewhere (exp's polynomial, one more rounding in the fnma pair). */
static inline gk_vf gk_v_exp_neg_sat(gk_vf x)
{
    gk_vf t = gk_v_max(gk_v_set1(-89.0f), gk_v_min(gk_v_set1(87.0f), x));
    gk_vf z = gk_v_fma(t, gk_v_set1(-GK_EXP_LOG2E), gk_v_set1(GK_EXP_SHIFT + 127.0f));
    gk_vf n = gk_v_sub(z, gk_v_set1(GK_EXP_SHIFT + 127.0f)); /* n = round(-t log2 e) */
    gk_vf r = gk_v_fma(n, gk_v_set1(GK_EXP_LN2_HI), t);        /* r' = t + n ln2 = -r */
    r = gk_v_fma(n, gk_v_set1(GK_EXP_LN2_LO), r);
    gk_vf p = gk_v_fma(gk_v_set1(1.392617589e-03f), r, gk_v_set1(-8.363173343e-03f));
    p = gk_v_fma(p, r, gk_v_set1(4.166655615e-02f));
    p = gk_v_fma(p, r, gk_v_set1(-1.666657776e-01f));
    p = gk_v_fma(p, r, gk_v_set1(0.5f));                                   /* P(-r') */
    gk_vf e = gk_v_fnma(r, gk_v_fnma(r, p, gk_v_set1(1.0f)), gk_v_set1(1.0f)); /* e^-r' */
    return gk_v_mul(e, gk_vi_as_f(gk_vi_sll(gk_v_as_i(z), 23)));
}

/* ---- log ----------------------------------------------------------------------------------
 * x = 2^e * m, m in [sqrt(1/2), sqrt(2)); log(m) = f - f^2/2 + f^3 P(f), f = m - 1 (degree-8
 * polynomial, Cephes logf); log(x) = log(m) + e*ln2 with ln2 split in two. Subnormal x is
 * scaled by 2^23 first. log(0) = -inf, log(x < 0) = NaN, log(inf) = inf. Max error 1 ULP. */
static inline gk_vf gk_v_log(gk_vf x0)
{
    gk_vm tiny = gk_v_cmp_lt(x0, gk_v_set1(1.17549435e-38f));
    gk_vf x = gk_v_select(tiny, gk_v_mul(x0, gk_v_set1(8388608.0f)), x0);
    gk_vf eadj = gk_v_select(tiny, gk_v_set1(-23.0f), gk_v_zero());
    gk_vi bits = gk_v_as_i(x);
    gk_vf e = gk_v_add(gk_vi_cvt_f32(gk_vi_sub(gk_vi_srl(bits, 23), gk_vi_set1(126))), eadj);
    gk_vf m = gk_vi_as_f(gk_vi_add(gk_vi_and(bits, gk_vi_set1(0x007FFFFF)), gk_vi_set1(0x3F000000)));
    gk_vm lt = gk_v_cmp_lt(m, gk_v_set1(0.707106781186547524f));
    e = gk_v_sub(e, gk_v_select(lt, gk_v_set1(1.0f), gk_v_zero()));
    gk_vf f = gk_v_sub(gk_v_select(lt, gk_v_add(m, m), m), gk_v_set1(1.0f));
    gk_vf z = gk_v_mul(f, f);
    gk_vf p = gk_v_fma(gk_v_set1(7.0376836292e-2f), f, gk_v_set1(-1.1514610310e-1f));
    p = gk_v_fma(p, f, gk_v_set1(1.1676998740e-1f));
    p = gk_v_fma(p, f, gk_v_set1(-1.2420140846e-1f));
    p = gk_v_fma(p, f, gk_v_set1(1.4249322787e-1f));
    p = gk_v_fma(p, f, gk_v_set1(-1.6668057665e-1f));
    p = gk_v_fma(p, f, gk_v_set1(2.0000714765e-1f));
    p = gk_v_fma(p, f, gk_v_set1(-2.4999993993e-1f));
    p = gk_v_fma(p, f, gk_v_set1(3.3333331174e-1f));
    gk_vf y = gk_v_mul(gk_v_mul(z, f), p);
    y = gk_v_fma(e, gk_v_set1(-2.12194440e-4f), y);
    y = gk_v_fnma(z, gk_v_set1(0.5f), y);
    y = gk_v_add(f, y);
    y = gk_v_fma(e, gk_v_set1(0.693359375f), y);
    y = gk_v_select(gk_v_cmp_eq(x0, gk_v_set1(__builtin_inff())), x0, y);
    y = gk_v_select(gk_v_cmp_eq(x0, gk_v_zero()), gk_v_set1(-__builtin_inff()), y);
    return gk_v_select(gk_m_or(gk_v_cmp_lt(x0, gk_v_zero()), gk_v_isnan(x0)), gk_v_set1(__builtin_nanf("")), y);
}

/* ---- reciprocal and reciprocal square root ----------------------------------------------
 * Hardware estimate (12 bits on AVX2, 14 on AVX-512) refined by one second-order step: with
 * e = 1 - a r (or 1 - a r^2), 1/a = r (1 + e + e^2 + ...) and 1/sqrt(a) = r (1 + e/2 + 3e^2/8
 * + ...). A plain Newton step leaves an error of about e^2 (1.5 e^2 for rsqrt), which is 2-3 ULP
 * from Intel's 12-bit estimates (relative error up to 1.5 * 2^-12); the e^2 term costs one FMA
 * and leaves e^3 (< 2^-33). The step computes 0 * inf for inputs 0 and inf (and for |a| outside
 * [2^-126, 2^126], where the estimate flushes to inf or 0); there the estimate itself is the
 * answer, so NaN from the step selects it. Max error 1.5 ULP for |a| in [2^-126, 2^126]. */
static inline gk_vf gk_v_recip(gk_vf a)
{
    gk_vf r = gk_v_rcp_est(a);
    gk_vf e = gk_v_fnma(a, r, gk_v_set1(1.0f));
    gk_vf r1 = gk_v_fma(r, gk_v_fma(e, e, e), r);
    return gk_v_select(gk_v_isnan(r1), r, r1);
}

static inline gk_vf gk_v_rsqrt(gk_vf a)
{
    gk_vf r = gk_v_rsqrt_est(a);
    gk_vf e = gk_v_fnma(gk_v_mul(a, r), r, gk_v_set1(1.0f)); /* 1 - a r^2 */
    gk_vf r1 = gk_v_fma(gk_v_mul(r, e), gk_v_fma(e, gk_v_set1(0.375f), gk_v_set1(0.5f)), r);
    return gk_v_select(gk_v_isnan(r1), r, r1);
}

/* ---- sigmoid --------------------------------------------------------------------------------
 * 1 / (1 + e^-x) with gk_v_exp_neg_sat: one division, no cancellation on either side (for x < 0,
 * 1 + e^-x ~ e^-x keeps its relative accuracy). sigmoid(x) = 0 from x = -88.38 (true value
 * < 2^-127), sigmoid(-inf) = 0, sigmoid(inf) = 1. Max error 3 ULP. */
static inline gk_vf gk_v_sigmoid(gk_vf x)
{
    return gk_v_div(gk_v_set1(1.0f), gk_v_add(gk_v_set1(1.0f), gk_v_exp_neg_sat(x)));
}

/* ---- tanh ---------------------------------------------------------------------------------
 * tanh(a) = -m / (2 + m) with m = e^(-2a) - 1 in (-1, 0], a = min(|x|, 10) (tanh is 1.0f from
 * 9.01), sign restored at the end (tanh(-0) = -0). m is an expm1 built on exp's reduction
 * -2a = n ln2 + r: m = 2^n (e^r - 1) + (2^n - 1), e^r - 1 = r + r^2 P(r) (exp's P); for small a,
 * n = 0 and r = -2a exactly, so m keeps full relative accuracy and no separate small-argument
 * polynomial is needed. One division (2 + m is in (1, 2]). Max error 3 ULP: m within 1.5 ULP,
 * plus the rounding of 2 + m and of the quotient. Written in h = -r/2 = a + n ln2/2, which
 * removes the product -2a: P's coefficients, the shifter (biased by 128, so its bits shifted
 * into the exponent are 2^(n+1) without an integer add) and s - 1 = (2s)/2 - 1 are scaled by
 * powers of two, so every rounding is the same as in terms of r and the result is bit for bit
 * the same, in two vector ops fewer. */
static inline gk_vf gk_v_tanh(gk_vf x)
{
    gk_vf a = gk_v_min(gk_v_set1(10.0f), gk_v_abs(x));
    gk_vf z = gk_v_fma(a, gk_v_set1(-2.0f * GK_EXP_LOG2E), gk_v_set1(GK_EXP_SHIFT + 128.0f));
    gk_vf n = gk_v_sub(z, gk_v_set1(GK_EXP_SHIFT + 128.0f)); /* round(-2a log2 e) */
    gk_vf h = gk_v_fma(n, gk_v_set1(0.5f * GK_EXP_LN2_HI), a);
    h = gk_v_fma(n, gk_v_set1(0.5f * GK_EXP_LN2_LO), h);     /* h = -r/2 */
    gk_vf q = gk_v_fma(gk_v_set1(32.0f * 1.392617589e-03f), h, gk_v_set1(-16.0f * 8.363173343e-03f));
    q = gk_v_fma(q, h, gk_v_set1(8.0f * 4.166655615e-02f));
    q = gk_v_fma(q, h, gk_v_set1(-4.0f * 1.666657776e-01f));
    q = gk_v_fma(q, h, gk_v_set1(1.0f));                      /* 2 P(r) */
    gk_vf e = gk_v_fnma(gk_v_mul(h, h), q, h);                /* (e^r - 1) / -2 */
    gk_vf s2 = gk_vi_as_f(gk_vi_sll(gk_v_as_i(z), 23));       /* 2^(n+1) */
    gk_vf m = gk_v_fnma(s2, e, gk_v_fma(s2, gk_v_set1(0.5f), gk_v_set1(-1.0f)));
    gk_vf t = gk_v_abs(gk_v_div(m, gk_v_add(gk_v_set1(2.0f), m)));
    return gk_v_or(t, gk_v_and(x, gk_v_set1(-0.0f)));
}

/* ---- erf ----------------------------------------------------------------------------------
 * One rational function over the whole range, no branch: xc = x clamped to [-3.9375, 3.9375]
 * (erf rounds to +-1 beyond; min/max keep a NaN x), erf(xc) = xc * P(u) / Q(u), u = xc^2, P and
 * Q of degree 5 with positive coefficients (no cancellation in Horner's rule), fitted by
 * fit_vecmath.py (approximation error 0.9 ULP with the float coefficients). The odd form keeps
 * erf(-0) = -0 and full relative accuracy near 0; the division runs on its own unit beside the
 * FMAs. The result is clamped to [-1, 1], which the roundings could pass (so 1 + erf stays
 * >= 0 for gelu). Max error 7 ULP (roundings of P, Q, the quotient and the product where erf is
 * close to 1). */
#define GK_ERF_MAX 3.9375f

static inline gk_vf gk_v_erf(gk_vf x)
{
    gk_vf xc = gk_v_min(gk_v_set1(GK_ERF_MAX), gk_v_max(gk_v_set1(-GK_ERF_MAX), x));
    gk_vf u = gk_v_mul(xc, xc);
    gk_vf p = gk_v_fma(gk_v_set1(2.053011940e-06f), u, gk_v_set1(2.834426705e-04f));
    gk_vf q = gk_v_fma(gk_v_set1(3.804821245e-05f), u, gk_v_set1(1.150276978e-03f));
    p = gk_v_fma(p, u, gk_v_set1(3.717556130e-03f));
    q = gk_v_fma(q, u, gk_v_set1(1.487227716e-02f));
    p = gk_v_fma(p, u, gk_v_set1(5.259651691e-02f));
    q = gk_v_fma(q, u, gk_v_set1(1.136561036e-01f));
    p = gk_v_fma(p, u, gk_v_set1(1.893324852e-01f));
    q = gk_v_fma(q, u, gk_v_set1(5.011245012e-01f));
    p = gk_v_fma(p, u, gk_v_set1(1.128379107e+00f));
    q = gk_v_fma(q, u, gk_v_set1(1.0f));
    gk_vf e = gk_v_mul(xc, gk_v_div(p, q));
    return gk_v_max(gk_v_set1(-1.0f), gk_v_min(gk_v_set1(1.0f), e)); /* rounding may pass 1 */
}

/* ---- sin and cos together -------------------------------------------------------------------
 * x = q*pi/2 + r, |r| <= pi/4, q = round(x*2/pi), r by three-part Cody-Waite with FMA;
 * sin r = r + r^3 S(r^2), cos r = 1 - r^2/2 + r^4 C(r^2) (Cephes sinf/cosf); the quadrant q mod 4
 * swaps and negates them. Valid for |x| <= GK_SINCOS_MAX (2^17): max error 2 ULP or 2^-25
 * absolute near zeros; callers route larger arguments elsewhere (rope uses libm per lane). */
#define GK_SINCOS_MAX 131072.0f

static inline void gk_v_sincos(gk_vf x, gk_vf *s_out, gk_vf *c_out)
{
    gk_vf q = gk_v_round(gk_v_mul(x, gk_v_set1(0.636619772367581343f)));
    gk_vf r = gk_v_fnma(q, gk_v_set1(1.57079637050628662f), x);
    r = gk_v_fnma(q, gk_v_set1(-4.37113882867379e-08f), r);
    r = gk_v_fnma(q, gk_v_set1(-1.7151245100059e-15f), r);
    gk_vf z = gk_v_mul(r, r);
    gk_vf sp = gk_v_fma(gk_v_set1(-1.9515295891e-4f), z, gk_v_set1(8.3321608736e-3f));
    sp = gk_v_fma(sp, z, gk_v_set1(-1.6666654611e-1f));
    gk_vf s = gk_v_fma(gk_v_mul(r, z), sp, r);
    gk_vf cp = gk_v_fma(gk_v_set1(2.443315711809948e-5f), z, gk_v_set1(-1.388731625493765e-3f));
    cp = gk_v_fma(cp, z, gk_v_set1(4.166664568298827e-2f));
    gk_vf c = gk_v_fma(gk_v_mul(z, z), cp, gk_v_fnma(z, gk_v_set1(0.5f), gk_v_set1(1.0f)));
    gk_vi qi = gk_v_cvt_i32(q);
    gk_vm odd = gk_v_cmp_eq(gk_vi_cvt_f32(gk_vi_and(qi, gk_vi_set1(1))), gk_v_set1(1.0f));
    gk_vf sign_s = gk_vi_as_f(gk_vi_sll(gk_vi_and(qi, gk_vi_set1(2)), 30));
    gk_vf sign_c = gk_vi_as_f(gk_vi_sll(gk_vi_and(gk_vi_add(qi, gk_vi_set1(1)), gk_vi_set1(2)), 30));
    *s_out = gk_v_xor(gk_v_select(odd, c, s), sign_s);
    *c_out = gk_v_xor(gk_v_select(odd, s, c), sign_c);
}

#endif
