/*
 * libspeech2face — speech → face feature → canonical face image / gallery retrieval.
 * An implementation of Oh et al., "Speech2Face: Learning the Face Behind a Voice", CVPR 2019.
 *
 * This is the library's single public header. Conventions that hold for every function below
 * unless its comment says otherwise:
 *
 *  - Errors. Functions return `s2f_status` (S2F_OK == 0). A failing call leaves every output
 *    untouched or documented as unspecified, never frees what the caller owns, and records a
 *    human-readable message: in the handle it was called on (`s2f_<handle>_last_error()`), and
 *    for the calling thread (`s2f_last_error_message()`), which is the only place a failed
 *    constructor can report detail. The library never prints, aborts or exits; diagnostics go
 *    to the log callback (`s2f_set_log_callback()`).
 *  - Ownership. Handles are opaque, created by `s2f_<handle>_create/load()` and released by
 *    `s2f_<handle>_free()`; `*_free(NULL)` is a no-op. Every data buffer is owned by the
 *    caller; the library never keeps a pointer to a caller's buffer past the call unless a
 *    function says so (e.g. a model loaded from a caller's memory).
 *  - Params structs. Each starts with `size_t size`; fill it with `s2f_<x>_default_params()`,
 *    an inline function of this header that calls the exported
 *    `s2f_<x>_default_params_sized(&p, sizeof p)`, so `size` is the struct size *your* header
 *    declares; then change fields. (Bindings call the `_sized` function with their own size.)
 *    Newer libraries accept older, smaller structs; fields beyond `size` take defaults. So
 *    that every version of a struct has a distinct size, fields are only ever appended, in
 *    whole 8-byte units (a 64-bit field, or two 32-bit ones), and no struct has tail padding.
 *  - Thread-safety. Stated per function. In short: `s2f_model` is immutable and shareable;
 *    every other handle holds its own workspace and is used by one thread at a time
 *    (create one per thread); `s2f_face_index` allows concurrent searches with exclusive
 *    writers. Functions taking no handle are thread-safe.
 */
#ifndef SPEECH2FACE_H
#define SPEECH2FACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------
 * Export macro. Only functions marked S2F_API are visible in the shared library; everything
 * else is built with hidden visibility.
 * ------------------------------------------------------------------------------------------- */
#if defined(_WIN32)
#  if defined(S2F_BUILDING_LIBRARY)
#    define S2F_API __declspec(dllexport)
#  else
#    define S2F_API
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define S2F_API __attribute__((visibility("default")))
#else
#  define S2F_API
#endif

/* ---------------------------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------------------------- */
#define S2F_VERSION_MAJOR 0
#define S2F_VERSION_MINOR 1
#define S2F_VERSION_PATCH 0
#define S2F_VERSION_STRING "0.1.0"
/** Packs a version as one comparable integer: (major << 16) | (minor << 8) | patch. */
#define S2F_MAKE_VERSION(major, minor, patch) (((major) << 16) | ((minor) << 8) | (patch))
#define S2F_VERSION S2F_MAKE_VERSION(S2F_VERSION_MAJOR, S2F_VERSION_MINOR, S2F_VERSION_PATCH)

/** Version of the library actually loaded at run time, packed as S2F_MAKE_VERSION.
 *  Compare with S2F_VERSION to detect a header/library mismatch. Thread-safe. */
S2F_API uint32_t s2f_version(void);
/** Version of the loaded library as "MAJOR.MINOR.PATCH"; static storage, never NULL. Thread-safe. */
S2F_API const char *s2f_version_string(void);

/* ---------------------------------------------------------------------------------------------
 * Status codes and error messages
 * ------------------------------------------------------------------------------------------- */
/** Every fallible function returns one of these. Values are part of the ABI: never renumbered,
 *  new codes are only appended. */
typedef enum s2f_status {
    S2F_OK = 0,
    S2F_ERR_INVALID_ARGUMENT = 1,   /**< NULL where a pointer is required, value out of range */
    S2F_ERR_OUT_OF_MEMORY = 2,      /**< an allocation failed */
    S2F_ERR_IO = 3,                 /**< open/read/write/fsync/rename failed (message has errno text) */
    S2F_ERR_BAD_FORMAT = 4,         /**< a file or buffer is not what it claims (magic, layout, bounds) */
    S2F_ERR_UNSUPPORTED_VERSION = 5,/**< a file's format version is newer/older than this library reads */
    S2F_ERR_CHECKSUM_MISMATCH = 6,  /**< stored checksum does not match the data */
    S2F_ERR_SHAPE_MISMATCH = 7,     /**< tensor or input dimensions inconsistent with the model */
    S2F_ERR_BUFFER_TOO_SMALL = 8,   /**< caller's output buffer is smaller than required */
    S2F_ERR_NOT_FOUND = 9,          /**< a named component, tensor, key or id does not exist */
    S2F_ERR_NON_FINITE = 10,        /**< input contains NaN or infinity */
    S2F_ERR_SINGULAR = 11,          /**< a linear system is singular (e.g. coincident landmarks) */
    S2F_ERR_UNSUPPORTED = 12,       /**< valid request this build or model does not support */
    S2F_ERR_INTERNAL = 13,          /**< a bug in the library; please report it */
    S2F_ERR_NO_SPEECH = 14          /**< the audio holds too little speech to predict a face from
                                         (silence, noise, a tone, a fraction of a second) */
} s2f_status;

/** Number of defined status codes (one past the largest). */
#define S2F_STATUS_COUNT 15

/** Short English description of a status code ("invalid argument", ...). Static storage,
 *  never NULL: an unknown code gives "unknown status code". Thread-safe. */
S2F_API const char *s2f_strerror(s2f_status status);

/** Name of a status code as spelled in this header ("S2F_ERR_IO"); "S2F_UNKNOWN" if unknown.
 *  Static storage. Thread-safe. */
S2F_API const char *s2f_status_name(s2f_status status);

/** Detailed message of the most recent failing call made *by the calling thread* ("" if none).
 *  The pointer stays valid until that thread's next failing call into the library; copy it if
 *  you need it longer. Successful calls do not clear it. Thread-safe (per-thread storage). */
S2F_API const char *s2f_last_error_message(void);

/* ---------------------------------------------------------------------------------------------
 * Logging. The library never writes to stdout/stderr; it hands messages to one process-wide
 * callback. With no callback set, messages are dropped.
 * ------------------------------------------------------------------------------------------- */
typedef enum s2f_log_level {
    S2F_LOG_DEBUG = 0,
    S2F_LOG_INFO = 1,
    S2F_LOG_WARNING = 2,
    S2F_LOG_ERROR = 3
} s2f_log_level;

/** Receives one message (no trailing newline; valid only during the call). May be called from
 *  any thread that calls into the library, possibly concurrently: make it thread-safe. It must
 *  not call back into the library. */
typedef void (*s2f_log_fn)(s2f_log_level level, const char *message, void *user_data);

/** Sets the process-wide log callback and the minimum level passed to it. `fn == NULL` turns
 *  logging off. Thread-safe; a message being delivered concurrently may still reach the
 *  previous callback. Errors: S2F_ERR_INVALID_ARGUMENT for a level outside s2f_log_level. */
S2F_API s2f_status s2f_set_log_callback(s2f_log_fn fn, void *user_data, s2f_log_level min_level);

/* ---------------------------------------------------------------------------------------------
 * Handles. Declared here in full; the functions of each arrive with the component that
 * implements it (see docs/api.md for what exists in this version).
 * ------------------------------------------------------------------------------------------- */
/** A loaded model container (voice encoder, face decoder, face encoder weights + metadata).
 *  Immutable once loaded: share one across any number of threads. */
typedef struct s2f_model s2f_model;
/** Audio PCM → the paper's compressed complex spectrogram. One per thread. */
typedef struct s2f_spectrogram s2f_spectrogram;
typedef struct s2f_spectrogram_stream s2f_spectrogram_stream;
/** Measures how much of a recording is speech (silence, noise and tones are not). One per
 *  thread. */
typedef struct s2f_speech_meter s2f_speech_meter;
/** Spectrogram → face feature (paper Table 1 CNN). Built from a model; one per thread. */
typedef struct s2f_voice_encoder s2f_voice_encoder;
/** Face photo crop → face feature. Built from a model; one per thread. */
typedef struct s2f_face_encoder s2f_face_encoder;
/** Face feature → landmarks + texture → warped canonical face image. One per thread. */
typedef struct s2f_face_decoder s2f_face_decoder;
/** Gallery of face features with exact top-k retrieval. Concurrent readers, exclusive writers. */
typedef struct s2f_face_index s2f_face_index;
/** Voice → feature → face, or → gallery search, in one handle. Built from a model; one per
 *  thread. */
typedef struct s2f_pipeline s2f_pipeline;

/* =============================================================================================
 * Model container (s2f_model)
 * =========================================================================================== */

/* A model container file (format: docs/model-format.md) holds the weights and hyperparameters of
 * one or more networks, called components ("voice_encoder", "face_decoder", "face_encoder").
 * Tensor names and metadata keys have the form "<component>.<rest>" (e.g.
 * "voice_encoder.conv1.weight", "general.architecture"); file-wide keys use "general.".
 *
 * Loading validates the whole file (layout, every offset and size, names, dtypes, shapes, and by
 * default a CRC-32 of every byte), so a loaded model is safe to use however the file was damaged
 * or crafted. After loading, a model is immutable: any number of threads may share one, and every
 * function below that takes a `const s2f_model *` is thread-safe.
 *
 * Errors: s2f_model deliberately has no s2f_model_last_error(). A shared, immutable handle
 * cannot hold a message slot without concurrent threads overwriting each other's messages, so
 * every function in this section reports its detail through s2f_last_error_message() (the
 * calling thread's slot) only. Handles built from a model (encoders, decoders) record errors
 * about the model's contents in their own slots. */

