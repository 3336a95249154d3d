/* Row-wise entry points (softmax, rms_norm, layer_norm) and rope against the scalar
 * definitions, on every ISA level, with odd row strides, in place and out of place, edge rows
 * (all -inf, +inf entries, NaN, huge values), guard bytes checked. Tolerances, for SIMD levels:
 *   softmax: (n + 16)*eps*|want| + FLT_MIN — the sum of n positive terms in another order is
 *     within n*eps relative; 16 ulp for a vector exp; FLT_MIN for exp results that a vector exp
 *     flushes to 0 where expf returns a subnormal;
 *   rms_norm: 4*eps*|want| — the sums are in double, so only the final roundings can differ;
 *   layer_norm: 4*eps*(|want - b| + |b|) — as rms_norm, plus the rounding of the bias add;
 *   rope: 16*eps*(|x0| + |x1|) per output of a pair — cos/sin from a vector approximation
 *     within 8 ulp, positions kept below 2048 so the float angle stays well conditioned. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops_test.h"
#include "scalar/scalar.h"

#define EPS ((double)FLT_EPSILON)

enum { ROWS = 6 };

/* Row 0, 5 random; 1 all -inf; 2 two +inf; 3 one NaN; 4 huge magnitudes (when n allows). */
static void fill_rows(float *x, int64_t n, int64_t ld, gk_rng *rng, float scale)
{
    for (int64_t r = 0; r < ROWS; r++)
        gk_rng_fill(rng, x + r * ld, ld, -scale, scale);
    for (int64_t i = 0; i < n; i++)
        x[1 * ld + i] = -INFINITY;
    x[2 * ld + n / 2] = INFINITY;
    x[2 * ld + n - 1] = INFINITY;
    x[3 * ld + n / 3] = NAN;
    for (int64_t i = 0; i < n; i++)
        x[4 * ld + i] = (i % 2 ? -1.0f : 1.0f) * (i % 3 ? 1e30f : FLT_MAX / 2);
}

typedef enum { SOFTMAX, RMS, LAYER } row_op;

static void reference(row_op op, const float *x, const float *w, const float *b, float *y, int64_t n, float eps)
{
    if (op == SOFTMAX)
        gk_scalar_softmax(x, y, n);
    else if (op == RMS)
        gk_scalar_rms_norm(x, w, y, n, eps);
    else
        gk_scalar_layer_norm(x, w, b, y, n, eps);
}

static gk_status api(row_op op, int64_t n, const float *x, int64_t ldx, const float *w, const float *b, float eps,
                     float *y, int64_t ldy)
{
    if (op == SOFTMAX)
        return gk_softmax_f32(ROWS, n, x, ldx, y, ldy);
    if (op == RMS)
        return gk_rms_norm_f32(ROWS, n, x, ldx, w, eps, y, ldy);
    return gk_layer_norm_f32(ROWS, n, x, ldx, w, b, eps, y, ldy);
}

static double tol(row_op op, float want, float b, int64_t n)
{
    if (op == SOFTMAX)
        return (double)(n + 16) * EPS * fabs((double)want) + FLT_MIN;
    if (op == RMS)
        return 4.0 * EPS * fabs((double)want);
    return 4.0 * EPS * (fabs((double)want - b) + fabs((double)b));
}

static void test_rows(row_op op, int64_t n, gk_rng *rng)
{
    static const char *names[] = {"softmax", "rms_norm", "layer_norm"};
    const int64_t ldx = n + 3, ldy = n + 1;
    const float eps = 1e-5f;
    float *x = malloc((size_t)(ROWS * ldx) * sizeof(float));
    float *w = malloc((size_t)(n + 1) * sizeof(float)), *b = malloc((size_t)(n + 1) * sizeof(float));
    float *ref = malloc((size_t)(ROWS * n + 1) * sizeof(float));
    fill_rows(x, n, ldx, rng, op == SOFTMAX ? 20.0f : 3.0f);
    gk_rng_fill(rng, w, n, 0.5f, 1.5f);
    gk_rng_fill(rng, b, n, -1.0f, 1.0f);
    for (int64_t r = 0; r < ROWS; r++)
        reference(op, x + r * ldx, w, b, ref + r * n, n, eps);

    gk_guarded o = gk_guarded_new(ROWS * ldy);
    CHECK_STATUS(api(op, n, x, ldx, w, b, eps, o.p, ldy), GK_OK);
    for (int64_t r = 0; r < ROWS; r++) {
        for (int64_t i = 0; i < n; i++) {
            float got = o.p[r * ldy + i], want = ref[r * n + i];
            CHECK(ops_close(got, want, tol(op, want, b[i], n)), "%s n=%lld row %lld i=%lld: %.9g vs %.9g",
                  names[op], (long long)n, (long long)r, (long long)i, got, want);
        }
        for (int64_t i = n; i < ldy; i++)
            CHECK(isnan(o.p[r * ldy + i]), "%s wrote the row padding", names[op]);
    }
    CHECK(gk_guarded_intact(&o), "%s guards n=%lld", names[op], (long long)n);

    /* in place (y = x, same ld) gives the same values */
    CHECK_STATUS(api(op, n, x, ldx, w, b, eps, x, ldx), GK_OK);
    for (int64_t r = 0; r < ROWS; r++)
        for (int64_t i = 0; i < n; i++)
            CHECK(gk_same_float(x[r * ldx + i], o.p[r * ldy + i]), "%s in place n=%lld row %lld i=%lld", names[op],
                  (long long)n, (long long)r, (long long)i);
    gk_guarded_free(&o);
    free(x);
    free(w);
    free(b);
    free(ref);
}

