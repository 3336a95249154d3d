/* f32 BLAS-1 kernels for one ISA (a template over the SIMD layer, compiled per ISA). The ops
 * layer validates, splits long vectors into fixed chunks across threads and combines reduction
 * partials in chunk order; these kernels run one range.
 *
 * Reductions (dot, sum) stay accurate for long vectors: a block of BLOCK elements is summed in
 * 4*GK_VL interleaved lanes (each lane adds at most BLOCK/(4*GK_VL) terms), the lanes are added
 * by a fixed tree, and blocks are combined pairwise (recursive halving). Error bound:
 *   |computed - exact| <= (BLOCK/(4*GK_VL) + log2(4*GK_VL) + log2(ceil(n/BLOCK)) + 1) * eps * sum|t_i|
 * with t_i = x_i*y_i (dot) or x_i (sum) and eps = 2^-24, against (n-1)*eps for the sequential
 * scalar definition; for n = 2^24 with AVX2 (GK_VL = 8) that is 146 eps instead of 16.7M eps.
 * Elementwise kernels are exact per element as in the definitions, except axpy, which fuses
 * alpha*x + y (one rounding instead of two). */
#include <math.h>

#include "kernels/simd/simd.h"
#include "kernels/simd/stream.h"
#include "ops/dispatch.h"

#define BLOCK 4096

/* Sum of one block (n <= BLOCK) of x (or of x*y when y != NULL). */
static inline __attribute__((always_inline)) float block_sum(int64_t n, const float *x, const float *y)
{
    gk_vf acc[4] = {gk_v_zero(), gk_v_zero(), gk_v_zero(), gk_v_zero()};
    int64_t i = 0;
    for (; i + 4 * GK_VL <= n; i += 4 * GK_VL)
        for (int u = 0; u < 4; u++) {
            gk_vf v = gk_v_loadu(x + i + u * GK_VL);
            acc[u] = y ? gk_v_fma(v, gk_v_loadu(y + i + u * GK_VL), acc[u]) : gk_v_add(acc[u], v);
        }
    for (int u = 0; i < n; i += GK_VL, u++) {
        int64_t left = n - i < GK_VL ? n - i : GK_VL;
        gk_vf v = gk_v_load_tail(x + i, left);
        acc[u] = y ? gk_v_fma(v, gk_v_load_tail(y + i, left), acc[u]) : gk_v_add(acc[u], v);
    }
    return gk_v_reduce_add(gk_v_add(gk_v_add(acc[0], acc[1]), gk_v_add(acc[2], acc[3])));
}

/* Pairwise over blocks: split at a block boundary near the middle. */
static float pairwise_sum(int64_t n, const float *x, const float *y)
{
    if (n <= BLOCK)
        return y ? block_sum(n, x, y) : block_sum(n, x, NULL);
    int64_t half = (n / BLOCK + 1) / 2 * BLOCK;
    return pairwise_sum(half, x, y) + pairwise_sum(n - half, x + half, y ? y + half : NULL);
}

static float GK_FN(gk_vec_dot_f32)(int64_t n, const float *x, const float *y) { return pairwise_sum(n, x, y); }

static float GK_FN(gk_vec_sum_f32)(int64_t n, const float *x) { return pairwise_sum(n, x, NULL); }

/* NaN wins, as in the definition (whose result is then the last NaN of x). The x86 max drops a
 * NaN in its first operand, so NaN is looked for apart, in one of two ways:
 * - NAN_BY_SUMS: four lane sums add every vector, and a NaN makes its sum NaN for good. A sum
 *   also turns NaN from infinities of both signs (inputs, or an overflow), so a NaN sum only
 *   sends the call to the exact scan, which then finds no NaN and returns the max. Zen 3,
 *   resident n = 2048, a loop of calls, best of 50: 98-101 -> 90-91 ns a call.
 * - else four masks of the lanes seen free of NaN, each narrowed by one masked compare per two
 *   vectors (on AVX-512, 1.5 vector ops per loaded vector where an unordered compare OR-ed into
 *   a mask took 2); Zen 4 measured the compare per two vectors ahead of a sum of four vectors
 *   tested by one compare (65 against 69-72 ns); the lane sums are not measured there.
 * Eight vectors a step, in pairs. */
#if defined(GK_TARGET_AVX2)
enum { NAN_BY_SUMS = 1 };
#else
enum { NAN_BY_SUMS = 0 };
#endif

