/* Certificate revocation lists (RFC 5280 §5): loaded by the configuration
 * (ward_config_add_crl_file), checked after a chain has verified. A
 * certificate is looked up in the CRLs its issuer signed; a CRL whose
 * issuer is the certificate's issuer but whose signature does not verify
 * under that issuer's key fails the check as a configuration error (at use
 * time: the issuer is known only once the chain is built). Certificates
 * whose issuer has no CRL loaded pass. */
#include <openssl/pem.h>

#include "crypto/crypto_int.h"

static int crl_push(STACK_OF(X509_CRL) *sk, X509_CRL *crl, size_t *added)
{
    if (!sk_X509_CRL_push(sk, crl)) {
        X509_CRL_free(crl);
        return 0;
    }
    (*added)++;
    return 1;
}

wres crypto_crls_load_file(crypto_crls *c, const char *path, size_t *added)
{
    *added = 0;
    if (!c->sk && !(c->sk = sk_X509_CRL_new_null()))
        return crypto_fail(WARD_ERR_NOMEM);
    BIO *bio = BIO_new_file(path, "rb");
    if (!bio)
        return crypto_fail(WARD_ERR_CONFIG);
    X509_CRL *crl;
    ERR_clear_error();
    while ((crl = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL)
        if (!crl_push(c->sk, crl, added))
            break;
    if (*added == 0 && BIO_reset(bio) == 0) { /* not PEM: one DER CRL */
        crl = d2i_X509_CRL_bio(bio, NULL);
        if (crl)
            crl_push(c->sk, crl, added);
    }
    BIO_free(bio);
    ERR_clear_error();
    return *added ? wres_ok() : crypto_fail(WARD_ERR_CONFIG);
}

void crypto_crls_free(crypto_crls *c)
{
    if (c && c->sk)
        sk_X509_CRL_pop_free(c->sk, X509_CRL_free);
    if (c)
        c->sk = NULL;
}

/* x, issued by issuer: revoked by a CRL of that issuer? */
static WARD_MUST_CHECK wres check_one(STACK_OF(X509_CRL) *sk, X509 *x, X509 *issuer, int depth,
                                      char *msg, size_t cap)
{
    char name[256];
    for (int i = 0; i < sk_X509_CRL_num(sk); i++) {
        X509_CRL *crl = sk_X509_CRL_value(sk, i);
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_issuer_name(x)) != 0)
            continue;
        if (X509_CRL_verify(crl, X509_get0_pubkey(issuer)) != 1) {
            crypto_name_text(X509_CRL_get_issuer(crl), name, sizeof name);
            crypto_msgf(msg, cap, "a loaded CRL of issuer %s does not verify under that "
                        "issuer's key (a configuration error)", name);
            return wres_err(WARD_ERR_CONFIG);
        }
        X509_REVOKED *rev = NULL;
        if (X509_CRL_get0_by_cert(crl, &rev, x) == 1) {
            crypto_name_text(X509_get_subject_name(x), name, sizeof name);
            crypto_msgf(msg, cap, "certificate revoked by its issuer's CRL (depth %d, subject %s)",
                        depth, name);
            return wres_err(WARD_ERR_CERT_REVOKED);
        }
    }
    return wres_ok();
}

wres crypto_crls_check(const crypto_crls *c, void *verified_chain, char *msg, size_t cap)
{
    STACK_OF(X509) *chain = verified_chain;
    if (!c || !c->sk)
        return wres_ok();
    int n = sk_X509_num(chain);
    for (int i = 0; i + 1 < n; i++) {
        wres r = check_one(c->sk, sk_X509_value(chain, i), sk_X509_value(chain, i + 1), i, msg, cap);
        if (!wres_is_ok(r)) {
            ERR_clear_error();
            return r;
        }
    }
    ERR_clear_error();
    return wres_ok();
}