static void test_rope(gk_rope_layout layout, int64_t tokens, int64_t heads, int64_t hd, int64_t pad, gk_rng *rng)
{
    const int64_t ld = heads * hd + pad;
    const float theta = 10000.0f;
    gk_guarded x = gk_guarded_new(tokens * ld);
    float *orig = malloc((size_t)(tokens * ld + 1) * sizeof(float)), *ref = malloc((size_t)(hd + 1) * sizeof(float));
    int32_t *pos = malloc((size_t)tokens * sizeof(int32_t));
    gk_rng_fill(rng, x.p, tokens * ld, -2.0f, 2.0f);
    memcpy(orig, x.p, (size_t)(tokens * ld) * sizeof(float));
    for (int64_t t = 0; t < tokens; t++)
        pos[t] = t == 0 ? 0 : (int32_t)(gk_rng_u64(rng) % 2048);
    CHECK_STATUS(gk_rope_f32(tokens, heads, hd, x.p, ld, pos, theta, layout), GK_OK);
    for (int64_t t = 0; t < tokens; t++) {
        for (int64_t h = 0; h < heads; h++) {
            const float *in = orig + t * ld + h * hd;
            const float *got = x.p + t * ld + h * hd;
            if (layout == GK_ROPE_NEOX)
                gk_scalar_rope_neox(in, ref, hd, (float)pos[t], theta);
            else
                gk_scalar_rope_interleaved(in, ref, hd, (float)pos[t], theta);
            for (int64_t i = 0; i < hd; i++) {
                /* the partner of element i in its pair */
                int64_t j = layout == GK_ROPE_NEOX ? (i < hd / 2 ? i + hd / 2 : i - hd / 2) : (i ^ 1);
                double t_ = 16.0 * EPS * (fabs((double)in[i]) + fabs((double)in[j]));
                CHECK(ops_close(got[i], ref[i], t_), "rope %s hd=%lld pos=%d i=%lld: %.9g vs %.9g",
                      layout == GK_ROPE_NEOX ? "neox" : "interleaved", (long long)hd, pos[t], (long long)i, got[i],
                      ref[i]);
            }
        }
        for (int64_t i = heads * hd; i < ld; i++)
            CHECK(gk_same_float(x.p[t * ld + i], orig[t * ld + i]), "rope wrote the token padding");
    }
    CHECK(gk_guarded_intact(&x), "rope guards");
    /* position 0 is the identity */
    for (int64_t i = 0; i < heads * hd; i++)
        CHECK(x.p[i] == orig[i], "rope at position 0 changed element %lld", (long long)i);
    gk_guarded_free(&x);
    free(orig);
    free(ref);
    free(pos);
}

static void body(void *ctx)
{
    gk_rng rng;
    gk_rng_seed(&rng, 99);
    (void)ctx;
    for (int s = 0; s < ops_nsizes; s++) {
        if (ops_sizes[s] == 0)
            continue; /* empty rows: covered by test_ops_errors */
        for (row_op op = SOFTMAX; op <= LAYER; op++)
            test_rows(op, ops_sizes[s], &rng);
    }
    static const int64_t hds[] = {2, 4, 8, 14, 16, 18, 34, 64, 128};
    for (size_t i = 0; i < sizeof hds / sizeof hds[0]; i++)
        for (int layout = 0; layout < 2; layout++) {
            test_rope((gk_rope_layout)layout, 1, 1, hds[i], 0, &rng);
            test_rope((gk_rope_layout)layout, 5, 3, hds[i], 3, &rng);
        }
}

int main(void)
{
    gk_test_for_each_isa(body, NULL);
    return gk_test_finish("ops_rows");
}
