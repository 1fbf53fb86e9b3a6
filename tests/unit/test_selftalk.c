/* A ward client and a ward server in one process, over no network: every
 * suite × group, HelloRetryRequest, KeyUpdate, 1 MiB each way, close. */
#include <stdlib.h>
#include <string.h>

#include "selftalk.h"
#include "testutil.h"
#include "ward/ward.h"

static ward_config *server_cfg;
static uint8_t pin[32];

typedef struct {
    ward_conn *client, *server;
    ward_config *ccfg;
} pair;

static int pair_connect(pair *p, ward_config *ccfg)
{
    p->ccfg = ccfg;
    p->client = ward_conn_new(ccfg, "localhost");
    p->server = ward_conn_new(server_cfg, NULL);
    if (!p->client || !p->server)
        return 0;
    ward_err e = selftalk_pump(p->client, p->server);
    if (e != WARD_OK)
        fprintf(stderr, "handshake: client: %s / server: %s\n",
                ward_conn_error_message(p->client), ward_conn_error_message(p->server));
    return e == WARD_OK && ward_conn_state(p->client) == WARD_STATE_ESTABLISHED &&
           ward_conn_state(p->server) == WARD_STATE_ESTABLISHED;
}

static void pair_free(pair *p)
{
    ward_conn_free(p->client);
    ward_conn_free(p->server);
    ward_config_free(p->ccfg);
}

static ward_config *client_cfg(void)
{
    ward_config *c = ward_config_new_client();
    ward_config_set_pin_sha256(c, pin);
    return c;
}

/* Send len bytes from a to b in chunks, reading them back, and compare. */
static int transfer(ward_conn *from, ward_conn *to, size_t len)
{
    uint8_t *src = malloc(len), *dst = malloc(len);
    for (size_t i = 0; i < len; i++)
        src[i] = (uint8_t)(i * 31 + 7);
    size_t got = 0, sent = 0;
    int ok = 1;
    while (got < len && ok) {
        if (sent < len) {
            size_t chunk = len - sent < 50000 ? len - sent : 50000;
            ok &= ward_conn_write(from, src + sent, chunk) == WARD_OK;
            sent += chunk;
        }
        ok &= selftalk_pump(from, to) == WARD_OK;
        size_t n;
        while (ok && ward_conn_read(to, dst + got, len - got, &n) == WARD_OK && n > 0)
            got += n;
    }
    ok &= got == len && memcmp(src, dst, len) == 0;
    free(src);
    free(dst);
    return ok;
}

static void every_suite_and_group(void)
{
    const uint16_t suites[] = {WARD_TLS_AES_128_GCM_SHA256, WARD_TLS_AES_256_GCM_SHA384,
                               WARD_TLS_CHACHA20_POLY1305_SHA256};
    const uint16_t groups[] = {WARD_GROUP_X25519, WARD_GROUP_SECP256R1, WARD_GROUP_SECP384R1};
    for (size_t s = 0; s < 3; s++)
        for (size_t g = 0; g < 3; g++) {
            ward_config *cc = client_cfg();
            CHECK(ward_config_set_suites(cc, &suites[s], 1) == WARD_OK);
            CHECK(ward_config_set_groups(cc, &groups[g], 1) == WARD_OK);
            pair p;
            CHECK(pair_connect(&p, cc));
            CHECK(ward_conn_suite(p.client) == suites[s]);
            CHECK(ward_conn_suite(p.server) == suites[s]);
            CHECK(ward_conn_group(p.client) == groups[g]);
            CHECK(ward_conn_version(p.client) == WARD_TLS13);
            CHECK(!ward_conn_did_hrr(p.client));
            CHECK(ward_conn_sigscheme(p.client) == 0x0403);
            CHECK(transfer(p.client, p.server, 1000));
            CHECK(transfer(p.server, p.client, 1000));
            pair_free(&p);
        }
}

