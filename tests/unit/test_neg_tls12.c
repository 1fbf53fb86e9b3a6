/* Negative tests for TLS 1.2 (RFC 5246 §7.2, RFC 8422, RFC 7627, RFC 5746,
 * RFC 7507): a ward server against crafted clients and a ward client
 * against crafted servers. Real ward peers make the valid flights; the
 * crafted side mutates them (re-protecting records with the peer's key
 * block where needed). Each case checks the code, the alert (its exact
 * bytes when in the clear; type and length when TLS 1.2-protected) and a
 * dead connection. */
#include <stdlib.h>
#include <string.h>

#include "msg/msg.h"
#include "negpeer.h"
#include "testutil.h"

#define EXPECT(c, got, want) neg_expect(__func__, c, NULL, got, want)

static ward_config *scfg, *scfg13, *ccfg;

/* ---- ClientHello ---- */
static const uint16_t suites12[] = {WARD_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                    WARD_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256};
static const uint16_t groups[] = {WARD_GROUP_X25519, WARD_GROUP_SECP256R1};
static const uint16_t sigs[] = {0x0403, 0x0804};

static void ch12_defaults(msg_client_hello_params *p)
{
    memset(p, 0, sizeof *p);
    memset(p->random, 0x22, 32);
    p->suites = suites12;
    p->n_suites = 2;
    p->server_name = "localhost";
    p->renegotiation_info = 1;
    p->groups = groups;
    p->n_groups = 2;
    p->sig_algs = sigs;
    p->n_sig_algs = 2;
    p->extended_master_secret = 1;
    p->ec_point_formats = 1;
}

static ward_err send_hs(ward_conn *s, uint8_t type, const uint8_t *body, size_t len)
{
    static neg_buf hs, rec;
    hs.len = rec.len = 0;
    neg_hs(&hs, type, body, len);
    neg_record(&rec, CT_HANDSHAKE, hs.b, hs.len);
    return ward_conn_recv(s, rec.b, rec.len);
}

static ward_err send_ch12(ward_conn *s, const msg_client_hello_params *p, neg_msg *m)
{
    uint8_t buf[2048];
    wr w = wr_of(buf, sizeof buf);
    CHECK(wres_is_ok(msg_encode_client_hello(&w, p)));
    m->type = HS_CLIENT_HELLO;
    m->len = w.len - 4;
    memcpy(m->body, buf + 4, m->len);
    return WARD_OK;
}

static void good_client_hello_accepted(void)
{
    msg_client_hello_params p;
    ch12_defaults(&p);
    static neg_msg m;
    send_ch12(NULL, &p, &m);
    ward_conn *s = ward_conn_new(scfg, NULL);
    neg_cases++;
    CHECK_CODE(send_hs(s, m.type, m.body, m.len), WARD_OK);
    CHECK(ward_conn_version(s) == WARD_TLS12);
    ward_conn_free(s);
}

static void ch12_without_extended_master_secret(void)
{
    msg_client_hello_params p;
    ch12_defaults(&p);
    p.extended_master_secret = 0;
    static neg_msg m;
    send_ch12(NULL, &p, &m);
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_hs(s, m.type, m.body, m.len), WARD_ERR_HANDSHAKE_FAILURE);
    ward_conn_free(s);
}

static void ch12_without_secure_renegotiation(void)
{
    msg_client_hello_params p;
    ch12_defaults(&p);
    p.renegotiation_info = 0;
    static neg_msg m;
    send_ch12(NULL, &p, &m);
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_hs(s, m.type, m.body, m.len), WARD_ERR_HANDSHAKE_FAILURE);
    ward_conn_free(s);
}

static void ch12_no_null_compression(void)
{
    msg_client_hello_params p;
    ch12_defaults(&p);
    static neg_msg m;
    send_ch12(NULL, &p, &m);
    size_t at = 2 + 32 + 1 + 0 + 2 + 4; /* no session id, two suites */
    CHECK(m.body[at] == 1 && m.body[at + 1] == 0);
    m.body[at + 1] = 1;
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_hs(s, m.type, m.body, m.len), WARD_ERR_ILLEGAL_PARAMETER);
    ward_conn_free(s);
}

