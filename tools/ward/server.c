/* ward server: accept TLS 1.3 and 1.2 connections, a child process per connection,
 * and echo, serve a file, or answer HTTP with a page about the connection. */
#define _GNU_SOURCE /* accept4, EAI_NODATA */
#include "children.h"
#include "cli.h"
#include "cli_trace.h"
#include "www_trace.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

/* After our close_notify, how long to wait for the client's. */
#define LINGER_MS 5000
/* Stop taking more input while this much is queued for the socket. */
#define HIGH_WATER (1024 * 1024)
#define HTTP_MAX_REQUEST 16384
/* The --www page: its table, and the SVG of the handshake (www_trace.c). */
#define WWW_PAGE_MAX 65536
/* --max-early-data at most (it is buffered whole). */
#define EARLY_DATA_MAX (1024 * 1024)

/* --help, in the order it is printed (the parts both commands share are in
 * cli.c). */
static const char server_help_top[] =
    "Usage: ward server [options]\n"
    "\n"
    "Accept TLS 1.3 and 1.2 connections (a child process per connection) and, by\n"
    "default, echo what each client sends until it closes.\n"
    "\n"
    "Identity (default: an ephemeral self-signed ECDSA P-256 certificate for\n"
    "localhost, made at start-up; its pin is printed on stderr):\n"
    "  --cert FILE            certificate chain (PEM, leaf first)\n"
    "  --key FILE             private key (PEM)\n"
    "                         --cert/--key again add identities chosen by the\n"
    "                         client's server_name (SNI); the first pair is the\n"
    "                         default for clients that send no name or no match\n"
    "  --sni-strict           refuse (alert unrecognized_name) a client whose\n"
    "                         server_name matches no certificate, or that sends none\n"
    "  --ocsp FILE            staple this DER OCSP response to the first\n"
    "                         certificate (re-read when the file changes)\n"
    "\n"
    "Client certificates (mutual TLS; default: none asked for):\n"
    "  --verify-client CAFILE  require a client certificate issued by a CA in\n"
    "                         CAFILE (PEM); the client's subject is logged\n"
    "  --verify-client-optional CAFILE  ask for one, accept clients without; a\n"
    "                         certificate that is sent must verify\n"
    "  --verify-client-post-handshake CAFILE  ask after the handshake (TLS 1.3\n"
    "                         post-handshake authentication, for clients that offer\n"
    "                         it; then required): --www answers once it came\n"
    "\n"
    "Listening:\n"
    "  --listen ADDR:PORT     address to listen on (default 127.0.0.1:4433;\n"
    "                         [::1]:4433 for IPv6; port 0 picks a free port)\n"
    "  --max-connections N    exit after serving N connections (status 1 if\n"
    "                         any of them failed)\n"
    "\n"
    "What to do with a connection (default: echo):\n"
    "  --www                  answer an HTTP request with a page describing the\n"
    "                         connection and drawing its handshake (SVG), then\n"
    "                         close\n"
    "  --file FILE            send the contents of FILE, then close\n"
    "  --key-update           after the first echoed chunk, send a KeyUpdate that\n"
    "                         asks the client to update too (TLS 1.3; TLS 1.2 has\n"
    "                         none: a notice says so)\n"
    "\n"
    "Negotiation:\n"
    "  --alpn LIST            ALPN protocols to accept, in preference order\n"
    "  --groups LIST          key exchange groups in preference order:\n"
    "                         x25519, secp256r1 (P-256), secp384r1 (P-384),\n"
    "                         secp521r1 (P-521), and for TLS 1.3 only\n"
    "                         X25519MLKEM768, SecP256r1MLKEM768,\n"
    "                         SecP384r1MLKEM1024, MLKEM1024\n";

static const char server_help_suites_note[] =
    "                         (TLS 1.2: the suites that fit the certificate's key,\n"
    "                         ECDSA or RSA)\n"
    "  --force-hrr            answer every first ClientHello with a HelloRetryRequest\n"
    "                         (TLS 1.3)\n"
    "\n";

static const char server_help_resumption[] =
    "\n"
    "Resumption and 0-RTT:\n"
    "  --tickets N            session tickets per full handshake (default 2; 0: none,\n"
    "                         so no resumption by ticket)\n"
    "  --ticket-keys FILE     ticket keys: one or two lines of 96 hex digits, the\n"
    "                         current key then the previous one (still accepted),\n"
    "                         e.g. from `openssl rand -hex 48`; re-read when it\n"
    "                         changes. Default: a random key, shared by all\n"
    "                         connections and replaced every 2 hours (the\n"
    "                         previous one still accepted)\n"
    "  --max-early-data N     accept up to N bytes of TLS 1.3 0-RTT early data\n"
    "                         (default 0: off; at most 1048576). Early data can be\n"
    "                         REPLAYED by an attacker: each ticket is good for it\n"
    "                         once. It is handled like the rest of the client's\n"
    "                         data, and logged as \"early data: N bytes\n"
    "                         (replayable)\"\n";

static const char server_help_other[] =
    "\n"
    "Other:\n"
    "  -q, --quiet            no information lines (the listening line and the\n"
    "                         pin of an ephemeral certificate are always printed)\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit status: 0 on a normal end, 1 on an error, 2 on bad usage.\n";

void server_usage(FILE *out)
{
    fputs(server_help_top, out);
    fputs(cli_suites_help, out);
    fputs(server_help_suites_note, out);
    fputs(cli_version_help, out);
    fputs("\n", out);
    fputs(cli_keylog_help, out);
    fputs("\n", out);
    fputs(server_limits_help, out);
    fputs("\n", out);
    fputs(cli_trace_help, out);
    fputs(server_help_resumption, out);
    fputs(server_help_other, out);
}

