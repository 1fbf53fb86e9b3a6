/* ward_trace_decode and ward_trace_name (src/trace): every message type
 * decoded from an event as the engine reports it, a browser's ClientHello
 * written byte by byte (GREASE, X25519MLKEM768, ECH, ALPS), truncations
 * refused, and the names. */
#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>

#include "msg/msg.h"
#include "testpki.h"
#include "testutil.h"
#include "ward/trace.h"

static ward_trace_event event(const uint8_t *msg, size_t len, uint16_t version, uint16_t suite)
{
    ward_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = WARD_TRACE_MESSAGE;
    ev.msg_type = len ? msg[0] : 0;
    ev.data = msg;
    ev.len = len;
    ev.version = version;
    ev.suite = suite;
    return ev;
}

static ward_err decode(const uint8_t *msg, size_t len, uint16_t version, uint16_t suite,
                       ward_trace_msg *m)
{
    ward_trace_event ev = event(msg, len, version, suite);
    return ward_trace_decode(&ev, m);
}

/* Every shorter body (the header's length following it) is refused, with
 * the type and the length still given. */
static void check_truncations(const uint8_t *msg, size_t len, uint16_t version, uint16_t suite)
{
    static uint8_t cut[4096];
    static ward_trace_msg m;
    size_t decoded = 0;
    CHECK(len <= sizeof cut);
    if (len > sizeof cut)
        return;
    for (size_t n = MSG_HEADER_LEN; n < len; n++) {
        memcpy(cut, msg, n);
        size_t body = n - MSG_HEADER_LEN;
        cut[1] = (uint8_t)(body >> 16), cut[2] = (uint8_t)(body >> 8), cut[3] = (uint8_t)body;
        ward_err e = decode(cut, n, version, suite, &m);
        /* A hello cut just before its extensions block is still a hello
         * (RFC 5246 §7.4.1.2): a cut on such a boundary may decode. */
        if (e == WARD_OK) {
            decoded++;
            continue;
        }
        CHECK_CODE(e, WARD_ERR_DECODE);
        CHECK(m.type == msg[0] && m.len == body);
    }
    CHECK(decoded <= 1);
    /* A header that says more than came, and one of another type. */
    memcpy(cut, msg, len);
    cut[3] ^= 1;
    CHECK_CODE(decode(cut, len, version, suite, &m), WARD_ERR_DECODE);
    CHECK(m.type == msg[0] && m.len == len - MSG_HEADER_LEN);
    cut[3] ^= 1;
    ward_trace_event ev = event(cut, len, version, suite);
    ev.msg_type = (uint8_t)(msg[0] + 1);
    CHECK_CODE(ward_trace_decode(&ev, &m), WARD_ERR_DECODE);
    CHECK_CODE(decode(cut, 3, version, suite, &m), WARD_ERR_DECODE);
    CHECK(m.len == 0);
}

/* ---- a browser's ClientHello, written by hand ---- */

static void ext(wr *w, uint16_t type, const uint8_t *data, size_t len)
{
    wr_u16(w, type);
    wr_u16(w, (uint16_t)len);
    wr_bytes(w, data, len);
}

