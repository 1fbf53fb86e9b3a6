/* Keys and signatures in TLS SignatureScheme terms (RFC 8446 §4.2.3).
 *
 * TLS 1.3 ties each scheme to one kind of key: ECDSA schemes name their
 * curve, rsa_pss_rsae_* need an rsaEncryption key and rsa_pss_pss_* an
 * RSASSA-PSS key. RSA-PSS always uses MGF1 with the signing hash and a salt
 * as long as the hash (§4.2.3). rsa_pkcs1_* are accepted by crypto_verify
 * only (certificate signatures), never for CertificateVerify. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "crypto/crypto_int.h"

typedef enum { KEY_OTHER, KEY_RSA, KEY_RSA_PSS, KEY_P256, KEY_P384, KEY_ED25519 } key_kind;
typedef enum { PAD_NONE, PAD_PSS, PAD_PKCS1 } sig_pad;

typedef struct {
    uint16_t scheme;
    key_kind kind;
    int hash;   /* SHA-2 output bits; 0 for Ed25519 (no prehash) */
    sig_pad pad;
    int tls13;  /* allowed in CertificateVerify */
} sig_scheme;

static const sig_scheme sig_schemes[] = {
    {WARD_SIG_ECDSA_SECP256R1_SHA256, KEY_P256, 256, PAD_NONE, 1},
    {WARD_SIG_ECDSA_SECP384R1_SHA384, KEY_P384, 384, PAD_NONE, 1},
    {WARD_SIG_RSA_PSS_RSAE_SHA256, KEY_RSA, 256, PAD_PSS, 1},
    {WARD_SIG_RSA_PSS_RSAE_SHA384, KEY_RSA, 384, PAD_PSS, 1},
    {WARD_SIG_RSA_PSS_RSAE_SHA512, KEY_RSA, 512, PAD_PSS, 1},
    {WARD_SIG_ED25519, KEY_ED25519, 0, PAD_NONE, 1},
    {WARD_SIG_RSA_PSS_PSS_SHA256, KEY_RSA_PSS, 256, PAD_PSS, 1},
    {WARD_SIG_RSA_PSS_PSS_SHA384, KEY_RSA_PSS, 384, PAD_PSS, 1},
    {WARD_SIG_RSA_PSS_PSS_SHA512, KEY_RSA_PSS, 512, PAD_PSS, 1},
    {WARD_SIG_RSA_PKCS1_SHA256, KEY_RSA, 256, PAD_PKCS1, 0},
    {WARD_SIG_RSA_PKCS1_SHA384, KEY_RSA, 384, PAD_PKCS1, 0},
    {WARD_SIG_RSA_PKCS1_SHA512, KEY_RSA, 512, PAD_PKCS1, 0},
};

static const sig_scheme *scheme_find(uint16_t scheme)
{
    for (size_t i = 0; i < WARD_ARRAY_LEN(sig_schemes); i++)
        if (sig_schemes[i].scheme == scheme)
            return &sig_schemes[i];
    return NULL;
}

static const EVP_MD *scheme_md(const sig_scheme *s)
{
    const crypto_algs *a = crypto_algs_get();
    switch (s->hash) {
    case 256: return a->sha256;
    case 384: return a->sha384;
    case 512: return a->sha512;
    }
    return NULL;
}

static key_kind ec_kind(const EVP_PKEY *pkey)
{
    char name[64];
    if (EVP_PKEY_get_group_name(pkey, name, sizeof name, NULL) != 1)
        return KEY_OTHER;
    int nid = OBJ_txt2nid(name); /* "prime256v1", "secp384r1" */
    if (nid == NID_undef)
        nid = EC_curve_nist2nid(name); /* "P-256", "P-384" */
    if (nid == NID_X9_62_prime256v1)
        return KEY_P256;
    if (nid == NID_secp384r1)
        return KEY_P384;
    return KEY_OTHER;
}

