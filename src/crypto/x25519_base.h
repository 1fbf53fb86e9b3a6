/* X25519 public keys by fixed-base multiplication (x25519_base.c). */
#ifndef WARD_CRYPTO_X25519_BASE_H
#define WARD_CRYPTO_X25519_BASE_H

#include <stdint.h>

/* The fixed-base code needs 128-bit products. Where the compiler has none
 * (32-bit targets: gcc -m32), it is left out and kex.c gives libcrypto the
 * private key alone, which then derives the public key by itself. */
#ifdef __SIZEOF_INT128__
#define WARD_HAVE_X25519_BASE 1
#endif

/* Build the table of base-point multiples now (about a millisecond, once
 * per process) rather than at the first key: a server that forks per
 * connection then does it once, before forking. */
void x25519_base_init(void); /* nothing without WARD_HAVE_X25519_BASE */
/* pub = X25519(priv, 9) (RFC 7748 §6.1); priv is clamped here. Constant
 * time in priv. */
void x25519_public_from_private(uint8_t pub[32], const uint8_t priv[32]);

#endif
