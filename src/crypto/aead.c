/* AEAD for record protection (RFC 8446 §5.2): AES-128-GCM, AES-256-GCM,
 * ChaCha20-Poly1305, all with a 12-byte nonce and a 16-byte tag.
 *
 * Seal/open run once per record, so the EVP_CIPHER_CTX is created and keyed
 * once in crypto_aead_init; each call only installs the nonce, which costs
 * no allocation and no key schedule. */
#include <limits.h>
#include <string.h>

#include "base/mem.h"
#include "crypto/crypto_int.h"

size_t aead_key_len(aead_alg alg)
{
    switch (alg) {
    case AEAD_AES_128_GCM: return 16;
    case AEAD_AES_256_GCM: return 32;
    case AEAD_CHACHA20_POLY1305: return 32;
    }
    return 0;
}

static const EVP_CIPHER *aead_cipher(aead_alg alg)
{
    const crypto_algs *a = crypto_algs_get();
    switch (alg) {
    case AEAD_AES_128_GCM: return a->aes128gcm;
    case AEAD_AES_256_GCM: return a->aes256gcm;
    case AEAD_CHACHA20_POLY1305: return a->chacha20poly1305;
    }
    return NULL;
}

wres crypto_aead_init(crypto_aead *a, aead_alg alg, const uint8_t *key, int encrypt)
{
    a->ctx = NULL;
    a->alg = alg;
    a->encrypt = encrypt ? 1 : 0;
    const EVP_CIPHER *cipher = aead_cipher(alg);
    ENSURE(cipher && key, WARD_ERR_INTERNAL);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx)
        return crypto_fail(WARD_ERR_NOMEM);
    /* The default IV length of all three is 12 (the TLS nonce size). Asked
     * of the cipher, a field read: the context's getter goes through the
     * provider's parameters, 1% of a resumed handshake. */
    if (EVP_CIPHER_get_iv_length(cipher) != CRYPTO_AEAD_NONCE ||
        EVP_CipherInit_ex2(ctx, cipher, key, NULL, a->encrypt, NULL) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return crypto_fail(WARD_ERR_INTERNAL);
    }
    a->ctx = ctx;
    return wres_ok();
}

wres crypto_aead_rekey(crypto_aead *a, const uint8_t *key)
{
    ENSURE(a->ctx && key, WARD_ERR_INTERNAL);
    if (EVP_CipherInit_ex2(a->ctx, NULL, key, NULL, a->encrypt, NULL) != 1) {
        crypto_aead_free(a);
        return crypto_fail(WARD_ERR_INTERNAL);
    }
    return wres_ok();
}

/* Install the nonce (key kept) and absorb the additional data. */
static int aead_start(EVP_CIPHER_CTX *ctx, const uint8_t nonce[12], const uint8_t *aad,
                      size_t aadlen)
{
    int outl;
    if (EVP_CipherInit_ex2(ctx, NULL, NULL, nonce, -1, NULL) != 1)
        return 0;
    return aadlen == 0 || EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aadlen) == 1;
}

/* Run the cipher over n bytes (in may equal out) and finish. */
static int aead_body(EVP_CIPHER_CTX *ctx, const uint8_t *in, size_t n, uint8_t *out)
{
    int outl = 0, finl = 0;
    if (n && EVP_CipherUpdate(ctx, out, &outl, in, (int)n) != 1)
        return 0;
    if (EVP_CipherFinal_ex(ctx, out + outl, &finl) != 1)
        return 0;
    return (size_t)outl + (size_t)finl == n;
}

wres crypto_aead_seal(crypto_aead *a, const uint8_t nonce[12], const uint8_t *aad,
                      size_t aadlen, const uint8_t *pt, size_t ptlen, uint8_t *out)
{
    ENSURE(a->ctx && a->encrypt, WARD_ERR_INTERNAL);
    ENSURE(ptlen <= INT_MAX - CRYPTO_AEAD_TAG && aadlen <= INT_MAX, WARD_ERR_INTERNAL);
    ENSURE(nonce && out && (pt || ptlen == 0) && (aad || aadlen == 0), WARD_ERR_INTERNAL);
    EVP_CIPHER_CTX *ctx = a->ctx;
    if (!aead_start(ctx, nonce, aad, aadlen) || !aead_body(ctx, pt, ptlen, out) ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, CRYPTO_AEAD_TAG, out + ptlen) != 1)
        return crypto_fail(WARD_ERR_INTERNAL);
    return wres_ok();
}

/* pt then tail, as one plaintext: the record layer encrypts the caller's
 * data straight into the record (no copy first) and the inner type and
 * padding after it, which may already sit in place at out + ptlen. */
wres crypto_aead_seal_parts(crypto_aead *a, const uint8_t nonce[12], const uint8_t *aad,
                            size_t aadlen, const uint8_t *pt, size_t ptlen, const uint8_t *tail,
                            size_t taillen, uint8_t *out)
{
    ENSURE(a->ctx && a->encrypt, WARD_ERR_INTERNAL);
    ENSURE(ptlen <= INT_MAX / 2 && taillen <= INT_MAX / 2 && aadlen <= INT_MAX,
           WARD_ERR_INTERNAL);
    ENSURE(nonce && out && (pt || ptlen == 0) && (tail || taillen == 0) && (aad || aadlen == 0),
           WARD_ERR_INTERNAL);
    EVP_CIPHER_CTX *ctx = a->ctx;
    int outl = 0;
    if (!aead_start(ctx, nonce, aad, aadlen) ||
        (ptlen && EVP_CipherUpdate(ctx, out, &outl, pt, (int)ptlen) != 1) ||
        (size_t)outl != ptlen || /* GCM and ChaCha20-Poly1305 are stream ciphers */
        !aead_body(ctx, tail, taillen, out + ptlen) ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, CRYPTO_AEAD_TAG, out + ptlen + taillen) != 1)
        return crypto_fail(WARD_ERR_INTERNAL);
    return wres_ok();
}

wres crypto_aead_open(crypto_aead *a, const uint8_t nonce[12], const uint8_t *aad,
                      size_t aadlen, const uint8_t *ct, size_t ctlen, uint8_t *out)
{
    ENSURE(a->ctx && !a->encrypt, WARD_ERR_INTERNAL);
    ENSURE(ctlen >= CRYPTO_AEAD_TAG, WARD_ERR_BAD_RECORD_MAC);
    ENSURE(ctlen <= INT_MAX && aadlen <= INT_MAX, WARD_ERR_INTERNAL);
    ENSURE(nonce && ct && out && (aad || aadlen == 0), WARD_ERR_INTERNAL);
    EVP_CIPHER_CTX *ctx = a->ctx;
    size_t n = ctlen - CRYPTO_AEAD_TAG;
    /* Copy the tag first: with out == ct it is never overwritten, but the
     * ctrl wants a mutable buffer. */
    uint8_t tag[CRYPTO_AEAD_TAG];
    memcpy(tag, ct + n, sizeof tag);
    if (!aead_start(ctx, nonce, aad, aadlen) ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, CRYPTO_AEAD_TAG, tag) != 1)
        return crypto_fail(WARD_ERR_INTERNAL);
    if (!aead_body(ctx, ct, n, out)) {
        /* Never hand out plaintext that failed authentication. */
        ward_zeroize(out, n);
        return crypto_fail(WARD_ERR_BAD_RECORD_MAC);
    }
    return wres_ok();
}

void crypto_aead_free(crypto_aead *a)
{
    if (!a)
        return;
    EVP_CIPHER_CTX_free(a->ctx); /* wipes the key schedule */
    a->ctx = NULL;
}
