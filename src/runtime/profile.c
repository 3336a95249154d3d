/* The DeviceProfile (DESIGN §5): gk_cpu()'s detection plus measured FMA peak and read
 * bandwidth, measured once per machine and cached in
 * $XDG_CACHE_HOME/gllm-kernels/profile-<signature>.txt (key=value text, see docs/RUNTIME.md)
 * so that start-up stays fast. A missing, corrupt or implausible file is ignored and
 * rewritten; a cache directory that cannot be written just means no caching. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gk/device.h"
#include "runtime/cpu.h"
#include "runtime/error.h"
#include "runtime/measure.h"
#include "runtime/mem.h"

enum { FORMAT_VERSION = 2 /* 2: four-stream DRAM probe */, RUNS = 5, DRAM_PASSES = 3 };
static const int64_t target_ns = 2000000;      /* one timed run: long enough for a stable clock */
static const int64_t calibrate_ns = 300000;
static const int64_t l1_bytes = 16 << 10;
static const int64_t dram_min_bytes = 64 << 20;
static const int64_t dram_max_bytes = 1ll << 30; /* bounds the first-touch time on big servers */

static struct gk_device_profile prof;
static pthread_once_t prof_once = PTHREAD_ONCE_INIT;
static volatile float sink; /* keeps measured loops alive */

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int verbose(void)
{
    const char *v = getenv("GK_VERBOSE");
    return v && strcmp(v, "1") == 0;
}

/* ---- measurement ---------------------------------------------------------------------- */

typedef float (*read_fn)(const float *p, int64_t n);

static read_fn best_read(const struct gk_device_profile *p)
{
    return p->isa_max == GK_ISA_AVX512 ? gk_measure_read_avx512
           : p->isa_max == GK_ISA_AVX2 ? gk_measure_read_avx2
                                       : gk_measure_read_scalar;
}

/* A unit of work repeated `reps` times; returns the amount done (FLOPs or bytes). */
typedef struct work {
    int64_t (*fn)(struct work *w, int64_t reps);
    int64_t (*fma)(int64_t iters, float *sink);
    read_fn read;
    const float *buf;
    int64_t n;
} work;

static int64_t fma_work(work *w, int64_t reps)
{
    float s;
    int64_t flops = w->fma(reps, &s);
    sink = s;
    return flops;
}

static int64_t read_work(work *w, int64_t reps)
{
    float s = 0;
    for (int64_t r = 0; r < reps; r++)
        s += w->read(w->buf, w->n);
    sink = s;
    return reps * w->n * (int64_t)sizeof(float);
}

/* Best rate over RUNS runs of about target_ns each, in units per ns (= GFLOP/s or GB/s).
 * Repetitions double until one run is long enough to time, which also warms caches and
 * lets the clock ramp up before the timed runs. */
static double best_rate(work *w)
{
    int64_t reps = 1, dt;
    for (;;) {
        int64_t t0 = now_ns();
        w->fn(w, reps);
        dt = now_ns() - t0;
        if (dt >= calibrate_ns || reps >= (1ll << 40))
            break;
        reps *= 2;
    }
    reps = reps * target_ns / (dt > 0 ? dt : 1);
    if (reps < 1)
        reps = 1;
    double best = 0;
    for (int r = 0; r < RUNS; r++) {
        int64_t t0 = now_ns();
        int64_t units = w->fn(w, reps);
        int64_t t = now_ns() - t0;
        double rate = (double)units / (double)(t > 0 ? t : 1);
        if (rate > best)
            best = rate;
    }
    return best;
}

static gk_status measure_cached_read(read_fn read, int64_t bytes, double *gbs)
{
    bytes -= bytes % 512; /* the probes take multiples of 128 floats */
    if (bytes < 512)
        bytes = 512;
    float *buf = gk_alloc((size_t)bytes);
    if (!buf)
        return gk_fail(GK_ERR_NO_MEMORY, "device profile: cannot allocate %lld bytes to measure bandwidth",
                       (long long)bytes);
    for (int64_t i = 0; i < bytes / 4; i++)
        buf[i] = 1.0f;
    work w = {.fn = read_work, .read = read, .buf = buf, .n = bytes / 4};
    *gbs = best_rate(&w);
    gk_free(buf);
    return GK_OK;
}

