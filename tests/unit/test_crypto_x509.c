/* Certificates: a small PKI is built here with OpenSSL (root → intermediate
 * → leaves, plus an unknown root and a self-signed leaf), written as PEM to
 * a temporary directory, loaded with crypto_chain_load_pem_file and checked
 * with crypto_chain_verify: each failure must give its code and a message
 * with the specifics. Also the ephemeral self-signed certificate, pins,
 * key/cert matching and descriptions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "crypto/crypto.h"
#include "crypto/crypto_int.h"
#include "testutil.h"

#define DAY (24L * 3600)

/* ---- building the PKI ---- */

typedef struct {
    const char *cn;
    const char *san; /* OpenSSL config form, NULL for none */
    int ca;
    long from_days, to_days; /* validity, relative to now */
    const char *eku;         /* leaves: default serverAuth */
} cert_spec;

static char tmpdir[64];
static const char *files[32];
static size_t nfiles;

static const char *tmp_path(const char *name)
{
    static char paths[32][128];
    static size_t next;
    char *p = paths[next++ % 32];
    snprintf(p, 128, "%s/%s", tmpdir, name);
    return p;
}

static void add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, v3, nid, value);
    CHECK(ext && X509_add_ext(x, ext, -1) == 1);
    X509_EXTENSION_free(ext);
}

