/* SHA-256 / SHA-384: running transcript hashes and one-shot digests. */
#include "base/mem.h"
#include "crypto/crypto_int.h"

size_t hash_len(hash_alg alg)
{
    switch (alg) {
    case HASH_SHA256: return 32;
    case HASH_SHA384: return 48;
    }
    return 0;
}

wres crypto_hash_init(crypto_hash *h, hash_alg alg)
{
    const EVP_MD *md = crypto_md(alg);
    h->ctx = NULL;
    h->alg = alg;
    ENSURE(md, WARD_ERR_INTERNAL);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return crypto_fail(WARD_ERR_NOMEM);
    if (EVP_DigestInit_ex2(ctx, md, NULL) != 1) {
        EVP_MD_CTX_free(ctx);
        return crypto_fail(WARD_ERR_INTERNAL);
    }
    h->ctx = ctx;
    return wres_ok();
}

wres crypto_hash_update(crypto_hash *h, const uint8_t *p, size_t n)
{
    ENSURE(h->ctx && (p || n == 0), WARD_ERR_INTERNAL);
    if (n && EVP_DigestUpdate(h->ctx, p, n) != 1)
        return crypto_fail(WARD_ERR_INTERNAL);
    return wres_ok();
}

/* Finish a copy, so the running hash can keep absorbing the transcript. */
wres crypto_hash_peek(const crypto_hash *h, uint8_t *out)
{
    ENSURE(h->ctx, WARD_ERR_INTERNAL);
    EVP_MD_CTX *copy = EVP_MD_CTX_new();
    if (!copy)
        return crypto_fail(WARD_ERR_NOMEM);
    int ok = EVP_MD_CTX_copy_ex(copy, h->ctx) == 1 && EVP_DigestFinal_ex(copy, out, NULL) == 1;
    EVP_MD_CTX_free(copy);
    return ok ? wres_ok() : crypto_fail(WARD_ERR_INTERNAL);
}

wres crypto_hash_peek_with(const crypto_hash *h, const uint8_t *more, size_t n, uint8_t *out)
{
    ENSURE(h->ctx, WARD_ERR_INTERNAL);
    EVP_MD_CTX *copy = EVP_MD_CTX_new();
    if (!copy)
        return crypto_fail(WARD_ERR_NOMEM);
    int ok = EVP_MD_CTX_copy_ex(copy, h->ctx) == 1 && EVP_DigestUpdate(copy, more, n) == 1 &&
             EVP_DigestFinal_ex(copy, out, NULL) == 1;
    EVP_MD_CTX_free(copy);
    return ok ? wres_ok() : crypto_fail(WARD_ERR_INTERNAL);
}

void crypto_hash_free(crypto_hash *h)
{
    if (!h)
        return;
    EVP_MD_CTX_free(h->ctx); /* also wipes the digest state */
    h->ctx = NULL;
}

wres crypto_hash_copy(crypto_hash *dst, const crypto_hash *src)
{
    ENSURE(src->ctx, WARD_ERR_INTERNAL);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return crypto_fail(WARD_ERR_NOMEM);
    if (EVP_MD_CTX_copy_ex(ctx, src->ctx) != 1) {
        EVP_MD_CTX_free(ctx);
        return crypto_fail(WARD_ERR_INTERNAL);
    }
    dst->ctx = ctx;
    dst->alg = src->alg;
    return wres_ok();
}

wres crypto_hash_oneshot(hash_alg alg, const uint8_t *p, size_t n, uint8_t *out)
{
    const EVP_MD *md = crypto_md(alg);
    ENSURE(md, WARD_ERR_INTERNAL);
    if (EVP_Digest(p, n, out, NULL, md, NULL) != 1)
        return crypto_fail(WARD_ERR_INTERNAL);
    return wres_ok();
}

wres crypto_sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
    return crypto_hash_oneshot(HASH_SHA256, p, n, out);
}
