/* Certificate chain verification for TLS server authentication (RFC 8446
 * §4.4.2.4, RFC 5280, RFC 6125), and the translation of OpenSSL's verdict
 * into a ward code plus a sentence a person can act on. */
#include <arpa/inet.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "crypto/crypto_int.h"

typedef struct {
    int error;        /* X509_V_ERR_* */
    int depth;        /* 0 = leaf */
    X509 *cert;       /* the certificate the error is about (may be NULL) */
    X509 *leaf;
    const char *host;
} verify_failure;

/* ---- messages ---- */

static void subject_of(const X509 *x, char *out, size_t cap)
{
    crypto_name_text(x ? X509_get_subject_name(x) : NULL, out, cap);
}

static void issuer_of(const X509 *x, char *out, size_t cap)
{
    crypto_name_text(x ? X509_get_issuer_name(x) : NULL, out, cap);
}

static WARD_MUST_CHECK wres msg_self_signed(const verify_failure *f, char *msg, size_t cap)
{
    char subject[256], pin[65] = "<hex>";
    uint8_t spki[32];
    subject_of(f->cert, subject, sizeof subject);
    /* The pin is always the leaf's key, whichever certificate is self-signed. */
    if (crypto_x509_spki_sha256(f->leaf, spki))
        for (size_t i = 0; i < sizeof spki; i++)
            snprintf(pin + 2 * i, 3, "%02x", spki[i]);
    if (f->depth == 0)
        crypto_msgf(msg, cap,
                    "certificate is self-signed and not trusted (subject %s); trust it with "
                    "--cafile or pin its key with --pin sha256:%s",
                    subject, pin);
    else
        crypto_msgf(msg, cap,
                    "the chain ends in a self-signed root that is not trusted (subject %s); "
                    "trust it with --cafile or pin the server's key with --pin sha256:%s",
                    subject, pin);
    return wres_err(WARD_ERR_SELF_SIGNED);
}

static WARD_MUST_CHECK wres msg_unknown_ca(const verify_failure *f, char *msg, size_t cap)
{
    char issuer[256];
    issuer_of(f->cert, issuer, sizeof issuer);
    crypto_msgf(msg, cap, "certificate issuer is not trusted (issuer %s)", issuer);
    return wres_err(WARD_ERR_UNKNOWN_CA);
}

/* Append s to the list in out ("a, b, c"); truncation is harmless. */
static void list_add(char *out, size_t cap, const char *s)
{
    size_t used = strlen(out);
    if (used + 1 < cap)
        snprintf(out + used, cap - used, "%s%s", used ? ", " : "", s);
}

static void list_san_entry(const GENERAL_NAME *gn, char *out, size_t cap)
{
    char ip[INET6_ADDRSTRLEN];
    if (gn->type == GEN_DNS) {
        const ASN1_IA5STRING *dns = gn->d.dNSName;
        char name[256];
        int n = ASN1_STRING_length(dns);
        if (n <= 0 || n >= (int)sizeof name)
            return;
        memcpy(name, ASN1_STRING_get0_data(dns), (size_t)n);
        name[n] = '\0';
        list_add(out, cap, name);
    } else if (gn->type == GEN_IPADD) {
        const ASN1_OCTET_STRING *a = gn->d.iPAddress;
        int n = ASN1_STRING_length(a);
        int af = n == 4 ? AF_INET : n == 16 ? AF_INET6 : 0;
        if (af && inet_ntop(af, ASN1_STRING_get0_data(a), ip, sizeof ip))
            list_add(out, cap, ip);
    }
}

/* The names the leaf is valid for: SAN DNS names and IPs, else the CN. */
static void cert_names(X509 *x, char *out, size_t cap)
{
    out[0] = '\0';
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++)
        list_san_entry(sk_GENERAL_NAME_value(gens, i), out, cap);
    GENERAL_NAMES_free(gens);
    if (out[0])
        return;
    const X509_NAME *subj = X509_get_subject_name(x);
    int idx = X509_NAME_get_index_by_NID(subj, NID_commonName, -1);
    const ASN1_STRING *cn = idx >= 0 ? X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subj, idx))
                                     : NULL;
    unsigned char *utf8 = NULL;
    if (cn && ASN1_STRING_to_UTF8(&utf8, cn) >= 0)
        list_add(out, cap, (const char *)utf8);
    OPENSSL_free(utf8);
}

static WARD_MUST_CHECK wres msg_host_mismatch(const verify_failure *f, char *msg, size_t cap)
{
    char names[512];
    cert_names(f->leaf, names, sizeof names);
    crypto_msgf(msg, cap, "certificate for '%s' does not match host '%s'", names,
                f->host ? f->host : "");
    return wres_err(WARD_ERR_HOSTNAME_MISMATCH);
}