/** Options of s2f_model_load_file / s2f_model_load_buffer. Fill with
 *  s2f_model_load_default_params(), then change fields. */
typedef struct s2f_model_load_params {
    size_t size;
    /** Non-zero (default 1): verify the CRC-32 of the whole file at load (about 2.4 GB/s,
     *  ~0.3 s for the paper-size model).
     *  0 skips only that: the structural checks always run. */
    int32_t verify_checksum;
    /** Non-zero (default 1): s2f_model_load_file maps the file read-only (MAP_PRIVATE), so weights
     *  are paged in from the page cache and shared between processes. Do not modify or truncate
     *  a file while a model mapped from it lives: the OS then delivers SIGBUS to the reader.
     *  0: read the whole file into memory instead (for files that may change underneath).
     *  Ignored by s2f_model_load_buffer. */
    int32_t use_mmap;
} s2f_model_load_params;

/** Fills `*params` with the defaults (verify_checksum = 1, use_mmap = 1) for a struct of `size`
 *  bytes and sets params->size = size. Call it through s2f_model_load_default_params(), which
 *  passes the size your header declares. Thread-safe.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL, size too small), S2F_ERR_UNSUPPORTED_VERSION (size
 *  larger than this library's struct: a newer header). */
S2F_API s2f_status s2f_model_load_default_params_sized(s2f_model_load_params *params, size_t size);

/** The defaults, sized as this header declares the struct. */
static inline s2f_model_load_params s2f_model_load_default_params(void)
{
    s2f_model_load_params params;
    s2f_model_load_default_params_sized(&params, sizeof params);
    return params;
}

/** Loads the container at `path` (mapped read-only, or read when params->use_mmap is 0).
 *  `params` may be NULL (defaults). On success *out receives a new model, which the caller frees
 *  with s2f_model_free; the file may be renamed or unlinked meanwhile (not modified, see
 *  use_mmap). On failure *out is untouched. Thread-safe.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL path/out, bad params.size), S2F_ERR_UNSUPPORTED_VERSION
 *  (params from a newer header, or a file format version this library does not read),
 *  S2F_ERR_IO (cannot open/stat/map/read, not a regular file), S2F_ERR_BAD_FORMAT (bad magic,
 *  truncated — the message names the section —, offsets or sizes out of range, invalid or
 *  duplicate names, unknown dtype or value type, misaligned or overlapping tensor data),
 *  S2F_ERR_SHAPE_MISMATCH (a tensor's byte size disagrees with its dtype and shape),
 *  S2F_ERR_CHECKSUM_MISMATCH, S2F_ERR_OUT_OF_MEMORY. */
S2F_API s2f_status s2f_model_load_file(const char *path, const s2f_model_load_params *params,
                                       s2f_model **out);

/** The default model's path: $S2F_MODEL when set (even if that file does not exist: loading it
 *  then says why), else the installed `<prefix>/share/speech2face/default.s2fm`, where the
 *  prefix is found from this library's own location at run time (so an install works from any
 *  prefix, and after being moved). Writes the path and its NUL to `buf` (`capacity` bytes) and
 *  its length without the NUL to `*length` (may be NULL; set also when buf is too small).
 *  Thread-safe. Errors: S2F_ERR_NOT_FOUND (none: the message lists every place tried),
 *  S2F_ERR_BUFFER_TOO_SMALL, S2F_ERR_INVALID_ARGUMENT (buf NULL with capacity > 0). */
S2F_API s2f_status s2f_model_default_path(char *buf, size_t capacity, size_t *length);

/** s2f_model_load_file() of s2f_model_default_path(): the model a program gets when its user
 *  names none. Errors: as both. Thread-safe. */
S2F_API s2f_status s2f_model_load_default(const s2f_model_load_params *params, s2f_model **out);

/** Loads a container from `size` bytes at `data`. The bytes are COPIED into a 64-byte aligned
 *  allocation owned by the model (so `data` need not be aligned, and the caller may free or
 *  reuse it as soon as this returns); a paper-size model thus briefly needs twice its size.
 *  `params` may be NULL. On success *out receives a new model (free with s2f_model_free); on
 *  failure *out is untouched. Never reads outside [data, data + size), whatever the bytes.
 *  Thread-safe. Errors: as s2f_model_load_file, without S2F_ERR_IO; S2F_ERR_INVALID_ARGUMENT
 *  for NULL data or out. */
S2F_API s2f_status s2f_model_load_buffer(const void *data, size_t size,
                                         const s2f_model_load_params *params, s2f_model **out);

/** Releases a model (unmaps/frees its bytes). NULL is a no-op. Every handle built from the model
 *  must be freed first. Not thread-safe with respect to other uses of the same model. */
S2F_API void s2f_model_free(s2f_model *model);

/** Element type of a tensor; values match the file format. */
typedef enum s2f_model_dtype {
    S2F_MODEL_DTYPE_F32 = 0,
    S2F_MODEL_DTYPE_F16 = 1,
    S2F_MODEL_DTYPE_I32 = 2,
    S2F_MODEL_DTYPE_U8 = 3
} s2f_model_dtype;

/** Type of a metadata value; values match the file format. */
typedef enum s2f_model_value_type {
    S2F_MODEL_VALUE_I64 = 0,
    S2F_MODEL_VALUE_F64 = 1,
    S2F_MODEL_VALUE_STRING = 2,   /**< UTF-8 without NUL bytes */
    S2F_MODEL_VALUE_I64_ARRAY = 3,
    S2F_MODEL_VALUE_F32_ARRAY = 4
} s2f_model_value_type;

/* Introspection. All are thread-safe and fail with S2F_ERR_INVALID_ARGUMENT for a NULL model,
 * key/name or required output pointer, and S2F_ERR_NOT_FOUND for an absent key, tensor or index.
 * Text outputs follow one rule: the function stores the bytes required, including the
 * terminating NUL, in *needed (when `needed` is non-NULL); buf = NULL with capacity = 0 is a
 * query that only does that and returns S2F_OK (needed is then required); a capacity below the
 * requirement gives S2F_ERR_BUFFER_TOO_SMALL and leaves buf untouched. Array outputs follow the
 * same rule with element counts in *count. Entries are indexed in byte-wise (strcmp) order of
 * their keys/names, from 0 to count - 1. */

/** *has = 1 if any tensor or metadata key starts with "<component>.", else 0. A component name
 *  has no dot ("voice_encoder"): a dotted one is S2F_ERR_INVALID_ARGUMENT. */
S2F_API s2f_status s2f_model_has_component(const s2f_model *model, const char *component,
                                           int *has);
/** Number of metadata entries. */
S2F_API s2f_status s2f_model_metadata_count(const s2f_model *model, size_t *count);
/** Key of the metadata entry at `index` (see the text-output rule above). */
S2F_API s2f_status s2f_model_metadata_key(const s2f_model *model, size_t index, char *buf,
                                          size_t capacity, size_t *needed);
/** Type of the value at `key`; *count (if non-NULL) receives its length: 1 for scalars, bytes
 *  without the NUL for strings, elements for arrays. */
S2F_API s2f_status s2f_model_metadata_type(const s2f_model *model, const char *key,
                                           s2f_model_value_type *type, size_t *count);
/** Integer value. S2F_ERR_BAD_FORMAT if the value has another type. */
S2F_API s2f_status s2f_model_metadata_i64(const s2f_model *model, const char *key,
                                          int64_t *value);
/** Real value; an integer value is converted. S2F_ERR_BAD_FORMAT for other types. */
S2F_API s2f_status s2f_model_metadata_f64(const s2f_model *model, const char *key, double *value);
/** String value, NUL-terminated (text-output rule). S2F_ERR_BAD_FORMAT for other types. */
S2F_API s2f_status s2f_model_metadata_string(const s2f_model *model, const char *key, char *buf,
                                             size_t capacity, size_t *needed);
/** Integer-array value: copies *count elements into values[0..capacity) (array-output rule).
 *  S2F_ERR_BAD_FORMAT for other types. */
S2F_API s2f_status s2f_model_metadata_i64_array(const s2f_model *model, const char *key,
                                                int64_t *values, size_t capacity, size_t *count);
/** Float-array value, as s2f_model_metadata_i64_array. */
S2F_API s2f_status s2f_model_metadata_f32_array(const s2f_model *model, const char *key,
                                                float *values, size_t capacity, size_t *count);
/** Number of tensors. */
S2F_API s2f_status s2f_model_tensor_count(const s2f_model *model, size_t *count);
/** Name of the tensor at `index` (text-output rule). */
S2F_API s2f_status s2f_model_tensor_name(const s2f_model *model, size_t index, char *buf,
                                         size_t capacity, size_t *needed);
/** Element type, number of dimensions (0..4) and shape of tensor `name`; shape[d] for
 *  d >= *ndim is set to 1. Any output pointer may be NULL. */
S2F_API s2f_status s2f_model_tensor_info(const s2f_model *model, const char *name,
                                         s2f_model_dtype *dtype, int *ndim, int64_t shape[4]);

/* =============================================================================================
 * Spectrogram (s2f_spectrogram)
 * =========================================================================================== */

