/* Lists inside extensions: u16 lists (suites, groups, signature schemes,
 * versions), KeyShareEntry lists and ALPN ProtocolNameLists. */
#include <string.h>

#include "msg/msg.h"

wres msg_read_u16_list(rd *r, uint8_t width, span *list)
{
    rd body;
    if (width == 1)
        GUARD(rd_block8(r, &body));
    else
        GUARD(rd_block16(r, &body));
    /* Every u16 list in the RFC has a minimum length of 2 (one entry). */
    ENSURE(rd_left(&body) >= 2 && rd_left(&body) % 2 == 0, WARD_ERR_DECODE);
    *list = rd_rest(&body);
    return wres_ok();
}

wres msg_write_u16_list(wr *w, uint8_t width, const uint16_t *v, size_t n)
{
    wr_block b = wr_open(w, width);
    for (size_t i = 0; i < n; i++)
        wr_u16(w, v[i]);
    return wr_close(w, b);
}

int msg_u16_list_has(span list, uint16_t v)
{
    rd r = rd_span(list);
    uint16_t x;
    while (wres_is_ok(rd_u16(&r, &x)))
        if (x == v)
            return 1;
    return 0;
}

int msg_key_share_find(span entries, uint16_t group, span *pub)
{
    rd r = rd_span(entries);
    while (rd_left(&r) > 0) {
        uint16_t g;
        rd key;
        if (!wres_is_ok(rd_u16(&r, &g)) || !wres_is_ok(rd_block16(&r, &key)))
            return 0;
        if (g == group) {
            *pub = rd_rest(&key);
            return 1;
        }
    }
    return 0;
}

wres msg_read_alpn_list(rd *r, span *list, size_t *count)
{
    rd body;
    GUARD(rd_block16(r, &body));
    rd walk = body;
    size_t n = 0;
    while (rd_left(&walk) > 0) {
        rd name;
        GUARD(rd_block8(&walk, &name));
        /* RFC 7301 §3.1: ProtocolName<1..2^8-1>, list<2..2^16-1>. */
        ENSURE(rd_left(&name) >= 1, WARD_ERR_DECODE);
        n++;
    }
    ENSURE(n > 0, WARD_ERR_DECODE);
    *list = rd_rest(&body);
    *count = n;
    return wres_ok();
}

int msg_alpn_list_has(span list, const uint8_t *name, size_t len)
{
    rd r = rd_span(list);
    while (rd_left(&r) > 0) {
        rd entry;
        if (!wres_is_ok(rd_block8(&r, &entry)))
            return 0;
        span s = rd_rest(&entry);
        if (s.len == len && (len == 0 || memcmp(s.p, name, len) == 0))
            return 1;
    }
    return 0;
}
