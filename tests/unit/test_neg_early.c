/* 0-RTT conformance (issue #13), a ward client and a ward server in memory:
 *   - a server that refuses the early data skips up to max_early_data of
 *     its plaintext (not of whole records), so a client that sends its
 *     full allowance falls back to 1-RTT; one byte more is
 *     unexpected_message, and so is a flood of empty records (§4.2.10);
 *   - the skipping ends at the second ClientHello of a retry: a record
 *     that does not open after it is bad_record_mac (§5.2);
 *   - a client that sent 0-RTT refuses a TLS 1.2 ServerHello (D.3), and an
 *     accepted 0-RTT whose ALPN is not the ticket's (§4.2.10).
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

/* ---- client: TLS 1.2 after 0-RTT (D.3) ---- */

/* The last record c wrote opened with its client_early_traffic_secret:
 * the alert a client sends before it knows the server's answer. */
static int early_alert(ward_conn *c, uint16_t suite, int *level, int *desc)
{
    size_t len, off = 0, last = (size_t)-1;
    const uint8_t *out = ward_conn_output(c, &len);
    while (off + 5 <= len) {
        last = off;
        off += 5 + ((size_t)out[off + 3] << 8 | out[off + 4]);
    }
    rec_dir d;
    if (last == (size_t)-1 || off != len ||
        !neg_dir(&d, suite, neg_secret(&ccap, "CLIENT_EARLY_TRAFFIC_SECRET"), 0))
        return 0;
    d.seq = c->wdir.seq - 1;
    static uint8_t copy[REC_MAX_RECORD];
    memcpy(copy, out + last, len - last);
    uint8_t type;
    span p;
    int ok = wres_is_ok(rec_open(&d, copy, len - last, &type, &p)) && type == CT_ALERT &&
             p.len == 2;
    if (ok) {
        *level = p.p[0];
        *desc = p.p[1];
    }
    rec_dir_clear(&d);
    return ok;
}

static void tls12_server_hello_after_early_data(void)
{
    neg_flight12 f;
    CHECK(neg_flight12_start(&f, ccfg_both, scfg12));
    static neg_buf sh12, rec;
    sh12.len = rec.len = 0;
    neg_hs(&sh12, HS_SERVER_HELLO, f.m.m[0].body, f.m.m[0].len);
    neg_record(&rec, CT_HANDSHAKE, sh12.b, sh12.len);
    neg_flight12_end(&f);

    ward_session *s = fresh_session(ccfg_both, scfg);
    ward_conn *c = ward_conn_new_resuming(ccfg_both, "localhost", s, (const uint8_t *)"early", 5);
    static neg_buf out;
    neg_take(c, &out); /* ClientHello and the 0-RTT record */
    CHECK(ward_conn_early_data_status(c) == WARD_EARLY_REJECTED); /* sent, not yet taken */
    neg_cases++;
    CHECK_CODE(ward_conn_recv(c, rec.b, rec.len), WARD_ERR_ILLEGAL_PARAMETER);
    CHECK(strstr(ward_conn_error_message(c), "0-RTT") != NULL);
    int level = 0, desc = 0;
    CHECK(early_alert(c, s->st.suite, &level, &desc) && level == 2 && desc == 47);
    CHECK(ward_conn_state(c) == WARD_STATE_FAILED);
    CHECK(ward_conn_write(c, (const uint8_t *)"x", 1) != WARD_OK);
    ward_conn_free(c);
    ward_session_free(s);
}

/* ---- client: the ALPN of accepted 0-RTT (§4.2.10) ---- */
static void accepted_early_data_with_other_alpn(void)
{
    static const char *const server_alpn[] = {"h2", "http/1.1"};
    static const char *const client_alpn[] = {"http/1.1"};
    ward_config *sa = server_config(0);
    ward_config *ca = client_config(WARD_TLS13);
    CHECK(ward_config_set_alpn(sa, server_alpn, 2) == WARD_OK);
    CHECK(ward_config_set_alpn(ca, client_alpn, 1) == WARD_OK);
    ward_session *s = fresh_session(ca, sa);
    CHECK(strcmp(s->st.alpn, "http/1.1") == 0);
    ward_session *other = fresh_session(ca, sa); /* its own ticket: 0-RTT is once each */

    /* the same ALPN: accepted */
    ward_conn *c = ward_conn_new_resuming(ca, "localhost", s, (const uint8_t *)"early", 5);
    ward_conn *v = ward_conn_new(sa, NULL);
    neg_cases++;
    CHECK_CODE(selftalk_pump(c, v), WARD_OK);
    CHECK(ward_conn_early_data_status(c) == WARD_EARLY_ACCEPTED);
    ward_conn_free(c);
    ward_conn_free(v);

    /* the client's copy says h2 (the server's ticket still says
     * http/1.1, and the server accepts for that): refused */
    snprintf(other->st.alpn, sizeof other->st.alpn, "h2");
    c = ward_conn_new_resuming(ca, "localhost", other, (const uint8_t *)"early", 5);
    v = ward_conn_new(sa, NULL);
    CHECK_CODE(neg_move(c, v), WARD_OK);
    CHECK(ward_conn_early_data_status(v) == WARD_EARLY_ACCEPTED);
    neg_expect(__func__, c, &ccap, neg_move(v, c), WARD_ERR_ILLEGAL_PARAMETER);
    CHECK(strstr(ward_conn_error_message(c), "ALPN") != NULL);
    ward_conn_free(c);
    ward_conn_free(v);
    ward_session_free(s);
    ward_session_free(other);
    ward_config_free(sa);
    ward_config_free(ca);
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
    tls12_server_hello_after_early_data();
    accepted_early_data_with_other_alpn();

    ward_session_free(box.latest);
    ward_config_free(scfg);
    ward_config_free(scfg_hrr);
    ward_config_free(scfg12);
    ward_config_free(ccfg);
    ward_config_free(ccfg_both);
    printf("%d negative cases, %d failed\n", neg_cases, neg_failed);
    return test_report();
}
