/* The extension-block walker shared by every message (RFC 8446 §4.2). */
#include "msg/msg.h"

#include <string.h>

/* The types seen so far in one block, one bit per possible type (8 KiB).
 * §4.2: "There MUST NOT be more than one extension of the same type in a
 * given extension block"; §9.3: a server MUST ignore extensions it does not
 * recognize, however many there are. A block of up to 2^16-1 bytes holds
 * at most 16383 (empty) extensions; a bit each keeps the duplicate check
 * one operation per extension whatever the peer sends. */
typedef struct {
    uint8_t bit[65536 / 8];
} seen_set;

static WARD_MUST_CHECK wres seen_add(seen_set *s, uint16_t type)
{
    uint8_t mask = (uint8_t)(1u << (type & 7));
    ENSURE(!(s->bit[type >> 3] & mask), WARD_ERR_ILLEGAL_PARAMETER);
    s->bit[type >> 3] |= mask;
    return wres_ok();
}

wres msg_ext_walk(span entries, msg_ext_fn fn, void *ctx)
{
    rd r = rd_span(entries);
    seen_set seen;
    memset(&seen, 0, sizeof seen);
    while (rd_left(&r) > 0) {
        uint16_t type;
        rd data;
        GUARD(rd_u16(&r, &type));
        GUARD(rd_block16(&r, &data));
        GUARD(seen_add(&seen, type));
        GUARD(fn(ctx, type, &data, rd_left(&r) == 0));
        GUARD(rd_expect_end(&data));
    }
    return wres_ok();
}

int msg_ext_recognized(uint16_t type)
{
    static const uint16_t known[] = {
        EXT_SERVER_NAME, EXT_STATUS_REQUEST, EXT_SUPPORTED_GROUPS, EXT_EC_POINT_FORMATS,
        EXT_SIGNATURE_ALGORITHMS, EXT_ALPN, EXT_PADDING, EXT_EXTENDED_MASTER_SECRET,
        EXT_RECORD_SIZE_LIMIT, EXT_SESSION_TICKET, EXT_PRE_SHARED_KEY, EXT_EARLY_DATA,
        EXT_SUPPORTED_VERSIONS, EXT_COOKIE, EXT_PSK_KEY_EXCHANGE_MODES,
        EXT_CERTIFICATE_AUTHORITIES, EXT_POST_HANDSHAKE_AUTH, EXT_SIGNATURE_ALGORITHMS_CERT,
        EXT_KEY_SHARE, EXT_RENEGOTIATION_INFO,
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(known); i++)
        if (known[i] == type)
            return 1;
    return 0;
}
