/* Client certificates (mutual TLS) between a ward client and a ward server
 * in memory, TLS 1.3 and 1.2: required and presented (ECDSA, RSA,
 * Ed25519), required and absent (certificate_required in 1.3,
 * handshake_failure in 1.2), optional and absent, an untrusted client
 * certificate (unknown_ca), a CertificateVerify that does not verify
 * (decrypt_error), the identity the server sees, and post-handshake
 * authentication (TLS 1.3 §4.6.2). Crafted TLS 1.3 flights: a
 * CertificateRequest without signature_algorithms (missing_extension) or
 * with a context in the handshake, a client Certificate with a context, a
 * PKCS#1 CertificateVerify (illegal_parameter), a Finished in place of a
 * required Certificate (unexpected_message), and a post-handshake
 * CertificateRequest to a client that did not offer it. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn/internal.h"
#include "msg/msg.h"
#include "negpeer.h"
#include "selftalk.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/ward.h"

typedef struct {
    char cert[64], key[64];
    uint8_t pin[32];
} ident;

static ident server_id, ec_id, rsa_id, ed_id, other_id;

static ward_config *server_cfg(uint16_t version, int mode, const ident *trusted)
{
    ward_config *s = ward_config_new_server();
    CHECK(ward_config_set_cert_files(s, server_id.cert, server_id.key) == WARD_OK);
    CHECK(ward_config_set_versions(s, version, version) == WARD_OK);
    if (mode != WARD_CLIENT_CERT_NONE)
        CHECK(ward_config_set_client_verify(s, mode, trusted->cert) == WARD_OK);
    return s;
}

static ward_config *client_cfg(uint16_t version, const ident *id)
{
    ward_config *c = ward_config_new_client();
    ward_config_set_pin_sha256(c, server_id.pin);
    CHECK(ward_config_set_versions(c, WARD_TLS12, version) == WARD_OK);
    if (id)
        CHECK(ward_config_set_cert_files(c, id->cert, id->key) == WARD_OK);
    return c;
}

typedef struct {
    ward_config *cc, *sc;
    ward_conn *c, *s;
    ward_err e;
} run;

static void run_start(run *r, ward_config *cc, ward_config *sc)
{
    r->cc = cc;
    r->sc = sc;
    r->c = ward_conn_new(cc, "localhost");
    r->s = ward_conn_new(sc, NULL);
    r->e = WARD_OK;
}

static void run_go(run *r, ward_config *cc, ward_config *sc)
{
    run_start(r, cc, sc);
    r->e = selftalk_pump(r->c, r->s);
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

static int established(const run *r)
{
    return r->e == WARD_OK && ward_conn_state(r->c) == WARD_STATE_ESTABLISHED &&
           ward_conn_state(r->s) == WARD_STATE_ESTABLISHED;
}

/* Data both ways after the handshake: the client's Finished was right. */
static int talk(ward_conn *a, ward_conn *b)
{
    uint8_t buf[16];
    size_t n = 0;
    if (ward_conn_write(a, (const uint8_t *)"ping", 4) != WARD_OK || selftalk_pump(a, b) != WARD_OK)
        return 0;
    return ward_conn_read(b, buf, sizeof buf, &n) == WARD_OK && n == 4 && !memcmp(buf, "ping", 4);
}

static const char *vname(uint16_t v) { return v == WARD_TLS13 ? "1.3" : "1.2"; }

static void presented(uint16_t v, const ident *id, const char *kind)
{
    run r;
    run_go(&r, client_cfg(v, id), server_cfg(v, WARD_CLIENT_CERT_REQUIRE, id));
    CHECK(established(&r));
    CHECK(ward_conn_version(r.s) == v);
    CHECK(ward_conn_peer_authenticated(r.s) == 1);
    CHECK(ward_conn_peer_authenticated(r.c) == 1);
    ward_cert_info ci;
    CHECK(ward_conn_peer_cert_info(r.s, &ci) == WARD_OK);
    CHECK(strcmp(ci.subject, "CN=localhost") == 0);
    CHECK(memcmp(ci.spki_sha256, id->pin, 32) == 0);
    CHECK(talk(r.c, r.s));
    CHECK(talk(r.s, r.c));
    if (!established(&r))
        fprintf(stderr, "  TLS %s, %s client certificate failed\n", vname(v), kind);
    run_free(&r);
}

