/* 0-RTT conformance (issue #13), a ward client and a ward server in memory:
 *   - a server that refuses the early data skips up to max_early_data of
 *     its plaintext (not of whole records), so a client that sends its
 *     full allowance falls back to 1-RTT; one byte more is
 *     unexpected_message, and so is a flood of empty records (§4.2.10);
 *   - the skipping ends at the second ClientHello of a retry: a record
 *     that does not open after it is bad_record_mac (§5.2).
 * Each refusal checks the code, the exact alert and a dead connection. */
#include <stdlib.h>
#include <string.h>

#include "msg/msg.h"
#include "negpeer.h"
#include "selftalk.h"
#include "testutil.h"

static neg_capture scap, ccap;
static ward_config *scfg, *scfg_hrr, *scfg12, *ccfg, *ccfg_both;

#define LIMIT 1000 /* the server's max_early_data */

typedef struct {
    ward_session *latest;
} session_box;

static void on_session(void *arg, const ward_session *s)
{
    session_box *b = arg;
    ward_session_free(b->latest);
    b->latest = ward_session_dup(s);
}

static session_box box;

static ward_config *server_config(int force_hrr)
{
    ward_config *cfg = ward_config_new_server();
    uint8_t pin[32];
    ward_config_set_test_hooks(cfg, &scap.hooks);
    CHECK(ward_config_use_ephemeral_cert(cfg, "localhost", pin) == WARD_OK);
    CHECK(ward_config_set_versions(cfg, WARD_TLS13, WARD_TLS13) == WARD_OK);
    CHECK(ward_config_set_max_early_data(cfg, LIMIT) == WARD_OK);
    ward_config_set_force_hrr(cfg, force_hrr);
    return cfg;
}

static ward_config *client_config(uint16_t min)
{
    ward_config *cfg = neg_client_config(&ccap, min, WARD_TLS13);
    ward_config_set_session_callback(cfg, on_session, &box);
    return cfg;
}

/* A full handshake; the client's newest session (allowing 0-RTT). */
static ward_session *fresh_session(ward_config *client, ward_config *server)
{
    ward_conn *c = ward_conn_new(client, "localhost"), *s = ward_conn_new(server, NULL);
    CHECK_CODE(selftalk_pump(c, s), WARD_OK);
    uint8_t b;
    size_t n;
    (void)ward_conn_read(c, &b, 0, &n); /* the tickets */
    ward_conn_free(c);
    ward_conn_free(s);
    CHECK(box.latest && ward_session_max_early_data(box.latest) == LIMIT);
    return ward_session_dup(box.latest);
}

/* A session whose ticket's 0-RTT was used: a resumption with early data
 * then gets it refused by the single-use register. */
static ward_session *used_session(void)
{
    ward_session *s = fresh_session(ccfg, scfg);
    ward_conn *c = ward_conn_new_resuming(ccfg, "localhost", s, (const uint8_t *)"x", 1);
    ward_conn *v = ward_conn_new(scfg, NULL);
    CHECK_CODE(selftalk_pump(c, v), WARD_OK);
    CHECK(ward_conn_early_data_status(v) == WARD_EARLY_ACCEPTED);
    ward_conn_free(c);
    ward_conn_free(v);
    return s;
}

/* ---- refused early data: the skip allowance ---- */
static void refused_full_allowance_falls_back(void)
{
    ward_session *s = used_session();
    static uint8_t data[LIMIT];
    memset(data, 'e', sizeof data);
    ward_conn *c = ward_conn_new_resuming(ccfg, "localhost", s, data, sizeof data);
    ward_conn *v = ward_conn_new(scfg, NULL);
    neg_cases++;
    ward_err e = selftalk_pump(c, v);
    if (e != WARD_OK)
        fprintf(stderr, "%s: server: %s\n", __func__, ward_conn_error_message(v));
    CHECK_CODE(e, WARD_OK);
    CHECK(ward_conn_state(c) == WARD_STATE_ESTABLISHED);
    CHECK(ward_conn_state(v) == WARD_STATE_ESTABLISHED);
    CHECK(ward_conn_resumed(v));
    CHECK(ward_conn_early_data_status(c) == WARD_EARLY_REJECTED);
    CHECK(ward_conn_early_data_status(v) == WARD_EARLY_REJECTED);
    uint8_t got[16];
    size_t n;
    CHECK(ward_conn_read_early_data(v, got, sizeof got, &n) == WARD_OK && n == 0);
    CHECK(ward_conn_read(v, got, sizeof got, &n) == WARD_OK && n == 0);
    /* the application resends it in 1-RTT */
    CHECK(ward_conn_write(c, data, sizeof data) == WARD_OK);
    CHECK_CODE(selftalk_pump(c, v), WARD_OK);
    static uint8_t back[LIMIT + 1];
    CHECK(ward_conn_read(v, back, sizeof back, &n) == WARD_OK && n == LIMIT &&
          memcmp(back, data, LIMIT) == 0);
    ward_conn_free(c);
    ward_conn_free(v);
    ward_session_free(s);
}

