/* The model container: CRC-32, writer -> loader round trips by buffer and by file (mapped and
 * read, aligned and unaligned), the internal lookups of model.h, the public introspection, every
 * kind of corruption -> its named error, and a random-mutation loop that must never crash. */
#include "core/crc32.h"
#include "model/format.h"
#include "model/model.h"
#include "model/writer.h"
#include "sample_model.h"

#include "core/alloc.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* ---- helpers ------------------------------------------------------------------------------------ */

static uint8_t *sample_bytes(size_t *size)
{
    s2fi_model_writer *writer;
    assert_int_equal(s2fi_model_writer_create(&writer), S2F_OK);
    assert_int_equal(sample_model_fill(writer), S2F_OK);
    uint8_t *bytes;
    assert_int_equal(s2fi_model_writer_to_buffer(writer, &bytes, size), S2F_OK);
    s2fi_model_writer_free(writer);
    return bytes;
}

static s2f_status load(const uint8_t *bytes, size_t size, int verify, s2f_model **model)
{
    s2f_model_load_params params = s2f_model_load_default_params();
    params.verify_checksum = verify;
    return s2f_model_load_buffer(bytes, size, &params, model);
}

/* Loads a (damaged) container, expects `status` and a message containing `fragment`. */
static void expect_failure(const uint8_t *bytes, size_t size, int verify, s2f_status status,
                           const char *fragment)
{
    s2f_model *model = (s2f_model *)(uintptr_t)0x1; /* must stay untouched on failure */
    s2f_status got = load(bytes, size, verify, &model);
    if (got != status || (fragment && !strstr(s2f_last_error_message(), fragment)))
        fail_msg("expected %s containing \"%s\", got %s: %s", s2f_status_name(status),
                 fragment ? fragment : "", s2f_status_name(got), s2f_last_error_message());
    assert_ptr_equal(model, (s2f_model *)(uintptr_t)0x1);
}

static uint64_t header_u64(const uint8_t *bytes, int field)
{
    return s2fi_read_u64le(bytes + field);
}

/* Byte offset of metadata entry `index` / tensor table entry `index`, walking the layout. */
static size_t meta_entry(const uint8_t *b, size_t index)
{
    size_t at = (size_t)header_u64(b, S2FI_HDR_METADATA_OFFSET);
    for (size_t i = 0; i < index; ++i) {
        at += 4 + s2fi_read_u32le(b + at);
        uint32_t type = s2fi_read_u32le(b + at);
        at += 4;
        size_t width = type == S2FI_META_STRING ? 1 : type == S2FI_META_F32_ARRAY ? 4 : 8;
        if (type == S2FI_META_I64 || type == S2FI_META_F64)
            at += 8;
        else
            at += 8 + width * (size_t)s2fi_read_u64le(b + at);
    }
    return at;
}

/* Offset of the value part (after key and type) of a metadata entry. */
static size_t meta_value(const uint8_t *b, size_t index)
{
    size_t at = meta_entry(b, index);
    return at + 4 + s2fi_read_u32le(b + at) + 4;
}

typedef struct tensor_fields {
    size_t start, dtype, ndim, shape, offset, nbytes;
} tensor_fields;

static tensor_fields tensor_entry(const uint8_t *b, size_t index)
{
    size_t at = (size_t)header_u64(b, S2FI_HDR_TENSOR_OFFSET);
    tensor_fields f = {0};
    for (size_t i = 0; i <= index; ++i) {
        f.start = at;
        f.dtype = at + 4 + s2fi_read_u32le(b + at);
        f.ndim = f.dtype + 4;
        f.shape = f.ndim + 4;
        f.offset = f.shape + 8 * s2fi_read_u32le(b + f.ndim);
        f.nbytes = f.offset + 8;
        at = f.nbytes + 8;
    }
    return f;
}

static uint8_t *copy_of(const uint8_t *bytes, size_t size)
{
    uint8_t *copy = malloc(size + 64);
    assert_non_null(copy);
    memcpy(copy, bytes, size);
    return copy;
}

/* ---- CRC-32 --------------------------------------------------------------------------------- */

