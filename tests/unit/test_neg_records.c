/* Negative tests for the record layer as the engine meets it (RFC 8446 §5,
 * RFC 5246 §6.2): zero-length records of each type, records over 2^14 and
 * 2^14 + 256, unknown types, bad protection, missing inner type, interleaving
 * and malformed alerts. Each case checks the code, the exact alert (opened
 * with the engine's keys where protected) and a dead connection. */
#include <string.h>

#include "msg/msg.h"
#include "negpeer.h"
#include "testutil.h"

#define EXPECT(c, got, want) neg_expect(__func__, c, &scap, got, want)

static neg_capture scap, ccap;
static ward_config *scfg, *ccfg;

/* ---- before any keys: a fresh server ---- */
static ward_err plain(ward_conn *s, uint8_t type, const uint8_t *p, size_t n)
{
    static neg_buf rec;
    rec.len = 0;
    neg_record(&rec, type, p, n);
    return ward_conn_recv(s, rec.b, rec.len);
}

static void zero_length_handshake_record(void)
{
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, plain(s, CT_HANDSHAKE, NULL, 0), WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(s);
}

static void zero_length_alert_record(void)
{
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, plain(s, CT_ALERT, NULL, 0), WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(s);
}

static void zero_length_ccs_record(void)
{
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, plain(s, CT_CHANGE_CIPHER_SPEC, NULL, 0), WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(s);
}

static void zero_length_application_data_before_keys(void)
{
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, plain(s, CT_APPLICATION_DATA, NULL, 0), WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(s);
}

static void plaintext_record_over_2_14(void)
{
    static uint8_t big[REC_MAX_PLAINTEXT + 1];
    big[0] = HS_CLIENT_HELLO;
    big[1] = 0;
    big[2] = 0x40;
    big[3] = 0x01;
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, plain(s, CT_HANDSHAKE, big, sizeof big), WARD_ERR_RECORD_OVERFLOW);
    ward_conn_free(s);
}

static void record_length_over_2_14_plus_256(void)
{
    /* refused from the header alone, before the body arrives */
    static const uint8_t hdr[] = {CT_APPLICATION_DATA, 3, 3, 0x41, 0x01};
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, ward_conn_recv(s, hdr, sizeof hdr), WARD_ERR_RECORD_OVERFLOW);
    ward_conn_free(s);
}

static void unknown_content_type(void)
{
    static const uint8_t rec[] = {24, 3, 3, 0, 1, 0}; /* heartbeat: not supported */
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, ward_conn_recv(s, rec, sizeof rec), WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(s);
}

static void alert_too_long(void)
{
    static const uint8_t alert[3] = {2, 40, 0};
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, plain(s, CT_ALERT, alert, 3), WARD_ERR_DECODE);
    ward_conn_free(s);
}

static void alert_inside_fragmented_handshake(void)
{
    static const uint8_t frag[] = {HS_CLIENT_HELLO, 0, 0, 200, 3, 3};
    static const uint8_t warn[] = {1, 90};
    neg_buf rec = {0};
    neg_record(&rec, CT_HANDSHAKE, frag, sizeof frag);
    neg_record(&rec, CT_ALERT, warn, 2);
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, ward_conn_recv(s, rec.b, rec.len), WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(s);
}

static void ccs_inside_fragmented_handshake(void)
{
    static const uint8_t frag[] = {HS_CLIENT_HELLO, 0, 0, 200, 3, 3};
    static const uint8_t ccs[] = {1};
    neg_buf rec = {0};
    neg_record(&rec, CT_HANDSHAKE, frag, sizeof frag);
    neg_record(&rec, CT_CHANGE_CIPHER_SPEC, ccs, 1);
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, ward_conn_recv(s, rec.b, rec.len), WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(s);
}

static void byte_at_a_time_is_fine(void)
{
    /* a ClientHello fed one byte per call is reassembled */
    ward_conn *c = ward_conn_new(ccfg, "localhost"), *s = ward_conn_new(scfg, NULL);
    size_t n;
    const uint8_t *p = ward_conn_output(c, &n);
    ward_err e = WARD_OK;
    for (size_t i = 0; i < n && e == WARD_OK; i++)
        e = ward_conn_recv(s, p + i, 1);
    neg_cases++;
    CHECK_CODE(e, WARD_OK);
    (void)ward_conn_output(s, &n);
    CHECK(n > 0); /* the server answered */
    ward_conn_free(c);
    ward_conn_free(s);
}

/* ---- protected records: a server that finished its handshake ---- */
typedef struct {
    ward_conn *c, *s;
    const uint8_t *secret; /* the client's application write secret */
    uint16_t suite;
    uint64_t seq;
} up;

