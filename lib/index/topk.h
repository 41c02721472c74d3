/* Bounded top-k selection. Internally every score is a "key" where larger is better (distances
 * are negated, which is exact), and equal keys rank by id ascending: the order is total, so
 * results never depend on scan order or thread count. */
#ifndef S2F_INDEX_TOPK_H
#define S2F_INDEX_TOPK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct s2fi_topk {
    size_t k;
    size_t n;      /* entries held, ≤ k */
    float *keys;   /* [k], a min-heap on (key, -id): the root is the worst entry */
    int64_t *ids;  /* [k] */
} s2fi_topk;

/** True if (key_a, id_a) ranks before (key_b, id_b). */
static inline bool s2fi_ranks_before(float key_a, int64_t id_a, float key_b, int64_t id_b)
{
    return key_a > key_b || (key_a == key_b && id_a < id_b);
}

/** Starts an empty selection over caller storage keys[k], ids[k]. */
void s2fi_topk_init(s2fi_topk *topk, size_t k, float *keys, int64_t *ids);
/** Offers one candidate (slow path: call through s2fi_topk_push). */
void s2fi_topk_offer(s2fi_topk *topk, float key, int64_t id);

/** Offers one candidate; the common case (worse than everything held) costs one compare. */
static inline void s2fi_topk_push(s2fi_topk *topk, float key, int64_t id)
{
    if (topk->n == topk->k && key < topk->keys[0])
        return;
    s2fi_topk_offer(topk, key, id);
}

/** Sorts the held entries best first in place (the heap is consumed). */
void s2fi_topk_sort(s2fi_topk *topk);

/** Writes a sorted selection as public results: scores are keys turned back into the metric's
 *  sign; slots n..out_k get id -1 and NaN. */
void s2fi_topk_emit(const s2fi_topk *topk, bool negate, size_t out_k, int64_t *ids_out,
                    float *scores_out);

#endif
