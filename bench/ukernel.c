/* Benchmark suite "ukernel": the active ISA's f32 GEMM micro-kernel alone, run over packed
 * panels the way the blocked path runs it (docs/GEMM.md, "The loop order"), so the kernel's own
 * ceiling and the cost of each loop order can be told apart from packing and threading:
 *   resident   the same A sliver, B panel and C tile every call (all in L1)
 *   blis       for each B panel: for each A sliver (the panel held in L1, A streamed from L2)
 *   b-stream   for each A sliver: for each B panel (the sliver held in L1, B streamed from L2)
 * over MC rows of packed A and 1536 columns of packed B at the profile's KC and MC, C accumulated
 * (row stride 1536 floats). One thread; the limit is the compute peak. The kernels are the
 * library's own sources, assembled into the harness (the library does not export them). With
 * GK_ISA forcing a lower ISA, KC, MC and the peak stay those of the best ISA. */
#include <stdlib.h>

#include "bench.h"
#include "../src/kernels/gemm/ukernel.h"

enum { COLS = 1536 };

typedef enum { ORDER_RESIDENT, ORDER_BLIS, ORDER_BSTREAM } order;

typedef struct uk_arg {
    gk_f32_ukernel_fn fn;
    int mr, nr;
    int64_t mc, kc;
    order ord;
    const float *a, *b;
    float *c;
} uk_arg;

static void call(const uk_arg *u, int64_t ir, int64_t jp)
{
    gk_f32_ukernel_args args = {.a = u->a + ir * u->kc, .b = u->b + jp * u->kc * u->nr,
                                .c = u->c + ir * COLS + jp * u->nr, .k = u->kc, .rs_a = 4, .cs_a = 4 * u->mr,
                                .rs_b = 4 * u->nr, .ldc = 4 * COLS, .m = u->mr, .n = u->nr, .accumulate = 1};
    u->fn(&args);
}

static int run(void *p)
{
    const uk_arg *u = p;
    int64_t panels = COLS / u->nr;
    if (u->ord == ORDER_BLIS) {
        for (int64_t jp = 0; jp < panels; jp++)
            for (int64_t ir = 0; ir < u->mc; ir += u->mr)
                call(u, ir, jp);
        return 0;
    }
    int resident = u->ord == ORDER_RESIDENT;
    for (int64_t ir = 0; ir < u->mc; ir += u->mr)
        for (int64_t jp = 0; jp < panels; jp++)
            call(u, resident ? 0 : ir, resident ? 0 : jp);
    return 0;
}

void gk_bench_suite_ukernel(gk_bench_ctx *ctx)
{
    const struct gk_device_profile *d = gk_device_profile();
    uk_arg u = {0};
    const char *name;
    if (gk_get_isa() == GK_ISA_AVX512)
        u.fn = gk_f32_gemm_ukernel_8x48__avx512f, u.mr = 8, u.nr = 48, name = "f32_8x48__avx512f";
    else if (gk_get_isa() == GK_ISA_AVX2)
        u.fn = gk_f32_gemm_ukernel_6x16__avx2, u.mr = 6, u.nr = 16, name = "f32_6x16__avx2";
    else
        return; /* no assembly kernel on this ISA */
    u.kc = d->gemm_kc;
    u.mc = d->gemm_mc - d->gemm_mc % u.mr;
    static const char *const label[] = {"resident", "blis", "b-stream"};
    for (int o = ORDER_RESIDENT; o <= ORDER_BSTREAM; o++) {
        gk_bench_case c = {.suite = "ukernel", .op = name, .limit = GK_LIMIT_COMPUTE};
        snprintf(c.shape, sizeof c.shape, "%s MC=%lld N=%d KC=%lld", label[o], (long long)u.mc, COLS,
                 (long long)u.kc);
        c.flops = 2.0 * (double)u.mc * COLS * (double)u.kc;
        if (!gk_bench_selected(ctx, &c))
            continue;
        float *a = gk_bench_alloc((size_t)(u.mc * u.kc) * sizeof(float));
        float *b = gk_bench_alloc((size_t)(COLS * u.kc) * sizeof(float));
        float *cm = gk_bench_alloc((size_t)(u.mc * COLS) * sizeof(float));
        gk_bench_fill_f32(a, (size_t)(u.mc * u.kc), 1);
        gk_bench_fill_f32(b, (size_t)(COLS * u.kc), 2);
        u.a = a, u.b = b, u.c = cm, u.ord = (order)o;
        gk_bench_impl im = {"gk", run, &u};
        gk_bench_run_rounds(ctx, &c, &im, 1);
        gk_bench_free(a);
        gk_bench_free(b);
        gk_bench_free(cm);
    }
}
