/* Thread pool: every item covered exactly once with contract-conforming chunks for many
 * (n, grain, threads); the caller and a worker really run at the same time; nested calls;
 * concurrent calls from user threads; thread-count changes (also while calls run); waking
 * sleeping workers; use after fork(). Its fork/join cost is measured by `gk bench pool`, not here:
 * timing never decides a test. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gk/device.h"
#include "gk_test.h"
#include "runtime/cpu.h"
#include "runtime/pool.h"

typedef struct {
    atomic_int *count;
    int64_t n, grain;
    int threads;
    atomic_int bad_chunk, bad_tid;
} cover_ctx;

static void cover_task(void *arg, int64_t begin, int64_t end, int tid)
{
    cover_ctx *c = arg;
    int64_t want_end = c->n - begin < c->grain ? c->n : begin + c->grain;
    if (begin % c->grain != 0 || end != want_end || begin < 0 || end > c->n)
        atomic_fetch_add(&c->bad_chunk, 1);
    if (tid < 0 || tid >= c->threads)
        atomic_fetch_add(&c->bad_tid, 1);
    for (int64_t i = begin; i < end; i++)
        atomic_fetch_add_explicit(&c->count[i], 1, memory_order_relaxed);
}

/* Runs one parallel_for; returns a description of what went wrong, or NULL. No CHECK here:
 * user threads call it concurrently and the test counters are not atomic. */
static const char *cover_errors(int64_t n, int64_t grain, int threads)
{
    atomic_int *count = calloc((size_t)(n > 0 ? n : 1), sizeof *count);
    cover_ctx c = {.count = count, .n = n, .grain = grain, .threads = threads};
    gk_parallel_for(n, grain, cover_task, &c);
    int64_t wrong = 0;
    for (int64_t i = 0; i < n; i++)
        wrong += atomic_load(&count[i]) != 1;
    free(count);
    if (wrong)
        return "items not covered exactly once";
    if (atomic_load(&c.bad_chunk))
        return "chunks with wrong bounds";
    if (atomic_load(&c.bad_tid))
        return "tids out of range";
    return NULL;
}

/* Runs one parallel_for and checks it; returns 1 on failure. */
static int cover(int64_t n, int64_t grain, int threads)
{
    const char *err = cover_errors(n, grain, threads);
    CHECK(err == NULL, "n=%lld grain=%lld threads=%d: %s", (long long)n, (long long)grain, threads, err);
    return err != NULL;
}

static void test_coverage(void)
{
    static const int threads[] = {1, 2, 3, 4, 7, 16};
    static const int64_t ns[] = {0, 1, 2, 3, 5, 17, 64, 100, 1000, 4097};
    static const int64_t grains[] = {1, 2, 3, 7, 64, 1000, 5000};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        CHECK_STATUS(gk_set_num_threads(threads[t]), GK_OK);
        CHECK(gk_get_num_threads() == threads[t] && gk_pool_threads() == threads[t], "thread count %d",
              gk_get_num_threads());
        for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
            for (size_t g = 0; g < sizeof grains / sizeof grains[0]; g++)
                if (cover(ns[i], grains[g], threads[t]))
                    return;
    }
    /* grain < 1 is treated as 1; a NULL function is a no-op. */
    CHECK(cover(10, 1, 16) == 0, "grain 1");
    gk_parallel_for(10, 1, NULL, NULL);
}

/* Chunk 0 waits until another chunk is running on a different thread: proves the caller and a
 * worker run at the same time (fails after a generous timeout, not by hanging). */
typedef struct {
    atomic_int other_started;
    atomic_int saw_concurrency;
} concurrency_ctx;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void concurrency_task(void *arg, int64_t begin, int64_t end, int tid)
{
    concurrency_ctx *c = arg;
    (void)end;
    (void)tid;
    if (begin == 0) {
        int64_t deadline = now_ns() + 5000000000ll;
        while (!atomic_load(&c->other_started) && now_ns() < deadline)
            sched_yield();
        atomic_store(&c->saw_concurrency, atomic_load(&c->other_started));
    } else {
        atomic_store(&c->other_started, 1);
    }
}

static void test_concurrency(void)
{
    CHECK_STATUS(gk_set_num_threads(2), GK_OK);
    for (int round = 0; round < 3; round++) {
        if (round == 2)
            usleep(200000); /* workers are asleep on the futex now: the call must wake them */
        concurrency_ctx c = {0};
        gk_parallel_for(2, 1, concurrency_task, &c);
        CHECK(atomic_load(&c.saw_concurrency), "round %d: no second thread ran while chunk 0 waited", round);
    }
}

/* Nested calls run inline on the calling thread and still cover everything. */
typedef struct {
    atomic_int *count;
    atomic_int bad;
} nested_ctx;

typedef struct {
    nested_ctx *outer;
    int64_t base;
    pthread_t self;
} inner_ctx;

static void inner_task(void *arg, int64_t begin, int64_t end, int tid)
{
    inner_ctx *c = arg;
    if (!pthread_equal(pthread_self(), c->self) || tid != 0)
        atomic_fetch_add(&c->outer->bad, 1);
    for (int64_t i = begin; i < end; i++)
        atomic_fetch_add(&c->outer->count[c->base + i], 1);
}

