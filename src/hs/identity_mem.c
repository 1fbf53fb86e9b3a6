/* Server (or client) identities from memory or from the application's own
 * EVP_PKEY (issue #18): the same checks as the file setters
 * (config_check_own_key), then installed as the default identity or as an
 * extra one chosen by SNI (hs/identity_files.c for the files). */
#include <string.h>

#include "hs/identity.h"

static ward_err load_chain(ward_config *cfg, const uint8_t *p, size_t len, crypto_chain *ch)
{
    if (!p || len == 0)
        return config_fail(cfg, WARD_ERR_CONFIG, "no certificate chain given");
    wres r = crypto_chain_load_mem(ch, p, len);
    if (r.code == WARD_ERR_NOMEM)
        return config_fail(cfg, r.code, "out of memory");
    if (!wres_is_ok(r))
        return config_fail(cfg, r.code,
                           crypto_looks_pem(p, len)
                               ? "PEM has no certificate (or a damaged one, or more than %d)"
                               : "not a DER certificate, nor PEM (chain of at most %d)",
                           CRYPTO_MAX_CHAIN);
    return WARD_OK;
}

/* chain + (key bytes or pkey) into ch/key, checked; on failure both freed. */
static ward_err load_identity(ward_config *cfg, const uint8_t *chain, size_t chain_len,
                              const uint8_t *kp, size_t klen, void *pkey, crypto_chain *ch,
                              crypto_key *key)
{
    memset(ch, 0, sizeof *ch);
    memset(key, 0, sizeof *key);
    ward_err e = load_chain(cfg, chain, chain_len, ch);
    if (e == WARD_OK && pkey) {
        if (!wres_is_ok(crypto_key_from_pkey(key, pkey)))
            e = config_fail(cfg, WARD_ERR_CONFIG, "the EVP_PKEY holds no private key");
    } else if (e == WARD_OK && !pkey) {
        if (!kp || klen == 0)
            e = config_fail(cfg, WARD_ERR_CONFIG, "no private key given");
        else if (!wres_is_ok(crypto_key_load_mem(key, kp, klen)))
            e = config_fail(cfg, WARD_ERR_CONFIG,
                            "unreadable private key (not PEM or DER PKCS#8/traditional, "
                            "encrypted, or damaged)");
    }
    if (e == WARD_OK)
        e = config_check_own_key(cfg, ch, key);
    if (e != WARD_OK) {
        crypto_chain_free(ch);
        crypto_key_free(key);
    }
    return e;
}

static ward_err set_default(ward_config *cfg, const uint8_t *chain, size_t chain_len,
                            const uint8_t *kp, size_t klen, void *pkey)
{
    crypto_chain ch;
    crypto_key key;
    ward_err e = load_identity(cfg, chain, chain_len, kp, klen, pkey, &ch, &key);
    if (e != WARD_OK)
        return e; /* the previous identity stays */
    crypto_chain_free(&cfg->chain);
    crypto_key_free(&cfg->key);
    cfg->chain = ch;
    cfg->key = key;
    cfg->has_cert = 1;
    identity_default_changed(cfg); /* for SNI matching */
    return WARD_OK;
}

ward_err ward_config_set_cert_mem(ward_config *cfg, const uint8_t *chain, size_t chain_len,
                                  const uint8_t *key, size_t key_len)
{
    return set_default(cfg, chain, chain_len, key, key_len, NULL);
}

ward_err ward_config_set_cert_pkey(ward_config *cfg, const uint8_t *chain, size_t chain_len,
                                   struct evp_pkey_st *key)
{
    if (!key)
        return config_fail(cfg, WARD_ERR_CONFIG, "no private key given");
    return set_default(cfg, chain, chain_len, NULL, 0, key);
}

ward_err ward_config_add_cert_mem(ward_config *cfg, const uint8_t *chain, size_t chain_len,
                                  const uint8_t *key, size_t key_len)
{
    if (!cfg->is_server)
        return config_fail(cfg, WARD_ERR_CONFIG, "extra identities are for servers only");
    if (cfg->n_extra_ids >= WARD_MAX_EXTRA_IDENTITIES)
        return config_fail(cfg, WARD_ERR_CONFIG, "more than %d extra identities",
                           WARD_MAX_EXTRA_IDENTITIES);
    ward_identity id;
    memset(&id, 0, sizeof id);
    ward_err e = load_identity(cfg, chain, chain_len, key, key_len, NULL, &id.chain, &id.key);
    if (e != WARD_OK)
        return e;
    if (!wres_is_ok(crypto_cert_parse(&id.leaf, id.chain.der[0], id.chain.len[0]))) {
        crypto_chain_free(&id.chain);
        crypto_key_free(&id.key);
        return config_fail(cfg, WARD_ERR_CONFIG, "the certificate could not be parsed");
    }
    cfg->extra_ids[cfg->n_extra_ids++] = id;
    return WARD_OK;
}
