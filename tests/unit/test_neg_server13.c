/* Negative tests: a TLS 1.3 ward server against crafted clients. Each case
 * checks the code ward_conn_recv returns, the exact alert written (opened
 * with the server's own handshake keys once it has them) and that the
 * connection is dead afterwards (negpeer.c). Cases that show ward doing the
 * wrong thing stay here under WARD_NEG_PENDING. */
#include <string.h>

#include "msg/msg.h"
#include "negpeer.h"
#include "testutil.h"

#define EXPECT(c, got, want) neg_expect(__func__, c, &scap, got, want)

static neg_capture scap, ccap;
static ward_config *scfg, *scfg_hrr, *ccfg;
static crypto_kex kx;
static uint8_t kpub[CRYPTO_MAX_KEX_PUB];
static size_t kpub_len;

static msg_key_share share;

static void ch_defaults(msg_client_hello_params *p)
{
    neg_ch13_defaults(p, &share, kpub, kpub_len);
}

/* The ClientHello of p as one neg_msg (body only). */
static void ch_msg(const msg_client_hello_params *p, neg_msg *m)
{
    uint8_t buf[4096];
    wr w = wr_of(buf, sizeof buf);
    CHECK(wres_is_ok(msg_encode_client_hello(&w, p)));
    m->type = buf[0];
    m->len = w.len - 4;
    memcpy(m->body, buf + 4, m->len);
}

/* Send one handshake message in a plaintext record to a fresh server. */
static ward_err send_msg(ward_conn *s, uint8_t type, const uint8_t *body, size_t len)
{
    static neg_buf hs, rec;
    hs.len = rec.len = 0;
    neg_hs(&hs, type, body, len);
    neg_record(&rec, CT_HANDSHAKE, hs.b, hs.len);
    return ward_conn_recv(s, rec.b, rec.len);
}

static ward_err send_ch(ward_conn *s, const msg_client_hello_params *p)
{
    static neg_msg m;
    ch_msg(p, &m);
    return send_msg(s, m.type, m.body, m.len);
}

/* ---- ClientHello framing ---- */
static void ch_truncated(void)
{
    msg_client_hello_params p;
    ch_defaults(&p);
    static neg_msg m;
    ch_msg(&p, &m);
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_msg(s, HS_CLIENT_HELLO, m.body, m.len - 7), WARD_ERR_DECODE);
    ward_conn_free(s);
}

static void ch_trailing_bytes(void)
{
    msg_client_hello_params p;
    ch_defaults(&p);
    static neg_msg m;
    ch_msg(&p, &m);
    m.body[m.len++] = 0;
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_msg(s, HS_CLIENT_HELLO, m.body, m.len), WARD_ERR_DECODE);
    ward_conn_free(s);
}

static void ch_extensions_length_exceeds_message(void)
{
    msg_client_hello_params p;
    ch_defaults(&p);
    static neg_msg m;
    ch_msg(&p, &m);
    /* the extensions block's u16 length: after version, random, session id,
     * suites and compression */
    size_t at = 2 + 32 + 1 + 32 + 2 + 6 + 2;
    m.body[at] = 0xff;
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_msg(s, HS_CLIENT_HELLO, m.body, m.len), WARD_ERR_DECODE);
    ward_conn_free(s);
}

static void ch_message_length_exceeds_record(void)
{
    /* handshake header says 300 bytes, the record holds 40, then the
     * record ends and an alert record arrives: interleaving */
    uint8_t body[40] = {3, 3};
    neg_buf hs = {0}, rec = {0};
    uint8_t h[4] = {HS_CLIENT_HELLO, 0, 1, 44};
    neg_put(&hs, h, 4);
    neg_put(&hs, body, sizeof body);
    neg_record(&rec, CT_HANDSHAKE, hs.b, hs.len);
    static const uint8_t alert[2] = {1, 0};
    neg_record(&rec, CT_ALERT, alert, 2);
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, ward_conn_recv(s, rec.b, rec.len), WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(s);
}

static void ch_message_length_exceeds_buffer(void)
{
    /* a declared length of 2^24 - 1: refused from the header alone */
    uint8_t rec[] = {CT_HANDSHAKE, 3, 3, 0, 4, HS_CLIENT_HELLO, 0xff, 0xff, 0xff};
    ward_conn *s = ward_conn_new(scfg, NULL);
    ward_err e = ward_conn_recv(s, rec, sizeof rec);
    EXPECT(s, e, WARD_ERR_DECODE);
    ward_conn_free(s);
}

