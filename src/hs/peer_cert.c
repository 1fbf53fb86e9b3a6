/* The peer's leaf certificate held to ward's rules, both versions and
 * both roles, whether its chain was verified, pinned or not checked: the
 * size of its key (crypto_key_check_strength, the one rule) and its
 * keyUsage for the use the handshake makes of the key. */
#include "hs/hs.h"
#include "hs/suites.h"

wres hs_peer_key_strength(hs_ctx *c, const char *role)
{
    const ward_config *cfg = c->cfg;
    int weak_ok = hooks_allow_weak_rsa(cfg);
    char why[160];
    wres r = crypto_key_check_strength(&c->peer_key, weak_ok, why, sizeof why);
    if (wres_is_ok(r))
        return r;
    crypto_cert_text t;
    if (!wres_is_ok(crypto_cert_describe(c->peer_chain.der[0], c->peer_chain.len[0], &t)))
        t.subject[0] = '\0';
    return hs_fail(c, r.code, "%s certificate refused (subject %s): %s", role, t.subject, why);
}

/* The peer's leaf must allow the use this handshake makes of its key (RFC
 * 5280 §4.2.1.3: a key used otherwise than its keyUsage says is not the
 * key the CA certified for that). The alert is unsupported_certificate:
 * the certificate is well formed and verifies, but is of a kind this
 * handshake cannot use (RFC 5246 §7.4.2: the certificate MUST fit the
 * suite's key exchange; RFC 8446 §4.4.2.2 and §6.2); bad_certificate
 * would say it is corrupt or its signature bad, which it is not. */
static WARD_MUST_CHECK wres require_usage(hs_ctx *c, unsigned need, const char *role,
                                          const char *use)
{
    if (c->peer_key.usage & need)
        return wres_ok();
    crypto_cert_text t;
    if (!wres_is_ok(crypto_cert_describe(c->peer_chain.der[0], c->peer_chain.len[0], &t)))
        t.subject[0] = '\0';
    return hs_fail(c, WARD_ERR_UNSUPPORTED_CERTIFICATE,
                     "%s certificate refused (subject %s): its keyUsage does not allow %s, which "
                     "%s",
                     role, t.subject, crypto_usage_name(need), use);
}

/* Client: the server's key signs CertificateVerify (TLS 1.3), signs
 * ServerKeyExchange (TLS 1.2 ECDHE), or decrypts the premaster secret
 * (TLS 1.2 RSA key transport); the suite is known from the ServerHello. */
wres hs_client_check_server_usage(hs_ctx *c)
{
    if (c->version == WARD_TLS13)
        return require_usage(c, CRYPTO_USE_SIGN, "server",
                             "TLS 1.3 needs to sign CertificateVerify (RFC 8446 4.4.2.2)");
    const suite_info *si = suite_lookup(c->suite);
    if (si && si->kx == KX_RSA)
        return require_usage(c, CRYPTO_USE_ENCIPHER, "server",
                             "RSA key transport needs (RFC 5246 7.4.2)");
    return require_usage(c, CRYPTO_USE_SIGN, "server",
                         "ECDHE needs to sign ServerKeyExchange (RFC 5246 7.4.2)");
}

/* Server: a client certificate is always used to sign CertificateVerify
 * (RFC 8446 §4.4.3, RFC 5246 §7.4.8). */
wres hs_server_check_client_usage(hs_ctx *c)
{
    return require_usage(c, CRYPTO_USE_SIGN, "client",
                         "the client needs to sign CertificateVerify");
}
