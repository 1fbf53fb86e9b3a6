/* ward tunnel: one ward_config per service, from what the file or the flags
 * said. What parsing cannot check is checked here: files readable (each
 * named with the key that gave it and the system's reason), certificates
 * matching their keys, addresses resolving. One ward_config serves every
 * worker thread, so the session ticket key (random unless ticket-keys is
 * given) is shared by all of them. */
#define _GNU_SOURCE /* EAI_NODATA */
#include "tunnel_config_int.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
    const tunnel_config *c;
    const tunnel_service *s;
    char *err;
    size_t errcap;
} builder;

__attribute__((format(printf, 2, 3)))
static int fail(builder *b, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (b->c->path)
        snprintf(b->err, b->errcap, "%s:%u: [%s]: %s", b->c->path, b->s->line, b->s->name, msg);
    else
        snprintf(b->err, b->errcap, "%s", msg);
    return -1;
}

/* "cert" in the file, "--cert" for the flags. */
static const char *kn(const builder *b, const char *key, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%s", b->c->path ? "" : "--", key);
    return buf;
}

/* Open the file to learn now, with the system's reason, what the library
 * would only call unreadable. */
static int readable(builder *b, const char *key, const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        char k[40];
        return fail(b, "%s %s: cannot read: %s", kn(b, key, k, sizeof k), path, strerror(errno));
    }
    close(fd);
    return 0;
}

static int resolves(builder *b, const char *key, const char *addr, int passive)
{
    char host[256], port[8], msg[256], k[40];
    cli_capture_begin(msg, sizeof msg);
    int rc = cli_parse_hostport("tunnel", addr, host, sizeof host, "", port, sizeof port);
    cli_capture_end();
    if (rc != 0)
        return fail(b, "%s %s: %s", kn(b, key, k, sizeof k), addr, msg);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    int g = getaddrinfo(host, port, &hints, &res);
    if (g != 0)
        return fail(b, "%s %s: cannot resolve %s: %s", kn(b, key, k, sizeof k), addr, host,
                    g == EAI_SYSTEM ? strerror(errno) : gai_strerror(g));
    freeaddrinfo(res);
    return 0;
}

static int add_identities(builder *b, ward_config *cfg)
{
    const tunnel_service *s = b->s;
    for (size_t i = 0; i < s->n_identities; i++) {
        if (readable(b, "cert", s->cert[i]) != 0 || readable(b, "key", s->key[i]) != 0)
            return -1;
        ward_err e = i == 0 ? ward_config_set_cert_files(cfg, s->cert[0], s->key[0])
                            : ward_config_add_cert_files(cfg, s->cert[i], s->key[i]);
        if (e != WARD_OK)
            return fail(b, "cert %s / key %s: %s (a PEM chain, leaf first, and the leaf's "
                        "private key)", s->cert[i], s->key[i], (ward_config_error_message(cfg)[0] ? ward_config_error_message(cfg) : ward_err_str(e)));
    }
    ward_config_set_sni_strict(cfg, s->sni_strict);
    return 0;
}

static int server_settings(builder *b, ward_config *cfg)
{
    const tunnel_service *s = b->s;
    char k[40];
    if (add_identities(b, cfg) != 0)
        return -1;
    if (s->client_ca) {
        const char *key = s->client_verify == WARD_CLIENT_CERT_REQUIRE
                              ? "verify-client"
                              : "verify-client-optional";
        if (readable(b, key, s->client_ca) != 0)
            return -1;
        ward_err e = ward_config_set_client_verify(cfg, s->client_verify, s->client_ca);
        if (e != WARD_OK)
            return fail(b, "%s %s: %s (PEM CA certificates)", kn(b, key, k, sizeof k),
                        s->client_ca, ward_err_str(e));
    }
    if (s->ticket_keys) {
        if (readable(b, "ticket-keys", s->ticket_keys) != 0)
            return -1;
        ward_err e = ward_config_set_ticket_key_file(cfg, s->ticket_keys);
        if (e != WARD_OK)
            return fail(b, "%s %s: %s; it needs one or two lines of 96 hex digits (current "
                        "key, then previous), e.g. from `openssl rand -hex 48`",
                        kn(b, "ticket-keys", k, sizeof k), s->ticket_keys, ward_err_str(e));
    }
    return 0;
}

static int client_settings(builder *b, ward_config *cfg)
{
    const tunnel_service *s = b->s;
    char k[40];
    ward_err e;
    if (s->cafile) {
        if (readable(b, "cafile", s->cafile) != 0)
            return -1;
        if ((e = ward_config_set_cafile(cfg, s->cafile)) != WARD_OK)
            return fail(b, "%s %s: %s (PEM CA certificates)", kn(b, "cafile", k, sizeof k),
                        s->cafile, (ward_config_error_message(cfg)[0] ? ward_config_error_message(cfg) : ward_err_str(e)));
    }
    if (s->have_pin && (e = ward_config_set_pin_sha256(cfg, s->pin)) != WARD_OK)
        return fail(b, "%s: %s", kn(b, "pin", k, sizeof k), ward_err_str(e));
    return 0;
}

/* Versions, ALPN, groups, suites (cli.c, as `ward server` does), the key log. */
static int common_settings(builder *b, ward_config *cfg)
{
    const tunnel_service *s = b->s;
    char msg[512];
    uint16_t lo, hi;
    cli_capture_begin(msg, sizeof msg);
    int rc = cli_versions_settle("tunnel", &s->ver, s->have_suites ? &s->suites : NULL,
                                 s->have_groups ? &s->groups : NULL, &lo, &hi);
    if (rc == 0)
        rc = cli_config_apply_tls(cfg, &s->ver, lo, hi, &s->alpn,
                                  s->have_groups ? &s->groups : NULL,
                                  s->have_suites ? &s->suites : NULL);
    /* only the key log asked for: a daemon does not follow SSLKEYLOGFILE */
    if (rc == 0 && s->keylog)
        rc = cli_keylog_apply(cfg, s->keylog);
    cli_capture_end();
    return rc == 0 ? 0 : fail(b, "%s", msg[0] ? msg : "cannot apply the TLS settings");
}

static int build_service(const tunnel_config *c, tunnel_service *s, char *err, size_t errcap)
{
    builder b = {.c = c, .s = s, .err = err, .errcap = errcap};
    for (size_t i = 0; i < s->n_accept; i++)
        if (resolves(&b, "accept", s->accept[i], 1) != 0)
            return -1;
    if (resolves(&b, "connect", s->connect, 0) != 0)
        return -1;
    ward_config *cfg = s->mode == TUNNEL_TLS_ACCEPT ? ward_config_new_server()
                                                    : ward_config_new_client();
    if (!cfg)
        return fail(&b, "out of memory");
    if (common_settings(&b, cfg) != 0 ||
        (s->mode == TUNNEL_TLS_ACCEPT ? server_settings(&b, cfg) : client_settings(&b, cfg))) {
        ward_config_free(cfg);
        return -1;
    }
    ward_config_free(s->cfg);
    s->cfg = cfg;
    return 0;
}

int tunnel_config_build(tunnel_config *c, char *err, size_t errcap)
{
    for (size_t i = 0; i < c->n_svc; i++)
        if (build_service(c, &c->svc[i], err, errcap) != 0)
            return -1;
    return 0;
}
