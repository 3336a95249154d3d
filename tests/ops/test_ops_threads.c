/* Thread-count determinism (DESIGN §9, §13): every entry point gives bitwise-identical results
 * with 1 and 2 threads, on every ISA level, at sizes well past the single-thread threshold
 * (reductions over many chunks, gemv/rows/rope over many row ranges). The multi-chunk
 * reductions are also checked against the definitions with the 2*n*eps*sum|terms| bound
 * (chunked and sequential sums are two summation orders). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ops_test.h"
#include "scalar/scalar.h"

#define EPS ((double)FLT_EPSILON)

/* GEMM shapes are smaller than GEMV's: the reference GEMM walks B by columns */
enum { NE = (1 << 20) + 13, ROWS = 301, ROWN = 1000, GN = 1531, GK = 1024, GM = 67, MN = 259, MK = 300,
       GLN = 37, GLK = 16411 /* gemv with rows longer than a chunk, odd lda */ };

typedef struct {
    float *x, *y, *w, *b, *a, *x2;
    int32_t *pos;
} inputs;

/* Runs every entry once and returns all outputs concatenated (caller frees). */
static float *run_all(const inputs *in, int64_t *count)
{
    int64_t total = 3 + 11 * (int64_t)NE + 3 * (int64_t)ROWS * ROWN + GN + GLN + 4 * (int64_t)GM * MN + 64 * 8 * 128;
    float *out = malloc((size_t)total * sizeof(float)), *o = out;
    struct gk_packed_b *pb = NULL;
    CHECK_STATUS(gk_vec_dot_f32(NE, in->x, in->y, o++), GK_OK);
    CHECK_STATUS(gk_vec_sum_f32(NE, in->x, o++), GK_OK);
    CHECK_STATUS(gk_vec_max_f32(NE, in->x, o++), GK_OK);
    CHECK_STATUS(gk_vec_add_f32(NE, in->x, in->y, o), GK_OK);
    o += NE;
    CHECK_STATUS(gk_vec_mul_f32(NE, in->x, in->y, o), GK_OK);
    o += NE;
    CHECK_STATUS(gk_vec_scale_f32(NE, in->x, 0.75f, o), GK_OK);
    o += NE;
    memcpy(o, in->y, (size_t)NE * sizeof(float));
    CHECK_STATUS(gk_vec_axpy_f32(NE, -1.5f, in->x, o), GK_OK);
    o += NE;
    CHECK_STATUS(gk_silu_f32(NE, in->x, o), GK_OK);
    o += NE;
    CHECK_STATUS(gk_gelu_tanh_f32(NE, in->x, o), GK_OK);
    o += NE;
    CHECK_STATUS(gk_gelu_erf_f32(NE, in->x, o), GK_OK);
    o += NE;
    CHECK_STATUS(gk_relu_f32(NE, in->x, o), GK_OK);
    o += NE;
    CHECK_STATUS(gk_tanh_f32(NE, in->x, o), GK_OK);
    o += NE;
    CHECK_STATUS(gk_exp_f32(NE, in->x, o), GK_OK);
    o += NE;
    CHECK_STATUS(gk_swiglu_f32(NE, in->x, in->y, o), GK_OK);
    o += NE;
    CHECK_STATUS(gk_softmax_f32(ROWS, ROWN, in->x, ROWN, o, ROWN), GK_OK);
    o += ROWS * ROWN;
    CHECK_STATUS(gk_rms_norm_f32(ROWS, ROWN, in->x, ROWN, in->w, 1e-6f, o, ROWN), GK_OK);
    o += ROWS * ROWN;
    CHECK_STATUS(gk_layer_norm_f32(ROWS, ROWN, in->x, ROWN, in->w, in->b, 1e-6f, o, ROWN), GK_OK);
    o += ROWS * ROWN;
    CHECK_STATUS(gk_gemv_f32(GN, GK, in->a, GK, in->x2, o), GK_OK);
    o += GN;
    CHECK_STATUS(gk_gemv_f32(GLN, GLK, in->a, GLK + 2, in->x, o), GK_OK);
    o += GLN;
    CHECK_STATUS(gk_gemm_f32(GM, MN, MK, in->x, MK, in->a, MN, o, MN), GK_OK);
    o += GM * MN;
    CHECK_STATUS(gk_gemm_bias_f32(GM, MN, MK, in->x, MK, in->a, MN, in->b, o, MN), GK_OK);
    o += GM * MN;
    CHECK_STATUS(gk_gemm_bt_f32(GM, MN, MK, in->x, MK, in->a, MK, o, MN), GK_OK);
    o += GM * MN;
    CHECK_STATUS(gk_pack_b_f32(MK, MN, in->a, MN, 0, &pb), GK_OK);
    if (pb)
        CHECK_STATUS(gk_gemm_prepacked_f32(GM, in->x, MK, pb, o, MN), GK_OK);
    gk_packed_b_free(pb);
    o += GM * MN;
    memcpy(o, in->y, (size_t)(64 * 8 * 128) * sizeof(float));
    CHECK_STATUS(gk_rope_f32(64, 8, 128, o, 8 * 128, in->pos, 10000.0f, GK_ROPE_NEOX), GK_OK);
    o += 64 * 8 * 128;
    *count = o - out;
    return out;
}

