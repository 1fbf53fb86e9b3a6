/* ward_cert_info's serial (colon-separated hex, cut past 26 bytes) and URI
 * subjectAltNames, from certificates made here with a chosen serial. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "testpki.h"
#include "testutil.h"
#include "ward/ward.h"

/* A self-signed P-256 certificate with serial hex (BN_hex2bn syntax) and
 * subjectAltName san, as DER in *der (OPENSSL_free it). */
static int make(const char *hex, const char *san, unsigned char **der)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    BIGNUM *bn = NULL;
    int ok = k && x && BN_hex2bn(&bn, hex) > 0;
    ok = ok && X509_set_version(x, 2) && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
    X509_NAME *n = X509_get_subject_name(x);
    ok = ok && X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                                          (const unsigned char *)"serial test", -1, -1, 0);
    ok = ok && X509_set_issuer_name(x, n) && X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
         X509_gmtime_adj(X509_getm_notAfter(x), 3600) && X509_set_pubkey(x, k);
    ok = ok && (!san || testpki_add_ext(x, x, NID_subject_alt_name, san));
    ok = ok && X509_sign(x, k, EVP_sha256()) > 0;
    int len = ok ? i2d_X509(x, der) : -1;
    BN_free(bn);
    X509_free(x);
    EVP_PKEY_free(k);
    return len;
}

static void one(const char *hex, const char *san, const char *want_serial, const char *want_san)
{
    unsigned char *der = NULL;
    int len = make(hex, san, &der);
    CHECK(len > 0);
    ward_cert_info info;
    CHECK_CODE(ward_cert_info_from_der(der, (size_t)len, &info), WARD_OK);
    if (strcmp(info.serial, want_serial) != 0)
        fprintf(stderr, "serial: got '%s', want '%s'\n", info.serial, want_serial);
    CHECK(strcmp(info.serial, want_serial) == 0);
    CHECK(strcmp(info.san, want_san) == 0);
    OPENSSL_free(der);
}

int main(void)
{
    one("1ABCDEF", "URI:https://a.test/x,DNS:a.test", "01:AB:CD:EF",
        "URI:https://a.test/x, DNS:a.test");
    one("0", NULL, "00", "");
    one("-2A", "URI:spiffe://example.org/svc", "-2A", "URI:spiffe://example.org/svc");
    /* 20 bytes, RFC 5280's most: whole. */
    one("7F0102030405060708090A0B0C0D0E0F10111213", NULL,
        "7F:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13", "");
    /* 30 bytes: cut, and never past the field. */
    one("010203040506070809101112131415161718192021222324252627282930", NULL,
        "01:02:03:04:05:06:07:08:09:10:11:12:13:14:15:16:17:18:19:20:21:22:23:24:25...",
        "");
    return test_report();
}
