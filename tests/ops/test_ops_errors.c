/* Bad input for every public ops entry point (DESIGN §10): NULL data, negative sizes, byte sizes
 * that overflow, leading dimensions smaller than the row, partial overlap, bad enums, odd
 * head_dim, a bad packed-B handle. Each must return GK_ERR_INVALID_ARG with a message naming the
 * function and argument, and leave the output (NaN-filled, guarded) untouched. Size 0 is a
 * valid no-op that writes nothing (reductions write their identity). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gk/gk.h"
#include "ops_test.h"

#define BIG (INT64_MAX / 2) /* fits int64_t, but its byte size does not */

enum { N = 64 };
static float in_a[N], in_b[N], in_c[N];

static void check_out(const gk_guarded *g, const char *what)
{
    CHECK(ops_untouched(g), "%s wrote to its output", what);
}

static void test_blas1(void)
{
    gk_guarded o = gk_guarded_new(N);
    float *out = o.p;
    float *x = in_a, *y = in_b;

    EXPECT_INVALID(gk_vec_dot_f32(-1, x, y, out), "gk_vec_dot_f32", "n");
    EXPECT_INVALID(gk_vec_dot_f32(4, NULL, y, out), "gk_vec_dot_f32", "x");
    EXPECT_INVALID(gk_vec_dot_f32(4, x, NULL, out), "gk_vec_dot_f32", "y");
    EXPECT_INVALID(gk_vec_dot_f32(4, x, y, NULL), "gk_vec_dot_f32", "out");
    EXPECT_INVALID(gk_vec_dot_f32(BIG, x, y, out), "gk_vec_dot_f32", "x");
    EXPECT_INVALID(gk_vec_sum_f32(-3, x, out), "gk_vec_sum_f32", "n");
    EXPECT_INVALID(gk_vec_sum_f32(4, NULL, out), "gk_vec_sum_f32", "x");
    EXPECT_INVALID(gk_vec_sum_f32(4, x, NULL), "gk_vec_sum_f32", "out");
    EXPECT_INVALID(gk_vec_sum_f32(BIG, x, out), "gk_vec_sum_f32", "x");
    EXPECT_INVALID(gk_vec_max_f32(-1, x, out), "gk_vec_max_f32", "n");
    EXPECT_INVALID(gk_vec_max_f32(4, NULL, out), "gk_vec_max_f32", "x");
    EXPECT_INVALID(gk_vec_max_f32(4, x, NULL), "gk_vec_max_f32", "out");
    EXPECT_INVALID(gk_vec_max_f32(BIG, x, out), "gk_vec_max_f32", "x");

    EXPECT_INVALID(gk_vec_add_f32(-1, x, y, out), "gk_vec_add_f32", "n");
    EXPECT_INVALID(gk_vec_add_f32(4, NULL, y, out), "gk_vec_add_f32", "x");
    EXPECT_INVALID(gk_vec_add_f32(4, x, NULL, out), "gk_vec_add_f32", "y");
    EXPECT_INVALID(gk_vec_add_f32(4, x, y, NULL), "gk_vec_add_f32", "out");
    EXPECT_INVALID(gk_vec_add_f32(BIG, x, y, out), "gk_vec_add_f32", "x");
    EXPECT_INVALID(gk_vec_mul_f32(-1, x, y, out), "gk_vec_mul_f32", "n");
    EXPECT_INVALID(gk_vec_mul_f32(4, x, NULL, out), "gk_vec_mul_f32", "y");
    EXPECT_INVALID(gk_vec_mul_f32(BIG, x, y, out), "gk_vec_mul_f32", "x");
    EXPECT_INVALID(gk_vec_scale_f32(-1, x, 2.0f, out), "gk_vec_scale_f32", "n");
    EXPECT_INVALID(gk_vec_scale_f32(4, NULL, 2.0f, out), "gk_vec_scale_f32", "x");
    EXPECT_INVALID(gk_vec_scale_f32(4, x, 2.0f, NULL), "gk_vec_scale_f32", "out");
    EXPECT_INVALID(gk_vec_scale_f32(BIG, x, 2.0f, out), "gk_vec_scale_f32", "x");
    EXPECT_INVALID(gk_vec_axpy_f32(-1, 2.0f, x, out), "gk_vec_axpy_f32", "n");
    EXPECT_INVALID(gk_vec_axpy_f32(4, 2.0f, NULL, out), "gk_vec_axpy_f32", "x");
    EXPECT_INVALID(gk_vec_axpy_f32(4, 2.0f, x, NULL), "gk_vec_axpy_f32", "y");
    EXPECT_INVALID(gk_vec_axpy_f32(BIG, 2.0f, x, out), "gk_vec_axpy_f32", "x");
    check_out(&o, "BLAS-1 with bad arguments");

    /* partial overlap of the output with an input (inside the guarded buffer itself) */
    EXPECT_INVALID(gk_vec_add_f32(8, out, y, out + 1), "gk_vec_add_f32", "overlaps");
    EXPECT_INVALID(gk_vec_mul_f32(8, x, out + 3, out), "gk_vec_mul_f32", "overlaps");
    EXPECT_INVALID(gk_vec_scale_f32(8, out + 7, 2.0f, out), "gk_vec_scale_f32", "overlaps");
    EXPECT_INVALID(gk_vec_axpy_f32(8, 2.0f, out, out + 4), "gk_vec_axpy_f32", "overlaps");
    check_out(&o, "BLAS-1 with partial overlap");

    /* size 0: no-op, NULL data allowed; reductions write their identity */
    CHECK_STATUS(gk_vec_add_f32(0, NULL, NULL, NULL), GK_OK);
    CHECK_STATUS(gk_vec_mul_f32(0, NULL, NULL, NULL), GK_OK);
    CHECK_STATUS(gk_vec_scale_f32(0, NULL, 1.0f, NULL), GK_OK);
    CHECK_STATUS(gk_vec_axpy_f32(0, 1.0f, NULL, NULL), GK_OK);
    check_out(&o, "BLAS-1 with n = 0");
    CHECK_STATUS(gk_vec_dot_f32(0, NULL, NULL, &out[0]), GK_OK);
    CHECK(out[0] == 0.0f && !signbit(out[0]), "dot of nothing = %g, want +0", out[0]);
    CHECK_STATUS(gk_vec_sum_f32(0, NULL, &out[1]), GK_OK);
    CHECK(out[1] == 0.0f && !signbit(out[1]), "sum of nothing = %g, want +0", out[1]);
    CHECK_STATUS(gk_vec_max_f32(0, NULL, &out[2]), GK_OK);
    CHECK(out[2] == -INFINITY, "max of nothing = %g, want -inf", out[2]);
    CHECK(gk_guarded_intact(&o), "guards");

    /* exact aliasing is allowed */
    for (int i = 0; i < 8; i++)
        out[i] = (float)i;
    CHECK_STATUS(gk_vec_add_f32(8, out, out, out), GK_OK);
    CHECK(out[7] == 14.0f, "x + x in place: %g", out[7]);
    CHECK_STATUS(gk_vec_axpy_f32(8, 0.5f, out, out), GK_OK);
    CHECK(out[7] == 21.0f, "y += 0.5 y in place: %g", out[7]);
    gk_guarded_free(&o);
}

