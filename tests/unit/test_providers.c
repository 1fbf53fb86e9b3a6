/* The configuration's providers (ward_config_set_clock,
 * ward_config_set_random):
 * - the clock decides certificate validity: a chain valid now is expired
 *   two days from now and not yet valid two hours ago, by the client's
 *   clock, and the server's clock for a client certificate;
 * - a failing random source fails the handshake closed with the source's
 *   text, before anything is sent (client) or before the ServerHello;
 * - the same scripted source gives the same ClientHello twice, byte for
 *   byte, whatever the key shares (x25519, P-256, the ML-KEM hybrid), and
 *   a P-256 scalar out of range is drawn again;
 * - fn NULL restores the system clock and libcrypto's DRBG. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/result.h"
#include "providers.h"
#include "selftalk.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/ward.h"

static char chain[64], key[64], root[64];

static uint64_t now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec;
}

/* A TLS 1.3 handshake in memory against the test chain; returns the
 * client's error. */
static ward_err handshake(ward_config *cc, ward_config *sc, ward_conn **cout, ward_conn **sout)
{
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(sc, NULL);
    selftalk_pump(c, s);
    ward_err e = ward_conn_error(c) != WARD_OK ? ward_conn_error(c) : ward_conn_error(s);
    *cout = c;
    *sout = s;
    return e;
}

static ward_config *server_cfg(void)
{
    ward_config *sc = ward_config_new_server();
    CHECK_CODE(ward_config_set_cert_files(sc, chain, key), WARD_OK);
    return sc;
}

static ward_config *client_cfg(void)
{
    ward_config *cc = ward_config_new_client();
    CHECK_CODE(ward_config_set_cafile(cc, root), WARD_OK);
    return cc;
}

static void clock_decides_validity(void)
{
    test_clock clk;
    struct {
        int64_t offset_s;
        ward_err want;
        const char *text;
    } cases[] = {
        {0, WARD_OK, NULL},
        {2 * 86400, WARD_ERR_CERT_EXPIRED, "expired"},
        {-2 * 3600, WARD_ERR_CERT_NOT_YET_VALID, "not yet valid"},
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(cases); i++) {
        ward_config *cc = client_cfg(), *sc = server_cfg();
        test_clock_at(cc, &clk, (uint64_t)((int64_t)now_s() + cases[i].offset_s), 0);
        ward_conn *c, *s;
        CHECK_CODE(handshake(cc, sc, &c, &s), cases[i].want);
        if (cases[i].text)
            CHECK(strstr(ward_conn_error_message(c), cases[i].text) != NULL);
        else
            CHECK(ward_conn_state(c) == WARD_STATE_ESTABLISHED);
        ward_conn_free(c);
        ward_conn_free(s);
        /* fn NULL: the system clock again, and the chain is valid. */
        ward_config_set_clock(cc, NULL, NULL);
        CHECK_CODE(handshake(cc, sc, &c, &s), WARD_OK);
        ward_conn_free(c);
        ward_conn_free(s);
        ward_config_free(cc);
        ward_config_free(sc);
    }
}

/* The server's clock for a client certificate. */
static void server_clock_checks_client_cert(void)
{
    test_clock clk;
    ward_config *cc = client_cfg(), *sc = server_cfg();
    CHECK_CODE(ward_config_set_cert_files(cc, chain, key), WARD_OK);
    CHECK_CODE(ward_config_set_client_verify(sc, WARD_CLIENT_CERT_REQUIRE, root), WARD_OK);
    test_clock_at(sc, &clk, now_s() + 2 * 86400, 0);
    ward_conn *c, *s;
    handshake(cc, sc, &c, &s);
    CHECK_CODE(ward_conn_error(s), WARD_ERR_CERT_EXPIRED);
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(cc);
    ward_config_free(sc);
}

