/* The always-available public surface, called through the shared library exactly as a user
 * would: version, status strings, last-error text, log callback. */
#include <speech2face.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void version_matches_header_and_build(void **state)
{
    (void)state;
    assert_int_equal(s2f_version(), S2F_VERSION);
    assert_string_equal(s2f_version_string(), S2F_VERSION_STRING);
    /* The header macros and the meson project version must not drift apart. */
    assert_string_equal(S2F_VERSION_STRING, S2F_EXPECTED_VERSION);
    char built[32];
    snprintf(built, sizeof built, "%d.%d.%d", S2F_VERSION_MAJOR, S2F_VERSION_MINOR,
             S2F_VERSION_PATCH);
    assert_string_equal(built, S2F_VERSION_STRING);
    assert_int_equal(S2F_VERSION,
                     (S2F_VERSION_MAJOR << 16) | (S2F_VERSION_MINOR << 8) | S2F_VERSION_PATCH);
}

static void every_status_has_a_distinct_name_and_description(void **state)
{
    (void)state;
    assert_string_equal(s2f_strerror(S2F_OK), "success");
    assert_string_equal(s2f_status_name(S2F_ERR_CHECKSUM_MISMATCH), "S2F_ERR_CHECKSUM_MISMATCH");
    for (int a = 0; a < S2F_STATUS_COUNT; ++a) {
        const char *name = s2f_status_name((s2f_status)a);
        const char *text = s2f_strerror((s2f_status)a);
        assert_non_null(name);
        assert_non_null(text);
        assert_true(strncmp(name, "S2F_", 4) == 0);
        assert_true(strlen(text) > 3);
        assert_string_not_equal(text, "unknown status code");
        for (int b = 0; b < a; ++b) {
            assert_string_not_equal(name, s2f_status_name((s2f_status)b));
            assert_string_not_equal(text, s2f_strerror((s2f_status)b));
        }
    }
}

static void unknown_status_codes_get_a_fallback_not_a_crash(void **state)
{
    (void)state;
    assert_string_equal(s2f_strerror((s2f_status)S2F_STATUS_COUNT), "unknown status code");
    assert_string_equal(s2f_strerror((s2f_status)-1), "unknown status code");
    assert_string_equal(s2f_status_name((s2f_status)12345), "S2F_UNKNOWN");
}

struct captured_log {
    int calls;
    s2f_log_level level;
    char message[512];
};

static void capture_log(s2f_log_level level, const char *message, void *user_data)
{
    struct captured_log *log = user_data;
    log->calls++;
    log->level = level;
    snprintf(log->message, sizeof log->message, "%s", message);
}

static void bad_log_level_is_rejected_with_a_message(void **state)
{
    (void)state;
    assert_int_equal(s2f_set_log_callback(NULL, NULL, (s2f_log_level)7), S2F_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(s2f_last_error_message(), "log level 7"));
    assert_int_equal(s2f_set_log_callback(NULL, NULL, (s2f_log_level)-1), S2F_ERR_INVALID_ARGUMENT);
}

static void failures_reach_the_log_callback_at_debug_level(void **state)
{
    (void)state;
    struct captured_log log = {0};
    assert_int_equal(s2f_set_log_callback(capture_log, &log, S2F_LOG_DEBUG), S2F_OK);
    assert_int_equal(s2f_set_log_callback(capture_log, &log, (s2f_log_level)99),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(log.calls, 1);
    assert_int_equal(log.level, S2F_LOG_DEBUG);
    assert_non_null(strstr(log.message, "S2F_ERR_INVALID_ARGUMENT"));
    assert_non_null(strstr(log.message, "log level 99"));

    /* A higher threshold filters the debug message out; NULL turns logging off entirely. */
    assert_int_equal(s2f_set_log_callback(capture_log, &log, S2F_LOG_ERROR), S2F_OK);
    assert_int_equal(s2f_set_log_callback(capture_log, &log, (s2f_log_level)99),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(log.calls, 1);
    assert_int_equal(s2f_set_log_callback(NULL, NULL, S2F_LOG_DEBUG), S2F_OK);
    assert_int_equal(s2f_set_log_callback(capture_log, &log, (s2f_log_level)99),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(log.calls, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(version_matches_header_and_build),
        cmocka_unit_test(every_status_has_a_distinct_name_and_description),
        cmocka_unit_test(unknown_status_codes_get_a_fallback_not_a_crash),
        cmocka_unit_test(bad_log_level_is_rejected_with_a_message),
        cmocka_unit_test(failures_reach_the_log_callback_at_debug_level),
    };
    return cmocka_run_group_tests_name("public core", tests, NULL, NULL);
}