static void hello_retry_request(void)
{
    /* The client sends an x25519 share only; the server wants P-384. */
    ward_config *cc = client_cfg();
    ward_config *sc = server_cfg;
    const uint16_t server_groups[] = {WARD_GROUP_SECP384R1};
    ward_config *sc2 = ward_config_new_server();
    uint8_t pin2[32];
    CHECK(ward_config_use_ephemeral_cert(sc2, "localhost", pin2) == WARD_OK);
    CHECK(ward_config_set_groups(sc2, server_groups, 1) == WARD_OK);
    ward_config_set_pin_sha256(cc, pin2);
    server_cfg = sc2;
    pair p;
    CHECK(pair_connect(&p, cc));
    CHECK(ward_conn_did_hrr(p.client) && ward_conn_did_hrr(p.server));
    CHECK(ward_conn_group(p.client) == WARD_GROUP_SECP384R1);
    CHECK(transfer(p.client, p.server, 5000));
    pair_free(&p);
    ward_config_free(sc2);
    server_cfg = sc;

    /* A forced retry when the share was fine: the cookie path. */
    ward_config *forced = ward_config_new_server();
    CHECK(ward_config_use_ephemeral_cert(forced, "localhost", pin2) == WARD_OK);
    ward_config_set_force_hrr(forced, 1);
    cc = client_cfg();
    ward_config_set_pin_sha256(cc, pin2);
    server_cfg = forced;
    CHECK(pair_connect(&p, cc));
    CHECK(ward_conn_did_hrr(p.client));
    CHECK(transfer(p.server, p.client, 5000));
    pair_free(&p);
    ward_config_free(forced);
    server_cfg = sc;
}

static void key_update_and_bulk(void)
{
    pair p;
    CHECK(pair_connect(&p, client_cfg()));
    CHECK(transfer(p.client, p.server, 1 << 20));
    CHECK(ward_conn_key_update(p.client, 1) == WARD_OK);
    CHECK(transfer(p.client, p.server, 70000));
    CHECK(transfer(p.server, p.client, 70000));
    CHECK(ward_conn_key_updates_received(p.server) == 1);
    CHECK(ward_conn_key_updates_received(p.client) == 1); /* the answer */
    CHECK(ward_conn_key_update(p.server, 0) == WARD_OK);
    CHECK(transfer(p.server, p.client, 1 << 20));
    CHECK(ward_conn_key_updates_received(p.client) == 2);

    /* close_notify each way */
    CHECK(ward_conn_close(p.client) == WARD_OK);
    CHECK(selftalk_pump(p.client, p.server) == WARD_OK);
    CHECK(ward_conn_peer_closed(p.server));
    uint8_t b[4];
    size_t n;
    CHECK(ward_conn_read(p.server, b, sizeof b, &n) == WARD_CLOSED);
    CHECK(ward_conn_write(p.server, (const uint8_t *)"bye", 3) == WARD_OK);
    CHECK(ward_conn_close(p.server) == WARD_OK);
    CHECK(selftalk_pump(p.client, p.server) == WARD_OK);
    CHECK(ward_conn_read(p.client, b, sizeof b, &n) == WARD_OK && n == 3);
    CHECK(ward_conn_read(p.client, b, sizeof b, &n) == WARD_CLOSED);
    pair_free(&p);
}

/* ward_conn_read_view / ward_conn_read_done: the same bytes as
 * ward_conn_read, in place, consumed in pieces; then the close. */
static void read_view(void)
{
    pair p;
    CHECK(pair_connect(&p, client_cfg()));
    size_t len;
    const uint8_t *v = ward_conn_read_view(p.server, &len);
    CHECK(v != NULL && len == 0);
    uint8_t src[40000];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(i * 13 + 1);
    CHECK(ward_conn_write(p.client, src, sizeof src) == WARD_OK);
    CHECK(selftalk_pump(p.client, p.server) == WARD_OK);
    v = ward_conn_read_view(p.server, &len);
    CHECK(len == sizeof src && memcmp(v, src, len) == 0);
    ward_conn_read_done(p.server, 1000);
    v = ward_conn_read_view(p.server, &len);
    CHECK(len == sizeof src - 1000 && memcmp(v, src + 1000, len) == 0);
    uint8_t b[10];
    size_t n;
    CHECK(ward_conn_read(p.server, b, sizeof b, &n) == WARD_OK && n == 10 &&
          memcmp(b, src + 1000, 10) == 0);
    ward_conn_read_done(p.server, (size_t)-1); /* more than is there: all */
    v = ward_conn_read_view(p.server, &len);
    CHECK(v != NULL && len == 0);
    CHECK(ward_conn_read(p.server, b, sizeof b, &n) == WARD_OK && n == 0);
    CHECK(ward_conn_close(p.client) == WARD_OK);
    CHECK(selftalk_pump(p.client, p.server) == WARD_OK);
    v = ward_conn_read_view(p.server, &len);
    CHECK(len == 0);
    CHECK(ward_conn_read(p.server, b, sizeof b, &n) == WARD_CLOSED);
    pair_free(&p);
}

