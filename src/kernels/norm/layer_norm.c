/* layer_norm kernel for one ISA: y = (x - mean) / sqrt(var + eps) * w + b, row by row.
 *
 * The scalar definition takes the mean, then the population variance as the sum of
 * (x - mean)^2, both in double. Here one pass over the row (gk_row_sum_f64, GK_ROW_SHIFTED)
 * sums d = x - K and d^2 in double with K = x[0]: mean = K + S1/n, var = S2/n - (S1/n)^2. Each
 * double sum is within n 2^-53 of exact, so var is within 3 2^-53 S2 of it; since K is an
 * element of the row, S2/n = var + (mean - K)^2 <= (n + 1) var, and rows with S2 <= 2^22 var
 * (every finite row when n < 2048) get var to 3 2^-31 relative, far below the float rounding
 * of inv. Other rows (longer rows whose x[0] lies far out, NaN, inf) take the definition's two
 * passes. The output pass computes z = (x - mean) * inv and rounds it
 * to float, then y = z * w + b in float (two roundings, as defined). For ordinary rows
 * (|mean| <= 2^100, inv in [2^-100, 2^100]) it stays in f32 lanes: the mean is split into
 * hi + lo floats, so (x - hi) - lo keeps the difference accurate even when the mean is large
 * against the spread (x - hi is exact when x is near the mean), and inv is rounded to float;
 * z is then within 2 ULP of the definition's. Other rows (NaN, inf, extreme scales) use double
 * for z exactly as the definition does. The output pass streams its stores when told to (norm.h).
 * The reduction pass prefetches the next row (in the output pass it arrives too late: 64 MiB of
 * rows at 0.72-0.89x memcpy instead of 1.04-1.18x on Zen 5). One reduction pass instead of two:
 * the resident row 680-700 -> 580-600 ns. */
#include <math.h>

#include "kernels/norm/norm.h"

static void layer_row_exact(int64_t n, const float *x, const float *w, const float *b, double mean, double inv,
                            float *y)
{
    gk_vd vm = gk_vd_set1(mean), vi = gk_vd_set1(inv);
    for (int64_t i = 0; i < n; i += GK_VL) {
        int64_t left = n - i < GK_VL ? n - i : GK_VL;
        gk_vf v = gk_v_load_tail(x + i, left);
        gk_vf z = gk_v_from_vd(gk_vd_mul(gk_vd_sub(gk_vd_from_lo(v), vm), vi),
                               gk_vd_mul(gk_vd_sub(gk_vd_from_hi(v), vm), vi));
        gk_vf r = gk_v_add(gk_v_mul(z, gk_v_load_tail(w + i, left)), gk_v_load_tail(b + i, left));
        gk_v_store_tail(y + i, r, left);
    }
}

typedef struct {
    const float *x, *w, *b;
    gk_vf hi, lo, s;
} layer_args;

static inline __attribute__((always_inline)) gk_vf layer_at(const void *p, int64_t i, int64_t left)
{
    const layer_args *a = p;
    gk_vf z = gk_v_mul(gk_v_sub(gk_v_sub(gk_row_ld(a->x, i, left), a->hi), a->lo), a->s);
    return gk_v_add(gk_v_mul(z, gk_row_ld(a->w, i, left)), gk_row_ld(a->b, i, left));
}

void GK_FN(gk_layer_norm_f32)(int64_t rows, int64_t n, const float *x, int64_t ldx, const float *w,
                              const float *b, float eps, float *y, int64_t ldy, int stream)
{
    for (int64_t r = 0; r < rows; r++) {
        const float *xr = x + r * ldx;
        float *yr = y + r * ldy;
        const float *next = gk_row_next(r, rows, xr, ldx, stream);
        double s2, s1 = gk_row_sum_f64(n, xr, xr[0], GK_ROW_SHIFTED, next, &s2);
        double mean = xr[0] + s1 / (double)n, var = s2 / (double)n - (s1 / (double)n) * (s1 / (double)n);
        if (!(s2 <= 0x1p22 * var)) { /* too much cancellation, NaN or inf */
            mean = gk_row_sum_f64(n, xr, 0.0, GK_ROW_SUM, NULL, NULL) / (double)n;
            var = gk_row_sum_f64(n, xr, mean, GK_ROW_CENTERED_SQUARES, NULL, NULL) / (double)n;
        }
        double inv = 1.0 / sqrt(var + (double)eps);
        if (fabs(mean) <= 0x1p100 && inv >= 0x1p-100 && inv <= 0x1p100) {
            float mh = (float)mean;
            layer_args a = {xr, w, b, gk_v_set1(mh), gk_v_set1((float)(mean - (double)mh)), gk_v_set1((float)inv)};
            gk_row_out(n, yr, stream, NULL, &a, layer_at);
        } else {
            layer_row_exact(n, xr, w, b, mean, inv, yr);
        }
    }
    if (stream)
        gk_v_stream_fence();
}
