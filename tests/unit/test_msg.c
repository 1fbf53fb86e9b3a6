/* The codec on RFC 8448's messages: decode them, check the fields, and
 * re-encode them from parameters byte for byte. */
#include <string.h>

#include "msg/msg.h"
#include "testutil.h"
#include "trace.h"

/* One handshake message from the trace; 0 if missing. */
typedef struct {
    uint8_t buf[1024];
    long len;
} blob;

static int get(blob *b, int section, const char *after, int after_nth, const char *label,
               int nth)
{
    b->len = trace_get(section, after, after_nth, label, nth, b->buf, sizeof b->buf);
    CHECK(b->len >= MSG_HEADER_LEN);
    return b->len >= MSG_HEADER_LEN;
}

/* The body after the 4-byte header, whose length field is checked. */
static span body_of(const blob *b)
{
    size_t n = (size_t)b->len - MSG_HEADER_LEN;
    CHECK(((size_t)b->buf[1] << 16 | (size_t)b->buf[2] << 8 | b->buf[3]) == n);
    return span_of(b->buf + MSG_HEADER_LEN, n);
}

static int span_is(span s, const char *hex)
{
    uint8_t want[256];
    long n = hex_decode(hex, want, sizeof want);
    return n >= 0 && s.len == (size_t)n && memcmp(s.p, want, s.len) == 0;
}

/* Encode into a buffer and compare with the trace's bytes. */
#define CHECK_ENCODES(call, b)                                                 \
    do {                                                                       \
        uint8_t out_[1024];                                                    \
        wr w_ = wr_of(out_, sizeof out_);                                      \
        wres r_ = (call);                                                      \
        CHECK_OK(r_);                                                          \
        CHECK(w_.len == (size_t)(b)->len);                                     \
        if (w_.len == (size_t)(b)->len)                                        \
            CHECK_MEM(out_, (b)->buf, w_.len);                                 \
    } while (0)

/* ---- §3: simple 1-RTT handshake ---- */

static const uint16_t suites3[] = {0x1301, 0x1303, 0x1302};
static const uint16_t groups3[] = {0x001d, 0x0017, 0x0018, 0x0019, 0x0100,
                                   0x0101, 0x0102, 0x0103, 0x0104};
static const uint16_t versions[] = {0x0304};
static const uint16_t sig_algs[] = {0x0403, 0x0503, 0x0603, 0x0203, 0x0804,
                                    0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
                                    0x0201, 0x0402, 0x0502, 0x0602, 0x0202};

static void client_hello_3(void)
{
    blob b;
    if (!get(&b, 3, NULL, 0, "ClientHello", 0))
        return;
    msg_client_hello ch;
    CHECK_OK(msg_decode_client_hello(body_of(&b), &ch));
    CHECK(b.buf[0] == HS_CLIENT_HELLO);
    CHECK(ch.legacy_version == 0x0303);
    CHECK(ch.random[0] == 0x66 && ch.random[31] == 0xc4);
    CHECK(ch.session_id_len == 0);
    CHECK(span_is(ch.cipher_suites, "13 01 13 03 13 02"));
    CHECK(span_is(ch.compression_methods, "00"));
    CHECK(ch.has_server_name && span_is(ch.server_name, "73 65 72 76 65 72"));
    CHECK(ch.has_renegotiation_info);
    CHECK(ch.has_supported_groups && ch.supported_groups.len == 18);
    CHECK(msg_u16_list_has(ch.supported_groups, 0x0104));
    CHECK(!msg_u16_list_has(ch.supported_groups, 0x001e));
    CHECK(ch.has_supported_versions && span_is(ch.supported_versions, "03 04"));
    CHECK(ch.has_signature_algorithms && ch.signature_algorithms.len == 30);
    CHECK(msg_u16_list_has(ch.signature_algorithms, 0x0804));
    CHECK(!ch.has_signature_algorithms_cert && !ch.has_alpn && !ch.has_cookie);
    CHECK(ch.has_psk_modes && span_is(ch.psk_modes, "01"));
    CHECK(ch.has_record_size_limit && ch.record_size_limit == 0x4001);
    CHECK(!ch.has_pre_shared_key && !ch.has_early_data && !ch.has_post_handshake_auth);
    CHECK(ch.extensions.len == 0x91);

    uint8_t pub[32];
    CHECK(trace_get(3, NULL, 0, "public key", 0, pub, sizeof pub) == 32);
    span share;
    CHECK(ch.has_key_share && msg_key_share_find(ch.key_shares, 0x001d, &share));
    CHECK(share.len == 32 && memcmp(share.p, pub, 32) == 0);
    CHECK(!msg_key_share_find(ch.key_shares, 0x0017, &share));

    msg_key_share ks = {0x001d, pub, sizeof pub};
    msg_client_hello_params p = {
        .suites = suites3, .n_suites = 3, .server_name = "server",
        .renegotiation_info = 1, .groups = groups3, .n_groups = 9,
        .session_ticket = 1, .shares = &ks, .n_shares = 1,
        .versions = versions, .n_versions = 1,
        .sig_algs = sig_algs, .n_sig_algs = WARD_ARRAY_LEN(sig_algs),
        .psk_dhe_ke = 1, .record_size_limit = 0x4001, .pad_to_512 = 1,
    };
    memcpy(p.random, ch.random, 32);
    CHECK_ENCODES(msg_encode_client_hello(&w_, &p), &b);
}