static size_t chrome_hello(uint8_t *out, size_t cap)
{
    static const uint8_t sni[] = {0, 18, 0, 0, 15, 'w', 'w', 'w', '.', 'e', 'x', 'a', 'm',
                                  'p', 'l', 'e', '.', 'c', 'o', 'm'};
    static const uint8_t reneg[] = {0};
    static const uint8_t groups[] = {0, 10, 0x3a, 0x3a, 0x11, 0xec, 0, 0x1d, 0, 0x17, 0, 0x18};
    static const uint8_t points[] = {1, 0};
    static const uint8_t alpn[] = {0, 12, 2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    static const uint8_t status[] = {1, 0, 0, 0, 0};
    static const uint8_t sigalgs[] = {0, 16, 4, 3, 8, 4, 4, 1, 5, 3, 8, 5, 5, 1, 8, 6, 6, 1};
    static const uint8_t modes[] = {1, 1};
    static const uint8_t versions[] = {6, 0x5a, 0x5a, 3, 4, 3, 3};
    static const uint8_t compress[] = {2, 0, 2};
    static const uint8_t alps[] = {0, 3, 2, 'h', '2'};
    static const uint8_t one_zero[] = {0};
    static const uint8_t suites[] = {0x4a, 0x4a, 0x13, 1, 0x13, 2, 0x13, 3, 0xc0, 0x2b, 0xc0, 0x2f,
                                     0xc0, 0x2c, 0xc0, 0x30, 0xcc, 0xa9, 0xcc, 0xa8, 0xc0, 0x13,
                                     0xc0, 0x14, 0, 0x9c, 0, 0x9d, 0, 0x2f, 0, 0x35};
    static uint8_t shares[2 + 5 + 4 + 1216 + 4 + 32], ech[1 + 4 + 1 + 2 + 32 + 2 + 144];
    wr s = wr_of(shares, sizeof shares);
    wr_u16(&s, sizeof shares - 2);
    wr_u16(&s, 0x3a3a), wr_u16(&s, 1), wr_u8(&s, 0);
    wr_u16(&s, 0x11ec), wr_u16(&s, 1216), wr_zeros(&s, 1216);
    wr_u16(&s, 0x001d), wr_u16(&s, 32), wr_zeros(&s, 32);
    memset(ech, 0x5c, sizeof ech); /* GREASE ECH: opaque to a server without ECH */

    wr w = wr_of(out, cap);
    wr_block m = msg_hs_open(&w, HS_CLIENT_HELLO);
    wr_u16(&w, 0x0303);
    for (int i = 0; i < 32; i++)
        wr_u8(&w, (uint8_t)(0x10 + i));
    wr_u8(&w, 32), wr_zeros(&w, 32);
    wr_u16(&w, sizeof suites), wr_bytes(&w, suites, sizeof suites);
    wr_u8(&w, 1), wr_u8(&w, 0);
    wr_block e = wr_open(&w, 2);
    ext(&w, 0x2a2a, NULL, 0);
    ext(&w, 0x0000, sni, sizeof sni);
    ext(&w, 0x0017, NULL, 0);
    ext(&w, 0xff01, reneg, sizeof reneg);
    ext(&w, 0x000a, groups, sizeof groups);
    ext(&w, 0x000b, points, sizeof points);
    ext(&w, 0x0023, NULL, 0);
    ext(&w, 0x0010, alpn, sizeof alpn);
    ext(&w, 0x0005, status, sizeof status);
    ext(&w, 0x000d, sigalgs, sizeof sigalgs);
    ext(&w, 0x0012, NULL, 0);
    ext(&w, 0x0033, shares, sizeof shares);
    ext(&w, 0x002d, modes, sizeof modes);
    ext(&w, 0x002b, versions, sizeof versions);
    ext(&w, 0x001b, compress, sizeof compress);
    ext(&w, 0x44cd, alps, sizeof alps);
    ext(&w, 0xfe0d, ech, sizeof ech);
    ext(&w, 0x1a1a, one_zero, sizeof one_zero);
    CHECK_OK(wr_close(&w, e));
    CHECK_OK(wr_close(&w, m));
    return w.len;
}

static void client_hello_chrome(void)
{
    static uint8_t msg[4096];
    static ward_trace_msg m;
    size_t len = chrome_hello(msg, sizeof msg);
    CHECK_CODE(decode(msg, len, 0, 0, &m), WARD_OK);
    CHECK(m.type == HS_CLIENT_HELLO && m.len == len - 4);
    CHECK(m.legacy_version == 0x0303 && m.random[0] == 0x10 && m.random[31] == 0x2f);
    CHECK(m.session_id_len == 32);
    CHECK(m.n_suites == 16 && m.suites[0] == 0x4a4a && m.suites[1] == 0x1301 &&
          m.suites[15] == 0x0035);
    CHECK(m.n_versions == 3 && m.versions[0] == 0x5a5a && m.versions[1] == 0x0304);
    CHECK(m.n_groups == 5 && m.groups[1] == 0x11ec && m.groups[4] == 0x0018);
    CHECK(m.n_shares == 3 && m.shares[0].group == 0x3a3a && m.shares[0].len == 1);
    CHECK(m.shares[1].group == 0x11ec && m.shares[1].len == 1216);
    CHECK(m.shares[2].group == 0x001d && m.shares[2].len == 32);
    CHECK(m.n_sigalgs == 8 && m.sigalgs[0] == 0x0403 && m.sigalgs[7] == 0x0601);
    CHECK(strcmp(m.server_name, "www.example.com") == 0);
    CHECK(m.n_alpn == 2 && strcmp(m.alpn[0], "h2") == 0 && strcmp(m.alpn[1], "http/1.1") == 0);
    CHECK(m.n_psk_modes == 1 && m.psk_modes[0] == 1);
    CHECK(m.ems && m.status_request && m.ticket_ext && !m.early_data);
    CHECK(m.psk_identities == 0 && m.cookie_len == 0 && m.psk_selected == -1);
    static const uint16_t order[] = {0x2a2a, 0, 0x17, 0xff01, 10, 11, 35, 16, 5,
                                     13, 18, 51, 45, 43, 27, 0x44cd, 0xfe0d, 0x1a1a};
    CHECK(m.n_extensions == WARD_ARRAY_LEN(order));
    for (size_t i = 0; i < WARD_ARRAY_LEN(order) && i < m.n_extensions; i++)
        CHECK(m.extensions[i] == order[i]);
    check_truncations(msg, len, 0, 0);
}

/* ward's own encoder: pre_shared_key, early_data, cookie. */
static void client_hello_psk(void)
{
    static const uint16_t suites[] = {0x1301};
    static const uint16_t versions[] = {0x0304};
    static const uint8_t id[] = {1, 2, 3, 4, 5}, cookie[40] = {7};
    msg_client_hello_params p = {
        .n_suites = 1, .suites = suites, .versions = versions, .n_versions = 1,
        .psk_identity = id, .psk_identity_len = sizeof id, .psk_binder_len = 32,
        .psk_dhe_ke = 1, .psk_ke = 1, .early_data = 1, .cookie = cookie,
        .cookie_len = sizeof cookie, .server_name = "a.test"};
    uint8_t msg[1024];
    wr w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_client_hello(&w, &p));
    ward_trace_msg m;
    CHECK_CODE(decode(msg, w.len, 0, 0, &m), WARD_OK);
    CHECK(m.psk_identities == 1 && m.early_data && m.cookie_len == sizeof cookie);
    CHECK(m.n_psk_modes == 2 && strcmp(m.server_name, "a.test") == 0);
    CHECK(m.n_extensions > 0 && m.extensions[m.n_extensions - 1] == EXT_PRE_SHARED_KEY);
    check_truncations(msg, w.len, 0, 0);
}

