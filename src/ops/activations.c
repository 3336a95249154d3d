/* Public activation entry points: validation, then the active kernel over fixed chunks. */
#include "gk/ops.h"
#include "ops/dispatch.h"
#include "ops/split.h"
#include "ops/validate.h"

typedef void (*unary_fn)(int64_t n, const float *x, float *y, int stream);

typedef struct {
    unary_fn k;
    const float *x;
    float *y;
    int stream; /* gk_ops_stream_output of the whole output */
} unary_ctx;

static void unary_task(void *p, int64_t b, int64_t e, int tid)
{
    unary_ctx *c = p;
    (void)tid;
    c->k(e - b, c->x + b, c->y + b, c->stream);
}

static gk_status check_unary(const char *fn, int64_t n, const float *x, float *y)
{
    gk_region rx = gk_vector("x", x, n), ry = gk_vector("y", y, n);
    GK_TRY(gk_check_size(fn, "n", n));
    GK_TRY(gk_check_region(fn, &rx));
    GK_TRY(gk_check_region(fn, &ry));
    return gk_check_overlap(fn, &ry, &rx, 1);
}

/* The kernel entry is picked after dispatch, hence the member name as a macro argument. */
#define GK_OPS_UNARY(op)                                                 \
    gk_status gk_##op##_f32(int64_t n, const float *x, float *y)         \
    {                                                                    \
        const gk_kernel_table *t;                                        \
        GK_TRY(check_unary("gk_" #op "_f32", n, x, y));                  \
        if (n == 0)                                                      \
            return GK_OK;                                                \
        GK_TRY(gk_dispatch(&t));                                         \
        unary_ctx c = {t->op, x, y, gk_ops_stream_output(n * 4, y, x, NULL)};\
        gk_ops_run(n, GK_OPS_CHUNK, 8, unary_task, &c);                  \
        return GK_OK;                                                    \
    }

GK_OPS_UNARY(silu)
GK_OPS_UNARY(gelu_tanh)
GK_OPS_UNARY(gelu_erf)
GK_OPS_UNARY(relu)
GK_OPS_UNARY(tanh)
GK_OPS_UNARY(exp)

typedef struct {
    const gk_kernel_table *t;
    const float *gate, *up;
    float *y;
    int stream;
} swiglu_ctx;

static void swiglu_task(void *p, int64_t b, int64_t e, int tid)
{
    swiglu_ctx *c = p;
    (void)tid;
    c->t->swiglu(e - b, c->gate + b, c->up + b, c->y + b, c->stream);
}

/* y may alias gate or up exactly. */
gk_status gk_swiglu_f32(int64_t n, const float *gate, const float *up, float *y)
{
    static const char fn[] = "gk_swiglu_f32";
    const gk_kernel_table *t;
    gk_region rg = gk_vector("gate", gate, n), ru = gk_vector("up", up, n), ry = gk_vector("y", y, n);
    GK_TRY(gk_check_size(fn, "n", n));
    GK_TRY(gk_check_region(fn, &rg));
    GK_TRY(gk_check_region(fn, &ru));
    GK_TRY(gk_check_region(fn, &ry));
    GK_TRY(gk_check_overlap(fn, &ry, &rg, 1));
    GK_TRY(gk_check_overlap(fn, &ry, &ru, 1));
    if (n == 0)
        return GK_OK;
    GK_TRY(gk_dispatch(&t));
    swiglu_ctx c = {t, gate, up, y, gk_ops_stream_output(n * 4, y, gate, up)};
    gk_ops_run(n, GK_OPS_CHUNK, 12, swiglu_task, &c);
    return GK_OK;
}
