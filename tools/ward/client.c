/* ward client: connect, handshake, show what was negotiated, then relay
 * stdin to the server and the server's data to stdout. */
#define _GNU_SOURCE /* explicit_bzero */
#include "certs.h"
#include "cli.h"
#include "cli_trace.h"
#include "dialogue.h"
#include "url.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 10000
#define HANDSHAKE_TIMEOUT_MS 30000
/* Stop reading stdin while this much is queued for the socket. */
#define HIGH_WATER (256 * 1024)
/* At the end of stdin our close_notify waits until the server has said
 * nothing for this long (or sent its own): see relay_close_due. */
#define CLOSE_QUIET_MS 1000
/* --early-data: at most this much (servers allow far less, 16 KiB is usual). */
#define EARLY_DATA_MAX (1024 * 1024)

/* --help, in the order it is printed (the parts both commands share are in
 * cli.c). */
static const char client_help_top[] =
    "Usage: ward client [options] HOST[:PORT]\n"
    "       ward client [options] URL\n"
    "       ward client [options] --starttls PROTO HOST[:PORT]\n"
    "\n"
    "Connect to HOST (default port 443; IPv6 as [ADDR]:PORT) over TLS 1.3 or 1.2,\n"
    "print the negotiated parameters on stderr, then send stdin to the server\n"
    "and write what the server sends to stdout. At the end of stdin, keep reading\n"
    "until the server sends close_notify (then answer with ours), or until it has\n"
    "been quiet for 1 s (then send ours and wait for its close).\n"
    "\n"
    "URL: SCHEME://HOST[:PORT][/path] (IPv6 as [ADDR]; the path is ignored). The\n"
    "scheme gives the default port, the ALPN offered (unless --alpn) and whether\n"
    "TLS starts at once or after a STARTTLS dialogue (shown as 'ward: S:' and\n"
    "'ward: C:' lines; a server that does not upgrade is an error, never a\n"
    "fallback to plaintext):\n"
    "  implicit TLS: https 443, imaps 993, pop3s 995, nntps 563, ftps 990,\n"
    "                smtps/submissions 465, ldaps 636, xmpps 5223\n"
    "  STARTTLS:     smtp 25, submission 587, lmtp 24, imap 143, pop3 110,\n"
    "                nntp 119, ftp 21, sieve 4190, xmpp 5222, xmpp-server 5269,\n"
    "                ldap 389, postgres 5432, mysql 3306 (those this version has)\n"
    "  --starttls PROTO       PROTO://HOST[:PORT], for a STARTTLS protocol above\n"
    "  --helo NAME            the name ward gives for itself: the EHLO / LHLO\n"
    "                         argument (smtp, submission, lmtp; a domain or an\n"
    "                         address literal such as [192.0.2.1]) and the stream's\n"
    "                         'from' (xmpp-server); default localhost\n"
    "\n"
    "Certificates:\n"
    "  --showcerts            write the server's chain to stdout before any data:\n"
    "                         a summary line and the PEM of each certificate\n"
    "  --check-expiry DAYS    exit 3 if a certificate of the chain expires within\n"
    "                         DAYS days (and say which, and when)\n"
    "\n"
    "Verification (default: the system trust store and the host name):\n"
    "  --cafile FILE          trust the CA certificates in FILE (PEM)\n"
    "  --servername NAME      name to send in SNI and to verify (default HOST)\n"
    "  --pin sha256:HEX       accept exactly the server key whose SubjectPublicKeyInfo\n"
    "                         has this SHA-256 (64 hex digits)\n"
    "  --insecure             do not verify the certificate at all (testing only)\n"
    "  --ocsp-require         fail unless the server staples a good OCSP response\n"
    "                         (by default a staple is asked for and checked when sent;\n"
    "                         needs a verified chain: not with --pin or --insecure)\n"
    "  --ocsp-max-age SECONDS accept a staple without nextUpdate for this long after\n"
    "                         its thisUpdate (default 604800, 7 days)\n"
    "\n"
    "Client certificate (mutual TLS; sent only when the server asks):\n"
    "  --cert FILE            certificate chain (PEM, leaf first)\n"
    "  --key FILE             its private key (PEM)\n"
    "  --post-handshake-auth  let the server ask for it after the handshake too\n"
    "                         (TLS 1.3 post-handshake authentication)\n"
    "\n"
    "Negotiation:\n"
    "  --alpn LIST            ALPN protocols to offer, e.g. h2,http/1.1\n"
    "  --groups LIST          key exchange groups in preference order:\n"
    "                         x25519, secp256r1 (P-256), secp384r1 (P-384),\n"
    "                         secp521r1 (P-521), and for TLS 1.3 only\n"
    "                         X25519MLKEM768, SecP256r1MLKEM768,\n"
    "                         SecP384r1MLKEM1024, MLKEM1024\n"
    "                         (default: X25519MLKEM768,x25519,secp256r1,secp384r1)\n"
    "  --key-share-groups LIST  groups to send key shares for in the first\n"
    "                         ClientHello, at most 3 (TLS 1.3; default:\n"
    "                         X25519MLKEM768,x25519)\n";

static const char client_help_compat[] =
    "  --no-middlebox-compat  turn off middlebox compatibility mode (TLS 1.3)\n"
    "\n";

