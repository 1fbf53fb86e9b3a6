/* What a person wants to see of a certificate beyond its names and dates
 * (`ward client --showcerts`, `--check-expiry`): the key's type and size,
 * the subjectAltName entries (RFC 5280 §4.2.1.6), the serial number and
 * the validity period
 * as numbers. Only for display and for the expiry check: verification
 * has its own path (verify.c). */
#define _GNU_SOURCE /* timegm */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/x509v3.h>

#include "crypto/crypto_int.h"

static void key_text(X509 *x, crypto_cert_more *m)
{
    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (!pk) {
        snprintf(m->key_type, sizeof m->key_type, "unknown");
        return;
    }
    int bits = EVP_PKEY_get_bits(pk);
    m->key_bits = bits > 0 ? (unsigned)bits : 0;
    int id = EVP_PKEY_get_base_id(pk);
    char group[64] = "";
    size_t gl = 0;
    if (id == EVP_PKEY_EC &&
        EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &gl) == 1) {
        const char *nist = EC_curve_nid2nist(OBJ_txt2nid(group));
        snprintf(m->key_type, sizeof m->key_type, "EC %s", nist ? nist : group);
    } else if (id == EVP_PKEY_RSA) {
        snprintf(m->key_type, sizeof m->key_type, "RSA");
    } else if (id == EVP_PKEY_RSA_PSS) {
        snprintf(m->key_type, sizeof m->key_type, "RSA-PSS");
    } else if (id == EVP_PKEY_ED25519) {
        snprintf(m->key_type, sizeof m->key_type, "Ed25519");
    } else if (id == EVP_PKEY_ED448) {
        snprintf(m->key_type, sizeof m->key_type, "Ed448");
    } else {
        const char *sn = OBJ_nid2sn(id);
        snprintf(m->key_type, sizeof m->key_type, "%s", sn ? sn : "unknown");
    }
    ERR_clear_error();
}

/* Append "sep prefix value" to out, bounded; returns 0 once full. A
 * value is printable ASCII or shown as '?': names come from the peer. */
static int san_add(char *out, size_t cap, const char *prefix, const unsigned char *v,
                   size_t vl)
{
    size_t n = strlen(out);
    size_t need = (n ? 2 : 0) + strlen(prefix) + vl;
    if (n + need + 4 > cap) {
        if (n + 4 <= cap)
            memcpy(out + n, "...", 4);
        return 0;
    }
    if (n) {
        memcpy(out + n, ", ", 2);
        n += 2;
    }
    memcpy(out + n, prefix, strlen(prefix));
    n += strlen(prefix);
    for (size_t i = 0; i < vl; i++)
        out[n++] = (v[i] >= 0x20 && v[i] < 0x7f) ? (char)v[i] : '?';
    out[n] = '\0';
    return 1;
}

static int san_entry(char *out, size_t cap, const GENERAL_NAME *g)
{
    int type;
    const ASN1_STRING *s = GENERAL_NAME_get0_value(g, &type);
    const char *prefix = type == GEN_DNS ? "DNS:" : type == GEN_EMAIL ? "email:"
                                                  : type == GEN_URI   ? "URI:"
                                                                      : NULL;
    if (prefix && s)
        return san_add(out, cap, prefix, ASN1_STRING_get0_data(s),
                       (size_t)ASN1_STRING_length(s));
    if (type == GEN_IPADD && s) {
        char ip[INET6_ADDRSTRLEN] = "?";
        int l = ASN1_STRING_length(s);
        if (l == 4 || l == 16)
            inet_ntop(l == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s), ip, sizeof ip);
        return san_add(out, cap, "IP:", (const unsigned char *)ip, strlen(ip));
    }
    return san_add(out, cap, "other:", (const unsigned char *)"?", 1);
}

static void san_text(X509 *x, char *out, size_t cap)
{
    out[0] = '\0';
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++)
        if (!san_entry(out, cap, sk_GENERAL_NAME_value(names, i)))
            break;
    GENERAL_NAMES_free(names);
    ERR_clear_error();
}

/* The serial number (RFC 5280 §4.1.2.2: up to 20 octets, positive, but a
 * peer's may be anything) as colon-separated upper-case hex bytes,
 * "01:AB:CD", "-" first if negative; cut with "..." when too long. */
static void serial_text(X509 *x, char *out, size_t cap)
{
    out[0] = '\0';
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    unsigned char bytes[64];
    int n = bn ? BN_num_bytes(bn) : -1;
    if (n < 0 || (size_t)n > sizeof bytes) {
        snprintf(out, cap, "?");
    } else {
        size_t len = (size_t)BN_bn2bin(bn, bytes), o = 0;
        if (len == 0)
            bytes[len++] = 0;
        if (BN_is_negative(bn))
            out[o++] = '-';
        for (size_t i = 0; i < len; i++) {
            if (o + 3 + (i ? 1 : 0) + 4 > cap && i + 1 < len) {
                memcpy(out + o, "...", 4);
                o += 3;
                break;
            }
            o += (size_t)snprintf(out + o, cap - o, "%s%02X", i ? ":" : "", bytes[i]);
        }
        out[o] = '\0';
    }
    BN_free(bn);
    ERR_clear_error();
}

static int64_t time_value(const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error();
        return 0;
    }
    return (int64_t)timegm(&tm);
}

wres crypto_cert_details(const uint8_t *der, size_t len, crypto_cert_more *m)
{
    memset(m, 0, sizeof *m);
    X509 *x = crypto_x509_parse(der, len);
    ENSURE(x, WARD_ERR_BAD_CERTIFICATE);
    key_text(x, m);
    san_text(x, m->san, sizeof m->san);
    serial_text(x, m->serial, sizeof m->serial);
    m->not_before = time_value(X509_get0_notBefore(x));
    m->not_after = time_value(X509_get0_notAfter(x));
    X509_free(x);
    return wres_ok();
}
