/* Server-side name matching for SNI (RFC 6066 §3): does a certificate of
 * ours fit the name a client asked for? The rule is the one a client
 * verifies with (verify.c, RFC 6125 §6.4), so the server picks exactly the
 * certificate a strict client would accept for that name. The certificate
 * is parsed once, when the identity is configured. */
#include <openssl/x509v3.h>

#include "crypto/crypto_int.h"

wres crypto_cert_parse(crypto_cert *c, const uint8_t *der, size_t len)
{
    c->x509 = crypto_x509_parse(der, len);
    return c->x509 ? wres_ok() : wres_err(WARD_ERR_CONFIG);
}

void crypto_cert_free(crypto_cert *c)
{
    if (!c)
        return;
    X509_free(c->x509);
    c->x509 = NULL;
}

int crypto_cert_matches_name(const crypto_cert *c, const char *name)
{
    if (!c || !c->x509 || !name || !name[0])
        return 0;
    int ok;
    if (crypto_is_ip_literal(name))
        ok = X509_check_ip_asc(c->x509, name, 0) == 1; /* iPAddress SANs, no wildcards */
    else
        ok = X509_check_host(c->x509, name, 0, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, NULL) == 1;
    ERR_clear_error();
    return ok;
}
