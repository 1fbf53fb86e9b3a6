/* Certificate (RFC 8446 §4.4.2) and CertificateVerify (§4.4.3). */
#include <string.h>

#include "msg/msg.h"

/* Per-entry extensions (status_request, SCT, ...) are not used: the walker
 * still checks their framing and duplicates. */
static WARD_MUST_CHECK wres skip_extension(void *ctx, uint16_t type, rd *d, int is_last)
{
    (void)rd_rest(d);
    return wres_ok();
}

/* The leaf entry's status_request carries a CertificateStatus (RFC 8446
 * §4.4.2.1); other entries' extensions are skipped. */
static WARD_MUST_CHECK wres leaf_extension(void *ctx, uint16_t type, rd *d, int is_last)
{
    msg_certificate *c = ctx;
    if (type != EXT_STATUS_REQUEST)
        return skip_extension(ctx, type, d, is_last);
    c->has_leaf_ocsp = 1;
    return msg_read_cert_status(d, &c->leaf_ocsp);
}

/* CertificateEntry: cert_data<1..2^24-1> extensions<0..2^16-1>. */
static WARD_MUST_CHECK wres read_entry(rd *list, msg_certificate *c)
{
    rd cert, exts;
    GUARD(rd_block24(list, &cert));
    ENSURE(rd_left(&cert) > 0, WARD_ERR_DECODE);
    GUARD(rd_block16(list, &exts));
    GUARD(msg_ext_walk(rd_rest(&exts), c->n == 0 ? leaf_extension : skip_extension, c));
    ENSURE(c->n < MSG_MAX_CERTS, WARD_ERR_BAD_CERTIFICATE);
    c->certs[c->n++] = rd_rest(&cert);
    return wres_ok();
}

wres msg_decode_certificate(span body, msg_certificate *out)
{
    msg_certificate c;
    memset(&c, 0, sizeof c);
    rd r = rd_span(body), ctx, list;
    GUARD(rd_block8(&r, &ctx));
    c.request_context = rd_rest(&ctx);
    GUARD(rd_block24(&r, &list));
    GUARD(rd_expect_end(&r));
    while (rd_left(&list) > 0)
        GUARD(read_entry(&list, &c));
    *out = c;
    return wres_ok();
}

wres msg_encode_certificate(wr *w, const uint8_t *const *der, const size_t *len, size_t n)
{
    return msg_encode_certificate_ocsp(w, der, len, n, NULL, 0);
}

wres msg_encode_certificate_ocsp(wr *w, const uint8_t *const *der, const size_t *len, size_t n,
                                 const uint8_t *ocsp, size_t ocsp_len)
{
    for (size_t i = 0; i < n; i++)
        ENSURE(len[i] > 0, WARD_ERR_INTERNAL);
    wr_block msg = msg_hs_open(w, HS_CERTIFICATE);
    wr_u8(w, 0); /* certificate_request_context: empty (server auth) */
    wr_block list = wr_open(w, 3);
    for (size_t i = 0; i < n; i++) {
        wr_block cert = wr_open(w, 3);
        wr_bytes(w, der[i], len[i]);
        GUARD(wr_close(w, cert));
        wr_block exts = wr_open(w, 2);
        if (i == 0 && ocsp_len) { /* RFC 8446 §4.4.2.1: the leaf's status */
            wr_block e = msg_ext_open(w, EXT_STATUS_REQUEST);
            GUARD(msg_write_cert_status(w, ocsp, ocsp_len));
            GUARD(wr_close(w, e));
        }
        GUARD(wr_close(w, exts));
    }
    GUARD(wr_close(w, list));
    return wr_close(w, msg);
}

/* ---- TLS 1.2 (RFC 5246 §7.4.2) ---- */

/* certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>: no context, no
 * per-entry extensions. */
wres msg_decode_certificate12(span body, msg_certificate *out)
{
    msg_certificate c;
    memset(&c, 0, sizeof c);
    rd r = rd_span(body), list;
    GUARD(rd_block24(&r, &list));
    GUARD(rd_expect_end(&r));
    while (rd_left(&list) > 0) {
        rd cert;
        GUARD(rd_block24(&list, &cert));
        ENSURE(rd_left(&cert) > 0, WARD_ERR_DECODE);
        ENSURE(c.n < MSG_MAX_CERTS, WARD_ERR_BAD_CERTIFICATE);
        c.certs[c.n++] = rd_rest(&cert);
    }
    *out = c;
    return wres_ok();
}

wres msg_encode_certificate12(wr *w, const uint8_t *const *der, const size_t *len, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ENSURE(len[i] > 0, WARD_ERR_INTERNAL);
    wr_block msg = msg_hs_open(w, HS_CERTIFICATE);
    wr_block list = wr_open(w, 3);
    for (size_t i = 0; i < n; i++) {
        wr_block cert = wr_open(w, 3);
        wr_bytes(w, der[i], len[i]);
        GUARD(wr_close(w, cert));
    }
    GUARD(wr_close(w, list));
    return wr_close(w, msg);
}

/* CertificateVerify: algorithm(2) signature<0..2^16-1>; an empty signature
 * can never verify, so it is refused here. */
wres msg_decode_certificate_verify(span body, msg_certificate_verify *out)
{
    msg_certificate_verify cv;
    rd r = rd_span(body), sig;
    GUARD(rd_u16(&r, &cv.scheme));
    GUARD(rd_block16(&r, &sig));
    GUARD(rd_expect_end(&r));
    ENSURE(rd_left(&sig) > 0, WARD_ERR_DECODE);
    cv.signature = rd_rest(&sig);
    *out = cv;
    return wres_ok();
}

wres msg_encode_certificate_verify(wr *w, uint16_t scheme, const uint8_t *sig, size_t siglen)
{
    ENSURE(siglen > 0, WARD_ERR_INTERNAL);
    wr_block msg = msg_hs_open(w, HS_CERTIFICATE_VERIFY);
    wr_u16(w, scheme);
    wr_block s = wr_open(w, 2);
    wr_bytes(w, sig, siglen);
    GUARD(wr_close(w, s));
    return wr_close(w, msg);
}
