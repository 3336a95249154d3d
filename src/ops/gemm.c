/* Public GEMM-family entry points and the packed-B handle: validation, then the table entry
 * (the GEMM kernels block and thread internally). k = 0 is handled here, so kernels never see
 * an empty sum: C = 0 (+ bias). */
#include <stdlib.h>

#include "gk/ops.h"
#include "ops/dispatch.h"
#include "ops/packed_b.h"
#include "ops/shapes.h"

/* C (m-by-n) = bias broadcast over rows, or 0. */
static void fill_c(int64_t m, int64_t n, const float *bias, float *c, int64_t ldc)
{
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++)
            c[i * ldc + j] = bias ? bias[j] : 0.0f;
}

/* trans_b = 0: B is k-by-n; 1: n-by-k. C must not overlap A, B or bias. */
gk_status gk_ops_gemm_shape(const char *fn, int trans_b, int64_t m, int64_t n, int64_t k, gk_region ra,
                            int64_t lda, gk_region rb, int64_t ldb, gk_region rbias, const float *bias, float *c,
                            int64_t ldc, int *done)
{
    gk_region rc = gk_matrix("c", c, m, n, ldc);
    *done = 1;
    GK_TRY(gk_check_size(fn, "m", m));
    GK_TRY(gk_check_size(fn, "n", n));
    GK_TRY(gk_check_size(fn, "k", k));
    GK_TRY(gk_check_ld(fn, "lda", lda, "k", k));
    GK_TRY(trans_b ? gk_check_ld(fn, "ldb", ldb, "k", k) : gk_check_ld(fn, "ldb", ldb, "n", n));
    GK_TRY(gk_check_ld(fn, "ldc", ldc, "n", n));
    if (m == 0 || n == 0) { /* nothing is read: A and B may be anything */
        ra.rows = 0;
        rb.rows = 0;
    }
    GK_TRY(gk_check_region(fn, &ra));
    GK_TRY(gk_check_region(fn, &rb));
    GK_TRY(gk_check_region(fn, &rbias));
    GK_TRY(gk_check_region(fn, &rc));
    GK_TRY(gk_check_overlap(fn, &rc, &ra, 0));
    GK_TRY(gk_check_overlap(fn, &rc, &rb, 0));
    GK_TRY(gk_check_overlap(fn, &rc, &rbias, 0));
    if (m == 0 || n == 0)
        return GK_OK;
    if (k == 0) {
        fill_c(m, n, bias, c, ldc);
        return GK_OK;
    }
    *done = 0;
    return GK_OK;
}

static gk_status gemm_any(const char *fn, int trans_b, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                          const float *b, int64_t ldb, const float *bias, int need_bias, float *c, int64_t ldc)
{
    const gk_kernel_table *t;
    gk_region rb = trans_b ? gk_matrix("b", b, n, k, ldb) : gk_matrix("b", b, k, n, ldb);
    gk_region rbias = gk_vector("bias", bias, need_bias && m > 0 ? n : 0);
    int done;
    GK_TRY(gk_ops_gemm_shape(fn, trans_b, m, n, k, gk_matrix("a", a, m, k, lda), lda, rb, ldb, rbias, bias, c, ldc,
                             &done));
    if (done)
        return GK_OK;
    GK_TRY(gk_dispatch(&t));
    if (trans_b)
        return t->gemm_bt(m, n, k, a, lda, b, ldb, bias, c, ldc);
    return t->gemm(m, n, k, a, lda, b, ldb, bias, c, ldc);
}

gk_status gk_gemm_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b, int64_t ldb,
                      float *c, int64_t ldc)
{
    return gemm_any("gk_gemm_f32", 0, m, n, k, a, lda, b, ldb, NULL, 0, c, ldc);
}

gk_status gk_gemm_bias_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                           int64_t ldb, const float *bias, float *c, int64_t ldc)
{
    return gemm_any("gk_gemm_bias_f32", 0, m, n, k, a, lda, b, ldb, bias, 1, c, ldc);
}

