/* Identities and trust anchors from memory (issue #18): a chain as PEM or
 * one DER certificate, a private key as PEM or DER (PKCS#8 or the
 * traditional forms), an application's own EVP_PKEY. The file loaders are
 * x509.c and sig.c. */
#include <string.h>

#include <openssl/pem.h>

#include "crypto/crypto_int.h"

int crypto_looks_pem(const uint8_t *p, size_t len)
{
    static const char tag[] = "-----BEGIN ";
    size_t n = sizeof tag - 1;
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(p + i, tag, n) == 0)
            return 1;
    return 0;
}

static int pem_clean_end(void)
{
    unsigned long e = ERR_peek_last_error();
    return e == 0 || (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE);
}

/* PEM: every CERTIFICATE block, in order; anything damaged fails. */
static WARD_MUST_CHECK wres chain_from_pem(crypto_chain *tmp, const uint8_t *p, size_t len)
{
    if (len > INT32_MAX)
        return crypto_fail(WARD_ERR_CONFIG);
    BIO *bio = BIO_new_mem_buf(p, (int)len);
    if (!bio)
        return crypto_fail(WARD_ERR_NOMEM);
    wres r = wres_ok();
    X509 *x;
    ERR_clear_error();
    while (wres_is_ok(r) && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        unsigned char *der = NULL;
        int n = i2d_X509(x, &der);
        r = n > 0 ? crypto_chain_add_der(tmp, der, (size_t)n) : wres_err(WARD_ERR_CONFIG);
        OPENSSL_free(der);
        X509_free(x);
    }
    BIO_free(bio);
    if (wres_is_ok(r) && (tmp->n == 0 || !pem_clean_end()))
        r = wres_err(WARD_ERR_CONFIG);
    return r;
}

wres crypto_chain_load_mem(crypto_chain *ch, const uint8_t *p, size_t len)
{
    crypto_chain tmp = {0};
    wres r;
    if (!p || len == 0) {
        r = wres_err(WARD_ERR_CONFIG);
    } else if (crypto_looks_pem(p, len)) {
        r = chain_from_pem(&tmp, p, len);
    } else { /* one DER certificate, exactly len bytes */
        X509 *x = crypto_x509_parse(p, len);
        r = x ? crypto_chain_add_der(&tmp, p, len) : wres_err(WARD_ERR_CONFIG);
        X509_free(x);
    }
    if (wres_is_ok(r) && ch->n + tmp.n > CRYPTO_MAX_CHAIN)
        r = wres_err(WARD_ERR_CONFIG);
    if (!wres_is_ok(r)) {
        crypto_chain_free(&tmp);
        return crypto_fail(r.code == WARD_ERR_NOMEM ? r.code : WARD_ERR_CONFIG);
    }
    ERR_clear_error();
    for (size_t i = 0; i < tmp.n; i++) {
        ch->der[ch->n] = tmp.der[i];
        ch->len[ch->n] = tmp.len[i];
        ch->n++;
    }
    return wres_ok();
}

static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return 0;
}

wres crypto_key_load_mem(crypto_key *k, const uint8_t *p, size_t len)
{
    crypto_key_adopt(k, NULL);
    if (!p || len == 0 || len > INT32_MAX)
        return crypto_fail(WARD_ERR_CONFIG);
    EVP_PKEY *pkey = NULL;
    if (crypto_looks_pem(p, len)) {
        BIO *bio = BIO_new_mem_buf(p, (int)len);
        if (!bio)
            return crypto_fail(WARD_ERR_NOMEM);
        pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, no_passphrase, NULL, NULL, NULL);
        BIO_free(bio);
    } else { /* DER: PKCS#8 PrivateKeyInfo, or RSAPrivateKey / ECPrivateKey */
        const unsigned char *q = p;
        pkey = d2i_AutoPrivateKey(NULL, &q, (long)len);
        if (pkey && (size_t)(q - p) != len) { /* trailing bytes: not one key */
            EVP_PKEY_free(pkey);
            pkey = NULL;
        }
    }
    if (!pkey)
        return crypto_fail(WARD_ERR_CONFIG);
    ERR_clear_error();
    crypto_key_adopt(k, pkey);
    crypto_key_prepare_sign(k);
    return wres_ok();
}

/* A key given by the application must hold its private half (a public
 * key would load and then fail every handshake). -2 (no check for this
 * type) is let through: signing will tell. */
static int has_private(EVP_PKEY *pkey)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    int r = ctx ? EVP_PKEY_private_check(ctx) : 1;
    EVP_PKEY_CTX_free(ctx);
    return r != 0 && r != -1;
}

wres crypto_key_from_pkey(crypto_key *k, void *pkey)
{
    crypto_key_adopt(k, NULL);
    if (!pkey || !has_private(pkey) || EVP_PKEY_up_ref(pkey) != 1)
        return crypto_fail(WARD_ERR_CONFIG);
    crypto_key_adopt(k, pkey);
    crypto_key_prepare_sign(k);
    return wres_ok();
}