static const char client_help_resumption[] =
    "\n"
    "Resumption (TLS 1.3 tickets; TLS 1.2 session IDs and tickets):\n"
    "  --sess-out FILE        save the newest session the server hands out to\n"
    "                         FILE (mode 0600; it holds a secret), each time one\n"
    "                         arrives\n"
    "  --sess-in FILE         offer to resume the session saved in FILE; a missing\n"
    "                         or corrupt file is an error (no silent full\n"
    "                         handshake). Prints \"resumed: yes\" or \"no\". A\n"
    "                         resumed connection has no certificate: the one\n"
    "                         checked when the session was saved stands for it\n"
    "  --early-data FILE      with --sess-in: send FILE as 0-RTT early data (TLS\n"
    "                         1.3, when the session allows it); if the server\n"
    "                         rejects it, it is sent again after the handshake,\n"
    "                         so the server gets it once either way. Early data\n"
    "                         can be replayed by an attacker: only for requests\n"
    "                         that are harmless to repeat\n";

static const char client_help_other[] =
    "\n"
    "Other:\n"
    "  --key-update           after the first chunk of stdin is sent, send a\n"
    "                         KeyUpdate that asks the server to update too\n"
    "                         (TLS 1.3; TLS 1.2 has none: a notice says so)\n"
    "  -q, --quiet            no information lines, only errors\n"
    "  -h, --help             this help\n"
    "\n"
    "Exit status: 0 after a clean close, 1 on any error, 2 on bad usage, 3 when\n"
    "--check-expiry finds a certificate that expires too soon.\n";

void client_usage(FILE *out)
{
    fputs(client_help_top, out);
    fputs(cli_suites_help, out);
    fputs(client_help_compat, out);
    fputs(cli_version_help, out);
    fputs("\n", out);
    fputs(cli_keylog_help, out);
    fputs("\n", out);
    fputs(cli_trace_help, out);
    fputs(client_help_resumption, out);
    fputs(client_help_other, out);
}

/* "client", or "trace" for `ward trace` (the same options). */
static const char *client_cmd = "client";

void trace_usage(FILE *out)
{
    fputs("Usage: ward trace [options] HOST[:PORT]\n"
          "       ward trace [options] URL\n"
          "\n"
          "Connect like 'ward client', make the handshake, send close_notify, and draw\n"
          "the handshake on stdout as the textbook does: client left, server right,\n"
          "one arrow per message with what matters under it (--trace=json: one JSON\n"
          "object per event; --trace=svg --trace-out FILE: a picture). Exit 0 when the\n"
          "handshake completed, 1 when not (the trace then ends with the alert and\n"
          "its reason). STARTTLS URLs show the plaintext dialogue's lines too.\n"
          "\n"
          "Every option of 'ward client' is taken:\n\n",
          out);
    client_usage(out);
}

typedef struct {
    const char *target;
    const char *starttls; /* --starttls PROTO */
    const char *helo;     /* --helo NAME */
    int showcerts;        /* --showcerts */
    int check_expiry;     /* --check-expiry given */
    unsigned long expiry_days;
    cli_target where;     /* settled from target and starttls */
    const char *cafile;
    const char *cert, *key; /* client certificate (mutual TLS) */
    const char *servername;
    int have_pin;
    uint8_t pin[32];
    int insecure;
    cli_tls_opts tls; /* --alpn, --groups, --suites, the versions, --keylog, --export */
    cli_u16_list key_share;
    int have_key_share;
    int no_middlebox;
    int key_update;
    int pha;
    int ocsp_require;
    unsigned long ocsp_max_age; /* 0: the library's default */
    const char *sess_out, *sess_in, *early_data; /* --sess-out, --sess-in, --early-data */
} client_opts;

/* --helo NAME: a domain or an address literal (RFC 5321 §4.1.3, "[...]"),
 * at most 255 bytes. Nothing else: the name goes into a command line
 * (EHLO NAME) or an XML attribute (from='NAME'), where a space, a quote or
 * a '<' would change what is sent. */
static int helo_check(const char *cmd, const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 255) {
        cli_usage_error(cmd, "--helo needs a name of 1 to 255 characters");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              strchr("-._[]:", ch))) {
            cli_usage_error(cmd,
                            "--helo '%s': only letters, digits and '-._[]:' (a domain or an "
                            "address literal)",
                            v);
            return -1;
        }
    }
    return 0;
}

/* The dialogues that send a name for the client: EHLO (smtp, submission),
 * LHLO (lmtp), the s2s stream's 'from' (xmpp-server). */
static int helo_used(const cli_target *w)
{
    if (!w->scheme || w->scheme->implicit_tls)
        return 0;
    ward_app a = w->scheme->app;
    return a == WARD_APP_SMTP || a == WARD_APP_LMTP || a == WARD_APP_XMPP_SERVER;
}

/* The options that only store what they are given, flags and file names:
 * 1 if argv[*i] is one (taken, *i advanced), 0 if not, -1 after a usage
 * message. */
static int client_simple_opt(int argc, char **argv, int *i, client_opts *o)
{
    const cli_simple_opt tab[] = {
        {"--showcerts", NULL, &o->showcerts, NULL},
        {"--insecure", NULL, &o->insecure, NULL},
        {"--ocsp-require", NULL, &o->ocsp_require, NULL},
        {"--no-middlebox-compat", NULL, &o->no_middlebox, NULL},
        {"--key-update", NULL, &o->key_update, NULL},
        {"--post-handshake-auth", NULL, &o->pha, NULL},
        {"--starttls", NULL, NULL, &o->starttls},
        {"--cafile", NULL, NULL, &o->cafile},
        {"--cert", NULL, NULL, &o->cert},
        {"--key", NULL, NULL, &o->key},
        {"--sess-out", NULL, NULL, &o->sess_out},
        {"--sess-in", NULL, NULL, &o->sess_in},
        {"--early-data", NULL, NULL, &o->early_data},
    };
    if (cli_common_flag(argv[*i], strcmp(client_cmd, "trace") == 0 ? trace_usage : client_usage))
        return 1;
    return cli_simple_opt_take(client_cmd, argc, argv, i, tab, sizeof tab / sizeof tab[0]);
}