static void test_gemv(void)
{
    static const char fn[] = "gk_gemv_f32";
    gk_guarded o = gk_guarded_new(N);
    float *y = o.p, *a = in_a, *x = in_b;
    EXPECT_INVALID(gk_gemv_f32(-1, 4, a, 4, x, y), fn, "n");
    EXPECT_INVALID(gk_gemv_f32(4, -1, a, 4, x, y), fn, "k");
    EXPECT_INVALID(gk_gemv_f32(4, 4, a, 3, x, y), fn, "lda (3) < k (4)");
    EXPECT_INVALID(gk_gemv_f32(4, 4, NULL, 4, x, y), fn, "a");
    EXPECT_INVALID(gk_gemv_f32(4, 4, a, 4, NULL, y), fn, "x");
    EXPECT_INVALID(gk_gemv_f32(4, 4, a, 4, x, NULL), fn, "y");
    EXPECT_INVALID(gk_gemv_f32(BIG, 1, a, 1, x, y), fn, "a");
    EXPECT_INVALID(gk_gemv_f32(2, BIG, a, BIG, x, y), fn, "a");
    EXPECT_INVALID(gk_gemv_f32(4, 4, y + 2, 4, x, y), fn, "overlaps");
    EXPECT_INVALID(gk_gemv_f32(4, 4, a, 4, y + 2, y), fn, "overlaps");
    EXPECT_INVALID(gk_gemv_f32(4, 4, a, 4, y, y), fn, "aliases");
    CHECK_STATUS(gk_gemv_f32(0, 4, NULL, 4, NULL, NULL), GK_OK);
    check_out(&o, "gemv");
    CHECK_STATUS(gk_gemv_f32(3, 0, NULL, 0, NULL, y), GK_OK); /* empty sums */
    CHECK(y[0] == 0.0f && y[2] == 0.0f && isnan(y[3]), "gemv k = 0: %g %g %g", y[0], y[2], y[3]);
    CHECK(gk_guarded_intact(&o), "guards");
    gk_guarded_free(&o);
}

