/* Secret tracking for the RSA key transport padding check (implicit
 * rejection, RFC 5246 §7.4.7.1): run under valgrind memcheck,
 *
 *     valgrind --error-exitcode=1 ./test_rsa_kx_ct
 *
 * The decrypted block and the random secret are marked undefined
 * (VALGRIND_MAKE_MEM_UNDEFINED), then crypto_rsa_kx_select checks the
 * padding and picks the output. memcheck reports any conditional jump or
 * any memory address computed from undefined bytes, so a clean run shows
 * that no branch and no access pattern depends on the secret. The output
 * is marked defined only afterwards, to compare it.
 *
 *     valgrind --error-exitcode=1 ./test_rsa_kx_ct --canary
 *
 * must FAIL: it adds one deliberate branch on the secret, proving that the
 * tracking is live. Without valgrind (plain ctest run) the client requests
 * are no-ops and the program checks only the results. */
#include <stdio.h>
#include <string.h>

#include "crypto/tls12.h"
#include "testutil.h"

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define HAVE_MEMCHECK 1
#endif
#endif
#ifndef HAVE_MEMCHECK
#define VALGRIND_MAKE_MEM_UNDEFINED(p, n) ((void)(p), (void)(n))
#define VALGRIND_MAKE_MEM_DEFINED(p, n) ((void)(p), (void)(n))
#define VALGRIND_COUNT_ERRORS 0u
#define RUNNING_ON_VALGRIND 0
#endif

#define K 256 /* RSA-2048 */

static void good_block(uint8_t em[K])
{
    em[0] = 0x00;
    em[1] = 0x02;
    for (size_t i = 2; i < K - 49; i++)
        em[i] = (uint8_t)(1 + (i * 91) % 255);
    em[K - 49] = 0x00;
    em[K - 48] = 0x03;
    em[K - 47] = 0x03;
    for (size_t i = K - 46; i < K; i++)
        em[i] = (uint8_t)(i * 7);
}

/* Run the check and select with em and random_pms secret; return the
 * verdict once it is safe to look at. */
static int tracked_select(const uint8_t em_in[K], uint16_t version, const uint8_t rnd_in[48],
                          uint8_t out[48])
{
    uint8_t em[K], rnd[48];
    memcpy(em, em_in, K);
    memcpy(rnd, rnd_in, 48);
    VALGRIND_MAKE_MEM_UNDEFINED(em, sizeof em);
    VALGRIND_MAKE_MEM_UNDEFINED(rnd, sizeof rnd);
    unsigned before = VALGRIND_COUNT_ERRORS;

    int good = crypto_rsa_kx_select(em, K, version, rnd, out);

    unsigned after = VALGRIND_COUNT_ERRORS;
    CHECK(after == before); /* no use of the secret in a branch or an address */
    VALGRIND_MAKE_MEM_DEFINED(out, 48);
    VALGRIND_MAKE_MEM_DEFINED(&good, sizeof good);
    return good;
}

int main(int argc, char **argv)
{
    uint8_t em[K], bad[K], out[48], rnd[48];
    for (size_t i = 0; i < sizeof rnd; i++)
        rnd[i] = (uint8_t)(0xa0 + i);
    good_block(em);

    if (argc > 1 && strcmp(argv[1], "--canary") == 0) {
        /* A deliberate secret-dependent branch: memcheck must flag it. */
        memcpy(bad, em, K);
        VALGRIND_MAKE_MEM_UNDEFINED(bad, sizeof bad);
        if (bad[1] == 0x02)
            puts("branch taken on a secret byte");
        printf("canary ran (%s valgrind): expect a memcheck error\n",
               RUNNING_ON_VALGRIND ? "under" : "not under");
        return 0;
    }

    /* Good padding: the message. */
    CHECK(tracked_select(em, 0x0303, rnd, out) == 1);
    CHECK_MEM(out, em + K - 48, 48);

    /* Each kind of bad block: the random secret. */
    struct {
        size_t at;
        uint8_t v;
    } flips[] = {
        {0, 0x01},      {1, 0x01},      {1, 0x00},      {2, 0x00},      {9, 0x00},
        {100, 0x00},    {K - 50, 0x00}, {K - 49, 0x01}, {K - 48, 0x02}, {K - 47, 0x01},
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(flips); i++) {
        memcpy(bad, em, K);
        bad[flips[i].at] = flips[i].v;
        CHECK(tracked_select(bad, 0x0303, rnd, out) == 0);
        CHECK_MEM(out, rnd, 48);
    }
    /* Wrong client_version. */
    CHECK(tracked_select(em, 0x0302, rnd, out) == 0);
    CHECK_MEM(out, rnd, 48);

    printf("%s valgrind\n", RUNNING_ON_VALGRIND ? "under" : "not under");
    return test_report();
}
