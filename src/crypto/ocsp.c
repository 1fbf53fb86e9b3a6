/* OCSP responses (RFC 6960) for stapling (RFC 6066 §8, RFC 8446
 * §4.4.2.1): loading the server's DER file, and the client's check of a
 * staple against the chain it has just verified. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "crypto/crypto_int.h"

#define OCSP_MAX_FILE 65536
/* RFC 6960 §4.2.2.1 leaves the clock tolerance to local policy. */
#define OCSP_SKEW_SECONDS 300

static OCSP_RESPONSE *parse_response(const uint8_t *der, size_t len)
{
    if (!der || len == 0 || len > LONG_MAX)
        return NULL;
    const unsigned char *p = der;
    OCSP_RESPONSE *r = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
    if (r && p != der + len) { /* trailing bytes */
        OCSP_RESPONSE_free(r);
        r = NULL;
    }
    if (!r)
        ERR_clear_error();
    return r;
}

wres crypto_ocsp_load_file(const char *path, uint8_t **der, size_t *len)
{
    *der = NULL;
    *len = 0;
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f)
        return wres_err(WARD_ERR_CONFIG);
    uint8_t *buf = malloc(OCSP_MAX_FILE + 1);
    size_t n = buf ? fread(buf, 1, OCSP_MAX_FILE + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return wres_err(WARD_ERR_NOMEM);
    OCSP_RESPONSE *r = NULL;
    if (bad || n == 0 || n > OCSP_MAX_FILE || !(r = parse_response(buf, n))) {
        free(buf);
        return wres_err(WARD_ERR_CONFIG);
    }
    OCSP_RESPONSE_free(r);
    *der = buf;
    *len = n;
    return wres_ok();
}

/* ---- the client's check ---- */

static WARD_MUST_CHECK wres bad(char *msg, size_t cap, const char *what)
{
    crypto_msgf(msg, cap, "the server's OCSP staple is not acceptable: %s", what);
    ERR_clear_error();
    return wres_err(WARD_ERR_BAD_CERT_STATUS);
}

/* The leaf's issuer: in the peer's chain, else among the trust anchors. */
static X509 *find_issuer(X509_STORE *store, X509 *leaf, STACK_OF(X509) *rest)
{
    for (int i = 0; i < sk_X509_num(rest); i++) {
        X509 *cand = sk_X509_value(rest, i);
        if (X509_check_issued(cand, leaf) == X509_V_OK) {
            X509_up_ref(cand);
            return cand;
        }
    }
    X509 *issuer = NULL;
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (ctx && X509_STORE_CTX_init(ctx, store, leaf, rest) == 1 &&
        X509_STORE_CTX_get1_issuer(&issuer, ctx, leaf) != 1)
        issuer = NULL;
    X509_STORE_CTX_free(ctx);
    return issuer;
}

/* The single response about our certificate, whatever hash its CertID
 * uses (OCSP_resp_find_status would only find a SHA-1 one). */
static OCSP_SINGLERESP *find_single(OCSP_BASICRESP *bs, X509 *leaf, X509 *issuer)
{
    for (int i = 0; i < OCSP_resp_count(bs); i++) {
        OCSP_SINGLERESP *single = OCSP_resp_get0(bs, i);
        const OCSP_CERTID *theirs = OCSP_SINGLERESP_get0_id(single);
        ASN1_OBJECT *md_oid = NULL;
        if (!theirs || OCSP_id_get0_info(NULL, &md_oid, NULL, NULL, (OCSP_CERTID *)theirs) != 1)
            continue;
        const EVP_MD *md = EVP_get_digestbyobj(md_oid);
        OCSP_CERTID *mine = md ? OCSP_cert_to_id(md, leaf, issuer) : NULL;
        int same = mine && OCSP_id_cmp(mine, theirs) == 0;
        OCSP_CERTID_free(mine);
        if (same)
            return single;
    }
    return NULL;
}

/* RFC 6960 §4.2.2.1: a response without nextUpdate says newer
 * information is always available; taken at any age it would let a
 * server staple a "good" from before a revocation for ever. Such a
 * response is accepted for max_age seconds after its thisUpdate. */
static WARD_MUST_CHECK wres check_age(ASN1_GENERALIZEDTIME *this_upd, time_t at, uint32_t max_age,
                                      char *msg, size_t cap)
{
    char when[64], m[200];
    time_t oldest = at - (time_t)max_age - OCSP_SKEW_SECONDS;
    if (X509_cmp_time(this_upd, &oldest) > 0)
        return wres_ok();
    crypto_time_text(this_upd, when, sizeof when);
    snprintf(m, sizeof m,
             "it has no nextUpdate and is too old (thisUpdate %s, more than %lu seconds ago); "
             "the server should fetch a fresh one",
             when, (unsigned long)max_age);
    return bad(msg, cap, m);
}