/* ---- extensions ---- */
static void ch_duplicate_extension(void)
{
    msg_client_hello_params p;
    ch_defaults(&p);
    static neg_msg m;
    ch_msg(&p, &m);
    static const uint8_t sni_again[] = {0, 0, 0, 14, 0, 12, 0, 0, 9, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't'};
    CHECK(neg_hello_add_ext(&m, sni_again, sizeof sni_again));
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_msg(s, HS_CLIENT_HELLO, m.body, m.len), WARD_ERR_ILLEGAL_PARAMETER);
    ward_conn_free(s);
}

static void ch_unknown_extension_ignored(void)
{
    /* §4.2: unknown extensions in a ClientHello are ignored */
    msg_client_hello_params p;
    ch_defaults(&p);
    static neg_msg m;
    ch_msg(&p, &m);
    static const uint8_t unknown[] = {0xfe, 0xed, 0, 3, 1, 2, 3};
    CHECK(neg_hello_add_ext(&m, unknown, sizeof unknown));
    ward_conn *s = ward_conn_new(scfg, NULL);
    neg_cases++;
    CHECK_CODE(send_msg(s, HS_CLIENT_HELLO, m.body, m.len), WARD_OK);
    CHECK(ward_conn_state(s) == WARD_STATE_HANDSHAKING);
    ward_conn_free(s);
}

static void ch_pre_shared_key_not_last(void)
{
    msg_client_hello_params p;
    ch_defaults(&p);
    static neg_msg m;
    ch_msg(&p, &m);
    /* pre_shared_key: one identity (1 byte, age 0), one 32-byte binder;
     * then one more extension after it */
    uint8_t ext[64] = {0, 41, 0, 46, 0, 7, 0, 1, 'x', 0, 0, 0, 0, 0, 33, 32};
    size_t n = 4 + 46;
    static const uint8_t after[] = {0xfe, 0xee, 0, 0};
    memcpy(ext + n, after, 4);
    CHECK(neg_hello_add_ext(&m, ext, n + 4));
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_msg(s, HS_CLIENT_HELLO, m.body, m.len), WARD_ERR_ILLEGAL_PARAMETER);
    ward_conn_free(s);
}

static void ch_missing_signature_algorithms(void)
{
    msg_client_hello_params p;
    ch_defaults(&p);
    p.n_sig_algs = 0;
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_ch(s, &p), WARD_ERR_MISSING_EXTENSION);
    ward_conn_free(s);
}

static void ch_key_share_without_supported_groups(void)
{
    msg_client_hello_params p;
    ch_defaults(&p);
    p.n_groups = 0;
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_ch(s, &p), WARD_ERR_MISSING_EXTENSION);
    ward_conn_free(s);
}

/* ---- lists ---- */
static void ch_empty_suite_list(void)
{
    msg_client_hello_params p;
    ch_defaults(&p);
    static neg_msg m;
    ch_msg(&p, &m);
    /* cut the 6-byte suite list to nothing */
    size_t at = 2 + 32 + 1 + 32;
    memmove(m.body + at + 2, m.body + at + 8, m.len - at - 8);
    m.len -= 6;
    m.body[at] = 0;
    m.body[at + 1] = 0;
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_msg(s, HS_CLIENT_HELLO, m.body, m.len), WARD_ERR_DECODE);
    ward_conn_free(s);
}

static void ch_unknown_suites_only(void)
{
    static const uint16_t unknown[] = {0x1304, 0x00ff, 0xc0ff};
    msg_client_hello_params p;
    ch_defaults(&p);
    p.suites = unknown;
    p.n_suites = 3;
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_ch(s, &p), WARD_ERR_HANDSHAKE_FAILURE);
    ward_conn_free(s);
}

static void ch_empty_group_list(void)
{
    msg_client_hello_params p;
    ch_defaults(&p);
    p.n_groups = 0;
    static neg_msg m;
    ch_msg(&p, &m);
    static const uint8_t empty_groups[] = {0, 10, 0, 2, 0, 0};
    CHECK(neg_hello_add_ext(&m, empty_groups, sizeof empty_groups));
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_msg(s, HS_CLIENT_HELLO, m.body, m.len), WARD_ERR_DECODE);
    ward_conn_free(s);
}

