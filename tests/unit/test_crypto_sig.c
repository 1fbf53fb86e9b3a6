/* Keys and signatures: every TLS 1.3 scheme round-trips with a fresh key,
 * keys only sign the schemes TLS 1.3 binds them to, bad signatures are
 * decrypt_error, the RSA-PSS parameters are the ones RFC 8446 §4.2.3 asks
 * for, Ed25519 matches RFC 8032, and PEM key files load (or fail cleanly). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crypto/crypto.h"
#include "crypto/crypto_int.h"
#include "testutil.h"

enum { K_RSA, K_PSS, K_PSS256, K_PSS_MGF_SHA1, K_P256, K_P384, K_ED25519, K_P521, K_COUNT };
static crypto_key keys[K_COUNT];

static const uint16_t tls13_schemes[] = {0x0403, 0x0503, 0x0804, 0x0805, 0x0806,
                                         0x0807, 0x0809, 0x080a, 0x080b};

/* An RSASSA-PSS key, unrestricted or restricted to a hash and an MGF1
 * hash (RFC 4055 parameters in the key; MGF1 defaults to SHA-1). */
static EVP_PKEY *pss_key(const char *only_md, const char *mgf1_md)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
    if (ctx && EVP_PKEY_keygen_init(ctx) == 1 && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) == 1 &&
        (!only_md || EVP_PKEY_CTX_set_rsa_pss_keygen_md_name(ctx, only_md, NULL) == 1) &&
        (!mgf1_md || EVP_PKEY_CTX_set_rsa_pss_keygen_mgf1_md_name(ctx, mgf1_md) == 1))
        EVP_PKEY_generate(ctx, &pkey);
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

static void make_keys(void)
{
    keys[K_RSA].pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    keys[K_PSS].pkey = pss_key(NULL, NULL);
    keys[K_PSS256].pkey = pss_key("SHA256", "SHA256");
    keys[K_PSS_MGF_SHA1].pkey = pss_key("SHA256", NULL); /* unusable in TLS */
    keys[K_P256].pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    keys[K_P384].pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    keys[K_ED25519].pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    keys[K_P521].pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
    for (int i = 0; i < K_COUNT; i++)
        CHECK(keys[i].pkey != NULL);
}

static int expect_can_sign(int kind, uint16_t scheme)
{
    switch (kind) {
    case K_RSA: return scheme == 0x0804 || scheme == 0x0805 || scheme == 0x0806;
    case K_PSS: return scheme == 0x0809 || scheme == 0x080a || scheme == 0x080b;
    case K_PSS256: return scheme == 0x0809;
    case K_P256: return scheme == 0x0403;
    case K_P384: return scheme == 0x0503;
    case K_ED25519: return scheme == 0x0807;
    }
    return 0;
}

static void can_sign_table(void)
{
    for (int kind = 0; kind < K_COUNT; kind++) {
        for (size_t i = 0; i < WARD_ARRAY_LEN(tls13_schemes); i++) {
            int got = crypto_key_can_sign_tls13(&keys[kind], tls13_schemes[i]);
            if (got != expect_can_sign(kind, tls13_schemes[i]))
                fprintf(stderr, "key %d scheme %04x: can_sign %d\n", kind, tls13_schemes[i], got);
            CHECK(got == expect_can_sign(kind, tls13_schemes[i]));
        }
        /* Never PKCS#1 v1.5 or SHA-1 schemes in TLS 1.3. */
        CHECK(!crypto_key_can_sign_tls13(&keys[kind], 0x0401));
        CHECK(!crypto_key_can_sign_tls13(&keys[kind], 0x0501));
        CHECK(!crypto_key_can_sign_tls13(&keys[kind], 0x0601));
        CHECK(!crypto_key_can_sign_tls13(&keys[kind], 0x0201));
        CHECK(!crypto_key_can_sign_tls13(&keys[kind], 0x0603));
    }
    crypto_key none = {0};
    CHECK(!crypto_key_can_sign_tls13(&none, 0x0403));
}

static void key_bits(void)
{
    CHECK(crypto_key_bits(&keys[K_RSA]) == 2048);
    CHECK(crypto_key_bits(&keys[K_PSS]) == 2048);
    CHECK(crypto_key_bits(&keys[K_P256]) == 256);
    CHECK(crypto_key_bits(&keys[K_P384]) == 384);
    CHECK(crypto_key_bits(&keys[K_ED25519]) == 256);
    crypto_key none = {0};
    CHECK(crypto_key_bits(&none) == 0);
}

