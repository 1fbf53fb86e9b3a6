/* Algorithm objects, fetched once per process.
 *
 * EVP_MD_fetch / EVP_CIPHER_fetch walk the provider store, take locks and
 * allocate; doing that per record or per HKDF call would dominate the cost
 * of small operations. So the objects are fetched exactly once, under
 * pthread_once, into a static table of const pointers that every thread
 * then reads without locking. They are never freed (process lifetime). */
#include <pthread.h>

#include <openssl/err.h>

#include "crypto/crypto_int.h"
#include "crypto/x25519_base.h"

static crypto_algs algs;
static pthread_once_t algs_once = PTHREAD_ONCE_INIT;

static void algs_fetch(void)
{
    algs.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    algs.sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
    algs.sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
    algs.aes128gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
    algs.aes256gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    algs.chacha20poly1305 = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
    algs.sha3_256 = EVP_MD_fetch(NULL, "SHA3-256", NULL);
    algs.sha3_512 = EVP_MD_fetch(NULL, "SHA3-512", NULL);
    algs.shake128 = EVP_MD_fetch(NULL, "SHAKE-128", NULL);
    algs.shake256 = EVP_MD_fetch(NULL, "SHAKE-256", NULL);
    /* A runtime probe, so one binary uses libcrypto's ML-KEM wherever the
     * libcrypto it runs with has one (3.0 has none; 3.5 and later do). */
    EVP_PKEY_CTX *mlkem = EVP_PKEY_CTX_new_from_name(NULL, "ML-KEM-768", NULL);
    algs.has_mlkem768 = mlkem != NULL;
    EVP_PKEY_CTX_free(mlkem);
    mlkem = EVP_PKEY_CTX_new_from_name(NULL, "ML-KEM-1024", NULL);
    algs.has_mlkem1024 = mlkem != NULL;
    EVP_PKEY_CTX_free(mlkem);
    ERR_clear_error();
    algs.x25519_fromdata = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
    if (algs.x25519_fromdata && EVP_PKEY_fromdata_init(algs.x25519_fromdata) != 1) {
        EVP_PKEY_CTX_free(algs.x25519_fromdata);
        algs.x25519_fromdata = NULL;
    }
    x25519_base_init(); /* the key-share table, with the rest (crypto_prepare) */
}

const crypto_algs *crypto_algs_get(void)
{
    pthread_once(&algs_once, algs_fetch);
    return &algs;
}

void crypto_prepare(void) { (void)crypto_algs_get(); }

const EVP_MD *crypto_md(hash_alg alg)
{
    const crypto_algs *a = crypto_algs_get();
    switch (alg) {
    case HASH_SHA256: return a->sha256;
    case HASH_SHA384: return a->sha384;
    }
    return NULL;
}

wres crypto_fail(ward_err e)
{
    ERR_clear_error();
    return wres_err(e);
}
