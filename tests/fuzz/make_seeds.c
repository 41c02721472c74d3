/* Writes the committed seed corpora of the fuzz targets: make_seeds <tests/fuzz/corpus>.
 * Seeds are small valid inputs that reach deep into each parser; the fuzzer mutates from them.
 * Deterministic: rerunning gives the same files (tools/ci/run-fuzz-smoke.sh --regenerate-seeds). */
#include <speech2face.h>

#include "core/alloc.h"
#include "model/writer.h"
#include "sample_model.h"
#include "tiny_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

static void write_seed(const char *root, const char *target, const char *name, const void *data,
                       size_t size)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s/%s", root, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size) {
        fprintf(stderr, "cannot write %s\n", path);
        ++failures;
    }
    if (f)
        fclose(f);
}

static void model_seeds(const char *root)
{
    uint8_t *bytes;
    size_t size;
    if (tiny_model_bytes(TINY_MODEL_FUZZ, 1u, &bytes, &size) == S2F_OK) {
        write_seed(root, "fuzz_model_load", "tiny_voice_and_decoder.s2fm", bytes, size);
        free(bytes);
    } else {
        ++failures;
    }
    s2fi_model_writer *w;
    uint8_t *aligned;
    if (s2fi_model_writer_create(&w) == S2F_OK) {
        if (sample_model_fill(w) == S2F_OK && s2fi_model_writer_to_buffer(w, &aligned, &size) == S2F_OK) {
            write_seed(root, "fuzz_model_load", "sample_all_types.s2fm", aligned, size);
            s2fi_free(aligned);
        } else {
            ++failures;
        }
        s2fi_model_writer_free(w);
    }
    if (s2fi_model_writer_create(&w) == S2F_OK) { /* the smallest valid container */
        if (s2fi_model_writer_to_buffer(w, &aligned, &size) == S2F_OK) {
            write_seed(root, "fuzz_model_load", "empty.s2fm", aligned, size);
            s2fi_free(aligned);
        } else {
            ++failures;
        }
        s2fi_model_writer_free(w);
    }
}

static void index_seeds(const char *root)
{
#ifndef FUZZ_HAVE_INDEX
    (void)root; /* the index is not in this build (see tests/fuzz/meson.build) */
#else
    static const struct {
        s2f_metric metric;
        s2f_storage storage;
        size_t dim, n;
        const char *name;
    } configs[] = {
        {S2F_METRIC_COSINE, S2F_STORAGE_F32, 4, 5, "cosine_f32.s2fi"},
        {S2F_METRIC_L2, S2F_STORAGE_F16, 3, 4, "l2_f16.s2fi"},
        {S2F_METRIC_INNER_PRODUCT, S2F_STORAGE_INT8, 5, 3, "ip_int8.s2fi"},
        {S2F_METRIC_L1, S2F_STORAGE_F32, 2, 0, "l1_empty.s2fi"},
    };
    for (size_t c = 0; c < sizeof configs / sizeof *configs; ++c) {
        s2f_face_index_params p;
        s2f_face_index *index = NULL;
        if (s2f_face_index_default_params_sized(&p, sizeof p) != S2F_OK) {
            ++failures;
            continue;
        }
        p.dim = configs[c].dim;
        p.metric = configs[c].metric;
        p.storage = configs[c].storage;
        if (s2f_face_index_create(&p, &index) != S2F_OK) {
            ++failures;
            continue;
        }
        float vectors[5 * 5];
        int64_t ids[5];
        for (size_t i = 0; i < configs[c].n; ++i) {
            ids[i] = (int64_t)(i * 1000 + 7) - 2000;
            for (size_t d = 0; d < configs[c].dim; ++d)
                vectors[i * configs[c].dim + d] = (float)sin((double)(i * 5 + d + 1));
        }
        char path[1024];
        snprintf(path, sizeof path, "%s/fuzz_index_load/%s", root, configs[c].name);
        if (s2f_face_index_add(index, ids, vectors, configs[c].n) != S2F_OK ||
            s2f_face_index_save(index, path) != S2F_OK) {
            fprintf(stderr, "index seed %s: %s\n", configs[c].name, s2f_face_index_last_error(index));
            ++failures;
        }
        s2f_face_index_free(index);
    }
#endif
}