/* Sign and verify one scheme; then every kind of damage is decrypt_error. */
static void round_trip(const crypto_key *k, const crypto_key *other, uint16_t scheme)
{
    uint8_t msg[130], sig[CRYPTO_MAX_SIG];
    size_t siglen = 0;
    memset(msg, 0x20, 64);
    memcpy(msg + 64, "TLS 1.3, server CertificateVerify", 34);
    memset(msg + 98, 0xab, 32);

    CHECK_OK(crypto_sign(k, scheme, msg, sizeof msg, sig, sizeof sig, &siglen));
    CHECK(siglen > 0 && siglen <= (size_t)EVP_PKEY_get_size(k->pkey));
    CHECK_OK(crypto_verify(k, scheme, msg, sizeof msg, sig, siglen));

    msg[100] ^= 1;
    CHECK_CODE(crypto_verify(k, scheme, msg, sizeof msg, sig, siglen).code,
               WARD_ERR_DECRYPT_ERROR);
    msg[100] ^= 1;
    sig[siglen / 2] ^= 0x10;
    CHECK_CODE(crypto_verify(k, scheme, msg, sizeof msg, sig, siglen).code,
               WARD_ERR_DECRYPT_ERROR);
    sig[siglen / 2] ^= 0x10;
    CHECK_CODE(crypto_verify(k, scheme, msg, sizeof msg, sig, siglen - 1).code,
               WARD_ERR_DECRYPT_ERROR);
    CHECK_CODE(crypto_verify(k, scheme, msg, sizeof msg, sig, 0).code, WARD_ERR_DECRYPT_ERROR);
    if (other)
        CHECK_CODE(crypto_verify(other, scheme, msg, sizeof msg, sig, siglen).code,
                   WARD_ERR_DECRYPT_ERROR);
    /* The signature still verifies after all that. */
    CHECK_OK(crypto_verify(k, scheme, msg, sizeof msg, sig, siglen));
}

static void all_schemes(void)
{
    crypto_key rsa2 = {.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)};
    crypto_key p256b = {.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")};
    crypto_key ed2 = {.pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")};
    round_trip(&keys[K_P256], &p256b, 0x0403);
    round_trip(&keys[K_P384], NULL, 0x0503);
    round_trip(&keys[K_RSA], &rsa2, 0x0804);
    round_trip(&keys[K_RSA], &rsa2, 0x0805);
    round_trip(&keys[K_RSA], &rsa2, 0x0806);
    round_trip(&keys[K_ED25519], &ed2, 0x0807);
    round_trip(&keys[K_PSS], NULL, 0x0809);
    round_trip(&keys[K_PSS], NULL, 0x080a);
    round_trip(&keys[K_PSS], NULL, 0x080b);
    round_trip(&keys[K_PSS256], NULL, 0x0809);
    crypto_key_free(&rsa2);
    crypto_key_free(&p256b);
    crypto_key_free(&ed2);
}

/* A scheme that does not fit the key is illegal_parameter both ways. */
static void wrong_scheme(void)
{
    uint8_t msg[4] = {1, 2, 3, 4}, sig[CRYPTO_MAX_SIG];
    size_t siglen;
    const struct {
        int kind;
        uint16_t scheme;
    } bad[] = {
        {K_P256, 0x0503}, {K_P384, 0x0403}, {K_RSA, 0x0809},   {K_PSS, 0x0804},
        {K_RSA, 0x0403},  {K_ED25519, 0x0403}, {K_P256, 0x0807}, {K_RSA, 0x0401},
        {K_PSS256, 0x080a}, {K_PSS_MGF_SHA1, 0x0809}, {K_P521, 0x0603}, {K_RSA, 0x1234},
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(bad); i++) {
        const crypto_key *k = &keys[bad[i].kind];
        CHECK_CODE(crypto_sign(k, bad[i].scheme, msg, 4, sig, sizeof sig, &siglen).code,
                   WARD_ERR_ILLEGAL_PARAMETER);
        if (bad[i].scheme != 0x0401) /* verifying PKCS#1 with RSA is allowed */
            CHECK_CODE(crypto_verify(k, bad[i].scheme, msg, 4, sig, 64).code,
                       WARD_ERR_ILLEGAL_PARAMETER);
    }
    /* Too small an output buffer is the caller's bug. */
    CHECK_CODE(crypto_sign(&keys[K_RSA], 0x0804, msg, 4, sig, 255, &siglen).code,
               WARD_ERR_INTERNAL);
    crypto_key none = {0};
    CHECK_CODE(crypto_sign(&none, 0x0403, msg, 4, sig, sizeof sig, &siglen).code,
               WARD_ERR_INTERNAL);
}

/* OpenSSL directly, with explicit parameters, as an independent check. */
static int ossl_verify(EVP_PKEY *pkey, const char *md, int pad, int saltlen, const uint8_t *msg,
                       size_t msglen, const uint8_t *sig, size_t siglen)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *p = NULL;
    int ok = EVP_DigestVerifyInit_ex(m, &p, md, NULL, NULL, pkey, NULL) == 1;
    if (ok && pad)
        ok = EVP_PKEY_CTX_set_rsa_padding(p, pad) == 1;
    if (ok && pad == RSA_PKCS1_PSS_PADDING)
        ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(p, saltlen) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md_name(p, md, NULL) == 1;
    ok = ok && EVP_DigestVerify(m, sig, siglen, msg, msglen) == 1;
    EVP_MD_CTX_free(m);
    ERR_clear_error();
    return ok;
}

