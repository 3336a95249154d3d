/* softmax kernel for one ISA: y = exp(x - max) / sum, row by row, in three passes over a row
 * that stays in L1/L2 between them: (1) max and a NaN check, (2) e = exp(x - max) stored to y
 * (or to a scratch row when streaming) and summed in float lanes, (3) y = e * (1 / sum) (the
 * reciprocal rounded to float, as defined). Pass 2, the longest, prefetches the next row (in pass
 * 1 it arrived too late: 64 MiB of rows at 0.62-0.81x memcpy instead of 0.81-0.97x on Zen 5,
 * interleaved runs).
 *
 * Rows whose max is not finite (a NaN, a +inf, or every entry -inf) are rare and defined case
 * by case (src/scalar/norms.c): they are detected in pass 1, before anything is written (y may
 * alias x), and handed to the scalar definition itself, so their results are the definition's.
 * In ordinary rows x - max <= 0, so e uses gk_v_exp_nonpos: terms below e^-87.68 become 0 (the
 * definition's expf gives them as subnormals), a difference far below the sum's rounding. */
#include "kernels/norm/norm.h"
#include "kernels/vecmath/vecmath.h"
#include "scalar/scalar.h"

/* Longest row whose exponentials go to the stack when the output is streamed (32 KiB: an L1's
 * worth, next to the row of x). */
#define GK_SOFTMAX_SCRATCH 8192

/* Max of a row, or NaN when the row holds a NaN. */
static float row_max(int64_t n, const float *x)
{
    gk_vf m0 = gk_v_set1(-__builtin_inff()), m1 = m0;
    gk_vm nan = gk_m_none();
    int64_t i = 0;
    for (; i + 2 * GK_VL <= n; i += 2 * GK_VL) {
        gk_vf a = gk_v_loadu(x + i), b = gk_v_loadu(x + i + GK_VL);
        nan = gk_m_or(nan, gk_v_unord(a, b));
        m0 = gk_v_max(a, m0); /* max(x, m) keeps m when x is NaN */
        m1 = gk_v_max(b, m1);
    }
    for (; i < n; i += GK_VL) {
        int64_t left = n - i < GK_VL ? n - i : GK_VL;
        /* padding lanes repeat m0, which changes nothing */
        gk_vf a = gk_v_select(gk_m_first(left), gk_v_load_tail(x + i, left), m0);
        nan = gk_m_or(nan, gk_v_isnan(a));
        m0 = gk_v_max(a, m0);
    }
    return gk_m_any(nan) ? __builtin_nanf("") : gk_v_reduce_max(gk_v_max(m0, m1));
}

/* e = exp(x - m); returns the sum of e. pf (or NULL): the next row, prefetched meanwhile. */
static float row_exp(int64_t n, const float *x, float m, float *e, const float *pf)
{
    gk_vf vm = gk_v_set1(m), s0 = gk_v_zero(), s1 = gk_v_zero();
    int64_t i = 0;
    for (; i + 2 * GK_VL <= n; i += 2 * GK_VL) {
        if (pf)
            gk_row_prefetch(pf + i);
        gk_vf a = gk_v_exp_nonpos(gk_v_sub(gk_v_loadu(x + i), vm));
        gk_vf b = gk_v_exp_nonpos(gk_v_sub(gk_v_loadu(x + i + GK_VL), vm));
        gk_v_storeu(e + i, a);
        gk_v_storeu(e + i + GK_VL, b);
        s0 = gk_v_add(s0, a);
        s1 = gk_v_add(s1, b);
    }
    for (; i < n; i += GK_VL) {
        int64_t left = n - i < GK_VL ? n - i : GK_VL;
        gk_vf a = gk_v_exp_nonpos(gk_v_sub(gk_v_load_tail(x + i, left), vm));
        a = gk_v_select(gk_m_first(left), a, gk_v_zero());
        gk_v_store_tail(e + i, a, left);
        s0 = gk_v_add(s0, a);
    }
    return gk_v_reduce_add(gk_v_add(s0, s1));
}

typedef struct {
    const float *e;
    gk_vf s;
} scale_args;

static inline __attribute__((always_inline)) gk_vf scale_at(const void *p, int64_t i, int64_t left)
{
    const scale_args *a = p;
    return gk_v_mul(gk_row_ld(a->e, i, left), a->s);
}

/* One finite-max row: e = exp(x - m) into y (read back from L1 by the scaling pass), or, when
 * streaming, into a scratch row on the stack, so that y is only ever written by non-temporal
 * stores (a cached pass over y would read each of its lines from DRAM first). The sums and
 * products are the same either way. Rows longer than the scratch take the cached path. */
static void softmax_row(int64_t n, const float *x, float m, float *y, int stream, const float *pf)
{
    float scratch[GK_SOFTMAX_SCRATCH] __attribute__((aligned(64)));
    float *e = stream && n <= GK_SOFTMAX_SCRATCH ? scratch : y;
    scale_args a = {e, gk_v_set1(1.0f / row_exp(n, x, m, e, pf))};
    gk_row_out(n, y, e == scratch, NULL, &a, scale_at);
}

void GK_FN(gk_softmax_f32)(int64_t rows, int64_t n, const float *x, int64_t ldx, float *y, int64_t ldy, int stream)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * ldx;
        float *yr = y + r * ldy;
        float m = row_max(n, xr);
        if (!(m > -__builtin_inff() && m < __builtin_inff())) {
            gk_scalar_softmax(xr, yr, n);
            continue;
        }
        softmax_row(n, xr, m, yr, stream, gk_row_next(r, rows, xr, ldx, stream));
    }
    if (stream)
        gk_v_stream_fence();
}
