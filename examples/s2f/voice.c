/* Audio file → face feature: libsndfile (examples/common/audio_file.c), read in pieces, → the
 * library's spectrogram stream at the file's rate (it resamples) → the voice encoder, a few
 * clips at a time. Memory stays that of one clip batch whatever the recording's length (the
 * 1 h test in tests/cli); the features are the same, bit for bit, as the one-shot calls on the
 * whole file give (the stream's contract). Without --segments only the first clip is wanted,
 * so reading stops as soon as it is out. */
#include "cli.h"

#include "common/audio_file.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define PIECE_FRAMES 65536 /* ~1.4 s at 48 kHz per read */
#define CLIP_BATCH 4       /* clips per encoder call: the batch GEMMs' sweet spot, ~5 MB */

typedef struct voice_job {
    s2f_voice_encoder *encoder;
    const char *path;
    size_t dim, clip_floats, frames, bins;
    float *clips;        /* CLIP_BATCH spectrograms */
    float *features;     /* CLIP_BATCH features */
    size_t pending;      /* clips in `clips` not yet encoded */
    size_t encoded;      /* clips encoded so far */
    size_t wanted;       /* clips to take: all (--segments) or the first */
    double *sum;         /* dim running sums, in double as the one-shot mean was */
    float *first;        /* the first clip's feature, kept exact for a one-clip result */
} voice_job;

static int encode_pending(voice_job *job)
{
    if (job->pending == 0)
        return CLI_OK;
    /* One clip goes through encode (the call a user of the library makes for one clip). */
    s2f_status status =
        job->pending == 1
            ? s2f_voice_encoder_encode(job->encoder, job->clips, job->frames, job->bins, 2,
                                       job->features, job->dim)
            : s2f_voice_encoder_encode_batch(job->encoder, job->clips, job->pending, job->frames,
                                             job->bins, 2, job->features,
                                             job->pending * job->dim);
    if (status != S2F_OK)
        return cli_library_error(CLI_RUNTIME, job->path, status,
                                 s2f_voice_encoder_last_error(job->encoder));
    for (size_t c = 0; c < job->pending; ++c)
        for (size_t d = 0; d < job->dim; ++d)
            job->sum[d] += job->features[c * job->dim + d];
    if (job->encoded == 0)
        for (size_t d = 0; d < job->dim; ++d)
            job->first[d] = job->features[d];
    job->encoded += job->pending;
    job->pending = 0;
    return CLI_OK;
}

/* Moves the clips the stream has ready (up to job->wanted in all) into the batch, encoding full
 * batches. */
static int take_clips(voice_job *job, s2f_spectrogram_stream *stream)
{
    while (job->encoded + job->pending < job->wanted) {
        size_t frames = 0;
        s2f_status status = s2f_spectrogram_stream_read(
            stream, job->clips + job->pending * job->clip_floats, job->clip_floats, &frames);
        if (status != S2F_OK)
            return cli_library_error(CLI_RUNTIME, job->path, status,
                                     s2f_spectrogram_stream_last_error(stream));
        if (frames == 0)
            return CLI_OK;
        if (++job->pending == CLIP_BATCH) {
            int rc = encode_pending(job);
            if (rc != CLI_OK)
                return rc;
        }
    }
    return CLI_OK;
}

/* Streams the file through the spectrogram into job, until it ends or job->wanted clips are
 * in. */
static int stream_clips(voice_job *job, audio_reader *reader, s2f_spectrogram_stream *stream,
                        float *mono)
{
    char error[4200];
    long got;
    while ((got = audio_reader_read(reader, mono, error, sizeof error)) > 0) {
        s2f_status status = s2f_spectrogram_stream_write(stream, mono, (size_t)got);
        if (status != S2F_OK)
            return cli_library_error(status == S2F_ERR_NON_FINITE ? CLI_BAD_INPUT : CLI_RUNTIME,
                                     job->path, status,
                                     s2f_spectrogram_stream_last_error(stream));
        int rc = take_clips(job, stream);
        if (rc != CLI_OK)
            return rc;
        if (job->encoded + job->pending == job->wanted)
            return CLI_OK;
    }
    if (got < 0) {
        cli_error("%s", error);
        return CLI_BAD_INPUT;
    }
    s2f_status status = s2f_spectrogram_stream_finish(stream);
    if (status != S2F_OK) /* no samples, too few, or too loud to resample */
        return cli_library_error(status == S2F_ERR_INVALID_ARGUMENT ||
                                         status == S2F_ERR_NON_FINITE
                                     ? CLI_BAD_INPUT
                                     : CLI_RUNTIME,
                                 job->path, status, s2f_spectrogram_stream_last_error(stream));
    return take_clips(job, stream);
}

