/* The extension-block walker shared by every message (RFC 8446 §4.2). */
#include "msg/msg.h"

/* The types seen so far in one block. §4.2: "There MUST NOT be more than
 * one extension of the same type in a given extension block." A fixed list
 * with a linear scan keeps the work bounded (MSG_EXT_MAX^2 comparisons)
 * whatever the peer sends. */
typedef struct {
    uint16_t type[MSG_EXT_MAX];
    size_t n;
} seen_set;

static wres seen_add(seen_set *s, uint16_t type)
{
    for (size_t i = 0; i < s->n; i++)
        ENSURE(s->type[i] != type, WARD_ERR_ILLEGAL_PARAMETER);
    ENSURE(s->n < MSG_EXT_MAX, WARD_ERR_DECODE);
    s->type[s->n++] = type;
    return wres_ok();
}

wres msg_ext_walk(span entries, msg_ext_fn fn, void *ctx)
{
    rd r = rd_span(entries);
    seen_set seen = {.n = 0};
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
