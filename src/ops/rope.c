/* Public rope entry points (positions and theta, or a precomputed cos/sin table): validation,
 * then the active kernel over ranges of tokens. */
#include <math.h>

#include "gk/ops.h"
#include "ops/dispatch.h"
#include "ops/split.h"
#include "ops/validate.h"

typedef struct {
    const gk_kernel_table *t;
    int64_t heads, head_dim;
    float *x;
    int64_t ld_token;
    const int32_t *pos;
    float theta;
    gk_rope_layout layout;
} rope_ctx;

static void rope_task(void *p, int64_t t0, int64_t t1, int tid)
{
    rope_ctx *c = p;
    (void)tid;
    c->t->rope(t1 - t0, c->heads, c->head_dim, c->x + t0 * c->ld_token, c->ld_token, c->pos + t0, c->theta,
               c->layout);
}

/* Checks shared by both rope entry points; *row = heads * head_dim. */
static gk_status rope_shape(const char *fn, int64_t tokens, int64_t heads, int64_t head_dim, int64_t ld_token,
                            gk_rope_layout layout, int64_t *row)
{
    GK_TRY(gk_check_size(fn, "tokens", tokens));
    GK_TRY(gk_check_size(fn, "heads", heads));
    GK_TRY(gk_check_size(fn, "head_dim", head_dim));
    if (head_dim % 2 != 0)
        return gk_fail(GK_ERR_INVALID_ARG, "%s: head_dim (%lld) is odd", fn, (long long)head_dim);
    if (layout != GK_ROPE_INTERLEAVED && layout != GK_ROPE_NEOX)
        return gk_fail(GK_ERR_INVALID_ARG, "%s: layout (%d) is not a gk_rope_layout", fn, (int)layout);
    if (gk_mul_overflow_i64(heads, head_dim, row))
        return gk_fail(GK_ERR_INVALID_ARG, "%s: heads (%lld) * head_dim (%lld) overflows", fn, (long long)heads,
                       (long long)head_dim);
    return gk_check_ld(fn, "ld_token", ld_token, "heads*head_dim", *row);
}

/* x is rotated in place; pos (tokens int32) must not overlap x. */
gk_status gk_rope_f32(int64_t tokens, int64_t heads, int64_t head_dim, float *x, int64_t ld_token,
                      const int32_t *pos, float theta, gk_rope_layout layout)
{
    static const char fn[] = "gk_rope_f32";
    int64_t row;
    GK_TRY(rope_shape(fn, tokens, heads, head_dim, ld_token, layout, &row));
    if (!(theta > 0.0f) || isinf(theta))
        return gk_fail(GK_ERR_INVALID_ARG, "%s: theta (%g) must be positive and finite", fn, (double)theta);
    gk_region rx = gk_matrix("x", x, tokens, row, ld_token);
    gk_region rp = {"pos", pos, 1, row > 0 ? tokens : 0, tokens, (int64_t)sizeof(int32_t), 0};
    GK_TRY(gk_check_region(fn, &rx));
    GK_TRY(gk_check_region(fn, &rp));
    GK_TRY(gk_check_overlap(fn, &rx, &rp, 0));
    if (tokens == 0 || row == 0)
        return GK_OK;
    rope_ctx c = {NULL, heads, head_dim, x, ld_token, pos, theta, layout};
    GK_TRY(gk_dispatch(&c.t));
    gk_ops_run(tokens, gk_ops_row_grain(row), row * (int64_t)(2 * sizeof(float)), rope_task, &c);
    return GK_OK;
}

/* ---- with a precomputed cos/sin table ---------------------------------------------------- */

typedef struct {
    const gk_kernel_table *t;
    int64_t heads, head_dim;
    float *x;
    int64_t ld_token;
    const int32_t *pos;
    const float *cos_tab, *sin_tab;
    gk_rope_layout layout;
} rope_table_ctx;

static void rope_table_task(void *p, int64_t t0, int64_t t1, int tid)
{
    rope_table_ctx *c = p;
    (void)tid;
    c->t->rope_table(t1 - t0, c->heads, c->head_dim, c->x + t0 * c->ld_token, c->ld_token, c->pos + t0,
                     c->cos_tab, c->sin_tab, c->layout);
}

gk_status gk_rope_table_f32(int64_t tokens, int64_t heads, int64_t head_dim, float *x, int64_t ld_token,
                            const int32_t *pos, const float *cos_tab, const float *sin_tab, int64_t table_rows,
                            gk_rope_layout layout)
{
    static const char fn[] = "gk_rope_table_f32";
    int64_t row;
    GK_TRY(rope_shape(fn, tokens, heads, head_dim, ld_token, layout, &row));
    GK_TRY(gk_check_size(fn, "table_rows", table_rows));
    int64_t used = row > 0 ? tokens : 0; /* nothing is read when no element rotates */
    gk_region rx = gk_matrix("x", x, tokens, row, ld_token);
    gk_region rp = {"pos", pos, 1, used, used, (int64_t)sizeof(int32_t), 0};
    gk_region rc = gk_matrix("cos_tab", cos_tab, used ? table_rows : 0, head_dim / 2, head_dim / 2);
    gk_region rs = gk_matrix("sin_tab", sin_tab, used ? table_rows : 0, head_dim / 2, head_dim / 2);
    GK_TRY(gk_check_region(fn, &rx));
    GK_TRY(gk_check_region(fn, &rp));
    GK_TRY(gk_check_region(fn, &rc));
    GK_TRY(gk_check_region(fn, &rs));
    GK_TRY(gk_check_overlap(fn, &rx, &rp, 0));
    GK_TRY(gk_check_overlap(fn, &rx, &rc, 0));
    GK_TRY(gk_check_overlap(fn, &rx, &rs, 0));
    for (int64_t t = 0; t < used; t++)
        if (pos[t] < 0 || pos[t] >= table_rows)
            return gk_fail(GK_ERR_INVALID_ARG, "%s: pos[%lld] (%d) is outside the table's %lld rows", fn,
                           (long long)t, (int)pos[t], (long long)table_rows);
    if (used == 0)
        return GK_OK;
    rope_table_ctx c = {NULL, heads, head_dim, x, ld_token, pos, cos_tab, sin_tab, layout};
    GK_TRY(gk_dispatch(&c.t));
    gk_ops_run(tokens, gk_ops_row_grain(row), row * (int64_t)(2 * sizeof(float)), rope_table_task, &c);
    return GK_OK;
}
