/* The GnuTLS adapter: two non-blocking sessions whose push/pull functions
 * read and write two in-memory byte queues (client->server, server->client).
 * The queues are the transport: they live in the context, are allocated
 * once outside the timed calls, and are charged to no side. Push and pull
 * run inside gnutls calls, so their copies are timed, like the BIO pair's
 * for OpenSSL. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <gnutls/gnutls.h>

#include "bench.h"

#define PIPE_CAP (256 * 1024)

typedef struct {
    uint8_t *buf;
    size_t off, len, cap;
} pipe_q;

typedef struct {
    pipe_q *in, *out;
    gnutls_session_t session;
} endpoint;

typedef struct {
    gnutls_certificate_credentials_t ccred, scred;
    gnutls_priority_t prio;
    gnutls_datum_t ticket_key;
    gnutls_datum_t session_data; /* for resumption */
    int tickets;
    pipe_q c2s, s2c;
    endpoint ce, se;
} gctx;

typedef struct {
    gctx *x;
    gnutls_session_t c, s;
} gpair;

static const char *const ciphers[SUITE_KINDS] = {"AES-128-GCM", "AES-256-GCM",
                                                 "CHACHA20-POLY1305"};

const char *bench_gnutls_version(void) { return gnutls_check_version(NULL); }

/* ---- the transport ---- */

static int pipe_init(pipe_q *q)
{
    q->off = q->len = 0;
    q->cap = PIPE_CAP;
    q->buf = malloc(q->cap);
    if (q->buf)
        memset(q->buf, 0, q->cap); /* fault the pages in now, not in a timed call */
    return q->buf != NULL;
}

static ssize_t push(gnutls_transport_ptr_t ptr, const void *data, size_t n)
{
    endpoint *e = ptr;
    pipe_q *q = e->out;
    if (q->off == q->len)
        q->off = q->len = 0;
    if (q->cap - q->len < n) {
        memmove(q->buf, q->buf + q->off, q->len - q->off);
        q->len -= q->off;
        q->off = 0;
    }
    if (q->cap - q->len < n) { /* never in practice: the cap holds a batch */
        int side = alloc_side;
        alloc_side = SIDE_NONE;
        size_t cap = q->cap;
        while (cap - q->len < n)
            cap *= 2;
        uint8_t *nb = realloc(q->buf, cap);
        alloc_side = side;
        if (!nb) {
            gnutls_transport_set_errno(e->session, ENOMEM);
            return -1;
        }
        q->buf = nb;
        q->cap = cap;
    }
    memcpy(q->buf + q->len, data, n);
    q->len += n;
    return (ssize_t)n;
}

static ssize_t pull(gnutls_transport_ptr_t ptr, void *data, size_t n)
{
    endpoint *e = ptr;
    pipe_q *q = e->in;
    size_t have = q->len - q->off;
    if (have == 0) {
        gnutls_transport_set_errno(e->session, EAGAIN);
        return -1;
    }
    if (n > have)
        n = have;
    memcpy(data, q->buf + q->off, n);
    q->off += n;
    if (q->off == q->len)
        q->off = q->len = 0;
    return (ssize_t)n;
}

static int pull_timeout(gnutls_transport_ptr_t ptr, unsigned ms)
{
    endpoint *e = ptr;
    return e->in->len > e->in->off;
}

/* ---- configuration ---- */

static void gctx_free(void *p)
{
    gctx *x = p;
    if (!x)
        return;
    if (x->ccred)
        gnutls_certificate_free_credentials(x->ccred);
    if (x->scred)
        gnutls_certificate_free_credentials(x->scred);
    if (x->prio)
        gnutls_priority_deinit(x->prio);
    gnutls_free(x->ticket_key.data);
    gnutls_free(x->session_data.data);
    free(x->c2s.buf);
    free(x->s2c.buf);
    free(x);
}

static void gpair_close(void *p, bench_times *t);
static void *gpair_connect(void *ctx, bench_times *t);

/* One full handshake with tickets on, then a client read that takes in the
 * NewSessionTickets (TLS 1.3 sends them after the handshake). */
static int prime_session(gctx *x)
{
    bench_times t = {0};
    gpair *p = gpair_connect(x, &t);
    if (!p)
        return 0;
    uint8_t b;
    int ok = gnutls_record_recv(p->c, &b, 1) == GNUTLS_E_AGAIN &&
             gnutls_session_get_data2(p->c, &x->session_data) == 0;
    gpair_close(p, &t);
    return ok;
}