static key_kind key_kind_of(const EVP_PKEY *pkey)
{
    if (!pkey)
        return KEY_OTHER;
    if (EVP_PKEY_is_a(pkey, "RSA"))
        return KEY_RSA;
    if (EVP_PKEY_is_a(pkey, "RSA-PSS"))
        return KEY_RSA_PSS;
    if (EVP_PKEY_is_a(pkey, "ED25519"))
        return KEY_ED25519;
    if (EVP_PKEY_is_a(pkey, "EC"))
        return ec_kind(pkey);
    return KEY_OTHER;
}

/* The kind noted when the key was set; found again for a key set another way. */
static key_kind crypto_key_kind(const crypto_key *k)
{
    if (!k || !k->pkey)
        return KEY_OTHER;
    return k->kind > 0 ? (key_kind)(k->kind - 1) : key_kind_of(k->pkey);
}

void crypto_key_adopt(crypto_key *k, EVP_PKEY *pkey)
{
    k->pkey = pkey;
    k->kind = pkey ? (int)key_kind_of(pkey) + 1 : 0;
    k->sign_ctx = NULL;
    k->usage = 0;
}

/* The one TLS 1.3 scheme of an ECDSA key (§4.2.3: the curve fixes the
 * hash), or NULL for other keys. */
static const sig_scheme *ecdsa_scheme(const crypto_key *k)
{
    key_kind kind = crypto_key_kind(k);
    if (kind != KEY_P256 && kind != KEY_P384)
        return NULL;
    for (size_t i = 0; i < WARD_ARRAY_LEN(sig_schemes); i++)
        if (sig_schemes[i].kind == kind && sig_schemes[i].tls13)
            return &sig_schemes[i];
    return NULL;
}

/* EVP_DigestSignInit per signature made a key context, fetched the
 * signature algorithm and walked the key manager's names: 12 allocations
 * and a few microseconds, a tenth of a server's full handshake. A
 * context initialised once and copied per signature skips all that; the
 * copy is what makes it safe for threads sharing the configuration. */
void crypto_key_prepare_sign(crypto_key *k)
{
    const sig_scheme *s = k && k->pkey && !k->sign_ctx ? ecdsa_scheme(k) : NULL;
    EVP_PKEY_CTX *ctx = s ? EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL) : NULL;
    if (ctx && EVP_PKEY_sign_init(ctx) == 1 &&
        EVP_PKEY_CTX_set_signature_md(ctx, scheme_md(s)) == 1) {
        k->sign_ctx = ctx;
        return;
    }
    EVP_PKEY_CTX_free(ctx);
    ERR_clear_error();
}

/* ECDSA over msg with the prepared context: our own hash of msg, then
 * libcrypto signs the digest. 0 when the prepared path does not apply. */
static int sign_prepared(const crypto_key *k, const sig_scheme *s, const uint8_t *msg,
                         size_t msglen, uint8_t *sig, size_t *siglen)
{
    if (!k->sign_ctx || ecdsa_scheme(k) != s)
        return 0;
    hash_alg alg = s->hash == 256 ? HASH_SHA256 : HASH_SHA384;
    uint8_t digest[CRYPTO_MAX_HASH];
    EVP_PKEY_CTX *ctx = NULL;
    int ok = wres_is_ok(crypto_hash_oneshot(alg, msg, msglen, digest)) &&
             (ctx = EVP_PKEY_CTX_dup(k->sign_ctx)) != NULL &&
             EVP_PKEY_sign(ctx, sig, siglen, digest, hash_len(alg)) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

/* ---- loading ---- */

/* Never prompt for a pass phrase: encrypted keys simply fail to load. */
static int no_passphrase(char *buf, int size, int rwflag, void *u) { return 0; }

wres crypto_key_load_pem_file(crypto_key *k, const char *path)
{
    crypto_key_adopt(k, NULL);
    BIO *bio = path ? BIO_new_file(path, "r") : NULL;
    if (!bio)
        return crypto_fail(WARD_ERR_CONFIG);
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, no_passphrase, NULL, NULL, NULL);
    BIO_free(bio);
    if (!pkey)
        return crypto_fail(WARD_ERR_CONFIG);
    ERR_clear_error();
    crypto_key_adopt(k, pkey);
    crypto_key_prepare_sign(k); /* a private key: it will sign */
    return wres_ok();
}

