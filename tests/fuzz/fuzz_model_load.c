/* Fuzz target: the model container parser (s2f_model_load_buffer) and everything that reads a
 * loaded model — every metadata and tensor lookup, with right and wrong types and every buffer
 * size rule, then the metadata-driven construction of the voice encoder, face decoder and face
 * encoder (which parse architecture metadata and check tensor shapes), and one encode/decode
 * through whatever builds when it is small enough to run in a fuzzing iteration.
 *
 * The checksum is NOT verified on the main load (verify_checksum = 0): a mutated file would
 * almost never pass it, and every structural check runs without it. A second, checksummed load
 * of the same bytes must agree (same success, or S2F_ERR_CHECKSUM_MISMATCH). */
#include "fuzz_common.h"

#include <math.h>

#define MAX_NAME 4096

static void check_metadata(const s2f_model *model)
{
    size_t count = 0;
    FUZZ_CHECK(s2f_model_metadata_count(model, &count) == S2F_OK);
    char key[MAX_NAME];
    for (size_t i = 0; i < count; ++i) {
        size_t needed = 0;
        FUZZ_CHECK(s2f_model_metadata_key(model, i, NULL, 0, &needed) == S2F_OK);
        FUZZ_CHECK(needed >= 2);
        if (needed > sizeof key)
            continue;
        FUZZ_CHECK(s2f_model_metadata_key(model, i, key, needed - 1, NULL) ==
                   S2F_ERR_BUFFER_TOO_SMALL);
        FUZZ_CHECK(s2f_model_metadata_key(model, i, key, needed, &needed) == S2F_OK);
        FUZZ_CHECK(strlen(key) + 1 == needed);

        s2f_model_value_type type;
        size_t n = 0;
        FUZZ_CHECK(s2f_model_metadata_type(model, key, &type, &n) == S2F_OK);
        int64_t i64;
        double f64;
        const s2f_status as_i64 = s2f_model_metadata_i64(model, key, &i64);
        const s2f_status as_f64 = s2f_model_metadata_f64(model, key, &f64);
        FUZZ_CHECK((as_i64 == S2F_OK) == (type == S2F_MODEL_VALUE_I64));
        FUZZ_CHECK((as_f64 == S2F_OK) == (type == S2F_MODEL_VALUE_I64 || type == S2F_MODEL_VALUE_F64));

        size_t string_needed = 0;
        const s2f_status as_string = s2f_model_metadata_string(model, key, NULL, 0, &string_needed);
        FUZZ_CHECK((as_string == S2F_OK) == (type == S2F_MODEL_VALUE_STRING));
        if (as_string == S2F_OK) {
            FUZZ_CHECK(string_needed == n + 1);
            char *text = malloc(string_needed);
            FUZZ_CHECK(text);
            FUZZ_CHECK(s2f_model_metadata_string(model, key, text, string_needed, NULL) == S2F_OK);
            FUZZ_CHECK(strlen(text) == n); /* no embedded NUL */
            free(text);
        }

        size_t elements = 0;
        const s2f_status as_ints = s2f_model_metadata_i64_array(model, key, NULL, 0, &elements);
        FUZZ_CHECK((as_ints == S2F_OK) == (type == S2F_MODEL_VALUE_I64_ARRAY));
        if (as_ints == S2F_OK && elements > 0) {
            FUZZ_CHECK(elements == n);
            int64_t *values = malloc(elements * sizeof *values);
            FUZZ_CHECK(values);
            size_t ignored;
            FUZZ_CHECK(s2f_model_metadata_i64_array(model, key, values, elements - 1, &ignored) ==
                       S2F_ERR_BUFFER_TOO_SMALL);
            FUZZ_CHECK(s2f_model_metadata_i64_array(model, key, values, elements, &elements) ==
                       S2F_OK);
            free(values);
        }
        const s2f_status as_floats = s2f_model_metadata_f32_array(model, key, NULL, 0, &elements);
        FUZZ_CHECK((as_floats == S2F_OK) == (type == S2F_MODEL_VALUE_F32_ARRAY));
        if (as_floats == S2F_OK && elements > 0) {
            float *values = malloc(elements * sizeof *values);
            FUZZ_CHECK(values);
            FUZZ_CHECK(s2f_model_metadata_f32_array(model, key, values, elements, &elements) ==
                       S2F_OK);
            free(values);
        }
    }
    FUZZ_CHECK(s2f_model_metadata_key(model, count, key, sizeof key, NULL) == S2F_ERR_NOT_FOUND);
    int64_t unused;
    FUZZ_CHECK(s2f_model_metadata_i64(model, "no.such key", &unused) == S2F_ERR_NOT_FOUND);
}

