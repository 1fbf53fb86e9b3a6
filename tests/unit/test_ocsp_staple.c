/* OCSP stapling end to end in memory (RFC 6066 §8, RFC 8446 §4.4.2.1):
 * a CA, a leaf and OCSP responses made here with libcrypto; a ward server
 * staples them and a ward client checks them, in TLS 1.3 and 1.2: good,
 * revoked (certificate_revoked), expired and not-yet-valid responses
 * (bad_certificate_status_response), a response from an unrelated signer,
 * no staple with and without WARD_OCSP_REQUIRE, a client that does not ask,
 * and the server re-reading a replaced file; a response without
 * nextUpdate, accepted for 7 days after its thisUpdate or the configured
 * age; WARD_OCSP_REQUIRE refused with a pin or without verification (a
 * revoked staple was never read). */
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "selftalk.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/ward.h"

static EVP_PKEY *ca_key, *leaf_key, *rogue_key;
static X509 *ca, *leaf, *rogue;
static char dir[] = "/tmp/ward-ocsp-XXXXXX";
static char ca_pem[128], chain_pem[128], key_pem[128], staple[128];

static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                       long serial, int is_ca)
{
    X509 *x = X509_new();
    int ok = x && X509_set_version(x, 2) == 1 &&
             ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1 &&
             X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME *name = X509_get_subject_name(x);
    ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
                                          -1, 0) == 1;
    ok = ok && X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) == 1;
    ok = ok && X509_set_pubkey(x, key) == 1;
    if (is_ca)
        ok = ok && testpki_add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") &&
             testpki_add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
    else
        ok = ok && testpki_add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE") &&
             testpki_add_ext(x, issuer, NID_subject_alt_name, "DNS:localhost");
    ok = ok && X509_sign(x, issuer_key, EVP_sha256()) > 0;
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int write_pem(const char *path, X509 *a, X509 *b)
{
    FILE *f = fopen(path, "w");
    int ok = f && PEM_write_X509(f, a) == 1 && (!b || PEM_write_X509(f, b) == 1);
    if (f)
        fclose(f);
    return ok;
}

/* An OCSP response about the leaf, signed by signer, written to path.
 * this_off/next_off: seconds from now (next_off 0: no nextUpdate). */
static int write_response(const char *path, int status, X509 *signer, EVP_PKEY *signer_key,
                          long this_off, long next_off)
{
    OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
    OCSP_CERTID *id = OCSP_cert_to_id(NULL, leaf, ca);
    ASN1_TIME *thisupd = X509_gmtime_adj(NULL, this_off);
    ASN1_TIME *nextupd = next_off ? X509_gmtime_adj(NULL, next_off) : NULL;
    ASN1_TIME *revtime = X509_gmtime_adj(NULL, -7200);
    int revoked = status == V_OCSP_CERTSTATUS_REVOKED;
    int ok = bs && id &&
             OCSP_basic_add1_status(bs, id, status, revoked ? OCSP_REVOKED_STATUS_KEYCOMPROMISE : 0,
                                    revoked ? revtime : NULL, thisupd, nextupd) != NULL &&
             OCSP_basic_sign(bs, signer, signer_key, EVP_sha256(), NULL, 0) == 1;
    OCSP_RESPONSE *resp = ok ? OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs) : NULL;
    unsigned char *der = NULL;
    int n = resp ? i2d_OCSP_RESPONSE(resp, &der) : -1;
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = n > 0 ? fopen(tmp, "wb") : NULL;
    ok = f && fwrite(der, 1, (size_t)n, f) == (size_t)n;
    if (f)
        fclose(f);
    ok = ok && rename(tmp, path) == 0; /* replace atomically, as a renewal script would */
    OPENSSL_free(der);
    OCSP_RESPONSE_free(resp);
    ASN1_TIME_free(thisupd);
    ASN1_TIME_free(nextupd);
    ASN1_TIME_free(revtime);
    OCSP_CERTID_free(id);
    OCSP_BASICRESP_free(bs);
    return ok;
}

