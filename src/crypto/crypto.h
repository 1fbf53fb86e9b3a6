/* The crypto provider: the only code that includes OpenSSL headers.
 * Everything here speaks in TLS terms. Algorithm objects (EVP_MD, EVP_CIPHER,
 * EVP_MAC) are fetched once per process (pthread_once) and never per use.
 * Handles are opaque pointers owned by the caller's struct; *_free wipes. */
#ifndef WARD_CRYPTO_H
#define WARD_CRYPTO_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"

#define CRYPTO_MAX_HASH 48   /* SHA-384 */
#define CRYPTO_MAX_KEY 32
#define CRYPTO_AEAD_TAG 16
#define CRYPTO_AEAD_NONCE 12
/* Key shares and shared secrets, up to the hybrid groups: a client's or
 * server's SecP384r1MLKEM1024 share is 1665 bytes, its secret 80. */
#define CRYPTO_MAX_KEX_PUB 1700
#define CRYPTO_MAX_KEX_SECRET 96
#define CRYPTO_MAX_SIG 1024     /* RSA-8192 */

/* ---- randomness ---- */
WARD_MUST_CHECK wres crypto_random(uint8_t *out, size_t n);
/* From the configuration's source (ward_config_set_random), or as
 * crypto_random when it has none (p NULL or no source). A failing source
 * is WARD_ERR_INTERNAL and leaves out zeroed. */
WARD_MUST_CHECK wres crypto_random_from(const ward_providers *p, uint8_t *out, size_t n);
/* 1 if p has a source of its own (not libcrypto's DRBG). */
int crypto_random_is_custom(const ward_providers *p);

/* ---- hashes ---- */
typedef enum { HASH_SHA256 = 0, HASH_SHA384 = 1 } hash_alg;
size_t hash_len(hash_alg alg); /* 32 or 48 */

/* A running hash whose digest can be read at any point without ending it. */
typedef struct {
    void *ctx; /* hash_state * on the heap, wiped when freed */
    hash_alg alg;
} crypto_hash;
WARD_MUST_CHECK wres crypto_hash_init(crypto_hash *h, hash_alg alg);
WARD_MUST_CHECK wres crypto_hash_update(crypto_hash *h, const uint8_t *p, size_t n);
/* Digest of everything so far; h keeps running. out: hash_len bytes. */
WARD_MUST_CHECK wres crypto_hash_peek(const crypto_hash *h, uint8_t *out);
/* The hash of everything so far followed by more, leaving h as it was. */
WARD_MUST_CHECK wres crypto_hash_peek_with(const crypto_hash *h, const uint8_t *more, size_t n,
                                           uint8_t *out);
void crypto_hash_free(crypto_hash *h);
/* dst (empty) becomes an independent copy of the running hash src. */
WARD_MUST_CHECK wres crypto_hash_copy(crypto_hash *dst, const crypto_hash *src);
WARD_MUST_CHECK wres crypto_hash_oneshot(hash_alg alg, const uint8_t *p, size_t n, uint8_t *out);
WARD_MUST_CHECK wres crypto_sha256(const uint8_t *p, size_t n, uint8_t out[32]);

/* The one-time setup of the crypto provider (algorithm fetches, the x25519
 * table), done now rather than at first use: each configuration asks for
 * it, so a server that forks per connection does it once, before forking. */
void crypto_prepare(void);

/* ---- HMAC and HKDF (RFC 5869) ---- */
WARD_MUST_CHECK wres crypto_hmac(hash_alg alg, const uint8_t *key, size_t keylen,
                                 const uint8_t *data, size_t datalen, uint8_t *out);
/* salt may be NULL/0 (means hash_len zero bytes); out: hash_len bytes. */
WARD_MUST_CHECK wres crypto_hkdf_extract(hash_alg alg, const uint8_t *salt, size_t saltlen,
                                         const uint8_t *ikm, size_t ikmlen, uint8_t *out);
WARD_MUST_CHECK wres crypto_hkdf_expand(hash_alg alg, const uint8_t *prk, size_t prklen,
                                        const uint8_t *info, size_t infolen, uint8_t *out,
                                        size_t outlen);
