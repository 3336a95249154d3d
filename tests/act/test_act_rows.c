/* softmax, rms_norm and layer_norm through the public API on every ISA level: rows with strides
 * (ldx, ldy > n), against the scalar definitions and a float64 reference, special rows (NaN,
 * +inf, all -inf, masked -inf entries, huge values, FLT_MAX, large mean, a far-out first
 * entry), in place, NaN guards around the output, bitwise identical at 1 and 2 threads, and
 * outputs larger than the last-level cache (streamed) bitwise identical to short calls (cached
 * stores). */
#include <float.h>
#include <stdlib.h>

#include "act_test.h"
#include "runtime/cpu.h"
#include "scalar/scalar.h"

enum { ROWS = 9 };

/* Row r of the input: mostly uniform, with the special rows every ISA must get right. */
static void fill_row(gk_rng *rng, float *x, int64_t n, int r, int op)
{
    gk_rng_fill(rng, x, n, -6, 6);
    switch (r) {
    case 1: x[n / 2] = NAN; break;
    case 2: x[n - 1] = INFINITY; x[0] = INFINITY; break;
    case 3: for (int64_t i = 0; i < n; i++) x[i] = -INFINITY; break;
    case 4: for (int64_t i = 0; i < n; i += 3) x[i] = -INFINITY; if (op != 0) x[0] = 1; break;
    case 5: for (int64_t i = 0; i < n; i++) x[i] *= 1e37f; break;       /* huge: squares overflow float */
    case 6: for (int64_t i = 0; i < n; i++) x[i] = 1e4f + x[i] * 1e-3f; break; /* mean >> spread */
    case 7: for (int64_t i = 0; i < n; i++) x[i] = (i & 1) ? FLT_MAX : -FLT_MAX; break;
    case 8: if (op != 0) x[0] = 1000; break; /* layer_norm sums x - x[0]: far out, long rows cancel */
    default: break;
    }
    if (op != 0 && (r == 3 || r == 4)) /* the norms get -inf rows too, but only as rows 3/4 */
        x[n / 3] = -INFINITY;
}

/* float64 references (independent of the definitions' float steps). */
static void ref_softmax(const float *x, int64_t n, double *d)
{
    double m = -INFINITY, s = 0;
    for (int64_t i = 0; i < n; i++)
        m = x[i] > m ? x[i] : m;
    for (int64_t i = 0; i < n; i++)
        s += d[i] = exp((double)x[i] - m);
    for (int64_t i = 0; i < n; i++)
        d[i] /= s;
}

static void ref_norm(const float *x, const float *w, const float *b, int64_t n, float eps, int layer, double *d)
{
    double mean = 0, sq = 0;
    if (layer) {
        for (int64_t i = 0; i < n; i++)
            mean += x[i];
        mean /= (double)n;
    }
    for (int64_t i = 0; i < n; i++)
        sq += ((double)x[i] - mean) * ((double)x[i] - mean);
    double inv = 1 / sqrt(sq / (double)n + eps);
    for (int64_t i = 0; i < n; i++)
        d[i] = ((double)x[i] - mean) * inv * w[i] + (layer ? b[i] : 0);
}

/* Tolerances (per element, y = kernel, s = definition, d = float64):
 *  softmax: x - max is rounded to float (as defined), which e^ turns into a relative error of
 *    |x - max| 2^-24; e^ within 1 ULP (vecmath exp), the sum in GK_VL float lanes (relative
 *    error <= (n / 8 + 4) 2^-24, 8 being the narrowest lane count) against the definition's
 *    sequential sum (<= n 2^-24), one product: with a = |x - max|,
 *    |y - d| <= (n/8 + 8 + a) 2^-24 d + 2^-120 (terms below e^-86.5 are flushed) and
 *    |y - s| <= (n + n/8 + 16) 2^-24 s + 2^-120.
 *  rms_norm: the scale rounded to float before the product (<= 1 ULP) plus the product by w:
 *    3 ULP of s, and |y - d| <= 4 ULP(d).
 *  layer_norm: z = (x - mean) inv within 2 ULP of the definition's, then z w + b in float:
 *    |y - s| <= 2^-22 |z w| + 2 ULP(y); against d the definition's own roundings: 2^-22 (|z w| + |b|).
 *  Where the float64 formula has no finite value (rows with NaN or inf, softmax's all -inf
 *  row) the kernel must match the definition bit for bit. */
static int row_ok(int op, int64_t n, float y, float s, double d, double zw, double b, double a)
{
    if (!isfinite(s) || !isfinite(y) || !isfinite(d)) /* rows defined case by case */
        return gk_same_float(y, s);
    if (op == 0) {
        double rd = (n / 8.0 + 8 + a) * 0x1p-24 * d + 0x1p-120, rs = (n + n / 8.0 + 16) * 0x1p-24 * s + 0x1p-120;
        return fabs(y - d) <= rd && fabs((double)y - s) <= rs;
    }
    if (op == 1)
        return act_ulps(y, s) <= 3 && fabs(y - d) <= 4 * act_ulp(d);
    double az = fabs(zw);
    return fabs((double)y - s) <= 0x1p-22 * az + 2 * act_ulp(y) && fabs(y - d) <= 0x1p-22 * (az + fabs(b)) + 2 * act_ulp(d);
}

