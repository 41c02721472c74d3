/* Versioned params structs: every public params struct starts with `size_t size`. A caller built
 * against an older header passes a smaller struct; fields past its size keep library defaults. */
#ifndef S2F_CORE_PARAMS_H
#define S2F_CORE_PARAMS_H

#include "core/error.h"

#include <stddef.h>

/** Produces the effective params: `out` (already holding defaults, `full_size` bytes) is overlaid
 *  with the first `caller->size` bytes of `caller`. A NULL `caller` means "all defaults".
 *  Fails with S2F_ERR_INVALID_ARGUMENT if the size field is too small to be real, and with
 *  S2F_ERR_UNSUPPORTED_VERSION if the caller's struct is larger than this library knows, since
 *  that caller set fields we would silently ignore. `what` names the struct in messages. */
s2f_status s2fi_params_merge(void *out, size_t full_size, const void *caller, const char *what,
                             s2fi_error_slot *slot);

#endif