/* DRAM probes read four streams at once, in 4 KiB turns, as GEMV (several weight rows) and
 * most kernels (inputs and outputs) do: one sequential stream under-reports what the memory
 * system delivers (on the Zen 1 VM here: 8 GB/s against 11-17 GB/s for four streams). */
enum { STREAMS = 4, TURN = 1024 /* floats: a multiple of the probes' 128 */ };

static float read_streams(read_fn read, const float *p, int64_t n)
{
    int64_t q = n / STREAMS / TURN * TURN;
    float sum = 0;
    for (int64_t c = 0; c < q; c += TURN)
        for (int s = 0; s < STREAMS; s++)
            sum += read(p + s * q + c, TURN);
    if (n > STREAMS * q)
        sum += read(p + STREAMS * q, n - STREAMS * q);
    return sum;
}

/* DRAM bandwidth with all cores: each thread first-touches and then reads its own slice; a
 * pass lasts from the first thread's start to the last thread's end. Threads start together
 * behind a yielding barrier (measurement only: a handful of crossings). */
typedef struct dram_shared {
    float *buf;
    int64_t slice; /* floats per thread */
    read_fn read;
    int threads;   /* valid once go is set */
    atomic_int go, arrived, phase;
    int64_t t0[DRAM_PASSES], t1[DRAM_PASSES];
    pthread_mutex_t lock;
} dram_shared;

typedef struct dram_thread {
    dram_shared *sh;
    int idx;
    float sum; /* per thread: the shared sink would be a data race */
} dram_thread;

static void barrier(dram_shared *sh)
{
    int ph = atomic_load(&sh->phase);
    if (atomic_fetch_add(&sh->arrived, 1) == sh->threads - 1) {
        atomic_store(&sh->arrived, 0);
        atomic_store(&sh->phase, ph + 1);
    } else {
        while (atomic_load(&sh->phase) == ph)
            sched_yield();
    }
}

static void *dram_thread_main(void *arg)
{
    dram_thread *t = arg;
    dram_shared *sh = t->sh;
    while (!atomic_load(&sh->go))
        sched_yield();
    float *p = sh->buf + (int64_t)t->idx * sh->slice;
    for (int64_t i = 0; i < sh->slice; i++)
        p[i] = 1.0f;
    for (int pass = 0; pass < DRAM_PASSES; pass++) {
        barrier(sh);
        int64_t t0 = now_ns();
        t->sum += read_streams(sh->read, p, sh->slice);
        int64_t t1 = now_ns();
        pthread_mutex_lock(&sh->lock);
        if (t0 < sh->t0[pass])
            sh->t0[pass] = t0;
        if (t1 > sh->t1[pass])
            sh->t1[pass] = t1;
        pthread_mutex_unlock(&sh->lock);
    }
    return NULL;
}

