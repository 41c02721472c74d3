#include "core/workers.h"

#include <cblas.h>

#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

/* How long a helper keeps polling for the next job, and a caller for its helpers' shares, before
 * sleeping on the condition variable. Waking a sleeping thread costs tens of microseconds on a
 * VM (futex + an inter-processor interrupt), as much as a whole layer of a small network: the
 * face encoder's 3×3 layers run three jobs each in 0.1–0.2 ms, and with sleeping helpers two
 * threads made them slower than one. Polling briefly keeps a burst of jobs (one encode) on hot
 * threads; an idle pool still sleeps 200 µs after its last job. The poll yields the core every
 * few iterations, so that on a busy machine it does not take the core from the thread it waits
 * for. */
#define SPIN_NS 200000L

static long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Polls *value for at most SPIN_NS until it equals `reference` (until_equal) or differs from
 * it (!until_equal), or *stop is set. The fields are read atomically: their writers hold the
 * pool's mutex, the poller does not. */
static void spin(const unsigned long *value, unsigned long reference, bool until_equal,
                 const bool *stop)
{
    const long deadline = now_ns() + SPIN_NS;
    for (unsigned i = 1;; ++i) {
        if ((__atomic_load_n(value, __ATOMIC_ACQUIRE) == reference) == until_equal ||
            (stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE)))
            return;
        cpu_relax();
        if ((i & 63) == 0) {
            /* Give the core away if anything else wants it: a poller must not starve the thread
             * it waits for when the machine has more runnable threads than cores. */
            sched_yield();
            if (now_ns() > deadline)
                return;
        }
    }
}

/* More helpers than this are never kept (the handles' own thread limits are lower); a job
 * wanting more runs the rest of its shares on per-call threads. */
#define MAX_POOL_HELPERS 255

typedef struct helper {
    struct s2fi_pool *pool;
    size_t index; /* runs share index + 1 */
    unsigned long start_generation; /* the pool's job count when it was started */
    pthread_t thread;
} helper;

struct s2fi_pool {
    pthread_mutex_t job_lock; /* held by the caller for a whole job: one job at a time */
    pthread_mutex_t mutex;    /* guards everything below */
    pthread_cond_t wake;      /* a new job (or stop) for the helpers */
    pthread_cond_t finished;  /* the last helper share of a job is done */
    helper helpers[MAX_POOL_HELPERS];
    size_t n_helpers;
    unsigned long generation; /* counts jobs, so a helper runs each at most once */
    s2fi_work_fn fn;
    void *context;
    size_t n_workers;
    unsigned long pending; /* helper shares of the current job not yet finished */
    bool stop;             /* generation, pending, stop, parked: atomic (polled unlocked) */
    bool parked;           /* s2fi_pool_park: no job is coming soon, sleep now */
};

static void *helper_main(void *arg)
{
    helper *self = arg;
    s2fi_pool *pool = self->pool;
    /* Helpers are started just before the job that needs them is posted, so the job count they
     * were started at (not the one they find, which may already be that job's) is "seen". */
    unsigned long seen = self->start_generation;
    pthread_mutex_lock(&pool->mutex);
    for (;;) {
        if (!__atomic_load_n(&pool->stop, __ATOMIC_ACQUIRE) &&
            __atomic_load_n(&pool->generation, __ATOMIC_ACQUIRE) == seen) {
            pthread_mutex_unlock(&pool->mutex);
            if (!__atomic_load_n(&pool->parked, __ATOMIC_ACQUIRE))
                spin(&pool->generation, seen, false, &pool->parked); /* the next job of a burst */
            pthread_mutex_lock(&pool->mutex);
        }
        while (!__atomic_load_n(&pool->stop, __ATOMIC_ACQUIRE) &&
               __atomic_load_n(&pool->generation, __ATOMIC_ACQUIRE) == seen)
            pthread_cond_wait(&pool->wake, &pool->mutex);
        if (__atomic_load_n(&pool->stop, __ATOMIC_ACQUIRE))
            break;
        seen = __atomic_load_n(&pool->generation, __ATOMIC_ACQUIRE);
        size_t share = self->index + 1;
        if (share >= pool->n_workers)
            continue;
        s2fi_work_fn fn = pool->fn;
        void *context = pool->context;
        size_t n_workers = pool->n_workers;
        pthread_mutex_unlock(&pool->mutex);
        fn(context, share, n_workers);
        pthread_mutex_lock(&pool->mutex);
        if (__atomic_sub_fetch(&pool->pending, 1, __ATOMIC_ACQ_REL) == 0)
            pthread_cond_signal(&pool->finished);
    }
    pthread_mutex_unlock(&pool->mutex);
    return NULL;
}

s2fi_pool *s2fi_pool_create(void)
{
    s2fi_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return NULL;
    if (pthread_mutex_init(&pool->job_lock, NULL) != 0) {
        free(pool);
        return NULL;
    }
    if (pthread_mutex_init(&pool->mutex, NULL) != 0) {
        pthread_mutex_destroy(&pool->job_lock);
        free(pool);
        return NULL;
    }
    if (pthread_cond_init(&pool->wake, NULL) != 0) {
        pthread_mutex_destroy(&pool->mutex);
        pthread_mutex_destroy(&pool->job_lock);
        free(pool);
        return NULL;
    }
    if (pthread_cond_init(&pool->finished, NULL) != 0) {
        pthread_cond_destroy(&pool->wake);
        pthread_mutex_destroy(&pool->mutex);
        pthread_mutex_destroy(&pool->job_lock);
        free(pool);
        return NULL;
    }
    return pool;
}