static float GK_FN(gk_vec_max_f32)(int64_t n, const float *x)
{
    gk_vf m[4], s[4];
    gk_vm ok[4];
    for (int u = 0; u < 4; u++)
        m[u] = gk_v_set1(-INFINITY), s[u] = gk_v_zero(), ok[u] = gk_m_first(GK_VL);
    int64_t i = 0;
    for (; i + 8 * GK_VL <= n; i += 8 * GK_VL)
        for (int u = 0; u < 4; u++) {
            gk_vf v = gk_v_loadu(x + i + u * GK_VL), w = gk_v_loadu(x + i + (u + 4) * GK_VL);
            if (NAN_BY_SUMS)
                s[u] = gk_v_add(s[u], gk_v_add(v, w));
            else
                ok[u] = gk_m_and_ord(ok[u], v, w);
            m[u] = gk_v_max(gk_v_max(v, w), m[u]);
        }
    for (; i < n; i += GK_VL) {
        /* lanes past the end hold -inf: they never win */
        int64_t left = n - i < GK_VL ? n - i : GK_VL;
        gk_vf v = gk_v_select(gk_m_first(left), gk_v_load_tail(x + i, left), gk_v_set1(-INFINITY));
        ok[0] = gk_m_and_ord(ok[0], v, v);
        m[0] = gk_v_max(v, m[0]);
    }
    ok[1] = gk_m_and_ord(gk_m_and_ord(ok[1], s[0], s[1]), s[2], s[3]);
    if (!gk_m_all(gk_m_and(gk_m_and(ok[0], ok[1]), gk_m_and(ok[2], ok[3]))))
        for (i = n - 1; i >= 0; i--)
            if (x[i] != x[i])
                return x[i];
    return gk_v_reduce_max(gk_v_max(gk_v_max(m[0], m[1]), gk_v_max(m[2], m[3])));
}

/* The elementwise kernels share one loop; op is a constant after inlining. */
typedef enum { OP_ADD, OP_MUL, OP_SCALE, OP_AXPY } map_op;

static inline __attribute__((always_inline)) gk_vf apply(map_op op, gk_vf x, gk_vf y, gk_vf alpha)
{
    switch (op) {
    case OP_ADD: return gk_v_add(x, y);
    case OP_MUL: return gk_v_mul(x, y);
    case OP_SCALE: return gk_v_mul(alpha, x);
    default: return gk_v_fma(alpha, x, y);
    }
}

/* out[i..i+len) = op(...) for len < GK_VL elements, masked. */
static inline __attribute__((always_inline)) void map_part(map_op op, int64_t i, int64_t len, const float *x,
                                                           const float *y, gk_vf va, float *out)
{
    gk_vf vy = op != OP_SCALE ? gk_v_load_tail(y + i, len) : gk_v_zero();
    gk_v_store_tail(out + i, apply(op, gk_v_load_tail(x + i, len), vy, va), len);
}

/* out = op(x, y, alpha); y is not read for OP_SCALE. Masked head (up to the alignment streamed
 * stores need) and tail, no scalar loop; with `stream` the body bypasses the caches, so a
 * separate output is not read for ownership (gk_stream_head, simd/stream.h). */
static inline __attribute__((always_inline)) void map(map_op op, int64_t n, const float *x, const float *y,
                                                      float alpha, float *out, int stream)
{
    gk_vf va = gk_v_set1(alpha), vy = gk_v_zero();
    int64_t i = gk_stream_head(n, out, stream);
    if (i > 0)
        map_part(op, 0, i, x, y, va, out);
    /* four vectors loaded before any is stored: x, y and out often lie a multiple of 4 KiB
     * apart, and a load right behind a store to such an address waits for it */
    for (; i + 4 * GK_VL <= n; i += 4 * GK_VL) {
        gk_vf vx[4], vys[4];
        for (int u = 0; u < 4; u++) {
            vx[u] = gk_v_loadu(x + i + u * GK_VL);
            vys[u] = op != OP_SCALE ? gk_v_loadu(y + i + u * GK_VL) : vy;
        }
        for (int u = 0; u < 4; u++)
            gk_v_put(out + i + u * GK_VL, apply(op, vx[u], vys[u], va), stream);
    }
    for (; i + GK_VL <= n; i += GK_VL) {
        if (op != OP_SCALE)
            vy = gk_v_loadu(y + i);
        gk_v_put(out + i, apply(op, gk_v_loadu(x + i), vy, va), stream);
    }
    if (stream)
        gk_v_stream_fence();
    if (i < n)
        map_part(op, i, n - i, x, y, va, out);
}

static void GK_FN(gk_vec_add_f32)(int64_t n, const float *x, const float *y, float *out, int stream)
{
    map(OP_ADD, n, x, y, 0.0f, out, stream);
}

static void GK_FN(gk_vec_mul_f32)(int64_t n, const float *x, const float *y, float *out, int stream)
{
    map(OP_MUL, n, x, y, 0.0f, out, stream);
}

static void GK_FN(gk_vec_scale_f32)(int64_t n, const float *x, float alpha, float *out, int stream)
{
    map(OP_SCALE, n, x, NULL, alpha, out, stream);
}

/* y is read where it is written: no stream */
static void GK_FN(gk_vec_axpy_f32)(int64_t n, float alpha, const float *x, float *y)
{
    map(OP_AXPY, n, x, y, alpha, y, 0);
}

void GK_FN(gk_register_blas1)(gk_kernel_table *t, uint32_t features)
{
    (void)features;
    t->vec_dot = GK_FN(gk_vec_dot_f32);
    t->vec_add = GK_FN(gk_vec_add_f32);
    t->vec_mul = GK_FN(gk_vec_mul_f32);
    t->vec_scale = GK_FN(gk_vec_scale_f32);
    t->vec_axpy = GK_FN(gk_vec_axpy_f32);
    t->vec_sum = GK_FN(gk_vec_sum_f32);
    t->vec_max = GK_FN(gk_vec_max_f32);
}
