/* CPU detection (DESIGN §4, §5): CPUID + XGETBV feature bits, cache topology, usable cores,
 * and the GEMM blocking and path thresholds derived from them. Done once per process; the
 * measured fields of the profile are left at 0 here (profile.c fills them). */
#include "runtime/cpu.h"

#include <cpuid.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gk/device.h"
#include "runtime/once.h"

/* XCR0 state components the OS must save before a feature's registers may be used. */
enum {
    XCR0_SSE = 1u << 1,
    XCR0_YMM = 1u << 2,
    XCR0_OPMASK = 1u << 5,
    XCR0_ZMM_HI256 = 1u << 6,
    XCR0_HI16_ZMM = 1u << 7,
    XCR0_XTILECFG = 1u << 17,
    XCR0_XTILEDATA = 1u << 18
};

/* Default micro-kernel tile of each level (DESIGN §4 table): the blocking below is computed
 * for it. The GEMM driver may register a different tile and recompute. */
enum { AVX2_MR = 6, AVX2_NR = 16, AVX512_MR = 8, AVX512_NR = 48, SCALAR_MR = 4, SCALAR_NR = 4 };

static struct gk_device_profile cpu;
static gk_once cpu_once = GK_ONCE_INIT;

typedef struct { unsigned a, b, c, d; } regs;

static regs cpuid(unsigned leaf, unsigned sub)
{
    regs r = {0, 0, 0, 0};
    __cpuid_count(leaf, sub, r.a, r.b, r.c, r.d);
    return r;
}

