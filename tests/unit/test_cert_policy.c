/* What ward refuses in a certificate, in a handshake between a ward
 * client and a ward server in memory, TLS 1.3 and 1.2, both roles (the
 * server's chain checked by the client, a client certificate checked by
 * the server): MD5 and SHA-1 signatures in the chain (RFC 8446 §4.4.2.4,
 * RFC 9155, RFC 6151) and keys under ward's size rule (RSA < 2048 bits,
 * EC < 224 bits) anywhere in it, pinned or verified; keyUsage against
 * the use the handshake makes of the key (RFC 8446 §4.4.2.2, RFC 5246
 * §7.4.2, RFC 5280 §4.2.1.3): the peer's, checked by either side
 * (unsupported_certificate), and the server's own, which it skips or
 * refuses; a client with no server name (fails closed). Each refusal
 * names the certificate and the reason, sends the alert its code maps
 * to, and delivers no application data. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn/internal.h"
#include "hs/test_hooks.h"
#include "selftalk.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/ward.h"

typedef struct {
    char chain[64], key[64], root[64];
} pki;

static char srv_cert[64], srv_key[64];
static uint8_t srv_pin[32];

static void make_pki(pki *p, const testpki_chain_spec *s)
{
    CHECK(testpki_chain(s, p->chain, p->key, p->root));
}

static void drop_pki(pki *p)
{
    unlink(p->chain);
    unlink(p->key);
    unlink(p->root);
}

typedef struct {
    ward_config *cc, *sc;
    ward_conn *c, *s;
} run;

/* Client and server configurations for one version; the caller finishes
 * them (trust, certificates) before run_go. */
static void run_init(run *r, uint16_t v)
{
    r->cc = ward_config_new_client();
    r->sc = ward_config_new_server();
    CHECK(ward_config_set_versions(r->cc, v, v) == WARD_OK);
    CHECK(ward_config_set_versions(r->sc, v, v) == WARD_OK);
    r->c = r->s = NULL;
}

/* The handshake, then the client writes "ping" (if it can): nothing may
 * arrive at a server that refused, or that was refused. */
static void run_go(run *r, const char *name)
{
    r->c = ward_conn_new(r->cc, name);
    r->s = ward_conn_new(r->sc, NULL);
    (void)selftalk_pump(r->c, r->s);
    if (ward_conn_state(r->c) == WARD_STATE_ESTABLISHED &&
        ward_conn_write(r->c, (const uint8_t *)"ping", 4) == WARD_OK)
        (void)selftalk_pump(r->c, r->s);
    if (getenv("WARD_TEST_VERBOSE"))
        fprintf(stderr, "client: %s / server: %s\n", ward_conn_error_message(r->c),
                ward_conn_error_message(r->s));
}

static void run_free(run *r)
{
    ward_conn_free(r->c);
    ward_conn_free(r->s);
    ward_config_free(r->cc);
    ward_config_free(r->sc);
}

static int nothing_delivered(ward_conn *c)
{
    uint8_t buf[8];
    size_t n = 1;
    (void)ward_conn_read(c, buf, sizeof buf, &n);
    return ward_conn_state(c) != WARD_STATE_ESTABLISHED && !ward_conn_readable(c) && n == 0;
}

/* The refusing side failed with code and exactly msg; the other side got
 * the alert (by name and number) and no data crossed. */
static void check_refused(ward_conn *refuser, ward_conn *other, ward_err code, const char *msg)
{
    CHECK_CODE(ward_conn_error(refuser), code);
    CHECK(strcmp(ward_conn_error_message(refuser), msg) == 0);
    if (strcmp(ward_conn_error_message(refuser), msg) != 0)
        fprintf(stderr, "  got  '%s'\n  want '%s'\n", ward_conn_error_message(refuser), msg);
    char alert[96];
    int a = ward_err_alert(code);
    snprintf(alert, sizeof alert, "peer sent alert %s (%d)", ward_alert_name(a), a);
    CHECK_CODE(ward_conn_error(other), WARD_ERR_PEER_ALERT);
    CHECK(strcmp(ward_conn_error_message(other), alert) == 0);
    CHECK(nothing_delivered(refuser) && nothing_delivered(other));
}

static int established(const run *r)
{
    return ward_conn_state(r->c) == WARD_STATE_ESTABLISHED &&
           ward_conn_state(r->s) == WARD_STATE_ESTABLISHED;
}

