/* rms_norm kernel for one ISA: y = x * w / sqrt(mean(x^2) + eps), row by row.
 *
 * Pass 1 sums x^2 in double (gk_row_sum_f64), as the scalar definition does. Pass 2 follows the
 * definition's rounding, y = (float)(x * inv) * w, in double when the scale is extreme; when
 * inv is within [2^-100, 2^100] (every ordinary row) it multiplies by inv rounded to float
 * instead, which stays in f32 lanes at twice the width: (x * (float)inv) differs from
 * (float)(x * inv) by at most 1 ULP, and no overflow or subnormal scale is possible there since
 * |x| <= sqrt(n) / inv. NaN or inf in a row makes inv NaN or 0 and takes the exact path, which
 * propagates them as the definition does. Pass 2 streams its stores when told to (norm.h) and
 * prefetches the next row (measured level with prefetching it in pass 1). */
#include <math.h>

#include "kernels/norm/norm.h"

static void rms_row_exact(int64_t n, const float *x, const float *w, double inv, float *y)
{
    gk_vd vi = gk_vd_set1(inv);
    for (int64_t i = 0; i < n; i += GK_VL) {
        int64_t left = n - i < GK_VL ? n - i : GK_VL;
        gk_vf v = gk_v_load_tail(x + i, left);
        gk_vf s = gk_v_from_vd(gk_vd_mul(gk_vd_from_lo(v), vi), gk_vd_mul(gk_vd_from_hi(v), vi));
        gk_v_store_tail(y + i, gk_v_mul(s, gk_v_load_tail(w + i, left)), left);
    }
}

typedef struct {
    const float *x, *w;
    gk_vf s;
} rms_args;

static inline __attribute__((always_inline)) gk_vf rms_at(const void *p, int64_t i, int64_t left)
{
    const rms_args *a = p;
    return gk_v_mul(gk_v_mul(gk_row_ld(a->x, i, left), a->s), gk_row_ld(a->w, i, left));
}

void GK_FN(gk_rms_norm_f32)(int64_t rows, int64_t n, const float *x, int64_t ldx, const float *w, float eps,
                            float *y, int64_t ldy, int stream)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * ldx;
        float *yr = y + r * ldy;
        double inv = 1.0 / sqrt(gk_row_sum_f64(n, xr, 0.0, GK_ROW_SQUARES, NULL, NULL) / (double)n + (double)eps);
        if (inv >= 0x1p-100 && inv <= 0x1p100) {
            rms_args a = {xr, w, gk_v_set1((float)inv)};
            gk_row_out(n, yr, stream, gk_row_next(r, rows, xr, ldx, stream), &a, rms_at);
        } else {
            rms_row_exact(n, xr, w, inv, yr);
        }
    }
    if (stream)
        gk_v_stream_fence();
}
