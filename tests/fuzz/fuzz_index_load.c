/* Fuzz target: the face index file loader (s2f_face_index_load). The bytes are written to a
 * temporary file (the loader takes a path), loaded, and whatever loads is used: size/dim, a
 * search, a batch search, removal of a listed id, a save + reload round trip that must give the
 * same results. Contract checks: failures are named statuses with a message and leave *out
 * untouched; a loaded index behaves like any other. */
#include "fuzz_common.h"

#include <fcntl.h>
#include <math.h>
#include <unistd.h>

static char path[256], save_path[256];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    snprintf(path, sizeof path, "%s/s2f-fuzz-index-%ld.s2fi", dir, (long)getpid());
    snprintf(save_path, sizeof save_path, "%s/s2f-fuzz-index-%ld-saved.s2fi", dir, (long)getpid());
    return 0;
}

static void write_file(const uint8_t *data, size_t size)
{
    const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FUZZ_CHECK(fd >= 0);
    size_t done = 0;
    while (done < size) {
        const ssize_t n = write(fd, data + done, size - done);
        FUZZ_CHECK(n > 0);
        done += (size_t)n;
    }
    close(fd);
}

static void search_all(const s2f_face_index *index, const float *query, size_t k, int64_t *ids,
                       float *scores, size_t *found)
{
    const s2f_status status = s2f_face_index_search(index, query, k, ids, scores, found);
    FUZZ_CHECK(status == S2F_OK || status == S2F_ERR_INVALID_ARGUMENT); /* zero query + cosine */
    if (status != S2F_OK)
        *found = (size_t)-1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_file(data, size);
    s2f_face_index *index = (s2f_face_index *)(uintptr_t)1; /* must stay untouched on failure */
    s2f_status status = s2f_face_index_load(path, &index);
    if (status != S2F_OK) {
        FUZZ_CHECK_FAILURE(status);
        FUZZ_CHECK(index == (s2f_face_index *)(uintptr_t)1);
        return 0;
    }
    FUZZ_CHECK(s2f_face_index_set_threads(index, 1) == S2F_OK);
    const size_t n = s2f_face_index_size(index), dim = s2f_face_index_dim(index);
    FUZZ_CHECK(dim >= 1 && dim <= 65536);
    enum { K = 4 };
    float *query = malloc(2 * dim * sizeof *query);
    FUZZ_CHECK(query);
    for (size_t i = 0; i < 2 * dim; ++i)
        query[i] = (float)((i * 7) % 11) - 5.0f + 0.25f;
    int64_t ids[2 * K], again[K];
    float scores[2 * K], scores_again[K];
    size_t found = 0, found_again = 0, found_batch[2];
    search_all(index, query, K, ids, scores, &found);
    if (found != (size_t)-1) {
        FUZZ_CHECK(found == (n < K ? n : K));
        for (size_t i = 0; i < found; ++i)
            FUZZ_CHECK(ids[i] != -1 && !isnan(scores[i]));
    }
    status = s2f_face_index_search_batch(index, query, 2, K, ids, scores, found_batch);
    FUZZ_CHECK(status == S2F_OK || status == S2F_ERR_INVALID_ARGUMENT);

    /* Save + reload: the same index, the same answers. */
    if (s2f_face_index_save(index, save_path) == S2F_OK) {
        s2f_face_index *reloaded = NULL;
        FUZZ_CHECK(s2f_face_index_load(save_path, &reloaded) == S2F_OK);
        FUZZ_CHECK(s2f_face_index_size(reloaded) == n && s2f_face_index_dim(reloaded) == dim);
        search_all(index, query, K, ids, scores, &found);
        search_all(reloaded, query, K, again, scores_again, &found_again);
        FUZZ_CHECK(found == found_again);
        if (found != (size_t)-1) {
            FUZZ_CHECK(memcmp(ids, again, found * sizeof *ids) == 0);
            FUZZ_CHECK(memcmp(scores, scores_again, found * sizeof *scores) == 0);
        }
        s2f_face_index_free(reloaded);
        unlink(save_path);
    }
    /* Mutation after load: remove what was found, then the size drops by one. */
    if (found != (size_t)-1 && found > 0) {
        FUZZ_CHECK(s2f_face_index_remove(index, ids[0]) == S2F_OK);
        FUZZ_CHECK(s2f_face_index_size(index) == n - 1);
    }
    free(query);
    s2f_face_index_free(index);
    return 0;
}
