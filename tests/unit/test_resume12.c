/* TLS 1.2 resumption between a ward client and a ward server in memory:
 * by RFC 5077 ticket and by session ID (the abbreviated handshake: no
 * certificate, the server's Finished first), a ticket from a rotated-out
 * key or an unknown session ID falls back to a full handshake, a session
 * for another suite the client no longer offers is not resumed. */
#include <stdlib.h>
#include <string.h>

#include "selftalk.h"
#include "testutil.h"
#include "ward/ward.h"

static ward_config *server_cfg;
static uint8_t pin[32];

static void on_session(void *arg, const ward_session *s)
{
    ward_session **latest = arg;
    ward_session_free(*latest);
    *latest = ward_session_dup(s);
}

static ward_config *client_cfg(ward_session **box)
{
    ward_config *c = ward_config_new_client();
    ward_config_set_pin_sha256(c, pin);
    ward_config_set_versions(c, WARD_TLS12, WARD_TLS12);
    ward_config_set_session_callback(c, on_session, box);
    return c;
}

static int connect(ward_config *ccfg, const ward_session *s, int *client_resumed,
                   int *server_resumed)
{
    ward_conn *cl = ward_conn_new_resuming(ccfg, "localhost", s, NULL, 0);
    ward_conn *sv = ward_conn_new(server_cfg, NULL);
    ward_err e = selftalk_pump(cl, sv);
    int ok = e == WARD_OK && ward_conn_state(cl) == WARD_STATE_ESTABLISHED &&
             ward_conn_state(sv) == WARD_STATE_ESTABLISHED && ward_conn_version(cl) == WARD_TLS12;
    if (!ok)
        fprintf(stderr, "client: %s / server: %s\n", ward_conn_error_message(cl),
                ward_conn_error_message(sv));
    /* data both ways */
    uint8_t got[8];
    size_t n;
    ok = ok && ward_conn_write(cl, (const uint8_t *)"hi", 2) == WARD_OK &&
         ward_conn_write(sv, (const uint8_t *)"yo", 2) == WARD_OK &&
         selftalk_pump(cl, sv) == WARD_OK &&
         ward_conn_read(sv, got, sizeof got, &n) == WARD_OK && n == 2 &&
         ward_conn_read(cl, got, sizeof got, &n) == WARD_OK && n == 2;
    *client_resumed = ward_conn_resumed(cl);
    *server_resumed = ward_conn_resumed(sv);
    ward_conn_free(cl);
    ward_conn_free(sv);
    return ok;
}

static void by_ticket(void)
{
    ward_session *latest = NULL;
    ward_config *ccfg = client_cfg(&latest);
    int cr, sr;
    CHECK(connect(ccfg, NULL, &cr, &sr) && !cr && !sr);
    CHECK(latest != NULL && ward_session_version(latest) == WARD_TLS12);
    ward_session *s = ward_session_dup(latest);

    uint8_t buf[2048];
    size_t len;
    CHECK(ward_session_encode(s, buf, sizeof buf, &len) == WARD_OK);
    ward_session *back = ward_session_decode(buf, len);
    CHECK(back != NULL);
    CHECK(connect(ccfg, back, &cr, &sr) && cr && sr);
    /* the same ticket again (1.2 tickets may be reused) */
    CHECK(connect(ccfg, back, &cr, &sr) && cr && sr);

    /* Rotate the keys twice: the ticket's key is gone; full handshake. */
    uint8_t k[96];
    memset(k, 7, sizeof k);
    CHECK(ward_config_set_ticket_keys(server_cfg, k, 96) == WARD_OK);
    ward_session_free(latest);
    latest = NULL;
    CHECK(connect(ccfg, back, &cr, &sr) && !cr && !sr);
    ward_session_free(back);
    ward_session_free(s);
    ward_session_free(latest);
    ward_config_free(ccfg);
}

static void by_session_id(void)
{
    /* A server that issues no tickets: the client keeps the session ID. */
    CHECK(ward_config_set_tickets(server_cfg, 0, 7200) == WARD_OK);
    ward_session *latest = NULL;
    ward_config *ccfg = client_cfg(&latest);
    int cr, sr;
    CHECK(connect(ccfg, NULL, &cr, &sr) && !cr && !sr);
    CHECK(latest != NULL);
    ward_session *s = ward_session_dup(latest);
    CHECK(connect(ccfg, s, &cr, &sr) && cr && sr);

    /* The cache forgets (size change clears it): full handshake. */
    CHECK(ward_config_set_session_cache(server_cfg, 16) == WARD_OK);
    CHECK(connect(ccfg, s, &cr, &sr) && !cr && !sr);

    /* A client that no longer offers the session's suite: full handshake. */
    ward_session_free(s);
    s = ward_session_dup(latest);
    CHECK(connect(ccfg, s, &cr, &sr) && cr); /* sanity: resumable now */
    const uint16_t other[] = {WARD_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256};
    CHECK(ward_config_set_suites(ccfg, other, 1) == WARD_OK);
    CHECK(connect(ccfg, s, &cr, &sr) && !cr && !sr);

    CHECK(ward_config_set_tickets(server_cfg, 2, 7200) == WARD_OK);
    ward_session_free(s);
    ward_session_free(latest);
    ward_config_free(ccfg);
}

/* A TLS 1.2 session is not offered to a TLS 1.3-only client, and a 1.3
 * session not in TLS 1.2: each version resumes its own kind. */
static void versions_apart(void)
{
    ward_session *latest = NULL;
    ward_config *ccfg = client_cfg(&latest);
    int cr, sr;
    CHECK(connect(ccfg, NULL, &cr, &sr));
    ward_session *s = ward_session_dup(latest);
    ward_config_set_versions(ccfg, WARD_TLS12, WARD_TLS13);
    /* both versions offered; the server picks 1.3, the 1.2 session is moot */
    ward_conn *cl = ward_conn_new_resuming(ccfg, "localhost", s, NULL, 0);
    ward_conn *sv = ward_conn_new(server_cfg, NULL);
    CHECK(selftalk_pump(cl, sv) == WARD_OK);
    CHECK(ward_conn_version(sv) == WARD_TLS13 && !ward_conn_resumed(sv));
    ward_conn_free(cl);
    ward_conn_free(sv);
    ward_session_free(s);
    ward_session_free(latest);
    ward_config_free(ccfg);
}

int main(void)
{
    server_cfg = ward_config_new_server();
    CHECK(ward_config_use_ephemeral_cert(server_cfg, "localhost", pin) == WARD_OK);
    by_ticket();
    by_session_id();
    versions_apart();
    ward_config_free(server_cfg);
    return test_report();
}