enum mode { MODE_ECHO, MODE_WWW, MODE_FILE };

typedef struct {
    const char *cert, *key, *listen, *file_path;
    const char *client_ca;  /* --verify-client[-optional] */
    int client_mode;        /* WARD_CLIENT_CERT_* */
    enum mode mode;
    int key_update, force_hrr;
    unsigned long max_conn;
    cli_tls_opts tls; /* --alpn, --groups, --suites, the versions, --keylog, --export */
    /* --file contents, read before listening */
    uint8_t *file;
    size_t file_len;
    /* SNI and OCSP: --cert/--key after the first pair, --sni-strict, --ocsp */
    const char *more_cert[WARD_MAX_EXTRA_IDENTITIES], *more_key[WARD_MAX_EXTRA_IDENTITIES];
    size_t n_more_cert, n_more_key;
    int sni_strict;
    const char *ocsp;
    /* resumption: --tickets, --ticket-keys, --max-early-data */
    unsigned long tickets;
    int have_tickets;
    const char *ticket_keys;
    unsigned long max_early_data;
    server_limits lim; /* --max-children, --max-per-source, the timeouts */
    cli_trace trace;   /* --trace: a child traces its connection (trace.sink) */
} server_opts;

/* --cert/--key: the first is the default identity, later ones are added. */
static int add_identity_file(const char *cmd, const char *opt, const char *v, const char **first,
                             const char **more, size_t *n)
{
    if (!*first) {
        *first = v;
        return 0;
    }
    if (*n >= WARD_MAX_EXTRA_IDENTITIES) {
        cli_usage_error(cmd, "at most %d %s options after the first", WARD_MAX_EXTRA_IDENTITIES,
                        opt);
        return -1;
    }
    more[(*n)++] = v;
    return 0;
}

/* The options that only store what they are given, flags and file names:
 * 1 if argv[*i] is one (taken, *i advanced), 0 if not, -1 after a usage
 * message. */
static int server_simple_opt(int argc, char **argv, int *i, server_opts *o, int *www)
{
    const cli_simple_opt tab[] = {
        {"--www", NULL, www, NULL},
        {"--key-update", NULL, &o->key_update, NULL},
        {"--force-hrr", NULL, &o->force_hrr, NULL},
        {"--sni-strict", NULL, &o->sni_strict, NULL},
        {"--ocsp", NULL, NULL, &o->ocsp},
        {"--listen", NULL, NULL, &o->listen},
        {"--file", NULL, NULL, &o->file_path},
        {"--ticket-keys", NULL, NULL, &o->ticket_keys},
    };
    if (cli_common_flag(argv[*i], server_usage))
        return 1;
    return cli_simple_opt_take("server", argc, argv, i, tab, sizeof tab / sizeof tab[0]);
}

/* The options with a value about the server's identity, its clients and
 * what it serves: 1 if argv[*i] is one (taken, *i advanced), 0 if not, -1
 * after a usage message. */
static int server_serve_opt(int argc, char **argv, int *i, server_opts *o)
{
    static const char *cmd = "server";
    const char *v;
    int bad = 0;
    if ((v = cli_opt_value(cmd, argc, argv, i, "--cert", NULL, &bad))) {
        if (add_identity_file(cmd, "--cert", v, &o->cert, o->more_cert, &o->n_more_cert) != 0)
            return -1;
    } else if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--key", NULL, &bad))) {
        if (add_identity_file(cmd, "--key", v, &o->key, o->more_key, &o->n_more_key) != 0)
            return -1;
    } else if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--verify-client", NULL, &bad))) {
        o->client_ca = v;
        o->client_mode = WARD_CLIENT_CERT_REQUIRE;
    } else if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--verify-client-optional", NULL,
                                          &bad))) {
        o->client_ca = v;
        o->client_mode = WARD_CLIENT_CERT_OPTIONAL;
    } else if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--verify-client-post-handshake",
                                          NULL, &bad))) {
        o->client_ca = v;
        o->client_mode = WARD_CLIENT_CERT_POST_HANDSHAKE;
    } else if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--max-connections", NULL, &bad))) {
        if (cli_parse_uint(cmd, "--max-connections", v, 1000000000UL, &o->max_conn) != 0)
            return -1;
        if (o->max_conn == 0) {
            cli_usage_error(cmd, "--max-connections must be at least 1");
            return -1;
        }
    } else {
        return bad ? -1 : 0;
    }
    return 1;
}

/* The options with a value about resumption and 0-RTT: as
 * server_serve_opt. */
static int server_resume_opt(int argc, char **argv, int *i, server_opts *o)
{
    static const char *cmd = "server";
    const char *v;
    int bad = 0;
    if ((v = cli_opt_value(cmd, argc, argv, i, "--tickets", NULL, &bad))) {
        if (cli_parse_uint(cmd, "--tickets", v, 16, &o->tickets) != 0)
            return -1;
        o->have_tickets = 1;
    } else if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--max-early-data", NULL, &bad))) {
        if (cli_parse_uint(cmd, "--max-early-data", v, EARLY_DATA_MAX, &o->max_early_data) != 0)
            return -1;
    } else {
        return bad ? -1 : 0;
    }
    return 1;
}

/* Once every option is read: the ones that need or exclude each other,
 * the mode, the defaults. 0, or -1 after a usage message. */
