/* Scalar functions written the way a user would write them, for the Phase 0 tests. */
#ifndef GK_TEST_USER_FNS_H
#define GK_TEST_USER_FNS_H

#include <stdint.h>

float u_hardswish(float x);
float u_mish(float x);
float u_softplus(float x);
float u_leaky_relu(float x);
float u_clamp(float x);
float u_quick_gelu(float x);
float u_elu(float x);
float u_selu(float x);
float u_poly(float x);
float u_rational(float x);
float u_sigmoid(float x);
float u_abs_diff(float a, float b);
float u_lerp(float a, float b, float t);
float u_gelu_erf(float x);
void u_norm_eps_outside(const float *x, float *y, int64_t n, float eps);
float u_logsumexp(const float *x, int64_t n);
float u_masked_sum(const float *x, const float *mask, int64_t n);
void u_scale_shift(const float *x, float *y, int64_t n, float a, float b);
void u_suffix_sum(const float *x, float *y, int64_t n);
float u_even_sum(const float *x, int64_t n);
float u_fma3(float a, float b, float c);

#endif
