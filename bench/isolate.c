/* Timing each implementation in its own child process (bench/isolate.h), and the benchmark
 * buffers, which the children must own.
 *
 * Forking without exec keeps the case's data, filled once by the parent, at the same
 * addresses in every child. Pages shared with the parent are copy-on-write, and the kernel
 * splits a shared 2 MiB page into 4 KiB pages when a child writes it: outputs would then
 * stream through 4 KiB pages, slower than the parent's (DESIGN §13). So each child first
 * replaces every large buffer's whole pages with a private copy on fresh 2 MiB pages. */
#include "isolate.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

enum { HUGE_PAGE = 2 << 20 };

typedef struct region {
    void *p;
    size_t bytes;
} region;

static region *regions; /* the live gk_bench_alloc buffers of at least HUGE_PAGE bytes */
static size_t nregions, cap_regions;

void *gk_bench_alloc(size_t bytes)
{
    void *p = NULL;
    if (gk_aligned_alloc(bytes ? bytes : 1, 64, &p) != GK_OK) {
        fprintf(stderr, "gk bench: cannot allocate %zu bytes: %s\n", bytes, gk_last_error());
        exit(1);
    }
    /* Touch every page now so that page faults are never part of a timed call. */
    memset(p, 0, bytes);
    if (bytes >= HUGE_PAGE) {
        if (nregions == cap_regions) {
            size_t cap = cap_regions ? cap_regions * 2 : 64;
            region *r = realloc(regions, cap * sizeof *r);
            if (!r) {
                fprintf(stderr, "gk bench: out of memory\n");
                exit(1);
            }
            regions = r;
            cap_regions = cap;
        }
        regions[nregions++] = (region){p, bytes};
    }
    return p;
}

void gk_bench_free(void *p)
{
    for (size_t i = 0; i < nregions; i++)
        if (regions[i].p == p) {
            regions[i] = regions[--nregions];
            break;
        }
    gk_free(p);
}

/* In a child: moves a private copy of the whole pages of each large buffer (2 MiB aligned:
 * gk_aligned_alloc aligns buffers that large) over the shared ones. The last, partial page
 * stays shared: the allocator may keep its own data in the rest of it. */
static int own_buffers(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    for (size_t i = 0; i < nregions; i++) {
        size_t len = regions[i].bytes / page * page;
        char *raw = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED)
            return -1;
        char *q = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
        madvise(q, len, MADV_HUGEPAGE);
        memcpy(q, regions[i].p, len);
        if (mremap(q, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, regions[i].p) == MAP_FAILED)
            return -1;
        if (q > raw)
            munmap(raw, (size_t)(q - raw));
        munmap(q + len, (size_t)(raw + HUGE_PAGE - q));
    }
    return 0;
}

static size_t read_all(int fd, void *buf, size_t size)
{
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, (char *)buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

static int write_all(int fd, const void *buf, size_t size)
{
    size_t put = 0;
    while (put < size) {
        ssize_t n = write(fd, (const char *)buf + put, size - put);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        put += (size_t)n;
    }
    return 0;
}

int gk_bench_isolated(void (*fn)(void *arg, void *out), void *arg, void *out, size_t size, char *why,
                      size_t why_cap)
{
    int fds[2];
    if (pipe(fds)) {
        snprintf(why, why_cap, "no pipe to a child process: %s", strerror(errno));
        return 1;
    }
    /* Output buffered so far is the parent's: the child must not print it again. */
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_cap, "no child process: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return 1;
    }
    if (pid == 0) {
        close(fds[0]);
        if (own_buffers())
            fprintf(stderr, "gk bench: cannot copy the buffers into the child (%s): they stay on shared pages\n",
                    strerror(errno));
        fn(arg, out);
        /* _exit: the parent's exit handlers and stdio buffers are not the child's to run. */
        _exit(write_all(fds[1], out, size) ? 1 : 0);
    }
    close(fds[1]);
    size_t got = read_all(fds[0], out, size);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            snprintf(why, why_cap, "lost its process: %s", strerror(errno));
            return 1;
        }
    if (got == size && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status))
        snprintf(why, why_cap, "its process died of signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status) && WEXITSTATUS(status))
        snprintf(why, why_cap, "its process exited with status %d", WEXITSTATUS(status));
    else
        snprintf(why, why_cap, "its process ended without a result");
    return 1;
}
