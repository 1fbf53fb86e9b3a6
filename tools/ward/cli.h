/* Shared pieces of the ward tool: option values, list parsing, messages,
 * the socket helpers (net.c) and the engine pump (pump.c). The tool uses
 * the public API in <ward/ward.h> only. */
#ifndef WARD_TOOL_CLI_H
#define WARD_TOOL_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "ward/ward.h"

#define CLI_MAX_LIST 16

/* Exit statuses. */
/* EXIT_EXPIRY: `ward client --check-expiry` found a certificate that expires too soon. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_EXPIRY = 3 };

/* ---- messages (cli.c) ---- */
/* -q turns info lines off; errors are always printed. */
extern int cli_quiet;
/* "ward: ..." on stderr, written with a single write(2) so that lines from
 * forked children do not interleave. */
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Write all n bytes to fd, retrying after EINTR and short writes; 0, or -1
 * with errno set. */
int cli_write_all(int fd, const uint8_t *p, size_t n);
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "ward: ..." even under -q (server lines about failed connections). */
void cli_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print "ward: <cmd>: <msg>" and a hint to --help; the caller exits 2. */
void cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* From cli_capture_begin until cli_capture_end, this thread's cli_error
 * and cli_usage_error messages are not printed: the first one goes to
 * buf (without the "ward: CMD: " prefix), for a caller that reports it
 * with its own context (the tunnel's configuration: FILE:LINE). buf is
 * emptied at the start; still empty at the end means no error message. */
void cli_capture_begin(char *buf, size_t cap);
void cli_capture_end(void);

/* ---- option values (cli.c); each returns 0 on success, -1 (after a
 * usage message) on a bad value. ---- */
typedef struct {
    uint16_t v[CLI_MAX_LIST];
    size_t n;
} cli_u16_list;

typedef struct {
    char *buf;                     /* owned copy of the argument */
    const char *v[CLI_MAX_LIST];   /* pointers into buf */
    size_t n;
} cli_str_list;

int cli_parse_groups(const char *cmd, const char *arg, cli_u16_list *out);
int cli_parse_suites(const char *cmd, const char *arg, cli_u16_list *out);
int cli_parse_alpn(const char *cmd, const char *arg, cli_str_list *out);
int cli_parse_pin(const char *cmd, const char *arg, uint8_t pin[32]);
/* "HOST", "HOST:PORT", "[V6]", "[V6]:PORT"; host is copied into host[hostcap]. */
int cli_parse_hostport(const char *cmd, const char *arg, char *host, size_t hostcap,
                       const char *default_port, char *port, size_t portcap);
int cli_parse_uint(const char *cmd, const char *opt, const char *arg, unsigned long max,
                   unsigned long *out);
void cli_str_list_free(cli_str_list *l);

/* Split "--name=value" / "--name value" / "-x value": if argv[*i] is the
 * option `name` (or the short `shortname`, may be NULL), return its value
 * and advance *i; if it is the option but the value is missing, print a
 * usage error and set *bad. Otherwise NULL. */
const char *cli_opt_value(const char *cmd, int argc, char **argv, int *i, const char *name,
                          const char *shortname, int *bad);
/* 1 if argv[i] is the flag `name` or `shortname` (may be NULL). */
int cli_opt_flag(const char *arg, const char *name, const char *shortname);
/* An option that only stores what it is given: a flag (value NULL) sets
 * *flag to 1, an option with a value stores it in *value. */
typedef struct {
    const char *name, *shortname;
    int *flag;
    const char **value;
} cli_simple_opt;
/* If argv[*i] is one of the n options of tab: take it (and its value,
 * advancing *i) and return 1; 0 if it is none; -1 after a usage message. */
int cli_simple_opt_take(const char *cmd, int argc, char **argv, int *i, const cli_simple_opt *tab,
                        size_t n);
/* -h/--help (usage(stdout), then exit 0) and -q/--quiet (cli_quiet), the
 * same on both commands: 1 if arg is one of them, else 0. */
int cli_common_flag(const char *arg, void (*usage)(FILE *out));

/* ---- protocol versions and RSA key transport (cli.c) ----
 * --tls1.2, --tls1.3, --min-version V, --max-version V, --rsa-kx and
 * --allow-no-ems,
 * the same on both commands. */
typedef struct {
    uint16_t min, max;   /* from --min-version / --max-version, 0 = not given */
    uint16_t exact;      /* from --tls1.2 / --tls1.3, 0 = not given */
    int rsa_kx;          /* --rsa-kx */
    int allow_no_ems;    /* --allow-no-ems */
} cli_versions;

/* If argv[*i] is one of the options above, take it (and its value, advancing
 * *i) and return 1; return 0 if it is not; -1 after a usage message. */
int cli_version_opt(const char *cmd, int argc, char **argv, int *i, cli_versions *v);
/* Once all options are parsed: check that they agree with each other and
 * with the --suites and --groups lists (NULL when not given), and settle
 * the range to pass to ward_config_set_versions in *min / *max: the
 * versions asked for, narrowed to those the --suites list has suites for.
 * Returns 0, or -1 after a usage message. */
int cli_versions_settle(const char *cmd, const cli_versions *v, const cli_u16_list *suites,
                        const cli_u16_list *groups, uint16_t *min, uint16_t *max);
/* Apply the settled range, --rsa-kx and --allow-no-ems to cfg (before ward_config_set_suites,
 * so that an explicit --suites list stays exactly as given). On failure
 * returns the error and sets *what to the option to blame. */
ward_err cli_versions_apply(ward_config *cfg, const cli_versions *v, uint16_t min, uint16_t max,
                            const char **what);
/* The protocol settings `ward server` and `ward tunnel` apply alike: the
 * settled versions (cli_versions_apply), then ALPN, groups and suites (after
 * the versions, so that an explicit --suites list stays as given). alpn NULL
 * or empty: none; groups / suites NULL: the defaults. 0, or -1 after an error
 * message naming the option. */
int cli_config_apply_tls(ward_config *cfg, const cli_versions *v, uint16_t min, uint16_t max,
                         const cli_str_list *alpn, const cli_u16_list *groups,
                         const cli_u16_list *suites);
/* "1.2" for WARD_TLS12, "1.3" for WARD_TLS13. */
const char *cli_version_short(uint16_t version);
/* Help text for the options above, shared by both commands. */
extern const char cli_version_help[];

/* ---- negotiated parameters (cli.c) ---- */
const char *cli_version_name(uint16_t version);
/* Names that never return NULL ("unknown (0x1234)" in a static buffer per call site). */
const char *cli_suite(uint16_t suite, char *buf, size_t cap);
const char *cli_group(uint16_t group, char *buf, size_t cap);
const char *cli_sigscheme(uint16_t scheme, char *buf, size_t cap);
void cli_hex(const uint8_t *in, size_t n, char *out /* 2n+1 */);
/* For TLS 1.2: ", extended master secret" or ", no extended master
 * secret"; for TLS 1.3 (whose key schedule always binds the handshake
 * transcript): "". */
const char *cli_ems_note(const ward_conn *c);
/* 1 if the suite is a TLS 1.2 RSA key transport suite (no forward secrecy). */
int cli_suite_is_rsa_kx(uint16_t suite);
/* The group of the connection, or for RSA key transport a note that there
 * is none and why that matters. */
const char *cli_conn_group(const ward_conn *c, char *buf, size_t cap);
/* Help text for --suites (both commands). */
extern const char cli_suites_help[];

/* ---- sockets (net.c) ---- */
/* Connect to host:port (IPv4 or IPv6, in getaddrinfo order) within
 * timeout_ms. Returns a non-blocking fd, or -1 with a message in err. */
int net_connect(const char *host, const char *port, int timeout_ms, char *err, size_t errcap,
                char *peer, size_t peercap);
/* Listen on host:port (port may be "0"); returns the fd and the bound
 * address as text ("127.0.0.1:4433", "[::1]:4433"), or -1 with err. */
int net_listen(const char *host, const char *port, char *bound, size_t boundcap, char *err,
               size_t errcap);
/* "1.2.3.4:5" or "[::1]:5" */
void net_addr_str(const struct sockaddr *sa, socklen_t len, char *out, size_t cap);
int net_set_nonblocking(int fd, int on);

/* ---- driving a ward_conn over a non-blocking socket (pump.c) ---- */
/* The tool's one clock: monotonic milliseconds. */
long long cli_now_ms(void);

typedef struct {
    ward_conn *conn;
    int fd;
    int eof;           /* the socket reached end of file */
    int io_errno;      /* errno of a failed socket call, else 0 */
    size_t high_water; /* PUMP_ROOM: less than this queued to send */
    int aux_fd;        /* polled for PUMP_AUX (the client's stdin) */
    long long idle_ms; /* > 0: a poll that long without an event ends pump_until */
    /* Set by pump_until: */
    unsigned got;      /* the PUMP_* conditions that held when it returned */
    long long rx_ms;   /* when the socket last had something to read */
    int aux_ready, idle_fired, rx_failed, poll_failed;
} pump;

/* What pump_until waits for: it returns once any one of them holds. */
enum {
    PUMP_READY = 1u << 0,     /* the handshake is done */
    PUMP_DATA = 1u << 1,      /* plaintext to read, the peer's close_notify, or EOF */
    PUMP_EOF = 1u << 2,       /* the socket reached end of file */
    PUMP_FLUSHED = 1u << 3,   /* nothing queued to send */
    PUMP_ROOM = 1u << 4,      /* less than high_water queued to send */
    PUMP_PEER_AUTH = 1u << 5, /* the peer's certificate is verified (post-handshake auth) */
    PUMP_AUX = 1u << 6        /* aux_fd is readable */
};
/* Drive the engine over the socket (handshake, send what is queued, feed
 * it what arrives) until a condition in want holds (WARD_OK, p->got says
 * which hold). The socket is read only while PUMP_DATA or PUMP_EOF is
 * wanted. WARD_ERR_TIMEOUT at deadline (absolute cli_now_ms, 0 = none) or
 * after idle_ms without an event (p->idle_fired); otherwise the engine's
 * error, or WARD_ERR_IO with p->io_errno (p->rx_failed: in reading). */
ward_err pump_until(pump *p, unsigned want, long long deadline);
/* pump_until(PUMP_READY) within timeout_ms. */
ward_err pump_handshake(pump *p, int timeout_ms);
/* Send as much queued output as the socket takes now. WARD_OK, or
 * WARD_ERR_IO (p->io_errno set). */
ward_err pump_send(pump *p);
/* Bytes the engine still wants to send. */
size_t pump_pending(pump *p);
/* Read what the socket has now into the engine (sets p->eof at EOF).
 * Returns the engine's error, WARD_ERR_IO, or WARD_OK. */
ward_err pump_recv(pump *p);
/* pump_until(PUMP_FLUSHED) within timeout_ms. */
ward_err pump_drain(pump *p, int timeout_ms);
/* Text for a failure: the engine's message, or the socket error. */
const char *pump_error(pump *p, ward_err e, char *buf, size_t cap);

/* ---- key log and exporters (cli.c) ---- */
/* --keylog FILE, or when it is absent $SSLKEYLOGFILE (if set and not
 * empty): append the NSS key log of every connection to that file.
 * Returns 0, or -1 after an error message. */
int cli_keylog_apply(ward_config *cfg, const char *path);
/* --export LABEL:LEN (RFC 5705 / RFC 8446 §7.5, no context). */
typedef struct {
    char label[256];
    size_t len;
    int set;
} cli_export;
int cli_parse_export(const char *cmd, const char *arg, cli_export *out);
/* After the handshake: "ward: <prefix>exported: <hex>". 0, or -1 after an
 * error message. */
int cli_export_print(ward_conn *c, const cli_export *x, const char *prefix);
/* Help text for --keylog and --export (both commands). */
extern const char cli_keylog_help[];

/* ---- the handshake trace options (cli_trace.c) ----
 * --trace[=text|json|svg], --trace-out FILE, --explain, --color=WHEN: the
 * same on `ward client`, `ward server` and `ward trace`. */
typedef struct {
    int on;            /* a trace is wanted */
    int format;        /* trace_format (trace.h) */
    const char *out;   /* --trace-out FILE, NULL: the command's default */
    int explain;       /* --explain */
    int color;         /* 0 never, 1 always, 2 auto */
    int color_set;     /* --color given */
} cli_trace_opts;
/* If argv[*i] is one of them: take it, return 1; 0 if not; -1 after a
 * usage message. */
int cli_trace_opt(const char *cmd, int argc, char **argv, int *i, cli_trace_opts *t);
/* Once every option is read: --explain and --trace-out imply --trace;
 * svg needs --trace-out, --explain needs text. 0, or -1 after a usage
 * message. */
int cli_trace_settle(const char *cmd, cli_trace_opts *t);
extern const char cli_trace_help[];

/* ---- the TLS options both commands take (cli_tls.c) ----
 * --alpn, --groups, --suites, the version options above, --keylog and
 * --export mean the same to `ward client` and `ward server`: one struct
 * (in client_opts and server_opts) and one parser for them. */
typedef struct {
    cli_versions ver;
    uint16_t min_version, max_version; /* settled by cli_tls_settle */
    cli_str_list alpn;
    cli_u16_list groups, suites;
    int have_groups, have_suites;
    const char *keylog;
    cli_export export;
    cli_trace_opts trace; /* --trace, --trace-out, --explain, --color */
} cli_tls_opts;

/* If argv[*i] is one of these options, take it (and its value, advancing
 * *i) and return 1; 0 if it is not; -1 after a usage message. */
int cli_tls_opt(const char *cmd, int argc, char **argv, int *i, cli_tls_opts *t);
/* Once every option is read: cli_versions_settle over t's versions, suites
 * and groups into t->min_version / t->max_version. 0, or -1 after a usage
 * message. */
int cli_tls_settle(const char *cmd, cli_tls_opts *t);
/* cli_config_apply_tls with t's settled versions, ALPN, groups and suites
 * (--keylog is applied by the caller, where it was before). 0, or -1 after
 * an error message. */
int cli_tls_apply(ward_config *cfg, const cli_tls_opts *t);
/* Free what cli_tls_opt allocated (the --alpn list). */
void cli_tls_free(cli_tls_opts *t);

/* ---- commands ---- */
int client_main(int argc, char **argv);
int server_main(int argc, char **argv);
void client_usage(FILE *out);
void server_usage(FILE *out);
/* `ward trace`: `ward client` that draws its handshake (client.c). */
int trace_main(int argc, char **argv);
void trace_usage(FILE *out);

/* ---- saved sessions (session.c) ---- */
/* Write s to path (mode 0600, through path.tmp and a rename). 0, or -1
 * with a message in err. */
int cli_session_save(const ward_session *s, const char *path, char *err, size_t errcap);
/* Read a session written by cli_session_save; NULL with a message in err
 * (missing, unreadable, corrupt). */
ward_session *cli_session_load(const char *path, char *err, size_t errcap);
/* Read a whole file of at most max bytes into a malloc'd buffer. */
int cli_read_small_file(const char *path, size_t max, uint8_t **data, size_t *len, char *err,
                        size_t errcap);

#endif
