/* Aligned allocation: argument checks, requested and huge-page alignment, usable memory,
 * out-of-memory reporting; gk_alloc's internal contract; overflow-checked multiplication. */
#include <stdint.h>
#include <string.h>

#include "gk_test.h"
#include "runtime/mem.h"

static int aligned(const void *p, size_t a)
{
    return ((uintptr_t)p & (a - 1)) == 0;
}

int main(void)
{
    void *p = (void *)0x1234, *untouched = p;

    CHECK_STATUS(gk_aligned_alloc(64, 64, NULL), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_aligned_alloc(0, 64, &p), GK_ERR_INVALID_ARG);
    static const size_t bad_align[] = {0, 1, 2, 4, 24, 100, 4097, (size_t)1 << 63 | 64};
    for (size_t i = 0; i < sizeof bad_align / sizeof bad_align[0]; i++) {
        CHECK_STATUS(gk_aligned_alloc(64, bad_align[i], &p), GK_ERR_INVALID_ARG);
        CHECK(strstr(gk_last_error(), "alignment") != NULL, "message '%s'", gk_last_error());
    }
    CHECK(p == untouched, "out written on failure");

    static const size_t good_align[] = {8, 16, 64, 4096, (size_t)2 << 20};
    static const size_t sizes[] = {1, 63, 4096, 100000, (size_t)2 << 20, (size_t)5 << 20};
    for (size_t a = 0; a < sizeof good_align / sizeof good_align[0]; a++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            p = NULL;
            CHECK_STATUS(gk_aligned_alloc(sizes[s], good_align[a], &p), GK_OK);
            CHECK(p && aligned(p, good_align[a]), "%zu bytes: %p not aligned to %zu", sizes[s], p, good_align[a]);
            /* From 2 MiB up: on a huge-page boundary whatever alignment was asked for. */
            if (sizes[s] >= (size_t)2 << 20)
                CHECK(aligned(p, (size_t)2 << 20), "%zu bytes at %p: not 2 MiB aligned", sizes[s], p);
            if (p) {
                memset(p, 0xA5, sizes[s]);
                CHECK(((unsigned char *)p)[sizes[s] - 1] == 0xA5, "last byte");
            }
            gk_free(p);
        }

    p = untouched;
    CHECK_STATUS(gk_aligned_alloc(SIZE_MAX - 4096, 64, &p), GK_ERR_NO_MEMORY);
    CHECK(strstr(gk_last_error(), "cannot allocate") != NULL, "message '%s'", gk_last_error());
    CHECK_STATUS(gk_aligned_alloc((size_t)1 << 62, (size_t)2 << 20, &p), GK_ERR_NO_MEMORY);
    CHECK(p == untouched, "out written on failure");
    gk_free(NULL);

    void *q = gk_alloc(0);
    CHECK(q && aligned(q, 64), "gk_alloc(0) = %p", q);
    gk_free(q);
    q = gk_alloc(1000);
    CHECK(q && aligned(q, 64), "gk_alloc(1000) = %p", q);
    gk_free(q);
    q = gk_alloc((size_t)3 << 20);
    CHECK(q && aligned(q, (size_t)2 << 20), "gk_alloc(3 MiB) = %p", q);
    gk_free(q);
    CHECK(gk_alloc(SIZE_MAX / 2) == NULL, "impossible gk_alloc succeeded");

    int64_t r = 7;
    CHECK(gk_mul_overflow_i64(3, 4, &r) == 0 && r == 12, "3*4 = %lld", (long long)r);
    CHECK(gk_mul_overflow_i64(-3, 4, &r) == 0 && r == -12, "-3*4 = %lld", (long long)r);
    CHECK(gk_mul_overflow_i64(0, INT64_MAX, &r) == 0 && r == 0, "0*max");
    CHECK(gk_mul_overflow_i64(INT64_MAX, 1, &r) == 0 && r == INT64_MAX, "max*1");
    CHECK(gk_mul_overflow_i64((int64_t)1 << 31, (int64_t)1 << 31, &r) == 0 && r == (int64_t)1 << 62, "2^62");
    r = 7;
    CHECK(gk_mul_overflow_i64((int64_t)1 << 32, (int64_t)1 << 31, &r) == 1 && r == 7, "2^63 overflows");
    CHECK(gk_mul_overflow_i64(INT64_MIN, -1, &r) == 1 && r == 7, "min*-1 overflows");
    CHECK(gk_mul_overflow_i64(INT64_MAX, 2, &r) == 1, "max*2 overflows");
    CHECK(gk_mul_overflow_i64(INT64_MIN, 1, &r) == 0 && r == INT64_MIN, "min*1");
    return gk_test_finish("runtime_mem");
}
