/* rope (positions and theta) and rope_table (precomputed cos/sin rows) through the public API on
 * every ISA level: both layouts, head sizes around the vector widths and the kernel's table
 * block, ld_token > heads*head_dim, positions up to 10^6 (beyond the vector sin/cos range),
 * against the scalar definitions and a float64 rotation; table rope bitwise against the plain
 * rotation; non-finite inputs; 1 and 2 threads bitwise; bad input. */
#include <stdlib.h>

#include "act_test.h"
#include "scalar/scalar.h"

static const int64_t head_dims[] = {2, 4, 6, 8, 14, 16, 18, 32, 34, 64, 96, 128, 1026, 2050};
enum { NHD = sizeof head_dims / sizeof head_dims[0], TOKENS = 5, HEADS = 3 };
static const int32_t positions[TOKENS] = {0, 1, 17, 4099, 1000003};

/* Tolerance of rope against the definition (same angles, bitwise: same powf and product):
 * cos and sin within 2 ULP (vecmath sincos; libm past GK_SINCOS_MAX, then exact), so
 * |y - s| <= 2^-22 (|x0| + |x1|) + 1 ULP(y) per output. Against float64 (with the definition's
 * float exponent -2i/head_dim) the float angle itself is off by powf's and the product's
 * roundings, up to 2^-23 |angle|: |y - d| <= (2^-22 + 2^-23 |angle|) (|x0| + |x1|) + 1 ULP. */
static void check_head(const float *x, const float *y, int64_t hd, int32_t pos, float theta, gk_rope_layout layout,
                       int *bad, int64_t t, int64_t h)
{
    float s[4096];
    if (layout == GK_ROPE_NEOX)
        gk_scalar_rope_neox(x, s, hd, (float)pos, theta);
    else
        gk_scalar_rope_interleaved(x, s, hd, (float)pos, theta);
    int64_t half = hd / 2;
    for (int64_t i = 0; i < half && *bad < 3; i++) {
        int64_t e0 = layout == GK_ROPE_NEOX ? i : 2 * i, e1 = layout == GK_ROPE_NEOX ? i + half : 2 * i + 1;
        double ang = (double)pos * pow((double)theta, (double)(-(float)(2 * i) / (float)hd));
        double c = cos(ang), sn = sin(ang), mag = fabs(x[e0]) + fabs(x[e1]);
        double d0 = x[e0] * c - x[e1] * sn, d1 = x[e0] * sn + x[e1] * c;
        double ts = 0x1p-22 * mag, td = (0x1p-22 + 0x1p-23 * fabs(ang)) * mag;
        int ok = fabs((double)y[e0] - s[e0]) <= ts + act_ulp(s[e0]) && fabs((double)y[e1] - s[e1]) <= ts + act_ulp(s[e1]) &&
                 fabs(y[e0] - d0) <= td + act_ulp(d0) && fabs(y[e1] - d1) <= td + act_ulp(d1);
        if (!isfinite(x[e0]) || !isfinite(x[e1]))
            ok = gk_same_float(y[e0], s[e0]) && gk_same_float(y[e1], s[e1]);
        if (!ok) {
            (*bad)++;
            CHECK(0, "rope %s hd=%lld t=%lld h=%lld pair %lld pos %d: (%.9g, %.9g) -> (%.9g, %.9g), definition (%.9g, %.9g), float64 (%.9g, %.9g)",
                  layout == GK_ROPE_NEOX ? "neox" : "interleaved", (long long)hd, (long long)t, (long long)h,
                  (long long)i, pos, (double)x[e0], (double)x[e1], (double)y[e0], (double)y[e1], (double)s[e0],
                  (double)s[e1], d0, d1);
        }
    }
}

