/* Private core helpers: error slots, per-thread messages, versioned params, checked sizes. */
#include "core/alloc.h"
#include "core/error.h"
#include "core/params.h"
#include "core/workers.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void fail_records_message_in_slot_and_thread(void **state)
{
    (void)state;
    s2fi_error_slot slot = {0};
    assert_string_equal(s2fi_error_slot_message(&slot), "");
    assert_int_equal(s2fi_fail(&slot, S2F_ERR_IO, "cannot open %s", "x.bin"), S2F_ERR_IO);
    assert_int_equal(slot.status, S2F_ERR_IO);
    assert_string_equal(s2fi_error_slot_message(&slot), "cannot open x.bin");
    assert_string_equal(s2f_last_error_message(), "cannot open x.bin");
    assert_string_equal(s2fi_error_slot_message(NULL), "");
}

static void overlong_messages_are_truncated_not_overflowed(void **state)
{
    (void)state;
    char big[4 * S2FI_ERROR_MESSAGE_MAX];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    s2fi_error_slot slot = {0};
    s2fi_fail(&slot, S2F_ERR_BAD_FORMAT, "%s", big);
    assert_int_equal(strlen(slot.message), S2FI_ERROR_MESSAGE_MAX - 1);
}

static void *fail_in_other_thread(void *arg)
{
    (void)arg;
    s2fi_fail(NULL, S2F_ERR_NOT_FOUND, "other thread");
    return NULL;
}

static void thread_messages_do_not_leak_across_threads(void **state)
{
    (void)state;
    s2fi_fail(NULL, S2F_ERR_IO, "main thread");
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, fail_in_other_thread, NULL), 0);
    pthread_join(thread, NULL);
    assert_string_equal(s2f_last_error_message(), "main thread");
}

/* Two versions of one params struct following the header's rule: fields are appended in whole
 * 8-byte units, so the struct has no tail padding and every version has a distinct size. */
typedef struct example_params_v1 {
    size_t size;
    int32_t alpha;
    int32_t gamma;
} example_params_v1;

typedef struct example_params_v2 {
    size_t size;
    int32_t alpha;
    int32_t gamma;
    double beta; /* added in "v2" */
} example_params_v2;

static void params_from_older_caller_keep_new_defaults(void **state)
{
    (void)state;
    example_params_v2 effective = {sizeof effective, 1, 3, 2.0};
    example_params_v1 old_caller = {sizeof old_caller, 10, 30};
    assert_int_equal(s2fi_params_merge(&effective, sizeof effective, &old_caller, "p", NULL), S2F_OK);
    assert_int_equal(effective.size, sizeof effective);
    assert_int_equal(effective.alpha, 10);
    assert_int_equal(effective.gamma, 30);
    assert_true(effective.beta == 2.0);
}