static int server_args_agree(server_opts *o, int www)
{
    static const char *cmd = "server";
    if (!o->cert != !o->key || o->n_more_cert != o->n_more_key) {
        cli_usage_error(cmd, "--cert and --key go together");
        return -1;
    }
    if (o->ocsp && !o->cert) {
        cli_usage_error(cmd, "--ocsp needs --cert/--key (the response is about that certificate)");
        return -1;
    }
    if (www && o->file_path) {
        cli_usage_error(cmd, "--www and --file exclude each other");
        return -1;
    }
    o->mode = www ? MODE_WWW : o->file_path ? MODE_FILE : MODE_ECHO;
    if (o->key_update && o->mode != MODE_ECHO) {
        cli_usage_error(cmd, "--key-update works with the echo mode only");
        return -1;
    }
    if (!o->listen)
        o->listen = "127.0.0.1:4433";
    return cli_tls_settle(cmd, &o->tls);
}

static int parse_args(int argc, char **argv, server_opts *o)
{
    static const char *cmd = "server";
    int www = 0;
    server_limits_default(&o->lim);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int r = cli_tls_opt(cmd, argc, argv, &i, &o->tls);
        if (r == 0)
            r = server_limits_opt(cmd, argc, argv, &i, &o->lim);
        if (r == 0)
            r = server_simple_opt(argc, argv, &i, o, &www);
        if (r == 0)
            r = server_serve_opt(argc, argv, &i, o);
        if (r == 0)
            r = server_resume_opt(argc, argv, &i, o);
        if (r == 0) {
            if (a[0] == '-')
                cli_usage_error(cmd, "unknown option '%s'", a);
            else
                cli_usage_error(cmd, "unexpected argument '%s'", a);
        }
        if (r <= 0)
            return -1;
    }
    return server_args_agree(o, www);
}

