/* s2f_face_index through the public shared library: parameters and errors, add/remove rules,
 * exact results against numpy goldens (tools/goldens/gen_index_goldens.py) for every metric, tie order,
 * batch = single = any thread count, compressed storage, save/load and its named errors,
 * export, and shard merging. */
#include <speech2face.h>

#include "npy.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const char *data_dir;
static char temp_dir[256];

static npy_array load_golden(const char *name)
{
    char path[512], error[256];
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    npy_array a;
    if (npy_load(path, &a, error, sizeof error) != 0)
        fail_msg("%s", error);
    return a;
}

static s2f_face_index *make_index(size_t dim, s2f_metric metric, s2f_storage storage,
                                  size_t threads)
{
    s2f_face_index_params params = s2f_face_index_default_params();
    params.dim = dim;
    params.metric = metric;
    params.storage = storage;
    params.threads = threads;
    s2f_face_index *index = NULL;
    assert_int_equal(s2f_face_index_create(&params, &index), S2F_OK);
    return index;
}

static void fill_random(float *x, size_t n, unsigned *seed)
{
    for (size_t i = 0; i < n; ++i)
        x[i] = (float)((double)rand_r(seed) / RAND_MAX) * 2.0f - 1.0f;
}

static void defaults_and_bad_params_are_reported(void **state)
{
    (void)state;
    s2f_face_index_params params = s2f_face_index_default_params();
    assert_int_equal(params.size, sizeof params);
    assert_int_equal(params.dim, 128);
    assert_int_equal(params.metric, S2F_METRIC_COSINE);
    assert_int_equal(params.storage, S2F_STORAGE_F32);
    assert_int_equal(params.threads, 0);
    s2f_face_index *index = NULL;
    params.dim = 0;
    assert_int_equal(s2f_face_index_create(&params, &index), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_last_error_message(), "dim 0"));
    params.dim = 8;
    params.metric = (s2f_metric)9;
    assert_int_equal(s2f_face_index_create(&params, &index), S2F_ERR_INVALID_ARGUMENT);
    params.metric = S2F_METRIC_L1;
    params.storage = (s2f_storage)-1;
    assert_int_equal(s2f_face_index_create(&params, &index), S2F_ERR_INVALID_ARGUMENT);
    params.storage = S2F_STORAGE_F32;
    params.size = sizeof params + 8;
    assert_int_equal(s2f_face_index_create(&params, &index), S2F_ERR_UNSUPPORTED_VERSION);
    assert_null(index);
    assert_int_equal(s2f_face_index_create(NULL, NULL), S2F_ERR_INVALID_ARGUMENT);
    /* An older caller's smaller struct: fields beyond its size take defaults. */
    params.size = offsetof(s2f_face_index_params, metric);
    params.dim = 16;
    assert_int_equal(s2f_face_index_create(&params, &index), S2F_OK);
    assert_int_equal(s2f_face_index_dim(index), 16);
    s2f_face_index_free(index);
    s2f_face_index_free(NULL);
    assert_string_equal(s2f_face_index_last_error(NULL), "invalid handle");
    assert_int_equal(s2f_face_index_size(NULL), 0);
}