/** How PCM becomes the paper's input (see docs/spectrogram.md). Defaults reproduce the paper:
 *  16 kHz, the first 6 s (shorter input tiled), periodic Hann 400 / hop 160 / 512-point FFT
 *  without centre padding (T = 1 + floor((N - 400) / 160) = 598 frames), 257 bins,
 *  sign(x)·|x|^0.3 on real and imaginary parts. Fill with s2f_spectrogram_default_params(). */
typedef struct s2f_spectrogram_params {
    size_t size;                /**< sizeof(s2f_spectrogram_params), set by the defaults */
    double sample_rate;         /**< rate of the PCM given to compute, Hz: 8000…192000. Default
                                     16000; any other rate is resampled (libsoxr, high quality) */
    double clip_seconds;        /**< length of the analysed clip. Default 6.0: the first 6 s are
                                     used and shorter input is repeated (tiled) up to 6 s. <= 0:
                                     the whole signal as it is (no tiling, no cut), T varies */
    double segment_hop_seconds; /**< start-to-start distance of the clips cut from long audio by
                                     s2f_spectrogram_compute_segments(). Default 3.0 (50 % overlap) */
    double exponent;            /**< power-law compression exponent, 0 < e <= 1. Default 0.3 */
    int32_t window;             /**< Hann window length in samples at analysis_rate. Default 400 */
    int32_t hop;                /**< frame hop in samples at analysis_rate. Default 160 */
    int32_t fft_size;           /**< a power of two, >= window, <= 65536; bins = fft_size/2 + 1.
                                     Default 512 */
    int32_t analysis_rate;      /**< rate the STFT runs at, Hz, 8000…192000. Default 16000 */
} s2f_spectrogram_params;

/** Fills `*params` with the paper's parameters (above) for a struct of `size` bytes and sets
 *  params->size = size. Call it through s2f_spectrogram_default_params(), which passes the size
 *  your header declares. Thread-safe.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL, size too small), S2F_ERR_UNSUPPORTED_VERSION (size
 *  larger than this library's struct: a newer header). */
S2F_API s2f_status s2f_spectrogram_default_params_sized(s2f_spectrogram_params *params, size_t size);

/** The paper's parameters, sized as this header declares the struct. */
static inline s2f_spectrogram_params s2f_spectrogram_default_params(void)
{
    s2f_spectrogram_params params;
    s2f_spectrogram_default_params_sized(&params, sizeof params);
    return params;
}

/** Creates a spectrogram handle: validates `params` (NULL = defaults) and allocates the FFT
 *  plan, window, resampler and workspace. The handle is used by one thread at a time (create
 *  one per thread); handles are independent. On failure *out is set to NULL.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (out NULL; a rate outside 8000…192000 or not finite; window
 *  < 16, > fft_size; fft_size not a power of two or > 65536; hop < 1 or > 1048576; clip_seconds or
 *  segment_hop_seconds not finite, above 3600 s, a clip shorter than one window, a segment hop
 *  <= 0 or under one sample; exponent not in (0, 1]), S2F_ERR_UNSUPPORTED_VERSION
 *  (params->size larger than this library knows), S2F_ERR_OUT_OF_MEMORY, S2F_ERR_INTERNAL. */
S2F_API s2f_status s2f_spectrogram_create(const s2f_spectrogram_params *params,
                                          s2f_spectrogram **out);

/** Releases the handle and everything it allocated. NULL is a no-op. */
S2F_API void s2f_spectrogram_free(s2f_spectrogram *spectrogram);

/** Message of the last failing call on this handle ("" if none; "" for NULL). Valid until the
 *  next call on the handle. */
S2F_API const char *s2f_spectrogram_last_error(const s2f_spectrogram *spectrogram);

/** The parameters in effect (after merging the caller's struct with the defaults).
 *  Errors: S2F_ERR_INVALID_ARGUMENT if an argument is NULL. Thread-safe on a shared handle. */
S2F_API s2f_status s2f_spectrogram_get_params(const s2f_spectrogram *spectrogram,
                                              s2f_spectrogram_params *out);

/** Output shape of s2f_spectrogram_compute() for `n_samples` input samples (at
 *  params.sample_rate): `*frames` (T) × `*bins` × 2 floats. With clip_seconds > 0, T depends
 *  only on the params (598 × 257 by default); with clip_seconds <= 0 it follows the resampled
 *  length M = round(n_samples · analysis_rate / sample_rate) as T = 1 + floor((M - window)/hop).
 *  Either output pointer may be NULL. Does not touch the handle's workspace: may be called
 *  concurrently. Errors: S2F_ERR_INVALID_ARGUMENT (handle NULL, n_samples 0, or with
 *  clip_seconds <= 0 a signal shorter than one window). */
S2F_API s2f_status s2f_spectrogram_shape(const s2f_spectrogram *spectrogram, size_t n_samples,
                                         size_t *frames, size_t *bins);

/** Computes the compressed spectrogram of mono PCM `pcm[0 .. n_samples)` (float, nominally in
 *  [-1, 1], at params.sample_rate) into `out`, laid out time × frequency × {re, im} (the
 *  real part first), frames × bins × 2 floats as given by s2f_spectrogram_shape().
 *  `out_capacity_floats` is the number of floats `out` can hold; `*frames_out` (optional,
 *  may be NULL) receives T. The input is read only; `out` is written only on success.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL pointers, n_samples 0, a signal shorter than one
 *  window when clip_seconds <= 0), S2F_ERR_NON_FINITE (a NaN or infinite sample; resampling
 *  overflow; a peak amplitude so large that (window · peak)^exponent could exceed the float
 *  range), S2F_ERR_BUFFER_TOO_SMALL, S2F_ERR_OUT_OF_MEMORY, S2F_ERR_INTERNAL.
 *  Not thread-safe on one handle (it uses the handle's workspace). */
S2F_API s2f_status s2f_spectrogram_compute(s2f_spectrogram *spectrogram, const float *pcm,
                                           size_t n_samples, float *out,
                                           size_t out_capacity_floats, size_t *frames_out);

/** Number of clips s2f_spectrogram_compute_segments() cuts from `n_samples` input samples:
 *  clips of clip_seconds starting every segment_hop_seconds, counted on the resampled signal
 *  of M samples: 1 if M <= clip length L (the one clip is tiled), else 1 + floor((M - L) / H);
 *  up to H - 1 trailing samples are not covered. Errors: S2F_ERR_INVALID_ARGUMENT (NULL,
 *  n_samples 0, clip_seconds <= 0). May be called concurrently. */
S2F_API s2f_status s2f_spectrogram_segment_count(const s2f_spectrogram *spectrogram,
                                                 size_t n_samples, size_t *count);

/** Long audio: writes one spectrogram per clip (see s2f_spectrogram_segment_count()) into
 *  `out`, segments × frames × bins × 2 floats, each exactly what s2f_spectrogram_compute()
 *  gives for that stretch of the resampled signal. `*segments_out` (optional) receives the
 *  count. Errors: as s2f_spectrogram_compute(), plus S2F_ERR_INVALID_ARGUMENT when
 *  clip_seconds <= 0. Not thread-safe on one handle. */
S2F_API s2f_status s2f_spectrogram_compute_segments(s2f_spectrogram *spectrogram,
                                                    const float *pcm, size_t n_samples,
                                                    float *out, size_t out_capacity_floats,
                                                    size_t *segments_out);

/** Audio of any length, in pieces, in bounded memory: the same output as the one-shot calls on
 *  the whole signal, bit for bit, produced as soon as the audio it covers has arrived. With
 *  clip_seconds > 0 it yields the clips s2f_spectrogram_compute_segments() cuts (the first one
 *  is s2f_spectrogram_compute()'s clip; input shorter than a clip gives the one tiled clip at
 *  the end); with clip_seconds <= 0, the frames s2f_spectrogram_compute() gives for the whole
 *  signal. It holds about one clip (or one window) plus what was written and not yet read,
 *  whatever the total length. Use: create, then repeatedly write a piece and read until
 *  nothing is ready, then finish and read the rest. One thread at a time per stream.
 *  Errors of create: as s2f_spectrogram_create(). */
S2F_API s2f_status s2f_spectrogram_stream_create(const s2f_spectrogram_params *params,
                                                 s2f_spectrogram_stream **out);

/** Releases the stream. NULL is a no-op. */
S2F_API void s2f_spectrogram_stream_free(s2f_spectrogram_stream *stream);

/** Message of the last failing call on this stream ("" if none; "" for NULL). */
S2F_API const char *s2f_spectrogram_stream_last_error(const s2f_spectrogram_stream *stream);

/** Appends `n_samples` mono samples (at params.sample_rate) to the signal; 0 samples is a
 *  no-op. Errors: S2F_ERR_INVALID_ARGUMENT (stream NULL, pcm NULL with n_samples > 0, after
 *  finish, or after an earlier failure), S2F_ERR_NON_FINITE (a NaN, infinite or too large
 *  sample, as s2f_spectrogram_compute(): the piece is not taken; or a resampling overflow),
 *  S2F_ERR_OUT_OF_MEMORY, S2F_ERR_INTERNAL. Any failure after input checks passed (resampling
 *  overflow, memory, internal) ends the stream: later calls fail. */
S2F_API s2f_status s2f_spectrogram_stream_write(s2f_spectrogram_stream *stream, const float *pcm,
                                                size_t n_samples);

/** Ends the signal: flushes the resampler and settles the last clips or frames, which read
 *  then returns. Errors: S2F_ERR_INVALID_ARGUMENT (NULL; called twice; no samples at all, less
 *  than one sample at the analysis rate, or with clip_seconds <= 0 less than one window),
 *  S2F_ERR_NON_FINITE (the resampler's last output overflowed), S2F_ERR_OUT_OF_MEMORY,
 *  S2F_ERR_INTERNAL; the last three end the stream. */
