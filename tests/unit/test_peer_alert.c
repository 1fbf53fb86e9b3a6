/* ward_conn_peer_alert: the number of the alert with which the peer ended
 * the connection, in the clear (before keys) and protected, from either
 * side; -1 when there was none. */
#include <string.h>

#include "selftalk.h"
#include "testutil.h"
#include "ward/ward.h"

static ward_config *server_cfg;
static uint8_t pin[32];

static ward_config *client(uint16_t min, uint16_t max, const uint8_t *want_pin)
{
    ward_config *cc = ward_config_new_client();
    ward_config_set_pin_sha256(cc, want_pin);
    CHECK(ward_config_set_versions(cc, min, max) == WARD_OK);
    return cc;
}

/* A healthy connection, closed with close_notify: no alert to report. */
static void none_when_healthy(void)
{
    ward_config *cc = client(WARD_TLS13, WARD_TLS13, pin);
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(server_cfg, NULL);
    CHECK(ward_conn_peer_alert(c) == -1 && ward_conn_peer_alert(s) == -1);
    CHECK(selftalk_pump(c, s) == WARD_OK);
    CHECK(ward_conn_close(c) == WARD_OK);
    CHECK(selftalk_pump(c, s) == WARD_OK);
    CHECK(ward_conn_peer_closed(s));
    CHECK(ward_conn_peer_alert(c) == -1 && ward_conn_peer_alert(s) == -1);
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(cc);
}

/* A TLS 1.3-only server refuses a TLS 1.2-only client: protocol_version
 * (70), a plaintext alert. */
static void plaintext_alert_from_server(void)
{
    ward_config *sc = ward_config_new_server();
    uint8_t sc_pin[32];
    CHECK(ward_config_use_ephemeral_cert(sc, "localhost", sc_pin) == WARD_OK);
    CHECK(ward_config_set_versions(sc, WARD_TLS13, WARD_TLS13) == WARD_OK);
    ward_config *cc = client(WARD_TLS12, WARD_TLS12, sc_pin);
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(sc, NULL);
    CHECK(selftalk_pump(c, s) != WARD_OK);
    CHECK(ward_conn_error(s) == WARD_ERR_PROTOCOL_VERSION);
    CHECK(ward_conn_peer_alert(s) == -1); /* the server sent it, received none */
    CHECK(ward_conn_error(c) == WARD_ERR_PEER_ALERT);
    CHECK(ward_conn_peer_alert(c) == 70);
    CHECK(strstr(ward_conn_error_message(c), "protocol_version (70)") != NULL);
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(cc);
    ward_config_free(sc);
}

/* The client refuses the server's certificate (its pin does not match):
 * bad_certificate (42), protected with the handshake keys; the server
 * reports it. */
static void protected_alert_from_client(void)
{
    static const uint8_t wrong_pin[32] = {1};
    ward_config *cc = client(WARD_TLS13, WARD_TLS13, wrong_pin);
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(server_cfg, NULL);
    CHECK(selftalk_pump(c, s) != WARD_OK);
    CHECK(ward_conn_error(c) == WARD_ERR_PIN_MISMATCH);
    CHECK(ward_conn_error(s) == WARD_ERR_PEER_ALERT);
    CHECK(ward_conn_peer_alert(s) == 42);
    CHECK(ward_conn_peer_alert(c) == -1);
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(cc);
}

/* The same in TLS 1.2 (the alert is protected once the client's Finished
 * keys are in, or plaintext before: either way the number comes through). */
static void alert_tls12(void)
{
    static const uint8_t wrong_pin[32] = {2};
    ward_config *cc = client(WARD_TLS12, WARD_TLS12, wrong_pin);
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(server_cfg, NULL);
    CHECK(selftalk_pump(c, s) != WARD_OK);
    CHECK(ward_conn_error(s) == WARD_ERR_PEER_ALERT);
    CHECK(ward_conn_peer_alert(s) == 42);
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(cc);
}

/* A close_notify before the handshake is done ends it: reported as 0. */
static void close_notify_during_handshake(void)
{
    ward_conn *s = ward_conn_new(server_cfg, NULL);
    static const uint8_t cn[] = {21, 3, 3, 0, 2, 1, 0};
    CHECK(ward_conn_recv(s, cn, sizeof cn) == WARD_ERR_PEER_ALERT);
    CHECK(ward_conn_peer_alert(s) == 0);
    ward_conn_free(s);
}

int main(void)
{
    server_cfg = ward_config_new_server();
    CHECK(ward_config_use_ephemeral_cert(server_cfg, "localhost", pin) == WARD_OK);
    none_when_healthy();
    plaintext_alert_from_server();
    protected_alert_from_client();
    alert_tls12();
    close_notify_during_handshake();
    ward_config_free(server_cfg);
    return test_report();
}
