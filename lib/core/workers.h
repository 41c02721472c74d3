/* Fork-join parallelism on plain pthreads, so the library never touches OpenBLAS's or OpenMP's
 * global thread settings. A handle that runs parallel work (voice encoder, face encoder, face
 * index) owns an s2fi_pool: helper threads started on first need and reused by every later call,
 * so a small call (a 2 s clip's pooling, a 1k-face search) does not pay thread starts (~20-50 µs
 * each) every time. The pool serves one job at a time: a caller that finds it busy (two threads
 * searching one index at once) starts its own threads for that call, as a pool-less call does.
 * After a job its helpers poll briefly for the next one before sleeping (workers.c, SPIN_NS). */
#ifndef S2F_CORE_WORKERS_H
#define S2F_CORE_WORKERS_H

#include <stddef.h>

typedef void (*s2fi_work_fn)(void *context, size_t worker, size_t n_workers);
typedef struct s2fi_pool s2fi_pool;

/** An empty pool (no threads yet); NULL when out of memory (callers then run pool-less). */
s2fi_pool *s2fi_pool_create(void);
/** Stops and joins the pool's threads and frees it. NULL is a no-op. No job may be running. */
void s2fi_pool_free(s2fi_pool *pool);

/** Runs fn(context, w, n_workers) for w = 0..n_workers-1 and waits for all: worker 0 on the
 *  calling thread, the others on the pool's threads (started now if it has fewer), or on
 *  threads started for this call when `pool` is NULL or busy. A share whose thread cannot be
 *  started runs on the calling thread, so this never fails. Work is split the same way
 *  whichever threads run it, so results do not depend on the pool. */
void s2fi_run_workers(s2fi_pool *pool, size_t n_workers, s2fi_work_fn fn, void *context);

/** Tells the pool's helpers, polling for the next job of a burst, that none is coming soon
 *  (the caller is about to run OpenBLAS's threads, which would compete with them for the
 *  cores): they sleep at once. The next s2fi_run_workers wakes them as usual. NULL: no-op. */
void s2fi_pool_park(s2fi_pool *pool);

/** Whether a layer's work is worth splitting across threads at all: its weights reach
 *  `weight_bytes` ≥ 1 MB (streaming them is then memory-bound, and each thread reads only its
 *  share) or its arithmetic `flops` ≥ 32 M (≈ 0.15 ms on one core). Below both, the data a
 *  split moves between the cores' caches and the job's hand-offs cost more than the second core
 *  gives: face-api's 35×35×32 and 17×17×64 layers (0.15–0.6 MB of weights, 6–8 MFLOP per
 *  product phase) ran 1.3–1.8× slower on two threads than on one, its 8×8×128 and 4×4×256
 *  layers (2.4 MB) 1.4× faster. */
static inline int s2fi_worth_splitting(double weight_bytes, double flops)
{
    return weight_bytes >= 1048576.0 || flops >= 32e6;
}

/** Workers worth starting for `work` units when each should get at least `min_per_worker` (a
 *  thread start costs more than a smaller share saves): min(threads, max(1, work / min)). */
static inline size_t s2fi_useful_workers(size_t threads, size_t work, size_t min_per_worker)
{
    size_t useful = work / min_per_worker;
    if (useful < 1)
        useful = 1;
    return threads < useful ? threads : useful;
}

/** The threads a handle's layers use when its caller has not chosen: OpenBLAS's count
 *  (openblas_get_num_threads, so OPENBLAS_NUM_THREADS governs OpenBLAS's threads and the
 *  library's alike), clamped to [1, max]. */
size_t s2fi_blas_threads(size_t max);

/** Splits [0, total) into n_workers contiguous parts; part w is [*begin, *end). */
static inline void s2fi_worker_range(size_t total, size_t worker, size_t n_workers, size_t *begin,
                                     size_t *end)
{
    size_t base = total / n_workers, extra = total % n_workers;
    *begin = worker * base + (worker < extra ? worker : extra);
    *end = *begin + base + (worker < extra ? 1 : 0);
}

#endif