static void add_is_all_or_nothing(void **state)
{
    (void)state;
    s2f_face_index *index = make_index(4, S2F_METRIC_COSINE, S2F_STORAGE_F32, 1);
    float v[3 * 4] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0};
    int64_t ids[3] = {10, 20, 30};
    assert_int_equal(s2f_face_index_add(index, ids, v, 2), S2F_OK);
    assert_int_equal(s2f_face_index_size(index), 2);
    int64_t dup[3] = {40, 20, 50};
    assert_int_equal(s2f_face_index_add(index, dup, v, 3), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_face_index_last_error(index), "id 20"));
    assert_non_null(strstr(s2f_face_index_last_error(index), "already in the index"));
    int64_t repeat[3] = {40, 41, 40};
    assert_int_equal(s2f_face_index_add(index, repeat, v, 3), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_face_index_last_error(index), "repeated within the batch"));
    int64_t reserved[1] = {-1};
    assert_int_equal(s2f_face_index_add(index, reserved, v, 1), S2F_ERR_INVALID_ARGUMENT);
    float bad[4] = {1, NAN, 0, 0};
    assert_int_equal(s2f_face_index_add(index, &ids[2], bad, 1), S2F_ERR_NON_FINITE);
    float zero[4] = {0};
    assert_int_equal(s2f_face_index_add(index, &ids[2], zero, 1), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_face_index_last_error(index), "zero"));
    assert_int_equal(s2f_face_index_add(index, NULL, v, 1), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_index_add(index, NULL, NULL, 0), S2F_OK);
    /* A count whose arrays cannot exist is refused before any of them is read (it used to read
     * past ids[1] and v[12] first: a crash, or an ASan report). */
    assert_int_equal(s2f_face_index_add(index, ids, v, SIZE_MAX / 4), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_face_index_last_error(index), "overflows"));
    /* Nothing of the failed batches went in: 40 and 50 are still free. */
    assert_int_equal(s2f_face_index_size(index), 2);
    int64_t fresh[2] = {40, 50};
    assert_int_equal(s2f_face_index_add(index, fresh, v, 2), S2F_OK);
    assert_int_equal(s2f_face_index_size(index), 4);

    assert_int_equal(s2f_face_index_remove(index, 99), S2F_ERR_NOT_FOUND);
    assert_int_equal(s2f_face_index_remove(index, 10), S2F_OK);
    assert_int_equal(s2f_face_index_remove(index, 10), S2F_ERR_NOT_FOUND);
    assert_int_equal(s2f_face_index_size(index), 3);
    /* The removed id can come back; the query finds it again. */
    assert_int_equal(s2f_face_index_add(index, ids, v + 8, 1), S2F_OK);
    int64_t out[2];
    float scores[2];
    size_t found = 0;
    float query[4] = {0, 0, 2, 0};
    assert_int_equal(s2f_face_index_search(index, query, 2, out, scores, &found), S2F_OK);
    assert_int_equal(found, 2);
    assert_int_equal(out[0], 10);
    assert_float_equal(scores[0], 1.0f, 1e-6);
    s2f_face_index_free(index);
}

static void search_validates_and_pads(void **state)
{
    (void)state;
    s2f_face_index *index = make_index(3, S2F_METRIC_L2, S2F_STORAGE_F32, 1);
    int64_t out[4];
    float scores[4];
    size_t found = 7;
    float q[3] = {0, 0, 0};
    assert_int_equal(s2f_face_index_search(index, q, 4, out, scores, &found), S2F_OK);
    assert_int_equal(found, 0);
    assert_int_equal(out[3], -1);
    assert_true(isnan(scores[0]));
    float v[6] = {1, 0, 0, 0, 2, 0};
    int64_t ids[2] = {5, 6};
    assert_int_equal(s2f_face_index_add(index, ids, v, 2), S2F_OK);
    assert_int_equal(s2f_face_index_search(index, q, 4, out, scores, &found), S2F_OK);
    assert_int_equal(found, 2);
    assert_int_equal(out[0], 5);
    assert_float_equal(scores[0], 1.0f, 0);
    assert_float_equal(scores[1], 4.0f, 0); /* squared distance */
    assert_int_equal(out[2], -1);
    assert_int_equal(s2f_face_index_search(index, q, 0, out, scores, &found), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_index_search(index, NULL, 1, out, scores, &found), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_face_index_last_error(index), "NULL query"));
    float inf_query[3] = {INFINITY, 0, 0};
    assert_int_equal(s2f_face_index_search(index, inf_query, 1, out, NULL, &found), S2F_ERR_NON_FINITE);
    assert_int_equal(s2f_face_index_search_batch(index, q, 1, 1, NULL, NULL, &found),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_index_search_batch(index, q, SIZE_MAX / 2, 4, out, scores, &found),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_index_search(NULL, q, 1, out, scores, &found), S2F_ERR_INVALID_ARGUMENT);
    s2f_face_index_free(index);
}

static const char *metric_names[] = {"cosine", "ip", "l2", "l1"};