static uint64_t xgetbv0(void)
{
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void detect_identity(unsigned max_leaf, unsigned max_ext)
{
    regs r = cpuid(0, 0);
    memcpy(cpu.vendor + 0, &r.b, 4);
    memcpy(cpu.vendor + 4, &r.d, 4);
    memcpy(cpu.vendor + 8, &r.c, 4);
    cpu.vendor[12] = '\0';

    if (max_leaf >= 1) {
        r = cpuid(1, 0);
        unsigned base_family = (r.a >> 8) & 0xF, base_model = (r.a >> 4) & 0xF;
        cpu.family = (int)base_family;
        cpu.model = (int)base_model;
        /* Extended family is added only when the base family is 0xF; the extended model
         * applies to families 6 and 0xF (Intel SDM / AMD APM CPUID Fn0000_0001_EAX). */
        if (base_family == 0xF)
            cpu.family += (int)((r.a >> 20) & 0xFF);
        if (base_family == 0x6 || base_family == 0xF)
            cpu.model += (int)(((r.a >> 16) & 0xF) << 4);
        cpu.stepping = (int)(r.a & 0xF);
    }

    if (max_ext >= 0x80000004) {
        char raw[49];
        for (unsigned i = 0; i < 3; i++) {
            r = cpuid(0x80000002 + i, 0);
            memcpy(raw + 16 * i + 0, &r.a, 4);
            memcpy(raw + 16 * i + 4, &r.b, 4);
            memcpy(raw + 16 * i + 8, &r.c, 4);
            memcpy(raw + 16 * i + 12, &r.d, 4);
        }
        raw[48] = '\0';
        /* Brand strings are padded with leading and trailing spaces on some parts. */
        const char *s = raw;
        while (*s == ' ')
            s++;
        size_t len = strnlen(s, sizeof cpu.brand - 1);
        while (len > 0 && s[len - 1] == ' ')
            len--;
        memcpy(cpu.brand, s, len);
        cpu.brand[len] = '\0';
    }
}

static void detect_features(unsigned max_leaf)
{
    if (max_leaf < 1)
        return;
    regs r1 = cpuid(1, 0);
    regs r7 = max_leaf >= 7 ? cpuid(7, 0) : (regs){0, 0, 0, 0};
    regs r7_1 = (max_leaf >= 7 && r7.a >= 1) ? cpuid(7, 1) : (regs){0, 0, 0, 0};

    int osxsave = (r1.c >> 27) & 1;
    uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    int os_ymm = (xcr0 & (XCR0_SSE | XCR0_YMM)) == (XCR0_SSE | XCR0_YMM);
    int os_zmm = os_ymm && (xcr0 & (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)) ==
                               (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM);
    int os_amx = (xcr0 & (XCR0_XTILECFG | XCR0_XTILEDATA)) == (XCR0_XTILECFG | XCR0_XTILEDATA);

    uint32_t f = 0;
    if ((r1.c >> 20) & 1)
        f |= GK_FEAT_SSE42;
    if ((r7.b >> 8) & 1)
        f |= GK_FEAT_BMI2;
    if (os_ymm) {
        if ((r1.c >> 28) & 1)
            f |= GK_FEAT_AVX;
        if ((r7.b >> 5) & 1)
            f |= GK_FEAT_AVX2;
        if ((r1.c >> 12) & 1)
            f |= GK_FEAT_FMA;
        if ((r1.c >> 29) & 1)
            f |= GK_FEAT_F16C;
        if ((r7_1.a >> 4) & 1)
            f |= GK_FEAT_AVXVNNI;
    }
    if (os_zmm) {
        if ((r7.b >> 16) & 1)
            f |= GK_FEAT_AVX512F;
        if ((r7.b >> 30) & 1)
            f |= GK_FEAT_AVX512BW;
        if ((r7.b >> 17) & 1)
            f |= GK_FEAT_AVX512DQ;
        if ((r7.b >> 31) & 1)
            f |= GK_FEAT_AVX512VL;
        if ((r7.c >> 11) & 1)
            f |= GK_FEAT_AVX512VNNI;
        if ((r7_1.a >> 5) & 1)
            f |= GK_FEAT_AVX512BF16;
        if ((r7.d >> 23) & 1)
            f |= GK_FEAT_AVX512FP16;
    }
    if (os_amx) {
        if ((r7.d >> 24) & 1)
            f |= GK_FEAT_AMX_TILE;
        if ((r7.d >> 25) & 1)
            f |= GK_FEAT_AMX_INT8;
        if ((r7.d >> 22) & 1)
            f |= GK_FEAT_AMX_BF16;
    }
    cpu.features = f;

    const uint32_t need_avx2 = GK_FEAT_AVX | GK_FEAT_AVX2 | GK_FEAT_FMA | GK_FEAT_F16C;
    const uint32_t need_avx512 =
        need_avx2 | GK_FEAT_AVX512F | GK_FEAT_AVX512BW | GK_FEAT_AVX512DQ | GK_FEAT_AVX512VL;
    if ((f & need_avx512) == need_avx512)
        cpu.isa_max = GK_ISA_AVX512;
    else if ((f & need_avx2) == need_avx2)
        cpu.isa_max = GK_ISA_AVX2;
    else
        cpu.isa_max = GK_ISA_SCALAR;
}

/* Deterministic cache parameters: Intel leaf 4 and AMD leaf 0x8000001D share one layout. */
static void detect_caches_cpuid(unsigned leaf)
{
    for (unsigned sub = 0; sub < 16; sub++) {
        regs r = cpuid(leaf, sub);
        unsigned type = r.a & 0x1F;
        if (type == 0)
            break;
        if (type == 2) /* instruction cache */
            continue;
        unsigned level = (r.a >> 5) & 0x7;
        gk_cache_level c;
        c.line = (int)((r.b & 0xFFF) + 1);
        int64_t partitions = ((r.b >> 12) & 0x3FF) + 1;
        int64_t ways = ((r.b >> 22) & 0x3FF) + 1;
        int64_t sets = (int64_t)r.c + 1;
        c.size = ways * partitions * c.line * sets;
        c.shared_by = (int)(((r.a >> 14) & 0xFFF) + 1);
        if (level == 1)
            cpu.l1d = c;
        else if (level == 2)
            cpu.l2 = c;
        else if (level == 3)
            cpu.l3 = c;
    }
}

static int read_sysfs(const char *path, char *buf, size_t cap)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 0;
    size_t n = fread(buf, 1, cap - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return n > 0;
}

/* Number of CPUs in a sysfs list such as "0-3,8,10-11". */
static int count_cpu_list(const char *s)
{
    int count = 0;
    while (*s && *s != '\n') {
        char *end;
        long a = strtol(s, &end, 10);
        if (end == s)
            return 0;
        long b = a;
        if (*end == '-')
            b = strtol(end + 1, &end, 10);
        count += (int)(b - a + 1);
        s = *end == ',' ? end + 1 : end;
    }
    return count;
}

/* sysfs fills levels CPUID left empty (hypervisors sometimes hide leaf 4 / 0x8000001D) and
 * corrects the sharing count: the CPUID field is the topology's maximum, sysfs is what this
 * (possibly virtual) machine really shares. */
static void cross_check_caches_sysfs(void)
{
    for (int idx = 0; idx < 8; idx++) {
        char path[96], buf[128];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", idx);
        if (!read_sysfs(path, buf, sizeof buf))
            break;
        if (strncmp(buf, "Instruction", 11) == 0)
            continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", idx);
        if (!read_sysfs(path, buf, sizeof buf))
            continue;
        int level = atoi(buf);
        gk_cache_level *c = level == 1 ? &cpu.l1d : level == 2 ? &cpu.l2 : level == 3 ? &cpu.l3 : NULL;
        if (!c)
            continue;
        if (c->size == 0) {
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", idx);
            if (read_sysfs(path, buf, sizeof buf)) {
                char *end;
                long long v = strtoll(buf, &end, 10);
                if (*end == 'K')
                    v <<= 10;
                else if (*end == 'M')
                    v <<= 20;
                c->size = v;
            }
            snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/coherency_line_size", idx);
            if (read_sysfs(path, buf, sizeof buf))
                c->line = atoi(buf);
        }
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/shared_cpu_list", idx);
        if (read_sysfs(path, buf, sizeof buf)) {
            int n = count_cpu_list(buf);
            if (n > 0 && (c->shared_by <= 0 || n < c->shared_by))
                c->shared_by = n;
        }
    }
}

static void detect_caches(unsigned max_leaf, unsigned max_ext)
{
    int amd = strcmp(cpu.vendor, "AuthenticAMD") == 0 || strcmp(cpu.vendor, "HygonGenuine") == 0;
    if (amd && max_ext >= 0x8000001D && ((cpuid(0x80000001, 0).c >> 22) & 1)) /* TOPOEXT */
        detect_caches_cpuid(0x8000001D);
    else if (!amd && max_leaf >= 4)
        detect_caches_cpuid(4);
    cross_check_caches_sysfs();

    /* Last resort (emulators without either source): typical sizes keep the blocking sane. */
    if (cpu.l1d.size <= 0)
        cpu.l1d = (gk_cache_level){32 << 10, 64, 1};
    if (cpu.l2.size <= 0)
        cpu.l2 = (gk_cache_level){256 << 10, 64, 1};
    gk_cache_level *levels[] = {&cpu.l1d, &cpu.l2, &cpu.l3};
    for (int i = 0; i < 3; i++) {
        if (levels[i]->size > 0 && levels[i]->line <= 0)
            levels[i]->line = 64;
        if (levels[i]->size > 0 && levels[i]->shared_by <= 0)
            levels[i]->shared_by = 1;
    }
}

static void detect_cores(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    cpu.cores = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    if (cpu.cores < 1)
        cpu.cores = 1;
}

static int64_t round_down(int64_t v, int64_t m, int64_t min)
{
    v -= v % m;
    return v < min ? min : v;
}

/* The blocked path's KC on double-pumped AVX-512 cores (derive_blocking says why; gemm.c clamps
 * every slice to its KC_MAX, also 384). */
enum { ZEN4_KC = 384 };

/* GEMM blocking after BLIS's analytical model (Low et al., "Analytical modeling is enough for
 * high-performance BLIS", TOMS 2016):
 *   KC: the KC×NR sliver of packed B stays in L1 while the MR×KC slivers of A stream past it
 *       from L2:  (MR + NR)·KC·4 bytes ≈ L1,  KC a multiple of 8. Every KC slice re-reads and
 *       re-writes C, so KC is as large as L1 allows (Zen 1: L1/2 gave KC = 184 and 1-3% less
 *       at N = 512-1024 than this rule's 368; OpenBLAS uses 384 on such cores).
 *   MC: the MC×KC packed A block stays in half of L2:  MC·KC·4 ≈ L2/2,  MC a multiple of MR.
 *   NC: the KC×NC packed B panel stays in this core's share of L3 (L3 / cores sharing it):
 *       KC·NC·4 ≈ share/2,  NC a multiple of NR; without an L3, L2 plays that role.
 * That KC is gemm_kc_l1, which the skinny path keeps (it re-reads one B panel for every row
 * block). The blocked path departs from it where 512-bit FMAs are double-pumped (Zen 4: AMD
 * family 25 with AVX-512): an 8×48 k step takes 24 cycles there, so its B sliver streams from
 * L2 at 8 bytes per cycle, and a longer slice saves passes over C. Measured on Zen 4 (docs/
 * GEMM.md), KC 384 (MC 336) against the rule's 144 (MC 904), interleaved medians: 1024³ 95.0 ->
 * 103.0 GFLOP/s, 2048³ 96.3 -> 102.9, M=512 3% faster; the skinny path 2-8% slower, so it keeps
 * 144. */
static void derive_blocking(void)
{
    int mr, nr;
    switch (cpu.isa_max) {
    case GK_ISA_AVX512:
        mr = AVX512_MR, nr = AVX512_NR, cpu.vec_regs = 32, cpu.vec_bits = 512;
        break;
    case GK_ISA_AVX2:
        mr = AVX2_MR, nr = AVX2_NR, cpu.vec_regs = 16, cpu.vec_bits = 256;
        break;
    default:
        mr = SCALAR_MR, nr = SCALAR_NR, cpu.vec_regs = 16, cpu.vec_bits = 128;
        break;
    }
    const int64_t f32 = (int64_t)sizeof(float);
    cpu.gemm_mr = mr;
    cpu.gemm_nr = nr;
    cpu.gemm_kc_l1 = round_down(cpu.l1d.size / ((mr + nr) * f32), 8, 64);
    int zmm_half_rate = cpu.isa_max == GK_ISA_AVX512 && cpu.family == 25 && strcmp(cpu.vendor, "AuthenticAMD") == 0;
    cpu.gemm_kc = zmm_half_rate && cpu.gemm_kc_l1 < ZEN4_KC ? ZEN4_KC : cpu.gemm_kc_l1;
    cpu.gemm_mc = round_down(cpu.l2.size / 2 / (cpu.gemm_kc * f32), mr, mr);
    /* On cores with full-rate 512-bit FMAs the 8x48 tile takes a k step every 12 cycles, and its
     * KC x 48 sliver of B (41 KiB at KC 216) no longer stays in a 48 KiB L1 beside the A stream:
     * there the blocked path holds the A sliver (7 KiB) in L1 instead and streams B panels from a
     * KC x NB block in half of L2, C walked along its rows. Sapphire Rapids (docs/GEMM.md): 512^3
     * 184 -> 204 GFLOP/s, 2048^3 185 -> 206; `gk bench ukernel` shows the two orders. Double-pumped
     * Zen 4 keeps BLIS's order, measured there at 95-97% of peak. */
    cpu.gemm_nb = cpu.isa_max == GK_ISA_AVX512 && !zmm_half_rate
                      ? round_down(cpu.l2.size / 2 / (cpu.gemm_kc * f32), nr, nr) : 0;
    int64_t l3_share = cpu.l3.size > 0 ? cpu.l3.size / cpu.l3.shared_by : cpu.l2.size;
    cpu.gemm_nc = round_down(l3_share / 2 / (cpu.gemm_kc * f32), nr, nr);

    /* Path crossovers measured on Zen 1 (docs/GEMM.md, "Path thresholds"): the dot-product
     * kernel already beats two GEMVs at M = 2, and the unpacked-A skinny path beats the blocked
     * one up to M = 128-192 in both layouts. */
    cpu.gemv_max_m = 1;
    /* gemm with few rows streams whole rows of B over C (gk_gemm_rows_f32) where that was
     * measured to win: Zen 3 (AVX2), `gk bench gemm --filter "gemm M=8 "`, two alternated rounds
     * against the strips of the skinny path: N=K=4096 8.6-9.9 -> 4.7-5.1 ms, N=11008 24-27 ->
     * 12.3-13.1 ms, K=11008 24-25 -> 12.9-13.0 ms. AVX-512 cores keep the skinny path, which
     * reads B in place there (Zen 5, M=8: 3.0 ms at 22 GB/s); the kernel runs m = 1 on them. */
    cpu.rows_max_m = cpu.isa_max == GK_ISA_AVX2 ? 8 : 1;
    /* 16-bit GEMV weights prefetched 1 KiB ahead in each row: Zen 5 streams bf16 at 29 instead of
     * 26 GB/s with it, Zen 4 at 62-68% of the f32 GEMV's bytes per second with it and 84-85%
     * without (4096 x 4096, cold, three interleaved rounds), so Zen 4 leaves it to the hardware. */
    cpu.gemv16_prefetch = !zmm_half_rate;
    /* Zen 3 (AMD family 25 without AVX-512): the blocked path wins from M = 40 in both layouts
     * (a test loop forcing each path, N = K = 4096, 1 thread, two rounds: nn m = 48 21.7 ->
     * 21.0-21.1 ms, m = 64 27.9 -> 26.1-26.9, m = 128 50.6-51.1 -> 49.3-49.6; bt m = 48 25.1-25.3
     * -> 23.0-23.2, m = 64 33.5-34.3 -> 28.5-29.1; equal at m = 32, the skinny paths ahead
     * below). Zen 1 measured the skinny path ahead up to M = 128-192 (docs/GEMM.md). */
    int zen3 = cpu.isa_max == GK_ISA_AVX2 && cpu.family == 25 && strcmp(cpu.vendor, "AuthenticAMD") == 0;
    cpu.skinny_max_m = zen3 ? 32 : 128;
    /* Below ~512 KiB a memory-bound op finishes in ~10 µs on one core, comparable to waking
     * other threads; below ~4 MFLOP the same holds for compute-bound work. */
    cpu.parallel_min_bytes = 512 << 10;
    cpu.parallel_min_flops = 4000000;
}

static void detect(void)
{
    unsigned max_leaf = __get_cpuid_max(0, NULL);
    unsigned max_ext = __get_cpuid_max(0x80000000, NULL);
    detect_identity(max_leaf, max_ext);
    detect_features(max_leaf);
    detect_caches(max_leaf, max_ext);
    detect_cores();
    derive_blocking();
}

const struct gk_device_profile *gk_cpu(void)
{
    gk_once_run(&cpu_once, detect);
    return &cpu;
}
