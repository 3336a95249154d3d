/* Peer libraries for the benchmarks, found at run time with dlopen (never needed to build):
 * OpenBLAS, BLIS, oneDNN, MKL. Each is given the benchmark's thread count and its best known
 * configuration, which its label names. Operations a peer lacks are NULL. */
#ifndef GK_BENCH_PEERS_H
#define GK_BENCH_PEERS_H

#include <stdint.h>

typedef struct gk_peer gk_peer;
struct gk_peer {
    const char *name;  /* "openblas", "blis", "onednn", "mkl" */
    char label[80];    /* name, version and configuration, e.g. "openblas 0.3.21 Zen" */
    /* All return 0 on success. Row-major, like the gk functions they are compared with. */
    /* C = A B (trans_b = 0, B k-by-n) or C = A B^T (trans_b = 1, B n-by-k) */
    int (*gemm)(const gk_peer *p, int trans_b, int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                const float *b, int64_t ldb, float *c, int64_t ldc);
    int (*gemv)(const gk_peer *p, int64_t n, int64_t k, const float *a, int64_t lda, const float *x, float *y);
    int (*dot)(const gk_peer *p, int64_t n, const float *x, const float *y, float *out);
    int (*axpy)(const gk_peer *p, int64_t n, float alpha, const float *x, float *y);
    int (*scal)(const gk_peer *p, int64_t n, float alpha, float *x); /* in place */
    /* private: the library's entry points */
    void *sym_gemm, *sym_gemv, *sym_dot, *sym_axpy, *sym_scal;
    int ilp64; /* cblas integers are 64-bit */
};

/* Finds the peers (once per process) and records the thread count each gets when opened.
 * Returns the number of peers. Their entries (labels, which operations exist) are usable at
 * once, but calling one needs gk_peer_open first: the libraries are looked for in a child
 * process, so that this one never holds their threads. Not thread-safe. GK_BENCH_PEERS in the
 * environment picks peers by name ("openblas,mkl"; "none" for none). */
int gk_peers_load(int threads);
const gk_peer *gk_peer_get(int i);

/* In the child process that times implementation `label`: when that is a peer's label, opens
 * that library alone, binds its entry (the one gk_peer_get returns) and sets its threads.
 * Returns 1 when a peer was opened, 0 when the label is no peer's, -1 when loading failed. */
int gk_peer_open(const char *label);

#endif
