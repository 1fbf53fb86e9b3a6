/* ward tunnel: the keys of a service and the one-service flags. The file
 * (tunnel_config_file.c) and the flags set the same keys through
 * tunnel_svc_set and end a service with tunnel_svc_finish, so both accept
 * and refuse exactly the same things; only the names differ ("cert" in the
 * file, "--cert" on the command line). Values are parsed with the tool's
 * shared parsers (cli.c), their messages captured into err. */
#include "tunnel_config_int.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { SIDE_BOTH = 0, SIDE_SERVER = TUNNEL_TLS_ACCEPT, SIDE_CLIENT = TUNNEL_TLS_CONNECT };

static const struct {
    const char *name;
    unsigned char side;   /* the mode the key belongs to */
    unsigned char repeat; /* may be given more than once */
} keys[TK__COUNT] = {
    [TK_ACCEPT] = {"accept", SIDE_BOTH, 1},
    [TK_CONNECT] = {"connect", SIDE_BOTH, 0},
    [TK_MODE] = {"mode", SIDE_BOTH, 0},
    [TK_CERT] = {"cert", SIDE_SERVER, 1},
    [TK_KEY] = {"key", SIDE_SERVER, 1},
    [TK_SNI_STRICT] = {"sni-strict", SIDE_SERVER, 0},
    [TK_VERIFY_CLIENT] = {"verify-client", SIDE_SERVER, 0},
    [TK_VERIFY_CLIENT_OPTIONAL] = {"verify-client-optional", SIDE_SERVER, 0},
    [TK_TICKET_KEYS] = {"ticket-keys", SIDE_SERVER, 0},
    [TK_SERVER_NAME] = {"server-name", SIDE_SERVER, 0},
    [TK_CAFILE] = {"cafile", SIDE_CLIENT, 0},
    [TK_SERVERNAME] = {"servername", SIDE_CLIENT, 0},
    [TK_PIN] = {"pin", SIDE_CLIENT, 0},
    [TK_STARTTLS] = {"starttls", SIDE_BOTH, 0},
    [TK_ALPN] = {"alpn", SIDE_BOTH, 0},
    [TK_GROUPS] = {"groups", SIDE_BOTH, 0},
    [TK_SUITES] = {"suites", SIDE_BOTH, 0},
    [TK_MIN_VERSION] = {"min-version", SIDE_BOTH, 0},
    [TK_MAX_VERSION] = {"max-version", SIDE_BOTH, 0},
    [TK_RSA_KX] = {"rsa-kx", SIDE_BOTH, 0},
    [TK_ALLOW_NO_EMS] = {"allow-no-ems", SIDE_BOTH, 0},
    [TK_KEYLOG] = {"keylog", SIDE_BOTH, 0},
    [TK_HANDSHAKE_TIMEOUT] = {"handshake-timeout", SIDE_BOTH, 0},
    [TK_IDLE_TIMEOUT] = {"idle-timeout", SIDE_BOTH, 0},
    [TK_MAX_CONNECTIONS] = {"max-connections", SIDE_BOTH, 0},
};

int tunnel_key_find(const char *name)
{
    for (int k = 0; k < TK__COUNT; k++)
        if (strcmp(keys[k].name, name) == 0)
            return k;
    return -1;
}

/* "--cert" on the command line, "cert" in the file. */
static const char *kname(const tunnel_svc_state *st, int k, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%s", st->flags ? "--" : "", keys[k].name);
    return buf;
}

/* "--cert FILE" / "cert = FILE": a key and its value in messages. */
static const char *kval(const tunnel_svc_state *st, int k, const char *val, char *buf,
                        size_t cap)
{
    snprintf(buf, cap, st->flags ? "--%s %.256s" : "%s = %.256s", keys[k].name, val);
    return buf;
}

static const char *mode_name(const tunnel_svc_state *st, int mode)
{
    if (st->flags)
        return mode == TUNNEL_TLS_ACCEPT ? "--tls-accept" : "--tls-connect";
    return mode == TUNNEL_TLS_ACCEPT ? "mode = tls-accept" : "mode = tls-connect";
}

void tunnel_svc_init(tunnel_service *s, const char *name, unsigned line)
{
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->line = line;
    s->handshake_timeout_s = 10;
    s->idle_timeout_s = 300;
    s->max_connections = 10000;
}

