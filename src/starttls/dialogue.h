/* The STARTTLS dialogue framework (private to src/starttls/).
 *
 * dialogue.c owns everything a protocol file does not need to know: the
 * public ward_starttls_* calls, the bounded input buffer, the output queue,
 * the log, the error text. A protocol file supplies an stt_ops (one per
 * half) whose functions read the peer's bytes through the helpers below
 * (a line at a time, or raw bytes for the binary protocols), queue what to
 * send, and move the dialogue on with stt_upgrade / stt_done / stt_fail.
 *
 * The injection rule (CVE-2011-0411) lives in one place, stt_upgrade: the
 * dialogue goes to WARD_STARTTLS_UPGRADE only when no byte of the peer's is
 * left unconsumed behind the line that started TLS; and ward_starttls_recv
 * refuses any byte fed in WARD_STARTTLS_UPGRADE. Protocol files never test
 * for it themselves. Its one exception, stt_upgrade_tls_follows (MySQL's
 * server half), keeps such bytes as TLS instead. */
#ifndef WARD_STARTTLS_DIALOGUE_H
#define WARD_STARTTLS_DIALOGUE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "ward/starttls.h"

/* A line, its ending included, may be this long (RFC 5321 §4.5.3.1.5 asks
 * for 512 and RFC 9051 has no limit; 4096 holds every real capability
 * line). The input buffer holds a few lines; a binary protocol's message
 * must fit in it too. */
#define STT_LINE_MAX 4096
#define STT_IN_MAX (4 * STT_LINE_MAX)
#define STT_OUT_MAX 8192
/* Lines of one multi-line reply (EHLO, CAPA, CAPABILITIES, capability
 * lines of ManageSieve, FTP 220-); real servers send under 30. */
#define STT_REPLY_LINES_MAX 128
/* Commands a server half answers before the upgrade: a client that has not
 * asked for TLS by then is not going to. */
#define STT_COMMANDS_MAX 32
#define STT_NAME_MAX 255
#define STT_MSG_MAX 640
/* How much of the peer's words an error message quotes. */
#define STT_QUOTE_MAX 200
#define STT_PRIV_MAX 512
#define STT_EARLY_LOG_MAX 1024

typedef struct stt_cmd_table stt_cmd_table;

typedef struct {
    ward_app app;
    int server;
    /* At creation: a server half queues its greeting; a client half whose
     * protocol speaks first (PostgreSQL) queues its request. May be NULL. */
    wres (*start)(ward_starttls *d);
    /* Bytes are waiting in the input buffer: consume one unit (a line, a
     * message) if it is complete, or nothing and return to wait for more.
     * Called again as long as it consumed something and the dialogue is
     * still WAITING. */
    wres (*on_input)(ward_starttls *d);
    /* The TLS handshake is done: go on over TLS or stt_done. */
    wres (*on_secured)(ward_starttls *d);
    /* A server half whose on_input is stt_serve_command: its commands. */
    const stt_cmd_table *commands;
} stt_ops;

struct ward_starttls {
    const stt_ops *ops;
    ward_starttls_state state;
    ward_err err;
    int secured; /* 1 once ward_starttls_secured was called */
    const char *upgrade_what; /* the line that started TLS (stt_upgrade) */
    /* 1 once stt_upgrade_tls_follows: in UPGRADE, in[] holds the start of
     * the peer's TLS stream, for ward_starttls_tls_bytes. */
    int tls_follows;
    char msg[STT_MSG_MAX];

    /* The peer's bytes not yet consumed: in[in_off .. in_off+in_len). */
    uint8_t in[STT_IN_MAX];
    size_t in_off, in_len;
    /* Bytes queued for the peer. */
    uint8_t out[STT_OUT_MAX];
    size_t out_len;

    ward_starttls_log_fn log;
    void *log_arg;
    /* What start() logged, before ward_starttls_set_log could be called:
     * replayed to the first log set (entries: from_peer, u16 length, text). */
    uint8_t early_log[STT_EARLY_LOG_MAX];
    size_t early_log_len;
    int started; /* 1 once ward_starttls_new returned */

    /* The parameters, copied (checked: printable, no spaces or line ends). */
    char host[STT_NAME_MAX + 1];
    char helo_name[STT_NAME_MAX + 1];
    char server_name[STT_NAME_MAX + 1];
    char greeting[STT_NAME_MAX + 1];

    /* For the protocol file: its step, counters, flags, the reply being
     * gathered (for messages that quote it) and private bytes. */
    int step;
    unsigned lines;    /* lines of the current multi-line reply */
    unsigned line_no;  /* 1-based index in its reply of the line just taken */
    unsigned commands; /* commands answered (server halves) */
    unsigned flags;
    int reply_code;   /* the code of the DDD reply being read */
    char reply[STT_QUOTE_MAX + 8]; /* sanitized: safe to print */
    size_t reply_len;
    union {
        uint8_t bytes[STT_PRIV_MAX];
        uint64_t align_;
    } priv;
};

