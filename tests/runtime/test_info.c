/* `gk info`: prints every part of the profile (checked against the profile itself), accepts
 * --remeasure, and rejects unknown options with exit code 2. stdout is captured in a file. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "gk/device.h"
#include "gk_test.h"

static char out[65536];

static int run_info(int argc, char **argv)
{
    fflush(stdout);
    FILE *tmp = tmpfile();
    int saved = dup(STDOUT_FILENO);
    dup2(fileno(tmp), STDOUT_FILENO);
    int rc = gk_cmd_info(argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    rewind(tmp);
    size_t n = fread(out, 1, sizeof out - 1, tmp);
    out[n] = '\0';
    fclose(tmp);
    return rc;
}

static void expect(const char *text)
{
    CHECK(strstr(out, text) != NULL, "gk info output lacks '%s'", text);
}

int main(void)
{
    char *argv[] = {"info", NULL, NULL};
    CHECK(run_info(1, argv) == 0, "gk info failed");
    const struct gk_device_profile *p = gk_device_profile();
    char line[4200];
    expect(p->vendor);
    expect(p->brand);
    snprintf(line, sizeof line, "family %d, model %d", p->family, p->model);
    expect(line);
    snprintf(line, sizeof line, "isa_max  %s", gk_isa_name(p->isa_max));
    expect(line);
    snprintf(line, sizeof line, "cores    %d", p->cores);
    expect(line);
    expect((p->features & GK_FEAT_AVX2) ? "+avx2" : "-avx2");
    expect((p->features & GK_FEAT_AVX512F) ? "+avx512f" : "-avx512f");
    expect((p->features & GK_FEAT_AMX_BF16) ? "+amx-bf16" : "-amx-bf16");
    snprintf(line, sizeof line, "L1d  %lld KiB", (long long)(p->l1d.size >> 10));
    expect(line);
    snprintf(line, sizeof line, "L2   %lld KiB", (long long)(p->l2.size >> 10));
    expect(line);
    snprintf(line, sizeof line, "%.1f GFLOP/s per core", p->peak_gflops);
    expect(line);
    snprintf(line, sizeof line, "read DRAM     %.1f GB/s 1 thread", p->bw_dram_gbs_1t);
    expect(line);
    snprintf(line, sizeof line, "MR=%d NR=%d KC=%lld MC=%lld NC=%lld NB=%lld (skinny path KC=%lld)",
             p->gemm_mr, p->gemm_nr, (long long)p->gemm_kc, (long long)p->gemm_mc, (long long)p->gemm_nc,
             (long long)p->gemm_nb, (long long)p->gemm_kc_l1);
    expect(line);
    snprintf(line, sizeof line, "skinny path    M <= %lld", (long long)p->skinny_max_m);
    expect(line);
    snprintf(line, sizeof line, "rows path      M <= %lld (gemm, B k-by-n)", (long long)p->rows_max_m);
    expect(line);
    char path[4096];
    CHECK_STATUS(gk_device_profile_cache_path(path, sizeof path), GK_OK);
    snprintf(line, sizeof line, "profile cache  %s", path);
    expect(line);
    snprintf(line, sizeof line, "active ISA     %s", gk_isa_name(gk_get_isa()));
    expect(line);
    CHECK(access(path, R_OK) == 0, "no cache file at %s after gk info", path);

    argv[1] = "--remeasure";
    CHECK(run_info(2, argv) == 0, "gk info --remeasure failed");
    expect("measured (just now)");

    argv[1] = "--bogus";
    CHECK(run_info(2, argv) == 2, "unknown option accepted");
    return gk_test_finish("runtime_info");
}
