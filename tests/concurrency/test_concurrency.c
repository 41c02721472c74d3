/* Thread-safety proof, written to run under ThreadSanitizer (tools/ci/run-sanitizers.sh --tsan):
 *
 *  1. Pipeline: THREADS threads share ONE s2f_model; each builds its own spectrogram, voice
 *     encoder and face decoder from it and runs every clip several times, in a thread-specific
 *     order. Every spectrogram, feature, landmark set and image must be bit-identical to a
 *     single-threaded run made before the threads start.
 *  2. Index: READERS threads search one s2f_face_index (single and batch paths) while a writer
 *     adds and removes vectors placed far from every query and saves the index. The far vectors
 *     can never enter a top-k, so every search must return exactly the single-threaded result,
 *     whatever the writer is doing.
 *
 * All sharing between the test's threads goes through the library or C11 atomics, so any TSan
 * report is a race in the library. OPENBLAS_NUM_THREADS=1 (the test setup's default) keeps the
 * uninstrumented OpenBLAS from starting threads of its own. */
#include <speech2face.h>

#include "tiny_model.h"

#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

enum { CLIPS = 3, THREADS = 4, ROUNDS = 2, SAMPLE_RATE = 16000, CLIP_SAMPLES = 24000 };

typedef struct clip_result {
    float *spectrogram;
    size_t spectrogram_floats;
    float feature[64];
    float *rgb;
    uint8_t *rgb_u8;
    float landmarks[64];
} clip_result;

static s2f_model *model;
static size_t encoder_threads = 1; /* each pipeline's s2f_voice_encoder_set_threads */
static float pcm[CLIPS][CLIP_SAMPLES];
static clip_result reference[CLIPS];
static size_t feature_dim, image_floats, landmark_floats;
static atomic_int mismatches;

/* A deterministic "voice": a few harmonics with vibrato plus low noise, different per clip. */
static void make_clip(int clip, float *out)
{
    uint32_t rng = 12345u + (uint32_t)clip * 7919u;
    const double f0 = 110.0 + 40.0 * clip;
    for (int i = 0; i < CLIP_SAMPLES; ++i) {
        const double t = (double)i / SAMPLE_RATE;
        const double f = f0 * (1.0 + 0.02 * sin(2.0 * M_PI * 5.0 * t));
        double v = 0.0;
        for (int h = 1; h <= 5; ++h)
            v += 0.3 / h * sin(2.0 * M_PI * f * h * t);
        rng = rng * 1664525u + 1013904223u;
        v += 0.01 * ((double)(rng >> 8) / 16777216.0 - 0.5);
        out[i] = (float)v;
    }
}

typedef struct pipeline {
    s2f_spectrogram *spectrogram;
    s2f_voice_encoder *encoder;
    s2f_face_decoder *decoder;
    size_t frames, bins;
} pipeline;

static s2f_status pipeline_open(pipeline *p)
{
    memset(p, 0, sizeof *p);
    s2f_status status;
    if ((status = s2f_spectrogram_create(NULL, &p->spectrogram)) ||
        (status = s2f_voice_encoder_create(model, &p->encoder)) ||
        (status = s2f_face_decoder_create(model, &p->decoder)) ||
        (status = s2f_voice_encoder_set_threads(p->encoder, encoder_threads)))
        return status;
    return s2f_spectrogram_shape(p->spectrogram, CLIP_SAMPLES, &p->frames, &p->bins);
}

static void pipeline_close(pipeline *p)
{
    s2f_face_decoder_free(p->decoder);
    s2f_voice_encoder_free(p->encoder);
    s2f_spectrogram_free(p->spectrogram);
}

/* Runs one clip through every stage into `r` (buffers allocated by the caller). */
static s2f_status pipeline_run(pipeline *p, int clip, clip_result *r)
{
    s2f_status status;
    size_t frames = 0;
    if ((status = s2f_spectrogram_compute(p->spectrogram, pcm[clip], CLIP_SAMPLES, r->spectrogram,
                                          r->spectrogram_floats, &frames)) ||
        (status = s2f_voice_encoder_encode(p->encoder, r->spectrogram, frames, p->bins, 2,
                                           r->feature, feature_dim)) ||
        (status = s2f_face_decoder_decode(p->decoder, r->feature, feature_dim, r->rgb,
                                          image_floats, r->landmarks, landmark_floats)))
        return status;
    const size_t side = (size_t)sqrt((double)(image_floats / 3));
    return s2f_face_decoder_decode_u8(p->decoder, r->feature, feature_dim, r->rgb_u8, 3 * side,
                                      image_floats, NULL, 0);
}

static void result_alloc(clip_result *r, size_t spectrogram_floats)
{
    memset(r, 0, sizeof *r);
    r->spectrogram_floats = spectrogram_floats;
    r->spectrogram = malloc(spectrogram_floats * sizeof(float));
    r->rgb = malloc(image_floats * sizeof(float));
    r->rgb_u8 = malloc(image_floats);
}

