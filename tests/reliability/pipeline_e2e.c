/* End-to-end pipeline with a small random-weight model, for valgrind memcheck
 * (tools/ci/run-valgrind.sh and the meson suite "valgrind"): PCM at 22.05 kHz (so the resampler
 * runs) → spectrogram → voice encoder → face decoder → float and 8-bit images, then the features
 * into a face index, searched, saved, reloaded. The model goes through a file, loaded both
 * mapped and read. Each stage is also called once with bad input, so error paths run under
 * memcheck too. Exits 0 when every result is as expected; valgrind adds its own verdict. */
#include <speech2face.h>

#include "tiny_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RATE 22050
#define SECONDS 2
#define CLIPS 3

static int failures;

#define EXPECT(cond)                                                                              \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "%s:%d: expected %s (last error: %s)\n", __FILE__, __LINE__, #cond,   \
                    s2f_last_error_message());                                                    \
            ++failures;                                                                           \
        }                                                                                         \
    } while (0)

static void make_clip(int clip, float *out, size_t n)
{
    const double f0 = 100.0 + 55.0 * clip;
    for (size_t i = 0; i < n; ++i) {
        const double t = (double)i / RATE;
        out[i] = (float)(0.4 * sin(2.0 * M_PI * f0 * t) + 0.2 * sin(2.0 * M_PI * 3.1 * f0 * t));
    }
}

static int all_finite(const float *v, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (!isfinite(v[i]))
            return 0;
    return 1;
}

