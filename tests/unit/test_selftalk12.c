/* TLS 1.2 between a ward client and a ward server in memory: every suite
 * × group with ECDSA and RSA certificates, RSA key transport only when
 * enabled, version negotiation, the downgrade sentinel, EMS, and
 * renegotiation refused from both sides. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn/internal.h"
#include "msg/msg.h"
#include "selftalk.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/ward.h"

static char ec_cert[64], ec_key[64], rsa_cert[64], rsa_key[64];
static uint8_t ec_pin[32], rsa_pin[32];

static ward_config *server(int rsa, uint16_t min, uint16_t max)
{
    ward_config *s = ward_config_new_server();
    CHECK(ward_config_set_cert_files(s, rsa ? rsa_cert : ec_cert, rsa ? rsa_key : ec_key) == WARD_OK);
    CHECK(ward_config_set_versions(s, min, max) == WARD_OK);
    return s;
}

static ward_config *client(int rsa, uint16_t min, uint16_t max)
{
    ward_config *c = ward_config_new_client();
    ward_config_set_pin_sha256(c, rsa ? rsa_pin : ec_pin);
    CHECK(ward_config_set_versions(c, min, max) == WARD_OK);
    return c;
}

static int roundtrip(ward_conn *a, ward_conn *b)
{
    const char msg[] = "twelve bytes";
    uint8_t buf[64];
    size_t n = 0;
    if (ward_conn_write(a, (const uint8_t *)msg, sizeof msg) != WARD_OK)
        return 0;
    if (selftalk_pump(a, b) != WARD_OK)
        return 0;
    return ward_conn_read(b, buf, sizeof buf, &n) == WARD_OK && n == sizeof msg &&
           memcmp(buf, msg, n) == 0;
}

typedef struct {
    ward_conn *c, *s;
} pair;

static ward_err connect(ward_config *cc, ward_config *sc, pair *p)
{
    p->c = ward_conn_new(cc, "localhost");
    p->s = ward_conn_new(sc, NULL);
    ward_err e = selftalk_pump(p->c, p->s);
    if (e != WARD_OK && getenv("WARD_TEST_VERBOSE"))
        fprintf(stderr, "client: %s / server: %s\n", ward_conn_error_message(p->c),
                ward_conn_error_message(p->s));
    return e;
}

static void unpair(pair *p)
{
    ward_conn_free(p->c);
    ward_conn_free(p->s);
}

static void suites_and_groups(void)
{
    const uint16_t ecdsa_suites[] = {WARD_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                     WARD_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                                     WARD_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256};
    const uint16_t rsa_suites[] = {WARD_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                                   WARD_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                                   WARD_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256};
    const uint16_t groups[] = {WARD_GROUP_X25519, WARD_GROUP_SECP256R1, WARD_GROUP_SECP384R1};
    for (int rsa = 0; rsa < 2; rsa++)
        for (size_t s = 0; s < 3; s++)
            for (size_t g = 0; g < 3; g++) {
                ward_config *sc = server(rsa, WARD_TLS12, WARD_TLS13);
                ward_config *cc = client(rsa, WARD_TLS12, WARD_TLS12);
                uint16_t suite = rsa ? rsa_suites[s] : ecdsa_suites[s];
                CHECK(ward_config_set_suites(cc, &suite, 1) == WARD_OK);
                /* RFC 8422 §4: an ECDSA certificate's curve must be among the
                 * client's groups; the server, preferring groups[g], still
                 * uses it for the key exchange. */
                const uint16_t with_p256[2] = {groups[g], WARD_GROUP_SECP256R1};
                size_t ng = rsa || groups[g] == WARD_GROUP_SECP256R1 ? 1 : 2;
                CHECK(ward_config_set_groups(cc, with_p256, ng) == WARD_OK);
                CHECK(ward_config_set_groups(sc, with_p256, ng) == WARD_OK);
                pair p;
                CHECK_CODE(connect(cc, sc, &p), WARD_OK);
                CHECK(ward_conn_version(p.c) == WARD_TLS12 && ward_conn_version(p.s) == WARD_TLS12);
                CHECK(ward_conn_suite(p.c) == suite && ward_conn_suite(p.s) == suite);
                CHECK(ward_conn_group(p.c) == groups[g]);
                CHECK(ward_conn_used_ems(p.c) && ward_conn_used_ems(p.s));
                CHECK(roundtrip(p.c, p.s));
                CHECK(roundtrip(p.s, p.c));
                CHECK(ward_conn_key_update(p.c, 1) == WARD_ERR_STATE);
                CHECK(ward_conn_close(p.c) == WARD_OK);
                CHECK(selftalk_pump(p.c, p.s) == WARD_OK);
                CHECK(ward_conn_peer_closed(p.s));
                unpair(&p);
                ward_config_free(sc);
                ward_config_free(cc);
            }
}

