#include "hs/keysched.h"

#include <string.h>

#include "base/mem.h"

wres ks_init(keysched *ks, hash_alg hash)
{
    uint8_t zeros[CRYPTO_MAX_HASH] = {0};
    ks->hash = hash;
    ks->hlen = hash_len(hash);
    return crypto_hkdf_extract(hash, NULL, 0, zeros, ks->hlen, ks->secret);
}

wres ks_init_psk(keysched *ks, hash_alg hash, const uint8_t *psk, size_t len)
{
    ks->hash = hash;
    ks->hlen = hash_len(hash);
    return crypto_hkdf_extract(hash, NULL, 0, psk, len, ks->secret);
}

wres ks_derive(const keysched *ks, const char *label, const uint8_t *transcript_hash,
               uint8_t *out)
{
    return crypto_hkdf_expand_label(ks->hash, ks->secret, label, transcript_hash, ks->hlen, out,
                                    ks->hlen);
}

wres ks_advance(keysched *ks, const uint8_t *ikm, size_t ikmlen)
{
    uint8_t empty_hash[CRYPTO_MAX_HASH], salt[CRYPTO_MAX_HASH];
    uint8_t zeros[CRYPTO_MAX_HASH] = {0};
    GUARD(crypto_hash_oneshot(ks->hash, NULL, 0, empty_hash));
    GUARD(ks_derive(ks, "derived", empty_hash, salt));
    if (!ikm) {
        ikm = zeros;
        ikmlen = ks->hlen;
    }
    wres r = crypto_hkdf_extract(ks->hash, salt, ks->hlen, ikm, ikmlen, ks->secret);
    ward_zeroize(salt, sizeof salt);
    return r;
}

wres ks_finished(hash_alg hash, const uint8_t *base_key, const uint8_t *transcript_hash,
                 uint8_t *out)
{
    size_t hlen = hash_len(hash);
    uint8_t finished_key[CRYPTO_MAX_HASH];
    GUARD(crypto_hkdf_expand_label(hash, base_key, "finished", NULL, 0, finished_key, hlen));
    wres r = crypto_hmac(hash, finished_key, hlen, transcript_hash, hlen, out);
    ward_zeroize(finished_key, sizeof finished_key);
    return r;
}

wres ks_update_traffic(hash_alg hash, uint8_t *secret)
{
    size_t hlen = hash_len(hash);
    uint8_t next[CRYPTO_MAX_HASH];
    GUARD(crypto_hkdf_expand_label(hash, secret, "traffic upd", NULL, 0, next, hlen));
    memcpy(secret, next, hlen);
    ward_zeroize(next, sizeof next);
    return wres_ok();
}

void ks_wipe(keysched *ks) { ward_zeroize(ks->secret, sizeof ks->secret); }