static int connect(up *u)
{
    u->c = ward_conn_new(ccfg, "localhost");
    u->s = ward_conn_new(scfg, NULL);
    for (int i = 0; i < 4; i++) {
        if (neg_move(u->c, u->s) != WARD_OK || neg_move(u->s, u->c) != WARD_OK)
            return 0;
    }
    u->secret = neg_secret(&ccap, "CLIENT_TRAFFIC_SECRET_0");
    u->suite = ward_conn_suite(u->s);
    u->seq = 0;
    return ward_conn_state(u->s) == WARD_STATE_ESTABLISHED && u->secret;
}

static void disconnect(up *u)
{
    ward_conn_free(u->c);
    ward_conn_free(u->s);
}

static ward_err sealed(up *u, const uint8_t *content, size_t n, int inner_type, size_t pad)
{
    static neg_buf rec;
    rec.len = 0;
    neg_seal_raw(&rec, u->suite, u->secret, u->seq++, content, n, inner_type, pad);
    return ward_conn_recv(u->s, rec.b, rec.len);
}

static void protected_records_accepted(void)
{
    up u;
    CHECK(connect(&u));
    neg_cases++;
    CHECK_CODE(sealed(&u, (const uint8_t *)"hello", 5, CT_APPLICATION_DATA, 100), WARD_OK);
    /* §5.4: zero-length application data may be sent (traffic analysis) */
    CHECK_CODE(sealed(&u, NULL, 0, CT_APPLICATION_DATA, 0), WARD_OK);
    uint8_t b[16];
    size_t n;
    CHECK(ward_conn_read(u.s, b, sizeof b, &n) == WARD_OK && n == 5 && !memcmp(b, "hello", 5));
    disconnect(&u);
}

static void protected_bad_mac(void)
{
    up u;
    CHECK(connect(&u));
    static neg_buf rec;
    rec.len = 0;
    neg_seal_raw(&rec, u.suite, u.secret, 0, (const uint8_t *)"hello", 5, CT_APPLICATION_DATA, 0);
    rec.b[rec.len - 1] ^= 1;
    EXPECT(u.s, ward_conn_recv(u.s, rec.b, rec.len), WARD_ERR_BAD_RECORD_MAC);
    disconnect(&u);
}

static void protected_wrong_sequence_number(void)
{
    up u;
    CHECK(connect(&u));
    u.seq = 1; /* a record skipped (or replayed out of order) */
    EXPECT(u.s, sealed(&u, (const uint8_t *)"x", 1, CT_APPLICATION_DATA, 0), WARD_ERR_BAD_RECORD_MAC);
    disconnect(&u);
}

static void protected_shorter_than_tag(void)
{
    up u;
    CHECK(connect(&u));
    static const uint8_t rec[] = {CT_APPLICATION_DATA, 3, 3, 0, 5, 1, 2, 3, 4, 5};
    EXPECT(u.s, ward_conn_recv(u.s, rec, sizeof rec), WARD_ERR_BAD_RECORD_MAC);
    disconnect(&u);
}

static void protected_empty_record(void)
{
    up u;
    CHECK(connect(&u));
    static const uint8_t rec[] = {CT_APPLICATION_DATA, 3, 3, 0, 0};
    EXPECT(u.s, ward_conn_recv(u.s, rec, sizeof rec), WARD_ERR_BAD_RECORD_MAC);
    disconnect(&u);
}

static void protected_missing_inner_type(void)
{
    /* §5.4: all-zero plaintext (no non-zero content type) */
    up u;
    CHECK(connect(&u));
    EXPECT(u.s, sealed(&u, NULL, 0, -1, 20), WARD_ERR_UNEXPECTED_MESSAGE);
    disconnect(&u);
}

static void protected_zero_length_handshake(void)
{
    up u;
    CHECK(connect(&u));
    EXPECT(u.s, sealed(&u, NULL, 0, CT_HANDSHAKE, 0), WARD_ERR_UNEXPECTED_MESSAGE);
    disconnect(&u);
}

static void protected_zero_length_alert(void)
{
    up u;
    CHECK(connect(&u));
    EXPECT(u.s, sealed(&u, NULL, 0, CT_ALERT, 3), WARD_ERR_UNEXPECTED_MESSAGE);
    disconnect(&u);
}

static void protected_inner_type_ccs(void)
{
    /* §5: change_cipher_spec is never protected */
    up u;
    CHECK(connect(&u));
    static const uint8_t one = 1;
    EXPECT(u.s, sealed(&u, &one, 1, CT_CHANGE_CIPHER_SPEC, 0), WARD_ERR_UNEXPECTED_MESSAGE);
    disconnect(&u);
}

