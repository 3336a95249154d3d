/* The benchmark harness (bench/bench.h): times every implementation of a case in the same run,
 * each in its own child process (bench/isolate.h), prints one table per case against the
 * DeviceProfile's measured limits, and drives `gk bench`. */
#include "harness.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "isolate.h"
#include "peers.h"

#define GK_BENCH_SUITE(name, fn, desc) void fn(gk_bench_ctx *ctx);
#include "suites.inc"
#undef GK_BENCH_SUITE

static const struct {
    const char *name;
    gk_bench_suite_fn fn;
    const char *desc;
} suites[] = {
#define GK_BENCH_SUITE(name, fn, desc) {#name, fn, desc},
#include "suites.inc"
#undef GK_BENCH_SUITE
};

enum { MAX_SAMPLES = 4096 };
/* Rounds of the suites that interleave their implementations (gk_bench_run_rounds): on this
 * shared VM the speed of a core drifts 15-20% over minutes, so a case times each implementation
 * in several short processes, alternating, rather than in one long one after the other. */
enum { DEFAULT_ROUNDS = 5 };
static const double min_sample_s = 1e-3; /* batch calls so the clock's resolution is noise */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int gk_bench_threads(const gk_bench_ctx *ctx)
{
    return ctx->threads;
}

int gk_bench_quick(const gk_bench_ctx *ctx)
{
    return ctx->quick;
}

int gk_bench_selected(const gk_bench_ctx *ctx, const gk_bench_case *c)
{
    if (!ctx->filter || !*ctx->filter)
        return 1;
    char key[160];
    snprintf(key, sizeof key, "%s %s", c->op, c->shape);
    return strstr(key, ctx->filter) != NULL;
}

double gk_bench_peak_gflops(const gk_bench_ctx *ctx)
{
    return ctx->prof->peak_gflops * ctx->threads;
}

double gk_bench_dram_gbs(const gk_bench_ctx *ctx)
{
    return ctx->threads == 1 ? ctx->prof->bw_dram_gbs_1t : ctx->prof->bw_dram_gbs_all;
}

