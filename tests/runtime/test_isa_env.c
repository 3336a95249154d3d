/* GK_ISA forcing (run by ctest with GK_ISA=scalar|avx2|avx512|neon|bogus and without it).
 * The expectation comes from the detected CPU, so each entry is right on any machine: a level
 * the CPU has becomes the active level; an unknown value or a level the CPU lacks makes
 * gk_isa_active() and library calls fail with GK_ERR_UNSUPPORTED and a message naming it,
 * until gk_set_isa() overrides the environment. */
#include <stdlib.h>
#include <string.h>

#include "gk/gk.h"
#include "gk_test.h"
#include "runtime/cpu.h"

int main(void)
{
    const char *env = getenv("GK_ISA");
    gk_isa best = gk_cpu()->isa_max;
    int want = env && *env ? -1 : (int)best; /* -1: GK_ISA must be rejected */
    for (gk_isa isa = GK_ISA_SCALAR; env && isa <= GK_ISA_AVX512; isa++)
        if (strcmp(env, gk_isa_name(isa)) == 0 && isa <= best)
            want = (int)isa;

    gk_isa active = GK_ISA_NEON;
    float x[4] = {1, 2, 3, 4}, sum = 0;
    if (want >= 0) {
        CHECK_STATUS(gk_isa_active(&active), GK_OK);
        CHECK((int)active == want, "active %s, want %s", gk_isa_name(active), gk_isa_name((gk_isa)want));
        CHECK((int)gk_get_isa() == want, "gk_get_isa %s", gk_isa_name(gk_get_isa()));
        CHECK_STATUS(gk_vec_sum_f32(4, x, &sum), GK_OK);
        CHECK(sum == 10.0f, "sum %g", sum);
    } else {
        CHECK_STATUS(gk_isa_active(&active), GK_ERR_UNSUPPORTED);
        CHECK(strstr(gk_last_error(), env) != NULL, "message '%s' does not name GK_ISA=%s", gk_last_error(), env);
        CHECK(strstr(gk_last_error(), gk_isa_name(best)) != NULL, "message '%s' does not name the best level",
              gk_last_error());
        CHECK(gk_get_isa() == best, "gk_get_isa %s, want the best level %s", gk_isa_name(gk_get_isa()),
              gk_isa_name(best));
        CHECK_STATUS(gk_vec_sum_f32(4, x, &sum), GK_ERR_UNSUPPORTED);
    }

    /* gk_set_isa overrides the environment, valid or not. */
    CHECK_STATUS(gk_set_isa(GK_ISA_SCALAR), GK_OK);
    CHECK_STATUS(gk_isa_active(&active), GK_OK);
    CHECK(active == GK_ISA_SCALAR, "active %s after gk_set_isa(scalar)", gk_isa_name(active));
    sum = 0;
    CHECK_STATUS(gk_vec_sum_f32(4, x, &sum), GK_OK);
    CHECK(sum == 10.0f, "sum %g", sum);
    printf("GK_ISA=%s: %s\n", env ? env : "(unset)", want >= 0 ? gk_isa_name((gk_isa)want) : "rejected");
    return gk_test_finish("runtime_isa_env");
}