static void required_absent(uint16_t v)
{
    run r;
    run_go(&r, client_cfg(v, NULL), server_cfg(v, WARD_CLIENT_CERT_REQUIRE, &ec_id));
    CHECK(!established(&r));
    if (v == WARD_TLS13) {
        CHECK(ward_conn_error(r.s) == WARD_ERR_CERTIFICATE_REQUIRED);
        CHECK(ward_err_alert(WARD_ERR_CERTIFICATE_REQUIRED) == 116);
        CHECK(strstr(ward_conn_error_message(r.c), "certificate_required") != NULL);
    } else {
        CHECK(ward_conn_error(r.s) == WARD_ERR_HANDSHAKE_FAILURE);
        CHECK(strstr(ward_conn_error_message(r.c), "handshake_failure") != NULL);
    }
    CHECK(ward_conn_error(r.c) == WARD_ERR_PEER_ALERT);
    run_free(&r);
}

static void optional_absent(uint16_t v)
{
    run r;
    run_go(&r, client_cfg(v, NULL), server_cfg(v, WARD_CLIENT_CERT_OPTIONAL, &ec_id));
    CHECK(established(&r));
    CHECK(ward_conn_peer_authenticated(r.s) == 0);
    ward_cert_info ci;
    CHECK(ward_conn_peer_cert_info(r.s, &ci) == WARD_ERR_STATE);
    CHECK(talk(r.c, r.s));
    run_free(&r);
}

static void optional_presented(uint16_t v)
{
    run r;
    run_go(&r, client_cfg(v, &rsa_id), server_cfg(v, WARD_CLIENT_CERT_OPTIONAL, &rsa_id));
    CHECK(established(&r));
    CHECK(ward_conn_peer_authenticated(r.s) == 1);
    run_free(&r);
}

/* A certificate from outside the client CAs: unknown_ca, whether the
 * certificate is required or optional (a presented one must verify). */
static void untrusted(uint16_t v, int mode)
{
    run r;
    run_go(&r, client_cfg(v, &other_id), server_cfg(v, mode, &ec_id));
    CHECK(!established(&r));
    CHECK(ward_err_alert(ward_conn_error(r.s)) == 48);
    CHECK(strstr(ward_conn_error_message(r.s), "client certificate") != NULL);
    CHECK(strstr(ward_conn_error_message(r.c), "unknown_ca") != NULL);
    CHECK(ward_conn_peer_authenticated(r.s) == 0);
    run_free(&r);
}

/* A server that does not ask gets no certificate, and knows no client. */
static void not_asked(uint16_t v)
{
    run r;
    run_go(&r, client_cfg(v, &ec_id), server_cfg(v, WARD_CLIENT_CERT_NONE, NULL));
    CHECK(established(&r));
    CHECK(ward_conn_peer_authenticated(r.s) == 0);
    ward_cert_info ci;
    CHECK(ward_conn_peer_cert_info(r.s, &ci) == WARD_ERR_STATE);
    run_free(&r);
}

static void with_retry(void)
{
    run r;
    ward_config *sc = server_cfg(WARD_TLS13, WARD_CLIENT_CERT_REQUIRE, &ec_id);
    ward_config_set_force_hrr(sc, 1);
    run_go(&r, client_cfg(WARD_TLS13, &ec_id), sc);
    CHECK(established(&r));
    CHECK(ward_conn_did_hrr(r.c));
    CHECK(ward_conn_peer_authenticated(r.s) == 1);
    run_free(&r);
}

