/* KeyUpdate and the limits on key usage.
 *  - RFC 8446 §4.6.3: a receiver MUST update on every KeyUpdate, however
 *    many come in a row, and answers the requests it gets while silent
 *    with one KeyUpdate of its own; a KeyUpdate must end its record (§5.1).
 *  - RFC 8446 §5.5: ward renews its TLS 1.3 write key by itself before the
 *    AES-GCM limit, ends a TLS 1.2 connection whose write key is used up,
 *    and refuses a peer that sends past the limit under one key (both
 *    versions). The thresholds are lowered through the test hooks.
 * The peer is crafted (records sealed by hand from captured secrets) where
 * it must do what ward itself would not. */
#include <string.h>

#include "hs/keysched.h"
#include "hs/suites.h"
#include "msg/msg.h"
#include "negpeer.h"
#include "testutil.h"

#define EXPECT(c, cap, got, want) neg_expect(__func__, c, cap, got, want)

static neg_capture scap, ccap;
static ward_config *scfg, *ccfg;

/* A ward client and server, connected; the test then speaks for the
 * client with its captured write secret. */
typedef struct {
    ward_conn *c, *s;
    uint16_t suite;
    hash_alg hash;
    uint8_t secret[48]; /* the client's current application write secret */
    uint64_t seq;
} pair;

static int connect_pair(pair *p, ward_config *cc, const neg_capture *cc_cap, ward_config *sc)
{
    p->c = ward_conn_new(cc, "localhost");
    p->s = ward_conn_new(sc, NULL);
    for (int i = 0; i < 4; i++)
        if (neg_move(p->c, p->s) != WARD_OK || neg_move(p->s, p->c) != WARD_OK)
            return 0;
    const uint8_t *secret = neg_secret(cc_cap, "CLIENT_TRAFFIC_SECRET_0");
    if (!secret || ward_conn_state(p->s) != WARD_STATE_ESTABLISHED)
        return 0;
    p->suite = ward_conn_suite(p->s);
    p->hash = suite_lookup(p->suite)->hash;
    memcpy(p->secret, secret, hash_len(p->hash));
    p->seq = p->c->wdir.seq;
    return 1;
}

static void disconnect(pair *p)
{
    ward_conn_free(p->c);
    ward_conn_free(p->s);
}

/* One TLS 1.3 record from the crafted client, appended to o. */
static void put(pair *p, neg_buf *o, uint8_t type, const void *content, size_t n)
{
    neg_seal_raw(o, p->suite, p->secret, p->seq++, content, n, type, 0);
}

/* A KeyUpdate from the crafted client: sealed under the old key, then on
 * to the next secret (§7.2) at sequence number 0. */
static void put_key_update(pair *p, neg_buf *o, int request)
{
    const uint8_t ku[] = {HS_KEY_UPDATE, 0, 0, 1, (uint8_t)request};
    put(p, o, CT_HANDSHAKE, ku, sizeof ku);
    CHECK_OK(ks_update_traffic(p->hash, p->secret));
    p->seq = 0;
}

/* Feed o to c in pieces of chunk bytes (0: all at once). */
static ward_err feed(ward_conn *c, const neg_buf *o, size_t chunk)
{
    if (!chunk)
        chunk = o->len;
    ward_err e = WARD_OK;
    for (size_t off = 0; off < o->len && e == WARD_OK; off += chunk)
        e = ward_conn_recv(c, o->b + off, o->len - off < chunk ? o->len - off : chunk);
    return e;
}

static int read_is(ward_conn *c, const char *want)
{
    uint8_t b[256];
    size_t n = 0;
    return ward_conn_read(c, b, sizeof b, &n) == WARD_OK && n == strlen(want) &&
           !memcmp(b, want, n);
}

/* ---- §4.6.3: KeyUpdate(update_requested) many times in a row ---- */

/* n requests in a row, then data: the server updates n times, delivers the
 * data, and answers once; the real client follows that one answer. Fed
 * whole (the engine's direct path) or in small pieces (its buffered path). */
