/* The verify callback (ward_config_set_verify_callback) on both roles and
 * both versions: it sees the chain and ward's verdict; it keeps it,
 * overrides a failure, or refuses with the alert it chose (the peer
 * receives that alert). The client's verify name (ward_conn_set_verify_name)
 * is what the certificate is checked against instead of the SNI name. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "selftalk.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/trace.h"
#include "ward/ward.h"

typedef struct {
    int answer;       /* what the callback returns */
    int calls;
    ward_err verdict; /* what it was shown */
    size_t n;
    int saw_leaf;     /* chain[0] is the DER ward_conn_peer_cert_der gives */
} seen;

static int decide(void *arg, const ward_conn *c, ward_err verdict, const uint8_t *const *chain,
                  const size_t *lens, size_t n)
{
    seen *s = arg;
    const uint8_t *der = NULL;
    size_t len = 0;
    s->calls++;
    s->verdict = verdict;
    s->n = n;
    s->saw_leaf = ward_conn_peer_cert_der(c, 0, &der, &len) == WARD_OK && n > 0 &&
                  len == lens[0] && memcmp(der, chain[0], len) == 0;
    return s->answer;
}

/* The trace's verdict: what the callback decided (1 ok, 0 refused). */
typedef struct {
    int verdicts, ok;
    char reason[320];
} traced;

static void on_trace(void *arg, const ward_trace_event *ev)
{
    traced *t = arg;
    if (ev->kind != WARD_TRACE_VERIFY)
        return;
    t->verdicts++;
    t->ok = ev->ok;
    snprintf(t->reason, sizeof t->reason, "%s", ev->reason ? ev->reason : "");
}

static char chain[64], key[64], root[64], self[64], self_key[64];

/* A client verifying the server (trusted: the root; or not: no CA file). */
static void client_side(uint16_t v, int trusted, int answer, ward_err want_verdict,
                        ward_err want, int want_alert)
{
    ward_config *cc = ward_config_new_client(), *sc = ward_config_new_server();
    CHECK(ward_config_set_versions(cc, v, v) == WARD_OK);
    CHECK(ward_config_set_versions(sc, v, v) == WARD_OK);
    CHECK(ward_config_set_cafile(cc, trusted ? root : self) == WARD_OK);
    CHECK(ward_config_set_cert_files(sc, trusted ? chain : self, trusted ? key : self_key) ==
          WARD_OK);
    seen s = {.answer = answer};
    traced t = {0};
    ward_config_set_verify_callback(cc, decide, &s);
    ward_config_set_trace(cc, on_trace, &t);
    ward_conn *c = ward_conn_new(cc, trusted ? "localhost" : "other.test");
    ward_conn *srv = ward_conn_new(sc, NULL);
    (void)selftalk_pump(c, srv);
    CHECK(s.calls == 1);
    CHECK_CODE(s.verdict, want_verdict);
    CHECK(s.n == (trusted ? 2u : 1u) && s.saw_leaf);
    CHECK_CODE(ward_conn_error(c), want);
    CHECK(t.verdicts == 1 && t.ok == (want == WARD_OK));
    if (want != WARD_OK)
        CHECK(strcmp(t.reason, ward_conn_error_message(c)) == 0);
    if (want == WARD_OK) {
        CHECK(ward_conn_state(c) == WARD_STATE_ESTABLISHED);
        CHECK(ward_conn_peer_authenticated(c) == 1);
    } else {
        CHECK(ward_conn_peer_alert(srv) == want_alert);
    }
    if (answer > 0)
        CHECK(strstr(ward_conn_error_message(c), "verify callback refused") != NULL);
    ward_conn_free(c);
    ward_conn_free(srv);
    ward_config_free(cc);
    ward_config_free(sc);
}