static void results_match_numpy_goldens_for_every_metric(void **state)
{
    (void)state;
    npy_array gallery = load_golden("gallery.npy"), ids_f = load_golden("gallery_ids.npy");
    npy_array queries = load_golden("queries.npy");
    size_t n = (size_t)gallery.shape[0], dim = (size_t)gallery.shape[1];
    size_t nq = (size_t)queries.shape[0];
    int64_t *ids = malloc(n * sizeof *ids);
    for (size_t i = 0; i < n; ++i)
        ids[i] = (int64_t)ids_f.data[i];
    for (int m = 0; m < 4; ++m) {
        char name[64];
        snprintf(name, sizeof name, "expected_%s_ids.npy", metric_names[m]);
        npy_array want_ids = load_golden(name);
        snprintf(name, sizeof name, "expected_%s_scores.npy", metric_names[m]);
        npy_array want_scores = load_golden(name);
        size_t k = (size_t)want_ids.shape[1];
        for (size_t threads = 1; threads <= 3; threads += 2) {
            s2f_face_index *index = make_index(dim, (s2f_metric)m, S2F_STORAGE_F32, threads);
            assert_int_equal(s2f_face_index_add(index, ids, gallery.data, n), S2F_OK);
            int64_t got[64], batch_ids[8 * 64];
            float scores[64], batch_scores[8 * 64];
            size_t found, batch_found[8];
            assert_int_equal(s2f_face_index_search_batch(index, queries.data, nq, k, batch_ids,
                                                         batch_scores, batch_found), S2F_OK);
            for (size_t q = 0; q < nq; ++q) {
                assert_int_equal(s2f_face_index_search(index, queries.data + q * dim, k, got,
                                                       scores, &found), S2F_OK);
                assert_int_equal(found, k);
                assert_int_equal(batch_found[q], k);
                for (size_t r = 0; r < k; ++r) {
                    float want = want_scores.data[q * k + r];
                    float tol = 1e-5f * fmaxf(1.0f, fabsf(want));
                    /* Single-query kernels score duplicate rows identically: exact ties rank
                     * by id, so ids must equal numpy's exactly. */
                    if (got[r] != (int64_t)want_ids.data[q * k + r])
                        fail_msg("%s threads %zu query %zu rank %zu: id %lld, numpy %lld",
                                 metric_names[m], threads, q, r, (long long)got[r],
                                 (long long)want_ids.data[q * k + r]);
                    assert_true(fabsf(scores[r] - want) <= tol);
                    assert_true(fabsf(batch_scores[q * k + r] - want) <= tol);
                    if (batch_ids[q * k + r] != got[r]) /* gemm may split an exact tie */
                        assert_true(fabsf(batch_scores[q * k + r] - scores[r]) <= tol);
                }
            }
            s2f_face_index_free(index);
        }
        npy_free(&want_ids);
        npy_free(&want_scores);
    }
    free(ids);
    npy_free(&gallery);
    npy_free(&ids_f);
    npy_free(&queries);
}

static void compressed_storage_stays_close_to_exact(void **state)
{
    (void)state;
    enum { N = 2000, D = 96, NQ = 20, K = 10 };
    float *g = malloc(sizeof(float) * N * D), *q = malloc(sizeof(float) * NQ * D);
    int64_t *ids = malloc(sizeof(int64_t) * N);
    unsigned seed = 5;
    fill_random(g, (size_t)N * D, &seed);
    fill_random(q, (size_t)NQ * D, &seed);
    for (int i = 0; i < N; ++i)
        ids[i] = 1000 + i;
    for (int m = 0; m < 4; ++m) {
        s2f_face_index *exact = make_index(D, (s2f_metric)m, S2F_STORAGE_F32, 1);
        assert_int_equal(s2f_face_index_add(exact, ids, g, N), S2F_OK);
        for (int s = 1; s <= 2; ++s) {
            s2f_face_index *small = make_index(D, (s2f_metric)m, (s2f_storage)s, 2);
            assert_int_equal(s2f_face_index_add(small, ids, g, N), S2F_OK);
            int hits = 0;
            for (int i = 0; i < NQ; ++i) {
                int64_t a[K], b[K];
                float sa[K], sb[K];
                size_t fa, fb;
                assert_int_equal(s2f_face_index_search(exact, q + i * D, K, a, sa, &fa), S2F_OK);
                assert_int_equal(s2f_face_index_search(small, q + i * D, K, b, sb, &fb), S2F_OK);
                for (int x = 0; x < K; ++x)
                    for (int y = 0; y < K; ++y)
                        hits += a[x] == b[y];
                /* Scores of the top entry within the encoding's error. */
                float scale = m == S2F_METRIC_L2 || m == S2F_METRIC_L1 ? fabsf(sa[0]) : 1.0f;
                assert_true(fabsf(sa[0] - sb[0]) <= (s == 1 ? 2e-3f : 2e-2f) * fmaxf(scale, 1.0f) * (m == S2F_METRIC_INNER_PRODUCT ? 10 : 1));
            }
            double recall = (double)hits / (NQ * K);
            if (recall < 0.95)
                fail_msg("metric %s storage %d recall@10 %.3f", metric_names[m], s, recall);
            s2f_face_index_free(small);
        }
        s2f_face_index_free(exact);
    }
    free(g);
    free(q);
    free(ids);
}

