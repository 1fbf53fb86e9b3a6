/* Negative tests: a TLS 1.3 ward client against crafted servers. A real
 * ward server answers the client's ClientHello; its flight is taken apart
 * (opened with the server's handshake secret), mutated, and put back
 * together under the same keys. Each case checks the code, the exact alert
 * (opened with the client's keys where protected) and a dead connection. */
#include <string.h>

#include "msg/msg.h"
#include "negpeer.h"
#include "testutil.h"

#define EXPECT(c, got, want) neg_expect(__func__, c, &ccap, got, want)

static neg_capture scap, ccap;
static ward_config *scfg, *ccfg, *ccfg_alpn_server;

typedef struct {
    ward_conn *c, *s;
    neg_buf ccs;     /* the server's CCS record (if any) */
    neg_msgs m;      /* SH, EE, Certificate, CertificateVerify, Finished */
    uint16_t suite;
    rec_dir wkeys;   /* the server's handshake write keys */
} flight;

enum { SH = 0, EE, CERT, CV, FIN };

static int start(flight *f, ward_config *client, ward_config *server)
{
    memset(f, 0, sizeof *f);
    static neg_buf out;
    if (!neg_first_flight(&f->c, &f->s, client, server, &out))
        return 0;
    f->suite = ward_conn_suite(f->s);
    const uint8_t *secret = neg_secret(&scap, "SERVER_HANDSHAKE_TRAFFIC_SECRET");
    (void)neg_first_record(out.b, out.len, CT_CHANGE_CIPHER_SPEC, &f->ccs);
    return neg_split(out.b, out.len, f->suite, secret, &f->m) && f->m.n == 5 &&
           neg_dir(&f->wkeys, f->suite, secret, 1);
}

static void end(flight *f)
{
    rec_dir_clear(&f->wkeys);
    ward_conn_free(f->c);
    ward_conn_free(f->s);
}

/* The ServerHello (possibly mutated) in its own plaintext record. */
static ward_err send_sh(flight *f)
{
    static neg_buf hs, rec;
    hs.len = rec.len = 0;
    neg_hs(&hs, HS_SERVER_HELLO, f->m.m[SH].body, f->m.m[SH].len);
    neg_record(&rec, CT_HANDSHAKE, hs.b, hs.len);
    return ward_conn_recv(f->c, rec.b, rec.len);
}

/* ServerHello, CCS, then messages [from, n) sealed in one record. */
static ward_err send_flight(flight *f, size_t from)
{
    ward_err e = send_sh(f);
    if (e != WARD_OK)
        return e;
    if (f->ccs.len && (e = ward_conn_recv(f->c, f->ccs.b, f->ccs.len)) != WARD_OK)
        return e;
    static neg_buf hs, rec;
    hs.len = rec.len = 0;
    for (size_t i = from; i < f->m.n; i++)
        neg_hs(&hs, f->m.m[i].type, f->m.m[i].body, f->m.m[i].len);
    neg_seal(&rec, &f->wkeys, CT_HANDSHAKE, hs.b, hs.len, 0);
    return ward_conn_recv(f->c, rec.b, rec.len);
}

static ward_err send_sealed(flight *f, uint8_t type, const uint8_t *p, size_t n)
{
    static neg_buf rec;
    rec.len = 0;
    neg_seal(&rec, &f->wkeys, type, p, n, 0);
    return ward_conn_recv(f->c, rec.b, rec.len);
}

/* Re-encode the ServerHello with changed fields. */
typedef struct {
    uint16_t suite, group;
    int drop_session_id;
} sh_change;

static void reencode_sh(flight *f, const sh_change *ch)
{
    msg_server_hello sh;
    CHECK(wres_is_ok(msg_decode_server_hello(span_of(f->m.m[SH].body, f->m.m[SH].len), &sh)));
    msg_server_hello_params p = {0};
    memcpy(p.random, sh.random, 32);
    p.session_id = sh.session_id;
    p.session_id_len = ch->drop_session_id ? 0 : sh.session_id_len;
    p.cipher_suite = ch->suite ? ch->suite : sh.cipher_suite;
    p.key_share_group = ch->group ? ch->group : sh.key_share_group;
    static uint8_t key[4096]; /* hybrid post-quantum shares are over 1 KB */
    if (sh.key_share.len > sizeof key)
        return;
    memcpy(key, sh.key_share.p, sh.key_share.len);
    p.key_share = key;
    p.key_share_len = sh.key_share.len;
    static uint8_t buf[8192];
    wr w = wr_of(buf, sizeof buf);
    wres r = msg_encode_server_hello(&w, &p);
    if (!wres_is_ok(r))
        fprintf(stderr, "reencode_sh: %s sid %zu group %04x keylen %zu\n", ward_err_str(r.code),
                p.session_id_len, p.key_share_group, p.key_share_len);
    CHECK(wres_is_ok(r));
    memcpy(f->m.m[SH].body, buf + 4, w.len - 4);
    f->m.m[SH].len = w.len - 4;
}

