/* Resumption state (RFC 8446 §2.2, §4.6.1, §8; RFC 5077; RFC 5246 §7.3).
 *
 * resume_state is what a resumed connection needs from the one before:
 * the server seals it into a ticket (or keeps it in its TLS 1.2 session
 * cache); the client keeps it in a ward_session next to the ticket.
 *
 * resume_store is the server's side, shared by every connection of a
 * configuration (under its own lock): ticket keys (current + previous),
 * the single-use register that stops 0-RTT replays, and the TLS 1.2
 * session-ID cache. */
#ifndef WARD_HS_RESUME_H
#define WARD_HS_RESUME_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"

#define RESUME_MAX_SECRET 48
#define RESUME_MAX_TICKET 1024 /* ours are about 150 bytes; peers' may be larger */
#define RESUME_TICKET_KEY_LEN 48 /* 16-byte name + 32-byte AES-256-GCM key */
/* The largest encoded state: fixed fields (27), a 48-byte secret, and an
 * ALPN name and a server name of up to 255 bytes each, with lengths. */
#define RESUME_MAX_STATE (27 + 1 + RESUME_MAX_SECRET + 2 * (1 + 255))

typedef struct {
    uint16_t version, suite;
    uint64_t created;          /* unix seconds, when the state was made */
    uint32_t lifetime;         /* seconds */
    uint32_t age_add;          /* TLS 1.3 ticket_age_add */
    uint32_t max_early_data;   /* 0: no 0-RTT */
    uint8_t secret[RESUME_MAX_SECRET]; /* TLS 1.3: the PSK; TLS 1.2: the master secret */
    size_t secret_len;
    int ems;                   /* TLS 1.2: made with the Extended Master Secret */
    char alpn[256];            /* ALPN negotiated ("" none): 0-RTT must match it */
    char server_name[256];     /* SNI of the original connection ("" none) */
} resume_state;

WARD_MUST_CHECK wres resume_state_encode(wr *w, const resume_state *s);
WARD_MUST_CHECK wres resume_state_decode(rd *r, resume_state *s);
/* 1 if the state has outlived its lifetime at now (or comes from the future). */
int resume_state_expired(const resume_state *s, uint64_t now);

typedef struct resume_store resume_store;
resume_store *resume_store_new(void);
void resume_store_free(resume_store *rs);
/* The configuration's providers: ticket ages, rotation and the replay
 * register read its clock; generated keys and nonces come from its source
 * (a new source drops the key drawn at creation: the first ticket draws
 * one from it). */
void resume_store_set_providers(resume_store *rs, const ward_providers *p);
/* keys: 48 or 96 bytes (current [, previous]). */
WARD_MUST_CHECK wres resume_store_set_keys(resume_store *rs, const uint8_t *keys, size_t len);
WARD_MUST_CHECK wres resume_store_set_key_file(resume_store *rs, const char *path);

/* Seal a state into a ticket under the current key (rotating a generated
 * key once it is older than rotate_after seconds). */
WARD_MUST_CHECK wres resume_ticket_seal(resume_store *rs, const resume_state *s,
                                        uint32_t rotate_after, uint8_t *out, size_t cap,
                                        size_t *len);
/* 1 and *s filled when the ticket opens under the current or the previous
 * key; 0 for anything else (unknown key, forged, malformed). */
int resume_ticket_open(resume_store *rs, const uint8_t *ticket, size_t len, resume_state *s);

/* 0-RTT anti-replay (RFC 8446 §8.1): 1 the first time id is seen, 0 on a
 * replay or when the register is full of live entries (fail closed).
 * Entries are forgotten after expires (unix seconds). */
int resume_first_use(resume_store *rs, const uint8_t *id, size_t len, uint64_t expires);

/* TLS 1.2 session-ID cache, bounded; the oldest entry goes first. */
WARD_MUST_CHECK wres resume_cache_set_size(resume_store *rs, size_t entries);
int resume_cache_enabled(const resume_store *rs);
WARD_MUST_CHECK wres resume_cache_put(resume_store *rs, const uint8_t *id, size_t id_len,
                                      const resume_state *s);
/* 1 and *s filled if the ID is cached (and not expired at now). */
int resume_cache_get(resume_store *rs, const uint8_t *id, size_t id_len, uint64_t now,
                     resume_state *s);

#endif