static int ossl_sign(EVP_PKEY *pkey, const char *md, int pad, const uint8_t *msg, size_t msglen,
                     uint8_t *sig, size_t *siglen)
{
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *p = NULL;
    int ok = EVP_DigestSignInit_ex(m, &p, md, NULL, NULL, pkey, NULL) == 1 &&
             (!pad || EVP_PKEY_CTX_set_rsa_padding(p, pad) == 1) &&
             EVP_DigestSign(m, sig, siglen, msg, msglen) == 1;
    EVP_MD_CTX_free(m);
    return ok;
}

/* rsa_pss_*: MGF1 with the same hash and a salt exactly as long as it. */
static void pss_parameters(void)
{
    const uint8_t msg[] = "pss parameters";
    uint8_t sig[CRYPTO_MAX_SIG];
    size_t siglen;
    CHECK_OK(crypto_sign(&keys[K_RSA], 0x0805, msg, sizeof msg, sig, sizeof sig, &siglen));
    CHECK(ossl_verify(keys[K_RSA].pkey, "SHA384", RSA_PKCS1_PSS_PADDING, 48, msg, sizeof msg, sig,
                      siglen));
    CHECK(!ossl_verify(keys[K_RSA].pkey, "SHA384", RSA_PKCS1_PSS_PADDING, 32, msg, sizeof msg,
                       sig, siglen));
    CHECK_OK(crypto_sign(&keys[K_PSS], 0x0809, msg, sizeof msg, sig, sizeof sig, &siglen));
    CHECK(ossl_verify(keys[K_PSS].pkey, "SHA256", RSA_PKCS1_PSS_PADDING, 32, msg, sizeof msg, sig,
                      siglen));
    CHECK_OK(crypto_sign(&keys[K_P256], 0x0403, msg, sizeof msg, sig, sizeof sig, &siglen));
    CHECK(ossl_verify(keys[K_P256].pkey, "SHA256", 0, 0, msg, sizeof msg, sig, siglen));

    /* PKCS#1 v1.5 signatures made elsewhere verify (certificate use). */
    siglen = sizeof sig;
    CHECK(ossl_sign(keys[K_RSA].pkey, "SHA256", RSA_PKCS1_PADDING, msg, sizeof msg, sig, &siglen));
    CHECK_OK(crypto_verify(&keys[K_RSA], 0x0401, msg, sizeof msg, sig, siglen));
    CHECK_CODE(crypto_verify(&keys[K_RSA], 0x0501, msg, sizeof msg, sig, siglen).code,
               WARD_ERR_DECRYPT_ERROR);
    /* ... but a PKCS#1 signature is no PSS signature. */
    CHECK_CODE(crypto_verify(&keys[K_RSA], 0x0804, msg, sizeof msg, sig, siglen).code,
               WARD_ERR_DECRYPT_ERROR);
}

/* RFC 8032 §7.1 test 1: Ed25519 is deterministic. */
static void ed25519_rfc8032(void)
{
    uint8_t priv[32], want[64], sig[CRYPTO_MAX_SIG];
    size_t siglen = 0;
    hex_decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60", priv, 32);
    hex_decode("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
               "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
               want, 64);
    crypto_key k = {.pkey = EVP_PKEY_new_raw_private_key_ex(NULL, "ED25519", NULL, priv, 32)};
    CHECK(k.pkey != NULL);
    CHECK_OK(crypto_sign(&k, 0x0807, NULL, 0, sig, sizeof sig, &siglen));
    CHECK(siglen == 64);
    CHECK_MEM(sig, want, 64);
    CHECK_OK(crypto_verify(&k, 0x0807, NULL, 0, want, 64));
    crypto_key_free(&k);
    crypto_key_free(&k);
}

/* ---- PEM key files ---- */

static char tmpdir[64];

static void tmp_path(char *out, size_t cap, const char *name)
{
    snprintf(out, cap, "%s/%s", tmpdir, name);
}