gk_status gk_gemm_bt_f32(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const float *b,
                         int64_t ldb, float *c, int64_t ldc)
{
    return gemm_any("gk_gemm_bt_f32", 1, m, n, k, a, lda, b, ldb, NULL, 0, c, ldc);
}

/* ---- packed B ---------------------------------------------------------------------------- */

gk_status gk_packed_b_new(gk_isa isa, int64_t k, int64_t n, size_t bytes, struct gk_packed_b **out)
{
    struct gk_packed_b *p = calloc(1, sizeof *p);
    if (!p)
        return gk_fail(GK_ERR_NO_MEMORY, "packed B: out of memory for the handle");
    if (bytes > 0 && !(p->data = gk_alloc(bytes))) {
        free(p);
        return gk_fail(GK_ERR_NO_MEMORY, "packed B: out of memory for %zu bytes", bytes);
    }
    p->magic = GK_PACKED_B_MAGIC;
    p->isa = isa;
    p->k = k;
    p->n = n;
    p->bytes = bytes;
    *out = p;
    return GK_OK;
}

void gk_packed_b_free(struct gk_packed_b *b)
{
    if (!b)
        return;
    gk_free(b->data);
    b->magic = 0; /* a second free or a use after free then fails validation instead of reading freed data */
    free(b);
}

gk_status gk_pack_b_f32(int64_t k, int64_t n, const float *b, int64_t ldb, int trans_b, struct gk_packed_b **out)
{
    static const char fn[] = "gk_pack_b_f32";
    const gk_kernel_table *t;
    gk_region rb = trans_b ? gk_matrix("b", b, n, k, ldb) : gk_matrix("b", b, k, n, ldb);
    gk_region dense = gk_matrix("the packed copy of b", b, k, n, n);
    GK_TRY(gk_check_size(fn, "k", k));
    GK_TRY(gk_check_size(fn, "n", n));
    if (trans_b != 0 && trans_b != 1)
        return gk_fail(GK_ERR_INVALID_ARG, "%s: trans_b (%d) must be 0 or 1", fn, trans_b);
    GK_TRY(trans_b ? gk_check_ld(fn, "ldb", ldb, "k", k) : gk_check_ld(fn, "ldb", ldb, "n", n));
    GK_TRY(gk_check_ptr(fn, "out", out));
    GK_TRY(gk_check_region(fn, &rb));
    GK_TRY(gk_check_region(fn, &dense));
    if (k == 0 || n == 0) /* no data: the reference level's prepacked GEMM serves the empty shapes */
        return gk_packed_b_new(GK_ISA_SCALAR, k, n, 0, out);
    GK_TRY(gk_dispatch(&t));
    return t->pack_b(k, n, b, ldb, trans_b, out);
}

gk_status gk_gemm_prepacked_f32(int64_t m, const float *a, int64_t lda, const struct gk_packed_b *b, float *c,
                                int64_t ldc)
{
    static const char fn[] = "gk_gemm_prepacked_f32";
    const gk_kernel_table *t;
    GK_TRY(gk_check_size(fn, "m", m));
    GK_TRY(gk_check_ptr(fn, "b", b));
    if (b->magic != GK_PACKED_B_MAGIC)
        return gk_fail(GK_ERR_INVALID_ARG, "%s: b is not a live packed B (bad magic 0x%08x)", fn, b->magic);
    gk_region ra = gk_matrix("a", a, b->n > 0 ? m : 0, b->k, lda), rc = gk_matrix("c", c, m, b->n, ldc);
    GK_TRY(gk_check_ld(fn, "lda", lda, "k", b->k));
    GK_TRY(gk_check_ld(fn, "ldc", ldc, "n", b->n));
    GK_TRY(gk_check_region(fn, &ra));
    GK_TRY(gk_check_region(fn, &rc));
    GK_TRY(gk_check_overlap(fn, &rc, &ra, 0));
    if (m == 0 || b->n == 0)
        return GK_OK;
    if (b->k == 0) {
        fill_c(m, b->n, NULL, c, ldc);
        return GK_OK;
    }
    GK_TRY(gk_dispatch_isa(b->isa, &t));
    return t->gemm_prepacked(m, a, lda, b, c, ldc);
}