static void ch12_point_formats_without_uncompressed(void)
{
    /* RFC 8422 §5.1.2: illegal_parameter */
    msg_client_hello_params p;
    ch12_defaults(&p);
    p.ec_point_formats = 0;
    static neg_msg m;
    send_ch12(NULL, &p, &m);
    static const uint8_t ext[] = {0, 11, 0, 2, 1, 1}; /* [ansiX962_compressed_prime] */
    CHECK(neg_hello_add_ext(&m, ext, sizeof ext));
    ward_conn *s = ward_conn_new(scfg, NULL);
    ward_err e = send_hs(s, m.type, m.body, m.len);
    EXPECT(s, e, WARD_ERR_ILLEGAL_PARAMETER);
    ward_conn_free(s);
}

static void ch12_empty_suite_list(void)
{
    msg_client_hello_params p;
    ch12_defaults(&p);
    static neg_msg m;
    send_ch12(NULL, &p, &m);
    size_t at = 2 + 32 + 1;
    memmove(m.body + at + 2, m.body + at + 6, m.len - at - 6);
    m.len -= 4;
    m.body[at + 1] = 0;
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_hs(s, m.type, m.body, m.len), WARD_ERR_DECODE);
    ward_conn_free(s);
}

static void ch12_unknown_suites_only(void)
{
    static const uint16_t unknown[] = {0x002f, 0x0035, 0x000a}; /* CBC and 3DES: never */
    msg_client_hello_params p;
    ch12_defaults(&p);
    p.suites = unknown;
    p.n_suites = 3;
    static neg_msg m;
    send_ch12(NULL, &p, &m);
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_hs(s, m.type, m.body, m.len), WARD_ERR_HANDSHAKE_FAILURE);
    ward_conn_free(s);
}

static void ch12_unknown_groups_only(void)
{
    static const uint16_t unknown[] = {0x001e, 0x0015}; /* x448, secp224r1 */
    msg_client_hello_params p;
    ch12_defaults(&p);
    p.groups = unknown;
    p.n_groups = 2;
    static neg_msg m;
    send_ch12(NULL, &p, &m);
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_hs(s, m.type, m.body, m.len), WARD_ERR_HANDSHAKE_FAILURE);
    ward_conn_free(s);
}

static void ch12_signature_schemes_none_usable(void)
{
    static const uint16_t sha1[] = {0x0203, 0x0201};
    msg_client_hello_params p;
    ch12_defaults(&p);
    p.sig_algs = sha1;
    p.n_sig_algs = 2;
    static neg_msg m;
    send_ch12(NULL, &p, &m);
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_hs(s, m.type, m.body, m.len), WARD_ERR_HANDSHAKE_FAILURE);
    ward_conn_free(s);
}

static void ch12_tls11(void)
{
    msg_client_hello_params p;
    ch12_defaults(&p);
    static neg_msg m;
    send_ch12(NULL, &p, &m);
    m.body[1] = 2; /* legacy_version 0x0302 */
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT(s, send_hs(s, m.type, m.body, m.len), WARD_ERR_PROTOCOL_VERSION);
    ward_conn_free(s);
}

static void ch12_fallback_scsv_to_13_server(void)
{
    static const uint16_t with_scsv[] = {WARD_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0x5600};
    msg_client_hello_params p;
    ch12_defaults(&p);
    p.suites = with_scsv;
    p.n_suites = 2;
    static neg_msg m;
    send_ch12(NULL, &p, &m);
    ward_conn *s = ward_conn_new(scfg13, NULL);
    EXPECT(s, send_hs(s, m.type, m.body, m.len), WARD_ERR_INAPPROPRIATE_FALLBACK);
    ward_conn_free(s);
}