static void params_null_means_defaults_and_bad_sizes_fail(void **state)
{
    (void)state;
    example_params_v2 effective = {sizeof effective, 1, 3, 2.0};
    assert_int_equal(s2fi_params_merge(&effective, sizeof effective, NULL, "p", NULL), S2F_OK);
    assert_int_equal(effective.alpha, 1);

    example_params_v2 unset = {0, 5, 6, 7.0};
    s2fi_error_slot slot = {0};
    assert_int_equal(s2fi_params_merge(&effective, sizeof effective, &unset, "p", &slot),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(slot.message, "default_params"));

    struct { size_t size; int32_t a, c; double b, d; } newer = {sizeof newer, 1, 2, 3, 4};
    assert_int_equal(s2fi_params_merge(&effective, sizeof effective, &newer, "p", &slot),
                     S2F_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(effective.alpha, 1); /* untouched on failure */
}

static void defaults_fill_older_and_refuse_newer_caller_structs(void **state)
{
    (void)state;
    const example_params_v2 defaults = {sizeof defaults, 1, 3, 2.0};
    example_params_v1 old_caller;
    memset(&old_caller, 0xAB, sizeof old_caller);
    assert_int_equal(s2fi_params_defaults(&old_caller, sizeof old_caller, &defaults,
                                          sizeof defaults, "p"), S2F_OK);
    assert_int_equal(old_caller.size, sizeof old_caller); /* the caller's size, not ours */
    assert_int_equal(old_caller.alpha, 1);
    assert_int_equal(old_caller.gamma, 3);

    struct { example_params_v2 known; double newer_field; } newer;
    memset(&newer, 0xAB, sizeof newer);
    assert_int_equal(s2fi_params_defaults(&newer, sizeof newer, &defaults, sizeof defaults, "p"),
                     S2F_ERR_UNSUPPORTED_VERSION);
    assert_true(newer.newer_field == 0.0);
    assert_int_equal(s2fi_params_defaults(NULL, sizeof newer, &defaults, sizeof defaults, "p"),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2fi_params_defaults(&newer, 4, &defaults, sizeof defaults, "p"),
                     S2F_ERR_INVALID_ARGUMENT);
}

static void aligned_alloc_is_aligned_and_sizes_are_checked(void **state)
{
    (void)state;
    for (size_t bytes = 1; bytes < 5000; bytes = bytes * 3 + 1) {
        unsigned char *p = s2fi_aligned_calloc(bytes);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % S2FI_ALIGNMENT, 0);
        for (size_t i = 0; i < bytes; ++i)
            assert_int_equal(p[i], 0);
        s2fi_free(p);
    }
    assert_null(s2fi_aligned_alloc(0));
    assert_null(s2fi_aligned_alloc(SIZE_MAX));
    s2fi_free(NULL);

    size_t out = 0;
    assert_true(s2fi_mul_size(1000, 1000, &out));
    assert_int_equal(out, 1000000);
    assert_false(s2fi_mul_size(SIZE_MAX / 2, 3, &out));
    assert_false(s2fi_add_size(SIZE_MAX, 1, &out));
}

/* Every share of every job runs exactly once, whichever threads run it. */
typedef struct share_counts {
    int runs[64];
} share_counts;

static void count_share(void *context, size_t worker, size_t n_workers)
{
    share_counts *counts = context;
    assert_true(worker < n_workers);
    __atomic_fetch_add(&counts->runs[worker], 1, __ATOMIC_RELAXED);
}

static void run_jobs(s2fi_pool *pool, int jobs)
{
    for (int j = 0; j < jobs; ++j) {
        size_t n = 1 + (size_t)(j * 7) % 40; /* 1 … 40 workers, growing and shrinking */
        share_counts counts = {{0}};
        s2fi_run_workers(pool, n, count_share, &counts);
        for (size_t w = 0; w < 64; ++w)
            assert_int_equal(counts.runs[w], w < n ? 1 : 0);
    }
}

static void *run_jobs_thread(void *pool)
{
    run_jobs(pool, 200);
    return NULL;
}

static void pool_runs_every_share_once_and_is_shared_safely(void **state)
{
    (void)state;
    s2fi_pool *pool = s2fi_pool_create();
    assert_non_null(pool);
    run_jobs(pool, 500);
    /* Four callers on one pool: one job at a time uses it, the others start their own threads. */
    pthread_t threads[4];
    for (int t = 0; t < 4; ++t)
        assert_int_equal(pthread_create(&threads[t], NULL, run_jobs_thread, pool), 0);
    for (int t = 0; t < 4; ++t)
        pthread_join(threads[t], NULL);
    s2fi_pool_free(pool);
    s2fi_pool_free(NULL);
    run_jobs(NULL, 50); /* no pool: threads per call */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fail_records_message_in_slot_and_thread),
        cmocka_unit_test(overlong_messages_are_truncated_not_overflowed),
        cmocka_unit_test(thread_messages_do_not_leak_across_threads),
        cmocka_unit_test(params_from_older_caller_keep_new_defaults),
        cmocka_unit_test(params_null_means_defaults_and_bad_sizes_fail),
        cmocka_unit_test(defaults_fill_older_and_refuse_newer_caller_structs),
        cmocka_unit_test(aligned_alloc_is_aligned_and_sizes_are_checked),
        cmocka_unit_test(pool_runs_every_share_once_and_is_shared_safely),
    };
    return cmocka_run_group_tests_name("core internals", tests, NULL, NULL);
}
