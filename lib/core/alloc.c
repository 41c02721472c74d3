#include "core/alloc.h"

#include <stdlib.h>
#include <string.h>

void *s2fi_aligned_alloc(size_t bytes)
{
    if (bytes == 0)
        return NULL;
    void *ptr = NULL;
    if (posix_memalign(&ptr, S2FI_ALIGNMENT, bytes) != 0)
        return NULL;
    return ptr;
}

void *s2fi_aligned_calloc(size_t bytes)
{
    void *ptr = s2fi_aligned_alloc(bytes);
    if (ptr)
        memset(ptr, 0, bytes);
    return ptr;
}

void s2fi_free(void *ptr)
{
    free(ptr);
}
