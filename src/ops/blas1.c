/* Public BLAS-1 entry points: validation, then the active kernel table split in fixed chunks.
 * Reductions always reduce each chunk separately and combine the partials in chunk order, so
 * the result depends on n only, not on the thread count. */
#include <math.h>

#include "gk/ops.h"
#include "ops/dispatch.h"
#include "ops/split.h"
#include "ops/validate.h"

/* ---- reductions -------------------------------------------------------------------------- */

typedef enum { RED_DOT, RED_SUM, RED_MAX } reduce_kind;

typedef struct {
    const gk_kernel_table *t;
    reduce_kind kind;
    const float *x, *y;
    int64_t chunk;
    float *part;
} reduce_ctx;

static float reduce_range(const reduce_ctx *r, int64_t b, int64_t e)
{
    switch (r->kind) {
    case RED_DOT: return r->t->vec_dot(e - b, r->x + b, r->y + b);
    case RED_SUM: return r->t->vec_sum(e - b, r->x + b);
    default: return r->t->vec_max(e - b, r->x + b);
    }
}

static void reduce_task(void *p, int64_t b, int64_t e, int tid)
{
    reduce_ctx *r = p;
    (void)tid;
    r->part[b / r->chunk] = reduce_range(r, b, e);
}

/* Partials combine with the definition's own rule (sequential float sum; NaN-propagating max),
 * starting from the first partial so that one chunk gives exactly the kernel's result. */
static float reduce(const gk_kernel_table *t, reduce_kind kind, int64_t n, const float *x, const float *y)
{
    float part[GK_OPS_MAX_CHUNKS];
    reduce_ctx r = {t, kind, x, y, gk_ops_reduce_chunk(n), part};
    /* One chunk is the kernel's result: called directly, a resident vector does not pay the
     * split's divisions and indirect calls (Zen 3, n = 2048: a third of a vec_sum call). */
    if (n <= GK_OPS_CHUNK)
        return reduce_range(&r, 0, n);
    int64_t chunks = (n + r.chunk - 1) / r.chunk;
    gk_ops_run(n, r.chunk, kind == RED_DOT ? 8 : 4, reduce_task, &r);
    float acc = part[0];
    for (int64_t i = 1; i < chunks; i++) {
        if (kind == RED_MAX)
            acc = part[i] > acc || part[i] != part[i] ? part[i] : acc;
        else
            acc += part[i];
    }
    return acc;
}

/* The reductions' entry: y is read only by the dot product; `empty` is the result for n = 0. */
static gk_status reduction(const char *fn, reduce_kind kind, int64_t n, const float *x, const float *y, float empty,
                           float *out)
{
    const gk_kernel_table *t;
    gk_region rx = gk_vector("x", x, n), ry = gk_vector("y", y, kind == RED_DOT ? n : 0);
    GK_TRY(gk_check_size(fn, "n", n));
    GK_TRY(gk_check_ptr(fn, "out", out));
    GK_TRY(gk_check_region(fn, &rx));
    GK_TRY(gk_check_region(fn, &ry));
    GK_TRY(gk_dispatch(&t));
    *out = n == 0 ? empty : reduce(t, kind, n, x, y);
    return GK_OK;
}

gk_status gk_vec_dot_f32(int64_t n, const float *x, const float *y, float *out)
{
    return reduction("gk_vec_dot_f32", RED_DOT, n, x, y, 0.0f, out);
}

gk_status gk_vec_sum_f32(int64_t n, const float *x, float *out)
{
    return reduction("gk_vec_sum_f32", RED_SUM, n, x, NULL, 0.0f, out);
}

gk_status gk_vec_max_f32(int64_t n, const float *x, float *out)
{
    return reduction("gk_vec_max_f32", RED_MAX, n, x, NULL, -INFINITY, out);
}

/* ---- elementwise ------------------------------------------------------------------------- */

typedef enum { EW_ADD, EW_MUL, EW_SCALE, EW_AXPY } ew_kind;

typedef struct {
    const gk_kernel_table *t;
    ew_kind kind;
    const float *x, *y;
    float alpha;
    float *out;
    int stream; /* gk_ops_stream_output of the whole output */
} ew_ctx;

static void ew_task(void *p, int64_t b, int64_t e, int tid)
{
    ew_ctx *c = p;
    (void)tid;
    switch (c->kind) {
    case EW_ADD: c->t->vec_add(e - b, c->x + b, c->y + b, c->out + b, c->stream); break;
    case EW_MUL: c->t->vec_mul(e - b, c->x + b, c->y + b, c->out + b, c->stream); break;
    case EW_SCALE: c->t->vec_scale(e - b, c->x + b, c->alpha, c->out + b, c->stream); break;
    default: c->t->vec_axpy(e - b, c->alpha, c->x + b, c->out + b); break;
    }
}

/* out (n elements) may alias x or y exactly; y is read only by add and mul. */
static gk_status ew(const char *fn, ew_kind kind, int64_t n, const float *x, const float *y, float alpha,
                    const char *out_name, float *out)
{
    const gk_kernel_table *t;
    int64_t ny = kind == EW_ADD || kind == EW_MUL ? n : 0;
    gk_region rx = gk_vector("x", x, n), ry = gk_vector("y", y, ny), ro = gk_vector(out_name, out, n);
    GK_TRY(gk_check_size(fn, "n", n));
    GK_TRY(gk_check_region(fn, &rx));
    GK_TRY(gk_check_region(fn, &ry));
    GK_TRY(gk_check_region(fn, &ro));
    GK_TRY(gk_check_overlap(fn, &ro, &rx, 1));
    GK_TRY(gk_check_overlap(fn, &ro, &ry, 1));
    if (n == 0)
        return GK_OK;
    GK_TRY(gk_dispatch(&t));
    ew_ctx c = {t, kind, x, y, alpha, out, gk_ops_stream_output(n * 4, out, x, y)};
    gk_ops_run(n, GK_OPS_CHUNK, ny ? 12 : 8, ew_task, &c);
    return GK_OK;
}

gk_status gk_vec_add_f32(int64_t n, const float *x, const float *y, float *out)
{
    return ew("gk_vec_add_f32", EW_ADD, n, x, y, 0.0f, "out", out);
}

gk_status gk_vec_mul_f32(int64_t n, const float *x, const float *y, float *out)
{
    return ew("gk_vec_mul_f32", EW_MUL, n, x, y, 0.0f, "out", out);
}

gk_status gk_vec_scale_f32(int64_t n, const float *x, float alpha, float *out)
{
    return ew("gk_vec_scale_f32", EW_SCALE, n, x, NULL, alpha, "out", out);
}

/* y is both an input and the output: only its overlap with x matters. */
gk_status gk_vec_axpy_f32(int64_t n, float alpha, const float *x, float *y)
{
    return ew("gk_vec_axpy_f32", EW_AXPY, n, x, NULL, alpha, "y", y);
}