S2F_API s2f_status s2f_spectrogram_stream_finish(s2f_spectrogram_stream *stream);

/** Takes the next ready output into `out` (time × frequency × {re, im}, as compute).
 *  clip_seconds > 0: one clip per call, frames × bins × 2 floats (s2f_spectrogram_shape()'s
 *  frames); clip_seconds <= 0: as many ready frames as `out_capacity_floats` holds. *frames_out
 *  receives the frames written: 0 when nothing is ready (write more, or after finish: the end).
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL pointers), S2F_ERR_BUFFER_TOO_SMALL (less than one
 *  clip, or one frame, of room; nothing is taken). */
S2F_API s2f_status s2f_spectrogram_stream_read(s2f_spectrogram_stream *stream, float *out,
                                               size_t out_capacity_floats, size_t *frames_out);

/** Averages interleaved multi-channel PCM into mono: mono_out[i] = mean over c of
 *  interleaved[i·channels + c], for i < frames. `mono_out` may equal `interleaved` (in-place)
 *  but must not otherwise overlap it. Thread-safe. Errors: S2F_ERR_INVALID_ARGUMENT (NULL
 *  pointers, frames 0, channels < 1 or > 256, frames × channels overflowing). */
S2F_API s2f_status s2f_audio_downmix(const float *interleaved, size_t frames, int channels,
                                     float *mono_out);

/* =============================================================================================
 * Speech detection (s2f_speech_meter; docs/speech-detection.md)
 *
 * A face predicted from silence, hum or a beep is a confident answer to nothing. The meter
 * reads the recording's spectrogram (the paper's STFT, whole signal) in the 100 Hz – 4 kHz band
 * and counts speech-like frames: loud enough (above −90 dB, and within 35 dB of the
 * recording's 95th-percentile frame), not noise-like (spectral flatness < 0.4) and not a pure
 * tone (< 70 % of the band's energy within ±3 bins of its strongest bin). A recording whose
 * 100 ms loudness envelope hardly moves (standard deviation < 0.8 dB: steady noise, hum, tones)
 * has no speech frames at all. The thresholds were measured on the 968 real clips of
 * ../shared (each has at least 1.35 s of speech by this rule) and on silence, dither, white
 * and pink noise, tones, hum, a chirp and beeps (none reaches 0.1 s); tools/eval/speech_rule.py.
 * =========================================================================================== */

/** Seconds of speech a recording needs by default (s2f_pipeline_set_min_speech): under half
 *  of the least any real clip measured has (1.35 s), above what half a second of speech gives. */
#define S2F_DEFAULT_MIN_SPEECH_SECONDS 0.5

typedef struct s2f_speech_report {
    size_t size;            /**< set by the caller to sizeof(s2f_speech_report) */
    double seconds;         /**< audio measured, s */
    double speech_seconds;  /**< speech-like frames × 10 ms (0 for a steady recording) */
    double modulation_db;   /**< standard deviation of the 100 ms loudness envelope, dB */
} s2f_speech_report;

/** A meter for mono PCM at `sample_rate` (8000…192000 Hz, resampled to 16 kHz as the
 *  spectrogram is). Errors: S2F_ERR_INVALID_ARGUMENT (NULL out, rate out of range),
 *  S2F_ERR_OUT_OF_MEMORY. */
S2F_API s2f_status s2f_speech_meter_create(double sample_rate, s2f_speech_meter **out);

/** Releases the meter. NULL is a no-op. */
S2F_API void s2f_speech_meter_free(s2f_speech_meter *meter);

/** Message of the last failing call on this meter ("" if none; "" for NULL). */
S2F_API const char *s2f_speech_meter_last_error(const s2f_speech_meter *meter);

/** Appends mono samples (any number of pieces; memory grows by 9 bytes per 10 ms). Errors:
 *  S2F_ERR_INVALID_ARGUMENT (NULL, after finish), S2F_ERR_NON_FINITE (as
 *  s2f_spectrogram_stream_write: the piece is not taken), S2F_ERR_OUT_OF_MEMORY. */
S2F_API s2f_status s2f_speech_meter_write(s2f_speech_meter *meter, const float *pcm,
                                          size_t n_samples);

/** Ends the recording and reports on it (`report->size` must be set). Audio shorter than one
 *  25 ms window reports 0 s of speech. Errors: S2F_ERR_INVALID_ARGUMENT (NULL, size too small,
 *  called twice), S2F_ERR_OUT_OF_MEMORY, S2F_ERR_INTERNAL. */
S2F_API s2f_status s2f_speech_meter_finish(s2f_speech_meter *meter, s2f_speech_report *report);

/** One call: the report on `n_samples` mono samples. Thread-safe. Errors: as the meter's. */
S2F_API s2f_status s2f_speech_measure(const float *pcm, size_t n_samples, double sample_rate,
                                      s2f_speech_report *report);

/* =============================================================================================
 * Voice encoder (s2f_voice_encoder)
 * =========================================================================================== */

/* Builds a voice encoder from the "voice_encoder.*" component of `model` (paper Table 1 with the
 * widths, strides, pooling, padding and FC sizes the model's metadata gives). Convolution weights
 * are repacked into the encoder; the FC weights are used in place, so `model` must outlive the
 * encoder. On failure *out is NULL and s2f_last_error_message() says why.
 * Thread-safety: thread-safe; many encoders may share one model concurrently.
 * Errors: S2F_ERR_INVALID_ARGUMENT (NULL), S2F_ERR_NOT_FOUND (no voice_encoder in the model, or a
 * tensor/key missing), S2F_ERR_BAD_FORMAT / S2F_ERR_SHAPE_MISMATCH (metadata or tensors
 * inconsistent), S2F_ERR_UNSUPPORTED (unknown architecture or padding), S2F_ERR_OUT_OF_MEMORY. */
S2F_API s2f_status s2f_voice_encoder_create(const s2f_model *model, s2f_voice_encoder **out);

/** Frees the encoder and its workspace. NULL is a no-op. Not thread-safe with other calls on the
 *  same encoder. */
S2F_API void s2f_voice_encoder_free(s2f_voice_encoder *encoder);

/** Message of the encoder's last failing call ("" if none); valid until its next call. A NULL
 *  encoder gives a static message. Same thread-safety as the encoder. */
S2F_API const char *s2f_voice_encoder_last_error(const s2f_voice_encoder *encoder);

/** What the encoder takes and gives: feature dimension, spectrogram bins and channels (257 and 2
 *  for the paper's input), and the fewest time frames it accepts. Any output pointer may be NULL.
 *  Thread-safe (reads immutable fields). Errors: S2F_ERR_INVALID_ARGUMENT (NULL encoder). */
S2F_API s2f_status s2f_voice_encoder_shape(const s2f_voice_encoder *encoder, size_t *feature_dim,
                                           size_t *input_bins, size_t *input_channels,
                                           size_t *min_frames);

/** How many threads one encode call uses. 0 (the default) follows OpenBLAS: as many as
 *  openblas_get_num_threads() reports (OPENBLAS_NUM_THREADS, else the cores), so one setting
 *  governs both; n ≥ 1 uses exactly n (1: the calling thread only). The GEMMs always run on
 *  OpenBLAS's own threads, which the library never configures; these threads run the rest (the
 *  Winograd transforms, the BatchNorm/ReLU epilogue, the pooling): the encoder's own helper
 *  threads, started on first need and kept (idle between calls) until s2f_voice_encoder_free. Features agree across thread counts up to float rounding
 *  (≈ 2e-6 relative on the paper model, as between OpenBLAS thread counts). Use 1 when
 *  many encoders run in parallel threads (with OPENBLAS_NUM_THREADS=1).
 *  Thread-safety: one thread at a time per encoder. Errors: S2F_ERR_INVALID_ARGUMENT (NULL
 *  encoder, threads > 1024). */
S2F_API s2f_status s2f_voice_encoder_set_threads(s2f_voice_encoder *encoder, size_t threads);

/** Encodes one spectrogram laid out frames × bins × channels (as s2f_spectrogram produces) into
 *  `feature` (feature_dim floats). Any number of frames ≥ min_frames: the time mean makes the
 *  feature length-independent. The first call for a new clip length sizes the workspace (for the
 *  paper model and 598 frames: about 120 MB of activations plus a 55 MB convolution
 *  workspace, 165 MB in all on one thread);
 *  later calls of that length allocate nothing.
 *  Thread-safety: one thread at a time per encoder.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL), S2F_ERR_SHAPE_MISMATCH (bins/channels differ from the
 *  model, or fewer than min_frames), S2F_ERR_NON_FINITE (NaN/Inf in the input, or a finite
 *  input so large that the network overflows; `feature` is then untouched),
 *  S2F_ERR_BUFFER_TOO_SMALL (feature_capacity < feature_dim), S2F_ERR_OUT_OF_MEMORY. */
S2F_API s2f_status s2f_voice_encoder_encode(s2f_voice_encoder *encoder, const float *spectrogram,
                                            size_t frames, size_t bins, size_t channels,
                                            float *feature, size_t feature_capacity);

/** Encodes `count` spectrograms of equal length stored back to back into `features`
 *  (count × feature_dim floats). Equal to `count` calls of s2f_voice_encoder_encode, but the
 *  fully connected layers (most of the weights) run once for the whole batch.
 *  Thread-safety and errors as s2f_voice_encoder_encode; also S2F_ERR_INVALID_ARGUMENT for
 *  count 0. */