/* HKDF-Expand-Label (RFC 8446 §7.1): label without the "tls13 " prefix. */
WARD_MUST_CHECK wres crypto_hkdf_expand_label(hash_alg alg, const uint8_t *secret,
                                              const char *label, const uint8_t *ctx,
                                              size_t ctxlen, uint8_t *out, size_t outlen);

/* ---- AEAD ---- */
typedef enum { AEAD_AES_128_GCM = 0, AEAD_AES_256_GCM = 1, AEAD_CHACHA20_POLY1305 = 2 } aead_alg;
size_t aead_key_len(aead_alg alg); /* 16, 32, 32; nonce is always 12, tag 16 */

/* A keyed AEAD context for one direction. */
typedef struct {
    void *ctx; /* EVP_CIPHER_CTX * with the key installed */
    aead_alg alg;
    int encrypt;
} crypto_aead;
WARD_MUST_CHECK wres crypto_aead_init(crypto_aead *a, aead_alg alg, const uint8_t *key,
                                      int encrypt);
/* A new key for a keyed context of the same algorithm and direction,
 * installed in place (no allocation; the old key schedule is overwritten).
 * On failure the context is freed: a->ctx is NULL and every later seal or
 * open fails. */
WARD_MUST_CHECK wres crypto_aead_rekey(crypto_aead *a, const uint8_t *key);
/* out receives ptlen bytes of ciphertext then the 16-byte tag. out may equal pt. */
WARD_MUST_CHECK wres crypto_aead_seal(crypto_aead *a, const uint8_t nonce[12],
                                      const uint8_t *aad, size_t aadlen, const uint8_t *pt,
                                      size_t ptlen, uint8_t *out);
/* The same over pt || tail without joining them first: pt's ciphertext goes
 * to out, tail's to out + ptlen (tail may already be there), then the tag. */
WARD_MUST_CHECK wres crypto_aead_seal_parts(crypto_aead *a, const uint8_t nonce[12],
                                            const uint8_t *aad, size_t aadlen,
                                            const uint8_t *pt, size_t ptlen,
                                            const uint8_t *tail, size_t taillen, uint8_t *out);
/* ct includes the tag (ctlen >= 16); out receives ctlen-16 bytes; out may
 * equal ct. Authentication failure: WARD_ERR_BAD_RECORD_MAC. */
WARD_MUST_CHECK wres crypto_aead_open(crypto_aead *a, const uint8_t nonce[12],
                                      const uint8_t *aad, size_t aadlen, const uint8_t *ct,
                                      size_t ctlen, uint8_t *out);
void crypto_aead_free(crypto_aead *a);

/* ---- key exchange (TLS NamedGroup codes) ----
 * (EC)DHE: x25519 0x001d, secp256r1 0x0017, secp384r1 0x0018,
 * secp521r1 0x0019.
 * Post-quantum hybrids (draft-ietf-tls-ecdhe-mlkem), TLS 1.3 only, ML-KEM
 * with an ECDH part; the order of the parts differs between them:
 *   X25519MLKEM768:     client share = ek (1184) || x25519 (32)      = 1216
 *                       server share = ct (1088) || x25519 (32)      = 1120
 *                       secret       = ML-KEM ss (32) || x25519 (32) = 64
 *   SecP256r1MLKEM768:  client share = P-256 point (65) || ek (1184) = 1249
 *                       server share = P-256 point (65) || ct (1088) = 1153
 *                       secret       = ECDH (32) || ML-KEM ss (32)   = 64
 *   SecP384r1MLKEM1024: client share = P-384 point (97) || ek (1568) = 1665
 *                       server share = P-384 point (97) || ct (1568) = 1665
 *                       secret       = ECDH (48) || ML-KEM ss (32)   = 80
 * ML-KEM alone (draft-connolly-tls-mlkem-key-agreement), TLS 1.3 only:
 *   MLKEM1024:          client share = ek (1568), server share = ct (1568),
 *                       secret = ML-KEM ss (32)
 * An ML-KEM crypto_kex is always the client's side (it holds the ML-KEM
 * decapsulation key); the server answers with crypto_kex_respond. */
#define CRYPTO_GROUP_X25519MLKEM768 0x11ec
#define CRYPTO_GROUP_SECP256R1MLKEM768 0x11eb
#define CRYPTO_GROUP_SECP384R1MLKEM1024 0x11ed
#define CRYPTO_GROUP_MLKEM1024 0x0202