void tunnel_svc_free(tunnel_service *s)
{
    for (size_t i = 0; i < TUNNEL_MAX_ACCEPT; i++)
        free(s->accept[i]);
    for (size_t i = 0; i < TUNNEL_MAX_IDENTITIES; i++) {
        free(s->cert[i]);
        free(s->key[i]);
    }
    free(s->connect);
    free(s->client_ca);
    free(s->ticket_keys);
    free(s->server_name);
    free(s->cafile);
    free(s->servername);
    free(s->keylog);
    cli_str_list_free(&s->alpn);
    ward_config_free(s->cfg);
    memset(s, 0, sizeof *s);
}

void tunnel_config_free(tunnel_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < TUNNEL_MAX_SERVICES; i++)
        tunnel_svc_free(&c->svc[i]);
    free(c->path);
    memset(c, 0, sizeof *c);
}

static int set_str(char **dst, const char *val, char *err, size_t errcap)
{
    char *d = strdup(val);
    if (!d) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    free(*dst);
    *dst = d;
    return 0;
}

static int parse_bool(const char *v, int *out)
{
    static const char *yes[] = {"yes", "true", "on", "1"}, *no[] = {"no", "false", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return *out = 1, 0;
        if (strcasecmp(v, no[i]) == 0)
            return *out = 0, 0;
    }
    return -1;
}