/* Issue a certificate for key; issuer NULL means self-signed. */
static X509 *issue(const cert_spec *s, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key)
{
    static long serial = 1;
    time_t now = time(NULL);
    X509 *x = X509_new();
    CHECK(x && X509_set_version(x, X509_VERSION_3) == 1);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"Ward Test", -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)s->cn, -1, -1,
                               0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
    X509_time_adj_ex(X509_getm_notBefore(x), (int)s->from_days, 0, &now);
    X509_time_adj_ex(X509_getm_notAfter(x), (int)s->to_days, 0, &now);
    X509_set_pubkey(x, key);

    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
    add_ext(x, &v3, NID_basic_constraints, s->ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(x, &v3, NID_key_usage,
            s->ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    if (!s->ca)
        add_ext(x, &v3, NID_ext_key_usage, s->eku ? s->eku : "serverAuth");
    if (s->san)
        add_ext(x, &v3, NID_subject_alt_name, s->san);
    add_ext(x, &v3, NID_subject_key_identifier, "hash");
    CHECK(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
    return x;
}

static void write_pem(const char *name, X509 *a, X509 *b)
{
    BIO *bio = BIO_new_file(tmp_path(name), "w");
    CHECK(bio && PEM_write_bio_X509(bio, a) == 1);
    if (b)
        CHECK(PEM_write_bio_X509(bio, b) == 1);
    BIO_free(bio);
    files[nfiles++] = name;
}

static void write_text(const char *name, const char *text)
{
    FILE *f = fopen(tmp_path(name), "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    files[nfiles++] = name;
}

static EVP_PKEY *root_key, *inter_key, *leaf_key, *other_key;

static void build_pki(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ward-x509-XXXXXX");
    CHECK(mkdtemp(tmpdir) != NULL);
    root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    inter_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    other_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");

    const cert_spec root_s = {"Ward Test Root CA", NULL, 1, -100, 3650, NULL};
    const cert_spec inter_s = {"Ward Test Intermediate", NULL, 1, -100, 3650, NULL};
    const cert_spec other_s = {"Other CA", NULL, 1, -10, 3650, NULL};
    const cert_spec leaf_s = {"localhost", "DNS:localhost,IP:127.0.0.1,IP:::1", 0, -1, 365, NULL};
    const cert_spec wild_s = {"wild", "DNS:*.example.com", 0, -1, 365, NULL};
    const cert_spec old_s = {"old.example", "DNS:localhost", 0, -60, -30, NULL};
    const cert_spec young_s = {"young.example", "DNS:localhost", 0, 30, 60, NULL};
    const cert_spec client_s = {"client", "DNS:localhost", 0, -1, 365, "clientAuth"};
    const cert_spec self_s = {"self.example", "DNS:self.example", 0, -1, 365, NULL};
    const cert_spec cnonly_s = {"cn-only.example", NULL, 0, -1, 365, NULL};

    X509 *root = issue(&root_s, root_key, NULL, NULL);
    X509 *inter = issue(&inter_s, inter_key, root, root_key);
    X509 *other = issue(&other_s, other_key, NULL, NULL);
    X509 *leaf = issue(&leaf_s, leaf_key, inter, inter_key);
    X509 *wild = issue(&wild_s, leaf_key, inter, inter_key);
    X509 *old = issue(&old_s, leaf_key, inter, inter_key);
    X509 *young = issue(&young_s, leaf_key, inter, inter_key);
    X509 *client = issue(&client_s, leaf_key, inter, inter_key);
    X509 *stranger = issue(&leaf_s, leaf_key, other, other_key);
    X509 *self = issue(&self_s, leaf_key, NULL, NULL);
    X509 *cnonly = issue(&cnonly_s, leaf_key, inter, inter_key);

    write_pem("root.pem", root, NULL);
    write_pem("chain.pem", leaf, inter);
    write_pem("leaf.pem", leaf, NULL);
    write_pem("wild.pem", wild, inter);
    write_pem("expired.pem", old, inter);
    write_pem("notyet.pem", young, inter);
    write_pem("client.pem", client, inter);
    write_pem("stranger.pem", stranger, NULL);
    write_pem("stranger_root.pem", stranger, other);
    write_pem("self.pem", self, NULL);
    write_pem("cnonly.pem", cnonly, inter);
    write_text("empty.pem", "no certificates in here\n");
    write_text("broken.pem", "-----BEGIN CERTIFICATE-----\nMIIB!!!!\n-----END CERTIFICATE-----\n");

    BIO *bio = BIO_new_file(tmp_path("leaf.key"), "w");
    CHECK(bio && PEM_write_bio_PrivateKey(bio, leaf_key, NULL, NULL, 0, NULL, NULL) == 1);
    BIO_free(bio);
    files[nfiles++] = "leaf.key";

    X509 *all[] = {root, inter, other, leaf, wild, old, young, client, stranger, self, cnonly};
    for (size_t i = 0; i < WARD_ARRAY_LEN(all); i++)
        X509_free(all[i]);
}

static void remove_pki(void)
{
    for (size_t i = 0; i < nfiles; i++)
        unlink(tmp_path(files[i]));
    rmdir(tmpdir);
    EVP_PKEY_free(root_key);
    EVP_PKEY_free(inter_key);
    EVP_PKEY_free(leaf_key);
    EVP_PKEY_free(other_key);
}

/* ---- helpers ---- */

static crypto_trust trust;

static crypto_chain load(const char *name)
{
    crypto_chain ch = {0};
    CHECK_OK(crypto_chain_load_pem_file(&ch, tmp_path(name)));
    return ch;
}

/* Verify a PEM chain file; returns the code, message in msg. */
static ward_err verify_file(const char *name, const char *host, time_t now, char *msg,
                            size_t cap)
{
    crypto_chain ch = load(name);
    span certs[CRYPTO_MAX_CHAIN];
    for (size_t i = 0; i < ch.n; i++)
        certs[i] = span_of(ch.der[i], ch.len[i]);
    wres r = crypto_chain_verify(&trust, certs, ch.n, host, now, msg, cap);
    crypto_chain_free(&ch);
    return r.code;
}

#define CHECK_HAS(msg, s)                                                                     \
    do {                                                                                      \
        int has_ = strstr((msg), (s)) != NULL;                                                \
        if (!has_)                                                                            \
            fprintf(stderr, "message '%s' lacks '%s'\n", (msg), (s));                         \
        CHECK(has_);                                                                          \
    } while (0)

static void leaf_text(const char *name, crypto_cert_text *t)
{
    crypto_chain ch = load(name);
    CHECK_OK(crypto_cert_describe(ch.der[0], ch.len[0], t));
    crypto_chain_free(&ch);
}

/* ---- tests ---- */

static void loading(void)
{
    crypto_chain ch = load("chain.pem");
    CHECK(ch.n == 2);
    crypto_chain_free(&ch);
    crypto_chain_free(&ch); /* idempotent */
    CHECK(ch.n == 0);
    CHECK_CODE(crypto_chain_load_pem_file(&ch, tmp_path("empty.pem")).code, WARD_ERR_CONFIG);
    CHECK_CODE(crypto_chain_load_pem_file(&ch, tmp_path("broken.pem")).code, WARD_ERR_CONFIG);
    CHECK_CODE(crypto_chain_load_pem_file(&ch, tmp_path("missing.pem")).code, WARD_ERR_CONFIG);
    CHECK(ch.n == 0);

    crypto_trust t = {0};
    CHECK_CODE(crypto_trust_load(&t, tmp_path("missing.pem")).code, WARD_ERR_CONFIG);
    CHECK_CODE(crypto_trust_load(&t, tmp_path("empty.pem")).code, WARD_ERR_CONFIG);
    CHECK(t.store == NULL);
    CHECK_OK(crypto_trust_load(&t, NULL)); /* the system store */
    crypto_trust_free(&t);
    crypto_trust_free(&t);
    CHECK(ERR_peek_error() == 0);

    uint8_t der[3] = {0x30, 0x01, 0x00};
    for (int i = 0; i < CRYPTO_MAX_CHAIN; i++)
        CHECK_OK(crypto_chain_add_der(&ch, der, sizeof der));
    CHECK_CODE(crypto_chain_add_der(&ch, der, sizeof der).code, WARD_ERR_BAD_CERTIFICATE);
    crypto_chain_free(&ch);
}

static void good_chains(void)
{
    char msg[512];
    CHECK_CODE(verify_file("chain.pem", "localhost", 0, msg, sizeof msg), WARD_OK);
    CHECK(msg[0] == '\0');
    CHECK_CODE(verify_file("chain.pem", "LocalHost", 0, msg, sizeof msg), WARD_OK);
    CHECK_CODE(verify_file("chain.pem", "127.0.0.1", 0, msg, sizeof msg), WARD_OK);
    CHECK_CODE(verify_file("chain.pem", "::1", 0, msg, sizeof msg), WARD_OK);
    CHECK_CODE(verify_file("chain.pem", NULL, 0, msg, sizeof msg), WARD_OK);
    CHECK_CODE(verify_file("wild.pem", "a.example.com", 0, msg, sizeof msg), WARD_OK);
    /* A certificate without SANs still matches its CN. */
    CHECK_CODE(verify_file("cnonly.pem", "cn-only.example", 0, msg, sizeof msg), WARD_OK);
}

static void time_failures(void)
{
    char msg[512];
    crypto_cert_text t;
    leaf_text("expired.pem", &t);
    CHECK_CODE(verify_file("expired.pem", "localhost", 0, msg, sizeof msg), WARD_ERR_CERT_EXPIRED);
    CHECK_HAS(msg, "certificate has expired (notAfter ");
    CHECK_HAS(msg, t.not_after);

    leaf_text("notyet.pem", &t);
    CHECK_CODE(verify_file("notyet.pem", "localhost", 0, msg, sizeof msg),
               WARD_ERR_CERT_NOT_YET_VALID);
    CHECK_HAS(msg, "certificate is not yet valid (notBefore ");
    CHECK_HAS(msg, t.not_before);

    /* An explicit verification time. */
    time_t now = time(NULL);
    CHECK_CODE(verify_file("chain.pem", "localhost", now + 400 * DAY, msg, sizeof msg),
               WARD_ERR_CERT_EXPIRED);
    CHECK_CODE(verify_file("chain.pem", "localhost", now - 2 * DAY, msg, sizeof msg),
               WARD_ERR_CERT_NOT_YET_VALID);
    CHECK_CODE(verify_file("expired.pem", "localhost", now - 45 * DAY, msg, sizeof msg), WARD_OK);

    /* The time check alone (pinning). */
    crypto_chain ch = load("expired.pem");
    CHECK_CODE(crypto_cert_check_time(ch.der[0], ch.len[0], 0, msg, sizeof msg).code,
               WARD_ERR_CERT_EXPIRED);
    CHECK_HAS(msg, "notAfter");
    CHECK_OK(crypto_cert_check_time(ch.der[0], ch.len[0], now - 45 * DAY, msg, sizeof msg));
    CHECK_CODE(crypto_cert_check_time(ch.der[0], ch.len[0], now - 90 * DAY, msg, sizeof msg).code,
               WARD_ERR_CERT_NOT_YET_VALID);
    CHECK_HAS(msg, "notBefore");
    CHECK_CODE(crypto_cert_check_time(ch.der[0], 10, 0, msg, sizeof msg).code,
               WARD_ERR_BAD_CERTIFICATE);
    crypto_chain_free(&ch);
}

static void issuer_failures(void)
{
    char msg[512];
    CHECK_CODE(verify_file("stranger.pem", "localhost", 0, msg, sizeof msg), WARD_ERR_UNKNOWN_CA);
    CHECK_HAS(msg, "certificate issuer is not trusted (issuer CN=Other CA");
    /* The intermediate left out. */
    CHECK_CODE(verify_file("leaf.pem", "localhost", 0, msg, sizeof msg), WARD_ERR_UNKNOWN_CA);
    CHECK_HAS(msg, "CN=Ward Test Intermediate");
    /* A chain that ends in an untrusted root. */
    CHECK_CODE(verify_file("stranger_root.pem", "localhost", 0, msg, sizeof msg),
               WARD_ERR_SELF_SIGNED);
    CHECK_HAS(msg, "CN=Other CA");
}

static void self_signed(void)
{
    char msg[512], hex[65];
    uint8_t pin[32];
    CHECK_CODE(verify_file("self.pem", "self.example", 0, msg, sizeof msg), WARD_ERR_SELF_SIGNED);
    CHECK_HAS(msg, "certificate is self-signed and not trusted (subject CN=self.example");
    CHECK_HAS(msg, "--cafile");
    crypto_chain ch = load("self.pem");
    CHECK_OK(crypto_cert_spki_sha256(ch.der[0], ch.len[0], pin));
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", pin[i]);
    CHECK_HAS(msg, "--pin sha256:");
    CHECK_HAS(msg, hex);
    crypto_chain_free(&ch);

    /* Trusted explicitly, it verifies. */
    crypto_trust t = {0};
    CHECK_OK(crypto_trust_load(&t, tmp_path("self.pem")));
    ch = load("self.pem");
    span s = span_of(ch.der[0], ch.len[0]);
    CHECK_OK(crypto_chain_verify(&t, &s, 1, "self.example", 0, msg, sizeof msg));
    crypto_chain_free(&ch);
    crypto_trust_free(&t);
}

static void host_failures(void)
{
    char msg[512];
    CHECK_CODE(verify_file("chain.pem", "example.com", 0, msg, sizeof msg),
               WARD_ERR_HOSTNAME_MISMATCH);
    CHECK_HAS(msg, "certificate for 'localhost, 127.0.0.1, ::1' does not match host "
                   "'example.com'");
    CHECK_CODE(verify_file("chain.pem", "10.0.0.1", 0, msg, sizeof msg),
               WARD_ERR_HOSTNAME_MISMATCH);
    CHECK_HAS(msg, "'10.0.0.1'");
    CHECK_HAS(msg, "127.0.0.1");
    /* An IP literal is never matched against DNS names (or the CN). */
    CHECK_CODE(verify_file("cnonly.pem", "127.0.0.1", 0, msg, sizeof msg),
               WARD_ERR_HOSTNAME_MISMATCH);
    CHECK_HAS(msg, "'cn-only.example'");
    CHECK_CODE(verify_file("wild.pem", "a.b.example.com", 0, msg, sizeof msg),
               WARD_ERR_HOSTNAME_MISMATCH);
    CHECK_HAS(msg, "*.example.com");
    CHECK_CODE(verify_file("wild.pem", "example.com", 0, msg, sizeof msg),
               WARD_ERR_HOSTNAME_MISMATCH);
    CHECK_CODE(verify_file("chain.pem", "", 0, msg, sizeof msg), WARD_ERR_HOSTNAME_MISMATCH);
}

static void other_failures(void)
{
    char msg[512];
    CHECK_CODE(verify_file("client.pem", "localhost", 0, msg, sizeof msg),
               WARD_ERR_BAD_CERTIFICATE);
    CHECK_HAS(msg, "purpose");

    const uint8_t junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
    span s = span_of(junk, sizeof junk);
    CHECK_CODE(crypto_chain_verify(&trust, &s, 1, "localhost", 0, msg, sizeof msg).code,
               WARD_ERR_BAD_CERTIFICATE);
    CHECK_HAS(msg, "could not be parsed");
    CHECK_CODE(crypto_chain_verify(&trust, &s, 0, "localhost", 0, msg, sizeof msg).code,
               WARD_ERR_BAD_CERTIFICATE);

    /* Messages are truncated safely, or not written at all. */
    char small[12];
    memset(small, 'x', sizeof small);
    CHECK_CODE(verify_file("expired.pem", "localhost", 0, small, sizeof small),
               WARD_ERR_CERT_EXPIRED);
    CHECK(strlen(small) == sizeof small - 1);
    CHECK_CODE(verify_file("expired.pem", "localhost", 0, NULL, 0), WARD_ERR_CERT_EXPIRED);
    CHECK(ERR_peek_error() == 0);
}

static void describe_and_keys(void)
{
    crypto_cert_text t;
    leaf_text("chain.pem", &t);
    CHECK(strcmp(t.subject, "CN=localhost,O=Ward Test") == 0); /* RFC 2253: last RDN first */
    CHECK_HAS(t.issuer, "CN=Ward Test Intermediate");
    CHECK(strlen(t.not_after) == 23 && strcmp(t.not_after + 19, " UTC") == 0 &&
          t.not_after[4] == '-' && t.not_after[13] == ':');

    crypto_chain ch = load("chain.pem");
    crypto_key k = {0}, pub = {0};
    CHECK_OK(crypto_key_load_pem_file(&k, tmp_path("leaf.key")));
    CHECK(crypto_key_matches_cert(&k, ch.der[0], ch.len[0]) == 1);
    CHECK(crypto_key_matches_cert(&k, ch.der[1], ch.len[1]) == 0);
    CHECK(crypto_key_matches_cert(&k, ch.der[0], ch.len[0] - 1) == 0);
    CHECK_OK(crypto_key_from_cert(&pub, ch.der[0], ch.len[0]));
    CHECK(crypto_key_bits(&pub) == 256 && crypto_key_can_sign_tls13(&pub, 0x0403));
    uint8_t msg[] = "to be signed", sig[CRYPTO_MAX_SIG];
    size_t siglen;
    CHECK_OK(crypto_sign(&k, 0x0403, msg, sizeof msg, sig, sizeof sig, &siglen));
    CHECK_OK(crypto_verify(&pub, 0x0403, msg, sizeof msg, sig, siglen));
    crypto_key_free(&pub);
    CHECK_CODE(crypto_key_from_cert(&pub, ch.der[0], 20).code, WARD_ERR_BAD_CERTIFICATE);
    CHECK_CODE(crypto_cert_describe(ch.der[0], 20, &t).code, WARD_ERR_BAD_CERTIFICATE);
    uint8_t pin[32];
    CHECK_CODE(crypto_cert_spki_sha256(ch.der[0], 20, pin).code, WARD_ERR_BAD_CERTIFICATE);
    crypto_key_free(&k);
    crypto_chain_free(&ch);
}

/* The SHA-256 of the key's SubjectPublicKeyInfo, computed independently. */
static void spki_of_key(const crypto_key *k, uint8_t out[32])
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY(k->pkey, &der);
    CHECK(n > 0);
    CHECK_OK(crypto_sha256(der, (size_t)n, out));
    OPENSSL_free(der);
}

static void check_ephemeral_cert(const char *name, int want_gen_type)
{
    crypto_key key = {0};
    crypto_chain chain = {0};
    CHECK_OK(crypto_make_self_signed(name, &key, &chain));
    CHECK(chain.n == 1 && key.pkey != NULL);
    CHECK(crypto_key_matches_cert(&key, chain.der[0], chain.len[0]) == 1);
    CHECK(crypto_key_can_sign_tls13(&key, 0x0403) && crypto_key_bits(&key) == 256);

    uint8_t pin[32], want[32];
    CHECK_OK(crypto_cert_spki_sha256(chain.der[0], chain.len[0], pin));
    spki_of_key(&key, want);
    CHECK_MEM(pin, want, 32);

    const unsigned char *p = chain.der[0];
    X509 *x = d2i_X509(NULL, &p, (long)chain.len[0]);
    CHECK(x != NULL);
    CHECK(X509_get_version(x) == X509_VERSION_3);
    const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
    CHECK(serial->length >= 15 && serial->length <= 16 && !(serial->type & V_ASN1_NEG));
    CHECK(X509_check_host(x, name, 0, 0, NULL) == 1 || X509_check_ip_asc(x, name, 0) == 1);
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    CHECK(gens && sk_GENERAL_NAME_num(gens) == 1 &&
          sk_GENERAL_NAME_value(gens, 0)->type == want_gen_type);
    GENERAL_NAMES_free(gens);
    CHECK(X509_check_ca(x) == 0);
    CHECK(X509_check_purpose(x, X509_PURPOSE_SSL_SERVER, 0) == 1);
    CHECK((X509_get_key_usage(x) & KU_DIGITAL_SIGNATURE) != 0);
    CHECK((X509_get_extended_key_usage(x) & XKU_SSL_SERVER) != 0);
    int days, secs;
    CHECK(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), NULL) == 1);
    CHECK(days == 0 && secs >= 3590 && secs <= 3700);
    CHECK(ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(x)) == 1);
    CHECK(days == 29 || days == 30);
    X509_free(x);

    crypto_cert_text t;
    CHECK_OK(crypto_cert_describe(chain.der[0], chain.len[0], &t));
    char cn[300];
    snprintf(cn, sizeof cn, "CN=%s", name);
    CHECK(strcmp(t.subject, cn) == 0 && strcmp(t.issuer, cn) == 0);

    char msg[512];
    span s = span_of(chain.der[0], chain.len[0]);
    CHECK_CODE(crypto_chain_verify(&trust, &s, 1, name, 0, msg, sizeof msg).code,
               WARD_ERR_SELF_SIGNED);
    CHECK_OK(crypto_cert_check_time(chain.der[0], chain.len[0], 0, msg, sizeof msg));
    crypto_key_free(&key);
    crypto_chain_free(&chain);
}