static WARD_MUST_CHECK wres check_times(ASN1_GENERALIZEDTIME *this_upd,
                                        ASN1_GENERALIZEDTIME *next_upd, time_t now,
                                        uint32_t max_age, char *msg, size_t cap)
{
    char when[64], m[160];
    time_t at = now ? now : time(NULL);
    time_t later = at + OCSP_SKEW_SECONDS, earlier = at - OCSP_SKEW_SECONDS;
    if (!this_upd || X509_cmp_time(this_upd, &later) >= 0) { /* 0: unreadable */
        crypto_time_text(this_upd, when, sizeof when);
        snprintf(m, sizeof m, "it is not valid yet (thisUpdate %s)", when);
        return bad(msg, cap, m);
    }
    if (next_upd && X509_cmp_time(next_upd, &earlier) <= 0) {
        crypto_time_text(next_upd, when, sizeof when);
        snprintf(m, sizeof m, "it has expired (nextUpdate %s); the server should fetch a fresh one",
                 when);
        return bad(msg, cap, m);
    }
    if (!next_upd)
        return check_age(this_upd, at, max_age, msg, cap);
    return wres_ok();
}

static WARD_MUST_CHECK wres check_basic(OCSP_BASICRESP *bs, X509_STORE *store, X509 *leaf,
                                        STACK_OF(X509) *rest, time_t now, uint32_t max_age,
                                        char *msg, size_t cap)
{
    /* The signer must be the issuer itself, or a responder with the
     * OCSPSigning purpose whose certificate the issuer signed (RFC 6960
     * §4.2.2.2); its chain must lead to a trust anchor. */
    X509 *issuer = find_issuer(store, leaf, rest);
    if (!issuer)
        return bad(msg, cap, "the certificate's issuer could not be found to match it");
    /* A CA signing its own responses rarely includes its certificate: offer
     * the issuer (from the chain or the trust anchors) as a candidate. */
    if (!sk_X509_push(rest, issuer)) {
        X509_free(issuer);
        return bad(msg, cap, "out of memory");
    }
    if (OCSP_basic_verify(bs, rest, store, 0) != 1)
        return bad(msg, cap, "its signature does not verify, or its signer is neither the "
                             "certificate's issuer nor a responder the issuer authorized");
    OCSP_SINGLERESP *single = find_single(bs, leaf, issuer);
    if (!single)
        return bad(msg, cap, "it is about another certificate");
    int reason = -1;
    ASN1_GENERALIZEDTIME *rev = NULL, *this_upd = NULL, *next_upd = NULL;
    int status = OCSP_single_get0_status(single, &reason, &rev, &this_upd, &next_upd);
    GUARD(check_times(this_upd, next_upd, now, max_age, msg, cap));
    if (status == V_OCSP_CERTSTATUS_REVOKED) {
        char when[64];
        crypto_time_text(rev, when, sizeof when);
        crypto_msgf(msg, cap, "the server's certificate has been revoked (at %s%s%s)", when,
                    reason >= 0 ? ", reason " : "", reason >= 0 ? OCSP_crl_reason_str(reason) : "");
        ERR_clear_error();
        return wres_err(WARD_ERR_CERT_REVOKED);
    }
    if (status != V_OCSP_CERTSTATUS_GOOD)
        return bad(msg, cap, "the responder does not know the certificate (status unknown)");
    return wres_ok();
}

wres crypto_ocsp_check(const crypto_trust *t, const span *certs, size_t n, const uint8_t *resp,
                       size_t len, time_t now, uint32_t max_age, char *msg, size_t msgcap)
{
    crypto_msgf(msg, msgcap, "%s", "");
    if (!t || !t->store || !certs || n == 0)
        return bad(msg, msgcap, "there is no verified chain to check it against");
    OCSP_RESPONSE *r = parse_response(resp, len);
    if (!r)
        return bad(msg, msgcap, "it is not a DER OCSPResponse");
    wres res = wres_ok();
    OCSP_BASICRESP *bs = NULL;
    X509 *leaf = NULL;
    STACK_OF(X509) *rest = sk_X509_new_null();
    int st = OCSP_response_status(r);
    if (st != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
        char m[128];
        snprintf(m, sizeof m, "the responder answered '%s'", OCSP_response_status_str(st));
        res = bad(msg, msgcap, m);
    } else if (!(bs = OCSP_response_get1_basic(r))) {
        res = bad(msg, msgcap, "it is not a basic OCSP response");
    } else if (!rest || !(leaf = crypto_x509_parse(certs[0].p, certs[0].len))) {
        res = bad(msg, msgcap, "the certificate could not be parsed");
    } else {
        for (size_t i = 1; i < n && wres_is_ok(res); i++) {
            X509 *x = crypto_x509_parse(certs[i].p, certs[i].len);
            if (!x || !sk_X509_push(rest, x)) {
                X509_free(x);
                res = bad(msg, msgcap, "the chain could not be parsed");
            }
        }
        if (wres_is_ok(res))
            res = check_basic(bs, t->store, leaf, rest, now, max_age, msg, msgcap);
    }
    X509_free(leaf);
    sk_X509_pop_free(rest, X509_free);
    OCSP_BASICRESP_free(bs);
    OCSP_RESPONSE_free(r);
    ERR_clear_error();
    return res;
}
