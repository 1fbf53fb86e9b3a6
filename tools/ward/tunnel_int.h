/* ward tunnel, the inside: what tunnel.c (start, signals, reload),
 * tunnel_gen.c (configuration generations, listening sockets),
 * tunnel_loop.c (a worker's epoll loop), tunnel_conn.c (one connection's
 * life) and tunnel_log.c (its log line) share. Not an interface: the tool's
 * modules only. */
#ifndef WARD_TOOL_TUNNEL_INT_H
#define WARD_TOOL_TUNNEL_INT_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "tunnel.h"
#include "tunnel_stt.h"

/* What is queued towards one side before the other side stops being read
 * (back-pressure): a slow reader slows its writer. */
#define TUNNEL_QUEUE_CAP (64 * 1024)
/* One recv per readiness event, at most this much. */
#define TUNNEL_READ_CHUNK (64 * 1024)
/* After SIGTERM, live connections get this long to finish. */
#define TUNNEL_GRACE_S 30
#define TUNNEL_MAX_BACKEND_ADDRS 4
#define TUNNEL_MAX_LISTENERS (TUNNEL_MAX_SERVICES * TUNNEL_MAX_ACCEPT)

/* A configuration generation: the services as loaded, their ward_configs
 * and resolved backends. Shared read-only by every worker; a reference per
 * worker that uses it for new connections and per live connection, so a
 * SIGHUP leaves live connections on the configuration they started with. */
typedef struct {
    struct sockaddr_storage addr[TUNNEL_MAX_BACKEND_ADDRS];
    socklen_t alen[TUNNEL_MAX_BACKEND_ADDRS];
    size_t naddr;
    /* connections of this service now (the limit): shared with the other
     * generations that have a service of the same name, so a reload does
     * not reset the count (tunnel_gen.c) */
    atomic_ulong *live;
    atomic_ulong own_live; /* when the shared table is full */
    int shared;            /* live points into the shared table */
} tunnel_backend;

typedef struct {
    tunnel_config cfg;
    tunnel_backend be[TUNNEL_MAX_SERVICES];
    atomic_long refs;
} tunnel_gen;

/* ---- tunnel_gen.c ---- */
/* A zeroed generation with one reference; the caller loads g->cfg. */
tunnel_gen *tunnel_gen_alloc(void);
/* Build the ward_configs and resolve the backends. 0, or -1 with
 * "FILE:LINE: problem" in err. */
int tunnel_gen_build(tunnel_gen *g, char *err, size_t errcap);
void tunnel_gen_ref(tunnel_gen *g);
void tunnel_gen_unref(tunnel_gen *g);

/* One listening socket of a worker: an accept address of a service. */
typedef struct {
    int fd;
    uint16_t svc;      /* index into the worker's generation */
    uint8_t paused;    /* out of file descriptors: retried at the next sweep */
    char addr[80];     /* as written in the configuration (the key on reload) */
} tunnel_listener;

/* Listener sets handed from the main thread to a worker. */
typedef struct {
    tunnel_gen *gen; /* a reference for the worker */
    tunnel_listener ls[TUNNEL_MAX_LISTENERS];
    size_t n;
} tunnel_lset;

typedef struct tunnel_conn tunnel_conn;

typedef struct {
    pthread_t th;
    unsigned idx;
    int ep;                 /* epoll */
    int wake;               /* eventfd: the main thread has a message */
    pthread_mutex_t mu;     /* guards the two fields below */
    tunnel_lset *next_set;  /* a reload: the new listeners and generation */
    int stop;               /* SIGTERM: stop accepting and drain */
    /* the worker's own */
    tunnel_gen *gen;
    tunnel_listener ls[TUNNEL_MAX_LISTENERS];
    size_t nls;
    tunnel_conn *conns;     /* every live connection (the timer sweep) */
    tunnel_conn *dead;      /* ended in this batch of events, freed after it */
    size_t nconn;
    int draining;
    int trim;               /* had connections since the heap was last trimmed */
    long long drain_deadline_ms;
    uint32_t now_s;         /* coarse clock, seconds, updated each loop */
    uint8_t *rbuf;          /* TUNNEL_READ_CHUNK bytes */
    tunnel_buf fwd, back;   /* scratch for the STARTTLS filter */
} tunnel_worker;

/* epoll data: the pointer with its kind in the low bits. */
enum { TAG_CLIENT = 0, TAG_BACKEND = 1, TAG_LISTENER = 2, TAG_WAKE = 3 };

/* ---- tunnel_loop.c ---- */
void *tunnel_worker_run(void *arg);

/* ---- tunnel_conn.c ---- */
/* A new connection accepted on svc of the worker's generation. */
void tunnel_conn_accepted(tunnel_worker *w, int fd, uint16_t svc, const struct sockaddr *peer,
                          socklen_t plen);
/* Readiness on one of its sockets (TAG_CLIENT or TAG_BACKEND). */
void tunnel_conn_event(tunnel_worker *w, tunnel_conn *c, int side, uint32_t events);
/* The coarse timer: every second, end the connections past their deadline. */
void tunnel_conn_sweep(tunnel_worker *w);
/* Free the connections that ended in the last batch of events. */
void tunnel_conn_reap(tunnel_worker *w);
/* End every connection now (the grace after SIGTERM is over). */
void tunnel_conn_end_all(tunnel_worker *w, const char *reason);

/* ---- tunnel_log.c ---- */
typedef struct {
    const char *service, *peer, *sni;
    const ward_conn *tls; /* NULL when TLS never started */
    unsigned long long in, out;
    long long ms;
    const char *end, *detail; /* detail may be NULL */
} tunnel_log_rec;
void tunnel_log_conn(const tunnel_log_rec *r);

/* ---- tunnel_listen.c ---- */
/* n sockets bound to addr ("HOST:PORT", "[V6]:PORT") with SO_REUSEPORT, the
 * same port for all (port 0: the one the first got), non-blocking. 0, or -1
 * with err. bound gets the address as bound ("127.0.0.1:40123"). */
int tunnel_listen_n(const char *addr, int *fds, unsigned n, char *bound, size_t boundcap,
                    char *err, size_t errcap);

#endif