static void server_hello_3(void)
{
    blob b;
    if (!get(&b, 3, NULL, 0, "ServerHello", 0))
        return;
    msg_server_hello sh;
    CHECK_OK(msg_decode_server_hello(body_of(&b), &sh));
    CHECK(sh.legacy_version == 0x0303 && !sh.is_hrr);
    CHECK(sh.session_id_len == 0 && sh.cipher_suite == 0x1301 && sh.compression == 0);
    CHECK(sh.has_supported_versions && sh.selected_version == 0x0304);
    CHECK(sh.has_key_share && sh.key_share_group == 0x001d && sh.key_share.len == 32);
    CHECK(!sh.has_cookie && !sh.has_pre_shared_key);

    uint8_t pub[32];
    CHECK(trace_get(3, "{server}  create an ephemeral", 0, "public key", 0, pub, 32) == 32);
    CHECK(sh.key_share.len == 32 && memcmp(sh.key_share.p, pub, 32) == 0);

    msg_server_hello_params p = {
        .cipher_suite = 0x1301, .key_share_group = 0x001d,
        .key_share = pub, .key_share_len = 32,
    };
    memcpy(p.random, sh.random, 32);
    CHECK_ENCODES(msg_encode_server_hello(&w_, &p), &b);
}

static void encrypted_extensions_3(void)
{
    blob b;
    if (!get(&b, 3, NULL, 0, "EncryptedExtensions", 0))
        return;
    msg_encrypted_extensions ee;
    CHECK_OK(msg_decode_encrypted_extensions(body_of(&b), &ee));
    CHECK(ee.has_supported_groups && ee.supported_groups.len == 18);
    CHECK(ee.has_record_size_limit && ee.record_size_limit == 0x4001);
    CHECK(ee.has_server_name && !ee.has_alpn && !ee.has_early_data);

    msg_encrypted_extensions_params p = {
        .groups_raw = ee.supported_groups.p, .groups_raw_len = ee.supported_groups.len,
        .record_size_limit = 0x4001, .server_name_ack = 1,
    };
    CHECK_ENCODES(msg_encode_encrypted_extensions(&w_, &p), &b);
}

static void certificate_3(void)
{
    blob b;
    if (!get(&b, 3, NULL, 0, "Certificate", 0))
        return;
    msg_certificate c;
    CHECK_OK(msg_decode_certificate(body_of(&b), &c));
    CHECK(c.request_context.len == 0 && c.n == 1);
    CHECK(c.certs[0].len == 0x1b0);
    CHECK(c.certs[0].len > 2 && c.certs[0].p[0] == 0x30 && c.certs[0].p[1] == 0x82);

    const uint8_t *der[] = {c.certs[0].p};
    size_t len[] = {c.certs[0].len};
    CHECK_ENCODES(msg_encode_certificate(&w_, der, len, 1), &b);
}

static void certificate_verify_3(void)
{
    blob b;
    if (!get(&b, 3, NULL, 0, "CertificateVerify", 0))
        return;
    msg_certificate_verify cv;
    CHECK_OK(msg_decode_certificate_verify(body_of(&b), &cv));
    CHECK(cv.scheme == 0x0804 && cv.signature.len == 128);
    CHECK(cv.signature.len == 128 && cv.signature.p[0] == 0xac);
    CHECK_ENCODES(msg_encode_certificate_verify(&w_, cv.scheme, cv.signature.p,
                                                cv.signature.len),
                  &b);
}

static void finished_3(void)
{
    /* The server's Finished, then the client's; each equals the value
     * computed under "calculate finished". */
    for (int who = 0; who < 2; who++) {
        blob b;
        uint8_t want[32];
        if (!get(&b, 3, NULL, 0, "Finished", who))
            return;
        CHECK(trace_get(3, "calculate finished", who ? 2 : 0, "finished", 0, want, 32) == 32);
        span vd;
        CHECK_OK(msg_decode_finished(body_of(&b), 32, &vd));
        CHECK(vd.len == 32 && memcmp(vd.p, want, 32) == 0);
        CHECK_ENCODES(msg_encode_finished(&w_, vd.p, vd.len), &b);
    }
}