static void result_free(clip_result *r)
{
    free(r->spectrogram);
    free(r->rgb);
    free(r->rgb_u8);
}

static int result_equal(const clip_result *a, const clip_result *b)
{
    return memcmp(a->spectrogram, b->spectrogram, a->spectrogram_floats * sizeof(float)) == 0 &&
           memcmp(a->feature, b->feature, feature_dim * sizeof(float)) == 0 &&
           memcmp(a->rgb, b->rgb, image_floats * sizeof(float)) == 0 &&
           memcmp(a->rgb_u8, b->rgb_u8, image_floats) == 0 &&
           memcmp(a->landmarks, b->landmarks, landmark_floats * sizeof(float)) == 0;
}

static void *pipeline_worker(void *arg)
{
    const int id = (int)(intptr_t)arg;
    pipeline p;
    if (pipeline_open(&p) != S2F_OK) {
        atomic_fetch_add(&mismatches, 1000);
        pipeline_close(&p);
        return NULL;
    }
    clip_result r;
    result_alloc(&r, reference[0].spectrogram_floats);
    for (int round = 0; round < ROUNDS; ++round)
        for (int i = 0; i < CLIPS; ++i) {
            const int clip = (i + id + round) % CLIPS; /* threads hit different clips at once */
            if (pipeline_run(&p, clip, &r) != S2F_OK || !result_equal(&r, &reference[clip]))
                atomic_fetch_add(&mismatches, 1);
        }
    result_free(&r);
    pipeline_close(&p);
    return NULL;
}

static void run_pipelines_against_a_single_thread(tiny_model_preset preset)
{
    assert_int_equal(tiny_model_load(preset, 2024u, &model), S2F_OK);
    pipeline single;
    assert_int_equal(pipeline_open(&single), S2F_OK);
    size_t height, width, landmarks;
    assert_int_equal(s2f_face_decoder_shape(single.decoder, &feature_dim, &height, &width,
                                            &landmarks), S2F_OK);
    assert_true(feature_dim <= 64 && 2 * landmarks <= 64);
    image_floats = height * width * 3;
    landmark_floats = 2 * landmarks;
    for (int c = 0; c < CLIPS; ++c) {
        make_clip(c, pcm[c]);
        result_alloc(&reference[c], single.frames * single.bins * 2);
        assert_int_equal(pipeline_run(&single, c, &reference[c]), S2F_OK);
    }
    /* Different clips must give different faces, or "identical" below would prove little. */
    assert_false(memcmp(reference[0].rgb, reference[1].rgb, image_floats * sizeof(float)) == 0);
    pipeline_close(&single);

    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; ++t)
        assert_int_equal(pthread_create(&threads[t], NULL, pipeline_worker, (void *)(intptr_t)t), 0);
    for (int t = 0; t < THREADS; ++t)
        pthread_join(threads[t], NULL);
    assert_int_equal(atomic_load(&mismatches), 0);

    for (int c = 0; c < CLIPS; ++c)
        result_free(&reference[c]);
    s2f_model_free(model);
    model = NULL;
}

static void threads_sharing_one_model_match_a_single_thread(void **state)
{
    (void)state;
    encoder_threads = 1;
    run_pipelines_against_a_single_thread(TINY_MODEL_PIPELINE);
}

/* Each encoder also starts its own workers (Winograd transforms, polyphase split, pooling): 4
 * pipelines × 3 workers, all bit-identical to one pipeline with the same setting run alone. */
static void encoders_with_worker_threads_match_a_single_thread(void **state)
{
    (void)state;
    encoder_threads = 3;
    run_pipelines_against_a_single_thread(TINY_MODEL_WINOGRAD);
    encoder_threads = 1;
}

/* ------------------------------------------------------------------------------------ index */

enum { D = 16, BASE = 400, NQ = 8, K = 10, READERS = 3, WRITER_CYCLES = 30, FAR_BATCH = 20 };

static s2f_face_index *shared_index;
static float queries[NQ * D];
static int64_t expected_ids[NQ * K];
static float expected_scores[NQ * K];
static atomic_int writer_done;
static atomic_int index_mismatches;
static char save_path[256];

static void fill(float *v, size_t n, uint32_t *rng, float offset)
{
    for (size_t i = 0; i < n; ++i) {
        *rng = *rng * 1664525u + 1013904223u;
        v[i] = offset + (float)(*rng >> 8) / 16777216.0f - 0.5f;
    }
}

