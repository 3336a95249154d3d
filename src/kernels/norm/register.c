/* Registers the row-wise kernels (softmax, rms_norm, layer_norm) of one ISA. */
#include "kernels/norm/norm.h"

void GK_FN(gk_register_norm)(gk_kernel_table *t, uint32_t features)
{
    (void)features;
    t->softmax = GK_FN(gk_softmax_f32);
    t->rms_norm = GK_FN(gk_rms_norm_f32);
    t->layer_norm = GK_FN(gk_layer_norm_f32);
}
