/* Hello conformance (issue #13): what the versions and sizes of the two
 * hellos may be.
 *   - legacy_version 0x0300 or below is protocol_version, in a ClientHello
 *     (first or second) and in a ServerHello or HelloRetryRequest, whatever
 *     supported_versions says (RFC 8446 Appendix D.5);
 *   - a TLS 1.2 ServerHello after a TLS 1.3 HelloRetryRequest is
 *     illegal_parameter (§4.1.4);
 *   - any number of unknown extensions is ignored (§9.3), a duplicate is
 *     illegal_parameter wherever it comes (§4.2);
 *   - a ClientHello as large as §4.1.2 allows (about 128 KiB) is taken,
 *     twice around a HelloRetryRequest; one byte more, or any other message
 *     over max_handshake_message, is decode_error.
 * Each refusal checks the code, the exact alert and a dead connection. */
#include <stdlib.h>
#include <string.h>

#include "msg/msg.h"
#include "negpeer.h"
#include "testutil.h"

#define EXPECT_S(c, got, want) neg_expect(__func__, c, &scap, got, want)
#define EXPECT_C(c, got, want) neg_expect(__func__, c, &ccap, got, want)

static neg_capture scap, ccap;
static ward_config *scfg, *scfg_hrr, *scfg12, *ccfg, *ccfg_both;
static uint8_t kpub[CRYPTO_MAX_KEX_PUB], kpub256[CRYPTO_MAX_KEX_PUB];
static size_t kpub_len, kpub256_len;

static msg_key_share share;

static void ch_defaults(msg_client_hello_params *p)
{
    neg_ch13_defaults(p, &share, kpub, kpub_len);
}

/* A ClientHello (whole message, header included) on the heap. */
static uint8_t *ch_encode(const msg_client_hello_params *p, size_t *len)
{
    size_t cap = MSG_HEADER_LEN + MSG_CLIENT_HELLO_MAX + 1024;
    uint8_t *buf = malloc(cap);
    wr w = wr_of(buf, cap);
    CHECK(wres_is_ok(msg_encode_client_hello(&w, p)));
    *len = w.len;
    return buf;
}

/* A handshake message in as many plaintext records as it takes. */
static ward_err send_hs(ward_conn *c, const uint8_t *msg, size_t len)
{
    static neg_buf rec;
    rec.len = 0;
    neg_records(&rec, CT_HANDSHAKE, msg, len);
    return ward_conn_recv(c, rec.b, rec.len);
}

static ward_err send_ch(ward_conn *s, const msg_client_hello_params *p, uint16_t legacy)
{
    size_t len;
    uint8_t *m = ch_encode(p, &len);
    m[4] = (uint8_t)(legacy >> 8);
    m[5] = (uint8_t)legacy;
    ward_err e = send_hs(s, m, len);
    free(m);
    return e;
}

/* The server's first handshake message (a ServerHello or HRR body). */
static int server_hello_of(ward_conn *s, msg_server_hello *sh)
{
    static neg_buf out;
    static neg_msgs m;
    neg_take(s, &out);
    return neg_split(out.b, out.len, 0, NULL, &m) && m.m[0].type == HS_SERVER_HELLO &&
           wres_is_ok(msg_decode_server_hello(span_of(m.m[0].body, m.m[0].len), sh));
}

/* ---- legacy_version (Appendix D.5) ---- */
static void ch_legacy_version_ssl3(void)
{
    static const uint16_t refused[] = {0x0300, 0x0200, 0x0002};
    for (size_t i = 0; i < WARD_ARRAY_LEN(refused); i++) {
        msg_client_hello_params p;
        ch_defaults(&p); /* supported_versions offers TLS 1.3 */
        ward_conn *s = ward_conn_new(scfg, NULL);
        EXPECT_S(s, send_ch(s, &p, refused[i]), WARD_ERR_PROTOCOL_VERSION);
        CHECK(strstr(ward_conn_error_message(s), "legacy_version") != NULL);
        ward_conn_free(s);
    }
    /* 0x0301 (what many clients send, §5.1) still negotiates TLS 1.3 */
    msg_client_hello_params p;
    ch_defaults(&p);
    ward_conn *s = ward_conn_new(scfg, NULL);
    neg_cases++;
    CHECK_CODE(send_ch(s, &p, 0x0301), WARD_OK);
    msg_server_hello sh;
    CHECK(server_hello_of(s, &sh) && sh.selected_version == WARD_TLS13);
    ward_conn_free(s);
}