static void outer_task(void *arg, int64_t begin, int64_t end, int tid)
{
    (void)tid;
    for (int64_t o = begin; o < end; o++) {
        inner_ctx in = {arg, o * 100, pthread_self()};
        gk_parallel_for(100, 7, inner_task, &in);
    }
}

static void test_nested(void)
{
    CHECK_STATUS(gk_set_num_threads(4), GK_OK);
    atomic_int count[800] = {0};
    nested_ctx c = {.count = count};
    gk_parallel_for(8, 1, outer_task, &c);
    int wrong = 0;
    for (int i = 0; i < 800; i++)
        wrong += atomic_load(&count[i]) != 1;
    CHECK(wrong == 0, "nested: %d items not covered once", wrong);
    CHECK(atomic_load(&c.bad) == 0, "nested: %d inner chunks not inline", atomic_load(&c.bad));
}

/* Several user threads call at once while another changes the thread count. */
static atomic_int stop_toggling;

static void *user_thread(void *arg)
{
    int id = (int)(intptr_t)arg;
    const char *err = NULL;
    for (int r = 0; r < 150 && !err; r++)
        err = cover_errors(257 + id * 31 + r, 1 + (r % 5) * 8, 4);
    return (void *)err;
}

static void *toggler(void *arg)
{
    (void)arg;
    for (int i = 0; !atomic_load(&stop_toggling); i++) {
        gk_set_num_threads(1 + i % 4);
        usleep(50);
    }
    return NULL;
}

static void test_user_threads(int toggle)
{
    pthread_t users[4], tog;
    CHECK_STATUS(gk_set_num_threads(4), GK_OK);
    atomic_store(&stop_toggling, 0);
    if (toggle)
        pthread_create(&tog, NULL, toggler, NULL);
    for (int i = 0; i < 4; i++)
        pthread_create(&users[i], NULL, user_thread, (void *)(intptr_t)i);
    for (int i = 0; i < 4; i++) {
        void *err;
        pthread_join(users[i], &err);
        CHECK(err == NULL, "user thread %d (toggle %d): %s", i, toggle, (const char *)err);
    }
    atomic_store(&stop_toggling, 1);
    if (toggle)
        pthread_join(tog, NULL);
}

/* Ranges near INT64_MAX: chunk bounds must not overflow (only the bounds are recorded). */
typedef struct {
    atomic_int calls;
    int64_t begin[4], end[4];
} huge_ctx;

static void huge_task(void *arg, int64_t begin, int64_t end, int tid)
{
    huge_ctx *c = arg;
    (void)tid;
    int i = atomic_fetch_add(&c->calls, 1);
    if (i < 4) {
        c->begin[i] = begin;
        c->end[i] = end;
    }
}

static void test_huge_range(void)
{
    const int64_t grain = INT64_MAX / 2 + 1;
    for (int threads = 1; threads <= 2; threads++) {
        CHECK_STATUS(gk_set_num_threads(threads), GK_OK);
        huge_ctx c = {0};
        gk_parallel_for(INT64_MAX, grain, huge_task, &c);
        CHECK(atomic_load(&c.calls) == 2, "threads=%d: %d chunks, want 2", threads, atomic_load(&c.calls));
        int first = c.begin[0] == 0 ? 0 : 1, second = 1 - first;
        CHECK(c.begin[first] == 0 && c.end[first] == grain, "threads=%d: first chunk [%lld, %lld)", threads,
              (long long)c.begin[first], (long long)c.end[first]);
        CHECK(c.begin[second] == grain && c.end[second] == INT64_MAX, "threads=%d: second chunk [%lld, %lld)",
              threads, (long long)c.begin[second], (long long)c.end[second]);
    }
}

static void test_thread_count(void)
{
    CHECK_STATUS(gk_set_num_threads(0), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_set_num_threads(-3), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_set_num_threads(1025), GK_ERR_INVALID_ARG);
    CHECK_STATUS(gk_set_num_threads(1024), GK_OK);
    CHECK(gk_get_num_threads() == 1024, "count %d", gk_get_num_threads());
    CHECK(cover(3000, 1, 1024) == 0, "1024 threads");
    CHECK_STATUS(gk_set_num_threads(1), GK_OK);
    CHECK(gk_get_num_threads() == 1, "count %d", gk_get_num_threads());
    CHECK(cover(1000, 3, 1) == 0, "back to 1 thread");
}

static void test_fork(void)
{
    CHECK_STATUS(gk_set_num_threads(3), GK_OK);
    CHECK(cover(500, 1, 3) == 0, "before fork");
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20); /* a pool that forgot its workers would hang: fail instead */
        _exit(cover_errors(500, 1, 3) ? 1 : 0);
    }
    int status = 0;
    CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "fork/wait");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "pool in a forked child failed (status 0x%x)", status);
}

int main(void)
{
    /* Default thread count: GK_NUM_THREADS when valid, else the usable cores. */
    const char *env = getenv("GK_NUM_THREADS");
    char *end = NULL;
    long v = env ? strtol(env, &end, 10) : 0;
    int want = env && *env && *end == '\0' && v >= 1 && v <= 1024 ? (int)v : gk_cpu()->cores;
    CHECK(gk_get_num_threads() == want, "default thread count %d, want %d", gk_get_num_threads(), want);

    test_coverage();
    test_concurrency();
    test_nested();
    test_user_threads(0);
    test_user_threads(1);
    test_huge_range();
    test_thread_count();
    test_fork();
    return gk_test_finish("runtime_pool");
}