/* ---- the registry (registry.c) ---- */
/* The ops of this protocol's half, or NULL (no such dialogue). */
const stt_ops *stt_ops_find(ward_app app, int server);

/* Line protocols (this branch). */
extern const stt_ops stt_smtp_client, stt_smtp_server;
extern const stt_ops stt_lmtp_client, stt_lmtp_server;
extern const stt_ops stt_imap_client, stt_imap_server;
extern const stt_ops stt_pop3_client, stt_pop3_server;
extern const stt_ops stt_sieve_client, stt_sieve_server;
extern const stt_ops stt_ftp_client, stt_ftp_server;
extern const stt_ops stt_nntp_client, stt_nntp_server;
/* Binary protocols (their own files; registry.c names them once they
 * exist). */
extern const stt_ops stt_xmpp_client, stt_xmpp_server;
extern const stt_ops stt_xmpps2s_client, stt_xmpps2s_server;
extern const stt_ops stt_ldap_client, stt_ldap_server;
extern const stt_ops stt_postgres_client, stt_postgres_server;
extern const stt_ops stt_mysql_client, stt_mysql_server;

/* ---- input ---- */
typedef struct {
    const uint8_t *p; /* the line without its CR LF; valid until the next
                         ward_starttls_recv */
    size_t len;
} stt_line;

/* Take one line (ended by LF, an optional CR before it dropped) and log
 * it. *got = 1 and *line set when a whole line was there, *got = 0 when
 * more bytes are needed. A line longer than STT_LINE_MAX fails the
 * dialogue (WARD_ERR_STARTTLS_PROTOCOL). */
WARD_MUST_CHECK wres stt_take_line(ward_starttls *d, stt_line *line, int *got);
/* The unconsumed bytes (binary protocols): returns their count. */
size_t stt_peek(const ward_starttls *d, const uint8_t **p);
/* n of those bytes are consumed (n <= the count stt_peek gave). */
void stt_consume(ward_starttls *d, size_t n);

