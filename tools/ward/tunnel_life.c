/* ward tunnel: a connection's birth and death, its events and timeouts. */
#define _GNU_SOURCE
#include "tunnel_conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

static void conn_log(tunnel_conn *c)
{
    tunnel_service *s = tconn_svc(c);
    const char *sni = NULL;
    if (c->tls && s->mode == TUNNEL_TLS_ACCEPT)
        sni = ward_conn_server_name(c->tls);
    else if (s->mode == TUNNEL_TLS_CONNECT)
        sni = s->servername;
    tunnel_log_rec r = {.service = s->name,
                        .peer = c->peer,
                        .sni = sni,
                        .tls = c->tls,
                        .in = c->in,
                        .out = c->out,
                        .ms = cli_now_ms() - c->start_ms,
                        .end = c->end ? c->end : "closed",
                        .detail = c->detail};
    tunnel_log_conn(&r);
}

/* An established TLS side that is being cut (timeout, shutdown, the other
 * side's failure) gets a close_notify if its socket takes it now, so the
 * peer sees an orderly end rather than a truncation. */
static void polite_close(tunnel_conn *c)
{
    int t = tconn_tside(c);
    if (!c->tls || (c->flags & F_T_CLOSE) || c->fd[t] < 0)
        return;
    /* not to a peer whose own socket failed or closed: it would only fail */
    const char *gone = t == 0 ? "client-" : "backend-";
    if (c->end && strncmp(c->end, gone, strlen(gone)) == 0)
        return;
    int st = ward_conn_state(c->tls);
    if (st == WARD_STATE_HANDSHAKING || st == WARD_STATE_FAILED)
        return;
    if (ward_conn_close(c->tls) != WARD_OK)
        return;
    size_t len = 0;
    const uint8_t *p = ward_conn_output(c->tls, &len);
    if (len)
        (void)send(c->fd[t], p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* Log, close both sockets (which takes them out of the epoll set), free
 * all but the struct: events for it may still wait in the batch epoll_wait
 * returned, so it goes on the dead list until the batch is done. */
static void conn_end(tunnel_worker *w, tunnel_conn *c)
{
    conn_log(c);
    polite_close(c);
    for (int side = 0; side < 2; side++)
        if (c->fd[side] >= 0)
            close(c->fd[side]);
    ward_conn_free(c->tls);
    tunnel_stt_free(c->stt);
    tunnel_buf_free(&c->to_plain);
    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    w->nconn--;
    atomic_fetch_sub(c->gen->be[c->svc].live, 1);
    tunnel_gen_unref(c->gen);
    c->gen = NULL;
    c->phase = PH_DEAD;
    c->next = w->dead;
    w->dead = c;
}

void tunnel_conn_reap(tunnel_worker *w)
{
    while (w->dead) {
        tunnel_conn *c = w->dead;
        w->dead = c->next;
        free(c);
    }
}

static tunnel_conn *conn_new(tunnel_worker *w, int fd, uint16_t svc, const struct sockaddr *peer,
                             socklen_t plen)
{
    tunnel_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->gen = w->gen;
    tunnel_gen_ref(c->gen);
    c->svc = svc;
    c->fd[0] = fd;
    c->fd[1] = -1;
    c->start_ms = cli_now_ms();
    net_addr_str(peer, plen, c->peer, sizeof c->peer);
    c->next = w->conns;
    if (w->conns)
        w->conns->prev = c;
    w->conns = c;
    w->nconn++;
    w->trim = 1; /* the heap is given back once the worker is idle again */
    return c;
}

static int conn_setup(tunnel_worker *w, tunnel_conn *c)
{
    tunnel_service *s = tconn_svc(c);
    unsigned long live = atomic_load(c->gen->be[c->svc].live);
    if (s->max_connections && live > s->max_connections)
        return tconn_fail(c, "limit", NULL);
    tconn_nodelay(c->fd[0]);
    unsigned long hs = s->handshake_timeout_s;
    c->deadline_s = hs ? w->now_s + (uint32_t)hs + 1 : UINT32_MAX;
    if (s->starttls != WARD_APP_NONE) {
        char err[200];
        c->stt = s->mode == TUNNEL_TLS_ACCEPT
                     ? tunnel_stt_new_server(s->starttls, s->server_name, err, sizeof err)
                     : tunnel_stt_new_client(s->starttls, s->servername, err, sizeof err);
        if (!c->stt)
            return tconn_fail(c, "starttls-failed", "cannot start the dialogue");
    }
    /* a server-mode client speaks first (its ClientHello): read at once */
    int speaks_first = s->mode == TUNNEL_TLS_ACCEPT && !c->stt;
    if (tconn_register(w, c, 0, speaks_first ? EPOLLIN : 0) != 0)
        return -1;
    int r = tconn_begin(w, c);
    if (r > 0)
        r = tconn_progress(w, c);
    return r < 0 ? -1 : tconn_interest(w, c);
}

void tunnel_conn_accepted(tunnel_worker *w, int fd, uint16_t svc, const struct sockaddr *peer,
                          socklen_t plen)
{
    atomic_fetch_add(w->gen->be[svc].live, 1);
    tunnel_conn *c = conn_new(w, fd, svc, peer, plen);
    if (!c) {
        atomic_fetch_sub(w->gen->be[svc].live, 1);
        close(fd);
        cli_log("tunnel %s: out of memory, connection dropped", w->gen->cfg.svc[svc].name);
        return;
    }
    if (conn_setup(w, c) != 0) {
        conn_end(w, c);
        return;
    }
    /* The ClientHello often came with the connection: try it now rather
     * than after another trip through epoll_wait. */
    if (c->phase == PH_HS && tconn_tside(c) == 0)
        tunnel_conn_event(w, c, 0, EPOLLIN);
}

/* Readable (or hung up): one recv, then the bytes go where the phase says. */
static int on_readable(tunnel_worker *w, tunnel_conn *c, int side, uint32_t events)
{
    int t = tconn_tside(c);
    int eof_flag = side == t ? F_T_EOF : F_P_EOF;
    if (c->flags & eof_flag) {
        /* hung up after its end: nothing more can come from there */
        int shut = side == t ? F_T_SHUT : F_P_SHUT;
        if (!(c->flags & shut) || (events & EPOLLERR))
            return tconn_fail(c, side == 0 ? "client-reset" : "backend-reset", NULL);
        (void)epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd[side], NULL);
        c->flags |= side ? F_B_GONE : F_C_GONE;
        return 0;
    }
    if (side != t && c->phase != PH_RELAY)
        return tconn_fail(c, side == 0 ? "client-closed" : "backend-closed", "before the relay");
    ssize_t n = recv(c->fd[side], w->rbuf, TUNNEL_READ_CHUNK, 0);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return 0;
        return tconn_io_fail(c, side, errno);
    }
    if (n == 0) {
        if (c->phase == PH_HS)
            return tconn_fail(c, "handshake-failed",
                              "the peer closed the connection during the handshake");
        if (c->phase == PH_STT1 || c->phase == PH_STT2)
            return tconn_fail(c, "starttls-failed", "the peer closed the connection");
        if (c->phase != PH_RELAY)
            return tconn_fail(c, side == 0 ? "client-closed" : "backend-closed",
                              "before the relay");
        c->flags |= eof_flag;
        return 0;
    }
    tconn_touch(w, c);
    if (side == t)
        return tconn_tls_in(w, c, w->rbuf, (size_t)n);
    return tconn_plain_in(w, c, w->rbuf, (size_t)n);
}

void tunnel_conn_event(tunnel_worker *w, tunnel_conn *c, int side, uint32_t events)
{
    int r = 0;
    if (c->phase == PH_DEAD)
        return;
    if (c->phase == PH_CONNECT && side == 1)
        r = tconn_connect_done(w, c);
    else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
        r = on_readable(w, c, side, events);
    if (r >= 0)
        r = tconn_progress(w, c);
    if (r >= 0)
        r = tconn_interest(w, c);
    if (r < 0)
        conn_end(w, c);
}

void tunnel_conn_sweep(tunnel_worker *w)
{
    tunnel_conn *c = w->conns, *next;
    for (; c; c = next) {
        next = c->next;
        if (w->now_s < c->deadline_s)
            continue;
        tconn_fail(c, c->phase == PH_RELAY ? "timeout-idle" : "timeout-handshake", NULL);
        conn_end(w, c);
    }
}

void tunnel_conn_end_all(tunnel_worker *w, const char *reason)
{
    while (w->conns) {
        tconn_fail(w->conns, reason, NULL);
        conn_end(w, w->conns);
    }
}
