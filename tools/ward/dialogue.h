/* The client half of a STARTTLS dialogue (<ward/starttls.h>) driven over
 * the tool's socket: in plaintext until the server agrees to TLS, then,
 * for protocols that say more once TLS is up, over the ward_conn. */
#ifndef WARD_TOOL_DIALOGUE_H
#define WARD_TOOL_DIALOGUE_H

#include "cli.h"
#include "ward/starttls.h"

/* For ward_starttls_set_log: "ward: S: <line>" / "ward: C: <line>" on
 * stderr (unless -q), control bytes shown as '.', long lines cut. */
void dlg_log(void *arg, int from_peer, const char *text, size_t len);
/* Before TLS: exchange plaintext on the non-blocking socket fd, feeding
 * the dialogue every byte read, until it says UPGRADE (0) or fails, the
 * peer closes or timeout_ms passes (-1, after an error message). */
int dlg_plain(ward_starttls *d, int fd, int timeout_ms);
/* After the handshake: ward_starttls_secured, then carry the dialogue's
 * bytes over TLS until it is DONE (0) or fails (-1, after a message).
 * The peer's plaintext is fed one byte at a time, so that what follows
 * the dialogue stays in the connection for the relay. */
int dlg_secured(ward_starttls *d, pump *p, int timeout_ms);

#endif
