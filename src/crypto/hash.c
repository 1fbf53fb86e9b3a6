/* SHA-256 / SHA-384: running transcript hashes and one-shot digests.
 *
 * The states are libcrypto's low-level SHA256_CTX / SHA512_CTX, declared
 * deprecated in OpenSSL 3 but kept there (the EVP digests are built on the
 * same code). They need no allocation and no provider dispatch: a handshake
 * hashes the transcript and makes a few hundred HMAC blocks, and through
 * EVP_MD_CTX each init and copy allocated twice. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <string.h>

#include <openssl/sha.h>

#include "base/mem.h"
#include "crypto/crypto_int.h"

_Static_assert(sizeof(SHA512_CTX) <= HASH_STATE_BYTES, "hash_state too small for SHA-384");
_Static_assert(sizeof(SHA256_CTX) <= HASH_STATE_BYTES, "hash_state too small for SHA-256");

size_t hash_len(hash_alg alg)
{
    switch (alg) {
    case HASH_SHA256: return 32;
    case HASH_SHA384: return 48;
    }
    return 0;
}

size_t hash_block_len(hash_alg alg)
{
    return alg == HASH_SHA384 ? SHA512_CBLOCK : SHA256_CBLOCK;
}

void hash_state_init(hash_state *s, hash_alg alg)
{
    s->alg = alg;
    if (alg == HASH_SHA384)
        SHA384_Init((SHA512_CTX *)(void *)s->st);
    else
        SHA256_Init((SHA256_CTX *)(void *)s->st);
}

void hash_state_update(hash_state *s, const uint8_t *p, size_t n)
{
    if (n == 0)
        return;
    if (s->alg == HASH_SHA384)
        SHA384_Update((SHA512_CTX *)(void *)s->st, p, n);
    else
        SHA256_Update((SHA256_CTX *)(void *)s->st, p, n);
}

void hash_state_final(hash_state *s, uint8_t *out)
{
    if (s->alg == HASH_SHA384)
        SHA384_Final(out, (SHA512_CTX *)(void *)s->st);
    else
        SHA256_Final(out, (SHA256_CTX *)(void *)s->st);
    ward_zeroize(s->st, sizeof s->st);
}

wres crypto_hash_init(crypto_hash *h, hash_alg alg)
{
    h->ctx = NULL;
    h->alg = alg;
    ENSURE(hash_len(alg) != 0, WARD_ERR_INTERNAL);
    hash_state *s = ward_alloc(sizeof *s);
    if (!s)
        return wres_err(WARD_ERR_NOMEM);
    hash_state_init(s, alg);
    h->ctx = s;
    return wres_ok();
}

wres crypto_hash_update(crypto_hash *h, const uint8_t *p, size_t n)
{
    ENSURE(h->ctx && (p || n == 0), WARD_ERR_INTERNAL);
    hash_state_update(h->ctx, p, n);
    return wres_ok();
}

/* Finish a copy, so the running hash can keep absorbing the transcript. */
wres crypto_hash_peek(const crypto_hash *h, uint8_t *out)
{
    return crypto_hash_peek_with(h, NULL, 0, out);
}

wres crypto_hash_peek_with(const crypto_hash *h, const uint8_t *more, size_t n, uint8_t *out)
{
    ENSURE(h->ctx && (more || n == 0), WARD_ERR_INTERNAL);
    hash_state copy = *(const hash_state *)h->ctx;
    hash_state_update(&copy, more, n);
    hash_state_final(&copy, out); /* wipes the copy */
    return wres_ok();
}

void crypto_hash_free(crypto_hash *h)
{
    if (!h)
        return;
    ward_free_secret(h->ctx, sizeof(hash_state));
    h->ctx = NULL;
}

wres crypto_hash_copy(crypto_hash *dst, const crypto_hash *src)
{
    ENSURE(src->ctx, WARD_ERR_INTERNAL);
    hash_state *s = ward_alloc(sizeof *s);
    if (!s)
        return wres_err(WARD_ERR_NOMEM);
    *s = *(const hash_state *)src->ctx;
    dst->ctx = s;
    dst->alg = src->alg;
    return wres_ok();
}

wres crypto_hash_oneshot(hash_alg alg, const uint8_t *p, size_t n, uint8_t *out)
{
    ENSURE(hash_len(alg) != 0 && (p || n == 0), WARD_ERR_INTERNAL);
    hash_state s;
    hash_state_init(&s, alg);
    hash_state_update(&s, p, n);
    hash_state_final(&s, out);
    return wres_ok();
}

wres crypto_sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    return crypto_hash_oneshot(HASH_SHA256, p, n, out);
}