S2F_API s2f_status s2f_voice_encoder_encode_batch(s2f_voice_encoder *encoder,
                                                  const float *spectrograms, size_t count,
                                                  size_t frames, size_t bins, size_t channels,
                                                  float *features, size_t features_capacity);

/* =============================================================================================
 * Face decoder (s2f_face_decoder) and image warp
 * =========================================================================================== */

/* ---- Image warp (landmark-driven; usable alone, e.g. for morphing) ----------------------------
 * The semantics of TensorFlow's sparse_image_warp (docs/warp.md): each control point moves from
 * src_points[t] to dst_points[t]; a polyharmonic spline fitted at the destination points
 * interpolates that displacement to a dense flow, and output(y, x) is the input bilinearly
 * sampled at (x, y) − flow(x, y), clamped to the image edge. With regularization 0 the pixel
 * at src_points[t] lands exactly on dst_points[t].
 *
 * Coordinates are (x, y) pixel pairs — x = column, y = row, NOT TensorFlow's (y, x) — with pixel
 * centres at integers: (0, 0) is the centre of the top-left pixel, (width−1, height−1) of the
 * bottom-right one. Control points may lie outside the image (the spline is defined on the
 * whole plane; only sampling is clamped); they must be finite. */

/** Options of s2f_warp_image. Fill with s2f_warp_default_params(), then change fields. */
typedef struct s2f_warp_params {
    size_t size;              /**< sizeof(s2f_warp_params), set by the defaults */
    int32_t order;            /**< polyharmonic order k: 1 (φ(r) = r), 2 (thin-plate spline,
                                   φ(r) = r² log r; the default) or 3 (φ(r) = r³) */
    int32_t boundary_points;  /**< zero-flow points pinning the image border, as TF's
                                   num_boundary_points: 0 none, 1 the 4 corners, n >= 1 the
                                   corners and n − 1 more evenly spaced along each edge (4n in
                                   all). Default 2 (TF's default is 0). At most 256 */
    double regularization;    /**< λ >= 0 added to the spline kernel's diagonal, in pixel units
                                   as TF's regularization_weight: 0 (default) interpolates
                                   exactly; > 0 trades exactness for smoothness and tolerates
                                   coincident control points (try ~1e-3 and tune) */
} s2f_warp_params;

/** Fills `*params` with the defaults (order = 2, boundary_points = 2, regularization = 0) for a
 *  struct of `size` bytes and sets params->size = size. Call it through
 *  s2f_warp_default_params(), which passes the size your header declares. Thread-safe.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL, size too small), S2F_ERR_UNSUPPORTED_VERSION (size
 *  larger than this library's struct: a newer header). */
S2F_API s2f_status s2f_warp_default_params_sized(s2f_warp_params *params, size_t size);

/** The defaults, sized as this header declares the struct. */
static inline s2f_warp_params s2f_warp_default_params(void)
{
    s2f_warp_params params;
    s2f_warp_default_params_sized(&params, sizeof params);
    return params;
}

/** Warps an H×W×C interleaved (row-major, channels last) float image so that the control points
 *  at `src_points` move to `dst_points`; `n_points` (x, y) pairs each. `channels` is 1…4,
 *  `height` and `width` at least 2; `params` may be NULL (defaults). The result (same shape) is
 *  written to the caller's `dst`, which must not overlap `src`. Allocates a small workspace
 *  ((n + 4·boundary_points + 3)² doubles) per call; cost O(H·W·(n + boundary points)).
 *  Thread-safe (no shared state). On failure `dst` is untouched.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL pointer, height/width < 2, channels outside 1…4,
 *  n_points 0, more than 1024 control points with the boundary points, order not 1…3,
 *  negative regularization, boundary_points outside 0…256, overlapping src/dst, bad
 *  params.size), S2F_ERR_UNSUPPORTED_VERSION (params from a newer header), S2F_ERR_NON_FINITE
 *  (a NaN/infinite coordinate or regularization), S2F_ERR_SINGULAR (no unique spline: two control
 *  points — boundary points included — coincide while regularization is 0, fewer than 3
 *  control points or all of them on one line, or a system too ill-conditioned for double
 *  precision, e.g. points nearly coincident or very far outside the image),
 *  S2F_ERR_OUT_OF_MEMORY. */
S2F_API s2f_status s2f_warp_image(const float *src, int height, int width, int channels,
                                  const float *src_points, const float *dst_points,
                                  size_t n_points, const s2f_warp_params *params, float *dst);

/** s2f_warp_image for 8-bit images: same geometry and errors; pixels are blended in float and
 *  rounded to the nearest integer. Thread-safe. */
S2F_API s2f_status s2f_warp_image_u8(const uint8_t *src, int height, int width, int channels,
                                     const float *src_points, const float *dst_points,
                                     size_t n_points, const s2f_warp_params *params,
                                     uint8_t *dst);

/* ---- Face decoder --------------------------------------------------------------------------
 * Face feature → canonical face image (Cole et al., CVPR 2017, as used by Speech2Face;
 * docs/face-decoder.md): f → FC + ReLU → (a) an MLP predicting L landmarks, (b) an FC + ReLU
 * viewed as an S×S grid, upsampled by transposed convolutions (+ ReLU) and mapped to RGB by a
 * 1×1 convolution and a sigmoid: the texture, drawn at the model's mean-face landmarks. The
 * texture is then warped (s2f_warp_image semantics, with the model's spline order, boundary
 * points and regularization) so that the mean landmarks move to the predicted ones.
 *
 * Sizes (feature dimension, H = W, L) come from the model: query them with
 * s2f_face_decoder_shape(). Images are H×W×3 RGB, interleaved, row-major; landmarks are L (x, y)
 * pixel pairs in the output image (pixel centres at integers, as in the warp above).
 *
 * Landmark clamping: predicted landmarks are clamped to the image rectangle [0, W−1] × [0, H−1]
 * before the warp (and are returned clamped), so any finite feature gives a landmark set inside
 * the image. The warp can still be singular when clamped landmarks coincide with each other or
 * with a boundary point and the model's regularization is 0: such a call fails with
 * S2F_ERR_SINGULAR (models written by tools/convert/convert_face_decoder.py store 1e-3, which rules
 * this out).
 *
 * Every decode function: on failure the caller's buffers are untouched and the message is in
 * s2f_face_decoder_last_error(); a decoder is used by one thread at a time (it owns its
 * workspace and allocates nothing per call after the first); the feature is read, never kept.
 * Threads: as many as openblas_get_num_threads() reports (up to 8). On CPUs with AVX-512 the
 * transposed convolutions run on the library's own kernel, split over helper threads that the
 * decoder keeps (started on first need), and so do the dense layers (an own GEMV); elsewhere
 * they run on OpenBLAS's sgemm / sgemv and its threads.
 * Common errors: S2F_ERR_INVALID_ARGUMENT (NULL decoder/feature/output, outputs overlapping),
 * S2F_ERR_SHAPE_MISMATCH (feature_dim is not the model's), S2F_ERR_BUFFER_TOO_SMALL (an output
 * capacity below what s2f_face_decoder_shape() implies; `landmarks` may be NULL, then its
 * capacity is ignored), S2F_ERR_NON_FINITE (NaN/infinity in the feature, or a feature so large
 * that the network overflows), S2F_ERR_SINGULAR (see above), S2F_ERR_OUT_OF_MEMORY. */

/** Builds a decoder from the model's "face_decoder" component: reads the architecture metadata,
 *  checks every tensor's shape, packs the convolution weights and allocates the workspace
 *  (≈ 18 MB for the paper's 224×224 configuration, plus the packed convolutions). The model must
 *  outlive the decoder (dense weights are used in place). On success *out owns a new decoder
 *  (free with s2f_face_decoder_free); on failure *out is NULL and s2f_last_error_message() has
 *  the detail. Thread-safe (the model is only read).
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL model/out), S2F_ERR_NOT_FOUND (no face_decoder
 *  component, a missing key or tensor), S2F_ERR_BAD_FORMAT (a key of the wrong type or out of
 *  range, non-finite mean landmarks), S2F_ERR_SHAPE_MISMATCH (a tensor's shape, the mean
 *  landmarks' length or image_size disagreeing with the architecture), S2F_ERR_UNSUPPORTED
 *  (unknown architecture string), S2F_ERR_OUT_OF_MEMORY. */
S2F_API s2f_status s2f_face_decoder_create(const s2f_model *model, s2f_face_decoder **out);

/** Releases the decoder and its workspace (not the model). NULL is a no-op. */
S2F_API void s2f_face_decoder_free(s2f_face_decoder *decoder);

/** Message of the last failing call on this decoder ("" if none; "decoder is NULL" for NULL).
 *  Valid until the next call on the decoder. */
S2F_API const char *s2f_face_decoder_last_error(const s2f_face_decoder *decoder);

/** The decoder's sizes: feature dimension D, output height and width (equal; e.g. 224), and
 *  landmark count L. Any output pointer may be NULL. A float image needs height·width·3 floats,
 *  landmarks 2·L floats. Thread-safe on a shared decoder (reads immutable fields).
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL decoder). */
S2F_API s2f_status s2f_face_decoder_shape(const s2f_face_decoder *decoder, size_t *feature_dim,
                                          size_t *height, size_t *width, size_t *landmark_count);

/** Decodes one feature (`feature_dim` floats, not normalised) into the warped face `rgb`
 *  (height·width·3 floats in [0, 1]; `rgb_capacity` in floats) and, if `landmarks` is not NULL,
 *  the L clamped (x, y) landmarks (`landmarks_capacity` floats). Errors: the common ones above. */
