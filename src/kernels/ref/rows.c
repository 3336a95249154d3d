/* Reference row kernels (softmax, norms) and rope: the scalar row/head definition per row,
 * per token and head (the streaming hint only matters to the vector kernels). */
#include "kernels/ref/ref.h"
#include "scalar/scalar.h"

void gk_ref_softmax(int64_t rows, int64_t n, const float *x, int64_t ldx, float *y, int64_t ldy, int stream)
{
    (void)stream;
    for (int64_t r = 0; r < rows; r++)
        gk_scalar_softmax(x + r * ldx, y + r * ldy, n);
}

void gk_ref_rms_norm(int64_t rows, int64_t n, const float *x, int64_t ldx, const float *w, float eps, float *y,
                     int64_t ldy, int stream)
{
    (void)stream;
    for (int64_t r = 0; r < rows; r++)
        gk_scalar_rms_norm(x + r * ldx, w, y + r * ldy, n, eps);
}

void gk_ref_layer_norm(int64_t rows, int64_t n, const float *x, int64_t ldx, const float *w, const float *b,
                       float eps, float *y, int64_t ldy, int stream)
{
    (void)stream;
    for (int64_t r = 0; r < rows; r++)
        gk_scalar_layer_norm(x + r * ldx, w, b, y + r * ldy, n, eps);
}

void gk_ref_rope(int64_t tokens, int64_t heads, int64_t head_dim, float *x, int64_t ld_token, const int32_t *pos,
                 float theta, gk_rope_layout layout)
{
    for (int64_t t = 0; t < tokens; t++) {
        for (int64_t h = 0; h < heads; h++) {
            float *v = x + t * ld_token + h * head_dim;
            if (layout == GK_ROPE_NEOX)
                gk_scalar_rope_neox(v, v, head_dim, (float)pos[t], theta);
            else
                gk_scalar_rope_interleaved(v, v, head_dim, (float)pos[t], theta);
        }
    }
}
