/* DeviceProfile: measured numbers are plausible, the cache file round-trips exactly, and a
 * missing, truncated, corrupt or implausible cache file is ignored and rewritten, while an
 * unwritable cache location only disables caching. The profile is filled once per process, so
 * each scenario runs in a forked child that makes the first gk_device_profile() call; the cache
 * root is a private temporary XDG_CACHE_HOME. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gk/device.h"
#include "gk_test.h"
#include "runtime/cpu.h"

/* The cache format profile.c writes (its FORMAT_VERSION). */
#define FORMAT "2"

static char root[256], path[4096];

static const char *keys[] = {"peak_gflops_avx2", "peak_gflops_avx512", "bw_l1_gbs",
                             "bw_l2_gbs", "bw_dram_gbs_1t", "bw_dram_gbs_all"};

static double field(const struct gk_device_profile *p, int i)
{
    const double v[] = {p->peak_gflops_avx2, p->peak_gflops_avx512, p->bw_l1_gbs,
                        p->bw_l2_gbs, p->bw_dram_gbs_1t, p->bw_dram_gbs_all};
    return v[i];
}

/* Reads key=value pairs of the cache file into vals; returns how many of keys[] were found. */
static int read_file(double vals[6], char *sig, size_t sigcap)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return -1;
    char line[512];
    int found = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\n")] = '\0';
        char *eq = strchr(line, '=');
        if (!eq)
            continue;
        *eq = '\0';
        if (strcmp(line, "signature") == 0 && sig)
            snprintf(sig, sigcap, "%s", eq + 1);
        for (int i = 0; i < 6; i++)
            if (strcmp(line, keys[i]) == 0) {
                vals[i] = strtod(eq + 1, NULL);
                found++;
            }
    }
    fclose(fp);
    return found;
}

static void write_file(const char *text)
{
    FILE *fp = fopen(path, "w");
    CHECK(fp != NULL, "cannot write %s", path);
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

static void check_plausible(const struct gk_device_profile *p)
{
    CHECK(p->measured == 1, "measured %d", p->measured);
    if (p->isa_max >= GK_ISA_AVX2)
        CHECK(p->peak_gflops_avx2 >= 1 && p->peak_gflops_avx2 <= 1000, "256-bit peak %g GFLOP/s", p->peak_gflops_avx2);
    if (p->isa_max == GK_ISA_AVX512)
        CHECK(p->peak_gflops_avx512 >= 1 && p->peak_gflops_avx512 <= 1000, "512-bit peak %g", p->peak_gflops_avx512);
    else
        CHECK(p->peak_gflops_avx512 == 0, "512-bit peak %g without AVX-512", p->peak_gflops_avx512);
    CHECK(p->peak_gflops == (p->peak_gflops_avx2 > p->peak_gflops_avx512 ? p->peak_gflops_avx2 : p->peak_gflops_avx512),
          "peak %g", p->peak_gflops);
    CHECK(p->bw_l1_gbs > p->bw_dram_gbs_1t, "L1 %g GB/s <= DRAM %g GB/s", p->bw_l1_gbs, p->bw_dram_gbs_1t);
    CHECK(p->bw_l2_gbs > p->bw_dram_gbs_1t, "L2 %g GB/s <= DRAM %g GB/s", p->bw_l2_gbs, p->bw_dram_gbs_1t);
    CHECK(p->bw_dram_gbs_1t > 0.5 && p->bw_dram_gbs_all > 0.5, "DRAM %g / %g GB/s", p->bw_dram_gbs_1t,
          p->bw_dram_gbs_all);
    CHECK(p->bw_l1_gbs < 10000, "L1 %g GB/s", p->bw_l1_gbs);
}

/* The file holds exactly the profile's values (%.17g round-trips doubles). */
static void check_file_matches(const struct gk_device_profile *p)
{
    double vals[6] = {0};
    CHECK(read_file(vals, NULL, 0) == 6, "cache file %s incomplete or missing", path);
    for (int i = 0; i < 6; i++)
        CHECK(vals[i] == field(p, i), "%s: file %.17g, profile %.17g", keys[i], vals[i], field(p, i));
}

typedef void (*scenario)(void);

/* Runs fn in a child process (fresh, unfilled profile); the child's failures count here. */
static void in_child(const char *name, scenario fn)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(60);
        fn();
        fflush(stdout);
        _exit(gk_test_failures > 255 ? 255 : gk_test_failures);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "%s: fork/wait failed", name);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: child failed (status 0x%x)", name, status);
}