static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    while (n--) {
        crc ^= *p++;
        for (int k = 0; k < 8; ++k)
            crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

static void crc32_matches_zlib_vectors_and_any_chunking(void **state)
{
    (void)state;
    assert_int_equal(s2fi_crc32_update(0, "123456789", 9), 0xCBF43926u);
    assert_int_equal(s2fi_crc32_update(0, "", 0), 0);
    assert_int_equal(s2fi_crc32_update(0, "The quick brown fox jumps over the lazy dog", 43),
                     0x414FA339u);
    uint8_t data[1031];
    uint32_t seed = 12345;
    for (size_t i = 0; i < sizeof data; ++i)
        data[i] = (uint8_t)((seed = seed * 1103515245u + 12345u) >> 16);
    for (size_t start = 0; start < 9; ++start) {
        size_t n = sizeof data - start;
        uint32_t whole = s2fi_crc32_update(0, data + start, n);
        assert_int_equal(whole, crc32_bitwise(data + start, n));
        for (size_t split = 0; split <= n; split += 37) {
            uint32_t crc = s2fi_crc32_update(0, data + start, split);
            assert_int_equal(s2fi_crc32_update(crc, data + start + split, n - split), whole);
        }
    }
}

/* ---- round trips ---------------------------------------------------------------------------- */

/* Checks every entry of the sample through the internal interface. */
static void check_sample_contents(const s2f_model *model)
{
    s2fi_error_slot slot = {0};
    int64_t i;
    double f;
    const char *text;
    assert_int_equal(s2fi_model_get_string(model, "general.architecture", &text, &slot), S2F_OK);
    assert_string_equal(text, "speech2face");
    assert_int_equal(s2fi_model_get_string(model, "general.utf8", &text, &slot), S2F_OK);
    assert_string_equal(text, "Gesicht \xe2\x80\x93 \xe9\xa1\x94");
    assert_int_equal(s2fi_model_get_i64(model, "voice_encoder.depth", &i, &slot), S2F_OK);
    assert_int_equal(i, 7);
    assert_int_equal(s2fi_model_get_i64(model, "voice_encoder.negative", &i, &slot), S2F_OK);
    assert_true(i == -123456789012LL);
    assert_int_equal(s2fi_model_get_f64(model, "voice_encoder.bn_eps", &f, &slot), S2F_OK);
    assert_true(f == 0.001);
    const int64_t *ints;
    size_t count;
    assert_int_equal(s2fi_model_get_i64_array(model, "voice_encoder.channels", &ints, &count,
                                              &slot), S2F_OK);
    assert_int_equal(count, 8);
    assert_int_equal(ints[0], 64);
    assert_int_equal(ints[7], 512);
    assert_int_equal((uintptr_t)ints % 8, 0);
    assert_int_equal(s2fi_model_get_i64_array(model, "voice_encoder.strides", &ints, &count,
                                              &slot), S2F_OK);
    assert_int_equal(count, 0);
    assert_non_null(ints);
    const float *floats;
    assert_int_equal(s2fi_model_get_f32_array(model, "face_decoder.mean_landmarks", &floats,
                                              &count, &slot), S2F_OK);
    assert_int_equal(count, 5);
    assert_true(floats[1] == -1.5f && floats[3] == 1024.0f);

    const float *conv;
    assert_int_equal(s2fi_model_tensor_f32(model, "voice_encoder.conv1.weight", 4,
                                           (const int64_t[]){4, 2, 1, 7}, &conv, &slot), S2F_OK);
    assert_int_equal((uintptr_t)conv % 64, 0);
    for (int k = 0; k < 56; ++k)
        assert_true(conv[k] == (float)k * 0.5f - 10.0f);
    const float *scalar;
    assert_int_equal(s2fi_model_tensor_f32(model, "general.scalar", 0, NULL, &scalar, &slot),
                     S2F_OK);
    assert_true(*scalar == 42.5f);

    s2fi_tensor_view view;
    assert_int_equal(s2fi_model_tensor(model, "voice_encoder.bn.scale", &view, &slot), S2F_OK);
    assert_int_equal(view.dtype, S2FI_DTYPE_F16);
    assert_int_equal(view.nbytes, 6);
    assert_int_equal(((const uint16_t *)view.data)[2], 0x7BFF);
    assert_int_equal(s2fi_model_tensor(model, "face_encoder.index", &view, &slot), S2F_OK);
    assert_int_equal(view.dtype, S2FI_DTYPE_I32);
    assert_int_equal(view.ndim, 3);
    assert_int_equal(view.count, 8);
    assert_int_equal(((const int32_t *)view.data)[7], 7 * -1000003);
    assert_int_equal((uintptr_t)view.data % 64, 0);
    assert_int_equal(s2fi_model_tensor(model, "face_decoder.lut", &view, &slot), S2F_OK);
    assert_int_equal(view.shape[0], 5);
    assert_int_equal(view.shape[1], 3);
    assert_int_equal(((const uint8_t *)view.data)[14], (uint8_t)(14 * 17));
    assert_int_equal(slot.status, S2F_OK);
}

static void buffer_round_trip_keeps_every_value(void **state)
{
    (void)state;
    size_t size;
    uint8_t *bytes = sample_bytes(&size);
    s2f_model *model = NULL;
    assert_int_equal(load(bytes, size, 1, &model), S2F_OK);
    /* The buffer is copied: destroying it must not affect the model. */
    memset(bytes, 0xAB, size);
    s2fi_free(bytes);
    check_sample_contents(model);
    s2f_model_free(model);
}

static void unaligned_buffer_is_copied_to_aligned_memory(void **state)
{
    (void)state;
    size_t size;
    uint8_t *bytes = sample_bytes(&size);
    uint8_t *storage = malloc(size + 3);
    assert_non_null(storage);
    for (size_t shift = 1; shift <= 3; ++shift) {
        memcpy(storage + shift, bytes, size);
        s2f_model *model = NULL;
        assert_int_equal(s2f_model_load_buffer(storage + shift, size, NULL, &model), S2F_OK);
        check_sample_contents(model);
        s2f_model_free(model);
    }
    free(storage);
    s2fi_free(bytes);
}

static char *temp_path(const char *tag)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/s2f_test_model_%ld_%s.s2fm", (long)getpid(), tag);
    return path;
}

static void file_round_trip_by_mmap_and_by_read(void **state)
{
    (void)state;
    s2fi_model_writer *writer;
    assert_int_equal(s2fi_model_writer_create(&writer), S2F_OK);
    assert_int_equal(sample_model_fill(writer), S2F_OK);
    const char *path = temp_path("file");
    assert_int_equal(s2fi_model_writer_to_file(writer, path), S2F_OK);
    s2fi_model_writer_free(writer);
    for (int use_mmap = 0; use_mmap <= 1; ++use_mmap) {
        s2f_model_load_params params = s2f_model_load_default_params();
        params.use_mmap = use_mmap;
        s2f_model *model = NULL;
        assert_int_equal(s2f_model_load_file(path, &params, &model), S2F_OK);
        check_sample_contents(model);
        s2f_model_free(model);
    }
    /* Defaults and an older caller's struct (only `size`) both work. */
    s2f_model *model = NULL;
    assert_int_equal(s2f_model_load_file(path, NULL, &model), S2F_OK);
    s2f_model_free(model);
    struct { size_t size; } old_params = {sizeof old_params};
    assert_int_equal(s2f_model_load_file(path, (const s2f_model_load_params *)&old_params, &model),
                     S2F_OK);
    s2f_model_free(model);
    unlink(path);
}

static void file_errors_are_named(void **state)
{
    (void)state;
    s2f_model *model = NULL;
    assert_int_equal(s2f_model_load_file("/nonexistent/dir/x.s2fm", NULL, &model), S2F_ERR_IO);
    assert_non_null(strstr(s2f_last_error_message(), "/nonexistent/dir/x.s2fm"));
    assert_int_equal(s2f_model_load_file("/tmp", NULL, &model), S2F_ERR_IO);
    assert_non_null(strstr(s2f_last_error_message(), "not a regular file"));
    const char *path = temp_path("empty");
    FILE *file = fopen(path, "wb");
    assert_non_null(file);
    fclose(file);
    assert_int_equal(s2f_model_load_file(path, NULL, &model), S2F_ERR_BAD_FORMAT);
    assert_non_null(strstr(s2f_last_error_message(), "truncated in the header"));
    unlink(path);
    assert_null(model);
}

static void bad_arguments_and_params_are_rejected(void **state)
{
    (void)state;
    size_t size;
    uint8_t *bytes = sample_bytes(&size);
    s2f_model *model = NULL;
    assert_int_equal(s2f_model_load_buffer(NULL, size, NULL, &model), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_model_load_buffer(bytes, size, NULL, NULL), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_model_load_file(NULL, NULL, &model), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_model_load_file("x", NULL, NULL), S2F_ERR_INVALID_ARGUMENT);
    s2f_model_load_params params = s2f_model_load_default_params();
    assert_int_equal(params.size, sizeof params);
    assert_int_equal(params.verify_checksum, 1);
    assert_int_equal(params.use_mmap, 1);
    params.size = 0;
    assert_int_equal(s2f_model_load_buffer(bytes, size, &params, &model), S2F_ERR_INVALID_ARGUMENT);
    params.size = sizeof params + 8;
    assert_int_equal(s2f_model_load_buffer(bytes, size, &params, &model),
                     S2F_ERR_UNSUPPORTED_VERSION);
    assert_null(model);
    s2f_model_free(NULL); /* a no-op */
    s2fi_free(bytes);
}

