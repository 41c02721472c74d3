/* The main job in a few calls: a voice recording → the speaker's reconstructed face, as a PNG.
 *
 *     minimal_pipeline VOICE.wav FACE.png [MODEL.s2fm]
 *
 * Without MODEL it uses the default model ($S2F_MODEL, else the one installed beside the
 * library). Any audio libsndfile reads, any rate, any channel count: the pipeline resamples
 * and averages the channels. */
#include <speech2face.h>

#include "common/png_write.h"

#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s VOICE FACE.png [MODEL.s2fm]\n", argv[0]);
        return 2;
    }
    /* Read the audio (libsndfile: interleaved float frames). */
    SF_INFO info = {0};
    SNDFILE *file = sf_open(argv[1], SFM_READ, &info);
    if (!file || info.frames <= 0 || info.frames > 192000 * 3600) {
        fprintf(stderr, "%s: not usable audio\n", argv[1]);
        return 1;
    }
    float *pcm = malloc(sizeof(float) * (size_t)info.frames * (size_t)info.channels);
    sf_count_t frames = pcm ? sf_readf_float(file, pcm, info.frames) : 0;
    sf_close(file);

    /* The library: model → pipeline → face. */
    s2f_model *model = NULL;
    s2f_pipeline *pipeline = NULL;
    size_t height = 0, width = 0;
    uint8_t *rgb = NULL;
    s2f_status status = argc > 3 ? s2f_model_load_file(argv[3], NULL, &model)
                                 : s2f_model_load_default(NULL, &model);
    if (status == S2F_OK)
        status = s2f_pipeline_create(model, &pipeline);
    if (status == S2F_OK)
        status = s2f_pipeline_shape(pipeline, NULL, &height, &width, NULL);
    if (status == S2F_OK && !(rgb = malloc(height * width * 3)))
        status = S2F_ERR_OUT_OF_MEMORY;
    if (status == S2F_OK)
        status = s2f_pipeline_face(pipeline, pcm, frames > 0 ? (size_t)frames : 0, info.channels,
                                   info.samplerate, 0, NULL, 0, rgb, width * 3,
                                   height * width * 3, NULL, 0);
    if (status != S2F_OK)
        fprintf(stderr, "%s: %s\n", s2f_status_name(status),
                pipeline ? s2f_pipeline_last_error(pipeline) : s2f_last_error_message());

    char error[512];
    int rc = status == S2F_OK && png_write_rgb8(argv[2], rgb, (int)width, (int)height, width * 3,
                                                error, sizeof error) == 0
                 ? 0
                 : 1;
    if (status == S2F_OK && rc != 0)
        fprintf(stderr, "%s\n", error);
    free(rgb);
    free(pcm);
    s2f_pipeline_free(pipeline);
    s2f_model_free(model);
    return rc;
}
