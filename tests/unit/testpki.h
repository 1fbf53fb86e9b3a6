/* Test certificates made on the fly with libcrypto (tests only). */
#ifndef WARD_TESTPKI_H
#define WARD_TESTPKI_H

#include <stdint.h>

#include <openssl/types.h>

/* A self-signed certificate for "localhost" with a key of this kind
 * ("rsa2048", "p256", "p384", "ed25519"), written as PEM to cert_path and
 * key_path (buffers of at least 64 bytes, filled with temp names); its
 * SPKI SHA-256 goes to pin. 1 on success. */
int testpki_self_signed(const char *kind, char *cert_path, char *key_path, uint8_t pin[32]);
/* The same with a chosen CN and subjectAltName (OpenSSL config syntax,
 * "DNS:a.test,IP:192.0.2.1"; NULL: none), and no pin. */
int testpki_self_signed_names(const char *kind, const char *cn, const char *san,
                              char *cert_path, char *key_path);

/* A root, an intermediate and a leaf for localhost (DNS:localhost,
 * IP:127.0.0.1, extendedKeyUsage serverAuth and clientAuth). Key kinds
 * as above plus "rsa1024" and "p192" (NULL: "p256"); the root is P-256. */
typedef struct {
    const char *leaf_kind;
    const char *inter_kind;
    const char *inter_cn; /* NULL: "Ward Test Intermediate" */
    const char *leaf_md;  /* the intermediate's hash over the leaf: "sha1", "md5"; NULL: SHA-256 */
    const char *leaf_ku;  /* the leaf's keyUsage ("critical,digitalSignature"); NULL: none */
} testpki_chain_spec;
/* Writes the chain (leaf, intermediate), the leaf's key and the root as
 * PEM to fresh temp files (buffers of at least 64 bytes). 1 on success. */
int testpki_chain(const testpki_chain_spec *s, char *chain_path, char *key_path,
                  char *root_path);

/* Adds extension nid = value (OpenSSL's config syntax, e.g.
 * "critical,CA:FALSE") to x as issued by issuer (x itself when
 * self-signed). 1 on success. */
int testpki_add_ext(X509 *x, X509 *issuer, int nid, const char *value);

#endif