/* More suites than the list keeps: the count is every one. */
static void client_hello_long_list(void)
{
    static uint16_t suites[100];
    for (int i = 0; i < 100; i++)
        suites[i] = (uint16_t)(0x1000 + i);
    msg_client_hello_params p = {.n_suites = 100, .suites = suites};
    uint8_t msg[1024];
    wr w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_client_hello(&w, &p));
    ward_trace_msg m;
    CHECK_CODE(decode(msg, w.len, 0, 0, &m), WARD_OK);
    CHECK(m.n_suites == 100 && m.suites[63] == 0x1000 + 63);
}

static void server_hellos(void)
{
    uint8_t msg[512], key[32] = {0}, cookie[20] = {0};
    ward_trace_msg m;
    msg_server_hello_params p = {.cipher_suite = 0x1302, .key_share_group = 0x11ec,
                                 .key_share = key, .key_share_len = sizeof key,
                                 .has_psk = 1, .psk_identity = 0};
    wr w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_server_hello(&w, &p));
    CHECK_CODE(decode(msg, w.len, 0, 0, &m), WARD_OK);
    CHECK(!m.hrr && m.suite == 0x1302 && m.version == 0x0304 && m.legacy_version == 0x0303);
    CHECK(m.n_shares == 1 && m.shares[0].group == 0x11ec && m.shares[0].len == 32);
    CHECK(m.psk_selected == 0 && m.downgrade == 0);
    CHECK(m.n_extensions == 3 && m.extensions[0] == EXT_PRE_SHARED_KEY &&
          m.extensions[2] == EXT_SUPPORTED_VERSIONS);
    check_truncations(msg, w.len, 0, 0);

    msg_server_hello_params h = {.cipher_suite = 0x1301, .is_hrr = 1, .key_share_group = 0x0017,
                                 .cookie = cookie, .cookie_len = sizeof cookie};
    w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_server_hello(&w, &h));
    CHECK_CODE(decode(msg, w.len, 0, 0, &m), WARD_OK);
    CHECK(m.hrr && m.group == 0x0017 && m.cookie_len == sizeof cookie && m.n_shares == 0);
    CHECK(m.psk_selected == -1 && m.n_extensions == 3);
}

