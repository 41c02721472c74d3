/* Driver for the Python interop test: writes the sample container with the C writer, or loads a
 * container through the public API and prints a canonical dump that the Python side reproduces
 * from its own reader/writer (integers in decimal, reals as IEEE bit patterns in hex, strings as
 * hex bytes, tensor data as CRC-32), or prints the status of a failed load.
 *   model_tool write-sample PATH | dump PATH | status PATH */
#include "core/crc32.h"
#include "model/model.h"
#include "sample_model.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const char *const dtype_names[] = {"f32", "f16", "i32", "u8"};

static int dump(const s2f_model *model)
{
    size_t count;
    char key[256];
    s2f_model_metadata_count(model, &count);
    for (size_t i = 0; i < count; ++i) {
        s2f_model_metadata_key(model, i, key, sizeof key, NULL);
        s2f_model_value_type type;
        size_t length;
        s2f_model_metadata_type(model, key, &type, &length);
        printf("meta %s ", key);
        if (type == S2F_MODEL_VALUE_I64) {
            int64_t value;
            s2f_model_metadata_i64(model, key, &value);
            printf("i64 %" PRId64, value);
        } else if (type == S2F_MODEL_VALUE_F64) {
            double value;
            uint64_t bits;
            s2f_model_metadata_f64(model, key, &value);
            memcpy(&bits, &value, sizeof bits);
            printf("f64 %016" PRIx64, bits);
        } else if (type == S2F_MODEL_VALUE_STRING) {
            const char *text;
            s2fi_model_get_string(model, key, &text, NULL);
            printf("string ");
            for (size_t b = 0; b < length; ++b)
                printf("%02x", (unsigned char)text[b]);
        } else if (type == S2F_MODEL_VALUE_I64_ARRAY) {
            const int64_t *values;
            s2fi_model_get_i64_array(model, key, &values, &length, NULL);
            printf("i64[] %zu", length);
            for (size_t e = 0; e < length; ++e)
                printf(" %" PRId64, values[e]);
        } else {
            const float *values;
            s2fi_model_get_f32_array(model, key, &values, &length, NULL);
            printf("f32[] %zu", length);
            for (size_t e = 0; e < length; ++e) {
                uint32_t bits;
                memcpy(&bits, &values[e], sizeof bits);
                printf(" %08" PRIx32, bits);
            }
        }
        printf("\n");
    }
    s2f_model_tensor_count(model, &count);
    for (size_t i = 0; i < count; ++i) {
        s2f_model_tensor_name(model, i, key, sizeof key, NULL);
        s2fi_tensor_view view;
        if (s2fi_model_tensor(model, key, &view, NULL) != S2F_OK)
            return 1;
        printf("tensor %s %s %d", key, dtype_names[view.dtype], view.ndim);
        for (int d = 0; d < view.ndim; ++d)
            printf(" %" PRId64, view.shape[d]);
        printf(" %zu %08" PRIx32 "\n", view.nbytes, s2fi_crc32_update(0, view.data, view.nbytes));
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s write-sample|dump|status PATH\n", argv[0]);
        return 2;
    }
    if (strcmp(argv[1], "write-sample") == 0) {
        s2fi_model_writer *writer;
        s2f_status status = s2fi_model_writer_create(&writer);
        if (status == S2F_OK)
            status = sample_model_fill(writer);
        if (status == S2F_OK)
            status = s2fi_model_writer_to_file(writer, argv[2]);
        s2fi_model_writer_free(writer);
        if (status != S2F_OK)
            fprintf(stderr, "%s\n", s2f_last_error_message());
        return status == S2F_OK ? 0 : 1;
    }
    s2f_model *model = NULL;
    s2f_status status = s2f_model_load_file(argv[2], NULL, &model);
    if (strcmp(argv[1], "status") == 0) {
        printf("%s %s\n", s2f_status_name(status), status ? s2f_last_error_message() : "");
        s2f_model_free(model);
        return 0;
    }
    if (status != S2F_OK) {
        fprintf(stderr, "%s: %s\n", s2f_status_name(status), s2f_last_error_message());
        return 1;
    }
    int rc = dump(model);
    s2f_model_free(model);
    return rc;
}