static void *gctx_new(const bench_setup *s)
{
    if (s->hybrid)
        return NULL; /* no ML-KEM hybrid in this library version */
    gctx *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->tickets = s->tickets;
    char prio[256];
    snprintf(prio, sizeof prio,
             "NORMAL:-VERS-ALL:+VERS-TLS1.%d:-CIPHER-ALL:+%s:-GROUP-ALL:+GROUP-X25519%s",
             s->tls12 ? 2 : 3, ciphers[s->suite],
             s->tls12 ? ":+GROUP-SECP256R1:-KX-ALL:+ECDHE-ECDSA:+ECDHE-RSA" : "");
    const char *where = NULL;
    int ok = pipe_init(&x->c2s) && pipe_init(&x->s2c) &&
             gnutls_priority_init(&x->prio, prio, &where) == 0 &&
             gnutls_certificate_allocate_credentials(&x->ccred) == 0 &&
             gnutls_certificate_allocate_credentials(&x->scred) == 0 &&
             gnutls_certificate_set_x509_trust_file(x->ccred, s->pki->ca[s->cert],
                                                    GNUTLS_X509_FMT_PEM) == 1 &&
             gnutls_certificate_set_x509_key_file(x->scred, s->pki->chain[s->cert],
                                                  s->pki->key[s->cert],
                                                  GNUTLS_X509_FMT_PEM) == 0 &&
             (!s->tickets || gnutls_session_ticket_key_generate(&x->ticket_key) == 0);
    x->ce = (endpoint){.in = &x->s2c, .out = &x->c2s};
    x->se = (endpoint){.in = &x->c2s, .out = &x->s2c};
    if (ok && s->tickets)
        ok = prime_session(x);
    if (!ok) {
        fprintf(stderr, "gnutls: configuration failed%s%s\n", where ? " at " : "",
                where ? where : "");
        gctx_free(x);
        return NULL;
    }
    return x;
}

/* ---- connections ---- */

static void gpair_close(void *p, bench_times *t)
{
    gpair *g = p;
    if (!g)
        return;
    if (g->c) {
        side_enter(t, SIDE_CLIENT);
        gnutls_deinit(g->c);
        side_leave(t);
    }
    if (g->s) {
        side_enter(t, SIDE_SERVER);
        gnutls_deinit(g->s);
        side_leave(t);
    }
    free(g);
}

static void attach(gnutls_session_t s, endpoint *e)
{
    e->session = s;
    gnutls_transport_set_ptr(s, e);
    gnutls_transport_set_push_function(s, push);
    gnutls_transport_set_pull_function(s, pull);
    gnutls_transport_set_pull_timeout_function(s, pull_timeout);
}

/* Step one side's handshake; 1 when done, 0 when waiting, -1 on error. */
static int step(gnutls_session_t s, int side, bench_times *t)
{
    side_enter(t, side);
    int r = gnutls_handshake(s);
    side_leave(t);
    if (r == 0)
        return 1;
    if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED || !gnutls_error_is_fatal(r))
        return 0;
    fprintf(stderr, "gnutls: %s handshake: %s\n", side == SIDE_CLIENT ? "client" : "server",
            gnutls_strerror(r));
    return -1;
}

