/* `gk demo [--quick] [--threads N]`: the project's job on one screen. A LLaMA-7B feed-forward
 * block (x → rms_norm → gate/up = x·W^T → swiglu → down = h·Wd^T → + x) at real dimensions with
 * seeded weights, run op by op through the public API for a decode step (M = 1) and a prefill
 * chunk (M = 64), timed against the DeviceProfile's roofline and checked against the scalar
 * definitions (src/scalar/) called directly. Exit 0 on PASS, 1 on FAIL. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "gk/gk.h"
#include "scalar/scalar.h"

enum { NOPS = 6, MAX_REPS = 16, MAX_CHECK_ROWS = 4 };

static const float eps_norm = 1e-5f;

typedef struct block {
    int64_t hidden, ffn;
    float *wn;         /* rms_norm weight, hidden */
    float *wg, *wu;    /* ffn × hidden */
    float *wd;         /* hidden × ffn */
} block;

typedef struct acts {
    int64_t m;
    float *x, *xn, *gate, *up, *h, *down, *y;
} acts;

typedef struct op_info {
    const char *name;
    double flops, bytes;
    double k;          /* reduction length: the check's tolerance scales with it */
} op_info;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static float *alloc_f32(int64_t n)
{
    void *p = NULL;
    if (gk_aligned_alloc((size_t)n * sizeof(float), 64, &p) != GK_OK) {
        fprintf(stderr, "gk demo: cannot allocate %lld floats: %s\n", (long long)n, gk_last_error());
        exit(1);
    }
    return p;
}

/* Uniform in [-scale, scale), deterministic per seed. */
static void fill(float *p, int64_t n, uint64_t seed, float scale)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    for (int64_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = (float)(int32_t)(s >> 32) * (scale / 2147483648.0f);
    }
}

static void block_init(block *b, int64_t hidden, int64_t ffn)
{
    b->hidden = hidden;
    b->ffn = ffn;
    b->wn = alloc_f32(hidden);
    b->wg = alloc_f32(ffn * hidden);
    b->wu = alloc_f32(ffn * hidden);
    b->wd = alloc_f32(hidden * ffn);
    /* Uniform(-a, a) has variance a²/3: a = sqrt(3/K) keeps every dot product's output O(1). */
    fill(b->wn, hidden, 1, 0.1f);
    for (int64_t i = 0; i < hidden; i++)
        b->wn[i] += 1.0f;
    fill(b->wg, ffn * hidden, 2, sqrtf(3.0f / (float)hidden));
    fill(b->wu, ffn * hidden, 3, sqrtf(3.0f / (float)hidden));
    fill(b->wd, hidden * ffn, 4, sqrtf(3.0f / (float)ffn));
}

static void block_free(block *b)
{
    gk_free(b->wn);
    gk_free(b->wg);
    gk_free(b->wu);
    gk_free(b->wd);
}

static void acts_init(acts *a, const block *b, int64_t m)
{
    a->m = m;
    a->x = alloc_f32(m * b->hidden);
    a->xn = alloc_f32(m * b->hidden);
    a->gate = alloc_f32(m * b->ffn);
    a->up = alloc_f32(m * b->ffn);
    a->h = alloc_f32(m * b->ffn);
    a->down = alloc_f32(m * b->hidden);
    a->y = alloc_f32(m * b->hidden);
    fill(a->x, m * b->hidden, 5 + (uint64_t)m, 1.0f);
}

static void acts_free(acts *a)
{
    float *bufs[] = {a->x, a->xn, a->gate, a->up, a->h, a->down, a->y};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        gk_free(bufs[i]);
}

static void describe_ops(const block *b, int64_t m, op_info ops[NOPS])
{
    double M = (double)m, H = (double)b->hidden, F = (double)b->ffn;
    /* FLOPs of the elementwise ops are nominal (silu counts exp and divide as one each):
     * they are memory-bound, their roofline term is the bytes. */
    ops[0] = (op_info){"rms_norm", 4 * M * H, 4 * (2 * M * H + H), H};
    ops[1] = (op_info){"gate = xn Wg^T", 2 * M * F * H, 4 * (M * H + F * H + M * F), H};
    ops[2] = (op_info){"up = xn Wu^T", 2 * M * F * H, 4 * (M * H + F * H + M * F), H};
    ops[3] = (op_info){"swiglu", 5 * M * F, 4 * 3 * M * F, 1};
    ops[4] = (op_info){"down = h Wd^T", 2 * M * H * F, 4 * (M * F + H * F + M * H), F};
    ops[5] = (op_info){"y = x + down", M * H, 4 * 3 * M * H, 1};
}

