/* OCSP stapling codecs (RFC 6066 §8, RFC 8446 §4.4.2.1): status_request in
 * ClientHello and TLS 1.2 ServerHello, CertificateStatus as a message and
 * as the leaf CertificateEntry's extension; round trips and malformed
 * input (each decode on an exact-size heap copy, so ASan sees any read
 * past the end); and the client's check refusing a staple that is not an
 * OCSP response. */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "msg/msg.h"
#include "testutil.h"

static uint8_t scratch[8192];

/* Decode hex as a heap buffer of exactly its size. */
typedef wres (*dec_fn)(span body, void *out);
static wres on_heap(dec_fn fn, const char *hex, void *out)
{
    long n = hex_decode(hex, scratch, sizeof scratch);
    if (n < 0)
        abort();
    uint8_t *p = malloc(n ? (size_t)n : 1);
    memcpy(p, scratch, (size_t)n);
    wres r = fn(span_of(p, (size_t)n), out);
    free(p);
    return r;
}

static wres dec_status(span s, void *out) { return msg_decode_certificate_status(s, out); }

static wres dec_request(span s, void *out)
{
    rd r = rd_span(s);
    GUARD(msg_read_status_request(&r, out));
    return rd_expect_end(&r);
}

static void certificate_status_message(void)
{
    const uint8_t resp[] = {0x30, 0x03, 0x0a, 0x01, 0x00}; /* the shape of an OCSPResponse */
    uint8_t buf[64];
    wr w = wr_of(buf, sizeof buf);
    CHECK_OK(msg_encode_certificate_status(&w, resp, sizeof resp));
    CHECK(w.len == 4 + 1 + 3 + sizeof resp);
    CHECK(buf[0] == HS_CERTIFICATE_STATUS && buf[4] == 1);
    span got;
    CHECK_OK(msg_decode_certificate_status(span_of(buf + 4, w.len - 4), &got));
    CHECK(got.len == sizeof resp && memcmp(got.p, resp, sizeof resp) == 0);

    span s;
    CHECK_OK(on_heap(dec_status, "01 000002 3000", &s));
    CHECK(s.len == 2);
    CHECK_CODE(on_heap(dec_status, "02 000002 3000", &s).code, WARD_ERR_ILLEGAL_PARAMETER);
    CHECK_CODE(on_heap(dec_status, "01 000000", &s).code, WARD_ERR_DECODE);     /* empty */
    CHECK_CODE(on_heap(dec_status, "01 000003 3000", &s).code, WARD_ERR_DECODE); /* short */
    CHECK_CODE(on_heap(dec_status, "01 000002 3000 00", &s).code, WARD_ERR_DECODE); /* trailing */
    CHECK_CODE(on_heap(dec_status, "01 0000", &s).code, WARD_ERR_DECODE);
    CHECK_CODE(on_heap(dec_status, "", &s).code, WARD_ERR_DECODE);

    /* an empty response is never encoded */
    w = wr_of(buf, sizeof buf);
    CHECK_CODE(msg_encode_certificate_status(&w, resp, 0).code, WARD_ERR_INTERNAL);
}

static void status_request(void)
{
    int ocsp = -1;
    CHECK_OK(on_heap(dec_request, "01 0000 0000", &ocsp));
    CHECK(ocsp == 1);
    CHECK_OK(on_heap(dec_request, "01 0004 0002 aabb 0003 010203", &ocsp)); /* ids, exts */
    CHECK(ocsp == 1);
    CHECK_OK(on_heap(dec_request, "02 123456", &ocsp)); /* unknown type: skipped */
    CHECK(ocsp == 0);
    CHECK_CODE(on_heap(dec_request, "01 0002 0000 0000", &ocsp).code, WARD_ERR_DECODE); /* empty id */
    CHECK_CODE(on_heap(dec_request, "01 0003 0001 aa", &ocsp).code, WARD_ERR_DECODE);
    CHECK_CODE(on_heap(dec_request, "01 0000", &ocsp).code, WARD_ERR_DECODE);
    CHECK_CODE(on_heap(dec_request, "01 0000 0000 00", &ocsp).code, WARD_ERR_DECODE);
    CHECK_CODE(on_heap(dec_request, "", &ocsp).code, WARD_ERR_DECODE);

    /* the client's extension, through a whole ClientHello */
    const uint16_t suite = WARD_TLS_AES_128_GCM_SHA256;
    msg_client_hello_params p = {0};
    p.suites = &suite;
    p.n_suites = 1;
    p.status_request = 1;
    uint8_t buf[512];
    wr w = wr_of(buf, sizeof buf);
    CHECK_OK(msg_encode_client_hello(&w, &p));
    msg_client_hello ch;
    CHECK_OK(msg_decode_client_hello(span_of(buf + 4, w.len - 4), &ch));
    CHECK(ch.has_status_request == 1);
    p.status_request = 0;
    w = wr_of(buf, sizeof buf);
    CHECK_OK(msg_encode_client_hello(&w, &p));
    CHECK_OK(msg_decode_client_hello(span_of(buf + 4, w.len - 4), &ch));
    CHECK(ch.has_status_request == 0);
}

