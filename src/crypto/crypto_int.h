/* Private helpers shared by the files of the crypto provider. Only
 * the src/crypto .c files include this (and with it the OpenSSL headers). */
#ifndef WARD_CRYPTO_INT_H
#define WARD_CRYPTO_INT_H

#include <stdarg.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"

/* The algorithm objects, fetched once per process (fetch.c). A member is
 * NULL when the provider lacks it; users then fail with WARD_ERR_INTERNAL.
 * The objects live until exit: they are shared by all threads and never
 * freed, so no per-call fetch ever happens on a hot path. */
typedef struct {
    const EVP_MD *sha256;
    const EVP_MD *sha384;
    const EVP_MD *sha512; /* rsa_pss_*_sha512, rsa_pkcs1_sha512 */
    const EVP_CIPHER *aes128gcm;
    const EVP_CIPHER *aes256gcm;
    const EVP_CIPHER *chacha20poly1305;
    const EVP_MD *sha3_256;  /* ML-KEM: H */
    const EVP_MD *sha3_512;  /* ML-KEM: G */
    const EVP_MD *shake128;  /* ML-KEM: XOF */
    const EVP_MD *shake256;  /* ML-KEM: J and PRF */
    /* 1 when libcrypto has ML-KEM-768 / ML-KEM-1024 itself (OpenSSL >=
     * 3.5): the ML-KEM groups then use it for random keys instead of
     * ward's mlkem.c. */
    int has_mlkem768;
    int has_mlkem1024;
    /* X25519 keys are made from bytes (ours from x25519_base.c, the
     * peer's from its share) with EVP_PKEY_fromdata, which only reads
     * this context (its key manager); creating one per key cost a fetch
     * and a walk of the key manager's names, about 30k instructions. */
    EVP_PKEY_CTX *x25519_fromdata;
} crypto_algs;

const crypto_algs *crypto_algs_get(void);
/* The digest for a hash_alg; NULL for an unknown value. */
const EVP_MD *crypto_md(hash_alg alg);

/* A SHA-256 or SHA-384 state held in place, with no heap and no EVP
 * object (hash.c): libcrypto's own SHA256_CTX / SHA512_CTX, so the block
 * functions are its assembly (SHA-NI where the CPU has it). An EVP_MD_CTX
 * costs two allocations per init and per copy, and a handshake makes
 * hundreds of hashes (every HMAC of HKDF is four), which was most of the
 * heap traffic of a handshake. st is large enough for SHA512_CTX (216
 * bytes; hash.c checks this at compile time). */
#define HASH_STATE_BYTES 224
typedef struct {
    hash_alg alg;
    _Alignas(8) unsigned char st[HASH_STATE_BYTES];
} hash_state;
void hash_state_init(hash_state *s, hash_alg alg);
void hash_state_update(hash_state *s, const uint8_t *p, size_t n);
/* Writes hash_len(s->alg) bytes and wipes s. */
void hash_state_final(hash_state *s, uint8_t *out);
/* The block size HMAC pads the key to (64 or 128). */
size_t hash_block_len(hash_alg alg);

/* HMAC with the key absorbed once (hkdf.c): for several MACs under one
 * key, as HKDF-Expand and the TLS 1.2 PRF make. */
typedef struct {
    size_t len;       /* digest length */
    hash_state inner; /* state after absorbing K ^ ipad */
    hash_state outer; /* state after absorbing K ^ opad */
} hmac_key;
WARD_MUST_CHECK wres hmac_key_init(hmac_key *hk, hash_alg alg, const uint8_t *key, size_t keylen);
/* HMAC over the concatenation of parts; out: hk->len bytes (may alias a part). */
WARD_MUST_CHECK wres hmac_key_mac(const hmac_key *hk, const span *parts, size_t nparts,
                                  uint8_t *out);
void hmac_key_free(hmac_key *hk);

/* An EVP_MD_CTX for one digest-sign or digest-verify (sig.c). */
EVP_MD_CTX *new_oneshot_md_ctx(void);
/* k takes pkey (may be NULL) and notes its kind, for the signatures. */
void crypto_key_adopt(crypto_key *k, EVP_PKEY *pkey);

/* Clear the OpenSSL error queue and fail with e, so a failure here never
 * shows up in some later, unrelated ERR_get_error. */
WARD_MUST_CHECK wres crypto_fail(ward_err e);

/* Peer certificates already parsed, by the SHA-256 of their DER
 * (cert_cache.c); safe to share between threads. */
typedef struct cert_cache cert_cache;
cert_cache *cert_cache_new(void);
void cert_cache_free(cert_cache *c);
/* Like crypto_x509_parse (a new reference, or NULL when malformed), from
 * the cache when this DER was parsed before. c may be NULL: no cache. */
X509 *cert_cache_parse(cert_cache *c, const uint8_t *der, size_t len);

/* Parse exactly len bytes of DER; NULL when malformed or trailing bytes. */
X509 *crypto_x509_parse(const uint8_t *der, size_t len);
/* "YYYY-MM-DD HH:MM:SS UTC"; "?" when the time cannot be read. */
void crypto_time_text(const ASN1_TIME *t, char *out, size_t cap);
/* One-line RFC 2253 form of a name, truncated to fit; "" on failure. */
void crypto_name_text(const X509_NAME *name, char *out, size_t cap);
/* SHA-256 of the DER SubjectPublicKeyInfo; 1 on success. */
int crypto_x509_spki_sha256(const X509 *x, uint8_t out[32]);
/* The validity-period failure message for x ("certificate has expired
 * (notAfter ...)" or "... is not yet valid (notBefore ...)"); depth > 0
 * names it as a certificate in the chain. Returns the matching code. */
WARD_MUST_CHECK wres crypto_cert_time_message(const X509 *x, int expired, int depth, char *msg,
                                              size_t cap);
/* strength.c: 1 if the key is too small for ward (RSA/DSA < 2048 bits,
 * EC < 224), with the reason in why ("its 1024-bit RSA key is too
 * small ..."); 1 if the certificate's signature uses MD5 or SHA-1 (or
 * worse), with the reason. */
int crypto_pkey_weak(const EVP_PKEY *pkey, char *why, size_t cap);
int crypto_x509_weak_signature(const X509 *x, char *why, size_t cap);
/* key_usage.c: CRYPTO_USE_* as x's keyUsage allows (no extension: all;
 * malformed extensions: none). */
unsigned crypto_x509_usage(X509 *x);
/* 1 if s is an IPv4 or IPv6 address literal. */
int crypto_is_ip_literal(const char *s);
/* snprintf into msg when msg/cap allow it; always NUL-terminated. */
void crypto_msgf(char *msg, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