/* The options with a value that is checked, about where to connect, whom
 * to trust and the key shares: as client_simple_opt. */
static int client_peer_opt(int argc, char **argv, int *i, client_opts *o)
{
    const char *cmd = client_cmd;
    const char *v;
    int bad = 0;
    if ((v = cli_opt_value(cmd, argc, argv, i, "--helo", NULL, &bad))) {
        if (helo_check(cmd, v) != 0)
            return -1;
        o->helo = v;
    } else if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--check-expiry", NULL, &bad))) {
        if (cli_parse_uint(cmd, "--check-expiry", v, 36500, &o->expiry_days) != 0)
            return -1;
        o->check_expiry = 1;
    } else if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--servername", NULL, &bad))) {
        if (!*v) {
            cli_usage_error(cmd, "--servername needs a name");
            return -1;
        }
        o->servername = v;
    } else if (!bad &&
               (v = cli_opt_value(cmd, argc, argv, i, "--key-share-groups", NULL, &bad))) {
        if (cli_parse_groups(cmd, v, &o->key_share) != 0)
            return -1;
        o->have_key_share = 1;
    } else if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--pin", NULL, &bad))) {
        if (cli_parse_pin(cmd, v, o->pin) != 0)
            return -1;
        o->have_pin = 1;
    } else if (!bad && (v = cli_opt_value(cmd, argc, argv, i, "--ocsp-max-age", NULL, &bad))) {
        if (cli_parse_uint(cmd, "--ocsp-max-age", v, UINT32_MAX, &o->ocsp_max_age) != 0)
            return -1;
        if (o->ocsp_max_age == 0) {
            cli_usage_error(cmd, "--ocsp-max-age needs at least 1 second");
            return -1;
        }
    } else {
        return bad ? -1 : 0;
    }
    return 1;
}

/* An argument that is no known option: "--", the target, or a mistake.
 * 1, or -1 after a usage message. */
static int client_word(int argc, char **argv, int *i, client_opts *o)
{
    const char *cmd = client_cmd;
    const char *a = argv[*i];
    if (strcmp(a, "--") == 0) {
        if (*i + 1 < argc && !o->target)
            o->target = argv[++*i];
        if (*i + 1 < argc) {
            cli_usage_error(cmd, "unexpected argument '%s'", argv[*i + 1]);
            return -1;
        }
    } else if (a[0] == '-' && a[1] != '\0') {
        cli_usage_error(cmd, "unknown option '%s'", a);
        return -1;
    } else if (o->target) {
        cli_usage_error(cmd, "unexpected argument '%s' (only one HOST[:PORT])", a);
        return -1;
    } else {
        o->target = a;
    }
    return 1;
}

/* Once every option is read: the ones that need or exclude each other. 0,
 * or -1 after a usage message. */
static int client_args_agree(client_opts *o)
{
    const char *cmd = client_cmd;
    if (!o->target) {
        cli_usage_error(cmd, "missing URL or HOST[:PORT]");
        return -1;
    }
    if (cli_parse_target(cmd, o->target, o->starttls, &o->where) != 0)
        return -1;
    if (o->helo && !helo_used(&o->where)) {
        cli_usage_error(cmd, "--helo is for smtp, submission, lmtp and xmpp-server, not %s",
                        o->where.scheme ? o->where.scheme->scheme : "a bare HOST[:PORT]");
        return -1;
    }
    if (o->early_data && o->where.scheme && !o->where.scheme->implicit_tls) {
        /* 0-RTT data would reach the server before the dialogue's own
         * post-TLS step (SMTP's second EHLO, ...). */
        cli_usage_error(cmd, "--early-data cannot be used with a STARTTLS scheme (%s)",
                        o->where.scheme->scheme);
        return -1;
    }
    if (!o->cert != !o->key) {
        cli_usage_error(cmd, "--cert and --key go together");
        return -1;
    }
    if (o->insecure && o->have_pin) {
        cli_usage_error(cmd, "--pin and --insecure exclude each other");
        return -1;
    }
    if (o->ocsp_require && (o->have_pin || o->insecure)) {
        /* the staple's signer is checked against the trust anchors, which
         * a pin or --insecure does not use: the staple would go unread */
        cli_usage_error(cmd,
                        "--ocsp-require needs a verified chain: it cannot be checked with %s",
                        o->have_pin ? "--pin" : "--insecure");
        return -1;
    }
    if (o->early_data && !o->sess_in) {
        cli_usage_error(cmd, "--early-data needs --sess-in (0-RTT rides on a resumed session)");
        return -1;
    }
    if ((o->sess_out && !*o->sess_out) || (o->sess_in && !*o->sess_in) ||
        (o->early_data && !*o->early_data)) {
        cli_usage_error(cmd, "--sess-out, --sess-in and --early-data need a file name");
        return -1;
    }
    return cli_tls_settle(cmd, &o->tls);
}

static int parse_args(int argc, char **argv, client_opts *o)
{
    for (int i = 0; i < argc; i++) {
        int r = cli_tls_opt(client_cmd, argc, argv, &i, &o->tls);
        if (r == 0)
            r = client_simple_opt(argc, argv, &i, o);
        if (r == 0)
            r = client_peer_opt(argc, argv, &i, o);
        if (r == 0)
            r = client_word(argc, argv, &i, o);
        if (r < 0)
            return -1;
    }
    return client_args_agree(o);
}

/* What the client sets beyond cli_tls_apply (after it: --groups trims the
 * key shares, and --alpn wins over the scheme's ALPN): the trust, the
 * scheme's ALPN, the key shares. WARD_OK, or the error with *what set to
 * the option to blame. */