static void empty_model_loads(void **state)
{
    (void)state;
    s2fi_model_writer *writer;
    assert_int_equal(s2fi_model_writer_create(&writer), S2F_OK);
    uint8_t *bytes;
    size_t size;
    assert_int_equal(s2fi_model_writer_to_buffer(writer, &bytes, &size), S2F_OK);
    s2fi_model_writer_free(writer);
    assert_int_equal(size, 128); /* the header, padded to the 64-byte aligned data section */
    s2f_model *model = NULL;
    assert_int_equal(load(bytes, size, 1, &model), S2F_OK);
    size_t count = 99;
    assert_int_equal(s2f_model_tensor_count(model, &count), S2F_OK);
    assert_int_equal(count, 0);
    int has = 1;
    assert_int_equal(s2f_model_has_component(model, "voice_encoder", &has), S2F_OK);
    assert_int_equal(has, 0);
    s2fi_tensor_view view;
    assert_int_equal(s2fi_model_tensor(model, "a.b", &view, NULL), S2F_ERR_NOT_FOUND);
    s2f_model_free(model);
    s2fi_free(bytes);
}

static void writer_refuses_bad_names_and_duplicates(void **state)
{
    (void)state;
    s2fi_model_writer *w;
    assert_int_equal(s2fi_model_writer_create(&w), S2F_OK);
    assert_int_equal(s2fi_model_writer_set_i64(w, "nodot", 1), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2fi_model_writer_set_i64(w, ".lead", 1), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2fi_model_writer_set_i64(w, "trail.", 1), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2fi_model_writer_set_i64(w, "has space.x", 1), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2fi_model_writer_set_i64(w, "a.b", 1), S2F_OK);
    assert_int_equal(s2fi_model_writer_set_f64(w, "a.b", 1), S2F_ERR_INVALID_ARGUMENT);
    const float x = 1;
    assert_int_equal(s2fi_model_writer_add_tensor(w, "a.b", S2FI_DTYPE_F32, 0, NULL, &x),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2fi_model_writer_add_tensor(w, "a.c", S2FI_DTYPE_F32, 1,
                                                  (const int64_t[]){0}, &x),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2fi_model_writer_add_tensor(w, "a.c", (s2fi_dtype)7, 0, NULL, &x),
                     S2F_ERR_INVALID_ARGUMENT);
    char long_name[300];
    memset(long_name, 'a', sizeof long_name);
    long_name[1] = '.';
    long_name[256] = '\0';
    assert_int_equal(s2fi_model_writer_set_i64(w, long_name, 1), S2F_ERR_INVALID_ARGUMENT);
    long_name[255] = '\0';
    assert_int_equal(s2fi_model_writer_set_i64(w, long_name, 1), S2F_OK);
    s2fi_model_writer_free(w);
    s2fi_model_writer_free(NULL);
}

/* ---- lookups -------------------------------------------------------------------------------- */

