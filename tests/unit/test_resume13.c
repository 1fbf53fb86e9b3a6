/* TLS 1.3 resumption and 0-RTT between a ward client and a ward server in
 * memory: tickets become sessions, a session resumes (no certificate), a
 * saved session survives encode/decode, tickets from a rotated-out key
 * fall back to a full handshake, a wrong binder is decrypt_error, 0-RTT is
 * accepted once and a replay of the same ticket is not, early data too
 * large for the ticket is not sent, HRR rejects early data. */
#include <stdlib.h>
#include <string.h>

#include "conn/internal.h"
#include "selftalk.h"
#include "testutil.h"
#include "ward/ward.h"

static ward_config *server_cfg;
static uint8_t pin[32];

typedef struct {
    ward_session *latest;
    int count;
} session_box;

static void on_session(void *arg, const ward_session *s)
{
    session_box *b = arg;
    ward_session_free(b->latest);
    b->latest = ward_session_dup(s);
    b->count++;
}

static ward_config *client_cfg(session_box *box)
{
    ward_config *c = ward_config_new_client();
    ward_config_set_pin_sha256(c, pin);
    ward_config_set_versions(c, WARD_TLS13, WARD_TLS13);
    ward_config_set_session_callback(c, on_session, box);
    return c;
}

/* Connect, then have the server's tickets reach the client. */
static int run(ward_conn *cl, ward_conn *sv)
{
    ward_err e = selftalk_pump(cl, sv);
    if (e != WARD_OK)
        fprintf(stderr, "client: %s / server: %s\n", ward_conn_error_message(cl),
                ward_conn_error_message(sv));
    /* Tickets travel after the handshake: one more exchange. */
    uint8_t b;
    size_t n;
    (void)ward_conn_read(cl, &b, 0, &n);
    return e == WARD_OK && ward_conn_state(cl) == WARD_STATE_ESTABLISHED &&
           ward_conn_state(sv) == WARD_STATE_ESTABLISHED;
}

static ward_session *full_handshake(ward_config *ccfg, session_box *box)
{
    ward_conn *cl = ward_conn_new(ccfg, "localhost"), *sv = ward_conn_new(server_cfg, NULL);
    CHECK(run(cl, sv));
    CHECK(!ward_conn_resumed(cl) && !ward_conn_resumed(sv));
    CHECK(box->count == 2); /* two tickets by default */
    ward_session *s = ward_conn_get_session(cl);
    CHECK(s != NULL);
    ward_conn_free(cl);
    ward_conn_free(sv);
    return s;
}

static void resume_once(void)
{
    session_box box = {0};
    ward_config *ccfg = client_cfg(&box);
    ward_session *s = full_handshake(ccfg, &box);
    CHECK(ward_session_version(s) == WARD_TLS13);

    /* Through bytes, as a file would carry it. */
    uint8_t buf[2048];
    size_t len;
    CHECK(ward_session_encode(s, buf, sizeof buf, &len) == WARD_OK);
    ward_session *back = ward_session_decode(buf, len);
    CHECK(back != NULL);
    buf[0] ^= 1;
    CHECK(ward_session_decode(buf, len) == NULL);
    CHECK(ward_session_decode(buf, 5) == NULL);

    ward_conn *cl = ward_conn_new_resuming(ccfg, "localhost", back, NULL, 0);
    ward_conn *sv = ward_conn_new(server_cfg, NULL);
    CHECK(run(cl, sv));
    CHECK(ward_conn_resumed(cl) && ward_conn_resumed(sv));
    CHECK(ward_conn_early_data_status(cl) == WARD_EARLY_NONE);
    /* data still flows both ways */
    CHECK(ward_conn_write(cl, (const uint8_t *)"ping", 4) == WARD_OK);
    CHECK(selftalk_pump(cl, sv) == WARD_OK);
    uint8_t got[8];
    size_t n;
    CHECK(ward_conn_read(sv, got, sizeof got, &n) == WARD_OK && n == 4 && !memcmp(got, "ping", 4));
    CHECK(box.count == 3); /* one fresh ticket after a resumption */
    ward_conn_free(cl);
    ward_conn_free(sv);

    /* Another server name: the session is not offered. */
    cl = ward_conn_new_resuming(ccfg, "other.example", back, NULL, 0);
    sv = ward_conn_new(server_cfg, NULL);
    ward_config_set_insecure_no_verify(ccfg, 1);
    (void)selftalk_pump(cl, sv);
    CHECK(!ward_conn_resumed(sv));
    ward_conn_free(cl);
    ward_conn_free(sv);
    ward_config_set_insecure_no_verify(ccfg, 0);

    ward_session_free(back);
    ward_session_free(s);
    ward_session_free(box.latest);
    ward_config_free(ccfg);
}

