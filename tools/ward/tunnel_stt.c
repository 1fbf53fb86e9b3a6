/* ward tunnel's STARTTLS adaptor: the object, phase 1 and the relay's
 * entry point (tunnel_stt.h; the relay's filters: tunnel_stt_*.c).
 *
 * Server mode fronts the line protocols the library has a server half for
 * (SMTP, LMTP, IMAP, POP3, FTP, NNTP, ManageSieve). ManageSieve: after TLS
 * the server half sends capabilities of its own (RFC 5804 §2.2); the
 * tunnel drops them and relays the backend's greeting instead (which is a
 * capability listing, STARTTLS taken out), so that the client sees the
 * backend's real SASL mechanisms and extensions.
 *
 * Client mode: the line protocols, whose server greets first (the greeting
 * is kept and replayed to the plaintext client; IMAP's with STARTTLS and
 * LOGINDISABLED taken out of its capability code, ManageSieve's the
 * capability listing sent after TLS), and the binary protocols whose
 * client speaks first and which have no greeting: PostgreSQL (the
 * plaintext client must not ask for SSL itself: sslmode=disable) and LDAP
 * (the StartTLS request was messageID 1; the client's own requests follow
 * on the same session). XMPP (the stream is restarted after TLS by the
 * client half, so a plaintext client's stream header would be a second
 * one) and MySQL (its greeting is consumed by the SSL request, and the
 * client's handshake response must carry CLIENT_SSL and sequence id 2) are
 * refused: nothing a plaintext client says could follow on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunnel_stt_int.h"

static const tstt_proto *proto_of(ward_app app)
{
    switch (app) {
    case WARD_APP_SMTP:
    case WARD_APP_LMTP:
        return &tstt_smtp;
    case WARD_APP_IMAP:
        return &tstt_imap;
    case WARD_APP_POP3:
        return &tstt_pop3;
    case WARD_APP_FTP:
        return &tstt_ftp;
    case WARD_APP_NNTP:
        return &tstt_nntp;
    case WARD_APP_SIEVE:
        return &tstt_sieve;
    default:
        return NULL;
    }
}

static int is_line_proto(ward_app app)
{
    return proto_of(app) != NULL;
}

/* Client mode: the server's lines before our first command are its
 * greeting (ManageSieve: the capabilities after TLS). */
static void capture(void *arg, int from_peer, const char *text, size_t len)
{
    tunnel_stt *s = arg;
    if (!from_peer) { /* our first command: the greeting is over */
        s->capture = 0;
        return;
    }
    if (!s->capture)
        return;
    if (s->greet_len + len + 2 > TSTT_GREET_MAX) {
        s->greet_over = 1;
        return;
    }
    if (!s->greet && !(s->greet = malloc(TSTT_GREET_MAX))) {
        s->greet_over = 1;
        return;
    }
    memcpy(s->greet + s->greet_len, text, len);
    memcpy(s->greet + s->greet_len + len, "\r\n", 2);
    s->greet_len += len + 2;
}

static tunnel_stt *create(ward_app app, int server, const char *name, char *err,
                          size_t errcap)
{
    ward_starttls_params pr = {0};
    pr.app = app;
    pr.server = server;
    if (server)
        pr.server_name = name;
    else
        pr.host = name;
    tunnel_stt *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    s->app = app;
    s->server = server;
    s->proto = proto_of(app);
    s->resp_kind = -1;
    ward_err e = ward_starttls_new(&pr, &s->d);
    if (e != WARD_OK) {
        const char *an = ward_app_name(app);
        snprintf(err, errcap, "STARTTLS %s (%s half): %s", an ? an : "?",
                 server ? "server" : "client",
                 e == WARD_ERR_CONFIG ? "no such dialogue, or a name that is not printable "
                                        "ASCII without spaces"
                                      : ward_err_str(e));
        free(s);
        return NULL;
    }
    s->state = ward_starttls_get_state(s->d);
    if (!server && is_line_proto(app)) {
        s->capture = app != WARD_APP_SIEVE;
        ward_starttls_set_log(s->d, capture, s);
    }
    return s;
}

tunnel_stt *tunnel_stt_new_server(ward_app app, const char *server_name, char *err,
                                  size_t errcap)
{
    if (!is_line_proto(app)) {
        const char *n = ward_app_name(app);
        snprintf(err, errcap,
                 "server-side STARTTLS for %s is not supported by the tunnel (it fronts smtp, "
                 "lmtp, imap, pop3, ftp, nntp and sieve)",
                 n ? n : "this protocol");
        return NULL;
    }
    return create(app, 1, server_name, err, errcap);
}

tunnel_stt *tunnel_stt_new_client(ward_app app, const char *host, char *err, size_t errcap)
{
    if (!is_line_proto(app) && app != WARD_APP_POSTGRES && app != WARD_APP_LDAP) {
        const char *n = ward_app_name(app);
        snprintf(err, errcap,
                 "client-side STARTTLS for %s is not supported by the tunnel: after the "
                 "upgrade a plaintext client could not go on where the dialogue left off "
                 "(supported: smtp, lmtp, imap, pop3, ftp, nntp, sieve, postgres, ldap)",
                 n ? n : "this protocol");
        return NULL;
    }
    return create(app, 0, host, err, errcap);
}

void tunnel_stt_free(tunnel_stt *s)
{
    if (!s)
        return;
    ward_starttls_free(s->d);
    free(s->greet);
    free(s->held);
    free(s->q.r);
    tunnel_buf_free(&s->early);
    for (int i = 0; i < 2; i++)
        free(s->dir[i].part);
    free(s);
}

/* ---- phase 1 ---- */