static const char *const names[3] = {"softmax", "rms_norm", "layer_norm"};

static gk_status run(int op, int64_t rows, int64_t n, const float *x, int64_t ldx, const float *w, const float *b,
                     float *y, int64_t ldy)
{
    if (op == 0)
        return gk_softmax_f32(rows, n, x, ldx, y, ldy);
    if (op == 1)
        return gk_rms_norm_f32(rows, n, x, ldx, w, 1e-5f, y, ldy);
    return gk_layer_norm_f32(rows, n, x, ldx, w, b, 1e-5f, y, ldy);
}

static void test_rows(void *ctx)
{
    (void)ctx;
    gk_rng rng;
    for (int op = 0; op < 3; op++) {
        gk_rng_seed(&rng, 11 + (uint64_t)op);
        for (int li = 0; li < ACT_NLENS; li++) {
            int64_t n = act_lens[li];
            if (n > 5000)
                continue; /* rows*n stays small; long rows are in test_threads */
            int64_t ldx = n + 3, ldy = n + 5;
            float *x = malloc((size_t)(ROWS * ldx + 1) * sizeof *x);
            float *w = malloc((size_t)(n + 1) * sizeof *w), *b = malloc((size_t)(n + 1) * sizeof *b);
            float *s = malloc((size_t)(n + 1) * sizeof *s);
            double *d = malloc((size_t)(n + 1) * sizeof *d);
            for (int r = 0; r < ROWS; r++)
                fill_row(&rng, x + r * ldx, n, r, op);
            gk_rng_fill(&rng, w, n, 0.5f, 2);
            gk_rng_fill(&rng, b, n, -1, 1);
            gk_guarded y = gk_guarded_new(ROWS * ldy);
            CHECK_STATUS(run(op, ROWS, n, n ? x : NULL, ldx, w, b, n ? y.p : NULL, ldy), GK_OK);
            CHECK(gk_guarded_intact(&y), "%s n=%lld: guard bytes overwritten", names[op], (long long)n);
            int bad = 0;
            for (int r = 0; r < ROWS && n > 0; r++) {
                const float *xr = x + r * ldx;
                const float *yr = y.p + r * ldy;
                if (op == 0) {
                    gk_scalar_softmax(xr, s, n);
                    ref_softmax(xr, n, d);
                } else {
                    if (op == 1)
                        gk_scalar_rms_norm(xr, w, s, n, 1e-5f);
                    else
                        gk_scalar_layer_norm(xr, w, b, s, n, 1e-5f);
                    ref_norm(xr, w, b, n, 1e-5f, op == 2, d);
                }
                float m = -INFINITY;
                for (int64_t i = 0; i < n; i++)
                    m = xr[i] > m ? xr[i] : m;
                for (int64_t i = 0; i < n && bad < 3; i++) {
                    double zw = op == 2 ? d[i] - b[i] : d[i];
                    if (!row_ok(op, n, yr[i], s[i], d[i], zw, op == 2 ? b[i] : 0, isinf(xr[i]) ? 0 : fabs((double)xr[i] - m))) {
                        bad++;
                        CHECK(0, "%s n=%lld row %d [%lld]: x=%.9g -> %.9g, definition %.9g, float64 %.9g", names[op],
                              (long long)n, r, (long long)i, (double)xr[i], (double)yr[i], (double)s[i], d[i]);
                    }
                }
                /* the padding between rows is never written */
                for (int64_t i = n; i < ldy && r < ROWS - 1; i++)
                    CHECK(isnan(yr[i]), "%s n=%lld row %d: padding [%lld] written", names[op], (long long)n, r,
                          (long long)i);
            }
            /* in place (y = x, same ld) gives the same bits */
            run(op, ROWS, n, x, ldx, w, b, x, ldx);
            for (int r = 0; r < ROWS; r++)
                for (int64_t i = 0; i < n; i++)
                    if (!gk_same_float(x[r * ldx + i], y.p[r * ldy + i])) {
                        CHECK(0, "%s n=%lld: in place differs at row %d [%lld]", names[op], (long long)n, r,
                              (long long)i);
                        r = ROWS;
                        break;
                    }
            gk_guarded_free(&y);
            free(x);
            free(w);
            free(b);
            free(s);
            free(d);
        }
    }
}

/* Many rows, split across the pool: 1 and 2 threads give the same bits. */
static void test_threads(void *ctx)
{
    (void)ctx;
    enum { R = 37, N = 4097 };
    gk_rng rng;
    gk_rng_seed(&rng, 5);
    float *x = malloc(R * N * sizeof *x), *w = malloc(N * sizeof *w), *b = malloc(N * sizeof *b);
    float *y1 = malloc(R * N * sizeof *y1), *y2 = malloc(R * N * sizeof *y2);
    for (int r = 0; r < R; r++)
        fill_row(&rng, x + r * N, N, r % ROWS, 0);
    gk_rng_fill(&rng, w, N, 0.5f, 2);
    gk_rng_fill(&rng, b, N, -1, 1);
    for (int op = 0; op < 3; op++) {
        gk_set_num_threads(1);
        run(op, R, N, x, N, w, b, y1, N);
        gk_set_num_threads(2);
        run(op, R, N, x, N, w, b, y2, N);
        CHECK(memcmp(y1, y2, R * N * sizeof *y1) == 0, "%s: 1 and 2 threads differ", names[op]);
    }
    free(x);
    free(w);
    free(b);
    free(y1);
    free(y2);
}