static void config_errors(void)
{
    ward_config *c = ward_config_new_client();
    CHECK(ward_config_set_client_verify(c, WARD_CLIENT_CERT_REQUIRE, ec_id.cert) ==
          WARD_ERR_CONFIG);
    ward_config_free(c);
    ward_config *s = ward_config_new_server();
    CHECK(ward_config_set_client_verify(s, WARD_CLIENT_CERT_REQUIRE, NULL) == WARD_ERR_CONFIG);
    CHECK(ward_config_set_client_verify(s, 7, ec_id.cert) == WARD_ERR_CONFIG);
    CHECK(ward_config_set_client_verify(s, WARD_CLIENT_CERT_OPTIONAL, "/nonexistent/ca.pem") !=
          WARD_OK);
    CHECK(ward_config_set_client_verify(s, WARD_CLIENT_CERT_NONE, NULL) == WARD_OK);
    ward_config_free(s);
}

/* ---- a CertificateVerify that does not verify: decrypt_error ---- */

/* TLS 1.3: open the client's last flight with its handshake secret, spoil
 * the signature, seal it again and hand it to the server. */
static void bad_cv13(void)
{
    neg_capture cap;
    neg_capture_init(&cap);
    ward_config *cc = client_cfg(WARD_TLS13, &ec_id);
    ward_config_set_test_hooks(cc, &cap.hooks);
    run r;
    run_start(&r, cc, server_cfg(WARD_TLS13, WARD_CLIENT_CERT_REQUIRE, &ec_id));
    CHECK(neg_move(r.c, r.s) == WARD_OK); /* ClientHello */
    CHECK(neg_move(r.s, r.c) == WARD_OK); /* the server's flight */
    static neg_buf out, in;
    out.len = in.len = 0;
    neg_take(r.c, &out);
    const uint8_t *secret = neg_secret(&cap, "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
    uint16_t suite = ward_conn_suite(r.c);
    static neg_msgs msgs;
    CHECK(secret && neg_split(out.b, out.len, suite, secret, &msgs));
    int found = 0;
    for (size_t i = 0; i < msgs.n; i++)
        if (msgs.m[i].type == 15 && msgs.m[i].len > 8) {
            msgs.m[i].body[msgs.m[i].len - 1] ^= 0x01;
            found = 1;
        }
    CHECK(found);
    static neg_buf ccs, hs;
    ccs.len = hs.len = 0;
    if (neg_first_record(out.b, out.len, CT_CHANGE_CIPHER_SPEC, &ccs))
        neg_put(&in, ccs.b, ccs.len);
    neg_join(&msgs, &hs);
    rec_dir d;
    CHECK(secret && neg_dir(&d, suite, secret, 1));
    neg_seal(&in, &d, CT_HANDSHAKE, hs.b, hs.len, 0);
    rec_dir_clear(&d);
    ward_err e = ward_conn_recv(r.s, in.b, in.len);
    CHECK_CODE(e, WARD_ERR_DECRYPT_ERROR);
    CHECK(strstr(ward_conn_error_message(r.s), "CertificateVerify") != NULL);
    CHECK(ward_conn_peer_authenticated(r.s) == 0);
    run_free(&r);
}

/* TLS 1.2: the client's Certificate, ClientKeyExchange and
 * CertificateVerify travel in the clear, one record each: spoil the last
 * byte of the CertificateVerify record. */
static void bad_cv12(void)
{
    run r;
    run_start(&r, client_cfg(WARD_TLS12, &rsa_id),
              server_cfg(WARD_TLS12, WARD_CLIENT_CERT_REQUIRE, &rsa_id));
    CHECK(neg_move(r.c, r.s) == WARD_OK);
    CHECK(neg_move(r.s, r.c) == WARD_OK);
    static neg_buf out;
    out.len = 0;
    neg_take(r.c, &out);
    int found = 0;
    for (size_t off = 0; off + 5 <= out.len;) {
        size_t rl = (size_t)out.b[off + 3] << 8 | out.b[off + 4];
        if (out.b[off] == CT_CHANGE_CIPHER_SPEC)
            break;
        if (out.b[off] == CT_HANDSHAKE && rl > 8 && out.b[off + 5] == 15) {
            out.b[off + 5 + rl - 1] ^= 0x01;
            found = 1;
        }
        off += 5 + rl;
    }
    CHECK(found);
    CHECK_CODE(ward_conn_recv(r.s, out.b, out.len), WARD_ERR_DECRYPT_ERROR);
    CHECK(ward_conn_peer_authenticated(r.s) == 0);
    run_free(&r);
}

/* ---- crafted TLS 1.3 flights: take one apart, change it, seal it again ---- */

typedef void (*mutator)(neg_msgs *m);

/* The plaintext records of out (ServerHello, CCS) as they were, then its
 * protected handshake messages, changed by mutate, sealed under secret. */
static void reseal(const neg_buf *out, uint16_t suite, const uint8_t *secret, mutator mutate,
                   neg_buf *in)
{
    static neg_msgs msgs;
    static neg_buf hs;
    in->len = hs.len = 0;
    for (size_t off = 0; off + 5 <= out->len;) {
        size_t rl = (size_t)out->b[off + 3] << 8 | out->b[off + 4];
        if (out->b[off] != CT_APPLICATION_DATA)
            neg_put(in, out->b + off, 5 + rl);
        off += 5 + rl;
    }
    CHECK(neg_split(out->b, out->len, suite, secret, &msgs));
    size_t kept = 0; /* the plaintext ServerHello went out as it was */
    for (size_t i = 0; i < msgs.n; i++)
        if (msgs.m[i].type != 2)
            msgs.m[kept++] = msgs.m[i];
    msgs.n = kept;
    mutate(&msgs);
    neg_join(&msgs, &hs);
    rec_dir d;
    CHECK(neg_dir(&d, suite, secret, 1));
    neg_seal(in, &d, CT_HANDSHAKE, hs.b, hs.len, 0);
    rec_dir_clear(&d);
}

static neg_msg *find_msg(neg_msgs *m, uint8_t type)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->m[i].type == type)
            return &m->m[i];
    return NULL;
}

