/* gllm-kernels: umbrella header and runtime API (status codes, errors, threads, ISA, memory).
 *
 * Conventions (docs/API.md): every function returns gk_status; results come back through
 * out-parameters; on failure nothing is written to outputs and gk_last_error() says why.
 * All functions are thread-safe unless stated otherwise. */
#ifndef GK_GK_H
#define GK_GK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(GK_BUILDING_LIBRARY) && defined(__GNUC__)
#define GK_API __attribute__((visibility("default")))
#else
#define GK_API
#endif

#define GK_VERSION_MAJOR 0
#define GK_VERSION_MINOR 1
#define GK_VERSION_PATCH 0

typedef enum {
    GK_OK = 0,
    GK_ERR_INVALID_ARG,  /* NULL pointer, bad size, bad stride, bad enum value */
    GK_ERR_UNSUPPORTED,  /* valid request the library (or this CPU) cannot serve */
    GK_ERR_NO_MEMORY,
    GK_ERR_JIT,          /* code generation or executable-memory failure */
    GK_ERR_INTERNAL      /* a bug: please report with gk_last_error() */
} gk_status;

/* Static name of a status code ("GK_OK", ...); never NULL. */
GK_API const char *gk_status_str(gk_status s);

/* Thread-local message describing the last failure on the calling thread ("" if none).
 * The pointer stays valid until the next failing call on the same thread. */
GK_API const char *gk_last_error(void);

/* Library version as "MAJOR.MINOR.PATCH". */
GK_API const char *gk_version(void);

/* ---- threads ------------------------------------------------------------------------------
 * One process-wide pool. Default: the number of CPUs in the process affinity mask, or
 * GK_NUM_THREADS from the environment. n must be in [1, 1024]. Changing the count while
 * other threads are inside library calls is safe: running calls keep their count. */
GK_API gk_status gk_set_num_threads(int n);
GK_API int gk_get_num_threads(void);

/* ---- ISA dispatch --------------------------------------------------------------------------
 * Detected once (CPUID + XGETBV). GK_ISA=scalar|avx2|avx512 in the environment, or
 * gk_set_isa(), forces a lower level; asking for a level the CPU lacks is GK_ERR_UNSUPPORTED
 * (from gk_set_isa) and makes the first library call fail with that code (from GK_ISA). */
typedef enum { GK_ISA_SCALAR = 0, GK_ISA_AVX2, GK_ISA_AVX512, GK_ISA_NEON } gk_isa;

GK_API gk_status gk_set_isa(gk_isa isa);
GK_API gk_isa gk_get_isa(void);
/* "scalar", "avx2", "avx512", "neon"; "unknown" for other values. */
GK_API const char *gk_isa_name(gk_isa isa);

/* ---- memory -------------------------------------------------------------------------------
 * Aligned allocation. alignment: a power of two >= sizeof(void *). Buffers of 2 MiB or more
 * are placed on 2 MiB boundaries and advised MADV_HUGEPAGE. Free with gk_free (NULL is fine). */
GK_API gk_status gk_aligned_alloc(size_t bytes, size_t alignment, void **out);
GK_API void gk_free(void *p);

#ifdef __cplusplus
}
#endif

#include "gk/device.h"
#include "gk/ops.h"

#endif