typedef struct {
    void *pkey; /* EVP_PKEY * (our (EC)DH private key) */
    void *kem;  /* ML-KEM groups: our decapsulation key (wiped on free) */
    uint16_t group;
} crypto_kex;
int crypto_kex_supported(uint16_t group);
/* Generate a key pair; pub gets the TLS key_share encoding (x25519: 32
 * bytes; NIST curves: uncompressed point 0x04||X||Y; hybrids: the client
 * share above). */
WARD_MUST_CHECK wres crypto_kex_keygen(crypto_kex *k, uint16_t group, uint8_t *pub,
                                       size_t pubcap, size_t *publen);
/* Same, from a given private key (raw 32 bytes for x25519, big-endian
 * scalar for NIST curves; hybrids: that ECDH private key followed by the
 * ML-KEM key generation seeds d and z, 32 bytes each). For deterministic
 * tests only. */
WARD_MUST_CHECK wres crypto_kex_from_private(crypto_kex *k, uint16_t group,
                                             const uint8_t *priv, size_t privlen,
                                             uint8_t *pub, size_t pubcap, size_t *publen);
/* crypto_kex_keygen with the private key drawn from p's random source
 * (crypto_random_from): the (EC)DH scalar (NIST curves: redrawn until it
 * is in [1, n-1]), then the ML-KEM seeds d and z. Without a source of its
 * own, p changes nothing: libcrypto generates the key as in
 * crypto_kex_keygen. */
WARD_MUST_CHECK wres crypto_kex_keygen_from(crypto_kex *k, uint16_t group,
                                            const ward_providers *p, uint8_t *pub,
                                            size_t pubcap, size_t *publen);
/* Shared secret with the peer's share. A malformed or invalid peer share
 * (wrong length, not on the curve, all-zero x25519 result) is
 * WARD_ERR_ILLEGAL_PARAMETER. Hybrids (client side): peer is the server
 * share; a wrong length or an invalid ECDH part is
 * WARD_ERR_ILLEGAL_PARAMETER (an ML-KEM ciphertext of the right length is
 * never rejected: implicit rejection makes the secrets differ instead). */
WARD_MUST_CHECK wres crypto_kex_derive(const crypto_kex *k, const uint8_t *peer,
                                       size_t peerlen, uint8_t *secret, size_t seccap,
                                       size_t *seclen);
/* TLS 1.3 server: answer the client's key share in one step. (EC)DH groups:
 * a fresh key pair (or the given private key, for tests) and the shared secret.
 * Hybrid groups: encapsulate to the client's ML-KEM key (encapsulation-key
 * check failing: WARD_ERR_ILLEGAL_PARAMETER) and do the ECDH part.
 * priv/privlen: tests only (NULL: random); for hybrids it is the ECDH private
 * key followed by the 32-byte ML-KEM encapsulation randomness m. */
WARD_MUST_CHECK wres crypto_kex_respond(uint16_t group, const uint8_t *peer, size_t peerlen,
                                        const uint8_t *priv, size_t privlen, uint8_t *pub,
                                        size_t pubcap, size_t *publen, uint8_t *secret,
                                        size_t seccap, size_t *seclen);
/* crypto_kex_respond with the private key (and the ML-KEM randomness m)
 * drawn from p's source, as crypto_kex_keygen_from draws it. */
WARD_MUST_CHECK wres crypto_kex_respond_from(uint16_t group, const uint8_t *peer,
                                             size_t peerlen, const ward_providers *p,
                                             uint8_t *pub, size_t pubcap, size_t *publen,
                                             uint8_t *secret, size_t seccap, size_t *seclen);
void crypto_kex_free(crypto_kex *k);

