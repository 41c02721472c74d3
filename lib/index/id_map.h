/* Open-addressing hash map int64 id → row (linear probing, backward-shift deletion so there are
 * no tombstones and lookups stay short after many removals). */
#ifndef S2F_INDEX_ID_MAP_H
#define S2F_INDEX_ID_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The id -1 is reserved ("no result"), so it also marks an empty bucket. */
#define S2FI_ID_NONE ((int64_t)-1)

typedef struct s2fi_id_map {
    int64_t *keys;   /* [capacity], S2FI_ID_NONE = empty */
    size_t *rows;    /* [capacity] */
    size_t capacity; /* power of two, or 0 */
    size_t count;
} s2fi_id_map;

/** Ensures `count` entries fit under a 50 % load factor. Returns false on allocation failure
 *  (the map is unchanged). */
bool s2fi_id_map_reserve(s2fi_id_map *map, size_t count);
/** Looks up `id`; returns true and sets *row if present. */
bool s2fi_id_map_find(const s2fi_id_map *map, int64_t id, size_t *row);
/** Inserts a new id (capacity must have been reserved); returns false if it is already present. */
bool s2fi_id_map_insert(s2fi_id_map *map, int64_t id, size_t row);
/** Changes the row of a present id. */
void s2fi_id_map_set(s2fi_id_map *map, int64_t id, size_t row);
/** Removes `id` if present; returns whether it was. */
bool s2fi_id_map_erase(s2fi_id_map *map, int64_t id);
void s2fi_id_map_free(s2fi_id_map *map);

/** Bytes the map uses per stored id at its current load (for memory reports). */
size_t s2fi_id_map_bytes(const s2fi_id_map *map);

#endif
