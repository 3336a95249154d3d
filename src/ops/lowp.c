/* Public entry points of the bf16 / f16 operators: validation (DESIGN §10), then the active
 * kernel table. GEMV and the f32 -> bf16 conversion split their outputs across threads in fixed
 * chunks (outputs are independent: any split, same bits); the gemm_bt entries thread inside the
 * kernel like the f32 GEMMs. */
#include "gk/ops.h"
#include "ops/dispatch.h"
#include "ops/split.h"
#include "ops/shapes.h"

/* A region of 16-bit weights. */
static gk_region half_matrix(const char *name, const void *p, int64_t rows, int64_t cols, int64_t ld)
{
    gk_region r = gk_matrix(name, p, rows, cols, ld);
    r.elem = (int64_t)sizeof(uint16_t);
    return r;
}

typedef struct {
    void (*gemv)(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y);
    int64_t k;
    const uint16_t *a;
    int64_t lda;
    const float *x;
    float *y;
} gemv_ctx;

static void gemv_task(void *p, int64_t r0, int64_t r1, int tid)
{
    gemv_ctx *c = p;
    (void)tid;
    c->gemv(r1 - r0, c->k, c->a + r0 * c->lda, c->lda, c->x, c->y + r0);
}

static gk_status gemv_lowp(const char *fn, int bf16, int64_t n, int64_t k, const uint16_t *a, int64_t lda,
                           const float *x, float *y)
{
    const gk_kernel_table *t;
    int done;
    GK_TRY(gk_ops_gemv_shape(fn, n, k, half_matrix("a", a, n, k, lda), lda, x, y, &done));
    if (done)
        return GK_OK;
    GK_TRY(gk_dispatch(&t));
    gemv_ctx c = {bf16 ? t->gemv_bf16 : t->gemv_f16, k, a, lda, x, y};
    gk_ops_run(n, gk_ops_gemv_grain(k), k * (int64_t)sizeof(uint16_t), gemv_task, &c);
    return GK_OK;
}

gk_status gk_gemv_bf16(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y)
{
    return gemv_lowp("gk_gemv_bf16", 1, n, k, a, lda, x, y);
}

gk_status gk_gemv_f16(int64_t n, int64_t k, const uint16_t *a, int64_t lda, const float *x, float *y)
{
    return gemv_lowp("gk_gemv_f16", 0, n, k, a, lda, x, y);
}

static gk_status gemm_bt_lowp(const char *fn, int bf16, int64_t m, int64_t n, int64_t k, const float *a,
                              int64_t lda, const uint16_t *b, int64_t ldb, float *c, int64_t ldc)
{
    const gk_kernel_table *t;
    int done;
    GK_TRY(gk_ops_gemm_shape(fn, 1, m, n, k, gk_matrix("a", a, m, k, lda), lda, half_matrix("b", b, n, k, ldb), ldb,
                             gk_vector("bias", NULL, 0), NULL, c, ldc, &done));
    if (done)
        return GK_OK;
    GK_TRY(gk_dispatch(&t));
    return (bf16 ? t->gemm_bt_bf16 : t->gemm_bt_f16)(m, n, k, a, lda, b, ldb, c, ldc);
}

gk_status gk_gemm_bt_bf16(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *b,
                          int64_t ldb, float *c, int64_t ldc)
{
    return gemm_bt_lowp("gk_gemm_bt_bf16", 1, m, n, k, a, lda, b, ldb, c, ldc);
}

gk_status gk_gemm_bt_f16(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda, const uint16_t *b,
                         int64_t ldb, float *c, int64_t ldc)
{
    return gemm_bt_lowp("gk_gemm_bt_f16", 0, m, n, k, a, lda, b, ldb, c, ldc);
}

gk_status gk_gemm_bt_bf16bf16_f32(int64_t m, int64_t n, int64_t k, const uint16_t *a, int64_t lda, const uint16_t *b,
                                  int64_t ldb, float *c, int64_t ldc)
{
    static const char fn[] = "gk_gemm_bt_bf16bf16_f32";
    const gk_kernel_table *t;
    int done;
    GK_TRY(gk_ops_gemm_shape(fn, 1, m, n, k, half_matrix("a", a, m, k, lda), lda, half_matrix("b", b, n, k, ldb), ldb,
                             gk_vector("bias", NULL, 0), NULL, c, ldc, &done));
    if (done)
        return GK_OK;
    GK_TRY(gk_dispatch(&t));
    return t->gemm_bt_bf16bf16(m, n, k, a, lda, b, ldb, c, ldc);
}

typedef struct {
    void (*cvt)(int64_t n, const float *x, uint16_t *y);
    const float *x;
    uint16_t *y;
} narrow_ctx;

static void narrow_task(void *p, int64_t b, int64_t e, int tid)
{
    narrow_ctx *c = p;
    (void)tid;
    c->cvt(e - b, c->x + b, c->y + b);
}

gk_status gk_f32_to_bf16(int64_t n, const float *x, uint16_t *y)
{
    static const char fn[] = "gk_f32_to_bf16";
    const gk_kernel_table *t;
    gk_region rx = gk_vector("x", x, n), ry = half_matrix("y", y, 1, n, n);
    GK_TRY(gk_check_size(fn, "n", n));
    GK_TRY(gk_check_region(fn, &rx));
    GK_TRY(gk_check_region(fn, &ry));
    GK_TRY(gk_check_overlap(fn, &ry, &rx, 0));
    if (n == 0)
        return GK_OK;
    GK_TRY(gk_dispatch(&t));
    narrow_ctx c = {t->f32_to_bf16, x, y};
    gk_ops_run(n, GK_OPS_CHUNK, 6, narrow_task, &c);
    return GK_OK;
}
