/* Rotary position embedding kernels for one ISA, in place over tokens x heads x head_dim:
 * rope (angles from positions and theta) and rope_table (cos/sin rows looked up by position).
 *
 * Per token, a cos/sin table for the head's pairs is built once and applied to every head, so
 * the transcendental work is amortized over the heads. Applying it is y0 = x0 c - x1 s,
 * y1 = x0 s + x1 c with separate multiplies and adds, exactly as the scalar definition rounds:
 * given the same c and s the result is bitwise the definition's.
 *
 * rope: the frequencies theta^(-2i/head_dim) come from libm powf, the same call as the
 * definition, and angle = pos * freq is one float multiply like the definition's, so the
 * angles are bitwise identical; cos and sin come from gk_v_sincos (<= 2 ULP), lanes with
 * |angle| > GK_SINCOS_MAX from libm cosf/sinf. powf costs more than rotating a few tokens, so
 * the frequencies of the last (theta, head_dim) are kept per thread.
 *
 * Layouts: INTERLEAVED pairs (x[2i], x[2i+1]) use element-wise tables c' = (c0, c0, c1, c1, ...)
 * and s' = (-s0, s0, -s1, s1, ...) with y = x c' + swap_pairs(x) s'; NEOX pairs
 * (x[i], x[i + half]) use c, s directly. Heads longer than 2*GK_ROPE_BLOCK elements are
 * processed in blocks of GK_ROPE_BLOCK pairs. */
#include <math.h>

#include "kernels/simd/simd.h"
#include "kernels/vecmath/vecmath.h"
#include "ops/dispatch.h"

#define GK_ROPE_BLOCK 512 /* pairs per table block */

/* One token's table for pairs [p0, p0 + np) in the layout's element order: np entries (NEOX)
 * or 2*np (INTERLEAVED). */
typedef struct {
    float c[2 * GK_ROPE_BLOCK], s[2 * GK_ROPE_BLOCK];
} rope_tab;

static inline gk_vf rot_interleaved(gk_vf v, gk_vf c, gk_vf s)
{
    return gk_v_add(gk_v_mul(v, c), gk_v_mul(gk_v_swap_pairs(v), s));
}

/* Interleaved pairs of one head, elements [0, len) (len even, so pairs never straddle the tail
 * mask). Sequential in memory, which the hardware prefetchers follow when tokens stream. */
static void apply_interleaved_head(float *x, int64_t len, const float *c, const float *s)
{
    int64_t i = 0;
    for (; i + GK_VL <= len; i += GK_VL)
        gk_v_storeu(x + i, rot_interleaved(gk_v_loadu(x + i), gk_v_loadu(c + i), gk_v_loadu(s + i)));
    if (i < len)
        gk_v_store_tail(x + i, rot_interleaved(gk_v_load_tail(x + i, len - i), gk_v_load_tail(c + i, len - i),
                                               gk_v_load_tail(s + i, len - i)), len - i);
}

/* Elements [e0, e0 + len) of every head of a token, position outer and heads inner: c and s are
 * loaded once per position for all heads. Head by head needs three loads per vector, and Zen 1
 * loads two 128-bit halves per cycle, so for a token already in cache (decode) this order is
 * about 1.25x faster; for tokens streamed from memory the head-by-head order is faster (the
 * prefetchers do not follow this strided one), so apply_token uses this only for one-token calls. */
static void apply_interleaved_token(float *xt, int64_t heads, int64_t head_dim, int64_t e0, int64_t len,
                                    const float *c, const float *s)
{
    for (int64_t i = 0; i < len; i += GK_VL) {
        int64_t left = len - i < GK_VL ? len - i : GK_VL;
        float *p = xt + e0 + i;
        if (left == GK_VL) {
            gk_vf vc = gk_v_loadu(c + i), vs = gk_v_loadu(s + i);
            for (int64_t h = 0; h < heads; h++, p += head_dim)
                gk_v_storeu(p, rot_interleaved(gk_v_loadu(p), vc, vs));
        } else {
            gk_vf vc = gk_v_load_tail(c + i, left), vs = gk_v_load_tail(s + i, left);
            for (int64_t h = 0; h < heads; h++, p += head_dim)
                gk_v_store_tail(p, rot_interleaved(gk_v_load_tail(p, left), vc, vs), left);
        }
    }
}