/* ---- item: the server's chain, checked by the client ---- */

static void server_chain(uint16_t v, const testpki_chain_spec *s, ward_err code, const char *msg)
{
    pki p;
    make_pki(&p, s);
    run r;
    run_init(&r, v);
    CHECK(ward_config_set_cafile(r.cc, p.root) == WARD_OK);
    CHECK(ward_config_set_cert_files(r.sc, p.chain, p.key) == WARD_OK);
    run_go(&r, "localhost");
    if (code == WARD_OK) {
        CHECK(established(&r));
        CHECK(ward_conn_peer_authenticated(r.c) == 1);
    } else {
        check_refused(r.c, r.s, code, msg);
        CHECK(ward_conn_peer_authenticated(r.c) == 0);
    }
    run_free(&r);
    drop_pki(&p);
}

/* ---- item: a client certificate, checked by the server ---- */

static void client_chain(uint16_t v, const testpki_chain_spec *s, ward_err code, const char *msg)
{
    pki p;
    make_pki(&p, s);
    run r;
    run_init(&r, v);
    CHECK(ward_config_set_pin_sha256(r.cc, srv_pin) == WARD_OK);
    CHECK(ward_config_set_cert_files(r.cc, p.chain, p.key) == WARD_OK);
    CHECK(ward_config_set_cert_files(r.sc, srv_cert, srv_key) == WARD_OK);
    CHECK(ward_config_set_client_verify(r.sc, WARD_CLIENT_CERT_REQUIRE, p.root) == WARD_OK);
    run_go(&r, "localhost");
    if (code == WARD_OK) {
        CHECK(established(&r));
        CHECK(ward_conn_peer_authenticated(r.s) == 1);
    } else {
        check_refused(r.s, r.c, code, msg);
        CHECK(ward_conn_peer_authenticated(r.s) == 0);
    }
    run_free(&r);
    drop_pki(&p);
}

static const char SHA1_LEAF[] =
    "certificate refused (subject CN=localhost): it is signed with SHA-1, which ward refuses "
    "(RFC 9155)";
static const char MD5_LEAF[] =
    "certificate refused (subject CN=localhost): it is signed with MD5, which ward refuses "
    "(RFC 6151)";
static const char RSA1024_INTER[] =
    "certificate refused (subject CN=Weak Intermediate): its 1024-bit RSA key is too small "
    "(ward requires at least 2048 bits)";
static const char P192_INTER[] =
    "certificate refused (subject CN=Weak Intermediate): its 192-bit EC key is too small "
    "(ward requires at least 224 bits)";

static void weak_chains(uint16_t v)
{
    testpki_chain_spec good = {.inter_kind = "rsa2048"};
    testpki_chain_spec sha1 = {.inter_kind = "rsa2048", .leaf_md = "sha1"};
    testpki_chain_spec md5 = {.inter_kind = "rsa2048", .leaf_md = "md5"};
    testpki_chain_spec rsa1024 = {.inter_kind = "rsa1024", .inter_cn = "Weak Intermediate"};
    testpki_chain_spec p192 = {.inter_kind = "p192", .inter_cn = "Weak Intermediate"};
    /* the chain: a SHA-1 leaf under an RSA-1024 intermediate */
    testpki_chain_spec both = {.inter_kind = "rsa1024", .inter_cn = "Weak Intermediate",
                               .leaf_md = "sha1"};
    char buf[300];

    server_chain(v, &good, WARD_OK, NULL);
    server_chain(v, &sha1, WARD_ERR_BAD_CERTIFICATE, SHA1_LEAF);
    server_chain(v, &md5, WARD_ERR_BAD_CERTIFICATE, MD5_LEAF);
    server_chain(v, &rsa1024, WARD_ERR_INSUFFICIENT_SECURITY, RSA1024_INTER);
    server_chain(v, &p192, WARD_ERR_INSUFFICIENT_SECURITY, P192_INTER);
    server_chain(v, &both, WARD_ERR_BAD_CERTIFICATE, SHA1_LEAF);

    client_chain(v, &good, WARD_OK, NULL);
    snprintf(buf, sizeof buf, "client certificate: %s", SHA1_LEAF);
    client_chain(v, &sha1, WARD_ERR_BAD_CERTIFICATE, buf);
    snprintf(buf, sizeof buf, "client certificate: %s", MD5_LEAF);
    client_chain(v, &md5, WARD_ERR_BAD_CERTIFICATE, buf);
    snprintf(buf, sizeof buf, "client certificate: %s", RSA1024_INTER);
    client_chain(v, &rsa1024, WARD_ERR_INSUFFICIENT_SECURITY, buf);
    snprintf(buf, sizeof buf, "client certificate: %s", P192_INTER);
    client_chain(v, &p192, WARD_ERR_INSUFFICIENT_SECURITY, buf);
    snprintf(buf, sizeof buf, "client certificate: %s", SHA1_LEAF);
    client_chain(v, &both, WARD_ERR_BAD_CERTIFICATE, buf);
}

