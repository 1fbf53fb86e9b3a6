/* TLS 1.2 crypto building blocks (src/crypto/tls12.h):
 *  - the PRF against the published "test vectors for TLS 1.2 PRF" (IETF
 *    TLS list), cross-checked independently with `openssl kdf ... TLS1-PRF`
 *    and a Python hmac implementation of P_hash;
 *  - RSA key transport: round trip, and implicit rejection of every kind of
 *    bad block (built by raw RSA encryption of crafted encodings) giving
 *    exactly the caller's random pre-master secret and WARD_OK;
 *  - TLS 1.2 signature schemes: ECDSA hash pairs on any curve, PKCS#1 v1.5,
 *    the schemes shared with TLS 1.3, refusals and bad signatures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto/crypto.h"
#include "crypto/tls12.h"
#include "testutil.h"

/* ---- PRF ---- */

/* secret 9bbe436b..., seed a0ba9f93..., label "test label", 100 bytes. */
static const char PRF256_SECRET[] = "9bbe436ba940f017b17652849a71db35";
static const char PRF256_SEED[] = "a0ba9f936cda311827a6f796ffd5198c";
static const char PRF256_OUT[] =
    "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a"
    "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab"
    "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701"
    "87347b66";
/* secret b80b733d..., seed cd665cf6..., label "test label", 148 bytes. */
static const char PRF384_SECRET[] = "b80b733d6ceefcdc71566ea48e5567df";
static const char PRF384_SEED[] = "cd665cf6a8447dd6ff8b27555edb7465";
static const char PRF384_OUT[] =
    "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd"
    "e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd"
    "8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425"
    "9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6"
    "91c8f3a26854308d5eaa3be85e0990703d73e56f";

static void prf_vector(hash_alg alg, const char *sec_hex, const char *seed_hex,
                       const char *out_hex)
{
    uint8_t secret[64], seed[64], want[200], got[200];
    long sl = hex_decode(sec_hex, secret, sizeof secret);
    long dl = hex_decode(seed_hex, seed, sizeof seed);
    long ol = hex_decode(out_hex, want, sizeof want);
    CHECK(sl > 0 && dl > 0 && ol > 0);

    CHECK_OK(crypto_tls12_prf(alg, secret, (size_t)sl, "test label", seed, (size_t)dl, NULL, 0,
                              got, (size_t)ol));
    CHECK_MEM(got, want, (size_t)ol);

    /* The seed may come in two pieces (e.g. client_random || server_random). */
    memset(got, 0, sizeof got);
    CHECK_OK(crypto_tls12_prf(alg, secret, (size_t)sl, "test label", seed, 5, seed + 5,
                              (size_t)dl - 5, got, (size_t)ol));
    CHECK_MEM(got, want, (size_t)ol);

    /* Any output length is a prefix of the stream: 1 byte, one block, a block + 1. */
    size_t lens[] = {1, hash_len(alg), hash_len(alg) + 1, 13};
    for (size_t i = 0; i < WARD_ARRAY_LEN(lens); i++) {
        memset(got, 0xaa, sizeof got);
        CHECK_OK(crypto_tls12_prf(alg, secret, (size_t)sl, "test label", seed, (size_t)dl, NULL,
                                  0, got, lens[i]));
        CHECK_MEM(got, want, lens[i]);
        CHECK(got[lens[i]] == 0xaa); /* nothing written past outlen */
    }
}

static void test_prf(void)
{
    prf_vector(HASH_SHA256, PRF256_SECRET, PRF256_SEED, PRF256_OUT);
    prf_vector(HASH_SHA384, PRF384_SECRET, PRF384_SEED, PRF384_OUT);

    /* A label + seed longer than the work buffer is refused, not truncated. */
    static uint8_t big[CRYPTO_TLS12_PRF_MAX_SEED + 1];
    uint8_t out[32];
    CHECK_CODE(crypto_tls12_prf(HASH_SHA256, big, 16, "x", big, CRYPTO_TLS12_PRF_MAX_SEED, NULL, 0,
                                out, sizeof out).code,
               WARD_ERR_INTERNAL);
    CHECK_OK(crypto_tls12_prf(HASH_SHA256, big, 16, "x", big, CRYPTO_TLS12_PRF_MAX_SEED - 1, NULL,
                              0, out, sizeof out));
    /* An empty secret is a valid HMAC key. */
    CHECK_OK(crypto_tls12_prf(HASH_SHA256, NULL, 0, "x", NULL, 0, NULL, 0, out, sizeof out));
}

/* ---- RSA key transport ---- */

