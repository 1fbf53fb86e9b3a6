/* The PKI every library gets: for each leaf kind a CA and a leaf it
 * signed, generated at start with libcrypto and written as PEM files to a
 * fresh temporary directory.
 *   ECDSA: CA P-256 (ecdsa-with-SHA256) -> leaf P-256
 *   RSA:   CA RSA-2048 (sha256WithRSAEncryption) -> leaf RSA-2048
 * Leaves: CN=localhost, SAN DNS:localhost, serverAuth, digitalSignature
 * (+ keyEncipherment for RSA); valid from yesterday for a year. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "bench.h"

static EVP_PKEY *new_key(int kind)
{
    if (kind == CERT_ECDSA)
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
    if (!ext)
        return 0;
    int ok = X509_add_ext(cert, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok;
}

/* A certificate for key `key` named cn, signed by issuer_key (issuer NULL:
 * self-signed CA). */
static X509 *new_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                      long serial, int kind)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    int ok = x && name && X509_set_version(x, X509_VERSION_3) == 1 &&
             ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1 &&
             X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                        (const unsigned char *)"ward bench", -1, -1, 0) == 1 &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn,
                                        -1, -1, 0) == 1 &&
             X509_set_subject_name(x, name) == 1 &&
             X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) == 1 &&
             X509_gmtime_adj(X509_getm_notBefore(x), -86400) &&
             X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400) &&
             X509_set_pubkey(x, key) == 1;
    X509 *signer = issuer ? issuer : x;
    ok = ok && add_ext(x, signer, NID_subject_key_identifier, "hash") &&
         add_ext(x, signer, NID_authority_key_identifier, "keyid:always");
    if (!issuer) {
        ok = ok && add_ext(x, signer, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        ok = ok && add_ext(x, signer, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(x, signer, NID_key_usage,
                     kind == CERT_RSA ? "critical,digitalSignature,keyEncipherment"
                                      : "critical,digitalSignature") &&
             add_ext(x, signer, NID_ext_key_usage, "serverAuth") &&
             add_ext(x, signer, NID_subject_alt_name, "DNS:" BENCH_HOST);
    }
    ok = ok && X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0;
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int write_cert(const char *path, X509 *x)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    int ok = PEM_write_X509(f, x) == 1;
    return fclose(f) == 0 && ok;
}

static int write_key(const char *path, EVP_PKEY *k)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    int ok = PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1;
    return fclose(f) == 0 && ok;
}

static void set_paths(bench_pki *pki, int kind)
{
    static const char *const tag[CERT_KINDS] = {"ecdsa", "rsa2048"};
    char dir[sizeof pki->dir];
    memcpy(dir, pki->dir, sizeof dir);
    snprintf(pki->ca[kind], sizeof pki->ca[kind], "%s/ca-%s.pem", dir, tag[kind]);
    snprintf(pki->chain[kind], sizeof pki->chain[kind], "%s/chain-%s.pem", dir, tag[kind]);
    snprintf(pki->key[kind], sizeof pki->key[kind], "%s/key-%s.pem", dir, tag[kind]);
}

static int make_chain(bench_pki *pki, int kind)
{
    set_paths(pki, kind);
    EVP_PKEY *ca_key = new_key(kind), *leaf_key = new_key(kind);
    X509 *ca = ca_key ? new_cert(ca_key, kind == CERT_RSA ? "bench RSA CA" : "bench ECDSA CA",
                                 NULL, NULL, 1, kind)
                      : NULL;
    X509 *leaf = ca && leaf_key ? new_cert(leaf_key, BENCH_HOST, ca, ca_key, 2, kind) : NULL;
    int ok = leaf && write_cert(pki->ca[kind], ca) && write_cert(pki->chain[kind], leaf) &&
             write_key(pki->key[kind], leaf_key);
    X509_free(leaf);
    X509_free(ca);
    EVP_PKEY_free(leaf_key);
    EVP_PKEY_free(ca_key);
    return ok;
}

int pki_create(bench_pki *pki, unsigned kinds, const char *dir)
{
    memset(pki, 0, sizeof *pki);
    if (dir) {
        if (strlen(dir) >= sizeof pki->dir - 20)
            return 0;
        snprintf(pki->dir, sizeof pki->dir, "%s", dir);
        pki->keep = 1;
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(pki->dir, sizeof pki->dir, "%s/ward-bench-XXXXXX",
                 tmp && *tmp && strlen(tmp) < 32 ? tmp : "/tmp");
        if (!mkdtemp(pki->dir))
            return 0;
    }
    for (int k = 0; k < CERT_KINDS; k++)
        if ((kinds & (1u << k)) && !make_chain(pki, k))
            return 0;
    return 1;
}

int pki_use(bench_pki *pki, const char *dir)
{
    memset(pki, 0, sizeof *pki);
    if (strlen(dir) >= sizeof pki->dir - 20)
        return 0;
    snprintf(pki->dir, sizeof pki->dir, "%s", dir);
    pki->keep = 1;
    for (int k = 0; k < CERT_KINDS; k++) {
        set_paths(pki, k);
        if (access(pki->ca[k], R_OK) != 0 || access(pki->chain[k], R_OK) != 0 ||
            access(pki->key[k], R_OK) != 0)
            return 0;
    }
    return 1;
}

void pki_remove(const bench_pki *pki)
{
    if (pki->keep)
        return;
    for (int k = 0; k < CERT_KINDS; k++) {
        if (pki->ca[k][0])
            unlink(pki->ca[k]);
        if (pki->chain[k][0])
            unlink(pki->chain[k]);
        if (pki->key[k][0])
            unlink(pki->key[k]);
    }
    if (pki->dir[0])
        rmdir(pki->dir);
}
