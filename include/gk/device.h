/* gllm-kernels: the DeviceProfile — what this CPU is and what it measurably can do.
 *
 * Filled once per process: detection by CPUID/XGETBV (and sysfs for affinity), measurements
 * (FMA peak, read bandwidth) loaded from $XDG_CACHE_HOME/gllm-kernels/profile-<sig>.txt or,
 * when that file is missing or corrupt, measured (a fraction of a second) and written there.
 * Every kernel reads its blocking and path thresholds from here: they are data, not code. */
#ifndef GK_DEVICE_H
#define GK_DEVICE_H

#include <stdint.h>

#include "gk/gk.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Feature bits (explicit bits, never ordered comparisons). A bit is set only when CPUID
 * reports the feature AND the OS saves the registers it needs (XGETBV). */
enum {
    GK_FEAT_SSE42 = 1u << 0,
    GK_FEAT_AVX = 1u << 1,
    GK_FEAT_AVX2 = 1u << 2,
    GK_FEAT_FMA = 1u << 3,
    GK_FEAT_F16C = 1u << 4,
    GK_FEAT_BMI2 = 1u << 5,
    GK_FEAT_AVX512F = 1u << 6,
    GK_FEAT_AVX512BW = 1u << 7,
    GK_FEAT_AVX512DQ = 1u << 8,
    GK_FEAT_AVX512VL = 1u << 9,
    GK_FEAT_AVX512VNNI = 1u << 10,
    GK_FEAT_AVX512BF16 = 1u << 11,
    GK_FEAT_AVX512FP16 = 1u << 12,
    GK_FEAT_AVXVNNI = 1u << 13,
    GK_FEAT_AMX_TILE = 1u << 14,
    GK_FEAT_AMX_INT8 = 1u << 15,
    GK_FEAT_AMX_BF16 = 1u << 16
};

typedef struct gk_cache_level {
    int64_t size;     /* bytes (per instance); 0 if absent */
    int line;         /* line size in bytes */
    int shared_by;    /* logical CPUs sharing one instance */
} gk_cache_level;

struct gk_device_profile {
    /* detection */
    char vendor[16];          /* "AuthenticAMD", "GenuineIntel", ... */
    char brand[64];           /* CPUID brand string, trimmed */
    int family, model, stepping;
    uint32_t features;        /* GK_FEAT_* */
    gk_isa isa_max;           /* best level this CPU + OS supports */
    int cores;                /* usable logical CPUs (affinity mask) */
    gk_cache_level l1d, l2, l3;
    int vec_regs;             /* vector registers at isa_max (16 or 32) */
    int vec_bits;             /* vector width in bits at isa_max (128, 256, 512) */

    /* measured (see docs/PERFORMANCE.md for the method); 0 if not measured */
    double peak_gflops_avx2;   /* f32 FMA GFLOP/s, one core, 256-bit */
    double peak_gflops_avx512; /* f32 FMA GFLOP/s, one core, 512-bit; 0 without AVX-512 */
    double peak_gflops;        /* the better of the two: the compute roofline per core */
    double bw_l1_gbs;          /* read bandwidth, one core, GB/s (1e9 bytes/s) */
    double bw_l2_gbs;
    double bw_dram_gbs_1t;     /* streaming read, one thread, 2 MiB pages */
    double bw_dram_gbs_all;    /* streaming read, all cores */
    int measured;              /* 1 when the numbers above were measured (or loaded) */

    /* GEMM blocking (BLIS analytical model from the caches) and path thresholds */
    int gemm_mr, gemm_nr;
    int64_t gemm_kc, gemm_mc, gemm_nc; /* the blocked f32 path's KC, MC, NC */
    int64_t gemm_nb;           /* > 0: the blocked path holds an MR-row sliver of A in L1 and streams
                                  up to NB columns of packed B from L2 past it; 0: BLIS's order */
    int64_t gemm_kc_l1;        /* KC whose A and B slivers fill L1: the skinny path's slice */
    int64_t gemv_max_m;        /* M <= this: streaming GEMV path */
    int64_t rows_max_m;        /* gemm (B k-by-n), M <= this: whole rows of B streamed over C */
    int gemv16_prefetch;       /* 1: the 16-bit-weight GEMV prefetches each row ahead (per CPU) */
    int64_t skinny_max_m;      /* M <= this: skinny (no A packing) path */
    int64_t parallel_min_bytes; /* memory-bound ops below this size stay single-threaded */
    int64_t parallel_min_flops; /* compute-bound ops below this stay single-threaded */
};

/* The process-wide profile (detected and measured on first call). Never NULL. */
GK_API const struct gk_device_profile *gk_device_profile(void);

/* Re-run the measurements now and rewrite the cache file. Not thread-safe with concurrent
 * library calls (it updates the profile in place). */
GK_API gk_status gk_device_profile_remeasure(void);

/* Where the profile cache file lives (for `gk info`); writes at most cap bytes. */
GK_API gk_status gk_device_profile_cache_path(char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