static void ch2_legacy_version_ssl3(void)
{
    msg_client_hello_params p;
    ch_defaults(&p);
    ward_conn *s = ward_conn_new(scfg_hrr, NULL);
    CHECK_CODE(send_ch(s, &p, 0x0303), WARD_OK);
    msg_server_hello hrr;
    CHECK(server_hello_of(s, &hrr) && hrr.is_hrr && hrr.has_cookie);
    static uint8_t cookie[256];
    memcpy(cookie, hrr.cookie.p, hrr.cookie.len);
    p.cookie = cookie;
    p.cookie_len = hrr.cookie.len;
    msg_key_share p256 = {WARD_GROUP_SECP256R1, kpub256, kpub256_len}; /* what it asked for */
    p.shares = &p256;
    EXPECT_S(s, send_ch(s, &p, 0x0300), WARD_ERR_PROTOCOL_VERSION);
    ward_conn_free(s);
}

/* A ward client's hello answered by a real ward server (cfg), its first
 * message decoded, then re-sent to the client with legacy_version changed. */
static void sh_legacy_version(ward_config *server, int want_hrr)
{
    ward_conn *c, *s;
    static neg_buf out;
    static neg_msgs m;
    CHECK(neg_first_flight(&c, &s, ccfg, server, &out));
    CHECK(neg_split(out.b, out.len, 0, NULL, &m) && m.m[0].type == HS_SERVER_HELLO);
    CHECK((memcmp(m.m[0].body + 2, MSG_HRR_RANDOM, 32) == 0) == want_hrr);
    m.m[0].body[0] = 3;
    m.m[0].body[1] = 0;
    static neg_buf hs;
    hs.len = 0;
    neg_hs(&hs, HS_SERVER_HELLO, m.m[0].body, m.m[0].len);
    EXPECT_C(c, send_hs(c, hs.b, hs.len), WARD_ERR_PROTOCOL_VERSION);
    ward_conn_free(c);
    ward_conn_free(s);
}

static void sh_legacy_version_ssl3(void) { sh_legacy_version(scfg, 0); }
static void hrr_legacy_version_ssl3(void) { sh_legacy_version(scfg_hrr, 1); }

/* ---- TLS 1.2 after a HelloRetryRequest (§4.1.4) ---- */

/* A TLS 1.2 ServerHello a TLS 1.2-only ward server sends (no downgrade
 * sentinel), as a whole message. */
static void tls12_server_hello(neg_buf *hs)
{
    neg_flight12 f;
    CHECK(neg_flight12_start(&f, ccfg_both, scfg12));
    hs->len = 0;
    neg_hs(hs, HS_SERVER_HELLO, f.m.m[0].body, f.m.m[0].len);
    neg_flight12_end(&f);
}

static void tls12_server_hello_after_hrr(void)
{
    static neg_buf out, hrr, sh12;
    tls12_server_hello(&sh12);
    ward_conn *c, *s;
    CHECK(neg_first_flight(&c, &s, ccfg_both, scfg_hrr, &out));
    CHECK(neg_first_record(out.b, out.len, CT_HANDSHAKE, &hrr));
    CHECK(memcmp(hrr.b + 5 + 4 + 2, MSG_HRR_RANDOM, 32) == 0);
    CHECK_CODE(ward_conn_recv(c, hrr.b, hrr.len), WARD_OK);
    neg_take(c, &out); /* the second ClientHello, not sent on */
    CHECK(out.len > 0);
    EXPECT_C(c, send_hs(c, sh12.b, sh12.len), WARD_ERR_ILLEGAL_PARAMETER);
    CHECK(strstr(ward_conn_error_message(c), "HelloRetryRequest") != NULL);
    ward_conn_free(c);
    ward_conn_free(s);

    /* the same hello without the retry before it: TLS 1.2 goes on */
    c = ward_conn_new(ccfg_both, "localhost");
    neg_take(c, &out);
    neg_cases++;
    CHECK_CODE(send_hs(c, sh12.b, sh12.len), WARD_OK);
    CHECK(ward_conn_state(c) == WARD_STATE_HANDSHAKING);
    ward_conn_free(c);
}

/* ---- many extensions (§9.3) ---- */
static void ch_with_unknown_extensions(size_t n, int dup, ward_err want)
{
    msg_client_hello_params p;
    ch_defaults(&p);
    size_t len;
    uint8_t *m = ch_encode(&p, &len);
    /* n empty extensions of unknown types 0x7000.. at the end of the block */
    size_t at = 4 + 2 + 32 + 1 + 32; /* header, version, random, session id */
    at += 2 + ((size_t)m[at] << 8 | m[at + 1]);
    at += 1 + m[at];
    size_t el = ((size_t)m[at] << 8 | m[at + 1]) + 4 * n;
    CHECK(el <= 0xffff);
    m = realloc(m, len + 4 * n);
    m[at] = (uint8_t)(el >> 8);
    m[at + 1] = (uint8_t)el;
    for (size_t i = 0; i < n; i++) {
        uint16_t t = (uint16_t)(0x7000 + (dup && i == n - 1 ? 0 : i));
        uint8_t e[4] = {(uint8_t)(t >> 8), (uint8_t)t, 0, 0};
        memcpy(m + len + 4 * i, e, 4);
    }
    len += 4 * n;
    size_t body = len - 4;
    m[1] = (uint8_t)(body >> 16);
    m[2] = (uint8_t)(body >> 8);
    m[3] = (uint8_t)body;
    ward_conn *s = ward_conn_new(scfg, NULL);
    if (want == WARD_OK) {
        neg_cases++;
        CHECK_CODE(send_hs(s, m, len), WARD_OK);
        msg_server_hello sh;
        CHECK(server_hello_of(s, &sh) && !sh.is_hrr);
    } else {
        neg_expect("ch_with_unknown_extensions", s, &scap, send_hs(s, m, len), want);
    }
    ward_conn_free(s);
    free(m);
}

