#include "core/error.h"
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One slot per thread so that constructors, which have no handle yet, can still report detail;
 * thread-local storage keeps concurrent callers from seeing each other's messages. */
static _Thread_local char thread_last_error[S2FI_ERROR_MESSAGE_MAX];

s2f_status s2fi_fail(s2fi_error_slot *slot, s2f_status status, const char *fmt, ...)
{
    char message[S2FI_ERROR_MESSAGE_MAX];
    va_list args;
    va_start(args, fmt);
    int written = vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    if (written < 0)
        snprintf(message, sizeof message, "%s", s2f_strerror(status));

    memcpy(thread_last_error, message, sizeof message);
    if (slot) {
        slot->status = status;
        memcpy(slot->message, message, sizeof message);
    }
    s2fi_log(S2F_LOG_DEBUG, "%s: %s", s2f_status_name(status), message);
    return status;
}

const char *s2fi_error_slot_message(const s2fi_error_slot *slot)
{
    return slot ? slot->message : "";
}

S2F_API const char *s2f_last_error_message(void)
{
    return thread_last_error;
}
