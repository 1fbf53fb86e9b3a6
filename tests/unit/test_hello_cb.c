/* The server's ClientHello callback and ALPN selection callback (issue
 * #18), ward ⇄ ward in memory, TLS 1.3 and 1.2: the identity the callback
 * chooses is presented (the configuration has none of its own), its
 * refusal reaches the client as the alert it asked for, the ClientHello
 * getters, ALPN picked / refused / left out, ward_conn_use_identity outside
 * the callback, and the identity objects' reference counting. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "selftalk.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/ward.h"

typedef struct {
    char cert[64], key[64];
} files;
static files f_a, f_b;
static ward_identity *id_a, *id_b;

/* What the callbacks saw. */
static struct {
    char name[256];
    size_t n_alpn;
    char alpn0[64];
    uint16_t max_version, version;
    size_t n_suites, n_groups, n_sigalgs;
    int calls, alpn_calls;
    int alpn_answer;
    ward_err use_err;
} seen;

static int on_hello(void *arg, ward_conn *c, const ward_client_hello *ch)
{
    (void)arg;
    seen.calls++;
    const char *n = ward_client_hello_server_name(ch);
    snprintf(seen.name, sizeof seen.name, "%s", n ? n : "(none)");
    const char *names[4];
    seen.n_alpn = ward_client_hello_alpn(ch, names, 4);
    snprintf(seen.alpn0, sizeof seen.alpn0, "%s", seen.n_alpn ? names[0] : "");
    seen.max_version = ward_client_hello_max_version(ch);
    seen.version = ward_client_hello_version(ch);
    uint16_t tmp[64];
    seen.n_suites = ward_client_hello_suites(ch, tmp, 64);
    seen.n_groups = ward_client_hello_groups(ch, tmp, 64);
    seen.n_sigalgs = ward_client_hello_sigalgs(ch, tmp, 64);
    if (!n || strcmp(n, "refuse.test") == 0)
        return WARD_ALERT_UNRECOGNIZED_NAME;
    if (strcmp(n, "deny.test") == 0)
        return WARD_ALERT_ACCESS_DENIED;
    seen.use_err = ward_conn_use_identity(c, strcmp(n, "b.test") == 0 ? id_b : id_a);
    return WARD_OK;
}

static int on_alpn(void *arg, ward_conn *c, const char *const *offered, size_t n)
{
    (void)arg;
    (void)c;
    seen.alpn_calls++;
    if (n != 2 || strcmp(offered[0], "h2") != 0 || strcmp(offered[1], "http/1.1") != 0)
        return -1;
    return seen.alpn_answer;
}

typedef struct {
    ward_err client, server;
    int peer_alert;      /* the alert the client received */
    char subject[256];
    char alpn[64];
} result;

static result run(ward_config *scfg, uint16_t version, const char *name)
{
    result r;
    memset(&r, 0, sizeof r);
    ward_config *ccfg = ward_config_new_client();
    ward_config_set_insecure_no_verify(ccfg, 1);
    CHECK_CODE(ward_config_set_versions(ccfg, version, version), WARD_OK);
    const char *protos[] = {"h2", "http/1.1"};
    CHECK_CODE(ward_config_set_alpn(ccfg, protos, 2), WARD_OK);
    ward_conn *c = ward_conn_new(ccfg, name), *s = ward_conn_new(scfg, NULL);
    (void)selftalk_pump(c, s);
    r.client = ward_conn_error(c);
    r.server = ward_conn_error(s);
    r.peer_alert = ward_conn_peer_alert(c);
    ward_cert_info ci;
    if (ward_conn_state(c) == WARD_STATE_ESTABLISHED &&
        ward_conn_peer_cert_info(c, &ci) == WARD_OK)
        snprintf(r.subject, sizeof r.subject, "%s", ci.subject);
    const char *a = ward_conn_alpn(c);
    snprintf(r.alpn, sizeof r.alpn, "%s", a ? a : "");
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(ccfg);
    return r;
}

