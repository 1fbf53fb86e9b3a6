/* Limits against abuse (ward_limits): each one, exceeded by a peer, ends
 * the connection with a clear message; at the limit, all is well. */
#include <string.h>

#include "conn/internal.h"
#include "msg/msg.h"
#include "selftalk.h"
#include "testutil.h"
#include "ward/ward.h"

static ward_config *server_cfg;
static uint8_t pin[32];

static void connect(ward_config *cc, ward_conn **c, ward_conn **s)
{
    *c = ward_conn_new(cc, "localhost");
    *s = ward_conn_new(server_cfg, NULL);
    CHECK(selftalk_pump(*c, *s) == WARD_OK);
}

static ward_config *client(uint16_t max_version)
{
    ward_config *cc = ward_config_new_client();
    ward_config_set_pin_sha256(cc, pin);
    CHECK(ward_config_set_versions(cc, WARD_TLS12, max_version) == WARD_OK);
    return cc;
}

static void empty_records(void)
{
    ward_config *cc = client(WARD_TLS13);
    ward_conn *c, *s;
    connect(cc, &c, &s);
    size_t moved;
    for (int i = 0; i < 32; i++) /* at the limit: fine */
        CHECK_OK(conn_send_records(c, CT_APPLICATION_DATA, NULL, 0));
    CHECK(selftalk_move(c, s, &moved) == WARD_OK);
    CHECK(ward_conn_write(c, (const uint8_t *)"x", 1) == WARD_OK); /* resets the count */
    for (int i = 0; i < 33; i++)
        CHECK_OK(conn_send_records(c, CT_APPLICATION_DATA, NULL, 0));
    CHECK_CODE(selftalk_move(c, s, &moved), WARD_ERR_UNEXPECTED_MESSAGE);
    CHECK(strstr(ward_conn_error_message(s), "empty records") != NULL);
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(cc);
}

static void warning_alerts(void)
{
    ward_config *cc = client(WARD_TLS12);
    ward_conn *c, *s;
    connect(cc, &c, &s);
    CHECK(ward_conn_version(c) == WARD_TLS12);
    const uint8_t warning[2] = {1, 90}; /* user_canceled */
    size_t moved;
    for (int i = 0; i < 8; i++)
        CHECK_OK(conn_send_records(c, CT_ALERT, warning, 2));
    CHECK(selftalk_move(c, s, &moved) == WARD_OK);
    CHECK_OK(conn_send_records(c, CT_ALERT, warning, 2));
    CHECK_CODE(selftalk_move(c, s, &moved), WARD_ERR_UNEXPECTED_MESSAGE);
    CHECK(strstr(ward_conn_error_message(s), "warning alerts") != NULL);
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(cc);
}

static void handshake_size(void)
{
    ward_limits l;
    ward_config *cc = client(WARD_TLS13);
    ward_config_get_limits(cc, &l);
    CHECK(l.max_handshake_message == 65536 && l.handshake_timeout_ms == 30000);
    l.max_handshake_message = 100; /* smaller than the server's Certificate */
    l.max_handshake_bytes = 100;
    CHECK(ward_config_set_limits(cc, &l) == WARD_OK);
    ward_conn *c = ward_conn_new(cc, "localhost"), *s = ward_conn_new(server_cfg, NULL);
    CHECK(selftalk_pump(c, s) != WARD_OK);
    CHECK(ward_conn_state(c) == WARD_STATE_FAILED);
    ward_conn_free(c);
    ward_conn_free(s);
    l.max_handshake_message = 0;
    CHECK(ward_config_set_limits(cc, &l) == WARD_ERR_CONFIG);
    ward_config_free(cc);
}

int main(void)
{
    server_cfg = ward_config_new_server();
    CHECK(ward_config_use_ephemeral_cert(server_cfg, "localhost", pin) == WARD_OK);
    empty_records();
    warning_alerts();
    handshake_size();
    ward_config_free(server_cfg);
    return test_report();
}