/* ---- the client's second flight, against a ward server ---- */
typedef struct {
    ward_conn *c, *s;
    neg_buf cke, ccs, fin; /* the client's records */
    neg_msg fin_plain;     /* its Finished, opened */
} flight2;

static int suite_keys(const ward_conn *c, int client_side, rec_dir *d, int encrypt)
{
    aead_alg a = c->hs.aead;
    size_t klen = aead_key_len(a), ilen = a == AEAD_CHACHA20_POLY1305 ? 12 : 4;
    const uint8_t *key = c->hs.key_block + (client_side ? 0 : klen);
    const uint8_t *iv = c->hs.key_block + 2 * klen + (client_side ? 0 : ilen);
    rec_dir_init(d);
    return wres_is_ok(rec_dir_install12(d, a, key, iv, encrypt));
}

static int start2(flight2 *f)
{
    memset(f, 0, sizeof *f);
    f->c = ward_conn_new(ccfg, "localhost");
    f->s = ward_conn_new(scfg, NULL);
    if (neg_move(f->c, f->s) != WARD_OK || neg_move(f->s, f->c) != WARD_OK)
        return 0;
    static neg_buf out;
    neg_take(f->c, &out);
    /* CKE (plaintext handshake), CCS, Finished (protected handshake) */
    size_t off = 0;
    neg_buf *parts[3] = {&f->cke, &f->ccs, &f->fin};
    for (int i = 0; i < 3; i++) {
        if (off + 5 > out.len)
            return 0;
        size_t rl = (size_t)out.b[off + 3] << 8 | out.b[off + 4];
        neg_put(parts[i], out.b + off, 5 + rl);
        off += 5 + rl;
    }
    rec_dir d;
    if (!suite_keys(f->c, 1, &d, 0))
        return 0;
    uint8_t type;
    span p;
    static uint8_t copy[REC_MAX_RECORD12];
    memcpy(copy, f->fin.b, f->fin.len);
    int ok = wres_is_ok(rec_open(&d, copy, f->fin.len, &type, &p)) && type == CT_HANDSHAKE &&
             p.len == 16 && p.p[0] == HS_FINISHED;
    if (ok) {
        f->fin_plain.type = HS_FINISHED;
        f->fin_plain.len = 12;
        memcpy(f->fin_plain.body, p.p + 4, 12);
    }
    rec_dir_clear(&d);
    return ok;
}

static void end2(flight2 *f)
{
    ward_conn_free(f->c);
    ward_conn_free(f->s);
}

/* Re-protect a (mutated) client Finished with the client's keys. */
static void reseal_fin(flight2 *f, const neg_msg *m)
{
    rec_dir d;
    CHECK(suite_keys(f->c, 1, &d, 1));
    neg_buf hs = {0};
    neg_hs(&hs, m->type, m->body, m->len);
    f->fin.len = 0;
    size_t need = rec_sealed_len(&d, hs.len, 0), got;
    CHECK(wres_is_ok(rec_seal(&d, CT_HANDSHAKE, hs.b, hs.len, 0, f->fin.b, need, &got)));
    f->fin.len = got;
    rec_dir_clear(&d);
}

static ward_err deliver(ward_conn *to, const neg_buf *a, const neg_buf *b, const neg_buf *c)
{
    const neg_buf *parts[3] = {a, b, c};
    for (int i = 0; i < 3; i++) {
        if (!parts[i])
            continue;
        ward_err e = ward_conn_recv(to, parts[i]->b, parts[i]->len);
        if (e != WARD_OK)
            return e;
    }
    return WARD_OK;
}

static void good_second_flight_accepted(void)
{
    flight2 f;
    CHECK(start2(&f));
    neg_cases++;
    CHECK_CODE(deliver(f.s, &f.cke, &f.ccs, &f.fin), WARD_OK);
    CHECK(ward_conn_state(f.s) == WARD_STATE_ESTABLISHED);
    end2(&f);
}

