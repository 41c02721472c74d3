#include "index/topk.h"

#include "core/alloc.h"
#include "core/error.h"
#include "index/index_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void s2fi_topk_init(s2fi_topk *topk, size_t k, float *keys, int64_t *ids)
{
    topk->k = k;
    topk->n = 0;
    topk->keys = keys;
    topk->ids = ids;
}

/* Heap order: the parent is worse than (ranks after) its children. */
static void sift_down(float *keys, int64_t *ids, size_t n, size_t at)
{
    float key = keys[at];
    int64_t id = ids[at];
    for (;;) {
        size_t child = 2 * at + 1;
        if (child >= n)
            break;
        if (child + 1 < n && s2fi_ranks_before(keys[child], ids[child], keys[child + 1], ids[child + 1]))
            child++; /* the worse child */
        if (!s2fi_ranks_before(key, id, keys[child], ids[child]))
            break;
        keys[at] = keys[child];
        ids[at] = ids[child];
        at = child;
    }
    keys[at] = key;
    ids[at] = id;
}

void s2fi_topk_offer(s2fi_topk *topk, float key, int64_t id)
{
    float *keys = topk->keys;
    int64_t *ids = topk->ids;
    if (topk->n < topk->k) {
        size_t at = topk->n++;
        while (at > 0) {
            size_t parent = (at - 1) / 2;
            if (!s2fi_ranks_before(keys[parent], ids[parent], key, id))
                break;
            keys[at] = keys[parent];
            ids[at] = ids[parent];
            at = parent;
        }
        keys[at] = key;
        ids[at] = id;
        return;
    }
    if (!s2fi_ranks_before(key, id, keys[0], ids[0]))
        return;
    keys[0] = key;
    ids[0] = id;
    sift_down(keys, ids, topk->n, 0);
}

void s2fi_topk_sort(s2fi_topk *topk)
{
    /* Heap sort: repeatedly move the worst entry to the end, leaving best first. */
    for (size_t n = topk->n; n > 1; --n) {
        float key = topk->keys[0];
        int64_t id = topk->ids[0];
        topk->keys[0] = topk->keys[n - 1];
        topk->ids[0] = topk->ids[n - 1];
        topk->keys[n - 1] = key;
        topk->ids[n - 1] = id;
        sift_down(topk->keys, topk->ids, n - 1, 0);
    }
}

void s2fi_topk_emit(const s2fi_topk *topk, bool negate, size_t out_k, int64_t *ids_out,
                    float *scores_out)
{
    for (size_t i = 0; i < out_k; ++i) {
        bool held = i < topk->n;
        ids_out[i] = held ? topk->ids[i] : S2FI_ID_NONE;
        if (scores_out)
            scores_out[i] = held ? (negate ? -topk->keys[i] : topk->keys[i]) : NAN;
    }
}

typedef struct merge_entry {
    float key;
    int64_t id;
} merge_entry;

static int by_id_then_rank(const void *a, const void *b)
{
    const merge_entry *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return s2fi_ranks_before(x->key, x->id, y->key, y->id) ? -1
           : s2fi_ranks_before(y->key, y->id, x->key, x->id) ? 1 : 0;
}

S2F_API s2f_status s2f_topk_merge(s2f_metric metric, size_t n_lists, size_t k_in,
                                  const int64_t *ids, const float *scores, const size_t *found,
                                  size_t k_out, int64_t *ids_out, float *scores_out,
                                  size_t *found_out)
{
    if (metric < S2F_METRIC_COSINE || metric > S2F_METRIC_L1)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_topk_merge: unknown metric %d",
                         (int)metric);
    if (k_in == 0 || k_out == 0)
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_topk_merge: k_in (%zu) and k_out (%zu) must be at least 1", k_in,
                         k_out);
    if (!ids_out || !found_out || (n_lists > 0 && (!ids || !scores || !found)))
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                         "s2f_topk_merge: ids, scores, found, ids_out and found_out must not be "
                         "NULL");
    /* Sizes first, so that a count whose arrays cannot exist is refused before found[] is read. */
    size_t bytes;
    if (!s2fi_mul_size(n_lists, k_in, &bytes) || !s2fi_mul_size(bytes, sizeof(int64_t), &bytes))
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_topk_merge: sizes overflow");
    size_t total = 0;
    for (size_t s = 0; s < n_lists; ++s) {
        if (found[s] > k_in)
            return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT,
                             "s2f_topk_merge: found[%zu] = %zu exceeds k_in = %zu", s, found[s],
                             k_in);
        total += found[s];
    }
    if (!s2fi_mul_size(total, sizeof(merge_entry), &bytes))
        return s2fi_fail(NULL, S2F_ERR_INVALID_ARGUMENT, "s2f_topk_merge: sizes overflow");
    bool negate = !s2fi_metric_is_similarity(metric);
    merge_entry *entries = total ? malloc(bytes) : NULL;
    if (total && !entries)
        return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "s2f_topk_merge: %zu candidates", total);
    size_t n = 0;
    for (size_t s = 0; s < n_lists; ++s)
        for (size_t i = 0; i < found[s]; ++i) {
            float score = scores[s * k_in + i];
            int64_t id = ids[s * k_in + i];
            if (isnan(score) || id == S2FI_ID_NONE) {
                free(entries);
                return s2fi_fail(NULL, isnan(score) ? S2F_ERR_NON_FINITE : S2F_ERR_INVALID_ARGUMENT,
                                 "s2f_topk_merge: list %zu entry %zu has %s", s, i,
                                 isnan(score) ? "a NaN score" : "the reserved id -1");
            }
            entries[n].key = negate ? -score : score;
            entries[n].id = id;
            n++;
        }
    /* Keep each id's best occurrence: a gallery split into shards holds every id once, but a
     * caller merging overlapping indexes must not see an id twice. */
    if (n > 1)
        qsort(entries, n, sizeof *entries, by_id_then_rank);
    float keys_heap[64];
    int64_t ids_heap[64];
    float *keys = keys_heap;
    int64_t *heap_ids = ids_heap;
    if (k_out > 64) {
        keys = malloc(k_out * sizeof *keys);
        heap_ids = malloc(k_out * sizeof *heap_ids);
        if (!keys || !heap_ids) {
            free(keys);
            free(heap_ids);
            free(entries);
            return s2fi_fail(NULL, S2F_ERR_OUT_OF_MEMORY, "s2f_topk_merge: k_out %zu", k_out);
        }
    }
    s2fi_topk topk;
    s2fi_topk_init(&topk, k_out, keys, heap_ids);
    for (size_t i = 0; i < n; ++i)
        if (i == 0 || entries[i].id != entries[i - 1].id)
            s2fi_topk_push(&topk, entries[i].key, entries[i].id);
    s2fi_topk_sort(&topk);
    s2fi_topk_emit(&topk, negate, k_out, ids_out, scores_out);
    *found_out = topk.n;
    if (keys != keys_heap) {
        free(keys);
        free(heap_ids);
    }
    free(entries);
    return S2F_OK;
}
