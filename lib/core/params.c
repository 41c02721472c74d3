#include "core/params.h"

#include <string.h>

s2f_status s2fi_params_defaults(void *out, size_t caller_size, const void *defaults,
                                size_t full_size, const char *what)
{
    if (!out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "%s pointer is NULL", what);
    if (caller_size < sizeof(size_t))
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "%s size %zu is too small", what,
                         caller_size);
    size_t known = caller_size < full_size ? caller_size : full_size;
    memcpy(out, defaults, known);
    memset((char *)out + known, 0, caller_size - known);
    memcpy(out, &caller_size, sizeof caller_size);
    if (caller_size > full_size)
        return s2fi_fail(NULL, S2F_ERR_UNSUPPORTED_VERSION,
                         "%s is %zu bytes but this library knows %zu: the caller was built "
                         "against a newer header",
                         what, caller_size, full_size);
    return S2F_OK;
}

s2f_status s2fi_params_merge(void *out, size_t full_size, const void *caller, const char *what,
                             s2fi_error_slot *slot)
{
    if (!caller)
        return S2F_OK;
    size_t caller_size;
    memcpy(&caller_size, caller, sizeof caller_size);
    if (caller_size < sizeof(size_t))
        return s2fi_fail(slot, S2F_ERR_INVALID_ARGUMENT,
                         "%s.size is %zu: fill the struct with its *_default_params() first", what,
                         caller_size);
    if (caller_size > full_size)
        return s2fi_fail(slot, S2F_ERR_UNSUPPORTED_VERSION,
                         "%s.size is %zu but this library knows %zu bytes: the caller was built "
                         "against a newer header",
                         what, caller_size, full_size);
    /* Keep our own size: `out` always describes the full struct of this library. */
    memcpy((char *)out + sizeof(size_t), (const char *)caller + sizeof(size_t),
           caller_size - sizeof(size_t));
    return S2F_OK;
}