static void drop_msg(neg_msgs *m, uint8_t type)
{
    size_t kept = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->m[i].type != type)
            m->m[kept++] = m->m[i];
    m->n = kept;
}

/* CertificateRequest: context<0..255> extensions<2..2^16-1> */
static void cr_no_sigalgs(neg_msgs *m)
{
    neg_msg *cr = find_msg(m, HS_CERTIFICATE_REQUEST);
    CHECK(cr != NULL);
    if (cr) { /* an empty context and one unknown, empty extension */
        static const uint8_t body[] = {0, 0, 4, 0xfa, 0xfa, 0, 0};
        memcpy(cr->body, body, sizeof body);
        cr->len = sizeof body;
    }
}

/* Both messages start with certificate_request_context: make it 1 byte. */
static void add_context(neg_msgs *m, uint8_t type)
{
    neg_msg *msg = find_msg(m, type);
    CHECK(msg != NULL && msg->len > 0 && msg->body[0] == 0);
    if (msg && msg->len > 0 && msg->len + 1 < sizeof msg->body) {
        memmove(msg->body + 2, msg->body + 1, msg->len - 1);
        msg->body[0] = 1;
        msg->body[1] = 0x42;
        msg->len++;
    }
}

static void cr_with_context(neg_msgs *m) { add_context(m, HS_CERTIFICATE_REQUEST); }
static void cert_with_context(neg_msgs *m) { add_context(m, HS_CERTIFICATE); }

static void no_client_cert(neg_msgs *m)
{
    drop_msg(m, HS_CERTIFICATE);
    drop_msg(m, HS_CERTIFICATE_VERIFY);
}

static void cv_pkcs1(neg_msgs *m)
{
    neg_msg *cv = find_msg(m, HS_CERTIFICATE_VERIFY);
    CHECK(cv != NULL);
    if (cv) { /* rsa_pkcs1_sha256: never in TLS 1.3 CertificateVerify */
        cv->body[0] = 0x04;
        cv->body[1] = 0x01;
    }
}