static void fresh(void)
{
    const struct gk_device_profile *p = gk_device_profile();
    check_plausible(p);
    check_file_matches(p);
    CHECK(gk_device_profile() == p, "profile pointer changed");
    printf("measured: peak %.1f GFLOP/s (256-bit %.1f), L1 %.1f L2 %.1f DRAM %.1f / %.1f GB/s\n", p->peak_gflops,
           p->peak_gflops_avx2, p->bw_l1_gbs, p->bw_l2_gbs, p->bw_dram_gbs_1t, p->bw_dram_gbs_all);
}

static char good_sig[256];
/* The 512-bit peak is only plausible (and only kept) on a CPU with AVX-512. */
static const double fake[6] = {77.25, 155.5, 321.5, 123.125, 19.75, 33.5};

static double fake_value(int i)
{
    return i == 1 && gk_cpu()->isa_max != GK_ISA_AVX512 ? 0 : fake[i];
}

static void loads_fake(void)
{
    const struct gk_device_profile *p = gk_device_profile();
    CHECK(p->measured == 1, "measured %d", p->measured);
    for (int i = 0; i < 6; i++) {
        double want = fake_value(i);
        CHECK(field(p, i) == want, "%s loaded %.17g, file has %.17g", keys[i], field(p, i), want);
    }
    CHECK(p->peak_gflops == (fake_value(1) > fake[0] ? fake_value(1) : fake[0]), "peak %g", p->peak_gflops);
    /* Detection fields come from gk_cpu(), not the file. */
    CHECK(p->gemm_kc == gk_cpu()->gemm_kc && p->cores == gk_cpu()->cores, "detection fields differ");
}

static void remeasures(void)
{
    const struct gk_device_profile *p = gk_device_profile();
    CHECK(p->bw_l1_gbs == fake[2], "fake file not loaded (L1 %g)", p->bw_l1_gbs);
    CHECK_STATUS(gk_device_profile_remeasure(), GK_OK);
    check_plausible(p);
    CHECK(p->bw_l1_gbs != fake[2], "remeasure kept the loaded value");
    check_file_matches(p);
}

static void ignores_bad_file(void)
{
    const struct gk_device_profile *p = gk_device_profile();
    check_plausible(p);
    check_file_matches(p); /* rewritten, well-formed */
    CHECK(p->bw_l1_gbs != fake[2], "a bad file was loaded");
}

static void no_cache_dir(void)
{
    const struct gk_device_profile *p = gk_device_profile();
    check_plausible(p);
    CHECK(access(path, F_OK) != 0, "a cache file appeared at %s", path);
}

static void fake_file(char *buf, size_t cap, const char *sig, const char *format, int skip_key, const char *bad_value)
{
    int n = snprintf(buf, cap, "# test\nformat=%s\nsignature=%s\n", format, sig);
    for (int i = 0; i < 6; i++) {
        if (i == skip_key)
            continue;
        double v = fake_value(i);
        if (i == 4 && bad_value)
            n += snprintf(buf + n, cap - (size_t)n, "%s=%s\n", keys[i], bad_value);
        else
            n += snprintf(buf + n, cap - (size_t)n, "%s=%.17g\n", keys[i], v);
    }
}