/* ---- ServerHello ---- */
static void good_flight_accepted(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    neg_cases++;
    CHECK_CODE(send_flight(&f, EE), WARD_OK);
    CHECK(ward_conn_state(f.c) == WARD_STATE_ESTABLISHED);
    end(&f);
}

static void sh_truncated(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    f.m.m[SH].len -= 3;
    EXPECT(f.c, send_sh(&f), WARD_ERR_DECODE);
    end(&f);
}

static void sh_trailing_bytes(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    f.m.m[SH].body[f.m.m[SH].len++] = 0;
    EXPECT(f.c, send_sh(&f), WARD_ERR_DECODE);
    end(&f);
}

static void sh_unknown_extension(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    static const uint8_t ext[] = {0xfe, 0xed, 0, 0};
    CHECK(neg_hello_add_ext(&f.m.m[SH], ext, sizeof ext));
    EXPECT(f.c, send_sh(&f), WARD_ERR_UNSUPPORTED_EXTENSION);
    end(&f);
}

static void sh_duplicate_extension(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    static const uint8_t ext[] = {0, 43, 0, 2, 3, 4};
    CHECK(neg_hello_add_ext(&f.m.m[SH], ext, sizeof ext));
    EXPECT(f.c, send_sh(&f), WARD_ERR_ILLEGAL_PARAMETER);
    end(&f);
}

static void sh_misplaced_extension(void)
{
    /* server_name is specified for EncryptedExtensions, not ServerHello */
    flight f;
    CHECK(start(&f, ccfg, scfg));
    static const uint8_t ext[] = {0, 0, 0, 0};
    CHECK(neg_hello_add_ext(&f.m.m[SH], ext, sizeof ext));
    ward_err e = send_sh(&f);
    EXPECT(f.c, e, WARD_ERR_ILLEGAL_PARAMETER); /* RFC 8446 §4.2 */
    end(&f);
}

static void sh_suite_not_offered(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    sh_change ch = {0x1303, 0, 0}; /* the client offers 0x1301 and 0x1302 only */
    reencode_sh(&f, &ch);
    EXPECT(f.c, send_sh(&f), WARD_ERR_ILLEGAL_PARAMETER);
    end(&f);
}

static void sh_key_share_group_not_offered(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    sh_change ch = {0, WARD_GROUP_SECP384R1, 0}; /* no share was sent for it */
    reencode_sh(&f, &ch);
    EXPECT(f.c, send_sh(&f), WARD_ERR_ILLEGAL_PARAMETER);
    end(&f);
}

static void sh_unknown_group(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    sh_change ch = {0, 0x0100, 0};
    reencode_sh(&f, &ch);
    EXPECT(f.c, send_sh(&f), WARD_ERR_ILLEGAL_PARAMETER);
    end(&f);
}

static void sh_session_id_not_echoed(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    sh_change ch = {0, 0, 1};
    reencode_sh(&f, &ch);
    EXPECT(f.c, send_sh(&f), WARD_ERR_ILLEGAL_PARAMETER);
    end(&f);
}

static void sh_version_not_offered(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    /* supported_versions is the last extension: its value is the last 2 bytes */
    neg_msg *m = &f.m.m[SH];
    CHECK(m->body[m->len - 2] == 3 && m->body[m->len - 1] == 4);
    m->body[m->len - 1] = 5;
    EXPECT(f.c, send_sh(&f), WARD_ERR_ILLEGAL_PARAMETER);
    end(&f);
}

static void sh_compression_not_null(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    neg_msg *m = &f.m.m[SH];
    size_t at = 2 + 32 + 1 + m->body[34] + 2;
    m->body[at] = 1;
    EXPECT(f.c, send_sh(&f), WARD_ERR_ILLEGAL_PARAMETER);
    end(&f);
}

