/* Trust anchors: the X509_STORE a configuration verifies peers against,
 * and the cache of peer certificates parsed under it (cert_cache.c). Kept
 * apart from x509.c, which cert_cache.c itself uses to parse. */
#include "crypto/crypto_int.h"

wres crypto_trust_load(crypto_trust *t, const char *cafile)
{
    t->store = NULL;
    t->parsed = NULL;
    X509_STORE *st = X509_STORE_new();
    if (!st)
        return crypto_fail(WARD_ERR_NOMEM);
    int ok = cafile ? X509_STORE_load_file(st, cafile) == 1
                    : X509_STORE_set_default_paths(st) == 1;
    if (!ok) {
        X509_STORE_free(st);
        return crypto_fail(WARD_ERR_CONFIG);
    }
    ERR_clear_error();
    t->store = st;
    t->parsed = cert_cache_new(); /* none: every chain is parsed afresh */
    return wres_ok();
}

void crypto_trust_free(crypto_trust *t)
{
    if (!t)
        return;
    X509_STORE_free(t->store);
    cert_cache_free(t->parsed);
    t->store = NULL;
    t->parsed = NULL;
}
