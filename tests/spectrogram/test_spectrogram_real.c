/* Real speech: two AVSpeech clips (16 kHz FLAC, decoded here with libsndfile exactly as
 * python3-soundfile decodes them for the generator) against the numpy reference's goldens.
 * Exits 77 (meson's skip) without the shared sample data. */
#include "golden_compare.h"

#include <speech2face.h>

#include <setjmp.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cmocka.h>

static const char *data_dir;
static const char *samples_dir;

static void check_clip(const char *name, const char *file)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/avspeech/Wav/%s", samples_dir, file);
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf)
        fail_msg("cannot open %s: %s", path, sf_strerror(NULL));
    assert_int_equal(info.channels, 1);
    assert_int_equal(info.samplerate, 16000);
    float *pcm = malloc(sizeof(float) * (size_t)info.frames);
    assert_non_null(pcm);
    assert_int_equal(sf_readf_float(sf, pcm, info.frames), info.frames);
    sf_close(sf);
    golden_errors errors;
    golden_compare(data_dir, name, pcm, (size_t)info.frames, NULL, &errors);
    golden_assert_within_tolerance(&errors);
    free(pcm);
}

static void real_clip_a(void **state)
{
    (void)state;
    check_clip("real_a", "---ZOY1kzAc_231.231000-234.467567.flac");
}

static void real_clip_b(void **state)
{
    (void)state;
    check_clip("real_b", "-1nRm4tQL0A_024.760000-029.960000.flac");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s DATA_DIR SAMPLES_DIR\n", argv[0]);
        return 2;
    }
    data_dir = argv[1];
    samples_dir = argv[2];
    struct stat st;
    if (stat(samples_dir, &st) != 0) {
        printf("skip: %s not found\n", samples_dir);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(real_clip_a),
        cmocka_unit_test(real_clip_b),
    };
    return cmocka_run_group_tests_name("spectrogram real clips", tests, NULL, NULL);
}
