/* TLS 1.3 resumption and 0-RTT (src/hs/psk.c). */
#ifndef WARD_HS_PSK_H
#define WARD_HS_PSK_H

#include "hs/state.h"
#include "msg/msg.h"

/* client */
int hs_client_psk_offerable(const hs_ctx *c);
WARD_MUST_CHECK wres hs_client_psk_fill(hs_ctx *c, msg_client_hello_params *p, int first);
/* Write the binder over the last bytes of the encoded hello. */
WARD_MUST_CHECK wres hs_client_psk_bind(hs_ctx *c, uint8_t *msg, size_t len);
WARD_MUST_CHECK wres hs_client_send_early_data(hs_ctx *c, const uint8_t *ch, size_t ch_len);
WARD_MUST_CHECK wres hs_client_psk_on_server_hello(hs_ctx *c, const msg_server_hello *sh);
WARD_MUST_CHECK wres hs_client_on_new_session_ticket(hs_ctx *c, span body);
WARD_MUST_CHECK wres hs_derive_res_master(hs_ctx *c);
/* A new session for the application (takes s). */
void hs_notify_session(hs_ctx *c, ward_session *s);
/* server */
WARD_MUST_CHECK wres hs_server_psk_choose(hs_ctx *c, const msg_client_hello *ch, span full,
                                          int second, int *psk_ke);
WARD_MUST_CHECK wres hs_server_early_secret(hs_ctx *c);
WARD_MUST_CHECK wres hs_server_on_end_of_early_data(hs_ctx *c, span body, span full);
WARD_MUST_CHECK wres hs_server_take_early_data(hs_ctx *c, span payload);
/* The first ClientHello's early data is refused: skip its records from
 * now until one opens or the second ClientHello of a retry (§4.2.10). */
void hs_server_reject_early(hs_ctx *c);
/* A record of total bytes (header included) that did not open while
 * skipping: charged to the allowance; beyond it, unexpected_message. */
WARD_MUST_CHECK wres hs_server_skip_early(hs_ctx *c, size_t total, unsigned *empty_records);
WARD_MUST_CHECK wres hs_server_send_tickets(hs_ctx *c);

#endif