static gk_status measure_dram(struct gk_device_profile *p, read_fn read)
{
    int want = p->cores;
    int64_t l3_instances = p->l3.size > 0 ? (p->cores + p->l3.shared_by - 1) / p->l3.shared_by : 1;
    int64_t bytes = 4 * (p->l3.size > 0 ? p->l3.size : p->l2.size) * l3_instances;
    bytes = bytes < dram_min_bytes ? dram_min_bytes : bytes > dram_max_bytes ? dram_max_bytes : bytes;
    int64_t slice = bytes / 4 / want;
    slice -= slice % 128;
    float *buf = gk_alloc((size_t)(slice * want) * sizeof(float));
    dram_thread *ts = calloc((size_t)want, sizeof *ts);
    pthread_t *ids = calloc((size_t)want, sizeof *ids);
    dram_shared sh = {.buf = buf, .slice = slice, .read = read};
    gk_status st = GK_OK;
    if (!buf || !ts || !ids) {
        st = gk_fail(GK_ERR_NO_MEMORY, "device profile: cannot allocate %lld bytes to measure DRAM bandwidth",
                     (long long)bytes);
        goto out;
    }
    pthread_mutex_init(&sh.lock, NULL);
    for (int pass = 0; pass < DRAM_PASSES; pass++)
        sh.t0[pass] = INT64_MAX, sh.t1[pass] = 0;
    int started = 1; /* this thread is slice 0 */
    ts[0] = (dram_thread){&sh, 0, 0};
    for (int i = 1; i < want; i++) {
        ts[i] = (dram_thread){&sh, i, 0};
        if (pthread_create(&ids[i], NULL, dram_thread_main, &ts[i]) != 0)
            break;
        started++;
    }
    sh.threads = started;
    atomic_store(&sh.go, 1);
    dram_thread_main(&ts[0]);
    float sum = ts[0].sum;
    for (int i = 1; i < started; i++) {
        pthread_join(ids[i], NULL);
        sum += ts[i].sum;
    }
    sink = sum;
    pthread_mutex_destroy(&sh.lock);
    /* A thread that failed to start leaves its slice untouched: the 1-thread probe reads only
     * the slices that were written. */
    double best_all = 0;
    for (int pass = 0; pass < DRAM_PASSES; pass++) {
        double rate = (double)(slice * started * 4) / (double)(sh.t1[pass] - sh.t0[pass]);
        if (rate > best_all)
            best_all = rate;
    }
    double best_1t = 0;
    int64_t n = slice * started;
    for (int pass = 0; pass < DRAM_PASSES; pass++) {
        int64_t t0 = now_ns();
        sink = read_streams(read, buf, n);
        int64_t t = now_ns() - t0;
        double rate = (double)(n * 4) / (double)(t > 0 ? t : 1);
        if (rate > best_1t)
            best_1t = rate;
    }
    p->bw_dram_gbs_1t = best_1t;
    /* With one core (or one thread started) "all threads" is the same probe. */
    p->bw_dram_gbs_all = started > 1 ? best_all : best_1t;
out:
    gk_free(buf);
    free(ts);
    free(ids);
    return st;
}

static gk_status measure(struct gk_device_profile *p)
{
    int64_t t0 = now_ns();
    p->peak_gflops_avx2 = p->peak_gflops_avx512 = 0;
    if (p->isa_max == GK_ISA_AVX2 || p->isa_max == GK_ISA_AVX512) {
        work w = {.fn = fma_work, .fma = gk_measure_fma_avx2};
        p->peak_gflops_avx2 = best_rate(&w);
    }
    if (p->isa_max == GK_ISA_AVX512) {
        work w = {.fn = fma_work, .fma = gk_measure_fma_avx512};
        p->peak_gflops_avx512 = best_rate(&w);
    }
    p->peak_gflops = p->peak_gflops_avx512 > p->peak_gflops_avx2 ? p->peak_gflops_avx512 : p->peak_gflops_avx2;
    read_fn read = best_read(p);
    GK_TRY(measure_cached_read(read, l1_bytes, &p->bw_l1_gbs));
    GK_TRY(measure_cached_read(read, p->l2.size / 2, &p->bw_l2_gbs));
    GK_TRY(measure_dram(p, read));
    p->measured = 1;
    if (verbose())
        fprintf(stderr, "gllm-kernels: device profile measured in %.0f ms\n", (double)(now_ns() - t0) * 1e-6);
    return GK_OK;
}

/* ---- cache file ----------------------------------------------------------------------- */