/* One pass of the block, each op timed; returns the first failing status. */
static gk_status run_block(const block *b, acts *a, double t[NOPS])
{
    int64_t m = a->m, H = b->hidden, F = b->ffn;
    gk_status s;
    double t0 = now_s();
    if ((s = gk_rms_norm_f32(m, H, a->x, H, b->wn, eps_norm, a->xn, H)) != GK_OK)
        return s;
    double t1 = now_s();
    if ((s = gk_gemm_bt_f32(m, F, H, a->xn, H, b->wg, H, a->gate, F)) != GK_OK)
        return s;
    double t2 = now_s();
    if ((s = gk_gemm_bt_f32(m, F, H, a->xn, H, b->wu, H, a->up, F)) != GK_OK)
        return s;
    double t3 = now_s();
    if ((s = gk_swiglu_f32(m * F, a->gate, a->up, a->h)) != GK_OK)
        return s;
    double t4 = now_s();
    if ((s = gk_gemm_bt_f32(m, H, F, a->h, F, b->wd, F, a->down, H)) != GK_OK)
        return s;
    double t5 = now_s();
    if ((s = gk_vec_add_f32(m * H, a->x, a->down, a->y)) != GK_OK)
        return s;
    double t6 = now_s();
    double ts[] = {t0, t1, t2, t3, t4, t5, t6};
    for (int i = 0; i < NOPS; i++)
        t[i] = ts[i + 1] - ts[i];
    return GK_OK;
}

/* Roofline time of one op: compute at the measured peak vs bytes at the bandwidth of the level
 * its data lives in (the weights never fit a cache; small activations stay in L2). */
static double roofline_s(const struct gk_device_profile *p, int threads, const op_info *op, const char **level)
{
    double peak = p->peak_gflops * threads * 1e9;
    int in_l2 = p->l2.size > 0 && op->bytes <= (double)p->l2.size;
    double bw = in_l2 ? p->bw_l2_gbs * threads : threads == 1 ? p->bw_dram_gbs_1t : p->bw_dram_gbs_all;
    if (peak <= 0 || bw <= 0) {
        *level = in_l2 ? "L2" : "DRAM";
        return 0;
    }
    double compute = op->flops / peak, memory = op->bytes / (bw * 1e9);
    *level = compute > memory ? "compute" : in_l2 ? "L2" : "DRAM";
    return fmax(compute, memory);
}

/* Error of got against ref. Reductions (elementwise = 0): max |got - ref| relative to the
 * reference's rms, so that outputs near zero (cancellation) do not dominate. Elementwise ops:
 * max |got - ref| / |ref| per element (an ULP-style bound), with a floor at 1e-20 where the
 * definition's value is itself negligible. NaN anywhere gives +inf. */
static double rel_err(const float *got, const float *ref, int64_t n, int elementwise)
{
    double ss = 0, worst = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = fabs((double)got[i] - (double)ref[i]);
        if (d != d)
            return INFINITY;
        worst = fmax(worst, elementwise ? d / fmax(fabs((double)ref[i]), 1e-20) : d);
        ss += (double)ref[i] * ref[i];
    }
    if (elementwise)
        return worst;
    double rms = sqrt(ss / (double)(n > 0 ? n : 1));
    return worst / fmax(rms, (double)FLT_MIN);
}

/* Tolerances:
 *  - reductions of length K (norm, GEMM), relative to the output's rms: K·ε. Blocked/FMA
 *    summation and the sequential scalar sum differ by about sqrt(K)·ε·|term|·sqrt(K) =
 *    K·ε·|term| while the rms output is about sqrt(K)·|term|, so K·ε leaves a sqrt(K) margin and
 *    still catches one missing term (1/sqrt(K));
 *  - swiglu, per element: 8 ε, the kernels' contract of 7 ULP of the definition plus rounding;
 *  - the residual add, per element: 0 (IEEE addition is correctly rounded either way);
 *  - the whole block end to end, relative to the rms: 2 (hidden + ffn) ε, the two chained
 *    reductions. */
static int op_elementwise(const op_info *op)
{
    return op->k <= 1;
}

static double op_tol(const op_info *op, int index)
{
    if (index == 5)
        return 0;
    if (op_elementwise(op))
        return 8 * (double)FLT_EPSILON;
    return op->k * (double)FLT_EPSILON;
}

typedef struct check {
    double op_err[NOPS];
    double e2e_err, e2e_tol;
    int pass;
} check;

/* Checks rows of the op-by-op result: each op against its scalar definition applied to the
 * same inputs the library saw (isolates the op), and the block end to end from x alone. */
