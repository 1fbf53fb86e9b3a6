/* The handshake's use of the configuration's policy: the trust anchors
 * (loaded on first use) and the checks on an identity of ours. The
 * public setters are conn/config.c. */
#include <pthread.h>

#include "crypto/tls12.h"
#include "hs/config.h"

/* The trust anchors in use: the configured file, or the system store,
 * loaded once per configuration on first use (thread-safe: a configuration
 * may be shared by connections on many threads). */
const crypto_trust *config_trust(ward_config *cfg)
{
    pthread_mutex_lock(&cfg->trust_lock);
    if (!cfg->has_trust && !cfg->trust_tried) {
        cfg->trust_tried = 1;
        cfg->has_trust = wres_is_ok(crypto_trust_load(&cfg->trust, NULL));
    }
    cfg->trust.crls = &cfg->crls; /* the store may have been replaced since */
    const crypto_trust *t = cfg->has_trust ? &cfg->trust : NULL;
    pthread_mutex_unlock(&cfg->trust_lock);
    return t;
}

/* The checks every identity of ours passes (ward_config_set_cert_files,
 * ward_config_add_cert_files): the key is the leaf's; it passes ward's
 * size rule (crypto_key_check_strength); and the leaf's keyUsage allows
 * something ward can do with it (RFC 5280 §4.2.1.3): digitalSignature,
 * or keyEncipherment for an RSA key (TLS 1.2 RSA key transport only).
 * The key takes the leaf's usage: a handshake uses it only as allowed. */
ward_err config_check_own_key(ward_config *cfg, const crypto_chain *chain, crypto_key *key)
{
    if (!crypto_key_matches_cert(key, chain->der[0], chain->len[0]))
        return config_fail(cfg, WARD_ERR_CONFIG, "the key does not match the certificate");
    char why[160];
    wres r = crypto_key_check_strength(key, cfg->hooks && cfg->hooks->allow_weak_rsa, why,
                                       sizeof why);
    if (!wres_is_ok(r))
        return config_fail(cfg, r.code, "the certificate is refused: %s", why);
    r = crypto_key_set_usage(key, chain->der[0], chain->len[0]);
    if (!wres_is_ok(r))
        return config_fail(cfg, r.code, "the certificate could not be parsed");
    int usable = (key->usage & CRYPTO_USE_SIGN) ||
                 ((key->usage & CRYPTO_USE_ENCIPHER) && crypto_key_is_rsa(key));
    if (!usable)
        return config_fail(cfg, WARD_ERR_UNSUPPORTED_CERTIFICATE,
                           "the certificate's keyUsage allows nothing ward can do with its key");
    return WARD_OK;
}