static const struct {
    const char *key;
    size_t offset;
} cache_keys[] = {
    {"peak_gflops_avx2", offsetof(struct gk_device_profile, peak_gflops_avx2)},
    {"peak_gflops_avx512", offsetof(struct gk_device_profile, peak_gflops_avx512)},
    {"bw_l1_gbs", offsetof(struct gk_device_profile, bw_l1_gbs)},
    {"bw_l2_gbs", offsetof(struct gk_device_profile, bw_l2_gbs)},
    {"bw_dram_gbs_1t", offsetof(struct gk_device_profile, bw_dram_gbs_1t)},
    {"bw_dram_gbs_all", offsetof(struct gk_device_profile, bw_dram_gbs_all)},
};
enum { NKEYS = sizeof cache_keys / sizeof cache_keys[0] };

static double *cache_field(struct gk_device_profile *p, int i)
{
    return (double *)((char *)p + cache_keys[i].offset);
}

static double cache_value(const struct gk_device_profile *p, int i)
{
    return *(const double *)((const char *)p + cache_keys[i].offset);
}

/* The file name identifies the machine: a profile measured on another CPU model, stepping or
 * core count must not be reused (e.g. a home directory shared across a cluster). */
static void signature(const struct gk_device_profile *p, char *buf, size_t cap)
{
    uint32_t h = 2166136261u; /* FNV-1a of the brand string */
    for (const char *s = p->brand; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    snprintf(buf, cap, "%s-%d-%d-%d-%08x-%dc", p->vendor, p->family, p->model, p->stepping, h, p->cores);
    for (char *s = buf; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-'))
            *s = '_';
}

/* $XDG_CACHE_HOME (absolute paths only, as the XDG spec says), else $HOME/.cache. */
static gk_status cache_root(char *buf, size_t cap)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, cap, "%s", xdg);
    else if (home && home[0] == '/')
        n = snprintf(buf, cap, "%s/.cache", home);
    else
        return gk_fail(GK_ERR_UNSUPPORTED, "no profile cache: neither XDG_CACHE_HOME nor HOME is an absolute path");
    if (n < 0 || (size_t)n >= cap)
        return gk_fail(GK_ERR_INVALID_ARG, "profile cache path does not fit in %zu bytes", cap);
    return GK_OK;
}

static gk_status cache_path(const struct gk_device_profile *p, char *buf, size_t cap)
{
    char root[4096], sig[160];
    GK_TRY(cache_root(root, sizeof root));
    signature(p, sig, sizeof sig);
    int n = snprintf(buf, cap, "%s/gllm-kernels/profile-%s.txt", root, sig);
    if (n < 0 || (size_t)n >= cap)
        return gk_fail(GK_ERR_INVALID_ARG, "profile cache path needs %d bytes, buffer has %zu", n + 1, cap);
    return GK_OK;
}

gk_status gk_device_profile_cache_path(char *buf, size_t cap)
{
    if (!buf || cap == 0)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_device_profile_cache_path: buf is NULL or cap is 0");
    return cache_path(gk_cpu(), buf, cap);
}

/* A measured value is plausible when it is finite, positive and below anything a CPU core
 * reaches; a peak must be 0 exactly when the width is not available. */
static int plausible(const struct gk_device_profile *p, int i, double v)
{
    if (!isfinite(v))
        return 0;
    if (i == 0 && p->isa_max != GK_ISA_AVX2 && p->isa_max != GK_ISA_AVX512)
        return v == 0;
    if (i == 1 && p->isa_max != GK_ISA_AVX512)
        return v == 0;
    return v > 0.01 && v < 1e5;
}

/* Loads the measured fields; 0 when the file is missing, malformed, from another format or
 * machine, incomplete or implausible (the caller then measures and rewrites it). */
