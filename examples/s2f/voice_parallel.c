/* Many audio files → features, several files at a time: one pipeline per thread on the shared
 * model (a model is immutable and may be shared; a pipeline is used by one thread at a time).
 * The shipped voice encoder is small (8–64 channels), so one clip leaves a second core mostly
 * idle inside its layers, and the rest of a file's work (decoding, resampling, the spectrogram,
 * the speech check) is serial; whole files in parallel use every core. OpenBLAS is held at one
 * thread meanwhile, so the pipelines' layers (which follow its count) do not oversubscribe the
 * cores, and restored afterwards. */
#include "cli.h"

#include <pthread.h>
#include <stdlib.h>

#define MAX_FILE_WORKERS 8

typedef struct shared {
    const char *const *paths;
    size_t count, next, failed_at;
    int segments, failed_rc, stop;
    float *features;
    size_t dim;
    progress *bar;
    pthread_mutex_t lock;
} shared;

typedef struct worker {
    shared *s;
    s2f_pipeline *pipeline;
    pthread_t thread;
} worker;

static void *run_files(void *context)
{
    worker *w = context;
    shared *s = w->s;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        const size_t i = s->stop ? s->count : s->next++;
        pthread_mutex_unlock(&s->lock);
        if (i >= s->count)
            return NULL;
        const int rc = cli_voice_feature(w->pipeline, s->paths[i], s->segments,
                                         s->features + i * s->dim, s->dim);
        pthread_mutex_lock(&s->lock);
        if (rc != CLI_OK) { /* the earliest failing file's code, as the serial loop gives */
            if (i < s->failed_at) {
                s->failed_at = i;
                s->failed_rc = rc;
            }
            s->stop = 1;
        }
        progress_step(s->bar);
        pthread_mutex_unlock(&s->lock);
    }
}

int cli_voice_features(const s2f_model *model, s2f_pipeline *pipeline, int force,
                       const char *const *paths, size_t count, int segments, float *features,
                       size_t dim, progress *bar)
{
    const int threads = cli_blas_threads();
    size_t workers = (size_t)threads;
    if (workers > count)
        workers = count;
    if (workers > MAX_FILE_WORKERS)
        workers = MAX_FILE_WORKERS;
    worker pool[MAX_FILE_WORKERS] = {{0}};
    shared s = {.paths = paths, .count = count, .failed_at = count, .segments = segments,
                .failed_rc = CLI_OK, .features = features, .dim = dim, .bar = bar};
    pool[0].pipeline = pipeline;
    size_t ready = 1; /* pipelines; a second one that cannot be made means fewer workers */
    while (ready < workers && s2f_pipeline_create(model, &pool[ready].pipeline) == S2F_OK) {
        if (force)
            s2f_pipeline_set_min_speech(pool[ready].pipeline, 0.0);
        ++ready;
    }
    if (ready > 1)
        cli_set_blas_threads(1);
    pthread_mutex_init(&s.lock, NULL);
    size_t started = 1;
    for (; started < ready; ++started) {
        pool[started].s = &s;
        if (pthread_create(&pool[started].thread, NULL, run_files, &pool[started]) != 0)
            break;
    }
    pool[0].s = &s;
    run_files(&pool[0]);
    for (size_t i = 1; i < started; ++i)
        pthread_join(pool[i].thread, NULL);
    pthread_mutex_destroy(&s.lock);
    for (size_t i = 1; i < ready; ++i)
        s2f_pipeline_free(pool[i].pipeline);
    if (ready > 1)
        cli_set_blas_threads(threads);
    return s.failed_rc;
}
