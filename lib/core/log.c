#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

/* The callback, its user data and threshold change together, so one mutex guards all three;
 * logging is rare enough that taking it per message costs nothing measurable. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static s2f_log_fn log_callback;
static void *log_user_data;
static s2f_log_level log_min_level = S2F_LOG_WARNING;

S2F_API s2f_status s2f_set_log_callback(s2f_log_fn fn, void *user_data, s2f_log_level min_level)
{
    if ((int)min_level < S2F_LOG_DEBUG || (int)min_level > S2F_LOG_ERROR)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "log level %d is not an s2f_log_level",
                         (int)min_level);
    pthread_mutex_lock(&log_lock);
    log_callback = fn;
    log_user_data = user_data;
    log_min_level = min_level;
    pthread_mutex_unlock(&log_lock);
    return S2F_OK;
}

void s2fi_log(s2f_log_level level, const char *fmt, ...)
{
    pthread_mutex_lock(&log_lock);
    s2f_log_fn callback = log_callback;
    void *user_data = log_user_data;
    s2f_log_level min_level = log_min_level;
    pthread_mutex_unlock(&log_lock);
    if (!callback || level < min_level)
        return;

    char message[1024];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    callback(level, message, user_data);
}
