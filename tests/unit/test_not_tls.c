/* A peer that does not speak TLS at all gets a message that says so and
 * shows what it sent, on either side. */
#include <string.h>

#include "testutil.h"
#include "ward/ward.h"

static void check(ward_conn *c, const char *bytes, const char *want)
{
    CHECK_CODE(ward_conn_recv(c, (const uint8_t *)bytes, strlen(bytes)),
               WARD_ERR_UNEXPECTED_MESSAGE);
    const char *msg = ward_conn_error_message(c);
    CHECK(strstr(msg, "did not speak TLS") != NULL);
    CHECK(strstr(msg, want) != NULL);
    CHECK(ward_conn_state(c) == WARD_STATE_FAILED);
}

int main(void)
{
    ward_config *cc = ward_config_new_client(), *sc = ward_config_new_server();
    uint8_t pin[32];
    CHECK(ward_config_use_ephemeral_cert(sc, "localhost", pin) == WARD_OK);

    ward_conn *c = ward_conn_new(cc, "example.com");
    check(c, "220 mail.example.com ESMTP\r\n", "220 mail.example.com ESMTP..");
    CHECK(strstr(ward_conn_error_message(c), "STARTTLS") != NULL);
    ward_conn_free(c);

    ward_conn *s = ward_conn_new(sc, NULL);
    check(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1");
    CHECK(strstr(ward_conn_error_message(s), "plaintext client") != NULL);
    ward_conn_free(s);

    ward_config_free(cc);
    ward_config_free(sc);
    return test_report();
}