static void refused_one_byte_over(void)
{
    ward_session *s = used_session();
    s->st.max_early_data = 100000; /* the client's copy lies about the limit */
    static uint8_t data[LIMIT + 1];
    ward_conn *c = ward_conn_new_resuming(ccfg, "localhost", s, data, sizeof data);
    ward_conn *v = ward_conn_new(scfg, NULL);
    neg_expect(__func__, v, &scap, neg_move(c, v), WARD_ERR_UNEXPECTED_MESSAGE);
    CHECK(strstr(ward_conn_error_message(v), "early data") != NULL);
    ward_conn_free(c);
    ward_conn_free(v);
    ward_session_free(s);
}

/* A record that cannot open and holds no plaintext (ciphertext of tag and
 * type byte only): free against the allowance, so bounded by the count of
 * empty records in a row. */
static void refused_empty_record_flood(void)
{
    ward_session *s = used_session();
    ward_conn *c = ward_conn_new_resuming(ccfg, "localhost", s, (const uint8_t *)"x", 1);
    ward_conn *v = ward_conn_new(scfg, NULL);
    CHECK_CODE(neg_move(c, v), WARD_OK);
    CHECK(ward_conn_early_data_status(v) == WARD_EARLY_REJECTED);
    static neg_buf flood;
    flood.len = 0;
    uint8_t junk[17];
    memset(junk, 0xa5, sizeof junk);
    ward_limits l;
    ward_config_get_limits(scfg, &l);
    for (unsigned i = 0; i <= l.max_empty_records; i++)
        neg_record(&flood, CT_APPLICATION_DATA, junk, sizeof junk);
    neg_expect(__func__, v, &scap, ward_conn_recv(v, flood.b, flood.len),
               WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(c);
    ward_conn_free(v);
    ward_session_free(s);
}

/* ---- the second ClientHello ends the skipping ---- */
static void after_retry_undecryptable_is_bad_record_mac(void)
{
    ward_session *s = fresh_session(ccfg, scfg_hrr);
    ward_conn *c = ward_conn_new_resuming(ccfg, "localhost", s, (const uint8_t *)"early", 5);
    ward_conn *v = ward_conn_new(scfg_hrr, NULL);
    CHECK_CODE(neg_move(c, v), WARD_OK); /* ClientHello + 0-RTT → HRR, skipped */
    CHECK_CODE(neg_move(v, c), WARD_OK); /* HRR → second ClientHello */
    CHECK_CODE(neg_move(c, v), WARD_OK); /* → the server's flight */
    CHECK(ward_conn_did_hrr(v) && ward_conn_early_data_status(v) == WARD_EARLY_REJECTED);
    uint8_t junk[40];
    memset(junk, 0x5a, sizeof junk);
    static neg_buf rec;
    rec.len = 0;
    neg_record(&rec, CT_APPLICATION_DATA, junk, sizeof junk);
    neg_expect(__func__, v, &scap, ward_conn_recv(v, rec.b, rec.len), WARD_ERR_BAD_RECORD_MAC);
    ward_conn_free(c);
    ward_conn_free(v);
    ward_session_free(s);
}

int main(void)
{
    neg_capture_init(&scap);
    neg_capture_init(&ccap);
    scfg = server_config(0);
    scfg_hrr = server_config(1);
    scfg12 = neg_server_config(NULL, WARD_TLS12, WARD_TLS12);
    ccfg = client_config(WARD_TLS13);
    ccfg_both = client_config(WARD_TLS12);

    refused_full_allowance_falls_back();
    refused_one_byte_over();
    refused_empty_record_flood();
    after_retry_undecryptable_is_bad_record_mac();

    ward_session_free(box.latest);
    ward_config_free(scfg);
    ward_config_free(scfg_hrr);
    ward_config_free(scfg12);
    ward_config_free(ccfg);
    ward_config_free(ccfg_both);
    printf("%d negative cases, %d failed\n", neg_cases, neg_failed);
    return test_report();
}