/* RFC 8422 §4: no ECDHE_ECDSA suite when the client's groups leave out the
 * certificate's curve. */
static void ecdsa_curve_not_offered(void)
{
    ward_config *sc = server(0, WARD_TLS12, WARD_TLS13), *cc = client(0, WARD_TLS12, WARD_TLS12);
    const uint16_t x25519 = WARD_GROUP_X25519;
    CHECK(ward_config_set_groups(cc, &x25519, 1) == WARD_OK);
    pair p;
    CHECK(connect(cc, sc, &p) != WARD_OK);
    CHECK(ward_conn_error(p.s) == WARD_ERR_HANDSHAKE_FAILURE);
    unpair(&p);
    ward_config_free(sc);
    ward_config_free(cc);
}

static void rsa_key_transport(void)
{
    const uint16_t kx[] = {WARD_TLS_RSA_WITH_AES_128_GCM_SHA256,
                           WARD_TLS_RSA_WITH_AES_256_GCM_SHA384};
    for (size_t i = 0; i < 2; i++) {
        /* Off by default on the server: no suite in common. */
        ward_config *sc = server(1, WARD_TLS12, WARD_TLS13);
        ward_config *cc = client(1, WARD_TLS12, WARD_TLS12);
        ward_config_set_rsa_key_transport(cc, 1);
        CHECK(ward_config_set_suites(cc, &kx[i], 1) == WARD_OK);
        pair p;
        CHECK(connect(cc, sc, &p) != WARD_OK);
        CHECK(ward_conn_error(p.s) == WARD_ERR_HANDSHAKE_FAILURE);
        unpair(&p);
        /* On with the one explicit option. */
        ward_config_set_rsa_key_transport(sc, 1);
        CHECK_CODE(connect(cc, sc, &p), WARD_OK);
        CHECK(ward_conn_suite(p.s) == kx[i]);
        CHECK(ward_conn_group(p.s) == 0);
        CHECK(roundtrip(p.c, p.s));
        unpair(&p);
        ward_config_free(sc);
        ward_config_free(cc);
    }
}

static void version_negotiation(void)
{
    pair p;
    /* Both able: TLS 1.3. */
    ward_config *sc = server(0, WARD_TLS12, WARD_TLS13), *cc = client(0, WARD_TLS12, WARD_TLS13);
    CHECK_CODE(connect(cc, sc, &p), WARD_OK);
    CHECK(ward_conn_version(p.c) == WARD_TLS13);
    unpair(&p);
    ward_config_free(cc);
    /* A 1.3-only client against a 1.2-only server: protocol_version. */
    ward_config *s12 = server(0, WARD_TLS12, WARD_TLS12);
    cc = client(0, WARD_TLS13, WARD_TLS13);
    CHECK(connect(cc, s12, &p) != WARD_OK);
    CHECK(ward_conn_error(p.s) == WARD_ERR_PROTOCOL_VERSION);
    CHECK(strstr(ward_conn_error_message(p.c), "protocol_version") != NULL);
    unpair(&p);
    ward_config_free(cc);
    /* A 1.2+1.3 client against the 1.2-only server: 1.2 without sentinel. */
    cc = client(0, WARD_TLS12, WARD_TLS13);
    CHECK_CODE(connect(cc, s12, &p), WARD_OK);
    CHECK(ward_conn_version(p.c) == WARD_TLS12);
    unpair(&p);
    ward_config_free(cc);
    ward_config_free(s12);
    ward_config_free(sc);
}

/* A random source whose every 32-byte draw (the server's random, and its
 * x25519 key, which any 32 bytes make) ends in the TLS 1.3 downgrade mark. */
static int marked_random(void *arg, uint8_t *out, size_t len)
{
    unsigned *counter = arg;
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)(++*counter * 131 + i);
    if (len == 32)
        memcpy(out + 24, "DOWNGRD\x01", 8);
    return 0;
}