/* A pinned RSA-1024 leaf: the pin says whose key it is, not that the key
 * is strong enough; the same rule and message. (The server takes the key
 * only through the RFC 8448 test hook.) */
static void pinned_weak_leaf(uint16_t v)
{
    static ward_test_hooks weak = {.allow_weak_rsa = 1};
    char cert[64], key[64];
    uint8_t pin[32];
    CHECK(testpki_self_signed("rsa1024", cert, key, pin));
    run r;
    run_init(&r, v);
    ward_config_set_test_hooks(r.sc, &weak);
    CHECK(ward_config_set_cert_files(r.sc, cert, key) == WARD_OK);
    CHECK(ward_config_set_pin_sha256(r.cc, pin) == WARD_OK);
    run_go(&r, "localhost");
    check_refused(r.c, r.s, WARD_ERR_INSUFFICIENT_SECURITY,
                  "server certificate refused (subject CN=localhost): its 1024-bit RSA key is "
                  "too small (ward requires at least 2048 bits)");
    run_free(&r);
    /* and the server's own key without the hook */
    ward_config *sc = ward_config_new_server();
    CHECK_CODE(ward_config_set_cert_files(sc, cert, key), WARD_ERR_INSUFFICIENT_SECURITY);
    ward_config_free(sc);
    unlink(cert);
    unlink(key);
}

/* ---- item: keyUsage for the use made of the key ---- */

/* A server that uses its key whatever its certificate says (as ward did):
 * the client must refuse. */
static void misuse_all(ward_config *sc)
{
    sc->key.usage = CRYPTO_USE_SIGN | CRYPTO_USE_ENCIPHER;
}

static const uint16_t ECDHE_RSA[] = {WARD_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256};
static const uint16_t RSA_KX[] = {WARD_TLS_RSA_WITH_AES_128_GCM_SHA256};

/* The server's leaf with keyUsage ku, used by a server that ignores it,
 * for suite (0: TLS 1.3); the client refuses it, verified and pinned. */
static void server_usage_misused(uint16_t suite, const char *ku, const char *want)
{
    pki p;
    testpki_chain_spec spec = {.leaf_kind = "rsa2048", .leaf_ku = ku};
    make_pki(&p, &spec);
    for (int pinned = 0; pinned < 2; pinned++) {
        run r;
        run_init(&r, suite ? WARD_TLS12 : WARD_TLS13);
        CHECK(ward_config_set_cert_files(r.sc, p.chain, p.key) == WARD_OK);
        misuse_all(r.sc);
        if (suite) {
            ward_config_set_rsa_key_transport(r.cc, 1);
            ward_config_set_rsa_key_transport(r.sc, 1);
            CHECK(ward_config_set_suites(r.cc, &suite, 1) == WARD_OK);
            CHECK(ward_config_set_suites(r.sc, &suite, 1) == WARD_OK);
        }
        if (pinned) {
            ward_cert_info ci;
            run probe = r; /* a first connection, only to learn the pin */
            CHECK(ward_config_set_cafile(r.cc, p.root) == WARD_OK);
            probe.c = ward_conn_new(r.cc, "localhost");
            probe.s = ward_conn_new(r.sc, NULL);
            (void)selftalk_pump(probe.c, probe.s);
            CHECK(ward_conn_peer_cert_info(probe.c, &ci) == WARD_OK);
            ward_conn_free(probe.c);
            ward_conn_free(probe.s);
            ward_config *cc = ward_config_new_client();
            CHECK(ward_config_set_versions(cc, suite ? WARD_TLS12 : WARD_TLS13,
                                           suite ? WARD_TLS12 : WARD_TLS13) == WARD_OK);
            if (suite) {
                ward_config_set_rsa_key_transport(cc, 1);
                CHECK(ward_config_set_suites(cc, &suite, 1) == WARD_OK);
            }
            CHECK(ward_config_set_pin_sha256(cc, ci.spki_sha256) == WARD_OK);
            ward_config_free(r.cc);
            r.cc = cc;
        } else {
            CHECK(ward_config_set_cafile(r.cc, p.root) == WARD_OK);
        }
        run_go(&r, "localhost");
        check_refused(r.c, r.s, WARD_ERR_UNSUPPORTED_CERTIFICATE, want);
        CHECK(ward_err_alert(WARD_ERR_UNSUPPORTED_CERTIFICATE) == 43);
        run_free(&r);
    }
    drop_pki(&p);
}