typedef gk_status (*gemm_fn)(int64_t, int64_t, int64_t, const float *, int64_t, const float *, int64_t, float *,
                             int64_t);

static gk_status gemm_bias_nobias(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                                  int64_t ldb, float *c, int64_t ldc)
{
    return gk_gemm_bias_f32(m, n, k, a, lda, b, ldb, in_c, c, ldc);
}

/* gk_gemm_f32, gk_gemm_bias_f32 (with a valid bias) and gk_gemm_bt_f32 share these checks;
 * for bt, B is n-by-k so its ld is checked against k. */
static void test_gemm_common(gemm_fn f, const char *fn, int bt)
{
    gk_guarded o = gk_guarded_new(N);
    float *c = o.p, *a = in_a, *b = in_b;
    EXPECT_INVALID(f(-1, 4, 4, a, 4, b, 4, c, 4), fn, "m");
    EXPECT_INVALID(f(4, -1, 4, a, 4, b, 4, c, 4), fn, "n");
    EXPECT_INVALID(f(4, 4, -1, a, 4, b, 4, c, 4), fn, "k");
    EXPECT_INVALID(f(4, 4, 4, a, 3, b, 4, c, 4), fn, "lda (3) < k (4)");
    EXPECT_INVALID(f(4, 5, 3, a, 3, b, bt ? 2 : 4, c, 5), fn, bt ? "ldb (2) < k (3)" : "ldb (4) < n (5)");
    EXPECT_INVALID(f(4, 4, 4, a, 4, b, 4, c, 3), fn, "ldc (3) < n (4)");
    EXPECT_INVALID(f(4, 4, 4, NULL, 4, b, 4, c, 4), fn, "a");
    EXPECT_INVALID(f(4, 4, 4, a, 4, NULL, 4, c, 4), fn, "b");
    EXPECT_INVALID(f(4, 4, 4, a, 4, b, 4, NULL, 4), fn, "c");
    EXPECT_INVALID(f(BIG, 1, 1, a, 1, b, 1, c, 1), fn, "larger than the address space");
    EXPECT_INVALID(f(2, 2, 2, a, 2, b, 2, c, BIG), fn, "c");
    EXPECT_INVALID(f(4, 4, 4, c + 8, 4, b, 4, c, 4), fn, "overlaps");
    EXPECT_INVALID(f(4, 4, 4, a, 4, c + 3, 4, c, 4), fn, "overlaps");
    CHECK_STATUS(f(0, 4, 4, NULL, 4, NULL, 4, NULL, 4), GK_OK);
    CHECK_STATUS(f(4, 0, 4, NULL, 4, NULL, 4, NULL, 0), GK_OK);
    check_out(&o, fn);
    gk_guarded_free(&o);
}

