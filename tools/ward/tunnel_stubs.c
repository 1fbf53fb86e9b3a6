/* Stand-ins until the branches s3-tcfg (tunnel_config.c) and s3-tstt
 * (tunnel_stt.c) land: the one-service flags without the file, and no
 * STARTTLS. Deleted once the real modules are merged. */
#include "tunnel.h"
#include "tunnel_stt.h"

#include <stdlib.h>
#include <string.h>

const char tunnel_config_help[] = "  (the options are documented once tunnel_config.c lands)\n";

int tunnel_config_load(const char *path, tunnel_config *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    snprintf(err, errcap, "%s: configuration files are not supported yet", path);
    return -1;
}

static int dup_to(char **dst, const char *v)
{
    free(*dst);
    *dst = strdup(v);
    return *dst ? 0 : -1;
}

static int stub_opt(int argc, char **argv, int *i, tunnel_service *s, char *err, size_t errcap)
{
    static const char *cmd = "tunnel";
    const char *v;
    int bad = 0;
    unsigned long u;
    if ((v = cli_opt_value(cmd, argc, argv, i, "--accept", NULL, &bad))) {
        if (s->n_accept >= TUNNEL_MAX_ACCEPT)
            return -1;
        return dup_to(&s->accept[s->n_accept++], v);
    }
    if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--connect", NULL, &bad)))
        return dup_to(&s->connect, v);
    if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--cert", NULL, &bad))) {
        if (s->n_identities >= TUNNEL_MAX_IDENTITIES)
            return -1;
        return dup_to(&s->cert[s->n_identities], v);
    }
    if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--key", NULL, &bad))) {
        if (s->n_identities >= TUNNEL_MAX_IDENTITIES)
            return -1;
        return dup_to(&s->key[s->n_identities++], v);
    }
    if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--cafile", NULL, &bad)))
        return dup_to(&s->cafile, v);
    if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--servername", NULL, &bad)))
        return dup_to(&s->servername, v);
    if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--starttls", NULL, &bad))) {
        s->starttls = ward_app_from_name(v);
        return s->starttls == WARD_APP_NONE ? -1 : 0;
    }
    if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--handshake-timeout", NULL, &bad)))
        return cli_parse_uint(cmd, "--handshake-timeout", v, 86400, &s->handshake_timeout_s);
    if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--idle-timeout", NULL, &bad)))
        return cli_parse_uint(cmd, "--idle-timeout", v, 86400 * 7, &s->idle_timeout_s);
    if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--max-connections", NULL, &bad)))
        return cli_parse_uint(cmd, "--max-connections", v, 10000000, &s->max_connections);
    if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--pin", NULL, &bad))) {
        s->have_pin = 1;
        return cli_parse_pin(cmd, v, s->pin);
    }
    if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--alpn", NULL, &bad)))
        return cli_parse_alpn(cmd, v, &s->alpn);
    if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--workers", NULL, &bad)))
        return cli_parse_uint(cmd, "--workers", v, 1024, &u);
    if (bad)
        return -1;
    if (cli_opt_flag(argv[*i], "--tls-accept", NULL)) {
        s->mode = TUNNEL_TLS_ACCEPT;
        return 0;
    }
    if (cli_opt_flag(argv[*i], "--tls-connect", NULL)) {
        s->mode = TUNNEL_TLS_CONNECT;
        return 0;
    }
    if (cli_opt_flag(argv[*i], "--quiet", "-q")) {
        cli_quiet = 1;
        return 0;
    }
    snprintf(err, errcap, "unknown option '%s'", argv[*i]);
    return -1;
}

int tunnel_config_from_args(int argc, char **argv, tunnel_config *out, char *err,
                            size_t errcap)
{
    memset(out, 0, sizeof *out);
    tunnel_service *s = &out->svc[0];
    out->n_svc = 1;
    snprintf(s->name, sizeof s->name, "tunnel");
    s->handshake_timeout_s = 10;
    s->idle_timeout_s = 300;
    s->max_connections = 10000;
    err[0] = 0;
    for (int i = 0; i < argc; i++) {
        if (stub_opt(argc, argv, &i, s, err, errcap) != 0) {
            if (!err[0])
                snprintf(err, errcap, "bad option '%s'", argv[i]);
            return -1;
        }
    }
    if (!s->n_accept || !s->connect || !s->mode) {
        snprintf(err, errcap, "--accept, --connect and --tls-accept or --tls-connect are needed");
        return -1;
    }
    return 0;
}

