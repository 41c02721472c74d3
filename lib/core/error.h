/* Error recording shared by every component: a failing call formats one message, stores it in
 * the handle's slot (if any) and in the calling thread's slot, and returns the status. */
#ifndef S2F_CORE_ERROR_H
#define S2F_CORE_ERROR_H

#include "speech2face.h"

#define S2FI_ERROR_MESSAGE_MAX 512

/** Per-handle record of the last failure. Zero-initialised means "no error". */
typedef struct s2fi_error_slot {
    s2f_status status;
    char message[S2FI_ERROR_MESSAGE_MAX];
} s2fi_error_slot;

#if defined(__GNUC__)
#  define S2FI_PRINTF(fmt_index, args_index) __attribute__((format(printf, fmt_index, args_index)))
#else
#  define S2FI_PRINTF(fmt_index, args_index)
#endif

/** Records `status` with a printf-style message in `slot` (may be NULL) and in the calling
 *  thread's slot, passes it to the log at DEBUG level, and returns `status` so callers can
 *  write `return s2fi_fail(...)`. */
s2f_status s2fi_fail(s2fi_error_slot *slot, s2f_status status, const char *fmt, ...) S2FI_PRINTF(3, 4);

/** Message stored in a slot, "" when none. Never NULL. */
const char *s2fi_error_slot_message(const s2fi_error_slot *slot);

#endif