void s2fi_pool_free(s2fi_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->mutex);
    __atomic_store_n(&pool->stop, true, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
    for (size_t h = 0; h < pool->n_helpers; ++h)
        pthread_join(pool->helpers[h].thread, NULL);
    pthread_cond_destroy(&pool->finished);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->mutex);
    pthread_mutex_destroy(&pool->job_lock);
    free(pool);
}

/* Starts helpers until there are `wanted` (or one fails to start, or the cap); returns how many
 * there are. Called with job_lock held, so no job is running on the pool. */
static size_t grow(s2fi_pool *pool, size_t wanted)
{
    if (wanted > MAX_POOL_HELPERS)
        wanted = MAX_POOL_HELPERS;
    while (pool->n_helpers < wanted) {
        helper *h = &pool->helpers[pool->n_helpers];
        *h = (helper){.pool = pool, .index = pool->n_helpers,
                      .start_generation = __atomic_load_n(&pool->generation, __ATOMIC_ACQUIRE)};
        if (pthread_create(&h->thread, NULL, helper_main, h) != 0)
            break;
        pthread_mutex_lock(&pool->mutex);
        pool->n_helpers++;
        pthread_mutex_unlock(&pool->mutex);
    }
    return pool->n_helpers;
}

typedef struct worker_job {
    s2fi_work_fn fn;
    void *context;
    size_t worker;
    size_t n_workers;
    pthread_t thread;
    bool started;
} worker_job;

static void *worker_main(void *arg)
{
    worker_job *job = arg;
    job->fn(job->context, job->worker, job->n_workers);
    return NULL;
}

/* Shares [first, n_workers) on threads started for this call (the calling thread runs share 0
 * when first is 1, and any share whose thread does not start). */
static void run_on_new_threads(size_t first, size_t n_workers, s2fi_work_fn fn, void *context,
                               bool run_share_zero)
{
    size_t count = n_workers - first;
    worker_job jobs_small[16];
    worker_job *jobs = count <= 16 ? jobs_small : calloc(count, sizeof *jobs);
    if (!jobs) {
        if (run_share_zero)
            fn(context, 0, n_workers);
        for (size_t w = first; w < n_workers; ++w)
            fn(context, w, n_workers);
        return;
    }
    for (size_t i = 0; i < count; ++i) {
        jobs[i] = (worker_job){.fn = fn, .context = context, .worker = first + i,
                               .n_workers = n_workers};
        jobs[i].started = pthread_create(&jobs[i].thread, NULL, worker_main, &jobs[i]) == 0;
    }
    if (run_share_zero)
        fn(context, 0, n_workers);
    for (size_t i = 0; i < count; ++i) {
        if (jobs[i].started)
            pthread_join(jobs[i].thread, NULL);
        else
            fn(context, first + i, n_workers);
    }
    if (jobs != jobs_small)
        free(jobs);
}

void s2fi_pool_park(s2fi_pool *pool)
{
    if (pool)
        __atomic_store_n(&pool->parked, true, __ATOMIC_RELEASE);
}

void s2fi_run_workers(s2fi_pool *pool, size_t n_workers, s2fi_work_fn fn, void *context)
{
    if (n_workers <= 1) {
        fn(context, 0, 1);
        return;
    }
    if (!pool || pthread_mutex_trylock(&pool->job_lock) != 0) {
        run_on_new_threads(1, n_workers, fn, context, true);
        return;
    }
    size_t helpers = grow(pool, n_workers - 1);
    size_t on_pool = helpers < n_workers - 1 ? helpers : n_workers - 1;
    pthread_mutex_lock(&pool->mutex);
    pool->fn = fn;
    pool->context = context;
    pool->n_workers = n_workers;
    __atomic_store_n(&pool->pending, (unsigned long)on_pool, __ATOMIC_RELEASE);
    __atomic_store_n(&pool->parked, false, __ATOMIC_RELEASE);
    __atomic_add_fetch(&pool->generation, 1, __ATOMIC_ACQ_REL); /* publishes the job */
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
    /* Shares beyond the pool's helpers (a cap, or a thread that would not start). */
    if (on_pool + 1 < n_workers)
        run_on_new_threads(on_pool + 1, n_workers, fn, context, false);
    fn(context, 0, n_workers);
    spin(&pool->pending, 0, true, NULL);
    pthread_mutex_lock(&pool->mutex);
    while (__atomic_load_n(&pool->pending, __ATOMIC_ACQUIRE) > 0)
        pthread_cond_wait(&pool->finished, &pool->mutex);
    pthread_mutex_unlock(&pool->mutex);
    pthread_mutex_unlock(&pool->job_lock);
}

size_t s2fi_blas_threads(size_t max)
{
    const int blas = openblas_get_num_threads();
    return blas < 1 ? 1 : (size_t)blas > max ? max : (size_t)blas;
}