static void cke_empty_point(void)
{
    flight2 f;
    CHECK(start2(&f));
    static const uint8_t empty[1] = {0};
    EXPECT(f.s, send_hs(f.s, HS_CLIENT_KEY_EXCHANGE, empty, 1), WARD_ERR_DECODE);
    end2(&f);
}

static void cke_invalid_point(void)
{
    flight2 f;
    CHECK(start2(&f));
    uint8_t zero[33] = {32}; /* x25519 u = 0: all-zero shared secret */
    EXPECT(f.s, send_hs(f.s, HS_CLIENT_KEY_EXCHANGE, zero, sizeof zero), WARD_ERR_ILLEGAL_PARAMETER);
    end2(&f);
}

static void cke_trailing_bytes(void)
{
    flight2 f;
    CHECK(start2(&f));
    f.cke.b[4]++;  /* record length */
    f.cke.b[8]++;  /* handshake length */
    f.cke.b[f.cke.len++] = 0;
    EXPECT(f.s, ward_conn_recv(f.s, f.cke.b, f.cke.len), WARD_ERR_DECODE);
    end2(&f);
}

static void cke_duplicated(void)
{
    flight2 f;
    CHECK(start2(&f));
    EXPECT(f.s, deliver(f.s, &f.cke, &f.cke, NULL), WARD_ERR_UNEXPECTED_MESSAGE);
    end2(&f);
}

static void client_certificate_not_requested(void)
{
    flight2 f;
    CHECK(start2(&f));
    static const uint8_t empty_list[3] = {0, 0, 0};
    EXPECT(f.s, send_hs(f.s, HS_CERTIFICATE, empty_list, 3), WARD_ERR_UNEXPECTED_MESSAGE);
    end2(&f);
}

static void ccs_before_cke(void)
{
    flight2 f;
    CHECK(start2(&f));
    EXPECT(f.s, deliver(f.s, &f.ccs, NULL, NULL), WARD_ERR_UNEXPECTED_MESSAGE);
    end2(&f);
}

static void ccs_bad_value(void)
{
    flight2 f;
    CHECK(start2(&f));
    f.ccs.b[5] = 2;
    EXPECT(f.s, deliver(f.s, &f.cke, &f.ccs, NULL), WARD_ERR_UNEXPECTED_MESSAGE);
    end2(&f);
}

static void ccs_twice(void)
{
    flight2 f;
    CHECK(start2(&f));
    EXPECT(f.s, deliver(f.s, &f.cke, &f.ccs, &f.ccs), WARD_ERR_UNEXPECTED_MESSAGE);
    end2(&f);
}

static void finished_before_ccs(void)
{
    /* the client's real Finished, in the clear, before change_cipher_spec */
    flight2 f;
    CHECK(start2(&f));
    neg_buf hs = {0}, rec = {0};
    neg_hs(&hs, HS_FINISHED, f.fin_plain.body, f.fin_plain.len);
    neg_record(&rec, CT_HANDSHAKE, hs.b, hs.len);
    EXPECT(f.s, deliver(f.s, &f.cke, &rec, NULL), WARD_ERR_UNEXPECTED_MESSAGE);
    end2(&f);
}

static void finished_bad_mac(void)
{
    flight2 f;
    CHECK(start2(&f));
    f.fin.b[f.fin.len - 1] ^= 1;
    EXPECT(f.s, deliver(f.s, &f.cke, &f.ccs, &f.fin), WARD_ERR_BAD_RECORD_MAC);
    end2(&f);
}

static void finished_bad_verify_data(void)
{
    flight2 f;
    CHECK(start2(&f));
    f.fin_plain.body[0] ^= 1;
    reseal_fin(&f, &f.fin_plain);
    EXPECT(f.s, deliver(f.s, &f.cke, &f.ccs, &f.fin), WARD_ERR_DECRYPT_ERROR);
    end2(&f);
}

