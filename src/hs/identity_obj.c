/* ward_identity objects for the ClientHello callback (issue #18): a chain
 * and key loaded once, shared by reference between the application's cache
 * and the connections presenting it (hs/hello_cb.c). */
#include <stdlib.h>
#include <string.h>

#include "hs/config.h"

/* config_check_own_key reads the test hooks (none here) and writes its
 * error text into the configuration: a blank one of our own. */
static ward_err check_own_key(ward_identity *id)
{
    ward_config *blank = calloc(1, sizeof *blank);
    if (!blank)
        return WARD_ERR_NOMEM;
    ward_err e = config_check_own_key(blank, &id->chain, &id->key);
    free(blank);
    return e;
}

ward_identity *ward_identity_new_files(const char *chain_pem, const char *key_pem, ward_err *err)
{
    ward_err e = WARD_ERR_NOMEM;
    ward_identity *id = calloc(1, sizeof *id);
    if (id && chain_pem && key_pem) {
        wres r = crypto_chain_load_pem_file(&id->chain, chain_pem);
        if (wres_is_ok(r))
            r = crypto_key_load_pem_file(&id->key, key_pem);
        e = r.code;
        if (e == WARD_OK)
            e = check_own_key(id);
        if (e == WARD_OK)
            e = crypto_cert_parse(&id->leaf, id->chain.der[0], id->chain.len[0]).code;
    } else if (id) {
        e = WARD_ERR_CONFIG;
    }
    if (err)
        *err = e;
    if (e == WARD_OK) {
        id->refs = 1;
        return id;
    }
    if (id) {
        crypto_chain_free(&id->chain);
        crypto_key_free(&id->key);
        crypto_cert_free(&id->leaf);
        free(id);
    }
    return NULL;
}

ward_identity *ward_identity_ref(ward_identity *id)
{
    if (id)
        __atomic_add_fetch(&id->refs, 1, __ATOMIC_RELAXED);
    return id;
}

void ward_identity_free(ward_identity *id)
{
    if (!id || __atomic_sub_fetch(&id->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    crypto_chain_free(&id->chain);
    crypto_key_free(&id->key);
    crypto_cert_free(&id->leaf);
    free(id);
}