static void identity_and_refusal(uint16_t v)
{
    /* No certificate of its own: every identity comes from the callback. */
    ward_config *s = ward_config_new_server();
    ward_config_set_client_hello_callback(s, on_hello, NULL);
    memset(&seen, 0, sizeof seen);
    result r = run(s, v, "a.test");
    CHECK_CODE(r.client, WARD_OK);
    CHECK_CODE(seen.use_err, WARD_OK);
    CHECK(strcmp(r.subject, "CN=a.test") == 0);
    CHECK(strcmp(seen.name, "a.test") == 0);
    CHECK(seen.n_alpn == 2 && strcmp(seen.alpn0, "h2") == 0);
    CHECK(seen.max_version == v && seen.version == v);
    CHECK(seen.n_suites > 0 && seen.n_groups > 0 && seen.n_sigalgs > 0);
    CHECK(seen.calls == 1);
    r = run(s, v, "b.test");
    CHECK_CODE(r.client, WARD_OK);
    CHECK(strcmp(r.subject, "CN=b.test") == 0);
    /* refused: the alert the callback asked for, and the error it maps to */
    r = run(s, v, "refuse.test");
    CHECK_CODE(r.client, WARD_ERR_PEER_ALERT);
    CHECK(r.peer_alert == WARD_ALERT_UNRECOGNIZED_NAME);
    CHECK_CODE(r.server, WARD_ERR_UNRECOGNIZED_NAME);
    r = run(s, v, "deny.test");
    CHECK_CODE(r.client, WARD_ERR_PEER_ALERT);
    CHECK(r.peer_alert == WARD_ALERT_ACCESS_DENIED);
    CHECK_CODE(r.server, WARD_ERR_HANDSHAKE_FAILURE);
    r = run(s, v, NULL);
    CHECK(r.peer_alert == WARD_ALERT_UNRECOGNIZED_NAME);
    CHECK(strcmp(seen.name, "(none)") == 0);
    ward_config_free(s);
}

static void alpn(uint16_t v)
{
    ward_config *s = ward_config_new_server();
    CHECK_CODE(ward_config_set_cert_files(s, f_a.cert, f_a.key), WARD_OK);
    const char *mine[] = {"h2"}; /* the callback overrides the configured list */
    CHECK_CODE(ward_config_set_alpn(s, mine, 1), WARD_OK);
    ward_config_set_alpn_select(s, on_alpn, NULL);
    memset(&seen, 0, sizeof seen);
    seen.alpn_answer = 1;
    result r = run(s, v, "a.test");
    CHECK_CODE(r.client, WARD_OK);
    CHECK(strcmp(r.alpn, "http/1.1") == 0);
    CHECK(seen.alpn_calls == 1);
    seen.alpn_answer = -2; /* no ALPN at all */
    r = run(s, v, "a.test");
    CHECK_CODE(r.client, WARD_OK);
    CHECK(strcmp(r.alpn, "") == 0);
    seen.alpn_answer = -1; /* refused */
    r = run(s, v, "a.test");
    CHECK_CODE(r.client, WARD_ERR_PEER_ALERT);
    CHECK(r.peer_alert == WARD_ALERT_NO_APPLICATION_PROTOCOL);
    CHECK_CODE(r.server, WARD_ERR_NO_APPLICATION_PROTOCOL);
    seen.alpn_answer = 7; /* out of range: an internal error, not a crash */
    r = run(s, v, "a.test");
    CHECK_CODE(r.server, WARD_ERR_INTERNAL);
    ward_config_free(s);
}

static void objects(void)
{
    ward_err e = WARD_OK;
    CHECK(ward_identity_new_files(f_a.cert, f_b.key, &e) == NULL);
    CHECK_CODE(e, WARD_ERR_CONFIG);
    CHECK(ward_identity_new_files("/nonexistent.pem", f_a.key, &e) == NULL);
    CHECK(e != WARD_OK);
    CHECK(ward_identity_new_files(NULL, f_a.key, NULL) == NULL);
    ward_identity *x = ward_identity_new_files(f_a.cert, f_a.key, &e);
    CHECK(x != NULL);
    CHECK(ward_identity_ref(x) == x);
    ward_identity_free(x);
    ward_identity_free(x); /* the last reference (ASan checks the count) */
    ward_identity_free(NULL);
    /* outside the callback */
    ward_config *s = ward_config_new_server();
    ward_conn *c = ward_conn_new(s, NULL);
    CHECK_CODE(ward_conn_use_identity(c, id_a), WARD_ERR_STATE);
    ward_conn_free(c);
    ward_config_free(s);
}

int main(void)
{
    CHECK(testpki_self_signed_names("p256", "a.test", "DNS:a.test", f_a.cert, f_a.key));
    CHECK(testpki_self_signed_names("rsa2048", "b.test", "DNS:b.test", f_b.cert, f_b.key));
    ward_err e;
    id_a = ward_identity_new_files(f_a.cert, f_a.key, &e);
    id_b = ward_identity_new_files(f_b.cert, f_b.key, &e);
    CHECK(id_a && id_b);
    identity_and_refusal(WARD_TLS13);
    identity_and_refusal(WARD_TLS12);
    alpn(WARD_TLS13);
    alpn(WARD_TLS12);
    objects();
    ward_identity_free(id_a);
    ward_identity_free(id_b);
    unlink(f_a.cert);
    unlink(f_a.key);
    unlink(f_b.cert);
    unlink(f_b.key);
    return test_report();
}
