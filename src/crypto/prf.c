/* The TLS 1.2 PRF (RFC 5246 §5):
 *
 *   PRF(secret, label, seed) = P_<hash>(secret, label + seed)
 *   P_hash(secret, seed) = HMAC_hash(secret, A(1) + seed) +
 *                          HMAC_hash(secret, A(2) + seed) + ...
 *   A(0) = seed, A(i) = HMAC_hash(secret, A(i-1))
 *
 * The secret is keyed into HMAC once per call (every HMAC here uses it).
 * One work buffer holds A(i) || label || seed1 || seed2, so each output
 * block is a single HMAC over contiguous bytes; A(i) is overwritten in
 * place at the front. Everything derived is wiped before returning. */
#include <string.h>

#include "base/mem.h"
#include "crypto/crypto_int.h"
#include "crypto/tls12.h"

wres crypto_tls12_prf(hash_alg hash, const uint8_t *secret, size_t secretlen,
                      const char *label, const uint8_t *seed1, size_t seed1len,
                      const uint8_t *seed2, size_t seed2len, uint8_t *out, size_t outlen)
{
    size_t hl = hash_len(hash);
    size_t labellen = label ? strlen(label) : 0;
    ENSURE(hl != 0, WARD_ERR_INTERNAL);
    ENSURE((secret || secretlen == 0) && (out || outlen == 0), WARD_ERR_INTERNAL);
    ENSURE((seed1 || seed1len == 0) && (seed2 || seed2len == 0), WARD_ERR_INTERNAL);
    ENSURE(labellen <= CRYPTO_TLS12_PRF_MAX_SEED &&
               seed1len <= CRYPTO_TLS12_PRF_MAX_SEED - labellen &&
               seed2len <= CRYPTO_TLS12_PRF_MAX_SEED - labellen - seed1len,
           WARD_ERR_INTERNAL);

    /* buf = A(i) || seed, with seed = label || seed1 || seed2. */
    uint8_t buf[CRYPTO_MAX_HASH + CRYPTO_TLS12_PRF_MAX_SEED];
    uint8_t block[CRYPTO_MAX_HASH];
    uint8_t *seed = buf + hl;
    size_t seedlen = labellen + seed1len + seed2len;
    if (labellen)
        memcpy(seed, label, labellen);
    if (seed1len)
        memcpy(seed + labellen, seed1, seed1len);
    if (seed2len)
        memcpy(seed + labellen + seed1len, seed2, seed2len);

    hmac_key hk;
    GUARD(hmac_key_init(&hk, hash, secret, secretlen));
    /* A(1) = HMAC(secret, A(0) = seed). */
    span part = span_of(seed, seedlen);
    wres r = hmac_key_mac(&hk, &part, 1, buf);
    size_t done = 0;
    while (wres_is_ok(r) && done < outlen) {
        part = span_of(buf, hl + seedlen);
        r = hmac_key_mac(&hk, &part, 1, block);
        if (!wres_is_ok(r))
            break;
        size_t take = outlen - done < hl ? outlen - done : hl;
        memcpy(out + done, block, take);
        done += take;
        part = span_of(buf, hl);
        if (done < outlen) /* A(i+1) = HMAC(secret, A(i)) */
            r = hmac_key_mac(&hk, &part, 1, buf);
    }
    hmac_key_free(&hk);
    ward_zeroize(buf, sizeof buf);
    ward_zeroize(block, sizeof block);
    if (!wres_is_ok(r))
        ward_zeroize(out, outlen);
    return r;
}
