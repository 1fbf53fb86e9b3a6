/* ML-KEM-768 and ML-KEM-1024 are constant time with respect to their
 * secrets, checked with
 * valgrind's memcheck as a secret tracker: the secrets are marked
 * "undefined" (VALGRIND_MAKE_MEM_UNDEFINED), and memcheck then reports any
 * conditional jump or move, and any memory address, that depends on them
 * ("Conditional jump or move depends on uninitialised value(s)", "Use of
 * uninitialised value of size 8"). Run as
 *
 *   valgrind --error-exitcode=1 --track-origins=yes ./test_mlkem_ct
 *
 * What is secret here:
 *   KeyGen_internal: d and z;
 *   Encaps_internal: m;
 *   Decaps: the secret parts of dk, ŝ (dk[0:384k]) and z (its last 32 bytes),
 *     with a valid ciphertext and with a corrupted one (implicit rejection).
 *     The rest of dk, ek and H(ek), is public by definition and stays
 *     defined (Decaps hashes ek for the §7.3 check and samples Â from ρ).
 * Everything derived from a secret stays undefined through the hashes
 * (libcrypto's Keccak) and ward's arithmetic, until the test marks the
 * outputs defined to compare them. The library itself declassifies one
 * value: ρ in KeyGen, which G(d || k) derives from d but which is published
 * as the end of ek (mlkem.c, MLKEM_DECLASSIFY).
 *
 * Run without valgrind it is an ordinary known-answer test (the marks are
 * no-ops), and it compiles without valgrind's headers too. */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/mlkem.h"
#include "testutil.h"
#include "ward/ward.h"

#include "secret_tracking.h"

static uint8_t ek[MLKEM_MAX_EK_BYTES], dk[MLKEM_MAX_DK_BYTES], ct[MLKEM_MAX_CT_BYTES];
static uint8_t ek2[MLKEM_MAX_EK_BYTES], dk2[MLKEM_MAX_DK_BYTES], ct2[MLKEM_MAX_CT_BYTES];
static uint8_t bad[MLKEM_MAX_CT_BYTES];

/* ŝ, the K-PKE decryption key (384k bytes at the start), and z (the last
 * 32 bytes). */
static void mark_dk_secret(mlkem_set set, uint8_t *key)
{
    SECRET(key, 384 * (size_t)set);
    SECRET(key + mlkem_dk_bytes(set) - 32, 32);
}

static void check_set(mlkem_set set)
{
    const size_t eklen = mlkem_ek_bytes(set), dklen = mlkem_dk_bytes(set);
    const size_t ctlen = mlkem_ct_bytes(set);
    uint8_t d[32], z[32], m[32], k[32], k2[32], rej[32], rej2[32];
    printf("ML-KEM-%s\n", set == MLKEM_768 ? "768" : "1024");

    /* Reference results, computed on defined data. */
    CHECK_OK(crypto_random(d, 32));
    CHECK_OK(crypto_random(z, 32));
    CHECK_OK(crypto_random(m, 32));
    CHECK_OK(mlkem_keygen_internal(set, d, z, ek, dk));
    CHECK_OK(mlkem_encaps_internal(set, ek, m, ct, k));
    memcpy(bad, ct, ctlen);
    bad[17] ^= 0x04;
    CHECK_OK(mlkem_decaps(set, dk, bad, rej));
    CHECK(memcmp(rej, k, 32) != 0);

    /* KeyGen with d and z secret. */
    SECRET(d, 32);
    SECRET(z, 32);
    CHECK_OK(mlkem_keygen_internal(set, d, z, ek2, dk2));
    PUBLIC(ek2, eklen);
    PUBLIC(dk2, dklen);
    CHECK_MEM(ek2, ek, eklen);
    CHECK_MEM(dk2, dk, dklen);

    /* Encaps with m secret. */
    SECRET(m, 32);
    CHECK_OK(mlkem_encaps_internal(set, ek, m, ct2, k2));
    PUBLIC(ct2, ctlen);
    PUBLIC(k2, 32);
    CHECK_MEM(ct2, ct, ctlen);
    CHECK_MEM(k2, k, 32);

    /* Decaps with the secret parts of dk secret: a valid ciphertext ... */
    memcpy(dk2, dk, dklen);
    mark_dk_secret(set, dk2);
    CHECK_OK(mlkem_decaps(set, dk2, ct, k2));
    PUBLIC(k2, 32);
    CHECK_MEM(k2, k, 32);

    /* ... and a corrupted one, which takes the implicit-rejection value. */
    CHECK_OK(mlkem_decaps(set, dk2, bad, rej2));
    PUBLIC(rej2, 32);
    CHECK_MEM(rej2, rej, 32);

    /* The random API (its d, z, m come from crypto_random and are not
     * marked), with the secret parts of the new dk secret in Decaps. */
    CHECK_OK(mlkem_keygen(set, ek2, dk2));
    PUBLIC(ek2, eklen);
    mark_dk_secret(set, dk2);
    CHECK_OK(mlkem_encaps(set, ek2, ct2, k));
    PUBLIC(ct2, ctlen);
    CHECK_OK(mlkem_decaps(set, dk2, ct2, k2));
    PUBLIC(k, 32);
    PUBLIC(k2, 32);
    CHECK_MEM(k2, k, 32);
}

int main(void)
{
    printf("valgrind: %s\n", UNDER_VALGRIND ? "yes, secrets tracked" : "no (plain run)");
    check_set(MLKEM_768);
    check_set(MLKEM_1024);
    return test_report();
}
