#include "base/byteq.h"

#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/bufpool.h"

uint8_t *byteq_reserve(byteq *q, size_t n)
{
    if (q->off && q->off == q->len)
        q->off = q->len = 0;
    if (q->cap - q->len >= n)
        return q->buf + q->len;
    if (q->off) { /* compact before growing */
        memmove(q->buf, q->buf + q->off, q->len - q->off);
        q->len -= q->off;
        q->off = 0;
        if (q->cap - q->len >= n)
            return q->buf + q->len;
    }
    size_t want = q->cap ? q->cap : 4096;
    while (want - q->len < n) {
        if (want > SIZE_MAX / 2)
            return NULL;
        want *= 2;
    }
    if (!q->buf) { /* a parked buffer first: no malloc, no fresh pages */
        size_t cap;
        uint8_t *pb = bufpool_take(want, &cap);
        if (pb) {
            q->buf = pb;
            q->cap = cap;
            return q->buf;
        }
    }
    uint8_t *nb;
    if (q->buf && !q->wire_only) {
        /* Not realloc: it would free the old block with the plaintext
         * still in it. Copy, then wipe the old block and hand it back. */
        nb = malloc(want);
        if (!nb)
            return NULL;
        memcpy(nb, q->buf, q->len);
        ward_zeroize(q->buf, q->hwm < q->cap ? q->hwm : q->cap);
        bufpool_give(q->buf, q->cap);
    } else {
        nb = realloc(q->buf, want);
        if (!nb)
            return NULL;
    }
    q->buf = nb;
    q->cap = want;
    return q->buf + q->len;
}

wres byteq_append(byteq *q, const uint8_t *p, size_t n)
{
    if (n == 0)
        return wres_ok();
    uint8_t *d = byteq_reserve(q, n);
    ENSURE(d, WARD_ERR_NOMEM);
    memcpy(d, p, n);
    byteq_commit(q, n);
    return wres_ok();
}

void byteq_consume(byteq *q, size_t n)
{
    q->off += n;
    if (q->off >= q->len)
        q->off = q->len = 0;
}

void byteq_free(byteq *q)
{
    if (q->buf && !q->wire_only)
        ward_zeroize(q->buf, q->hwm < q->cap ? q->hwm : q->cap);
    bufpool_give(q->buf, q->cap);
    q->buf = NULL;
    q->off = q->len = q->cap = q->hwm = 0;
}
