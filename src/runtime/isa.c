/* The active ISA level (DESIGN §4): the best detected level, lowered by GK_ISA from the
 * environment (parsed once) or by gk_set_isa() (which overrides GK_ISA). gk_isa_active() is on
 * every op's dispatch path, so after the first call it is one atomic load and a branch. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gk/device.h"
#include "runtime/cpu.h"
#include "runtime/error.h"

static atomic_int forced = -1; /* gk_set_isa() level, -1 when never called */

static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static int env_level = -1;     /* GK_ISA's level, -1 when unset */
static int env_unknown;        /* GK_ISA names no level */
static int env_unsupported;    /* GK_ISA names a level this CPU lacks */
static char env_value[32];
/* The level the environment resolved to once it is known to be valid, -1 before: read by every
 * op's dispatch, which then makes no pthread_once calls. */
static atomic_int env_active = -1;

const char *gk_isa_name(gk_isa isa)
{
    switch (isa) {
    case GK_ISA_SCALAR: return "scalar";
    case GK_ISA_AVX2: return "avx2";
    case GK_ISA_AVX512: return "avx512";
    case GK_ISA_NEON: return "neon";
    }
    return "unknown";
}

/* NEON is an aarch64 level: this build only runs on x86-64, where it never applies. */
static int supported(gk_isa isa)
{
    return isa != GK_ISA_NEON && isa <= gk_cpu()->isa_max;
}

static void parse_env(void)
{
    gk_isa best = gk_cpu()->isa_max;
    const char *s = getenv("GK_ISA");
    if (s && *s) {
        snprintf(env_value, sizeof env_value, "%s", s);
        env_unknown = 1;
        for (gk_isa isa = GK_ISA_SCALAR; isa <= GK_ISA_NEON; isa++) {
            if (strcmp(s, gk_isa_name(isa)) == 0) {
                env_unknown = 0;
                if (supported(isa))
                    env_level = (int)isa;
                else
                    env_unsupported = 1;
            }
        }
    }
    const char *verbose = getenv("GK_VERBOSE");
    if (verbose && strcmp(verbose, "1") == 0) {
        if (env_unknown || env_unsupported)
            fprintf(stderr, "gllm-kernels: GK_ISA=%s is %s; library calls fail until gk_set_isa() (best: %s)\n",
                    env_value, env_unknown ? "unknown" : "not supported by this CPU", gk_isa_name(best));
        else
            fprintf(stderr, "gllm-kernels: ISA %s (best %s%s)\n",
                    gk_isa_name(env_level >= 0 ? (gk_isa)env_level : best), gk_isa_name(best),
                    env_level >= 0 ? ", forced by GK_ISA" : "");
    }
}

gk_status gk_set_isa(gk_isa isa)
{
    if ((int)isa < (int)GK_ISA_SCALAR || (int)isa > (int)GK_ISA_NEON)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_set_isa: %d is not a gk_isa value", (int)isa);
    if (!supported(isa))
        return gk_fail(GK_ERR_UNSUPPORTED, "gk_set_isa: %s is not supported by this CPU (best: %s)",
                       gk_isa_name(isa), gk_isa_name(gk_cpu()->isa_max));
    atomic_store_explicit(&forced, (int)isa, memory_order_relaxed);
    return GK_OK;
}

gk_isa gk_get_isa(void)
{
    int f = atomic_load_explicit(&forced, memory_order_relaxed);
    if (f >= 0)
        return (gk_isa)f;
    pthread_once(&env_once, parse_env);
    return env_level >= 0 ? (gk_isa)env_level : gk_cpu()->isa_max;
}

gk_status gk_isa_active(gk_isa *out)
{
    int f = atomic_load_explicit(&forced, memory_order_relaxed);
    if (f < 0)
        f = atomic_load_explicit(&env_active, memory_order_acquire);
    if (f < 0) {
        pthread_once(&env_once, parse_env);
        if (env_unknown)
            return gk_fail(GK_ERR_UNSUPPORTED, "GK_ISA=%s is not an ISA level (scalar|avx2|avx512|neon; best here: %s)",
                           env_value, gk_isa_name(gk_cpu()->isa_max));
        if (env_unsupported)
            return gk_fail(GK_ERR_UNSUPPORTED, "GK_ISA=%s is not supported by this CPU (best: %s)",
                           env_value, gk_isa_name(gk_cpu()->isa_max));
        f = env_level >= 0 ? env_level : (int)gk_cpu()->isa_max;
        atomic_store_explicit(&env_active, f, memory_order_release);
    }
    *out = (gk_isa)f;
    return GK_OK;
}
