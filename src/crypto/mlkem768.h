/* ML-KEM-768 (FIPS 203), ward's own, for libcrypto builds that lack it
 * (OpenSSL < 3.5). Internal to src/crypto.
 *
 * Every operation is constant time with respect to secrets: no branch, table
 * index or division depends on a secret (tests/unit/test_mlkem_ct.c checks
 * this under valgrind). SHA3-256/512 and SHAKE-128/256 come from libcrypto,
 * fetched once per process (fetch.c). */
#ifndef WARD_CRYPTO_MLKEM768_H
#define WARD_CRYPTO_MLKEM768_H

#include <stddef.h>
#include <stdint.h>

#include "base/result.h"

#define MLKEM768_EK_BYTES 1184
#define MLKEM768_DK_BYTES 2400
#define MLKEM768_CT_BYTES 1088
#define MLKEM768_SS_BYTES 32

/* Deterministic internals (FIPS 203 §6): d, z are 32 bytes each; m 32 bytes. */
WARD_MUST_CHECK wres mlkem768_keygen_internal(const uint8_t d[32], const uint8_t z[32],
                                              uint8_t ek[1184], uint8_t dk[2400]);
/* ek failing the modulus check (§7.2): WARD_ERR_ILLEGAL_PARAMETER */
WARD_MUST_CHECK wres mlkem768_encaps_internal(const uint8_t ek[1184], const uint8_t m[32],
                                              uint8_t ct[1088], uint8_t ss[32]);
/* Implicit rejection: a ciphertext that does not re-encrypt to itself gives
 * the pseudorandom J(z || ct), indistinguishably. A dk whose stored H(ek)
 * does not match its ek (§7.3 hash check) is WARD_ERR_INTERNAL: ward only
 * decapsulates with keys it generated itself. */
WARD_MUST_CHECK wres mlkem768_decaps(const uint8_t dk[2400], const uint8_t ct[1088],
                                     uint8_t ss[32]);
WARD_MUST_CHECK wres mlkem768_keygen(uint8_t ek[1184], uint8_t dk[2400]); /* random d, z */
WARD_MUST_CHECK wres mlkem768_encaps(const uint8_t ek[1184], uint8_t ct[1088],
                                     uint8_t ss[32]); /* random m */

/* The encapsulation-key modulus check alone (§7.2): 1 if every encoded
 * coefficient of ek is below q. ek is public; this is not constant time. */
int mlkem768_ek_valid(const uint8_t ek[1184]);

/* ---- for tests only ---- */

/* Which key generation: the final standard (everything but tests), or the
 * initial public draft (FIPS 203 ipd, August 2023), whose K-PKE.KeyGen
 * computes (ρ, σ) = G(d) without the final standard's domain-separating k
 * byte. The C2SP CCTV vectors predate the final standard and use the ipd
 * (with the Â index order already as in the final standard); Encaps and
 * Decaps are the same in both. */
typedef enum { MLKEM768_FINAL = 0, MLKEM768_IPD = 1 } mlkem768_variant;

/* Intermediate values, reported as they are computed (labels as in the
 * C2SP intermediate-value files: "ρ", "A[0, 0]", "NTT(s[0])", "uᵈ", ...).
 * bytes: byte strings, and polynomials/vectors/matrices in ByteEncode12;
 * coeffs: one polynomial's coefficients in [0, q). */
typedef struct {
    void (*bytes)(void *ctx, const char *label, const uint8_t *p, size_t n);
    void (*coeffs)(void *ctx, const char *label, const uint16_t *c, size_t n);
    void *ctx;
} mlkem768_trace;

/* The operations above with the variant and a trace (NULL: none). */
WARD_MUST_CHECK wres mlkem768_keygen_traced(mlkem768_variant variant, const uint8_t d[32],
                                            const uint8_t z[32], uint8_t ek[1184],
                                            uint8_t dk[2400], const mlkem768_trace *t);
WARD_MUST_CHECK wres mlkem768_encaps_traced(const uint8_t ek[1184], const uint8_t m[32],
                                            uint8_t ct[1088], uint8_t ss[32],
                                            const mlkem768_trace *t);
WARD_MUST_CHECK wres mlkem768_decaps_traced(const uint8_t dk[2400], const uint8_t ct[1088],
                                            uint8_t ss[32], const mlkem768_trace *t);

#endif
