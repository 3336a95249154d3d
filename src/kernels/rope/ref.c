/* Reference (scalar level) kernel of rope with a cos/sin table: the definition's rotation,
 * y0 = x0 c - x1 s and y1 = x0 s + x1 c (as in src/scalar/rope.c), with c and s read from row
 * pos[t] of the tables instead of computed. Built for baseline x86-64 like src/kernels/ref/. */
#include "kernels/ref/ref.h"

void gk_ref_rope_table(int64_t tokens, int64_t heads, int64_t head_dim, float *x, int64_t ld_token,
                       const int32_t *pos, const float *cos_tab, const float *sin_tab, gk_rope_layout layout)
{
    int64_t half = head_dim / 2;
    for (int64_t t = 0; t < tokens; t++) {
        const float *c = cos_tab + (int64_t)pos[t] * half, *s = sin_tab + (int64_t)pos[t] * half;
        for (int64_t h = 0; h < heads; h++) {
            float *v = x + t * ld_token + h * head_dim;
            for (int64_t i = 0; i < half; i++) {
                float *p0 = layout == GK_ROPE_NEOX ? v + i : v + 2 * i;
                float *p1 = layout == GK_ROPE_NEOX ? v + i + half : v + 2 * i + 1;
                float x0 = *p0, x1 = *p1;
                *p0 = x0 * c[i] - x1 * s[i];
                *p1 = x0 * s[i] + x1 * c[i];
            }
        }
    }
}