S2F_API s2f_status s2f_face_decoder_decode(s2f_face_decoder *decoder, const float *feature,
                                           size_t feature_dim, float *rgb, size_t rgb_capacity,
                                           float *landmarks, size_t landmarks_capacity);

/** As s2f_face_decoder_decode, writing 8-bit RGB: pixel (x, y) channel c goes to
 *  rgb[y·row_stride + 3·x + c] = round(255·v) (v clamped to [0, 1]). Row padding bytes are not
 *  written. `row_stride` >= 3·width; `rgb_capacity` (bytes) >= (height − 1)·row_stride +
 *  3·width. Errors: the common ones, and S2F_ERR_INVALID_ARGUMENT for a row_stride below
 *  3·width. */
S2F_API s2f_status s2f_face_decoder_decode_u8(s2f_face_decoder *decoder, const float *feature,
                                              size_t feature_dim, uint8_t *rgb,
                                              size_t row_stride, size_t rgb_capacity,
                                              float *landmarks, size_t landmarks_capacity);

/** For debugging and training: the unwarped texture (height·width·3 floats in [0, 1], drawn at
 *  the mean-face landmarks) and, optionally, the clamped predicted landmarks; no warp runs, so
 *  S2F_ERR_SINGULAR cannot occur. Errors: the common ones. */
S2F_API s2f_status s2f_face_decoder_decode_texture(s2f_face_decoder *decoder,
                                                   const float *feature, size_t feature_dim,
                                                   float *texture, size_t texture_capacity,
                                                   float *landmarks, size_t landmarks_capacity);

/** Copies the model's mean-face landmarks (2·L floats, (x, y) pairs: where the texture is drawn)
 *  into `landmarks`. Thread-safe on a shared decoder. Errors (reported in
 *  s2f_last_error_message() only, the handle being const): S2F_ERR_INVALID_ARGUMENT (NULL),
 *  S2F_ERR_BUFFER_TOO_SMALL. */
S2F_API s2f_status s2f_face_decoder_mean_landmarks(const s2f_face_decoder *decoder,
                                                   float *landmarks, size_t landmarks_capacity);

/* =============================================================================================
 * Face encoder (s2f_face_encoder)
 * =========================================================================================== */

/* A face encoder turns an RGB photo of a face into a face feature: the gallery side of retrieval
 * and the training target of the voice encoder. The network comes from the model's
 * "face_encoder" component (metadata "face_encoder.architecture"):
 *  - "dlib_resnet": the default. face-api's FaceRecognitionNet (npm @vladmandic/face-api, MIT; a
 *    port of dlib's ResNet face descriptor): 150×150 input, 128-D descriptor (not normalised;
 *    faces of one person are typically < 0.6 apart in Euclidean distance). models/ ships it.
 *  - "vgg16": VGG-16 / VGG-Face (224×224, fc7 4096-D) for users who bring such weights
 *    (tools/convert/convert_vgg16.py).
 *
 * The library does NOT detect or align faces. Give it a crop framed the way the network is used:
 * for face-api's network, the box of face-api's detector (detectSingleFace + landmarks,
 * alignedRect: roughly eyebrows to chin, cheek to cheek; s2f_image_crop_resize cuts it out).
 * Looser framing still works but separates people less well (docs/face-encoder.md: 94 % vs 99 %
 * of identity pairs on the Speech2Face samples). For VGG-Face, a face box with ~20 % margin.
 * Any image size is accepted: a non-square image is padded to a square with black, centred
 * (face-api's padToSquare; metadata "face_encoder.pad_to_square"), then resized to the input
 * size with the filter below, then mean/scale from the metadata are applied. */

/** How an image is resampled to another size. */
typedef enum s2f_resize_filter {
    /** The face encoder: what the model's metadata "face_encoder.resize" names (face-api's model:
     *  S2F_RESIZE_BILINEAR_TF; otherwise S2F_RESIZE_BILINEAR_ANTIALIAS). s2f_image_crop_resize:
     *  S2F_RESIZE_BILINEAR_ANTIALIAS. */
    S2F_RESIZE_MODEL_DEFAULT = 0,
    /** TensorFlow's legacy tf.image.resize_bilinear (align_corners and half_pixel_centers false),
     *  which face-api applies: output pixel o samples input o·(in/out), no antialiasing (a large
     *  downscale skips pixels). Reproduces face-api's descriptors exactly. */
    S2F_RESIZE_BILINEAR_TF = 1,
    /** Antialiased bilinear, as Pillow's Image.resize(BILINEAR): a triangle filter widened by the
     *  downscale factor, pixel centres at half-integers. The better choice for large photos. */
    S2F_RESIZE_BILINEAR_ANTIALIAS = 2
} s2f_resize_filter;

/** Builds a face encoder from the model's "face_encoder" component: reads its metadata, converts
 *  and packs the weights (f32, f16, or u8 with dequantisation metadata), allocates the workspace
 *  (≈3 MB for face-api's network, ≈70 MB + the model's weights for VGG-16). The model must
 *  outlive the encoder (VGG's FC weights are used in place). On success *out receives a handle
 *  to release with s2f_face_encoder_free; on failure *out is untouched and the detail is in
 *  s2f_last_error_message(). Thread-safe (the model is only read).
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL model/out), S2F_ERR_NOT_FOUND (no face_encoder
 *  component, a missing key or tensor), S2F_ERR_UNSUPPORTED (unknown architecture or resize
 *  name), S2F_ERR_BAD_FORMAT (a key of the wrong type or out of range, inconsistent blocks, a
 *  non-finite or undequantisable weight), S2F_ERR_SHAPE_MISMATCH (a tensor's shape disagrees
 *  with the metadata, an input size too small for the network), S2F_ERR_OUT_OF_MEMORY. */
S2F_API s2f_status s2f_face_encoder_create(const s2f_model *model, s2f_face_encoder **out);

/** Releases the encoder and its workspace. NULL is a no-op. */
S2F_API void s2f_face_encoder_free(s2f_face_encoder *encoder);

/** Message of the last failing call on this handle ("" if none; "encoder is NULL" for NULL).
 *  Valid until the next call on the handle. */
S2F_API const char *s2f_face_encoder_last_error(const s2f_face_encoder *encoder);

/** The feature length D (128 for face-api's network) and the network's square input side in
 *  pixels (150). Either output may be NULL. Thread-safe on a shared handle.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL encoder). */
S2F_API s2f_status s2f_face_encoder_shape(const s2f_face_encoder *encoder, size_t *feature_dim,
                                          size_t *input_size);

/** Chooses the filter later encode calls resize with (S2F_RESIZE_MODEL_DEFAULT restores the
 *  model's). Not thread-safe on one handle.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL encoder, unknown filter). */
S2F_API s2f_status s2f_face_encoder_set_resize_filter(s2f_face_encoder *encoder,
                                                      s2f_resize_filter filter);

/** Encodes one face crop: `rgb` is height rows of width × 3 bytes (R, G, B interleaved), rows
 *  `stride_bytes` apart (>= 3·width). The crop is padded to a square and resized (see above);
 *  an image already input_size × input_size is used as is. Writes D floats to
 *  `feature[0..D)`; `feature_capacity` is the number of floats it holds (query D with
 *  s2f_face_encoder_shape). `feature` is written only on success. Reads `rgb` only.
 *  ≈4–5 ms for face-api's network on one core (AVX-512). Threads: as many as
 *  openblas_get_num_threads() reports, up to 8, split the layers that are large enough to gain
 *  from it (helper threads kept by the handle, started on first need). Not thread-safe on one
 *  handle (it uses the handle's workspace): use one encoder per thread.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL encoder/rgb/feature, a side < 1 or > 32768, more
 *  than 2^28 pixels, stride < 3·width or overflowing), S2F_ERR_BUFFER_TOO_SMALL
 *  (feature_capacity < D), S2F_ERR_NON_FINITE (the network produced NaN/inf: broken weights),
 *  S2F_ERR_OUT_OF_MEMORY (resize buffers). */
S2F_API s2f_status s2f_face_encoder_encode(s2f_face_encoder *encoder, const uint8_t *rgb,
                                           int width, int height, size_t stride_bytes,
                                           float *feature, size_t feature_capacity);

/** Encodes `count` crops of the same size, image i starting at rgb + i·image_stride_bytes
 *  (>= the bytes of one image when count > 1), each laid out as in s2f_face_encoder_encode.
 *  Feature i goes to features[i·D .. i·D + D); `features_capacity` counts floats. Equal to
 *  `count` single calls, bit for bit. With more than one thread (see s2f_face_encoder_encode)
 *  the images are spread over the threads, one image per thread at a time, each computed on one
 *  thread (the handle keeps a workspace per thread, allocated on the first batch that uses it);
 *  this is how a gallery of crops is embedded fastest. On failure the contents of `features`
 *  are unspecified. Not thread-safe on one handle.
 *  Errors: as s2f_face_encoder_encode, plus S2F_ERR_INVALID_ARGUMENT for count 0 or > 2^24, or
 *  an image stride smaller than one image. */
S2F_API s2f_status s2f_face_encoder_encode_batch(s2f_face_encoder *encoder, const uint8_t *rgb,
                                                 size_t count, int width, int height,
                                                 size_t stride_bytes, size_t image_stride_bytes,
                                                 float *features, size_t features_capacity);