static void ch_many_extensions(void)
{
    ch_with_unknown_extensions(65, 0, WARD_OK); /* was decode_error over 64 */
    ch_with_unknown_extensions(1000, 0, WARD_OK);
    ch_with_unknown_extensions(16000, 0, WARD_OK);
    ch_with_unknown_extensions(1000, 1, WARD_ERR_ILLEGAL_PARAMETER);
}

/* ---- the largest ClientHello (§4.1.2) ---- */

/* A valid TLS 1.3 ClientHello of total bytes (header included): the
 * suites list as long as it goes, signature_algorithms and one unknown
 * extension filling the extension block. With cookie: echoes it. */
static uint8_t *big_hello(size_t total, const uint8_t *cookie, size_t cookie_len, size_t *len)
{
    static msg_key_share p256; /* what a forced retry asks for */
    static uint16_t suites[32767], sigalgs[32000];
    for (size_t i = 0; i < WARD_ARRAY_LEN(suites); i++) /* unassigned codes, then ours */
        suites[i] = (uint16_t)(0x0a0a + i);
    msg_client_hello_params p;
    ch_defaults(&p);
    memcpy(suites + WARD_ARRAY_LEN(suites) - p.n_suites, p.suites, p.n_suites * sizeof *p.suites);
    for (size_t i = 0; i < WARD_ARRAY_LEN(sigalgs); i++)
        sigalgs[i] = (uint16_t)(0x1000 + i);
    memcpy(sigalgs + WARD_ARRAY_LEN(sigalgs) - p.n_sig_algs, p.sig_algs,
           p.n_sig_algs * sizeof *p.sig_algs);
    p.suites = suites;
    p.n_suites = WARD_ARRAY_LEN(suites);
    p.sig_algs = sigalgs;
    p.n_sig_algs = WARD_ARRAY_LEN(sigalgs);
    p.cookie = cookie;
    p.cookie_len = cookie_len;
    if (cookie) {
        p256 = (msg_key_share){WARD_GROUP_SECP256R1, kpub256, kpub256_len};
        p.shares = &p256;
    }
    uint8_t *m = ch_encode(&p, len);
    /* one more extension (type 0x7777) brings it to total */
    CHECK(total >= *len + 4);
    size_t fill = total - *len - 4;
    size_t at = 4 + 2 + 32 + 1 + 32;
    at += 2 + ((size_t)m[at] << 8 | m[at + 1]);
    at += 1 + m[at];
    size_t el = ((size_t)m[at] << 8 | m[at + 1]) + 4 + fill;
    CHECK(el <= 0xffff);
    m = realloc(m, total);
    m[at] = (uint8_t)(el >> 8);
    m[at + 1] = (uint8_t)el;
    uint8_t e[4] = {0x77, 0x77, (uint8_t)(fill >> 8), (uint8_t)fill};
    memcpy(m + *len, e, 4);
    memset(m + *len + 4, 0x5a, fill);
    *len = total;
    size_t body = total - 4;
    m[1] = (uint8_t)(body >> 16);
    m[2] = (uint8_t)(body >> 8);
    m[3] = (uint8_t)body;
    return m;
}

/* The largest a TLS 1.3 hello can be: a single compression method. */
#define CH13_MAX (MSG_HEADER_LEN + MSG_CLIENT_HELLO_MAX - 254)

static void ch_largest(void)
{
    size_t len;
    uint8_t *m = big_hello(CH13_MAX, NULL, 0, &len);
    msg_client_hello ch;
    CHECK_OK(msg_decode_client_hello(span_of(m + 4, len - 4), &ch));
    CHECK(ch.cipher_suites.len == 65534 && ch.extensions.len == 65535);
    ward_conn *s = ward_conn_new(scfg, NULL);
    neg_cases++;
    CHECK_CODE(send_hs(s, m, len), WARD_OK);
    msg_server_hello sh;
    CHECK(server_hello_of(s, &sh) && !sh.is_hrr && sh.cipher_suite == 0x1301);
    ward_conn_free(s);
    free(m);
}

