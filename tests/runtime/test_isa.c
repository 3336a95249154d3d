/* ISA selection, also run under user-mode QEMU as a Haswell (AVX2, no AVX-512) and a Nehalem
 * (no AVX) CPU: the detected level must match what the emulated CPU offers (GK_EXPECT_ISA_MAX,
 * set by tests/CMakeLists.txt), and forcing a level above it must fail without effect.
 * Also run in the Bochs guest of scripts/avx512-emu.sh as a Cannon Lake (AVX-512 F/BW/DQ/VL).
 * Detection only: the DeviceProfile's measurements would be far too slow under emulation. */
#include <stdlib.h>
#include <string.h>

#include "gk/device.h"
#include "gk_test.h"
#include "runtime/cpu.h"

int main(void)
{
    const struct gk_device_profile *p = gk_cpu();
    const char *expect = getenv("GK_EXPECT_ISA_MAX");
    if (expect) {
        gk_isa want = strcmp(expect, "cannonlake") == 0 ? GK_ISA_AVX512
                      : strcmp(expect, "haswell") == 0  ? GK_ISA_AVX2
                      : strcmp(expect, "nehalem") == 0  ? GK_ISA_SCALAR
                                                        : (gk_isa)-1;
        CHECK((int)want >= 0, "unknown GK_EXPECT_ISA_MAX=%s", expect);
        CHECK(p->isa_max == want, "isa_max %s, expected %s for %s", gk_isa_name(p->isa_max),
              gk_isa_name(want), expect);
        if (strcmp(expect, "nehalem") == 0)
            CHECK((p->features & (GK_FEAT_AVX | GK_FEAT_AVX2 | GK_FEAT_FMA | GK_FEAT_AVX512F)) == 0,
                  "features 0x%x on a CPU without AVX", p->features);
        if (strcmp(expect, "cannonlake") == 0)
            CHECK((p->features & (GK_FEAT_AVX512F | GK_FEAT_AVX512BW | GK_FEAT_AVX512DQ | GK_FEAT_AVX512VL)) ==
                          (GK_FEAT_AVX512F | GK_FEAT_AVX512BW | GK_FEAT_AVX512DQ | GK_FEAT_AVX512VL) &&
                      !(p->features & GK_FEAT_AVX512VNNI),
                  "features 0x%x on Cannon Lake (AVX-512 F/BW/DQ/VL, no VNNI)", p->features);
        if (strcmp(expect, "haswell") == 0)
            CHECK((p->features & GK_FEAT_AVX512F) == 0 && (p->features & GK_FEAT_AVX2),
                  "features 0x%x on Haswell", p->features);
    }

    /* Feature bits imply the level and vice versa. */
    if (p->isa_max >= GK_ISA_AVX2)
        CHECK((p->features & (GK_FEAT_AVX | GK_FEAT_AVX2 | GK_FEAT_FMA | GK_FEAT_F16C)) ==
                  (GK_FEAT_AVX | GK_FEAT_AVX2 | GK_FEAT_FMA | GK_FEAT_F16C),
              "isa_max %s with features 0x%x", gk_isa_name(p->isa_max), p->features);
    CHECK(p->cores >= 1, "cores %d", p->cores);
    CHECK(p->l1d.size > 0 && p->l2.size > 0, "L1d %lld L2 %lld", (long long)p->l1d.size, (long long)p->l2.size);
    CHECK(p->gemm_kc > 0 && p->gemm_mc % p->gemm_mr == 0 && p->gemm_nc % p->gemm_nr == 0,
          "blocking KC %lld MC %lld NC %lld", (long long)p->gemm_kc, (long long)p->gemm_mc, (long long)p->gemm_nc);

    /* Without GK_ISA the active level is the best one. */
    gk_isa active = GK_ISA_NEON;
    if (!getenv("GK_ISA")) {
        CHECK_STATUS(gk_isa_active(&active), GK_OK);
        CHECK(active == p->isa_max, "active %s, best %s", gk_isa_name(active), gk_isa_name(p->isa_max));
        CHECK(gk_get_isa() == p->isa_max, "gk_get_isa %s", gk_isa_name(gk_get_isa()));
    }

    /* Every level up to the best can be forced; anything above fails and changes nothing. */
    for (gk_isa isa = GK_ISA_SCALAR; isa <= GK_ISA_AVX512; isa++) {
        if (isa <= p->isa_max) {
            CHECK_STATUS(gk_set_isa(isa), GK_OK);
            CHECK(gk_get_isa() == isa, "gk_get_isa %s after forcing %s", gk_isa_name(gk_get_isa()), gk_isa_name(isa));
            CHECK_STATUS(gk_isa_active(&active), GK_OK);
            CHECK(active == isa, "active %s after forcing %s", gk_isa_name(active), gk_isa_name(isa));
        } else {
            gk_isa before = gk_get_isa();
            CHECK_STATUS(gk_set_isa(isa), GK_ERR_UNSUPPORTED);
            CHECK(strstr(gk_last_error(), gk_isa_name(isa)) != NULL, "message '%s'", gk_last_error());
            CHECK(gk_get_isa() == before, "failed gk_set_isa changed the level");
        }
    }
    CHECK_STATUS(gk_set_isa(GK_ISA_NEON), GK_ERR_UNSUPPORTED);
    CHECK_STATUS(gk_set_isa((gk_isa)7), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_set_isa((gk_isa)-1), GK_ERR_INVALID_ARG);
    CHECK(gk_get_isa() == p->isa_max, "level changed by a rejected gk_set_isa");

    CHECK(strcmp(gk_isa_name(GK_ISA_SCALAR), "scalar") == 0, "name");
    CHECK(strcmp(gk_isa_name(GK_ISA_AVX2), "avx2") == 0, "name");
    CHECK(strcmp(gk_isa_name(GK_ISA_AVX512), "avx512") == 0, "name");
    CHECK(strcmp(gk_isa_name(GK_ISA_NEON), "neon") == 0, "name");
    CHECK(strcmp(gk_isa_name((gk_isa)42), "unknown") == 0, "name");
    printf("isa_max %s\n", gk_isa_name(p->isa_max));
    return gk_test_finish("runtime_isa");
}
