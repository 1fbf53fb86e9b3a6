/* The application's TLS 1.2 session cache (ward_config_set_session_store),
 * used instead of the configuration's own when set (src/hs/session_store.c). */
#ifndef WARD_HS_SESSION_STORE_H
#define WARD_HS_SESSION_STORE_H

#include "hs/config.h"
#include "hs/resume.h"

/* Format of what the store keeps: this version byte, then the state as
 * resume_state_encode writes it (the master secret in clear). */
#define SESSION_STORE_FORMAT 1

WARD_MUST_CHECK wres session_store_put(const ward_config *cfg, const uint8_t *id, size_t id_len,
                                       const resume_state *s);
/* 1 and *s if the store has a well-formed, unexpired entry for id; an
 * entry that is not is removed. */
int session_store_get(const ward_config *cfg, const uint8_t *id, size_t id_len, uint64_t now,
                      resume_state *s);
void session_store_remove(const ward_config *cfg, const uint8_t *id, size_t id_len);

#endif
