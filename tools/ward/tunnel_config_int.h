/* ward tunnel: what the configuration's pieces share (tunnel_config.c: the
 * keys and the flags; tunnel_config_file.c: the file; tunnel_config_build.c:
 * the ward_configs). Not used outside them. */
#ifndef WARD_TOOL_TUNNEL_CONFIG_INT_H
#define WARD_TOOL_TUNNEL_CONFIG_INT_H

#include "tunnel.h"

/* The keys of a service: the file's names, and the flags with "--". */
enum {
    TK_ACCEPT,
    TK_CONNECT,
    TK_MODE,
    TK_CERT,
    TK_KEY,
    TK_SNI_STRICT,
    TK_VERIFY_CLIENT,
    TK_VERIFY_CLIENT_OPTIONAL,
    TK_TICKET_KEYS,
    TK_SERVER_NAME,
    TK_CAFILE,
    TK_SERVERNAME,
    TK_PIN,
    TK_STARTTLS,
    TK_ALPN,
    TK_GROUPS,
    TK_SUITES,
    TK_MIN_VERSION,
    TK_MAX_VERSION,
    TK_RSA_KX,
    TK_ALLOW_NO_EMS,
    TK_KEYLOG,
    TK_HANDSHAKE_TIMEOUT,
    TK_IDLE_TIMEOUT,
    TK_MAX_CONNECTIONS,
    TK__COUNT
};

/* What parsing one service remembers besides the service itself: where
 * each key was given, so that a problem found at the end names its line. */
typedef struct {
    int flags;                /* 1: the command line (names shown as --cert) */
    unsigned line[TK__COUNT]; /* where each key was first given; 0: not given */
    unsigned cert_line[TUNNEL_MAX_IDENTITIES], key_line[TUNNEL_MAX_IDENTITIES];
    size_t n_cert, n_key;
    unsigned accept_line[TUNNEL_MAX_ACCEPT];
    unsigned bad_line;        /* out of tunnel_svc_finish: the line to blame,
                                 0 for the service as a whole (its header) */
} tunnel_svc_state;

/* TK_* for a file key ("cert"), or -1. */
int tunnel_key_find(const char *name);
/* Start a service: the name, the header line, the defaults. */
void tunnel_svc_init(tunnel_service *s, const char *name, unsigned line);
/* One key = value. 0, or -1 with the problem (no location) in err. */
int tunnel_svc_set(tunnel_service *s, tunnel_svc_state *st, int key, const char *val,
                   unsigned line, char *err, size_t errcap);
/* The service is complete (c->svc[0 .. c->n_svc) are the ones before it):
 * check what needs every key (mode against the keys, pairs, the name to
 * verify, versions, addresses used twice). 0, or -1 with the problem in err
 * and st->bad_line set. */
int tunnel_svc_finish(const tunnel_config *c, tunnel_service *s, tunnel_svc_state *st,
                      char *err, size_t errcap);
void tunnel_svc_free(tunnel_service *s);

#endif