/* Outputs larger than the last-level cache are written with non-temporal stores (each row: a
 * masked head up to the vector alignment, then streamed vectors; softmax's exponentials go to a
 * scratch row first): the same bits as the cached stores that short calls use, with 1 and 2
 * threads, nothing written past the end or into the padding between rows. Shapes: aligned rows
 * (n = ld = 4096, y aligned as allocated), misaligned rows whose alignment varies from row to
 * row (odd n and ldy, y one float off), and softmax rows longer than its scratch row. */
static void test_stream(void *ctx)
{
    (void)ctx;
    static const struct { int64_t n, ldx, ldy, off; } shapes[] = {{4096, 4096, 4096, 0}, {4099, 4103, 4101, 1},
                                                                  {9001, 9001, 9001, 0}};
    const struct gk_device_profile *p = gk_cpu();
    int64_t llc = (p->l3.size > 0 ? p->l3.size : p->l2.size) * p->cores;
    gk_rng rng;
    gk_rng_seed(&rng, 23);
    for (int k = 0; k < 3; k++) {
        int64_t n = shapes[k].n, ldx = shapes[k].ldx, ldy = shapes[k].ldy, off = shapes[k].off;
        int64_t rows = llc / (4 * n) + 3, step = 64; /* 64 rows of <= 36 KiB: never streamed */
        float *x = malloc((size_t)(rows * ldx) * sizeof *x), *want = malloc((size_t)(rows * ldy) * sizeof *want);
        float *w = malloc((size_t)n * sizeof *w), *b = malloc((size_t)n * sizeof *b);
        for (int64_t r = 0; r < rows; r++)
            fill_row(&rng, x + r * ldx, n, (int)(r % ROWS), 0);
        gk_rng_fill(&rng, w, n, 0.5f, 2);
        gk_rng_fill(&rng, b, n, -1, 1);
        gk_guarded y = gk_guarded_new(rows * ldy + off);
        for (int op = 0; op < 3; op++) {
            if (op > 0 && n > 5000)
                continue; /* the long rows are there for softmax's scratch limit */
            gk_set_num_threads(1);
            memset(want, 0xff, (size_t)(rows * ldy) * sizeof *want);
            for (int64_t r = 0; r < rows; r += step)
                run(op, rows - r < step ? rows - r : step, n, x + r * ldx, ldx, w, b, want + r * ldy, ldy);
            for (int t = 1; t <= 2; t++) {
                gk_set_num_threads(t);
                CHECK_STATUS(run(op, rows, n, x, ldx, w, b, y.p + off, ldy), GK_OK);
                int same = 1;
                for (int64_t r = 0; r < rows && same; r++)
                    same = memcmp(y.p + off + r * ldy, want + r * ldy, (size_t)n * sizeof *want) == 0;
                CHECK(same, "%s n=%lld ldy=%lld threads=%d: streamed output differs", names[op], (long long)n,
                      (long long)ldy, t);
                for (int64_t r = 0; r + 1 < rows; r++)
                    for (int64_t i = n; i < ldy; i++)
                        if (!isnan(y.p[off + r * ldy + i])) {
                            CHECK(0, "%s n=%lld: padding of row %lld written", names[op], (long long)n, (long long)r);
                            r = rows;
                            break;
                        }
                CHECK(gk_guarded_intact(&y) && (off == 0 || isnan(y.p[0])), "%s n=%lld: guard bytes overwritten",
                      names[op], (long long)n);
            }
        }
        gk_set_num_threads(2);
        gk_guarded_free(&y);
        free(x);
        free(want);
        free(w);
        free(b);
    }
}

int main(void)
{
    gk_test_for_each_isa(test_rows, NULL);
    gk_test_for_each_isa(test_threads, NULL);
    gk_test_for_each_isa(test_stream, NULL);
    float x[8] = {1, 2, 3, 4, 5, 6, 7, 8}, w[4] = {1, 1, 1, 1}, y[8] = {0};
    CHECK_STATUS(gk_softmax_f32(2, 4, x, 3, y, 4), GK_ERR_INVALID_ARG);        /* ldx < n */
    CHECK_STATUS(gk_rms_norm_f32(2, 4, x, 4, NULL, 1e-5f, y, 4), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_layer_norm_f32(1, 4, x, 4, w, w, 1e-5f, x + 2, 4), GK_ERR_INVALID_ARG); /* partial alias */
    CHECK(y[0] == 0 && x[2] == 3, "a failing call wrote its output");
    return gk_test_finish("act_rows");
}
