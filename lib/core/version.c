#include "speech2face.h"

S2F_API uint32_t s2f_version(void)
{
    return S2F_VERSION;
}

S2F_API const char *s2f_version_string(void)
{
    return S2F_VERSION_STRING;
}
