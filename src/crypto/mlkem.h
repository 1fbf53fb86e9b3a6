/* ML-KEM-768 and ML-KEM-1024 (FIPS 203), ward's own, for libcrypto builds
 * that lack them (OpenSSL < 3.5). Internal to src/crypto.
 *
 * Every operation is constant time with respect to secrets: no branch, table
 * index or division depends on a secret (tests/unit/test_mlkem_ct.c checks
 * this under valgrind, for both sets). SHA3-256/512 and SHAKE-128/256 come
 * from libcrypto, fetched once per process (fetch.c).
 *
 * Keys, ciphertexts and messages are byte strings of the set's sizes below;
 * the shared secret is always 32 bytes. */
#ifndef WARD_CRYPTO_MLKEM_H
#define WARD_CRYPTO_MLKEM_H

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

/* A parameter set (FIPS 203 §8), by its module rank k. */
typedef enum { MLKEM_768 = 3, MLKEM_1024 = 4 } mlkem_set;

#define MLKEM768_EK_BYTES 1184
#define MLKEM768_DK_BYTES 2400
#define MLKEM768_CT_BYTES 1088
#define MLKEM1024_EK_BYTES 1568
#define MLKEM1024_DK_BYTES 3168
#define MLKEM1024_CT_BYTES 1568
#define MLKEM_SS_BYTES 32
/* The largest of each, for buffers that serve both sets. */
#define MLKEM_MAX_EK_BYTES MLKEM1024_EK_BYTES
#define MLKEM_MAX_DK_BYTES MLKEM1024_DK_BYTES
#define MLKEM_MAX_CT_BYTES MLKEM1024_CT_BYTES

/* The set's sizes (0 for a value that is not a set). */
size_t mlkem_ek_bytes(mlkem_set set);
size_t mlkem_dk_bytes(mlkem_set set);
size_t mlkem_ct_bytes(mlkem_set set);

/* Deterministic internals (FIPS 203 §6): d, z are 32 bytes each; m 32 bytes. */
WARD_MUST_CHECK wres mlkem_keygen_internal(mlkem_set set, const uint8_t d[32],
                                           const uint8_t z[32], uint8_t *ek, uint8_t *dk);
/* ek failing the modulus check (§7.2): WARD_ERR_ILLEGAL_PARAMETER */
WARD_MUST_CHECK wres mlkem_encaps_internal(mlkem_set set, const uint8_t *ek,
                                           const uint8_t m[32], uint8_t *ct, uint8_t ss[32]);
/* Implicit rejection: a ciphertext that does not re-encrypt to itself gives
 * the pseudorandom J(z || ct), indistinguishably. A dk whose stored H(ek)
 * does not match its ek (§7.3 hash check) is WARD_ERR_INTERNAL: ward only
 * decapsulates with keys it generated itself. */
WARD_MUST_CHECK wres mlkem_decaps(mlkem_set set, const uint8_t *dk, const uint8_t *ct,
                                  uint8_t ss[32]);
WARD_MUST_CHECK wres mlkem_keygen(mlkem_set set, uint8_t *ek, uint8_t *dk); /* random d, z */
WARD_MUST_CHECK wres mlkem_encaps(mlkem_set set, const uint8_t *ek, uint8_t *ct,
                                  uint8_t ss[32]); /* random m */

/* The encapsulation-key modulus check alone (§7.2): 1 if every encoded
 * coefficient of ek is below q. ek is public; this is not constant time. */
int mlkem_ek_valid(mlkem_set set, const uint8_t *ek);

/* ---- for tests only ---- */

/* Which key generation: the final standard (everything but tests), or the
 * initial public draft (FIPS 203 ipd, August 2023), whose K-PKE.KeyGen
 * computes (ρ, σ) = G(d) without the final standard's domain-separating k
 * byte. The C2SP CCTV vectors predate the final standard and use the ipd
 * (with the Â index order already as in the final standard); Encaps and
 * Decaps are the same in both. */
typedef enum { MLKEM_FINAL = 0, MLKEM_IPD = 1 } mlkem_variant;

/* Intermediate values, reported as they are computed (labels as in the
 * C2SP intermediate-value files: "ρ", "A[0, 0]", "NTT(s[0])", "uᵈ", ...).
 * bytes: byte strings, and polynomials/vectors/matrices in ByteEncode12;
 * coeffs: one polynomial's coefficients in [0, q). */
typedef struct {
    void (*bytes)(void *ctx, const char *label, const uint8_t *p, size_t n);
    void (*coeffs)(void *ctx, const char *label, const uint16_t *c, size_t n);
    void *ctx;
} mlkem_trace;

/* The operations above with the variant and a trace (NULL: none). */
WARD_MUST_CHECK wres mlkem_keygen_traced(mlkem_set set, mlkem_variant variant,
                                         const uint8_t d[32], const uint8_t z[32], uint8_t *ek,
                                         uint8_t *dk, const mlkem_trace *t);
WARD_MUST_CHECK wres mlkem_encaps_traced(mlkem_set set, const uint8_t *ek, const uint8_t m[32],
                                         uint8_t *ct, uint8_t ss[32], const mlkem_trace *t);
WARD_MUST_CHECK wres mlkem_decaps_traced(mlkem_set set, const uint8_t *dk, const uint8_t *ct,
                                         uint8_t ss[32], const mlkem_trace *t);

#endif