static void requests_in_a_row(int n, size_t chunk)
{
    pair p;
    CHECK(connect_pair(&p, ccfg, &ccap, scfg));
    static neg_buf o;
    o.len = 0;
    for (int i = 0; i < n; i++)
        put_key_update(&p, &o, 1);
    put(&p, &o, CT_APPLICATION_DATA, "after", 5);
    CHECK_CODE(feed(p.s, &o, chunk), WARD_OK);
    CHECK(ward_conn_state(p.s) == WARD_STATE_ESTABLISHED);
    CHECK(ward_conn_key_updates_received(p.s) == (unsigned)n);
    CHECK(read_is(p.s, "after"));
    CHECK(p.s->s_ap_gen == 1); /* one KeyUpdate of its own for all of them */
    CHECK(ward_conn_write(p.s, (const uint8_t *)"pong", 4) == WARD_OK);
    CHECK_CODE(neg_move(p.s, p.c), WARD_OK);
    CHECK(ward_conn_key_updates_received(p.c) == 1);
    CHECK(read_is(p.c, "pong"));
    disconnect(&p);
}

static void requests_32_in_a_row(void) { requests_in_a_row(32, 0); }
static void requests_1000_in_a_row(void) { requests_in_a_row(1000, 0); }
static void requests_1000_in_pieces(void) { requests_in_a_row(1000, 7); }

/* A request is answered again once data has gone out under our new key;
 * our own request does not answer the peer's, which crosses it. */
static void answers_follow_data(void)
{
    pair p;
    CHECK(connect_pair(&p, ccfg, &ccap, scfg));
    static neg_buf o;
    o.len = 0;
    put_key_update(&p, &o, 1);
    put_key_update(&p, &o, 1);
    CHECK_CODE(feed(p.s, &o, 0), WARD_OK);
    CHECK(p.s->s_ap_gen == 1); /* silent in between: one answer */
    CHECK(ward_conn_write(p.s, (const uint8_t *)"a", 1) == WARD_OK);
    o.len = 0;
    put_key_update(&p, &o, 1);
    CHECK_CODE(feed(p.s, &o, 0), WARD_OK);
    CHECK(p.s->s_ap_gen == 2); /* data went out: answered again */
    CHECK(ward_conn_key_update(p.s, 1) == WARD_OK);
    CHECK(p.s->s_ap_gen == 3);
    o.len = 0;
    put_key_update(&p, &o, 1);
    CHECK_CODE(feed(p.s, &o, 0), WARD_OK);
    CHECK(p.s->s_ap_gen == 4); /* crossing requests: each side answers (§4.6.3) */
    o.len = 0;
    put_key_update(&p, &o, 0);
    put(&p, &o, CT_APPLICATION_DATA, "z", 1);
    CHECK_CODE(feed(p.s, &o, 0), WARD_OK);
    CHECK(p.s->s_ap_gen == 4); /* update_not_requested: no answer */
    CHECK(read_is(p.s, "z"));
    CHECK(ward_conn_key_updates_received(p.s) == 5);
    CHECK_CODE(neg_move(p.s, p.c), WARD_OK);
    CHECK(ward_conn_key_updates_received(p.c) == 4);
    CHECK(read_is(p.c, "a"));
    disconnect(&p);
}

/* What a conforming peer cannot do still ends the connection: two
 * KeyUpdates in one record (a key change must end its record, §5.1). */
static void two_key_updates_in_one_record(void)
{
    pair p;
    CHECK(connect_pair(&p, ccfg, &ccap, scfg));
    static neg_buf o;
    o.len = 0;
    static const uint8_t two[] = {HS_KEY_UPDATE, 0, 0, 1, 1, HS_KEY_UPDATE, 0, 0, 1, 1};
    put(&p, &o, CT_HANDSHAKE, two, sizeof two);
    EXPECT(p.s, &scap, feed(p.s, &o, 0), WARD_ERR_UNEXPECTED_MESSAGE);
    CHECK(strstr(ward_conn_error_message(p.s),
                 "handshake data after a key change in the same record") != NULL);
    disconnect(&p);
}

/* ---- §5.5: limits on key usage ---- */

/* TLS 1.3, sending: with the threshold lowered to 100 records, 250
 * one-byte writes go out under three keys, two automatic KeyUpdates
 * (update_not_requested) between them; the peer reads it all and is not
 * asked to answer. */