static void check_tensors(const s2f_model *model)
{
    size_t count = 0;
    FUZZ_CHECK(s2f_model_tensor_count(model, &count) == S2F_OK);
    char name[MAX_NAME];
    for (size_t i = 0; i < count; ++i) {
        size_t needed = 0;
        FUZZ_CHECK(s2f_model_tensor_name(model, i, NULL, 0, &needed) == S2F_OK);
        if (needed > sizeof name)
            continue;
        FUZZ_CHECK(s2f_model_tensor_name(model, i, name, sizeof name, NULL) == S2F_OK);
        s2f_model_dtype dtype;
        int ndim = -1;
        int64_t shape[4];
        FUZZ_CHECK(s2f_model_tensor_info(model, name, &dtype, &ndim, shape) == S2F_OK);
        FUZZ_CHECK((int)dtype >= 0 && dtype <= S2F_MODEL_DTYPE_U8);
        FUZZ_CHECK(ndim >= 0 && ndim <= 4);
        for (int d = 0; d < 4; ++d)
            FUZZ_CHECK(d < ndim ? shape[d] >= 1 : shape[d] == 1);
    }
    FUZZ_CHECK(s2f_model_tensor_info(model, "no.such tensor", NULL, NULL, NULL) == S2F_ERR_NOT_FOUND);
    int has = -1;
    static const char *components[] = {"voice_encoder", "face_decoder", "face_encoder", "general", "x"};
    for (size_t c = 0; c < sizeof components / sizeof *components; ++c) {
        FUZZ_CHECK(s2f_model_has_component(model, components[c], &has) == S2F_OK);
        FUZZ_CHECK(has == 0 || has == 1);
    }
    FUZZ_CHECK(s2f_model_has_component(model, "a.b", &has) == S2F_ERR_INVALID_ARGUMENT);
}

/* The integer metadata value, or `fallback` when absent or of another type. */
static int64_t metadata_int(const s2f_model *model, const char *key, int64_t fallback)
{
    int64_t value;
    return s2f_model_metadata_i64(model, key, &value) == S2F_OK ? value : fallback;
}

static int64_t metadata_array_max(const s2f_model *model, const char *key)
{
    int64_t values[64];
    size_t count = 0, best = 1;
    if (s2f_model_metadata_i64_array(model, key, values, 64, &count) != S2F_OK)
        return 1;
    for (size_t i = 0; i < count; ++i)
        if (values[i] > (int64_t)best)
            best = (size_t)values[i];
    return (int64_t)best;
}

