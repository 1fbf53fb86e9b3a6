/* TLS 1.2 signatures (ServerKeyExchange, CertificateVerify): RFC 5246
 * §7.4.1.4.1 and §7.4.3, RFC 8422 §5.4, RFC 8446 §4.2.3 for the schemes
 * that TLS 1.3 defined for both versions.
 *
 * TLS 1.2 reads two families differently from TLS 1.3:
 *   - 0x0403 / 0x0503 / 0x0603 are the (hash, signature) pairs
 *     (sha256|sha384|sha512, ecdsa): ECDSA with that hash on whatever curve
 *     the key has, not tied to P-256/P-384/P-521;
 *   - rsa_pkcs1_sha256/384/512 are ordinary signing schemes.
 * Those two families are handled here; rsa_pss_rsae_*, rsa_pss_pss_* and
 * ed25519 mean the same in both versions and go to sig.c. SHA-1 and MD5
 * pairs are not offered or accepted. */
#include <openssl/rsa.h>

#include "crypto/crypto_int.h"
#include "crypto/tls12.h"

typedef enum { FAM_ECDSA, FAM_PKCS1 } sig12_family;

typedef struct {
    uint16_t scheme;
    sig12_family family;
    int hash; /* SHA-2 output bits */
} sig12_scheme;

static const sig12_scheme sig12_schemes[] = {
    {WARD_SIG_ECDSA_SECP256R1_SHA256, FAM_ECDSA, 256},
    {WARD_SIG_ECDSA_SECP384R1_SHA384, FAM_ECDSA, 384},
    {WARD_SIG_ECDSA_SHA512, FAM_ECDSA, 512},
    {WARD_SIG_RSA_PKCS1_SHA256, FAM_PKCS1, 256},
    {WARD_SIG_RSA_PKCS1_SHA384, FAM_PKCS1, 384},
    {WARD_SIG_RSA_PKCS1_SHA512, FAM_PKCS1, 512},
};

static const sig12_scheme *sig12_find(uint16_t scheme)
{
    for (size_t i = 0; i < WARD_ARRAY_LEN(sig12_schemes); i++)
        if (sig12_schemes[i].scheme == scheme)
            return &sig12_schemes[i];
    return NULL;
}

/* Schemes with the same meaning as in TLS 1.3 (handled by sig.c). */
static int same_as_tls13(uint16_t scheme)
{
    return (scheme >= WARD_SIG_RSA_PSS_RSAE_SHA256 && scheme <= WARD_SIG_ED25519) ||
           (scheme >= WARD_SIG_RSA_PSS_PSS_SHA256 && scheme <= WARD_SIG_RSA_PSS_PSS_SHA512);
}

static const EVP_MD *sig12_md(const sig12_scheme *s)
{
    const crypto_algs *a = crypto_algs_get();
    switch (s->hash) {
    case 256: return a->sha256;
    case 384: return a->sha384;
    case 512: return a->sha512;
    }
    return NULL;
}

int crypto_key_is_rsa(const crypto_key *k)
{
    return k && k->pkey && EVP_PKEY_is_a(k->pkey, "RSA");
}

int crypto_key_is_ec(const crypto_key *k)
{
    return k && k->pkey && EVP_PKEY_is_a(k->pkey, "EC");
}

/* Does the key fit a TLS 1.2-specific scheme? For PKCS#1 v1.5 the modulus
 * must hold the DigestInfo (19 bytes of prefix + the hash) plus 11 bytes
 * of padding (RFC 8017 §9.2). */
static int sig12_fits(const sig12_scheme *s, const crypto_key *k)
{
    const EVP_MD *md = sig12_md(s);
    if (!md)
        return 0;
    if (s->family == FAM_ECDSA)
        return crypto_key_is_ec(k);
    if (!crypto_key_is_rsa(k))
        return 0;
    int size = EVP_PKEY_get_size(k->pkey);
    int hlen = EVP_MD_get_size(md);
    return size > 0 && hlen > 0 && size >= 19 + hlen + 11;
}

int crypto_key_can_sign_tls12(const crypto_key *k, uint16_t scheme)
{
    if (!k || !k->pkey)
        return 0;
    if (same_as_tls13(scheme))
        return crypto_key_can_sign_tls13(k, scheme);
    const sig12_scheme *s = sig12_find(scheme);
    return s && sig12_fits(s, k);
}

static int set_pkcs1(EVP_PKEY_CTX *pctx, const sig12_scheme *s)
{
    return s->family != FAM_PKCS1 ||
           EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
}

wres crypto_sign_tls12(const crypto_key *k, uint16_t scheme, const uint8_t *msg, size_t msglen,
                       uint8_t *sig, size_t sigcap, size_t *siglen)
{
    ENSURE(k && k->pkey, WARD_ERR_INTERNAL);
    if (same_as_tls13(scheme))
        return crypto_sign(k, scheme, msg, msglen, sig, sigcap, siglen);
    const sig12_scheme *s = sig12_find(scheme);
    ENSURE(s && sig12_fits(s, k), WARD_ERR_ILLEGAL_PARAMETER);
    int max = EVP_PKEY_get_size(k->pkey);
    ENSURE(max > 0 && (size_t)max <= sigcap, WARD_ERR_INTERNAL);

    EVP_PKEY_CTX *pctx = NULL;
    EVP_MD_CTX *mctx = new_oneshot_md_ctx();
    size_t len = sigcap;
    int ok = mctx && EVP_DigestSignInit(mctx, &pctx, sig12_md(s), NULL, k->pkey) == 1 &&
             set_pkcs1(pctx, s) && EVP_DigestSign(mctx, sig, &len, msg, msglen) == 1;
    EVP_MD_CTX_free(mctx);
    if (!ok)
        return crypto_fail(WARD_ERR_INTERNAL);
    *siglen = len;
    return wres_ok();
}

wres crypto_verify_tls12(const crypto_key *k, uint16_t scheme, const uint8_t *msg,
                         size_t msglen, const uint8_t *sig, size_t siglen)
{
    ENSURE(k && k->pkey, WARD_ERR_INTERNAL);
    if (same_as_tls13(scheme))
        return crypto_verify(k, scheme, msg, msglen, sig, siglen);
    const sig12_scheme *s = sig12_find(scheme);
    ENSURE(s && sig12_fits(s, k), WARD_ERR_ILLEGAL_PARAMETER);

    EVP_PKEY_CTX *pctx = NULL;
    EVP_MD_CTX *mctx = new_oneshot_md_ctx();
    if (!mctx)
        return crypto_fail(WARD_ERR_NOMEM);
    ward_err err = WARD_OK;
    if (EVP_DigestVerifyInit(mctx, &pctx, sig12_md(s), NULL, k->pkey) != 1 ||
        !set_pkcs1(pctx, s))
        err = WARD_ERR_INTERNAL;
    else if (EVP_DigestVerify(mctx, sig, siglen, msg, msglen) != 1)
        err = WARD_ERR_DECRYPT_ERROR; /* wrong, or malformed (bad DER, bad length) */
    EVP_MD_CTX_free(mctx);
    return err == WARD_OK ? wres_ok() : crypto_fail(err);
}
