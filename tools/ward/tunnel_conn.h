/* ward tunnel: one connection, shared by tunnel_conn.c (sockets, queues,
 * interest), tunnel_phase.c (accept, connect, STARTTLS, handshake) and
 * tunnel_relay.c (the relay, half-close). Internal to the tool. */
#ifndef WARD_TOOL_TUNNEL_CONN_H
#define WARD_TOOL_TUNNEL_CONN_H

#include "tunnel_int.h"

enum { PH_CONNECT, PH_STT1, PH_HS, PH_STT2, PH_RELAY, PH_DEAD };

enum {
    F_T_EOF = 1,    /* the T side's peer closed (close_notify or EOF) */
    F_P_EOF = 2,    /* the P side's peer closed */
    F_P_SHUT = 4,   /* shutdown(SHUT_WR) sent on the P side */
    F_T_CLOSE = 8,  /* close_notify queued on the T side */
    F_T_SHUT = 16,  /* ... and sent, then shutdown(SHUT_WR) */
    F_C_GONE = 32,  /* side 0 left the epoll set (nothing more to do there) */
    F_B_GONE = 64,  /* side 1 likewise */
};

/* Kept small: an idle established connection is this, the engine's state
 * and two sockets. Relay buffers exist only while bytes are queued. */
struct tunnel_conn {
    tunnel_conn *prev, *next; /* the worker's list */
    tunnel_gen *gen;          /* a reference: the configuration it started with */
    ward_conn *tls;
    tunnel_stt *stt;
    tunnel_buf to_plain;      /* plaintext queued for the P side */
    long long start_ms;
    unsigned long long in, out; /* plaintext from the client / to the client */
    const char *end, *detail;   /* how it ended, once it has */
    int fd[2];
    uint32_t ev[2];           /* the events registered per side */
    uint32_t deadline_s;      /* worker's coarse clock */
    uint16_t svc;
    uint8_t phase, flags, addr_i;
    char peer[48];
};

static inline tunnel_service *tconn_svc(const tunnel_conn *c) { return &c->gen->cfg.svc[c->svc]; }
/* The side that carries TLS: the client in server mode, else the backend. */
static inline int tconn_tside(const tunnel_conn *c)
{
    return tconn_svc(c)->mode == TUNNEL_TLS_ACCEPT ? 0 : 1;
}
static inline int tconn_fd(const tunnel_conn *c, int side) { return c->fd[side]; }

/* tunnel_conn.c */
int tconn_fail(tunnel_conn *c, const char *end, const char *detail); /* always -1 */
int tconn_io_fail(tunnel_conn *c, int side, int err);
int tconn_tls_fail(tunnel_conn *c);
int tconn_stt_fail(tunnel_conn *c, ward_err e);
void tconn_touch(tunnel_worker *w, tunnel_conn *c);
size_t tconn_tls_pending(tunnel_conn *c);
int tconn_flush_tls(tunnel_worker *w, tunnel_conn *c);
int tconn_flush_plain(tunnel_worker *w, tunnel_conn *c);
int tconn_interest(tunnel_worker *w, tunnel_conn *c);
int tconn_register(tunnel_worker *w, tunnel_conn *c, int side, uint32_t events);
void tconn_nodelay(int fd);

/* tunnel_phase.c: 0 waiting, 1 the phase changed (go on), -1 ended */
int tconn_progress(tunnel_worker *w, tunnel_conn *c);
int tconn_connect_done(tunnel_worker *w, tunnel_conn *c);
int tconn_tls_in(tunnel_worker *w, tunnel_conn *c, const uint8_t *p, size_t n);
int tconn_begin(tunnel_worker *w, tunnel_conn *c);

/* tunnel_relay.c */
int tconn_relay_step(tunnel_worker *w, tunnel_conn *c);
int tconn_plain_in(tunnel_worker *w, tunnel_conn *c, const uint8_t *p, size_t n);
int tconn_start_relay(tunnel_worker *w, tunnel_conn *c);

#endif
