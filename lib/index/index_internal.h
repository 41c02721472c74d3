/* The face index's handle and the helpers its files share. Layout: gallery rows are stored
 * contiguously (row r at codes + r·row_bytes) in insertion order with swap-on-remove; an id→row
 * hash map gives O(1) duplicate checks and removal. Order of rows never shows in results because
 * ties are broken by id. */
#ifndef S2F_INDEX_INTERNAL_H
#define S2F_INDEX_INTERNAL_H

#include "core/error.h"
#include "core/workers.h"
#include "index/id_map.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define S2FI_INDEX_MAX_DIM 65536
#define S2FI_INDEX_MAX_THREADS 1024
/* Rows are addressed with size_t but ids and per-row arrays are sized from this bound, which
 * keeps every byte count of a full index far from overflow on 64-bit hosts. */
#define S2FI_INDEX_MAX_ROWS ((size_t)1 << 40)

struct s2f_face_index {
    /* Searches run under a shared lock and may fail concurrently, so the slot has its own mutex
     * (error_lock); last_error copies it out under that mutex. */
    s2fi_error_slot error;
    pthread_mutex_t error_lock;
    pthread_rwlock_t lock;

    size_t dim;
    s2f_metric metric;
    s2f_storage storage;
    size_t threads;     /* as requested: 0 = all online cores */
    s2fi_pool *pool;    /* search threads kept between searches (one search at a time uses it;
                           a concurrent one starts its own); NULL: threads per call */
    size_t row_bytes;   /* bytes of one encoded row: 4·dim, 2·dim or dim */

    size_t count;
    size_t capacity;
    int64_t *ids;       /* [capacity] */
    void *codes;        /* [capacity × row_bytes], 64-byte aligned */
    float *sqnorms;     /* [capacity] ‖decoded row‖², for L2 through inner products */
    float *offsets;     /* [capacity] INT8 only: decoded = offset + scale·code */
    float *scales;      /* [capacity] INT8 only */
    s2fi_id_map map;
};

/** Records an error in the handle (under error_lock) and the calling thread's slot. */
s2f_status s2fi_index_fail(const s2f_face_index *index, s2f_status status, const char *fmt, ...)
    S2FI_PRINTF(3, 4);

/** Allocates an empty index with validated parameters (no lock taken, not yet shared). */
s2f_status s2fi_index_new(size_t dim, s2f_metric metric, s2f_storage storage, size_t threads,
                          s2f_face_index **out);

/** Makes room for `total` rows (amortised doubling). Caller holds the write lock. */
s2f_status s2fi_index_reserve(s2f_face_index *index, size_t total);

/** Number of workers to use: the requested count resolved to online cores. */
size_t s2fi_index_thread_count(const s2f_face_index *index);

/** Bytes of one encoded row for a storage type and dimension. */
size_t s2fi_storage_row_bytes(s2f_storage storage, size_t dim);

const char *s2fi_metric_name(s2f_metric metric);
const char *s2fi_storage_name(s2f_storage storage);

/** True for metrics where a larger score is better. */
static inline int s2fi_metric_is_similarity(s2f_metric metric)
{
    return metric == S2F_METRIC_COSINE || metric == S2F_METRIC_INNER_PRODUCT;
}

#endif
