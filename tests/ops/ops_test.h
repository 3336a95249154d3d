/* Helpers shared by the ops tests: the size sweep, tolerance comparison, and checks that an
 * output buffer was left untouched by a failing call. */
#ifndef GK_OPS_TEST_H
#define GK_OPS_TEST_H

#include <stdint.h>

#include "gk_test.h"

/* 0, 1, around the AVX2/AVX-512 vector widths (8, 16) and their tails, a medium and a
 * just-past-a-page length. */
extern const int64_t ops_sizes[];
extern const int ops_nsizes;

/* got is within tol of want; NaN matches NaN and an infinity matches itself. */
int ops_close(float got, float want, double tol);

/* Every byte of the guarded buffer (guards and contents) still holds the NaN fill pattern. */
int ops_untouched(const gk_guarded *g);

/* Expect GK_ERR_INVALID_ARG with a message naming the function and containing `needle`
 * (usually the argument's name), so a stale message from an earlier call cannot pass. */
#define EXPECT_INVALID(call, fn, needle)                                                          \
    do {                                                                                          \
        gk_status s_ = (call);                                                                    \
        CHECK(s_ == GK_ERR_INVALID_ARG, "%s returned %s (%s)", #call, gk_status_str(s_), gk_last_error()); \
        CHECK(strstr(gk_last_error(), fn) && strstr(gk_last_error(), needle),                     \
              "%s: message \"%s\" should name %s and %s", #call, gk_last_error(), fn, needle);      \
    } while (0)

/* A few special values (signed zeros, infinities, NaN) written into x[at..at+5) when it fits. */
void ops_put_specials(float *x, int64_t n, int64_t at);

#endif