static void automatic_key_update(void)
{
    static neg_capture kcap;
    neg_capture_init(&kcap);
    kcap.hooks.key_update_after = 100;
    ward_config *kcfg = neg_client_config(&kcap, WARD_TLS13, WARD_TLS13);
    pair p;
    CHECK(connect_pair(&p, kcfg, &kcap, scfg));
    char want[251];
    for (int i = 0; i < 250; i++) {
        want[i] = (char)('a' + i % 26);
        CHECK(ward_conn_write(p.c, (const uint8_t *)&want[i], 1) == WARD_OK);
        CHECK(p.c->wdir.seq <= 100);
    }
    want[250] = '\0';
    CHECK(p.c->c_ap_gen == 2);
    CHECK_CODE(neg_move(p.c, p.s), WARD_OK);
    CHECK(ward_conn_key_updates_received(p.s) == 2);
    CHECK(read_is(p.s, want));
    CHECK(p.s->s_ap_gen == 0); /* nothing was requested */
    CHECK(ward_conn_write(p.s, (const uint8_t *)"back", 4) == WARD_OK);
    CHECK_CODE(neg_move(p.s, p.c), WARD_OK);
    CHECK(read_is(p.c, "back"));
    disconnect(&p);
    ward_config_free(kcfg);
}

/* TLS 1.3, receiving: a server whose limit is 50 records under one key
 * takes 49 records and a KeyUpdate (50), then 50 records under the new
 * key; the 51st is refused before it is opened, and not delivered. Fed
 * whole or in pieces. */
static void peer_past_the_limit13(size_t chunk)
{
    static neg_capture lcap;
    neg_capture_init(&lcap);
    lcap.hooks.key_limit = 50;
    ward_config *lcfg = neg_server_config(&lcap, WARD_TLS13, WARD_TLS13);
    pair p;
    CHECK(connect_pair(&p, ccfg, &ccap, lcfg));
    static neg_buf o;
    o.len = 0;
    for (int i = 0; i < 49; i++)
        put(&p, &o, CT_APPLICATION_DATA, "x", 1);
    put_key_update(&p, &o, 0);
    for (int i = 0; i < 50; i++)
        put(&p, &o, CT_APPLICATION_DATA, "y", 1);
    neg_cases++;
    CHECK_CODE(feed(p.s, &o, chunk), WARD_OK);
    uint8_t b[128];
    size_t n;
    CHECK(ward_conn_read(p.s, b, sizeof b, &n) == WARD_OK && n == 99);
    o.len = 0;
    put(&p, &o, CT_APPLICATION_DATA, "z", 1);
    EXPECT(p.s, &lcap, feed(p.s, &o, chunk), WARD_ERR_UNEXPECTED_MESSAGE);
    CHECK(strstr(ward_conn_error_message(p.s),
                 "peer sent more than 50 records under one key, the usage limit (RFC 8446 "
                 "§5.5); the peer had to send a KeyUpdate first") != NULL);
    CHECK(!ward_conn_readable(p.s));
    disconnect(&p);
    ward_config_free(lcfg);
}

static void peer_past_the_limit13_whole(void) { peer_past_the_limit13(0); }
static void peer_past_the_limit13_pieces(void) { peer_past_the_limit13(3); }

/* TLS 1.2, sending: no KeyUpdate, so the connection ends (internal_error,
 * sealed with the key's last record) when the write key is used up; the
 * peer got every record before it and the alert. */
static void tls12_own_limit(void)
{
    static neg_capture kcap;
    neg_capture_init(&kcap);
    kcap.hooks.key_limit = 20;
    ward_config *kcfg = neg_client_config(&kcap, WARD_TLS12, WARD_TLS12);
    ward_conn *c = ward_conn_new(kcfg, "localhost"), *s = ward_conn_new(scfg, NULL);
    for (int i = 0; i < 4; i++)
        CHECK(neg_move(c, s) == WARD_OK && neg_move(s, c) == WARD_OK);
    CHECK(ward_conn_version(c) == WARD_TLS12 && ward_conn_state(c) == WARD_STATE_ESTABLISHED);
    uint64_t allowed = 20 - 1 - c->wdir.seq; /* the last record is kept for the alert */
    for (uint64_t i = 0; i < allowed; i++)
        CHECK(ward_conn_write(c, (const uint8_t *)"d", 1) == WARD_OK);
    CHECK_CODE(ward_conn_write(c, (const uint8_t *)"e", 1), WARD_ERR_INTERNAL);
    CHECK(strstr(ward_conn_error_message(c),
                 "the write key has protected 19 records, its usage limit (RFC 8446 §5.5), and "
                 "TLS 1.2 cannot change keys: open a new connection") != NULL);
    CHECK(ward_conn_state(c) == WARD_STATE_FAILED);
    CHECK(c->wdir.seq == 20);
    CHECK_CODE(neg_move(c, s), WARD_ERR_PEER_ALERT);
    CHECK(ward_conn_peer_alert(s) == 80); /* internal_error */
    uint8_t b[64];
    size_t n;
    CHECK(ward_conn_read(s, b, sizeof b, &n) == WARD_OK && n == allowed);
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(kcfg);
}

