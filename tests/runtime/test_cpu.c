/* Detection sanity on the real CPU: feature bits, identity and caches agree with what Linux
 * reports in /proc/cpuinfo and sysfs; cores follow the affinity mask; blocking and thresholds
 * follow the analytical model. Not run under QEMU (/proc/cpuinfo is the host's there). */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gk/device.h"
#include "gk_test.h"
#include "runtime/cpu.h"

static char cpuinfo[1 << 16];

/* Value of the first "key<tabs>: value" line of /proc/cpuinfo (first processor), or NULL. */
static const char *cpuinfo_field(const char *key, char *buf, size_t cap)
{
    size_t klen = strlen(key);
    for (const char *line = cpuinfo; *line;) {
        const char *nl = strchr(line, '\n');
        const char *end = nl ? nl : line + strlen(line);
        if (strncmp(line, key, klen) == 0) {
            const char *v = line + klen;
            while (*v == '\t' || *v == ' ')
                v++;
            if (*v == ':') {
                v++;
                while (*v == ' ')
                    v++;
                size_t vlen = (size_t)(end - v) < cap ? (size_t)(end - v) : cap - 1;
                memcpy(buf, v, vlen);
                buf[vlen] = '\0';
                return buf;
            }
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    return NULL;
}

static int has_flag(const char *flags, const char *flag)
{
    size_t n = strlen(flag);
    for (const char *s = flags; (s = strstr(s, flag)) != NULL; s += n)
        if ((s == flags || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\0'))
            return 1;
    return 0;
}

static void check_features(const struct gk_device_profile *p)
{
    static char flags[8192];
    if (!cpuinfo_field("flags", flags, sizeof flags)) {
        CHECK(0, "no flags line in /proc/cpuinfo");
        return;
    }
    static const struct {
        unsigned bit;
        const char *flag;
    } map[] = {
        {GK_FEAT_SSE42, "sse4_2"},         {GK_FEAT_AVX, "avx"},
        {GK_FEAT_AVX2, "avx2"},            {GK_FEAT_FMA, "fma"},
        {GK_FEAT_F16C, "f16c"},            {GK_FEAT_BMI2, "bmi2"},
        {GK_FEAT_AVX512F, "avx512f"},      {GK_FEAT_AVX512BW, "avx512bw"},
        {GK_FEAT_AVX512DQ, "avx512dq"},    {GK_FEAT_AVX512VL, "avx512vl"},
        {GK_FEAT_AVX512VNNI, "avx512_vnni"}, {GK_FEAT_AVX512BF16, "avx512_bf16"},
        {GK_FEAT_AVX512FP16, "avx512_fp16"}, {GK_FEAT_AVXVNNI, "avx_vnni"},
        {GK_FEAT_AMX_TILE, "amx_tile"},    {GK_FEAT_AMX_INT8, "amx_int8"},
        {GK_FEAT_AMX_BF16, "amx_bf16"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        int ours = (p->features & map[i].bit) != 0, linux_ = has_flag(flags, map[i].flag);
        CHECK(ours == linux_, "feature %s: detected %d, /proc/cpuinfo %d", map[i].flag, ours, linux_);
    }
    const uint32_t avx2 = GK_FEAT_AVX | GK_FEAT_AVX2 | GK_FEAT_FMA | GK_FEAT_F16C;
    const uint32_t avx512 = avx2 | GK_FEAT_AVX512F | GK_FEAT_AVX512BW | GK_FEAT_AVX512DQ | GK_FEAT_AVX512VL;
    gk_isa want = (p->features & avx512) == avx512 ? GK_ISA_AVX512
                  : (p->features & avx2) == avx2   ? GK_ISA_AVX2
                                                   : GK_ISA_SCALAR;
    CHECK(p->isa_max == want, "isa_max %s, features say %s", gk_isa_name(p->isa_max), gk_isa_name(want));
    int regs = p->isa_max == GK_ISA_AVX512 ? 32 : 16;
    int bits = p->isa_max == GK_ISA_AVX512 ? 512 : p->isa_max == GK_ISA_AVX2 ? 256 : 128;
    CHECK(p->vec_regs == regs && p->vec_bits == bits, "vec_regs %d vec_bits %d", p->vec_regs, p->vec_bits);
}

static void check_identity(const struct gk_device_profile *p)
{
    char buf[256];
    if (cpuinfo_field("vendor_id", buf, sizeof buf))
        CHECK(strcmp(buf, p->vendor) == 0, "vendor %s, /proc/cpuinfo %s", p->vendor, buf);
    if (cpuinfo_field("cpu family", buf, sizeof buf))
        CHECK(atoi(buf) == p->family, "family %d, /proc/cpuinfo %s", p->family, buf);
    if (cpuinfo_field("model", buf, sizeof buf))
        CHECK(atoi(buf) == p->model, "model %d, /proc/cpuinfo %s", p->model, buf);
    if (cpuinfo_field("stepping", buf, sizeof buf))
        CHECK(atoi(buf) == p->stepping, "stepping %d, /proc/cpuinfo %s", p->stepping, buf);
    if (cpuinfo_field("model name", buf, sizeof buf))
        CHECK(strcmp(buf, p->brand) == 0, "brand '%s', /proc/cpuinfo '%s'", p->brand, buf);
}

static int64_t sysfs_cache_size(int level)
{
    for (int idx = 0; idx < 8; idx++) {
        char path[96], type[32] = "", lvl[8] = "", size[32] = "";
        FILE *fp;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", idx);
        if (!(fp = fopen(path, "r")))
            return -1;
        if (!fgets(type, sizeof type, fp))
            type[0] = '\0';
        fclose(fp);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", idx);
        if ((fp = fopen(path, "r"))) {
            if (!fgets(lvl, sizeof lvl, fp))
                lvl[0] = '\0';
            fclose(fp);
        }
        if (strncmp(type, "Instruction", 11) == 0 || atoi(lvl) != level)
            continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", idx);
        if ((fp = fopen(path, "r"))) {
            if (!fgets(size, sizeof size, fp))
                size[0] = '\0';
            fclose(fp);
        }
        char *end;
        int64_t v = strtoll(size, &end, 10);
        return *end == 'K' ? v << 10 : *end == 'M' ? v << 20 : v;
    }
    return -1;
}

static void check_caches(const struct gk_device_profile *p)
{
    const gk_cache_level *levels[] = {&p->l1d, &p->l2, &p->l3};
    for (int i = 0; i < 3; i++) {
        const gk_cache_level *c = levels[i];
        if (i == 2 && c->size == 0)
            continue; /* an L3 is optional */
        CHECK(c->size >= 4096, "L%d size %lld", i + 1, (long long)c->size);
        CHECK(c->line >= 32 && c->line <= 256 && (c->line & (c->line - 1)) == 0, "L%d line %d", i + 1, c->line);
        CHECK(c->shared_by >= 1, "L%d shared_by %d", i + 1, c->shared_by);
        int64_t sys = sysfs_cache_size(i + 1);
        if (sys > 0)
            CHECK(sys == c->size, "L%d size %lld, sysfs %lld", i + 1, (long long)c->size, (long long)sys);
    }
    CHECK(p->l1d.size < p->l2.size, "L1d %lld >= L2 %lld", (long long)p->l1d.size, (long long)p->l2.size);
}

static void check_cores(const struct gk_device_profile *p)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CHECK(sched_getaffinity(0, sizeof set, &set) == 0, "sched_getaffinity failed");
    CHECK(p->cores == CPU_COUNT(&set), "cores %d, affinity mask %d", p->cores, CPU_COUNT(&set));
    CHECK(p->cores >= 1 && p->cores <= sysconf(_SC_NPROCESSORS_CONF), "cores %d", p->cores);
}

static void check_blocking(const struct gk_device_profile *p)
{
    int64_t mr = p->gemm_mr, nr = p->gemm_nr;
    if (p->isa_max == GK_ISA_AVX2)
        CHECK(mr == 6 && nr == 16, "AVX2 tile %lldx%lld", (long long)mr, (long long)nr);
    if (p->isa_max == GK_ISA_AVX512)
        CHECK(mr == 8 && nr == 48, "AVX-512 tile %lldx%lld", (long long)mr, (long long)nr);
    CHECK(mr > 0 && nr > 0, "MR %lld NR %lld", (long long)mr, (long long)nr);
    CHECK(p->gemm_kc >= 64 && p->gemm_kc % 8 == 0, "KC %lld", (long long)p->gemm_kc);
    CHECK(p->gemm_kc_l1 >= 64 && p->gemm_kc_l1 % 8 == 0 && p->gemm_kc >= p->gemm_kc_l1, "KC %lld, L1 rule %lld",
          (long long)p->gemm_kc, (long long)p->gemm_kc_l1);
    /* the blocked path's KC leaves the L1 rule only on double-pumped AVX-512 cores (Zen 4) */
    int zen4 = p->isa_max == GK_ISA_AVX512 && p->family == 25 && strcmp(p->vendor, "AuthenticAMD") == 0;
    CHECK(p->gemv16_prefetch == !zen4, "gemv16_prefetch %d", p->gemv16_prefetch);
    CHECK(zen4 || p->gemm_kc == p->gemm_kc_l1, "KC %lld differs from the L1 rule's %lld", (long long)p->gemm_kc,
          (long long)p->gemm_kc_l1);
    CHECK(p->gemm_mc >= mr && p->gemm_mc % mr == 0, "MC %lld", (long long)p->gemm_mc);
    CHECK(p->gemm_nc >= nr && p->gemm_nc % nr == 0, "NC %lld", (long long)p->gemm_nc);
    /* The model's budgets: the slivers fill L1, the A block half of L2. */
    int64_t sliver = (mr + nr) * p->gemm_kc_l1 * 4;
    CHECK(sliver <= p->l1d.size && sliver > p->l1d.size / 2, "A+B slivers %lld bytes vs L1 %lld",
          (long long)sliver, (long long)p->l1d.size);
    int64_t a_block = p->gemm_mc * p->gemm_kc * 4;
    CHECK(a_block <= p->l2.size / 2 && a_block > p->l2.size / 4, "A block %lld bytes vs L2 %lld",
          (long long)a_block, (long long)p->l2.size);
    /* the B-streaming order on full-rate AVX-512 cores only, its B block in half of L2 */
    int full_rate_zmm = p->isa_max == GK_ISA_AVX512 && !zen4;
    CHECK(!p->gemm_nb == !full_rate_zmm, "NB %lld on isa %d", (long long)p->gemm_nb, (int)p->isa_max);
    int64_t b_block = p->gemm_nb * p->gemm_kc * 4;
    CHECK(!full_rate_zmm || (p->gemm_nb % nr == 0 && b_block <= p->l2.size / 2 && b_block > p->l2.size / 4),
          "B block %lld bytes vs L2 %lld", (long long)b_block, (long long)p->l2.size);
    CHECK(p->gemv_max_m == 1, "gemv_max_m %lld", (long long)p->gemv_max_m);
    /* the rows kernel takes at most 8 rows; AVX2 cores use it up to there, others for M = 1 */
    CHECK(p->rows_max_m == (p->isa_max == GK_ISA_AVX2 ? 8 : 1), "rows_max_m %lld", (long long)p->rows_max_m);
    /* the skinny path sits between GEMV and the blocked path, and skips packing A only while
     * its rows stay a small multiple of the micro-kernel's */
    CHECK(p->skinny_max_m > p->gemv_max_m && p->skinny_max_m <= 32 * mr, "skinny_max_m %lld",
          (long long)p->skinny_max_m);
    CHECK(p->parallel_min_bytes > 0 && p->parallel_min_flops > 0, "parallel thresholds %lld %lld",
          (long long)p->parallel_min_bytes, (long long)p->parallel_min_flops);
    CHECK(p->measured == 0 && p->peak_gflops == 0, "gk_cpu() must not carry measurements");
}

static void *concurrent_first_call(void *arg)
{
    (void)arg;
    return (void *)gk_cpu();
}

int main(void)
{
    /* Several threads race to the first detection: all must get the same profile. */
    pthread_t t[4];
    void *got[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, concurrent_first_call, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], &got[i]);
    const struct gk_device_profile *p = gk_cpu();
    for (int i = 0; i < 4; i++)
        CHECK(got[i] == p, "thread %d got a different profile pointer", i);

    FILE *fp = fopen("/proc/cpuinfo", "r");
    CHECK(fp != NULL, "cannot open /proc/cpuinfo");
    if (fp) {
        size_t n = fread(cpuinfo, 1, sizeof cpuinfo - 1, fp);
        cpuinfo[n] = '\0';
        fclose(fp);
        check_features(p);
        check_identity(p);
    }
    check_caches(p);
    check_cores(p);
    check_blocking(p);
    printf("%s %s family %d model %d stepping %d, isa_max %s, %d cores, L1d %lld L2 %lld L3 %lld, "
           "KC %lld MC %lld NC %lld\n",
           p->vendor, p->brand, p->family, p->model, p->stepping, gk_isa_name(p->isa_max), p->cores,
           (long long)p->l1d.size, (long long)p->l2.size, (long long)p->l3.size, (long long)p->gemm_kc,
           (long long)p->gemm_mc, (long long)p->gemm_nc);
    return gk_test_finish("runtime_cpu");
}
