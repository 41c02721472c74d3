/* Several threads search while one thread adds (and others fail on purpose, exercising the
 * error slot): every search result must equal the single-threaded result of some state the
 * index passed through while that search ran. Written to be clean under ThreadSanitizer
 * (-Db_sanitize=thread): all sharing goes through the library's locks or C11 atomics. */
#include <speech2face.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

enum { D = 48, BASE = 2000, BATCH = 100, BATCHES = 12, NQ = 16, K = 8, SEARCHERS = 4, ROUNDS = 20 };

static float *gallery;  /* (BASE + BATCHES·BATCH) × D */
static int64_t *ids;
static float queries[NQ * D];
static int64_t expected[BATCHES + 1][NQ][K]; /* state s = BASE + s·BATCH rows */
static s2f_face_index *shared;
static atomic_int batches_done;
static atomic_int mismatches;
static atomic_uint states_seen; /* bit s: a search started in state s */

static s2f_face_index *make(size_t threads)
{
    s2f_face_index_params p;
    p = s2f_face_index_default_params();
    p.dim = D;
    p.threads = threads;
    s2f_face_index *index = NULL;
    assert_int_equal(s2f_face_index_create(&p, &index), S2F_OK);
    return index;
}

static void *searcher(void *arg)
{
    size_t worker = (size_t)arg;
    /* Keep searching until the writer is done, so every state gets searched. */
    for (int round = 0; round < ROUNDS || atomic_load(&batches_done) < BATCHES; ++round) {
        if (round > 200000) { /* the writer is starved: the lock must not allow that */
            atomic_fetch_add(&mismatches, 1);
            break;
        }
        for (int q = 0; q < NQ; ++q) {
            int before = atomic_load(&batches_done);
            int64_t got[K];
            float scores[K];
            size_t found;
            s2f_status st;
            if ((round + q + (int)worker) % 2)
                st = s2f_face_index_search(shared, queries + q * D, K, got, scores, &found);
            else
                st = s2f_face_index_search_batch(shared, queries + q * D, 1, K, got, scores, &found);
            int after = atomic_load(&batches_done);
            atomic_fetch_or(&states_seen, 1u << before);
            if (st != S2F_OK || found != K) {
                atomic_fetch_add(&mismatches, 1);
                continue;
            }
            /* An add is atomic: the search saw exactly one of the states in [before, after]
             * (after may count one batch still in flight: include it). */
            int match = 0;
            for (int s = before; s <= after + 1 && s <= BATCHES && !match; ++s)
                match = memcmp(got, expected[s][q], sizeof got) == 0;
            if (!match)
                atomic_fetch_add(&mismatches, 1);
        }
        /* A failing call from a reader writes the handle's error slot under its mutex. */
        int64_t dummy;
        size_t found;
        if (s2f_face_index_search(shared, queries, 0, &dummy, NULL, &found) != S2F_ERR_INVALID_ARGUMENT)
            atomic_fetch_add(&mismatches, 1);
        /* Only this failure ever happens on the handle, so whichever thread wrote last, the
         * (thread-private) copy must hold this message, never a torn mix. */
        if (strcmp(s2f_face_index_last_error(shared), "s2f_face_index_search: k must be at least 1") != 0)
            atomic_fetch_add(&mismatches, 1);
    }
    return NULL;
}

static void *writer(void *arg)
{
    (void)arg;
    for (int b = 0; b < BATCHES; ++b) {
        size_t first = BASE + (size_t)b * BATCH;
        if (s2f_face_index_add(shared, ids + first, gallery + first * D, BATCH) != S2F_OK)
            atomic_fetch_add(&mismatches, 1);
        atomic_fetch_add(&batches_done, 1);
        /* Spread the adds over the searchers' run so they see many intermediate states. */
        struct timespec pause = {0, 2000000};
        nanosleep(&pause, NULL);
    }
    return NULL;
}

static void searches_during_adds_see_whole_states(void **state)
{
    (void)state;
    size_t rows = BASE + BATCHES * BATCH;
    gallery = malloc(rows * D * sizeof *gallery);
    ids = malloc(rows * sizeof *ids);
    unsigned seed = 42;
    for (size_t i = 0; i < rows * D; ++i)
        gallery[i] = (float)((double)rand_r(&seed) / RAND_MAX) - 0.5f;
    for (size_t i = 0; i < rows; ++i)
        ids[i] = (int64_t)(i * 2654435761u % 1000003u);
    /* Queries close to rows of the later batches, so each add changes the answers. */
    for (int q = 0; q < NQ; ++q)
        for (int i = 0; i < D; ++i)
            queries[q * D + i] = gallery[(BASE + (size_t)(q % BATCHES) * BATCH + 7) * D + i] +
                                 0.05f * ((float)((double)rand_r(&seed) / RAND_MAX) - 0.5f);
    /* Expected answers of every intermediate state, single-threaded. */
    s2f_face_index *reference = make(1);
    assert_int_equal(s2f_face_index_add(reference, ids, gallery, BASE), S2F_OK);
    for (int s = 0; s <= BATCHES; ++s) {
        if (s > 0)
            assert_int_equal(s2f_face_index_add(reference, ids + BASE + (s - 1) * BATCH,
                                                gallery + (BASE + (s - 1) * BATCH) * D, BATCH), S2F_OK);
        for (int q = 0; q < NQ; ++q) {
            float scores[K];
            size_t found;
            assert_int_equal(s2f_face_index_search(reference, queries + q * D, K, expected[s][q],
                                                   scores, &found), S2F_OK);
        }
    }
    int changed = 0;
    for (int q = 0; q < NQ; ++q)
        changed += memcmp(expected[0][q], expected[BATCHES][q], sizeof expected[0][q]) != 0;
    assert_true(changed > NQ / 2); /* the test really observes the adds */
    s2f_face_index_free(reference);

    shared = make(2); /* each search also forks its own workers */
    assert_int_equal(s2f_face_index_add(shared, ids, gallery, BASE), S2F_OK);
    pthread_t threads[SEARCHERS + 1];
    for (size_t t = 0; t < SEARCHERS; ++t)
        assert_int_equal(pthread_create(&threads[t], NULL, searcher, (void *)t), 0);
    assert_int_equal(pthread_create(&threads[SEARCHERS], NULL, writer, NULL), 0);
    for (int t = 0; t <= SEARCHERS; ++t)
        pthread_join(threads[t], NULL);
    assert_int_equal(atomic_load(&mismatches), 0);
    int distinct = __builtin_popcount(atomic_load(&states_seen));
    print_message("searches started in %d of %d index states\n", distinct, BATCHES + 1);
    assert_true(distinct >= BATCHES / 2); /* the searches really overlapped the adds */
    assert_int_equal(s2f_face_index_size(shared), rows);
    s2f_face_index_free(shared);
    free(gallery);
    free(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(searches_during_adds_see_whole_states),
    };
    return cmocka_run_group_tests_name("face index concurrency", tests, NULL, NULL);
}
