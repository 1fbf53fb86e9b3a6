/* KeyUpdate (RFC 8446 §4.6.3). */
#include "msg/msg.h"

/* KeyUpdateRequest: update_not_requested(0), update_requested(1). Other
 * values are illegal_parameter (§4.6.3). */
wres msg_decode_key_update(span body, int *request_update)
{
    rd r = rd_span(body);
    uint8_t v;
    GUARD(rd_u8(&r, &v));
    GUARD(rd_expect_end(&r));
    ENSURE(v <= 1, WARD_ERR_ILLEGAL_PARAMETER);
    *request_update = v;
    return wres_ok();
}

wres msg_encode_key_update(wr *w, int request_update)
{
    ENSURE(request_update == 0 || request_update == 1, WARD_ERR_INTERNAL);
    wr_block msg = msg_hs_open(w, HS_KEY_UPDATE);
    wr_u8(w, (uint8_t)request_update);
    return wr_close(w, msg);
}
