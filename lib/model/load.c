/* Public constructors and destructor of s2f_model: get the container's bytes into 64-byte
 * aligned, read-only memory (a file mapping, or an owned copy), then hand them to the parser. */
#include "model/model_internal.h"

#include "core/alloc.h"
#include "core/params.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(sizeof(s2f_model_load_params) == sizeof(size_t) + 2 * sizeof(int32_t),
               "s2f_model_load_params must have no padding (fields in whole 8-byte units)");
_Static_assert((int)S2F_MODEL_DTYPE_U8 == (int)S2FI_DTYPE_U8 &&
                   (int)S2F_MODEL_DTYPE_F16 == (int)S2FI_DTYPE_F16,
               "public and internal dtype codes must agree");
_Static_assert((int)S2F_MODEL_VALUE_F32_ARRAY == (int)S2FI_META_F32_ARRAY &&
                   (int)S2F_MODEL_VALUE_STRING == (int)S2FI_META_STRING,
               "public and file value-type codes must agree");

static const s2f_model_load_params load_defaults = {
    .size = sizeof(s2f_model_load_params),
    .verify_checksum = 1,
    .use_mmap = 1,
};

S2F_API s2f_status s2f_model_load_default_params_sized(s2f_model_load_params *params, size_t size)
{
    return s2fi_params_defaults(params, size, &load_defaults, sizeof load_defaults,
                                "s2f_model_load_params");
}

void s2fi_model_release(s2f_model *model)
{
    if (!model)
        return;
    if (model->mapping)
        munmap(model->mapping, model->size);
    s2fi_free(model->owned_bytes);
    free(model->arena);
    free(model->metadata);
    free(model->tensors);
    free(model);
}

S2F_API void s2f_model_free(s2f_model *model)
{
    s2fi_model_release(model);
}

static s2f_status effective_params(const s2f_model_load_params *caller,
                                   s2f_model_load_params *out)
{
    *out = load_defaults;
    return s2fi_params_merge(out, sizeof *out, caller, "s2f_model_load_params", NULL);
}

/* Parses a model whose bytes are attached; publishes it only when valid. */
static s2f_status finish_load(s2f_model *model, const char *origin,
                              const s2f_model_load_params *params, s2f_model **out)
{
    s2f_status status = s2fi_model_parse(model, origin, params->verify_checksum);
    if (status != S2F_OK) {
        s2fi_model_release(model);
        return status;
    }
    *out = model;
    return S2F_OK;
}

S2F_API s2f_status s2f_model_load_buffer(const void *data, size_t size,
                                         const s2f_model_load_params *params, s2f_model **out)
{
    if (!data || !out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_model_load_buffer: data and out must not be NULL");
    s2f_model_load_params effective;
    s2f_status status = effective_params(params, &effective);
    if (status != S2F_OK)
        return status;
    s2f_model *model = calloc(1, sizeof *model);
    /* An empty buffer still gets a (1-byte) allocation so the parser reports it as truncated. */
    void *copy = s2fi_aligned_alloc(size ? size : 1);
    if (!model || !copy) {
        free(model);
        s2fi_free(copy);
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "no memory to copy a %zu-byte model", size);
    }
    if (size)
        memcpy(copy, data, size);
    model->owned_bytes = copy;
    model->bytes = copy;
    model->size = size;
    return finish_load(model, "model buffer", &effective, out);
}

/* Reads the whole file into an aligned allocation (use_mmap = 0). */
static s2f_status read_whole_file(int fd, const char *path, size_t size, s2f_model *model)
{
    uint8_t *copy = s2fi_aligned_alloc(size ? size : 1);
    if (!copy)
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "%s: no memory to read %zu bytes", path,
                         size);
    model->owned_bytes = copy;
    model->bytes = copy;
    size_t done = 0;
    while (done < size) {
        ssize_t got = read(fd, copy + done, size - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return s2fi_fail(NULL, S2F_ERR_IO, "%s: read failed: %s", path, strerror(errno));
        if (got == 0)
            break; /* shrank since fstat: the parser reports the truncation */
        done += (size_t)got;
    }
    model->size = done;
    return S2F_OK;
}

S2F_API s2f_status s2f_model_load_file(const char *path, const s2f_model_load_params *params,
                                       s2f_model **out)
{
    if (!path || !out)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_model_load_file: path and out must not be NULL");
    s2f_model_load_params effective;
    s2f_status status = effective_params(params, &effective);
    if (status != S2F_OK)
        return status;

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return s2fi_fail(NULL, S2F_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat info;
    if (fstat(fd, &info) != 0) {
        status = s2fi_fail(NULL, S2F_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
        close(fd);
        return status;
    }
    if (!S_ISREG(info.st_mode)) {
        close(fd);
        return s2fi_fail(NULL, S2F_ERR_IO, "%s: not a regular file", path);
    }
    if ((uint64_t)info.st_size > SIZE_MAX) {
        close(fd);
        return s2fi_fail(NULL, S2F_ERR_IO, "%s: too large to address", path);
    }
    size_t size = (size_t)info.st_size;
    s2f_model *model = calloc(1, sizeof *model);
    if (!model) {
        close(fd);
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "no memory for a model");
    }
    if (effective.use_mmap && size > 0) {
        /* Page-aligned, so every 64-byte aligned file offset is a 64-byte aligned pointer. */
        void *mapping = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (mapping == MAP_FAILED)
            status = s2fi_fail(NULL, S2F_ERR_IO, "%s: cannot map %zu bytes: %s", path, size,
                               strerror(errno));
        else {
            model->mapping = mapping;
            model->bytes = mapping;
            model->size = size;
        }
    } else {
        /* Also taken for an empty file, which cannot be mapped; the parser names the problem. */
        status = read_whole_file(fd, path, size, model);
    }
    close(fd);
    if (status != S2F_OK) {
        s2fi_model_release(model);
        return status;
    }
    return finish_load(model, path, &effective, out);
}
