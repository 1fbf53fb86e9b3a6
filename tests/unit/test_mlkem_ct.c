/* ML-KEM-768 is constant time with respect to its secrets, checked with
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
 *   Decaps: the secret parts of dk, ŝ (dk[0:1152]) and z (dk[2368:2400]),
 *     with a valid ciphertext and with a corrupted one (implicit rejection).
 *     The rest of dk, ek and H(ek), is public by definition and stays
 *     defined (Decaps hashes ek for the §7.3 check and samples Â from ρ).
 * Everything derived from a secret stays undefined through the hashes
 * (libcrypto's Keccak) and ward's arithmetic, until the test marks the
 * outputs defined to compare them. The library itself declassifies one
 * value: ρ in KeyGen, which G(d || k) derives from d but which is published
 * as the end of ek (mlkem768.c, MLKEM_DECLASSIFY).
 *
 * Run without valgrind it is an ordinary known-answer test (the marks are
 * no-ops), and it compiles without valgrind's headers too. */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/mlkem768.h"
#include "testutil.h"
#include "ward/ward.h"

#include "secret_tracking.h"

#define DK_S_BYTES 1152                /* ŝ, the K-PKE decryption key */
#define DK_Z_AT (MLKEM768_DK_BYTES - 32) /* z */

static uint8_t ek[MLKEM768_EK_BYTES], dk[MLKEM768_DK_BYTES], ct[MLKEM768_CT_BYTES];
static uint8_t ek2[MLKEM768_EK_BYTES], dk2[MLKEM768_DK_BYTES], ct2[MLKEM768_CT_BYTES];
static uint8_t bad[MLKEM768_CT_BYTES];

static void mark_dk_secret(uint8_t *key)
{
    SECRET(key, DK_S_BYTES);
    SECRET(key + DK_Z_AT, 32);
}

int main(void)
{
    uint8_t d[32], z[32], m[32], k[32], k2[32], rej[32], rej2[32];
    printf("valgrind: %s\n", UNDER_VALGRIND ? "yes, secrets tracked" : "no (plain run)");

    /* Reference results, computed on defined data. */
    CHECK_OK(crypto_random(d, 32));
    CHECK_OK(crypto_random(z, 32));
    CHECK_OK(crypto_random(m, 32));
    CHECK_OK(mlkem768_keygen_internal(d, z, ek, dk));
    CHECK_OK(mlkem768_encaps_internal(ek, m, ct, k));
    memcpy(bad, ct, sizeof bad);
    bad[17] ^= 0x04;
    CHECK_OK(mlkem768_decaps(dk, bad, rej));
    CHECK(memcmp(rej, k, 32) != 0);

    /* KeyGen with d and z secret. */
    SECRET(d, 32);
    SECRET(z, 32);
    CHECK_OK(mlkem768_keygen_internal(d, z, ek2, dk2));
    PUBLIC(ek2, sizeof ek2);
    PUBLIC(dk2, sizeof dk2);
    CHECK_MEM(ek2, ek, sizeof ek);
    CHECK_MEM(dk2, dk, sizeof dk);

    /* Encaps with m secret. */
    SECRET(m, 32);
    CHECK_OK(mlkem768_encaps_internal(ek, m, ct2, k2));
    PUBLIC(ct2, sizeof ct2);
    PUBLIC(k2, 32);
    CHECK_MEM(ct2, ct, sizeof ct);
    CHECK_MEM(k2, k, 32);

    /* Decaps with the secret parts of dk secret: a valid ciphertext ... */
    memcpy(dk2, dk, sizeof dk2);
    mark_dk_secret(dk2);
    CHECK_OK(mlkem768_decaps(dk2, ct, k2));
    PUBLIC(k2, 32);
    CHECK_MEM(k2, k, 32);

    /* ... and a corrupted one, which takes the implicit-rejection value. */
    CHECK_OK(mlkem768_decaps(dk2, bad, rej2));
    PUBLIC(rej2, 32);
    CHECK_MEM(rej2, rej, 32);

    /* The random API (its d, z, m come from crypto_random and are not
     * marked), with the secret parts of the new dk secret in Decaps. */
    CHECK_OK(mlkem768_keygen(ek2, dk2));
    PUBLIC(ek2, sizeof ek2);
    mark_dk_secret(dk2);
    CHECK_OK(mlkem768_encaps(ek2, ct2, k));
    PUBLIC(ct2, sizeof ct2);
    CHECK_OK(mlkem768_decaps(dk2, ct2, k2));
    PUBLIC(k, 32);
    PUBLIC(k2, 32);
    CHECK_MEM(k2, k, 32);

    return test_report();
}
