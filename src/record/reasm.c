/* Reassembly of handshake messages from handshake record payloads
 * (RFC 8446 §5.1: messages may be split across records and several may
 * share one record). Each message is msg_type(1) length(3) body. */
#include <string.h>

#include "base/mem.h"
#include "record/record.h"

#define HS_HEADER_LEN 4
#define REASM_MIN_CAP 256

void hs_reasm_init(hs_reasm *r, size_t max_message)
{
    memset(r, 0, sizeof *r);
    r->max_message = max_message;
}

void hs_reasm_allow(hs_reasm *r, uint8_t type, size_t max)
{
    r->has_big = max != 0;
    r->big_type = type;
    r->big_max = max;
}

static size_t limit_for(const hs_reasm *r, uint8_t type)
{
    if (r->has_big && type == r->big_type && r->big_max > r->max_message)
        return r->big_max;
    return r->max_message;
}

void hs_reasm_free(hs_reasm *r)
{
    ward_free_secret(r->buf, r->cap);
    r->buf = NULL;
    r->len = r->cap = r->taken = 0;
}

/* Make room for need bytes. Not realloc: that could leave a stale copy of
 * handshake data (tickets, PSK identities) in freed memory; the old block
 * is wiped instead. */
static WARD_MUST_CHECK wres reserve(hs_reasm *r, size_t need)
{
    if (need <= r->cap)
        return wres_ok();
    size_t cap = r->cap ? r->cap : REASM_MIN_CAP;
    while (cap < need) {
        ENSURE(cap <= SIZE_MAX / 2, WARD_ERR_NOMEM);
        cap *= 2;
    }
    uint8_t *fresh = ward_alloc(cap);
    ENSURE(fresh, WARD_ERR_NOMEM);
    if (r->len)
        memcpy(fresh, r->buf, r->len);
    ward_free_secret(r->buf, r->cap);
    r->buf = fresh;
    r->cap = cap;
    return wres_ok();
}

/* Walk every message header now buffered and refuse an oversize one as
 * soon as its length is known, before waiting for (or buffering) its body. */
static WARD_MUST_CHECK wres check_lengths(const hs_reasm *r)
{
    rd in = rd_of(r->buf, r->len);
    while (rd_left(&in) >= HS_HEADER_LEN) {
        uint8_t type;
        uint32_t body_len;
        span skip;
        GUARD(rd_u8(&in, &type));
        GUARD(rd_u24(&in, &body_len));
        ENSURE(body_len <= limit_for(r, type), WARD_ERR_DECODE);
        if (rd_left(&in) < body_len)
            break;
        GUARD(rd_bytes(&in, body_len, &skip));
    }
    return wres_ok();
}

wres hs_reasm_add(hs_reasm *r, const uint8_t *p, size_t n)
{
    if (n == 0)
        return wres_ok();
    ENSURE(n <= SIZE_MAX - r->len, WARD_ERR_NOMEM);
    GUARD(reserve(r, r->len + n));
    memcpy(r->buf + r->len, p, n);
    r->len += n;
    return check_lengths(r);
}

wres hs_reasm_next(hs_reasm *r, int *have, uint8_t *type, span *body, span *full)
{
    rd in = rd_of(r->buf, r->len);
    uint32_t body_len;
    uint8_t t;

    *have = 0;
    r->taken = 0;
    if (r->len < HS_HEADER_LEN)
        return wres_ok();
    GUARD(rd_u8(&in, &t));
    GUARD(rd_u24(&in, &body_len));
    ENSURE(body_len <= limit_for(r, t), WARD_ERR_DECODE);
    if (rd_left(&in) < body_len)
        return wres_ok();

    GUARD(rd_bytes(&in, body_len, body));
    *have = 1;
    *type = t;
    *full = span_of(r->buf, HS_HEADER_LEN + (size_t)body_len);
    r->taken = full->len;
    return wres_ok();
}

void hs_reasm_consume(hs_reasm *r)
{
    if (r->taken == 0 || r->taken > r->len)
        return;
    size_t rest = r->len - r->taken;
    memmove(r->buf, r->buf + r->taken, rest);
    ward_zeroize(r->buf + rest, r->taken);
    r->len = rest;
    r->taken = 0;
}

int hs_reasm_empty(const hs_reasm *r)
{
    return r->len == 0;
}