static void merge_checks_sizes_before_reading(void **state)
{
    (void)state;
    int64_t ids[2] = {1, 2}, ids_out[2];
    float scores[2] = {0.5f, 0.25f}, scores_out[2];
    size_t found[1] = {2}, found_out = 0;
    /* n_lists · k_in overflows: refused before found[1…] (which does not exist) is read. */
    assert_int_equal(s2f_topk_merge(S2F_METRIC_COSINE, SIZE_MAX / 2, 4, ids, scores, found, 2,
                                    ids_out, scores_out, &found_out),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_last_error_message(), "overflow"));
    assert_int_equal(s2f_topk_merge(S2F_METRIC_COSINE, 1, 2, ids, scores, found, 2, ids_out,
                                    scores_out, &found_out),
                     S2F_OK);
    assert_int_equal(found_out, 2);
}

static void shards_merge_to_the_whole_gallery(void **state)
{
    (void)state;
    enum { N = 900, D = 32, K = 15, SHARDS = 3 };
    float *g = malloc(sizeof(float) * N * D);
    int64_t ids[N];
    unsigned seed = 9;
    fill_random(g, (size_t)N * D, &seed);
    for (int i = 0; i < N; ++i)
        ids[i] = (int64_t)(i * 7919 % 100003);
    for (int m = 0; m < 4; ++m) {
        s2f_face_index *whole = make_index(D, (s2f_metric)m, S2F_STORAGE_F32, 1);
        assert_int_equal(s2f_face_index_add(whole, ids, g, N), S2F_OK);
        s2f_face_index *shard[SHARDS];
        for (int s = 0; s < SHARDS; ++s) {
            shard[s] = make_index(D, (s2f_metric)m, S2F_STORAGE_F32, 1);
            /* Uneven split; the last shard holds fewer than K rows of it overall. */
            size_t begin = s == 0 ? 0 : s == 1 ? 500 : 890, end = s == 0 ? 500 : s == 1 ? 890 : N;
            assert_int_equal(s2f_face_index_add(shard[s], ids + begin, g + begin * D, end - begin), S2F_OK);
        }
        for (int qi = 0; qi < 5; ++qi) {
            const float *q = g + (qi * 37) * D;
            int64_t lists[SHARDS * K], want[K], got[K];
            float list_scores[SHARDS * K], want_scores[K], got_scores[K];
            size_t found[SHARDS], want_found, got_found;
            for (int s = 0; s < SHARDS; ++s)
                assert_int_equal(s2f_face_index_search(shard[s], q, K, lists + s * K,
                                                       list_scores + s * K, &found[s]), S2F_OK);
            assert_int_equal(s2f_face_index_search(whole, q, K, want, want_scores, &want_found), S2F_OK);
            assert_int_equal(s2f_topk_merge((s2f_metric)m, SHARDS, K, lists, list_scores, found, K,
                                            got, got_scores, &got_found), S2F_OK);
            assert_int_equal(got_found, want_found);
            assert_memory_equal(got, want, sizeof want);
            assert_memory_equal(got_scores, want_scores, sizeof want_scores);
        }
        for (int s = 0; s < SHARDS; ++s)
            s2f_face_index_free(shard[s]);
        s2f_face_index_free(whole);
    }
    /* Duplicates across lists keep their best score once; bad input is named. */
    int64_t ids2[4] = {1, 2, 2, 3};
    float sc[4] = {0.9f, 0.5f, 0.8f, 0.1f};
    size_t found2[2] = {2, 2}, got_found;
    int64_t out[3];
    float out_scores[3];
    assert_int_equal(s2f_topk_merge(S2F_METRIC_COSINE, 2, 2, ids2, sc, found2, 3, out, out_scores, &got_found), S2F_OK);
    assert_int_equal(got_found, 3);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 2);
    assert_float_equal(out_scores[1], 0.8f, 0);
    assert_int_equal(out[2], 3);
    found2[1] = 3;
    assert_int_equal(s2f_topk_merge(S2F_METRIC_COSINE, 2, 2, ids2, sc, found2, 3, out, out_scores, &got_found), S2F_ERR_INVALID_ARGUMENT);
    found2[1] = 2;
    sc[3] = NAN;
    assert_int_equal(s2f_topk_merge(S2F_METRIC_COSINE, 2, 2, ids2, sc, found2, 3, out, out_scores, &got_found), S2F_ERR_NON_FINITE);
    assert_int_equal(s2f_topk_merge((s2f_metric)7, 2, 2, ids2, sc, found2, 3, out, out_scores, &got_found), S2F_ERR_INVALID_ARGUMENT);
    free(g);
}