static void server_hello12(void)
{
    msg_server_hello12_params p = {0};
    p.cipher_suite = WARD_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    p.renegotiation_info = 1;
    p.status_request = 1;
    uint8_t buf[256];
    wr w = wr_of(buf, sizeof buf);
    CHECK_OK(msg_encode_server_hello12(&w, &p));
    msg_server_hello sh;
    CHECK_OK(msg_decode_server_hello(span_of(buf + 4, w.len - 4), &sh));
    CHECK(sh.has_status_request == 1);
    /* TLS 1.3 ServerHello: status_request does not belong there (§4.2) */
    static const char sh13[] = "0303 1111111111111111111111111111111111111111111111111111111111111111"
                               "00 1301 00 000a 002b 0002 0304 0005 0000";
    uint8_t b13[128];
    long n = hex_decode(sh13, b13, sizeof b13);
    CHECK_CODE(msg_decode_server_hello(span_of(b13, (size_t)n), &sh).code,
               WARD_ERR_ILLEGAL_PARAMETER);
}

static void certificate13(void)
{
    const uint8_t leaf[] = {0x30, 0x01, 0xaa}, inter[] = {0x30, 0x01, 0xbb};
    const uint8_t *der[] = {leaf, inter};
    const size_t len[] = {sizeof leaf, sizeof inter};
    const uint8_t resp[] = {0x30, 0x02, 0x05, 0x00};
    uint8_t buf[256];
    wr w = wr_of(buf, sizeof buf);
    CHECK_OK(msg_encode_certificate_ocsp(&w, der, len, 2, resp, sizeof resp));
    msg_certificate m;
    CHECK_OK(msg_decode_certificate(span_of(buf + 4, w.len - 4), &m));
    CHECK(m.n == 2 && m.has_leaf_ocsp);
    CHECK(m.leaf_ocsp.len == sizeof resp && memcmp(m.leaf_ocsp.p, resp, sizeof resp) == 0);
    /* without a staple: no extension at all, as before */
    wr w2 = wr_of(scratch, sizeof scratch);
    CHECK_OK(msg_encode_certificate(&w2, der, len, 2));
    CHECK_OK(msg_decode_certificate(span_of(scratch + 4, w2.len - 4), &m));
    CHECK(!m.has_leaf_ocsp);
    CHECK(w2.len == w.len - (4 + 1 + 3 + sizeof resp));

    /* context 00, list, leaf entry with a malformed status_request */
    msg_certificate c;
    uint8_t b[64];
    long n = hex_decode("00 00000c 000001 aa 0006 0005 0002 0200", b, sizeof b);
    CHECK_CODE(msg_decode_certificate(span_of(b, (size_t)n), &c).code, WARD_ERR_ILLEGAL_PARAMETER);
    n = hex_decode("00 00000d 000001 aa 0007 0005 0003 01 0000", b, sizeof b);
    CHECK_CODE(msg_decode_certificate(span_of(b, (size_t)n), &c).code, WARD_ERR_DECODE);
    /* a status on a non-leaf entry is skipped, whatever it holds */
    n = hex_decode("00 000011 000001 aa 0000 000001 bb 0005 0005 0001 ff", b, sizeof b);
    CHECK_OK(msg_decode_certificate(span_of(b, (size_t)n), &c));
    CHECK(c.n == 2 && !c.has_leaf_ocsp);
}

static void client_check_garbage(void)
{
    char msg[256];
    const uint8_t junk[] = {0x30, 0x03, 0x0a, 0x01, 0x00};
    crypto_trust t;
    CHECK_OK(crypto_trust_load(&t, NULL));
    span leaf = span_of(junk, sizeof junk);
    CHECK_CODE(
        crypto_ocsp_check(&t, &leaf, 1, junk, 3, 0, WARD_OCSP_DEFAULT_MAX_AGE, msg, sizeof msg)
            .code,
        WARD_ERR_BAD_CERT_STATUS);
    CHECK(strstr(msg, "not a DER OCSPResponse") != NULL);
    /* responseStatus tryLater(3), no body */
    const uint8_t later[] = {0x30, 0x03, 0x0a, 0x01, 0x03};
    CHECK_CODE(crypto_ocsp_check(&t, &leaf, 1, later, sizeof later, 0, WARD_OCSP_DEFAULT_MAX_AGE,
                                 msg, sizeof msg).code,
               WARD_ERR_BAD_CERT_STATUS);
    CHECK(strstr(msg, "trylater") != NULL);
    CHECK(ward_err_alert(WARD_ERR_BAD_CERT_STATUS) == 113);
    CHECK(ward_err_alert(WARD_ERR_CERT_REVOKED) == 44);
    crypto_trust_free(&t);
}

int main(void)
{
    certificate_status_message();
    status_request();
    server_hello12();
    certificate13();
    client_check_garbage();
    return test_report();
}