double gk_bench_limit_time(const gk_bench_ctx *ctx, double flops, double bytes, gk_bench_limit limit,
                           const char **name)
{
    const struct gk_device_profile *p = ctx->prof;
    double peak = gk_bench_peak_gflops(ctx) * 1e9, dram = gk_bench_dram_gbs(ctx) * 1e9;
    double t = 0;
    const char *n = "?";
    switch (limit) {
    case GK_LIMIT_COMPUTE:
        n = "compute";
        t = peak > 0 ? flops / peak : 0;
        break;
    case GK_LIMIT_DRAM:
        n = "dram";
        t = dram > 0 ? bytes / dram : 0;
        break;
    case GK_LIMIT_L1:
        n = "l1";
        t = p->bw_l1_gbs > 0 ? bytes / (p->bw_l1_gbs * 1e9 * ctx->threads) : 0;
        break;
    case GK_LIMIT_L2:
        n = "l2";
        t = p->bw_l2_gbs > 0 ? bytes / (p->bw_l2_gbs * 1e9 * ctx->threads) : 0;
        break;
    case GK_LIMIT_ROOFLINE:
        n = "roofline";
        if (peak > 0 && dram > 0)
            t = fmax(flops / peak, bytes / dram);
        break;
    }
    if (name)
        *name = n;
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v and returns its median. */
static double median_of(double *v, int n)
{
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void fmt_time(char *buf, size_t cap, double s)
{
    if (s <= 0)
        snprintf(buf, cap, "-");
    else if (s < 1e-6)
        snprintf(buf, cap, "%.1f ns", s * 1e9);
    else if (s < 1e-3)
        snprintf(buf, cap, "%.2f us", s * 1e6);
    else if (s < 1)
        snprintf(buf, cap, "%.2f ms", s * 1e3);
    else
        snprintf(buf, cap, "%.3f s", s);
}

static gk_bench_row *new_row(gk_bench_ctx *ctx)
{
    if (ctx->nrows == ctx->cap) {
        size_t cap = ctx->cap ? ctx->cap * 2 : 64;
        gk_bench_row *r = realloc(ctx->rows, cap * sizeof *r);
        if (!r) {
            fprintf(stderr, "gk bench: out of memory\n");
            exit(1);
        }
        ctx->rows = r;
        ctx->cap = cap;
    }
    gk_bench_row *r = &ctx->rows[ctx->nrows++];
    memset(r, 0, sizeof *r);
    return r;
}

static int same_case(const gk_bench_row *r, const gk_bench_case *c)
{
    return !strcmp(r->op, c->op) && !strcmp(r->shape, c->shape);
}

static void print_case_header(gk_bench_ctx *ctx, const gk_bench_case *c)
{
    const char *lname;
    char lt[32];
    fmt_time(lt, sizeof lt, gk_bench_limit_time(ctx, c->flops, c->bytes, c->limit, &lname));
    fprintf(ctx->out, "%s  %s  (%s limit %s)\n", c->op, c->shape, lname, lt);
    fprintf(ctx->out, "  %-36s %11s %11s %9s %9s %7s %8s\n", "impl", "median", "best", "GFLOP/s",
            "GB/s", "%limit", "gk/peer");
}

static void print_row(gk_bench_ctx *ctx, const gk_bench_row *r)
{
    if (!r->ok) {
        fprintf(ctx->out, "  %-36s FAILED: %s\n", r->impl, r->error);
        return;
    }
    char med[32], best[32], gf[32] = "-", gb[32] = "-", pct[32] = "-", ratio[32] = "";
    fmt_time(med, sizeof med, r->median_s);
    fmt_time(best, sizeof best, r->best_s);
    if (r->flops > 0)
        snprintf(gf, sizeof gf, "%.2f", r->flops / r->median_s * 1e-9);
    if (r->bytes > 0)
        snprintf(gb, sizeof gb, "%.2f", r->bytes / r->median_s * 1e-9);
    if (r->limit_s > 0)
        snprintf(pct, sizeof pct, "%.1f", 100.0 * r->limit_s / r->median_s);
    if (r->ratio > 0)
        snprintf(ratio, sizeof ratio, "%.2fx", r->ratio);
    fprintf(ctx->out, "  %-36s %11s %11s %9s %9s %7s %8s\n", r->impl, med, best, gf, gb, pct, ratio);
    fflush(ctx->out);
}

/* Calls fn until `calls` have run or it fails; returns the failing status (0 when all ran). */
static int call_n(int (*fn)(void *), void *arg, int64_t calls)
{
    for (int64_t i = 0; i < calls; i++) {
        int rc = fn(arg);
        if (rc)
            return rc;
    }
    return 0;
}

/* What a child process measured for one implementation of a case. */
typedef struct timing {
    int ok;
    char error[160];
    int reps;
    int64_t batch;
    double median_s, best_s;
} timing;

typedef struct timed {
    const char *impl;
    int (*fn)(void *arg);
    void *arg;
    double target_s; /* sample until this much time and min_reps samples, never past cap_s */
    int min_reps;
    double cap_s;
} timed;

/* Runs in the implementation's own process (bench/isolate.h): opens the peer it is, if it is
 * one, then warms up, calibrates and samples. */
static void time_impl(void *tp, void *out)
{
    const timed *t = tp;
    timing *r = out;
    memset(r, 0, sizeof *r);
    if (gk_peer_open(t->impl) < 0) {
        snprintf(r->error, sizeof r->error, "the library does not load in its process");
        return;
    }
    /* Warm-up doubles as calibration: grow the batch until one batch takes min_sample_s. A slow
     * call (the scalar reference path) is warmed once and then timed one call per sample. */
    int64_t batch = 1;
    int rc;
    double samples[MAX_SAMPLES];
    int n = 0;
    for (;;) {
        double t0 = now_s();
        rc = call_n(t->fn, t->arg, batch);
        double dt = now_s() - t0;
        /* A single call past the time cap is its own (only) sample: repeating it would double
         * the run time of the reference kernels for no better number. */
        if (!rc && batch == 1 && dt >= t->cap_s)
            samples[n++] = dt;
        if (rc || dt >= min_sample_s)
            break;
        double grow = dt > 0 ? min_sample_s / dt * 1.25 : 16;
        batch = (int64_t)ceil((double)batch * fmin(fmax(grow, 2.0), 1024.0));
    }
    int slow = n > 0;
    double start = now_s(), elapsed = 0;
    while (!rc && !slow) {
        double t0 = now_s();
        rc = call_n(t->fn, t->arg, batch);
        double t1 = now_s();
        samples[n++] = (t1 - t0) / (double)batch;
        elapsed = t1 - start;
        if ((elapsed >= t->target_s && n >= t->min_reps) || elapsed >= t->cap_s || n == MAX_SAMPLES)
            break;
    }
    if (rc) {
        /* Only our own functions leave a message; a peer's failure is its return code. */
        const char *msg = strcmp(t->impl, "gk") ? "" : gk_last_error();
        snprintf(r->error, sizeof r->error, "returned %d%s%s", rc, *msg ? ": " : "", msg);
        return;
    }
    r->ok = 1;
    r->reps = n;
    r->batch = batch;
    r->median_s = median_of(samples, n);
    r->best_s = samples[0];
}

/* Closes the open case's table. */
static void end_case(gk_bench_ctx *ctx)
{
    if (!ctx->case_open)
        return;
    ctx->case_open = 0;
    fputc('\n', ctx->out);
    fflush(ctx->out);
}

/* Opens case c's table if it is not the open one, and adds a row for impl (not yet timed). */
static gk_bench_row *case_row(gk_bench_ctx *ctx, const gk_bench_case *c, const char *impl)
{
    if (ctx->case_open && !same_case(&ctx->rows[ctx->case_begin], c))
        end_case(ctx);
    if (!ctx->case_open) {
        ctx->case_open = 1;
        ctx->case_begin = ctx->nrows;
        print_case_header(ctx, c);
    }
    gk_bench_row *r = new_row(ctx);
    snprintf(r->suite, sizeof r->suite, "%s", c->suite ? c->suite : ctx->suite);
    snprintf(r->op, sizeof r->op, "%s", c->op);
    snprintf(r->shape, sizeof r->shape, "%s", c->shape);
    snprintf(r->impl, sizeof r->impl, "%s", impl);
    r->flops = c->flops;
    r->bytes = c->bytes;
    r->limit = c->limit;
    r->limit_s = gk_bench_limit_time(ctx, c->flops, c->bytes, c->limit, NULL);
    return r;
}

/* Times one implementation in a process of its own: no other one's threads exist while it is
 * timed, and a crash costs its result, not the run. */
static timing time_isolated(const gk_bench_ctx *ctx, const gk_bench_impl *im, int rounds)
{
    /* each round gets its share of the sampling time, at least two samples */
    int min_reps = ctx->min_reps / rounds > 2 ? ctx->min_reps / rounds : 2;
    timed t = {im->impl, im->fn, im->arg, ctx->target_s / rounds, min_reps, ctx->cap_s / rounds};
    timing res;
    char why[sizeof res.error];
    if (gk_bench_isolated(time_impl, &t, &res, sizeof res, why, sizeof why)) {
        memset(&res, 0, sizeof res);
        snprintf(res.error, sizeof res.error, "%s", why);
    }
    return res;
}

enum { MAX_ROUNDS = 32, MAX_IMPLS = 16 };

void gk_bench_run_rounds(gk_bench_ctx *ctx, const gk_bench_case *c, const gk_bench_impl *impls, int n)
{
    if (!gk_bench_selected(ctx, c) || n <= 0)
        return;
    if (n > MAX_IMPLS) {
        fprintf(stderr, "gk bench: a case may have at most %d implementations, got %d\n", MAX_IMPLS, n);
        exit(1);
    }
    int rounds = ctx->rounds;
    static timing res[MAX_ROUNDS][MAX_IMPLS];
    for (int q = 0; q < rounds; q++)
        for (int s = 0; s < n; s++) {
            int i = (q + s) % n; /* each round starts one implementation later */
            if (q > 0 && !res[q - 1][i].ok)
                res[q][i] = res[q - 1][i]; /* a failure is not retried */
            else
                res[q][i] = time_isolated(ctx, &impls[i], rounds);
        }
    for (int i = 0; i < n; i++) {
        gk_bench_row *r = case_row(ctx, c, impls[i].impl);
        double med[MAX_ROUNDS], ratio[MAX_ROUNDS];
        int nr = 0;
        r->ok = 1;
        r->rounds = rounds;
        for (int q = 0; q < rounds && r->ok; q++) {
            const timing *t = &res[q][i], *ours = &res[q][0];
            if (!t->ok) {
                r->ok = 0;
                snprintf(r->error, sizeof r->error, "%s", t->error);
                break;
            }
            med[q] = t->median_s;
            r->reps += t->reps;
            r->batch = t->batch;
            r->best_s = q == 0 || t->best_s < r->best_s ? t->best_s : r->best_s;
            if (i > 0 && ours->ok && !strcmp(impls[0].impl, "gk"))
                ratio[nr++] = t->median_s / ours->median_s;
        }
        if (r->ok) {
            r->median_s = median_of(med, rounds);
            r->ratio = nr == rounds ? median_of(ratio, nr) : 0;
        }
        print_row(ctx, r);
    }
    end_case(ctx);
}

int gk_bench_cold_copies(size_t bytes_per_copy)
{
    const struct gk_device_profile *p = gk_device_profile();
    int64_t llc = p->l3.size > 0 ? p->l3.size : p->l2.size > 0 ? p->l2.size : 32ll << 20;
    if (bytes_per_copy == 0)
        return 1;
    int64_t copies = 4 * llc / (int64_t)bytes_per_copy + 1;
    return copies > 64 ? 64 : (int)copies;
}

int gk_bench_rotate(int copies, int *cursor)
{
    int i = *cursor;
    *cursor = i + 1 < copies ? i + 1 : 0;
    return i;
}

void gk_bench_fill_f32(float *p, size_t n, uint64_t seed)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = (float)(int32_t)(s >> 32) * (1.0f / 2147483648.0f);
    }
}

