/* The canonical sample container of the model tests: every metadata type, every dtype, 0 to 4
 * dimensions, three components. tests/model/test_python_interop.py builds the same model with
 * tools/reference/s2f_model.py and requires byte-identical files, so change both together. */
#ifndef S2F_TESTS_SAMPLE_MODEL_H
#define S2F_TESTS_SAMPLE_MODEL_H

#include "model/writer.h"

/** Adds the sample's entries to `writer`; returns S2F_OK or the writer's error. */
s2f_status sample_model_fill(s2fi_model_writer *writer);

#endif