static void test_gemm(void)
{
    test_gemm_common(gk_gemm_f32, "gk_gemm_f32", 0);
    test_gemm_common(gemm_bias_nobias, "gk_gemm_bias_f32", 0);
    test_gemm_common(gk_gemm_bt_f32, "gk_gemm_bt_f32", 1);

    gk_guarded o = gk_guarded_new(N);
    float *c = o.p;
    EXPECT_INVALID(gk_gemm_bias_f32(2, 3, 2, in_a, 2, in_b, 3, NULL, c, 3), "gk_gemm_bias_f32", "bias");
    EXPECT_INVALID(gk_gemm_bias_f32(2, 3, 2, in_a, 2, in_b, 3, c + 2, c, 3), "gk_gemm_bias_f32", "bias");
    check_out(&o, "gemm_bias");
    /* k = 0: C = bias (or 0), A and B unused */
    float bias[3] = {1.0f, -2.0f, 3.5f};
    CHECK_STATUS(gk_gemm_bias_f32(2, 3, 0, NULL, 0, NULL, 3, bias, c, 4), GK_OK);
    CHECK(c[0] == 1.0f && c[1] == -2.0f && c[2] == 3.5f && isnan(c[3]) && c[6] == 3.5f && isnan(c[7]),
          "gemm_bias k = 0: %g %g %g %g %g", c[0], c[1], c[2], c[3], c[6]);
    CHECK_STATUS(gk_gemm_bt_f32(2, 3, 0, NULL, 0, NULL, 0, c, 4), GK_OK);
    CHECK(c[0] == 0.0f && c[6] == 0.0f && isnan(c[7]), "gemm_bt k = 0: %g %g", c[0], c[6]);
    CHECK(gk_guarded_intact(&o), "guards");
    gk_guarded_free(&o);
}

static void test_packed(void)
{
    static const char fp[] = "gk_pack_b_f32", fg[] = "gk_gemm_prepacked_f32";
    struct gk_packed_b *pb = NULL;
    EXPECT_INVALID(gk_pack_b_f32(-1, 4, in_b, 4, 0, &pb), fp, "k");
    EXPECT_INVALID(gk_pack_b_f32(4, -1, in_b, 4, 0, &pb), fp, "n");
    EXPECT_INVALID(gk_pack_b_f32(4, 4, in_b, 4, 2, &pb), fp, "trans_b (2)");
    EXPECT_INVALID(gk_pack_b_f32(4, 5, in_b, 4, 0, &pb), fp, "ldb (4) < n (5)");
    EXPECT_INVALID(gk_pack_b_f32(5, 4, in_b, 4, 1, &pb), fp, "ldb (4) < k (5)");
    EXPECT_INVALID(gk_pack_b_f32(4, 4, NULL, 4, 0, &pb), fp, "b");
    EXPECT_INVALID(gk_pack_b_f32(4, 4, in_b, 4, 0, NULL), fp, "out");
    EXPECT_INVALID(gk_pack_b_f32(BIG, 2, in_b, 2, 0, &pb), fp, "b");
    CHECK(pb == NULL, "failed pack_b wrote its handle");

    CHECK_STATUS(gk_pack_b_f32(4, 3, in_b, 3, 0, &pb), GK_OK);
    gk_guarded o = gk_guarded_new(N);
    float *c = o.p;
    EXPECT_INVALID(gk_gemm_prepacked_f32(-1, in_a, 4, pb, c, 3), fg, "m");
    EXPECT_INVALID(gk_gemm_prepacked_f32(2, in_a, 4, NULL, c, 3), fg, "b");
    EXPECT_INVALID(gk_gemm_prepacked_f32(2, in_a, 3, pb, c, 3), fg, "lda (3) < k (4)");
    EXPECT_INVALID(gk_gemm_prepacked_f32(2, in_a, 4, pb, c, 2), fg, "ldc (2) < n (3)");
    EXPECT_INVALID(gk_gemm_prepacked_f32(2, NULL, 4, pb, c, 3), fg, "a");
    EXPECT_INVALID(gk_gemm_prepacked_f32(2, in_a, 4, pb, NULL, 3), fg, "c");
    EXPECT_INVALID(gk_gemm_prepacked_f32(2, c + 1, 4, pb, c, 3), fg, "overlaps");
    EXPECT_INVALID(gk_gemm_prepacked_f32(BIG, in_a, 4, pb, c, 3), fg, "a");
    struct gk_packed_b *fake = calloc(1, 256); /* not made by gk_pack_b_f32: magic 0 */
    EXPECT_INVALID(gk_gemm_prepacked_f32(2, in_a, 4, fake, c, 3), fg, "magic");
    free(fake);
    CHECK_STATUS(gk_gemm_prepacked_f32(0, NULL, 4, pb, NULL, 3), GK_OK);
    check_out(&o, "gemm_prepacked");
    gk_packed_b_free(pb);
    gk_packed_b_free(NULL);

    /* empty shapes pack fine; k = 0 then gives C = 0 */
    CHECK_STATUS(gk_pack_b_f32(0, 3, NULL, 3, 0, &pb), GK_OK);
    CHECK_STATUS(gk_gemm_prepacked_f32(2, NULL, 0, pb, c, 3), GK_OK);
    CHECK(c[0] == 0.0f && c[5] == 0.0f && isnan(c[6]), "prepacked k = 0: %g %g", c[0], c[5]);
    gk_packed_b_free(pb);
    CHECK(gk_guarded_intact(&o), "guards");
    gk_guarded_free(&o);
}