static EVP_PKEY *rsa_pkey;

/* Raw RSA public operation on a k-byte block (RSA_NO_PADDING). */
static size_t raw_encrypt(const uint8_t *em, size_t k, uint8_t *ct)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, rsa_pkey, NULL);
    size_t len = k;
    int ok = ctx && EVP_PKEY_encrypt_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1 &&
             EVP_PKEY_encrypt(ctx, ct, &len, em, k) == 1;
    EVP_PKEY_CTX_free(ctx);
    CHECK(ok && len == k);
    return ok ? len : 0;
}

/* 00 02 PS(k-51 non-zero) 00 || msg(48), msg starting 03 03. */
static void good_block(uint8_t *em, size_t k, uint8_t msg[48])
{
    for (size_t i = 0; i < 48; i++)
        msg[i] = (uint8_t)(0x40 + i);
    msg[0] = 0x03;
    msg[1] = 0x03;
    em[0] = 0x00;
    em[1] = 0x02;
    for (size_t i = 2; i < k - 49; i++)
        em[i] = (uint8_t)(1 + (i * 37) % 255);
    em[k - 49] = 0x00;
    memcpy(em + k - 48, msg, 48);
}

/* Decrypting the raw encryption of em must give exactly random_pms (bad)
 * or the message (good), and WARD_OK either way. */
static void expect_kx(const crypto_key *key, const uint8_t *em, size_t k, uint16_t version,
                      const uint8_t *want, const char *what)
{
    uint8_t ct[512], out[48];
    static const uint8_t random_pms[48] = {0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77};
    size_t ctlen = raw_encrypt(em, k, ct);
    memset(out, 0x5a, sizeof out);
    wres r = crypto_rsa_kx_decrypt(key, ct, ctlen, version, random_pms, out);
    CHECK_OK(r);
    if (!want)
        want = random_pms;
    if (memcmp(out, want, 48) != 0)
        fprintf(stderr, "rsa kx case: %s\n", what);
    CHECK_MEM(out, want, 48);

    /* The constant-time core agrees, and says why. */
    uint8_t out2[48];
    int good = crypto_rsa_kx_select(em, k, version, random_pms, out2);
    CHECK(good == (want != random_pms));
    CHECK_MEM(out2, want, 48);
}