static void ch_unknown_groups_only(void)
{
    static const uint16_t unknown[] = {0x001e, 0x0100}; /* x448, ffdhe2048 */
    msg_client_hello_params p;
    ch_defaults(&p);
    p.groups = unknown;
    p.n_groups = 2;
    p.n_shares = 0;
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_ch(s, &p), WARD_ERR_HANDSHAKE_FAILURE);
    ward_conn_free(s);
}

static void ch_key_share_for_group_not_offered(void)
{
    /* §4.2.8: a share for a group not in supported_groups: illegal_parameter */
    static const uint16_t only_p256[] = {WARD_GROUP_SECP256R1};
    msg_client_hello_params p;
    ch_defaults(&p);
    p.groups = only_p256;
    p.n_groups = 1;
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_ch(s, &p), WARD_ERR_ILLEGAL_PARAMETER);
    ward_conn_free(s);
}

static void ch_duplicate_key_share_group(void)
{
    msg_client_hello_params p;
    ch_defaults(&p);
    msg_key_share two[2] = {{WARD_GROUP_X25519, kpub, kpub_len}, {WARD_GROUP_X25519, kpub, kpub_len}};
    p.shares = two;
    p.n_shares = 2;
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_ch(s, &p), WARD_ERR_ILLEGAL_PARAMETER);
    ward_conn_free(s);
}

static void ch_bad_key_share_point(void)
{
    static const uint8_t zero[32] = {0};
    msg_client_hello_params p;
    ch_defaults(&p);
    msg_key_share bad = {WARD_GROUP_X25519, zero, 32};
    p.shares = &bad;
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_ch(s, &p), WARD_ERR_ILLEGAL_PARAMETER);
    ward_conn_free(s);
}

static void ch_signature_schemes_none_usable(void)
{
    static const uint16_t rsa_only[] = {0x0804, 0x0401};
    msg_client_hello_params p;
    ch_defaults(&p);
    p.sig_algs = rsa_only;
    p.n_sig_algs = 2;
    ward_conn *s = ward_conn_new(scfg, NULL); /* ECDSA P-256 key */
    EXPECT(s, send_ch(s, &p), WARD_ERR_HANDSHAKE_FAILURE);
    ward_conn_free(s);
}

static void ch_only_old_versions(void)
{
    static const uint16_t old[] = {0x0302, 0x0301};
    msg_client_hello_params p;
    ch_defaults(&p);
    p.versions = old;
    p.n_versions = 2;
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_ch(s, &p), WARD_ERR_PROTOCOL_VERSION);
    ward_conn_free(s);
}

static void ch_compression_not_null(void)
{
    msg_client_hello_params p;
    ch_defaults(&p);
    static neg_msg m;
    ch_msg(&p, &m);
    size_t at = 2 + 32 + 1 + 32 + 2 + 6; /* compression methods <1>: [0] */
    CHECK(m.body[at] == 1 && m.body[at + 1] == 0);
    m.body[at + 1] = 1; /* DEFLATE */
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_msg(s, HS_CLIENT_HELLO, m.body, m.len), WARD_ERR_ILLEGAL_PARAMETER);
    ward_conn_free(s);
}

static void sslv2_client_hello(void)
{
    /* An SSL 2.0-compatible CLIENT-HELLO (RFC 5246 E.2): 2-byte header with
     * the high bit set, msg_type 1, version 3.1, spec lengths. ward does not
     * accept it (RFC 8446 D.5); the first byte is no TLS content type. */
    static const uint8_t v2[] = {0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10,
                                 0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, 0x00, 0x00, 0x0a, 0xc0, 0x13,
                                 0x00, 0x00, 0x9c, 0x00, 0x00, 0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                                 10, 11, 12, 13, 14, 15, 16};
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, ward_conn_recv(s, v2, sizeof v2), WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(s);
}

/* ---- order ---- */
static void finished_before_client_hello(void)
{
    uint8_t vd[32] = {0};
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_msg(s, HS_FINISHED, vd, 32), WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(s);
}

static void unknown_handshake_type(void)
{
    uint8_t body[4] = {0};
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_msg(s, 99, body, 4), WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(s);
}

