/* The smallest program using libspeech2face: checks that the header and the loaded library agree,
 * installs a log callback, and shows how a failing call reports its status and message.
 * Build against an installed library with:
 *     cc minimal.c $(pkg-config --cflags --libs speech2face) -o minimal */
#include <speech2face.h>

#include <stdio.h>

static void print_log(s2f_log_level level, const char *message, void *user_data)
{
    (void)user_data;
    fprintf(stderr, "[s2f %d] %s\n", (int)level, message);
}

int main(void)
{
    if (s2f_version() != S2F_VERSION) {
        fprintf(stderr, "header %s but library %s\n", S2F_VERSION_STRING, s2f_version_string());
        return 1;
    }
    printf("libspeech2face %s\n", s2f_version_string());

    s2f_set_log_callback(print_log, NULL, S2F_LOG_WARNING);

    /* Every fallible call returns a status; the message says what exactly was wrong. */
    s2f_status status = s2f_set_log_callback(print_log, NULL, (s2f_log_level)42);
    printf("a bad call returns %s (%s): %s\n", s2f_status_name(status), s2f_strerror(status),
           s2f_last_error_message());
    return status == S2F_ERR_INVALID_ARGUMENT ? 0 : 1;
}
