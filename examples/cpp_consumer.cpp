// A C++ program using libspeech2face through nothing but its installed header and pkg-config:
//     c++ -std=c++17 cpp_consumer.cpp $(pkg-config --cflags --libs speech2face) -o cpp_consumer
//     ./cpp_consumer MODEL.s2fm
// It wraps the C handles in std::unique_ptr with their free functions, turns statuses into
// exceptions, and computes the face feature (and, if the model has a decoder, the face) of a
// synthetic two-tone "voice". tests/cli/run_installed.sh builds and runs it against an install.
#include <speech2face.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct Error : std::runtime_error {
    explicit Error(s2f_status status, const std::string &message)
        : std::runtime_error(std::string(s2f_status_name(status)) + ": " + message) {}
};

void check(s2f_status status, const char *message)
{
    if (status != S2F_OK)
        throw Error(status, message ? message : s2f_last_error_message());
}

template <typename T, void (*Free)(T *)> struct Deleter {
    void operator()(T *handle) const { Free(handle); }
};
using Model = std::unique_ptr<s2f_model, Deleter<s2f_model, s2f_model_free>>;
using Spectrogram = std::unique_ptr<s2f_spectrogram, Deleter<s2f_spectrogram, s2f_spectrogram_free>>;
using VoiceEncoder =
    std::unique_ptr<s2f_voice_encoder, Deleter<s2f_voice_encoder, s2f_voice_encoder_free>>;
using FaceDecoder =
    std::unique_ptr<s2f_face_decoder, Deleter<s2f_face_decoder, s2f_face_decoder_free>>;

}  // namespace

int main(int argc, char **argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s MODEL.s2fm\n", argv[0]);
        return 2;
    }
    try {
        if (s2f_version() != S2F_VERSION)
            throw std::runtime_error("header and library versions differ");
        s2f_model *raw_model = nullptr;
        check(s2f_model_load_file(argv[1], nullptr, &raw_model), nullptr);
        Model model(raw_model);

        std::vector<float> pcm(3 * 22050);
        for (size_t i = 0; i < pcm.size(); ++i)
            pcm[i] = 0.3f * std::sin(2.0f * 3.14159265f * 180.0f * static_cast<float>(i) / 22050.0f);
        s2f_spectrogram_params params = s2f_spectrogram_default_params();
        params.sample_rate = 22050.0;  // resampled to 16 kHz by the library
        s2f_spectrogram *raw_spectrogram = nullptr;
        check(s2f_spectrogram_create(&params, &raw_spectrogram), nullptr);
        Spectrogram spectrogram(raw_spectrogram);
        size_t frames = 0, bins = 0;
        check(s2f_spectrogram_shape(spectrogram.get(), pcm.size(), &frames, &bins), nullptr);
        std::vector<float> spec(frames * bins * 2);
        check(s2f_spectrogram_compute(spectrogram.get(), pcm.data(), pcm.size(), spec.data(),
                                      spec.size(), nullptr),
              s2f_spectrogram_last_error(spectrogram.get()));

        s2f_voice_encoder *raw_encoder = nullptr;
        check(s2f_voice_encoder_create(model.get(), &raw_encoder), nullptr);
        VoiceEncoder encoder(raw_encoder);
        size_t dim = 0;
        check(s2f_voice_encoder_shape(encoder.get(), &dim, nullptr, nullptr, nullptr), nullptr);
        std::vector<float> feature(dim);
        check(s2f_voice_encoder_encode(encoder.get(), spec.data(), frames, bins, 2, feature.data(),
                                       feature.size()),
              s2f_voice_encoder_last_error(encoder.get()));
        std::printf("spectrogram %zu x %zu, feature of %zu values, first %.6g\n", frames, bins,
                    dim, static_cast<double>(feature[0]));

        int has_decoder = 0;
        check(s2f_model_has_component(model.get(), "face_decoder", &has_decoder), nullptr);
        if (has_decoder) {
            s2f_face_decoder *raw_decoder = nullptr;
            check(s2f_face_decoder_create(model.get(), &raw_decoder), nullptr);
            FaceDecoder decoder(raw_decoder);
            size_t height = 0, width = 0, landmarks = 0;
            check(s2f_face_decoder_shape(decoder.get(), nullptr, &height, &width, &landmarks),
                  nullptr);
            std::vector<uint8_t> rgb(height * width * 3);
            check(s2f_face_decoder_decode_u8(decoder.get(), feature.data(), dim, rgb.data(),
                                             width * 3, rgb.size(), nullptr, 0),
                  s2f_face_decoder_last_error(decoder.get()));
            std::printf("face %zu x %zu with %zu landmarks\n", width, height, landmarks);
        }
        // A failing call must surface as an exception with the library's message.
        try {
            s2f_model *missing = nullptr;
            check(s2f_model_load_file("/nonexistent/model.s2fm", nullptr, &missing), nullptr);
            std::fprintf(stderr, "loading a missing model did not fail\n");
            return 1;
        } catch (const Error &error) {
            std::printf("expected error: %s\n", error.what());
        }
    } catch (const std::exception &error) {
        std::fprintf(stderr, "cpp_consumer: %s\n", error.what());
        return 1;
    }
    return 0;
}
