/* Audio file → the paper's spectrogram as a .npy file (float32, T × 257 × 2), printing its
 * shape. Any rate and channel count libsndfile reads: channels are averaged, the rate is
 * resampled to 16 kHz by the library.
 *     spectrogram_dump input.flac out.npy [--whole] [--segments]
 * --whole analyses the whole signal instead of the first 6 s (tiled if shorter);
 * --segments writes S × T × 257 × 2: 6 s clips every 3 s of a long recording. */
#include "common/audio_file.h"

#include <speech2face.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_npy(const char *path, const float *data, const size_t *shape, int ndim)
{
    char header[128];
    int len = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    size_t count = 1;
    for (int i = 0; i < ndim; ++i) {
        len += snprintf(header + len, sizeof header - (size_t)len, "%zu, ", shape[i]);
        count *= shape[i];
    }
    len += snprintf(header + len, sizeof header - (size_t)len, "), }");
    /* Pad with spaces so that magic (6) + version (2) + length (2) + header + '\n' is a
     * multiple of 64, as the format recommends. */
    int total = 10 + len + 1;
    int pad = (64 - total % 64) % 64;
    FILE *file = fopen(path, "wb");
    if (!file)
        return -1;
    unsigned short header_len = (unsigned short)(len + pad + 1);
    fwrite("\x93NUMPY\x01\x00", 1, 8, file);
    unsigned char le[2] = {(unsigned char)(header_len & 0xff), (unsigned char)(header_len >> 8)};
    fwrite(le, 1, 2, file);
    fwrite(header, 1, (size_t)len, file);
    for (int i = 0; i < pad; ++i)
        fputc(' ', file);
    fputc('\n', file);
    size_t written = fwrite(data, sizeof(float), count, file); /* x86/ARM: little-endian */
    return fclose(file) == 0 && written == count ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s INPUT_AUDIO OUTPUT.npy [--whole] [--segments]\n", argv[0]);
        return 2;
    }
    int whole = 0, segments = 0;
    for (int i = 3; i < argc; ++i) {
        whole |= strcmp(argv[i], "--whole") == 0;
        segments |= strcmp(argv[i], "--segments") == 0;
    }
    audio_pcm pcm;
    char error[512];
    if (audio_file_read(argv[1], &pcm, error, sizeof error) != 0) {
        fprintf(stderr, "%s\n", error);
        return 1;
    }
    s2f_spectrogram_params params = s2f_spectrogram_default_params();
    params.sample_rate = pcm.sample_rate;
    if (whole)
        params.clip_seconds = 0.0;
    s2f_spectrogram *spectrogram = NULL;
    size_t frames = 0, bins = 0, count = 1;
    float *out = NULL;
    s2f_status status = s2f_spectrogram_create(&params, &spectrogram);
    if (status == S2F_OK)
        status = s2f_spectrogram_shape(spectrogram, pcm.n_samples, &frames, &bins);
    if (status == S2F_OK && segments)
        status = s2f_spectrogram_segment_count(spectrogram, pcm.n_samples, &count);
    if (status == S2F_OK) {
        size_t floats = count * frames * bins * 2;
        out = malloc(sizeof(float) * floats);
        if (!out) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
        status = segments ? s2f_spectrogram_compute_segments(spectrogram, pcm.samples,
                                                             pcm.n_samples, out, floats, NULL)
                          : s2f_spectrogram_compute(spectrogram, pcm.samples, pcm.n_samples,
                                                    out, floats, NULL);
    }
    int rc = 0;
    if (status != S2F_OK) {
        fprintf(stderr, "%s: %s\n", s2f_status_name(status), s2f_last_error_message());
        rc = 1;
    } else {
        size_t shape[4] = {count, frames, bins, 2};
        int ndim = segments ? 4 : 3;
        if (write_npy(argv[2], out, segments ? shape : shape + 1, ndim) != 0) {
            fprintf(stderr, "cannot write %s\n", argv[2]);
            rc = 1;
        } else if (segments) {
            printf("%s: %zu Hz, %d ch, %zu samples -> %zu x %zu x %zu x 2\n", argv[1],
                   (size_t)pcm.sample_rate, pcm.channels, pcm.n_samples, count, frames, bins);
        } else {
            printf("%s: %zu Hz, %d ch, %zu samples -> %zu x %zu x 2\n", argv[1],
                   (size_t)pcm.sample_rate, pcm.channels, pcm.n_samples, frames, bins);
        }
    }
    free(out);
    s2f_spectrogram_free(spectrogram);
    audio_pcm_free(&pcm);
    return rc;
}
