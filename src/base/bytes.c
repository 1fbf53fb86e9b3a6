#include "base/bytes.h"

#include <string.h>

wres rd_u8(rd *r, uint8_t *out)
{
    ENSURE(r->left >= 1, WARD_ERR_DECODE);
    *out = r->p[0];
    r->p += 1;
    r->left -= 1;
    return wres_ok();
}

wres rd_u16(rd *r, uint16_t *out)
{
    ENSURE(r->left >= 2, WARD_ERR_DECODE);
    *out = (uint16_t)((r->p[0] << 8) | r->p[1]);
    r->p += 2;
    r->left -= 2;
    return wres_ok();
}

wres rd_u24(rd *r, uint32_t *out)
{
    ENSURE(r->left >= 3, WARD_ERR_DECODE);
    *out = ((uint32_t)r->p[0] << 16) | ((uint32_t)r->p[1] << 8) | r->p[2];
    r->p += 3;
    r->left -= 3;
    return wres_ok();
}

wres rd_u32(rd *r, uint32_t *out)
{
    ENSURE(r->left >= 4, WARD_ERR_DECODE);
    *out = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) |
           ((uint32_t)r->p[2] << 8) | r->p[3];
    r->p += 4;
    r->left -= 4;
    return wres_ok();
}

wres rd_bytes(rd *r, size_t n, span *out)
{
    ENSURE(r->left >= n, WARD_ERR_DECODE);
    out->p = r->p;
    out->len = n;
    r->p += n;
    r->left -= n;
    return wres_ok();
}

wres rd_copy(rd *r, uint8_t *out, size_t n)
{
    span s;
    GUARD(rd_bytes(r, n, &s));
    if (n)
        memcpy(out, s.p, n);
    return wres_ok();
}

static WARD_MUST_CHECK wres rd_block(rd *r, size_t len, rd *sub)
{
    span s;
    GUARD(rd_bytes(r, len, &s));
    *sub = rd_span(s);
    return wres_ok();
}

wres rd_block8(rd *r, rd *sub)
{
    uint8_t n;
    GUARD(rd_u8(r, &n));
    return rd_block(r, n, sub);
}

wres rd_block16(rd *r, rd *sub)
{
    uint16_t n;
    GUARD(rd_u16(r, &n));
    return rd_block(r, n, sub);
}

wres rd_block24(rd *r, rd *sub)
{
    uint32_t n;
    GUARD(rd_u24(r, &n));
    return rd_block(r, n, sub);
}

span rd_rest(rd *r)
{
    span s = {r->p, r->left};
    r->p += r->left;
    r->left = 0;
    return s;
}

wres rd_expect_end(const rd *r)
{
    ENSURE(r->left == 0, WARD_ERR_DECODE);
    return wres_ok();
}

uint8_t *wr_reserve(wr *w, size_t n)
{
    if (!w->overflow && w->cap - w->len < n && w->grow)
        w->grow(w, n);
    if (w->overflow || w->cap - w->len < n) {
        w->overflow = 1;
        return NULL;
    }
    uint8_t *p = w->buf + w->len;
    w->len += n;
    return p;
}

static void wr_be(wr *w, uint64_t v, unsigned width)
{
    uint8_t *p = wr_reserve(w, width);
    if (!p)
        return;
    for (unsigned i = 0; i < width; i++)
        p[i] = (uint8_t)(v >> (8 * (width - 1 - i)));
}

void wr_u8(wr *w, uint8_t v) { wr_be(w, v, 1); }
void wr_u16(wr *w, uint16_t v) { wr_be(w, v, 2); }
void wr_u24(wr *w, uint32_t v) { wr_be(w, v, 3); }
void wr_u32(wr *w, uint32_t v) { wr_be(w, v, 4); }
void wr_u64(wr *w, uint64_t v) { wr_be(w, v, 8); }

void wr_bytes(wr *w, const void *p, size_t n)
{
    uint8_t *d = wr_reserve(w, n);
    if (d && n)
        memcpy(d, p, n);
}

void wr_zeros(wr *w, size_t n)
{
    uint8_t *d = wr_reserve(w, n);
    if (d && n)
        memset(d, 0, n);
}

wr_block wr_open(wr *w, uint8_t width)
{
    wr_block b = {w->len, width};
    wr_zeros(w, width);
    return b;
}

wres wr_close(wr *w, wr_block b)
{
    ENSURE(!w->overflow, WARD_ERR_INTERNAL);
    size_t body = w->len - b.at - b.width;
    ENSURE(b.width >= 1 && b.width <= 3, WARD_ERR_INTERNAL);
    ENSURE(body < ((size_t)1 << (8 * b.width)), WARD_ERR_INTERNAL);
    for (unsigned i = 0; i < b.width; i++)
        w->buf[b.at + i] = (uint8_t)(body >> (8 * (b.width - 1 - i)));
    return wres_ok();
}

wres wr_status(const wr *w)
{
    ENSURE(!w->overflow, WARD_ERR_INTERNAL);
    return wres_ok();
}