int cli_voice_feature(s2f_voice_encoder *encoder, const char *path, int segments, float *feature,
                      size_t dim)
{
    char error[4200];
    audio_reader reader;
    if (audio_reader_open(path, PIECE_FRAMES, &reader, error, sizeof error) != 0) {
        cli_error("%s", error);
        return CLI_BAD_INPUT;
    }
    voice_job job = {.encoder = encoder, .path = path, .dim = dim,
                     .wanted = segments ? SIZE_MAX : 1};
    int rc = CLI_RUNTIME;
    s2f_spectrogram_stream *stream = NULL;
    float *mono = malloc(sizeof(float) * PIECE_FRAMES);
    s2f_spectrogram_params params = s2f_spectrogram_default_params();
    params.sample_rate = reader.sample_rate;
    s2f_status status = s2f_spectrogram_stream_create(&params, &stream);
    if (status != S2F_OK) {
        /* A rate the library does not take (e.g. 4 kHz) is a property of the input file. */
        rc = cli_library_error(status == S2F_ERR_INVALID_ARGUMENT ? CLI_BAD_INPUT : CLI_RUNTIME,
                               path, status, s2f_last_error_message());
        goto done;
    }
    s2f_spectrogram *shape = NULL; /* the clip's shape, from a plain handle of the same params */
    status = s2f_spectrogram_create(&params, &shape);
    if (status == S2F_OK)
        status = s2f_spectrogram_shape(shape, 1, &job.frames, &job.bins);
    s2f_spectrogram_free(shape);
    if (status != S2F_OK) {
        rc = cli_library_error(CLI_RUNTIME, path, status, s2f_last_error_message());
        goto done;
    }
    job.clip_floats = job.frames * job.bins * 2;
    job.clips = malloc(sizeof(float) * job.clip_floats * CLIP_BATCH);
    job.features = malloc(sizeof(float) * dim * CLIP_BATCH);
    job.sum = calloc(dim, sizeof *job.sum);
    job.first = malloc(sizeof(float) * dim);
    if (!mono || !job.clips || !job.features || !job.sum || !job.first) {
        cli_error("%s: out of memory for a batch of %d clips", path, CLIP_BATCH);
        goto done;
    }
    rc = stream_clips(&job, &reader, stream, mono);
    if (rc == CLI_OK)
        rc = encode_pending(&job);
    if (rc != CLI_OK)
        goto done;
    /* One clip: the feature as the encoder gives it (bit-identical to the library called
     * directly). Several: their mean, summed in double. */
    for (size_t d = 0; d < dim; ++d)
        feature[d] = job.encoded == 1 ? job.first[d] : (float)(job.sum[d] / (double)job.encoded);
done:
    free(job.first);
    free(job.sum);
    free(job.features);
    free(job.clips);
    free(mono);
    s2f_spectrogram_stream_free(stream);
    audio_reader_close(&reader);
    return rc;
}

int cli_voice_encoder_create(const s2f_model *model, const char *model_path,
                             s2f_voice_encoder **out, size_t *dim)
{
    int rc = cli_require_component(model, model_path, "voice_encoder",
                                   "speech: face, embed, search");
    if (rc != CLI_OK)
        return rc;
    s2f_status status = s2f_voice_encoder_create(model, out);
    if (status != S2F_OK) {
        char context[4200];
        snprintf(context, sizeof context, "model %s: voice encoder", model_path);
        return cli_library_error(CLI_BAD_INPUT, context, status, s2f_last_error_message());
    }
    s2f_voice_encoder_shape(*out, dim, NULL, NULL, NULL);
    return CLI_OK;
}
