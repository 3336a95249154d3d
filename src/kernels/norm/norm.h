/* Shared pieces of the row-wise kernels (softmax, rms_norm, layer_norm), included by each
 * per-ISA template: the kernels' names for registration, the double-precision row sums the
 * norms need (as in the scalar definitions, x*x and the sums are formed in double, so |x| up to
 * FLT_MAX neither overflows nor loses the small terms), and the output pass every kernel ends
 * with (streamed or cached stores, the next row prefetched meanwhile). */
#ifndef GK_KERNELS_NORM_H
#define GK_KERNELS_NORM_H

#include "kernels/simd/simd.h"
#include "kernels/simd/stream.h"
#include "ops/dispatch.h"

void GK_FN(gk_softmax_f32)(int64_t rows, int64_t n, const float *x, int64_t ldx, float *y, int64_t ldy,
                           int stream);
void GK_FN(gk_rms_norm_f32)(int64_t rows, int64_t n, const float *x, int64_t ldx, const float *w, float eps,
                            float *y, int64_t ldy, int stream);
void GK_FN(gk_layer_norm_f32)(int64_t rows, int64_t n, const float *x, int64_t ldx, const float *w,
                              const float *b, float eps, float *y, int64_t ldy, int stream);

/* The next row of x, or NULL: its lines are requested while the current row is worked on from
 * L1, so DRAM keeps streaming during the compute passes instead of waiting for the next row's
 * first pass (the hardware prefetchers stop at page boundaries and do not know where the next
 * row starts). When streaming, past the last row of the range too: the ops layer hands out a few
 * rows per call, and the row after a range is the next call's first (beyond the matrix's last row
 * a prefetch reads a few unused lines and never faults). Without it, the first row of every
 * 4-row range waited for DRAM: layer_norm on 64 MiB 0.88x -> 1.0x memcpy, rms_norm 1.02 -> 1.06x. */
static inline const float *gk_row_next(int64_t r, int64_t rows, const float *xr, int64_t ldx, int stream)
{
    return r + 1 < rows || stream ? xr + ldx : NULL;
}

/* Prefetch the lines of two vectors at p (into L2: L1 holds the current row and w, b). */
static inline __attribute__((always_inline)) void gk_row_prefetch(const float *p)
{
    for (int o = 0; o < 2 * GK_VBYTES; o += 64)
        __builtin_prefetch((const char *)p + o, 0, 2);
}

/* What gk_row_sum_f64 sums: x, x^2, (x - c)^2, or both x - c and (x - c)^2. */
enum { GK_ROW_SUM = 0, GK_ROW_SQUARES = 1, GK_ROW_CENTERED_SQUARES = 2, GK_ROW_SHIFTED = 3 };

/* Adds the GK_VL lanes of v to two accumulators (GK_ROW_SHIFTED: x - c to acc[0..1], (x - c)^2
 * to acc[4..5]). For a tail (masked), `keep` (0/1 lane weights) drops the zero padding where it
 * would not add 0, i.e. wherever c is subtracted. */
static inline __attribute__((always_inline)) void gk_row_acc_f64(gk_vd *acc, gk_vf v, gk_vd c, int mode, int masked,
                                                                 gk_vf keep)
{
    gk_vd lo = gk_vd_from_lo(v), hi = gk_vd_from_hi(v);
    if (mode == GK_ROW_SUM) {
        acc[0] = gk_vd_add(acc[0], lo);
        acc[1] = gk_vd_add(acc[1], hi);
        return;
    }
    if (mode == GK_ROW_CENTERED_SQUARES || mode == GK_ROW_SHIFTED) {
        lo = gk_vd_sub(lo, c);
        hi = gk_vd_sub(hi, c);
        if (masked) {
            lo = gk_vd_mul(lo, gk_vd_from_lo(keep));
            hi = gk_vd_mul(hi, gk_vd_from_hi(keep));
        }
    }
    if (mode == GK_ROW_SHIFTED) {
        acc[0] = gk_vd_add(acc[0], lo);
        acc[1] = gk_vd_add(acc[1], hi);
        acc += 4;
    }
    acc[0] = gk_vd_fma(lo, lo, acc[0]);
    acc[1] = gk_vd_fma(hi, hi, acc[1]);
}

/* Sum over a row in double (mode: GK_ROW_*; c is used where x - c is formed; GK_ROW_SHIFTED
 * returns the sum of x - c and stores that of (x - c)^2 to *sq). Four accumulators of GK_VL/2
 * doubles per sum hide the add/FMA latency; the tail is a masked load. pf (or NULL): the next
 * row, prefetched meanwhile. */
static inline __attribute__((always_inline)) double gk_row_sum_f64(int64_t n, const float *x, double c, int mode,
                                                                 const float *pf, double *sq)
{
    gk_vd acc[8];
    for (int k = 0; k < 8; k++)
        acc[k] = gk_vd_zero();
    gk_vd vc = gk_vd_set1(c);
    int64_t i = 0;
    for (; i + 2 * GK_VL <= n; i += 2 * GK_VL) {
        if (pf)
            gk_row_prefetch(pf + i);
        gk_row_acc_f64(acc, gk_v_loadu(x + i), vc, mode, 0, gk_v_zero());
        gk_row_acc_f64(acc + 2, gk_v_loadu(x + i + GK_VL), vc, mode, 0, gk_v_zero());
    }
    for (; i < n; i += GK_VL) {
        int64_t left = n - i < GK_VL ? n - i : GK_VL;
        gk_vf keep = gk_v_select(gk_m_first(left), gk_v_set1(1.0f), gk_v_zero());
        gk_row_acc_f64(acc, gk_v_load_tail(x + i, left), vc, mode, 1, keep);
    }
    if (mode == GK_ROW_SHIFTED)
        *sq = gk_vd_reduce_add(gk_vd_add(gk_vd_add(acc[4], acc[5]), gk_vd_add(acc[6], acc[7])));
    return gk_vd_reduce_add(gk_vd_add(gk_vd_add(acc[0], acc[1]), gk_vd_add(acc[2], acc[3])));
}

/* `left` lanes of p + i (left == GK_VL in the body, where this is a plain load). */
static inline __attribute__((always_inline)) gk_vf gk_row_ld(const float *p, int64_t i, int64_t left)
{
    return left == GK_VL ? gk_v_loadu(p + i) : gk_v_load_tail(p + i, left);
}

/* The output pass of a row: y[i..] = f(a, i, left), one vector of `left` lanes at offset i
 * (inlined per kernel so f is expanded). Elementwise, so where the vectors start does not change
 * a value: with stream, a masked head up to y's vector alignment, then non-temporal stores (the
 * kernel fences once at its end). pf (or NULL): the next row, prefetched two vectors per step. */
static inline __attribute__((always_inline)) void gk_row_out(int64_t n, float *y, int stream, const float *pf,
                                                             const void *a,
                                                             gk_vf (*f)(const void *a, int64_t i, int64_t left))
{
    int64_t i = gk_stream_head(n, y, stream);
    if (i > 0)
        gk_v_store_tail(y, f(a, 0, i), i);
    for (; i + 2 * GK_VL <= n; i += 2 * GK_VL) {
        if (pf)
            gk_row_prefetch(pf + i);
        gk_vf r0 = f(a, i, GK_VL), r1 = f(a, i + GK_VL, GK_VL);
        gk_v_put(y + i, r0, stream);
        gk_v_put(y + i + GK_VL, r1, stream);
    }
    for (; i < n; i += GK_VL) {
        int64_t left = n - i < GK_VL ? n - i : GK_VL;
        gk_v_store_tail(y + i, f(a, i, left), left);
    }
}

#endif