/* Ticket keys: a ticket under the previous key resumes; once that key is
 * gone, the same ticket gives a full handshake. */
static void key_rotation(void)
{
    uint8_t k1[48], k2[96], k3[96];
    for (int i = 0; i < 48; i++)
        k1[i] = (uint8_t)i;
    memcpy(k2, k1, 48);
    for (int i = 0; i < 48; i++)
        k2[i] = (uint8_t)(100 + i);
    memcpy(k2 + 48, k1, 48);
    for (int i = 0; i < 48; i++)
        k3[i] = (uint8_t)(200 + i);
    memcpy(k3 + 48, k2, 48);

    CHECK(ward_config_set_ticket_keys(server_cfg, k1, 48) == WARD_OK);
    session_box box = {0};
    ward_config *ccfg = client_cfg(&box);
    ward_session *s = full_handshake(ccfg, &box);

    CHECK(ward_config_set_ticket_keys(server_cfg, k2, 96) == WARD_OK); /* k1 now previous */
    ward_conn *cl = ward_conn_new_resuming(ccfg, "localhost", s, NULL, 0);
    ward_conn *sv = ward_conn_new(server_cfg, NULL);
    CHECK(run(cl, sv));
    CHECK(ward_conn_resumed(sv));
    ward_conn_free(cl);
    ward_conn_free(sv);

    CHECK(ward_config_set_ticket_keys(server_cfg, k3, 96) == WARD_OK); /* k1 gone */
    cl = ward_conn_new_resuming(ccfg, "localhost", s, NULL, 0);
    sv = ward_conn_new(server_cfg, NULL);
    CHECK(run(cl, sv));
    CHECK(!ward_conn_resumed(sv) && !ward_conn_resumed(cl));
    ward_conn_free(cl);
    ward_conn_free(sv);
    CHECK(ward_config_set_ticket_keys(server_cfg, k1, 47) == WARD_ERR_CONFIG);

    ward_session_free(s);
    ward_session_free(box.latest);
    ward_config_free(ccfg);
}

static void early_data(void)
{
    CHECK(ward_config_set_max_early_data(server_cfg, 1000) == WARD_OK);
    session_box box = {0};
    ward_config *ccfg = client_cfg(&box);
    ward_session *s = full_handshake(ccfg, &box);
    CHECK(ward_session_max_early_data(s) == 1000);

    static const char msg[] = "GET / HTTP/1.0\r\n\r\n";
    ward_conn *cl = ward_conn_new_resuming(ccfg, "localhost", s, (const uint8_t *)msg,
                                           strlen(msg));
    ward_conn *sv = ward_conn_new(server_cfg, NULL);
    CHECK(run(cl, sv));
    CHECK(ward_conn_resumed(sv));
    CHECK(ward_conn_early_data_status(cl) == WARD_EARLY_ACCEPTED);
    CHECK(ward_conn_early_data_status(sv) == WARD_EARLY_ACCEPTED);
    uint8_t got[64];
    size_t n;
    CHECK(ward_conn_read(sv, got, sizeof got, &n) == WARD_OK && n == 0); /* never here */
    CHECK(ward_conn_read_early_data(sv, got, sizeof got, &n) == WARD_OK && n == strlen(msg) &&
          !memcmp(got, msg, n));
    ward_conn_free(cl);
    ward_conn_free(sv);

    /* The same ticket again: replayed 0-RTT is refused, resumption still works. */
    cl = ward_conn_new_resuming(ccfg, "localhost", s, (const uint8_t *)msg, strlen(msg));
    sv = ward_conn_new(server_cfg, NULL);
    CHECK(run(cl, sv));
    CHECK(ward_conn_resumed(sv));
    CHECK(ward_conn_early_data_status(cl) == WARD_EARLY_REJECTED);
    CHECK(ward_conn_early_data_status(sv) == WARD_EARLY_REJECTED);
    CHECK(ward_conn_read_early_data(sv, got, sizeof got, &n) == WARD_OK && n == 0);
    ward_conn_free(cl);
    ward_conn_free(sv);

    /* More early data than the ticket allows: not sent at all. */
    ward_session *s2 = ward_session_dup(box.latest);
    uint8_t big[1001] = {0};
    cl = ward_conn_new_resuming(ccfg, "localhost", s2, big, sizeof big);
    sv = ward_conn_new(server_cfg, NULL);
    CHECK(run(cl, sv));
    CHECK(ward_conn_early_data_status(cl) == WARD_EARLY_NONE);
    ward_conn_free(cl);
    ward_conn_free(sv);

    /* A forced HelloRetryRequest rejects early data; the handshake goes on. */
    ward_session *s3 = ward_session_dup(box.latest);
    ward_config_set_force_hrr(server_cfg, 1);
    cl = ward_conn_new_resuming(ccfg, "localhost", s3, (const uint8_t *)msg, strlen(msg));
    sv = ward_conn_new(server_cfg, NULL);
    CHECK(run(cl, sv));
    CHECK(ward_conn_resumed(sv) && ward_conn_did_hrr(cl));
    CHECK(ward_conn_early_data_status(cl) == WARD_EARLY_REJECTED);
    ward_config_set_force_hrr(server_cfg, 0);
    ward_conn_free(cl);
    ward_conn_free(sv);

    /* A server without 0-RTT skips the early data and resumes. */
    ward_session *s4 = ward_session_dup(box.latest);
    CHECK(ward_config_set_max_early_data(server_cfg, 0) == WARD_OK);
    cl = ward_conn_new_resuming(ccfg, "localhost", s4, (const uint8_t *)msg, strlen(msg));
    sv = ward_conn_new(server_cfg, NULL);
    CHECK(run(cl, sv));
    CHECK(ward_conn_resumed(sv));
    CHECK(ward_conn_early_data_status(cl) == WARD_EARLY_REJECTED);
    ward_conn_free(cl);
    ward_conn_free(sv);

    ward_session_free(s);
    ward_session_free(s2);
    ward_session_free(s3);
    ward_session_free(s4);
    ward_session_free(box.latest);
    ward_config_free(ccfg);
}