static WARD_MUST_CHECK wres msg_other(const verify_failure *f, char *msg, size_t cap)
{
    char subject[256];
    subject_of(f->cert, subject, sizeof subject);
    crypto_msgf(msg, cap, "certificate verification failed: %s (depth %d, subject %s)",
                X509_verify_cert_error_string(f->error), f->depth, subject);
    return wres_err(WARD_ERR_BAD_CERTIFICATE);
}

static WARD_MUST_CHECK wres verify_failure_result(const verify_failure *f, char *msg, size_t cap)
{
    switch (f->error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return crypto_cert_time_message(f->cert, 1, f->depth, msg, cap);
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return crypto_cert_time_message(f->cert, 0, f->depth, msg, cap);
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return msg_self_signed(f, msg, cap);
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return msg_unknown_ca(f, msg, cap);
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return msg_host_mismatch(f, msg, cap);
    }
    return msg_other(f, msg, cap);
}

/* ---- verification ---- */

/* Parse the peer's chain: the leaf, and the rest as untrusted
 * intermediates (they only help build a path to a trust anchor). */
static WARD_MUST_CHECK wres parse_chain(cert_cache *cache, const span *certs, size_t n, X509 **leaf,
                                        STACK_OF(X509) **rest, char *msg, size_t cap)
{
    *leaf = NULL;
    *rest = sk_X509_new_null();
    if (!*rest)
        return crypto_fail(WARD_ERR_NOMEM);
    for (size_t i = 0; i < n; i++) {
        X509 *x = cert_cache_parse(cache, certs[i].p, certs[i].len);
        if (!x) {
            crypto_msgf(msg, cap, "certificate %zu of the chain could not be parsed", i);
            return wres_err(WARD_ERR_BAD_CERTIFICATE);
        }
        if (i == 0) {
            *leaf = x;
        } else if (!sk_X509_push(*rest, x)) {
            X509_free(x);
            return crypto_fail(WARD_ERR_NOMEM);
        }
    }
    return wres_ok();
}

/* TLS server purpose, the time, and the name to match (RFC 6125: a DNS
 * name against DNS SANs, falling back to the CN only when there are none;
 * an IP literal against iPAddress SANs only). */
static int set_checks(X509_STORE_CTX *ctx, const char *host, time_t now, int purpose)
{
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    if (X509_STORE_CTX_set_purpose(ctx, purpose) != 1)
        return 0;
    if (now)
        X509_VERIFY_PARAM_set_time(param, now);
    if (!host)
        return 1;
    if (crypto_is_ip_literal(host))
        return X509_VERIFY_PARAM_set1_ip_asc(param, host) == 1;
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    return X509_VERIFY_PARAM_set1_host(param, host, 0) == 1;
}

/* Every certificate of the verified chain, leaf to trust anchor: no key
 * under ward's size rule, no signature made with MD5 or SHA-1 (RFC 8446
 * §4.4.2.4, RFC 9155, RFC 6151). A self-signed trust anchor's own
 * signature is not checked: it is trusted as configured, not because of
 * that signature. Keys too small are insufficient_security (as for a
 * pinned leaf); weak signatures bad_certificate (§4.4.2.4 names it). */
static WARD_MUST_CHECK wres check_chain_strength(X509_STORE_CTX *ctx, char *msg, size_t cap)
{
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    int n = sk_X509_num(chain);
    for (int i = 0; i < n; i++) {
        X509 *x = sk_X509_value(chain, i);
        char why[160], subject[256];
        wres r = wres_ok();
        int anchor_self = i == n - 1 && (X509_get_extension_flags(x) & EXFLAG_SS);
        if (crypto_pkey_weak(X509_get0_pubkey(x), why, sizeof why))
            r = wres_err(WARD_ERR_INSUFFICIENT_SECURITY);
        else if (!anchor_self && crypto_x509_weak_signature(x, why, sizeof why))
            r = wres_err(WARD_ERR_BAD_CERTIFICATE);
        if (!wres_is_ok(r)) {
            subject_of(x, subject, sizeof subject);
            crypto_msgf(msg, cap, "certificate refused (subject %s): %s", subject, why);
            return r;
        }
    }
    return wres_ok();
}