static void protected_unknown_inner_type(void)
{
    up u;
    CHECK(connect(&u));
    EXPECT(u.s, sealed(&u, (const uint8_t *)"x", 1, 99, 0), WARD_ERR_UNEXPECTED_MESSAGE);
    disconnect(&u);
}

static void protected_plaintext_over_2_14(void)
{
    up u;
    CHECK(connect(&u));
    static uint8_t big[REC_MAX_PLAINTEXT + 1];
    EXPECT(u.s, sealed(&u, big, sizeof big, CT_APPLICATION_DATA, 0), WARD_ERR_RECORD_OVERFLOW);
    disconnect(&u);
}

static void protected_max_plaintext_ok(void)
{
    up u;
    CHECK(connect(&u));
    static uint8_t big[REC_MAX_PLAINTEXT];
    neg_cases++;
    CHECK_CODE(sealed(&u, big, sizeof big, CT_APPLICATION_DATA, 0), WARD_OK);
    disconnect(&u);
}

static void protected_ciphertext_over_2_14_plus_256(void)
{
    /* content 2^14 plus 256 bytes of padding: 2^14 + 273 on the wire */
    up u;
    CHECK(connect(&u));
    static uint8_t big[REC_MAX_PLAINTEXT];
    EXPECT(u.s, sealed(&u, big, sizeof big, CT_APPLICATION_DATA, 256), WARD_ERR_RECORD_OVERFLOW);
    disconnect(&u);
}

/* §5.4: "The presence of padding does not change the overall record size
 * limitations: the full encoded TLSInnerPlaintext MUST NOT exceed 2^14 + 1
 * octets." 2^14 of content, the type and one zero: 2^14 + 2. */
static void protected_padding_over_2_14_plus_1(void)
{
    up u;
    CHECK(connect(&u));
    static uint8_t big[REC_MAX_PLAINTEXT];
    memset(big, 'a', sizeof big);
    EXPECT(u.s, sealed(&u, big, sizeof big, CT_APPLICATION_DATA, 1), WARD_ERR_RECORD_OVERFLOW);
    CHECK(strstr(ward_conn_error_message(u.s), "padding included, exceeds 16385 bytes") != NULL);
    CHECK(!ward_conn_readable(u.s)); /* nothing delivered */
    disconnect(&u);
}

/* The same over the general path (a partial record first), and with a
 * small content padded past the limit. */
static void protected_padding_over_limit_buffered(void)
{
    up u;
    CHECK(connect(&u));
    static neg_buf rec;
    rec.len = 0;
    neg_seal_raw(&rec, u.suite, u.secret, u.seq++, (const uint8_t *)"hi", 2, CT_APPLICATION_DATA,
                 REC_MAX_PLAINTEXT);
    neg_cases++;
    CHECK_CODE(ward_conn_recv(u.s, rec.b, 3), WARD_OK);
    EXPECT(u.s, ward_conn_recv(u.s, rec.b + 3, rec.len - 3), WARD_ERR_RECORD_OVERFLOW);
    CHECK(!ward_conn_readable(u.s));
    disconnect(&u);
}

/* At the limit: content, type and padding of exactly 2^14 + 1 bytes. */
static void protected_padding_at_2_14_plus_1_ok(void)
{
    up u;
    CHECK(connect(&u));
    neg_cases++;
    CHECK_CODE(sealed(&u, (const uint8_t *)"hi", 2, CT_APPLICATION_DATA, REC_MAX_PLAINTEXT - 2),
               WARD_OK);
    static uint8_t big[REC_MAX_PLAINTEXT];
    CHECK_CODE(sealed(&u, big, sizeof big, CT_APPLICATION_DATA, 0), WARD_OK);
    CHECK(ward_conn_state(u.s) == WARD_STATE_ESTABLISHED);
    disconnect(&u);
}

/* RFC 8449 §4: a client that advertised record_size_limit L (here through
 * the test hook, the only way ward advertises one) refuses a protected
 * record whose TLSInnerPlaintext, padding included, is over L. */