/* A corrupted binder: decrypt_error, no fallback. */
static void bad_binder(void)
{
    session_box box = {0};
    ward_config *ccfg = client_cfg(&box);
    ward_session *s = full_handshake(ccfg, &box);
    ward_conn *cl = ward_conn_new_resuming(ccfg, "localhost", s, NULL, 0);
    ward_conn *sv = ward_conn_new(server_cfg, NULL);
    size_t len;
    const uint8_t *out = ward_conn_output(cl, &len);
    uint8_t *copy = malloc(len);
    memcpy(copy, out, len);
    copy[len - 1] ^= 0x55; /* the binder ends the ClientHello */
    CHECK(ward_conn_recv(sv, copy, len) == WARD_ERR_DECRYPT_ERROR);
    free(copy);
    ward_conn_free(cl);
    ward_conn_free(sv);
    ward_session_free(s);
    ward_session_free(box.latest);
    ward_config_free(ccfg);
}

/* The longest SNI and ALPN names still fit in a ticket (the fuzzer found
 * that they did not). */
static void long_names(void)
{
    char name[256], proto[256];
    memset(name, 'a', 253);
    name[253] = '\0';
    for (int i = 63; i < 253; i += 64)
        name[i] = '.';
    memset(proto, 'p', 255);
    proto[255] = '\0';
    const char *protos[] = {proto};
    ward_config *scfg = ward_config_new_server();
    CHECK(ward_config_use_ephemeral_cert(scfg, "localhost", pin) == WARD_OK);
    CHECK(ward_config_set_alpn(scfg, protos, 1) == WARD_OK);
    session_box box = {0};
    ward_config *ccfg = client_cfg(&box);
    CHECK(ward_config_set_alpn(ccfg, protos, 1) == WARD_OK);
    ward_conn *cl = ward_conn_new(ccfg, name), *sv = ward_conn_new(scfg, NULL);
    CHECK(run(cl, sv));
    CHECK(box.count == 2);
    ward_conn_free(cl);
    ward_conn_free(sv);
    cl = ward_conn_new_resuming(ccfg, name, box.latest, NULL, 0);
    sv = ward_conn_new(scfg, NULL);
    CHECK(run(cl, sv));
    CHECK(ward_conn_resumed(sv) && ward_conn_alpn(sv) && strlen(ward_conn_alpn(sv)) == 255);
    ward_conn_free(cl);
    ward_conn_free(sv);
    ward_session_free(box.latest);
    ward_config_free(ccfg);
    ward_config_free(scfg);
}