static void internal_lookups_report_not_found_wrong_type_and_wrong_shape(void **state)
{
    (void)state;
    size_t size;
    uint8_t *bytes = sample_bytes(&size);
    s2f_model *model = NULL;
    assert_int_equal(load(bytes, size, 1, &model), S2F_OK);
    s2fi_error_slot slot = {0};
    int64_t i = 5;
    double f;
    const char *text;
    const float *data = NULL;

    assert_int_equal(s2fi_model_get_i64(model, "voice_encoder.width", &i, &slot),
                     S2F_ERR_NOT_FOUND);
    assert_int_equal(slot.status, S2F_ERR_NOT_FOUND);
    assert_non_null(strstr(slot.message, "voice_encoder.width"));
    assert_int_equal(i, 5);
    assert_int_equal(s2fi_model_get_i64(model, "voice_encoder.bn_eps", &i, &slot),
                     S2F_ERR_BAD_FORMAT);
    assert_non_null(strstr(slot.message, "f64"));
    assert_int_equal(s2fi_model_get_string(model, "voice_encoder.depth", &text, &slot),
                     S2F_ERR_BAD_FORMAT);
    const int64_t *ints;
    const float *floats;
    size_t count;
    assert_int_equal(s2fi_model_get_i64_array(model, "face_decoder.mean_landmarks", &ints, &count,
                                              &slot), S2F_ERR_BAD_FORMAT);
    assert_int_equal(s2fi_model_get_f32_array(model, "voice_encoder.channels", &floats, &count,
                                              &slot), S2F_ERR_BAD_FORMAT);
    /* A real-valued lookup accepts an integer (exact widening). */
    assert_int_equal(s2fi_model_get_f64(model, "voice_encoder.depth", &f, &slot), S2F_OK);
    assert_true(f == 7.0);
    assert_int_equal(s2fi_model_get_f64(model, "general.architecture", &f, &slot),
                     S2F_ERR_BAD_FORMAT);
    /* Tensor names and keys are separate tables. */
    assert_int_equal(s2fi_model_get_i64(model, "general.scalar", &i, &slot), S2F_ERR_NOT_FOUND);

    assert_int_equal(s2fi_model_tensor_f32(model, "voice_encoder.conv2.weight", 4,
                                           (const int64_t[]){4, 2, 1, 7}, &data, &slot),
                     S2F_ERR_NOT_FOUND);
    assert_int_equal(s2fi_model_tensor_f32(model, "voice_encoder.conv1.weight", 4,
                                           (const int64_t[]){4, 2, 1, 8}, &data, &slot),
                     S2F_ERR_SHAPE_MISMATCH);
    assert_non_null(strstr(slot.message, "[4, 2, 1, 7]"));
    assert_non_null(strstr(slot.message, "[4, 2, 1, 8]"));
    assert_int_equal(s2fi_model_tensor_f32(model, "voice_encoder.conv1.weight", 3,
                                           (const int64_t[]){4, 2, 7}, &data, &slot),
                     S2F_ERR_SHAPE_MISMATCH);
    assert_int_equal(s2fi_model_tensor_f32(model, "voice_encoder.bn.scale", 1,
                                           (const int64_t[]){3}, &data, &slot),
                     S2F_ERR_BAD_FORMAT);
    assert_non_null(strstr(slot.message, "f16"));
    assert_int_equal(s2fi_model_tensor_f32(model, "voice_encoder.conv1.weight", 5,
                                           (const int64_t[]){1, 4, 2, 1, 7}, &data, &slot),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_null(data);
    /* A NULL slot is allowed: the message still reaches the thread. */
    assert_int_equal(s2fi_model_get_i64(model, "x.y", &i, NULL), S2F_ERR_NOT_FOUND);
    assert_non_null(strstr(s2f_last_error_message(), "x.y"));

    assert_true(s2fi_model_has_component(model, "voice_encoder"));
    assert_true(s2fi_model_has_component(model, "face_encoder"));
    assert_true(s2fi_model_has_component(model, "general"));
    assert_false(s2fi_model_has_component(model, "voice"));
    /* A component is the part before the first dot, so a dotted prefix is not one. */
    assert_false(s2fi_model_has_component(model, "voice_encoder.conv1"));
    assert_false(s2fi_model_has_component(model, ""));
    s2f_model_free(model);
    s2fi_free(bytes);
}

static void public_introspection_follows_the_buffer_rules(void **state)
{
    (void)state;
    size_t size;
    uint8_t *bytes = sample_bytes(&size);
    s2f_model *model = NULL;
    assert_int_equal(load(bytes, size, 1, &model), S2F_OK);

    size_t count = 0, needed = 0;
    assert_int_equal(s2f_model_metadata_count(model, &count), S2F_OK);
    assert_int_equal(count, 9);
    char previous[256] = "", key[256];
    for (size_t i = 0; i < count; ++i) {
        assert_int_equal(s2f_model_metadata_key(model, i, key, sizeof key, &needed), S2F_OK);
        assert_int_equal(needed, strlen(key) + 1);
        assert_true(strcmp(previous, key) < 0); /* strcmp order */
        strcpy(previous, key);
    }
    assert_int_equal(s2f_model_metadata_key(model, count, key, sizeof key, &needed),
                     S2F_ERR_NOT_FOUND);

    char text[64];
    assert_int_equal(s2f_model_metadata_string(model, "general.architecture", NULL, 0, &needed),
                     S2F_OK);
    assert_int_equal(needed, 12);
    memset(text, 'z', sizeof text);
    assert_int_equal(s2f_model_metadata_string(model, "general.architecture", text, 11, &needed),
                     S2F_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(text[0], 'z');
    assert_int_equal(s2f_model_metadata_string(model, "general.architecture", text, 12, NULL),
                     S2F_OK);
    assert_string_equal(text, "speech2face");
    assert_int_equal(s2f_model_metadata_string(model, "general.architecture", NULL, 0, NULL),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_model_metadata_string(model, "general.architecture", NULL, 5, &needed),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_model_metadata_string(model, "voice_encoder.depth", text, 64, &needed),
                     S2F_ERR_BAD_FORMAT);
    assert_int_equal(s2f_model_metadata_string(model, "no.such", text, 64, &needed),
                     S2F_ERR_NOT_FOUND);

    s2f_model_value_type type;
    assert_int_equal(s2f_model_metadata_type(model, "voice_encoder.channels", &type, &count),
                     S2F_OK);
    assert_int_equal(type, S2F_MODEL_VALUE_I64_ARRAY);
    assert_int_equal(count, 8);
    assert_int_equal(s2f_model_metadata_type(model, "general.utf8", &type, &count), S2F_OK);
    assert_int_equal(type, S2F_MODEL_VALUE_STRING);
    assert_int_equal(count, strlen("Gesicht \xe2\x80\x93 \xe9\xa1\x94"));
    assert_int_equal(s2f_model_metadata_type(model, "voice_encoder.bn_eps", &type, NULL), S2F_OK);
    assert_int_equal(type, S2F_MODEL_VALUE_F64);

    int64_t value = 0, values[8];
    double real;
    assert_int_equal(s2f_model_metadata_i64(model, "voice_encoder.negative", &value), S2F_OK);
    assert_true(value == -123456789012LL);
    assert_int_equal(s2f_model_metadata_f64(model, "voice_encoder.bn_eps", &real), S2F_OK);
    assert_true(real == 0.001);
    assert_int_equal(s2f_model_metadata_i64(model, "voice_encoder.bn_eps", &value),
                     S2F_ERR_BAD_FORMAT);
    assert_int_equal(s2f_model_metadata_i64_array(model, "voice_encoder.channels", NULL, 0,
                                                  &count), S2F_OK);
    assert_int_equal(count, 8);
    assert_int_equal(s2f_model_metadata_i64_array(model, "voice_encoder.channels", values, 7,
                                                  &count), S2F_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(s2f_model_metadata_i64_array(model, "voice_encoder.channels", values, 8,
                                                  &count), S2F_OK);
    assert_int_equal(values[5], 256);
    float landmarks[5];
    assert_int_equal(s2f_model_metadata_f32_array(model, "face_decoder.mean_landmarks", landmarks,
                                                  5, &count), S2F_OK);
    assert_true(landmarks[4] == 3.0f);
    assert_int_equal(s2f_model_metadata_f32_array(model, "voice_encoder.channels", landmarks, 5,
                                                  &count), S2F_ERR_BAD_FORMAT);

    assert_int_equal(s2f_model_tensor_count(model, &count), S2F_OK);
    assert_int_equal(count, 6);
    char name[256];
    assert_int_equal(s2f_model_tensor_name(model, 0, name, sizeof name, &needed), S2F_OK);
    assert_string_equal(name, "face_decoder.lut");
    assert_int_equal(s2f_model_tensor_name(model, 6, name, sizeof name, &needed),
                     S2F_ERR_NOT_FOUND);
    s2f_model_dtype dtype;
    int ndim;
    int64_t shape[4];
    assert_int_equal(s2f_model_tensor_info(model, "voice_encoder.conv1.bias", &dtype, &ndim, shape),
                     S2F_OK);
    assert_int_equal(dtype, S2F_MODEL_DTYPE_F32);
    assert_int_equal(ndim, 1);
    assert_int_equal(shape[0], 4);
    assert_int_equal(shape[3], 1);
    assert_int_equal(s2f_model_tensor_info(model, "general.scalar", NULL, &ndim, NULL), S2F_OK);
    assert_int_equal(ndim, 0);
    assert_int_equal(s2f_model_tensor_info(model, "general.missing", &dtype, &ndim, shape),
                     S2F_ERR_NOT_FOUND);

    int has = -1;
    assert_int_equal(s2f_model_has_component(model, "face_decoder", &has), S2F_OK);
    assert_int_equal(has, 1);
    assert_int_equal(s2f_model_has_component(model, "face", &has), S2F_OK);
    assert_int_equal(has, 0);
    assert_int_equal(s2f_model_has_component(NULL, "face", &has), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_model_has_component(model, NULL, &has), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_model_has_component(model, "face_decoder.lut", &has),
                     S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_model_tensor_count(NULL, &count), S2F_ERR_INVALID_ARGUMENT);
    assert_int_equal(s2f_model_metadata_count(model, NULL), S2F_ERR_INVALID_ARGUMENT);
    s2f_model_free(model);
    s2fi_free(bytes);
}

struct shared_reader {
    const s2f_model *model;
    int failures;
};

static void *read_concurrently(void *arg)
{
    struct shared_reader *reader = arg;
    for (int round = 0; round < 2000; ++round) {
        const float *conv;
        int64_t depth;
        s2fi_error_slot slot = {0};
        if (s2fi_model_tensor_f32(reader->model, "voice_encoder.conv1.weight", 4,
                                  (const int64_t[]){4, 2, 1, 7}, &conv, &slot) != S2F_OK ||
            conv[55] != 17.5f ||
            s2fi_model_get_i64(reader->model, "voice_encoder.depth", &depth, &slot) != S2F_OK ||
            depth != 7 ||
            s2fi_model_get_i64(reader->model, "x.missing", &depth, &slot) != S2F_ERR_NOT_FOUND)
            reader->failures++;
    }
    return NULL;
}

static void one_model_is_shared_by_many_threads(void **state)
{
    (void)state;
    size_t size;
    uint8_t *bytes = sample_bytes(&size);
    s2f_model *model = NULL;
    assert_int_equal(load(bytes, size, 1, &model), S2F_OK);
    pthread_t threads[4];
    struct shared_reader readers[4];
    for (int t = 0; t < 4; ++t) {
        readers[t] = (struct shared_reader){model, 0};
        assert_int_equal(pthread_create(&threads[t], NULL, read_concurrently, &readers[t]), 0);
    }
    for (int t = 0; t < 4; ++t) {
        pthread_join(threads[t], NULL);
        assert_int_equal(readers[t].failures, 0);
    }
    s2f_model_free(model);
    s2fi_free(bytes);
}

/* ---- corruption -> named errors ------------------------------------------------------------- */

static void identity_errors(void **state)
{
    (void)state;
    size_t size;
    uint8_t *bytes = sample_bytes(&size);
    uint8_t *bad = copy_of(bytes, size);
    memcpy(bad, "GGUF", 4);
    expect_failure(bad, size, 1, S2F_ERR_BAD_FORMAT, "bad magic");
    expect_failure(bad, 6, 1, S2F_ERR_BAD_FORMAT, "bad magic");
    memcpy(bad, bytes, size);
    s2fi_write_u32le(bad + S2FI_HDR_VERSION, 2);
    s2fi_model_reseal(bad, size);
    expect_failure(bad, size, 1, S2F_ERR_UNSUPPORTED_VERSION, "version 2");
    s2fi_write_u32le(bad + S2FI_HDR_VERSION, 0);
    expect_failure(bad, size, 0, S2F_ERR_UNSUPPORTED_VERSION, "version 0");
    expect_failure(bad, 20, 0, S2F_ERR_UNSUPPORTED_VERSION, "version 0");
    memcpy(bad, bytes, size);
    s2fi_write_u32le(bad + S2FI_HDR_FLAGS, 1);
    s2fi_model_reseal(bad, size);
    expect_failure(bad, size, 1, S2F_ERR_BAD_FORMAT, "flags/reserved");
    memcpy(bad, bytes, size);
    bad[S2FI_HDR_RESERVED + 7] = 1;
    s2fi_model_reseal(bad, size);
    expect_failure(bad, size, 1, S2F_ERR_BAD_FORMAT, "flags/reserved");
    free(bad);
    s2fi_free(bytes);
}

static void truncation_anywhere_names_the_section(void **state)
{
    (void)state;
    size_t size;
    uint8_t *bytes = sample_bytes(&size);
    /* Every possible length is refused with BAD_FORMAT, whatever the checksum setting. */
    for (size_t n = 0; n < size; ++n) {
        expect_failure(bytes, n, 1, S2F_ERR_BAD_FORMAT, "truncated");
        expect_failure(bytes, n, 0, S2F_ERR_BAD_FORMAT, "truncated");
    }
    size_t tensor_offset = (size_t)header_u64(bytes, S2FI_HDR_TENSOR_OFFSET);
    size_t tensor_end = tensor_offset + (size_t)header_u64(bytes, S2FI_HDR_TENSOR_SIZE);
    size_t data_offset = (size_t)header_u64(bytes, S2FI_HDR_DATA_OFFSET);
    assert_true(tensor_end < data_offset); /* the sample has padding before its data */
    const struct { size_t length; const char *section; } cuts[] = {
        {0, "header"},
        {4, "header"},
        {S2FI_HDR_SIZE - 1, "header"},
        {S2FI_HDR_SIZE, "metadata section"},
        {tensor_offset - 1, "metadata section"},
        {tensor_offset, "tensor table"},
        {tensor_end - 1, "tensor table"},
        {tensor_end, "padding before the tensor data"},
        {data_offset - 1, "padding before the tensor data"},
        {data_offset, "tensor data"},
        {(size_t)s2fi_read_u64le(bytes + tensor_entry(bytes, 3).offset), "tensor data"},
        {size - 1, "tensor data"},
    };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; ++i)
        expect_failure(bytes, cuts[i].length, 1, S2F_ERR_BAD_FORMAT, cuts[i].section);

    /* Bytes beyond the declared end are refused too. */
    uint8_t *longer = copy_of(bytes, size);
    memset(longer + size, 0, 64);
    s2fi_model_reseal(longer, size + 64);
    expect_failure(longer, size + 64, 1, S2F_ERR_BAD_FORMAT, "after the declared end");
    free(longer);
    s2fi_free(bytes);
}

static void header_layout_and_counts_are_checked(void **state)
{
    (void)state;
    size_t size;
    uint8_t *bytes = sample_bytes(&size);
    uint8_t *bad = copy_of(bytes, size);
    const struct { int field; int64_t delta; s2f_status status; const char *fragment; } cases[] = {
        {S2FI_HDR_METADATA_OFFSET, 8, S2F_ERR_BAD_FORMAT, "metadata offset"},
        {S2FI_HDR_METADATA_SIZE, 1, S2F_ERR_BAD_FORMAT, "tensor table offset"},
        {S2FI_HDR_TENSOR_OFFSET, -1, S2F_ERR_BAD_FORMAT, "tensor table offset"},
        {S2FI_HDR_TENSOR_SIZE, 64, S2F_ERR_BAD_FORMAT, "data offset"},
        {S2FI_HDR_DATA_OFFSET, 64, S2F_ERR_BAD_FORMAT, "data offset"},
        {S2FI_HDR_DATA_SIZE, -1, S2F_ERR_BAD_FORMAT, "file size"},
        {S2FI_HDR_FILE_SIZE, 1, S2F_ERR_BAD_FORMAT, "file size"},
        {S2FI_HDR_METADATA_COUNT, 1, S2F_ERR_BAD_FORMAT, "metadata entry 9"},
        {S2FI_HDR_METADATA_COUNT, -1, S2F_ERR_BAD_FORMAT, "after its 8 entries"},
        {S2FI_HDR_METADATA_COUNT, (int64_t)1 << 60, S2F_ERR_BAD_FORMAT, "cannot fit"},
        {S2FI_HDR_TENSOR_COUNT, 1, S2F_ERR_BAD_FORMAT, "tensor table entry 6"},
        {S2FI_HDR_TENSOR_COUNT, -1, S2F_ERR_BAD_FORMAT, "after its 5 entries"},
        {S2FI_HDR_TENSOR_COUNT, INT64_MAX - 10, S2F_ERR_BAD_FORMAT, "cannot fit"},
        {S2FI_HDR_METADATA_SIZE, INT64_MIN, S2F_ERR_BAD_FORMAT, "tensor table offset"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        memcpy(bad, bytes, size);
        uint64_t value = header_u64(bad, cases[i].field) + (uint64_t)cases[i].delta;
        s2fi_write_u64le(bad + cases[i].field, value);
        s2fi_model_reseal(bad, size);
        expect_failure(bad, size, 1, cases[i].status, cases[i].fragment);
    }
    /* A header that declares more data than present (consistently) reads as truncation. */
    memcpy(bad, bytes, size);
    s2fi_write_u64le(bad + S2FI_HDR_DATA_SIZE, header_u64(bad, S2FI_HDR_DATA_SIZE) + 64);
    s2fi_write_u64le(bad + S2FI_HDR_FILE_SIZE, header_u64(bad, S2FI_HDR_FILE_SIZE) + 64);
    s2fi_model_reseal(bad, size);
    expect_failure(bad, size, 1, S2F_ERR_BAD_FORMAT, "truncated in the tensor data");
    free(bad);
    s2fi_free(bytes);
}

static void checksum_mismatch_is_detected_unless_disabled(void **state)
{
    (void)state;
    size_t size;
    uint8_t *bytes = sample_bytes(&size);
    uint8_t *bad = copy_of(bytes, size);
    /* A flip in any byte, data or tables or header field, but not the checksum itself. */
    const size_t positions[] = {0 + S2FI_HDR_SIZE + 3, size - 1, size / 2,
                                (size_t)header_u64(bytes, S2FI_HDR_DATA_OFFSET)};
    for (size_t i = 0; i < sizeof positions / sizeof positions[0]; ++i) {
        memcpy(bad, bytes, size);
        bad[positions[i]] ^= 0x10;
        s2f_model *model = NULL;
        s2f_status status = load(bad, size, 1, &model);
        assert_true(status == S2F_ERR_CHECKSUM_MISMATCH);
        assert_non_null(strstr(s2f_last_error_message(), "checksum mismatch"));
    }
    memcpy(bad, bytes, size);
    bad[S2FI_HDR_CHECKSUM] ^= 1;
    expect_failure(bad, size, 1, S2F_ERR_CHECKSUM_MISMATCH, "checksum");
    s2f_model *model = NULL;
    assert_int_equal(load(bad, size, 0, &model), S2F_OK);
    s2f_model_free(model);
    /* A flipped weight with verification off loads: the checksum is the only guard there. */
    memcpy(bad, bytes, size);
    bad[size - 1] ^= 0x10;
    assert_int_equal(load(bad, size, 0, &model), S2F_OK);
    s2f_model_free(model);
    free(bad);
    s2fi_free(bytes);
}

/* Applies `edit` to a fresh copy, reseals it, and expects the named failure. */
typedef void (*edit_fn)(uint8_t *bytes, size_t size);

static void expect_edit(edit_fn edit, s2f_status status, const char *fragment)
{
    size_t size;
    uint8_t *bytes = sample_bytes(&size);
    edit(bytes, size);
    s2fi_model_reseal(bytes, size);
    expect_failure(bytes, size, 1, status, fragment);
    s2fi_free(bytes);
}

static void set_dtype_unknown(uint8_t *b, size_t n) { (void)n; s2fi_write_u32le(b + tensor_entry(b, 0).dtype, 4); }
static void set_dtype_f16(uint8_t *b, size_t n) { (void)n; s2fi_write_u32le(b + tensor_entry(b, 0).dtype, 1); }
static void set_ndim_5(uint8_t *b, size_t n) { (void)n; s2fi_write_u32le(b + tensor_entry(b, 0).ndim, 5); }
static void grow_nbytes(uint8_t *b, size_t n)
{
    (void)n;
    size_t at = tensor_entry(b, 1).nbytes;
    s2fi_write_u64le(b + at, s2fi_read_u64le(b + at) + 4);
}
static void grow_extent(uint8_t *b, size_t n)
{
    (void)n;
    size_t at = tensor_entry(b, 0).shape + 8 * 3;
    s2fi_write_u64le(b + at, 8);
}
static void zero_extent(uint8_t *b, size_t n) { (void)n; s2fi_write_u64le(b + tensor_entry(b, 0).shape, 0); }
static void large_extents(uint8_t *b, size_t n)
{
    (void)n;
    size_t at = tensor_entry(b, 0).shape;
    s2fi_write_u64le(b + at, (uint64_t)1 << 20);
    s2fi_write_u64le(b + at + 8, (uint64_t)1 << 20);
}
static void overflowing_extents(uint8_t *b, size_t n)
{
    (void)n;
    size_t at = tensor_entry(b, 0).shape;
    s2fi_write_u64le(b + at, (uint64_t)1 << 40);
    s2fi_write_u64le(b + at + 8, (uint64_t)1 << 40);
}
static void unaddressable_extents(uint8_t *b, size_t n)
{
    (void)n; /* 7 * 2^60 elements fit in int64, their 4-byte size does not fit in 64 bits */
    size_t at = tensor_entry(b, 0).shape;
    s2fi_write_u64le(b + at, (uint64_t)1 << 30);
    s2fi_write_u64le(b + at + 8, (uint64_t)1 << 30);
}
static void negative_extent(uint8_t *b, size_t n) { (void)n; s2fi_write_u64le(b + tensor_entry(b, 0).shape, UINT64_MAX); }
static void misalign_offset(uint8_t *b, size_t n)
{
    (void)n;
    size_t at = tensor_entry(b, 2).offset;
    s2fi_write_u64le(b + at, s2fi_read_u64le(b + at) + 4);
}
static void offset_past_end(uint8_t *b, size_t n) { s2fi_write_u64le(b + tensor_entry(b, 2).offset, (n + 63) / 64 * 64); }
static void offset_into_header(uint8_t *b, size_t n) { (void)n; s2fi_write_u64le(b + tensor_entry(b, 2).offset, 0); }
static void offset_wraps(uint8_t *b, size_t n) { (void)n; s2fi_write_u64le(b + tensor_entry(b, 2).offset, UINT64_MAX - 63); }
static void overlap_tensors(uint8_t *b, size_t n)
{
    (void)n;
    s2fi_write_u64le(b + tensor_entry(b, 2).offset, s2fi_read_u64le(b + tensor_entry(b, 1).offset));
}
static void bad_key_character(uint8_t *b, size_t n) { (void)n; b[meta_entry(b, 0) + 4 + 2] = ' '; }
static void key_without_dot(uint8_t *b, size_t n)
{
    (void)n;
    size_t at = meta_entry(b, 0); /* "general.architecture" */
    b[at + 4 + 7] = '_';
}
static void zero_key_length(uint8_t *b, size_t n) { (void)n; s2fi_write_u32le(b + meta_entry(b, 2), 0); }
static void long_key_length(uint8_t *b, size_t n) { (void)n; s2fi_write_u32le(b + meta_entry(b, 2), 256); }
static void unknown_value_type(uint8_t *b, size_t n) { (void)n; s2fi_write_u32le(b + meta_value(b, 2) - 4, 5); }
static void huge_string(uint8_t *b, size_t n) { (void)n; s2fi_write_u64le(b + meta_value(b, 0), (uint64_t)1 << 40); }
static void string_longer_than_section(uint8_t *b, size_t n) { (void)n; s2fi_write_u64le(b + meta_value(b, 8), 4096); }
static void huge_array(uint8_t *b, size_t n) { (void)n; s2fi_write_u64le(b + meta_value(b, 5), UINT64_MAX / 4); }
static void nul_in_string(uint8_t *b, size_t n) { (void)n; b[meta_value(b, 0) + 8 + 3] = 0; }
static void every_table_corruption_has_its_named_error(void **state)
{
    (void)state;
    expect_edit(set_dtype_unknown, S2F_ERR_BAD_FORMAT, "unknown dtype 4");
    expect_edit(set_dtype_f16, S2F_ERR_SHAPE_MISMATCH, "need");
    expect_edit(set_ndim_5, S2F_ERR_BAD_FORMAT, "5 dimensions");
    expect_edit(grow_nbytes, S2F_ERR_SHAPE_MISMATCH, "bytes stored");
    expect_edit(grow_extent, S2F_ERR_SHAPE_MISMATCH, "bytes stored");
    expect_edit(zero_extent, S2F_ERR_BAD_FORMAT, "zero or too large");
    expect_edit(large_extents, S2F_ERR_SHAPE_MISMATCH, "bytes stored");
    expect_edit(overflowing_extents, S2F_ERR_BAD_FORMAT, "too large");
    expect_edit(unaddressable_extents, S2F_ERR_BAD_FORMAT, "too many to address");
    expect_edit(negative_extent, S2F_ERR_BAD_FORMAT, "too large");
    expect_edit(misalign_offset, S2F_ERR_BAD_FORMAT, "not a multiple of 64");
    expect_edit(offset_past_end, S2F_ERR_BAD_FORMAT, "outside the data section");
    expect_edit(offset_into_header, S2F_ERR_BAD_FORMAT, "outside the data section");
    expect_edit(offset_wraps, S2F_ERR_BAD_FORMAT, "outside the data section");
    expect_edit(overlap_tensors, S2F_ERR_BAD_FORMAT, "overlap");
    expect_edit(bad_key_character, S2F_ERR_BAD_FORMAT, "printable ASCII");
    expect_edit(key_without_dot, S2F_ERR_BAD_FORMAT, "<component>.<rest>");
    expect_edit(zero_key_length, S2F_ERR_BAD_FORMAT, "name length 0");
    expect_edit(long_key_length, S2F_ERR_BAD_FORMAT, "name length 256");
    expect_edit(unknown_value_type, S2F_ERR_BAD_FORMAT, "unknown value type 5");
    expect_edit(huge_string, S2F_ERR_BAD_FORMAT, "exceeds");
    expect_edit(string_longer_than_section, S2F_ERR_BAD_FORMAT, "truncated");
    expect_edit(huge_array, S2F_ERR_BAD_FORMAT, "truncated");
    expect_edit(nul_in_string, S2F_ERR_BAD_FORMAT, "NUL");
}

/* Two entries whose names differ in their last byte; making them equal must be refused. */
static void duplicate_names_are_refused(void **state)
{
    (void)state;
    s2fi_model_writer *w;
    assert_int_equal(s2fi_model_writer_create(&w), S2F_OK);
    assert_int_equal(s2fi_model_writer_set_i64(w, "general.keyA", 1), S2F_OK);
    assert_int_equal(s2fi_model_writer_set_i64(w, "general.keyB", 2), S2F_OK);
    const float x[2] = {1, 2};
    assert_int_equal(s2fi_model_writer_add_tensor(w, "net.tensorA", S2FI_DTYPE_F32, 1,
                                                  (const int64_t[]){2}, x), S2F_OK);
    assert_int_equal(s2fi_model_writer_add_tensor(w, "net.tensorB", S2FI_DTYPE_F32, 1,
                                                  (const int64_t[]){2}, x), S2F_OK);
    uint8_t *bytes;
    size_t size;
    assert_int_equal(s2fi_model_writer_to_buffer(w, &bytes, &size), S2F_OK);
    s2fi_model_writer_free(w);
    s2f_model *model = NULL;
    assert_int_equal(load(bytes, size, 1, &model), S2F_OK);
    s2f_model_free(model);

    uint8_t *bad = copy_of(bytes, size);
    size_t key_b = meta_entry(bad, 1);
    bad[key_b + 4 + strlen("general.keyB") - 1] = 'A';
    s2fi_model_reseal(bad, size);
    expect_failure(bad, size, 1, S2F_ERR_BAD_FORMAT, "\"general.keyA\" appears more than once");

    memcpy(bad, bytes, size);
    tensor_fields second = tensor_entry(bad, 1);
    bad[second.start + 4 + strlen("net.tensorB") - 1] = 'A';
    s2fi_model_reseal(bad, size);
    expect_failure(bad, size, 1, S2F_ERR_BAD_FORMAT, "\"net.tensorA\" appears more than once");
    free(bad);
    s2fi_free(bytes);
}

/* ---- random mutations: any input gives OK or a named error, never a crash ------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t next_random(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void touch_everything(const s2f_model *model)
{
    size_t count = 0;
    char name[256];
    assert_int_equal(s2f_model_tensor_count(model, &count), S2F_OK);
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < count; ++i) {
        assert_int_equal(s2f_model_tensor_name(model, i, name, sizeof name, NULL), S2F_OK);
        s2fi_tensor_view view;
        assert_int_equal(s2fi_model_tensor(model, name, &view, NULL), S2F_OK);
        assert_int_equal((uintptr_t)view.data % 64, 0);
        for (size_t b = 0; b < view.nbytes; ++b)
            sink ^= ((const uint8_t *)view.data)[b];
    }
    assert_int_equal(s2f_model_metadata_count(model, &count), S2F_OK);
    for (size_t i = 0; i < count; ++i) {
        assert_int_equal(s2f_model_metadata_key(model, i, name, sizeof name, NULL), S2F_OK);
        s2f_model_value_type type;
        size_t length;
        assert_int_equal(s2f_model_metadata_type(model, name, &type, &length), S2F_OK);
        const char *text;
        if (type == S2F_MODEL_VALUE_STRING) {
            assert_int_equal(s2fi_model_get_string(model, name, &text, NULL), S2F_OK);
            assert_int_equal(strlen(text), length);
        }
    }
    (void)sink;
}

static void random_mutations_never_crash(void **state)
{
    (void)state;
    size_t size;
    uint8_t *bytes = sample_bytes(&size);
    uint8_t *mutated = malloc(size + 256);
    assert_non_null(mutated);
    size_t outcomes[S2F_STATUS_COUNT] = {0};
    for (int round = 0; round < 100000; ++round) {
        memcpy(mutated, bytes, size);
        size_t length = size;
        int edits = 1 + (int)(next_random() % 4);
        for (int e = 0; e < edits; ++e) {
            uint64_t r = next_random();
            /* Mostly within the header and tables, where the parser's decisions are made. */
            size_t limit = (r & 1) ? (size_t)header_u64(bytes, S2FI_HDR_DATA_OFFSET) : length;
            if (limit == 0 || limit > length)
                limit = length ? length : 1;
            size_t at = (size_t)(next_random() % limit);
            switch ((r >> 1) % 5) {
            case 0: mutated[at] ^= (uint8_t)(1u << (r >> 8) % 8); break;
            case 1: mutated[at] = (uint8_t)(r >> 16); break;
            case 2:
                if (at + 8 <= length) {
                    /* Values of every magnitude; two statements fix the order of the calls. */
                    uint64_t value = next_random();
                    s2fi_write_u64le(mutated + at, value >> (next_random() % 64));
                }
                break;
            case 3: length = at; break;
            default:
                if (length + 16 <= size + 256) {
                    memset(mutated + length, (int)(r >> 24) & 0xFF, 16);
                    length += 16;
                }
            }
        }
        int verify = round % 3 == 0;
        if (round % 3 == 1)
            s2fi_model_reseal(mutated, length);
        s2f_model *model = NULL;
        s2f_status status = load(mutated, length, verify, &model);
        assert_true(status >= 0 && status < S2F_STATUS_COUNT);
        assert_true(status == S2F_OK || status == S2F_ERR_BAD_FORMAT ||
                    status == S2F_ERR_UNSUPPORTED_VERSION || status == S2F_ERR_CHECKSUM_MISMATCH ||
                    status == S2F_ERR_SHAPE_MISMATCH);
        outcomes[status]++;
        if (status == S2F_OK) {
            touch_everything(model);
            s2f_model_free(model);
        } else {
            assert_null(model);
            assert_true(strlen(s2f_last_error_message()) > 0);
        }
    }
    /* The loop must actually reach both sides of the parser. */
    assert_true(outcomes[S2F_OK] > 0);
    assert_true(outcomes[S2F_ERR_BAD_FORMAT] > 0);
    assert_true(outcomes[S2F_ERR_CHECKSUM_MISMATCH] > 0);
    print_message("mutations: %zu ok, %zu bad format, %zu checksum, %zu shape, %zu version\n",
                  outcomes[S2F_OK], outcomes[S2F_ERR_BAD_FORMAT],
                  outcomes[S2F_ERR_CHECKSUM_MISMATCH], outcomes[S2F_ERR_SHAPE_MISMATCH],
                  outcomes[S2F_ERR_UNSUPPORTED_VERSION]);
    free(mutated);
    s2fi_free(bytes);
}