static int load_cache(struct gk_device_profile *p, const char *path)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    char sig[160], line[256];
    signature(p, sig, sizeof sig);
    double vals[NKEYS] = {0};
    int have[NKEYS] = {0}, format_ok = 0, sig_ok = 0, bad = 0;
    while (!bad && fgets(line, sizeof line, fp)) {
        size_t len = strlen(line);
        if (len == 0 || line[len - 1] != '\n') { /* overlong or truncated mid-line */
            bad = 1;
            break;
        }
        line[len - 1] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        char *eq = strchr(line, '=');
        if (!eq) {
            bad = 1;
            break;
        }
        *eq = '\0';
        const char *key = line, *val = eq + 1;
        if (strcmp(key, "format") == 0) {
            format_ok = atoi(val) == FORMAT_VERSION;
        } else if (strcmp(key, "signature") == 0) {
            sig_ok = strcmp(val, sig) == 0;
        } else {
            for (int i = 0; i < NKEYS; i++) {
                if (strcmp(key, cache_keys[i].key) != 0)
                    continue;
                char *end;
                errno = 0;
                vals[i] = strtod(val, &end);
                if (end == val || *end != '\0' || errno || !plausible(p, i, vals[i]))
                    bad = 1;
                have[i] = 1;
            }
        }
    }
    fclose(fp);
    for (int i = 0; i < NKEYS; i++)
        bad |= !have[i];
    if (bad || !format_ok || !sig_ok)
        return 0;
    for (int i = 0; i < NKEYS; i++)
        *cache_field(p, i) = vals[i];
    p->peak_gflops = p->peak_gflops_avx512 > p->peak_gflops_avx2 ? p->peak_gflops_avx512 : p->peak_gflops_avx2;
    p->measured = 1;
    return 1;
}

static void make_dir(const char *path)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST && verbose())
        fprintf(stderr, "gllm-kernels: cannot create %s: %s\n", path, strerror(errno));
}

/* Written to a temporary file and renamed, so a concurrent reader (another process starting
 * up) sees either the old file or the complete new one. Failure only costs the caching. */
static void save_cache(const struct gk_device_profile *p, const char *path)
{
    char dir[4200], tmp[4300], sig[160];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return;
    *slash = '\0';
    char *parent = strrchr(dir, '/');
    if (parent && parent != dir) { /* the cache root itself (e.g. ~/.cache) may be missing too */
        *parent = '\0';
        make_dir(dir);
        *parent = '/';
    }
    make_dir(dir);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *fp = fopen(tmp, "w");
    if (!fp) {
        if (verbose())
            fprintf(stderr, "gllm-kernels: not caching the profile: %s: %s\n", tmp, strerror(errno));
        return;
    }
    signature(p, sig, sizeof sig);
    fprintf(fp, "# gllm-kernels device profile: measured values, regenerated when invalid\n");
    fprintf(fp, "format=%d\nsignature=%s\n", FORMAT_VERSION, sig);
    for (int i = 0; i < NKEYS; i++)
        fprintf(fp, "%s=%.17g\n", cache_keys[i].key, cache_value(p, i));
    int failed = ferror(fp);
    failed |= fclose(fp) != 0;
    if (failed || rename(tmp, path) != 0) {
        if (verbose())
            fprintf(stderr, "gllm-kernels: not caching the profile: cannot write %s\n", path);
        unlink(tmp);
    }
}

/* ---- entry points --------------------------------------------------------------------- */

static gk_status measure_and_save(struct gk_device_profile *p)
{
    char path[4400];
    GK_TRY(measure(p));
    if (cache_path(p, path, sizeof path) == GK_OK)
        save_cache(p, path);
    return GK_OK;
}

static void init_profile(void)
{
    char path[4400];
    prof = *gk_cpu();
    if (cache_path(&prof, path, sizeof path) == GK_OK && load_cache(&prof, path)) {
        if (verbose())
            fprintf(stderr, "gllm-kernels: device profile loaded from %s\n", path);
        return;
    }
    /* Out of memory while measuring leaves measured = 0: kernels then use detection only. */
    if (measure_and_save(&prof) != GK_OK) {
        struct gk_device_profile detected = *gk_cpu();
        prof = detected;
    }
}

const struct gk_device_profile *gk_device_profile(void)
{
    pthread_once(&prof_once, init_profile);
    return &prof;
}

gk_status gk_device_profile_remeasure(void)
{
    pthread_once(&prof_once, init_profile);
    struct gk_device_profile p = prof;
    GK_TRY(measure_and_save(&p));
    prof = p;
    return GK_OK;
}