static int setup(void)
{
    if (!mkdtemp(dir))
        return 0;
    snprintf(ca_pem, sizeof ca_pem, "%s/ca.pem", dir);
    snprintf(chain_pem, sizeof chain_pem, "%s/chain.pem", dir);
    snprintf(key_pem, sizeof key_pem, "%s/leaf.key", dir);
    snprintf(staple, sizeof staple, "%s/staple.der", dir);
    ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    rogue_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ca = make_cert("ward unit CA", ca_key, NULL, ca_key, 1, 1);
    rogue = make_cert("ward unit CA", rogue_key, NULL, rogue_key, 1, 1); /* same name, other key */
    leaf = make_cert("localhost", leaf_key, ca, ca_key, 2, 0);
    FILE *kf = fopen(key_pem, "w");
    int ok = ca && rogue && leaf && kf && PEM_write_PrivateKey(kf, leaf_key, NULL, NULL, 0, NULL, NULL) == 1;
    if (kf)
        fclose(kf);
    return ok && write_pem(ca_pem, ca, NULL) && write_pem(chain_pem, leaf, ca);
}

static ward_config *server_cfg(int with_staple)
{
    ward_config *s = ward_config_new_server();
    CHECK(ward_config_set_cert_files(s, chain_pem, key_pem) == WARD_OK);
    if (with_staple)
        CHECK(ward_config_set_ocsp_file(s, staple) == WARD_OK);
    return s;
}

static uint32_t max_age; /* 0: the default */

/* One handshake; the client's error, its OCSP status, the server's error. */
static ward_err run(ward_config *scfg, uint16_t version, int mode, int *status, ward_err *serr,
                    char *msg, size_t cap)
{
    ward_config *ccfg = ward_config_new_client();
    CHECK(ward_config_set_cafile(ccfg, ca_pem) == WARD_OK);
    CHECK(ward_config_set_versions(ccfg, version, version) == WARD_OK);
    CHECK(ward_config_set_ocsp(ccfg, mode) == WARD_OK);
    if (max_age)
        CHECK(ward_config_set_ocsp_max_age(ccfg, max_age) == WARD_OK);
    ward_conn *c = ward_conn_new(ccfg, "localhost"), *s = ward_conn_new(scfg, NULL);
    (void)selftalk_pump(c, s);
    ward_err e = ward_conn_error(c);
    if (e == WARD_OK && ward_conn_state(c) != WARD_STATE_ESTABLISHED)
        e = WARD_ERR_STATE;
    *status = ward_conn_ocsp_status(c);
    if (serr)
        *serr = ward_conn_error(s);
    snprintf(msg, cap, "%s", ward_conn_error_message(c));
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(ccfg);
    return e;
}