static void sh_and_ee_in_one_plaintext_record(void)
{
    /* §5.1: the ServerHello changes keys, so it must end its record */
    flight f;
    CHECK(start(&f, ccfg, scfg));
    static neg_buf hs, rec;
    hs.len = rec.len = 0;
    neg_hs(&hs, HS_SERVER_HELLO, f.m.m[SH].body, f.m.m[SH].len);
    neg_hs(&hs, HS_ENCRYPTED_EXTENSIONS, f.m.m[EE].body, f.m.m[EE].len);
    neg_record(&rec, CT_HANDSHAKE, hs.b, hs.len);
    EXPECT(f.c, ward_conn_recv(f.c, rec.b, rec.len), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

static void hrr_for_group_already_shared(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    msg_server_hello_params p = {0};
    p.is_hrr = 1;
    msg_server_hello sh;
    CHECK(wres_is_ok(msg_decode_server_hello(span_of(f.m.m[SH].body, f.m.m[SH].len), &sh)));
    p.session_id = sh.session_id;
    p.session_id_len = sh.session_id_len;
    p.cipher_suite = sh.cipher_suite;
    p.key_share_group = WARD_GROUP_X25519; /* the client's share was x25519 */
    uint8_t buf[512];
    wr w = wr_of(buf, sizeof buf);
    CHECK(wres_is_ok(msg_encode_server_hello(&w, &p)));
    memcpy(f.m.m[SH].body, buf + 4, w.len - 4);
    f.m.m[SH].len = w.len - 4;
    EXPECT(f.c, send_sh(&f), WARD_ERR_ILLEGAL_PARAMETER);
    end(&f);
}

static void hrr_twice(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    msg_server_hello sh;
    CHECK(wres_is_ok(msg_decode_server_hello(span_of(f.m.m[SH].body, f.m.m[SH].len), &sh)));
    msg_server_hello_params p = {0};
    p.is_hrr = 1;
    p.session_id = sh.session_id;
    p.session_id_len = sh.session_id_len;
    p.cipher_suite = sh.cipher_suite;
    p.cookie = (const uint8_t *)"cookie";
    p.cookie_len = 6;
    uint8_t buf[512];
    wr w = wr_of(buf, sizeof buf);
    CHECK(wres_is_ok(msg_encode_server_hello(&w, &p)));
    memcpy(f.m.m[SH].body, buf + 4, w.len - 4);
    f.m.m[SH].len = w.len - 4;
    neg_cases++;
    CHECK_CODE(send_sh(&f), WARD_OK);
    size_t n;
    (void)ward_conn_output(f.c, &n); /* the second ClientHello */
    CHECK(n > 0);
    ward_conn_output_done(f.c, n);
    EXPECT(f.c, send_sh(&f), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

/* ---- the encrypted flight ---- */
static void ee_forbidden_extension(void)
{
    /* key_share is recognized but not specified for EncryptedExtensions:
     * RFC 8446 §4.2 says illegal_parameter. */
    flight f;
    CHECK(start(&f, ccfg, scfg));
    neg_msg *m = &f.m.m[EE];
    static const uint8_t ext[] = {0, 51, 0, 2, 0, 0x1d};
    size_t el = (size_t)m->body[0] << 8 | m->body[1];
    el += sizeof ext;
    m->body[0] = (uint8_t)(el >> 8);
    m->body[1] = (uint8_t)el;
    memcpy(m->body + m->len, ext, sizeof ext);
    m->len += sizeof ext;
    ward_err e = send_flight(&f, EE);
    EXPECT(f.c, e, WARD_ERR_ILLEGAL_PARAMETER);
    end(&f);
}

static void ee_unsolicited_alpn(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    neg_msg *m = &f.m.m[EE];
    static const uint8_t ext[] = {0, 16, 0, 5, 0, 3, 2, 'h', '2'};
    size_t el = (size_t)m->body[0] << 8 | m->body[1];
    el += sizeof ext;
    m->body[0] = (uint8_t)(el >> 8);
    m->body[1] = (uint8_t)el;
    memcpy(m->body + m->len, ext, sizeof ext);
    m->len += sizeof ext;
    EXPECT(f.c, send_flight(&f, EE), WARD_ERR_UNSUPPORTED_EXTENSION);
    end(&f);
}

static void ee_length_exceeds_message(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    f.m.m[EE].body[0] = 0x7f;
    EXPECT(f.c, send_flight(&f, EE), WARD_ERR_DECODE);
    end(&f);
}

static void ee_duplicated(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    memmove(&f.m.m[CERT + 1], &f.m.m[CERT], 3 * sizeof f.m.m[0]);
    f.m.m[CERT] = f.m.m[EE];
    f.m.n++;
    EXPECT(f.c, send_flight(&f, EE), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

static void certificate_empty(void)
{
    /* §4.4.2.4: an empty server Certificate is a decode_error */
    flight f;
    CHECK(start(&f, ccfg, scfg));
    memcpy(f.m.m[CERT].body, "\0\0\0\0", 4);
    f.m.m[CERT].len = 4;
    EXPECT(f.c, send_flight(&f, EE), WARD_ERR_DECODE);
    end(&f);
}

static void certificate_missing(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    f.m.m[CERT] = f.m.m[CV];
    f.m.m[CV] = f.m.m[FIN];
    f.m.n--;
    EXPECT(f.c, send_flight(&f, EE), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

static void certificate_verify_missing(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    f.m.m[CV] = f.m.m[FIN];
    f.m.n--;
    EXPECT(f.c, send_flight(&f, EE), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

static void certificate_verify_bad_signature(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    neg_msg *m = &f.m.m[CV];
    m->body[m->len - 5] ^= 0x40; /* inside the ECDSA s value */
    EXPECT(f.c, send_flight(&f, EE), WARD_ERR_DECRYPT_ERROR);
    end(&f);
}

static void certificate_verify_scheme_not_offered(void)
{
    /* rsa_pkcs1_sha256 is never offered for TLS 1.3 CertificateVerify */
    flight f;
    CHECK(start(&f, ccfg, scfg));
    f.m.m[CV].body[0] = 0x04;
    f.m.m[CV].body[1] = 0x01;
    EXPECT(f.c, send_flight(&f, EE), WARD_ERR_ILLEGAL_PARAMETER);
    end(&f);
}

static void certificate_verify_empty_signature(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    f.m.m[CV].body[2] = 0;
    f.m.m[CV].body[3] = 0;
    f.m.m[CV].len = 4;
    EXPECT(f.c, send_flight(&f, EE), WARD_ERR_DECODE);
    end(&f);
}

static void finished_bad(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    f.m.m[FIN].body[3] ^= 0x80;
    EXPECT(f.c, send_flight(&f, EE), WARD_ERR_DECRYPT_ERROR);
    end(&f);
}

static void finished_truncated(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    f.m.m[FIN].len = 31;
    EXPECT(f.c, send_flight(&f, EE), WARD_ERR_DECODE);
    end(&f);
}

static void new_session_ticket_before_finished(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    static const uint8_t nst[] = {0, 0, 0, 60, 1, 2, 3, 4, 0, 0, 1, 'x', 0, 0};
    f.m.m[FIN].type = HS_NEW_SESSION_TICKET;
    memcpy(f.m.m[FIN].body, nst, sizeof nst);
    f.m.m[FIN].len = sizeof nst;
    EXPECT(f.c, send_flight(&f, EE), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

static void handshake_after_finished_in_same_record(void)
{
    /* §5.1: Finished changes keys; nothing may follow it in its record */
    flight f;
    CHECK(start(&f, ccfg, scfg));
    static const uint8_t nst[] = {0, 0, 0, 60, 1, 2, 3, 4, 0, 0, 1, 'x', 0, 0};
    f.m.m[5].type = HS_NEW_SESSION_TICKET;
    memcpy(f.m.m[5].body, nst, sizeof nst);
    f.m.m[5].len = sizeof nst;
    f.m.n = 6;
    EXPECT(f.c, send_flight(&f, EE), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

static void application_data_before_finished(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    f.m.n = FIN; /* everything but Finished */
    neg_cases++;
    CHECK_CODE(send_flight(&f, EE), WARD_OK);
    EXPECT(f.c, send_sealed(&f, CT_APPLICATION_DATA, (const uint8_t *)"hi", 2),
           WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

static void server_alert_after_client_hello(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    static const uint8_t alert[] = {CT_ALERT, 3, 3, 0, 2, 2, 40};
    EXPECT(f.c, ward_conn_recv(f.c, alert, sizeof alert), WARD_ERR_PEER_ALERT);
    end(&f);
}

static void ccs_bad_value(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    CHECK_CODE(send_sh(&f), WARD_OK);
    static const uint8_t ccs[] = {CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 2};
    EXPECT(f.c, ward_conn_recv(f.c, ccs, sizeof ccs), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

static void ccs_two_bytes(void)
{
    flight f;
    CHECK(start(&f, ccfg, scfg));
    CHECK_CODE(send_sh(&f), WARD_OK);
    static const uint8_t ccs[] = {CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 2, 1, 1};
    EXPECT(f.c, ward_conn_recv(f.c, ccs, sizeof ccs), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

/* ---- after the handshake ---- */
static int established(flight *f)
{
    if (!start(f, ccfg, scfg) || send_flight(f, EE) != WARD_OK)
        return 0;
    rec_dir_clear(&f->wkeys);
    return neg_dir(&f->wkeys, f->suite, neg_secret(&scap, "SERVER_TRAFFIC_SECRET_0"), 1);
}

static void post_handshake_key_update_bad_value(void)
{
    flight f;
    CHECK(established(&f));
    static const uint8_t ku[] = {HS_KEY_UPDATE, 0, 0, 1, 7};
    EXPECT(f.c, send_sealed(&f, CT_HANDSHAKE, ku, sizeof ku), WARD_ERR_ILLEGAL_PARAMETER);
    end(&f);
}

static void post_handshake_server_hello(void)
{
    flight f;
    CHECK(established(&f));
    static neg_buf hs;
    hs.len = 0;
    neg_hs(&hs, HS_SERVER_HELLO, f.m.m[SH].body, f.m.m[SH].len);
    EXPECT(f.c, send_sealed(&f, CT_HANDSHAKE, hs.b, hs.len), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

static void post_handshake_certificate_request_not_offered(void)
{
    /* post_handshake_auth was not offered (§4.6.2): unexpected_message */
    flight f;
    CHECK(established(&f));
    static const uint8_t cr[] = {HS_CERTIFICATE_REQUEST, 0, 0, 11, 1, 7, 0, 8, 0, 13, 0, 4, 0, 2, 4, 3};
    EXPECT(f.c, send_sealed(&f, CT_HANDSHAKE, cr, 4 + 11), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

static void post_handshake_new_session_ticket_malformed(void)
{
    flight f;
    CHECK(established(&f));
    /* ticket<1..2^16-1> empty */
    static const uint8_t nst[] = {HS_NEW_SESSION_TICKET, 0, 0, 13, 0, 0, 0, 60, 1, 2, 3, 4, 0, 0, 0, 0, 0};
    EXPECT(f.c, send_sealed(&f, CT_HANDSHAKE, nst, sizeof nst), WARD_ERR_DECODE);
    end(&f);
}

static void post_handshake_ccs(void)
{
    flight f;
    CHECK(established(&f));
    static const uint8_t ccs[] = {CT_CHANGE_CIPHER_SPEC, 3, 3, 0, 1, 1};
    EXPECT(f.c, ward_conn_recv(f.c, ccs, sizeof ccs), WARD_ERR_UNEXPECTED_MESSAGE);
    end(&f);
}

static void application_data_after_close_notify(void)
{
    flight f;
    CHECK(established(&f));
    static const uint8_t cn[] = {1, 0};
    neg_cases++;
    CHECK_CODE(send_sealed(&f, CT_ALERT, cn, 2), WARD_OK);
    /* ward stops reading at close_notify: more input reports CLOSED */
    CHECK_CODE(send_sealed(&f, CT_APPLICATION_DATA, (const uint8_t *)"late", 4), WARD_CLOSED);
    end(&f);
}

int main(void)
{
    neg_capture_init(&scap);
    neg_capture_init(&ccap);
    scfg = neg_server_config(&scap, WARD_TLS13, WARD_TLS13);
    ccfg = neg_client_config(&ccap, WARD_TLS13, WARD_TLS13);
    static const uint16_t suites[] = {0x1301, 0x1302};
    CHECK(ward_config_set_suites(ccfg, suites, 2) == WARD_OK);
    (void)ccfg_alpn_server;

    good_flight_accepted();
    sh_truncated();
    sh_trailing_bytes();
    sh_unknown_extension();
    sh_duplicate_extension();
    sh_misplaced_extension();
    sh_suite_not_offered();
    sh_key_share_group_not_offered();
    sh_unknown_group();
    sh_session_id_not_echoed();
    sh_version_not_offered();
    sh_compression_not_null();
    sh_and_ee_in_one_plaintext_record();
    hrr_for_group_already_shared();
    hrr_twice();
    ee_forbidden_extension();
    ee_unsolicited_alpn();
    ee_length_exceeds_message();
    ee_duplicated();
    certificate_empty();
    certificate_missing();
    certificate_verify_missing();
    certificate_verify_bad_signature();
    certificate_verify_scheme_not_offered();
    certificate_verify_empty_signature();
    finished_bad();
    finished_truncated();
    new_session_ticket_before_finished();
    handshake_after_finished_in_same_record();
    application_data_before_finished();
    server_alert_after_client_hello();
    ccs_bad_value();
    ccs_two_bytes();
    post_handshake_key_update_bad_value();
    post_handshake_server_hello();
    post_handshake_certificate_request_not_offered();
    post_handshake_new_session_ticket_malformed();
    post_handshake_ccs();
    application_data_after_close_notify();

    ward_config_free(scfg);
    ward_config_free(ccfg);
    printf("%d negative cases, %d failed\n", neg_cases, neg_failed);
    return test_report();
}