static WARD_MUST_CHECK wres run_verify(const crypto_crls *crls, X509_STORE *store, X509 *leaf,
                                       STACK_OF(X509) *rest,
                                       const char *host, time_t now, int purpose, char *msg,
                                       size_t cap)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (!ctx)
        return crypto_fail(WARD_ERR_NOMEM);
    wres r = wres_ok();
    if (X509_STORE_CTX_init(ctx, store, leaf, rest) != 1 || !set_checks(ctx, host, now, purpose)) {
        r = wres_err(WARD_ERR_INTERNAL);
        crypto_msgf(msg, cap, "certificate verification could not be set up");
    } else if (X509_verify_cert(ctx) != 1) {
        verify_failure f = {
            .error = X509_STORE_CTX_get_error(ctx),
            .depth = X509_STORE_CTX_get_error_depth(ctx),
            .cert = X509_STORE_CTX_get_current_cert(ctx),
            .leaf = leaf,
            .host = host,
        };
        if (!f.cert)
            f.cert = leaf;
        r = verify_failure_result(&f, msg, cap);
    } else {
        r = check_chain_strength(ctx, msg, cap);
        if (wres_is_ok(r))
            r = crypto_crls_check(crls, X509_STORE_CTX_get0_chain(ctx), msg, cap);
    }
    X509_STORE_CTX_free(ctx);
    ERR_clear_error();
    return r;
}

wres crypto_chain_verify(const crypto_trust *t, const span *certs, size_t n, const char *host,
                         time_t now, char *msg, size_t msgcap)
{
    return crypto_chain_verify_key(t, certs, n, host, now, msg, msgcap, NULL);
}

static WARD_MUST_CHECK wres verify_for(const crypto_trust *t, const span *certs, size_t n,
                                       const char *host, time_t now, int purpose, char *msg,
                                       size_t msgcap, crypto_key *leaf_key);

wres crypto_chain_verify_key(const crypto_trust *t, const span *certs, size_t n, const char *host,
                             time_t now, char *msg, size_t msgcap, crypto_key *leaf_key)
{
    return verify_for(t, certs, n, host, now, X509_PURPOSE_SSL_SERVER, msg, msgcap, leaf_key);
}

/* Client certificates (mutual TLS): the TLS client purpose, so an
 * extendedKeyUsage without clientAuth, or a keyUsage without
 * digitalSignature, is refused; no name to match. */
wres crypto_chain_verify_client_key(const crypto_trust *t, const span *certs, size_t n,
                                    time_t now, char *msg, size_t msgcap, crypto_key *leaf_key)
{
    return verify_for(t, certs, n, NULL, now, X509_PURPOSE_SSL_CLIENT, msg, msgcap, leaf_key);
}

/* The DER subject Name of a certificate (for certificate_authorities). */
wres crypto_cert_subject_der(const uint8_t *der, size_t len, uint8_t *out, size_t cap,
                             size_t *outlen)
{
    X509 *x = crypto_x509_parse(der, len);
    if (!x)
        return wres_err(WARD_ERR_BAD_CERTIFICATE);
    int n = i2d_X509_NAME(X509_get_subject_name(x), NULL);
    wres r = wres_ok();
    if (n <= 0 || (size_t)n > cap) {
        r = wres_err(WARD_ERR_INTERNAL);
    } else {
        unsigned char *p = out;
        *outlen = (size_t)i2d_X509_NAME(X509_get_subject_name(x), &p);
    }
    X509_free(x);
    ERR_clear_error();
    return r;
}

static WARD_MUST_CHECK wres verify_for(const crypto_trust *t, const span *certs, size_t n,
                                       const char *host, time_t now, int purpose, char *msg,
                                       size_t msgcap, crypto_key *leaf_key)
{
    crypto_msgf(msg, msgcap, "%s", "");
    if (!t || !t->store) {
        crypto_msgf(msg, msgcap, "no trust anchors loaded");
        return wres_err(WARD_ERR_INTERNAL);
    }
    if (!certs || n == 0) {
        crypto_msgf(msg, msgcap, "the peer sent no certificate");
        return wres_err(WARD_ERR_BAD_CERTIFICATE);
    }
    if (host && !host[0]) { /* OpenSSL would treat "" as "no name to check" */
        crypto_msgf(msg, msgcap, "empty host name: the certificate cannot be matched");
        return wres_err(WARD_ERR_HOSTNAME_MISMATCH);
    }
    X509 *leaf;
    STACK_OF(X509) *rest;
    wres r = parse_chain(t->parsed, certs, n, &leaf, &rest, msg, msgcap);
    if (wres_is_ok(r))
        r = run_verify(t->crls, t->store, leaf, rest, host, now, purpose, msg, msgcap);
    if (wres_is_ok(r) && leaf_key) {
        /* The key from the certificate just parsed: parsing a certificate
         * again costs as much as the verification (OpenSSL 3 builds a
         * decoder chain for its key each time). */
        crypto_key_adopt(leaf_key, X509_get_pubkey(leaf));
        leaf_key->usage = crypto_x509_usage(leaf);
        if (!leaf_key->pkey)
            r = wres_err(WARD_ERR_BAD_CERTIFICATE);
    }
    X509_free(leaf);
    sk_X509_pop_free(rest, X509_free);
    return r;
}
