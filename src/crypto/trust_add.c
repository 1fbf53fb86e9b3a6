/* Trust anchors that add up (issue #18): a CA file, CAs from memory and a
 * CA directory all go into one X509_STORE; and CRLs, checked after a chain
 * verifies (crl.c). trust.c makes and frees the store. */
#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/pem.h>

#include "crypto/crypto_int.h"

wres crypto_trust_new_empty(crypto_trust *t)
{
    t->store = X509_STORE_new();
    t->parsed = NULL;
    if (!t->store)
        return crypto_fail(WARD_ERR_NOMEM);
    t->parsed = cert_cache_new();
    return wres_ok();
}

/* X509_STORE_add_cert succeeds for a certificate already there (OpenSSL
 * 1.1.1 and later): duplicates are ignored. */
static int store_add(crypto_trust *t, X509 *x, size_t *added)
{
    if (X509_STORE_add_cert(t->store, x) != 1)
        return 0;
    (*added)++;
    return 1;
}

wres crypto_trust_add_mem(crypto_trust *t, const uint8_t *p, size_t len, size_t *added)
{
    *added = 0;
    if (!p || len == 0 || len > INT32_MAX)
        return crypto_fail(WARD_ERR_CONFIG);
    if (!crypto_looks_pem(p, len)) {
        X509 *x = crypto_x509_parse(p, len);
        int ok = x && store_add(t, x, added);
        X509_free(x);
        return ok ? wres_ok() : crypto_fail(WARD_ERR_CONFIG);
    }
    wres r = wres_ok();
    BIO *bio = BIO_new_mem_buf(p, (int)len);
    if (!bio)
        return crypto_fail(WARD_ERR_NOMEM);
    X509 *x;
    int ok = 1;
    ERR_clear_error();
    while (ok && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        ok = store_add(t, x, added);
        X509_free(x);
    }
    BIO_free(bio);
    unsigned long e = ERR_peek_last_error();
    int clean = e == 0 || (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE);
    if (!ok || !clean || *added == 0)
        r = crypto_fail(WARD_ERR_CONFIG);
    ERR_clear_error();
    return r;
}

wres crypto_trust_add_file(crypto_trust *t, const char *path)
{
    int ok = path ? X509_STORE_load_file(t->store, path) == 1
                  : X509_STORE_set_default_paths(t->store) == 1;
    if (!ok)
        return crypto_fail(WARD_ERR_CONFIG);
    ERR_clear_error();
    return wres_ok();
}

/* Every regular file (or link to one) of dir whose PEM certificates all
 * load; other files (READMEs, CRLs, keys) are skipped. The hashed links
 * of a c_rehash'd directory point at files also listed: duplicates. */
wres crypto_trust_add_dir(crypto_trust *t, const char *dir, size_t *added)
{
    *added = 0;
    DIR *d = opendir(dir);
    if (!d)
        return crypto_fail(WARD_ERR_CONFIG);
    struct dirent *de;
    char path[4096];
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        int n = snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (n < 0 || (size_t)n >= sizeof path || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        BIO *bio = BIO_new_file(path, "r");
        X509 *x;
        while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
            store_add(t, x, added);
            X509_free(x);
        }
        BIO_free(bio);
        ERR_clear_error();
    }
    closedir(d);
    return *added ? wres_ok() : crypto_fail(WARD_ERR_CONFIG);
}