int tunnel_config_build(tunnel_config *c, char *err, size_t errcap)
{
    for (size_t k = 0; k < c->n_svc; k++) {
        tunnel_service *s = &c->svc[k];
        ward_err e = WARD_OK;
        if (s->mode == TUNNEL_TLS_ACCEPT) {
            s->cfg = ward_config_new_server();
            if (!s->cfg || s->n_identities == 0) {
                snprintf(err, errcap, "%s: --cert/--key needed", s->name);
                return -1;
            }
            e = ward_config_set_cert_files(s->cfg, s->cert[0], s->key[0]);
            for (size_t i = 1; e == WARD_OK && i < s->n_identities; i++)
                e = ward_config_add_cert_files(s->cfg, s->cert[i], s->key[i]);
        } else {
            s->cfg = ward_config_new_client();
            if (!s->cfg)
                return -1;
            if (s->have_pin)
                e = ward_config_set_pin_sha256(s->cfg, s->pin);
            else
                e = ward_config_set_cafile(s->cfg, s->cafile);
        }
        if (e == WARD_OK && s->alpn.n)
            e = ward_config_set_alpn(s->cfg, (const char *const *)s->alpn.v, s->alpn.n);
        if (e != WARD_OK) {
            snprintf(err, errcap, "%s: %s", s->name, ward_err_str(e));
            return -1;
        }
    }
    return 0;
}

void tunnel_config_free(tunnel_config *c)
{
    for (size_t k = 0; k < c->n_svc; k++) {
        tunnel_service *s = &c->svc[k];
        for (size_t i = 0; i < s->n_accept; i++)
            free(s->accept[i]);
        for (size_t i = 0; i < TUNNEL_MAX_IDENTITIES; i++) {
            free(s->cert[i]);
            free(s->key[i]);
        }
        free(s->connect);
        free(s->cafile);
        free(s->servername);
        free(s->client_ca);
        free(s->ticket_keys);
        free(s->server_name);
        free(s->keylog);
        cli_str_list_free(&s->alpn);
        ward_config_free(s->cfg);
    }
    free(c->path);
    memset(c, 0, sizeof *c);
}

/* ---- STARTTLS: not available until tunnel_stt.c lands ---- */
int tunnel_buf_append(tunnel_buf *b, const uint8_t *p, size_t n)
{
    if (b->off == b->len)
        b->off = b->len = 0;
    if (b->cap - b->len < n) {
        if (b->off) {
            memmove(b->p, b->p + b->off, b->len - b->off);
            b->len -= b->off;
            b->off = 0;
        }
        if (b->cap - b->len < n) {
            size_t nc = b->len + n < 4096 ? 4096 : (b->len + n) * 2;
            uint8_t *np = realloc(b->p, nc);
            if (!np)
                return -1;
            b->p = np;
            b->cap = nc;
        }
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return 0;
}

void tunnel_buf_consume(tunnel_buf *b, size_t n)
{
    b->off += n;
    if (b->off >= b->len)
        b->off = b->len = 0;
}

size_t tunnel_buf_unread(const tunnel_buf *b) { return b->len - b->off; }

void tunnel_buf_free(tunnel_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

tunnel_stt *tunnel_stt_new_server(ward_app app, const char *server_name, char *err,
                                  size_t errcap)
{
    (void)app;
    (void)server_name;
    snprintf(err, errcap, "STARTTLS is not available yet");
    return NULL;
}

tunnel_stt *tunnel_stt_new_client(ward_app app, const char *host, char *err, size_t errcap)
{
    return tunnel_stt_new_server(app, host, err, errcap);
}

void tunnel_stt_free(tunnel_stt *s) { (void)s; }
ward_err tunnel_stt_recv(tunnel_stt *s, const uint8_t *p, size_t n)
{
    (void)s, (void)p, (void)n;
    return WARD_ERR_STATE;
}
size_t tunnel_stt_output(tunnel_stt *s, const uint8_t **p)
{
    (void)s;
    *p = NULL;
    return 0;
}
void tunnel_stt_output_done(tunnel_stt *s, size_t n) { (void)s, (void)n; }
ward_starttls_state tunnel_stt_state(const tunnel_stt *s)
{
    (void)s;
    return WARD_STARTTLS_FAILED;
}
ward_err tunnel_stt_secured(tunnel_stt *s)
{
    (void)s;
    return WARD_ERR_STATE;
}
const char *tunnel_stt_error_message(const tunnel_stt *s)
{
    (void)s;
    return "STARTTLS is not available yet";
}
int tunnel_stt_start_relay(tunnel_stt *s, tunnel_buf *to_client)
{
    (void)s, (void)to_client;
    return 0;
}
int tunnel_stt_filter(tunnel_stt *s, int dir, const uint8_t *in, size_t n, tunnel_buf *fwd,
                      tunnel_buf *back)
{
    (void)s, (void)dir, (void)back;
    return tunnel_buf_append(fwd, in, n);
}