/* TLS 1.2 ServerHello from a 1.3-capable server: the downgrade sentinel. */
static void server_hello12(void)
{
    static const uint8_t tag[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
    uint8_t msg[512];
    ward_trace_msg m;
    msg_server_hello12_params p = {.cipher_suite = 0xc02f, .renegotiation_info = 1,
                                   .extended_master_secret = 1, .ec_point_formats = 1,
                                   .alpn = (const uint8_t *)"h2", .alpn_len = 2,
                                   .session_ticket = 1};
    memcpy(p.random + 24, tag, 8);
    wr w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_server_hello12(&w, &p));
    CHECK_CODE(decode(msg, w.len, 0, 0, &m), WARD_OK);
    CHECK(m.version == 0x0303 && m.suite == 0xc02f && m.downgrade == 12);
    CHECK(m.n_alpn == 1 && strcmp(m.alpn[0], "h2") == 0 && m.ems && m.ticket_ext);
    CHECK(m.n_extensions == 5 && m.extensions[0] == EXT_RENEGOTIATION_INFO);
    p.random[31] = 0;
    w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_server_hello12(&w, &p));
    CHECK_CODE(decode(msg, w.len, 0, 0, &m), WARD_OK);
    CHECK(m.downgrade == 11);
    check_truncations(msg, w.len, 0, 0);
}

static void encrypted_extensions(void)
{
    uint8_t msg[256];
    ward_trace_msg m;
    msg_encrypted_extensions_params p = {.server_name_ack = 1, .alpn = (const uint8_t *)"imap",
                                         .alpn_len = 4, .early_data = 1};
    wr w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_encrypted_extensions(&w, &p));
    CHECK_CODE(decode(msg, w.len, 0x0304, 0x1301, &m), WARD_OK);
    CHECK(m.n_alpn == 1 && strcmp(m.alpn[0], "imap") == 0 && m.early_data);
    CHECK(m.n_extensions == 3 && m.extensions[0] == EXT_SERVER_NAME &&
          m.extensions[2] == EXT_EARLY_DATA);
    check_truncations(msg, w.len, 0x0304, 0x1301);
}

/* A DER certificate made by testpki (ed25519, names given). */
static size_t make_cert(uint8_t *der, size_t cap)
{
    char cert[64], key[64];
    CHECK(testpki_self_signed_names("ed25519", "trace.test", "DNS:trace.test,IP:127.0.0.1",
                                    cert, key));
    FILE *f = fopen(cert, "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    remove(cert), remove(key);
    int n = x ? i2d_X509(x, NULL) : -1;
    size_t len = 0;
    if (n > 0 && (size_t)n <= cap) {
        uint8_t *p = der;
        len = (size_t)i2d_X509(x, &p);
    }
    X509_free(x);
    CHECK(len > 0);
    return len;
}

static void certificates(void)
{
    static uint8_t der[4096], msg[8192], ocsp[10] = {0x30};
    static ward_trace_msg m;
    size_t dlen = make_cert(der, sizeof der);
    const uint8_t *certs[2] = {der, der};
    size_t lens[2] = {dlen, dlen};
    wr w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_certificate_ocsp(&w, certs, lens, 2, ocsp, sizeof ocsp));
    CHECK_CODE(decode(msg, w.len, 0x0304, 0x1301, &m), WARD_OK);
    CHECK(m.n_certs == 2 && m.ocsp && m.context_len == 0);
    CHECK(strstr(m.certs[0].subject, "trace.test") != NULL);
    CHECK(strcmp(m.certs[0].key_type, "Ed25519") == 0);
    CHECK(strstr(m.certs[1].san, "DNS:trace.test") != NULL);
    check_truncations(msg, w.len, 0x0304, 0x1301);

    w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_certificate12(&w, certs, lens, 1));
    CHECK_CODE(decode(msg, w.len, 0x0303, 0xc02b, &m), WARD_OK);
    CHECK(m.n_certs == 1 && !m.ocsp && strstr(m.certs[0].subject, "trace.test"));
    CHECK_CODE(decode(msg, w.len, 0x0304, 0x1301, &m), WARD_ERR_DECODE);
    check_truncations(msg, w.len, 0x0303, 0xc02b);
}

