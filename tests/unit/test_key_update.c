/* KeyUpdate.
 *  - RFC 8446 §4.6.3: a receiver MUST update on every KeyUpdate, however
 *    many come in a row, and answers the requests it gets while silent
 *    with one KeyUpdate of its own; a KeyUpdate must end its record (§5.1).
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

    ward_config_free(scfg);
    ward_config_free(ccfg);
    printf("%d negative cases, %d failed\n", neg_cases, neg_failed);
    return test_report();
}