static void alpn(void)
{
    ward_config *sc = ward_config_new_server();
    uint8_t pin2[32];
    CHECK(ward_config_use_ephemeral_cert(sc, "localhost", pin2) == WARD_OK);
    const char *server_protos[] = {"h2", "http/1.1"};
    CHECK(ward_config_set_alpn(sc, server_protos, 2) == WARD_OK);
    ward_config *saved = server_cfg;
    server_cfg = sc;

    ward_config *cc = ward_config_new_client();
    ward_config_set_pin_sha256(cc, pin2);
    const char *client_protos[] = {"http/1.1", "h2"};
    CHECK(ward_config_set_alpn(cc, client_protos, 2) == WARD_OK);
    pair p;
    CHECK(pair_connect(&p, cc));
    CHECK(ward_conn_alpn(p.client) && strcmp(ward_conn_alpn(p.client), "h2") == 0);
    CHECK(ward_conn_alpn(p.server) && strcmp(ward_conn_alpn(p.server), "h2") == 0);
    CHECK(ward_conn_server_name(p.server) && strcmp(ward_conn_server_name(p.server), "localhost") == 0);
    pair_free(&p);

    /* No protocol in common: no_application_protocol. */
    cc = ward_config_new_client();
    ward_config_set_pin_sha256(cc, pin2);
    const char *other[] = {"imap"};
    CHECK(ward_config_set_alpn(cc, other, 1) == WARD_OK);
    CHECK(!pair_connect(&p, cc));
    CHECK(ward_conn_error(p.server) == WARD_ERR_NO_APPLICATION_PROTOCOL);
    CHECK(ward_conn_error(p.client) == WARD_ERR_PEER_ALERT);
    CHECK(strstr(ward_conn_error_message(p.client), "no_application_protocol") != NULL);
    pair_free(&p);
    server_cfg = saved;
    ward_config_free(sc);
}

static void pin_mismatch_fails_closed(void)
{
    ward_config *cc = ward_config_new_client();
    uint8_t wrong[32] = {1};
    ward_config_set_pin_sha256(cc, wrong);
    pair p;
    CHECK(!pair_connect(&p, cc));
    CHECK(ward_conn_error(p.client) == WARD_ERR_PIN_MISMATCH);
    CHECK(strstr(ward_conn_error_message(p.client), "pin") != NULL);
    CHECK(ward_conn_error(p.server) == WARD_ERR_PEER_ALERT);
    CHECK(strstr(ward_conn_error_message(p.server), "bad_certificate") != NULL);
    CHECK(ward_conn_write(p.client, (const uint8_t *)"x", 1) != WARD_OK);
    pair_free(&p);

    /* No pin, no trust anchor for the self-signed key. */
    cc = ward_config_new_client();
    CHECK(!pair_connect(&p, cc));
    CHECK(ward_conn_error(p.client) == WARD_ERR_SELF_SIGNED);
    pair_free(&p);
}

int main(void)
{
    server_cfg = ward_config_new_server();
    CHECK(ward_config_use_ephemeral_cert(server_cfg, "localhost", pin) == WARD_OK);
    every_suite_and_group();
    hello_retry_request();
    key_update_and_bulk();
    read_view();
    alpn();
    pin_mismatch_fails_closed();
    ward_config_free(server_cfg);
    return test_report();
}
