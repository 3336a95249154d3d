/* Peer libraries found at run time (bench/peers.h). cblas libraries (OpenBLAS, BLIS, MKL) share
 * one set of wrappers; oneDNN has its own row-major dnnl_sgemm. Libraries are opened
 * RTLD_LOCAL so that their identical cblas_* symbols never resolve to each other.
 * The benchmark's own process never opens a peer (OpenBLAS starts its threads as it loads): a
 * child process finds them and reports their labels, and each child that times a peer opens
 * that one alone (bench/isolate.h). */
#include "peers.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gk/gk.h"
#include "isolate.h"

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112, MAX_PEERS = 4 };

typedef void (*sgemm32_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                           float *, int);
typedef void (*sgemm64_fn)(int, int, int, int64_t, int64_t, int64_t, float, const float *, int64_t,
                           const float *, int64_t, float, float *, int64_t);
typedef void (*sgemv32_fn)(int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*sgemv64_fn)(int, int, int64_t, int64_t, float, const float *, int64_t, const float *, int64_t,
                           float, float *, int64_t);
typedef float (*sdot32_fn)(int, const float *, int, const float *, int);
typedef float (*sdot64_fn)(int64_t, const float *, int64_t, const float *, int64_t);
typedef void (*saxpy32_fn)(int, float, const float *, int, float *, int);
typedef void (*saxpy64_fn)(int64_t, float, const float *, int64_t, float *, int64_t);
typedef void (*sscal32_fn)(int, float, float *, int);
typedef void (*sscal64_fn)(int64_t, float, float *, int64_t);
typedef int (*dnnl_sgemm_fn)(char, char, int64_t, int64_t, int64_t, float, const float *, int64_t, const float *,
                             int64_t, float, float *, int64_t);

static gk_peer peers[MAX_PEERS];
static int npeers = -1;
static int peer_threads = 1;

/* 32-bit cblas integers cannot describe every shape: refuse rather than truncate. */
static int fits32(int64_t v)
{
    return v <= 0x7fffffff;
}

