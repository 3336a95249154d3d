/* The benchmark harness contract (DESIGN §12). A suite is a function that, for each case
 * (op × shape), describes the work (FLOPs, bytes, which limit applies) and hands the harness
 * one closure per implementation: ours first ("gk"), then each peer found at run time.
 * The harness times them all in the same run, each in its own child process (warm-up,
 * repetitions, median and best), prints
 * a table with % of the measured limit and our/peer ratios, and collects rows for --json and
 * --plot. Suites never print timings themselves. */
#ifndef GK_BENCH_H
#define GK_BENCH_H

#include <stdint.h>
#include <stdio.h>

#include "gk/gk.h"

typedef enum {
    GK_LIMIT_COMPUTE,  /* FLOPs / (peak per core × threads) */
    GK_LIMIT_DRAM,     /* bytes / DRAM read bandwidth (1 thread or all) */
    GK_LIMIT_L1,       /* bytes / L1 read bandwidth × threads */
    GK_LIMIT_L2,
    GK_LIMIT_ROOFLINE  /* max(FLOPs / peak, bytes / DRAM bandwidth) */
} gk_bench_limit;

typedef struct gk_bench_case {
    const char *suite;     /* "gemm" */
    const char *op;        /* "gemm_bt" */
    char shape[96];        /* "M=8 N=4096 K=4096" */
    double flops;          /* per call; 0 for pure data movement */
    double bytes;          /* per call: bytes read + written */
    gk_bench_limit limit;
} gk_bench_case;

typedef struct gk_bench_ctx gk_bench_ctx;

/* Options the suites may read. */
int gk_bench_threads(const gk_bench_ctx *ctx);  /* --threads N (peers get the same) */
int gk_bench_quick(const gk_bench_ctx *ctx);    /* --quick: fewer shapes/reps (used by tests) */

/* Time fn(arg) for implementation `impl` ("gk", a peer's label, "O3-native loop", ...) on case
 * c, in a child process of its own that opens the peer whose label impl is (so fn's effects on
 * memory stay in that child). Call once per implementation, ours first; rows of one case are
 * grouped and ratios are ours/peer. A failing implementation (fn returns non-zero, or its
 * process dies) is reported, not timed. */
void gk_bench_run(gk_bench_ctx *ctx, const gk_bench_case *c, const char *impl,
                  int (*fn)(void *arg), void *arg);

/* Finish the current case: print its rows (each row is printed as soon as it is timed; this
 * closes the case's table). */
void gk_bench_end_case(gk_bench_ctx *ctx);

/* 1 when case c passes --filter (a substring of "op shape"); suites call it before allocating
 * a case's buffers so that filtered-out cases cost nothing. gk_bench_run skips them too. */
int gk_bench_selected(const gk_bench_ctx *ctx, const gk_bench_case *c);

/* Buffers for memory-bound cases that must stream cold: `copies` buffers of `bytes` each, so
 * the total exceeds the last-level cache; gk_bench_rotate picks the next one per call. */
void *gk_bench_alloc(size_t bytes);  /* 2 MiB pages, zero-filled, exits on failure */
void gk_bench_free(void *p);
int gk_bench_cold_copies(size_t bytes_per_copy); /* copies needed to exceed 4× LLC */
/* Index of the copy to use now (0 .. copies-1, round robin); *cursor starts at 0. */
int gk_bench_rotate(int copies, int *cursor);
/* Deterministic values in [-1, 1) (cheap enough for hundreds of MiB). */
void gk_bench_fill_f32(float *p, size_t n, uint64_t seed);

/* A suite: registered in bench/suites.inc as GK_BENCH_SUITE(name, function, "description"). */
typedef void (*gk_bench_suite_fn)(gk_bench_ctx *ctx);

/* `gk bench <suite|all|list> [--threads N] [--json] [--plot file.svg] [--quick|--full] [--filter s]`:
 * argv[0] is "bench". Returns the process exit code (2 on bad usage). */
int gk_cmd_bench(int argc, char **argv);

#endif
