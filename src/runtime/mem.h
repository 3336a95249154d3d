/* Internal memory helpers. */
#ifndef GK_RUNTIME_MEM_H
#define GK_RUNTIME_MEM_H

#include <stddef.h>
#include <stdint.h>

/* 64-byte aligned (2 MiB aligned + MADV_HUGEPAGE from 2 MiB up); NULL on failure, no message.
 * Free with gk_free(). */
void *gk_alloc(size_t bytes);

/* a*b (+c) without overflow: returns 0 and stores the result, or 1 on overflow. */
int gk_mul_overflow_i64(int64_t a, int64_t b, int64_t *out);

#endif
