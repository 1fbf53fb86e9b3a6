/* X25519 public keys from x25519_base.c (ward's fixed-base multiplication):
 * equal to RFC 7748's examples and to libcrypto's own for thousands of
 * random and edge-case private keys; and, run under valgrind's memcheck,
 * constant time in the private key (the same secret-tracking method as
 * test_mlkem_ct: the key is marked undefined, and any branch, or address,
 * that depends on it is reported). Run as
 *
 *   valgrind --error-exitcode=1 --track-origins=yes ./test_x25519_ct
 *
 * Without valgrind it is an ordinary known-answer and cross-check test.
 * With --canary, it also branches on a secret bit itself, which memcheck
 * must report (ct_x25519_canary, expected to fail): proof that the
 * tracking is on. */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/x25519_base.h"
#include "testutil.h"

#include "secret_tracking.h"

static void unhex(const char *h, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

static int canary;
static volatile int canary_sink;

/* ward's answer, with the private key tracked as a secret. */
static void ward_public(uint8_t pub[32], const uint8_t priv[32])
{
    uint8_t k[32];
    memcpy(k, priv, 32);
    SECRET(k, 32);
    if (canary && (k[5] & 1)) /* the deliberate leak */
        canary_sink++;
    x25519_public_from_private(pub, k);
    PUBLIC(pub, 32);
}

static int libcrypto_public(uint8_t pub[32], const uint8_t priv[32])
{
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL, priv, 32);
    size_t len = 32;
    int ok = k && EVP_PKEY_get_raw_public_key(k, pub, &len) == 1 && len == 32;
    EVP_PKEY_free(k);
    return ok;
}

/* RFC 7748 §6.1: Alice's and Bob's key pairs. */
static void rfc7748_examples(void)
{
    static const char *const vectors[][2] = {
        {"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
         "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"},
        {"5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
         "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"},
    };
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        uint8_t priv[32], want[32], got[32];
        unhex(vectors[i][0], priv, 32);
        unhex(vectors[i][1], want, 32);
        ward_public(got, priv);
        CHECK(memcmp(got, want, 32) == 0);
    }
}

static int same_as_libcrypto(const uint8_t priv[32])
{
    uint8_t a[32], b[32];
    ward_public(a, priv);
    return libcrypto_public(b, priv) && memcmp(a, b, 32) == 0;
}

/* Keys whose clamped scalar has extreme digits (all nibbles 0, 8 or 15,
 * so the signed recoding carries all the way up) and random keys. */
static void against_libcrypto(void)
{
    static const uint8_t fills[] = {0x00, 0xff, 0x88, 0x80, 0x08, 0x77, 0xf0, 0x0f, 0x01};
    for (size_t i = 0; i < sizeof fills; i++) {
        uint8_t priv[32];
        memset(priv, fills[i], sizeof priv);
        CHECK(same_as_libcrypto(priv));
    }
    int n = UNDER_VALGRIND ? 20 : 5000, bad = 0;
    for (int i = 0; i < n; i++) {
        uint8_t priv[32];
        CHECK(RAND_bytes(priv, sizeof priv) == 1);
        bad += !same_as_libcrypto(priv);
    }
    CHECK(bad == 0);
}

int main(int argc, char **argv)
{
    canary = argc > 1 && strcmp(argv[1], "--canary") == 0;
    x25519_base_init(); /* the public table, before any secret is marked */
    rfc7748_examples();
    against_libcrypto();
    return test_report();
}
