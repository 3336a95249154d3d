/* The packed-B handle shared by the ops layer and the GEMM kernels. The layout of `data` is
 * private to the pack_b kernel of level `isa`; gemm_prepacked always runs that level's kernel,
 * so a buffer stays valid if the active level changes afterwards. */
#ifndef GK_OPS_PACKED_B_H
#define GK_OPS_PACKED_B_H

#include <stddef.h>
#include <stdint.h>

#include "gk/gk.h"

#define GK_PACKED_B_MAGIC 0x676b5042u /* "gkPB": catches garbage pointers in validation */

struct gk_packed_b {
    uint32_t magic;
    gk_isa isa;       /* level whose pack_b made it */
    int64_t k, n;
    void *data;       /* from gk_alloc; freed by gk_packed_b_free */
    size_t bytes;
    int64_t param[4]; /* layout parameters of the packing kernel (e.g. NR, KC) */
};

#endif
