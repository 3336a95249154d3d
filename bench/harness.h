/* Internal to the benchmark harness: the context a suite runs in, the rows it collects, and the
 * two reports made from them after the run (JSON document, SVG roofline chart). */
#ifndef GK_BENCH_HARNESS_H
#define GK_BENCH_HARNESS_H

#include <stdint.h>
#include <stdio.h>

#include "bench.h"

typedef struct gk_bench_row {
    char suite[24];
    char op[40];
    char shape[96];
    char impl[96];
    double flops, bytes;
    gk_bench_limit limit;
    int ok;                /* 0: the implementation failed; error says why */
    char error[160];
    int reps;              /* timed samples (over all rounds) */
    int rounds;            /* processes it was timed in, interleaved with the case's others; 0: one */
    int64_t batch;         /* calls per sample */
    double median_s, best_s; /* seconds per call */
    double limit_s;        /* time at the limit; 0 when the profile has no measurement */
    double ratio;          /* peer time / gk time (>1: gk faster); 0 for gk's own row or unknown */
} gk_bench_row;

struct gk_bench_ctx {
    const char *suite;
    int threads;
    int quick;
    const char *filter;       /* NULL: every case */
    FILE *out;                /* tables: stdout, or stderr when stdout carries JSON */
    const struct gk_device_profile *prof;
    double target_s;          /* keep sampling until this much time ... */
    int min_reps;             /* ... and this many samples */
    double cap_s;             /* but never past this (slow reference kernels) */
    int rounds;               /* gk_bench_run_rounds: processes per implementation (--rounds) */
    gk_bench_row *rows;
    size_t nrows, cap;
    size_t case_begin;        /* first row of the current case */
    int case_open;
};

/* Seconds at the case's limit with ctx's thread count (0 when unknown); *name gets the limit's
 * short name ("compute", "dram", "l1", "l2", "roofline"). */
double gk_bench_limit_time(const gk_bench_ctx *ctx, double flops, double bytes, gk_bench_limit limit,
                           const char **name);
/* Compute roof (GFLOP/s) and DRAM bandwidth (GB/s) for ctx's thread count; 0 when unknown. */
double gk_bench_peak_gflops(const gk_bench_ctx *ctx);
double gk_bench_dram_gbs(const gk_bench_ctx *ctx);

/* Reports; return 0 on success, else print why on stderr and return 1. */
int gk_bench_write_json(const gk_bench_ctx *ctx, FILE *f);
int gk_bench_write_svg(const gk_bench_ctx *ctx, const char *path);

#endif
