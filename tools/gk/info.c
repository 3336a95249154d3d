/* `gk info [--remeasure]`: prints the DeviceProfile (detection, measured limits, blocking,
 * thresholds), where its cache file lives, and the ISA level library calls will use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "gk/gk.h"

static const struct {
    unsigned bit;
    const char *name;
} features[] = {
    {GK_FEAT_SSE42, "sse4.2"},         {GK_FEAT_AVX, "avx"},
    {GK_FEAT_AVX2, "avx2"},            {GK_FEAT_FMA, "fma"},
    {GK_FEAT_F16C, "f16c"},            {GK_FEAT_BMI2, "bmi2"},
    {GK_FEAT_AVX512F, "avx512f"},      {GK_FEAT_AVX512BW, "avx512bw"},
    {GK_FEAT_AVX512DQ, "avx512dq"},    {GK_FEAT_AVX512VL, "avx512vl"},
    {GK_FEAT_AVX512VNNI, "avx512vnni"}, {GK_FEAT_AVX512BF16, "avx512bf16"},
    {GK_FEAT_AVX512FP16, "avx512fp16"}, {GK_FEAT_AVXVNNI, "avxvnni"},
    {GK_FEAT_AMX_TILE, "amx-tile"},    {GK_FEAT_AMX_INT8, "amx-int8"},
    {GK_FEAT_AMX_BF16, "amx-bf16"},
};

static void print_cache(const char *name, const gk_cache_level *c)
{
    if (c->size <= 0) {
        printf("  %-4s none\n", name);
        return;
    }
    printf("  %-4s %lld KiB, %d-byte lines, shared by %d logical CPU%s\n", name,
           (long long)(c->size >> 10), c->line, c->shared_by, c->shared_by == 1 ? "" : "s");
}

static int usage(void)
{
    fprintf(stderr, "usage: gk info [--remeasure]\n"
                    "  Print this machine's device profile; --remeasure measures it again and\n"
                    "  rewrites the cache file.\n");
    return 2;
}

int gk_cmd_info(int argc, char **argv)
{
    int remeasure = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--remeasure") == 0)
            remeasure = 1;
        else
            return usage();
    }
    const struct gk_device_profile *p = gk_device_profile();
    if (remeasure && gk_device_profile_remeasure() != GK_OK) {
        fprintf(stderr, "gk info: remeasure failed: %s\n", gk_last_error());
        return 1;
    }

    printf("gllm-kernels %s\n\n", gk_version());
    printf("cpu\n");
    printf("  vendor   %s\n", p->vendor);
    printf("  brand    %s\n", p->brand[0] ? p->brand : "(none)");
    printf("  family %d, model %d (0x%x), stepping %d\n", p->family, p->model, p->model, p->stepping);
    printf("  cores    %d usable (affinity mask)\n", p->cores);
    printf("  isa_max  %s (%d × %d-bit vector registers)\n", gk_isa_name(p->isa_max), p->vec_regs, p->vec_bits);
    printf("  features");
    for (size_t i = 0; i < sizeof features / sizeof features[0]; i++)
        printf(" %s%s", (p->features & features[i].bit) ? "+" : "-", features[i].name);
    printf("\n\ncaches\n");
    print_cache("L1d", &p->l1d);
    print_cache("L2", &p->l2);
    print_cache("L3", &p->l3);

    printf("\nmeasured%s\n", p->measured ? (remeasure ? " (just now)" : "") : " (not available)");
    char w256[32] = "n/a", w512[32] = "n/a";
    if (p->peak_gflops_avx2 > 0)
        snprintf(w256, sizeof w256, "%.1f", p->peak_gflops_avx2);
    if (p->peak_gflops_avx512 > 0)
        snprintf(w512, sizeof w512, "%.1f", p->peak_gflops_avx512);
    printf("  f32 FMA peak  %.1f GFLOP/s per core (256-bit %s, 512-bit %s), %.1f with %d cores\n",
           p->peak_gflops, w256, w512, p->peak_gflops * p->cores, p->cores);
    printf("  read L1       %.1f GB/s per core\n", p->bw_l1_gbs);
    printf("  read L2       %.1f GB/s per core\n", p->bw_l2_gbs);
    printf("  read DRAM     %.1f GB/s 1 thread, %.1f GB/s %d threads\n", p->bw_dram_gbs_1t,
           p->bw_dram_gbs_all, p->cores);

    printf("\ngemm blocking\n");
    printf("  MR=%d NR=%d KC=%lld MC=%lld NC=%lld NB=%lld (skinny path KC=%lld)\n", p->gemm_mr, p->gemm_nr,
           (long long)p->gemm_kc, (long long)p->gemm_mc, (long long)p->gemm_nc, (long long)p->gemm_nb,
           (long long)p->gemm_kc_l1);
    printf("  order          %s\n", p->gemm_nb ? "A sliver in L1, B panels streamed from L2"
                                               : "B panel in L1, A slivers streamed from L2");
    printf("\nthresholds\n");
    printf("  gemv path      M <= %lld\n", (long long)p->gemv_max_m);
    printf("  rows path      M <= %lld (gemm, B k-by-n)\n", (long long)p->rows_max_m);
    printf("  skinny path    M <= %lld\n", (long long)p->skinny_max_m);
    printf("  parallel from  %lld bytes (memory-bound), %lld FLOPs (compute-bound)\n",
           (long long)p->parallel_min_bytes, (long long)p->parallel_min_flops);

    char path[4096];
    printf("\nprofile cache  %s\n",
           gk_device_profile_cache_path(path, sizeof path) == GK_OK ? path : gk_last_error());
    printf("threads        %d\n", gk_get_num_threads());
    /* gk_get_isa() falls back to the best level when GK_ISA is invalid, while library calls
     * then fail: say so instead of printing a level that will not be used. */
    const char *env = getenv("GK_ISA");
    gk_isa active = gk_get_isa();
    if (env && *env && strcmp(env, gk_isa_name(active)) != 0)
        printf("active ISA     none: GK_ISA=%s is not usable here, library calls fail\n", env);
    else
        printf("active ISA     %s%s\n", gk_isa_name(active), env && *env ? " (forced by GK_ISA)" : "");
    return 0;
}