int main(void)
{
    /* Model through a file: mmap'ed and read variants must both load. */
    uint8_t *bytes = NULL;
    size_t size = 0;
    char path[256];
    snprintf(path, sizeof path, "%s/s2f-e2e-%ld.s2fm", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (long)getpid());
    EXPECT(tiny_model_bytes(TINY_MODEL_PIPELINE, 7u, &bytes, &size) == S2F_OK);
    FILE *f = fopen(path, "wb");
    EXPECT(f && fwrite(bytes, 1, size, f) == size);
    if (f)
        fclose(f);
    free(bytes);
    s2f_model *model = NULL, *model_read = NULL;
    s2f_model_load_params load = s2f_model_load_default_params();
    EXPECT(s2f_model_load_file(path, &load, &model) == S2F_OK);
    load.use_mmap = 0;
    EXPECT(s2f_model_load_file(path, &load, &model_read) == S2F_OK);
    unlink(path);
    s2f_model_free(model_read);
    EXPECT(s2f_model_load_file(path, NULL, &model_read) == S2F_ERR_IO); /* gone now */
    if (!model)
        return 1;

    s2f_spectrogram_params sp = s2f_spectrogram_default_params();
    sp.sample_rate = RATE;
    s2f_spectrogram *spectrogram = NULL;
    s2f_voice_encoder *encoder = NULL;
    s2f_face_decoder *decoder = NULL;
    EXPECT(s2f_spectrogram_create(&sp, &spectrogram) == S2F_OK);
    EXPECT(s2f_voice_encoder_create(model, &encoder) == S2F_OK);
    EXPECT(s2f_face_decoder_create(model, &decoder) == S2F_OK);
    if (!spectrogram || !encoder || !decoder)
        return 1;

    const size_t n = (size_t)RATE * SECONDS;
    size_t frames, bins, dim, height, width, landmark_count;
    EXPECT(s2f_spectrogram_shape(spectrogram, n, &frames, &bins) == S2F_OK);
    EXPECT(s2f_face_decoder_shape(decoder, &dim, &height, &width, &landmark_count) == S2F_OK);
    float *pcm = malloc(n * sizeof *pcm);
    float *spec = malloc(frames * bins * 2 * sizeof *spec);
    float *features = malloc(CLIPS * dim * sizeof *features);
    float *rgb = malloc(height * width * 3 * sizeof *rgb);
    uint8_t *rgb_u8 = malloc(height * width * 3);
    float *landmarks = malloc(2 * landmark_count * sizeof *landmarks);

    for (int c = 0; c < CLIPS; ++c) {
        make_clip(c, pcm, n);
        size_t got_frames = 0;
        EXPECT(s2f_spectrogram_compute(spectrogram, pcm, n, spec, frames * bins * 2, &got_frames) ==
               S2F_OK);
        EXPECT(got_frames == frames && all_finite(spec, frames * bins * 2));
        float *feature = features + c * dim;
        EXPECT(s2f_voice_encoder_encode(encoder, spec, frames, bins, 2, feature, dim) == S2F_OK);
        EXPECT(all_finite(feature, dim));
        EXPECT(s2f_face_decoder_decode(decoder, feature, dim, rgb, height * width * 3, landmarks,
                                       2 * landmark_count) == S2F_OK);
        int in_range = 1;
        for (size_t i = 0; i < height * width * 3; ++i)
            in_range &= rgb[i] >= 0.0f && rgb[i] <= 1.0f;
        EXPECT(in_range);
        EXPECT(s2f_face_decoder_decode_u8(decoder, feature, dim, rgb_u8, 3 * width,
                                          height * width * 3, NULL, 0) == S2F_OK);
    }
    /* Error paths: each must fail cleanly, leaving outputs alone. */
    pcm[5] = NAN;
    EXPECT(s2f_spectrogram_compute(spectrogram, pcm, n, spec, frames * bins * 2, NULL) ==
           S2F_ERR_NON_FINITE);
    EXPECT(s2f_voice_encoder_encode(encoder, spec, 1, bins, 2, features, dim) ==
           S2F_ERR_SHAPE_MISMATCH);
    /* Regression (found by fuzz_networks): 0 frames on a fresh encoder used to "succeed". */
    s2f_voice_encoder *fresh = NULL;
    EXPECT(s2f_voice_encoder_create(model, &fresh) == S2F_OK);
    EXPECT(s2f_voice_encoder_encode(fresh, spec, 0, bins, 2, features, dim) ==
           S2F_ERR_SHAPE_MISMATCH);
    s2f_voice_encoder_free(fresh);
    EXPECT(s2f_face_decoder_decode(decoder, features, dim + 1, rgb, height * width * 3, NULL, 0) ==
           S2F_ERR_SHAPE_MISMATCH);
    EXPECT(strlen(s2f_face_decoder_last_error(decoder)) > 0);

    /* The features as a gallery: each finds itself first; the index survives save + load. */
    s2f_face_index_params ip;
    EXPECT(s2f_face_index_default_params_sized(&ip, sizeof ip) == S2F_OK);
    ip.dim = dim;
    ip.threads = 2;
    s2f_face_index *index = NULL, *loaded = NULL;
    EXPECT(s2f_face_index_create(&ip, &index) == S2F_OK);
    const int64_t ids[CLIPS] = {10, 20, 30};
    EXPECT(s2f_face_index_add(index, ids, features, CLIPS) == S2F_OK);
    snprintf(path, sizeof path, "%s/s2f-e2e-%ld.s2fi", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (long)getpid());
    EXPECT(s2f_face_index_save(index, path) == S2F_OK);
    EXPECT(s2f_face_index_load(path, &loaded) == S2F_OK);
    unlink(path);
    for (int c = 0; c < CLIPS && loaded; ++c) {
        int64_t got[2];
        float scores[2];
        size_t found = 0;
        EXPECT(s2f_face_index_search(loaded, features + c * dim, 2, got, scores, &found) == S2F_OK);
        EXPECT(found == 2 && got[0] == ids[c]);
    }
    EXPECT(s2f_face_index_add(index, ids, features, 1) == S2F_ERR_INVALID_ARGUMENT); /* duplicate */

    s2f_face_index_free(loaded);
    s2f_face_index_free(index);
    free(pcm);
    free(spec);
    free(features);
    free(rgb);
    free(rgb_u8);
    free(landmarks);
    s2f_face_decoder_free(decoder);
    s2f_voice_encoder_free(encoder);
    s2f_spectrogram_free(spectrogram);
    s2f_model_free(model);
    if (failures)
        fprintf(stderr, "%d check(s) failed\n", failures);
    else
        printf("end-to-end pipeline: %d clips, %zu frames x %zu bins, D = %zu, %zux%zu images: ok\n",
               CLIPS, frames, bins, dim, height, width);
    return failures ? 1 : 0;
}
