/* The benchmark harness contract (DESIGN §12). A suite is a function that, for each case
 * (op × shape), describes the work (FLOPs, bytes, which limit applies) and hands the harness
 * one closure per implementation: ours first ("gk"), then each peer found at run time.
 * The harness times them all in the same run, interleaved in rounds of child processes
 * (warm-up, repetitions, median and best), prints a table with % of the measured limit and
 * our/peer ratios, and collects rows for --json and --plot. Suites never print timings
 * themselves. */
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

/* One implementation of a case: a closure the harness times. */
typedef struct gk_bench_impl {
    const char *impl;
    int (*fn)(void *arg);
    void *arg;
} gk_bench_impl;

/* Times the n implementations of case c (impls[0] ours) interleaved: in each of --rounds rounds
 * (5 unless --quick) every one runs once in a fresh process, each round starting one
 * implementation later, so that a drift of the machine's speed lands on all of them alike. A row
 * reports the median over rounds of each round's median, the best sample, and as its ratio the
 * median over rounds of that round's peer / ours. The args must stay valid for the whole call. */
void gk_bench_run_rounds(gk_bench_ctx *ctx, const gk_bench_case *c, const gk_bench_impl *impls, int n);

/* 1 when case c passes --filter (a substring of "op shape"); suites call it before allocating
 * a case's buffers so that filtered-out cases cost nothing. gk_bench_run_rounds skips them too. */
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