static void each_version(uint16_t v)
{
    int st;
    ward_err se;
    char msg[320];
    ward_config *s;

    CHECK(write_response(staple, V_OCSP_CERTSTATUS_GOOD, ca, ca_key, -60, 3600));
    s = server_cfg(1);
    CHECK_CODE(run(s, v, WARD_OCSP_REQUIRE, &st, &se, msg, sizeof msg), WARD_OK);
    CHECK(st == WARD_OCSP_STATUS_GOOD);
    CHECK_CODE(run(s, v, WARD_OCSP_REQUEST, &st, &se, msg, sizeof msg), WARD_OK);
    CHECK(st == WARD_OCSP_STATUS_GOOD);
    CHECK_CODE(run(s, v, WARD_OCSP_OFF, &st, &se, msg, sizeof msg), WARD_OK); /* not sent */
    CHECK(st == WARD_OCSP_STATUS_NONE);

    /* the file is replaced: after a second, the next handshake staples the new one */
    sleep(1);
    CHECK(write_response(staple, V_OCSP_CERTSTATUS_REVOKED, ca, ca_key, -60, 3600));
    sleep(1);
    CHECK_CODE(run(s, v, WARD_OCSP_REQUEST, &st, &se, msg, sizeof msg), WARD_ERR_CERT_REVOKED);
    CHECK_CODE(se, WARD_ERR_PEER_ALERT); /* the server got certificate_revoked */
    CHECK(strstr(msg, "has been revoked (at ") && strstr(msg, "keyCompromise"));
    ward_config_free(s);

    static const struct {
        long this_off, next_off;
        int rogue;
        const char *text;
    } bad[] = {
        {-7200, -3600, 0, "it has expired (nextUpdate "},
        {3600, 7200, 0, "it is not valid yet (thisUpdate "},
        {-60, 3600, 1, "its signature does not verify"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK(write_response(staple, V_OCSP_CERTSTATUS_GOOD, bad[i].rogue ? rogue : ca,
                             bad[i].rogue ? rogue_key : ca_key, bad[i].this_off,
                             bad[i].next_off));
        s = server_cfg(1);
        CHECK_CODE(run(s, v, WARD_OCSP_REQUEST, &st, &se, msg, sizeof msg),
                   WARD_ERR_BAD_CERT_STATUS);
        if (!strstr(msg, bad[i].text))
            fprintf(stderr, "got '%s', want '%s'\n", msg, bad[i].text);
        CHECK(strstr(msg, bad[i].text) != NULL);
        CHECK(st == WARD_OCSP_STATUS_NONE);
        ward_config_free(s);
    }
    /* clock skew: a thisUpdate a minute ahead is fine */
    CHECK(write_response(staple, V_OCSP_CERTSTATUS_GOOD, ca, ca_key, 60, 3600));
    s = server_cfg(1);
    CHECK_CODE(run(s, v, WARD_OCSP_REQUIRE, &st, &se, msg, sizeof msg), WARD_OK);
    ward_config_free(s);

    /* no staple: fine unless required */
    s = server_cfg(0);
    CHECK_CODE(run(s, v, WARD_OCSP_REQUEST, &st, &se, msg, sizeof msg), WARD_OK);
    CHECK(st == WARD_OCSP_STATUS_NONE);
    CHECK_CODE(run(s, v, WARD_OCSP_REQUIRE, &st, &se, msg, sizeof msg), WARD_ERR_BAD_CERT_STATUS);
    CHECK(strstr(msg, "the server sent no OCSP staple") != NULL);
    ward_config_free(s);
}

/* RFC 6960 §4.2.2.1: without nextUpdate a response is bounded by the
 * client's max age after its thisUpdate (default 7 days). */
static void no_next_update(uint16_t v)
{
    int st;
    ward_err se;
    char msg[320];
    static const struct {
        long this_off;
        uint32_t age;
        const char *text; /* NULL: accepted */
    } cases[] = {
        {-86400, 0, NULL},
        {-8 * 86400, 0, "more than 604800 seconds ago); the server should fetch a fresh one"},
        {-1800, 3600, NULL},
        {-7200, 3600, "more than 3600 seconds ago); the server should fetch a fresh one"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK(write_response(staple, V_OCSP_CERTSTATUS_GOOD, ca, ca_key, cases[i].this_off, 0));
        ward_config *s = server_cfg(1);
        max_age = cases[i].age;
        ward_err e = run(s, v, WARD_OCSP_REQUIRE, &st, &se, msg, sizeof msg);
        max_age = 0;
        if (!cases[i].text) {
            CHECK_CODE(e, WARD_OK);
            CHECK(st == WARD_OCSP_STATUS_GOOD);
        } else {
            CHECK_CODE(e, WARD_ERR_BAD_CERT_STATUS);
            CHECK_CODE(se, WARD_ERR_PEER_ALERT); /* bad_certificate_status_response */
            static const char head[] = "the server's OCSP staple is not acceptable: it has no "
                                       "nextUpdate and is too old (thisUpdate ";
            CHECK(strncmp(msg, head, strlen(head)) == 0);
            CHECK(strstr(msg, cases[i].text) != NULL);
            if (!strstr(msg, cases[i].text))
                fprintf(stderr, "  got '%s'\n", msg);
            CHECK(st == WARD_OCSP_STATUS_NONE);
        }
        ward_config_free(s);
    }
    ward_config *c = ward_config_new_client();
    CHECK_CODE(ward_config_set_ocsp_max_age(c, 0), WARD_ERR_CONFIG);
    ward_config_free(c);
}

/* WARD_OCSP_REQUIRE with a pin or --insecure: the staple (revoked here)
 * could not be checked, so the combination is refused, by the setter
 * when the pin is already there, else by the connection before it sends
 * anything. */
static void require_unverifiable(uint16_t v)
{
    uint8_t pin[32];
    unsigned char *der = NULL;
    unsigned int mdlen = 0;
    int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &der);
    CHECK(len > 0 && EVP_Digest(der, (size_t)len, pin, &mdlen, EVP_sha256(), NULL) == 1);
    OPENSSL_free(der);
    CHECK(write_response(staple, V_OCSP_CERTSTATUS_REVOKED, ca, ca_key, -60, 3600));
    ward_config *s = server_cfg(1);
    for (int insecure = 0; insecure < 2; insecure++) {
        ward_config *c = ward_config_new_client();
        CHECK(ward_config_set_versions(c, v, v) == WARD_OK);
        CHECK(ward_config_set_ocsp(c, WARD_OCSP_REQUIRE) == WARD_OK); /* first: accepted */
        if (insecure)
            ward_config_set_insecure_no_verify(c, 1);
        else
            CHECK(ward_config_set_pin_sha256(c, pin) == WARD_OK);
        ward_conn *cl = ward_conn_new(c, "localhost"), *sv = ward_conn_new(s, NULL);
        size_t out = 1;
        (void)ward_conn_output(cl, &out);
        CHECK(out == 0); /* no ClientHello */
        (void)selftalk_pump(cl, sv);
        CHECK_CODE(ward_conn_error(cl), WARD_ERR_CONFIG);
        CHECK(strcmp(ward_conn_error_message(cl),
                     insecure ? "WARD_OCSP_REQUIRE cannot be honoured with insecure_no_verify: a "
                                "staple is checked against the trust anchors, which a connection "
                                "without verification does not use"
                              : "WARD_OCSP_REQUIRE cannot be honoured with a pinned key: a "
                                "staple is checked against the trust anchors, which a pin does "
                                "not use") == 0);
        CHECK(ward_conn_state(cl) == WARD_STATE_FAILED);
        CHECK(ward_conn_state(sv) == WARD_STATE_HANDSHAKING && !ward_conn_readable(sv));
        ward_conn_free(cl);
        ward_conn_free(sv);
        /* set the other way round: the setter says no */
        CHECK_CODE(ward_config_set_ocsp(c, WARD_OCSP_OFF), WARD_OK);
        CHECK_CODE(ward_config_set_ocsp(c, WARD_OCSP_REQUIRE), WARD_ERR_CONFIG);
        ward_config_free(c);
    }
    ward_config_free(s);
}

int main(void)
{
    if (!setup()) {
        fprintf(stderr, "cannot make the test PKI\n");
        return 1;
    }
    each_version(WARD_TLS13);
    each_version(WARD_TLS12);
    for (int i = 0; i < 2; i++) {
        no_next_update(i ? WARD_TLS12 : WARD_TLS13);
        require_unverifiable(i ? WARD_TLS12 : WARD_TLS13);
    }
    unlink(ca_pem);
    unlink(chain_pem);
    unlink(key_pem);
    unlink(staple);
    rmdir(dir);
    X509_free(ca);
    X509_free(leaf);
    X509_free(rogue);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(leaf_key);
    EVP_PKEY_free(rogue_key);
    return test_report();
}