static void numeric_seeds(const char *root)
{
    /* Spectrogram: default params (which = 0), mode 1 ([-1, 1) bytes), 2 channels for downmix,
     * then a 440 Hz tone of 0.2 s at 16 kHz. */
    uint8_t spec[3 + 3200];
    spec[0] = 0;
    spec[1] = 1;
    spec[2] = 3;
    for (int i = 0; i < 3200; ++i)
        spec[3 + i] = (uint8_t)(int8_t)lrint(100.0 * sin(2.0 * M_PI * 440.0 * i / 16000.0));
    write_seed(root, "fuzz_spectrogram", "tone_default_params", spec, sizeof spec);
    /* The same tone with every parameter taken from the tables' first (valid) entries. */
    uint8_t spec_all[12 + 3200] = {255, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3};
    memcpy(spec_all + 11, spec + 3, 3200);
    write_seed(root, "fuzz_spectrogram", "tone_all_params_tabled", spec_all, 11 + 3200);
    /* clip_seconds <= 0: the whole signal (which = 2, clips[1] = 0). */
    uint8_t spec_whole[4 + 3200] = {2, 1, 1, 2};
    memcpy(spec_whole + 4, spec + 3, 3200);
    write_seed(root, "fuzz_spectrogram", "tone_whole_signal", spec_whole, sizeof spec_whole);

    /* Warp: 20×24 image, 3 channels, 6 points from bytes, default tabled params. */
    uint8_t warp[9 + 4 * 6] = {18, 0, 22, 3, 6, 0, 0, 0, 0};
    for (int i = 0; i < 4 * 6; ++i)
        warp[9 + i] = (uint8_t)(64 + 13 * i % 128);
    write_seed(root, "fuzz_warp", "six_points", warp, sizeof warp);
    uint8_t warp_float[9 + 8 * 8] = {10, 0, 10, 1, 8, 1, 0, 0, 0};
    for (int i = 0; i < 16; ++i) {
        const float v = (float)(i % 5) * 2.0f + 0.5f;
        memcpy(warp_float + 9 + 4 * i, &v, 4);
    }
    write_seed(root, "fuzz_warp", "eight_float_points", warp_float, sizeof warp_float);

    /* Networks: encoder first (order 0), valid shape, mode 1, one clip of 16 frames, then the
     * decoder on the encoder's feature (variant 8). */
    uint8_t net[5 + 16 * 8 * 2 + 2];
    net[0] = 0;
    net[1] = 0;    /* shape byte: all valid */
    net[2] = 1;    /* mode [-1, 1) */
    net[3] = 0;    /* count 1 */
    net[4] = 16;   /* frames */
    for (int i = 0; i < 16 * 8 * 2; ++i)
        net[5 + i] = (uint8_t)(i * 29);
    net[5 + 256] = 1; /* decoder mode */
    net[5 + 257] = 8; /* decode, the encoder's feature */
    write_seed(root, "fuzz_networks", "encode_then_decode", net, sizeof net);
}

#ifdef FUZZ_HAVE_SNDFILE
#include <sndfile.h>

/* Short synthetic recordings in the formats libsndfile reads, written through libsndfile into
 * a scratch file and copied as seeds behind fuzz_audio_file's mode byte. */
static void audio_seed(const char *root, const char *name, int format, int rate, int channels,
                       int frames, uint8_t mode)
{
    char scratch[] = "/tmp/s2f-seed-XXXXXX";
    int fd = mkstemp(scratch);
    if (fd < 0) {
        ++failures;
        return;
    }
    close(fd);
    SF_INFO info = {.samplerate = rate, .channels = channels, .format = format};
    SNDFILE *file = sf_open(scratch, SFM_WRITE, &info);
    float *pcm = malloc(sizeof(float) * (size_t)frames * (size_t)channels);
    if (!file || !pcm) {
        ++failures;
    } else {
        for (int i = 0; i < frames * channels; ++i)
            pcm[i] = 0.5f * (float)sin(0.05 * i) + 0.1f * (float)((i * 7919) % 17 - 8) / 8.0f;
        sf_writef_float(file, pcm, frames);
    }
    if (file)
        sf_close(file);
    free(pcm);
    FILE *in = fopen(scratch, "rb");
    uint8_t *bytes = malloc(1 << 20);
    size_t size = in && bytes ? fread(bytes + 1, 1, (1 << 20) - 1, in) : 0;
    if (in)
        fclose(in);
    unlink(scratch);
    if (size == 0) {
        ++failures;
    } else {
        bytes[0] = mode;
        write_seed(root, "fuzz_audio_file", name, bytes, size + 1);
    }
    free(bytes);
}

static void audio_seeds(const char *root)
{
    audio_seed(root, "pcm16_8k.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, 2400, 3);
    audio_seed(root, "float_stereo_44k.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2, 3000,
               0x80 | 4);
    audio_seed(root, "pcm16_16k.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 1, 4800, 2);
    audio_seed(root, "vorbis_22k.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 22050, 1, 6000, 5);
    audio_seed(root, "pcm24_48k.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_24, 48000, 1, 4000, 0x81);
}
#endif

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <corpus root (tests/fuzz/corpus)>\n", argv[0]);
        return 2;
    }
    model_seeds(argv[1]);
    index_seeds(argv[1]);
    numeric_seeds(argv[1]);
#ifdef FUZZ_HAVE_SNDFILE
    audio_seeds(argv[1]);
#endif
    return failures ? 1 : 0;
}
