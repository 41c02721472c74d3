/* Crash safety of s2f_face_index_save: a child process saves two different indexes in turn
 * over the same path and is SIGKILLed at a random moment, many times. After every kill the path
 * must load, complete and valid, as one of the two indexes (never a mix, never truncated). */
#include <speech2face.h>

#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

enum { D = 64, ROWS_A = 20000, ROWS_B = 12000, KILLS = 60 };

static s2f_face_index *build(size_t rows, unsigned seed)
{
    s2f_face_index_params p;
    p = s2f_face_index_default_params();
    p.dim = D;
    p.threads = 1;
    s2f_face_index *index = NULL;
    assert_int_equal(s2f_face_index_create(&p, &index), S2F_OK);
    float *v = malloc(rows * D * sizeof *v);
    int64_t *ids = malloc(rows * sizeof *ids);
    for (size_t i = 0; i < rows * D; ++i)
        v[i] = (float)((double)rand_r(&seed) / RAND_MAX) - 0.5f;
    for (size_t i = 0; i < rows; ++i)
        ids[i] = (int64_t)(seed * 1000000u + i);
    assert_int_equal(s2f_face_index_add(index, ids, v, rows), S2F_OK);
    free(v);
    free(ids);
    return index;
}

static void killed_saves_never_lose_the_previous_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/s2f-index-crash-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/gallery.s2fi", dir);
    s2f_face_index *a = build(ROWS_A, 1), *b = build(ROWS_B, 2);
    assert_int_equal(s2f_face_index_save(a, path), S2F_OK);
    float query[D] = {0.3f, -0.2f, 0.1f};
    int64_t want_a[5], want_b[5], got[5];
    float scores[5];
    size_t found;
    assert_int_equal(s2f_face_index_search(a, query, 5, want_a, scores, &found), S2F_OK);
    assert_int_equal(s2f_face_index_search(b, query, 5, want_b, scores, &found), S2F_OK);
    srand((unsigned)time(NULL));
    int seen_a = 0, seen_b = 0;
    for (int kill_round = 0; kill_round < KILLS; ++kill_round) {
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) {
            for (unsigned n = 0;; ++n)
                if (s2f_face_index_save(n % 2 ? a : b, path) != S2F_OK)
                    _exit(3);
        }
        /* 0-30 ms: lands before, during and between saves (one save takes a few ms). */
        struct timespec delay = {0, (long)(rand() % 30000) * 1000L};
        nanosleep(&delay, NULL);
        kill(child, SIGKILL);
        int status = 0;
        waitpid(child, &status, 0);
        assert_true(WIFSIGNALED(status)); /* it was still saving, not failing */
        s2f_face_index *loaded = NULL;
        s2f_status st = s2f_face_index_load(path, &loaded);
        if (st != S2F_OK)
            fail_msg("round %d: load failed: %s", kill_round, s2f_last_error_message());
        size_t size = s2f_face_index_size(loaded);
        assert_true(size == ROWS_A || size == ROWS_B);
        assert_int_equal(s2f_face_index_search(loaded, query, 5, got, scores, &found), S2F_OK);
        assert_memory_equal(got, size == ROWS_A ? want_a : want_b, sizeof got);
        seen_a += size == ROWS_A;
        seen_b += size == ROWS_B;
        s2f_face_index_free(loaded);
    }
    print_message("%d kills: file held index A %d times, B %d times, always complete\n", KILLS,
                  seen_a, seen_b);
    /* Killed saves leave their temporary files (never the target): clean them up. */
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char file[512];
        snprintf(file, sizeof file, "%s/%s", dir, e->d_name);
        unlink(file);
    }
    closedir(d);
    rmdir(dir);
    s2f_face_index_free(a);
    s2f_face_index_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(killed_saves_never_lose_the_previous_file),
    };
    return cmocka_run_group_tests_name("face index crash safety", tests, NULL, NULL);
}