static void body(void *ctx)
{
    const inputs *in = ctx;
    int64_t n1, n2;
    CHECK_STATUS(gk_set_num_threads(1), GK_OK);
    float *r1 = run_all(in, &n1);
    CHECK_STATUS(gk_set_num_threads(2), GK_OK);
    float *r2 = run_all(in, &n2);
    int64_t diff = 0, first = -1;
    for (int64_t i = 0; i < n1; i++)
        if (!gk_same_float(r1[i], r2[i]) && diff++ == 0)
            first = i;
    CHECK(n1 == n2 && diff == 0, "1 vs 2 threads: %lld of %lld outputs differ (first at %lld)", (long long)diff,
          (long long)n1, (long long)first);

    float dot = gk_scalar_vec_dot(in->x, in->y, NE), sum = gk_scalar_vec_sum(in->x, NE);
    double mdot = 0.0, msum = 0.0;
    for (int64_t i = 0; i < NE; i++) {
        mdot += fabs((double)in->x[i] * in->y[i]);
        msum += fabs((double)in->x[i]);
    }
    CHECK(ops_close(r2[0], dot, 2.0 * NE * EPS * mdot), "chunked dot %.9g vs %.9g", r2[0], dot);
    CHECK(ops_close(r2[1], sum, 2.0 * NE * EPS * msum), "chunked sum %.9g vs %.9g", r2[1], sum);
    CHECK(gk_same_float(r2[2], gk_scalar_vec_max(in->x, NE)), "chunked max %.9g", r2[2]);
    free(r1);
    free(r2);
}

int main(void)
{
    gk_rng rng;
    gk_rng_seed(&rng, 2024);
    inputs in;
    in.x = malloc((size_t)NE * sizeof(float));
    in.y = malloc((size_t)NE * sizeof(float));
    in.w = malloc(ROWN * sizeof(float));
    in.b = malloc(GN * sizeof(float));
    in.a = malloc((size_t)GN * GK * sizeof(float));
    in.x2 = malloc(GK * sizeof(float));
    in.pos = malloc(64 * sizeof(int32_t));
    gk_rng_fill(&rng, in.x, NE, -4.0f, 4.0f);
    gk_rng_fill(&rng, in.y, NE, -4.0f, 4.0f);
    gk_rng_fill(&rng, in.w, ROWN, 0.5f, 1.5f);
    gk_rng_fill(&rng, in.b, GN, -1.0f, 1.0f);
    gk_rng_fill(&rng, in.a, (int64_t)GN * GK, -1.0f, 1.0f);
    gk_rng_fill(&rng, in.x2, GK, -1.0f, 1.0f);
    for (int t = 0; t < 64; t++)
        in.pos[t] = 7 * t;
    gk_test_for_each_isa(body, &in);
    free(in.x);
    free(in.y);
    free(in.w);
    free(in.b);
    free(in.a);
    free(in.x2);
    free(in.pos);
    return gk_test_finish("ops_threads");
}