static void test_rope(void *ctx)
{
    (void)ctx;
    gk_rng rng;
    gk_rng_seed(&rng, 21);
    for (int lay = 0; lay < 2; lay++) {
        gk_rope_layout layout = lay ? GK_ROPE_NEOX : GK_ROPE_INTERLEAVED;
        for (int k = 0; k < NHD; k++) {
            int64_t hd = head_dims[k], ld = HEADS * hd + 7, half = hd / 2;
            float theta = k & 1 ? 10000.0f : 500000.0f;
            float *x = malloc((size_t)(TOKENS * ld) * sizeof *x), *x0 = malloc((size_t)(TOKENS * ld) * sizeof *x0);
            act_fill(&rng, x0, TOKENS * ld, -3, 3, 0);
            x0[3] = NAN;
            x0[ld + 1] = INFINITY;
            memcpy(x, x0, (size_t)(TOKENS * ld) * sizeof *x);
            CHECK_STATUS(gk_rope_f32(TOKENS, HEADS, hd, x, ld, positions, theta, layout), GK_OK);
            int bad = 0;
            for (int64_t t = 0; t < TOKENS; t++) {
                for (int64_t h = 0; h < HEADS; h++)
                    check_head(x0 + t * ld + h * hd, x + t * ld + h * hd, hd, positions[t], theta, layout, &bad, t, h);
                for (int64_t i = HEADS * hd; i < ld; i++)
                    CHECK(gk_same_float(x[t * ld + i], x0[t * ld + i]), "rope: padding of token %lld changed",
                          (long long)t);
            }
            /* one token per call (the decode case, which the kernel walks position by position
             * across heads) gives the same bits as the multi-token call */
            float *x1 = malloc((size_t)(TOKENS * ld) * sizeof *x1);
            memcpy(x1, x0, (size_t)(TOKENS * ld) * sizeof *x1);
            for (int64_t t = 0; t < TOKENS; t++)
                CHECK_STATUS(gk_rope_f32(1, HEADS, hd, x1 + t * ld, ld, positions + t, theta, layout), GK_OK);
            CHECK(memcmp(x1, x, (size_t)(TOKENS * ld) * sizeof *x) == 0, "rope hd=%lld: one-token calls differ",
                  (long long)hd);
            free(x1);
            /* rope_table with the float64 angles' cos/sin, rows picked by position: bitwise the
             * definition's rotation y0 = x0 c - x1 s, y1 = x0 s + x1 c */
            int32_t tpos[TOKENS] = {2, 0, 1, 2, 1};
            float *ct = malloc((size_t)(3 * half) * sizeof *ct), *st = malloc((size_t)(3 * half) * sizeof *st);
            for (int64_t r = 0; r < 3 * half; r++) {
                ct[r] = (float)cos(0.37 * (double)r);
                st[r] = (float)sin(0.37 * (double)r);
            }
            memcpy(x, x0, (size_t)(TOKENS * ld) * sizeof *x);
            int split = k % 2; /* alternate: all tokens in one call, or one call per token */
            for (int64_t t = 0; t < (split ? TOKENS : 1); t++)
                CHECK_STATUS(gk_rope_table_f32(split ? 1 : TOKENS, HEADS, hd, x + t * ld, ld, tpos + t, ct, st, 3, layout),
                             GK_OK);
            for (int64_t t = 0; t < TOKENS && bad < 3; t++)
                for (int64_t h = 0; h < HEADS; h++)
                    for (int64_t i = 0; i < half; i++) {
                        int64_t e0 = lay ? i : 2 * i, e1 = lay ? i + half : 2 * i + 1, o = t * ld + h * hd;
                        float c = ct[tpos[t] * half + i], sn = st[tpos[t] * half + i];
                        float a = x0[o + e0], b = x0[o + e1];
                        float w0 = a * c - b * sn, w1 = a * sn + b * c;
                        if (!gk_same_float(x[o + e0], w0) || !gk_same_float(x[o + e1], w1)) {
                            bad++;
                            CHECK(0, "rope_table hd=%lld t=%lld h=%lld pair %lld: (%.9g, %.9g), want (%.9g, %.9g)",
                                  (long long)hd, (long long)t, (long long)h, (long long)i, (double)x[o + e0],
                                  (double)x[o + e1], (double)w0, (double)w1);
                            i = half;
                            h = HEADS;
                        }
                    }
            free(ct);
            free(st);
            free(x);
            free(x0);
        }
    }
}

