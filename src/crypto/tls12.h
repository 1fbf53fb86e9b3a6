/* TLS 1.2 building blocks of the crypto provider: the PRF, RSA key transport
 * (with implicit rejection on the server side) and ServerKeyExchange
 * signatures with their TLS 1.2 meanings. Like crypto.h, this header speaks
 * in TLS terms and includes no OpenSSL header. */
#ifndef WARD_CRYPTO_TLS12_H
#define WARD_CRYPTO_TLS12_H

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"
#include "crypto/crypto.h"

#define CRYPTO_TLS12_PMS_LEN 48 /* RSA pre-master secret (RFC 5246 §7.4.7.1) */
/* Largest label + seed1 + seed2 the PRF takes ("key expansion" + two
 * randoms is 77 bytes; "extended master secret" + a SHA-384 hash is 70). */
#define CRYPTO_TLS12_PRF_MAX_SEED 256

/* TLS 1.2 PRF (RFC 5246 §5): P_<hash>(secret, label || seed1 || seed2).
 * seed1/seed2 may be NULL when their length is 0. label + seeds longer
 * than CRYPTO_TLS12_PRF_MAX_SEED: WARD_ERR_INTERNAL. out may not alias the
 * inputs. */
WARD_MUST_CHECK wres crypto_tls12_prf(hash_alg hash, const uint8_t *secret, size_t secretlen,
                                      const char *label, const uint8_t *seed1, size_t seed1len,
                                      const uint8_t *seed2, size_t seed2len, uint8_t *out,
                                      size_t outlen);

/* Client side of RSA key transport (RFC 5246 §7.4.7.1): PKCS#1 v1.5
 * encryption of the 48-byte pre-master secret with the server
 * certificate's RSA key. out gets the bare ciphertext (modulus length; the
 * caller adds the 2-byte length prefix). Not an rsaEncryption key, or a
 * modulus under 59 bytes (no room for the padding and 48 bytes):
 * WARD_ERR_UNSUPPORTED_CERTIFICATE. cap too small: WARD_ERR_INTERNAL. */
WARD_MUST_CHECK wres crypto_rsa_kx_encrypt(const crypto_key *server_key, const uint8_t pms[48],
                                           uint8_t *out, size_t cap, size_t *outlen);

/* Server side, with implicit rejection (RFC 5246 §7.4.7.1,
 * Bleichenbacher/ROBOT). Always writes 48 bytes to pms_out: the decrypted
 * pre-master secret when the PKCS#1 v1.5 type-2 padding is valid, the
 * message is exactly 48 bytes and its first two bytes equal client_version;
 * otherwise random_pms (48 random bytes the caller generated BEFORE the
 * call). The padding check neither branches nor indexes memory on secret
 * data (see crypto_rsa_kx_select). Returns WARD_OK in every padding case.
 * A ciphertext whose length differs from the modulus length, or whose
 * value is not below the modulus, gets random_pms too (both are public).
 * Not an rsaEncryption key, or a failure inside libcrypto:
 * WARD_ERR_INTERNAL (the server only picks RSA key transport with an RSA
 * key). */
WARD_MUST_CHECK wres crypto_rsa_kx_decrypt(const crypto_key *key, const uint8_t *ct,
                                           size_t ctlen, uint16_t client_version,
                                           const uint8_t random_pms[48], uint8_t pms_out[48]);

/* The constant-time core of crypto_rsa_kx_decrypt, exposed for the
 * valgrind secret-tracking test (tests/unit/test_rsa_kx_ct.c). em is the raw
 * RSA decryption (k bytes, k = modulus length, public). Writes to pms_out
 * em[k-48..k) if em = 00 02 PS(k-51 non-zero bytes) 00 M with M[0..1] ==
 * client_version, else random_pms. Every byte of em is read, always in the
 * same order, and the result is selected with masks: no branch and no
 * address depends on em. Returns 1 if em's padding was good, as a value the
 * caller must not branch on (tests only); k < 59 (no room for 8 bytes of
 * PS) takes random_pms and returns 0, k being public. */
int crypto_rsa_kx_select(const uint8_t *em, size_t k, uint16_t client_version,
                         const uint8_t random_pms[48], uint8_t pms_out[48]);

/* TLS 1.2 ServerKeyExchange signatures (RFC 5246 §7.4.3, RFC 8422): like
 * crypto_sign/crypto_verify, but with TLS 1.2 meanings:
 *   0x0403, 0x0503, 0x0603: ECDSA with SHA-256/384/512 on any curve (an EC key);
 *   0x0401, 0x0501, 0x0601: rsa_pkcs1_sha256/384/512 (an rsaEncryption key);
 *   0x0804-0x0806 (rsa_pss_rsae_*), 0x0809-0x080b (rsa_pss_pss_*) and
 *   0x0807 (ed25519): as in TLS 1.3.
 * SHA-1 and MD5 schemes are not supported. Scheme not fitting the key (or
 * unknown): WARD_ERR_ILLEGAL_PARAMETER. Bad signature:
 * WARD_ERR_DECRYPT_ERROR. */
WARD_MUST_CHECK wres crypto_sign_tls12(const crypto_key *k, uint16_t scheme, const uint8_t *msg,
                                       size_t msglen, uint8_t *sig, size_t sigcap,
                                       size_t *siglen);
WARD_MUST_CHECK wres crypto_verify_tls12(const crypto_key *k, uint16_t scheme,
                                         const uint8_t *msg, size_t msglen, const uint8_t *sig,
                                         size_t siglen);
/* 1 if the key can make that TLS 1.2 signature scheme. */
int crypto_key_can_sign_tls12(const crypto_key *k, uint16_t scheme);
/* 1 if this is an RSA (rsaEncryption, not RSASSA-PSS) key; for suite selection. */
int crypto_key_is_rsa(const crypto_key *k);
/* 1 if this is an EC (id-ecPublicKey) key, any curve; for suite selection. */
int crypto_key_is_ec(const crypto_key *k);

#endif