typedef gk_status (*unary_fn)(int64_t, const float *, float *);

static void test_activations(void)
{
    static const struct { unary_fn f; const char *name; } ops[] = {
        {gk_silu_f32, "gk_silu_f32"}, {gk_gelu_tanh_f32, "gk_gelu_tanh_f32"},
        {gk_gelu_erf_f32, "gk_gelu_erf_f32"}, {gk_relu_f32, "gk_relu_f32"},
        {gk_tanh_f32, "gk_tanh_f32"}, {gk_exp_f32, "gk_exp_f32"},
    };
    gk_guarded o = gk_guarded_new(N);
    float *y = o.p;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        EXPECT_INVALID(ops[i].f(-1, in_a, y), ops[i].name, "n");
        EXPECT_INVALID(ops[i].f(4, NULL, y), ops[i].name, "x");
        EXPECT_INVALID(ops[i].f(4, in_a, NULL), ops[i].name, "y");
        EXPECT_INVALID(ops[i].f(BIG, in_a, y), ops[i].name, "x");
        EXPECT_INVALID(ops[i].f(8, y + 1, y), ops[i].name, "overlaps");
        EXPECT_INVALID(ops[i].f(8, y, y + 1), ops[i].name, "overlaps");
        CHECK_STATUS(ops[i].f(0, NULL, NULL), GK_OK);
    }
    static const char fs[] = "gk_swiglu_f32";
    EXPECT_INVALID(gk_swiglu_f32(-1, in_a, in_b, y), fs, "n");
    EXPECT_INVALID(gk_swiglu_f32(4, NULL, in_b, y), fs, "gate");
    EXPECT_INVALID(gk_swiglu_f32(4, in_a, NULL, y), fs, "up");
    EXPECT_INVALID(gk_swiglu_f32(4, in_a, in_b, NULL), fs, "y");
    EXPECT_INVALID(gk_swiglu_f32(BIG, in_a, in_b, y), fs, "gate");
    EXPECT_INVALID(gk_swiglu_f32(8, y + 2, in_b, y), fs, "overlaps gate");
    EXPECT_INVALID(gk_swiglu_f32(8, in_a, y + 5, y), fs, "overlaps up");
    CHECK_STATUS(gk_swiglu_f32(0, NULL, NULL, NULL), GK_OK);
    check_out(&o, "activations");

    for (int i = 0; i < 8; i++)
        y[i] = (float)i - 4.0f;
    CHECK_STATUS(gk_relu_f32(8, y, y), GK_OK);
    CHECK(y[0] == 0.0f && y[7] == 3.0f, "relu in place: %g %g", y[0], y[7]);
    CHECK_STATUS(gk_swiglu_f32(8, in_a, y, y), GK_OK);
    gk_guarded_free(&o);
}

