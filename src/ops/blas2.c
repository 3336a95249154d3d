/* Public GEMV entry point: validation, then the active kernel over ranges of output rows, so
 * each thread streams its own rows of A (rows are independent: any split, same result). */
#include <string.h>

#include "gk/ops.h"
#include "ops/dispatch.h"
#include "ops/split.h"
#include "ops/shapes.h"

typedef struct {
    const gk_kernel_table *t;
    int64_t k;
    const float *a;
    int64_t lda;
    const float *x;
    float *y;
} gemv_ctx;

static void gemv_task(void *p, int64_t r0, int64_t r1, int tid)
{
    gemv_ctx *c = p;
    (void)tid;
    c->t->gemv(r1 - r0, c->k, c->a + r0 * c->lda, c->lda, c->x, c->y + r0);
}

/* y must not overlap A or x: every row reads all of x. */
gk_status gk_ops_gemv_shape(const char *fn, int64_t n, int64_t k, gk_region ra, int64_t lda, const float *x,
                            float *y, int *done)
{
    gk_region rx = gk_vector("x", x, n > 0 ? k : 0), ry = gk_vector("y", y, n);
    *done = 1;
    GK_TRY(gk_check_size(fn, "n", n));
    GK_TRY(gk_check_size(fn, "k", k));
    GK_TRY(gk_check_ld(fn, "lda", lda, "k", k));
    GK_TRY(gk_check_region(fn, &ra));
    GK_TRY(gk_check_region(fn, &rx));
    GK_TRY(gk_check_region(fn, &ry));
    GK_TRY(gk_check_overlap(fn, &ry, &ra, 0));
    GK_TRY(gk_check_overlap(fn, &ry, &rx, 0));
    if (n > 0 && k == 0) /* empty sums: kernels never see k = 0 */
        memset(y, 0, (size_t)n * sizeof(float));
    *done = n == 0 || k == 0;
    return GK_OK;
}

gk_status gk_gemv_f32(int64_t n, int64_t k, const float *a, int64_t lda, const float *x, float *y)
{
    const gk_kernel_table *t;
    int done;
    GK_TRY(gk_ops_gemv_shape("gk_gemv_f32", n, k, gk_matrix("a", a, n, k, lda), lda, x, y, &done));
    if (done)
        return GK_OK;
    GK_TRY(gk_dispatch(&t));
    gemv_ctx c = {t, k, a, lda, x, y};
    gk_ops_run(n, gk_ops_gemv_grain(k), k * (int64_t)sizeof(float), gemv_task, &c);
    return GK_OK;
}
