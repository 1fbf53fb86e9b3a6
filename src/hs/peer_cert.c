/* The peer's leaf certificate held to ward's rules, both versions and
 * both roles, whether its chain was verified, pinned or not checked: the
 * size of its key (crypto_key_check_strength, the one rule). */
#include "hs/hs.h"

wres hs_peer_key_strength(ward_conn *c, const char *role)
{
    const ward_config *cfg = c->cfg;
    int weak_ok = cfg->hooks && cfg->hooks->allow_weak_rsa;
    char why[160];
    wres r = crypto_key_check_strength(&c->peer_key, weak_ok, why, sizeof why);
    if (wres_is_ok(r))
        return r;
    crypto_cert_text t;
    if (!wres_is_ok(crypto_cert_describe(c->peer_chain.der[0], c->peer_chain.len[0], &t)))
        t.subject[0] = '\0';
    return conn_fail(c, r.code, "%s certificate refused (subject %s): %s", role, t.subject, why);
}
