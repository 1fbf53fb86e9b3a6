/* Certificates as DER blobs: chains loaded from PEM, SPKI pins, readable
 * descriptions and the validity-period check (trust stores: trust.c). Also the
 * small text helpers the verifier shares (crypto_int.h). */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "crypto/crypto_int.h"

/* ---- helpers ---- */

X509 *crypto_x509_parse(const uint8_t *der, size_t len)
{
    if (!der || len == 0 || len > LONG_MAX)
        return NULL;
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x && p != der + len) { /* trailing bytes after the certificate */
        X509_free(x);
        x = NULL;
    }
    if (!x)
        ERR_clear_error();
    return x;
}

void crypto_msgf(char *msg, size_t cap, const char *fmt, ...)
{
    if (!msg || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
    if (n < 0)
        msg[0] = '\0';
}

void crypto_time_text(const ASN1_TIME *t, char *out, size_t cap)
{
    struct tm tm;
    if (cap == 0)
        return;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1 ||
        strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
        ERR_clear_error();
        snprintf(out, cap, "?");
    }
}

void crypto_name_text(const X509_NAME *name, char *out, size_t cap)
{
    if (cap == 0)
        return;
    out[0] = '\0';
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio && name && X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        char *data = NULL;
        long n = BIO_get_mem_data(bio, &data);
        size_t len = n > 0 ? (size_t)n : 0;
        if (len >= cap)
            len = cap - 1;
        if (len)
            memcpy(out, data, len);
        out[len] = '\0';
    }
    BIO_free(bio);
    ERR_clear_error();
}

int crypto_is_ip_literal(const char *s)
{
    unsigned char buf[16];
    return s && (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1);
}

int crypto_x509_spki_sha256(const X509 *x, uint8_t out[32])
{
    unsigned char *spki = NULL;
    int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki);
    int ok = n > 0 && wres_is_ok(crypto_sha256(spki, (size_t)n, out));
    OPENSSL_free(spki);
    return ok;
}

/* ---- chains ---- */

wres crypto_chain_add_der(crypto_chain *ch, const uint8_t *der, size_t len)
{
    ENSURE(der && len, WARD_ERR_BAD_CERTIFICATE);
    ENSURE(ch->n < CRYPTO_MAX_CHAIN, WARD_ERR_BAD_CERTIFICATE); /* longer than we accept */
    uint8_t *copy = malloc(len);
    ENSURE(copy, WARD_ERR_NOMEM);
    memcpy(copy, der, len);
    ch->der[ch->n] = copy;
    ch->len[ch->n] = len;
    ch->n++;
    return wres_ok();
}

static WARD_MUST_CHECK wres chain_add_x509(crypto_chain *ch, X509 *x)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    if (n <= 0)
        return crypto_fail(WARD_ERR_CONFIG);
    wres r = crypto_chain_add_der(ch, der, (size_t)n);
    OPENSSL_free(der);
    return r;
}

/* After the last PEM block, PEM_read_bio_X509 fails with "no start line";
 * any other error means a damaged file. */
static int pem_clean_eof(void)
{
    unsigned long e = ERR_peek_last_error();
    return e == 0 || (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE);
}

/* Appends to ch (normally zeroed); on failure ch is left as it was. */
wres crypto_chain_load_pem_file(crypto_chain *ch, const char *path)
{
    BIO *bio = path ? BIO_new_file(path, "r") : NULL;
    if (!bio)
        return crypto_fail(WARD_ERR_CONFIG);
    crypto_chain tmp = {0};
    wres r = wres_ok();
    X509 *x;
    ERR_clear_error();
    while (wres_is_ok(r) && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        r = chain_add_x509(&tmp, x);
        X509_free(x);
    }
    BIO_free(bio);
    if (wres_is_ok(r) && (tmp.n == 0 || !pem_clean_eof() || ch->n + tmp.n > CRYPTO_MAX_CHAIN))
        r = wres_err(WARD_ERR_CONFIG);
    if (r.code == WARD_ERR_BAD_CERTIFICATE) /* more certificates than CRYPTO_MAX_CHAIN */
        r = wres_err(WARD_ERR_CONFIG);
    if (!wres_is_ok(r)) {
        crypto_chain_free(&tmp);
        return crypto_fail(r.code);
    }
    ERR_clear_error();
    for (size_t i = 0; i < tmp.n; i++) { /* move the blobs over */
        ch->der[ch->n] = tmp.der[i];
        ch->len[ch->n] = tmp.len[i];
        ch->n++;
    }
    return wres_ok();
}

