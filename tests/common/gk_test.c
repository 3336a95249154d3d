/* Implementation of the small C test harness (see gk_test.h). */
#include "gk_test.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/cpu.h"

int gk_test_failures;
int gk_test_checks;

enum { GUARD = 64 };
static const unsigned char guard_byte = 0xFF; /* 0xFFFFFFFF is a quiet NaN pattern */

void gk_rng_seed(gk_rng *r, uint64_t seed)
{
    r->s = seed * 0x9E3779B97F4A7C15ull + 1;
}

uint64_t gk_rng_u64(gk_rng *r)
{
    uint64_t x = r->s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return r->s = x;
}

float gk_rng_uniform(gk_rng *r, float lo, float hi)
{
    double u = (double)(gk_rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
    return (float)(lo + (hi - lo) * u);
}

void gk_rng_fill(gk_rng *r, float *x, int64_t n, float lo, float hi)
{
    for (int64_t i = 0; i < n; i++)
        x[i] = gk_rng_uniform(r, lo, hi);
}

gk_guarded gk_guarded_new(int64_t n)
{
    gk_guarded g = {0};
    size_t bytes = (size_t)(n > 0 ? n : 0) * sizeof(float);
    g.base = malloc(bytes + 2 * GUARD);
    if (!g.base) {
        fprintf(stderr, "gk_guarded_new: out of memory\n");
        exit(2);
    }
    memset(g.base, guard_byte, bytes + 2 * GUARD);
    g.p = (float *)(g.base + GUARD);
    g.n = n;
    return g;
}

int gk_guarded_intact(const gk_guarded *g)
{
    size_t bytes = (size_t)(g->n > 0 ? g->n : 0) * sizeof(float);
    for (size_t i = 0; i < GUARD; i++)
        if (g->base[i] != guard_byte || g->base[GUARD + bytes + i] != guard_byte)
            return 0;
    return 1;
}

void gk_guarded_free(gk_guarded *g)
{
    free(g->base);
    g->base = NULL;
    g->p = NULL;
}

int gk_same_float(float a, float b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof a) == 0;
}

int gk_test_isa_selected(gk_isa isa)
{
    const char *only = getenv("GK_TEST_ISA");
    if (!only || !*only || strcmp(only, gk_isa_name(isa)) == 0)
        return 1;
    printf("SKIP %s: GK_TEST_ISA=%s\n", gk_isa_name(isa), only);
    return 0;
}

int gk_test_threads_allowed(int n, const char *what)
{
    const char *max = getenv("GK_TEST_MAX_THREADS");
    if (!max || !*max || atoi(max) >= n)
        return 1;
    printf("SKIP %s: %d threads, GK_TEST_MAX_THREADS=%s\n", what, n, max);
    return 0;
}

void gk_test_for_each_isa(void (*body)(void *ctx), void *ctx)
{
    gk_isa max = gk_cpu()->isa_max;
    for (gk_isa isa = GK_ISA_SCALAR; isa <= GK_ISA_AVX512; isa++) {
        if (isa > max) {
            printf("SKIP %s: not supported by this CPU\n", gk_isa_name(isa));
            continue;
        }
        if (!gk_test_isa_selected(isa))
            continue;
        if (gk_set_isa(isa) != GK_OK) {
            gk_test_failures++;
            fprintf(stderr, "gk_set_isa(%s) failed: %s\n", gk_isa_name(isa), gk_last_error());
            continue;
        }
        body(ctx);
    }
    gk_set_isa(max);
}

int gk_test_finish(const char *name)
{
    int passed = gk_test_checks - gk_test_failures;
    printf("%s: %d passed, %d failed\n", name, passed, gk_test_failures);
    return gk_test_failures ? 1 : 0;
}
