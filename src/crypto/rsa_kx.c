/* RSA key transport for TLS 1.2 (RFC 5246 §7.4.7.1).
 *
 * The client encrypts the 48-byte pre-master secret with PKCS#1 v1.5
 * (RFC 8017 §7.2). The server must not let anyone learn whether a
 * ciphertext had a good padding (Bleichenbacher 1998, ROBOT 2017, Marvin
 * 2023): no different alert, no different timing, no different memory
 * access. So it never asks libcrypto to check the padding. It does a raw
 * RSA decryption (RSA_NO_PADDING) into a buffer of exactly the modulus
 * length, then crypto_rsa_kx_select checks the padding with masks over the
 * whole buffer and picks, byte by byte, either the decrypted secret or the
 * random one the caller made beforehand. A bad padding is then noticed only
 * at the Finished check, like any other wrong key, and ends as
 * decrypt_error or bad_record_mac, the same as for a good padding with a
 * wrong secret.
 *
 * What may take a different path is only what the attacker already knows:
 * the ciphertext length and whether the ciphertext is below the modulus
 * (both depend only on the ciphertext and the public key).
 *
 * The decrypt context is made per call, which makes libcrypto look up the
 * RSA implementation; that is small next to the private-key operation. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/rsa.h>

#include "base/mem.h"
#include "crypto/crypto_int.h"
#include "crypto/tls12.h"

#define PMS_LEN CRYPTO_TLS12_PMS_LEN
#define MIN_PS 8 /* RFC 8017 §7.2.1: at least eight bytes of padding string */

static int is_rsa(const crypto_key *k)
{
    return k && k->pkey && EVP_PKEY_is_a(k->pkey, "RSA");
}

/* ---- constant-time helpers ----
 * All masks are 0 or 0xffffffff. ct_barrier hides a value from the
 * optimizer so it cannot rebuild the mask arithmetic into a branch (for
 * example an early exit once `good` is known to be zero). */
static inline uint32_t ct_barrier(uint32_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    __asm__("" : "+r"(x));
#else
    volatile uint32_t v = x;
    x = v;
#endif
    return x;
}

/* All ones when b == 0: for b in 0..255, b - 1 has the top bit set only
 * when b is 0. */
static inline uint32_t ct_is_zero8(uint8_t b)
{
    return ct_barrier(0u - (((uint32_t)b - 1u) >> 31));
}

static inline uint32_t ct_eq8(uint8_t a, uint8_t b) { return ct_is_zero8((uint8_t)(a ^ b)); }

int crypto_rsa_kx_select(const uint8_t *em, size_t k, uint16_t client_version,
                         const uint8_t random_pms[48], uint8_t pms_out[48])
{
    if (k < 3 + MIN_PS + PMS_LEN) { /* k is the public modulus length */
        memcpy(pms_out, random_pms, PMS_LEN);
        return 0;
    }
    /* Layout: em[0] = 00, em[1] = 02, em[2 .. sep) non-zero (PS, at least
     * 8 bytes since k >= 59), em[sep] = 00, M = em[sep+1 .. k) of exactly
     * 48 bytes starting with client_version. Positions depend on k only. */
    const size_t sep = k - PMS_LEN - 1;
    uint32_t good = ct_eq8(em[0], 0x00);
    good &= ct_eq8(em[1], 0x02);
    for (size_t i = 2; i < sep; i++)
        good &= ~ct_is_zero8(em[i]);
    good &= ct_is_zero8(em[sep]);
    good &= ct_eq8(em[sep + 1], (uint8_t)(client_version >> 8));
    good &= ct_eq8(em[sep + 2], (uint8_t)client_version);
    good = ct_barrier(good);

    const uint8_t *m = em + sep + 1;
    const uint8_t keep = (uint8_t)good, drop = (uint8_t)~good;
    for (size_t j = 0; j < PMS_LEN; j++)
        pms_out[j] = (uint8_t)((m[j] & keep) | (random_pms[j] & drop));
    return (int)(good & 1);
}

/* ---- server: decrypt ---- */

/* Is the ciphertext (k bytes, big-endian) below the modulus? Public data
 * only: the ciphertext and the public key. Returns -1 on failure. */
static int below_modulus(const EVP_PKEY *pkey, const uint8_t *ct, size_t k)
{
    BIGNUM *n = NULL;
    uint8_t nbuf[CRYPTO_MAX_SIG];
    if (k > sizeof nbuf || EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1)
        return -1;
    int ok = BN_bn2binpad(n, nbuf, (int)k) == (int)k;
    BN_free(n);
    if (!ok)
        return -1;
    return memcmp(ct, nbuf, k) < 0;
}

wres crypto_rsa_kx_decrypt(const crypto_key *key, const uint8_t *ct, size_t ctlen,
                           uint16_t client_version, const uint8_t random_pms[48],
                           uint8_t pms_out[48])
{
    ENSURE(random_pms && pms_out && (ct || ctlen == 0), WARD_ERR_INTERNAL);
    ENSURE(is_rsa(key), WARD_ERR_INTERNAL);
    int size = EVP_PKEY_get_size(key->pkey); /* modulus length in bytes */
    ENSURE(size > 0 && size <= CRYPTO_MAX_SIG, WARD_ERR_INTERNAL);
    size_t k = (size_t)size;

    /* Public conditions: a wrong length or a value not below the modulus
     * cannot decrypt; the random secret stands in, as for a bad padding. */
    if (ctlen != k) {
        memcpy(pms_out, random_pms, PMS_LEN);
        return wres_ok();
    }
    int below = below_modulus(key->pkey, ct, k);
    if (below < 0)
        return crypto_fail(WARD_ERR_INTERNAL);
    if (!below) {
        memcpy(pms_out, random_pms, PMS_LEN);
        return wres_ok();
    }

    uint8_t em[CRYPTO_MAX_SIG];
    size_t emlen = sizeof em;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
    int ok = ctx && EVP_PKEY_decrypt_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1 &&
             EVP_PKEY_decrypt(ctx, em, &emlen, ct, ctlen) == 1 && emlen == k;
    EVP_PKEY_CTX_free(ctx);
    if (!ok) {
        ward_zeroize(em, sizeof em);
        return crypto_fail(WARD_ERR_INTERNAL);
    }
    (void)crypto_rsa_kx_select(em, k, client_version, random_pms, pms_out);
    ward_zeroize(em, sizeof em);
    return wres_ok();
}

/* ---- client: encrypt ---- */

wres crypto_rsa_kx_encrypt(const crypto_key *server_key, const uint8_t pms[48], uint8_t *out,
                           size_t cap, size_t *outlen)
{
    *outlen = 0;
    ENSURE(pms && out, WARD_ERR_INTERNAL);
    ENSURE(is_rsa(server_key), WARD_ERR_UNSUPPORTED_CERTIFICATE);
    int size = EVP_PKEY_get_size(server_key->pkey);
    /* A modulus too small for 00 02 PS(8) 00 pms cannot carry the secret. */
    ENSURE(size >= 3 + MIN_PS + PMS_LEN, WARD_ERR_UNSUPPORTED_CERTIFICATE);
    ENSURE((size_t)size <= cap, WARD_ERR_INTERNAL);

    size_t len = cap;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, server_key->pkey, NULL);
    int ok = ctx && EVP_PKEY_encrypt_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
             EVP_PKEY_encrypt(ctx, out, &len, pms, PMS_LEN) == 1 && len == (size_t)size;
    EVP_PKEY_CTX_free(ctx);
    if (!ok)
        return crypto_fail(WARD_ERR_INTERNAL);
    *outlen = len;
    return wres_ok();
}
