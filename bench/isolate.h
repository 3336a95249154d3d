/* The benchmark's process model: every implementation of a case is timed in its own child
 * process, forked from the benchmark after the case's data is ready, so that no other
 * implementation's threads (peers' worker pools, OpenMP runtimes) exist while it runs. The
 * parent never runs a peer; a crash in a child becomes an error, not the end of the run. */
#ifndef GK_BENCH_ISOLATE_H
#define GK_BENCH_ISOLATE_H

#include <stddef.h>

/* Runs fn(arg, out) in a forked child and copies the `size` bytes it leaves in *out back into
 * the caller's *out. Returns 0 when the child delivered them; else 1, with why saying what
 * happened to the child ("its process died of signal 11 (Segmentation fault)"), and *out
 * undefined. In the child, the buffers from gk_bench_alloc are first made its own (private
 * 2 MiB pages, not pages shared with the parent and split by copy-on-write). The caller's
 * threads do not exist in the child: the gk pool recreates its workers there (pthread_atfork),
 * and no other library with a thread pool may be used in the calling process. */
int gk_bench_isolated(void (*fn)(void *arg, void *out), void *arg, void *out, size_t size, char *why,
                      size_t why_cap);

#endif
