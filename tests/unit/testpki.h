/* Test certificates made on the fly with libcrypto (tests only). */
#ifndef WARD_TESTPKI_H
#define WARD_TESTPKI_H

#include <stdint.h>

/* A self-signed certificate for "localhost" with a key of this kind
 * ("rsa2048", "p256", "p384", "ed25519"), written as PEM to cert_path and
 * key_path (buffers of at least 64 bytes, filled with temp names); its
 * SPKI SHA-256 goes to pin. 1 on success. */
int testpki_self_signed(const char *kind, char *cert_path, char *key_path, uint8_t pin[32]);

#endif