/* The server's own certificate: a use its keyUsage forbids is skipped
 * (TLS 1.2 suites) or refused with a handshake_failure that says why. */
static void server_usage_own(void)
{
    pki enc, sig, agree;
    testpki_chain_spec enc_s = {.leaf_kind = "rsa2048", .leaf_ku = "critical,keyEncipherment"};
    testpki_chain_spec sig_s = {.leaf_kind = "rsa2048", .leaf_ku = "critical,digitalSignature"};
    testpki_chain_spec agree_s = {.leaf_ku = "critical,keyAgreement"};
    make_pki(&enc, &enc_s);
    make_pki(&sig, &sig_s);
    make_pki(&agree, &agree_s);
    run r;

    /* TLS 1.3 with a keyEncipherment-only certificate: nothing to sign with */
    run_init(&r, WARD_TLS13);
    CHECK(ward_config_set_cafile(r.cc, enc.root) == WARD_OK);
    CHECK(ward_config_set_cert_files(r.sc, enc.chain, enc.key) == WARD_OK);
    run_go(&r, "localhost");
    check_refused(r.s, r.c, WARD_ERR_HANDSHAKE_FAILURE,
                  "the server's certificate cannot sign CertificateVerify: its keyUsage does not "
                  "allow digitalSignature, which TLS 1.3 needs (RFC 8446 4.4.2.2)");
    run_free(&r);

    /* TLS 1.2, ECDHE_RSA and RSA key transport offered: ECDHE is skipped */
    run_init(&r, WARD_TLS12);
    ward_config_set_rsa_key_transport(r.cc, 1);
    ward_config_set_rsa_key_transport(r.sc, 1);
    CHECK(ward_config_set_cafile(r.cc, enc.root) == WARD_OK);
    CHECK(ward_config_set_cert_files(r.sc, enc.chain, enc.key) == WARD_OK);
    run_go(&r, "localhost");
    CHECK(established(&r));
    CHECK(ward_conn_suite(r.c) == WARD_TLS_RSA_WITH_AES_128_GCM_SHA256 ||
          ward_conn_suite(r.c) == WARD_TLS_RSA_WITH_AES_256_GCM_SHA384);
    run_free(&r);

    /* TLS 1.2, only RSA key transport, a digitalSignature-only certificate */
    run_init(&r, WARD_TLS12);
    ward_config_set_rsa_key_transport(r.cc, 1);
    ward_config_set_rsa_key_transport(r.sc, 1);
    CHECK(ward_config_set_suites(r.cc, RSA_KX, 1) == WARD_OK);
    CHECK(ward_config_set_cafile(r.cc, sig.root) == WARD_OK);
    CHECK(ward_config_set_cert_files(r.sc, sig.chain, sig.key) == WARD_OK);
    run_go(&r, "localhost");
    check_refused(r.s, r.c, WARD_ERR_HANDSHAKE_FAILURE,
                  "no TLS 1.2 cipher suite, group and signature scheme in common with the client "
                  "and the server's key, whose certificate's keyUsage allows only "
                  "digitalSignature");
    run_free(&r);

    /* a certificate ward can do nothing with is refused at configuration */
    ward_config *sc = ward_config_new_server();
    CHECK_CODE(ward_config_set_cert_files(sc, agree.chain, agree.key),
               WARD_ERR_UNSUPPORTED_CERTIFICATE);
    CHECK_CODE(ward_config_add_cert_files(sc, agree.chain, agree.key),
               WARD_ERR_UNSUPPORTED_CERTIFICATE);
    ward_config_free(sc);
    drop_pki(&enc);
    drop_pki(&sig);
    drop_pki(&agree);
}

/* A client certificate without digitalSignature (keyAgreement passes
 * OpenSSL's TLS client purpose; keyEncipherment lets the client load it). */