static gpair *gpair_start(gctx *x, const gnutls_datum_t *session, bench_times *t)
{
    gpair *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->x = x;
    x->c2s.off = x->c2s.len = x->s2c.off = x->s2c.len = 0;
    unsigned no_tickets = x->tickets ? 0 : GNUTLS_NO_TICKETS;

    side_enter(t, SIDE_CLIENT);
    int ok = gnutls_init(&g->c, GNUTLS_CLIENT | GNUTLS_NONBLOCK | no_tickets) == 0;
    if (ok) {
        attach(g->c, &x->ce);
        ok = gnutls_priority_set(g->c, x->prio) == 0 &&
             gnutls_credentials_set(g->c, GNUTLS_CRD_CERTIFICATE, x->ccred) == 0 &&
             gnutls_server_name_set(g->c, GNUTLS_NAME_DNS, BENCH_HOST, strlen(BENCH_HOST)) == 0 &&
             (!session || gnutls_session_set_data(g->c, session->data, session->size) == 0);
        gnutls_session_set_verify_cert(g->c, BENCH_HOST, 0);
    } else {
        g->c = NULL;
    }
    side_leave(t);

    side_enter(t, SIDE_SERVER);
    if (ok && gnutls_init(&g->s, GNUTLS_SERVER | GNUTLS_NONBLOCK | no_tickets) == 0) {
        attach(g->s, &x->se);
        ok = gnutls_priority_set(g->s, x->prio) == 0 &&
             gnutls_credentials_set(g->s, GNUTLS_CRD_CERTIFICATE, x->scred) == 0 &&
             (!x->tickets || gnutls_session_ticket_enable_server(g->s, &x->ticket_key) == 0);
    } else {
        g->s = NULL;
        ok = 0;
    }
    side_leave(t);

    int cdone = 0, sdone = 0;
    for (int round = 0; ok && round < 16 && !(cdone && sdone); round++) {
        int rc = cdone ? 1 : step(g->c, SIDE_CLIENT, t);
        int rs = sdone ? 1 : step(g->s, SIDE_SERVER, t);
        ok = rc >= 0 && rs >= 0;
        cdone = rc == 1;
        sdone = rs == 1;
    }
    if (!ok || !cdone || !sdone) {
        fprintf(stderr, "gnutls: handshake failed\n");
        gpair_close(g, t);
        return NULL;
    }
    return g;
}

static void *gpair_connect(void *ctx, bench_times *t) { return gpair_start(ctx, NULL, t); }

static void *gpair_resume(void *ctx, bench_times *t)
{
    gctx *x = ctx;
    gpair *g = gpair_start(x, &x->session_data, t);
    if (!g)
        return NULL;
    /* Take in the server's new tickets as a client would. */
    uint8_t b;
    side_enter(t, SIDE_CLIENT);
    int ok = gnutls_record_recv(g->c, &b, 1) == GNUTLS_E_AGAIN && gnutls_session_is_resumed(g->c);
    side_leave(t);
    if (!ok) {
        fprintf(stderr, "gnutls: resumption failed\n");
        gpair_close(g, t);
        return NULL;
    }
    return g;
}

static int gpair_transfer(void *p, const uint8_t *src, size_t wlen, size_t total,
                          bench_times *t)
{
    gpair *g = p;
    static uint8_t rbuf[16384];
    size_t per_batch = 65536 / wlen ? 65536 / wlen : 1;
    size_t sent = 0, got = 0;
    int ok = 1;
    while (ok && sent < total) {
        side_enter(t, SIDE_CLIENT);
        for (size_t i = 0; ok && i < per_batch && sent < total; i++) {
            size_t n = total - sent < wlen ? total - sent : wlen;
            ok = gnutls_record_send(g->c, src, n) == (ssize_t)n;
            sent += n;
        }
        side_leave(t);

        side_enter(t, SIDE_SERVER);
        while (ok && got < sent) {
            ssize_t r = gnutls_record_recv(g->s, rbuf, sizeof rbuf);
            if (r <= 0) {
                ok = 0;
                break;
            }
            if (got == 0) { /* spot-check the stream's first bytes, untimed */
                side_leave(t);
                ok = memcmp(rbuf, src, (size_t)r < wlen ? (size_t)r : wlen) == 0;
                side_enter(t, SIDE_SERVER);
            }
            got += (size_t)r;
        }
        side_leave(t);
    }
    return ok && got == total;
}

static void gpair_describe(void *p, char *buf, size_t cap)
{
    gpair *g = p;
    const char *group = gnutls_group_get_name(gnutls_group_get(g->c));
    const char *sig = gnutls_sign_get_name(gnutls_sign_algorithm_get(g->c));
    snprintf(buf, cap, "%s %s %s %s", gnutls_protocol_get_name(gnutls_protocol_get_version(g->c)),
             gnutls_cipher_get_name(gnutls_cipher_get(g->c)), group ? group : "?",
             sig ? sig : "?");
}

const bench_lib bench_lib_gnutls = {
    .name = "gnutls",
    .ctx_new = gctx_new,
    .ctx_free = gctx_free,
    .connect = gpair_connect,
    .resume = gpair_resume,
    .transfer = gpair_transfer,
    .close = gpair_close,
    .describe = gpair_describe,
};