ward_err tunnel_stt_recv(tunnel_stt *s, const uint8_t *p, size_t n)
{
    if (!s->d)
        return WARD_ERR_STATE;
    ward_err e = ward_starttls_recv(s->d, p, n);
    s->state = ward_starttls_get_state(s->d);
    return e;
}

size_t tunnel_stt_output(tunnel_stt *s, const uint8_t **p)
{
    if (!s->d) {
        *p = NULL;
        return 0;
    }
    return ward_starttls_output(s->d, p);
}

void tunnel_stt_output_done(tunnel_stt *s, size_t n)
{
    if (s->d)
        ward_starttls_output_done(s->d, n);
}

ward_starttls_state tunnel_stt_state(const tunnel_stt *s)
{
    if (s->failed)
        return WARD_STARTTLS_FAILED;
    return s->d ? ward_starttls_get_state(s->d) : s->state;
}

ward_err tunnel_stt_secured(tunnel_stt *s)
{
    if (!s->d)
        return WARD_ERR_STATE;
    if (!s->server && s->app == WARD_APP_SIEVE) { /* the greeting that counts */
        s->greet_len = 0;
        s->capture = 1;
    }
    ward_err e = ward_starttls_secured(s->d);
    s->state = ward_starttls_get_state(s->d);
    if (e == WARD_OK && s->server && s->app == WARD_APP_SIEVE) {
        const uint8_t *p; /* the backend's capabilities are relayed instead */
        ward_starttls_output_done(s->d, ward_starttls_output(s->d, &p));
    }
    return e;
}

const char *tunnel_stt_error_message(const tunnel_stt *s)
{
    if (s->msg[0])
        return s->msg;
    return s->d ? ward_starttls_error_message(s->d) : "";
}

/* ---- phase 2 ---- */

int tunnel_stt_start_relay(tunnel_stt *s, tunnel_buf *to_client)
{
    if (s->relaying)
        return 0;
    if (tunnel_stt_state(s) != WARD_STARTTLS_DONE)
        return tstt_fail(s, "the STARTTLS dialogue is not over");
    const uint8_t *p;
    size_t n = ward_starttls_output(s->d, &p);
    if (s->server && n > 0 && tunnel_buf_append(to_client, p, n) < 0)
        return tstt_fail(s, "out of memory");
    if (!s->server) {
        if (s->greet_over)
            return tstt_fail(s, "the server's greeting is longer than %d bytes",
                             TSTT_GREET_MAX);
        if (s->app == WARD_APP_IMAP && s->greet_len > 0)
            s->greet_len = tstt_imap_rewrite(s->greet, s->greet_len, s->greet);
        if (s->greet_len > 0 && tunnel_buf_append(to_client, s->greet, s->greet_len) < 0)
            return tstt_fail(s, "out of memory");
        free(s->greet);
        s->greet = NULL;
        s->greet_len = 0;
        s->passthru[0] = s->passthru[1] = 1;
    }
    ward_starttls_free(s->d); /* about 27 KB a connection no longer needs */
    s->d = NULL;
    s->state = WARD_STARTTLS_DONE;
    s->relaying = 1;
    return 0;
}

/* Server mode: the client's bytes wait for the backend's greeting, so that
 * the backend sees an ordinary session (a server may refuse a client that
 * talks first: Postfix's smtpd_forbid_unauth_pipelining), and none reach a
 * backend that greets with a refusal. Once it has greeted, they go to it
 * as the answer to its greeting (*back of FROM_BACKEND), filtered as ever,
 * and what the tunnel answers them goes to the client (*fwd). */
static int relay(tunnel_stt *s, int dir, const uint8_t *in, size_t n, tunnel_buf *fwd,
                 tunnel_buf *back)
{
    if (s->server && !s->greeted && dir == TUNNEL_FROM_CLIENT) {
        if (tunnel_buf_unread(&s->early) + n > TSTT_EARLY_MAX)
            return tstt_fail(s, "the client sent more than %d bytes before the backend's "
                                "greeting", TSTT_EARLY_MAX);
        return tunnel_buf_append(&s->early, in, n) < 0 ? tstt_fail(s, "out of memory") : 0;
    }
    return tstt_scan_run(s, dir, in, n, fwd, back);
}

int tstt_release_early(tunnel_stt *s, tunnel_buf *to_client, tunnel_buf *to_backend)
{
    tunnel_buf early = s->early;
    memset(&s->early, 0, sizeof s->early);
    int r = tstt_scan_run(s, TUNNEL_FROM_CLIENT, early.p + early.off, tunnel_buf_unread(&early),
                          to_backend, to_client);
    tunnel_buf_free(&early);
    return r;
}

int tunnel_stt_filter(tunnel_stt *s, int dir, const uint8_t *in, size_t n, tunnel_buf *fwd,
                      tunnel_buf *back)
{
    if (s->failed)
        return -1;
    if (!s->relaying)
        return tstt_fail(s, "the relay has not started");
    if (dir != TUNNEL_FROM_CLIENT && dir != TUNNEL_FROM_BACKEND)
        return tstt_fail(s, "no such direction");
    if (n == 0)
        return 0;
    tstt_dir *d = &s->dir[dir];
    if (s->passthru[dir] && d->part_len > 0) { /* a line held before the switch */
        int r = tunnel_buf_append(fwd, d->part, d->part_len);
        free(d->part);
        d->part = NULL;
        d->part_len = 0;
        if (r < 0)
            return tstt_fail(s, "out of memory");
    }
    if (s->passthru[dir])
        return tunnel_buf_append(fwd, in, n) < 0 ? tstt_fail(s, "out of memory") : 0;
    return relay(s, dir, in, n, fwd, back);
}
