/* ward tunnel: the STARTTLS adaptor, sans-I/O (no sockets, no clock).
 *
 * Server mode (the tunnel accepts TLS): towards the client the tunnel plays
 * the server half of the dialogue (src/starttls, its own greeting and
 * capabilities with the upgrade offered), up to and through the TLS
 * handshake. Only then is the backend connected. Its greeting is swallowed
 * (the client already had one), and on the relay its capability replies are
 * rewritten so that the client never sees a stale upgrade offer (SMTP
 * "250-STARTTLS", IMAP STARTTLS / LOGINDISABLED, POP3 STLS, NNTP STARTTLS,
 * FTP FEAT " AUTH TLS"); FTP's PBSZ / PROT are answered by the tunnel (data
 * connections are not tunnelled: PROT P is refused, PROT C accepted).
 *
 * Client mode (the tunnel connects with TLS): towards the server the tunnel
 * plays the client half, up to and through the TLS handshake; then the
 * plaintext client is given the server's greeting (as it was sent before
 * the upgrade; IMAP's without STARTTLS / LOGINDISABLED in its capability
 * code; ManageSieve's: the capabilities the server sent after TLS) and the
 * relay is left as it is. Client mode takes the line protocols and the
 * binary ones with nothing to replay, whose client speaks first:
 * PostgreSQL (the plaintext client must not ask for SSL itself:
 * sslmode=disable) and LDAP (the client's requests follow the StartTLS
 * one). XMPP (the client half restarts the stream after TLS) and MySQL (its
 * greeting is used up by the SSL request) are refused: NULL and a message.
 *
 * Server mode, ManageSieve: the capabilities the server half sends after
 * TLS are dropped and the backend's greeting (a capability listing) is
 * relayed instead, STARTTLS taken out, so that the client sees the
 * backend's own SASL mechanisms. FTP: PBSZ / PROT / AUTH / CCC answers are
 * the tunnel's, sent at once (FTP clients do not pipeline commands). The
 * relay holds what the client sends before the backend has greeted (at
 * most 16 KiB) and hands it on, filtered, in the *back of the
 * FROM_BACKEND call that completes the greeting (back = to the backend),
 * the tunnel's answers to it in that call's *fwd; a backend that greets
 * with a refusal never sees a byte of the client's. The
 * relay holds a partial line only while it may be one of interest, at
 * most 4 KiB; literals, message bodies and longer lines pass as they come.
 *
 * Phase 1 is the dialogue: tunnel_stt_recv / _output / _state / _secured,
 * exactly like ward_starttls_* (bytes are plaintext before the upgrade,
 * and carried by TLS after it). Phase 2 is the relay: every byte in either
 * direction passes through tunnel_stt_filter. */
#ifndef WARD_TOOL_TUNNEL_STT_H
#define WARD_TOOL_TUNNEL_STT_H

#include <stddef.h>
#include <stdint.h>

#include "ward/starttls.h"
#include "ward/ward.h"

/* A growable byte buffer the filter appends to (the caller owns it and
 * consumes from the front with tunnel_buf_consume, which resets an empty
 * buffer and compacts one more than half consumed; tunnel_buf_free zeroes
 * the fields and wipes nothing: relay data is not secret at this layer). */
typedef struct {
    uint8_t *p;
    size_t off, len, cap; /* unread bytes are p[off .. len) */
} tunnel_buf;

int tunnel_buf_append(tunnel_buf *b, const uint8_t *p, size_t n); /* 0 or -1 (ENOMEM) */
void tunnel_buf_consume(tunnel_buf *b, size_t n);
size_t tunnel_buf_unread(const tunnel_buf *b);
void tunnel_buf_free(tunnel_buf *b);

typedef struct tunnel_stt tunnel_stt;

/* app: a STARTTLS protocol the server half supports in the tunnel (smtp,
 * lmtp, imap, pop3, ftp, nntp, sieve); server_name: the greeting's name.
 * NULL with a message in err for a protocol the tunnel cannot front. */
tunnel_stt *tunnel_stt_new_server(ward_app app, const char *server_name, char *err,
                                  size_t errcap);
/* host: the server's name (XMPP's 'to'); any protocol with a client half. */
tunnel_stt *tunnel_stt_new_client(ward_app app, const char *host, char *err, size_t errcap);
void tunnel_stt_free(tunnel_stt *s);

/* ---- phase 1: the dialogue on the TLS side ---- */
ward_err tunnel_stt_recv(tunnel_stt *s, const uint8_t *p, size_t n);
size_t tunnel_stt_output(tunnel_stt *s, const uint8_t **p);
void tunnel_stt_output_done(tunnel_stt *s, size_t n);
ward_starttls_state tunnel_stt_state(const tunnel_stt *s);
ward_err tunnel_stt_secured(tunnel_stt *s);
const char *tunnel_stt_error_message(const tunnel_stt *s);

/* ---- phase 2: the relay, once the dialogue is DONE ---- */
enum { TUNNEL_FROM_CLIENT = 0, TUNNEL_FROM_BACKEND = 1 };
/* Bytes for the plaintext client before anything is relayed (client mode:
 * the server's greeting; server mode: none). Appended to *to_client. */
int tunnel_stt_start_relay(tunnel_stt *s, tunnel_buf *to_client);
/* All n bytes that came from side dir are consumed (a partial line is kept
 * inside, bounded); what goes on to the other side is appended to *fwd,
 * what the tunnel itself answers to the sender to *back. 0, or -1 with a
 * message (tunnel_stt_error_message) when the connection must end. */
int tunnel_stt_filter(tunnel_stt *s, int dir, const uint8_t *in, size_t n, tunnel_buf *fwd,
                      tunnel_buf *back);

#endif
