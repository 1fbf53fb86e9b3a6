/* Trust anchors from memory and from a CA directory, and CRLs (issue #18).
 * They add up with ward_config_set_cafile into the configuration's one
 * store (conn/config.c); once any is set, the system store is not loaded
 * (hs/policy.c, config_trust). */
#include "hs/config.h"

/* The store to add to: the one in place, or a new empty one. */
static ward_err trust_to_add(ward_config *cfg)
{
    cfg->trust_tried = 1; /* a failure must not fall back to the system store */
    if (cfg->has_trust)
        return WARD_OK;
    if (!wres_is_ok(crypto_trust_new_empty(&cfg->trust)))
        return config_fail(cfg, WARD_ERR_NOMEM, "out of memory");
    cfg->has_trust = 1;
    return WARD_OK;
}

ward_err ward_config_add_ca_mem(ward_config *cfg, const uint8_t *ca, size_t len)
{
    if (!ca || len == 0)
        return config_fail(cfg, WARD_ERR_CONFIG, "no CA certificate given");
    ward_err e = trust_to_add(cfg);
    if (e != WARD_OK)
        return e;
    size_t added;
    if (!wres_is_ok(crypto_trust_add_mem(&cfg->trust, ca, len, &added)))
        return config_fail(cfg, WARD_ERR_CONFIG,
                           crypto_looks_pem(ca, len)
                               ? "CA PEM has no certificate, or a damaged one (%zu added)"
                               : "CA is not a DER certificate, nor PEM (%zu added)",
                           added);
    return WARD_OK;
}

ward_err ward_config_set_cadir(ward_config *cfg, const char *dir)
{
    ward_err e = config_check_file(cfg, dir, "CA directory");
    if (e != WARD_OK)
        return e;
    if ((e = trust_to_add(cfg)) != WARD_OK)
        return e;
    size_t added;
    if (!wres_is_ok(crypto_trust_add_dir(&cfg->trust, dir, &added)))
        return config_fail(cfg, WARD_ERR_CONFIG, "%s: not a directory with PEM certificates",
                           dir);
    return WARD_OK;
}

ward_err ward_config_add_crl_file(ward_config *cfg, const char *path)
{
    ward_err e = config_check_file(cfg, path, "CRL");
    if (e != WARD_OK)
        return e;
    size_t added;
    if (!wres_is_ok(crypto_crls_load_file(&cfg->crls, path, &added)))
        return config_fail(cfg, WARD_ERR_CONFIG, "%s: no CRL could be read (PEM or DER)", path);
    cfg->client_trust.crls = &cfg->crls; /* client certificates too */
    return WARD_OK;
}