static void test_rows(void)
{
    gk_guarded o = gk_guarded_new(N);
    float *y = o.p, *x = in_a, *w = in_b, *b = in_c;
    static const char fs[] = "gk_softmax_f32", fr[] = "gk_rms_norm_f32", fl[] = "gk_layer_norm_f32";
    EXPECT_INVALID(gk_softmax_f32(-1, 4, x, 4, y, 4), fs, "rows");
    EXPECT_INVALID(gk_softmax_f32(2, -4, x, 4, y, 4), fs, "n");
    EXPECT_INVALID(gk_softmax_f32(2, 4, x, 3, y, 4), fs, "ldx (3) < n (4)");
    EXPECT_INVALID(gk_softmax_f32(2, 4, x, 4, y, 2), fs, "ldy (2) < n (4)");
    EXPECT_INVALID(gk_softmax_f32(2, 4, NULL, 4, y, 4), fs, "x");
    EXPECT_INVALID(gk_softmax_f32(2, 4, x, 4, NULL, 4), fs, "y");
    EXPECT_INVALID(gk_softmax_f32(BIG, 1, x, 1, y, 1), fs, "x");
    EXPECT_INVALID(gk_softmax_f32(2, 4, y + 1, 4, y, 4), fs, "overlaps");
    EXPECT_INVALID(gk_softmax_f32(2, 4, y, 5, y, 4), fs, "overlaps"); /* same start, other ld */
    CHECK_STATUS(gk_softmax_f32(0, 4, NULL, 4, NULL, 4), GK_OK);
    CHECK_STATUS(gk_softmax_f32(3, 0, NULL, 0, NULL, 0), GK_OK);

    EXPECT_INVALID(gk_rms_norm_f32(-1, 4, x, 4, w, 1e-5f, y, 4), fr, "rows");
    EXPECT_INVALID(gk_rms_norm_f32(2, -1, x, 4, w, 1e-5f, y, 4), fr, "n");
    EXPECT_INVALID(gk_rms_norm_f32(2, 4, x, 1, w, 1e-5f, y, 4), fr, "ldx (1) < n (4)");
    EXPECT_INVALID(gk_rms_norm_f32(2, 4, x, 4, w, 1e-5f, y, 3), fr, "ldy (3) < n (4)");
    EXPECT_INVALID(gk_rms_norm_f32(2, 4, NULL, 4, w, 1e-5f, y, 4), fr, "x");
    EXPECT_INVALID(gk_rms_norm_f32(2, 4, x, 4, NULL, 1e-5f, y, 4), fr, "w");
    EXPECT_INVALID(gk_rms_norm_f32(2, 4, x, 4, w, 1e-5f, NULL, 4), fr, "y");
    EXPECT_INVALID(gk_rms_norm_f32(BIG, 1, x, 1, w, 1e-5f, y, 1), fr, "x");
    EXPECT_INVALID(gk_rms_norm_f32(2, 4, y + 2, 4, w, 1e-5f, y, 4), fr, "overlaps");
    EXPECT_INVALID(gk_rms_norm_f32(2, 4, x, 4, y + 4, 1e-5f, y, 4), fr, "y overlaps w");
    CHECK_STATUS(gk_rms_norm_f32(0, 4, NULL, 4, NULL, 1e-5f, NULL, 4), GK_OK);

    EXPECT_INVALID(gk_layer_norm_f32(-1, 4, x, 4, w, b, 1e-5f, y, 4), fl, "rows");
    EXPECT_INVALID(gk_layer_norm_f32(2, -1, x, 4, w, b, 1e-5f, y, 4), fl, "n");
    EXPECT_INVALID(gk_layer_norm_f32(2, 4, x, 2, w, b, 1e-5f, y, 4), fl, "ldx (2) < n (4)");
    EXPECT_INVALID(gk_layer_norm_f32(2, 4, x, 4, w, b, 1e-5f, y, 1), fl, "ldy (1) < n (4)");
    EXPECT_INVALID(gk_layer_norm_f32(2, 4, NULL, 4, w, b, 1e-5f, y, 4), fl, "x");
    EXPECT_INVALID(gk_layer_norm_f32(2, 4, x, 4, NULL, b, 1e-5f, y, 4), fl, "w");
    EXPECT_INVALID(gk_layer_norm_f32(2, 4, x, 4, w, NULL, 1e-5f, y, 4), fl, "b");
    EXPECT_INVALID(gk_layer_norm_f32(2, 4, x, 4, w, b, 1e-5f, NULL, 4), fl, "y");
    EXPECT_INVALID(gk_layer_norm_f32(BIG, 1, x, 1, w, b, 1e-5f, y, 1), fl, "x");
    EXPECT_INVALID(gk_layer_norm_f32(2, 4, y + 3, 4, w, b, 1e-5f, y, 4), fl, "overlaps");
    EXPECT_INVALID(gk_layer_norm_f32(2, 4, x, 4, w, y + 1, 1e-5f, y, 4), fl, "y overlaps b");
    CHECK_STATUS(gk_layer_norm_f32(0, 4, NULL, 4, NULL, NULL, 1e-5f, NULL, 4), GK_OK);
    check_out(&o, "row ops");

    /* rows interleaved in one buffer (x in the left half of each row, y in the right) do not overlap */
    float buf[4 * 8];
    for (int i = 0; i < 32; i++)
        buf[i] = (float)(i % 8);
    CHECK_STATUS(gk_softmax_f32(4, 4, buf, 8, buf + 4, 8), GK_OK);
    CHECK(fabsf(buf[4] + buf[5] + buf[6] + buf[7] - 1.0f) < 1e-6f, "interleaved softmax row sums to %g",
          buf[4] + buf[5] + buf[6] + buf[7]);
    /* and the other way round (the output before the input); a half-row shift does overlap */
    CHECK_STATUS(gk_rms_norm_f32(4, 4, buf + 4, 8, in_b, 1e-5f, buf, 8), GK_OK);
    EXPECT_INVALID(gk_softmax_f32(4, 4, buf + 2, 8, buf, 8), "gk_softmax_f32", "overlaps");
    gk_guarded_free(&o);
}

