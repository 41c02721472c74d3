#include "index/id_map.h"

#include "core/alloc.h"

#include <string.h>

static size_t bucket_of(int64_t id, size_t mask)
{
    /* splitmix64 finaliser: sequential ids would otherwise cluster into long probe runs. */
    uint64_t x = (uint64_t)id;
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return (size_t)x & mask;
}

static void place(int64_t *keys, size_t *rows, size_t mask, int64_t id, size_t row)
{
    size_t b = bucket_of(id, mask);
    while (keys[b] != S2FI_ID_NONE)
        b = (b + 1) & mask;
    keys[b] = id;
    rows[b] = row;
}

bool s2fi_id_map_reserve(s2fi_id_map *map, size_t count)
{
    size_t needed = 16;
    while (needed / 2 < count) {
        if (needed > SIZE_MAX / 4)
            return false;
        needed *= 2;
    }
    if (needed <= map->capacity)
        return true;
    size_t key_bytes, row_bytes;
    if (!s2fi_mul_size(needed, sizeof(int64_t), &key_bytes) ||
        !s2fi_mul_size(needed, sizeof(size_t), &row_bytes))
        return false;
    int64_t *keys = s2fi_aligned_alloc(key_bytes);
    size_t *rows = s2fi_aligned_alloc(row_bytes);
    if (!keys || !rows) {
        s2fi_free(keys);
        s2fi_free(rows);
        return false;
    }
    memset(keys, 0xff, key_bytes); /* all S2FI_ID_NONE */
    for (size_t b = 0; b < map->capacity; ++b)
        if (map->keys[b] != S2FI_ID_NONE)
            place(keys, rows, needed - 1, map->keys[b], map->rows[b]);
    s2fi_free(map->keys);
    s2fi_free(map->rows);
    map->keys = keys;
    map->rows = rows;
    map->capacity = needed;
    return true;
}

static bool locate(const s2fi_id_map *map, int64_t id, size_t *bucket)
{
    if (map->capacity == 0 || id == S2FI_ID_NONE)
        return false;
    size_t mask = map->capacity - 1;
    for (size_t b = bucket_of(id, mask);; b = (b + 1) & mask) {
        if (map->keys[b] == id) {
            *bucket = b;
            return true;
        }
        if (map->keys[b] == S2FI_ID_NONE)
            return false;
    }
}

bool s2fi_id_map_find(const s2fi_id_map *map, int64_t id, size_t *row)
{
    size_t b;
    if (!locate(map, id, &b))
        return false;
    *row = map->rows[b];
    return true;
}

bool s2fi_id_map_insert(s2fi_id_map *map, int64_t id, size_t row)
{
    size_t b;
    if (locate(map, id, &b))
        return false;
    place(map->keys, map->rows, map->capacity - 1, id, row);
    map->count++;
    return true;
}

void s2fi_id_map_set(s2fi_id_map *map, int64_t id, size_t row)
{
    size_t b;
    if (locate(map, id, &b))
        map->rows[b] = row;
}

bool s2fi_id_map_erase(s2fi_id_map *map, int64_t id)
{
    size_t hole;
    if (!locate(map, id, &hole))
        return false;
    size_t mask = map->capacity - 1;
    /* Backward-shift: pull later members of the probe run into the hole when their home bucket
     * does not lie (cyclically) between the hole and their current bucket. */
    for (size_t b = (hole + 1) & mask; map->keys[b] != S2FI_ID_NONE; b = (b + 1) & mask) {
        size_t home = bucket_of(map->keys[b], mask);
        size_t dist_home = (b - home) & mask;
        size_t dist_hole = (b - hole) & mask;
        if (dist_home >= dist_hole) {
            map->keys[hole] = map->keys[b];
            map->rows[hole] = map->rows[b];
            hole = b;
        }
    }
    map->keys[hole] = S2FI_ID_NONE;
    map->count--;
    return true;
}

void s2fi_id_map_free(s2fi_id_map *map)
{
    s2fi_free(map->keys);
    s2fi_free(map->rows);
    memset(map, 0, sizeof *map);
}

size_t s2fi_id_map_bytes(const s2fi_id_map *map)
{
    return map->capacity * (sizeof(int64_t) + sizeof(size_t));
}
