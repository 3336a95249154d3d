/* A peer library whose sgemm crashes, for the tool test tool_bench_peer_crash: built as
 * libblis.so.4 in a directory of its own and found first through LD_LIBRARY_PATH, it checks
 * that a peer dying in its child process costs its row, not the benchmark run. */
#include <signal.h>

__attribute__((visibility("default"))) void cblas_sgemm(int layout, int trans_a, int trans_b, int m, int n, int k,
                                                        float alpha, const float *a, int lda, const float *b,
                                                        int ldb, float beta, float *c, int ldc);

void cblas_sgemm(int layout, int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, int lda,
                 const float *b, int ldb, float beta, float *c, int ldc)
{
    raise(SIGSEGV);
}