static int cblas_gemm(const gk_peer *p, int trans_b, int64_t m, int64_t n, int64_t k, const float *a,
                      int64_t lda, const float *b, int64_t ldb, float *c, int64_t ldc)
{
    int tb = trans_b ? TRANS : NO_TRANS;
    if (p->ilp64) {
        ((sgemm64_fn)p->sym_gemm)(ROW_MAJOR, NO_TRANS, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
        return 0;
    }
    if (!fits32(m) || !fits32(n) || !fits32(k) || !fits32(lda) || !fits32(ldb) || !fits32(ldc))
        return -1;
    ((sgemm32_fn)p->sym_gemm)(ROW_MAJOR, NO_TRANS, tb, (int)m, (int)n, (int)k, 1.0f, a, (int)lda, b, (int)ldb, 0.0f,
                              c, (int)ldc);
    return 0;
}

static int cblas_gemv(const gk_peer *p, int64_t n, int64_t k, const float *a, int64_t lda, const float *x, float *y)
{
    if (p->ilp64) {
        ((sgemv64_fn)p->sym_gemv)(ROW_MAJOR, NO_TRANS, n, k, 1.0f, a, lda, x, 1, 0.0f, y, 1);
        return 0;
    }
    if (!fits32(n) || !fits32(k) || !fits32(lda))
        return -1;
    ((sgemv32_fn)p->sym_gemv)(ROW_MAJOR, NO_TRANS, (int)n, (int)k, 1.0f, a, (int)lda, x, 1, 0.0f, y, 1);
    return 0;
}

static int cblas_dot(const gk_peer *p, int64_t n, const float *x, const float *y, float *out)
{
    if (p->ilp64)
        *out = ((sdot64_fn)p->sym_dot)(n, x, 1, y, 1);
    else if (fits32(n))
        *out = ((sdot32_fn)p->sym_dot)((int)n, x, 1, y, 1);
    else
        return -1;
    return 0;
}

static int cblas_axpy(const gk_peer *p, int64_t n, float alpha, const float *x, float *y)
{
    if (p->ilp64)
        ((saxpy64_fn)p->sym_axpy)(n, alpha, x, 1, y, 1);
    else if (fits32(n))
        ((saxpy32_fn)p->sym_axpy)((int)n, alpha, x, 1, y, 1);
    else
        return -1;
    return 0;
}

static int cblas_scal(const gk_peer *p, int64_t n, float alpha, float *x)
{
    if (p->ilp64)
        ((sscal64_fn)p->sym_scal)(n, alpha, x, 1);
    else if (fits32(n))
        ((sscal32_fn)p->sym_scal)((int)n, alpha, x, 1);
    else
        return -1;
    return 0;
}

static int dnnl_gemm(const gk_peer *p, int trans_b, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                     const float *b, int64_t ldb, float *c, int64_t ldc)
{
    return ((dnnl_sgemm_fn)p->sym_gemm)('N', trans_b ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
}

/* y = A x as the 1-by-n product x^T A^T: how an inference engine calls oneDNN for M = 1. */
static int dnnl_gemv(const gk_peer *p, int64_t n, int64_t k, const float *a, int64_t lda, const float *x, float *y)
{
    return dnnl_gemm(p, 1, 1, n, k, x, k, a, lda, y, n);
}

static void *open_first(const char *const *names, int count)
{
    for (int i = 0; i < count; i++) {
        if (!names[i])
            continue;
        void *h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (h)
            return h;
    }
    return NULL;
}

/* Fills the cblas entry points; 0 when the library lacks sgemm (not a usable peer). */
static int bind_cblas(gk_peer *p, void *lib)
{
    p->sym_gemm = dlsym(lib, "cblas_sgemm");
    p->sym_gemv = dlsym(lib, "cblas_sgemv");
    p->sym_dot = dlsym(lib, "cblas_sdot");
    p->sym_axpy = dlsym(lib, "cblas_saxpy");
    p->sym_scal = dlsym(lib, "cblas_sscal");
    p->gemm = p->sym_gemm ? cblas_gemm : NULL;
    p->gemv = p->sym_gemv ? cblas_gemv : NULL;
    p->dot = p->sym_dot ? cblas_dot : NULL;
    p->axpy = p->sym_axpy ? cblas_axpy : NULL;
    p->scal = p->sym_scal ? cblas_scal : NULL;
    return p->gemm != NULL;
}

static void openblas_threads(void *lib, int n)
{
    void (*f)(int) = (void (*)(int))dlsym(lib, "openblas_set_num_threads");
    if (f)
        f(n);
}

static void *load_openblas(gk_peer *p)
{
    /* OpenBLAS 0.3.21 does not know Zen 4 and later. Its AVX-512 kernels are slower than its AVX2
     * "Zen" kernels on Zen 4, which splits 512-bit FMAs (DESIGN §13), and twice as fast on Zen 5
     * (family 26), which does not (SGEMM 1024^3, 1 thread: SkylakeX 191, Zen 106, Haswell 100
     * GFLOP/s): on AMD, ask for the faster one unless the user chose a core. */
    const struct gk_device_profile *prof = gk_device_profile();
    const char *want = !strcmp(prof->vendor, "AuthenticAMD") ? prof->family >= 26 ? "SkylakeX" : "Zen" : NULL;
    int forced = 0;
    if (!getenv("OPENBLAS_CORETYPE") && want) {
        setenv("OPENBLAS_CORETYPE", want, 0);
        forced = 1;
    }
    static const char *const names[] = {"libopenblas.so.0", "libopenblas.so"};
    void *lib = open_first(names, 2);
    if (forced)
        unsetenv("OPENBLAS_CORETYPE");
    if (!lib || !bind_cblas(p, lib))
        return lib;
    char *(*config)(void) = (char *(*)(void))dlsym(lib, "openblas_get_config");
    char *(*core)(void) = (char *(*)(void))dlsym(lib, "openblas_get_corename");
    char version[16] = "";
    const char *cfg = config ? config() : NULL;
    if (cfg)
        sscanf(cfg, "OpenBLAS %15s", version);
    snprintf(p->label, sizeof p->label, "openblas %s %s%s", version, core ? core() : "",
             forced ? " (chosen by gk bench)" : "");
    return lib;
}

static void blis_threads(void *lib, int n)
{
    void (*f)(int64_t) = (void (*)(int64_t))dlsym(lib, "bli_thread_set_num_threads");
    if (f)
        f(n);
}

static void *load_blis(gk_peer *p)
{
    static const char *const names[] = {"libblis.so.4", "libblis.so"};
    void *lib = open_first(names, 2);
    if (!lib || !bind_cblas(p, lib))
        return lib;
    int64_t (*int_size)(void) = (int64_t (*)(void))dlsym(lib, "bli_info_get_blas_int_type_size");
    p->ilp64 = int_size && int_size() == 64;
    const char *(*version)(void) = (const char *(*)(void))dlsym(lib, "bli_info_get_version_str");
    int (*arch_id)(void) = (int (*)(void))dlsym(lib, "bli_arch_query_id");
    const char *(*arch_str)(int) = (const char *(*)(int))dlsym(lib, "bli_arch_string");
    int64_t (*omp)(void) = (int64_t (*)(void))dlsym(lib, "bli_info_get_enable_openmp");
    int64_t (*pth)(void) = (int64_t (*)(void))dlsym(lib, "bli_info_get_enable_pthreads");
    const char *threading = omp && omp() ? "openmp" : pth && pth() ? "pthreads" : "single-threaded";
    snprintf(p->label, sizeof p->label, "blis %s %s %s", version ? version() : "",
             arch_id && arch_str ? arch_str(arch_id()) : "", threading);
    return lib;
}

/* oneDNN threads through OpenMP; its runtime is already loaded as oneDNN's dependency. */
static void omp_threads(void *lib, int n)
{
    (void)lib;
    void *gomp = dlopen("libgomp.so.1", RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
    void (*f)(int) = (void (*)(int))dlsym(gomp ? gomp : RTLD_DEFAULT, "omp_set_num_threads");
    if (f)
        f(n);
    if (gomp)
        dlclose(gomp);
}

static void *load_onednn(gk_peer *p)
{
    static const char *const names[] = {"libdnnl.so.3", "libdnnl.so.2", "libdnnl.so"};
    void *lib = open_first(names, 3);
    if (!lib || !(p->sym_gemm = dlsym(lib, "dnnl_sgemm")))
        return lib;
    p->gemm = dnnl_gemm;
    p->gemv = dnnl_gemv;
    struct dnnl_version {
        int major, minor, patch;
        const char *hash;
        unsigned cpu_runtime, gpu_runtime;
    };
    const struct dnnl_version *(*ver)(void) = (const struct dnnl_version *(*)(void))dlsym(lib, "dnnl_version");
    const struct dnnl_version *v = ver ? ver() : NULL;
    /* dnnl_version_t.cpu_runtime: DNNL_RUNTIME_SEQ 1, OMP 2, TBB 4, THREADPOOL 8 */
    if (v)
        snprintf(p->label, sizeof p->label, "onednn %d.%d.%d %s", v->major, v->minor, v->patch,
                 v->cpu_runtime == 2 ? "openmp" : v->cpu_runtime == 4 ? "tbb" : v->cpu_runtime == 1 ? "sequential" : "");
    else
        snprintf(p->label, sizeof p->label, "onednn");
    return lib;
}

static void mkl_threads(void *lib, int n)
{
    void (*f)(int) = (void (*)(int))dlsym(lib, "MKL_Set_Num_Threads");
    if (f)
        f(n);
}

static void *load_mkl(gk_peer *p)
{
    /* The PyPI wheel puts libmkl_rt in the venv's lib dir, which is not on the loader's path:
     * try the loader's path, then $VIRTUAL_ENV/lib, then the project's own .venv/lib. */
    static const char *const sonames[] = {"libmkl_rt.so.3", "libmkl_rt.so.2", "libmkl_rt.so"};
    const char *ve = getenv("VIRTUAL_ENV");
    char venv[512] = "", project[512] = "";
    if (ve)
        snprintf(venv, sizeof venv, "%s/lib/", ve);
#ifdef GK_SOURCE_DIR
    snprintf(project, sizeof project, "%s/.venv/lib/", GK_SOURCE_DIR);
#endif
    const char *const dirs[] = {"", venv, project};
    void *lib = NULL;
    const char *explicit_path = getenv("GK_MKL_LIB");
    if (explicit_path)
        lib = dlopen(explicit_path, RTLD_NOW | RTLD_LOCAL);
    for (int d = 0; d < 3 && !lib; d++) {
        if (d > 0 && !dirs[d][0])
            continue;
        for (int i = 0; i < 3 && !lib; i++) {
            char path[600];
            snprintf(path, sizeof path, "%s%s", dirs[d], sonames[i]);
            lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        }
    }
    if (!lib || !bind_cblas(p, lib))
        return lib;
    void (*ver)(char *, int) = (void (*)(char *, int))dlsym(lib, "MKL_Get_Version_String");
    char v[198] = "";
    if (ver)
        ver(v, (int)sizeof v);
    /* "Intel(R) oneAPI Math Kernel Library Version 2024.2-Product Build ...": keep the number. */
    const char *num = strstr(v, "Version ");
    char short_v[24] = "";
    if (num)
        sscanf(num + 8, "%23[^- ]", short_v);
    snprintf(p->label, sizeof p->label, "mkl %s", short_v);
    return lib;
}

/* GK_BENCH_PEERS: unset loads every peer; else a comma-separated list of names, "none" for none. */
static int wanted(const char *name)
{
    const char *list = getenv("GK_BENCH_PEERS");
    if (!list)
        return 1;
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

/* Each loader fills a zeroed entry for its library and returns the library's handle (NULL when
 * it is not installed); the peer is usable when its gemm is set. */
static const struct {
    const char *name;
    void *(*load)(gk_peer *p);
    void (*threads)(void *lib, int n);
} loaders[] = {{"openblas", load_openblas, openblas_threads},
               {"blis", load_blis, blis_threads},
               {"onednn", load_onednn, omp_threads},
               {"mkl", load_mkl, mkl_threads}};
enum { NLOADERS = sizeof loaders / sizeof loaders[0] };

static void *load(int i, gk_peer *p)
{
    memset(p, 0, sizeof *p);
    p->name = loaders[i].name;
    void *lib = loaders[i].load(p);
    if (lib && !p->gemm) {
        dlclose(lib);
        lib = NULL;
    }
    return lib;
}

typedef struct found {
    int n;
    gk_peer peers[MAX_PEERS];
} found;

/* Runs in a child process: every wanted peer that loads. The entries travel to the parent as
 * bytes, which is sound because a forked child shares the parent's code and string addresses;
 * only the libraries' own entry points are the child's alone. */
static void probe(void *arg, void *out)
{
    (void)arg;
    found *f = out;
    f->n = 0;
    for (int i = 0; i < NLOADERS; i++)
        if (wanted(loaders[i].name) && load(i, &f->peers[f->n]))
            f->n++;
}

int gk_peers_load(int threads)
{
    peer_threads = threads;
    if (npeers >= 0)
        return npeers;
    npeers = 0;
    found f;
    char why[160];
    if (gk_bench_isolated(probe, NULL, &f, sizeof f, why, sizeof why)) {
        fprintf(stderr, "gk bench: looking for peers failed (%s): no peers\n", why);
        return 0;
    }
    for (int i = 0; i < f.n && i < MAX_PEERS; i++) {
        peers[i] = f.peers[i];
        peers[i].sym_gemm = peers[i].sym_gemv = peers[i].sym_dot = NULL;
        peers[i].sym_axpy = peers[i].sym_scal = NULL;
    }
    npeers = f.n;
    return npeers;
}

int gk_peer_open(const char *label)
{
    for (int i = 0; i < npeers; i++) {
        if (strcmp(peers[i].label, label))
            continue;
        for (int l = 0; l < NLOADERS; l++) {
            if (strcmp(loaders[l].name, peers[i].name))
                continue;
            gk_peer p;
            void *lib = load(l, &p);
            if (!lib)
                return -1;
            peers[i] = p;
            loaders[l].threads(lib, peer_threads);
            return 1;
        }
    }
    return 0;
}

const gk_peer *gk_peer_get(int i)
{
    return i >= 0 && i < npeers ? &peers[i] : NULL;
}
