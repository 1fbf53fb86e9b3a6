/* ward tunnel: one connection's life, driven by its worker's epoll loop.
 *
 * Two sockets: side 0 is the accepted client, side 1 the backend (server
 * mode) or the TLS server (client mode). One of them carries TLS (the "T"
 * side), the other plaintext (the "P" side). The phases:
 *
 *   server mode: [STT1] HS [STT2] CONNECT RELAY
 *   client mode: CONNECT [STT1] HS [STT2] RELAY
 *
 * STT1 is the plaintext STARTTLS dialogue on the T side, STT2 its end over
 * TLS (tunnel_stt.h). The backend of a server-mode tunnel is connected
 * only once the client has finished its handshake, so that a client that
 * never completes one never reaches it. Level-triggered epoll throughout:
 * after every event the interest set is recomputed from the state
 * (conn_interest), which is where back-pressure lives. */
#define _GNU_SOURCE
#include "tunnel_conn.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

/* The clock is coarse (whole seconds, ticked by the loop): one more second
 * makes a timeout of s fire after s to s + 1 seconds, never early. */
static void set_deadline(tunnel_worker *w, tunnel_conn *c, unsigned long s)
{
    c->deadline_s = s ? w->now_s + (uint32_t)s + 1 : UINT32_MAX;
}

/* Activity in the relay pushes the idle deadline on. */
void tconn_touch(tunnel_worker *w, tunnel_conn *c)
{
    if (c->phase == PH_RELAY)
        set_deadline(w, c, tconn_svc(c)->idle_timeout_s);
}

int tconn_fail(tunnel_conn *c, const char *end, const char *detail)
{
    if (!c->end) {
        c->end = end;
        c->detail = detail;
    }
    return -1;
}

/* A side's socket failed: which side says whose fault it was. */
int tconn_io_fail(tunnel_conn *c, int side, int err)
{
    const char *who = side == 0 ? "client-reset" : "backend-reset";
    return tconn_fail(c, who, strerror(err));
}

size_t tconn_tls_pending(tunnel_conn *c)
{
    size_t len = 0;
    if (c->tls)
        (void)ward_conn_output(c->tls, &len);
    return len;
}

/* Send what the engine holds for the T side. */
int tconn_flush_tls(tunnel_worker *w, tunnel_conn *c)
{
    int fd = tconn_fd(c, tconn_tside(c));
    for (;;) {
        size_t len = 0;
        const uint8_t *p = ward_conn_output(c->tls, &len);
        if (len == 0)
            return 0;
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return tconn_io_fail(c, tconn_tside(c), errno);
        }
        ward_conn_output_done(c->tls, (size_t)n);
        tconn_touch(w, c);
    }
}

/* Send what is queued for the P side; an emptied queue gives its memory
 * back (an idle connection holds no relay buffer). */
int tconn_flush_plain(tunnel_worker *w, tunnel_conn *c)
{
    int side = !tconn_tside(c);
    tunnel_buf *q = &c->to_plain;
    while (tunnel_buf_unread(q)) {
        ssize_t n = send(tconn_fd(c, side), q->p + q->off, tunnel_buf_unread(q), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return tconn_io_fail(c, side, errno);
        }
        tunnel_buf_consume(q, (size_t)n);
        tconn_touch(w, c);
    }
    tunnel_buf_free(q);
    return 0;
}

/* The engine failed: its alert goes out if the socket takes it now. */
int tconn_tls_fail(tunnel_conn *c)
{
    size_t len = 0;
    const uint8_t *p = ward_conn_output(c->tls, &len);
    if (len)
        (void)send(tconn_fd(c, tconn_tside(c)), p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    const char *end = c->phase == PH_RELAY ? "tls-error" : "handshake-failed";
    return tconn_fail(c, end, ward_conn_error_message(c->tls));
}

int tconn_stt_fail(tunnel_conn *c, ward_err e)
{
    const char *msg = tunnel_stt_error_message(c->stt);
    if (e == WARD_ERR_STARTTLS_INJECTION || (msg && strstr(msg, "inject")))
        return tconn_fail(c, "injection", msg);
    return tconn_fail(c, "starttls-failed", msg);
}

/* The epoll events a side needs in the current state. */
static uint32_t conn_want(tunnel_conn *c, int side)
{
    int t = tconn_tside(c);
    uint32_t ev = 0;
    if (c->phase == PH_CONNECT)
        return side == 1 ? EPOLLOUT : 0;
    if (side == t) {
        int room = c->phase != PH_RELAY || tunnel_buf_unread(&c->to_plain) < TUNNEL_QUEUE_CAP;
        if (!(c->flags & F_T_EOF) && room)
            ev |= EPOLLIN;
        if (c->phase == PH_STT1) {
            const uint8_t *p;
            if (tunnel_stt_output(c->stt, &p))
                ev |= EPOLLOUT;
        } else if (tconn_tls_pending(c)) {
            ev |= EPOLLOUT;
        }
        return ev;
    }
    if (c->phase != PH_RELAY)
        return 0;
    if (!(c->flags & F_P_EOF) && tconn_tls_pending(c) < TUNNEL_QUEUE_CAP)
        ev |= EPOLLIN;
    if (tunnel_buf_unread(&c->to_plain))
        ev |= EPOLLOUT;
    return ev;
}

int tconn_interest(tunnel_worker *w, tunnel_conn *c)
{
    for (int side = 0; side < 2; side++) {
        int fd = tconn_fd(c, side);
        if (fd < 0 || (c->flags & (side ? F_B_GONE : F_C_GONE)))
            continue;
        uint32_t want = conn_want(c, side);
        if (want == c->ev[side])
            continue;
        struct epoll_event ev = {.events = want,
                                 .data.u64 = (uint64_t)(uintptr_t)c | (uint64_t)side};
        if (epoll_ctl(w->ep, EPOLL_CTL_MOD, fd, &ev) != 0)
            return tconn_fail(c, "internal", strerror(errno));
        c->ev[side] = want;
    }
    return 0;
}

/* A new socket of this connection into the worker's epoll (no events yet:
 * tconn_interest sets them). */
int tconn_register(tunnel_worker *w, tunnel_conn *c, int side, uint32_t events)
{
    struct epoll_event ev = {.events = events,
                             .data.u64 = (uint64_t)(uintptr_t)c | (uint64_t)side};
    if (epoll_ctl(w->ep, EPOLL_CTL_ADD, c->fd[side], &ev) != 0)
        return tconn_fail(c, "internal", strerror(errno));
    c->ev[side] = events;
    return 0;
}

void tconn_nodelay(int fd)
{
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}
