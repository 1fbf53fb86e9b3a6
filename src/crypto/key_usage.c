/* The keyUsage extension (RFC 5280 §4.2.1.3) read as the TLS uses it
 * allows: digitalSignature for a signature (TLS 1.3 CertificateVerify,
 * RFC 8446 §4.4.2.2; TLS 1.2 ServerKeyExchange and CertificateVerify),
 * keyEncipherment for TLS 1.2 RSA key transport (RFC 5246 §7.4.2). A
 * certificate without the extension allows both. */
#include <openssl/x509v3.h>

#include "crypto/crypto_int.h"

unsigned crypto_x509_usage(X509 *x)
{
    /* UINT32_MAX when there is no extension; 0 when the extensions could
     * not be decoded (nothing allowed: fail closed). */
    uint32_t ku = X509_get_key_usage(x);
    ERR_clear_error();
    if (ku == UINT32_MAX)
        return CRYPTO_USE_SIGN | CRYPTO_USE_ENCIPHER;
    unsigned use = 0;
    if (ku & KU_DIGITAL_SIGNATURE)
        use |= CRYPTO_USE_SIGN;
    if (ku & KU_KEY_ENCIPHERMENT)
        use |= CRYPTO_USE_ENCIPHER;
    return use;
}

wres crypto_key_set_usage(crypto_key *k, const uint8_t *der, size_t len)
{
    X509 *x = crypto_x509_parse(der, len);
    if (!x)
        return wres_err(WARD_ERR_CONFIG);
    k->usage = crypto_x509_usage(x);
    X509_free(x);
    return wres_ok();
}

const char *crypto_usage_name(unsigned use)
{
    return use == CRYPTO_USE_ENCIPHER ? "keyEncipherment" : "digitalSignature";
}