static void run_voice_encoder(const s2f_model *model)
{
    s2f_voice_encoder *encoder = NULL;
    const s2f_status status = s2f_voice_encoder_create(model, &encoder);
    if (status != S2F_OK) {
        FUZZ_CHECK_FAILURE(status);
        FUZZ_CHECK(encoder == NULL);
        return;
    }
    size_t dim, bins, channels, min_frames;
    FUZZ_CHECK(s2f_voice_encoder_shape(encoder, &dim, &bins, &channels, &min_frames) == S2F_OK);
    FUZZ_CHECK(dim >= 1 && bins >= 1 && channels >= 1 && min_frames >= 1);
    /* Run one clip only when its activations are small (the harness's budget, not a library
     * limit: a valid model may legitimately need gigabytes). */
    const double activations = (double)min_frames * (double)bins *
                               (double)metadata_array_max(model, "voice_encoder.conv_channels");
    if (activations <= (double)(1 << 20) && min_frames * bins * channels <= (1u << 18) && dim <= 65536) {
        const size_t n = min_frames * bins * channels;
        float *input = calloc(n, sizeof *input), *feature = malloc(dim * sizeof *feature);
        FUZZ_CHECK(input && feature);
        for (size_t i = 0; i < n; ++i)
            input[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
        const s2f_status encoded = s2f_voice_encoder_encode(encoder, input, min_frames, bins,
                                                            channels, feature, dim);
        if (encoded != S2F_OK) /* broken weights may overflow; nothing else may fail */
            FUZZ_CHECK(encoded == S2F_ERR_NON_FINITE || encoded == S2F_ERR_OUT_OF_MEMORY);
        free(input);
        free(feature);
    }
    s2f_voice_encoder_free(encoder);
}

static void run_face_decoder(const s2f_model *model)
{
    const int64_t side = metadata_int(model, "face_decoder.image_size", 0);
    const int64_t texture = metadata_int(model, "face_decoder.texture_size", 0);
    const int64_t width = metadata_array_max(model, "face_decoder.upsample_channels");
    const int64_t texture_channels = metadata_int(model, "face_decoder.texture_channels", 1);
    /* Construction allocates the workspace (image-sized planes per channel): keep it small. */
    if (side > 256 || (double)side * side * (double)(width > texture_channels ? width : texture_channels) > 4e6 ||
        (double)texture * texture * (double)texture_channels > 4e6)
        return;
    s2f_face_decoder *decoder = NULL;
    const s2f_status status = s2f_face_decoder_create(model, &decoder);
    if (status != S2F_OK) {
        FUZZ_CHECK_FAILURE(status);
        FUZZ_CHECK(decoder == NULL);
        return;
    }
    size_t dim, height, w, landmarks;
    FUZZ_CHECK(s2f_face_decoder_shape(decoder, &dim, &height, &w, &landmarks) == S2F_OK);
    FUZZ_CHECK(dim >= 1 && height >= 2 && w == height && landmarks >= 1);
    float *feature = calloc(dim, sizeof *feature);
    float *rgb = malloc(height * w * 3 * sizeof *rgb);
    float *points = malloc(2 * landmarks * sizeof *points);
    FUZZ_CHECK(feature && rgb && points);
    FUZZ_CHECK(s2f_face_decoder_mean_landmarks(decoder, points, 2 * landmarks) == S2F_OK);
    for (size_t i = 0; i < dim; ++i)
        feature[i] = (float)(i % 7) / 7.0f - 0.4f;
    const s2f_status decoded = s2f_face_decoder_decode(decoder, feature, dim, rgb, height * w * 3,
                                                       points, 2 * landmarks);
    if (decoded == S2F_OK) {
        for (size_t i = 0; i < height * w * 3; ++i)
            FUZZ_CHECK(rgb[i] >= 0.0f && rgb[i] <= 1.0f);
        for (size_t i = 0; i < landmarks; ++i)
            FUZZ_CHECK(points[2 * i] >= 0.0f && points[2 * i] <= (float)(w - 1) &&
                       points[2 * i + 1] >= 0.0f && points[2 * i + 1] <= (float)(height - 1));
    } else {
        FUZZ_CHECK(decoded == S2F_ERR_NON_FINITE || decoded == S2F_ERR_SINGULAR);
    }
    free(feature);
    free(rgb);
    free(points);
    s2f_face_decoder_free(decoder);
}

static void run_face_encoder(const s2f_model *model)
{
    if (metadata_int(model, "face_encoder.input_size", 0) > 128 ||
        metadata_array_max(model, "face_encoder.block_channels") > 256 ||
        metadata_int(model, "face_encoder.stem_channels", 0) > 256)
        return;
    s2f_face_encoder *encoder = NULL;
    const s2f_status status = s2f_face_encoder_create(model, &encoder);
    if (status != S2F_OK) {
        FUZZ_CHECK_FAILURE(status);
        return;
    }
    size_t dim = 0, side = 0;
    FUZZ_CHECK(s2f_face_encoder_shape(encoder, &dim, &side) == S2F_OK);
    FUZZ_CHECK(dim >= 1 && side >= 1);
    s2f_face_encoder_free(encoder);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    s2f_model_load_params params = s2f_model_load_default_params();
    params.verify_checksum = 0;
    s2f_model *model = NULL;
    const s2f_status status = s2f_model_load_buffer(data, size, &params, &model);
    if (status != S2F_OK) {
        FUZZ_CHECK_FAILURE(status);
        FUZZ_CHECK(model == NULL);
        return 0;
    }
    FUZZ_CHECK(model != NULL);
    check_metadata(model);
    check_tensors(model);
    run_voice_encoder(model);
    run_face_decoder(model);
    run_face_encoder(model);
    s2f_model_free(model);

    s2f_model *checked = NULL;
    const s2f_status with_checksum = s2f_model_load_buffer(data, size, NULL, &checked);
    FUZZ_CHECK(with_checksum == S2F_OK || with_checksum == S2F_ERR_CHECKSUM_MISMATCH);
    s2f_model_free(checked);
    return 0;
}