/* ---- keys and signatures (TLS SignatureScheme codes) ---- */
typedef struct {
    void *pkey; /* EVP_PKEY * */
    /* sig.c's kind of key + 1, found once when the key is set (asking
     * libcrypto per signature allocated dozens of times); 0: not known. */
    int kind;
    /* ECDSA private keys: an EVP_PKEY_CTX made ready to sign with the
     * key's TLS 1.3 scheme (crypto_key_prepare_sign); each signature
     * works on a copy. NULL otherwise, and then signing takes the general
     * path. */
    void *sign_ctx;
    /* What the certificate's keyUsage lets the key do in TLS (RFC 5280
     * §4.2.1.3), CRYPTO_USE_*: set with the key for a peer's certificate
     * (crypto_key_from_cert, the chain verifiers) and for our own at
     * configuration time (crypto_key_set_usage); 0 (nothing) otherwise. */
    unsigned usage;
} crypto_key;
/* digitalSignature: CertificateVerify, TLS 1.2 ServerKeyExchange. */
#define CRYPTO_USE_SIGN 1u
/* keyEncipherment: TLS 1.2 RSA key transport. */
#define CRYPTO_USE_ENCIPHER 2u
/* Take the usage from the certificate the key belongs to (no keyUsage
 * extension: any). Unparsable: WARD_ERR_CONFIG. */
WARD_MUST_CHECK wres crypto_key_set_usage(crypto_key *k, const uint8_t *der, size_t len);
/* "digitalSignature" or "keyEncipherment". */
const char *crypto_usage_name(unsigned use);
WARD_MUST_CHECK wres crypto_key_load_pem_file(crypto_key *k, const char *path);
/* Public key from a DER certificate. Unparsable: WARD_ERR_BAD_CERTIFICATE. */
WARD_MUST_CHECK wres crypto_key_from_cert(crypto_key *k, const uint8_t *der, size_t len);
void crypto_key_free(crypto_key *k);
/* For a private key about to serve many handshakes: prepare what every
 * signature would otherwise set up again (best effort; no error). */
void crypto_key_prepare_sign(crypto_key *k);
/* RSA modulus bits, EC curve bits, 256 for ed25519; 0 if unknown. */
int crypto_key_bits(const crypto_key *k);
/* The one size rule for every key ward uses or is shown (strength.c): RSA
 * and DSA at least 2048 bits, EC at least 224. Too small:
 * WARD_ERR_INSUFFICIENT_SECURITY and the reason in why ("its 1024-bit RSA
 * key is too small (ward requires at least 2048 bits)"). allow_weak_rsa:
 * the test hook of the same name (RFC 8448's key). */
WARD_MUST_CHECK wres crypto_key_check_strength(const crypto_key *k, int allow_weak_rsa, char *why,
                                               size_t cap);
/* 1 if this key can produce/verify that scheme in TLS 1.3 CertificateVerify
 * (RSA → rsa_pss_rsae_*; RSA-PSS key → rsa_pss_pss_*; P-256 → 0x0403;
 * P-384 → 0x0503; Ed25519 → 0x0807). Never rsa_pkcs1_*. */
int crypto_key_can_sign_tls13(const crypto_key *k, uint16_t scheme);
WARD_MUST_CHECK wres crypto_sign(const crypto_key *k, uint16_t scheme, const uint8_t *msg,
                                 size_t msglen, uint8_t *sig, size_t sigcap, size_t *siglen);
/* Bad signature: WARD_ERR_DECRYPT_ERROR. Scheme not fitting the key:
 * WARD_ERR_ILLEGAL_PARAMETER. */
WARD_MUST_CHECK wres crypto_verify(const crypto_key *k, uint16_t scheme, const uint8_t *msg,
                                   size_t msglen, const uint8_t *sig, size_t siglen);

/* ---- certificates ---- */
/* A certificate chain as DER blobs, loaded from PEM (leaf first). */
#define CRYPTO_MAX_CHAIN 10
typedef struct {
    uint8_t *der[CRYPTO_MAX_CHAIN];
    size_t len[CRYPTO_MAX_CHAIN];
    size_t n;
} crypto_chain;
WARD_MUST_CHECK wres crypto_chain_load_pem_file(crypto_chain *ch, const char *path);
/* Add a copy of one DER certificate. */
WARD_MUST_CHECK wres crypto_chain_add_der(crypto_chain *ch, const uint8_t *der, size_t len);
void crypto_chain_free(crypto_chain *ch);

/* 1 if the key matches the leaf certificate's public key. */
int crypto_key_matches_cert(const crypto_key *k, const uint8_t *der, size_t len);

/* SHA-256 over the certificate's DER SubjectPublicKeyInfo (the pin). */
WARD_MUST_CHECK wres crypto_cert_spki_sha256(const uint8_t *der, size_t len, uint8_t out[32]);

