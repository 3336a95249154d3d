/* Benchmark suite "pool": the fork/join cost of gk_parallel_for (DESIGN §9: a decode-sized op
 * takes tens of microseconds, so a call must cost a few). Empty tasks, one chunk per thread,
 * with 1 thread and with the benchmark's thread count. The peer is what the pool replaces:
 * creating and joining threads on every call (with 1 thread: calling the task directly). */
#include <pthread.h>
#include <stdio.h>

#include "bench.h"
/* The pool is internal: src/ is not on the bench include path, the header is reached directly. */
#include "../src/runtime/pool.h"

enum { MAX_SPAWN = 1024 };

typedef struct pool_arg {
    int threads;
    pthread_t ids[MAX_SPAWN];
} pool_arg;

static void empty_task(void *ctx, int64_t begin, int64_t end, int tid)
{
    (void)ctx, (void)begin, (void)end, (void)tid;
}

static int run_gk(void *p)
{
    pool_arg *a = p;
    gk_parallel_for(a->threads, 1, empty_task, NULL);
    return 0;
}

static void *spawned(void *arg)
{
    (void)arg;
    return NULL;
}

static int run_spawn(void *p)
{
    pool_arg *a = p;
    int started = 0, rc = 0;
    for (int i = 1; i < a->threads; i++, started++)
        if (pthread_create(&a->ids[i], NULL, spawned, NULL) != 0) {
            rc = 1;
            break;
        }
    empty_task(NULL, 0, 1, 0);
    for (int i = 1; i <= started; i++)
        pthread_join(a->ids[i], NULL);
    return rc;
}

void gk_bench_suite_pool(gk_bench_ctx *ctx)
{
    int all = gk_bench_threads(ctx);
    int counts[2] = {1, all};
    for (int i = 0; i < (all > 1 ? 2 : 1); i++) {
        static pool_arg a; /* the thread-id table is large for a stack frame */
        a.threads = counts[i];
        /* No data and no arithmetic: the limit is 0 and the time is pure overhead. */
        gk_bench_case c = {.suite = "pool", .op = "parallel_for", .limit = GK_LIMIT_COMPUTE};
        snprintf(c.shape, sizeof c.shape, "threads=%d chunks=%d empty", a.threads, a.threads);
        if (!gk_bench_selected(ctx, &c))
            continue;
        gk_set_num_threads(a.threads);
        gk_bench_impl impls[] = {{"gk", run_gk, &a},
                                 {a.threads == 1 ? "direct call" : "pthread create/join", run_spawn, &a}};
        gk_bench_run_rounds(ctx, &c, impls, 2);
    }
    gk_set_num_threads(all);
}