void crypto_chain_free(crypto_chain *ch)
{
    if (!ch)
        return;
    for (size_t i = 0; i < ch->n && i < CRYPTO_MAX_CHAIN; i++)
        free(ch->der[i]);
    memset(ch, 0, sizeof *ch);
}

/* ---- single certificates ---- */

wres crypto_cert_spki_sha256(const uint8_t *der, size_t len, uint8_t out[32])
{
    X509 *x = crypto_x509_parse(der, len);
    int ok = x && crypto_x509_spki_sha256(x, out);
    X509_free(x);
    return ok ? wres_ok() : crypto_fail(WARD_ERR_BAD_CERTIFICATE);
}

wres crypto_cert_describe(const uint8_t *der, size_t len, crypto_cert_text *t)
{
    memset(t, 0, sizeof *t);
    X509 *x = crypto_x509_parse(der, len);
    ENSURE(x, WARD_ERR_BAD_CERTIFICATE);
    crypto_name_text(X509_get_subject_name(x), t->subject, sizeof t->subject);
    crypto_name_text(X509_get_issuer_name(x), t->issuer, sizeof t->issuer);
    crypto_time_text(X509_get0_notBefore(x), t->not_before, sizeof t->not_before);
    crypto_time_text(X509_get0_notAfter(x), t->not_after, sizeof t->not_after);
    X509_free(x);
    return wres_ok();
}

wres crypto_cert_time_message(const X509 *x, int expired, int depth, char *msg, size_t cap)
{
    char when[64];
    const char *which = depth > 0 ? "a certificate in the chain" : "certificate";
    if (expired) {
        crypto_time_text(X509_get0_notAfter(x), when, sizeof when);
        crypto_msgf(msg, cap, "%s has expired (notAfter %s)", which, when);
        return wres_err(WARD_ERR_CERT_EXPIRED);
    }
    crypto_time_text(X509_get0_notBefore(x), when, sizeof when);
    crypto_msgf(msg, cap, "%s is not yet valid (notBefore %s)", which, when);
    return wres_err(WARD_ERR_CERT_NOT_YET_VALID);
}

wres crypto_cert_check_time(const uint8_t *der, size_t len, time_t now, char *msg,
                            size_t msgcap)
{
    crypto_msgf(msg, msgcap, "%s", "");
    X509 *x = crypto_x509_parse(der, len);
    if (!x) {
        crypto_msgf(msg, msgcap, "the certificate could not be parsed");
        return wres_err(WARD_ERR_BAD_CERTIFICATE);
    }
    time_t *at = now ? &now : NULL; /* NULL: the current time */
    /* X509_cmp_time: -1 when the certificate time is <= at, 1 when later,
     * 0 when it cannot be read. */
    int before = X509_cmp_time(X509_get0_notBefore(x), at);
    int after = X509_cmp_time(X509_get0_notAfter(x), at);
    wres r = wres_ok();
    if (before == 0 || after == 0) {
        crypto_msgf(msg, msgcap, "the certificate has an unreadable validity period");
        r = wres_err(WARD_ERR_BAD_CERTIFICATE);
    } else if (before > 0) {
        r = crypto_cert_time_message(x, 0, 0, msg, msgcap);
    } else if (after < 0) {
        r = crypto_cert_time_message(x, 1, 0, msg, msgcap);
    }
    X509_free(x);
    ERR_clear_error();
    return r;
}
