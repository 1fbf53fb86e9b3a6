/* ward STARTTLS: the application protocols around TLS.
 *
 * Two things, neither of which knows any TLS:
 * - the table of URL schemes: which port, which application protocol, and
 *   whether TLS starts at once (implicit TLS: https, imaps, ...) or after a
 *   plaintext dialogue on the ordinary port (STARTTLS: smtp, imap, ...);
 * - the dialogues: for each protocol a client half and a server half, as
 *   sans-I/O state machines in ward_conn's shape. Hand a dialogue the bytes
 *   the peer sent (ward_starttls_recv), take the bytes it wants sent
 *   (ward_starttls_output / ward_starttls_output_done), and ask its state.
 *
 * A dialogue's life:
 *   WARD_STARTTLS_WAITING   exchange bytes in plaintext;
 *   WARD_STARTTLS_UPGRADE   the peer agreed: send what ward_starttls_output
 *                           still holds (a server half's go-ahead), then
 *                           start the TLS handshake on this connection, and
 *                           feed the dialogue nothing more in plaintext;
 *   (after the TLS handshake, ward_starttls_secured)
 *   WARD_STARTTLS_WAITING   some protocols say more once TLS is up (SMTP's
 *                           second EHLO, FTP's PBSZ 0 / PROT P, IMAP's
 *                           CAPABILITY): the same calls, the bytes now
 *                           carried by TLS (ward_conn_write / ward_conn_read);
 *   WARD_STARTTLS_DONE      the dialogue is over: what follows is the
 *                           application's;
 *   WARD_STARTTLS_FAILED    at any point: ward_starttls_error_message says
 *                           what went wrong, quoting what the peer said.
 *
 * Command injection (CVE-2011-0411): bytes the peer sent after the line
 * that starts TLS (the server's go-ahead, the client's STARTTLS command) and
 * before the TLS handshake can have been written by anyone on the path.
 * They are never passed on: a dialogue that has seen one such byte is
 * WARD_STARTTLS_FAILED with WARD_ERR_STARTTLS_INJECTION, on either half.
 * The caller must therefore feed every byte it read from the socket before
 * the handshake, and start the handshake only in WARD_STARTTLS_UPGRADE.
 * One exception, the MySQL server half: a MySQL / MariaDB client sends its
 * TLS ClientHello right behind its SSL Request (the server sends no
 * go-ahead), so the bytes behind the request are the start of the TLS
 * stream, handed over by ward_starttls_tls_bytes to be fed to
 * ward_conn_recv. Every other protocol, and the MySQL client half, refuse
 * such bytes as injection.
 *
 * A dialogue is used by one thread at a time; nothing is shared. */
#ifndef WARD_STARTTLS_H
#define WARD_STARTTLS_H

#include <stddef.h>
#include <stdint.h>

#include "ward/ward.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Application protocols. The number is stable within a minor release. */
typedef enum {
    WARD_APP_NONE = 0,
    WARD_APP_HTTP,        /* RFC 9110; implicit TLS only (https) */
    WARD_APP_SMTP,        /* RFC 5321, STARTTLS RFC 3207 (EHLO, STARTTLS) */
    WARD_APP_LMTP,        /* RFC 2033 (LHLO, STARTTLS) */
    WARD_APP_IMAP,        /* RFC 9051 (CAPABILITY, STARTTLS) */
    WARD_APP_POP3,        /* RFC 1939, RFC 2595 / RFC 2449 (CAPA, STLS) */
    WARD_APP_SIEVE,       /* ManageSieve, RFC 5804 (STARTTLS) */
    WARD_APP_FTP,         /* RFC 959, RFC 4217 (AUTH TLS; PBSZ 0, PROT P) */
    WARD_APP_NNTP,        /* RFC 3977, RFC 4642 (CAPABILITIES, STARTTLS) */
    WARD_APP_XMPP,        /* RFC 6120 client-to-server (<starttls/>) */
    WARD_APP_XMPP_SERVER, /* RFC 6120 server-to-server */
    WARD_APP_LDAP,        /* RFC 4511 §4.14 (StartTLS extended operation) */
    WARD_APP_POSTGRES,    /* PostgreSQL SSLRequest */
    WARD_APP_MYSQL,       /* MySQL / MariaDB SSL request after the greeting
                             (see ward_starttls_new for what follows TLS) */
    WARD_APP__COUNT
} ward_app;