/* $S2F_MODEL wins; without it the installed model is looked for beside the library (a build
 * tree has none: the message lists where it looked); buffers follow the usual rules. The
 * moved-install case is tests/check_install.sh. */
static void default_model_path_follows_env_then_install(void **state)
{
    (void)state;
    char buf[256];
    size_t length = 0;
    setenv("S2F_MODEL", "/some/where/model.s2fm", 1);
    assert_int_equal(s2f_model_default_path(buf, sizeof buf, &length), S2F_OK);
    assert_string_equal(buf, "/some/where/model.s2fm");
    assert_int_equal(length, strlen("/some/where/model.s2fm"));
    assert_int_equal(s2f_model_default_path(buf, 5, &length), S2F_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(length, strlen("/some/where/model.s2fm"));
    assert_int_equal(s2f_model_default_path(NULL, 0, &length), S2F_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(s2f_model_default_path(NULL, 8, &length), S2F_ERR_INVALID_ARGUMENT);
    s2f_model *model = NULL;
    assert_int_equal(s2f_model_load_default(NULL, &model), S2F_ERR_IO); /* no such file */
    assert_null(model);
    assert_int_equal(s2f_model_load_default(NULL, NULL), S2F_ERR_INVALID_ARGUMENT);
    unsetenv("S2F_MODEL");
    assert_int_equal(s2f_model_default_path(buf, sizeof buf, NULL), S2F_ERR_NOT_FOUND);
    assert_non_null(strstr(s2f_last_error_message(), "speech2face/default.s2fm"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc32_matches_zlib_vectors_and_any_chunking),
        cmocka_unit_test(buffer_round_trip_keeps_every_value),
        cmocka_unit_test(unaligned_buffer_is_copied_to_aligned_memory),
        cmocka_unit_test(file_round_trip_by_mmap_and_by_read),
        cmocka_unit_test(file_errors_are_named),
        cmocka_unit_test(bad_arguments_and_params_are_rejected),
        cmocka_unit_test(empty_model_loads),
        cmocka_unit_test(writer_refuses_bad_names_and_duplicates),
        cmocka_unit_test(internal_lookups_report_not_found_wrong_type_and_wrong_shape),
        cmocka_unit_test(public_introspection_follows_the_buffer_rules),
        cmocka_unit_test(one_model_is_shared_by_many_threads),
        cmocka_unit_test(identity_errors),
        cmocka_unit_test(truncation_anywhere_names_the_section),
        cmocka_unit_test(header_layout_and_counts_are_checked),
        cmocka_unit_test(checksum_mismatch_is_detected_unless_disabled),
        cmocka_unit_test(every_table_corruption_has_its_named_error),
        cmocka_unit_test(duplicate_names_are_refused),
        cmocka_unit_test(random_mutations_never_crash),
        cmocka_unit_test(default_model_path_follows_env_then_install),
    };
    return cmocka_run_group_tests_name("model container", tests, NULL, NULL);
}