/* A server verifying a client certificate: refused with access_denied. */
static void server_side(uint16_t v, int answer, ward_err want)
{
    ward_config *cc = ward_config_new_client(), *sc = ward_config_new_server();
    CHECK(ward_config_set_versions(cc, v, v) == WARD_OK);
    CHECK(ward_config_set_versions(sc, v, v) == WARD_OK);
    CHECK(ward_config_set_cafile(cc, root) == WARD_OK);
    CHECK(ward_config_set_cert_files(sc, chain, key) == WARD_OK);
    CHECK(ward_config_set_cert_files(cc, chain, key) == WARD_OK);
    CHECK(ward_config_set_client_verify(sc, WARD_CLIENT_CERT_REQUIRE, root) == WARD_OK);
    seen s = {.answer = answer};
    ward_config_set_verify_callback(sc, decide, &s);
    ward_conn *c = ward_conn_new(cc, "localhost"), *srv = ward_conn_new(sc, NULL);
    (void)selftalk_pump(c, srv);
    CHECK(s.calls == 1 && s.n == 2 && s.saw_leaf);
    CHECK_CODE(s.verdict, WARD_OK);
    CHECK_CODE(ward_conn_error(srv), want);
    if (want != WARD_OK)
        CHECK(ward_conn_peer_alert(c) == answer);
    else
        CHECK(ward_conn_peer_authenticated(srv) == 1);
    ward_conn_free(c);
    ward_conn_free(srv);
    ward_config_free(cc);
    ward_config_free(sc);
}

/* The certificate names localhost; SNI says a.test. */
static void verify_name(uint16_t v, const char *name, ward_err want)
{
    ward_config *cc = ward_config_new_client(), *sc = ward_config_new_server();
    CHECK(ward_config_set_versions(cc, v, v) == WARD_OK);
    CHECK(ward_config_set_versions(sc, v, v) == WARD_OK);
    CHECK(ward_config_set_cafile(cc, root) == WARD_OK);
    CHECK(ward_config_set_cert_files(sc, chain, key) == WARD_OK);
    ward_conn *c = ward_conn_new(cc, "a.test"), *srv = ward_conn_new(sc, NULL);
    if (name)
        CHECK_CODE(ward_conn_set_verify_name(c, name), WARD_OK);
    CHECK_CODE(ward_conn_set_verify_name(srv, "x"), WARD_ERR_STATE);
    (void)selftalk_pump(c, srv);
    CHECK_CODE(ward_conn_error(c), want);
    CHECK(strcmp(ward_conn_server_name(srv), "a.test") == 0); /* SNI unchanged */
    CHECK_CODE(ward_conn_set_verify_name(c, "localhost"), WARD_ERR_STATE); /* too late */
    ward_conn_free(c);
    ward_conn_free(srv);
    ward_config_free(cc);
    ward_config_free(sc);
}

int main(void)
{
    testpki_chain_spec spec = {0};
    CHECK(testpki_chain(&spec, chain, key, root));
    CHECK(testpki_self_signed_names("p256", "Self", "DNS:self.test", self, self_key));
    const uint16_t versions[] = {WARD_TLS13, WARD_TLS12};
    for (size_t i = 0; i < 2; i++) {
        uint16_t v = versions[i];
        client_side(v, 1, WARD_VERIFY_DEFAULT, WARD_OK, WARD_OK, -1);
        client_side(v, 1, WARD_VERIFY_ACCEPT, WARD_OK, WARD_OK, -1);
        client_side(v, 1, WARD_ALERT_ACCESS_DENIED, WARD_OK, WARD_ERR_BAD_CERTIFICATE, 49);
        /* self.test's certificate is trusted (its own CA) but names
         * self.test, not other.test: ward says mismatch. */
        client_side(v, 0, WARD_VERIFY_DEFAULT, WARD_ERR_HOSTNAME_MISMATCH,
                    WARD_ERR_HOSTNAME_MISMATCH, 42);
        client_side(v, 0, WARD_VERIFY_ACCEPT, WARD_ERR_HOSTNAME_MISMATCH, WARD_OK, -1);
        client_side(v, 0, WARD_ALERT_UNKNOWN_CA, WARD_ERR_HOSTNAME_MISMATCH,
                    WARD_ERR_BAD_CERTIFICATE, 48);
        client_side(v, 1, 1000, WARD_OK, WARD_ERR_BAD_CERTIFICATE, WARD_ALERT_INTERNAL_ERROR);
        server_side(v, WARD_VERIFY_DEFAULT, WARD_OK);
        server_side(v, WARD_ALERT_ACCESS_DENIED, WARD_ERR_BAD_CERTIFICATE);
        verify_name(v, NULL, WARD_ERR_HOSTNAME_MISMATCH);
        verify_name(v, "localhost", WARD_OK);
    }
    unlink(chain);
    unlink(key);
    unlink(root);
    unlink(self);
    unlink(self_key);
    return test_report();
}