/* What from has to send, opened under the handshake traffic secret the
 * key log gave (label), changed by mutate, sealed again and handed to to,
 * which must fail with want. */
static void deliver_changed(ward_conn *from, ward_conn *to, neg_capture *cap, const char *label,
                            mutator mutate, const char *name, ward_err want)
{
    static neg_buf out, in;
    out.len = 0;
    neg_take(from, &out);
    const uint8_t *secret = neg_secret(cap, label);
    CHECK(secret != NULL);
    if (secret)
        reseal(&out, ward_conn_suite(from), secret, mutate, &in);
    ward_err e = ward_conn_recv(to, in.b, in.len);
    if (e != want)
        fprintf(stderr, "  %s: %s\n", name, ward_conn_error_message(to));
    CHECK_CODE(e, want);
}

/* The server's flight to the client, changed: the client must fail with want. */
static void crafted_server_flight(const char *name, mutator mutate, ward_err want)
{
    neg_capture cap;
    neg_capture_init(&cap);
    ward_config *sc = server_cfg(WARD_TLS13, WARD_CLIENT_CERT_REQUIRE, &ec_id);
    ward_config_set_test_hooks(sc, &cap.hooks);
    run r;
    run_start(&r, client_cfg(WARD_TLS13, &ec_id), sc);
    CHECK(neg_move(r.c, r.s) == WARD_OK);
    deliver_changed(r.s, r.c, &cap, "SERVER_HANDSHAKE_TRAFFIC_SECRET", mutate, name, want);
    run_free(&r);
}

/* The client's last flight to the server, changed: the server must fail
 * with want. */