static void usage(FILE *f)
{
    fprintf(f, "usage: gk bench <suite|all|list> [--threads N] [--json] [--plot file.svg] [--quick|--full]"
               " [--filter STR] [--rounds N]\n");
}

static void list_suites(FILE *f)
{
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        fprintf(f, "  %-12s %s\n", suites[i].name, suites[i].desc);
    fprintf(f, "  %-12s %s\n", "all", "every suite above, in this order, into one report");
}

int gk_cmd_bench(int argc, char **argv)
{
    const char *suite = NULL, *plot = NULL, *filter = NULL;
    int threads = 0, json = 0, quick = 0, full = 0, rounds = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--threads") && i + 1 < argc) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end || t < 1 || t > 1024) {
                fprintf(stderr, "gk bench: --threads wants 1..1024, got '%s'\n", argv[i]);
                return 2;
            }
            threads = (int)t;
        } else if (!strcmp(a, "--rounds") && i + 1 < argc) {
            char *end;
            long q = strtol(argv[++i], &end, 10);
            if (*end || q < 1 || q > MAX_ROUNDS) {
                fprintf(stderr, "gk bench: --rounds wants 1..%d, got '%s'\n", MAX_ROUNDS, argv[i]);
                return 2;
            }
            rounds = (int)q;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--plot") && i + 1 < argc) {
            plot = argv[++i];
        } else if (!strcmp(a, "--quick")) {
            quick = 1;
        } else if (!strcmp(a, "--full")) {
            full = 1;
        } else if (!strcmp(a, "--filter") && i + 1 < argc) {
            filter = argv[++i];
        } else if (a[0] == '-' || suite) {
            fprintf(stderr, "gk bench: unexpected argument '%s'\n", a);
            usage(stderr);
            return 2;
        } else {
            suite = a;
        }
    }
    if (!suite) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(suite, "list")) {
        printf("suites:\n");
        list_suites(stdout);
        return 0;
    }
    int all = !strcmp(suite, "all");
    gk_bench_suite_fn fn = NULL;
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (!strcmp(suites[i].name, suite))
            fn = suites[i].fn;
    if (!fn && !all) {
        fprintf(stderr, "gk bench: unknown suite '%s'; suites:\n", suite);
        list_suites(stderr);
        return 2;
    }
    if (threads && gk_set_num_threads(threads) != GK_OK) {
        fprintf(stderr, "gk bench: %s\n", gk_last_error());
        return 2;
    }

    gk_bench_ctx ctx = {0};
    ctx.suite = suite;
    ctx.threads = gk_get_num_threads();
    ctx.filter = filter;
    ctx.out = json ? stderr : stdout;
    ctx.prof = gk_device_profile();
    gk_isa isa = gk_get_isa();
    /* The scalar reference kernels are orders of magnitude slower than the SIMD ones: the full
     * shape set would run for hours, so they get the quick set unless --full insists. */
    ctx.quick = quick || (isa == GK_ISA_SCALAR && !full);
    ctx.target_s = ctx.quick ? 0.05 : 0.3;
    ctx.min_reps = ctx.quick ? 3 : 5;
    ctx.cap_s = ctx.quick ? 0.5 : 3.0;
    ctx.rounds = rounds ? rounds : ctx.quick ? 1 : DEFAULT_ROUNDS;

    int npeers = gk_peers_load(ctx.threads);
    fprintf(ctx.out, "gk bench %s: %s, isa %s, %d thread%s%s\n", suite, ctx.prof->brand, gk_isa_name(isa),
            ctx.threads, ctx.threads == 1 ? "" : "s", ctx.quick ? ", quick shape set" : "");
    fprintf(ctx.out, "limits: peak %.1f GFLOP/s, DRAM %.1f GB/s, L1 %.1f GB/s, L2 %.1f GB/s (for %d thread%s)\n",
            gk_bench_peak_gflops(&ctx), gk_bench_dram_gbs(&ctx), ctx.prof->bw_l1_gbs * ctx.threads,
            ctx.prof->bw_l2_gbs * ctx.threads, ctx.threads, ctx.threads == 1 ? "" : "s");
    fprintf(ctx.out, "peers:");
    for (int i = 0; i < npeers; i++)
        fprintf(ctx.out, "%s %s", i ? "," : "", gk_peer_get(i)->label);
    fprintf(ctx.out, "%s\n\n", npeers ? "" : " none found");

    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        if (!all && suites[i].fn != fn)
            continue;
        if (all)
            fprintf(ctx.out, "== suite %s: %s\n\n", suites[i].name, suites[i].desc);
        suites[i].fn(&ctx);
        end_case(&ctx);
    }

    int rc = 0;
    if (ctx.nrows == 0)
        fprintf(ctx.out, "no case matched%s%s\n", filter ? " --filter " : "", filter ? filter : "");
    if (json)
        rc |= gk_bench_write_json(&ctx, stdout);
    if (plot) {
        rc |= gk_bench_write_svg(&ctx, plot);
        if (!rc)
            fprintf(ctx.out, "roofline chart written to %s\n", plot);
    }
    free(ctx.rows);
    return rc;
}