static void write_bytes(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, size, f), size);
    fclose(f);
}

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc(*size);
    assert_int_equal(fread(data, 1, *size, f), *size);
    fclose(f);
    return data;
}

static void save_load_round_trip_and_named_errors(void **state)
{
    (void)state;
    enum { N = 300, D = 40 };
    float *g = malloc(sizeof(float) * N * D);
    int64_t ids[N];
    unsigned seed = 3;
    fill_random(g, (size_t)N * D, &seed);
    for (int i = 0; i < N; ++i)
        ids[i] = -5000 + 31 * i; /* negative ids other than -1 are fine */
    char path[512], bad[512];
    snprintf(path, sizeof path, "%s/index.s2fi", temp_dir);
    snprintf(bad, sizeof bad, "%s/bad.s2fi", temp_dir);
    for (int s = 0; s < 3; ++s) {
        s2f_face_index *index = make_index(D, S2F_METRIC_L2, (s2f_storage)s, 1);
        assert_int_equal(s2f_face_index_add(index, ids, g, N), S2F_OK);
        assert_int_equal(s2f_face_index_remove(index, ids[17]), S2F_OK);
        assert_int_equal(s2f_face_index_save(index, path), S2F_OK);
        s2f_face_index *loaded = NULL;
        assert_int_equal(s2f_face_index_load(path, &loaded), S2F_OK);
        assert_int_equal(s2f_face_index_size(loaded), N - 1);
        for (int qi = 0; qi < 10; ++qi) {
            int64_t a[8], b[8];
            float sa[8], sb[8];
            size_t fa, fb;
            assert_int_equal(s2f_face_index_search(index, g + qi * 29 * D, 8, a, sa, &fa), S2F_OK);
            assert_int_equal(s2f_face_index_search(loaded, g + qi * 29 * D, 8, b, sb, &fb), S2F_OK);
            assert_memory_equal(a, b, sizeof a);
            assert_memory_equal(sa, sb, sizeof sa);
        }
        /* The loaded index is a normal, mutable index. */
        assert_int_equal(s2f_face_index_add(loaded, &ids[17], g, 1), S2F_OK);
        s2f_face_index_free(loaded);
        s2f_face_index_free(index);
    }
    size_t size;
    unsigned char *file = read_all(path, &size);
    s2f_face_index *out = NULL;
    /* Each corruption gets its own named error and never a handle. */
    unsigned char *copy = malloc(size);
    memcpy(copy, file, size);
    copy[size - 70] ^= 0x10;
    write_bytes(bad, copy, size);
    assert_int_equal(s2f_face_index_load(bad, &out), S2F_ERR_CHECKSUM_MISMATCH);
    assert_non_null(strstr(s2f_last_error_message(), "data CRC-32"));
    memcpy(copy, file, size);
    copy[20] ^= 1; /* dim, caught by the header CRC */
    write_bytes(bad, copy, size);
    assert_int_equal(s2f_face_index_load(bad, &out), S2F_ERR_CHECKSUM_MISMATCH);
    memcpy(copy, file, size);
    copy[0] = 'X';
    write_bytes(bad, copy, size);
    assert_int_equal(s2f_face_index_load(bad, &out), S2F_ERR_BAD_FORMAT);
    memcpy(copy, file, size);
    copy[8] = 2; /* version 2: checked before the header CRC so the message names it */
    write_bytes(bad, copy, size);
    assert_int_equal(s2f_face_index_load(bad, &out), S2F_ERR_UNSUPPORTED_VERSION);
    write_bytes(bad, file, size - 64);
    assert_int_equal(s2f_face_index_load(bad, &out), S2F_ERR_BAD_FORMAT);
    assert_non_null(strstr(s2f_last_error_message(), "truncated"));
    write_bytes(bad, file, 50);
    assert_int_equal(s2f_face_index_load(bad, &out), S2F_ERR_BAD_FORMAT);
    assert_int_equal(s2f_face_index_load("/nonexistent/x.s2fi", &out), S2F_ERR_IO);
    assert_int_equal(s2f_face_index_load(NULL, &out), S2F_ERR_INVALID_ARGUMENT);
    assert_null(out);
    /* A save that cannot happen leaves the existing file as it was. */
    s2f_face_index *index = make_index(D, S2F_METRIC_L2, S2F_STORAGE_F32, 1);
    assert_int_equal(s2f_face_index_save(index, "/nonexistent-dir/x.s2fi"), S2F_ERR_IO);
    s2f_face_index_free(index);
    size_t size_after;
    unsigned char *after = read_all(path, &size_after);
    assert_int_equal(size_after, size);
    assert_memory_equal(after, file, size);
    free(after);
    free(copy);
    free(file);
    free(g);
    unlink(bad);
    unlink(path);
}