static void crafted_client_flight(const char *name, mutator mutate, ward_err want)
{
    neg_capture cap;
    neg_capture_init(&cap);
    ward_config *cc = client_cfg(WARD_TLS13, &ec_id);
    ward_config_set_test_hooks(cc, &cap.hooks);
    run r;
    run_start(&r, cc, server_cfg(WARD_TLS13, WARD_CLIENT_CERT_REQUIRE, &ec_id));
    CHECK(neg_move(r.c, r.s) == WARD_OK);
    CHECK(neg_move(r.s, r.c) == WARD_OK);
    deliver_changed(r.c, r.s, &cap, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", mutate, name, want);
    CHECK(ward_conn_peer_authenticated(r.s) == 0);
    run_free(&r);
}

static void crafted(void)
{
    crafted_server_flight("CertificateRequest without signature_algorithms", cr_no_sigalgs,
                          WARD_ERR_MISSING_EXTENSION);
    crafted_server_flight("CertificateRequest with a context in the handshake", cr_with_context,
                          WARD_ERR_ILLEGAL_PARAMETER);
    crafted_client_flight("client Certificate with a context", cert_with_context,
                          WARD_ERR_ILLEGAL_PARAMETER);
    crafted_client_flight("Finished where the Certificate belongs", no_client_cert,
                          WARD_ERR_UNEXPECTED_MESSAGE);
    crafted_client_flight("CertificateVerify with rsa_pkcs1_sha256", cv_pkcs1,
                          WARD_ERR_ILLEGAL_PARAMETER);
}

/* ---- post-handshake authentication (TLS 1.3 §4.6.2) ---- */

static void pha_connect(run *r, const ident *client_id, int offer, uint16_t v)
{
    ward_config *cc = client_cfg(v, client_id);
    ward_config_set_post_handshake_auth(cc, offer);
    run_go(r, cc, server_cfg(v, WARD_CLIENT_CERT_POST_HANDSHAKE, &ec_id));
}

static void pha_ok(void)
{
    run r;
    pha_connect(&r, &ec_id, 1, WARD_TLS13);
    CHECK(established(&r));
    CHECK(ward_conn_peer_authenticated(r.s) == 0); /* no CertificateRequest in the handshake */
    for (int round = 0; round < 2; round++) {
        CHECK_CODE(ward_conn_request_client_cert(r.s), WARD_OK);
        CHECK_CODE(ward_conn_request_client_cert(r.s), WARD_ERR_STATE); /* one at a time */
        ward_err e = selftalk_pump(r.c, r.s);
        CHECK_CODE(e, WARD_OK);
        if (e != WARD_OK)
            fprintf(stderr, "  client: %s / server: %s\n", ward_conn_error_message(r.c),
                    ward_conn_error_message(r.s));
        CHECK(ward_conn_peer_authenticated(r.s) == 1);
        ward_cert_info ci;
        CHECK(ward_conn_peer_cert_info(r.s, &ci) == WARD_OK);
        CHECK(memcmp(ci.spki_sha256, ec_id.pin, 32) == 0);
        CHECK(talk(r.c, r.s));
        CHECK(talk(r.s, r.c));
        CHECK(ward_conn_key_update(r.c, 1) == WARD_OK); /* the next round under new secrets */
        CHECK(selftalk_pump(r.c, r.s) == WARD_OK);
    }
    run_free(&r);
}

static void pha_refused(void)
{
    run r;
    /* the client did not offer it */
    pha_connect(&r, &ec_id, 0, WARD_TLS13);
    CHECK(established(&r));
    CHECK_CODE(ward_conn_request_client_cert(r.s), WARD_ERR_STATE);
    run_free(&r);
    /* TLS 1.2 has none */
    pha_connect(&r, &ec_id, 1, WARD_TLS12);
    CHECK(established(&r));
    CHECK_CODE(ward_conn_request_client_cert(r.s), WARD_ERR_STATE);
    CHECK_CODE(ward_conn_request_client_cert(r.c), WARD_ERR_STATE);
    run_free(&r);
    /* a client without a certificate: certificate_required */
    pha_connect(&r, NULL, 1, WARD_TLS13);
    CHECK(established(&r));
    CHECK_CODE(ward_conn_request_client_cert(r.s), WARD_OK);
    CHECK(selftalk_pump(r.c, r.s) == WARD_ERR_CERTIFICATE_REQUIRED);
    CHECK(strstr(ward_conn_error_message(r.c), "certificate_required") != NULL);
    CHECK(ward_conn_peer_authenticated(r.s) == 0);
    run_free(&r);
    /* another CA's certificate: unknown_ca */
    pha_connect(&r, &other_id, 1, WARD_TLS13);
    CHECK(established(&r));
    CHECK_CODE(ward_conn_request_client_cert(r.s), WARD_OK);
    CHECK(selftalk_pump(r.c, r.s) == WARD_ERR_SELF_SIGNED);
    CHECK(strstr(ward_conn_error_message(r.c), "unknown_ca") != NULL);
    run_free(&r);
}

/* A server that verifies clients in the handshake never resumes: a resumed
 * handshake would carry no client certificate. With PHA only, it does. */
static void no_resumption(uint16_t v)
{
    ward_config *sc = server_cfg(v, WARD_CLIENT_CERT_REQUIRE, &ec_id);
    ward_config *cc = client_cfg(v, &ec_id);
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(sc, NULL);
    CHECK(selftalk_pump(c, s) == WARD_OK);
    CHECK(ward_conn_peer_authenticated(s) == 1);
    ward_session *sess = ward_conn_get_session(c);
    if (v == WARD_TLS13)
        CHECK(sess == NULL); /* no NewSessionTicket */
    ward_conn_free(c);
    ward_conn_free(s);
    if (sess) { /* offered anyway: a full handshake, with the certificate */
        c = ward_conn_new_resuming(cc, "localhost", sess, NULL, 0);
        s = ward_conn_new(sc, NULL);
        CHECK(selftalk_pump(c, s) == WARD_OK);
        CHECK(ward_conn_resumed(s) == 0);
        CHECK(ward_conn_peer_authenticated(s) == 1);
        ward_conn_free(c);
        ward_conn_free(s);
        ward_session_free(sess);
    }
    ward_config_free(cc);
    ward_config_free(sc);
}

static void pha_after_resumption(void)
{
    ward_config *sc = server_cfg(WARD_TLS13, WARD_CLIENT_CERT_POST_HANDSHAKE, &ec_id);
    ward_config *cc = client_cfg(WARD_TLS13, &ec_id);
    ward_config_set_post_handshake_auth(cc, 1);
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(sc, NULL);
    CHECK(selftalk_pump(c, s) == WARD_OK);
    ward_session *sess = ward_conn_get_session(c);
    CHECK(sess != NULL);
    ward_conn_free(c);
    ward_conn_free(s);
    if (sess) {
        c = ward_conn_new_resuming(cc, "localhost", sess, NULL, 0);
        s = ward_conn_new(sc, NULL);
        CHECK(selftalk_pump(c, s) == WARD_OK);
        CHECK(ward_conn_resumed(s) == 1);
        CHECK(ward_conn_peer_authenticated(s) == 0);
        CHECK_CODE(ward_conn_request_client_cert(s), WARD_OK);
        CHECK(selftalk_pump(c, s) == WARD_OK);
        CHECK(ward_conn_peer_authenticated(s) == 1);
        ward_conn_free(c);
        ward_conn_free(s);
        ward_session_free(sess);
    }
    ward_config_free(cc);
    ward_config_free(sc);
}

/* §4.6.2: a client that did not offer it answers a post-handshake
 * CertificateRequest with unexpected_message. (The server is made to
 * believe the client offered it.) */
static void pha_not_offered_but_asked(void)
{
    run r;
    run_start(&r, client_cfg(WARD_TLS13, &ec_id),
              server_cfg(WARD_TLS13, WARD_CLIENT_CERT_POST_HANDSHAKE, &ec_id));
    CHECK(neg_move(r.c, r.s) == WARD_OK); /* ClientHello */
    r.s->hs.pha_offered = 1;
    r.e = selftalk_pump(r.c, r.s);
    CHECK(established(&r));
    CHECK_CODE(ward_conn_request_client_cert(r.s), WARD_OK);
    CHECK_CODE(neg_move(r.s, r.c), WARD_ERR_UNEXPECTED_MESSAGE);
    CHECK(strstr(ward_conn_error_message(r.c), "post-handshake") != NULL);
    run_free(&r);
}

int main(void)
{
    CHECK(testpki_self_signed("p256", server_id.cert, server_id.key, server_id.pin));
    CHECK(testpki_self_signed("p256", ec_id.cert, ec_id.key, ec_id.pin));
    CHECK(testpki_self_signed("rsa2048", rsa_id.cert, rsa_id.key, rsa_id.pin));
    CHECK(testpki_self_signed("ed25519", ed_id.cert, ed_id.key, ed_id.pin));
    CHECK(testpki_self_signed("p256", other_id.cert, other_id.key, other_id.pin));

    const uint16_t versions[] = {WARD_TLS13, WARD_TLS12};
    for (size_t i = 0; i < 2; i++) {
        uint16_t v = versions[i];
        presented(v, &ec_id, "ECDSA");
        presented(v, &rsa_id, "RSA");
        presented(v, &ed_id, "Ed25519");
        required_absent(v);
        optional_absent(v);
        optional_presented(v);
        untrusted(v, WARD_CLIENT_CERT_REQUIRE);
        untrusted(v, WARD_CLIENT_CERT_OPTIONAL);
        not_asked(v);
    }
    with_retry();
    config_errors();
    bad_cv13();
    bad_cv12();
    crafted();
    pha_ok();
    pha_refused();
    pha_not_offered_but_asked();
    no_resumption(WARD_TLS13);
    no_resumption(WARD_TLS12);
    pha_after_resumption();

    const ident *all[] = {&server_id, &ec_id, &rsa_id, &ed_id, &other_id};
    for (size_t i = 0; i < 5; i++) {
        unlink(all[i]->cert);
        unlink(all[i]->key);
    }
    return test_report();
}
