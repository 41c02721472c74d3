/* Random-weight containers holding a consistent voice encoder + face decoder pair (the voice
 * encoder's feature dimension is the face decoder's), built in memory with the internal writer.
 * Used wherever a whole pipeline must run without a trained model: the concurrency (TSan) test,
 * the valgrind end-to-end driver, the encoder/decoder fuzz target and the fuzz seed generator.
 * Weights come from a fixed-seed generator, so a preset and seed always give the same bytes. */
#ifndef S2F_TESTS_TINY_MODEL_H
#define S2F_TESTS_TINY_MODEL_H

#include "speech2face.h"

#include <stddef.h>
#include <stdint.h>

typedef enum tiny_model_preset {
    /** 8 bins × 2 channels in, 2 valid convs, D = 6; decoder 6×6 image, 5 landmarks. Microseconds
     *  per call: for fuzzing. */
    TINY_MODEL_FUZZ = 0,
    /** The paper's input (257 bins × 2 channels), 4 same-padded convs, D = 12; decoder 32×32 image,
     *  8 landmarks, TPS warp. Runs a real 6 s spectrogram in milliseconds: for end-to-end tests. */
    TINY_MODEL_PIPELINE = 1,
    /** As TINY_MODEL_PIPELINE, but 4×4 convs with 16 channels, stride 1 then 2: the voice
     *  encoder's Winograd and polyphase paths and their worker threads (the concurrency test). */
    TINY_MODEL_WINOGRAD = 2
} tiny_model_preset;

/** The container bytes in a malloc'ed buffer (*bytes, free with free()). */
s2f_status tiny_model_bytes(tiny_model_preset preset, uint32_t seed, uint8_t **bytes,
                            size_t *size);

/** The container loaded as a model (s2f_model_load_buffer): free with s2f_model_free. */
s2f_status tiny_model_load(tiny_model_preset preset, uint32_t seed, s2f_model **out);

#endif