/* TLS 1.2, receiving: a server whose limit is 20 records takes the
 * client's Finished and 19 records; a 20th from an unmodified ward client
 * is refused, not delivered. */
static void tls12_peer_past_the_limit(void)
{
    static neg_capture lcap;
    neg_capture_init(&lcap);
    lcap.hooks.key_limit = 20;
    ward_config *lcfg = neg_server_config(&lcap, WARD_TLS12, WARD_TLS12);
    ward_config *c12 = neg_client_config(NULL, WARD_TLS12, WARD_TLS12);
    ward_conn *c = ward_conn_new(c12, "localhost"), *s = ward_conn_new(lcfg, NULL);
    for (int i = 0; i < 4; i++)
        CHECK(neg_move(c, s) == WARD_OK && neg_move(s, c) == WARD_OK);
    CHECK(ward_conn_version(s) == WARD_TLS12 && ward_conn_state(s) == WARD_STATE_ESTABLISHED);
    uint64_t allowed = 20 - s->rdir.seq;
    for (uint64_t i = 0; i < allowed; i++)
        CHECK(ward_conn_write(c, (const uint8_t *)"d", 1) == WARD_OK);
    neg_cases++;
    CHECK_CODE(neg_move(c, s), WARD_OK);
    uint8_t b[64];
    size_t n;
    CHECK(ward_conn_read(s, b, sizeof b, &n) == WARD_OK && n == allowed);
    CHECK(ward_conn_write(c, (const uint8_t *)"e", 1) == WARD_OK);
    EXPECT(s, &lcap, neg_move(c, s), WARD_ERR_UNEXPECTED_MESSAGE);
    CHECK(strstr(ward_conn_error_message(s),
                 "peer sent more than 20 records under one key, the usage limit (RFC 8446 "
                 "§5.5); TLS 1.2 cannot change keys: the peer had to reconnect") != NULL);
    CHECK(!ward_conn_readable(s));
    ward_conn_free(c);
    ward_conn_free(s);
    ward_config_free(c12);
    ward_config_free(lcfg);
}

/* The default limit is RFC 8446 §5.5's 2^24.5 records for AES-GCM, none
 * for ChaCha20-Poly1305. */
static void default_limits(void)
{
    CHECK(REC_GCM_MAX_RECORDS == 23726566u); /* floor(2^24 * sqrt(2)) */
    rec_dir d;
    rec_dir_init(&d);
    CHECK(rec_dir_key_limit(&d) == UINT64_MAX); /* unprotected */
    static const uint8_t secret[32] = {1};
    CHECK(neg_dir(&d, WARD_TLS_AES_128_GCM_SHA256, secret, 1));
    CHECK(rec_dir_key_limit(&d) == REC_GCM_MAX_RECORDS);
    rec_dir_clear(&d);
    CHECK(neg_dir(&d, WARD_TLS_CHACHA20_POLY1305_SHA256, secret, 1));
    CHECK(rec_dir_key_limit(&d) == UINT64_MAX);
    rec_dir_clear(&d);
}

int main(void)
{
    neg_capture_init(&scap);
    neg_capture_init(&ccap);
    scfg = neg_server_config(&scap, WARD_TLS12, WARD_TLS13);
    ccfg = neg_client_config(&ccap, WARD_TLS13, WARD_TLS13);

    requests_32_in_a_row();
    requests_1000_in_a_row();
    requests_1000_in_pieces();
    answers_follow_data();
    two_key_updates_in_one_record();
    automatic_key_update();
    peer_past_the_limit13_whole();
    peer_past_the_limit13_pieces();
    tls12_own_limit();
    tls12_peer_past_the_limit();
    default_limits();

    ward_config_free(scfg);
    ward_config_free(ccfg);
    printf("%d negative cases, %d failed\n", neg_cases, neg_failed);
    return test_report();
}
