/* The flight builder (hs/flight.h). */
#include <stdlib.h>
#include <string.h>

#include "hs/flight.h"
#include "hs/hs.h"

#define FLIGHT_FIRST_HEAP 16384 /* past the stack buffer: one record's worth, then doubled */

static void flight_grow(wr *w, size_t need)
{
    hs_flight *f = (hs_flight *)w; /* w is the flight's first member */
    size_t want = w->len + need;
    if (want < w->len) /* overflow: left to wr_reserve */
        return;
    size_t cap = w->cap * 2 > FLIGHT_FIRST_HEAP ? w->cap * 2 : FLIGHT_FIRST_HEAP;
    while (cap < want)
        cap *= 2;
    uint8_t *heap = w->buf == f->inline_buf ? NULL : w->buf;
    uint8_t *p = realloc(heap, cap);
    if (!p) {
        f->nomem = 1; /* wr_reserve marks the overflow */
        return;
    }
    if (!heap)
        memcpy(p, f->inline_buf, w->len);
    w->buf = p;
    w->cap = cap;
}

void hs_flight_init(hs_flight *f, hs_ctx *c)
{
    f->w = wr_of(f->inline_buf, sizeof f->inline_buf);
    f->w.grow = flight_grow;
    f->c = c;
    f->mark = f->sent = 0;
    f->nomem = 0;
}

wr *hs_msg_begin(hs_flight *f)
{
    f->mark = f->w.len;
    return &f->w;
}

wres hs_msg_end(hs_flight *f, wres encoded)
{
    ENSURE(!f->nomem, WARD_ERR_NOMEM);
    GUARD(encoded);
    GUARD(wr_status(&f->w));
    size_t len = f->w.len - f->mark;
    const uint8_t *m = f->w.buf + f->mark;
    if (len == 0) /* the encoder had nothing to add (an optional message) */
        return wres_ok();
    ENSURE(len >= MSG_HEADER_LEN, WARD_ERR_INTERNAL);
    size_t body = (size_t)m[1] << 16 | (size_t)m[2] << 8 | m[3];
    ENSURE(body == len - MSG_HEADER_LEN, WARD_ERR_INTERNAL); /* exactly one message */
    GUARD(transcript_add(f->c, m, len));
    f->mark = f->w.len;
    return wres_ok();
}

wres hs_flight_send(hs_flight *f)
{
    size_t n = f->w.len - f->sent;
    if (n == 0)
        return wres_ok();
    wres r = hs_emit(f->c, CT_HANDSHAKE, f->w.buf + f->sent, n);
    f->sent = f->w.len;
    return r;
}

void hs_flight_free(hs_flight *f)
{
    if (f->w.buf != f->inline_buf)
        free(f->w.buf);
    f->w = wr_of(NULL, 0);
}
