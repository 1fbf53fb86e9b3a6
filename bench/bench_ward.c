/* The ward adapter: two sans-I/O engines, bytes handed from one to the
 * other through ward_conn_output / ward_conn_recv / ward_conn_output_done
 * (no transport buffer in between: the receiver copies straight out of the
 * sender's output view). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "ward/ward.h"

typedef struct {
    ward_config *client, *server;
    ward_session *session; /* for resumption */
} wctx;

typedef struct {
    ward_conn *c, *s;
} wpair;

static const uint16_t suites13[SUITE_KINDS] = {WARD_TLS_AES_128_GCM_SHA256,
                                               WARD_TLS_AES_256_GCM_SHA384,
                                               WARD_TLS_CHACHA20_POLY1305_SHA256};
static const uint16_t suites12[CERT_KINDS][SUITE_KINDS] = {
    {WARD_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, WARD_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
     WARD_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
    {WARD_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, WARD_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
     WARD_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}};

static void wctx_free(void *p)
{
    wctx *x = p;
    if (!x)
        return;
    ward_session_free(x->session);
    ward_config_free(x->client);
    ward_config_free(x->server);
    free(x);
}

/* The same settings on both ends: one version, one suite, x25519 (TLS 1.2
 * also lists P-256, the certificate's curve, as the others need it). */
static int common_setup(ward_config *cfg, const bench_setup *s)
{
    const uint16_t v = s->tls12 ? WARD_TLS12 : WARD_TLS13;
    const uint16_t suite = s->tls12 ? suites12[s->cert][s->suite] : suites13[s->suite];
    const uint16_t groups[2] = {WARD_GROUP_X25519, WARD_GROUP_SECP256R1};
    const uint16_t hybrid = WARD_GROUP_X25519MLKEM768;
    return ward_config_set_versions(cfg, v, v) == WARD_OK &&
           ward_config_set_suites(cfg, &suite, 1) == WARD_OK &&
           (s->hybrid ? ward_config_set_groups(cfg, &hybrid, 1)
                      : ward_config_set_groups(cfg, groups, s->tls12 ? 2 : 1)) == WARD_OK;
}

static void *wpair_connect(void *ctx, bench_times *t);
static void wpair_close(void *p, bench_times *t);

static void keep_session(void *arg, const ward_session *s)
{
    wctx *x = arg;
    ward_session_free(x->session);
    x->session = ward_session_dup(s);
}

/* A full handshake with tickets on; the client takes in the tickets (TLS
 * 1.3 sends them after the handshake) and keeps the newest session. */
static int prime_session(wctx *x)
{
    bench_times t = {0};
    ward_config_set_session_callback(x->client, keep_session, x);
    wpair *p = wpair_connect(x, &t);
    uint8_t b;
    size_t n;
    int ok = p && ward_conn_read(p->c, &b, 0, &n) == WARD_OK;
    wpair_close(p, &t);
    ward_config_set_session_callback(x->client, NULL, NULL);
    return ok && x->session;
}

static void *wctx_new(const bench_setup *s)
{
    wctx *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->client = ward_config_new_client();
    x->server = ward_config_new_server();
    int ok = x->client && x->server && common_setup(x->client, s) &&
             common_setup(x->server, s) &&
             ward_config_set_cafile(x->client, s->pki->ca[s->cert]) == WARD_OK &&
             ward_config_set_cert_files(x->server, s->pki->chain[s->cert],
                                        s->pki->key[s->cert]) == WARD_OK;
    /* Tickets off: no NewSessionTicket and no session-ID cache, as for
     * the others; on: a session primed here, reused by every resumption. */
    if (ok && !s->tickets)
        ok = ward_config_set_tickets(x->server, 0, 7200) == WARD_OK &&
             ward_config_set_session_cache(x->server, 0) == WARD_OK;
    if (ok && s->tickets)
        ok = prime_session(x);
    if (!ok) {
        fprintf(stderr, "ward: configuration failed\n");
        wctx_free(x);
        return NULL;
    }
    return x;
}

/* Move what `from` has to say into `to`; returns the byte count, or -1
 * when the receiver failed. */
static long move(ward_conn *from, int fside, ward_conn *to, int tside, bench_times *t)
{
    size_t len;
    side_enter(t, fside);
    const uint8_t *d = ward_conn_output(from, &len);
    side_leave(t);
    if (len == 0)
        return 0;
    side_enter(t, tside);
    ward_err e = ward_conn_recv(to, d, len);
    side_leave(t);
    side_enter(t, fside);
    ward_conn_output_done(from, len);
    side_leave(t);
    return e == WARD_OK ? (long)len : -1;
}

static void wpair_close(void *p, bench_times *t)
{
    wpair *w = p;
    if (!w)
        return;
    side_enter(t, SIDE_CLIENT);
    ward_conn_free(w->c);
    side_leave(t);
    side_enter(t, SIDE_SERVER);
    ward_conn_free(w->s);
    side_leave(t);
    free(w);
}

static void *wpair_start(wctx *x, const ward_session *session, bench_times *t)
{
    wpair *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    side_enter(t, SIDE_CLIENT);
    /* builds the ClientHello */
    w->c = ward_conn_new_resuming(x->client, BENCH_HOST, session, NULL, 0);
    side_leave(t);
    side_enter(t, SIDE_SERVER);
    w->s = ward_conn_new(x->server, NULL);
    side_leave(t);
    int ok = w->c && w->s;
    for (int round = 0; ok && round < 16; round++) {
        long a = move(w->c, SIDE_CLIENT, w->s, SIDE_SERVER, t);
        long b = move(w->s, SIDE_SERVER, w->c, SIDE_CLIENT, t);
        ok = a >= 0 && b >= 0;
        if (a == 0 && b == 0)
            break;
    }
    ok = ok && ward_conn_state(w->c) == WARD_STATE_ESTABLISHED &&
         ward_conn_state(w->s) == WARD_STATE_ESTABLISHED &&
         ward_conn_resumed(w->c) == (session != NULL) && ward_conn_resumed(w->s) == (session != NULL);
    if (!ok) {
        fprintf(stderr, "ward: handshake failed: client: %s / server: %s\n",
                w->c ? ward_conn_error_message(w->c) : "-",
                w->s ? ward_conn_error_message(w->s) : "-");
        wpair_close(w, t);
        return NULL;
    }
    return w;
}

static void *wpair_connect(void *ctx, bench_times *t) { return wpair_start(ctx, NULL, t); }

/* Resume the primed session; the client takes in the server's new ticket
 * as a client would (TLS 1.3: after the handshake, already moved). */
static void *wpair_resume(void *ctx, bench_times *t)
{
    wctx *x = ctx;
    return wpair_start(x, x->session, t);
}

static int wpair_transfer(void *p, const uint8_t *src, size_t wlen, size_t total,
                          bench_times *t)
{
    wpair *w = p;
    size_t per_batch = 65536 / wlen ? 65536 / wlen : 1;
    size_t sent = 0, got = 0;
    int ok = 1;
    while (ok && sent < total) {
        side_enter(t, SIDE_CLIENT);
        for (size_t i = 0; ok && i < per_batch && sent < total; i++) {
            size_t n = total - sent < wlen ? total - sent : wlen;
            ok = ward_conn_write(w->c, src, n) == WARD_OK;
            sent += n;
        }
        size_t len;
        const uint8_t *d = ward_conn_output(w->c, &len);
        side_leave(t);

        side_enter(t, SIDE_SERVER);
        ok = ok && ward_conn_recv(w->s, d, len) == WARD_OK;
        /* The plaintext in place (ward_conn_read_view): the application
         * uses it where it lies, so no copy is made. ward_conn_read would
         * add one memcpy per record. */
        size_t n = 0;
        const uint8_t *v = ok ? ward_conn_read_view(w->s, &n) : NULL;
        while (ok && n > 0) {
            if (got == 0) { /* spot-check the stream's first bytes, untimed */
                side_leave(t);
                ok = memcmp(v, src, n < wlen ? n : wlen) == 0;
                side_enter(t, SIDE_SERVER);
            }
            got += n;
            ward_conn_read_done(w->s, n);
            v = ward_conn_read_view(w->s, &n);
        }
        side_leave(t);

        side_enter(t, SIDE_CLIENT);
        ward_conn_output_done(w->c, len);
        side_leave(t);
    }
    return ok && got == total;
}

static void wpair_describe(void *p, char *buf, size_t cap)
{
    wpair *w = p;
    uint16_t v = ward_conn_version(w->c);
    snprintf(buf, cap, "%s %s %s %s",
             v == WARD_TLS13   ? "TLSv1.3"
             : v == WARD_TLS12 ? "TLSv1.2"
                               : "?",
             ward_suite_name(ward_conn_suite(w->c)), ward_group_name(ward_conn_group(w->c)),
             ward_sigscheme_name(ward_conn_sigscheme(w->c)));
}

const bench_lib bench_lib_ward = {
    .name = "ward",
    .ctx_new = wctx_new,
    .ctx_free = wctx_free,
    .connect = wpair_connect,
    .resume = wpair_resume,
    .transfer = wpair_transfer,
    .close = wpair_close,
    .describe = wpair_describe,
};
