/* Fork-join parallelism on plain pthreads, so the library never touches OpenBLAS's or OpenMP's
 * global thread settings. Threads are started per call: the work split (an index search, a block
 * of Winograd tiles) is far longer than a thread start (~20 µs). */
#ifndef S2F_CORE_WORKERS_H
#define S2F_CORE_WORKERS_H

#include <stddef.h>

typedef void (*s2fi_work_fn)(void *context, size_t worker, size_t n_workers);

/** Runs fn(context, w, n_workers) for w = 0..n_workers-1 and waits for all: worker 0 on the
 *  calling thread, the others on new threads. If a thread cannot be started its share runs on
 *  the calling thread, so this never fails. */
void s2fi_run_workers(size_t n_workers, s2fi_work_fn fn, void *context);

/** Workers worth starting for `work` units when each should get at least `min_per_worker` (a
 *  thread start costs more than a smaller share saves): min(threads, max(1, work / min)). */
static inline size_t s2fi_useful_workers(size_t threads, size_t work, size_t min_per_worker)
{
    size_t useful = work / min_per_worker;
    if (useful < 1)
        useful = 1;
    return threads < useful ? threads : useful;
}

/** Splits [0, total) into n_workers contiguous parts; part w is [*begin, *end). */
static inline void s2fi_worker_range(size_t total, size_t worker, size_t n_workers, size_t *begin,
                                     size_t *end)
{
    size_t base = total / n_workers, extra = total % n_workers;
    *begin = worker * base + (worker < extra ? worker : extra);
    *end = *begin + base + (worker < extra ? 1 : 0);
}

#endif
