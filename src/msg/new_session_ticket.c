/* NewSessionTicket (RFC 8446 §4.6.1), decoded to validate it. */
#include <string.h>

#include "msg/msg.h"

static WARD_MUST_CHECK wres on_extension(void *ctx, uint16_t type, rd *d, int is_last)
{
    msg_new_session_ticket *t = ctx;
    if (type == EXT_EARLY_DATA) {
        /* §4.2.10: in a ticket, early_data carries max_early_data_size. */
        t->has_early_data = 1;
        return rd_u32(d, &t->max_early_data);
    }
    (void)rd_rest(d); /* §4.6.1: unknown ticket extensions are ignored */
    return wres_ok();
}

wres msg_decode_new_session_ticket(span body, msg_new_session_ticket *out)
{
    msg_new_session_ticket t;
    memset(&t, 0, sizeof t);
    rd r = rd_span(body), nonce, ticket, exts;
    GUARD(rd_u32(&r, &t.lifetime));
    GUARD(rd_u32(&r, &t.age_add));
    GUARD(rd_block8(&r, &nonce));
    t.nonce = rd_rest(&nonce);
    GUARD(rd_block16(&r, &ticket));
    ENSURE(rd_left(&ticket) > 0, WARD_ERR_DECODE); /* ticket<1..2^16-1> */
    t.ticket = rd_rest(&ticket);
    GUARD(rd_block16(&r, &exts));
    GUARD(rd_expect_end(&r));
    GUARD(msg_ext_walk(rd_rest(&exts), on_extension, &t));
    *out = t;
    return wres_ok();
}