static void test_threads(void *ctx)
{
    (void)ctx;
    enum { T = 301, H = 8, HD = 128, LD = H * HD };
    int32_t *pos = malloc(T * sizeof *pos);
    float *x0 = malloc(T * LD * sizeof *x0), *a = malloc(T * LD * sizeof *a), *b = malloc(T * LD * sizeof *b);
    float *ct = malloc(T * HD / 2 * sizeof *ct), *st = malloc(T * HD / 2 * sizeof *st);
    gk_rng rng;
    gk_rng_seed(&rng, 9);
    gk_rng_fill(&rng, x0, T * LD, -2, 2);
    gk_rng_fill(&rng, ct, T * HD / 2, -1, 1);
    gk_rng_fill(&rng, st, T * HD / 2, -1, 1);
    for (int t = 0; t < T; t++)
        pos[t] = t * 7;
    for (int lay = 0; lay < 2; lay++)
        for (int tab = 0; tab < 2; tab++) {
            for (int th = 1; th <= 2; th++) {
                float *y = th == 1 ? a : b;
                memcpy(y, x0, T * LD * sizeof *y);
                gk_set_num_threads(th);
                if (tab) {
                    for (int t = 0; t < T; t++)
                        pos[t] = (t * 13) % T;
                    gk_rope_table_f32(T, H, HD, y, LD, pos, ct, st, T, (gk_rope_layout)lay);
                } else {
                    gk_rope_f32(T, H, HD, y, LD, pos, 10000.0f, (gk_rope_layout)lay);
                }
            }
            CHECK(memcmp(a, b, T * LD * sizeof *a) == 0, "rope%s layout %d: 1 and 2 threads differ", tab ? "_table" : "",
                  lay);
        }
    free(pos);
    free(x0);
    free(a);
    free(b);
    free(ct);
    free(st);
}

/* Bad input for gk_rope_table_f32 (DESIGN §10): GK_ERR_INVALID_ARG, nothing written. */
static void test_bad_input(void)
{
    float x[16], c[8] = {1, 1, 1, 1, 1, 1, 1, 1}, s[8] = {0};
    int32_t pos[2] = {0, 1}, bad_pos[2] = {0, 4};
    for (int i = 0; i < 16; i++)
        x[i] = (float)i;
    CHECK_STATUS(gk_rope_table_f32(2, 1, 3, x, 4, pos, c, s, 4, GK_ROPE_NEOX), GK_ERR_INVALID_ARG);  /* odd */
    CHECK_STATUS(gk_rope_table_f32(2, 1, 4, x, 4, bad_pos, c, s, 4, GK_ROPE_NEOX), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_rope_table_f32(2, 1, 4, x, 4, pos, NULL, s, 4, GK_ROPE_NEOX), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_rope_table_f32(2, 1, 4, x, 3, pos, c, s, 4, GK_ROPE_NEOX), GK_ERR_INVALID_ARG);  /* ld */
    CHECK_STATUS(gk_rope_table_f32(2, 1, 4, x, 4, pos, c, s, -1, GK_ROPE_NEOX), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_rope_table_f32(2, 1, 4, x, 4, pos, c, s, 4, (gk_rope_layout)7), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_rope_table_f32(2, 1, 4, x, 4, pos, x + 4, s, 2, GK_ROPE_NEOX), GK_ERR_INVALID_ARG); /* overlap */
    CHECK_STATUS(gk_rope_table_f32(-1, 1, 4, x, 4, pos, c, s, 4, GK_ROPE_NEOX), GK_ERR_INVALID_ARG);
    for (int i = 0; i < 16; i++)
        CHECK(x[i] == (float)i, "a failing call changed x[%d]", i);
    CHECK_STATUS(gk_rope_table_f32(0, 1, 4, NULL, 4, NULL, NULL, NULL, 0, GK_ROPE_NEOX), GK_OK); /* empty */
}

int main(void)
{
    gk_test_for_each_isa(test_rope, NULL);
    gk_test_for_each_isa(test_threads, NULL);
    test_bad_input();
    return gk_test_finish("act_rope");
}