static void client_usage(uint16_t v)
{
    testpki_chain_spec s = {.leaf_kind = "rsa2048",
                            .leaf_ku = "critical,keyEncipherment,keyAgreement"};
    client_chain(v, &s, WARD_ERR_UNSUPPORTED_CERTIFICATE,
                 "client certificate refused (subject CN=localhost): its keyUsage does not allow "
                 "digitalSignature, which the client needs to sign CertificateVerify");
    testpki_chain_spec ok = {.leaf_kind = "rsa2048", .leaf_ku = "critical,digitalSignature"};
    client_chain(v, &ok, WARD_OK, NULL);
}

static void key_usage(void)
{
    static const char ENC_ONLY[] = "critical,keyEncipherment";
    server_usage_misused(0, ENC_ONLY,
                         "server certificate refused (subject CN=localhost): its keyUsage does "
                         "not allow digitalSignature, which TLS 1.3 needs to sign "
                         "CertificateVerify (RFC 8446 4.4.2.2)");
    server_usage_misused(ECDHE_RSA[0], ENC_ONLY,
                         "server certificate refused (subject CN=localhost): its keyUsage does "
                         "not allow digitalSignature, which ECDHE needs to sign "
                         "ServerKeyExchange (RFC 5246 7.4.2)");
    server_usage_misused(RSA_KX[0], "critical,digitalSignature",
                         "server certificate refused (subject CN=localhost): its keyUsage does "
                         "not allow keyEncipherment, which RSA key transport needs (RFC 5246 "
                         "7.4.2)");
    server_usage_own();
    client_usage(WARD_TLS13);
    client_usage(WARD_TLS12);
}

/* ---- item: a client with no server name ---- */

static const char NO_NAME[] =
    "no server name to verify the certificate against: give one to ward_conn_new, pin the "
    "server's key, or opt out with ward_config_set_skip_hostname_check";

/* No name, no pin, no opt-out: the client refuses to start and sends
 * nothing; with the named opt-out the chain is verified but the server is
 * not called authenticated; with a pin it is. */
static void no_server_name(uint16_t v)
{
    pki p;
    testpki_chain_spec good = {0};
    make_pki(&p, &good);
    for (int mode = 0; mode < 3; mode++) {
        run r;
        run_init(&r, v);
        CHECK(ward_config_set_cafile(r.cc, p.root) == WARD_OK);
        CHECK(ward_config_set_cert_files(r.sc, p.chain, p.key) == WARD_OK);
        if (mode == 1)
            ward_config_set_skip_hostname_check(r.cc, 1);
        if (mode == 2) {
            uint8_t pin[32]; /* the leaf's, seen by a first connection with the name */
            ward_conn *probe = ward_conn_new(r.cc, "localhost");
            ward_cert_info ci;
            (void)selftalk_pump(probe, r.s = ward_conn_new(r.sc, NULL));
            CHECK(ward_conn_peer_cert_info(probe, &ci) == WARD_OK);
            memcpy(pin, ci.spki_sha256, 32);
            ward_conn_free(probe);
            ward_conn_free(r.s);
            CHECK(ward_config_set_pin_sha256(r.cc, pin) == WARD_OK);
        }
        size_t out = 1;
        r.c = ward_conn_new(r.cc, NULL);
        (void)ward_conn_output(r.c, &out);
        if (mode == 0) {
            CHECK(out == 0);
            CHECK_CODE(ward_conn_error(r.c), WARD_ERR_CONFIG);
            CHECK(strcmp(ward_conn_error_message(r.c), NO_NAME) == 0);
            CHECK(ward_conn_state(r.c) == WARD_STATE_FAILED);
            ward_conn_free(r.c);
            r.c = NULL;
            r.s = NULL;
        } else {
            ward_conn_free(r.c);
            run_go(&r, NULL);
            CHECK(established(&r));
            CHECK(ward_conn_peer_authenticated(r.c) == (mode == 2));
        }
        run_free(&r);
    }
    drop_pki(&p);
}

int main(void)
{
    CHECK(testpki_self_signed("p256", srv_cert, srv_key, srv_pin));
    const uint16_t versions[] = {WARD_TLS13, WARD_TLS12};
    for (size_t i = 0; i < 2; i++) {
        weak_chains(versions[i]);
        pinned_weak_leaf(versions[i]);
        no_server_name(versions[i]);
    }
    key_usage();
    unlink(srv_cert);
    unlink(srv_key);
    return test_report();
}
