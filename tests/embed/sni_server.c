/* A TLS server on libward's public API whose ClientHello callback serves
 * any number of names, each loaded from disk on first use (issue #18, for
 * tests/interop/test_embed_hello.sh):
 *   sni_server gen DIR N   one CA (DIR/ca.pem) and N leaves DIR/nameK.test.pem
 *                          (K = 1..N, CN and DNS SAN nameK.test) sharing one
 *                          P-256 key DIR/shared.key, made with libcrypto;
 *   sni_server serve DIR   listen on 127.0.0.1 (port printed: "listening on
 *                          PORT"), one connection at a time; the callback
 *                          loads DIR/<name>.pem on first use and caches it,
 *                          refuses an unknown name with unrecognized_name;
 *                          after each connection: "loaded N" (identities
 *                          loaded so far) on stdout. Its ALPN callback picks
 *                          the client's last protocol, refuses "refuse-me"
 *                          and leaves ALPN out for "none-please".
 * A test helper, not installed. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ward/ward.h"

/* ---- gen ---- */

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = e && X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok;
}

static X509 *make_cert(const char *cn, long serial, EVP_PKEY *key, X509 *issuer,
                       EVP_PKEY *issuer_key, const char *san)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    int ok = x && n && X509_set_version(x, 2) &&
             ASN1_INTEGER_set(X509_get_serialNumber(x), serial) &&
             X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
                                        -1, 0) &&
             X509_set_subject_name(x, n) &&
             X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n) &&
             X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
             X509_gmtime_adj(X509_getm_notAfter(x), 2 * 86400) && X509_set_pubkey(x, key);
    X509 *iss = issuer ? issuer : x;
    if (ok && san)
        ok = add_ext(x, iss, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(x, iss, NID_subject_alt_name, san) &&
             add_ext(x, iss, NID_ext_key_usage, "serverAuth");
    else if (ok)
        ok = add_ext(x, iss, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(x, iss, NID_key_usage, "critical,keyCertSign") &&
             add_ext(x, iss, NID_subject_key_identifier, "hash");
    ok = ok && X509_sign(x, issuer_key, EVP_sha256()) > 0;
    X509_NAME_free(n);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int write_pem(const char *path, X509 *x, EVP_PKEY *k)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    int ok = x ? PEM_write_X509(f, x) : PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
    return fclose(f) == 0 && ok;
}

static int gen(const char *dir, int count)
{
    char path[4096], cn[64], san[80];
    EVP_PKEY *ca_key = EVP_EC_gen("P-256"), *key = EVP_EC_gen("P-256");
    X509 *ca = ca_key ? make_cert("SNI Test CA", 1, ca_key, NULL, ca_key, NULL) : NULL;
    int ok = ca && key;
    snprintf(path, sizeof path, "%s/ca.pem", dir);
    ok = ok && write_pem(path, ca, NULL);
    snprintf(path, sizeof path, "%s/shared.key", dir);
    ok = ok && write_pem(path, NULL, key);
    for (int i = 1; ok && i <= count; i++) {
        snprintf(cn, sizeof cn, "name%d.test", i);
        snprintf(san, sizeof san, "DNS:%s", cn);
        X509 *x = make_cert(cn, 1000 + i, key, ca, ca_key, san);
        snprintf(path, sizeof path, "%s/%s.pem", dir, cn);
        ok = x && write_pem(path, x, NULL);
        X509_free(x);
    }
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(key);
    if (!ok)
        fprintf(stderr, "sni_server: generating certificates in %s failed\n", dir);
    return ok ? 0 : 1;
}

/* ---- serve ---- */

/* The cache: names loaded so far (a list: the test asks for a few dozen). */
typedef struct entry {
    char name[256];
    ward_identity *id;
    struct entry *next;
} entry;
static struct {
    const char *dir;
    entry *head;
    size_t loaded;
} cache;

static ward_identity *lookup(const char *name)
{
    for (entry *e = cache.head; e; e = e->next)
        if (strcmp(e->name, name) == 0)
            return e->id;
    if (name[0] == '.' || strchr(name, '/') || strlen(name) >= sizeof cache.head->name)
        return NULL;
    char chain[4096], key[4096];
    snprintf(chain, sizeof chain, "%s/%s.pem", cache.dir, name);
    snprintf(key, sizeof key, "%s/shared.key", cache.dir);
    if (access(chain, R_OK) != 0)
        return NULL;
    ward_err err;
    ward_identity *id = ward_identity_new_files(chain, key, &err);
    entry *e = id ? calloc(1, sizeof *e) : NULL;
    if (!e) {
        fprintf(stderr, "sni_server: %s: %s\n", chain, ward_err_str(err));
        ward_identity_free(id);
        return NULL;
    }
    snprintf(e->name, sizeof e->name, "%s", name);
    e->id = id;
    e->next = cache.head;
    cache.head = e;
    cache.loaded++;
    return id;
}

static int on_hello(void *arg, ward_conn *c, const ward_client_hello *ch)
{
    (void)arg;
    const char *name = ward_client_hello_server_name(ch);
    ward_identity *id = name ? lookup(name) : NULL;
    if (!id)
        return WARD_ALERT_UNRECOGNIZED_NAME;
    return ward_conn_use_identity(c, id) == WARD_OK ? WARD_OK : WARD_ALERT_INTERNAL_ERROR;
}

/* ALPN: the client's last choice (so that it is not what a server going
 * by the client's order would take); "refuse-me" offered: refused;
 * "none-please": no ALPN. */
static int on_alpn(void *arg, ward_conn *c, const char *const *offered, size_t n)
{
    (void)arg;
    (void)c;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(offered[i], "refuse-me") == 0)
            return -1;
        if (strcmp(offered[i], "none-please") == 0)
            return -2;
    }
    return n ? (int)n - 1 : -2;
}

static int serve(const char *dir)
{
    cache.dir = dir;
    ward_config *cfg = ward_config_new_server();
    ward_config_set_client_hello_callback(cfg, on_hello, NULL);
    ward_config_set_alpn_select(cfg, on_alpn, NULL);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (!cfg || ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 16) != 0 ||
        getsockname(ls, (struct sockaddr *)&a, &alen) != 0) {
        perror("sni_server: listen");
        return 1;
    }
    printf("listening on %u\n", ntohs(a.sin_port));
    fflush(stdout);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0)
            continue;
        ward_conn *c = ward_conn_new(cfg, NULL);
        if (c && ward_fd_handshake(c, fd) == WARD_OK) {
            static const uint8_t hello[] = "hello\n";
            if (ward_fd_write(c, fd, hello, sizeof hello - 1) == WARD_OK)
                (void)ward_fd_close(c, fd);
        } else if (c) {
            printf("refused: %s\n", ward_conn_error_message(c));
            (void)ward_fd_flush(c, fd);
        }
        ward_conn_free(c);
        close(fd);
        printf("loaded %zu\n", cache.loaded);
        fflush(stdout);
    }
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2], atoi(argv[3]));
    if (argc == 3 && strcmp(argv[1], "serve") == 0)
        return serve(argv[2]);
    fprintf(stderr, "usage: sni_server gen DIR N | sni_server serve DIR\n");
    return 2;
}
