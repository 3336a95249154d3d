/* Reference BLAS-1 kernels: the scalar definitions over the range given. */
#include "kernels/ref/ref.h"
#include "scalar/scalar.h"

float gk_ref_vec_dot(int64_t n, const float *x, const float *y)
{
    return gk_scalar_vec_dot(x, y, n);
}

void gk_ref_vec_add(int64_t n, const float *x, const float *y, float *out, int stream)
{
    (void)stream;
    gk_scalar_vec_add(x, y, out, n);
}

void gk_ref_vec_mul(int64_t n, const float *x, const float *y, float *out, int stream)
{
    (void)stream;
    gk_scalar_vec_mul(x, y, out, n);
}

void gk_ref_vec_scale(int64_t n, const float *x, float alpha, float *out, int stream)
{
    (void)stream;
    gk_scalar_vec_scale(x, out, n, alpha);
}

void gk_ref_vec_axpy(int64_t n, float alpha, const float *x, float *y)
{
    gk_scalar_vec_axpy(x, y, y, n, alpha);
}

float gk_ref_vec_sum(int64_t n, const float *x)
{
    return gk_scalar_vec_sum(x, n);
}

float gk_ref_vec_max(int64_t n, const float *x)
{
    return gk_scalar_vec_max(x, n);
}