static void ephemeral(void)
{
    check_ephemeral_cert("localhost", GEN_DNS);
    check_ephemeral_cert("127.0.0.1", GEN_IPADD);
    check_ephemeral_cert("::1", GEN_IPADD);
    crypto_key key = {0};
    crypto_chain chain = {0};
    CHECK_CODE(crypto_make_self_signed("", &key, &chain).code, WARD_ERR_CONFIG);
    CHECK_CODE(crypto_make_self_signed("a b", &key, &chain).code, WARD_ERR_CONFIG);
    CHECK(chain.n == 0 && key.pkey == NULL);
}

/* Parsed certificates are kept per trust store (cert_cache.c): the same
 * DER gives the same object, another DER its own, the least recently
 * used goes first, and a chain parsed before is still fully verified. */
static void parsed_certificates_cached(void)
{
    cert_cache *c = cert_cache_new();
    CHECK(c != NULL);
    crypto_chain ch = load("chain.pem");
    X509 *a = cert_cache_parse(c, ch.der[0], ch.len[0]);
    X509 *b = cert_cache_parse(c, ch.der[0], ch.len[0]);
    X509 *other = cert_cache_parse(c, ch.der[1], ch.len[1]);
    CHECK(a && a == b && other && other != a);
    uint8_t bad[4096];
    CHECK(ch.len[0] <= sizeof bad);
    memcpy(bad, ch.der[0], ch.len[0]);
    bad[ch.len[0] - 1] ^= 1; /* in the signature: still parses, as its own */
    X509 *tampered = cert_cache_parse(c, bad, ch.len[0]);
    CHECK(tampered && tampered != a);
    CHECK(cert_cache_parse(c, bad, ch.len[0] - 1) == NULL); /* truncated */
    X509_free(tampered);

    /* 16 fresh certificates push the two of the chain out (least recently
     * used first); a parse then gives a new object. */
    X509 *fresh_last = NULL;
    for (int i = 0; i < 16; i++) {
        crypto_key k = {0};
        crypto_chain self = {0};
        CHECK_OK(crypto_make_self_signed("cache.test", &k, &self));
        X509 *x = cert_cache_parse(c, self.der[0], self.len[0]);
        CHECK(x != NULL);
        if (i == 15) {
            fresh_last = cert_cache_parse(c, self.der[0], self.len[0]);
            CHECK(fresh_last == x);
            X509_free(fresh_last);
        }
        X509_free(x);
        crypto_key_free(&k);
        crypto_chain_free(&self);
    }
    X509 *again = cert_cache_parse(c, ch.der[0], ch.len[0]);
    CHECK(again && again != a);
    X509_free(again);
    X509_free(a);
    X509_free(b);
    X509_free(other);
    cert_cache_free(c);
    crypto_chain_free(&ch);

    /* Through the trust store: verified, then refused for another host and
     * after expiry, with the chain's certificates now parsed already. */
    char msg[256];
    CHECK_CODE(verify_file("chain.pem", "localhost", 0, msg, sizeof msg), WARD_OK);
    CHECK_CODE(verify_file("chain.pem", "example.com", 0, msg, sizeof msg),
               WARD_ERR_HOSTNAME_MISMATCH);
    /* 2 years on: the leaf lives 1 year, the CAs 10 (and a 32-bit time_t ends in 2038) */
    CHECK_CODE(verify_file("chain.pem", "localhost", time(NULL) + 2 * 365 * 86400L, msg,
                           sizeof msg),
               WARD_ERR_CERT_EXPIRED);
    CHECK_CODE(verify_file("chain.pem", "localhost", 0, msg, sizeof msg), WARD_OK);
}

int main(void)
{
    build_pki();
    CHECK_OK(crypto_trust_load(&trust, tmp_path("root.pem")));
    loading();
    good_chains();
    time_failures();
    issuer_failures();
    self_signed();
    host_failures();
    other_failures();
    describe_and_keys();
    ephemeral();
    parsed_certificates_cached();
    crypto_trust_free(&trust);
    remove_pki();
    return test_report();
}