static void finished_wrong_length(void)
{
    flight2 f;
    CHECK(start2(&f));
    f.fin_plain.len = 11;
    reseal_fin(&f, &f.fin_plain);
    EXPECT(f.s, deliver(f.s, &f.cke, &f.ccs, &f.fin), WARD_ERR_DECODE);
    end2(&f);
}

static void fatal_alert_mid_handshake(void)
{
    flight2 f;
    CHECK(start2(&f));
    static const uint8_t alert[] = {CT_ALERT, 3, 3, 0, 2, 2, 40};
    EXPECT(f.s, ward_conn_recv(f.s, alert, sizeof alert), WARD_ERR_PEER_ALERT);
    end2(&f);
}

static void warning_alert_mid_handshake_ignored(void)
{
    /* RFC 5246 §7.2: a warning does not end a TLS 1.2 connection */
    flight2 f;
    CHECK(start2(&f));
    static const uint8_t alert[] = {CT_ALERT, 3, 3, 0, 2, 1, 112};
    neg_cases++;
    CHECK_CODE(ward_conn_recv(f.s, alert, sizeof alert), WARD_OK);
    CHECK_CODE(deliver(f.s, &f.cke, &f.ccs, &f.fin), WARD_OK);
    CHECK(ward_conn_state(f.s) == WARD_STATE_ESTABLISHED);
    end2(&f);
}

/* ---- the server's first flight, against a ward client ---- */
typedef neg_flight12 flight1; /* SH, Certificate, SKE, SHD */

enum { SH = 0, CERT, SKE, SHD };

static int start1(flight1 *f) { return neg_flight12_start(f, ccfg, scfg); }
static void end1(flight1 *f) { neg_flight12_end(f); }
static ward_err send1(flight1 *f) { return neg_flight12_send(f); }

static void good_server_flight_accepted(void)
{
    flight1 f;
    CHECK(start1(&f));
    neg_cases++;
    CHECK_CODE(send1(&f), WARD_OK);
    size_t n;
    (void)ward_conn_output(f.c, &n);
    CHECK(n > 0); /* CKE, CCS, Finished */
    end1(&f);
}

static void ske_bad_signature(void)
{
    flight1 f;
    CHECK(start1(&f));
    f.m.m[SKE].body[f.m.m[SKE].len - 3] ^= 0x10;
    EXPECT(f.c, send1(&f), WARD_ERR_DECRYPT_ERROR);
    end1(&f);
}

static void ske_scheme_not_offered(void)
{
    flight1 f;
    CHECK(start1(&f));
    neg_msg *m = &f.m.m[SKE];
    size_t at = 4 + m->body[3]; /* curve_type, group, point */
    m->body[at] = 0x02;         /* ecdsa_sha1 */
    m->body[at + 1] = 0x03;
    EXPECT(f.c, send1(&f), WARD_ERR_ILLEGAL_PARAMETER);
    end1(&f);
}

static void ske_group_not_offered(void)
{
    flight1 f;
    CHECK(start1(&f));
    f.m.m[SKE].body[1] = 0x00;
    f.m.m[SKE].body[2] = 0x19; /* secp521r1 */
    EXPECT(f.c, send1(&f), WARD_ERR_ILLEGAL_PARAMETER);
    end1(&f);
}

static void ske_explicit_curve(void)
{
    flight1 f;
    CHECK(start1(&f));
    f.m.m[SKE].body[0] = 1; /* explicit_prime */
    EXPECT(f.c, send1(&f), WARD_ERR_ILLEGAL_PARAMETER);
    end1(&f);
}

static void ske_truncated(void)
{
    flight1 f;
    CHECK(start1(&f));
    f.m.m[SKE].len -= 10;
    EXPECT(f.c, send1(&f), WARD_ERR_DECODE);
    end1(&f);
}

