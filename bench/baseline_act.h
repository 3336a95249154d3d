/* The compiler baselines of the elementwise, norms and rope suites (bench/act.c): plain C loops
 * of the scalar definitions' formulas, built twice from baseline_act.c: with -O3 -march=native
 * (suffix _O3) and with -O3 -march=native -ffast-math (suffix _fastmath, which lets gcc
 * vectorize expf/tanhf/erff/sinf/cosf/powf through glibc's libmvec). */
#ifndef GK_BENCH_BASELINE_ACT_H
#define GK_BENCH_BASELINE_ACT_H

#include <stdint.h>

#define GK_BASELINE_DECLARE(sfx)                                                                          \
    void gk_bl_silu_##sfx(int64_t n, const float *x, float *y);                                           \
    void gk_bl_gelu_tanh_##sfx(int64_t n, const float *x, float *y);                                      \
    void gk_bl_gelu_erf_##sfx(int64_t n, const float *x, float *y);                                       \
    void gk_bl_relu_##sfx(int64_t n, const float *x, float *y);                                           \
    void gk_bl_tanh_##sfx(int64_t n, const float *x, float *y);                                           \
    void gk_bl_exp_##sfx(int64_t n, const float *x, float *y);                                            \
    void gk_bl_swiglu_##sfx(int64_t n, const float *g, const float *u, float *y);                         \
    void gk_bl_softmax_##sfx(int64_t rows, int64_t n, const float *x, float *y);                          \
    void gk_bl_rms_norm_##sfx(int64_t rows, int64_t n, const float *x, const float *w, float eps, float *y); \
    void gk_bl_layer_norm_##sfx(int64_t rows, int64_t n, const float *x, const float *w, const float *b,  \
                                float eps, float *y);                                                     \
    void gk_bl_rope_##sfx(int64_t tokens, int64_t heads, int64_t head_dim, float *x, const int32_t *pos,  \
                          float theta, int neox);

GK_BASELINE_DECLARE(O3)
GK_BASELINE_DECLARE(fastmath)

#endif