/* A file saved by v0.1 (tests/index/data/written_by_v0_1.s2fi: the first 40 golden gallery
 * rows, cosine, f32; its checksums made by the CRC-32 code of that time) loads, searches like a
 * fresh index of the same rows, and saves again to the very same bytes: the format, checksums
 * included, is unchanged. */
static void a_file_written_by_v0_1_loads_and_saves_identically(void **state)
{
    (void)state;
    char old_path[512], new_path[512];
    snprintf(old_path, sizeof old_path, "%s/written_by_v0_1.s2fi", data_dir);
    snprintf(new_path, sizeof new_path, "%s/resaved.s2fi", temp_dir);
    s2f_face_index *old = NULL;
    assert_int_equal(s2f_face_index_load(old_path, &old), S2F_OK);
    assert_int_equal(s2f_face_index_size(old), 40);
    npy_array gallery = load_golden("gallery.npy"), ids_f = load_golden("gallery_ids.npy");
    size_t dim = (size_t)gallery.shape[1];
    int64_t ids[40];
    for (size_t i = 0; i < 40; ++i)
        ids[i] = (int64_t)ids_f.data[i];
    s2f_face_index *fresh = make_index(dim, S2F_METRIC_COSINE, S2F_STORAGE_F32, 1);
    assert_int_equal(s2f_face_index_add(fresh, ids, gallery.data, 40), S2F_OK);
    for (size_t q = 0; q < 40; q += 7) {
        int64_t got_old[5], got_fresh[5];
        float scores_old[5], scores_fresh[5];
        size_t found_old, found_fresh;
        assert_int_equal(s2f_face_index_search(old, gallery.data + q * dim, 5, got_old,
                                               scores_old, &found_old), S2F_OK);
        assert_int_equal(s2f_face_index_search(fresh, gallery.data + q * dim, 5, got_fresh,
                                               scores_fresh, &found_fresh), S2F_OK);
        assert_int_equal(found_old, 5);
        assert_int_equal(got_old[0], ids[q]);
        assert_memory_equal(got_old, got_fresh, sizeof got_old);
        assert_memory_equal(scores_old, scores_fresh, sizeof scores_old);
    }
    assert_int_equal(s2f_face_index_save(old, new_path), S2F_OK);
    size_t old_size, new_size;
    unsigned char *old_bytes = read_all(old_path, &old_size), *new_bytes = read_all(new_path, &new_size);
    assert_int_equal(old_size, new_size);
    assert_memory_equal(old_bytes, new_bytes, old_size);
    free(old_bytes);
    free(new_bytes);
    unlink(new_path);
    s2f_face_index_free(fresh);
    s2f_face_index_free(old);
    npy_free(&gallery);
    npy_free(&ids_f);
}

