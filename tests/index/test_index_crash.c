/* Crash safety of s2f_face_index_save: a child process saves two different indexes in turn
 * over the same path and is SIGKILLed at a random moment, many times. After every kill the path
 * must load, complete and valid, as one of the two indexes (never a mix, never truncated); and
 * the next save removes the temporary files that the killed saves left (no debris). */
#include <speech2face.h>

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        count += e->d_name[0] != '.';
    closedir(d);
    return count;
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
    /* Killed saves leave temporary files; the next save of the path removes every one. */
    int debris = count_entries(dir) - 1;
    assert_int_equal(s2f_face_index_save(a, path), S2F_OK);
    print_message("%d temporary files left by the kills; after the next save: %d\n", debris,
                  count_entries(dir) - 1);
    assert_int_equal(count_entries(dir), 1); /* gallery.s2fi alone */

    /* Only dead writers' files go: one a live writer holds locked stays, and so does a file
     * whose name is not one of ours. */
    char live[300], dead[300], other[300];
    snprintf(live, sizeof live, "%s.tmp-999999-1", path);
    snprintf(dead, sizeof dead, "%s.tmp-999999-2", path);
    snprintf(other, sizeof other, "%s.tmp-notes", path);
    int live_fd = open(live, O_WRONLY | O_CREAT, 0644);
    assert_true(live_fd >= 0);
    assert_int_equal(flock(live_fd, LOCK_EX), 0);
    close(open(dead, O_WRONLY | O_CREAT, 0644));
    close(open(other, O_WRONLY | O_CREAT, 0644));
    assert_int_equal(s2f_face_index_save(b, path), S2F_OK);
    assert_int_equal(access(live, F_OK), 0);
    assert_int_equal(access(dead, F_OK), -1);
    assert_int_equal(access(other, F_OK), 0);
    close(live_fd);
    assert_int_equal(unlink(live), 0);
    assert_int_equal(unlink(other), 0);
    assert_int_equal(unlink(path), 0);
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