static void test_rsa_kx(void)
{
    rsa_pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    CHECK(rsa_pkey != NULL);
    if (!rsa_pkey)
        return;
    crypto_key key = {.pkey = rsa_pkey};
    const size_t k = 256;
    CHECK(crypto_key_is_rsa(&key) && !crypto_key_is_ec(&key));

    /* Round trip through PKCS#1 v1.5 as the client does it. */
    uint8_t pms[48], ct[512], out[48], random_pms[48];
    size_t ctlen = 0;
    CHECK_OK(crypto_random(pms, sizeof pms));
    CHECK_OK(crypto_random(random_pms, sizeof random_pms));
    pms[0] = 0x03;
    pms[1] = 0x03;
    CHECK_OK(crypto_rsa_kx_encrypt(&key, pms, ct, sizeof ct, &ctlen));
    CHECK(ctlen == k);
    CHECK_OK(crypto_rsa_kx_decrypt(&key, ct, ctlen, 0x0303, random_pms, out));
    CHECK_MEM(out, pms, 48);
    /* Two encryptions differ (random padding). */
    uint8_t ct2[512];
    size_t ct2len = 0;
    CHECK_OK(crypto_rsa_kx_encrypt(&key, pms, ct2, sizeof ct2, &ct2len));
    CHECK(ct2len == k && memcmp(ct, ct2, k) != 0);

    /* Wrong client_version: the random secret, silently. */
    CHECK_OK(crypto_rsa_kx_decrypt(&key, ct, ctlen, 0x0302, random_pms, out));
    CHECK_MEM(out, random_pms, 48);
    CHECK_OK(crypto_rsa_kx_decrypt(&key, ct, ctlen, 0x0203, random_pms, out));
    CHECK_MEM(out, random_pms, 48);

    /* Wrong ciphertext lengths (public): random secret, WARD_OK. */
    CHECK_OK(crypto_rsa_kx_decrypt(&key, ct, ctlen - 1, 0x0303, random_pms, out));
    CHECK_MEM(out, random_pms, 48);
    CHECK_OK(crypto_rsa_kx_decrypt(&key, ct, ctlen + 1, 0x0303, random_pms, out));
    CHECK_MEM(out, random_pms, 48);
    CHECK_OK(crypto_rsa_kx_decrypt(&key, ct, 0, 0x0303, random_pms, out));
    CHECK_MEM(out, random_pms, 48);
    /* A value not below the modulus (public): random secret, WARD_OK. */
    uint8_t ff[256];
    memset(ff, 0xff, sizeof ff);
    CHECK_OK(crypto_rsa_kx_decrypt(&key, ff, sizeof ff, 0x0303, random_pms, out));
    CHECK_MEM(out, random_pms, 48);

    /* Crafted blocks through raw RSA. */
    uint8_t em[256], bad[256], msg[48];
    good_block(em, k, msg);
    expect_kx(&key, em, k, 0x0303, msg, "well-formed block");
    expect_kx(&key, em, k, 0x0301, NULL, "version mismatch");

    memcpy(bad, em, k);
    bad[0] = 0x01;
    expect_kx(&key, bad, k, 0x0303, NULL, "byte 0 not zero");
    memcpy(bad, em, k);
    bad[1] = 0x01;
    expect_kx(&key, bad, k, 0x0303, NULL, "block type 1");
    memcpy(bad, em, k);
    bad[1] = 0x03;
    expect_kx(&key, bad, k, 0x0303, NULL, "block type 3");
    memcpy(bad, em, k);
    bad[1] ^= 0x80;
    expect_kx(&key, bad, k, 0x0303, NULL, "byte 1 flipped");

    /* 47-byte message: the separator one byte later. */
    memcpy(bad, em, k);
    bad[k - 49] = 0x11;
    bad[k - 48] = 0x00;
    bad[k - 47] = 0x03;
    bad[k - 46] = 0x03;
    expect_kx(&key, bad, k, 0x0303, NULL, "47-byte message");
    /* 49-byte message: the separator one byte earlier. */
    memcpy(bad, em, k);
    bad[k - 50] = 0x00;
    bad[k - 49] = 0x03;
    bad[k - 48] = 0x03;
    bad[k - 47] = 0x03;
    expect_kx(&key, bad, k, 0x0303, NULL, "49-byte message");
    /* A zero inside PS (a longer message), early and late. */
    memcpy(bad, em, k);
    bad[2] = 0x00;
    expect_kx(&key, bad, k, 0x0303, NULL, "zero at byte 2");
    memcpy(bad, em, k);
    bad[9] = 0x00;
    expect_kx(&key, bad, k, 0x0303, NULL, "PS shorter than 8");
    memcpy(bad, em, k);
    bad[100] = 0x00;
    expect_kx(&key, bad, k, 0x0303, NULL, "zero in the middle of PS");
    /* No separator at all. */
    memcpy(bad, em, k);
    bad[k - 49] = 0x42;
    expect_kx(&key, bad, k, 0x0303, NULL, "no separator");
    /* Zeros inside the message are fine. */
    memcpy(bad, em, k);
    memset(bad + k - 40, 0, 8);
    expect_kx(&key, bad, k, 0x0303, bad + k - 48, "zeros inside the message");

    /* A 47-byte PKCS#1 message made by libcrypto itself. */
    {
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, rsa_pkey, NULL);
        size_t len = sizeof ct;
        CHECK(ctx && EVP_PKEY_encrypt_init(ctx) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
              EVP_PKEY_encrypt(ctx, ct, &len, pms, 47) == 1);
        EVP_PKEY_CTX_free(ctx);
        CHECK_OK(crypto_rsa_kx_decrypt(&key, ct, len, 0x0303, random_pms, out));
        CHECK_MEM(out, random_pms, 48);
    }

    /* Exhaustively: a zero put at each position of the good block. */
    static const uint8_t rnd[48] = {1, 2, 3};
    for (size_t i = 1; i < k; i++) {
        memcpy(bad, em, k);
        bad[i] = 0x00;
        int want_good = i == k - 49 || i >= k - 46; /* separator itself, or inside M[2..] */
        CHECK(crypto_rsa_kx_select(bad, k, 0x0303, rnd, out) == want_good);
        CHECK_MEM(out, want_good ? bad + k - 48 : rnd, 48);
    }
    /* A modulus too small to hold PS(8) and 48 bytes: random, public. */
    CHECK(crypto_rsa_kx_select(em + 256 - 58, 58, 0x0303, rnd, out) == 0);
    CHECK_MEM(out, rnd, 48);

    /* Not an RSA key. */
    crypto_key ec = {.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")};
    CHECK_CODE(crypto_rsa_kx_encrypt(&ec, pms, ct, sizeof ct, &ctlen).code,
               WARD_ERR_UNSUPPORTED_CERTIFICATE);
    CHECK_CODE(crypto_rsa_kx_decrypt(&ec, ct, 256, 0x0303, random_pms, out).code,
               WARD_ERR_INTERNAL);
    crypto_key_free(&ec);
    /* Output too small. */
    CHECK_CODE(crypto_rsa_kx_encrypt(&key, pms, ct, 255, &ctlen).code, WARD_ERR_INTERNAL);

    crypto_key_free(&key);
    rsa_pkey = NULL;
}