static void ske_missing(void)
{
    flight1 f;
    CHECK(start1(&f));
    f.m.m[SKE] = f.m.m[SHD];
    f.m.n = 3;
    EXPECT(f.c, send1(&f), WARD_ERR_UNEXPECTED_MESSAGE);
    end1(&f);
}

static void certificate_missing(void)
{
    flight1 f;
    CHECK(start1(&f));
    f.m.m[CERT] = f.m.m[SKE];
    f.m.m[SKE] = f.m.m[SHD];
    f.m.n = 3;
    EXPECT(f.c, send1(&f), WARD_ERR_UNEXPECTED_MESSAGE);
    end1(&f);
}

static void certificate_empty(void)
{
    flight1 f;
    CHECK(start1(&f));
    memset(f.m.m[CERT].body, 0, 3);
    f.m.m[CERT].len = 3;
    /* RFC 5246 §7.4.2 names no alert for an empty server chain (§7.4.6
     * suggests handshake_failure for a missing client one) */
    EXPECT(f.c, send1(&f), WARD_ERR_HANDSHAKE_FAILURE);
    end1(&f);
}

static void server_hello_done_not_empty(void)
{
    flight1 f;
    CHECK(start1(&f));
    f.m.m[SHD].body[0] = 0;
    f.m.m[SHD].len = 1;
    EXPECT(f.c, send1(&f), WARD_ERR_DECODE);
    end1(&f);
}

static void server_hello_twice(void)
{
    flight1 f;
    CHECK(start1(&f));
    memmove(&f.m.m[CERT + 1], &f.m.m[CERT], 3 * sizeof f.m.m[0]);
    f.m.m[CERT] = f.m.m[SH];
    f.m.n = 5;
    EXPECT(f.c, send1(&f), WARD_ERR_UNEXPECTED_MESSAGE);
    end1(&f);
}

static void sh12_suite_not_offered(void)
{
    flight1 f;
    CHECK(start1(&f));
    neg_msg *m = &f.m.m[SH];
    size_t at = 2 + 32 + 1 + m->body[34];
    m->body[at] = 0x00;
    m->body[at + 1] = 0x9c; /* RSA key transport: never offered without the opt-in */
    EXPECT(f.c, send1(&f), WARD_ERR_ILLEGAL_PARAMETER);
    end1(&f);
}

static void sh12_unsolicited_alpn(void)
{
    flight1 f;
    CHECK(start1(&f));
    static const uint8_t ext[] = {0, 16, 0, 5, 0, 3, 2, 'h', '2'};
    CHECK(neg_hello_add_ext(&f.m.m[SH], ext, sizeof ext));
    EXPECT(f.c, send1(&f), WARD_ERR_UNSUPPORTED_EXTENSION);
    end1(&f);
}

static void sh12_duplicate_extension(void)
{
    flight1 f;
    CHECK(start1(&f));
    static const uint8_t ext[] = {0, 23, 0, 0}; /* extended_master_secret again */
    CHECK(neg_hello_add_ext(&f.m.m[SH], ext, sizeof ext));
    EXPECT(f.c, send1(&f), WARD_ERR_ILLEGAL_PARAMETER);
    end1(&f);
}

static void sh12_tls13_extension(void)
{
    flight1 f;
    CHECK(start1(&f));
    /* a well-formed key_share the 1.2-only client never asked for: RFC 5246
     * §7.4.1.4, unsupported_extension */
    uint8_t ext[8 + 32] = {0, 51, 0, 36, 0, 0x1d, 0, 32, 9};
    CHECK(neg_hello_add_ext(&f.m.m[SH], ext, sizeof ext));
    EXPECT(f.c, send1(&f), WARD_ERR_UNSUPPORTED_EXTENSION);
    end1(&f);
}

static void sh12_trailing_bytes(void)
{
    flight1 f;
    CHECK(start1(&f));
    f.m.m[SH].body[f.m.m[SH].len++] = 0;
    EXPECT(f.c, send1(&f), WARD_ERR_DECODE);
    end1(&f);
}

