/* TLS 1.3 key schedule (RFC 8446 §7.1) and Finished computation (§4.4.4).
 *
 *            0 → HKDF-Extract = Early Secret
 *   Derive-Secret(., "derived", "") → HKDF-Extract(ECDHE) = Handshake Secret
 *   Derive-Secret(., "derived", "") → HKDF-Extract(0)     = Master Secret
 *
 * The struct holds the current stage secret only; traffic secrets derived
 * from it belong to the caller. */
#ifndef WARD_HS_KEYSCHED_H
#define WARD_HS_KEYSCHED_H

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "crypto/crypto.h"

typedef struct {
    hash_alg hash;
    size_t hlen;
    uint8_t secret[CRYPTO_MAX_HASH];
} keysched;

/* Early Secret with no PSK: HKDF-Extract(0, 0^hlen). */
WARD_MUST_CHECK wres ks_init(keysched *ks, hash_alg hash);
/* Early Secret from a PSK: HKDF-Extract(0, psk). */
WARD_MUST_CHECK wres ks_init_psk(keysched *ks, hash_alg hash, const uint8_t *psk, size_t len);
/* Move to the next stage: secret = HKDF-Extract(Derive-Secret(secret,
 * "derived", ""), ikm); ikm NULL means hlen zero bytes. */
WARD_MUST_CHECK wres ks_advance(keysched *ks, const uint8_t *ikm, size_t ikmlen);
/* Derive-Secret(secret, label, Messages) given Transcript-Hash(Messages). */
WARD_MUST_CHECK wres ks_derive(const keysched *ks, const char *label,
                               const uint8_t *transcript_hash, uint8_t *out);
/* verify_data = HMAC(HKDF-Expand-Label(base_key, "finished", "", hlen),
 * transcript_hash). */
WARD_MUST_CHECK wres ks_finished(hash_alg hash, const uint8_t *base_key,
                                 const uint8_t *transcript_hash, uint8_t *out);
/* application_traffic_secret_N+1 (§7.2), in place. */
WARD_MUST_CHECK wres ks_update_traffic(hash_alg hash, uint8_t *secret);
void ks_wipe(keysched *ks);

#endif
