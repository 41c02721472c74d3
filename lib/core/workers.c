#include "core/workers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

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

void s2fi_run_workers(size_t n_workers, s2fi_work_fn fn, void *context)
{
    if (n_workers <= 1) {
        fn(context, 0, 1);
        return;
    }
    worker_job jobs_small[16];
    worker_job *jobs = n_workers <= 16 ? jobs_small : calloc(n_workers, sizeof *jobs);
    if (!jobs) {
        for (size_t w = 0; w < n_workers; ++w)
            fn(context, w, n_workers);
        return;
    }
    for (size_t w = 1; w < n_workers; ++w) {
        jobs[w] = (worker_job){.fn = fn, .context = context, .worker = w, .n_workers = n_workers};
        jobs[w].started = pthread_create(&jobs[w].thread, NULL, worker_main, &jobs[w]) == 0;
    }
    fn(context, 0, n_workers);
    for (size_t w = 1; w < n_workers; ++w) {
        if (jobs[w].started)
            pthread_join(jobs[w].thread, NULL);
        else
            fn(context, w, n_workers);
    }
    if (jobs != jobs_small)
        free(jobs);
}
