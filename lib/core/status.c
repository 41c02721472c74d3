/* Names and descriptions of s2f_status codes. Tables are indexed by the code, so a new code
 * needs one row in each; the static assert keeps them in step with the header. */
#include "speech2face.h"

struct status_text {
    const char *name;
    const char *description;
};

static const struct status_text status_texts[] = {
    [S2F_OK] = {"S2F_OK", "success"},
    [S2F_ERR_INVALID_ARGUMENT] = {"S2F_ERR_INVALID_ARGUMENT", "invalid argument"},
    [S2F_ERR_OUT_OF_MEMORY] = {"S2F_ERR_OUT_OF_MEMORY", "out of memory"},
    [S2F_ERR_IO] = {"S2F_ERR_IO", "input/output error"},
    [S2F_ERR_BAD_FORMAT] = {"S2F_ERR_BAD_FORMAT", "bad file or data format"},
    [S2F_ERR_UNSUPPORTED_VERSION] = {"S2F_ERR_UNSUPPORTED_VERSION", "unsupported format version"},
    [S2F_ERR_CHECKSUM_MISMATCH] = {"S2F_ERR_CHECKSUM_MISMATCH", "checksum mismatch"},
    [S2F_ERR_SHAPE_MISMATCH] = {"S2F_ERR_SHAPE_MISMATCH", "shape mismatch"},
    [S2F_ERR_BUFFER_TOO_SMALL] = {"S2F_ERR_BUFFER_TOO_SMALL", "output buffer too small"},
    [S2F_ERR_NOT_FOUND] = {"S2F_ERR_NOT_FOUND", "not found"},
    [S2F_ERR_NON_FINITE] = {"S2F_ERR_NON_FINITE", "input contains NaN or infinity"},
    [S2F_ERR_SINGULAR] = {"S2F_ERR_SINGULAR", "singular linear system"},
    [S2F_ERR_UNSUPPORTED] = {"S2F_ERR_UNSUPPORTED", "unsupported operation"},
    [S2F_ERR_INTERNAL] = {"S2F_ERR_INTERNAL", "internal library error"},
    [S2F_ERR_NO_SPEECH] = {"S2F_ERR_NO_SPEECH", "too little speech in the audio"},
};

_Static_assert(sizeof status_texts / sizeof status_texts[0] == S2F_STATUS_COUNT,
               "every s2f_status needs a name and a description");

static const struct status_text *lookup(s2f_status status)
{
    unsigned index = (unsigned)status;
    if (index >= S2F_STATUS_COUNT)
        return NULL;
    return &status_texts[index];
}

S2F_API const char *s2f_strerror(s2f_status status)
{
    const struct status_text *text = lookup(status);
    return text ? text->description : "unknown status code";
}

S2F_API const char *s2f_status_name(s2f_status status)
{
    const struct status_text *text = lookup(status);
    return text ? text->name : "S2F_UNKNOWN";
}
