/* TLS 1.2 resumption (src/hs/resume12.c). */
#ifndef WARD_HS_RESUME12_H
#define WARD_HS_RESUME12_H

#include "hs/state.h"
#include "msg/msg.h"

int hs_client12_session_offerable(const hs_ctx *c);
WARD_MUST_CHECK wres hs_client12_prepare(hs_ctx *c);
void hs_client12_fill(hs_ctx *c, msg_client_hello_params *p);
WARD_MUST_CHECK wres hs_client12_on_resumed_hello(hs_ctx *c, const msg_server_hello *sh,
                                                  int *resumed);
WARD_MUST_CHECK wres hs_client12_on_new_session_ticket(hs_ctx *c, span body, span full);
void hs_client12_offer_session(hs_ctx *c, const uint8_t *server_session_id, size_t id_len);
int hs_server12_find_session(hs_ctx *c, const msg_client_hello *ch, resume_state *st);
WARD_MUST_CHECK wres hs_server12_save_session(hs_ctx *c);

#endif