static void export_writes_fvecs_npy_and_ids(void **state)
{
    (void)state;
    s2f_face_index *index = make_index(3, S2F_METRIC_COSINE, S2F_STORAGE_F32, 1);
    float v[6] = {3, 0, 4, 0, 2, 0};
    int64_t ids[2] = {77, 1LL << 40};
    assert_int_equal(s2f_face_index_add(index, ids, v, 2), S2F_OK);
    char vec[512], idp[512];
    snprintf(vec, sizeof vec, "%s/v.fvecs", temp_dir);
    snprintf(idp, sizeof idp, "%s/ids.npy", temp_dir);
    assert_int_equal(s2f_face_index_export(index, vec, idp, S2F_EXPORT_FVECS), S2F_OK);
    size_t size;
    unsigned char *data = read_all(vec, &size);
    assert_int_equal(size, 2 * (4 + 12));
    int32_t d;
    float row[3];
    memcpy(&d, data, 4);
    memcpy(row, data + 4, 12);
    assert_int_equal(d, 3);
    assert_float_equal(row[0], 0.6f, 1e-7);
    assert_float_equal(row[2], 0.8f, 1e-7);
    free(data);
    unsigned char *id_file = read_all(idp, &size);
    uint16_t header_len;
    memcpy(&header_len, id_file + 8, 2);
    assert_int_equal((10 + header_len) % 64, 0); /* data 64-byte aligned */
    assert_int_equal(size, 10 + header_len + sizeof ids);
    assert_non_null(memmem(id_file, size, "'<i8'", 5));
    assert_memory_equal(id_file + 10 + header_len, ids, sizeof ids);
    free(id_file);
    snprintf(vec, sizeof vec, "%s/v.npy", temp_dir);
    assert_int_equal(s2f_face_index_export(index, vec, idp, S2F_EXPORT_NPY), S2F_OK);
    npy_array a;
    char error[256];
    assert_int_equal(npy_load(vec, &a, error, sizeof error), 0);
    assert_int_equal(a.shape[0], 2);
    assert_int_equal(a.shape[1], 3);
    assert_float_equal(a.data[4], 1.0f, 1e-7);
    npy_free(&a);
    assert_int_equal(s2f_face_index_export(index, vec, vec, S2F_EXPORT_NPY), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_face_index_export(index, vec, idp, (s2f_export_format)5), S2F_ERR_INVALID_ARGUMENT);
    unlink(vec);
    unlink(idp);
    s2f_face_index_free(index);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s GOLDEN_DIR\n", argv[0]);
        return 2;
    }
    data_dir = argv[1];
    snprintf(temp_dir, sizeof temp_dir, "/tmp/s2f-index-test-XXXXXX");
    if (!mkdtemp(temp_dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_and_bad_params_are_reported),
        cmocka_unit_test(add_is_all_or_nothing),
        cmocka_unit_test(search_validates_and_pads),
        cmocka_unit_test(results_match_numpy_goldens_for_every_metric),
        cmocka_unit_test(compressed_storage_stays_close_to_exact),
        cmocka_unit_test(merge_checks_sizes_before_reading),
        cmocka_unit_test(shards_merge_to_the_whole_gallery),
        cmocka_unit_test(save_load_round_trip_and_named_errors),
        cmocka_unit_test(a_file_written_by_v0_1_loads_and_saves_identically),
        cmocka_unit_test(export_writes_fvecs_npy_and_ids),
    };
    int failed = cmocka_run_group_tests_name("face index", tests, NULL, NULL);
    rmdir(temp_dir);
    return failed;
}
