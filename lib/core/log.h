/* The library's only way to say anything: messages go to the user's callback, never to a stream. */
#ifndef S2F_CORE_LOG_H
#define S2F_CORE_LOG_H

#include "core/error.h"

/** Formats and delivers a message if a callback is set and `level` passes its threshold. */
void s2fi_log(s2f_log_level level, const char *fmt, ...) S2FI_PRINTF(2, 3);

#endif