/* Replace the first occurrence of pat (n bytes) in buf by rep. */
static int patch(uint8_t *buf, size_t len, const uint8_t *pat, const uint8_t *rep, size_t n)
{
    for (size_t i = 0; i + n <= len; i++)
        if (!memcmp(buf + i, pat, n)) {
            memcpy(buf + i, rep, n);
            return 1;
        }
    return 0;
}

/* What a hostile or broken peer gets. */
static void hostile(void)
{
    session_box box = {0};
    ward_config *ccfg = client_cfg(&box);
    CHECK(ward_config_set_max_early_data(server_cfg, 1000) == WARD_OK);
    ward_session *s = full_handshake(ccfg, &box);
    size_t len;
    uint8_t buf[8192];

    /* A PSK without psk_key_exchange_modes (§4.2.9): missing_extension.
     * The mode extension's type is renamed to an unknown one. */
    ward_conn *cl = ward_conn_new_resuming(ccfg, "localhost", s, NULL, 0);
    ward_conn *sv = ward_conn_new(server_cfg, NULL);
    const uint8_t *out = ward_conn_output(cl, &len);
    memcpy(buf, out, len);
    static const uint8_t modes[] = {0x00, 0x2d, 0x00, 0x02, 0x01, 0x01};
    static const uint8_t renamed[] = {0xfa, 0xfa, 0x00, 0x02, 0x01, 0x01};
    CHECK(patch(buf, len, modes, renamed, sizeof modes));
    CHECK(ward_conn_recv(sv, buf, len) == WARD_ERR_MISSING_EXTENSION);
    ward_conn_free(cl);
    ward_conn_free(sv);

    /* The server picks an identity the client did not offer. */
    cl = ward_conn_new_resuming(ccfg, "localhost", s, NULL, 0);
    sv = ward_conn_new(server_cfg, NULL);
    size_t moved;
    CHECK(selftalk_move(cl, sv, &moved) == WARD_OK);
    out = ward_conn_output(sv, &len);
    memcpy(buf, out, len);
    static const uint8_t psk0[] = {0x00, 0x29, 0x00, 0x02, 0x00, 0x00};
    static const uint8_t psk1[] = {0x00, 0x29, 0x00, 0x02, 0x00, 0x01};
    CHECK(patch(buf, len, psk0, psk1, sizeof psk0));
    CHECK(ward_conn_recv(cl, buf, len) == WARD_ERR_ILLEGAL_PARAMETER);
    ward_conn_free(cl);
    ward_conn_free(sv);

    /* More early data than the server allows (the client's copy of the
     * ticket lies about the limit): unexpected_message. */
    ward_session *liar = ward_session_dup(box.latest);
    liar->st.max_early_data = 100000;
    uint8_t *big = calloc(1, 3000);
    cl = ward_conn_new_resuming(ccfg, "localhost", liar, big, 3000);
    sv = ward_conn_new(server_cfg, NULL);
    CHECK(selftalk_pump(cl, sv) == WARD_ERR_UNEXPECTED_MESSAGE);
    CHECK(ward_conn_error(sv) == WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(cl);
    ward_conn_free(sv);

    /* Rejected early data beyond what a server skips: unexpected_message. */
    ward_session *liar2 = ward_session_dup(liar);
    ward_session_free(liar);
    CHECK(ward_config_set_max_early_data(server_cfg, 0) == WARD_OK);
    uint8_t *huge = calloc(1, 20000);
    cl = ward_conn_new_resuming(ccfg, "localhost", liar2, huge, 20000);
    sv = ward_conn_new(server_cfg, NULL);
    CHECK(selftalk_pump(cl, sv) != WARD_OK);
    CHECK(ward_conn_error(sv) == WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(cl);
    ward_conn_free(sv);

    free(big);
    free(huge);
    ward_session_free(liar2);
    ward_session_free(s);
    ward_session_free(box.latest);
    ward_config_free(ccfg);
}

int main(void)
{
    server_cfg = ward_config_new_server();
    CHECK(ward_config_use_ephemeral_cert(server_cfg, "localhost", pin) == WARD_OK);
    resume_once();
    key_rotation();
    early_data();
    bad_binder();
    hostile();
    long_names(); /* last: its server's certificate changes the pin */
    ward_config_free(server_cfg);
    return test_report();
}