/* A TLS 1.3-capable server answering TLS 1.2 marks its random; a client
 * that offered 1.3 and sees the mark aborts with illegal_parameter. Here a
 * server limited to 1.2 gets the mark from its random source. */
static void downgrade_sentinel(void)
{
    unsigned counter = 0;
    ward_config *sc = server(0, WARD_TLS12, WARD_TLS12);
    ward_config_set_random(sc, marked_random, &counter);
    ward_config *cc = client(0, WARD_TLS12, WARD_TLS13);
    pair p;
    CHECK(connect(cc, sc, &p) != WARD_OK);
    CHECK(ward_conn_error(p.c) == WARD_ERR_ILLEGAL_PARAMETER);
    CHECK(strstr(ward_conn_error_message(p.c), "downgrade") != NULL);
    CHECK(strstr(ward_conn_error_message(p.s), "illegal_parameter") != NULL);
    unpair(&p);
    ward_config_free(cc);
    /* A client that offered only 1.2 accepts the same answer. */
    cc = client(0, WARD_TLS12, WARD_TLS12);
    CHECK_CODE(connect(cc, sc, &p), WARD_OK);
    unpair(&p);
    ward_config_free(cc);
    ward_config_free(sc);

    /* A real 1.3-capable server sets the sentinel when it answers 1.2. */
    sc = server(0, WARD_TLS12, WARD_TLS13);
    cc = client(0, WARD_TLS12, WARD_TLS12);
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(sc, NULL);
    size_t n;
    const uint8_t *ch = ward_conn_output(c, &n);
    CHECK(ward_conn_recv(s, ch, n) == WARD_OK);
    const uint8_t *sh = ward_conn_output(s, &n);
    /* record(5) type(1) len(3) version(2) random(32): bytes 24..31 of random */
    CHECK(n > 43 && memcmp(sh + 5 + 4 + 2 + 24, "DOWNGRD\x01", 8) == 0);
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(cc);
    ward_config_free(sc);
}

/* A HelloRequest to the client and a ClientHello to the server after the
 * handshake each get a no_renegotiation warning; the connection goes on. */
static void renegotiation_refused(void)
{
    ward_config *sc = server(0, WARD_TLS12, WARD_TLS12), *cc = client(0, WARD_TLS12, WARD_TLS12);
    pair p;
    CHECK_CODE(connect(cc, sc, &p), WARD_OK);
    /* Inject handshake records through the peers' own write keys. */
    const uint8_t hello_request[4] = {HS_HELLO_REQUEST, 0, 0, 0};
    CHECK_OK(conn_send_records(p.s, CT_HANDSHAKE, hello_request, 4));
    size_t moved;
    CHECK(selftalk_move(p.s, p.c, &moved) == WARD_OK);
    size_t n;
    const uint8_t *out = ward_conn_output(p.c, &n);
    CHECK(n == 5 + 2 + 8 + 16); /* one encrypted alert record */
    CHECK(selftalk_move(p.c, p.s, &moved) == WARD_OK);
    CHECK(ward_conn_state(p.s) == WARD_STATE_ESTABLISHED);
    CHECK(roundtrip(p.c, p.s));
    (void)out;

    const uint8_t client_hello[8] = {HS_CLIENT_HELLO, 0, 0, 4, 3, 3, 0, 0};
    CHECK_OK(conn_send_records(p.c, CT_HANDSHAKE, client_hello, sizeof client_hello));
    CHECK(selftalk_move(p.c, p.s, &moved) == WARD_OK);
    CHECK(ward_conn_state(p.s) == WARD_STATE_ESTABLISHED);
    CHECK(selftalk_move(p.s, p.c, &moved) == WARD_OK);
    CHECK(ward_conn_state(p.c) == WARD_STATE_ESTABLISHED);
    CHECK(roundtrip(p.s, p.c));
    unpair(&p);
    ward_config_free(sc);
    ward_config_free(cc);
}

int main(void)
{
    CHECK(testpki_self_signed("p256", ec_cert, ec_key, ec_pin));
    CHECK(testpki_self_signed("rsa2048", rsa_cert, rsa_key, rsa_pin));
    suites_and_groups();
    ecdsa_curve_not_offered();
    rsa_key_transport();
    version_negotiation();
    downgrade_sentinel();
    renegotiation_refused();
    unlink(ec_cert);
    unlink(ec_key);
    unlink(rsa_cert);
    unlink(rsa_key);
    return test_report();
}
