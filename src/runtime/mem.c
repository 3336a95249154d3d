/* Aligned allocation (public gk_aligned_alloc/gk_free, internal gk_alloc) and overflow-checked
 * size arithmetic. Large buffers go on 2 MiB boundaries with MADV_HUGEPAGE because transparent
 * huge pages are often in "madvise" mode, and 4 KiB pages cost a quarter of DRAM read bandwidth
 * on streaming kernels (DESIGN §13). */
#include "runtime/mem.h"

#include <stdlib.h>
#include <sys/mman.h>

#include "runtime/error.h"

enum { HUGE_PAGE = 2 << 20, DEFAULT_ALIGN = 64 };

static void *alloc_aligned(size_t bytes, size_t alignment)
{
    if (bytes >= HUGE_PAGE && alignment < HUGE_PAGE)
        alignment = HUGE_PAGE;
    void *p = NULL;
    if (posix_memalign(&p, alignment, bytes) != 0)
        return NULL;
    /* Advice only: a kernel without THP refuses it and the buffer still works. */
    if (bytes >= HUGE_PAGE)
        madvise(p, bytes, MADV_HUGEPAGE);
    return p;
}

void *gk_alloc(size_t bytes)
{
    /* Empty shapes still get a distinct pointer, so NULL always means out of memory. */
    return alloc_aligned(bytes ? bytes : DEFAULT_ALIGN, DEFAULT_ALIGN);
}

gk_status gk_aligned_alloc(size_t bytes, size_t alignment, void **out)
{
    if (!out)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_aligned_alloc: out is NULL");
    if (bytes == 0)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_aligned_alloc: bytes is 0");
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0)
        return gk_fail(GK_ERR_INVALID_ARG,
                       "gk_aligned_alloc: alignment %zu is not a power of two >= %zu", alignment,
                       sizeof(void *));
    void *p = alloc_aligned(bytes, alignment);
    if (!p)
        return gk_fail(GK_ERR_NO_MEMORY, "gk_aligned_alloc: cannot allocate %zu bytes aligned to %zu",
                       bytes, alignment);
    *out = p;
    return GK_OK;
}

void gk_free(void *p)
{
    free(p);
}

int gk_mul_overflow_i64(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return 1;
    *out = r;
    return 0;
}