/* A number of seconds or connections in [lo, hi]. */
static int set_number(const char *what, const char *val, unsigned long lo, unsigned long hi,
                      unsigned long *out, char *err, size_t errcap)
{
    char msg[256];
    unsigned long v = 0;
    cli_capture_begin(msg, sizeof msg);
    int rc = cli_parse_uint("tunnel", what, val, hi, &v);
    cli_capture_end();
    if (rc != 0 || v < lo) {
        snprintf(err, errcap, "%s: expects a number from %lu to %lu", what, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* An address: "HOST:PORT" or "[V6]:PORT", the port required; 0 allowed
 * only where listening (the system picks one). */
static int check_addr(const char *what, const char *val, int port0_ok, char *err,
                      size_t errcap)
{
    char host[256], port[8], msg[256];
    const char *colon = val[0] == '[' ? strstr(val, "]:") : strchr(val, ':');
    int unclosed = val[0] == '[' && !strchr(val, ']'); /* cli.c says so */
    if (!unclosed && (!colon || (val[0] != '[' && strchr(colon + 1, ':')))) {
        snprintf(err, errcap, "%s: no port (expected HOST:PORT or [IPV6]:PORT)", what);
        return -1;
    }
    cli_capture_begin(msg, sizeof msg);
    int rc = cli_parse_hostport("tunnel", val, host, sizeof host, "", port, sizeof port);
    cli_capture_end();
    if (rc != 0) {
        snprintf(err, errcap, "%s: %s (expected HOST:PORT or [IPV6]:PORT)", what,
                 msg[0] ? msg : "bad address");
        return -1;
    }
    if (!port0_ok && strtoul(port, NULL, 10) == 0) {
        snprintf(err, errcap, "%s: port 0 cannot be connected to", what);
        return -1;
    }
    return 0;
}

/* A value handed to one of cli.c's parsers, its message captured. */
#define CAPTURED(call)                                                                 \
    do {                                                                               \
        char msg_[512];                                                                \
        cli_capture_begin(msg_, sizeof msg_);                                          \
        int rc_ = (call);                                                              \
        cli_capture_end();                                                             \
        if (rc_ < 0) {                                                                 \
            snprintf(err, errcap, "%s: %s", kn, msg_[0] ? msg_ : "bad value");           \
            return -1;                                                                 \
        }                                                                              \
    } while (0)

/* The versions keys go through cli_version_opt, as the flags do. */
static int version_key(const char *opt, const char *val, cli_versions *v)
{
    char *argv[2] = {(char *)opt, (char *)val};
    int i = 0;
    return cli_version_opt("tunnel", 2, argv, &i, v);
}

static int set_starttls(tunnel_service *s, const char *kn, const char *val, char *err,
                        size_t errcap)
{
    ward_app app = ward_app_from_name(val);
    if (app == WARD_APP_NONE || app == WARD_APP_HTTP) {
        snprintf(err, errcap, "%s: not a STARTTLS protocol (smtp, submission, lmtp, imap, "
                 "pop3, ftp, nntp, sieve; in client mode also xmpp, xmpp-server, ldap, "
                 "postgres, mysql)", kn);
        return -1;
    }
    s->starttls = app;
    return 0;
}

static int set_identity_file(char **arr, size_t *n, unsigned *lines, unsigned line,
                             const char *kn, const char *val, char *err, size_t errcap)
{
    if (*n >= TUNNEL_MAX_IDENTITIES) {
        snprintf(err, errcap, "%s: at most %d certificates per service", kn,
                 TUNNEL_MAX_IDENTITIES);
        return -1;
    }
    if (set_str(&arr[*n], val, err, errcap) != 0)
        return -1;
    lines[(*n)++] = line;
    return 0;
}

static int set_mode(tunnel_service *s, const tunnel_svc_state *st, const char *val, char *err,
                    size_t errcap)
{
    tunnel_mode m = strcmp(val, "tls-accept") == 0    ? TUNNEL_TLS_ACCEPT
                    : strcmp(val, "tls-connect") == 0 ? TUNNEL_TLS_CONNECT
                                                      : 0;
    if (!m) {
        snprintf(err, errcap, "%s%s: expected tls-accept (accept TLS, connect plaintext) "
                 "or tls-connect (accept plaintext, connect TLS)", st->flags ? "--" : "mode = ",
                 val);
        return -1;
    }
    if (s->mode && s->mode != m) {
        snprintf(err, errcap, "%s and %s exclude each other", mode_name(st, s->mode),
                 mode_name(st, m));
        return -1;
    }
    s->mode = m;
    return 0;
}

/* The keys with a value of their own; the others are in tunnel_svc_set. */
static int set_value(tunnel_service *s, tunnel_svc_state *st, int k, const char *val,
                     unsigned line, const char *kn, char *err, size_t errcap)
{
    switch (k) {
    case TK_ACCEPT:
        if (s->n_accept >= TUNNEL_MAX_ACCEPT) {
            snprintf(err, errcap, "%s: at most %d addresses per service", kn,
                     TUNNEL_MAX_ACCEPT);
            return -1;
        }
        if (check_addr(kn, val, 1, err, errcap) != 0 ||
            set_str(&s->accept[s->n_accept], val, err, errcap) != 0)
            return -1;
        st->accept_line[s->n_accept++] = line;
        return 0;
    case TK_CONNECT:
        if (check_addr(kn, val, 0, err, errcap) != 0)
            return -1;
        return set_str(&s->connect, val, err, errcap);
    case TK_CERT:
        return set_identity_file(s->cert, &st->n_cert, st->cert_line, line, kn, val, err, errcap);
    case TK_KEY:
        return set_identity_file(s->key, &st->n_key, st->key_line, line, kn, val, err, errcap);
    case TK_VERIFY_CLIENT:
    case TK_VERIFY_CLIENT_OPTIONAL:
        s->client_verify = k == TK_VERIFY_CLIENT ? WARD_CLIENT_CERT_REQUIRE
                                                 : WARD_CLIENT_CERT_OPTIONAL;
        return set_str(&s->client_ca, val, err, errcap);
    case TK_TICKET_KEYS: return set_str(&s->ticket_keys, val, err, errcap);
    case TK_SERVER_NAME: return set_str(&s->server_name, val, err, errcap);
    case TK_CAFILE: return set_str(&s->cafile, val, err, errcap);
    case TK_SERVERNAME: return set_str(&s->servername, val, err, errcap);
    case TK_KEYLOG: return set_str(&s->keylog, val, err, errcap);
    case TK_STARTTLS: return set_starttls(s, kn, val, err, errcap);
    case TK_PIN: CAPTURED(cli_parse_pin("tunnel", val, s->pin)); s->have_pin = 1; return 0;
    case TK_ALPN: CAPTURED(cli_parse_alpn("tunnel", val, &s->alpn)); return 0;
    case TK_GROUPS: CAPTURED(cli_parse_groups("tunnel", val, &s->groups)); s->have_groups = 1;
        return 0;
    case TK_SUITES: CAPTURED(cli_parse_suites("tunnel", val, &s->suites)); s->have_suites = 1;
        return 0;
    case TK_MIN_VERSION: CAPTURED(version_key("--min-version", val, &s->ver)); return 0;
    case TK_MAX_VERSION: CAPTURED(version_key("--max-version", val, &s->ver)); return 0;
    case TK_HANDSHAKE_TIMEOUT:
        return set_number(kn, val, 1, 3600, &s->handshake_timeout_s, err, errcap);
    case TK_IDLE_TIMEOUT:
        return set_number(kn, val, 1, 7 * 86400, &s->idle_timeout_s, err, errcap);
    case TK_MAX_CONNECTIONS:
        return set_number(kn, val, 1, 1000000, &s->max_connections, err, errcap);
    }
    snprintf(err, errcap, "%s: not a key with a value", kn);
    return -1;
}

int tunnel_svc_set(tunnel_service *s, tunnel_svc_state *st, int k, const char *val,
                   unsigned line, char *err, size_t errcap)
{
    char kn[40];
    if (k < 0 || k >= TK__COUNT) {
        snprintf(err, errcap, "no such key");
        return -1;
    }
    kname(st, k, kn, sizeof kn);
    /* "--cert FILE" / "cert = FILE": how a value is named in messages */
    char kv[300];
    kval(st, k, val, kv, sizeof kv);
    if (!*val) {
        snprintf(err, errcap, "%s needs a value", kn);
        return -1;
    }
    if (k == TK_MODE)
        return set_mode(s, st, val, err, errcap) == 0 ? (st->line[k] = line, 0) : -1;
    if (!keys[k].repeat && st->line[k]) {
        if (st->flags)
            snprintf(err, errcap, "%s given twice", kn);
        else
            snprintf(err, errcap, "%s given twice (first on line %u)", kn, st->line[k]);
        return -1;
    }
    int other = k == TK_VERIFY_CLIENT            ? TK_VERIFY_CLIENT_OPTIONAL
                : k == TK_VERIFY_CLIENT_OPTIONAL ? TK_VERIFY_CLIENT
                                                 : -1;
    if (other >= 0 && st->line[other]) {
        char on[40];
        snprintf(err, errcap, "%s and %s exclude each other", kname(st, other, on, sizeof on),
                 kn);
        return -1;
    }
    int rc = 0, b = 0;
    if (k == TK_SNI_STRICT || k == TK_RSA_KX || k == TK_ALLOW_NO_EMS) {
        if (parse_bool(val, &b) != 0) {
            snprintf(err, errcap, "%s: expected yes or no", kv);
            return -1;
        }
        if (k == TK_SNI_STRICT)
            s->sni_strict = b;
        else if (k == TK_RSA_KX)
            s->ver.rsa_kx = b;
        else
            s->ver.allow_no_ems = b;
    } else {
        rc = set_value(s, st, k, val, line, kv, err, errcap);
    }
    if (rc == 0 && !st->line[k])
        st->line[k] = line;
    return rc;
}

/* ---- the end of a service ---- */

static int blame(tunnel_svc_state *st, unsigned line)
{
    st->bad_line = line;
    return -1;
}

/* An address as something to compare: port, and the host as bytes when it
 * is a literal (so that "::1" and "[0:0::1]" are the same), else its name. */
typedef struct {
    int family; /* AF_INET, AF_INET6, or 0 for a name */
    uint8_t a[16];
    char host[256];
    unsigned long port;
} addr_key;

static int addr_parse(const char *text, addr_key *k)
{
    char port[8];
    memset(k, 0, sizeof *k);
    char msg[256];
    cli_capture_begin(msg, sizeof msg);
    int rc = cli_parse_hostport("tunnel", text, k->host, sizeof k->host, "", port, sizeof port);
    cli_capture_end();
    if (rc != 0)
        return -1;
    k->port = strtoul(port, NULL, 10);
    if (inet_pton(AF_INET, k->host, k->a) == 1)
        k->family = AF_INET;
    else if (inet_pton(AF_INET6, k->host, k->a) == 1)
        k->family = AF_INET6;
    return 0;
}

static int is_wildcard(const addr_key *k)
{
    static const uint8_t zero[16];
    return k->family && memcmp(k->a, zero, k->family == AF_INET ? 4 : 16) == 0;
}

/* Two listeners that would take each other's connections: the same port
 * (not 0: each gets its own) and the same address, or a wildcard of the
 * same family (the tunnel listens with SO_REUSEPORT, so the system would
 * not refuse the second one but share the connections between them; IPv6
 * sockets are IPV6_V6ONLY, so 0.0.0.0 and :: do not meet). */
static int addr_clash(const char *x, const char *y)
{
    addr_key a, b;
    if (addr_parse(x, &a) != 0 || addr_parse(y, &b) != 0)
        return 0;
    if (a.port == 0 || a.port != b.port || a.family != b.family)
        return 0;
    if (!a.family)
        return strcasecmp(a.host, b.host) == 0;
    size_t n = a.family == AF_INET ? 4 : 16;
    return memcmp(a.a, b.a, n) == 0 || is_wildcard(&a) || is_wildcard(&b);
}

static int check_accept_clash(const tunnel_config *c, const tunnel_service *s,
                              tunnel_svc_state *st, const char *kn, char *err, size_t errcap)
{
    for (size_t i = 0; i < s->n_accept; i++) {
        for (size_t j = 0; j < i; j++)
            if (addr_clash(s->accept[i], s->accept[j])) {
                snprintf(err, errcap, "%s %s: the same address as %s %s", kn, s->accept[i],
                         kn, s->accept[j]);
                return blame(st, st->accept_line[i]);
            }
        for (size_t m = 0; c && m < c->n_svc; m++)
            for (size_t j = 0; j < c->svc[m].n_accept; j++)
                if (addr_clash(s->accept[i], c->svc[m].accept[j])) {
                    snprintf(err, errcap, "%s %s: service [%s] (line %u) listens there too "
                             "(%s)", kn, s->accept[i], c->svc[m].name, c->svc[m].line,
                             c->svc[m].accept[j]);
                    return blame(st, st->accept_line[i]);
                }
    }
    return 0;
}

/* The keys of one mode given in a service of the other. */
static int check_sides(const tunnel_service *s, tunnel_svc_state *st, char *err, size_t errcap)
{
    char kn[40];
    for (int k = 0; k < TK__COUNT; k++) {
        if (!st->line[k] || keys[k].side == SIDE_BOTH || keys[k].side == s->mode)
            continue;
        snprintf(err, errcap, "%s is for %s (%s mode), but this service is %s",
                 kname(st, k, kn, sizeof kn), mode_name(st, keys[k].side),
                 keys[k].side == SIDE_SERVER ? "server" : "client", mode_name(st, s->mode));
        return blame(st, st->line[k]);
    }
    return 0;
}

static int check_server(tunnel_service *s, tunnel_svc_state *st, char *err, size_t errcap)
{
    char kn[40], kn2[40], kv[300];
    kname(st, TK_CERT, kn, sizeof kn);
    kname(st, TK_KEY, kn2, sizeof kn2);
    if (st->n_cert > st->n_key) {
        snprintf(err, errcap, "%s %s has no %s (each %s goes with a %s)", kn,
                 s->cert[st->n_key], kn2, kn, kn2);
        return blame(st, st->cert_line[st->n_key]);
    }
    if (st->n_key > st->n_cert) {
        snprintf(err, errcap, "%s %s has no %s (each %s goes with a %s)", kn2,
                 s->key[st->n_cert], kn, kn2, kn);
        return blame(st, st->key_line[st->n_cert]);
    }
    if (st->n_cert == 0) {
        snprintf(err, errcap, "%s needs %s and %s (the certificate to present)",
                 mode_name(st, s->mode), kn, kn2);
        return blame(st, 0);
    }
    s->n_identities = st->n_cert;
    ward_app a = s->starttls;
    if (a != WARD_APP_NONE && a != WARD_APP_SMTP && a != WARD_APP_LMTP && a != WARD_APP_IMAP &&
        a != WARD_APP_POP3 && a != WARD_APP_FTP && a != WARD_APP_NNTP && a != WARD_APP_SIEVE) {
        snprintf(err, errcap, "%s: in server mode the tunnel speaks the server half of "
                 "smtp, lmtp, imap, pop3, ftp, nntp and sieve only",
                 kval(st, TK_STARTTLS, ward_app_name(a), kv, sizeof kv));
        return blame(st, st->line[TK_STARTTLS]);
    }
    if (s->ticket_keys && s->client_ca) {
        /* a resumed handshake carries no client certificate: the library
         * turns resumption off for a configuration that asks for one */
        snprintf(err, errcap, "%s: no tickets with %s (a resumed handshake would skip the "
                 "client certificate, so resumption is off)",
                 kname(st, TK_TICKET_KEYS, kn, sizeof kn),
                 kname(st, st->line[TK_VERIFY_CLIENT] ? TK_VERIFY_CLIENT
                                                      : TK_VERIFY_CLIENT_OPTIONAL,
                       kn2, sizeof kn2));
        return blame(st, st->line[TK_TICKET_KEYS]);
    }
    if (s->server_name && a == WARD_APP_NONE) {
        snprintf(err, errcap, "%s is the name in the STARTTLS greeting: it needs %s",
                 kname(st, TK_SERVER_NAME, kn, sizeof kn),
                 kname(st, TK_STARTTLS, kn2, sizeof kn2));
        return blame(st, st->line[TK_SERVER_NAME]);
    }
    return 0;
}

static int check_client(tunnel_service *s, tunnel_svc_state *st, char *err, size_t errcap)
{
    char kn[40], kn2[40], kv[300];
    if (!s->cafile && !s->have_pin) {
        snprintf(err, errcap, "%s needs %s (the CAs to verify the server with) or %s: the "
                 "server's certificate is always verified", mode_name(st, s->mode),
                 kname(st, TK_CAFILE, kn, sizeof kn), kname(st, TK_PIN, kn2, sizeof kn2));
        return blame(st, 0);
    }
    if (s->starttls != WARD_APP_NONE) {
        ward_starttls_params p = {.app = s->starttls, .server = 0, .host = "localhost"};
        ward_starttls *d = NULL;
        if (ward_starttls_new(&p, &d) != WARD_OK) {
            snprintf(err, errcap, "%s: no client half for this protocol",
                     kval(st, TK_STARTTLS, ward_app_name(s->starttls), kv, sizeof kv));
            return blame(st, st->line[TK_STARTTLS]);
        }
        ward_starttls_free(d);
    }
    if (s->servername)
        return 0;
    addr_key k;
    if (addr_parse(s->connect, &k) != 0) {
        snprintf(err, errcap, "%s: bad address", kval(st, TK_CONNECT, s->connect, kv, sizeof kv));
        return blame(st, st->line[TK_CONNECT]);
    }
    if (k.family == 0) /* a name: the one the certificate must carry */
        return set_str(&s->servername, k.host, err, errcap) == 0 ? 0 : blame(st, 0);
    if (s->have_pin) /* the pin alone identifies the server */
        return 0;
    snprintf(err, errcap, "%s: an address, not a name: give %s, the name the server's "
             "certificate must carry", kval(st, TK_CONNECT, s->connect, kv, sizeof kv),
             kname(st, TK_SERVERNAME, kn2, sizeof kn2));
    return blame(st, st->line[TK_CONNECT]);
}

/* cli_versions_settle over the version keys, suites and groups. */
static int check_versions(tunnel_service *s, tunnel_svc_state *st, char *err, size_t errcap)
{
    char msg[512];
    uint16_t lo, hi;
    cli_capture_begin(msg, sizeof msg);
    int rc = cli_versions_settle("tunnel", &s->ver, s->have_suites ? &s->suites : NULL,
                                 s->have_groups ? &s->groups : NULL, &lo, &hi);
    cli_capture_end();
    if (rc == 0)
        return 0;
    snprintf(err, errcap, "%s", msg[0] ? msg : "the versions, suites and groups disagree");
    static const int blamed[] = {TK_MIN_VERSION, TK_MAX_VERSION, TK_RSA_KX, TK_ALLOW_NO_EMS,
                                 TK_SUITES, TK_GROUPS};
    unsigned line = 0;
    for (size_t i = 0; i < sizeof blamed / sizeof blamed[0]; i++)
        if (st->line[blamed[i]] > line)
            line = st->line[blamed[i]];
    return blame(st, line);
}

int tunnel_svc_finish(const tunnel_config *c, tunnel_service *s, tunnel_svc_state *st,
                      char *err, size_t errcap)
{
    char kn[40];
    st->bad_line = 0;
    if (!s->n_accept) {
        snprintf(err, errcap, "no %s (the address to listen on)",
                 kname(st, TK_ACCEPT, kn, sizeof kn));
        return -1;
    }
    if (!s->connect) {
        snprintf(err, errcap, "no %s (the address to connect to)",
                 kname(st, TK_CONNECT, kn, sizeof kn));
        return -1;
    }
    if (!s->mode) {
        snprintf(err, errcap, st->flags ? "give --tls-accept (accept TLS, connect plaintext) "
                                          "or --tls-connect (accept plaintext, connect TLS)"
                                        : "no mode (tls-accept: accept TLS, connect "
                                          "plaintext; tls-connect: accept plaintext, "
                                          "connect TLS)");
        return -1;
    }
    if (check_sides(s, st, err, errcap) != 0)
        return -1;
    if (s->mode == TUNNEL_TLS_ACCEPT ? check_server(s, st, err, errcap)
                                     : check_client(s, st, err, errcap))
        return -1;
    if (check_versions(s, st, err, errcap) != 0)
        return -1;
    return check_accept_clash(c, s, st, kname(st, TK_ACCEPT, kn, sizeof kn), err, errcap);
}

/* ---- the flags ---- */

/* "--name=value" or "--name value": the value, advancing *i; NULL if missing. */
static const char *flag_value(int argc, char **argv, int *i)
{
    const char *eq = strchr(argv[*i], '=');
    if (eq)
        return eq + 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int from_args(int argc, char **argv, tunnel_config *out, tunnel_svc_state *st, char *err,
                     size_t errcap)
{
    tunnel_service *s = &out->svc[0];
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *val;
        char msg[512];
        unsigned line = (unsigned)i + 1;
        cli_capture_begin(msg, sizeof msg);
        int vr = cli_version_opt("tunnel", argc, argv, &i, &s->ver);
        cli_capture_end();
        if (vr < 0)
            return snprintf(err, errcap, "%s", msg), -1;
        if (vr > 0) {
            st->line[TK_MIN_VERSION] = line;
            continue;
        }
        if (strcmp(a, "--tls-accept") == 0 || strcmp(a, "--tls-connect") == 0) {
            if (tunnel_svc_set(s, st, TK_MODE, a + 2, line, err, errcap) != 0)
                return -1;
            continue;
        }
        if (strcmp(a, "--sni-strict") == 0) {
            if (tunnel_svc_set(s, st, TK_SNI_STRICT, "yes", line, err, errcap) != 0)
                return -1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || !a[2])
            return snprintf(err, errcap, "unexpected argument '%s'", a), -1;
        size_t nl = strcspn(a + 2, "=");
        char key[40];
        snprintf(key, sizeof key, "%.*s", (int)(nl < 39 ? nl : 39), a + 2);
        int k = tunnel_key_find(key), workers = strcmp(key, "workers") == 0;
        /* mode, sni-strict and the versions are flags of their own above */
        if ((!workers && k < 0) || nl != strlen(key) || k == TK_MODE || k == TK_SNI_STRICT ||
            k == TK_MIN_VERSION || k == TK_MAX_VERSION || k == TK_RSA_KX || k == TK_ALLOW_NO_EMS)
            return snprintf(err, errcap, "unknown option '--%s'", key), -1;
        if (!(val = flag_value(argc, argv, &i)))
            return snprintf(err, errcap, "option %s needs a value", a), -1;
        if (workers) {
            unsigned long w;
            if (set_number("--workers", val, 0, 1024, &w, err, errcap) != 0)
                return -1;
            out->workers = (unsigned)w;
        } else if (tunnel_svc_set(s, st, k, val, line, err, errcap) != 0) {
            return -1;
        }
    }
    return 0;
}

int tunnel_config_from_args(int argc, char **argv, tunnel_config *out, char *err,
                            size_t errcap)
{
    memset(out, 0, sizeof *out);
    tunnel_svc_state st;
    memset(&st, 0, sizeof st);
    st.flags = 1;
    tunnel_svc_init(&out->svc[0], "tunnel", 0);
    if (from_args(argc, argv, out, &st, err, errcap) != 0 ||
        tunnel_svc_finish(out, &out->svc[0], &st, err, errcap) != 0) {
        tunnel_config_free(out);
        return -1;
    }
    out->n_svc = 1;
    return 0;
}

const char tunnel_config_help[] =
    "One service from the command line:\n"
    "  --accept ADDR          listen on ADDR (HOST:PORT or [IPV6]:PORT; port 0: any\n"
    "                         free port); repeat for several (at most 8)\n"
    "  --connect ADDR         the backend (server mode) or the TLS server (client mode)\n"
    "  --tls-accept           server mode: accept TLS, connect in plaintext\n"
    "  --tls-connect          client mode: accept plaintext, connect with TLS\n"
    "  --starttls PROTO       a STARTTLS dialogue on the TLS side before the handshake;\n"
    "                         server mode: smtp (submission), lmtp, imap, pop3, ftp,\n"
    "                         nntp, sieve; client mode also xmpp, xmpp-server, ldap,\n"
    "                         postgres, mysql\n"
    "Server mode (--tls-accept):\n"
    "  --cert FILE --key FILE the certificate chain and its key (PEM); repeat the pair\n"
    "                         for more names (at most 9): the first is the default,\n"
    "                         the client's SNI picks among them\n"
    "  --sni-strict           refuse a client whose SNI matches no certificate\n"
    "  --verify-client CAFILE require a client certificate from these CAs\n"
    "  --verify-client-optional CAFILE  ask for one, accept clients without\n"
    "  --ticket-keys FILE     session ticket keys (one or two lines of 96 hex digits,\n"
    "                         `openssl rand -hex 48`); default: a random key shared\n"
    "                         by every worker\n"
    "  --server-name NAME     the host name in the STARTTLS greeting (default localhost)\n"
    "Client mode (--tls-connect); the server's certificate is always verified:\n"
    "  --cafile FILE          the CAs to trust (PEM)\n"
    "  --pin sha256:HEX       or exactly this server key (SubjectPublicKeyInfo SHA-256)\n"
    "  --servername NAME      the name sent (SNI) and verified; default: the --connect\n"
    "                         host if it is a name (an address needs --servername\n"
    "                         unless --pin is given)\n"
    "Both modes:\n"
    "  --alpn LIST            ALPN protocols, most preferred first (e.g. h2,http/1.1)\n"
    "  --groups LIST          key exchange groups in preference order\n"
    "  --suites LIST          cipher suites in preference order (IANA names)\n"
    "  --tls1.2, --tls1.3, --min-version V, --max-version V, --rsa-kx, --allow-no-ems\n"
    "                         as for `ward server`\n"
    "  --keylog FILE          append the session secrets (NSS key log; debugging only)\n"
    "  --handshake-timeout S  seconds for the STARTTLS dialogue and handshake (10)\n"
    "  --idle-timeout S       close a connection silent both ways this long (300)\n"
    "  --max-connections N    connections at once for the service (10000)\n"
    "  --workers N            event loops (threads); 0: one per core (default)\n"
    "\n"
    "The configuration file (--config FILE) holds any number of services (at most\n"
    "64), one [NAME] section each, with the flags' names as keys:\n"
    "  # comment (also ;)\n"
    "  workers = 2                  global keys come before the first section\n"
    "  [imaps]\n"
    "  accept = 0.0.0.0:993         repeated for several addresses\n"
    "  accept = [::]:993\n"
    "  connect = 127.0.0.1:143\n"
    "  mode = tls-accept            or tls-connect\n"
    "  cert = /etc/ssl/mail.pem     cert and key in pairs, repeated for SNI\n"
    "  key = /etc/ssl/mail.key\n"
    "Other keys: sni-strict = yes|no, verify-client, verify-client-optional,\n"
    "ticket-keys, server-name, cafile, servername, pin, starttls, alpn, groups,\n"
    "suites, min-version, max-version, rsa-kx = yes|no, allow-no-ems = yes|no,\n"
    "keylog, handshake-timeout, idle-timeout, max-connections. Errors name\n"
    "FILE:LINE and the problem. See docs/tunnel.md.\n";