/* "smtp", "imap", "xmpp-server", ...; NULL for an unknown value. */
WARD_API const char *ward_app_name(ward_app app);
/* The protocol with this name (case-insensitive; the names above, and
 * "submission" = smtp), or WARD_APP_NONE. */
WARD_API ward_app ward_app_from_name(const char *name);

/* ---- the scheme table ---- */
typedef struct {
    const char *scheme;   /* "imaps", "smtp", "submission", ... */
    uint16_t port;        /* its default port */
    ward_app app;         /* the protocol spoken over it */
    int implicit_tls;     /* 1: TLS at once; 0: a STARTTLS dialogue first */
    const char *alpn;     /* the ALPN id to offer (RFC 7301 registry), or NULL */
} ward_scheme;

/* The scheme with this name (case-insensitive), or NULL:
 * implicit TLS: https 443, imaps 993, pop3s 995, nntps 563, ftps 990,
 * smtps and submissions 465, ldaps 636, xmpps 5223;
 * STARTTLS: smtp 25, submission 587, lmtp 24, imap 143, pop3 110,
 * nntp 119, ftp 21, sieve 4190, xmpp 5222, xmpp-server 5269, ldap 389,
 * postgres (and postgresql) 5432, mysql 3306. */
WARD_API const ward_scheme *ward_scheme_find(const char *scheme);
/* Every row, for listing (n receives the count). */
WARD_API const ward_scheme *ward_scheme_table(size_t *n);

/* ---- dialogues ---- */
typedef struct ward_starttls ward_starttls;

typedef enum {
    WARD_STARTTLS_WAITING = 0,
    WARD_STARTTLS_UPGRADE,
    WARD_STARTTLS_DONE,
    WARD_STARTTLS_FAILED,
} ward_starttls_state;

typedef struct {
    ward_app app;
    int server;              /* 0: the client half, 1: the server half */
    /* Client half. */
    const char *host;        /* the server's name: XMPP's 'to' (required for
                                XMPP); the other protocols send none */
    const char *helo_name;   /* SMTP/LMTP EHLO/LHLO argument (default
                                "localhost"); XMPP server-to-server 'from' */
    /* Server half. */
    const char *server_name; /* the name in the greeting (default "localhost") */
    const char *greeting;    /* the greeting's free text, or NULL for the
                                protocol's usual one ("ESMTP ward", ...) */
} ward_starttls_params;

/* A new dialogue, or WARD_ERR_CONFIG (a protocol without a dialogue, such
 * as HTTP, or a half this version does not have) / WARD_ERR_NOMEM. The
 * server half queues its greeting at once; the client half waits for the
 * server's, except where the client speaks first: PostgreSQL (SSLRequest),
 * LDAP (the StartTLS ExtendedRequest, messageID 1) and XMPP (the stream
 * header) queue theirs at once.
 *
 * What the application says once a client half is DONE: PostgreSQL its
 * StartupMessage; LDAP its next request (messageID 2 onwards); XMPP a new
 * stream header (RFC 6120 §5.4.3.3); MySQL its HandshakeResponse41 with
 * sequence id 2, since the greeting was 0 and our SSL Request 1 — that SSL
 * Request asked for CLIENT_PROTOCOL_41 | CLIENT_SSL |
 * CLIENT_SECURE_CONNECTION (0x00008a00), max packet 16 MiB, character set
 * 45 (utf8mb4_general_ci), and the response's flags must include
 * CLIENT_SSL too. The MySQL server half's greeting offers those flags (and
 * CLIENT_LONG_PASSWORD) with a fixed scramble: an application that
 * authenticates must send its own (AuthSwitchRequest). A MySQL client
 * sends its ClientHello right behind the SSL Request (there is no
 * go-ahead to wait for): the MySQL server half's caller feeds whatever it
 * read, and once the dialogue is WARD_STARTTLS_UPGRADE takes the bytes
 * that followed the request with ward_starttls_tls_bytes. */