static ward_err config_peer(ward_config *cfg, const client_opts *o, const char **what)
{
    ward_err e = WARD_OK;
    if (o->cafile && (e = ward_config_set_cafile(cfg, o->cafile)) != WARD_OK)
        *what = "--cafile";
    else if (o->have_pin && (e = ward_config_set_pin_sha256(cfg, o->pin)) != WARD_OK)
        *what = "--pin";
    else if (!o->tls.alpn.n && o->where.scheme && o->where.scheme->alpn &&
             (e = ward_config_set_alpn(cfg, &o->where.scheme->alpn, 1)) != WARD_OK)
        *what = "the scheme's ALPN";
    else if (o->have_key_share &&
             (e = ward_config_set_key_share_groups(cfg, o->key_share.v, o->key_share.n)) !=
                 WARD_OK)
        *what = "--key-share-groups";
    return e;
}

/* Build the configuration; on failure print why and return NULL. */
static ward_config *make_config(const client_opts *o)
{
    ward_config *cfg = ward_config_new_client();
    if (!cfg) {
        cli_error("cannot create a client configuration");
        return NULL;
    }
    if (cli_tls_apply(cfg, &o->tls) != 0) {
        ward_config_free(cfg);
        return NULL;
    }
    const char *what = "";
    ward_err e = config_peer(cfg, o, &what);
    if (e == WARD_OK && o->cert && (e = ward_config_set_cert_files(cfg, o->cert, o->key)) != WARD_OK) {
        cli_error("cannot load --cert %s / --key %s: %s", o->cert, o->key,
                  (ward_config_error_message(cfg)[0] ? ward_config_error_message(cfg) : ward_err_str(e)));
        ward_config_free(cfg);
        return NULL;
    }
    if (e != WARD_OK) {
        if (strcmp(what, "--cafile") == 0)
            cli_error("%s %s: %s", what, o->cafile, (ward_config_error_message(cfg)[0] ? ward_config_error_message(cfg) : ward_err_str(e)));
        else
            cli_error("%s: %s", what, ward_err_str(e));
        ward_config_free(cfg);
        return NULL;
    }
    if (o->insecure)
        ward_config_set_insecure_no_verify(cfg, 1);
    if (o->no_middlebox)
        ward_config_set_middlebox_compat(cfg, 0);
    if (cli_keylog_apply(cfg, o->tls.keylog) != 0) {
        ward_config_free(cfg);
        return NULL;
    }
    if (o->ocsp_require && (e = ward_config_set_ocsp(cfg, WARD_OCSP_REQUIRE)) != WARD_OK) {
        cli_error("--ocsp-require: %s", ward_err_str(e));
        ward_config_free(cfg);
        return NULL;
    }
    if (o->ocsp_max_age &&
        (e = ward_config_set_ocsp_max_age(cfg, (uint32_t)o->ocsp_max_age)) != WARD_OK) {
        cli_error("--ocsp-max-age: %s", ward_err_str(e));
        ward_config_free(cfg);
        return NULL;
    }
    if (o->pha)
        ward_config_set_post_handshake_auth(cfg, 1);
    if (o->showcerts || o->check_expiry)
        ward_config_keep_peer_chain(cfg, 1);
    return cfg;
}

static const char *range_name(uint16_t lo, uint16_t hi)
{
    return lo == hi ? (lo == WARD_TLS13 ? "TLS 1.3 only" : "TLS 1.2 only") : "TLS 1.2 and 1.3";
}

/* After a failed handshake: when the server refused the ClientHello with
 * an alert that has a usual cause on our side, say what to try. (Before
 * the server's hello no version is negotiated yet.) */
static void handshake_hint(const ward_conn *c, const client_opts *o)
{
    if (ward_conn_error(c) != WARD_ERR_PEER_ALERT || ward_conn_version(c) != 0)
        return;
    const char *msg = ward_conn_error_message(c);
    const char *hs_failure = ward_alert_name(40), *version = ward_alert_name(70);
    if (!msg)
        return;
    if (version && strstr(msg, version)) {
        if (o->tls.min_version == WARD_TLS13)
            cli_log("hint: the server accepts none of the versions offered (%s); it may speak "
                    "TLS 1.2 only: leave out --tls1.3 / --min-version 1.3",
                    range_name(o->tls.min_version, o->tls.max_version));
        else if (o->tls.max_version == WARD_TLS12)
            cli_log("hint: the server accepts none of the versions offered (%s); it may speak "
                    "TLS 1.3 only: leave out --tls1.2 / --max-version 1.2",
                    range_name(o->tls.min_version, o->tls.max_version));
        else
            cli_log("hint: the server accepts neither TLS 1.2 nor TLS 1.3; ward never offers "
                    "older versions (RFC 8996)");
    } else if (hs_failure && strstr(msg, hs_failure)) {
        if (o->tls.min_version <= WARD_TLS12 && !o->tls.ver.rsa_kx)
            cli_log("hint: the server found nothing in common with the offer (cipher suites, "
                    "groups, signature schemes); if it only has TLS 1.2 RSA key transport "
                    "(TLS_RSA_WITH_*), --rsa-kx allows that, without forward secrecy");
        else
            cli_log("hint: the server found nothing in common with the offer (cipher suites, "
                    "groups, signature schemes): see --suites and --groups");
    }
}

/* The server refused our client certificate, or wanted one: in TLS 1.3
 * its verdict arrives after our Finished, so during the data phase too. */
static void client_cert_hint(const ward_conn *c, const client_opts *o)
{
    if (ward_conn_error(c) != WARD_ERR_PEER_ALERT)
        return;
    const char *msg = ward_conn_error_message(c);
    static const int refusals[] = {42, 43, 44, 45, 46, 48, 49};
    if (strstr(msg, ward_alert_name(116))) {
        cli_log("the server requires a client certificate%s: give one with --cert FILE "
                "--key FILE",
                o->cert ? ", and did not get one it accepts (no signature scheme in common?)"
                        : "");
        return;
    }
    if (ward_conn_version(c) == WARD_TLS12 && strstr(msg, ward_alert_name(40))) {
        /* RFC 5246 §7.4.6: a TLS 1.2 server without the certificate it
         * requires can only say handshake_failure. */
        if (o->cert)
            cli_log("the server refused the handshake (%s); it may not accept the client "
                    "certificate %s",
                    ward_alert_name(40), o->cert);
        else
            cli_log("the server refused the handshake (%s); it may require a client "
                    "certificate: --cert FILE --key FILE",
                    ward_alert_name(40));
        return;
    }
    if (!o->cert)
        return;
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
        if (strstr(msg, ward_alert_name(refusals[i]))) {
            cli_log("the server refused the client certificate %s (%s): check that it is "
                    "issued by a CA the server trusts for clients, and still valid",
                    o->cert, ward_alert_name(refusals[i]));
            return;
        }
}

static void print_negotiated(ward_conn *c, const client_opts *o)
{
    char b1[48], b2[64], b3[48];
    cli_info("%s, %s, group %s, signature %s%s", cli_version_name(ward_conn_version(c)),
             cli_suite(ward_conn_suite(c), b1, sizeof b1), cli_conn_group(c, b2, sizeof b2),
             cli_sigscheme(ward_conn_sigscheme(c), b3, sizeof b3), cli_ems_note(c));
    const char *alpn = ward_conn_alpn(c);
    cli_info("ALPN %s", alpn && *alpn ? alpn : "none");
    cli_info("HelloRetryRequest: %s", ward_conn_did_hrr(c) ? "yes" : "no");
    cli_info("resumed: %s", ward_conn_resumed(c) ? "yes" : "no");
    ward_cert_info ci;
    memset(&ci, 0, sizeof ci);
    if (ward_conn_peer_cert_info(c, &ci) == WARD_OK) {
        char hex[65];
        cli_hex(ci.spki_sha256, 32, hex);
        cli_info("peer certificate: subject %s, issuer %s, valid %s to %s", ci.subject,
                 ci.issuer, ci.not_before, ci.not_after);
        cli_info("peer key: sha256:%s", hex);
    } else {
        cli_info("peer certificate: none");
    }
    /* A resumed connection carries no certificate: the server proved it
     * holds the session's secret, and the certificate was checked when the
     * session was made, by the options of that run (which the saved
     * session does not record: --sess-in trusts the file). */
    if (ward_conn_resumed(c))
        cli_info("verified: by the resumed session (no certificate in this handshake; it was "
                 "checked when the session was saved, with that run's options)");
    else if (o->insecure)
        cli_info("verified: not verified (--insecure)");
    else if (o->have_pin)
        cli_info("verified: pin");
    else
        cli_info("verified: chain");
    if (ward_conn_ocsp_status(c) == WARD_OCSP_STATUS_GOOD)
        cli_info("OCSP: good");
}

/* --sess-out and no session came: say why. */
static void sess_out_note(const ward_conn *c, const char *path)
{
    if (ward_conn_version(c) == WARD_TLS12 && !ward_conn_used_ems(c))
        cli_log("note: no extended master secret: a TLS 1.2 session without it is never "
                "resumed (RFC 7627); --sess-out %s was not written",
                path);
    else
        cli_log("note: the server handed out no session; --sess-out %s was not written", path);
}

/* --sess-out: each session the server hands out replaces the file's. */
typedef struct {
    const char *path;
    unsigned saved;
    int failed;
} session_sink;

static void on_session(void *arg, const ward_session *s)
{
    session_sink *sink = arg;
    char err[600];
    if (cli_session_save(s, sink->path, err, sizeof err) != 0) {
        cli_error("--sess-out: %s", err);
        sink->failed = 1;
        return;
    }
    if (sink->saved++ == 0)
        cli_info("session saved to %s (TLS %s)", sink->path,
                 cli_version_short(ward_session_version(s)));
}

/* The end of stdin does not send close_notify at once. A server that
 * closes after answering (HTTP/1.0, a POP3 QUIT) would otherwise have our
 * close_notify unread in its socket when it closes, its kernel answers
 * with a reset, and the reset destroys its close_notify (and sometimes the
 * end of its answer) before we read it. So, like `openssl s_client
 * -ign_eof`, we keep reading; our close_notify goes after the server's, or
 * once everything we sent is out and the server has been quiet for
 * CLOSE_QUIET_MS (an echo server, or one that waits for us to close).
 * Returns the poll timeout: -1 (no deadline), or the ms left; 0 = now. */
static int relay_close_due(const pump *p, int stdin_open, int close_sent, long long last_rx)
{
    if (stdin_open || close_sent)
        return -1;
    size_t len = 0;
    (void)ward_conn_output(p->conn, &len);
    if (len > 0)
        return -1;
    long long left = last_rx + CLOSE_QUIET_MS - cli_now_ms();
    return left > 0 ? (int)left : 0;
}

/* A read or engine failure in the data phase: print what was decrypted
 * before it, then say what happened. A reset after data is worth its own
 * words: the server's close_notify, if it sent one, died with it. */
static int relay_fail(pump *p, ward_err e, const client_opts *o, unsigned long long received)
{
    uint8_t buf[4096];
    char eb[256];
    size_t n = 0;
    while (ward_conn_read(p->conn, buf, sizeof buf, &n) == WARD_OK && n > 0) {
        (void)cli_write_all(STDOUT_FILENO, buf, n);
        received += n;
    }
    (void)pump_send(p);
    if (e == WARD_ERR_IO && p->io_errno == ECONNRESET)
        cli_error("the server reset the connection after %llu bytes of data, without a "
                  "close_notify (if it sent one, the reset destroyed it)",
                  received);
    else
        cli_error("%s", pump_error(p, e, eb, sizeof eb));
    client_cert_hint(p->conn, o);
    return EXIT_FAIL;
}

/* Everything the engine has decrypted goes to stdout. 0, 1 once the
 * peer's close_notify is in, -1 after an error (*status set). */
static int relay_out(pump *p, const client_opts *o, unsigned long long *received, int *status)
{
    uint8_t buf[16384];
    for (;;) {
        size_t n = 0;
        ward_err e = ward_conn_read(p->conn, buf, sizeof buf, &n);
        if (e == WARD_CLOSED)
            return 1;
        if (e != WARD_OK) {
            *status = relay_fail(p, e, o, *received);
            return -1;
        }
        if (n == 0)
            return 0;
        if (cli_write_all(STDOUT_FILENO, buf, n) != 0) {
            cli_error("cannot write to stdout: %s", strerror(errno));
            *status = EXIT_FAIL;
            return -1;
        }
        *received += n;
    }
}

/* A chunk of stdin to the server (and the --key-update after the first).
 * 0, or -1 after an error. */
static int relay_in(pump *p, const uint8_t *buf, size_t n, int *key_update)
{
    char eb[256];
    ward_err e = ward_conn_write(p->conn, buf, n);
    if (e != WARD_OK) {
        cli_error("%s", pump_error(p, e, eb, sizeof eb));
        return -1;
    }
    if (*key_update) {
        *key_update = 0;
        e = ward_conn_key_update(p->conn, 1);
        if (e != WARD_OK) {
            cli_error("KeyUpdate: %s", pump_error(p, e, eb, sizeof eb));
            return -1;
        }
        cli_info("sent KeyUpdate (update_requested)");
    }
    return 0;
}

/* The relay's state between its turns. */
typedef struct {
    pump *p;
    const client_opts *o;
    int stdin_open, close_sent, key_update;
    unsigned long long received;
    long long last_rx; /* the start of the server's quiet time (relay_close_due) */
} relay_state;

/* stdin is readable: its next chunk to the server, or its end. 0, or -1
 * after an error. */
static int relay_stdin(relay_state *r)
{
    uint8_t buf[16384];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n <= 0) {
        if (n < 0)
            cli_info("reading stdin: %s; closing", strerror(errno));
        r->stdin_open = 0;
        r->last_rx = cli_now_ms();
        return 0;
    }
    return relay_in(r->p, buf, (size_t)n, &r->key_update);
}

/* Wait for the server's data, and for stdin while there is room to queue
 * it (back-pressure), or until all is out once stdin has ended (the quiet
 * time counts from then), or until our close_notify is due (due ms, -1:
 * never). The exit status when the relay ends, else -1. */
static int relay_wait(relay_state *r, int due)
{
    pump *p = r->p;
    size_t pending = pump_pending(p);
    unsigned want = PUMP_DATA;
    if (r->stdin_open && !r->close_sent)
        want |= pending < HIGH_WATER ? PUMP_AUX : PUMP_ROOM;
    else if (pending)
        want |= PUMP_FLUSHED;
    ward_err e = pump_until(p, want, due < 0 ? 0 : cli_now_ms() + due);
    if (p->rx_ms > r->last_rx)
        r->last_rx = p->rx_ms;
    if ((want & PUMP_FLUSHED) && !r->stdin_open)
        r->last_rx = cli_now_ms();
    if (e == WARD_ERR_TIMEOUT)
        return -1; /* the close is due: the next turn sends it */
    if (e != WARD_OK)
        return relay_fail(p, e, r->o, r->received);
    if ((p->got & PUMP_AUX) && relay_stdin(r) != 0)
        return EXIT_FAIL;
    return -1;
}

/* The relay. Returns the exit status. */
static int relay(pump *p, const client_opts *o)
{
    ward_conn *c = p->conn;
    relay_state r = {.p = p, .o = o, .stdin_open = 1, .key_update = o->key_update,
                     .last_rx = cli_now_ms()};
    int status = EXIT_FAIL;
    char eb[256];

    if (r.key_update && ward_conn_version(c) != WARD_TLS13) {
        cli_log("notice: %s has no KeyUpdate (a TLS 1.3 message); --key-update is ignored",
                cli_version_name(ward_conn_version(c)));
        r.key_update = 0;
    }
    p->high_water = HIGH_WATER;
    p->aux_fd = STDIN_FILENO;
    do {
        int peer_closed = relay_out(p, o, &r.received, &status);
        if (peer_closed < 0)
            return status;
        int due = relay_close_due(p, r.stdin_open, r.close_sent, r.last_rx);
        if ((peer_closed || due == 0) && !r.close_sent) {
            ward_err e = ward_conn_close(c);
            if (e != WARD_OK && !peer_closed) {
                cli_error("%s", pump_error(p, e, eb, sizeof eb));
                return EXIT_FAIL;
            }
            r.close_sent = 1;
            due = -1;
        }
        if (peer_closed) {
            /* Our close_notify goes out if the socket takes it; the server
             * has already said it is done. */
            (void)pump_drain(p, 2000);
            cli_info("closed by the server (close_notify); KeyUpdates received: %u",
                     ward_conn_key_updates_received(c));
            return EXIT_OK;
        }
        if (p->eof) {
            ward_err e = pump_send(p);
            if (e != WARD_OK)
                return relay_fail(p, e, o, r.received);
            cli_error("%s", ward_err_str(WARD_ERR_TRUNCATED));
            return EXIT_FAIL;
        }
        status = relay_wait(&r, due);
    } while (status < 0);
    return status;
}

/* After the STARTTLS go-ahead the server sent plaintext where its TLS
 * handshake should be: what a command injected behind the go-ahead looks
 * like when it comes in a later segment than the go-ahead (in the same
 * one, the dialogue itself names it). The engine's own words speak of a
 * wrong port; here the port was right. */
static void starttls_hint(const ward_conn *c)
{
    const char *msg = ward_conn_error_message(c);
    if (ward_conn_error(c) != WARD_ERR_UNEXPECTED_MESSAGE || ward_conn_version(c) != 0 || !msg ||
        !strstr(msg, "did not speak TLS"))
        return;
    cli_log("hint: the server agreed to STARTTLS, then sent plaintext instead of its TLS "
            "handshake: a command injected behind its go-ahead (CVE-2011-0411) or a broken "
            "server; none of it was used");
}

/* The client half of the scheme's STARTTLS dialogue, logging each line. */
static int start_dialogue(const client_opts *o, const char *host, ward_starttls **out)
{
    const ward_scheme *s = o->where.scheme;
    ward_starttls_params prm;
    memset(&prm, 0, sizeof prm);
    prm.app = s->app;
    prm.server = 0;
    prm.host = o->servername ? o->servername : host;
    prm.helo_name = o->helo; /* NULL: the library's "localhost" */
    ward_err e = ward_starttls_new(&prm, out);
    if (e == WARD_ERR_CONFIG) {
        cli_error("STARTTLS for %s is not available in this version of ward",
                  ward_app_name(s->app) ? ward_app_name(s->app) : s->scheme);
        return -1;
    }
    if (e != WARD_OK) {
        cli_error("cannot start the %s dialogue: %s", s->scheme, ward_err_str(e));
        return -1;
    }
    cli_info("STARTTLS: %s dialogue", ward_app_name(s->app));
    return 0;
}

/* One run of `ward client`: what its steps share. */
typedef struct {
    client_opts o;
    const char *name; /* the server name to send and verify */
    ward_config *cfg;
    ward_conn *c;
    int fd;
    ward_starttls *dlg;
    ward_session *sess;
    uint8_t *early;
    size_t early_len;
    int offer_early;
    session_sink sink;
    pump p;
    cli_trace tr;  /* --trace, and `ward trace` */
    int trace_cmd; /* `ward trace`: handshake, close_notify, done */
} client_run;

/* The configuration, the saved session and the early data. 0, or -1
 * after an error message. */
static int client_prepare(client_run *r)
{
    char serr[600];
    r->sink.path = r->o.sess_out;
    if (!(r->cfg = make_config(&r->o)))
        return -1;
    if (cli_trace_open(&r->tr, &r->o.tls.trace, r->trace_cmd ? stdout : stderr, 0, 0) != 0 ||
        cli_trace_begin(&r->tr, r->cfg) != 0)
        return -1;
    if (r->o.sess_out)
        ward_config_set_session_callback(r->cfg, on_session, &r->sink);
    if (r->o.sess_in && !(r->sess = cli_session_load(r->o.sess_in, serr, sizeof serr))) {
        cli_error("%s", serr);
        return -1;
    }
    if (r->o.early_data && cli_read_small_file(r->o.early_data, EARLY_DATA_MAX, &r->early,
                                               &r->early_len, serr, sizeof serr) != 0) {
        cli_error("--early-data: %s", serr);
        return -1;
    }
    return 0;
}

/* The dialogue's lines, logged and traced as plaintext events. */
static void dlg_log_traced(void *arg, int from_peer, const char *text, size_t len)
{
    dlg_log(NULL, from_peer, text, len);
    cli_trace_plain(arg, from_peer, text, len);
}

/* The TCP connection, and the STARTTLS dialogue up to its go-ahead. 0, or
 * -1 after an error message. */
static int client_connect(client_run *r)
{
    const char *host = r->o.where.host;
    /* A STARTTLS scheme must upgrade: no dialogue, no connection. */
    if (r->o.where.scheme && !r->o.where.scheme->implicit_tls &&
        start_dialogue(&r->o, host, &r->dlg) != 0)
        return -1;
    char err[512], peer[128];
    r->fd = net_connect(host, r->o.where.port, CONNECT_TIMEOUT_MS, err, sizeof err, peer,
                        sizeof peer);
    if (r->fd < 0) {
        cli_error("%s", err);
        return -1;
    }
    cli_info("connected to %s", peer);
    /* The lines a client that speaks first queued at creation (XMPP's
     * stream header, ...) are shown now, when they are sent. */
    if (r->dlg)
        ward_starttls_set_log(r->dlg, r->tr.sink ? dlg_log_traced : dlg_log,
                              r->tr.sink ? (void *)&r->tr : NULL);
    if (r->dlg && dlg_plain(r->dlg, r->fd, HANDSHAKE_TIMEOUT_MS) != 0)
        return -1;
    return 0;
}

/* The connection (resuming, with 0-RTT data when the session allows) and
 * its handshake. 0, or -1 after an error message and its hints. */
static int client_handshake(client_run *r)
{
    /* 0-RTT only within what the session allows; otherwise the data goes
     * after the handshake like stdin. */
    uint32_t early_max = r->sess ? ward_session_max_early_data(r->sess) : 0;
    r->offer_early = r->early_len > 0 && r->early_len <= early_max;
    if (r->early_len > 0 && !r->offer_early)
        cli_info("early data: not offered (%zu bytes; the session allows %u); it goes after "
                 "the handshake",
                 r->early_len, early_max);
    if (r->dlg)
        cli_trace_conn_starts(&r->tr);
    r->c = r->sess ? ward_conn_new_resuming(r->cfg, r->name, r->sess,
                                            r->offer_early ? r->early : NULL,
                                            r->offer_early ? r->early_len : 0)
                   : ward_conn_new(r->cfg, r->name);
    if (!r->c) {
        cli_error("cannot create a connection for server name '%s'", r->name);
        return -1;
    }
    r->p = (pump){.conn = r->c, .fd = r->fd};
    ward_err e = pump_handshake(&r->p, HANDSHAKE_TIMEOUT_MS);
    if (e != WARD_OK) {
        char eb[256];
        cli_error("%s", pump_error(&r->p, e, eb, sizeof eb));
        handshake_hint(r->c, &r->o);
        client_cert_hint(r->c, &r->o);
        if (r->dlg)
            starttls_hint(r->c);
        return -1;
    }
    return 0;
}

/* --early-data once the handshake is done: what became of it, and the
 * bytes again if the server did not take them. 0, or -1. */
static int client_early_after(client_run *r)
{
    int es = ward_conn_early_data_status(r->c);
    if (es == WARD_EARLY_ACCEPTED) {
        cli_info("early data: accepted (%zu bytes)", r->early_len);
        return 0;
    }
    if (es == WARD_EARLY_REJECTED)
        cli_info("early data: rejected; sending the %zu bytes after the handshake",
                 r->early_len);
    else if (r->offer_early)
        cli_info("early data: not sent (the session was not offered); sending the %zu "
                 "bytes after the handshake",
                 r->early_len);
    ward_err e = ward_conn_write(r->c, r->early, r->early_len);
    if (e != WARD_OK) {
        char eb[256];
        cli_error("%s", pump_error(&r->p, e, eb, sizeof eb));
        return -1;
    }
    return 0;
}

/* Between the handshake and the relay: what was negotiated, the
 * certificates, the dialogue's end, the exporter, the early data. The
 * exit status to end with, or -1 to go on to the relay. */
static int client_established(client_run *r)
{
    print_negotiated(r->c, &r->o);
    if (r->o.showcerts && certs_show(r->c) != 0)
        return EXIT_FAIL;
    int status;
    if (r->o.check_expiry && (status = certs_check_expiry(r->c, r->o.expiry_days)) != EXIT_OK) {
        (void)ward_conn_close(r->c);
        (void)pump_drain(&r->p, 2000);
        return status;
    }
    if (r->dlg && dlg_secured(r->dlg, &r->p, HANDSHAKE_TIMEOUT_MS) != 0)
        return EXIT_FAIL;
    if (cli_export_print(r->c, &r->o.tls.export, "") != 0)
        return EXIT_FAIL;
    if (r->early_len > 0 && client_early_after(r) != 0)
        return EXIT_FAIL;
    return -1;
}

/* `ward trace` once the handshake is done: the dialogue's end, our
 * close_notify, and what the server still sends (its tickets, its
 * close_notify) for up to TRACE_LINGER_MS. */
#define TRACE_LINGER_MS 2000
static int trace_close(client_run *r)
{
    if (r->dlg && dlg_secured(r->dlg, &r->p, HANDSHAKE_TIMEOUT_MS) != 0)
        return EXIT_FAIL;
    (void)ward_conn_close(r->c);
    long long end = cli_now_ms() + TRACE_LINGER_MS;
    while (!ward_conn_peer_closed(r->c) && !r->p.eof && cli_now_ms() < end) {
        if (pump_until(&r->p, PUMP_DATA | PUMP_EOF, end) != WARD_OK)
            break;
        uint8_t buf[4096];
        size_t n = 0;
        while (ward_conn_read(r->c, buf, sizeof buf, &n) == WARD_OK && n > 0)
            ; /* application data the server sends first (a banner): not traced */
    }
    return EXIT_OK;
}

static int client_run_all(client_run *r)
{
    if (client_prepare(r) != 0 || client_connect(r) != 0 || client_handshake(r) != 0)
        return EXIT_FAIL;
    if (r->trace_cmd)
        return trace_close(r);
    int status = client_established(r);
    if (status >= 0)
        return status;
    status = relay(&r->p, &r->o);
    if (r->sink.failed)
        status = EXIT_FAIL;
    else if (r->o.sess_out && !r->sink.saved)
        sess_out_note(r->c, r->o.sess_out);
    return status;
}

static int client_or_trace(int argc, char **argv, int trace_cmd)
{
    client_run r;
    memset(&r, 0, sizeof r);
    r.fd = -1;
    r.trace_cmd = trace_cmd;
    if (trace_cmd)
        r.o.tls.trace.on = 1;
    if (parse_args(argc, argv, &r.o) != 0) {
        cli_tls_free(&r.o.tls);
        return EXIT_USAGE;
    }
    r.name = r.o.servername ? r.o.servername : r.o.where.host;
    int status = client_run_all(&r);
    if (cli_trace_end(&r.tr) != 0 && status == EXIT_OK)
        status = EXIT_FAIL;
    cli_trace_close(&r.tr);
    if (r.c)
        ward_conn_free(r.c);
    ward_starttls_free(r.dlg);
    ward_session_free(r.sess);
    if (r.early) {
        explicit_bzero(r.early, r.early_len);
        free(r.early);
    }
    if (r.fd >= 0)
        close(r.fd);
    if (r.cfg)
        ward_config_free(r.cfg);
    cli_tls_free(&r.o.tls);
    return status;
}

int client_main(int argc, char **argv)
{
    return client_or_trace(argc, argv, 0);
}

/* `ward trace`: every option of `ward client`; the trace on stdout. */
int trace_main(int argc, char **argv)
{
    client_cmd = "trace";
    cli_quiet = 1; /* the trace says it all; errors still go to stderr */
    return client_or_trace(argc, argv, 1);
}