static void failing_source_fails_closed(void)
{
    int calls = 0;
    const char *text = "the random source failed (ward_config_set_random)";
    /* A client: its Hello random is the first draw; nothing is sent. */
    ward_config *cc = client_cfg();
    ward_config_set_random(cc, test_random_fail, &calls);
    ward_conn *c = ward_conn_new(cc, "localhost");
    size_t len = 1;
    ward_conn_output(c, &len);
    CHECK(len == 0);
    CHECK_CODE(ward_conn_error(c), WARD_ERR_INTERNAL);
    CHECK(strstr(ward_conn_error_message(c), text) != NULL);
    CHECK(calls == 1);
    ward_conn_free(c);

    /* A server: its key share fails; no ServerHello, at most the alert. */
    ward_config_set_random(cc, NULL, NULL);
    ward_config *sc = server_cfg();
    calls = 0;
    ward_config_set_random(sc, test_random_fail, &calls);
    c = ward_conn_new(cc, "localhost");
    ward_conn *s = ward_conn_new(sc, NULL);
    size_t moved;
    selftalk_move(c, s, &moved);
    CHECK(moved > 0);
    CHECK_CODE(ward_conn_error(s), WARD_ERR_INTERNAL);
    CHECK(strstr(ward_conn_error_message(s), "the random source failed") != NULL);
    CHECK(calls >= 1);
    const uint8_t *out = ward_conn_output(s, &len);
    CHECK(len == 0 || out[0] == 21); /* 21: alert, never a handshake record */
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(sc);
    ward_config_free(cc);
}

/* The first ClientHello a client with this source and these groups sends. */
static size_t client_hello(test_script *rng, const uint16_t *groups, size_t n, uint8_t *out,
                           size_t cap)
{
    ward_config *cc = client_cfg();
    CHECK_CODE(ward_config_set_key_share_groups(cc, groups, n), WARD_OK);
    ward_config_set_random(cc, test_script_draw, rng);
    ward_conn *c = ward_conn_new(cc, "localhost");
    size_t len = 0;
    const uint8_t *p = ward_conn_output(c, &len);
    size_t got = len < cap ? len : cap;
    memcpy(out, p, got);
    CHECK(ward_conn_error(c) == WARD_OK && len > 0);
    ward_conn_free(c);
    ward_config_free(cc);
    return got;
}

static void script(test_script *s, int p256_out_of_range)
{
    memset(s, 0, sizeof *s);
    if (p256_out_of_range) { /* random, then a scalar >= n: drawn again */
        uint8_t b[32 + 32];
        memset(b, 0x11, 32);
        memset(b + 32, 0xff, 32);
        test_script_add(s, b, sizeof b);
    }
    uint8_t b[1024];
    for (size_t i = 0; i < sizeof b; i++)
        b[i] = (uint8_t)(i * 7 + 3);
    test_script_add(s, b, sizeof b);
}

static void same_script_same_hello(void)
{
    static const uint16_t x25519[] = {WARD_GROUP_X25519};
    static const uint16_t p256[] = {WARD_GROUP_SECP256R1};
    static const uint16_t hybrid[] = {0x11ec /* X25519MLKEM768 */, WARD_GROUP_X25519};
    static uint8_t a[8192], b[8192];
    test_script s1, s2;
    const struct {
        const uint16_t *g;
        size_t n;
        int oor;
    } runs[] = {{x25519, 1, 0}, {p256, 1, 0}, {p256, 1, 1}, {hybrid, 2, 0}};
    for (size_t i = 0; i < WARD_ARRAY_LEN(runs); i++) {
        script(&s1, runs[i].oor);
        script(&s2, runs[i].oor);
        size_t la = client_hello(&s1, runs[i].g, runs[i].n, a, sizeof a);
        size_t lb = client_hello(&s2, runs[i].g, runs[i].n, b, sizeof b);
        CHECK(la == lb && la > 0);
        if (la == lb)
            CHECK_MEM(a, b, la);
        CHECK(s1.pos == s2.pos && s1.draws == s2.draws && s1.draws >= 2);
        if (runs[i].oor) /* random, the refused scalar, the accepted one */
            CHECK(s1.draws == 3 && s1.pos == 96);
    }
    /* A different script, a different hello. */
    script(&s1, 0);
    size_t la = client_hello(&s1, x25519, 1, a, sizeof a);
    memset(&s2, 0, sizeof s2);
    uint8_t other[1024];
    memset(other, 0x5a, sizeof other);
    test_script_add(&s2, other, sizeof other);
    size_t lb = client_hello(&s2, x25519, 1, b, sizeof b);
    CHECK(la == lb && memcmp(a, b, la) != 0);
}

int main(void)
{
    testpki_chain_spec spec = {0};
    CHECK(testpki_chain(&spec, chain, key, root));
    clock_decides_validity();
    server_clock_checks_client_cert();
    failing_source_fails_closed();
    same_script_same_hello();
    unlink(chain);
    unlink(key);
    unlink(root);
    return test_report();
}
