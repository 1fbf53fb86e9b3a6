/* HMAC (RFC 2104) and HKDF (RFC 5869), plus TLS 1.3's HKDF-Expand-Label.
 *
 * HMAC is built from the digest directly: the key is absorbed once into an
 * inner (K ^ ipad) and an outer (K ^ opad) hash state, and each message
 * starts from copies of those states. The states are plain structs
 * (hash.c), so an HMAC costs no allocation, and the per-block HMACs of
 * HKDF-Expand and the TLS 1.2 PRF only pay for their own blocks.
 *
 * Every function reads all of its inputs before writing out, so out may
 * alias an input (e.g. a KeyUpdate replacing a traffic secret in place). */
#include <string.h>

#include "base/mem.h"
#include "crypto/crypto_int.h"

#define HMAC_MAX_BLOCK 128 /* SHA-384/512 block size */

void hmac_key_free(hmac_key *hk)
{
    ward_zeroize(hk, sizeof *hk);
}

/* Start a hash state over K0 ^ (pad byte repeated), RFC 2104 steps 1-3. */
static void hmac_pad_init(hash_state *s, hash_alg alg, const uint8_t *k0, size_t block,
                          uint8_t padbyte)
{
    uint8_t pad[HMAC_MAX_BLOCK];
    for (size_t i = 0; i < block; i++)
        pad[i] = (uint8_t)(k0[i] ^ padbyte);
    hash_state_init(s, alg);
    hash_state_update(s, pad, block);
    ward_zeroize(pad, sizeof pad);
}

wres hmac_key_init(hmac_key *hk, hash_alg alg, const uint8_t *key, size_t keylen)
{
    memset(hk, 0, sizeof *hk);
    size_t block = hash_block_len(alg);
    ENSURE(hash_len(alg) != 0 && (key || keylen == 0), WARD_ERR_INTERNAL);
    ENSURE(block <= HMAC_MAX_BLOCK, WARD_ERR_INTERNAL);
    hk->len = hash_len(alg);

    /* K0: the key zero-padded to the block size, or its hash if longer. */
    uint8_t k0[HMAC_MAX_BLOCK] = {0};
    if (keylen > block)
        GUARD(crypto_hash_oneshot(alg, key, keylen, k0));
    else if (keylen)
        memcpy(k0, key, keylen);
    hmac_pad_init(&hk->inner, alg, k0, block, 0x36);
    hmac_pad_init(&hk->outer, alg, k0, block, 0x5c);
    ward_zeroize(k0, sizeof k0);
    return wres_ok();
}

/* HMAC over the concatenation of parts; out: hk->len bytes. */
wres hmac_key_mac(const hmac_key *hk, const span *parts, size_t nparts, uint8_t *out)
{
    uint8_t ihash[CRYPTO_MAX_HASH];
    for (size_t i = 0; i < nparts; i++)
        ENSURE(parts[i].p || parts[i].len == 0, WARD_ERR_INTERNAL);
    hash_state work = hk->inner;
    for (size_t i = 0; i < nparts; i++)
        hash_state_update(&work, parts[i].p, parts[i].len);
    hash_state_final(&work, ihash);
    work = hk->outer;
    hash_state_update(&work, ihash, hk->len);
    hash_state_final(&work, out);
    ward_zeroize(ihash, sizeof ihash);
    return wres_ok();
}

wres crypto_hmac(hash_alg alg, const uint8_t *key, size_t keylen, const uint8_t *data,
                 size_t datalen, uint8_t *out)
{
    hmac_key hk;
    GUARD(hmac_key_init(&hk, alg, key, keylen));
    span part = span_of(data, datalen);
    wres r = hmac_key_mac(&hk, &part, 1, out);
    hmac_key_free(&hk);
    return r;
}

/* RFC 5869 §2.2: PRK = HMAC-Hash(salt, IKM); no salt means HashLen zeros. */
wres crypto_hkdf_extract(hash_alg alg, const uint8_t *salt, size_t saltlen, const uint8_t *ikm,
                         size_t ikmlen, uint8_t *out)
{
    static const uint8_t zeros[CRYPTO_MAX_HASH];
    if (!salt || saltlen == 0) {
        salt = zeros;
        saltlen = hash_len(alg);
    }
    return crypto_hmac(alg, salt, saltlen, ikm, ikmlen, out);
}

/* RFC 5869 §2.3: T(i) = HMAC-Hash(PRK, T(i-1) | info | i), OKM = T(1) | T(2) ... */
wres crypto_hkdf_expand(hash_alg alg, const uint8_t *prk, size_t prklen, const uint8_t *info,
                        size_t infolen, uint8_t *out, size_t outlen)
{
    size_t hl = hash_len(alg);
    ENSURE(hl && outlen <= 255 * hl, WARD_ERR_INTERNAL);
    hmac_key hk;
    GUARD(hmac_key_init(&hk, alg, prk, prklen));

    uint8_t t[CRYPTO_MAX_HASH];
    size_t tlen = 0, done = 0;
    uint8_t counter = 0;
    wres r = wres_ok();
    while (done < outlen) {
        counter++;
        const span parts[3] = {span_of(t, tlen), span_of(info, infolen), span_of(&counter, 1)};
        r = hmac_key_mac(&hk, parts, 3, t);
        if (!wres_is_ok(r))
            break;
        tlen = hl;
        size_t take = outlen - done < hl ? outlen - done : hl;
        memcpy(out + done, t, take);
        done += take;
    }
    ward_zeroize(t, sizeof t);
    hmac_key_free(&hk);
    return r;
}

/* RFC 8446 §7.1:
 *   struct {
 *       uint16 length = Length;
 *       opaque label<7..255> = "tls13 " + Label;
 *       opaque context<0..255> = Context;
 *   } HkdfLabel;
 *   HKDF-Expand-Label(Secret, Label, Context, Length) =
 *       HKDF-Expand(Secret, HkdfLabel, Length) */
wres crypto_hkdf_expand_label(hash_alg alg, const uint8_t *secret, const char *label,
                              const uint8_t *ctx, size_t ctxlen, uint8_t *out, size_t outlen)
{
    static const char prefix[] = "tls13 ";
    const size_t prefixlen = sizeof prefix - 1;
    size_t labellen = label ? strlen(label) : 0;
    ENSURE(prefixlen + labellen <= 255 && ctxlen <= 255 && outlen <= 0xffff,
           WARD_ERR_INTERNAL);

    uint8_t info[2 + 1 + 255 + 1 + 255];
    wr w = wr_of(info, sizeof info);
    wr_u16(&w, (uint16_t)outlen);
    wr_u8(&w, (uint8_t)(prefixlen + labellen));
    wr_bytes(&w, prefix, prefixlen);
    wr_bytes(&w, label, labellen);
    wr_u8(&w, (uint8_t)ctxlen);
    wr_bytes(&w, ctx, ctxlen);
    GUARD(wr_status(&w));
    return crypto_hkdf_expand(alg, secret, hash_len(alg), info, w.len, out, outlen);
}