int main(void)
{
    snprintf(root, sizeof root, "/tmp/gk-profile-test-XXXXXX");
    CHECK(mkdtemp(root) != NULL, "mkdtemp failed");
    setenv("XDG_CACHE_HOME", root, 1);

    /* The path API: exact location, argument checks. */
    CHECK_STATUS(gk_device_profile_cache_path(path, sizeof path), GK_OK);
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s/gllm-kernels/profile-", root);
    CHECK(strncmp(path, prefix, strlen(prefix)) == 0, "cache path %s", path);
    CHECK(strlen(path) > 4 && strcmp(path + strlen(path) - 4, ".txt") == 0, "cache path %s", path);
    char small[8];
    CHECK_STATUS(gk_device_profile_cache_path(small, sizeof small), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_device_profile_cache_path(NULL, 64), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_device_profile_cache_path(small, 0), GK_ERR_INVALID_ARG);

    in_child("fresh", fresh); /* creates the cache directory and file */
    double vals[6];
    CHECK(read_file(vals, good_sig, sizeof good_sig) == 6 && good_sig[0], "no signature in %s", path);

    char text[2048];
    fake_file(text, sizeof text, good_sig, FORMAT, -1, NULL);
    write_file(text);
    in_child("loads", loads_fake);
    in_child("remeasure", remeasures);

    /* Each bad file must be ignored, re-measured and replaced by a good one. */
    const size_t full = strlen(text);
    struct {
        const char *what;
        char text[2048];
    } bad[9];
    int nbad = 0;
    snprintf(bad[nbad].text, sizeof bad[0].text, "%.*s", (int)(full - 7), text), bad[nbad++].what = "truncated";
    fake_file(bad[nbad].text, sizeof bad[0].text, good_sig, FORMAT, 3, NULL), bad[nbad++].what = "missing key";
    fake_file(bad[nbad].text, sizeof bad[0].text, good_sig, "99", -1, NULL), bad[nbad++].what = "other format";
    fake_file(bad[nbad].text, sizeof bad[0].text, good_sig, "1", -1, NULL), bad[nbad++].what = "older format";
    fake_file(bad[nbad].text, sizeof bad[0].text, "GenuineIntel-6-0-0-00000000-1c", FORMAT, -1, NULL),
        bad[nbad++].what = "other machine";
    fake_file(bad[nbad].text, sizeof bad[0].text, good_sig, FORMAT, -1, "nan"), bad[nbad++].what = "NaN value";
    fake_file(bad[nbad].text, sizeof bad[0].text, good_sig, FORMAT, -1, "-3"), bad[nbad++].what = "negative value";
    fake_file(bad[nbad].text, sizeof bad[0].text, good_sig, FORMAT, -1, "12GB"), bad[nbad++].what = "junk value";
    snprintf(bad[nbad].text, sizeof bad[0].text, "\x7f" "ELF\x01\x02garbage\n"), bad[nbad++].what = "garbage";
    for (int i = 0; i < nbad; i++) {
        write_file(bad[i].text);
        in_child(bad[i].what, ignores_bad_file);
    }

    /* An empty file, and one that is unreadable as a cache directory entry. */
    write_file("");
    in_child("empty", ignores_bad_file);

    /* A cache root that is a regular file: nothing can be created below it, no failure. */
    char file_root[512];
    snprintf(file_root, sizeof file_root, "%s/not-a-dir", root);
    FILE *fp = fopen(file_root, "w");
    CHECK(fp != NULL, "cannot create %s", file_root);
    if (fp)
        fclose(fp);
    setenv("XDG_CACHE_HOME", file_root, 1);
    CHECK_STATUS(gk_device_profile_cache_path(path, sizeof path), GK_OK);
    in_child("unwritable", no_cache_dir);

    /* Neither XDG_CACHE_HOME nor HOME: no path, still a profile. */
    unsetenv("XDG_CACHE_HOME");
    char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    unsetenv("HOME");
    CHECK_STATUS(gk_device_profile_cache_path(path, sizeof path), GK_ERR_UNSUPPORTED);
    path[0] = '\0';
    in_child("no home", no_cache_dir);
    if (home) {
        setenv("HOME", home, 1);
        free(home);
    }

    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    CHECK(system(cmd) == 0, "cleanup of %s failed", root);
    return gk_test_finish("runtime_profile");
}
