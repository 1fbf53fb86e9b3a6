/* tunnel_buf: the relay's growable byte buffer (tunnel_stt.h). Unread
 * bytes are p[off .. len); consuming moves off, and the buffer is reset
 * when empty or compacted once more than half of it is consumed, so a
 * buffer that is drained as fast as it fills never moves a byte. */
#include <stdlib.h>
#include <string.h>

#include "tunnel_stt.h"

#define TUNNEL_BUF_MIN 256

static void compact(tunnel_buf *b)
{
    if (b->off == 0)
        return;
    memmove(b->p, b->p + b->off, b->len - b->off);
    b->len -= b->off;
    b->off = 0;
}

int tunnel_buf_append(tunnel_buf *b, const uint8_t *p, size_t n)
{
    if (n == 0)
        return 0;
    if (n > b->cap - b->len && b->off > 0)
        compact(b);
    if (n > b->cap - b->len) {
        size_t want = b->len + n;
        if (want < b->len)
            return -1;
        size_t cap = b->cap ? b->cap : TUNNEL_BUF_MIN;
        while (cap < want) {
            if (cap > SIZE_MAX / 2)
                return -1;
            cap *= 2;
        }
        uint8_t *np = realloc(b->p, cap);
        if (!np)
            return -1;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

void tunnel_buf_consume(tunnel_buf *b, size_t n)
{
    size_t unread = b->len - b->off;
    if (n >= unread) {
        b->off = b->len = 0;
        return;
    }
    b->off += n;
    if (b->off > b->cap / 2)
        compact(b);
}

size_t tunnel_buf_unread(const tunnel_buf *b)
{
    return b->len - b->off;
}

void tunnel_buf_free(tunnel_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->off = b->len = b->cap = 0;
}
