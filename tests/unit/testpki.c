#include "testpki.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static EVP_PKEY *make_key(const char *kind)
{
    if (!strcmp(kind, "rsa2048"))
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    if (!strcmp(kind, "rsa1024"))
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    if (!strcmp(kind, "p192"))
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-192");
    if (!strcmp(kind, "p256"))
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!strcmp(kind, "p384"))
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    if (!strcmp(kind, "ed25519"))
        return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    return NULL;
}

/* Adds extension nid = value (OpenSSL's config syntax) to x as issued by
 * issuer (x itself when self-signed). */
int testpki_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = e && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

/* A self-signed end-entity certificate for key: CN cn, the subjectAltName
 * san (none when NULL), valid from an hour ago for a day; written as PEM
 * to fresh files under /tmp (their names into cert_path and key_path).
 * Returns the certificate (the caller frees it), or NULL. */
static X509 *write_self_signed(EVP_PKEY *key, const char *kind, long serial, const char *cn,
                               const char *san, char *cert_path, char *key_path)
{
    X509 *x = X509_new();
    int ok = key && x;
    ok = ok && X509_set_version(x, 2) == 1;
    ok = ok && ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1;
    ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL;
    ok = ok && X509_gmtime_adj(X509_getm_notAfter(x), 86400) != NULL;
    X509_NAME *name = ok ? X509_get_subject_name(x) : NULL;
    ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn,
                                          -1, -1, 0) == 1;
    ok = ok && X509_set_issuer_name(x, name) == 1 && X509_set_pubkey(x, key) == 1;
    ok = ok && (!san || testpki_add_ext(x, x, NID_subject_alt_name, san));
    ok = ok && testpki_add_ext(x, x, NID_basic_constraints, "critical,CA:FALSE");
    const EVP_MD *md = strcmp(kind, "ed25519") ? EVP_sha256() : NULL;
    ok = ok && X509_sign(x, key, md) > 0;

    strcpy(cert_path, "/tmp/ward-test-cert-XXXXXX");
    strcpy(key_path, "/tmp/ward-test-key-XXXXXX");
    int cfd = mkstemp(cert_path), kfd = mkstemp(key_path);
    FILE *cf = cfd >= 0 ? fdopen(cfd, "w") : NULL, *kf = kfd >= 0 ? fdopen(kfd, "w") : NULL;
    ok = ok && cf && kf && PEM_write_X509(cf, x) == 1 &&
         PEM_write_PrivateKey(kf, key, NULL, NULL, 0, NULL, NULL) == 1;
    if (cf)
        fclose(cf);
    if (kf)
        fclose(kf);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

int testpki_self_signed(const char *kind, char *cert_path, char *key_path, uint8_t pin[32])
{
    EVP_PKEY *key = make_key(kind);
    X509 *x = write_self_signed(key, kind, 1, "localhost", "DNS:localhost,IP:127.0.0.1",
                                cert_path, key_path);
    unsigned char *der = NULL;
    int len = x ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der) : -1;
    unsigned int mdlen = 0;
    int ok = len > 0 && EVP_Digest(der, (size_t)len, pin, &mdlen, EVP_sha256(), NULL) == 1;
    OPENSSL_free(der);
    X509_free(x);
    EVP_PKEY_free(key);
    return ok;
}

/* Like testpki_self_signed, with a chosen CN and subjectAltName (OpenSSL's
 * config syntax, "DNS:a.test,IP:192.0.2.1"); no pin. */
int testpki_self_signed_names(const char *kind, const char *cn, const char *san,
                              char *cert_path, char *key_path)
{
    EVP_PKEY *key = make_key(kind);
    X509 *x = write_self_signed(key, kind, 2, cn, san, cert_path, key_path);
    int ok = x != NULL;
    X509_free(x);
    EVP_PKEY_free(key);
    return ok;
}

/* ---- a three-level PKI: root, intermediate, leaf ---- */

static const EVP_MD *md_named(const char *md, EVP_PKEY *signer)
{
    if (EVP_PKEY_is_a(signer, "ED25519"))
        return NULL;
    if (md && !strcmp(md, "sha1"))
        return EVP_sha1();
    if (md && !strcmp(md, "md5"))
        return EVP_md5();
    return EVP_sha256();
}

/* A certificate for key named cn, issued by issuer (NULL: self-signed) with
 * the hash md; a CA when ca, else a TLS leaf for localhost with keyUsage
 * ku (NULL: none). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       const char *md, int ca, const char *ku)
{
    static long serial = 100;
    X509 *x = X509_new();
    int ok = x && X509_set_version(x, 2) == 1;
    ok = ok && ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) == 1;
    ok = ok && X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL;
    ok = ok && X509_gmtime_adj(X509_getm_notAfter(x), 86400) != NULL;
    X509_NAME *name = ok ? X509_get_subject_name(x) : NULL;
    ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn,
                                          -1, -1, 0) == 1;
    ok = ok && X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) == 1;
    ok = ok && X509_set_pubkey(x, key) == 1;
    X509 *by = issuer ? issuer : x;
    if (ca) {
        ok = ok && testpki_add_ext(x, by, NID_basic_constraints, "critical,CA:TRUE") &&
             testpki_add_ext(x, by, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        ok = ok && testpki_add_ext(x, by, NID_basic_constraints, "critical,CA:FALSE") &&
             testpki_add_ext(x, by, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") &&
             testpki_add_ext(x, by, NID_ext_key_usage, "serverAuth,clientAuth") &&
             (!ku || testpki_add_ext(x, by, NID_key_usage, ku));
    }
    EVP_PKEY *signer = issuer_key ? issuer_key : key;
    ok = ok && X509_sign(x, signer, md_named(md, signer)) > 0;
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int write_pem(char *path, const char *prefix, X509 *a, X509 *b, EVP_PKEY *key)
{
    snprintf(path, 64, "/tmp/ward-test-%s-XXXXXX", prefix);
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int ok = f != NULL;
    ok = ok && (!a || PEM_write_X509(f, a) == 1) && (!b || PEM_write_X509(f, b) == 1);
    ok = ok && (!key || PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1);
    if (f)
        fclose(f);
    return ok;
}

int testpki_chain(const testpki_chain_spec *s, char *chain_path, char *key_path,
                  char *root_path)
{
    EVP_PKEY *root_key = make_key("p256");
    EVP_PKEY *inter_key = make_key(s->inter_kind ? s->inter_kind : "p256");
    EVP_PKEY *leaf_key = make_key(s->leaf_kind ? s->leaf_kind : "p256");
    X509 *root = NULL, *inter = NULL, *leaf = NULL;
    int ok = root_key && inter_key && leaf_key;
    ok = ok && (root = make_cert(root_key, "Ward Test Root", NULL, NULL, NULL, 1, NULL));
    ok = ok && (inter = make_cert(inter_key, s->inter_cn ? s->inter_cn : "Ward Test Intermediate",
                                  root, root_key, NULL, 1, NULL));
    ok = ok && (leaf = make_cert(leaf_key, "localhost", inter, inter_key, s->leaf_md, 0,
                                 s->leaf_ku));
    ok = ok && write_pem(chain_path, "chain", leaf, inter, NULL);
    ok = ok && write_pem(key_path, "key", NULL, NULL, leaf_key);
    ok = ok && write_pem(root_path, "root", root, NULL, NULL);
    X509_free(root);
    X509_free(inter);
    X509_free(leaf);
    EVP_PKEY_free(root_key);
    EVP_PKEY_free(inter_key);
    EVP_PKEY_free(leaf_key);
    return ok;
}