static void write_key(const char *name, EVP_PKEY *pkey, int encrypted)
{
    char path[128];
    tmp_path(path, sizeof path, name);
    BIO *b = BIO_new_file(path, "w");
    CHECK(b != NULL);
    if (encrypted)
        CHECK(PEM_write_bio_PKCS8PrivateKey(b, pkey, EVP_aes_256_cbc(), "secret", 6, NULL,
                                            NULL) == 1);
    else
        CHECK(PEM_write_bio_PrivateKey(b, pkey, NULL, NULL, 0, NULL, NULL) == 1);
    BIO_free(b);
}

static void load_ok(const char *name, int kind)
{
    char path[128];
    crypto_key k = {0};
    tmp_path(path, sizeof path, name);
    CHECK_OK(crypto_key_load_pem_file(&k, path));
    CHECK(k.pkey && EVP_PKEY_eq(k.pkey, keys[kind].pkey) == 1);
    crypto_key_free(&k);
}

static void load_fails(const char *name)
{
    char path[128];
    crypto_key k = {0};
    tmp_path(path, sizeof path, name);
    CHECK_CODE(crypto_key_load_pem_file(&k, path).code, WARD_ERR_CONFIG);
    CHECK(k.pkey == NULL);
}

static void pem_keys(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ward-sig-XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL);
    write_key("rsa.pem", keys[K_RSA].pkey, 0);
    write_key("pss.pem", keys[K_PSS].pkey, 0);
    write_key("p256.pem", keys[K_P256].pkey, 0);
    write_key("ed.pem", keys[K_ED25519].pkey, 0);
    write_key("enc.pem", keys[K_P256].pkey, 1);
    char path[128];
    tmp_path(path, sizeof path, "junk.pem");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", f);
        fclose(f);
    }

    load_ok("rsa.pem", K_RSA);
    load_ok("pss.pem", K_PSS);
    load_ok("p256.pem", K_P256);
    load_ok("ed.pem", K_ED25519);
    load_fails("enc.pem"); /* encrypted: refused, never a pass-phrase prompt */
    load_fails("junk.pem");
    load_fails("missing.pem");
    crypto_key k = {0};
    CHECK_CODE(crypto_key_load_pem_file(&k, NULL).code, WARD_ERR_CONFIG);
    /* Errors do not linger in OpenSSL's queue for the next caller. */
    CHECK(ERR_peek_error() == 0);

    const char *names[] = {"rsa.pem", "pss.pem", "p256.pem", "ed.pem", "enc.pem", "junk.pem"};
    for (size_t i = 0; i < WARD_ARRAY_LEN(names); i++) {
        tmp_path(path, sizeof path, names[i]);
        unlink(path);
    }
    rmdir(tmpdir);
}

/* ECDSA keys prepared for signing (as the configuration prepares its
 * keys): the copied context signs, each signature verifies, and other
 * kinds of key are left to the general path. */
static void prepared_signing(void)
{
    static const struct {
        const char *curve;
        uint16_t scheme;
        int other;
    } ec[] = {{"P-256", 0x0403, K_P256}, {"P-384", 0x0503, K_P384}};
    for (size_t i = 0; i < sizeof ec / sizeof ec[0]; i++) {
        crypto_key k;
        crypto_key_adopt(&k, EVP_PKEY_Q_keygen(NULL, NULL, "EC", ec[i].curve));
        crypto_key_prepare_sign(&k);
        CHECK(k.sign_ctx != NULL);
        for (int n = 0; n < 3; n++)
            round_trip(&k, &keys[ec[i].other], ec[i].scheme);
        /* The prepared key refuses the other curve's scheme. */
        uint8_t sig[CRYPTO_MAX_SIG];
        size_t siglen;
        CHECK_CODE(crypto_sign(&k, ec[i].scheme == 0x0403 ? 0x0503 : 0x0403,
                               (const uint8_t *)"m", 1, sig, sizeof sig, &siglen)
                       .code,
                   WARD_ERR_ILLEGAL_PARAMETER);
        crypto_key_free(&k);
        CHECK(k.sign_ctx == NULL && k.pkey == NULL);
    }
    crypto_key rsa;
    crypto_key_adopt(&rsa, EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048));
    crypto_key_prepare_sign(&rsa);
    CHECK(rsa.sign_ctx == NULL);
    round_trip(&rsa, NULL, 0x0804);
    crypto_key_free(&rsa);
}

int main(void)
{
    make_keys();
    can_sign_table();
    key_bits();
    all_schemes();
    wrong_scheme();
    pss_parameters();
    ed25519_rfc8032();
    pem_keys();
    prepared_signing();
    for (int i = 0; i < K_COUNT; i++)
        crypto_key_free(&keys[i]);
    return test_report();
}
