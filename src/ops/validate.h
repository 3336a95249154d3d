/* Argument checks shared by the public entry points (DESIGN §10). Each check returns GK_OK or
 * fails with GK_ERR_INVALID_ARG and a message naming the function and the argument, e.g.
 * "gk_gemm_f32: lda (3) < k (4)". Entry points run every check before writing anything. */
#ifndef GK_OPS_VALIDATE_H
#define GK_OPS_VALIDATE_H

#include <stdint.h>

#include "gk/gk.h"
#include "runtime/error.h"
#include "runtime/mem.h"

/* A row-strided region of `rows` rows of `cols` elements, rows `ld` elements apart (a vector
 * is one row). `bytes` is its extent, filled in by gk_check_region; 0 for an empty region,
 * whose pointer is never dereferenced and may be NULL. */
typedef struct {
    const char *name;
    const void *p;
    int64_t rows, cols, ld, elem;
    int64_t bytes;
} gk_region;

static inline gk_region gk_matrix(const char *name, const void *p, int64_t rows, int64_t cols, int64_t ld)
{
    return (gk_region){name, p, rows, cols, ld, (int64_t)sizeof(float), 0};
}

static inline gk_region gk_vector(const char *name, const void *p, int64_t n)
{
    return gk_matrix(name, p, 1, n, n);
}

static inline gk_status gk_check_size(const char *fn, const char *name, int64_t v)
{
    if (v < 0)
        return gk_fail(GK_ERR_INVALID_ARG, "%s: %s (%lld) < 0", fn, name, (long long)v);
    return GK_OK;
}

static inline gk_status gk_check_ld(const char *fn, const char *ld_name, int64_t ld, const char *row_name,
                                    int64_t row)
{
    if (ld < row)
        return gk_fail(GK_ERR_INVALID_ARG, "%s: %s (%lld) < %s (%lld)", fn, ld_name, (long long)ld, row_name,
                       (long long)row);
    return GK_OK;
}

static inline gk_status gk_check_ptr(const char *fn, const char *name, const void *p)
{
    if (!p)
        return gk_fail(GK_ERR_INVALID_ARG, "%s: %s is NULL", fn, name);
    return GK_OK;
}

/* A non-empty region needs a pointer and an extent ((rows-1)*ld + cols elements) whose byte
 * size fits int64_t and does not wrap the address space. Sizes and ld are checked before. */
static inline gk_status gk_check_region(const char *fn, gk_region *r)
{
    r->bytes = 0;
    if (r->rows == 0 || r->cols == 0)
        return GK_OK;
    GK_TRY(gk_check_ptr(fn, r->name, r->p));
    int64_t span, elems, bytes;
    if (gk_mul_overflow_i64(r->rows - 1, r->ld, &span) || __builtin_add_overflow(span, r->cols, &elems) ||
        gk_mul_overflow_i64(elems, r->elem, &bytes) || (uintptr_t)r->p + (uint64_t)bytes < (uintptr_t)r->p)
        return gk_fail(GK_ERR_INVALID_ARG, "%s: %s (%lld x %lld, ld %lld) is larger than the address space", fn,
                       r->name, (long long)r->rows, (long long)r->cols, (long long)r->ld);
    r->bytes = bytes;
    return GK_OK;
}

/* The output region `out` must not share elements with the input `in`, except that exact
 * aliasing (same pointer, same shape and ld) is allowed when alias_ok. Regions with the same ld
 * whose columns interleave without touching (e.g. two halves of wider rows) are disjoint;
 * any other overlap of the byte ranges counts as overlap. */
static inline gk_status gk_check_overlap(const char *fn, const gk_region *out, const gk_region *in, int alias_ok)
{
    if (out->bytes == 0 || in->bytes == 0)
        return GK_OK;
    uintptr_t o0 = (uintptr_t)out->p, o1 = o0 + (uint64_t)out->bytes;
    uintptr_t i0 = (uintptr_t)in->p, i1 = i0 + (uint64_t)in->bytes;
    if (o1 <= i0 || i1 <= o0)
        return GK_OK;
    int same_layout = out->ld == in->ld && out->elem == in->elem;
    if (same_layout && o0 == i0 && out->rows == in->rows && out->cols == in->cols) {
        if (alias_ok)
            return GK_OK;
        return gk_fail(GK_ERR_INVALID_ARG, "%s: %s aliases %s, which is not allowed", fn, out->name, in->name);
    }
    if (same_layout && (i0 > o0 ? i0 - o0 : o0 - i0) % (uint64_t)out->elem == 0) {
        int64_t d = (int64_t)(i0 - o0) / out->elem; /* two's complement: negative when in precedes out */
        int64_t col = ((d % out->ld) + out->ld) % out->ld;
        if (col >= out->cols && in->cols <= out->ld - col)
            return GK_OK;
    }
    return gk_fail(GK_ERR_INVALID_ARG, "%s: %s overlaps %s%s", fn, out->name, in->name,
                   alias_ok ? " (only exact aliasing is allowed)" : "");
}

#endif
