/* Public row-wise entry points (softmax, rms_norm, layer_norm): validation, then the active
 * kernel over ranges of rows (rows are independent, so any split gives the same result), told to
 * stream its stores when the whole output exceeds the last-level cache (as the activations). */
#include "gk/ops.h"
#include "ops/dispatch.h"
#include "ops/split.h"
#include "ops/validate.h"

typedef enum { ROW_SOFTMAX, ROW_RMS, ROW_LAYER } row_kind;

typedef struct {
    const gk_kernel_table *t;
    row_kind kind;
    int64_t n;
    const float *x;
    int64_t ldx;
    const float *w, *b;
    float eps;
    float *y;
    int64_t ldy;
    int stream; /* gk_ops_stream_output of the whole output */
} row_ctx;

static void row_task(void *p, int64_t r0, int64_t r1, int tid)
{
    row_ctx *c = p;
    const float *x = c->x + r0 * c->ldx;
    float *y = c->y + r0 * c->ldy;
    (void)tid;
    switch (c->kind) {
    case ROW_SOFTMAX: c->t->softmax(r1 - r0, c->n, x, c->ldx, y, c->ldy, c->stream); break;
    case ROW_RMS: c->t->rms_norm(r1 - r0, c->n, x, c->ldx, c->w, c->eps, y, c->ldy, c->stream); break;
    default: c->t->layer_norm(r1 - r0, c->n, x, c->ldx, c->w, c->b, c->eps, y, c->ldy, c->stream); break;
    }
}

/* y may alias x exactly (same pointer and ld); w and b (n elements, read for every row) must
 * not overlap y. */
static gk_status rows_op(const char *fn, row_ctx *c, int64_t rows)
{
    int has_w = c->kind != ROW_SOFTMAX, has_b = c->kind == ROW_LAYER;
    int64_t nw = rows > 0 ? c->n : 0;
    gk_region rx = gk_matrix("x", c->x, rows, c->n, c->ldx), ry = gk_matrix("y", c->y, rows, c->n, c->ldy);
    gk_region rw = gk_vector("w", c->w, has_w ? nw : 0), rb = gk_vector("b", c->b, has_b ? nw : 0);
    GK_TRY(gk_check_size(fn, "rows", rows));
    GK_TRY(gk_check_size(fn, "n", c->n));
    GK_TRY(gk_check_ld(fn, "ldx", c->ldx, "n", c->n));
    GK_TRY(gk_check_ld(fn, "ldy", c->ldy, "n", c->n));
    GK_TRY(gk_check_region(fn, &rx));
    GK_TRY(gk_check_region(fn, &rw));
    GK_TRY(gk_check_region(fn, &rb));
    GK_TRY(gk_check_region(fn, &ry));
    GK_TRY(gk_check_overlap(fn, &ry, &rx, 1));
    GK_TRY(gk_check_overlap(fn, &ry, &rw, 0));
    GK_TRY(gk_check_overlap(fn, &ry, &rb, 0));
    if (rows == 0 || c->n == 0)
        return GK_OK;
    GK_TRY(gk_dispatch(&c->t));
    c->stream = gk_ops_stream_output(rows * c->n * (int64_t)sizeof(float), c->y, c->x, NULL);
    gk_ops_run(rows, gk_ops_row_grain(c->n), c->n * (int64_t)(2 * sizeof(float)), row_task, c);
    return GK_OK;
}

gk_status gk_softmax_f32(int64_t rows, int64_t n, const float *x, int64_t ldx, float *y, int64_t ldy)
{
    row_ctx c = {NULL, ROW_SOFTMAX, n, x, ldx, NULL, NULL, 0.0f, y, ldy, 0};
    return rows_op("gk_softmax_f32", &c, rows);
}

gk_status gk_rms_norm_f32(int64_t rows, int64_t n, const float *x, int64_t ldx, const float *w, float eps,
                          float *y, int64_t ldy)
{
    row_ctx c = {NULL, ROW_RMS, n, x, ldx, w, NULL, eps, y, ldy, 0};
    return rows_op("gk_rms_norm_f32", &c, rows);
}

gk_status gk_layer_norm_f32(int64_t rows, int64_t n, const float *x, int64_t ldx, const float *w, const float *b,
                            float eps, float *y, int64_t ldy)
{
    row_ctx c = {NULL, ROW_LAYER, n, x, ldx, w, b, eps, y, ldy, 0};
    return rows_op("gk_layer_norm_f32", &c, rows);
}
