/* ward tunnel: the relay, both directions at once.
 *
 * T → P: records are opened by the engine (tconn_tls_in); its plaintext is
 * sent straight to the P socket, and only what the socket does not take
 * is copied into to_plain. P → T: plaintext is sealed at once
 * (ward_conn_write) into the engine's output queue. Each direction is
 * capped at TUNNEL_QUEUE_CAP queued bytes: past it the sending side is no
 * longer read (conn_want), so a slow reader slows its writer and memory
 * per connection stays bounded.
 *
 * Half-close: the T peer's close_notify (or EOF) becomes shutdown(SHUT_WR)
 * on the P side once what was queued is sent; the P side's EOF becomes a
 * close_notify, then a FIN, on the T side. The connection ends when both
 * directions are closed and flushed. */
#define _GNU_SOURCE
#include "tunnel_conn.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static void count(tunnel_conn *c, int from_side, size_t n)
{
    if (from_side == 0)
        c->in += n;
    else
        c->out += n;
}

/* Bytes for the T side, sealed now. */
static int to_tls(tunnel_conn *c, const uint8_t *p, size_t n)
{
    if (n && ward_conn_write(c->tls, p, n) != WARD_OK)
        return tconn_tls_fail(c);
    return 0;
}

/* Bytes for the P side: straight to the socket when nothing is queued. */
static int to_plain(tunnel_conn *c, const uint8_t *p, size_t n)
{
    int side = !tconn_tside(c);
    if (!tunnel_buf_unread(&c->to_plain)) {
        while (n) {
            ssize_t k = send(c->fd[side], p, n, MSG_NOSIGNAL);
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                break;
            if (k < 0)
                return tconn_io_fail(c, side, errno);
            p += k;
            n -= (size_t)k;
        }
    }
    if (n && tunnel_buf_append(&c->to_plain, p, n) != 0)
        return tconn_fail(c, "internal", "out of memory");
    return 0;
}

/* Both halves of the STARTTLS filter's answer: what goes on (fwd) and what
 * the tunnel answers the sender itself (back). */
static int filtered(tunnel_worker *w, tunnel_conn *c, int from_side, const uint8_t *p,
                    size_t n)
{
    int t = tconn_tside(c);
    int dir = from_side == 0 ? TUNNEL_FROM_CLIENT : TUNNEL_FROM_BACKEND;
    tunnel_buf_consume(&w->fwd, tunnel_buf_unread(&w->fwd));
    tunnel_buf_consume(&w->back, tunnel_buf_unread(&w->back));
    if (tunnel_stt_filter(c->stt, dir, p, n, &w->fwd, &w->back) != 0)
        return tconn_stt_fail(c, WARD_ERR_STARTTLS_PROTOCOL);
    size_t fn = tunnel_buf_unread(&w->fwd), bn = tunnel_buf_unread(&w->back);
    /* (a buffer never appended to has no memory: no pointer arithmetic on it) */
    const uint8_t *f = fn ? w->fwd.p + w->fwd.off : NULL;
    const uint8_t *b = bn ? w->back.p + w->back.off : NULL;
    /* from the T side, forwarded to P and answered on T; and vice versa */
    int r = from_side == t ? to_plain(c, f, fn) : to_tls(c, f, fn);
    if (r == 0)
        r = from_side == t ? to_tls(c, b, bn) : to_plain(c, b, bn);
    return r;
}

/* Plaintext read from the P socket. */
int tconn_plain_in(tunnel_worker *w, tunnel_conn *c, const uint8_t *p, size_t n)
{
    int side = !tconn_tside(c);
    count(c, side, n);
    if (c->stt)
        return filtered(w, c, side, p, n);
    return to_tls(c, p, n);
}

/* What the engine has decrypted, on to the P side while there is room. */
static int tls_to_plain(tunnel_worker *w, tunnel_conn *c)
{
    int t = tconn_tside(c);
    while (tunnel_buf_unread(&c->to_plain) < TUNNEL_QUEUE_CAP) {
        size_t len;
        const uint8_t *v = ward_conn_read_view(c->tls, &len);
        if (len == 0)
            break;
        count(c, t, len);
        int r = c->stt ? filtered(w, c, t, v, len) : to_plain(c, v, len);
        ward_conn_read_done(c->tls, len);
        if (r != 0)
            return -1;
    }
    if (ward_conn_peer_closed(c->tls))
        c->flags |= F_T_EOF;
    return 0;
}

/* Half-close each way as the other side's end arrives; 1 once both
 * directions are closed and flushed. */
static int half_close(tunnel_worker *w, tunnel_conn *c)
{
    int t = tconn_tside(c);
    size_t view;
    (void)ward_conn_read_view(c->tls, &view);
    int plain_empty = !tunnel_buf_unread(&c->to_plain);
    if ((c->flags & F_T_EOF) && !view && plain_empty && !(c->flags & F_P_SHUT)) {
        (void)shutdown(c->fd[!t], SHUT_WR);
        c->flags |= F_P_SHUT;
    }
    if ((c->flags & F_P_EOF) && !(c->flags & F_T_CLOSE)) {
        (void)ward_conn_close(c->tls);
        c->flags |= F_T_CLOSE;
        if (tconn_flush_tls(w, c) != 0)
            return -1;
    }
    int tls_empty = !tconn_tls_pending(c);
    if ((c->flags & F_T_CLOSE) && tls_empty && !(c->flags & F_T_SHUT)) {
        (void)shutdown(c->fd[t], SHUT_WR);
        c->flags |= F_T_SHUT;
    }
    return (c->flags & F_P_SHUT) && (c->flags & F_T_SHUT);
}

int tconn_relay_step(tunnel_worker *w, tunnel_conn *c)
{
    if (tls_to_plain(w, c) != 0 || tconn_flush_plain(w, c) != 0 ||
        tconn_flush_tls(w, c) != 0)
        return -1;
    int r = half_close(w, c);
    if (r < 0)
        return -1;
    if (r > 0)
        return tconn_fail(c, "closed", NULL);
    return 0;
}

/* The dialogue and the handshake are done and both sockets connected: a
 * client-mode tunnel first gives its plaintext client the server's
 * greeting (tunnel_stt_start_relay). */
int tconn_start_relay(tunnel_worker *w, tunnel_conn *c)
{
    c->phase = PH_RELAY;
    tconn_touch(w, c);
    if (!c->stt)
        return 1;
    tunnel_buf_consume(&w->back, tunnel_buf_unread(&w->back));
    if (tunnel_stt_start_relay(c->stt, &w->back) != 0)
        return tconn_stt_fail(c, WARD_ERR_STARTTLS_PROTOCOL);
    size_t n = tunnel_buf_unread(&w->back);
    if (n == 0)
        return 1;
    const uint8_t *g = w->back.p + w->back.off;
    /* for the client: over TLS in server mode, in plaintext in client mode */
    int r = tconn_tside(c) == 0 ? to_tls(c, g, n) : to_plain(c, g, n);
    return r == 0 ? 1 : -1;
}