static int read_file(const char *path, uint8_t **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    for (;;) {
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                close(fd);
                errno = ENOMEM;
                return -1;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            close(fd);
            errno = e;
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *data = buf;
    *len = n;
    return 0;
}

/* The server's certificates: --cert/--key pairs, or an ephemeral one
 * (its pin printed even under -q). 0, or -1 after an error message. */
static int config_identity(ward_config *cfg, const server_opts *o)
{
    ward_err e;
    if (o->cert) {
        e = ward_config_set_cert_files(cfg, o->cert, o->key);
        if (e != WARD_OK) {
            cli_error("cannot load --cert %s / --key %s: %s", o->cert, o->key,
                      (ward_config_error_message(cfg)[0] ? ward_config_error_message(cfg) : ward_err_str(e)));
            return -1;
        }
    } else {
        uint8_t pin[32];
        char hex[65];
        e = ward_config_use_ephemeral_cert(cfg, "localhost", pin);
        if (e != WARD_OK) {
            cli_error("cannot make an ephemeral certificate: %s", ward_err_str(e));
            return -1;
        }
        cli_hex(pin, 32, hex);
        int q = cli_quiet;
        cli_quiet = 0;
        cli_info("ephemeral certificate for localhost, pin sha256:%s", hex);
        cli_quiet = q;
        if (o->tls.ver.rsa_kx)
            cli_log("note: --rsa-kx has no effect with the ephemeral ECDSA certificate: RSA key "
                    "transport needs an RSA key (--cert/--key)");
    }
    for (size_t k = 0; k < o->n_more_cert; k++) {
        e = ward_config_add_cert_files(cfg, o->more_cert[k], o->more_key[k]);
        if (e != WARD_OK) {
            cli_error("cannot load --cert %s / --key %s: %s", o->more_cert[k], o->more_key[k],
                      (ward_config_error_message(cfg)[0] ? ward_config_error_message(cfg) : ward_err_str(e)));
            return -1;
        }
    }
    return 0;
}

static ward_config *make_config(const server_opts *o)
{
    ward_config *cfg = ward_config_new_server();
    if (!cfg) {
        cli_error("cannot create a server configuration");
        return NULL;
    }
    ward_err e;
    if (cli_tls_apply(cfg, &o->tls) != 0)
        goto fail;
    if (config_identity(cfg, o) != 0)
        goto fail;
    ward_config_set_sni_strict(cfg, o->sni_strict);
    if (o->ocsp && (e = ward_config_set_ocsp_file(cfg, o->ocsp)) != WARD_OK) {
        cli_error("cannot load --ocsp %s (a DER OCSP response): %s", o->ocsp, ward_err_str(e));
        goto fail;
    }
    if (o->force_hrr)
        ward_config_set_force_hrr(cfg, 1);
    if (cli_keylog_apply(cfg, o->tls.keylog) != 0)
        goto fail;
    if (o->client_ca &&
        (e = ward_config_set_client_verify(cfg, o->client_mode, o->client_ca)) != WARD_OK) {
        cli_error("cannot load the client CAs (%s %s): %s",
                  o->client_mode == WARD_CLIENT_CERT_REQUIRE    ? "--verify-client"
                  : o->client_mode == WARD_CLIENT_CERT_OPTIONAL ? "--verify-client-optional"
                                                                : "--verify-client-post-handshake",
                  o->client_ca, ward_err_str(e));
        goto fail;
    }
    if (o->have_tickets &&
        (e = ward_config_set_tickets(cfg, (unsigned)o->tickets, 7200)) != WARD_OK) {
        cli_error("--tickets: %s", ward_err_str(e));
        goto fail;
    }
    if (o->ticket_keys && (e = ward_config_set_ticket_key_file(cfg, o->ticket_keys)) != WARD_OK) {
        cli_error("cannot use --ticket-keys %s: %s; it needs one or two lines of 96 hex digits "
                  "(current key, then previous), e.g. from `openssl rand -hex 48`",
                  o->ticket_keys, ward_err_str(e));
        goto fail;
    }
    if (o->max_early_data &&
        (e = ward_config_set_max_early_data(cfg, (uint32_t)o->max_early_data)) != WARD_OK) {
        cli_error("--max-early-data: %s", ward_err_str(e));
        goto fail;
    }
    return cfg;
fail:
    ward_config_free(cfg);
    return NULL;
}

/* ---- one connection (in a child process) ---- */

/* Copy s into out with anything but printable ASCII replaced by '?'. */
static void sanitize(const char *s, char *out, size_t cap)
{
    size_t i = 0;
    for (; s && *s && i + 1 < cap; s++)
        out[i++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
    out[i] = '\0';
}

/* Append s to buf (HTML-escaped); returns the new length, capped. */
static size_t html_append(char *buf, size_t len, size_t cap, const char *s, int escape)
{
    for (; *s && len + 7 < cap; s++) {
        const char *rep = NULL;
        if (escape) {
            switch (*s) {
            case '<': rep = "&lt;"; break;
            case '>': rep = "&gt;"; break;
            case '&': rep = "&amp;"; break;
            case '"': rep = "&quot;"; break;
            default: break;
            }
        }
        if (rep) {
            size_t rl = strlen(rep);
            memcpy(buf + len, rep, rl);
            len += rl;
        } else {
            buf[len++] = (*s >= 0x20 && *s < 0x7f) || *s == '\n' ? *s : '?';
        }
    }
    buf[len] = '\0';
    return len;
}

static size_t html_row(char *buf, size_t len, size_t cap, const char *key, const char *val)
{
    len = html_append(buf, len, cap, "<tr><th>", 0);
    len = html_append(buf, len, cap, key, 1);
    len = html_append(buf, len, cap, "</th><td>", 0);
    len = html_append(buf, len, cap, val, 1);
    return html_append(buf, len, cap, "</td></tr>\n", 0);
}

/* The verified client certificate (mutual TLS), for the log and --www. */
static void client_identity(const ward_conn *c, char *out, size_t cap)
{
    ward_cert_info ci;
    if (!ward_conn_peer_authenticated(c) || ward_conn_peer_cert_info(c, &ci) != WARD_OK) {
        snprintf(out, cap, "none");
        return;
    }
    char subject[256], issuer[256];
    sanitize(ci.subject, subject, sizeof subject);
    sanitize(ci.issuer, issuer, sizeof issuer);
    snprintf(out, cap, "%s (issuer %s)", subject, issuer);
}

/* Header and body in one write, so in one record when they fit (16 KiB),
 * as `openssl s_server -www` answers: clients that read one record for the
 * response (one SSL_read) see all of it. */
static ward_err www_send(ward_conn *c, const char *head, size_t hl, const char *body,
                         size_t bl, unsigned long long *bytes_out)
{
    char *out = malloc(hl + bl);
    if (!out)
        return WARD_ERR_INTERNAL;
    memcpy(out, head, hl);
    memcpy(out + hl, body, bl);
    ward_err e = ward_conn_write(c, (const uint8_t *)out, hl + bl);
    if (e == WARD_OK)
        *bytes_out += hl + bl;
    free(out);
    return e;
}

/* The HTTP answer of --www, queued on the connection. */
static ward_err www_respond(ward_conn *c, const char *peer, const char *request,
                            unsigned long long *bytes_out)
{
    char *body = malloc(WWW_PAGE_MAX);
    char b1[48], b2[64], b3[48];
    size_t len = 0;
    if (!body)
        return WARD_ERR_INTERNAL;
    int is_get = strncmp(request, "GET ", 4) == 0;
    const char *sni = ward_conn_server_name(c);
    const char *alpn = ward_conn_alpn(c);
    len = html_append(body, len, WWW_PAGE_MAX,
                      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                      "<title>ward</title></head>\n<body>\n<h1>ward: your connection</h1>\n"
                      "<table>\n",
                      0);
    len = html_row(body, len, WWW_PAGE_MAX, "client", peer);
    uint16_t version = ward_conn_version(c);
    len = html_row(body, len, WWW_PAGE_MAX, "protocol", cli_version_name(version));
    len = html_row(body, len, WWW_PAGE_MAX, "cipher suite",
                   cli_suite(ward_conn_suite(c), b1, sizeof b1));
    len = html_row(body, len, WWW_PAGE_MAX, "group", cli_conn_group(c, b2, sizeof b2));
    len = html_row(body, len, WWW_PAGE_MAX, "signature scheme",
                   cli_sigscheme(ward_conn_sigscheme(c), b3, sizeof b3));
    len = html_row(body, len, WWW_PAGE_MAX, "ALPN", alpn && *alpn ? alpn : "none");
    len = html_row(body, len, WWW_PAGE_MAX, "SNI", sni && *sni ? sni : "none");
    const char *ems = version != WARD_TLS12 ? "not applicable (TLS 1.3 binds the handshake)"
                      : ward_conn_used_ems(c) ? "yes (RFC 7627)"
                                              : "no";
    len = html_row(body, len, WWW_PAGE_MAX, "extended master secret", ems);
    len = html_row(body, len, WWW_PAGE_MAX, "HelloRetryRequest", ward_conn_did_hrr(c) ? "yes" : "no");
    char client_id[600];
    client_identity(c, client_id, sizeof client_id);
    len = html_row(body, len, WWW_PAGE_MAX, "client certificate", client_id);
    len = html_row(body, len, WWW_PAGE_MAX, "resumed", ward_conn_resumed(c) ? "yes" : "no");
    int es = ward_conn_early_data_status(c);
    len = html_row(body, len, WWW_PAGE_MAX, "early data (0-RTT)",
                   es == WARD_EARLY_ACCEPTED   ? "accepted (replayable)"
                   : es == WARD_EARLY_REJECTED ? "rejected"
                                               : "none");
    char first[256];
    size_t fl = strcspn(request, "\r\n");
    if (fl >= sizeof first)
        fl = sizeof first - 1;
    memcpy(first, request, fl);
    first[fl] = '\0';
    len = html_row(body, len, WWW_PAGE_MAX, "request", first);
    len = html_append(body, len, WWW_PAGE_MAX, "</table>\n", 0);
    len = www_trace_html(body, len, WWW_PAGE_MAX - 32);
    len = html_append(body, len, WWW_PAGE_MAX, "</body></html>\n", 0);

    char head[256];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.0 %s\r\nContent-Type: text/html; charset=utf-8\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\nServer: ward\r\n\r\n",
                      is_get ? "200 OK" : "405 Method Not Allowed", is_get ? len : (size_t)0);
    ward_err e = hl < 0 || (size_t)hl >= sizeof head
                     ? WARD_ERR_INTERNAL
                     : www_send(c, head, (size_t)hl, body, is_get ? len : 0, bytes_out);
    free(body);
    return e;
}

/* A failed handshake's log line, with what became of 0-RTT data: a
 * replayed ClientHello must show that its early data was not taken. */
static void log_handshake_failure(ward_conn *c, pump *p, ward_err e, const char *peer,
                                  const server_limits *l)
{
    char eb[256];
    int es = ward_conn_early_data_status(c);
    if (e == WARD_ERR_TIMEOUT) /* absolute: a byte now and then does not extend it */
        snprintf(eb, sizeof eb, "not complete within %lu seconds (--handshake-timeout), closing",
                 l->handshake_s);
    cli_log("%s handshake failed: %s%s", peer,
            e == WARD_ERR_TIMEOUT ? eb : pump_error(p, e, eb, sizeof eb),
            es == WARD_EARLY_ACCEPTED   ? " (its early data had been accepted; dropped)"
            : es == WARD_EARLY_REJECTED ? " (early data rejected)"
                                        : "");
}

/* The connection's log lines once the handshake is done. */
static void log_negotiated(ward_conn *c, const server_opts *o, const char *peer)
{
    char b1[48], b2[64], b3[48], sni[256], alpn_s[256];
    const char *alpn = ward_conn_alpn(c);
    sanitize(ward_conn_server_name(c), sni, sizeof sni);
    sanitize(alpn, alpn_s, sizeof alpn_s);
    cli_info("%s %s %s %s, signature %s, HRR %s, ALPN %s, SNI %s%s", peer,
             cli_version_name(ward_conn_version(c)), cli_suite(ward_conn_suite(c), b1, sizeof b1),
             cli_conn_group(c, b2, sizeof b2), cli_sigscheme(ward_conn_sigscheme(c), b3, sizeof b3),
             ward_conn_did_hrr(c) ? "yes" : "no", alpn && *alpn ? alpn_s : "none",
             sni[0] ? sni : "none", cli_ems_note(c));
    cli_info("%s resumed: %s", peer, ward_conn_resumed(c) ? "yes" : "no");
    if (o->client_ca && o->client_mode != WARD_CLIENT_CERT_POST_HANDSHAKE) {
        char client_id[600]; /* mutual TLS: who the client is */
        client_identity(c, client_id, sizeof client_id);
        cli_info("%s client: %s", peer, client_id);
    }
}

/* After the request deadline passed or a poll went idle: 1, after a log
 * line, if that ends the connection. The request deadline holds however
 * many bytes came. */
static int deadline_passed(const server_limits *l, const char *peer, int idle, long long request)
{
    if (request && cli_now_ms() >= request) {
        cli_log("%s error: no complete request within %lu seconds (--request-timeout), closing",
                peer, l->request_s);
        return 1;
    }
    if (idle) {
        cli_log("%s error: idle for %lu seconds (--idle-timeout), closing", peer, l->idle_s);
        return 1;
    }
    return 0;
}

/* One connection's service once the handshake is done: what serve's
 * turns share. */
typedef struct {
    const server_opts *o;
    const char *peer;
    pump p;
    int peer_closed, close_sent, key_update_sent, pha_waiting, http_done;
    size_t file_off, http_len;
    unsigned long long bytes_in, bytes_out;
    char *http;
    uint8_t *early; /* accepted 0-RTT data, served before the rest */
    size_t early_len, early_off;
    long long request_deadline, linger_deadline;
} service;

/* Log the failure e; returns -1 for the caller to pass on. */
static int svc_fail(service *s, ward_err e)
{
    char eb[256];
    cli_log("%s error: %s", s->peer, pump_error(&s->p, e, eb, sizeof eb));
    return -1;
}

/* Post-handshake authentication: ask now; the answer comes with the
 * client's data (--www waits for it before answering). Then the exporter. */
static int svc_after_handshake(service *s)
{
    const server_opts *o = s->o;
    ward_conn *c = s->p.conn;
    if (o->client_ca && o->client_mode == WARD_CLIENT_CERT_POST_HANDSHAKE) {
        if (ward_conn_request_client_cert(c) == WARD_OK) {
            s->pha_waiting = 1;
            cli_info("%s asked for a client certificate (post-handshake)", s->peer);
        } else {
            cli_info("%s client: none (it did not offer post-handshake authentication%s)",
                     s->peer, ward_conn_version(c) == WARD_TLS13 ? "" : "; TLS 1.2 has none");
        }
    }
    char prefix[160];
    snprintf(prefix, sizeof prefix, "%s ", s->peer);
    if (cli_export_print(c, &o->tls.export, prefix) != 0)
        return -1;
    if (o->key_update && ward_conn_version(c) != WARD_TLS13) {
        cli_log("%s notice: %s has no KeyUpdate (a TLS 1.3 message); --key-update is ignored "
                "for this connection", s->peer, cli_version_name(ward_conn_version(c)));
        s->key_update_sent = 1;
    }
    if (o->mode == MODE_WWW && !(s->http = malloc(HTTP_MAX_REQUEST + 1))) {
        cli_error("%s: out of memory", s->peer);
        return -1;
    }
    return 0;
}

/* 0-RTT data the handshake took comes first, through the same path as
 * what follows (echo, --www request, --file: dropped). */
static int svc_early_data(service *s)
{
    ward_conn *c = s->p.conn;
    size_t max = s->o->max_early_data;
    if (ward_conn_early_data_status(c) == WARD_EARLY_REJECTED)
        cli_info("%s early data: rejected (replayed, or not acceptable; the client may send it "
                 "again)",
                 s->peer);
    if (ward_conn_early_data_status(c) != WARD_EARLY_ACCEPTED)
        return 0;
    if (!(s->early = malloc(max ? max : 1))) {
        cli_error("%s: out of memory", s->peer);
        return -1;
    }
    ward_err e;
    for (;;) {
        size_t n = 0;
        e = ward_conn_read_early_data(c, s->early + s->early_len, max - s->early_len, &n);
        if (e != WARD_OK || n == 0)
            break;
        s->early_len += n;
    }
    if (e != WARD_OK)
        return svc_fail(s, e);
    cli_info("%s early data: %zu bytes (replayable)", s->peer, s->early_len);
    return 0;
}

/* n bytes from the client: echoed, collected as the --www request, or
 * (--file) dropped. */
static ward_err svc_take(service *s, const uint8_t *buf, size_t n)
{
    ward_conn *c = s->p.conn;
    ward_err e = WARD_OK;
    s->bytes_in += n;
    if (s->o->mode == MODE_ECHO && !s->close_sent) {
        e = ward_conn_write(c, buf, n);
        if (e == WARD_OK)
            s->bytes_out += n;
        if (e == WARD_OK && s->o->key_update && !s->key_update_sent) {
            e = ward_conn_key_update(c, 1);
            s->key_update_sent = 1;
            cli_info("%s sent KeyUpdate (update_requested)", s->peer);
        }
    } else if (s->o->mode == MODE_WWW && !s->close_sent) {
        size_t take = n;
        if (take > HTTP_MAX_REQUEST - s->http_len)
            take = HTTP_MAX_REQUEST - s->http_len;
        memcpy(s->http + s->http_len, buf, take);
        s->http_len += take;
        s->http[s->http_len] = '\0';
        if (strstr(s->http, "\r\n\r\n") || strstr(s->http, "\n\n") ||
            s->http_len == HTTP_MAX_REQUEST)
            s->http_done = 1; /* answered in svc_answer */
    }
    return e;
}

/* Take in what the engine decrypted (unless our output is backed up).
 * 0, or -1 after a log line. */
static int svc_take_in(service *s)
{
    uint8_t buf[16384];
    while (!s->peer_closed && pump_pending(&s->p) < HIGH_WATER) {
        size_t n = 0;
        ward_err e = WARD_OK;
        if (s->early_off < s->early_len) {
            n = s->early_len - s->early_off < sizeof buf ? s->early_len - s->early_off : sizeof buf;
            memcpy(buf, s->early + s->early_off, n);
            s->early_off += n;
        } else {
            e = ward_conn_read(s->p.conn, buf, sizeof buf, &n);
        }
        if (e == WARD_CLOSED) {
            s->peer_closed = 1;
            break;
        }
        if (e != WARD_OK) {
            (void)pump_send(&s->p);
            return svc_fail(s, e);
        }
        if (n == 0)
            break;
        if ((e = svc_take(s, buf, n)) != WARD_OK)
            return svc_fail(s, e);
    }
    return 0;
}

/* Queue close_notify (once). 0, or -1 after a log line. */
static int svc_close(service *s)
{
    ward_err e = ward_conn_close(s->p.conn);
    s->close_sent = 1;
    return e == WARD_OK ? 0 : svc_fail(s, e);
}

/* What the server has to say now: the client's identity once its
 * certificate came, the --www answer, more of the --file. 0, or -1. */
static int svc_answer(service *s)
{
    const server_opts *o = s->o;
    ward_conn *c = s->p.conn;
    if (s->pha_waiting && ward_conn_peer_authenticated(c)) {
        char client_id[600];
        client_identity(c, client_id, sizeof client_id);
        cli_info("%s client: %s", s->peer, client_id);
        s->pha_waiting = 0;
    }
    if (o->mode == MODE_WWW && s->http_done && !s->close_sent && !s->pha_waiting) {
        ward_err e = www_respond(c, s->peer, s->http, &s->bytes_out);
        if (e != WARD_OK) {
            s->close_sent = 1;
            return svc_fail(s, e);
        }
        return svc_close(s);
    }
    if (o->mode == MODE_FILE && !s->close_sent) {
        while (s->file_off < o->file_len && pump_pending(&s->p) < HIGH_WATER) {
            size_t n = o->file_len - s->file_off;
            if (n > 16384)
                n = 16384;
            ward_err e = ward_conn_write(c, o->file + s->file_off, n);
            if (e != WARD_OK)
                return svc_fail(s, e);
            s->file_off += n;
            s->bytes_out += n;
        }
        if (s->file_off == o->file_len)
            return svc_close(s);
    }
    return 0;
}

/* Whether the connection is over, once what is queued is sent: 1 done
 * (well), 0 not yet, -1 failed (after a log line). */
static int svc_done(service *s)
{
    ward_err e = pump_send(&s->p);
    if (e != WARD_OK)
        return svc_fail(s, e);
    if (s->close_sent && pump_pending(&s->p) == 0) {
        if (s->peer_closed || s->p.eof)
            return 1;
        /* Wait a little for the client's close_notify, so that closing
         * the socket does not reset data still on its way to it. */
        if (!s->linger_deadline) {
            shutdown(s->p.fd, SHUT_WR);
            s->linger_deadline = cli_now_ms() + LINGER_MS;
        } else if (cli_now_ms() >= s->linger_deadline) {
            return 1;
        }
    }
    if (s->p.eof && !s->peer_closed) {
        if (s->close_sent)
            return 1;
        cli_log("%s error: %s", s->peer, ward_err_str(WARD_ERR_TRUNCATED));
        return -1;
    }
    return 0;
}

/* Drive the socket until something the service reacts to: data, room to
 * write, the output flushed, the client's certificate, a deadline. 1 done
 * (a reset after our close_notify: nothing was lost), 0 go on, -1 failed. */
static int svc_wait(service *s)
{
    size_t pending = pump_pending(&s->p);
    unsigned want = 0;
    if (!s->p.eof && (pending < HIGH_WATER || s->linger_deadline))
        want |= PUMP_EOF;
    if (!s->peer_closed && pending < HIGH_WATER)
        want |= PUMP_DATA;
    if (pending >= HIGH_WATER)
        want |= PUMP_ROOM;
    if (pending && s->close_sent)
        want |= PUMP_FLUSHED;
    if (s->pha_waiting)
        want |= PUMP_PEER_AUTH;
    /* --www: the request deadline holds until it is answered; after our
     * close_notify the linger deadline replaces the idle time. */
    long long request = s->close_sent ? 0 : s->request_deadline;
    long long deadline = s->linger_deadline;
    if (request && (!deadline || request < deadline))
        deadline = request;
    s->p.idle_ms = s->linger_deadline ? 0 : (long long)s->o->lim.idle_s * 1000;
    ward_err e = pump_until(&s->p, want, deadline);
    if (e == WARD_OK || e == WARD_ERR_TIMEOUT)
        return deadline_passed(&s->o->lim, s->peer, s->p.idle_fired, request) ? -1 : 0;
    if (s->close_sent && e == WARD_ERR_IO && s->p.rx_failed)
        return 1;
    (void)pump_send(&s->p);
    return svc_fail(s, e);
}

/* The data phase: turns until the connection ends. The exit status. */
static int svc_run(service *s)
{
    for (;;) {
        int r;
        if (svc_take_in(s) != 0 || svc_answer(s) != 0)
            return EXIT_FAIL;
        /* The client is done sending; echo and www answer with our
         * close_notify, --file finishes the file first. */
        if (s->peer_closed && !s->close_sent && s->o->mode != MODE_FILE && svc_close(s) != 0)
            return EXIT_FAIL;
        if ((r = svc_done(s)) == 0)
            r = svc_wait(s);
        if (r < 0)
            return EXIT_FAIL;
        if (r > 0)
            break;
    }
    cli_info("%s closed: %llu bytes in, %llu bytes out, KeyUpdates received: %u", s->peer,
             s->bytes_in, s->bytes_out, ward_conn_key_updates_received(s->p.conn));
    return EXIT_OK;
}

/* Serve one accepted connection; returns the child's exit status. */
static int serve(const ward_config *cfg, const server_opts *o, int fd, const char *peer)
{
    net_set_nonblocking(fd, 1);
    ward_conn *c = ward_conn_new(cfg, NULL);
    if (!c) {
        cli_error("%s: cannot create a connection", peer);
        return EXIT_FAIL;
    }
    service s = {.o = o, .peer = peer, .p = {.conn = c, .fd = fd}};
    ward_err e = pump_handshake(&s.p, (int)(o->lim.handshake_s * 1000));
    if (e != WARD_OK) {
        log_handshake_failure(c, &s.p, e, peer, &o->lim);
        ward_conn_free(c);
        return EXIT_FAIL;
    }
    log_negotiated(c, o, peer);
    /* --www: the whole request by an absolute deadline, so that a request
     * dribbled a byte at a time cannot hold a child for long. */
    if (o->mode == MODE_WWW)
        s.request_deadline = cli_now_ms() + (long long)o->lim.request_s * 1000;
    int status = EXIT_FAIL;
    if (svc_after_handshake(&s) == 0 && svc_early_data(&s) == 0)
        status = svc_run(&s);
    free(s.http);
    free(s.early);
    ward_conn_free(c);
    return status;
}

/* ---- the accept loop ---- */

static volatile sig_atomic_t stop_requested = 0;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* Reap finished children (and forget them in t); counts failures.
 * Returns how many were reaped. */
static unsigned reap(int block, unsigned *failed, child_table *t)
{
    unsigned n = 0;
    for (;;) {
        int st = 0;
        pid_t pid = waitpid(-1, &st, block ? 0 : WNOHANG);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid <= 0)
            return n;
        n++;
        children_remove(t, pid);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            (*failed)++;
    }
}

