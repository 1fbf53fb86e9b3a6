/* OCSP stapling messages (RFC 6066 §8): the client's status_request and
 * the server's CertificateStatus, which TLS 1.2 sends as a handshake
 * message (type 22) and TLS 1.3 as the leaf CertificateEntry's
 * status_request extension (RFC 8446 §4.4.2.1). */
#include "msg/msg.h"

#define STATUS_TYPE_OCSP 1

/* struct { CertificateStatusType status_type; select (status_type) {
 *   case ocsp: OCSPStatusRequest; } } CertificateStatusRequest;
 * OCSPStatusRequest: ResponderID responder_id_list<0..2^16-1>;
 *                    Extensions request_extensions<0..2^16-1>. */
wres msg_read_status_request(rd *d, int *is_ocsp)
{
    uint8_t type;
    *is_ocsp = 0;
    GUARD(rd_u8(d, &type));
    if (type != STATUS_TYPE_OCSP) {
        (void)rd_rest(d); /* a type we do not know: its body is opaque to us */
        return wres_ok();
    }
    rd ids, exts;
    GUARD(rd_block16(d, &ids));
    while (rd_left(&ids) > 0) { /* ResponderID: opaque<1..2^16-1> */
        rd id;
        GUARD(rd_block16(&ids, &id));
        ENSURE(rd_left(&id) > 0, WARD_ERR_DECODE);
    }
    GUARD(rd_block16(d, &exts));
    *is_ocsp = 1;
    return wres_ok();
}

wres msg_write_status_request_ext(wr *w)
{
    wr_block e = msg_ext_open(w, EXT_STATUS_REQUEST);
    wr_u8(w, STATUS_TYPE_OCSP);
    wr_u16(w, 0); /* responder_id_list: the server knows its responder */
    wr_u16(w, 0); /* request_extensions */
    return wr_close(w, e);
}

wres msg_read_cert_status(rd *d, span *ocsp)
{
    uint8_t type;
    rd resp;
    GUARD(rd_u8(d, &type));
    ENSURE(type == STATUS_TYPE_OCSP, WARD_ERR_ILLEGAL_PARAMETER);
    GUARD(rd_block24(d, &resp));
    ENSURE(rd_left(&resp) > 0, WARD_ERR_DECODE);
    *ocsp = rd_rest(&resp);
    return wres_ok();
}

wres msg_decode_certificate_status(span body, span *ocsp)
{
    rd r = rd_span(body);
    GUARD(msg_read_cert_status(&r, ocsp));
    return rd_expect_end(&r);
}

wres msg_write_cert_status(wr *w, const uint8_t *ocsp, size_t len)
{
    ENSURE(ocsp && len > 0, WARD_ERR_INTERNAL);
    wr_u8(w, STATUS_TYPE_OCSP);
    wr_block resp = wr_open(w, 3);
    wr_bytes(w, ocsp, len);
    return wr_close(w, resp);
}

wres msg_encode_certificate_status(wr *w, const uint8_t *ocsp, size_t len)
{
    wr_block msg = msg_hs_open(w, HS_CERTIFICATE_STATUS);
    GUARD(msg_write_cert_status(w, ocsp, len));
    return wr_close(w, msg);
}