WARD_API ward_err ward_starttls_new(const ward_starttls_params *params, ward_starttls **out);
WARD_API void ward_starttls_free(ward_starttls *d);

/* Bytes that came from the peer (plaintext before the upgrade; the TLS
 * plaintext after ward_starttls_secured). WARD_OK, or the error that made
 * the dialogue fail (also given by ward_starttls_error). Bytes fed to a
 * dialogue in WARD_STARTTLS_UPGRADE are injection: it fails (except in
 * the MySQL server half: see ward_starttls_tls_bytes). Bytes fed
 * once it is WARD_STARTTLS_DONE are the application's, not the dialogue's:
 * WARD_ERR_STATE, and the dialogue stays DONE. */
WARD_API ward_err ward_starttls_recv(ward_starttls *d, const uint8_t *p, size_t n);
/* The bytes waiting to be sent (*p valid until the next call on d);
 * returns their count, 0 when none. */
WARD_API size_t ward_starttls_output(ward_starttls *d, const uint8_t **p);
/* n of those bytes were sent. */
WARD_API void ward_starttls_output_done(ward_starttls *d, size_t n);

/* The MySQL server half only, in WARD_STARTTLS_UPGRADE: the bytes the
 * client sent behind its SSL Request, i.e. the start of its TLS stream
 * (its ClientHello, whole or in part). Returns their count (0 when there
 * are none, in any other state, and for every other protocol and half)
 * and sets *p (valid until the next call on d). They are handed over once:
 * feed them to ward_conn_recv before reading the socket again, then start
 * the handshake. Bytes fed to that half in WARD_STARTTLS_UPGRADE join them
 * (at most 16384 waiting: more fails the dialogue with
 * WARD_ERR_STARTTLS_PROTOCOL). Everywhere else such bytes stay injection
 * (WARD_ERR_STARTTLS_INJECTION). */
WARD_API size_t ward_starttls_tls_bytes(ward_starttls *d, const uint8_t **p);

WARD_API ward_starttls_state ward_starttls_get_state(const ward_starttls *d);
/* After WARD_STARTTLS_UPGRADE, once the TLS handshake is done: the
 * dialogue goes on over TLS (WARD_STARTTLS_WAITING) or is over
 * (WARD_STARTTLS_DONE). WARD_ERR_STATE in any other state. */
WARD_API ward_err ward_starttls_secured(ward_starttls *d);

/* Why the dialogue failed (WARD_OK while it has not):
 * WARD_ERR_STARTTLS_REFUSED    the peer does not offer the upgrade or
 *                              refused it (the message quotes its reply);
 * WARD_ERR_STARTTLS_PROTOCOL   the peer broke the protocol (a malformed or
 *                              unexpected reply, a line too long);
 * WARD_ERR_STARTTLS_INJECTION  bytes came after the line that starts TLS. */
WARD_API ward_err ward_starttls_error(const ward_starttls *d);
WARD_API const char *ward_starttls_error_message(const ward_starttls *d);

/* Every line (or, for binary protocols, every message, described in
 * words) as it is sent or received, for a person to watch: from_peer 1 for
 * the peer's, 0 for ours; text without the line ending. NULL turns it off. */
typedef void (*ward_starttls_log_fn)(void *arg, int from_peer, const char *text, size_t len);
WARD_API void ward_starttls_set_log(ward_starttls *d, ward_starttls_log_fn fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif
