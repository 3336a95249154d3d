/* The process-wide thread pool behind gk_parallel_for (DESIGN §9, contract in pool.h).
 *
 * Workers are persistent pthreads created on demand. A call publishes one job (function,
 * range, chunk size) and bumps a generation counter; workers that notice it register in the
 * job, take chunks from an atomic counter, and leave. The caller takes chunks too, then closes
 * the job (no new registrations) and waits only for the workers still inside it, so a worker
 * that was descheduled and never joined costs nothing. After each job a worker spins for a
 * short time (back-to-back decode ops arrive within microseconds) and then sleeps on a futex:
 * never spin-only, which collapses when threads outnumber free cores. The caller wakes only
 * the sleepers a job needs beyond the spinners. One job runs at a time; a
 * call made while the pool is busy (another user thread) or from inside a task runs inline. */
#include "runtime/pool.h"

#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "gk/device.h"
#include "runtime/cpu.h"
#include "runtime/error.h"

enum { MAX_THREADS = 1024 };
static const int64_t spin_ns = 50000; /* spin before sleeping: covers a few op launches */

/* job_state: OPEN while workers may register, WAITER when the caller sleeps on the word,
 * and the number of registered workers in the low bits. */
#define JOB_OPEN (1u << 31)
#define JOB_WAITER (1u << 30)
#define JOB_COUNT (JOB_WAITER - 1)

static struct {
    gk_task_fn fn;
    void *ctx;
    int64_t n, grain, nchunks;
    int participants; /* tids [0, participants) take chunks */
    unsigned gen;
    atomic_llong next; /* next chunk to hand out */
    atomic_int joined; /* workers registered so far: gives each its tid */
} job;

static atomic_uint job_state;
static atomic_uint gen;          /* bumped per job; workers sleep on it */
static atomic_int sleepers;      /* workers inside futex_wait on gen */
static atomic_int spinners;      /* workers spinning for the next job */
static atomic_int busy;          /* 1 while a caller owns the pool */
static int workers;              /* created so far (changed only by the owner of busy) */
static atomic_int nthreads;
static pthread_once_t threads_once = PTHREAD_ONCE_INIT;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static _Thread_local int in_task; /* nested calls run inline */

static void futex_wait(atomic_uint *word, unsigned val)
{
    syscall(SYS_futex, (void *)word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(atomic_uint *word, int n)
{
    syscall(SYS_futex, (void *)word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int gen_changed(unsigned seen)
{
    return atomic_load_explicit(&gen, memory_order_acquire) != seen;
}

static int workers_gone(unsigned unused)
{
    (void)unused;
    return (atomic_load_explicit(&job_state, memory_order_acquire) & JOB_COUNT) == 0;
}

/* Spin on pred for up to spin_ns; returns 1 if it came true. Checks the clock every 64 rounds
 * because reading it costs more than a pause. */
static inline int spin_until(int (*pred)(unsigned), unsigned arg)
{
    int64_t t0 = 0;
    for (unsigned i = 1;; i++) {
        if (pred(arg))
            return 1;
        if ((i & 63) == 0) {
            int64_t t = now_ns();
            if (!t0)
                t0 = t;
            else if (t - t0 > spin_ns)
                return 0;
        }
        cpu_relax();
    }
}

static void init_threads(void)
{
    int n = gk_cpu()->cores;
    const char *s = getenv("GK_NUM_THREADS");
    if (s && *s) {
        char *end;
        long v = strtol(s, &end, 10);
        if (*end == '\0' && v >= 1 && v <= MAX_THREADS)
            n = (int)v;
    }
    atomic_store(&nthreads, n < MAX_THREADS ? n : MAX_THREADS);
}

gk_status gk_set_num_threads(int n)
{
    if (n < 1 || n > MAX_THREADS)
        return gk_fail(GK_ERR_INVALID_ARG, "gk_set_num_threads: %d is outside [1, %d]", n, MAX_THREADS);
    pthread_once(&threads_once, init_threads);
    atomic_store(&nthreads, n);
    return GK_OK;
}

int gk_get_num_threads(void)
{
    pthread_once(&threads_once, init_threads);
    return atomic_load_explicit(&nthreads, memory_order_relaxed);
}

int gk_pool_threads(void)
{
    return gk_get_num_threads();
}

static void run_chunks(int tid)
{
    for (;;) {
        int64_t c = atomic_fetch_add_explicit(&job.next, 1, memory_order_relaxed);
        if (c >= job.nchunks)
            return;
        int64_t begin = c * job.grain;
        int64_t end = job.n - begin < job.grain ? job.n : begin + job.grain;
        job.fn(job.ctx, begin, end, tid);
    }
}

/* Workers spin only after they were active, so the number spinning is bounded by the threads
 * recent jobs used, however many workers exist. A spinner that gives up checks gen once more
 * after counting itself as a sleeper, so a job published meanwhile is never missed. */
static void wait_for_job(unsigned seen)
{
    atomic_fetch_add(&spinners, 1);
    int got = spin_until(gen_changed, seen);
    atomic_fetch_sub(&spinners, 1);
    if (got)
        return;
    atomic_fetch_add(&sleepers, 1);
    while (atomic_load(&gen) == seen)
        futex_wait(&gen, seen);
    atomic_fetch_sub(&sleepers, 1);
}

static void *worker_main(void *arg)
{
    unsigned seen = (unsigned)(uintptr_t)arg;
    in_task = 1;
    for (;;) {
        wait_for_job(seen);
        unsigned g = atomic_load_explicit(&gen, memory_order_acquire);
        unsigned s = atomic_load_explicit(&job_state, memory_order_relaxed);
        int joined = 0;
        while (s & JOB_OPEN) {
            if (atomic_compare_exchange_weak_explicit(&job_state, &s, s + 1, memory_order_acquire,
                                                      memory_order_relaxed)) {
                joined = 1;
                break;
            }
        }
        if (!joined) {
            seen = g; /* that job is already over */
            continue;
        }
        seen = job.gen;
        /* tids go to whichever workers come first (spinning ones, or the sleepers the caller
         * woke), so a job never waits for a particular thread. */
        int tid = 1 + atomic_fetch_add_explicit(&job.joined, 1, memory_order_relaxed);
        if (tid < job.participants)
            run_chunks(tid);
        unsigned old = atomic_fetch_sub_explicit(&job_state, 1, memory_order_acq_rel);
        if ((old & (JOB_OPEN | JOB_COUNT)) == 1 && (old & JOB_WAITER))
            futex_wake(&job_state, 1);
    }
    return NULL;
}

/* In a child after fork() only the forking thread exists: forget the workers. */
static void reset_in_child(void)
{
    workers = 0;
    atomic_store(&busy, 0);
    atomic_store(&job_state, 0);
    atomic_store(&sleepers, 0);
    atomic_store(&spinners, 0);
}

static void register_atfork(void)
{
    pthread_atfork(NULL, NULL, reset_in_child);
}

/* Create workers until `want` threads (caller included) exist; returns how many are usable.
 * A failing pthread_create just leaves fewer threads. */
static int ensure_workers(int want)
{
    if (workers + 1 >= want)
        return want;
    pthread_once(&atfork_once, register_atfork);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* Signals belong to the user's threads, never to ours. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    unsigned g = atomic_load_explicit(&gen, memory_order_relaxed);
    while (workers + 1 < want) {
        pthread_t t;
        if (pthread_create(&t, &attr, worker_main, (void *)(uintptr_t)g) != 0)
            break;
        workers++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    return workers + 1 < want ? workers + 1 : want;
}

/* Counts chunks rather than adding grain to begin, which could overflow near INT64_MAX. */
static void run_inline(int64_t n, int64_t grain, int64_t nchunks, gk_task_fn fn, void *ctx)
{
    for (int64_t c = 0; c < nchunks; c++) {
        int64_t begin = c * grain;
        fn(ctx, begin, n - begin < grain ? n : begin + grain, 0);
    }
}

static void wait_for_workers(void)
{
    if (spin_until(workers_gone, 0))
        return;
    unsigned s = atomic_load_explicit(&job_state, memory_order_acquire);
    while (s & JOB_COUNT) {
        if (atomic_compare_exchange_weak_explicit(&job_state, &s, s | JOB_WAITER, memory_order_acquire,
                                                  memory_order_acquire)) {
            futex_wait(&job_state, s | JOB_WAITER);
            s = atomic_load_explicit(&job_state, memory_order_acquire);
        }
    }
}

void gk_parallel_for(int64_t n, int64_t grain, gk_task_fn fn, void *ctx)
{
    if (n <= 0 || !fn)
        return;
    if (grain < 1)
        grain = 1;
    int64_t nchunks = n / grain + (n % grain != 0);
    int threads = gk_get_num_threads();
    int p = nchunks < threads ? (int)nchunks : threads;
    int expected = 0;
    if (p <= 1 || in_task || !atomic_compare_exchange_strong(&busy, &expected, 1)) {
        run_inline(n, grain, nchunks, fn, ctx);
        return;
    }
    p = ensure_workers(p);
    if (p <= 1) {
        atomic_store_explicit(&busy, 0, memory_order_release);
        run_inline(n, grain, nchunks, fn, ctx);
        return;
    }

    job.fn = fn;
    job.ctx = ctx;
    job.n = n;
    job.grain = grain;
    job.nchunks = nchunks;
    job.participants = p;
    job.gen = atomic_load_explicit(&gen, memory_order_relaxed) + 1;
    atomic_store_explicit(&job.next, 0, memory_order_relaxed);
    atomic_store_explicit(&job.joined, 0, memory_order_relaxed);
    atomic_store_explicit(&job_state, JOB_OPEN, memory_order_release);
    atomic_store(&gen, job.gen);
    /* Wake only the sleepers the job can use beyond the workers already spinning: no system
     * call on back-to-back calls, and idle workers beyond the thread count stay asleep. */
    int wake = p - 1 - atomic_load(&spinners);
    if (wake > 0 && atomic_load(&sleepers) > 0)
        futex_wake(&gen, wake);

    in_task = 1;
    run_chunks(0);
    in_task = 0;
    /* Every chunk is taken; the workers still registered finish theirs. */
    if (atomic_fetch_and_explicit(&job_state, ~JOB_OPEN, memory_order_acq_rel) & JOB_COUNT)
        wait_for_workers();
    atomic_store_explicit(&job_state, 0, memory_order_relaxed);
    atomic_store_explicit(&busy, 0, memory_order_release);
}