static void bad_server_finished(void)
{
    /* through to the server's Finished, re-protected with a flipped bit */
    flight1 f;
    CHECK(start1(&f));
    CHECK_CODE(send1(&f), WARD_OK);
    CHECK_CODE(neg_move(f.c, f.s), WARD_OK);
    static neg_buf out;
    neg_take(f.s, &out); /* CCS, protected Finished */
    CHECK(out.len > 6 && out.b[0] == CT_CHANGE_CIPHER_SPEC);
    rec_dir d;
    CHECK(suite_keys(f.s, 0, &d, 0));
    static uint8_t rec[REC_MAX_RECORD12];
    memcpy(rec, out.b + 6, out.len - 6);
    uint8_t type;
    span p;
    CHECK(wres_is_ok(rec_open(&d, rec, out.len - 6, &type, &p)) && p.len == 16);
    rec_dir_clear(&d);
    uint8_t fin[16];
    memcpy(fin, p.p, 16);
    fin[15] ^= 1;
    CHECK(suite_keys(f.s, 0, &d, 1));
    neg_buf again = {0};
    neg_put(&again, out.b, 6);
    size_t got;
    CHECK(wres_is_ok(rec_seal(&d, CT_HANDSHAKE, fin, 16, 0, again.b + 6, sizeof again.b - 6, &got)));
    again.len += got;
    rec_dir_clear(&d);
    EXPECT(f.c, ward_conn_recv(f.c, again.b, again.len), WARD_ERR_DECRYPT_ERROR);
    end1(&f);
}

static void application_data_before_handshake(void)
{
    flight1 f;
    CHECK(start1(&f));
    static const uint8_t rec[] = {CT_APPLICATION_DATA, 3, 3, 0, 3, 'a', 'b', 'c'};
    EXPECT(f.c, ward_conn_recv(f.c, rec, sizeof rec), WARD_ERR_UNEXPECTED_MESSAGE);
    end1(&f);
}

int main(void)
{
    scfg = neg_server_config(NULL, WARD_TLS12, WARD_TLS12);
    scfg13 = neg_server_config(NULL, WARD_TLS12, WARD_TLS13);
    ccfg = neg_client_config(NULL, WARD_TLS12, WARD_TLS12);

    good_client_hello_accepted();
    ch12_without_extended_master_secret();
    ch12_without_secure_renegotiation();
    ch12_no_null_compression();
    ch12_point_formats_without_uncompressed();
    ch12_empty_suite_list();
    ch12_unknown_suites_only();
    ch12_unknown_groups_only();
    ch12_signature_schemes_none_usable();
    ch12_tls11();
    ch12_fallback_scsv_to_13_server();
    good_second_flight_accepted();
    cke_empty_point();
    cke_invalid_point();
    cke_trailing_bytes();
    cke_duplicated();
    client_certificate_not_requested();
    ccs_before_cke();
    ccs_bad_value();
    ccs_twice();
    finished_before_ccs();
    finished_bad_mac();
    finished_bad_verify_data();
    finished_wrong_length();
    fatal_alert_mid_handshake();
    warning_alert_mid_handshake_ignored();
    good_server_flight_accepted();
    ske_bad_signature();
    ske_scheme_not_offered();
    ske_group_not_offered();
    ske_explicit_curve();
    ske_truncated();
    ske_missing();
    certificate_missing();
    certificate_empty();
    server_hello_done_not_empty();
    server_hello_twice();
    sh12_suite_not_offered();
    sh12_unsolicited_alpn();
    sh12_duplicate_extension();
    sh12_tls13_extension();
    sh12_trailing_bytes();
    bad_server_finished();
    application_data_before_handshake();

    ward_config_free(scfg);
    ward_config_free(scfg13);
    ward_config_free(ccfg);
    printf("%d negative cases, %d failed\n", neg_cases, neg_failed);
    return test_report();
}