/* Subject, issuer (one-line RFC 2253), validity as "YYYY-MM-DD HH:MM:SS UTC". */
typedef struct {
    char subject[256];
    char issuer[256];
    char not_before[64];
    char not_after[64];
} crypto_cert_text;
WARD_MUST_CHECK wres crypto_cert_describe(const uint8_t *der, size_t len, crypto_cert_text *t);

/* For display (cert_details.c): the key ("RSA", "EC P-256", "Ed25519")
 * and its size in bits, the subjectAltName entries ("DNS:a, IP:1.2.3.4",
 * cut with "..." when longer than the buffer) and the validity period in
 * seconds since 1970 UTC. */
typedef struct {
    char key_type[32];
    unsigned key_bits;
    char san[512];
    int64_t not_before, not_after;
    char serial[80]; /* "01:AB:CD" (cert_details.c) */
} crypto_cert_more;
WARD_MUST_CHECK wres crypto_cert_details(const uint8_t *der, size_t len, crypto_cert_more *m);

/* Trust anchors: an X509_STORE. */
/* CRLs (crl.c): a STACK_OF(X509_CRL) *, NULL when none is loaded. */
typedef struct {
    void *sk;
} crypto_crls;
typedef struct {
    void *store;  /* X509_STORE * */
    void *parsed; /* cert_cache *: peer certificates already parsed (cert_cache.c) */
    /* Not owned (the configuration's): checked after a chain verifies. */
    const crypto_crls *crls;
} crypto_trust;
/* cafile NULL: the system default store (X509_STORE_set_default_paths). */
WARD_MUST_CHECK wres crypto_trust_load(crypto_trust *t, const char *cafile);
void crypto_trust_free(crypto_trust *t);

/* ---- from memory, CA directories, CRLs (mem_load.c, trust_add.c, crl.c) ---- */
/* 1 if the bytes hold a PEM header ("-----BEGIN "). */
int crypto_looks_pem(const uint8_t *p, size_t len);
/* PEM (every certificate, leaf first) or one DER certificate; appends to
 * ch. Nothing usable: WARD_ERR_CONFIG. */
WARD_MUST_CHECK wres crypto_chain_load_mem(crypto_chain *ch, const uint8_t *p, size_t len);
/* PEM, or DER PKCS#8 / traditional; encrypted keys fail. */
WARD_MUST_CHECK wres crypto_key_load_mem(crypto_key *k, const uint8_t *p, size_t len);
/* k takes a new reference to pkey (an EVP_PKEY *). */
WARD_MUST_CHECK wres crypto_key_from_pkey(crypto_key *k, void *pkey);
/* An empty store (no system anchors), to add to. */
WARD_MUST_CHECK wres crypto_trust_new_empty(crypto_trust *t);
/* Add anchors: PEM (one or more) or one DER certificate; a PEM file; every
 * certificate file of a directory. *added counts them (duplicates too). */
WARD_MUST_CHECK wres crypto_trust_add_mem(crypto_trust *t, const uint8_t *p, size_t len,
                                          size_t *added);
WARD_MUST_CHECK wres crypto_trust_add_file(crypto_trust *t, const char *path);
WARD_MUST_CHECK wres crypto_trust_add_dir(crypto_trust *t, const char *dir, size_t *added);
/* Append the CRLs of a file (PEM, one or more, or one DER). */
WARD_MUST_CHECK wres crypto_crls_load_file(crypto_crls *c, const char *path, size_t *added);
void crypto_crls_free(crypto_crls *c);
/* A verified chain (STACK_OF(X509) *, leaf first): WARD_ERR_CERT_REVOKED
 * if a CRL of a certificate's issuer lists it, WARD_ERR_CONFIG if such a
 * CRL does not verify under the issuer's key; msg says which. */
WARD_MUST_CHECK wres crypto_crls_check(const crypto_crls *c, void *verified_chain, char *msg,
                                       size_t cap);

