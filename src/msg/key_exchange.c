/* TLS 1.2 key exchange messages: ServerKeyExchange for ECDHE (RFC 8422
 * §5.4) and ClientKeyExchange for ECDHE and RSA (RFC 5246 §7.4.7,
 * RFC 8422 §5.7). */
#include <string.h>

#include "msg/msg.h"

/* ECCurveType (RFC 8422 §5.4): explicit_prime(1) and explicit_char2(2) are
 * deprecated; only named_curve is used. */
#define CURVE_TYPE_NAMED 3

/* ---- ServerKeyExchange ---- */

/* ServerECDHParams: ECParameters { curve_type(1) namedcurve(2) }
 * ECPoint public<1..2^8-1>. */
static WARD_MUST_CHECK wres read_ecdh_params(rd *r, msg_server_key_exchange *ske)
{
    uint8_t curve_type;
    rd point;
    GUARD(rd_u8(r, &curve_type));
    ENSURE(curve_type == CURVE_TYPE_NAMED, WARD_ERR_ILLEGAL_PARAMETER);
    GUARD(rd_u16(r, &ske->group));
    GUARD(rd_block8(r, &point));
    ENSURE(rd_left(&point) > 0, WARD_ERR_DECODE);
    ske->public_key = rd_rest(&point);
    return wres_ok();
}

/* ServerKeyExchange { ServerECDHParams params; Signature signed_params }
 * where, in TLS 1.2, signed_params is SignatureAndHashAlgorithm(2)
 * signature<0..2^16-1> (RFC 5246 §4.7); an empty signature never verifies
 * and is refused here. */
wres msg_decode_server_key_exchange(span body, msg_server_key_exchange *out)
{
    msg_server_key_exchange ske;
    memset(&ske, 0, sizeof ske);
    rd r = rd_span(body), sig;
    GUARD(read_ecdh_params(&r, &ske));
    /* The signed bytes are the ones just read: borrow them again through a
     * fresh reader over the body. */
    rd whole = rd_span(body);
    GUARD(rd_bytes(&whole, body.len - rd_left(&r), &ske.params));
    GUARD(rd_u16(&r, &ske.scheme));
    GUARD(rd_block16(&r, &sig));
    GUARD(rd_expect_end(&r));
    ENSURE(rd_left(&sig) > 0, WARD_ERR_DECODE);
    ske.signature = rd_rest(&sig);
    *out = ske;
    return wres_ok();
}

wres msg_encode_ecdh_params(wr *w, uint16_t group, const uint8_t *pub, size_t publen)
{
    ENSURE(publen >= 1 && publen <= 255, WARD_ERR_INTERNAL);
    wr_u8(w, CURVE_TYPE_NAMED);
    wr_u16(w, group);
    wr_block point = wr_open(w, 1);
    wr_bytes(w, pub, publen);
    return wr_close(w, point);
}

wres msg_encode_server_key_exchange(wr *w, const uint8_t *params, size_t params_len,
                                    uint16_t scheme, const uint8_t *sig, size_t siglen)
{
    ENSURE(params_len > 0, WARD_ERR_INTERNAL);
    ENSURE(siglen > 0, WARD_ERR_INTERNAL);
    wr_block msg = msg_hs_open(w, HS_SERVER_KEY_EXCHANGE);
    wr_bytes(w, params, params_len);
    wr_u16(w, scheme);
    wr_block s = wr_open(w, 2);
    wr_bytes(w, sig, siglen);
    GUARD(wr_close(w, s));
    return wr_close(w, msg);
}

/* ---- ClientKeyExchange ---- */

wres msg_decode_client_key_exchange_ecdhe(span body, span *point)
{
    rd r = rd_span(body), yc;
    GUARD(rd_block8(&r, &yc));
    GUARD(rd_expect_end(&r));
    ENSURE(rd_left(&yc) > 0, WARD_ERR_DECODE);
    *point = rd_rest(&yc);
    return wres_ok();
}

wres msg_decode_client_key_exchange_rsa(span body, span *encrypted_pms)
{
    rd r = rd_span(body), enc;
    GUARD(rd_block16(&r, &enc));
    GUARD(rd_expect_end(&r));
    *encrypted_pms = rd_rest(&enc);
    return wres_ok();
}

static WARD_MUST_CHECK wres write_cke(wr *w, uint8_t width, const uint8_t *p, size_t len)
{
    wr_block msg = msg_hs_open(w, HS_CLIENT_KEY_EXCHANGE);
    wr_block b = wr_open(w, width);
    wr_bytes(w, p, len);
    GUARD(wr_close(w, b));
    return wr_close(w, msg);
}

wres msg_encode_client_key_exchange_ecdhe(wr *w, const uint8_t *point, size_t len)
{
    ENSURE(len >= 1 && len <= 255, WARD_ERR_INTERNAL);
    return write_cke(w, 1, point, len);
}

wres msg_encode_client_key_exchange_rsa(wr *w, const uint8_t *enc, size_t len)
{
    ENSURE(len >= 1 && len <= 65535, WARD_ERR_INTERNAL);
    return write_cke(w, 2, enc, len);
}
