/* Test certificates made on the fly with libcrypto (tests only). */
#ifndef WARD_TESTPKI_H
#define WARD_TESTPKI_H

#include <stdint.h>

/* A self-signed certificate for "localhost" with a key of this kind
 * ("rsa2048", "p256", "p384", "ed25519"), written as PEM to cert_path and
 * key_path (buffers of at least 64 bytes, filled with temp names); its
 * SPKI SHA-256 goes to pin. 1 on success. */
int testpki_self_signed(const char *kind, char *cert_path, char *key_path, uint8_t pin[32]);
/* The same with a chosen CN and subjectAltName (OpenSSL config syntax,
 * "DNS:a.test,IP:192.0.2.1"; NULL: none), and no pin. */
int testpki_self_signed_names(const char *kind, const char *cn, const char *san,
                              char *cert_path, char *key_path);

#endif