static void ccs_before_client_hello(void)
{
    static const uint8_t ccs[] = {CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1};
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, ward_conn_recv(s, ccs, sizeof ccs), WARD_ERR_UNEXPECTED_MESSAGE);
    ward_conn_free(s);
}

static void alert_before_client_hello(void)
{
    static const uint8_t alert[] = {CT_ALERT, 3, 3, 0, 2, 2, 40};
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, ward_conn_recv(s, alert, sizeof alert), WARD_ERR_PEER_ALERT);
    ward_conn_free(s);
}

/* ---- after the server's flight: the client's encrypted second flight ---- */
typedef struct {
    ward_conn *c, *s;
    neg_msgs fin;  /* the client's real Finished */
    rec_dir wkeys; /* the client's handshake write keys */
} flight2;

static int start_flight2(flight2 *f, ward_config *server)
{
    f->c = ward_conn_new(ccfg, "localhost");
    f->s = ward_conn_new(server, NULL);
    for (int i = 0; i < 4 && ward_conn_state(f->c) == WARD_STATE_HANDSHAKING; i++) {
        if (neg_move(f->c, f->s) != WARD_OK || neg_move(f->s, f->c) != WARD_OK)
            return 0;
        if (ward_conn_state(f->c) == WARD_STATE_ESTABLISHED)
            break;
    }
    static neg_buf out;
    neg_take(f->c, &out);
    const uint8_t *secret = neg_secret(&ccap, "CLIENT_HANDSHAKE_TRAFFIC_SECRET");
    uint16_t suite = ward_conn_suite(f->c);
    return ward_conn_state(f->c) == WARD_STATE_ESTABLISHED &&
           neg_split(out.b, out.len, suite, secret, &f->fin) && f->fin.n == 1 &&
           neg_dir(&f->wkeys, suite, secret, 1);
}

static void end_flight2(flight2 *f)
{
    rec_dir_clear(&f->wkeys);
    ward_conn_free(f->c);
    ward_conn_free(f->s);
}

static ward_err send_sealed(flight2 *f, uint8_t type, const uint8_t *p, size_t n, size_t pad)
{
    static neg_buf o;
    o.len = 0;
    neg_seal(&o, &f->wkeys, type, p, n, pad);
    return ward_conn_recv(f->s, o.b, o.len);
}

static ward_err send_msgs(flight2 *f, const neg_msgs *m)
{
    static neg_buf hs;
    hs.len = 0;
    neg_join(m, &hs);
    return send_sealed(f, CT_HANDSHAKE, hs.b, hs.len, 0);
}

static void good_client_finished_accepted(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    neg_cases++;
    CHECK_CODE(send_msgs(&f, &f.fin), WARD_OK);
    CHECK(ward_conn_state(f.s) == WARD_STATE_ESTABLISHED);
    end_flight2(&f);
}

static void bad_client_finished(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    f.fin.m[0].body[0] ^= 1;
    EXPECT(f.s, send_msgs(&f, &f.fin), WARD_ERR_DECRYPT_ERROR);
    end_flight2(&f);
}

static void client_finished_wrong_length(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    f.fin.m[0].len -= 1;
    EXPECT(f.s, send_msgs(&f, &f.fin), WARD_ERR_DECODE);
    end_flight2(&f);
}

static void client_finished_trailing_bytes(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    f.fin.m[0].body[f.fin.m[0].len++] = 0;
    EXPECT(f.s, send_msgs(&f, &f.fin), WARD_ERR_DECODE);
    end_flight2(&f);
}

static void client_finished_duplicated(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    f.fin.m[1] = f.fin.m[0];
    f.fin.n = 2;
    /* the second Finished follows a key change inside the same record */
    EXPECT(f.s, send_msgs(&f, &f.fin), WARD_ERR_UNEXPECTED_MESSAGE);
    end_flight2(&f);
}

static void second_client_hello_instead_of_finished(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    msg_client_hello_params p;
    ch_defaults(&p);
    neg_msgs m;
    ch_msg(&p, &m.m[0]);
    m.n = 1;
    EXPECT(f.s, send_msgs(&f, &m), WARD_ERR_UNEXPECTED_MESSAGE);
    end_flight2(&f);
}