/* ---- signatures ---- */

static const uint8_t MSG[] = "client_random || server_random || ServerECDHParams";

/* Sign with libcrypto directly (an independent path) and verify with ward. */
static size_t evp_sign(EVP_PKEY *pkey, const char *md, int pkcs1, uint8_t *sig, size_t cap)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *p = NULL;
    size_t len = cap;
    int ok = m && EVP_DigestSignInit_ex(m, &p, md, NULL, NULL, pkey, NULL) == 1 &&
             (!pkcs1 || EVP_PKEY_CTX_set_rsa_padding(p, RSA_PKCS1_PADDING) == 1) &&
             EVP_DigestSign(m, sig, &len, MSG, sizeof MSG) == 1;
    EVP_MD_CTX_free(m);
    CHECK(ok);
    return ok ? len : 0;
}

static void round_trip12(const crypto_key *k, uint16_t scheme)
{
    uint8_t sig[CRYPTO_MAX_SIG];
    size_t siglen = 0;
    CHECK(crypto_key_can_sign_tls12(k, scheme));
    wres r = crypto_sign_tls12(k, scheme, MSG, sizeof MSG, sig, sizeof sig, &siglen);
    CHECK_OK(r);
    if (!wres_is_ok(r)) {
        fprintf(stderr, "scheme %04x\n", scheme);
        return;
    }
    CHECK_OK(crypto_verify_tls12(k, scheme, MSG, sizeof MSG, sig, siglen));
    /* Another message, a flipped bit, a truncation: decrypt_error. */
    CHECK_CODE(crypto_verify_tls12(k, scheme, MSG, sizeof MSG - 1, sig, siglen).code,
               WARD_ERR_DECRYPT_ERROR);
    sig[siglen / 2] ^= 0x01;
    CHECK_CODE(crypto_verify_tls12(k, scheme, MSG, sizeof MSG, sig, siglen).code,
               WARD_ERR_DECRYPT_ERROR);
    sig[siglen / 2] ^= 0x01;
    CHECK_CODE(crypto_verify_tls12(k, scheme, MSG, sizeof MSG, sig, siglen - 1).code,
               WARD_ERR_DECRYPT_ERROR);
    CHECK_CODE(crypto_verify_tls12(k, scheme, MSG, sizeof MSG, sig, 0).code,
               WARD_ERR_DECRYPT_ERROR);
}