static void record_size_limit_with_padding(void)
{
    static neg_capture rcap;
    neg_capture_init(&rcap);
    rcap.hooks.record_size_limit = 256;
    ward_config *rcfg = neg_client_config(&rcap, WARD_TLS13, WARD_TLS13);
    ward_conn *c = ward_conn_new(rcfg, "localhost"), *s = ward_conn_new(scfg, NULL);
    for (int i = 0; i < 4; i++)
        CHECK(neg_move(c, s) == WARD_OK && neg_move(s, c) == WARD_OK);
    CHECK(ward_conn_state(c) == WARD_STATE_ESTABLISHED);
    const uint8_t *secret = neg_secret(&scap, "SERVER_TRAFFIC_SECRET_0");
    CHECK(secret != NULL);
    uint16_t suite = ward_conn_suite(c);
    uint64_t seq = s->wdir.seq; /* after the server's tickets */
    static uint8_t content[200];
    memset(content, 'b', sizeof content);
    static neg_buf rec;
    /* 200 + type + 55 zeros = 256: at the limit */
    rec.len = 0;
    neg_seal_raw(&rec, suite, secret, seq++, content, sizeof content, CT_APPLICATION_DATA, 55);
    neg_cases++;
    CHECK_CODE(ward_conn_recv(c, rec.b, rec.len), WARD_OK);
    uint8_t got[256];
    size_t n;
    CHECK(ward_conn_read(c, got, sizeof got, &n) == WARD_OK && n == 200);
    /* 200 + type + 56 zeros = 257: one over */
    rec.len = 0;
    neg_seal_raw(&rec, suite, secret, seq++, content, sizeof content, CT_APPLICATION_DATA, 56);
    EXPECT(c, ward_conn_recv(c, rec.b, rec.len), WARD_ERR_RECORD_OVERFLOW);
    CHECK(strstr(ward_conn_error_message(c), "padding included, exceeds 256 bytes") != NULL);
    CHECK(!ward_conn_readable(c));
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(rcfg);
}

static void plaintext_record_after_keys(void)
{
    up u;
    CHECK(connect(&u));
    static const uint8_t alert[] = {1, 0};
    EXPECT(u.s, plain(u.s, CT_ALERT, alert, 2), WARD_ERR_UNEXPECTED_MESSAGE);
    disconnect(&u);
}

static void protected_alert_three_bytes(void)
{
    up u;
    CHECK(connect(&u));
    static const uint8_t alert[] = {1, 0, 0};
    EXPECT(u.s, sealed(&u, alert, 3, CT_ALERT, 0), WARD_ERR_DECODE);
    disconnect(&u);
}

static void warning_alert_after_handshake(void)
{
    /* §6: in TLS 1.3 every alert but close_notify/user_canceled is fatal */
    up u;
    CHECK(connect(&u));
    static const uint8_t alert[] = {1, 42};
    EXPECT(u.s, sealed(&u, alert, 2, CT_ALERT, 0), WARD_ERR_PEER_ALERT);
    disconnect(&u);
}

static void fragmented_handshake_then_application_data(void)
{
    up u;
    CHECK(connect(&u));
    static const uint8_t frag[] = {HS_KEY_UPDATE, 0, 0, 1};
    CHECK_CODE(sealed(&u, frag, sizeof frag, CT_HANDSHAKE, 0), WARD_OK);
    EXPECT(u.s, sealed(&u, (const uint8_t *)"x", 1, CT_APPLICATION_DATA, 0),
           WARD_ERR_UNEXPECTED_MESSAGE);
    disconnect(&u);
}

int main(void)
{
    neg_capture_init(&scap);
    neg_capture_init(&ccap);
    scfg = neg_server_config(&scap, WARD_TLS12, WARD_TLS13);
    ccfg = neg_client_config(&ccap, WARD_TLS13, WARD_TLS13);

    zero_length_handshake_record();
    zero_length_alert_record();
    zero_length_ccs_record();
    zero_length_application_data_before_keys();
    plaintext_record_over_2_14();
    record_length_over_2_14_plus_256();
    unknown_content_type();
    alert_too_long();
    alert_inside_fragmented_handshake();
    ccs_inside_fragmented_handshake();
    byte_at_a_time_is_fine();
    protected_records_accepted();
    protected_bad_mac();
    protected_wrong_sequence_number();
    protected_shorter_than_tag();
    protected_empty_record();
    protected_missing_inner_type();
    protected_zero_length_handshake();
    protected_zero_length_alert();
    protected_inner_type_ccs();
    protected_unknown_inner_type();
    protected_plaintext_over_2_14();
    protected_max_plaintext_ok();
    protected_ciphertext_over_2_14_plus_256();
    protected_padding_over_2_14_plus_1();
    protected_padding_over_limit_buffered();
    protected_padding_at_2_14_plus_1_ok();
    record_size_limit_with_padding();
    plaintext_record_after_keys();
    protected_alert_three_bytes();
    warning_alert_after_handshake();
    fragmented_handshake_then_application_data();

    ward_config_free(scfg);
    ward_config_free(ccfg);
    printf("%d negative cases, %d failed\n", neg_cases, neg_failed);
    return test_report();
}
