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

/* For pack_b kernels: a handle for level isa holding `bytes` of data (gk_alloc: 64-byte
 * aligned, 2 MiB aligned and huge-page advised from 2 MiB up; NULL when bytes is 0), magic,
 * isa, k, n and bytes set, param zeroed. GK_ERR_NO_MEMORY (message set) on failure. The caller
 * fills data and param; gk_packed_b_free releases both allocations. */
gk_status gk_packed_b_new(gk_isa isa, int64_t k, int64_t n, size_t bytes, struct gk_packed_b **out);

#endif
