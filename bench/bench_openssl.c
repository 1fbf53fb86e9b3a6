/* The OpenSSL (libssl) adapter: a client SSL and a server SSL joined by a
 * BIO pair, driven with SSL_do_handshake / SSL_write / SSL_read. The BIO
 * pair is the transport (like a socket's kernel buffers): it is made and
 * freed outside the timed calls and its buffers are charged to no side. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "bench.h"

/* Holds one 64 KiB batch of records (bulk) with room to spare, and stays
 * under glibc's mmap threshold so pairs reuse heap memory. */
#define PAIR_BUF (96 * 1024)

typedef struct {
    SSL_CTX *client, *server;
    SSL_SESSION *session; /* for resumption */
} octx;

typedef struct {
    SSL *c, *s;
} opair;

static const char *const suites13[SUITE_KINDS] = {
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"};
static const char *const suites12[CERT_KINDS][SUITE_KINDS] = {
    {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
     "ECDHE-ECDSA-CHACHA20-POLY1305"},
    {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
     "ECDHE-RSA-CHACHA20-POLY1305"}};

const char *bench_openssl_version(void) { return OpenSSL_version(OPENSSL_VERSION); }

static int common_setup(SSL_CTX *ctx, const bench_setup *s)
{
    int v = s->tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    int ok = SSL_CTX_set_min_proto_version(ctx, v) == 1 &&
             SSL_CTX_set_max_proto_version(ctx, v) == 1 &&
             /* TLS 1.2 also needs the certificate's curve listed (RFC 8422);
              * x25519 stays first, so it is the one used. */
             SSL_CTX_set1_groups_list(ctx, s->tls12 ? "X25519:P-256" : "X25519") == 1;
    if (s->tls12)
        ok = ok && SSL_CTX_set_cipher_list(ctx, suites12[s->cert][s->suite]) == 1;
    else
        ok = ok && SSL_CTX_set_ciphersuites(ctx, suites13[s->suite]) == 1;
    if (!s->tickets) {
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
        ok = ok && SSL_CTX_set_num_tickets(ctx, 0) == 1;
    }
    /* No session cache: full handshakes keep nothing; resumption uses the
     * stateless tickets and a session the client holds explicitly. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    return ok;
}

static void octx_free(void *p)
{
    octx *x = p;
    if (!x)
        return;
    SSL_SESSION_free(x->session);
    SSL_CTX_free(x->client);
    SSL_CTX_free(x->server);
    free(x);
}

static void opair_close(void *p, bench_times *t);
static void *opair_connect(void *ctx, bench_times *t);

/* One full handshake with tickets on, then a client read that takes in the
 * NewSessionTicket (TLS 1.3 sends it after the handshake). */
static int prime_session(octx *x)
{
    bench_times t = {0};
    opair *p = opair_connect(x, &t);
    if (!p)
        return 0;
    uint8_t b;
    int r = SSL_read(p->c, &b, 1);
    int ok = r < 0 && SSL_get_error(p->c, r) == SSL_ERROR_WANT_READ;
    x->session = SSL_get1_session(p->c);
    ok = ok && x->session && SSL_SESSION_is_resumable(x->session);
    opair_close(p, &t);
    return ok;
}

static void *octx_new(const bench_setup *s)
{
    if (s->hybrid)
        return NULL; /* no ML-KEM hybrid in this library version */
    octx *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->client = SSL_CTX_new(TLS_client_method());
    x->server = SSL_CTX_new(TLS_server_method());
    int ok = x->client && x->server && common_setup(x->client, s) &&
             common_setup(x->server, s) &&
             SSL_CTX_load_verify_locations(x->client, s->pki->ca[s->cert], NULL) == 1 &&
             SSL_CTX_use_certificate_chain_file(x->server, s->pki->chain[s->cert]) == 1 &&
             SSL_CTX_use_PrivateKey_file(x->server, s->pki->key[s->cert], SSL_FILETYPE_PEM) == 1 &&
             SSL_CTX_check_private_key(x->server) == 1;
    if (ok)
        SSL_CTX_set_verify(x->client, SSL_VERIFY_PEER, NULL);
    if (ok && s->tickets)
        ok = prime_session(x);
    if (!ok) {
        fprintf(stderr, "openssl: configuration failed\n");
        ERR_print_errors_fp(stderr);
        octx_free(x);
        return NULL;
    }
    return x;
}

static void opair_close(void *p, bench_times *t)
{
    opair *o = p;
    if (!o)
        return;
    side_enter(t, SIDE_CLIENT);
    /* Freed without a close_notify exchange: mark the connection as shut
     * down, or SSL_free takes the session for a failed one and makes it
     * unresumable (the session the resumption measure reuses). */
    if (o->c)
        SSL_set_shutdown(o->c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_free(o->c);
    side_leave(t);
    side_enter(t, SIDE_SERVER);
    SSL_free(o->s);
    side_leave(t);
    free(o);
}

/* Step one side's handshake; 1 when done, 0 when waiting, -1 on error. */
static int step(SSL *ssl, int side, bench_times *t)
{
    side_enter(t, side);
    int r = SSL_do_handshake(ssl);
    int e = r == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl, r);
    side_leave(t);
    if (r == 1)
        return 1;
    return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE ? 0 : -1;
}

static opair *opair_start(octx *x, SSL_SESSION *session, bench_times *t)
{
    opair *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    BIO *bc = NULL, *bs = NULL;
    if (BIO_new_bio_pair(&bc, PAIR_BUF, &bs, PAIR_BUF) != 1) { /* transport: untimed */
        free(o);
        return NULL;
    }
    side_enter(t, SIDE_CLIENT);
    o->c = SSL_new(x->client);
    int ok = o->c && SSL_set1_host(o->c, BENCH_HOST) == 1 &&
             SSL_set_tlsext_host_name(o->c, BENCH_HOST) == 1 &&
             (!session || SSL_set_session(o->c, session) == 1);
    if (o->c) {
        SSL_set_connect_state(o->c);
        SSL_set_bio(o->c, bc, bc);
        bc = NULL;
    }
    side_leave(t);
    side_enter(t, SIDE_SERVER);
    o->s = SSL_new(x->server);
    if (o->s) {
        SSL_set_accept_state(o->s);
        SSL_set_bio(o->s, bs, bs);
        bs = NULL;
    }
    side_leave(t);
    BIO_free(bc);
    BIO_free(bs);
    ok = ok && o->s;
    int cdone = 0, sdone = 0;
    for (int round = 0; ok && round < 16 && !(cdone && sdone); round++) {
        int rc = cdone ? 1 : step(o->c, SIDE_CLIENT, t);
        int rs = sdone ? 1 : step(o->s, SIDE_SERVER, t);
        ok = rc >= 0 && rs >= 0;
        cdone = rc == 1;
        sdone = rs == 1;
    }
    if (!ok || !cdone || !sdone) {
        fprintf(stderr, "openssl: handshake failed\n");
        ERR_print_errors_fp(stderr);
        opair_close(o, t);
        return NULL;
    }
    return o;
}

static void *opair_connect(void *ctx, bench_times *t) { return opair_start(ctx, NULL, t); }

static void *opair_resume(void *ctx, bench_times *t)
{
    octx *x = ctx;
    opair *o = opair_start(x, x->session, t);
    if (!o)
        return NULL;
    /* Take in the server's new tickets as a client would (TLS 1.3 sends
     * them after the handshake; TLS 1.2 inside it, so this is a no-op). */
    uint8_t b;
    side_enter(t, SIDE_CLIENT);
    int r = SSL_read(o->c, &b, 1);
    int e = SSL_get_error(o->c, r);
    int ok = r < 0 && e == SSL_ERROR_WANT_READ && SSL_session_reused(o->c);
    side_leave(t);
    if (!ok) {
        fprintf(stderr, "openssl: resumption failed (read %d, error %d, reused %d)\n", r, e,
                SSL_session_reused(o->c));
        opair_close(o, t);
        return NULL;
    }
    return o;
}

static int opair_transfer(void *p, const uint8_t *src, size_t wlen, size_t total,
                          bench_times *t)
{
    opair *o = p;
    static uint8_t rbuf[16384];
    size_t per_batch = 65536 / wlen ? 65536 / wlen : 1;
    size_t sent = 0, got = 0;
    int ok = 1;
    while (ok && sent < total) {
        side_enter(t, SIDE_CLIENT);
        for (size_t i = 0; ok && i < per_batch && sent < total; i++) {
            int n = (int)(total - sent < wlen ? total - sent : wlen);
            ok = SSL_write(o->c, src, n) == n;
            sent += (size_t)n;
        }
        side_leave(t);

        side_enter(t, SIDE_SERVER);
        while (ok && got < sent) {
            int r = SSL_read(o->s, rbuf, (int)sizeof rbuf);
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

static void opair_describe(void *p, char *buf, size_t cap)
{
    opair *o = p;
    int type = NID_undef, hash = NID_undef;
    SSL_get_peer_signature_type_nid(o->c, &type);
    SSL_get_peer_signature_nid(o->c, &hash);
    const char *group = SSL_group_to_name(o->s, SSL_get_negotiated_group(o->s));
    snprintf(buf, cap, "%s %s %s %s+%s", SSL_get_version(o->c), SSL_get_cipher_name(o->c),
             group ? group : "?", OBJ_nid2sn(type), OBJ_nid2sn(hash));
}

const bench_lib bench_lib_openssl = {
    .name = "openssl",
    .ctx_new = octx_new,
    .ctx_free = octx_free,
    .connect = opair_connect,
    .resume = opair_resume,
    .transfer = opair_transfer,
    .close = opair_close,
    .describe = opair_describe,
};
