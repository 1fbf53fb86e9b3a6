/* ward tunnel: TLS in front of a plaintext service (server mode), or a
 * plaintext client in front of a TLS service (client mode), optionally with
 * a STARTTLS dialogue on the TLS side. The pieces, a file each:
 *
 *   tunnel_config.c  the configuration: an ini-like file (one [section] per
 *                    service, the same names as the command-line flags) or
 *                    the one-service flags; errors name file, line, problem;
 *                    builds one ward_config per service.
 *   tunnel_stt.c     the STARTTLS adaptor (sans-I/O): the server half of the
 *                    dialogue towards the client, the backend's greeting
 *                    swallowed and its capability lines rewritten (server
 *                    mode); the client half towards the server and a greeting
 *                    for the plaintext client (client mode).
 *   tunnel.c         `ward tunnel`: the workers (threads), each one epoll loop
 *                    driving the engine; relay with back-pressure, half-close,
 *                    timeouts, limits, one log line per connection, SIGTERM
 *                    drains, SIGHUP reloads.
 *
 * The tool uses the public API only (<ward/ward.h>, <ward/starttls.h>). */
#ifndef WARD_TOOL_TUNNEL_H
#define WARD_TOOL_TUNNEL_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "ward/starttls.h"
#include "ward/ward.h"

#define TUNNEL_MAX_ACCEPT 8       /* listen addresses per service */
#define TUNNEL_MAX_IDENTITIES 9   /* cert/key pairs per service (SNI) */
#define TUNNEL_MAX_SERVICES 64

typedef enum {
    TUNNEL_TLS_ACCEPT = 1,  /* server mode: accept TLS, connect plaintext */
    TUNNEL_TLS_CONNECT = 2, /* client mode: accept plaintext, connect TLS */
} tunnel_mode;

/* One service: a [section] of the file, or the flags. Strings are owned
 * (malloc'd) and freed by tunnel_config_free. */
typedef struct {
    char name[64];                  /* the section name; "tunnel" for flags */
    unsigned line;                  /* line of the section header (0: flags) */
    char *accept[TUNNEL_MAX_ACCEPT];/* "HOST:PORT", "[V6]:PORT" */
    size_t n_accept;
    char *connect;                  /* "HOST:PORT" of the backend / server */
    tunnel_mode mode;
    ward_app starttls;              /* WARD_APP_NONE: TLS at once */
    /* server mode */
    char *cert[TUNNEL_MAX_IDENTITIES], *key[TUNNEL_MAX_IDENTITIES];
    size_t n_identities;            /* the first is the default; SNI picks */
    int sni_strict;
    char *client_ca;                /* verify-client / verify-client-optional */
    int client_verify;              /* WARD_CLIENT_CERT_* (NONE when no CA) */
    char *ticket_keys;              /* ticket-keys FILE (else random, shared) */
    char *server_name;              /* STARTTLS greeting's name (server mode) */
    /* client mode */
    char *cafile;
    char *servername;               /* SNI and the name verified */
    uint8_t pin[32];
    int have_pin;
    /* both */
    cli_str_list alpn;
    cli_u16_list groups, suites;
    int have_groups, have_suites;
    cli_versions ver;
    char *keylog;
    unsigned long handshake_timeout_s; /* default 10 */
    unsigned long idle_timeout_s;      /* default 300 */
    unsigned long max_connections;     /* per service, default 10000 */
    /* built by tunnel_config_build */
    ward_config *cfg;
} tunnel_service;

typedef struct {
    char *path;                     /* the file, NULL for flags */
    unsigned workers;               /* 0: one per core */
    tunnel_service svc[TUNNEL_MAX_SERVICES];
    size_t n_svc;
} tunnel_config;

/* Parse the file at path into *out (zeroed first). 0, or -1 with
 * "FILE:LINE: problem" in err. Nothing is opened but the file itself. */
int tunnel_config_load(const char *path, tunnel_config *out, char *err, size_t errcap);
/* The same over n bytes already in memory, named name in the messages (what
 * load does once the file is read; the fuzz target's entry). */
int tunnel_config_parse_buffer(const char *name, const uint8_t *p, size_t n, tunnel_config *out,
                               char *err, size_t errcap);
/* The one-service flags (argv after "tunnel", --config and --check
 * excepted), into *out as a single service named "tunnel". 0, or -1 with
 * the problem in err (the caller prints usage). */
int tunnel_config_from_args(int argc, char **argv, tunnel_config *out, char *err,
                            size_t errcap);
/* Check what parsing cannot (files readable, keys match, names resolve as
 * addresses) and make each service's ward_config. 0, or -1 with
 * "FILE:LINE: problem" (the service's section line) in err. */
int tunnel_config_build(tunnel_config *c, char *err, size_t errcap);
void tunnel_config_free(tunnel_config *c);
/* Help text for the options and the file format. */
extern const char tunnel_config_help[];

int tunnel_main(int argc, char **argv);
void tunnel_usage(FILE *out);

#endif