static void test_rope(void)
{
    static const char fn[] = "gk_rope_f32";
    gk_guarded o = gk_guarded_new(N);
    float *x = o.p;
    int32_t pos[4] = {0, 1, 2, 3};
    EXPECT_INVALID(gk_rope_f32(-1, 2, 4, x, 8, pos, 1e4f, GK_ROPE_NEOX), fn, "tokens");
    EXPECT_INVALID(gk_rope_f32(2, -2, 4, x, 8, pos, 1e4f, GK_ROPE_NEOX), fn, "heads");
    EXPECT_INVALID(gk_rope_f32(2, 2, -4, x, 8, pos, 1e4f, GK_ROPE_NEOX), fn, "head_dim");
    EXPECT_INVALID(gk_rope_f32(2, 2, 5, x, 10, pos, 1e4f, GK_ROPE_NEOX), fn, "head_dim (5) is odd");
    EXPECT_INVALID(gk_rope_f32(2, 2, 4, x, 8, pos, 0.0f, GK_ROPE_NEOX), fn, "theta");
    EXPECT_INVALID(gk_rope_f32(2, 2, 4, x, 8, pos, -1.0f, GK_ROPE_NEOX), fn, "theta");
    EXPECT_INVALID(gk_rope_f32(2, 2, 4, x, 8, pos, NAN, GK_ROPE_NEOX), fn, "theta");
    EXPECT_INVALID(gk_rope_f32(2, 2, 4, x, 8, pos, INFINITY, GK_ROPE_NEOX), fn, "theta");
    EXPECT_INVALID(gk_rope_f32(2, 2, 4, x, 8, pos, 1e4f, (gk_rope_layout)2), fn, "layout (2)");
    EXPECT_INVALID(gk_rope_f32(2, 2, 4, x, 7, pos, 1e4f, GK_ROPE_NEOX), fn, "ld_token (7) < heads*head_dim (8)");
    EXPECT_INVALID(gk_rope_f32(2, 2, 4, NULL, 8, pos, 1e4f, GK_ROPE_NEOX), fn, "x");
    EXPECT_INVALID(gk_rope_f32(2, 2, 4, x, 8, NULL, 1e4f, GK_ROPE_NEOX), fn, "pos");
    EXPECT_INVALID(gk_rope_f32(2, BIG, 4, x, BIG, pos, 1e4f, GK_ROPE_NEOX), fn, "overflows");
    EXPECT_INVALID(gk_rope_f32(BIG, 1, 2, x, 2, pos, 1e4f, GK_ROPE_NEOX), fn, "x");
    EXPECT_INVALID(gk_rope_f32(2, 2, 4, x, 8, (const int32_t *)(x + 3), 1e4f, GK_ROPE_NEOX), fn, "overlaps");
    CHECK_STATUS(gk_rope_f32(0, 2, 4, NULL, 8, NULL, 1e4f, GK_ROPE_NEOX), GK_OK);
    CHECK_STATUS(gk_rope_f32(3, 0, 4, NULL, 0, NULL, 1e4f, GK_ROPE_INTERLEAVED), GK_OK);
    check_out(&o, "rope");
    gk_guarded_free(&o);
}

int main(void)
{
    for (int i = 0; i < N; i++) {
        in_a[i] = 0.25f * (float)(i % 7) - 0.5f;
        in_b[i] = 0.5f - 0.125f * (float)(i % 5);
        in_c[i] = 0.1f * (float)i;
    }
    test_blas1();
    test_gemv();
    test_gemm();
    test_packed();
    test_activations();
    test_rows();
    test_rope();
    return gk_test_finish("ops_errors");
}
