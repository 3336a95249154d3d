/* Small C test harness: checks that count failures, NaN-guarded buffers, a seeded RNG, and a
 * loop over every ISA level this CPU supports (each test body runs once per level). */
#ifndef GK_TEST_H
#define GK_TEST_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gk/gk.h"

extern int gk_test_failures;
extern int gk_test_checks;

#define CHECK(cond, ...)                                                           \
    do {                                                                           \
        gk_test_checks++;                                                          \
        if (!(cond)) {                                                             \
            gk_test_failures++;                                                    \
            fprintf(stderr, "%s:%d: CHECK(%s) failed [isa=%s]: ", __FILE__, __LINE__, \
                    #cond, gk_isa_name(gk_get_isa()));                              \
            fprintf(stderr, __VA_ARGS__);                                          \
            fputc('\n', stderr);                                                   \
        }                                                                          \
    } while (0)

/* Expect a status; on mismatch print gk_last_error(). */
#define CHECK_STATUS(expr, want)                                                   \
    do {                                                                           \
        gk_status got_ = (expr);                                                   \
        CHECK(got_ == (want), "%s returned %s, want %s (%s)", #expr, gk_status_str(got_), \
              gk_status_str(want), gk_last_error());                               \
    } while (0)

/* Deterministic xorshift RNG. */
typedef struct { uint64_t s; } gk_rng;
void gk_rng_seed(gk_rng *r, uint64_t seed);
uint64_t gk_rng_u64(gk_rng *r);
float gk_rng_uniform(gk_rng *r, float lo, float hi);
void gk_rng_fill(gk_rng *r, float *x, int64_t n, float lo, float hi);

/* A buffer of n floats surrounded by 64 guard bytes of a NaN pattern on each side. */
typedef struct { float *p; int64_t n; unsigned char *base; } gk_guarded;
gk_guarded gk_guarded_new(int64_t n);          /* contents filled with NaN */
int gk_guarded_intact(const gk_guarded *g);    /* 1 if both guards are untouched */
void gk_guarded_free(gk_guarded *g);

/* Bit-pattern comparison of floats (NaN == NaN with the same payload class). */
int gk_same_float(float a, float b);

/* 1 unless GK_TEST_ISA names another level (then prints "SKIP <level>: GK_TEST_ISA=..."):
 * the emulated AVX-512 run (scripts/avx512-emu.sh) tests only that level, time being short. */
int gk_test_isa_selected(gk_isa isa);

/* 1 unless GK_TEST_MAX_THREADS is below n (then prints "SKIP <what>: ..."): the Bochs guest of
 * scripts/avx512-emu.sh sets 1, its kernel not saving the AVX-512 registers it does not know
 * are enabled across a context switch, so two threads on its one vCPU corrupt each other. */
int gk_test_threads_allowed(int n, const char *what);

/* Run body(ctx) once per ISA level this CPU supports and gk_test_isa_selected() accepts, with
 * that level forced. Levels the CPU lacks are reported on stdout as "SKIP <level>: not
 * supported by this CPU". */
void gk_test_for_each_isa(void (*body)(void *ctx), void *ctx);

/* Print the summary line "N passed, M failed" and return the process exit code. */
int gk_test_finish(const char *name);

#endif