static void new_session_ticket_3(void)
{
    blob b;
    if (!get(&b, 3, NULL, 0, "NewSessionTicket", 0))
        return;
    msg_new_session_ticket t;
    CHECK_OK(msg_decode_new_session_ticket(body_of(&b), &t));
    CHECK(t.lifetime == 30 && t.age_add == 0x933d0932u);
    CHECK(span_is(t.nonce, "00 00"));
    CHECK(t.ticket.len == 0xb2 && t.ticket.p[0] == 0xf3);
    CHECK(t.has_early_data && t.max_early_data == 0x400);
}

/* ---- §5: HelloRetryRequest ---- */

static const uint16_t groups5[] = {0x001d, 0x0017, 0x0018};

static void client_hello_5(int second)
{
    blob b;
    if (!get(&b, 5, NULL, 0, "ClientHello", second))
        return;
    CHECK(b.len == (second ? 512 : 180));
    msg_client_hello ch;
    CHECK_OK(msg_decode_client_hello(body_of(&b), &ch));
    CHECK(ch.has_cookie == second);
    CHECK(ch.has_cookie ? ch.cookie.len == 0x72 : 1);
    span share;
    CHECK(msg_key_share_find(ch.key_shares, second ? 0x0017 : 0x001d, &share));
    CHECK(share.len == (second ? 65u : 32u));

    /* The share comes from the trace's key pairs (§5 has one of each). */
    uint8_t pub[65];
    long n = trace_get(5, second ? "{client}  create an ephemeral P-256"
                                       : "{client}  create an ephemeral x25519", 0, "public key", 0, pub, sizeof pub);
    CHECK(n == (long)share.len && memcmp(pub, share.p, share.len) == 0);
    msg_key_share ks = {second ? 0x0017 : 0x001d, share.p, share.len};
    msg_client_hello_params p = {
        .suites = suites3, .n_suites = 3, .server_name = "server",
        .renegotiation_info = 1, .groups = groups5, .n_groups = 3,
        .shares = &ks, .n_shares = 1, .versions = versions, .n_versions = 1,
        .sig_algs = sig_algs, .n_sig_algs = WARD_ARRAY_LEN(sig_algs),
        .cookie = ch.cookie.p, .cookie_len = ch.cookie.len,
        .psk_dhe_ke = 1, .record_size_limit = 0x4001, .pad_to_512 = 1,
    };
    memcpy(p.random, ch.random, 32);
    CHECK_ENCODES(msg_encode_client_hello(&w_, &p), &b);
}

static void hello_retry_request_5(void)
{
    blob b;
    if (!get(&b, 5, NULL, 0, "ServerHello", 0))
        return;
    msg_server_hello sh;
    CHECK_OK(msg_decode_server_hello(body_of(&b), &sh));
    CHECK(sh.is_hrr && memcmp(sh.random, MSG_HRR_RANDOM, 32) == 0);
    CHECK(sh.cipher_suite == 0x1301);
    CHECK(sh.has_key_share && sh.key_share_group == 0x0017 && sh.key_share.len == 0);
    CHECK(sh.has_cookie && sh.cookie.len == 0x72 && sh.cookie.p[0] == 0xc8);
    CHECK(sh.has_supported_versions && sh.selected_version == 0x0304);

    /* The second ClientHello echoes this cookie. */
    blob ch2;
    msg_client_hello ch;
    if (get(&ch2, 5, NULL, 0, "ClientHello", 1) &&
        wres_is_ok(msg_decode_client_hello(body_of(&ch2), &ch)))
        CHECK(ch.cookie.len == sh.cookie.len &&
              memcmp(ch.cookie.p, sh.cookie.p, sh.cookie.len) == 0);

    msg_server_hello_params p = {
        .cipher_suite = 0x1301, .is_hrr = 1, .key_share_group = 0x0017,
        .cookie = sh.cookie.p, .cookie_len = sh.cookie.len,
    };
    memset(p.random, 0xee, 32); /* ignored for an HRR */
    CHECK_ENCODES(msg_encode_server_hello(&w_, &p), &b);
}

