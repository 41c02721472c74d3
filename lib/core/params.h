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

/** Implements every s2f_<x>_default_params_sized(): copies the library's `defaults`
 *  (`full_size` bytes) into the caller's struct of `caller_size` bytes — fewer for a caller built
 *  against an older header — zero-fills any excess and sets out->size = caller_size. A caller
 *  struct larger than the library's gets S2F_ERR_UNSUPPORTED_VERSION (its extra fields would be
 *  ignored silently otherwise). */
s2f_status s2fi_params_defaults(void *out, size_t caller_size, const void *defaults,
                                size_t full_size, const char *what);

#endif
