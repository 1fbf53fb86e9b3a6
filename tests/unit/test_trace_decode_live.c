/* ward_trace_decode on real handshakes' events (the engine's trace hook,
 * both ends in memory): every message each end sends or receives decodes,
 * in TLS 1.3 with a HelloRetryRequest and a CertificateRequest, TLS 1.2
 * ECDHE and TLS 1.2 RSA key transport; the event's version and suite pick
 * the right forms (Certificate, ClientKeyExchange, NewSessionTicket). */
#include <stdio.h>
#include <string.h>

#include "selftalk.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/trace.h"
#include "ward/ward.h"

typedef struct {
    unsigned types;     /* bit t: a message of type t (< 32) decoded */
    int failed, hrr, rsa_kx, certs, cr_sigalgs, downgrade;
} seen;

static void on_event(void *arg, const ward_trace_event *ev)
{
    seen *s = arg;
    ward_trace_msg m;
    if (ev->kind != WARD_TRACE_MESSAGE)
        return;
    if (ward_trace_decode(ev, &m) != WARD_OK) {
        fprintf(stderr, "type %u (version %04x suite %04x) did not decode\n", ev->msg_type,
                ev->version, ev->suite);
        s->failed++;
        return;
    }
    if (m.type < 32)
        s->types |= 1u << m.type;
    s->hrr |= m.type == 2 && m.hrr;
    s->downgrade |= m.type == 2 && m.downgrade;
    s->rsa_kx |= m.type == 16 && m.rsa_kx;
    if (m.type == 11 && m.n_certs > 0) {
        s->certs = (int)m.n_certs;
        CHECK(m.certs[0].key_type[0] != '\0');
    }
    if (m.type == 13)
        s->cr_sigalgs = (int)m.n_sigalgs;
}

static char cert[64], key[64], rsa_cert[64], rsa_key[64];
static uint8_t pin[32], rsa_pin[32];

static void run(ward_config *sc, ward_config *cc, seen *cs, seen *ss)
{
    memset(cs, 0, sizeof *cs);
    memset(ss, 0, sizeof *ss);
    ward_config_set_trace(cc, on_event, cs);
    ward_config_set_trace(sc, on_event, ss);
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(sc, NULL);
    CHECK_CODE(selftalk_pump(c, s), WARD_OK);
    CHECK(ward_conn_version(c) != 0);
    ward_conn_free(c);
    ward_conn_free(s);
    CHECK(cs->failed == 0 && ss->failed == 0);
}

static ward_config *server(const char *c, const char *k, uint16_t version)
{
    ward_config *sc = ward_config_new_server();
    CHECK_CODE(ward_config_set_cert_files(sc, c, k), WARD_OK);
    CHECK_CODE(ward_config_set_versions(sc, WARD_TLS12, version), WARD_OK);
    /* a CertificateRequest; the client has no certificate */
    CHECK_CODE(ward_config_set_client_verify(sc, WARD_CLIENT_CERT_OPTIONAL, c), WARD_OK);
    return sc;
}

static ward_config *client(const uint8_t *p, uint16_t version)
{
    ward_config *cc = ward_config_new_client();
    ward_config_set_pin_sha256(cc, p);
    CHECK_CODE(ward_config_set_versions(cc, version, version), WARD_OK);
    return cc;
}

static void tls13_hrr(void)
{
    static const uint16_t client_groups[] = {WARD_GROUP_X25519, WARD_GROUP_SECP256R1};
    static const uint16_t server_groups[] = {WARD_GROUP_SECP256R1};
    ward_config *sc = server(cert, key, WARD_TLS13), *cc = client(pin, WARD_TLS13);
    CHECK_CODE(ward_config_set_groups(cc, client_groups, 2), WARD_OK);
    CHECK_CODE(ward_config_set_groups(sc, server_groups, 1), WARD_OK);
    seen cs, ss;
    run(sc, cc, &cs, &ss);
    /* ClientHello (twice), ServerHello (HRR too), EE, Certificate (ours
     * empty), CertificateRequest, CertificateVerify, Finished (no tickets:
     * a server asking for client certificates does not resume) */
    unsigned want = 1u << 1 | 1u << 2 | 1u << 8 | 1u << 11 | 1u << 13 | 1u << 15 | 1u << 20;
    CHECK((cs.types & want) == want && (ss.types & want) == want);
    CHECK(cs.hrr && ss.hrr && cs.certs == 1 && cs.cr_sigalgs > 0 && !cs.downgrade);
    ward_config_free(sc);
    ward_config_free(cc);
}

/* Without a CertificateRequest the server sends tickets. */
static void tls13_tickets(void)
{
    ward_config *sc = ward_config_new_server(), *cc = client(pin, WARD_TLS13);
    CHECK_CODE(ward_config_set_cert_files(sc, cert, key), WARD_OK);
    seen cs, ss;
    run(sc, cc, &cs, &ss);
    CHECK((cs.types & 1u << 4) && (ss.types & 1u << 4) && !(cs.types & 1u << 13));
    ward_config_free(sc);
    ward_config_free(cc);
}

static void tls12(const char *c, const char *k, const uint8_t *p, int rsa)
{
    ward_config *sc = server(c, k, WARD_TLS13), *cc = client(p, WARD_TLS12);
    if (rsa) {
        static const uint16_t suites[] = {WARD_TLS_RSA_WITH_AES_128_GCM_SHA256};
        ward_config_set_rsa_key_transport(sc, 1);
        ward_config_set_rsa_key_transport(cc, 1);
        CHECK_CODE(ward_config_set_suites(cc, suites, 1), WARD_OK);
    }
    seen cs, ss;
    run(sc, cc, &cs, &ss);
    unsigned want = 1u << 1 | 1u << 2 | 1u << 11 | 1u << 13 | 1u << 14 | 1u << 16 | 1u << 20;
    if (!rsa)
        want |= 1u << 12; /* ServerKeyExchange */
    CHECK((cs.types & want) == want && (ss.types & want) == want);
    CHECK(cs.rsa_kx == rsa && ss.rsa_kx == rsa && cs.certs == 1 && cs.cr_sigalgs > 0);
    CHECK(cs.downgrade); /* a 1.3-capable server's 1.2 ServerHello (RFC 8446 §4.1.3) */
    ward_config_free(sc);
    ward_config_free(cc);
}

int main(void)
{
    CHECK(testpki_self_signed("p256", cert, key, pin));
    CHECK(testpki_self_signed("rsa2048", rsa_cert, rsa_key, rsa_pin));
    tls13_hrr();
    tls13_tickets();
    tls12(cert, key, pin, 0);
    tls12(rsa_cert, rsa_key, rsa_pin, 1);
    remove(cert), remove(key), remove(rsa_cert), remove(rsa_key);
    return test_report();
}
