/* SHA-256 of a file (scanner/hash.c): known digests, the one-read pair of an original
 * and its scrubbed result (compared with the result built in memory and hashed on its
 * own, over random plans of every kind of change, across chunk boundaries), and a
 * file shorter than announced. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../common/error.h"
#include "../scanner/hash.h"
#include "support.h"

static int temp_file(const uint8_t *p, size_t n)
{
    char path[] = "/tmp/unmark-hash-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    assert_int_equal(write(fd, p, n), (ssize_t)n);
    return fd;
}

static void known_digests(void **state)
{
    (void)state;
    char out[65];
    um_sha256_hex((const uint8_t *)"abc", 3, out);
    assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    int fd = temp_file((const uint8_t *)"abc", 3);
    uint8_t small[2];   /* a buffer smaller than the file: several reads */
    assert_int_equal(um_sha256_fd(fd, 3, small, sizeof small, out), 0);
    assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(um_sha256_fd(fd, 4, NULL, 0, out), -EIO);   /* shorter than announced */
    close(fd);
}

/* The result of changes on orig, built the plain way. */
static uint8_t *apply(const uint8_t *orig, uint64_t keep, const struct um_hash_change *ch, size_t k,
                      size_t *out_n)
{
    uint8_t *r = malloc(keep + 1);
    size_t cap = keep + 1, n = 0;
    uint64_t p = 0;
    for (size_t i = 0; i <= k; i++) {
        uint64_t upto = i < k ? ch[i].off : keep;
        size_t need = n + (size_t)(upto - p) + (i < k ? (size_t)ch[i].with_len : 0);
        if (need > cap) r = realloc(r, cap = need * 2);
        memcpy(r + n, orig + p, (size_t)(upto - p));
        n += (size_t)(upto - p);
        if (i == k) break;
        if (ch[i].with) memcpy(r + n, ch[i].with, (size_t)ch[i].with_len);
        else memset(r + n, 0, (size_t)ch[i].with_len);
        n += (size_t)ch[i].with_len;
        p = ch[i].off + ch[i].len;
    }
    *out_n = n;
    return r;
}

static void pair_matches_the_result_hashed_alone(void **state)
{
    (void)state;
    const size_t N = (3u << 20) + 12345;   /* over three read chunks */
    uint8_t *orig = malloc(N);
    unsigned seed = 7;
    for (size_t i = 0; i < N; i++) orig[i] = (uint8_t)rand_r(&seed);
    int fd = temp_file(orig, N);
    static uint8_t with[3][5000];
    for (int i = 0; i < 3; i++) memset(with[i], 'a' + i, sizeof with[i]);
    char before[65], after[65], want_before[65], want_after[65];
    um_sha256_hex(orig, N, want_before);
    for (int round = 0; round < 200; round++) {
        struct um_hash_change ch[8];
        size_t k = (size_t)(rand_r(&seed) % 8);
        uint64_t keep = round % 3 ? N : N - (uint64_t)(rand_r(&seed) % (1u << 21));
        /* sorted, disjoint changes below keep: zeroing, same-length, cut, splice,
         * insertion; some straddle the 1 MiB read boundaries */
        uint64_t at = (uint64_t)(rand_r(&seed) % 1000);
        size_t used = 0;
        for (size_t i = 0; i < k; i++) {
            uint64_t len = (uint64_t)(rand_r(&seed) % 3 == 0 ? rand_r(&seed) % 3000000 : rand_r(&seed) % 4000);
            if (i % 3 == 1) at = ((at >> 20) + 1) << 20, at -= (uint64_t)(rand_r(&seed) % 50);
            if (at + len > keep) break;
            int kind = rand_r(&seed) % 5;
            ch[i].off = at;
            ch[i].len = kind == 4 ? 0 : len;
            ch[i].with = kind == 0 ? NULL : with[i % 3];
            ch[i].with_len = kind == 0   ? len
                             : kind == 1 ? (len < sizeof with[0] ? len : 0)
                             : kind == 2 ? 0
                                         : (uint64_t)(rand_r(&seed) % sizeof with[0]);
            if (kind == 1 && len >= sizeof with[0]) ch[i].with = NULL, ch[i].with_len = len;
            at += ch[i].len + (uint64_t)(rand_r(&seed) % 70000);
            used++;
        }
        size_t rn;
        uint8_t *res = apply(orig, keep, ch, used, &rn);
        um_sha256_hex(res, rn, want_after);
        free(res);
        for (int threads = 0; threads < 2; threads++) {
            assert_int_equal(um_sha256_fd_pair(fd, N, keep, ch, used, threads, before, after), 0);
            assert_string_equal(before, want_before);
            assert_string_equal(after, want_after);
        }
    }
    /* No change at all: both digests are the original's. */
    assert_int_equal(um_sha256_fd_pair(fd, N, N, NULL, 0, true, before, after), 0);
    assert_string_equal(before, want_before);
    assert_string_equal(after, want_before);
    /* A file that is shorter than announced is an error, not a digest. */
    assert_int_equal(um_sha256_fd_pair(fd, N + 1, N, NULL, 0, false, before, after), -EIO);
    /* ... past the first difference too: in both halves, and in the original's only. */
    struct um_hash_change cut = { .off = 10, .len = 5 };
    assert_int_equal(um_sha256_fd_pair(fd, N + 7, N + 7, &cut, 1, true, before, after), -EIO);
    assert_int_equal(um_sha256_fd_pair(fd, N + 9, N, &cut, 1, true, before, after), -EIO);
    close(fd);
    free(orig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_digests),
        cmocka_unit_test(pair_matches_the_result_hashed_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
