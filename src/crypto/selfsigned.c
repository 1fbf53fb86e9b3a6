/* An ephemeral self-signed server certificate: ECDSA P-256, X.509 v3, a
 * random 128-bit serial, CN=name and a SAN with the name (DNS or IP),
 * CA:FALSE, digitalSignature, serverAuth; valid from an hour ago (clock
 * skew) for 30 days; signed with SHA-256. Peers accept it by pinning its
 * SubjectPublicKeyInfo hash. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/x509v3.h>

#include "crypto/crypto_int.h"

#define CN_MAX 64 /* ub-common-name, RFC 5280 */

/* A positive, non-zero serial of 16 random bytes (RFC 5280 §4.1.2.2:
 * at most 20 octets, positive). */
static int set_random_serial(X509 *x)
{
    uint8_t buf[16];
    if (!wres_is_ok(crypto_random(buf, sizeof buf)))
        return 0;
    buf[0] &= 0x7f;
    buf[0] |= 0x01;
    BIGNUM *bn = BN_bin2bn(buf, sizeof buf, NULL);
    ASN1_INTEGER *serial = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    int ok = serial && X509_set_serialNumber(x, serial) == 1;
    ASN1_INTEGER_free(serial);
    BN_free(bn);
    return ok;
}

/* Subject = issuer = CN=name (omitted when too long for a CN; the SAN
 * carries the name anyway). */
static int set_names(X509 *x, const char *name)
{
    X509_NAME *n = X509_get_subject_name(x);
    size_t len = strlen(name);
    if (len <= CN_MAX && X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8,
                                                    (const unsigned char *)name, (int)len, -1,
                                                    0) != 1)
        return 0;
    return X509_set_issuer_name(x, n) == 1;
}

/* subjectAltName: one iPAddress or one dNSName. Built as a structure, not
 * from a config string, so a name with ',' or ':' cannot inject entries. */
static int add_san(X509 *x, const char *name)
{
    GENERAL_NAMES *gens = GENERAL_NAMES_new();
    GENERAL_NAME *gn = GENERAL_NAME_new();
    int ok = 0;
    if (!gens || !gn)
        goto out;
    if (crypto_is_ip_literal(name)) {
        ASN1_OCTET_STRING *ip = a2i_IPADDRESS(name);
        if (!ip)
            goto out;
        GENERAL_NAME_set0_value(gn, GEN_IPADD, ip);
    } else {
        ASN1_IA5STRING *dns = ASN1_IA5STRING_new();
        if (!dns || ASN1_STRING_set(dns, name, (int)strlen(name)) != 1) {
            ASN1_IA5STRING_free(dns);
            goto out;
        }
        GENERAL_NAME_set0_value(gn, GEN_DNS, dns);
    }
    if (!sk_GENERAL_NAME_push(gens, gn))
        goto out;
    gn = NULL; /* owned by gens now */
    ok = X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
out:
    GENERAL_NAME_free(gn);
    GENERAL_NAMES_free(gens);
    return ok;
}

/* An extension from its OpenSSL config-string form (fixed strings only). */
static int add_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, &v3, nid, value);
    int ok = ext && X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

static int valid_name(const char *name)
{
    if (!name || !name[0] || strlen(name) > 253)
        return 0;
    for (const char *p = name; *p; p++)
        if (*p <= ' ' || *p >= 0x7f) /* printable ASCII, no spaces */
            return 0;
    return 1;
}

static X509 *build_cert(EVP_PKEY *pkey, const char *name)
{
    X509 *x = X509_new();
    int ok = x && X509_set_version(x, X509_VERSION_3) == 1 && set_random_serial(x) &&
             set_names(x, name) && X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
             X509_time_adj_ex(X509_getm_notAfter(x), 30, 0, NULL) &&
             X509_set_pubkey(x, pkey) == 1 && add_san(x, name) &&
             add_ext(x, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(x, NID_key_usage, "critical,digitalSignature") &&
             add_ext(x, NID_ext_key_usage, "serverAuth") &&
             add_ext(x, NID_subject_key_identifier, "hash") &&
             X509_sign(x, pkey, crypto_algs_get()->sha256) > 0;
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

wres crypto_make_self_signed(const char *name, crypto_key *key, crypto_chain *chain)
{
    crypto_key_adopt(key, NULL);
    ENSURE(valid_name(name), WARD_ERR_CONFIG);
    ENSURE(chain->n < CRYPTO_MAX_CHAIN, WARD_ERR_INTERNAL);
    EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = pkey ? build_cert(pkey, name) : NULL;
    unsigned char *der = NULL;
    int n = x ? i2d_X509(x, &der) : 0;
    wres r = n > 0 ? crypto_chain_add_der(chain, der, (size_t)n) : wres_err(WARD_ERR_INTERNAL);
    OPENSSL_free(der);
    X509_free(x);
    if (!wres_is_ok(r)) {
        EVP_PKEY_free(pkey);
        return crypto_fail(r.code);
    }
    crypto_key_adopt(key, pkey);
    crypto_key_prepare_sign(key);
    return wres_ok();
}