static void check_rows(const block *b, const acts *a, const op_info ops[NOPS], const int64_t *rows, int nrows,
                       check *c)
{
    int64_t H = b->hidden, F = b->ffn;
    float *xn = alloc_f32(H), *g = alloc_f32(F), *u = alloc_f32(F), *h = alloc_f32(F), *d = alloc_f32(H),
          *y = alloc_f32(H);
    memset(c, 0, sizeof *c);
    c->e2e_tol = 2.0 * (double)(H + F) * FLT_EPSILON;
    for (int ri = 0; ri < nrows; ri++) {
        int64_t r = rows[ri];
        const float *x = a->x + r * H;
        double e[NOPS];
        gk_scalar_rms_norm(x, b->wn, xn, H, eps_norm);
        e[0] = rel_err(a->xn + r * H, xn, H, 0);
        gk_scalar_gemm_bt(1, F, H, a->xn + r * H, b->wg, g);
        e[1] = rel_err(a->gate + r * F, g, F, 0);
        gk_scalar_gemm_bt(1, F, H, a->xn + r * H, b->wu, u);
        e[2] = rel_err(a->up + r * F, u, F, 0);
        for (int64_t j = 0; j < F; j++)
            h[j] = gk_scalar_swiglu(a->gate[r * F + j], a->up[r * F + j]);
        e[3] = rel_err(a->h + r * F, h, F, 1);
        gk_scalar_gemm_bt(1, H, F, a->h + r * F, b->wd, d);
        e[4] = rel_err(a->down + r * H, d, H, 0);
        gk_scalar_vec_add(x, a->down + r * H, y, H);
        e[5] = rel_err(a->y + r * H, y, H, 1);
        for (int i = 0; i < NOPS; i++)
            c->op_err[i] = fmax(c->op_err[i], e[i]);

        /* end to end: the scalar definitions alone, from x */
        gk_scalar_gemm_bt(1, F, H, xn, b->wg, g);
        gk_scalar_gemm_bt(1, F, H, xn, b->wu, u);
        for (int64_t j = 0; j < F; j++)
            h[j] = gk_scalar_swiglu(g[j], u[j]);
        gk_scalar_gemm_bt(1, H, F, h, b->wd, d);
        gk_scalar_vec_add(x, d, y, H);
        c->e2e_err = fmax(c->e2e_err, rel_err(a->y + r * H, y, H, 0));
    }
    c->pass = c->e2e_err <= c->e2e_tol;
    for (int i = 0; i < NOPS; i++)
        c->pass &= c->op_err[i] <= op_tol(&ops[i], i);
    float *bufs[] = {xn, g, u, h, d, y};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        gk_free(bufs[i]);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void fmt_time(char *buf, size_t cap, double s)
{
    if (s < 1e-3)
        snprintf(buf, cap, "%8.1f us", s * 1e6);
    else if (s < 1)
        snprintf(buf, cap, "%8.2f ms", s * 1e3);
    else
        snprintf(buf, cap, "%8.3f s ", s);
}

/* Runs and reports one M; returns 1 when its check passed. */
static int demo_m(const block *b, int64_t m, const char *what, int quick)
{
    const struct gk_device_profile *prof = gk_device_profile();
    int threads = gk_get_num_threads();
    acts a;
    acts_init(&a, b, m);
    op_info ops[NOPS];
    describe_ops(b, m, ops);

    /* Repeat while it is cheap; a slow pass (the scalar reference kernels) runs once. The first
     * pass warms caches and the thread pool, so it is dropped when there are others. */
    double budget = quick ? 0.2 : 1.5, cap = quick ? 1.0 : 8.0;
    double samples[NOPS][MAX_REPS];
    int reps = 0;
    double start = now_s();
    while (reps < MAX_REPS) {
        double t[NOPS];
        gk_status s = run_block(b, &a, t);
        if (s != GK_OK) {
            printf("M = %lld: FAILED: %s: %s\n", (long long)m, gk_status_str(s), gk_last_error());
            acts_free(&a);
            return 0;
        }
        for (int i = 0; i < NOPS; i++)
            samples[i][reps] = t[i];
        reps++;
        double el = now_s() - start;
        if ((el >= budget && reps >= 4) || el >= cap)
            break;
    }
    int first = reps > 1 ? 1 : 0, n = reps - first;

    int64_t rows[MAX_CHECK_ROWS];
    int nrows = 0;
    for (int i = 0; i < MAX_CHECK_ROWS; i++) {
        int64_t r = i * (m - 1) / (MAX_CHECK_ROWS - 1);
        if (nrows == 0 || rows[nrows - 1] != r)
            rows[nrows++] = r;
    }
    check c;
    check_rows(b, &a, ops, rows, nrows, &c);

    printf("M = %lld (%s): median of %d pass%s\n", (long long)m, what, n, n == 1 ? "" : "es");
    printf("  %-16s %11s %9s %11s  %-8s %9s  %s\n", "op", "time", "GFLOP/s", "GB/s", "bound by", "roofline%",
           "check vs scalar (error <= tolerance)");
    double total = 0, total_roof = 0;
    for (int i = 0; i < NOPS; i++) {
        double v[MAX_REPS];
        memcpy(v, &samples[i][first], (size_t)n * sizeof(double));
        qsort(v, (size_t)n, sizeof v[0], cmp_double);
        double med = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
        const char *level;
        double roof = roofline_s(prof, threads, &ops[i], &level);
        total += med;
        total_roof += roof;
        char tbuf[32], pct[16] = "-";
        fmt_time(tbuf, sizeof tbuf, med);
        if (roof > 0)
            snprintf(pct, sizeof pct, "%.1f", 100 * roof / med);
        printf("  %-16s %11s %9.2f %11.2f  %-8s %9s  %s (%.1e <= %.1e)\n", ops[i].name, tbuf,
               ops[i].flops / med * 1e-9, ops[i].bytes / med * 1e-9, level, pct,
               c.op_err[i] <= op_tol(&ops[i], i) ? "ok" : "BAD", c.op_err[i], op_tol(&ops[i], i));
    }
    char tbuf[32], pct[16] = "-";
    fmt_time(tbuf, sizeof tbuf, total);
    if (total_roof > 0)
        snprintf(pct, sizeof pct, "%.1f", 100 * total_roof / total);
    printf("  %-16s %11s %9s %11s  %-8s %9s\n", "total", tbuf, "", "", "", pct);
    printf("  check vs scalar definitions, row%s", nrows == 1 ? "" : "s");
    for (int i = 0; i < nrows; i++)
        printf(" %lld", (long long)rows[i]);
    printf(": end-to-end max error %.2e of the output rms (tolerance %.2e = 2 (hidden + ffn) eps): %s\n\n",
           c.e2e_err, c.e2e_tol, c.pass ? "PASS" : "FAIL");
    acts_free(&a);
    return c.pass;
}

static void print_profile(void)
{
    const struct gk_device_profile *p = gk_device_profile();
    int threads = gk_get_num_threads();
    printf("device: %s (%s family %d model %d), %d usable cores\n", p->brand, p->vendor, p->family, p->model,
           p->cores);
    printf("  isa %s (best %s), %d thread%s; caches L1d %lld KiB, L2 %lld KiB, L3 %lld KiB\n",
           gk_isa_name(gk_get_isa()), gk_isa_name(p->isa_max), threads, threads == 1 ? "" : "s",
           (long long)(p->l1d.size >> 10), (long long)(p->l2.size >> 10), (long long)(p->l3.size >> 10));
    if (p->measured)
        printf("  measured: f32 FMA peak %.1f GFLOP/s per core, DRAM read %.1f GB/s (1 thread) %.1f GB/s (all),"
               " L2 %.1f GB/s per core\n",
               p->peak_gflops, p->bw_dram_gbs_1t, p->bw_dram_gbs_all, p->bw_l2_gbs);
    else
        printf("  measured limits: not available, roofline percentages are left out\n");
}

int gk_cmd_demo(int argc, char **argv)
{
    int quick = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quick")) {
            quick = 1;
        } else if (!strcmp(argv[i], "--threads") && i + 1 < argc) {
            char *end;
            long t = strtol(argv[++i], &end, 10);
            if (*end || gk_set_num_threads((int)t) != GK_OK) {
                fprintf(stderr, "gk demo: bad --threads '%s': %s\n", argv[i], gk_last_error());
                return 2;
            }
        } else {
            fprintf(stderr, "gk demo: unexpected argument '%s'\nusage: gk demo [--quick] [--threads N]\n", argv[i]);
            return 2;
        }
    }
    /* --quick keeps LLaMA's hidden:ffn ratio at a quarter of the size, for tests. */
    int64_t hidden = quick ? 1024 : 4096, ffn = quick ? 2752 : 11008, prefill = quick ? 16 : 64;
    printf("gk demo: LLaMA-7B feed-forward block, f32, op by op through the public API\n");
    print_profile();
    printf("block: hidden %lld, ffn %lld%s; x -> rms_norm (eps 1e-5) -> gate, up = xn W^T -> swiglu -> "
           "down = h Wd^T -> + x\n",
           (long long)hidden, (long long)ffn, quick ? " (--quick: a quarter of LLaMA-7B)" : "");
    block b;
    block_init(&b, hidden, ffn);
    printf("weights: %.1f MiB, seeded, uniform with variance 1/K\n\n",
           3.0 * (double)hidden * (double)ffn * 4 / (1 << 20));

    int pass = demo_m(&b, 1, "decode", quick);
    pass &= demo_m(&b, prefill, "prefill", quick);
    block_free(&b);

    printf("JIT-fused block: not available yet (the JIT compiler lands later); the op-by-op numbers above are\n"
           "the unfused baseline it has to beat by 1.3x (DESIGN section 13).\n");
    printf("RESULT: %s\n", pass ? "PASS" : "FAIL");
    return pass ? 0 : 1;
}