static void client_certificate_not_requested(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    neg_msgs m;
    m.n = 1;
    m.m[0].type = HS_CERTIFICATE;
    memcpy(m.m[0].body, "\0\0\0\0", 4); /* empty context, empty list */
    m.m[0].len = 4;
    EXPECT(f.s, send_msgs(&f, &m), WARD_ERR_UNEXPECTED_MESSAGE);
    end_flight2(&f);
}

static void end_of_early_data_not_expected(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    neg_msgs m;
    m.n = 1;
    m.m[0].type = HS_END_OF_EARLY_DATA;
    m.m[0].len = 0;
    EXPECT(f.s, send_msgs(&f, &m), WARD_ERR_UNEXPECTED_MESSAGE);
    end_flight2(&f);
}

static void plaintext_handshake_after_keys(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    static neg_buf rec;
    rec.len = 0;
    static neg_buf hs;
    hs.len = 0;
    neg_join(&f.fin, &hs);
    neg_record(&rec, CT_HANDSHAKE, hs.b, hs.len);
    EXPECT(f.s, ward_conn_recv(f.s, rec.b, rec.len), WARD_ERR_UNEXPECTED_MESSAGE);
    end_flight2(&f);
}

static void application_data_before_finished(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    EXPECT(f.s, send_sealed(&f, CT_APPLICATION_DATA, (const uint8_t *)"GET", 3, 0),
           WARD_ERR_UNEXPECTED_MESSAGE);
    end_flight2(&f);
}

static void fatal_alert_mid_handshake(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    static const uint8_t alert[2] = {2, 42};
    EXPECT(f.s, send_sealed(&f, CT_ALERT, alert, 2, 0), WARD_ERR_PEER_ALERT);
    end_flight2(&f);
}

static void warning_alert_mid_handshake_is_fatal(void)
{
    /* §6: in TLS 1.3 the level is ignored; every alert but close_notify
     * and user_canceled ends the connection. */
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    static const uint8_t alert[2] = {1, 46};
    EXPECT(f.s, send_sealed(&f, CT_ALERT, alert, 2, 0), WARD_ERR_PEER_ALERT);
    end_flight2(&f);
}

static void close_notify_mid_handshake(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    static const uint8_t alert[2] = {1, 0};
    EXPECT(f.s, send_sealed(&f, CT_ALERT, alert, 2, 0), WARD_ERR_PEER_ALERT);
    end_flight2(&f);
}

static void key_update_bad_request(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    CHECK_CODE(send_msgs(&f, &f.fin), WARD_OK);
    /* switch to the client's application write keys */
    rec_dir_clear(&f.wkeys);
    CHECK(neg_dir(&f.wkeys, ward_conn_suite(f.c), neg_secret(&ccap, "CLIENT_TRAFFIC_SECRET_0"), 1));
    neg_msgs m;
    m.n = 1;
    m.m[0].type = HS_KEY_UPDATE;
    m.m[0].body[0] = 2;
    m.m[0].len = 1;
    EXPECT(f.s, send_msgs(&f, &m), WARD_ERR_ILLEGAL_PARAMETER);
    end_flight2(&f);
}

static void client_hello_after_handshake(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    CHECK_CODE(send_msgs(&f, &f.fin), WARD_OK);
    rec_dir_clear(&f.wkeys);
    CHECK(neg_dir(&f.wkeys, ward_conn_suite(f.c), neg_secret(&ccap, "CLIENT_TRAFFIC_SECRET_0"), 1));
    msg_client_hello_params p;
    ch_defaults(&p);
    neg_msgs m;
    ch_msg(&p, &m.m[0]);
    m.n = 1;
    EXPECT(f.s, send_msgs(&f, &m), WARD_ERR_UNEXPECTED_MESSAGE);
    end_flight2(&f);
}

static void ccs_after_handshake(void)
{
    flight2 f;
    CHECK(start_flight2(&f, scfg));
    CHECK_CODE(send_msgs(&f, &f.fin), WARD_OK);
    static const uint8_t ccs[] = {CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1};
    EXPECT(f.s, ward_conn_recv(f.s, ccs, sizeof ccs), WARD_ERR_UNEXPECTED_MESSAGE);
    end_flight2(&f);
}

