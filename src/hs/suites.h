/* Every cipher suite ward implements, in one table (RFC 8446 B.4,
 * RFC 5289, RFC 5288, RFC 7905). */
#ifndef WARD_HS_SUITES_H
#define WARD_HS_SUITES_H

#include <stdint.h>

#include "crypto/crypto.h"

typedef enum { KX_TLS13 = 0, KX_ECDHE, KX_RSA } suite_kx;
typedef enum { AUTH_ANY = 0, AUTH_ECDSA, AUTH_RSA } suite_auth;

typedef struct {
    uint16_t code;
    uint16_t version;   /* WARD_TLS13 or WARD_TLS12 */
    aead_alg aead;
    hash_alg hash;      /* transcript, HKDF or PRF */
    suite_kx kx;
    suite_auth auth;
} suite_info;

/* Signalling cipher suite values: never chosen, only looked for. */
#define TLS_EMPTY_RENEGOTIATION_INFO_SCSV 0x00ff /* RFC 5746 §3.3 */
#define TLS_FALLBACK_SCSV 0x5600                 /* RFC 7507 §2 */

/* NULL if ward does not implement the suite. */
const suite_info *suite_lookup(uint16_t code);

#endif