static void install_stop_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

/* In the child: serve the connection, then exit with its status. */
__attribute__((noreturn)) static void run_child(ward_config *cfg, server_opts *o, int lfd, int cfd, const char *peer,
                      pid_t parent, child_table *kids)
{
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent)
        _exit(EXIT_FAIL);
#else
    (void)parent;
#endif
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    close(lfd);
    children_free(kids);
    /* the trace of this connection only: the child's own sink */
    if (cli_trace_begin(&o->trace, cfg) != 0)
        _exit(EXIT_FAIL);
    /* --www draws the connection's events; --trace's sink still gets them */
    if (o->mode == MODE_WWW && www_trace_enable(cfg, o->trace.sink) != 0) {
        cli_error("%s: out of memory", peer);
        _exit(EXIT_FAIL);
    }
    int st = serve(cfg, o, cfd, peer);
    if (cli_trace_end(&o->trace) != 0)
        st = EXIT_FAIL;
    close(cfd);
    ward_config_free(cfg);
    free(o->file);
    cli_tls_free(&o->tls);
    _exit(st);
}

/* A connection is waiting on lfd: accept it and hand it to a child, unless
 * a cap refuses it. */
static void accept_one(ward_config *cfg, server_opts *o, int lfd, child_table *kids,
                       pid_t parent, unsigned long *accepted, unsigned *failed)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int cfd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
    if (cfd < 0) {
        if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
            cli_error("accept: %s", strerror(errno));
        if (errno == EMFILE || errno == ENFILE)
            sleep(1);
        return;
    }
    char peer[128];
    net_addr_str((struct sockaddr *)&ss, sl, peer, sizeof peer);
    (void)reap(0, failed, kids); /* children that ended during poll */
    if (!children_admit(kids, &o->lim, (struct sockaddr *)&ss, peer)) {
        close(cfd); /* over a cap: at once, before any TLS */
        return;
    }
    (*accepted)++;
    ward_config_refresh_ocsp(cfg); /* the child inherits the current staple */
    pid_t pid = fork();
    if (pid < 0) {
        cli_error("%s: fork: %s", peer, strerror(errno));
        close(cfd);
        (*failed)++;
        return;
    }
    if (pid == 0)
        run_child(cfg, o, lfd, cfd, peer, parent, kids);
    children_add(kids, pid, (struct sockaddr *)&ss);
    close(cfd);
}