/* ---- output ---- */
/* Queue raw bytes (not logged: log them with stt_log in words). */
WARD_MUST_CHECK wres stt_send(ward_starttls *d, const void *p, size_t n);
/* Queue one line: the formatted text and CR LF; logged as sent. */
WARD_MUST_CHECK wres stt_send_line(ward_starttls *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void stt_log(ward_starttls *d, int from_peer, const char *text, size_t len);
/* Hand what start() logged to the log just set (dialogue.c). */
void stt_log_replay(ward_starttls *d);

/* ---- moving on ---- */
/* Fail with code and the formatted message; returns wres_err(code). */
WARD_MUST_CHECK wres stt_fail(ward_starttls *d, ward_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The peer's bytes as text safe to print: printable ASCII as is, the rest
 * as \xNN, cut at STT_QUOTE_MAX with "...". Returns out. */
const char *stt_quote(char *out, size_t cap, const uint8_t *p, size_t n);
#define STT_QUOTE_CAP (4 * STT_QUOTE_MAX + 8)
/* The reply being gathered (d->reply): add a line, sanitized (joined with
 * " / "); start afresh. Bounded: what does not fit is cut with "...". */
void stt_reply_add(ward_starttls *d, const stt_line *line);
void stt_reply_clear(ward_starttls *d);
/* Add the peer's bytes p, n to the reply as they are (sanitized, no
 * separator): for text that comes in pieces. Bounded like stt_reply_add. */
void stt_reply_append(ward_starttls *d, const uint8_t *p, size_t n);
/* TLS may start now. Fails with WARD_ERR_STARTTLS_INJECTION (and
 * returns it) if any of the peer's bytes are unconsumed: the one place
 * the injection rule is enforced. `what` names the line that started TLS
 * ("the server's 220 go-ahead", "the client's STARTTLS command"). */
WARD_MUST_CHECK wres stt_upgrade(ward_starttls *d, const char *what);
/* The one exception (MySQL's server half only): TLS starts now and the
 * peer's bytes behind the line that started TLS are not injection but the
 * start of its TLS stream, since that client sends its ClientHello right
 * behind its SSL Request, with no go-ahead to wait for. They stay in the
 * input buffer for ward_starttls_tls_bytes, which hands them to the TLS
 * engine: never to the application as plaintext. */
WARD_MUST_CHECK wres stt_upgrade_tls_follows(ward_starttls *d, const char *what);
/* The peer's bytes p, n came after the line that started TLS: fail with
 * WARD_ERR_STARTTLS_INJECTION quoting them (stt_upgrade and
 * ward_starttls_recv in UPGRADE call it; nothing else should). */
WARD_MUST_CHECK wres stt_injection(ward_starttls *d, const uint8_t *p, size_t n);
/* The dialogue is over. */
WARD_MUST_CHECK wres stt_done(ward_starttls *d);

/* ---- small line helpers ---- */
/* 1 if the line starts with word (case-insensitive) followed by the end
 * of the line or a space. */
int stt_line_is(const stt_line *line, const char *word);
/* 1 if word (case-insensitive) appears in the line as a whole
 * space-separated token. */
int stt_line_has_token(const stt_line *line, const char *word);
/* A reply line of the form "DDD-text" or "DDD text" (RFC 5321 §4.2,
 * RFC 959 §4.2): *code the number, *more 1 for '-'. 0 if malformed. */
int stt_line_code(const stt_line *line, int *code, int *more);

/* ---- replies (reply.c) ---- */
/* One line of a DDD reply (SMTP, LMTP, FTP, NNTP status lines): *got 0
 * when more bytes are needed; *last 1 when the reply is complete, then
 * d->reply_code holds its code and d->reply its text. Strict (RFC 5321
 * §4.2.1): every line is "DDD-" or "DDD " with one code; loose (RFC 959
 * §4.2): lines between "DDD-" and "DDD " may be any text. */
WARD_MUST_CHECK wres stt_reply_line(ward_starttls *d, int loose, stt_line *line, int *got,
                                    int *last);
/* One line of a reply without codes (IMAP's untagged lines, ManageSieve's
 * capabilities): taken, counted against STT_REPLY_LINES_MAX (else fails
 * "the server's <what> has more than 128 lines") and added to d->reply. */
WARD_MUST_CHECK wres stt_counted_line(ward_starttls *d, const char *what, stt_line *line,
                                      int *got);
/* One line of a list ended by "." (POP3 CAPA, RFC 2449 §5; NNTP
 * CAPABILITIES, RFC 3977 §3.1.1): *end 1 on the "." line. Bounded. */
WARD_MUST_CHECK wres stt_list_line(ward_starttls *d, stt_line *line, int *got, int *end);
/* d->flags bit every client half sets when the server offers the upgrade. */
#define STT_OFFERED 1u
/* One line of such a capability list (POP3 CAPA, NNTP CAPABILITIES): notes
 * whether it names cap; at the "." line sends cap as the command (and goes
 * to step), or fails as not offered, naming list_cmd. */
WARD_MUST_CHECK wres stt_cap_list_line(ward_starttls *d, const char *cap, const char *list_cmd,
                                       int step);
/* A server half takes one command: fails once the client has sent
 * STT_COMMANDS_MAX of them without starting TLS. */
WARD_MUST_CHECK wres stt_command(ward_starttls *d, stt_line *line, int *got);
/* ---- a server half's commands before the upgrade (commands.c) ---- */
typedef enum {
    STT_CMD_REPLY = 1, /* answer and go on (CAPA, NOOP, ...) */
    STT_CMD_END,       /* answer, then fail: the client left (QUIT, LOGOUT) */
    STT_CMD_UPGRADE,   /* stt_upgrade, then answer with the go-ahead */
} stt_cmd_kind;
#define STT_CMD_LINES 5
#define STT_CMDS_MAX 5
typedef struct {
    const char *name; /* the command word, case-insensitive (stt_line_is) */
    stt_cmd_kind kind;
    const char *lines[STT_CMD_LINES]; /* the answer, a line each, up to a NULL */
    /* REPLY: an answer built at run time instead of lines (ManageSieve's
     * capabilities). */
    wres (*reply)(ward_starttls *d);
    /* END: the failure message; UPGRADE: the line that started TLS. */
    const char *why;
    /* UPGRADE: the one argument the command must have (FTP's "AUTH TLS"),
     * and the answer when it has another; NULL: any argument will do. */
    const char *arg, *bad_arg;
} stt_cmd;
struct stt_cmd_table {
    stt_cmd cmds[STT_CMDS_MAX]; /* up to the first without a name */
    const char *other;          /* the answer to every other command */
};
/* on_input of the line protocols' server halves (FTP, POP3, NNTP,
 * ManageSieve): take one command (stt_command) and answer it from
 * d->ops->commands. */
WARD_MUST_CHECK wres stt_serve_command(ward_starttls *d);

/* Fail with WARD_ERR_STARTTLS_REFUSED: "the server refused <what>:
 * \"<d->reply>\"". */
WARD_MUST_CHECK wres stt_refused(ward_starttls *d, const char *what);
/* Fail with WARD_ERR_STARTTLS_PROTOCOL: "unexpected reply to <what>:
 * \"<d->reply>\"". */
WARD_MUST_CHECK wres stt_unexpected(ward_starttls *d, const char *what);
/* The server's capabilities lack the upgrade: WARD_ERR_STARTTLS_REFUSED
 * "the server does not offer <cmd> (its <which> reply: \"...\")". */
WARD_MUST_CHECK wres stt_not_offered(ward_starttls *d, const char *cmd, const char *which);

#endif