static void *index_reader(void *arg)
{
    const int id = (int)(intptr_t)arg;
    int64_t ids[NQ * K];
    float scores[NQ * K];
    size_t found[NQ];
    for (int round = 0; !atomic_load(&writer_done) || round < 5; ++round) {
        if (round > 100000)
            break;
        if ((round + id) % 2) {
            if (s2f_face_index_search_batch(shared_index, queries, NQ, K, ids, scores, found))
                atomic_fetch_add(&index_mismatches, 1);
        } else {
            for (int q = 0; q < NQ; ++q)
                if (s2f_face_index_search(shared_index, queries + q * D, K, ids + q * K,
                                          scores + q * K, &found[q]))
                    atomic_fetch_add(&index_mismatches, 1);
        }
        for (int q = 0; q < NQ; ++q)
            if (found[q] != K)
                atomic_fetch_add(&index_mismatches, 1);
        if (memcmp(ids, expected_ids, sizeof ids) != 0)
            atomic_fetch_add(&index_mismatches, 1);
        /* Batch scores may differ from single ones by gemm rounding (documented); single
         * searches must reproduce the reference exactly. */
        if ((round + id) % 2 == 0 && memcmp(scores, expected_scores, sizeof scores) != 0)
            atomic_fetch_add(&index_mismatches, 1);
    }
    return NULL;
}

static void *index_writer(void *arg)
{
    (void)arg;
    uint32_t rng = 777u;
    float far[FAR_BATCH * D];
    int64_t far_ids[FAR_BATCH];
    for (int cycle = 0; cycle < WRITER_CYCLES; ++cycle) {
        /* Far vectors: every coordinate near 1000, while queries and gallery are within ±0.5. */
        fill(far, FAR_BATCH * D, &rng, 1000.0f);
        for (int i = 0; i < FAR_BATCH; ++i)
            far_ids[i] = 1000000 + cycle * FAR_BATCH + i;
        if (s2f_face_index_add(shared_index, far_ids, far, FAR_BATCH) != S2F_OK)
            atomic_fetch_add(&index_mismatches, 1);
        if (cycle % 10 == 0 && s2f_face_index_save(shared_index, save_path) != S2F_OK)
            atomic_fetch_add(&index_mismatches, 1);
        for (int i = 0; i < FAR_BATCH; i += 2)
            if (s2f_face_index_remove(shared_index, far_ids[i]) != S2F_OK)
                atomic_fetch_add(&index_mismatches, 1);
        /* A failing call from this thread while readers run: exercises the error slot. */
        if (s2f_face_index_remove(shared_index, -5) != S2F_ERR_NOT_FOUND)
            atomic_fetch_add(&index_mismatches, 1);
        (void)s2f_face_index_last_error(shared_index);
    }
    atomic_store(&writer_done, 1);
    return NULL;
}

static void index_searches_with_a_writer_match_a_single_thread(void **state)
{
    (void)state;
    s2f_face_index_params params;
    assert_int_equal(s2f_face_index_default_params_sized(&params, sizeof params), S2F_OK);
    params.dim = D;
    params.metric = S2F_METRIC_L2;
    params.threads = 2; /* the index's own workers run inside every search too */
    assert_int_equal(s2f_face_index_create(&params, &shared_index), S2F_OK);
    uint32_t rng = 99u;
    float *gallery = malloc((size_t)BASE * D * sizeof(float));
    int64_t *gallery_ids = malloc((size_t)BASE * sizeof(int64_t));
    fill(gallery, (size_t)BASE * D, &rng, 0.0f);
    for (int i = 0; i < BASE; ++i)
        gallery_ids[i] = 3 * i + 1;
    assert_int_equal(s2f_face_index_add(shared_index, gallery_ids, gallery, BASE), S2F_OK);
    fill(queries, NQ * D, &rng, 0.0f);
    size_t found;
    for (int q = 0; q < NQ; ++q) {
        assert_int_equal(s2f_face_index_search(shared_index, queries + q * D, K,
                                               expected_ids + q * K, expected_scores + q * K,
                                               &found), S2F_OK);
        assert_int_equal(found, K);
    }
    snprintf(save_path, sizeof save_path, "%s/s2f-concurrency-%ld.s2fi",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid());

    pthread_t readers[READERS], writer;
    for (int t = 0; t < READERS; ++t)
        assert_int_equal(pthread_create(&readers[t], NULL, index_reader, (void *)(intptr_t)t), 0);
    assert_int_equal(pthread_create(&writer, NULL, index_writer, NULL), 0);
    pthread_join(writer, NULL);
    for (int t = 0; t < READERS; ++t)
        pthread_join(readers[t], NULL);
    assert_int_equal(atomic_load(&index_mismatches), 0);
    assert_int_equal(s2f_face_index_size(shared_index), BASE + WRITER_CYCLES * FAR_BATCH / 2);

    /* What was saved mid-run loads and searches like the original. */
    s2f_face_index *loaded = NULL;
    assert_int_equal(s2f_face_index_load(save_path, &loaded), S2F_OK);
    int64_t ids[K];
    float scores[K];
    assert_int_equal(s2f_face_index_search(loaded, queries, K, ids, scores, &found), S2F_OK);
    assert_memory_equal(ids, expected_ids, sizeof ids);
    s2f_face_index_free(loaded);
    unlink(save_path);
    s2f_face_index_free(shared_index);
    free(gallery);
    free(gallery_ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_sharing_one_model_match_a_single_thread),
        cmocka_unit_test(encoders_with_worker_threads_match_a_single_thread),
        cmocka_unit_test(index_searches_with_a_writer_match_a_single_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
