/* ward tunnel: a connection up to the relay: the backend connect, the
 * STARTTLS dialogue (tunnel_stt.h) and the TLS handshake, each one step
 * at a time as the sockets allow. */
#define _GNU_SOURCE
#include "tunnel_conn.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

static int after_secure(tunnel_worker *w, tunnel_conn *c);
static int start_tls(tunnel_conn *c);

/* Connect to the service's next backend address (non-blocking). Refused
 * addresses are tried in getaddrinfo order; the last refusal ends it. */
static int start_connect(tunnel_worker *w, tunnel_conn *c)
{
    tunnel_backend *be = &c->gen->be[c->svc];
    int last = ECONNREFUSED;
    c->phase = PH_CONNECT;
    for (; c->addr_i < be->naddr; c->addr_i++) {
        const struct sockaddr *sa = (const struct sockaddr *)&be->addr[c->addr_i];
        int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return tconn_fail(c, "backend-refused", strerror(errno));
        tconn_nodelay(fd);
        if (connect(fd, sa, be->alen[c->addr_i]) == 0 || errno == EINPROGRESS) {
            c->fd[1] = fd;
            return tconn_register(w, c, 1, EPOLLOUT);
        }
        last = errno;
        close(fd);
    }
    return tconn_fail(c, "backend-refused", strerror(last));
}

/* The backend socket is writable: connected, or refused. */
int tconn_connect_done(tunnel_worker *w, tunnel_conn *c)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(c->fd[1], SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err) {
        close(c->fd[1]);
        c->fd[1] = -1;
        c->ev[1] = 0;
        c->addr_i++;
        if (c->addr_i < c->gen->be[c->svc].naddr)
            return start_connect(w, c);
        return tconn_fail(c, "backend-refused", strerror(err));
    }
    if (tconn_svc(c)->mode == TUNNEL_TLS_ACCEPT)
        return tconn_start_relay(w, c);
    if (c->stt) {
        c->phase = PH_STT1;
        return 1;
    }
    return start_tls(c);
}

static int start_tls(tunnel_conn *c)
{
    tunnel_service *s = tconn_svc(c);
    c->tls = ward_conn_new(s->cfg, s->mode == TUNNEL_TLS_ACCEPT ? NULL : s->servername);
    if (!c->tls)
        return tconn_fail(c, "internal", "out of memory");
    c->phase = PH_HS;
    return 1;
}

/* Bytes from the T side's socket. */
int tconn_tls_in(tunnel_worker *w, tunnel_conn *c, const uint8_t *p, size_t n)
{
    (void)w;
    if (c->phase == PH_STT1) {
        ward_err e = tunnel_stt_recv(c->stt, p, n);
        return e == WARD_OK ? 0 : tconn_stt_fail(c, e);
    }
    if (!c->tls)
        return 0; /* not yet reading: cannot happen, interest is off */
    ward_err e = ward_conn_recv(c->tls, p, n);
    if (e == WARD_OK || e == WARD_CLOSED)
        return 0;
    return tconn_tls_fail(c);
}

/* STT1: the dialogue in plaintext until it says UPGRADE and its last
 * words (a server half's go-ahead) are sent; only then the handshake. */
static int stt1_step(tunnel_conn *c)
{
    int fd = c->fd[tconn_tside(c)];
    const uint8_t *p;
    size_t len;
    while ((len = tunnel_stt_output(c->stt, &p)) > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n < 0)
            return tconn_io_fail(c, tconn_tside(c), errno);
        tunnel_stt_output_done(c->stt, (size_t)n);
    }
    switch (tunnel_stt_state(c->stt)) {
    case WARD_STARTTLS_UPGRADE:
        return start_tls(c);
    case WARD_STARTTLS_FAILED:
        return tconn_stt_fail(c, WARD_ERR_STARTTLS_PROTOCOL);
    case WARD_STARTTLS_DONE:
        return tconn_fail(c, "internal", "STARTTLS dialogue done before TLS");
    default:
        return 0;
    }
}

static int hs_step(tunnel_worker *w, tunnel_conn *c)
{
    if (tconn_flush_tls(w, c) != 0)
        return -1;
    int st = ward_conn_state(c->tls);
    if (st == WARD_STATE_FAILED)
        return tconn_tls_fail(c);
    if (st == WARD_STATE_HANDSHAKING)
        return 0;
    if (!c->stt)
        return after_secure(w, c);
    ward_err e = tunnel_stt_secured(c->stt);
    if (e != WARD_OK)
        return tconn_stt_fail(c, e);
    c->phase = PH_STT2;
    return 1;
}

/* STT2: the rest of the dialogue, carried by TLS. */
static int stt2_step(tunnel_worker *w, tunnel_conn *c)
{
    size_t len;
    const uint8_t *v = ward_conn_read_view(c->tls, &len);
    if (len && tunnel_stt_state(c->stt) == WARD_STARTTLS_WAITING) {
        ward_err e = tunnel_stt_recv(c->stt, v, len);
        ward_conn_read_done(c->tls, len);
        if (e != WARD_OK)
            return tconn_stt_fail(c, e);
    }
    const uint8_t *p;
    while ((len = tunnel_stt_output(c->stt, &p)) > 0) {
        if (ward_conn_write(c->tls, p, len) != WARD_OK)
            return tconn_tls_fail(c);
        tunnel_stt_output_done(c->stt, len);
    }
    if (tconn_flush_tls(w, c) != 0)
        return -1;
    switch (tunnel_stt_state(c->stt)) {
    case WARD_STARTTLS_DONE:
        return after_secure(w, c);
    case WARD_STARTTLS_FAILED:
        return tconn_stt_fail(c, WARD_ERR_STARTTLS_PROTOCOL);
    default:
        if (ward_conn_peer_closed(c->tls))
            return tconn_fail(c, "starttls-failed", "the peer closed over TLS");
        return 0;
    }
}

/* TLS is up and the dialogue over: a server-mode tunnel now reaches its
 * backend; a client-mode one starts relaying. */
static int after_secure(tunnel_worker *w, tunnel_conn *c)
{
    if (tconn_svc(c)->mode == TUNNEL_TLS_ACCEPT) {
        return start_connect(w, c);
    }
    return tconn_start_relay(w, c);
}

int tconn_progress(tunnel_worker *w, tunnel_conn *c)
{
    for (;;) {
        int r;
        switch (c->phase) {
        case PH_STT1:
            r = stt1_step(c);
            break;
        case PH_HS:
            r = hs_step(w, c);
            break;
        case PH_STT2:
            r = stt2_step(w, c);
            break;
        case PH_RELAY:
            return tconn_relay_step(w, c);
        default:
            return 0; /* PH_CONNECT: waiting for the socket */
        }
        if (r <= 0)
            return r;
    }
}

/* The first step of a new connection. */
int tconn_begin(tunnel_worker *w, tunnel_conn *c)
{
    if (tconn_svc(c)->mode == TUNNEL_TLS_CONNECT)
        return start_connect(w, c);
    if (c->stt) {
        c->phase = PH_STT1;
        return 1;
    }
    return start_tls(c);
}