wres crypto_key_from_cert(crypto_key *k, const uint8_t *der, size_t len)
{
    crypto_key_adopt(k, NULL);
    X509 *x = crypto_x509_parse(der, len);
    EVP_PKEY *pkey = x ? X509_get_pubkey(x) : NULL; /* new reference */
    unsigned usage = pkey ? crypto_x509_usage(x) : 0;
    X509_free(x);
    if (!pkey)
        return crypto_fail(WARD_ERR_BAD_CERTIFICATE);
    crypto_key_adopt(k, pkey);
    k->usage = usage;
    return wres_ok();
}

void crypto_key_free(crypto_key *k)
{
    if (!k)
        return;
    EVP_PKEY_CTX_free(k->sign_ctx);
    EVP_PKEY_free(k->pkey);
    crypto_key_adopt(k, NULL);
}

int crypto_key_bits(const crypto_key *k)
{
    if (!k || !k->pkey)
        return 0;
    if (crypto_key_kind(k) == KEY_ED25519)
        return 256; /* OpenSSL says 253, the group order's size */
    int bits = EVP_PKEY_get_bits(k->pkey);
    return bits > 0 ? bits : 0;
}

int crypto_key_matches_cert(const crypto_key *k, const uint8_t *der, size_t len)
{
    if (!k || !k->pkey)
        return 0;
    X509 *x = crypto_x509_parse(der, len);
    const EVP_PKEY *pub = x ? X509_get0_pubkey(x) : NULL;
    int match = pub && EVP_PKEY_eq(k->pkey, pub) == 1;
    X509_free(x);
    ERR_clear_error();
    return match;
}

/* ---- scheme/key fit ---- */

/* An RSA key is big enough for PSS with this hash (RFC 8017 §9.1.1:
 * emLen >= hLen + sLen + 2 with sLen = hLen, emLen = ceil((modBits-1)/8)). */
static int rsa_fits_pss(const EVP_PKEY *pkey, const EVP_MD *md)
{
    int bits = EVP_PKEY_get_bits(pkey);
    int hlen = EVP_MD_get_size(md);
    return bits > 0 && hlen > 0 && (bits - 1 + 7) / 8 >= 2 * hlen + 2;
}

/* An RSASSA-PSS key may carry restrictions (RFC 4055 §3.1): a hash, and an
 * MGF1 hash that defaults to SHA-1 when absent. TLS needs both to be the
 * scheme's hash. */
static int pss_params_allow(const EVP_PKEY *pkey, const EVP_MD *md)
{
    char name[64];
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_RSA_DIGEST, name, sizeof name,
                                       NULL) != 1) {
        ERR_clear_error();
        return 1; /* unrestricted */
    }
    if (!EVP_MD_is_a(md, name))
        return 0;
    int mgf1_ok = EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_RSA_MGF1_DIGEST, name,
                                                 sizeof name, NULL) == 1 &&
                  EVP_MD_is_a(md, name);
    ERR_clear_error();
    return mgf1_ok;
}

/* Does scheme s fit key k (kind, and for RSA size and restrictions)? */
static int scheme_fits_key(const sig_scheme *s, const crypto_key *k)
{
    const EVP_MD *md = scheme_md(s);
    const EVP_PKEY *pkey = k ? k->pkey : NULL;
    if (!pkey || crypto_key_kind(k) != s->kind || (s->hash && !md))
        return 0;
    if (s->pad == PAD_PSS && !rsa_fits_pss(pkey, md))
        return 0;
    if (s->kind == KEY_RSA_PSS && !pss_params_allow(pkey, md))
        return 0;
    return 1;
}