static inline void neox_step(float *x0, float *x1, gk_vf a, gk_vf b, gk_vf c, gk_vf s, int64_t left)
{
    gk_vf y0 = gk_v_sub(gk_v_mul(a, c), gk_v_mul(b, s)), y1 = gk_v_add(gk_v_mul(a, s), gk_v_mul(b, c));
    if (left == GK_VL) {
        gk_v_storeu(x0, y0);
        gk_v_storeu(x1, y1);
    } else {
        gk_v_store_tail(x0, y0, left);
        gk_v_store_tail(x1, y1, left);
    }
}

/* Pairs (x0[i], x1[i]) for i < np. */
static void apply_neox(float *x0, float *x1, int64_t np, const float *c, const float *s)
{
    int64_t i = 0;
    for (; i + GK_VL <= np; i += GK_VL)
        neox_step(x0 + i, x1 + i, gk_v_loadu(x0 + i), gk_v_loadu(x1 + i), gk_v_loadu(c + i), gk_v_loadu(s + i), GK_VL);
    if (i < np) {
        int64_t left = np - i;
        neox_step(x0 + i, x1 + i, gk_v_load_tail(x0 + i, left), gk_v_load_tail(x1 + i, left),
                  gk_v_load_tail(c + i, left), gk_v_load_tail(s + i, left), left);
    }
}

/* Heads ahead that apply_token prefetches when more tokens follow. The NEOX layout reads and
 * writes two streams half a head apart, which the hardware prefetchers follow poorly: streaming
 * 64 MiB ran at 60% of a plain in-place loop without it, at par with it; the interleaved layout
 * gains about 20% too. */
#define GK_ROPE_PREFETCH_HEADS 8

/* Rotates pairs [p0, p0 + np) of every head of one token with the tables c, s (in the
 * layout's element order). tokens: how many tokens the call rotates (1: the decode case, data
 * in cache; more: streaming); more: another token follows this one. */
static void apply_token(float *xt, int64_t heads, int64_t head_dim, int64_t p0, int64_t np, const float *c,
                        const float *s, gk_rope_layout layout, int64_t tokens, int more)
{
    if (layout == GK_ROPE_INTERLEAVED && tokens == 1) {
        apply_interleaved_token(xt, heads, head_dim, 2 * p0, 2 * np, c, s);
        return;
    }
    for (int64_t h = 0; h < heads; h++) {
        float *v = xt + h * head_dim;
        if (more)
            for (int64_t k = 0; k < head_dim; k += 64 / (int64_t)sizeof(float))
                __builtin_prefetch(v + GK_ROPE_PREFETCH_HEADS * head_dim + k, 1);
        if (layout == GK_ROPE_INTERLEAVED)
            apply_interleaved_head(v + 2 * p0, 2 * np, c, s);
        else
            apply_neox(v + p0, v + head_dim / 2 + p0, np, c, s);
    }
}

/* ---- rope: angles from positions and theta ---- */

/* Frequencies of pairs [p0, p0 + np) in the layout's element order (duplicated per pair for
 * INTERLEAVED), with the definition's expression. */
static void rope_freqs(float theta, int64_t head_dim, int64_t p0, int64_t np, gk_rope_layout layout, float *f)
{
    for (int64_t i = 0; i < np; i++) {
        float v = powf(theta, -(float)(2 * (p0 + i)) / (float)head_dim);
        if (layout == GK_ROPE_NEOX) {
            f[i] = v;
        } else {
            f[2 * i] = v;
            f[2 * i + 1] = v;
        }
    }
}

/* The frequencies of the last whole-head table computed on this thread (heads of at most
 * 2*GK_ROPE_BLOCK elements). */
static _Thread_local struct {
    float theta;
    int64_t head_dim;
    gk_rope_layout layout;
    float f[2 * GK_ROPE_BLOCK];
} freq_cache;

static const float *cached_freqs(float theta, int64_t head_dim, gk_rope_layout layout)
{
    if (freq_cache.head_dim != head_dim || freq_cache.theta != theta || freq_cache.layout != layout) {
        rope_freqs(theta, head_dim, 0, head_dim / 2, layout, freq_cache.f);
        freq_cache.theta = theta;
        freq_cache.layout = layout;
        freq_cache.head_dim = head_dim;
    }
    return freq_cache.f;
}