/* ---- HelloRetryRequest ---- */
static ward_conn *after_hrr(void)
{
    msg_client_hello_params p;
    ch_defaults(&p);
    ward_conn *s = ward_conn_new(scfg_hrr, NULL);
    CHECK_CODE(send_ch(s, &p), WARD_OK);
    size_t n;
    const uint8_t *out = ward_conn_output(s, &n);
    CHECK(n > 6 + 32 && memcmp(out + 11, MSG_HRR_RANDOM, 32) == 0);
    ward_conn_output_done(s, n);
    return s;
}

static void hrr_second_hello_without_cookie(void)
{
    ward_conn *s = after_hrr();
    msg_client_hello_params p;
    ch_defaults(&p);
    EXPECT(s, send_ch(s, &p), WARD_ERR_ILLEGAL_PARAMETER);
    ward_conn_free(s);
}

static void hrr_two_retries_are_one_too_many(void)
{
    /* a third ClientHello (after a second that failed to answer) never
     * gets this far; here: a second hello in a record with the first */
    msg_client_hello_params p;
    ch_defaults(&p);
    static neg_msg m;
    ch_msg(&p, &m);
    neg_buf hs = {0}, rec = {0};
    neg_hs(&hs, m.type, m.body, m.len);
    neg_hs(&hs, m.type, m.body, m.len);
    neg_record(&rec, CT_HANDSHAKE, hs.b, hs.len);
    ward_conn *s = ward_conn_new(scfg_hrr, NULL);
    EXPECT(s, ward_conn_recv(s, rec.b, rec.len), WARD_ERR_ILLEGAL_PARAMETER);
    ward_conn_free(s);
}

static void hrr_second_hello_changes_suites(void)
{
    ward_conn *s = after_hrr();
    static const uint16_t other[] = {0x1302};
    msg_client_hello_params p;
    ch_defaults(&p);
    p.suites = other;
    p.n_suites = 1;
    p.cookie = (const uint8_t *)"cookie";
    p.cookie_len = 6;
    EXPECT(s, send_ch(s, &p), WARD_ERR_ILLEGAL_PARAMETER);
    ward_conn_free(s);
}

int main(void)
{
    neg_capture_init(&scap);
    neg_capture_init(&ccap);
    scfg = neg_server_config(&scap, WARD_TLS13, WARD_TLS13);
    scfg_hrr = neg_server_config(&scap, WARD_TLS13, WARD_TLS13);
    ward_config_set_force_hrr(scfg_hrr, 1);
    ccfg = neg_client_config(&ccap, WARD_TLS13, WARD_TLS13);
    CHECK(wres_is_ok(crypto_kex_keygen(&kx, WARD_GROUP_X25519, kpub, sizeof kpub, &kpub_len)));

    ch_truncated();
    ch_trailing_bytes();
    ch_extensions_length_exceeds_message();
    ch_message_length_exceeds_record();
    ch_message_length_exceeds_buffer();
    ch_duplicate_extension();
    ch_unknown_extension_ignored();
    ch_pre_shared_key_not_last();
    ch_missing_signature_algorithms();
    ch_key_share_without_supported_groups();
    ch_empty_suite_list();
    ch_unknown_suites_only();
    ch_empty_group_list();
    ch_unknown_groups_only();
    ch_key_share_for_group_not_offered();
    ch_duplicate_key_share_group();
    ch_bad_key_share_point();
    ch_signature_schemes_none_usable();
    ch_only_old_versions();
    ch_compression_not_null();
    sslv2_client_hello();
    finished_before_client_hello();
    unknown_handshake_type();
    ccs_before_client_hello();
    alert_before_client_hello();
    good_client_finished_accepted();
    bad_client_finished();
    client_finished_wrong_length();
    client_finished_trailing_bytes();
    client_finished_duplicated();
    second_client_hello_instead_of_finished();
    client_certificate_not_requested();
    end_of_early_data_not_expected();
    plaintext_handshake_after_keys();
    application_data_before_finished();
    fatal_alert_mid_handshake();
    warning_alert_mid_handshake_is_fatal();
    close_notify_mid_handshake();
    key_update_bad_request();
    client_hello_after_handshake();
    ccs_after_handshake();
    hrr_second_hello_without_cookie();
    hrr_two_retries_are_one_too_many();
    hrr_second_hello_changes_suites();

    crypto_kex_free(&kx);
    ward_config_free(scfg);
    ward_config_free(scfg_hrr);
    ward_config_free(ccfg);
    printf("%d negative cases, %d failed\n", neg_cases, neg_failed);
    return test_report();
}
