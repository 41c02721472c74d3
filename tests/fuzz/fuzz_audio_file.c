/* Fuzz target: the s2f tool's audio path on arbitrary file bytes — libsndfile through
 * examples/common/audio_file.c (read in pieces, never sized from the header), downmix, and the
 * library's spectrogram stream, as examples/s2f/voice.c drives them. The first byte picks the
 * piece length and whether clips or whole-signal frames are streamed; the rest is the file.
 * Contract checks: every refusal is a message (reader) or a named status with a message
 * (library); a stream that finishes yields only finite values, in whole clips. The file lives
 * in a memfd, so no iteration touches the disk.
 *
 * Harness budget (not a limit of the tool): at most 2^18 decoded samples per input; a 0.25 s
 * clip instead of the paper's 6 s. */
#include "fuzz_common.h"

#include "audio_file.h"

#include <math.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAX_SAMPLES (1u << 18)

static const size_t pieces[] = {1, 7, 160, 1024, 4096, 65536};

static void drain(s2f_spectrogram_stream *stream, float *out, size_t capacity)
{
    size_t frames;
    do {
        s2f_status status = s2f_spectrogram_stream_read(stream, out, capacity, &frames);
        FUZZ_CHECK(status == S2F_OK);
        for (size_t i = 0; i < frames * 257 * 2; ++i)
            FUZZ_CHECK(isfinite(out[i]));
    } while (frames);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t mode = data[0];
    const size_t piece = pieces[(mode & 0x7f) % (sizeof pieces / sizeof *pieces)];
    const int whole = mode >> 7;
    int fd = memfd_create("fuzz-audio", 0);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(write(fd, data + 1, size - 1) == (ssize_t)(size - 1));
    char path[64], error[512];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

    audio_reader reader;
    if (audio_reader_open(path, piece, &reader, error, sizeof error) != 0) {
        FUZZ_CHECK(error[0] != '\0');
        close(fd);
        return 0;
    }
    s2f_spectrogram_params params = s2f_spectrogram_default_params();
    params.sample_rate = reader.sample_rate;
    params.clip_seconds = whole ? 0.0 : 0.25;
    s2f_spectrogram_stream *stream = NULL;
    s2f_status status = s2f_spectrogram_stream_create(&params, &stream);
    if (status != S2F_OK) { /* a rate outside 8…192 kHz */
        FUZZ_CHECK_FAILURE(status);
        audio_reader_close(&reader);
        close(fd);
        return 0;
    }
    /* Room for one 0.25 s clip (25 frames) or 64 frames. */
    const size_t capacity = 64 * 257 * 2;
    float *mono = malloc(sizeof(float) * piece), *out = malloc(sizeof(float) * capacity);
    FUZZ_CHECK(mono && out);
    size_t total = 0;
    long got = 0;
    int failed = 0;
    while (total < MAX_SAMPLES && (got = audio_reader_read(&reader, mono, error, sizeof error)) > 0) {
        total += (size_t)got;
        status = s2f_spectrogram_stream_write(stream, mono, (size_t)got);
        if (status != S2F_OK) {
            FUZZ_CHECK(status == S2F_ERR_NON_FINITE);
            FUZZ_CHECK(s2f_spectrogram_stream_last_error(stream)[0] != '\0');
            failed = 1;
            break;
        }
        drain(stream, out, capacity);
    }
    if (got < 0)
        FUZZ_CHECK(error[0] != '\0');
    if (!failed && got >= 0) {
        status = s2f_spectrogram_stream_finish(stream);
        if (status == S2F_OK)
            drain(stream, out, capacity);
        else /* too little audio for one sample (or one window, whole-signal), or the
                resampler's drained tail overflowed */
            FUZZ_CHECK((status == S2F_ERR_INVALID_ARGUMENT || status == S2F_ERR_NON_FINITE) &&
                       s2f_spectrogram_stream_last_error(stream)[0] != '\0');
    }
    free(out);
    free(mono);
    s2f_spectrogram_stream_free(stream);
    audio_reader_close(&reader);
    close(fd);
    return 0;
}
