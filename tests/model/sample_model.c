#include "sample_model.h"

#define CHECK(call)                                                                               \
    do {                                                                                          \
        s2f_status status_ = (call);                                                              \
        if (status_ != S2F_OK)                                                                    \
            return status_;                                                                       \
    } while (0)

s2f_status sample_model_fill(s2fi_model_writer *w)
{
    static const int64_t channels[] = {64, 64, 128, 128, 128, 256, 512, 512};
    static const float landmarks[] = {0.25f, -1.5f, 0.125f, 1024.0f, 3.0f};
    CHECK(s2fi_model_writer_set_string(w, "general.architecture", "speech2face"));
    CHECK(s2fi_model_writer_set_string(w, "general.provenance", "tests/model sample: fixed values"));
    CHECK(s2fi_model_writer_set_i64(w, "voice_encoder.depth", 7));
    CHECK(s2fi_model_writer_set_i64(w, "voice_encoder.negative", -123456789012LL));
    CHECK(s2fi_model_writer_set_f64(w, "voice_encoder.bn_eps", 0.001));
    CHECK(s2fi_model_writer_set_i64_array(w, "voice_encoder.channels", channels, 8));
    CHECK(s2fi_model_writer_set_i64_array(w, "voice_encoder.strides", channels, 0));
    CHECK(s2fi_model_writer_set_f32_array(w, "face_decoder.mean_landmarks", landmarks, 5));
    CHECK(s2fi_model_writer_set_string(w, "general.utf8", "Gesicht \xe2\x80\x93 \xe9\xa1\x94"));

    float conv1[4 * 2 * 1 * 7];
    for (int i = 0; i < 56; ++i)
        conv1[i] = (float)i * 0.5f - 10.0f;
    const int64_t conv1_shape[] = {4, 2, 1, 7};
    CHECK(s2fi_model_writer_add_tensor(w, "voice_encoder.conv1.weight", S2FI_DTYPE_F32, 4,
                                       conv1_shape, conv1));
    const float bias[] = {1, 2, 3, 4};
    CHECK(s2fi_model_writer_add_tensor(w, "voice_encoder.conv1.bias", S2FI_DTYPE_F32, 1,
                                       (const int64_t[]){4}, bias));
    const uint16_t half[] = {0x3C00, 0xC000, 0x7BFF}; /* 1, -2, 65504 */
    CHECK(s2fi_model_writer_add_tensor(w, "voice_encoder.bn.scale", S2FI_DTYPE_F16, 1,
                                       (const int64_t[]){3}, half));
    uint8_t lut[15];
    for (int i = 0; i < 15; ++i)
        lut[i] = (uint8_t)(i * 17);
    CHECK(s2fi_model_writer_add_tensor(w, "face_decoder.lut", S2FI_DTYPE_U8, 2,
                                       (const int64_t[]){5, 3}, lut));
    int32_t index[8];
    for (int i = 0; i < 8; ++i)
        index[i] = i * -1000003;
    CHECK(s2fi_model_writer_add_tensor(w, "face_encoder.index", S2FI_DTYPE_I32, 3,
                                       (const int64_t[]){2, 2, 2}, index));
    const float scalar = 42.5f;
    CHECK(s2fi_model_writer_add_tensor(w, "general.scalar", S2FI_DTYPE_F32, 0, NULL, &scalar));
    return S2F_OK;
}