/* Verify the chain received from the peer (leaf first) for TLS server
 * authentication and, when host is not NULL, the host name (DNS name, or an
 * IPv4/IPv6 literal checked against iPAddress SANs). now == 0: current time.
 * On failure the code says which check failed
 *   WARD_ERR_CERT_EXPIRED, WARD_ERR_CERT_NOT_YET_VALID, WARD_ERR_UNKNOWN_CA,
 *   WARD_ERR_SELF_SIGNED, WARD_ERR_HOSTNAME_MISMATCH, WARD_ERR_BAD_CERTIFICATE
 * and msg gets a sentence a person can act on, with the specifics:
 *   "certificate has expired (notAfter 2024-01-01 00:00:00 UTC)",
 *   "certificate for 'example.com' does not match host 'localhost'". */
WARD_MUST_CHECK wres crypto_chain_verify(const crypto_trust *t, const span *certs, size_t n,
                                         const char *host, time_t now, char *msg,
                                         size_t msgcap);
/* The same, and on success the leaf's public key into leaf_key (which
 * must be empty; NULL: not wanted), from the certificate already parsed. */
WARD_MUST_CHECK wres crypto_chain_verify_key(const crypto_trust *t, const span *certs, size_t n,
                                             const char *host, time_t now, char *msg,
                                             size_t msgcap, crypto_key *leaf_key);
/* The same for a client certificate (mutual TLS): TLS client purpose (an
 * extendedKeyUsage must allow clientAuth), no host name. An unsuitable
 * purpose is WARD_ERR_BAD_CERTIFICATE. */
WARD_MUST_CHECK wres crypto_chain_verify_client_key(const crypto_trust *t, const span *certs,
                                                    size_t n, time_t now, char *msg,
                                                    size_t msgcap, crypto_key *leaf_key);
/* The certificate's subject Name, DER (certificate_authorities entries). */
WARD_MUST_CHECK wres crypto_cert_subject_der(const uint8_t *der, size_t len, uint8_t *out,
                                             size_t cap, size_t *outlen);
/* Validity-period check alone (used with pinning). Same codes and messages. */
WARD_MUST_CHECK wres crypto_cert_check_time(const uint8_t *der, size_t len, time_t now,
                                            char *msg, size_t msgcap);

/* ---- a parsed certificate kept for name matching (server SNI) ---- */
typedef struct {
    void *x509; /* X509 * */
} crypto_cert;
/* Unparsable: WARD_ERR_CONFIG. */
WARD_MUST_CHECK wres crypto_cert_parse(crypto_cert *c, const uint8_t *der, size_t len);
void crypto_cert_free(crypto_cert *c);
/* 1 if the certificate is valid for name under the rule a client verifies
 * with (crypto_chain_verify): a DNS name against the DNS subjectAltNames
 * (the CN only when there are none), "*." matching exactly one left-most
 * label, case-insensitive; an IP literal against iPAddress names only,
 * never a wildcard. */
int crypto_cert_matches_name(const crypto_cert *c, const char *name);

/* ---- OCSP (RFC 6960), for stapling (RFC 6066 §8) ---- */
/* Read a DER OCSPResponse from a file into *der (malloc'd, *len bytes).
 * Missing, unreadable, empty, larger than 64 KiB or not an OCSPResponse:
 * WARD_ERR_CONFIG. */
WARD_MUST_CHECK wres crypto_ocsp_load_file(const char *path, uint8_t **der, size_t *len);
/* Check a stapled response for the leaf of a chain already verified
 * against t (certs: the peer's chain, leaf first): response status
 * successful, a basic response signed by the leaf's issuer or by a
 * responder it certified for OCSP signing, a single response for this
 * certificate, thisUpdate not in the future and nextUpdate not past
 * (5 minutes of clock skew allowed), or with no nextUpdate a thisUpdate
 * at most max_age seconds old, status good. now == 0: the clock.
 * Revoked: WARD_ERR_CERT_REVOKED, with the revocation time in msg; any
 * other failure: WARD_ERR_BAD_CERT_STATUS with what failed in msg. */
WARD_MUST_CHECK wres crypto_ocsp_check(const crypto_trust *t, const span *certs, size_t n,
                                       const uint8_t *resp, size_t len, time_t now,
                                       uint32_t max_age, char *msg, size_t msgcap);

/* An ephemeral self-signed ECDSA P-256 certificate for name (a DNS name or
 * IP literal in the SAN, CN=name), valid from one hour ago for 30 days. */
WARD_MUST_CHECK wres crypto_make_self_signed(const char *name, crypto_key *key,
                                             crypto_chain *chain);

#endif