/** Crops a box from an RGB image and resizes it: the helper that turns a face detector's box
 *  into an encoder input (e.g. a square box with some margin → 150×150). The box is in pixel
 *  units — (0, 0) is the top-left corner of the top-left pixel, (width, height) the bottom-right
 *  corner of the image — and may extend past the image, which is black (0) outside. Pixels are
 *  rounded to the nearest integer. With S2F_RESIZE_BILINEAR_TF and an integer box this equals
 *  face-api's crop + tf.image.resizeBilinear; S2F_RESIZE_BILINEAR_ANTIALIAS (the default for
 *  S2F_RESIZE_MODEL_DEFAULT) equals Pillow's resize(size, BILINEAR, box) for a box inside the
 *  image, output pixels whose centre falls outside the image being black. `out` holds
 *  out_height rows of out_width × 3 bytes, `out_stride_bytes` apart, and must not overlap `rgb`.
 *  Thread-safe (allocates a temporary buffer per call). `out` is written only on success.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL pointers; image as in s2f_face_encoder_encode; an
 *  output side < 1 or > 8192; out stride < 3·out_width; box size <= 0, or a box coordinate or
 *  size beyond ±131072; unknown filter), S2F_ERR_NON_FINITE (NaN/inf in the box),
 *  S2F_ERR_OUT_OF_MEMORY. */
S2F_API s2f_status s2f_image_crop_resize(const uint8_t *rgb, int width, int height,
                                         size_t stride_bytes, double box_x, double box_y,
                                         double box_width, double box_height,
                                         s2f_resize_filter filter, uint8_t *out, int out_width,
                                         int out_height, size_t out_stride_bytes);

/* =============================================================================================
 * Face index (s2f_face_index)
 * =========================================================================================== */
/*
 * An exact top-k index over a gallery of D-dimensional face features with 64-bit ids.
 *
 * Scores and order. For S2F_METRIC_COSINE and S2F_METRIC_INNER_PRODUCT a score is a similarity
 * (larger is better); for S2F_METRIC_L2 it is the *squared* Euclidean distance (as FAISS's
 * IndexFlatL2 reports) and for S2F_METRIC_L1 the L1 distance (smaller is better). Results are
 * sorted best first; equal scores are ordered by id ascending, so a result never depends on
 * insertion order, removals, thread count or single/batch path.
 *
 * Concurrency. Each index holds a pthread rwlock: searches, save, export, size/dim run
 * concurrently with each other (shared lock); add and remove are exclusive (they wait for
 * running searches and block new ones). free must not race with any other call.
 * `s2f_face_index_last_error` is safe from any thread (see there).
 */

/** Similarity / distance used by an index. */
typedef enum s2f_metric {
    S2F_METRIC_COSINE = 0,        /**< cosine similarity; vectors are L2-normalised on add (default) */
    S2F_METRIC_INNER_PRODUCT = 1, /**< raw inner product */
    S2F_METRIC_L2 = 2,            /**< squared Euclidean distance */
    S2F_METRIC_L1 = 3             /**< L1 (Manhattan) distance */
} s2f_metric;

/** How gallery vectors are held in memory (and in saved files). */
typedef enum s2f_storage {
    S2F_STORAGE_F32 = 0,  /**< float32, exact (default): 4·D bytes per vector */
    S2F_STORAGE_F16 = 1,  /**< IEEE half: 2·D bytes per vector */
    S2F_STORAGE_INT8 = 2  /**< per-vector affine int8 (offset + scale): D + 8 bytes per vector */
} s2f_storage;
/* Compressed storage trades exactness of the *gallery* for memory: the query stays float32 and
 * every score is computed exactly (float32 arithmetic) against the decoded stored vector, so no
 * approximate pre-scan or shortlist is involved; the only error is the encoding of the gallery
 * (recall@10 vs float32 storage: docs/performance-index.md). */

/** Index configuration; fill with s2f_face_index_default_params() first. */
typedef struct s2f_face_index_params {
    size_t size;          /**< sizeof(s2f_face_index_params) as compiled by the caller */
    size_t dim;           /**< vector dimension D, 1..65536 (default 128, the default model's) */
    s2f_metric metric;    /**< default S2F_METRIC_COSINE (the paper's retrieval metric) */
    s2f_storage storage;  /**< default S2F_STORAGE_F32 */
    size_t threads;       /**< worker threads for one search (and for each batch), 0 = all online
                               cores (default), 1 = the calling thread only. The library never
                               changes OpenBLAS's own thread settings. */
} s2f_face_index_params;

/** Fills `*params` with the defaults (dim 128, cosine, float32 storage, all cores) for a struct
 *  of `size` bytes and sets params->size = size. Call it through
 *  s2f_face_index_default_params(), which passes the size your header declares. Thread-safe.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL, size too small), S2F_ERR_UNSUPPORTED_VERSION (size
 *  larger than this library's struct: a newer header). */
S2F_API s2f_status s2f_face_index_default_params_sized(s2f_face_index_params *params, size_t size);

/** The defaults, sized as this header declares the struct. */
static inline s2f_face_index_params s2f_face_index_default_params(void)
{
    s2f_face_index_params params;
    s2f_face_index_default_params_sized(&params, sizeof params);
    return params;
}

/** Creates an empty index. `params` may be NULL (all defaults). On success `*out` owns a new
 *  handle (release with s2f_face_index_free); on failure `*out` is untouched and the detail is
 *  in s2f_last_error_message(). Thread-safe.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL out, dim 0 or > 65536, unknown metric/storage,
 *  threads > 1024), S2F_ERR_UNSUPPORTED_VERSION (params from a newer header),
 *  S2F_ERR_OUT_OF_MEMORY. */
S2F_API s2f_status s2f_face_index_create(const s2f_face_index_params *params, s2f_face_index **out);

/** Releases the index and everything it owns; NULL is a no-op. Must not race with any other call
 *  on the same handle. */
S2F_API void s2f_face_index_free(s2f_face_index *index);

/** Message of the last failing call on this handle ("" if none; "invalid handle" for NULL).
 *  Returns a copy private to the calling thread, valid until that thread's next call of this
 *  function: safe while other threads search or fail on the same handle (the handle's slot is
 *  written and copied under a small mutex). */
S2F_API const char *s2f_face_index_last_error(const s2f_face_index *index);

/** Adds `n` vectors (row-major n×D floats) with ids `ids[0..n)`. All or nothing: on any error
 *  nothing is added. Vectors are copied (normalised first for cosine, then encoded to the
 *  storage type). Exclusive: waits for running searches. `n == 0` is a no-op.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL pointer with n > 0, id -1 which is reserved for "no
 *  result", an id already present or repeated within the batch, a zero vector with the cosine
 *  metric, too many vectors), S2F_ERR_NON_FINITE (NaN or infinity in a vector),
 *  S2F_ERR_OUT_OF_MEMORY. */
S2F_API s2f_status s2f_face_index_add(s2f_face_index *index, const int64_t *ids,
                                      const float *vectors, size_t n);

/** Removes the vector with this id. Exclusive.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL index), S2F_ERR_NOT_FOUND (no such id). */
S2F_API s2f_status s2f_face_index_remove(s2f_face_index *index, int64_t id);

/** Number of vectors in the index (0 for NULL). Shared lock. */
S2F_API size_t s2f_face_index_size(const s2f_face_index *index);
/** Dimension D (0 for NULL). Lock-free (immutable). */
S2F_API size_t s2f_face_index_dim(const s2f_face_index *index);

/** Top-k of one query (D floats). Writes up to k results, best first, into caller-owned
 *  `ids_out[k]` and `scores_out[k]` (`scores_out` may be NULL) and their number into `*found`
 *  (= min(k, size)); entries past *found get id -1 and score NaN. Uses params.threads workers
 *  over the gallery. Shared lock: any number of searches run concurrently.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL index/query/ids_out/found, k == 0),
 *  S2F_ERR_NON_FINITE (query has NaN/inf), S2F_ERR_INVALID_ARGUMENT (zero query with cosine),
 *  S2F_ERR_OUT_OF_MEMORY. */
S2F_API s2f_status s2f_face_index_search(const s2f_face_index *index, const float *query, size_t k,
                                         int64_t *ids_out, float *scores_out, size_t *found);

/** Top-k of `nq` queries (row-major nq×D). Query q's results are at ids_out[q·k .. q·k+k) and
 *  scores_out[q·k ..] (may be NULL), with found_out[q] as in s2f_face_index_search; results equal
 *  nq single searches (up to float rounding of the score: blocked cblas_sgemm sums in another
 *  order, ≤ 1e-6 relative; L2 scores of float32 indexes are rescored exactly). Threads: with
 *  a single-threaded OpenBLAS, params.threads workers each take a slice of the gallery; if
 *  OpenBLAS runs its own threads (OPENBLAS_NUM_THREADS > 1), the gemm is left to them (one
 *  worker) rather than nesting the two. Shared lock. `nq == 0` is a no-op.
 *  Errors: as s2f_face_index_search, plus S2F_ERR_INVALID_ARGUMENT when nq·k overflows. */
S2F_API s2f_status s2f_face_index_search_batch(const s2f_face_index *index, const float *queries,
                                               size_t nq, size_t k, int64_t *ids_out,
                                               float *scores_out, size_t *found_out);

/** Saves the index to `path` atomically: it writes a temporary file in the same directory
 *  (`path`.tmp-PID-N, locked with flock while it is written), fsyncs it, renames it over `path`
 *  and fsyncs the directory, so a crash at any moment leaves either the previous file or the
 *  new one, complete. A crashed save's temporary file is removed by the next save of the same
 *  path (a file nobody holds locked has no living writer). Format: docs/index-format.md (versioned,
 *  CRC-32 checked, 64-byte aligned sections). Shared lock (concurrent with searches).
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL), S2F_ERR_IO (with errno text; `path` is untouched). */
S2F_API s2f_status s2f_face_index_save(const s2f_face_index *index, const char *path);