/* Table of one token: angle = pos * f, then cos/sin (sin with the pair signs for INTERLEAVED). */
static void token_table(float pos, const float *f, int64_t len, gk_rope_layout layout, rope_tab *t)
{
    static const float alt[16] = {-0.0f, 0.0f, -0.0f, 0.0f, -0.0f, 0.0f, -0.0f, 0.0f,
                                  -0.0f, 0.0f, -0.0f, 0.0f, -0.0f, 0.0f, -0.0f, 0.0f};
    gk_vf sign = layout == GK_ROPE_NEOX ? gk_v_zero() : gk_v_loadu(alt);
    gk_vf vp = gk_v_set1(pos);
    for (int64_t i = 0; i < len; i += GK_VL) {
        int64_t left = len - i < GK_VL ? len - i : GK_VL;
        gk_vf a = gk_v_mul(vp, gk_v_load_tail(f + i, left)), s, c;
        gk_v_sincos(a, &s, &c);
        gk_v_store_tail(t->c + i, c, left);
        gk_v_store_tail(t->s + i, gk_v_xor(s, sign), left);
        if (__builtin_expect(gk_m_any(gk_v_cmp_gt(gk_v_abs(a), gk_v_set1(GK_SINCOS_MAX))), 0)) {
            /* beyond the vector reduction's range: libm, as the definition */
            for (int64_t k = i; k < i + left; k++) {
                float ak = pos * f[k];
                if (fabsf(ak) > GK_SINCOS_MAX) {
                    t->c[k] = cosf(ak);
                    t->s[k] = layout == GK_ROPE_NEOX || (k & 1) ? sinf(ak) : -sinf(ak);
                }
            }
        }
    }
}

static void GK_FN(gk_rope_f32)(int64_t tokens, int64_t heads, int64_t head_dim, float *x, int64_t ld_token,
                               const int32_t *pos, float theta, gk_rope_layout layout)
{
    int64_t half = head_dim / 2, per = layout == GK_ROPE_NEOX ? 1 : 2;
    rope_tab t;
    float fbuf[2 * GK_ROPE_BLOCK];
    for (int64_t p0 = 0; p0 < half; p0 += GK_ROPE_BLOCK) {
        int64_t np = half - p0 < GK_ROPE_BLOCK ? half - p0 : GK_ROPE_BLOCK;
        const float *f = fbuf;
        if (half <= GK_ROPE_BLOCK)
            f = cached_freqs(theta, head_dim, layout);
        else
            rope_freqs(theta, head_dim, p0, np, layout, fbuf);
        for (int64_t k = 0; k < tokens; k++) {
            token_table((float)pos[k], f, per * np, layout, &t);
            apply_token(x + k * ld_token, heads, head_dim, p0, np, t.c, t.s, layout, tokens, k + 1 < tokens);
        }
    }
}

/* ---- rope_table: cos/sin rows of head_dim/2 entries, row pos[t] for token t ---- */

static void GK_FN(gk_rope_table_f32)(int64_t tokens, int64_t heads, int64_t head_dim, float *x, int64_t ld_token,
                                     const int32_t *pos, const float *cos_tab, const float *sin_tab,
                                     gk_rope_layout layout)
{
    int64_t half = head_dim / 2;
    rope_tab t;
    for (int64_t p0 = 0; p0 < half; p0 += GK_ROPE_BLOCK) {
        int64_t np = half - p0 < GK_ROPE_BLOCK ? half - p0 : GK_ROPE_BLOCK;
        for (int64_t k = 0; k < tokens; k++) {
            const float *c = cos_tab + (int64_t)pos[k] * half + p0, *s = sin_tab + (int64_t)pos[k] * half + p0;
            if (layout == GK_ROPE_NEOX) {
                apply_token(x + k * ld_token, heads, head_dim, p0, np, c, s, layout, tokens, k + 1 < tokens);
                continue;
            }
            for (int64_t i = 0; i < np; i++) {
                t.c[2 * i] = t.c[2 * i + 1] = c[i];
                t.s[2 * i] = -s[i];
                t.s[2 * i + 1] = s[i];
            }
            apply_token(x + k * ld_token, heads, head_dim, p0, np, t.c, t.s, layout, tokens, k + 1 < tokens);
        }
    }
}

void GK_FN(gk_register_rope)(gk_kernel_table *t, uint32_t features)
{
    (void)features;
    t->rope = GK_FN(gk_rope_f32);
    t->rope_table = GK_FN(gk_rope_table_f32);
}