int server_main(int argc, char **argv)
{
    server_opts o;
    memset(&o, 0, sizeof o);
    int status = EXIT_FAIL;
    ward_config *cfg = NULL;
    int lfd = -1;
    child_table kids = {0};
    if (parse_args(argc, argv, &o) != 0) {
        cli_tls_free(&o.tls);
        return EXIT_USAGE;
    }
    char host[256], port[8];
    if (cli_parse_hostport("server", o.listen, host, sizeof host, "4433", port, sizeof port) != 0) {
        cli_tls_free(&o.tls);
        return EXIT_USAGE;
    }
    if (o.file_path && read_file(o.file_path, &o.file, &o.file_len) != 0) {
        cli_error("cannot read --file %s: %s", o.file_path, strerror(errno));
        goto out;
    }
    cfg = make_config(&o);
    if (!cfg)
        goto out;
    if (cli_trace_open(&o.trace, &o.tls.trace, stderr, 1, 1) != 0)
        goto out;

    char bound[128], err[512];
    lfd = net_listen(host, port, bound, sizeof bound, err, sizeof err);
    if (lfd < 0) {
        cli_error("%s", err);
        goto out;
    }
    {
        int q = cli_quiet;
        cli_quiet = 0;
        cli_info("listening on %s", bound);
        cli_quiet = q;
    }

    install_stop_handlers();
    if (children_init(&kids, &o.lim) != 0) {
        cli_error("out of memory");
        goto out;
    }
    unsigned long accepted = 0;
    unsigned failed = 0;
    pid_t parent = getpid();
    while (!stop_requested && (o.max_conn == 0 || accepted < o.max_conn)) {
        (void)reap(0, &failed, &kids);
        struct pollfd pfd = {.fd = lfd, .events = POLLIN};
        if (poll(&pfd, 1, 500) > 0)
            accept_one(cfg, &o, lfd, &kids, parent, &accepted, &failed);
    }
    close(lfd);
    lfd = -1;
    if (stop_requested) {
        /* Children get SIGTERM when this process ends (PR_SET_PDEATHSIG). */
        status = EXIT_OK;
    } else {
        (void)reap(1, &failed, &kids);
        status = failed ? EXIT_FAIL : EXIT_OK;
        if (failed)
            cli_info("%u of %lu connections failed", failed, accepted);
    }
out:
    if (lfd >= 0)
        close(lfd);
    if (cfg)
        ward_config_free(cfg);
    children_free(&kids);
    cli_trace_close(&o.trace);
    free(o.file);
    cli_tls_free(&o.tls);
    return status;
}