/* Two of them around a retry: over the default max_handshake_bytes
 * together, which a ClientHello is not charged to. */
static void ch_largest_twice_with_hrr(void)
{
    size_t len;
    uint8_t *m = big_hello(CH13_MAX, NULL, 0, &len);
    ward_conn *s = ward_conn_new(scfg_hrr, NULL);
    CHECK_CODE(send_hs(s, m, len), WARD_OK);
    free(m);
    msg_server_hello hrr;
    CHECK(server_hello_of(s, &hrr) && hrr.is_hrr && hrr.has_cookie);
    static uint8_t cookie[256];
    memcpy(cookie, hrr.cookie.p, hrr.cookie.len);
    m = big_hello(CH13_MAX, cookie, hrr.cookie.len, &len);
    neg_cases++;
    CHECK_CODE(send_hs(s, m, len), WARD_OK);
    msg_server_hello sh;
    CHECK(server_hello_of(s, &sh) && !sh.is_hrr);
    ward_conn_free(s);
    free(m);
}

/* A header alone declaring a body of n bytes, of type. */
static ward_err send_header(ward_conn *c, uint8_t type, size_t n)
{
    uint8_t rec[] = {CT_HANDSHAKE, 3, 3, 0, 4, type, (uint8_t)(n >> 16), (uint8_t)(n >> 8),
                     (uint8_t)n};
    return ward_conn_recv(c, rec, sizeof rec);
}

static void ch_over_largest(void)
{
    ward_conn *s = ward_conn_new(scfg, NULL);
    neg_cases++;
    CHECK_CODE(send_header(s, HS_CLIENT_HELLO, MSG_CLIENT_HELLO_MAX), WARD_OK); /* waits */
    ward_conn_free(s);
    s = ward_conn_new(scfg, NULL);
    EXPECT_S(s, send_header(s, HS_CLIENT_HELLO, MSG_CLIENT_HELLO_MAX + 1), WARD_ERR_DECODE);
    ward_conn_free(s);
}

/* The allowance is the ClientHello's alone: other messages keep
 * max_handshake_message (65536), on both sides. */
static void other_messages_keep_the_limit(void)
{
    ward_conn *s = ward_conn_new(scfg, NULL);
    EXPECT_S(s, send_header(s, HS_FINISHED, 65537), WARD_ERR_DECODE);
    ward_conn_free(s);
    ward_conn *c = ward_conn_new(ccfg, "localhost");
    size_t n;
    (void)ward_conn_output(c, &n);
    ward_conn_output_done(c, n);
    EXPECT_C(c, send_header(c, HS_SERVER_HELLO, 65537), WARD_ERR_DECODE);
    ward_conn_free(c);
    c = ward_conn_new(ccfg, "localhost");
    (void)ward_conn_output(c, &n);
    ward_conn_output_done(c, n);
    EXPECT_C(c, send_header(c, HS_CLIENT_HELLO, 65537), WARD_ERR_DECODE);
    ward_conn_free(c);
}

int main(void)
{
    neg_capture_init(&scap);
    neg_capture_init(&ccap);
    scfg = neg_server_config(&scap, WARD_TLS13, WARD_TLS13);
    scfg_hrr = neg_server_config(&scap, WARD_TLS13, WARD_TLS13);
    ward_config_set_force_hrr(scfg_hrr, 1);
    scfg12 = neg_server_config(NULL, WARD_TLS12, WARD_TLS12);
    ccfg = neg_client_config(&ccap, WARD_TLS13, WARD_TLS13);
    ccfg_both = neg_client_config(&ccap, WARD_TLS12, WARD_TLS13);
    crypto_kex kx, kx256;
    CHECK(wres_is_ok(crypto_kex_keygen(&kx, WARD_GROUP_X25519, kpub, sizeof kpub, &kpub_len)));
    CHECK(wres_is_ok(crypto_kex_keygen(&kx256, WARD_GROUP_SECP256R1, kpub256, sizeof kpub256,
                                       &kpub256_len)));

    ch_legacy_version_ssl3();
    ch2_legacy_version_ssl3();
    sh_legacy_version_ssl3();
    hrr_legacy_version_ssl3();
    tls12_server_hello_after_hrr();
    ch_many_extensions();
    ch_largest();
    ch_largest_twice_with_hrr();
    ch_over_largest();
    other_messages_keep_the_limit();

    crypto_kex_free(&kx);
    crypto_kex_free(&kx256);
    ward_config_free(scfg);
    ward_config_free(scfg_hrr);
    ward_config_free(scfg12);
    ward_config_free(ccfg);
    ward_config_free(ccfg_both);
    printf("%d negative cases, %d failed\n", neg_cases, neg_failed);
    return test_report();
}