int crypto_key_can_sign_tls13(const crypto_key *k, uint16_t scheme)
{
    const sig_scheme *s = scheme_find(scheme);
    return k && s && s->tls13 && scheme_fits_key(s, k);
}

/* ---- signing and verifying ---- */

/* Padding parameters for RSA schemes, on the context of a digest sign/verify. */
static int set_padding(EVP_PKEY_CTX *pctx, const sig_scheme *s, const EVP_MD *md)
{
    if (s->pad == PAD_PKCS1)
        return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
    if (s->pad == PAD_PSS)
        return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
               EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
               EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1;
    return 1;
}

/* A digest-sign/verify context used for one signature only. With
 * EVP_MD_CTX_FLAG_FINALISE the final step works on the context itself;
 * without it, libcrypto duplicates the whole key context first so that the
 * caller could go on hashing (two dozen allocations per signature). */
EVP_MD_CTX *new_oneshot_md_ctx(void)
{
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    if (mctx)
        EVP_MD_CTX_set_flags(mctx, EVP_MD_CTX_FLAG_FINALISE);
    return mctx;
}

wres crypto_sign(const crypto_key *k, uint16_t scheme, const uint8_t *msg, size_t msglen,
                 uint8_t *sig, size_t sigcap, size_t *siglen)
{
    ENSURE(k && k->pkey, WARD_ERR_INTERNAL);
    const sig_scheme *s = scheme_find(scheme);
    ENSURE(s && s->tls13 && scheme_fits_key(s, k), WARD_ERR_ILLEGAL_PARAMETER);
    int max = EVP_PKEY_get_size(k->pkey);
    ENSURE(max > 0 && (size_t)max <= sigcap, WARD_ERR_INTERNAL);

    size_t len = sigcap;
    if (sign_prepared(k, s, msg, msglen, sig, &len)) {
        *siglen = len;
        return wres_ok();
    }
    len = sigcap;
    const EVP_MD *md = scheme_md(s); /* NULL for Ed25519: one-shot, no prehash */
    EVP_PKEY_CTX *pctx = NULL;
    EVP_MD_CTX *mctx = new_oneshot_md_ctx();
    int ok = mctx && EVP_DigestSignInit(mctx, &pctx, md, NULL, k->pkey) == 1 &&
             set_padding(pctx, s, md) && EVP_DigestSign(mctx, sig, &len, msg, msglen) == 1;
    EVP_MD_CTX_free(mctx);
    if (!ok)
        return crypto_fail(WARD_ERR_INTERNAL);
    *siglen = len;
    return wres_ok();
}

wres crypto_verify(const crypto_key *k, uint16_t scheme, const uint8_t *msg, size_t msglen,
                   const uint8_t *sig, size_t siglen)
{
    ENSURE(k && k->pkey, WARD_ERR_INTERNAL);
    const sig_scheme *s = scheme_find(scheme);
    ENSURE(s && scheme_fits_key(s, k), WARD_ERR_ILLEGAL_PARAMETER);

    const EVP_MD *md = scheme_md(s);
    EVP_PKEY_CTX *pctx = NULL;
    EVP_MD_CTX *mctx = new_oneshot_md_ctx();
    if (!mctx)
        return crypto_fail(WARD_ERR_NOMEM);
    ward_err err = WARD_OK;
    if (EVP_DigestVerifyInit(mctx, &pctx, md, NULL, k->pkey) != 1 || !set_padding(pctx, s, md))
        err = WARD_ERR_ILLEGAL_PARAMETER; /* e.g. outside an RSA-PSS key's limits */
    else if (EVP_DigestVerify(mctx, sig, siglen, msg, msglen) != 1)
        err = WARD_ERR_DECRYPT_ERROR; /* wrong, or malformed (bad DER, bad length) */
    EVP_MD_CTX_free(mctx);
    return err == WARD_OK ? wres_ok() : crypto_fail(err);
}
