/* Resumption messages: the ClientHello's pre_shared_key offer (RFC 8446
 * §4.2.11), NewSessionTicket in both versions (RFC 8446 §4.6.1, RFC 5077
 * §3.3) and EndOfEarlyData (§4.5). */
#include <string.h>

#include "msg/msg.h"

/* OfferedPsks: identities<7..2^16-1> of (identity<1..2^16-1>, u32 age),
 * binders<33..2^16-1> of PskBinderEntry<32..255>. */
wres msg_decode_psk_offer(span ext, msg_psk_offer *out)
{
    msg_psk_offer o;
    memset(&o, 0, sizeof o);
    rd r = rd_span(ext), ids, binders;
    GUARD(rd_block16(&r, &ids));
    ENSURE(rd_left(&ids) > 0, WARD_ERR_DECODE);
    while (rd_left(&ids)) {
        rd id;
        uint32_t age;
        GUARD(rd_block16(&ids, &id));
        ENSURE(rd_left(&id) > 0, WARD_ERR_DECODE);
        GUARD(rd_u32(&ids, &age));
        ENSURE(o.n < MSG_MAX_PSK_IDENTITIES, WARD_ERR_ILLEGAL_PARAMETER);
        o.identity[o.n] = rd_rest(&id);
        o.obfuscated_age[o.n] = age;
        o.n++;
    }
    size_t before = rd_left(&r);
    GUARD(rd_block16(&r, &binders));
    GUARD(rd_expect_end(&r));
    o.binders_len = before;
    size_t nb = 0;
    while (rd_left(&binders)) {
        rd b;
        GUARD(rd_block8(&binders, &b));
        ENSURE(rd_left(&b) >= 32, WARD_ERR_DECODE);
        ENSURE(nb < o.n, WARD_ERR_ILLEGAL_PARAMETER); /* more binders than identities */
        o.binder[nb++] = rd_rest(&b);
    }
    ENSURE(nb == o.n, WARD_ERR_ILLEGAL_PARAMETER);
    *out = o;
    return wres_ok();
}

wres msg_encode_new_session_ticket(wr *w, uint32_t lifetime, uint32_t age_add,
                                   const uint8_t *nonce, size_t nonce_len, const uint8_t *ticket,
                                   size_t ticket_len, uint32_t max_early_data)
{
    ENSURE(nonce_len <= 255 && ticket_len >= 1 && ticket_len <= 0xffff, WARD_ERR_INTERNAL);
    wr_block msg = msg_hs_open(w, HS_NEW_SESSION_TICKET);
    wr_u32(w, lifetime);
    wr_u32(w, age_add);
    wr_block n = wr_open(w, 1);
    wr_bytes(w, nonce, nonce_len);
    GUARD(wr_close(w, n));
    wr_block t = wr_open(w, 2);
    wr_bytes(w, ticket, ticket_len);
    GUARD(wr_close(w, t));
    wr_block exts = wr_open(w, 2);
    if (max_early_data) {
        wr_block e = msg_ext_open(w, EXT_EARLY_DATA);
        wr_u32(w, max_early_data);
        GUARD(wr_close(w, e));
    }
    GUARD(wr_close(w, exts));
    return wr_close(w, msg);
}

wres msg_decode_new_session_ticket12(span body, uint32_t *lifetime_hint, span *ticket)
{
    rd r = rd_span(body), t;
    GUARD(rd_u32(&r, lifetime_hint));
    GUARD(rd_block16(&r, &t));
    GUARD(rd_expect_end(&r));
    *ticket = rd_rest(&t);
    return wres_ok();
}

wres msg_encode_new_session_ticket12(wr *w, uint32_t lifetime_hint, const uint8_t *ticket,
                                     size_t len)
{
    ENSURE(len <= 0xffff, WARD_ERR_INTERNAL);
    wr_block msg = msg_hs_open(w, HS_NEW_SESSION_TICKET);
    wr_u32(w, lifetime_hint);
    wr_block t = wr_open(w, 2);
    wr_bytes(w, ticket, len);
    GUARD(wr_close(w, t));
    return wr_close(w, msg);
}

wres msg_encode_end_of_early_data(wr *w)
{
    wr_block msg = msg_hs_open(w, HS_END_OF_EARLY_DATA);
    return wr_close(w, msg);
}