/** Loads an index saved by s2f_face_index_save; metric and storage come from the file, threads
 *  is 0 (change with s2f_face_index_set_threads). On success `*out` owns a new handle; on failure it is
 *  untouched (detail in s2f_last_error_message()). Every field, offset and size is validated
 *  before use. Thread-safe.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL), S2F_ERR_IO (open/read failed), S2F_ERR_BAD_FORMAT
 *  (magic, header, sizes, offsets, alignment, duplicate or reserved ids, non-finite values),
 *  S2F_ERR_UNSUPPORTED_VERSION, S2F_ERR_CHECKSUM_MISMATCH (header or data CRC-32),
 *  S2F_ERR_OUT_OF_MEMORY. */
S2F_API s2f_status s2f_face_index_load(const char *path, s2f_face_index **out);

/** Sets the number of worker threads used by later searches (0 = all cores). Exclusive.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL, threads > 1024). */
S2F_API s2f_status s2f_face_index_set_threads(s2f_face_index *index, size_t threads);

/** File formats of s2f_face_index_export. */
typedef enum s2f_export_format {
    S2F_EXPORT_FVECS = 0, /**< .fvecs: per vector an int32 D then D float32 (TEXMEX/FAISS/Milvus tools) */
    S2F_EXPORT_NPY = 1    /**< NumPy .npy, float32, shape (n, D), C order */
} s2f_export_format;

/** Writes every (id, vector) pair: vectors to `vectors_path` in `format`, and the ids, in the same
 *  row order, to `ids_path` as a .npy int64 array of shape (n,). Vectors are as stored: unit
 *  length for cosine, decoded to float32 for compressed storage. Each file is written
 *  atomically as in s2f_face_index_save. Shared lock.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL, unknown format, both paths equal), S2F_ERR_IO. */
S2F_API s2f_status s2f_face_index_export(const s2f_face_index *index, const char *vectors_path,
                                         const char *ids_path, s2f_export_format format);

/** Merges the top-k lists of several indexes (shards of one gallery) into the global top-k:
 *  searching every shard for k and merging gives exactly the result of one index holding the
 *  whole gallery. Input list s has found[s] entries at ids[s·k_in ..] and scores[s·k_in ..]
 *  (as written by s2f_face_index_search with k = k_in); `metric` gives the order. An id present
 *  in several lists is kept once, with its best score. Writes up to k_out results to
 *  `ids_out`/`scores_out` (padding as in search) and their number to `*found_out`. Thread-safe.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL pointers, k_in or k_out 0, found[s] > k_in, unknown
 *  metric, size overflow), S2F_ERR_NON_FINITE (NaN score), S2F_ERR_OUT_OF_MEMORY. */
S2F_API s2f_status s2f_topk_merge(s2f_metric metric, size_t n_lists, size_t k_in,
                                  const int64_t *ids, const float *scores, const size_t *found,
                                  size_t k_out, int64_t *ids_out, float *scores_out,
                                  size_t *found_out);

/* =============================================================================================
 * Pipeline (s2f_pipeline): the main job in one call
 * =========================================================================================== */

/** A pipeline owns the spectrogram, the voice encoder and (when the model has one) the face
 *  decoder, and sizes every buffer itself. Audio is interleaved PCM (frames × channels, float,
 *  nominally in [-1, 1]) at any rate the spectrogram takes (8…192 kHz); channels 1…256 are
 *  averaged. `segments` = 0 analyses the paper's clip (the first 6 s; shorter audio repeated),
 *  1 averages the features of 6 s windows every 3 s over the whole recording. Any length runs
 *  in bounded memory (the audio is streamed through s2f_spectrogram_stream). The model must
 *  outlive the pipeline. One thread at a time per pipeline; any number of pipelines may share
 *  one model. Errors of create: as s2f_voice_encoder_create() and s2f_face_decoder_create() (a
 *  model without a face decoder is fine: the face calls then fail with S2F_ERR_NOT_FOUND). */
S2F_API s2f_status s2f_pipeline_create(const s2f_model *model, s2f_pipeline **out);

/** Releases the pipeline. NULL is a no-op. */
S2F_API void s2f_pipeline_free(s2f_pipeline *pipeline);

/** Message of the last failing call on this pipeline ("" if none; "" for NULL). */
S2F_API const char *s2f_pipeline_last_error(const s2f_pipeline *pipeline);

/** Speech the pipeline requires of each recording, in seconds of speech-like audio by the
 *  s2f_speech_meter rule, measured on the audio the feature comes from (the first 6 s, or with
 *  segments the whole recording). Less fails encode, face, search and finish with
 *  S2F_ERR_NO_SPEECH, whose message gives the measurement. Default
 *  S2F_DEFAULT_MIN_SPEECH_SECONDS; 0 turns the check off (and its cost: one more STFT of the
 *  audio). Applies from the next recording. Errors: S2F_ERR_INVALID_ARGUMENT (NULL, negative or
 *  not finite). */
S2F_API s2f_status s2f_pipeline_set_min_speech(s2f_pipeline *pipeline, double seconds);

/** Feature dimension D, and the face image's height and width and landmark count (all 0 without
 *  a face decoder). Any output pointer may be NULL. Thread-safe.
 *  Errors: S2F_ERR_INVALID_ARGUMENT (NULL pipeline). */
S2F_API s2f_status s2f_pipeline_shape(const s2f_pipeline *pipeline, size_t *feature_dim,
                                      size_t *image_height, size_t *image_width,
                                      size_t *landmark_count);

/** Voice → feature (`feature_capacity` >= D floats). The feature equals s2f_voice_encoder_encode
 *  of s2f_spectrogram_compute of the downmixed PCM, bit for bit; with segments, the mean (summed
 *  in double) over the clips of s2f_spectrogram_compute_segments, which are encoded a few at a
 *  time (s2f_voice_encoder_encode_batch: equal up to a batched GEMM's rounding, ~1e-8). Errors:
 *  S2F_ERR_INVALID_ARGUMENT (NULL, frames 0, channels outside 1…256, a rate the spectrogram
 *  does not take, too little audio), S2F_ERR_NO_SPEECH (s2f_pipeline_set_min_speech),
 *  S2F_ERR_NON_FINITE, S2F_ERR_BUFFER_TOO_SMALL, S2F_ERR_OUT_OF_MEMORY, S2F_ERR_INTERNAL. */
S2F_API s2f_status s2f_pipeline_encode(s2f_pipeline *pipeline, const float *pcm, size_t frames,
                                       int channels, double sample_rate, int segments,
                                       float *feature, size_t feature_capacity);

/** `count` recordings (pcm[i], frames[i] frames each, same channels and rate) → count × D
 *  features, row i for recording i, each exactly as s2f_pipeline_encode gives it. A failing
 *  recording fails the call, naming its index; `features` is then unspecified. Errors: as
 *  s2f_pipeline_encode. */
S2F_API s2f_status s2f_pipeline_encode_batch(s2f_pipeline *pipeline, const float *const *pcm,
                                             const size_t *frames, size_t count, int channels,
                                             double sample_rate, int segments, float *features,
                                             size_t features_capacity);

/** Voice → face: the feature (optional: `feature` may be NULL), the 8-bit RGB face
 *  (s2f_face_decoder_decode_u8's layout: `row_stride` >= 3·width bytes, `rgb_capacity` >=
 *  (height − 1)·row_stride + 3·width) and optionally the L landmarks (x, y) (`landmarks` may be
 *  NULL). Errors: as s2f_pipeline_encode and s2f_face_decoder_decode_u8; S2F_ERR_NOT_FOUND
 *  without a face decoder. */
S2F_API s2f_status s2f_pipeline_face(s2f_pipeline *pipeline, const float *pcm, size_t frames,
                                     int channels, double sample_rate, int segments,
                                     float *feature, size_t feature_capacity, uint8_t *rgb,
                                     size_t row_stride, size_t rgb_capacity, float *landmarks,
                                     size_t landmarks_capacity);

/** Voice → the `k` gallery entries closest to its feature: s2f_face_index_search of
 *  s2f_pipeline_encode's feature, with the same outputs (`scores_out` may be NULL). The index
 *  must hold features of the pipeline's dimension. Errors: as both, and
 *  S2F_ERR_SHAPE_MISMATCH for an index of another dimension. */
S2F_API s2f_status s2f_pipeline_search(s2f_pipeline *pipeline, const s2f_face_index *index,
                                       const float *pcm, size_t frames, int channels,
                                       double sample_rate, int segments, size_t k,
                                       int64_t *ids_out, float *scores_out, size_t *found);

/** The same as s2f_pipeline_encode, for audio that arrives in pieces (a file read in chunks, a
 *  live stream): begin, then write pieces (interleaved, `frames` frames each), then finish to
 *  get the feature. With segments = 0 the feature only needs the first 6 s: *done (may be NULL)
 *  turns 1 once more audio would not change it, and later pieces are ignored. Beginning again
 *  abandons an unfinished recording. Errors: as s2f_pipeline_encode; write or finish without
 *  begin is S2F_ERR_INVALID_ARGUMENT. */
S2F_API s2f_status s2f_pipeline_begin(s2f_pipeline *pipeline, int channels, double sample_rate,
                                      int segments);
S2F_API s2f_status s2f_pipeline_write(s2f_pipeline *pipeline, const float *pcm, size_t frames,
                                      int *done);
S2F_API s2f_status s2f_pipeline_finish(s2f_pipeline *pipeline, float *feature,
                                       size_t feature_capacity);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SPEECH2FACE_H */