static void test_sig(void)
{
    crypto_key rsa = {.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)};
    crypto_key p256 = {.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")};
    crypto_key p384 = {.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384")};
    crypto_key p521 = {.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521")};
    crypto_key ed = {.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")};
    EVP_PKEY *pss_pkey = NULL; /* an RSASSA-PSS key, unrestricted */
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
    if (pctx && EVP_PKEY_keygen_init(pctx) == 1 &&
        EVP_PKEY_CTX_set_rsa_keygen_bits(pctx, 2048) == 1)
        (void)EVP_PKEY_generate(pctx, &pss_pkey);
    EVP_PKEY_CTX_free(pctx);
    crypto_key pss = {.pkey = pss_pkey};
    CHECK(rsa.pkey && p256.pkey && p384.pkey && p521.pkey && ed.pkey && pss.pkey);

    /* Key classes for suite selection. */
    CHECK(crypto_key_is_rsa(&rsa) && !crypto_key_is_ec(&rsa));
    CHECK(!crypto_key_is_rsa(&p384) && crypto_key_is_ec(&p384));
    CHECK(!crypto_key_is_rsa(&ed) && !crypto_key_is_ec(&ed));
    CHECK(!crypto_key_is_rsa(&pss) && !crypto_key_is_ec(&pss));
    crypto_key none = {.pkey = NULL};
    CHECK(!crypto_key_is_rsa(&none) && !crypto_key_is_ec(&none) && !crypto_key_is_rsa(NULL));

    /* TLS 1.2: the ECDSA pair names the hash, not the curve. */
    CHECK(!crypto_key_can_sign_tls13(&p384, 0x0403));
    round_trip12(&p384, 0x0403);
    round_trip12(&p384, 0x0503);
    round_trip12(&p384, 0x0603);
    round_trip12(&p256, 0x0403);
    round_trip12(&p256, 0x0503);
    round_trip12(&p521, 0x0603);
    round_trip12(&p521, 0x0403);
    /* PKCS#1 v1.5 is a signing scheme in TLS 1.2. */
    CHECK(!crypto_key_can_sign_tls13(&rsa, 0x0401));
    round_trip12(&rsa, 0x0401);
    round_trip12(&rsa, 0x0501);
    round_trip12(&rsa, 0x0601);
    /* Shared with TLS 1.3. */
    round_trip12(&rsa, 0x0804);
    round_trip12(&rsa, 0x0805);
    round_trip12(&rsa, 0x0806);
    round_trip12(&ed, 0x0807);
    round_trip12(&pss, 0x0809);
    round_trip12(&pss, 0x080b);

    /* Independent signer (libcrypto directly), ward verifies. */
    uint8_t sig[CRYPTO_MAX_SIG];
    size_t n = evp_sign(rsa.pkey, "SHA256", 1, sig, sizeof sig);
    CHECK_OK(crypto_verify_tls12(&rsa, 0x0401, MSG, sizeof MSG, sig, n));
    CHECK_CODE(crypto_verify_tls12(&rsa, 0x0501, MSG, sizeof MSG, sig, n).code,
               WARD_ERR_DECRYPT_ERROR); /* the hash is part of the scheme */
    n = evp_sign(p384.pkey, "SHA256", 0, sig, sizeof sig);
    CHECK_OK(crypto_verify_tls12(&p384, 0x0403, MSG, sizeof MSG, sig, n));
    CHECK_CODE(crypto_verify_tls12(&p384, 0x0503, MSG, sizeof MSG, sig, n).code,
               WARD_ERR_DECRYPT_ERROR);
    /* TLS 1.3's crypto_verify keeps its stricter meaning for the same bytes. */
    CHECK_CODE(crypto_verify(&p384, 0x0403, MSG, sizeof MSG, sig, n).code,
               WARD_ERR_ILLEGAL_PARAMETER);
    /* A signature from another key of the same kind: decrypt_error. */
    crypto_key p384b = {.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384")};
    CHECK_CODE(crypto_verify_tls12(&p384b, 0x0403, MSG, sizeof MSG, sig, n).code,
               WARD_ERR_DECRYPT_ERROR);
    crypto_key_free(&p384b);

    /* Scheme and key that do not fit: illegal_parameter, both ways. */
    struct {
        const crypto_key *k;
        uint16_t scheme;
    } misfit[] = {
        {&rsa, 0x0403}, {&p384, 0x0401}, {&p256, 0x0804}, {&ed, 0x0403},  {&ed, 0x0401},
        {&pss, 0x0401}, {&pss, 0x0804},  {&rsa, 0x0809},  {&rsa, 0x0807}, {&p256, 0x0807},
        {&rsa, 0x0201}, {&p256, 0x0203}, {&rsa, 0x0101},  {&rsa, 0x1234}, {&p256, 0x0000},
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(misfit); i++) {
        size_t siglen = 0;
        CHECK(!crypto_key_can_sign_tls12(misfit[i].k, misfit[i].scheme));
        CHECK_CODE(crypto_sign_tls12(misfit[i].k, misfit[i].scheme, MSG, sizeof MSG, sig,
                                     sizeof sig, &siglen).code,
                   WARD_ERR_ILLEGAL_PARAMETER);
        CHECK_CODE(crypto_verify_tls12(misfit[i].k, misfit[i].scheme, MSG, sizeof MSG, sig, 64)
                       .code,
                   WARD_ERR_ILLEGAL_PARAMETER);
    }
    CHECK(!crypto_key_can_sign_tls12(&none, 0x0403));
    CHECK(!crypto_key_can_sign_tls12(NULL, 0x0403));

    /* A signature buffer smaller than the key's maximum: internal error. */
    size_t siglen = 0;
    CHECK_CODE(crypto_sign_tls12(&rsa, 0x0401, MSG, sizeof MSG, sig, 255, &siglen).code,
               WARD_ERR_INTERNAL);

    crypto_key_free(&rsa);
    crypto_key_free(&p256);
    crypto_key_free(&p384);
    crypto_key_free(&p521);
    crypto_key_free(&ed);
    crypto_key_free(&pss);
}

int main(void)
{
    test_prf();
    test_rsa_kx();
    test_sig();
    CHECK(ERR_peek_error() == 0); /* no stale errors left in the queue */
    return test_report();
}