static void certificate_requests(void)
{
    static const uint8_t cr13[] = {13, 0, 0, 21, 2, 0xab, 0xcd, 0, 16,
                                   0, 13, 0, 6, 0, 4, 8, 7, 4, 3,
                                   0, 47, 0, 2, 0, 0};
    static const uint8_t cr12[] = {13, 0, 0, 11, 2, 1, 64, 0, 4, 4, 1, 4, 3, 0, 0};
    ward_trace_msg m;
    CHECK_CODE(decode(cr13, sizeof cr13, 0x0304, 0x1301, &m), WARD_OK);
    CHECK(m.context_len == 2 && m.n_sigalgs == 2 && m.sigalgs[0] == 0x0807);
    CHECK(m.n_extensions == 2 && m.extensions[1] == 47);
    check_truncations(cr13, sizeof cr13, 0x0304, 0x1301);
    CHECK_CODE(decode(cr12, sizeof cr12, 0x0303, 0xc02f, &m), WARD_OK);
    CHECK(m.n_sigalgs == 2 && m.sigalgs[1] == 0x0403 && m.context_len == 0);
    check_truncations(cr12, sizeof cr12, 0x0303, 0xc02f);
}

static void signatures_and_keys(void)
{
    uint8_t msg[512], sig[64] = {1}, params[128], pub[65] = {4};
    ward_trace_msg m;
    wr w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_certificate_verify(&w, 0x0807, sig, sizeof sig));
    CHECK_CODE(decode(msg, w.len, 0x0304, 0x1301, &m), WARD_OK);
    CHECK(m.scheme == 0x0807 && m.signature_len == 64);
    check_truncations(msg, w.len, 0x0304, 0x1301);

    wr pw = wr_of(params, sizeof params);
    CHECK_OK(msg_encode_ecdh_params(&pw, 0x0017, pub, sizeof pub));
    w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_server_key_exchange(&w, params, pw.len, 0x0804, sig, sizeof sig));
    CHECK_CODE(decode(msg, w.len, 0x0303, 0xc02f, &m), WARD_OK);
    CHECK(m.group == 0x0017 && m.key_len == 65 && m.scheme == 0x0804 && m.signature_len == 64);
    check_truncations(msg, w.len, 0x0303, 0xc02f);

    w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_client_key_exchange_ecdhe(&w, pub, sizeof pub));
    CHECK_CODE(decode(msg, w.len, 0x0303, 0xc02f, &m), WARD_OK);
    CHECK(!m.rsa_kx && m.key_len == 65);
    check_truncations(msg, w.len, 0x0303, 0xc02f);
    static uint8_t enc[256] = {9};
    w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_client_key_exchange_rsa(&w, enc, sizeof enc));
    CHECK_CODE(decode(msg, w.len, 0x0303, 0x009c, &m), WARD_OK);
    CHECK(m.rsa_kx && m.key_len == 256);
    CHECK_CODE(decode(msg, w.len, 0x0303, 0xc02f, &m), WARD_ERR_DECODE);
}

static void small_messages(void)
{
    uint8_t msg[512], vd[48] = {0}, ticket[100] = {0}, nonce[8] = {0}, ocsp[30] = {0x30};
    ward_trace_msg m;
    wr w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_finished(&w, vd, 48));
    CHECK_CODE(decode(msg, w.len, 0x0304, 0x1302, &m), WARD_OK);
    CHECK(m.verify_data_len == 48);
    w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_finished(&w, vd, 12));
    CHECK_CODE(decode(msg, w.len, 0x0303, 0xc02f, &m), WARD_OK);
    CHECK(m.verify_data_len == 12 && m.len == 12);

    w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_new_session_ticket(&w, 7200, 1, nonce, sizeof nonce, ticket,
                                           sizeof ticket, 16384));
    CHECK_CODE(decode(msg, w.len, 0x0304, 0x1301, &m), WARD_OK);
    CHECK(m.lifetime == 7200 && m.ticket_len == 100 && m.early_data && m.max_early_data == 16384);
    check_truncations(msg, w.len, 0x0304, 0x1301);
    w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_new_session_ticket12(&w, 300, ticket, 50));
    CHECK_CODE(decode(msg, w.len, 0x0303, 0xc02f, &m), WARD_OK);
    CHECK(m.lifetime == 300 && m.ticket_len == 50 && !m.early_data);

    w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_key_update(&w, 1));
    CHECK_CODE(decode(msg, w.len, 0x0304, 0x1301, &m), WARD_OK);
    CHECK(m.request_update == 1);
    w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_certificate_status(&w, ocsp, sizeof ocsp));
    CHECK_CODE(decode(msg, w.len, 0x0303, 0xc02f, &m), WARD_OK);
    CHECK(m.ocsp_len == sizeof ocsp);
    check_truncations(msg, w.len, 0x0303, 0xc02f);
    w = wr_of(msg, sizeof msg);
    CHECK_OK(msg_encode_server_hello_done(&w));
    CHECK_CODE(decode(msg, w.len, 0x0303, 0xc02f, &m), WARD_OK);
    CHECK(m.type == HS_SERVER_HELLO_DONE && m.len == 0);
    static const uint8_t done_long[] = {14, 0, 0, 1, 0};
    CHECK_CODE(decode(done_long, sizeof done_long, 0x0303, 0xc02f, &m), WARD_ERR_DECODE);
    CHECK(m.type == 14 && m.len == 1);
    ward_trace_event ev = event(done_long, sizeof done_long, 0, 0);
    ev.kind = WARD_TRACE_ALERT;
    CHECK_CODE(ward_trace_decode(&ev, &m), WARD_ERR_DECODE);
}

