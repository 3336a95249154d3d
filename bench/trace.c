/* Benchmark suite "trace": JIT Phase 0 latency (DESIGN §13: < 100 µs per op on first use,
 * cached after). For every registered scalar function: a full analysis (decode, CFG, symbolic
 * execution, linearization; what the first gk_trace_get pays), and a cached gk_trace_get. */
#include <stdio.h>

#include "bench.h"
#include "gk/jit.h"

typedef struct {
    const char *name;
    void (*fn)(void);
    gk_fn_sig sig;
} trace_arg;

static int run_analyze(void *p)
{
    trace_arg *a = p;
    struct gk_op_trace *t = NULL;
    if (gk_trace_analyze(a->fn, &a->sig, &t) != GK_OK)
        return 1;
    gk_trace_free(t);
    return 0;
}

static int run_cached(void *p)
{
    trace_arg *a = p;
    const struct gk_op_trace *t = NULL;
    return gk_trace_get(a->name, &t) != GK_OK;
}

void gk_bench_suite_trace(gk_bench_ctx *ctx)
{
    int n = gk_trace_fn_count();
    for (int i = 0; i < n; i++) {
        trace_arg a = {gk_trace_fn_name(i), NULL, {GK_ARG_VOID, 0, {GK_ARG_VOID}}};
        if (gk_trace_fn_info(a.name, &a.fn, &a.sig) != GK_OK)
            continue;
        const struct gk_op_trace *t = NULL;
        gk_status st = gk_trace_get(a.name, &t); /* warm the cache; a failure shows as a failed row */
        /* Analysis is neither FLOPs nor bytes: the limit is 0 and the time is the cost. */
        gk_bench_case c = {.suite = "trace", .op = a.name, .limit = GK_LIMIT_COMPUTE};
        snprintf(c.shape, sizeof c.shape, "analyse (%s)", st == GK_OK ? gk_trace_pattern(t) : "unsupported");
        if (gk_bench_selected(ctx, &c)) {
            gk_bench_impl im = {"gk", run_analyze, &a};
            gk_bench_run_rounds(ctx, &c, &im, 1);
        }
        gk_bench_case k = {.suite = "trace", .op = a.name, .limit = GK_LIMIT_COMPUTE};
        snprintf(k.shape, sizeof k.shape, "cached gk_trace_get");
        if (gk_bench_selected(ctx, &k)) {
            gk_bench_impl im = {"gk", run_cached, &a};
            gk_bench_run_rounds(ctx, &k, &im, 1);
        }
    }
}