static void server_hello_5(void)
{
    blob b;
    if (!get(&b, 5, NULL, 0, "ServerHello", 1))
        return;
    msg_server_hello sh;
    CHECK_OK(msg_decode_server_hello(body_of(&b), &sh));
    CHECK(!sh.is_hrr && sh.key_share_group == 0x0017 && sh.key_share.len == 65);
    msg_server_hello_params p = {
        .cipher_suite = 0x1301, .key_share_group = 0x0017,
        .key_share = sh.key_share.p, .key_share_len = sh.key_share.len,
    };
    memcpy(p.random, sh.random, 32);
    CHECK_ENCODES(msg_encode_server_hello(&w_, &p), &b);
}

static void encrypted_extensions_5(void)
{
    blob b;
    if (!get(&b, 5, NULL, 0, "EncryptedExtensions", 0))
        return;
    msg_encrypted_extensions ee;
    CHECK_OK(msg_decode_encrypted_extensions(body_of(&b), &ee));
    CHECK(span_is(ee.supported_groups, "00 17 00 18 00 1d"));
    const uint8_t groups[] = {0x00, 0x17, 0x00, 0x18, 0x00, 0x1d};
    msg_encrypted_extensions_params p = {
        .groups_raw = groups, .groups_raw_len = sizeof groups,
        .record_size_limit = 0x4001, .server_name_ack = 1,
    };
    CHECK_ENCODES(msg_encode_encrypted_extensions(&w_, &p), &b);
}

/* ---- encoders with no trace ---- */

static void small_messages(void)
{
    uint8_t out[64];
    wr w = wr_of(out, sizeof out);
    CHECK_OK(msg_encode_key_update(&w, 1));
    const uint8_t ku[] = {0x18, 0x00, 0x00, 0x01, 0x01};
    CHECK(w.len == sizeof ku);
    CHECK_MEM(out, ku, sizeof ku);
    int req = -1;
    CHECK_OK(msg_decode_key_update(span_of(out + 4, 1), &req));
    CHECK(req == 1);

    uint8_t hash[32];
    memset(hash, 0xab, sizeof hash);
    w = wr_of(out, sizeof out);
    CHECK_OK(msg_encode_message_hash(&w, hash, sizeof hash));
    const uint8_t mh[] = {0xfe, 0x00, 0x00, 0x20, 0xab};
    CHECK(w.len == 36);
    CHECK_MEM(out, mh, sizeof mh);

    /* An encoder that runs out of room fails rather than truncating. */
    w = wr_of(out, 10);
    CHECK_CODE(msg_encode_message_hash(&w, hash, sizeof hash).code, WARD_ERR_INTERNAL);
}

/* Padding (RFC 7685): a hello of 256..511 bytes grows to exactly 512 when
 * room allows; shorter and longer ones are left alone. */
static size_t hello_len(size_t name_len, int pad)
{
    char name[600];
    if (name_len >= sizeof name)
        return 0;
    memset(name, 'a', name_len);
    name[name_len] = '\0';
    msg_client_hello_params p = {.suites = suites3, .n_suites = 1, .server_name = name,
                                 .pad_to_512 = pad};
    uint8_t out[1024];
    wr w = wr_of(out, sizeof out);
    if (!wres_is_ok(msg_encode_client_hello(&w, &p)))
        return 0;
    msg_client_hello ch;
    if (!wres_is_ok(msg_decode_client_hello(span_of(out + 4, w.len - 4), &ch)))
        return 0;
    return w.len;
}

static void padding(void)
{
    /* Unpadded, the hello is 56 bytes + the name. */
    CHECK(hello_len(10, 0) == 66);
    CHECK(hello_len(10, 1) == 66);
    CHECK(hello_len(199, 1) == 255);
    CHECK(hello_len(200, 0) == 256);
    CHECK(hello_len(200, 1) == 512);
    CHECK(hello_len(390, 1) == 512);
}

/* 504..511 bytes before padding: the 4-byte extension header needs room. */
static void padding_edges(void)
{
    CHECK(hello_len(448, 1) == 512); /* 504: header + 4 zeros */
    CHECK(hello_len(452, 1) == 512); /* 508: an empty padding extension */
    CHECK(hello_len(453, 1) == 513); /* 509: past 512 is fine */
    CHECK(hello_len(455, 1) == 515);
    CHECK(hello_len(456, 1) == 512); /* 512 already: nothing added */
    CHECK(hello_len(457, 1) == 513);
}

int main(void)
{
    CHECK(trace_load() == 0);
    client_hello_3();
    server_hello_3();
    encrypted_extensions_3();
    certificate_3();
    certificate_verify_3();
    finished_3();
    new_session_ticket_3();
    client_hello_5(0);
    hello_retry_request_5();
    client_hello_5(1);
    server_hello_5();
    encrypted_extensions_5();
    small_messages();
    padding();
    padding_edges();
    return test_report();
}