static void names(void)
{
    CHECK(strcmp(ward_trace_name(WARD_NAME_SUITE, 0x1301), "TLS_AES_128_GCM_SHA256") == 0);
    CHECK(strcmp(ward_trace_name(WARD_NAME_SUITE, 0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV") == 0);
    CHECK(strcmp(ward_trace_name(WARD_NAME_SUITE, 0xcca8),
                 "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256") == 0);
    CHECK(strcmp(ward_trace_name(WARD_NAME_GROUP, 0x11ec), "X25519MLKEM768") == 0);
    CHECK(strcmp(ward_trace_name(WARD_NAME_GROUP, 0x6399), "X25519Kyber768Draft00") == 0);
    CHECK(strcmp(ward_trace_name(WARD_NAME_GROUP, 0x0101), "ffdhe3072") == 0);
    CHECK(strcmp(ward_trace_name(WARD_NAME_SIGSCHEME, 0x0808), "ed448") == 0);
    CHECK(strcmp(ward_trace_name(WARD_NAME_EXTENSION, 0xfe0d), "encrypted_client_hello") == 0);
    CHECK(strcmp(ward_trace_name(WARD_NAME_EXTENSION, 0xff01), "renegotiation_info") == 0);
    CHECK(strcmp(ward_trace_name(WARD_NAME_VERSION, 0x0304), "TLS 1.3") == 0);
    CHECK(strcmp(ward_trace_name(WARD_NAME_HANDSHAKE, 15), "CertificateVerify") == 0);
    CHECK(strcmp(ward_trace_name(WARD_NAME_PSK_MODE, 1), "psk_dhe_ke") == 0);
    for (unsigned b = 0; b < 16; b++) {
        uint16_t g = (uint16_t)((b << 12) | 0x0a00 | (b << 4) | 0x0a);
        CHECK(ward_is_grease(g));
        CHECK(strcmp(ward_trace_name(WARD_NAME_EXTENSION, g), "GREASE") == 0);
        CHECK(strcmp(ward_trace_name(WARD_NAME_SUITE, g), "GREASE") == 0);
    }
    CHECK(!ward_is_grease(0x0a1a) && !ward_is_grease(0x0b0b) && !ward_is_grease(0x1301));
    CHECK(ward_trace_name(WARD_NAME_HANDSHAKE, 0x0a0a) == NULL);
    CHECK(ward_trace_name(WARD_NAME_SUITE, 0x1399) == NULL);
    CHECK(ward_trace_name(WARD_NAME_GROUP, 0x7777) == NULL);
    CHECK(ward_trace_name((ward_name_kind)99, 1) == NULL);
    CHECK(strcmp(ward_trace_protection_name(WARD_PROT_HANDSHAKE), "handshake") == 0);
    CHECK(strcmp(ward_trace_protection_name(WARD_PROT_TLS12), "tls12") == 0);
    CHECK(ward_trace_protection_name(42) == NULL);
}

int main(void)
{
    client_hello_chrome();
    client_hello_psk();
    client_hello_long_list();
    server_hellos();
    server_hello12();
    encrypted_extensions();
    certificates();
    certificate_requests();
    signatures_and_keys();
    small_messages();
    names();
    return test_report();
}
