/* ward_config: built once, then read-only and shareable across threads. */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "hs/identity.h"
#include "conn/internal.h"
#include "crypto/tls12.h"
#include "hs/suites.h"

/* Secure defaults: TLS 1.3 AEAD suites, forward-secret groups, and the
 * signature schemes TLS 1.3 allows in CertificateVerify (§4.2.3). */
static const uint16_t default_suites[] = {
    WARD_TLS_AES_128_GCM_SHA256,
    WARD_TLS_AES_256_GCM_SHA384,
    WARD_TLS_CHACHA20_POLY1305_SHA256,
    WARD_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    WARD_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    WARD_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    WARD_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    WARD_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    WARD_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
};
/* The post-quantum hybrid first (RFC 8446 §4.2.7 order is preference),
 * as browsers and current servers do; SecP256r1MLKEM768 on request. */
static const uint16_t default_groups[] = {WARD_GROUP_X25519MLKEM768, WARD_GROUP_X25519,
                                          WARD_GROUP_SECP256R1, WARD_GROUP_SECP384R1};
static const uint16_t default_key_shares[] = {WARD_GROUP_X25519MLKEM768, WARD_GROUP_X25519};
static const uint16_t default_sigalgs[] = {
    WARD_SIG_ECDSA_SECP256R1_SHA256, WARD_SIG_ECDSA_SECP384R1_SHA384, WARD_SIG_ED25519,
    WARD_SIG_RSA_PSS_RSAE_SHA256,    WARD_SIG_RSA_PSS_RSAE_SHA384,    WARD_SIG_RSA_PSS_RSAE_SHA512,
    WARD_SIG_RSA_PSS_PSS_SHA256,     WARD_SIG_RSA_PSS_PSS_SHA384,     WARD_SIG_RSA_PSS_PSS_SHA512};
/* Chains may still carry PKCS#1 v1.5 signatures (§4.2.3). */
static const uint16_t default_sigalgs_cert[] = {
    WARD_SIG_ECDSA_SECP256R1_SHA256, WARD_SIG_ECDSA_SECP384R1_SHA384, WARD_SIG_ED25519,
    WARD_SIG_RSA_PSS_RSAE_SHA256,    WARD_SIG_RSA_PSS_RSAE_SHA384,    WARD_SIG_RSA_PSS_RSAE_SHA512,
    WARD_SIG_RSA_PSS_PSS_SHA256,     WARD_SIG_RSA_PSS_PSS_SHA384,     WARD_SIG_RSA_PSS_PSS_SHA512,
    WARD_SIG_RSA_PKCS1_SHA256,       WARD_SIG_RSA_PKCS1_SHA384,       WARD_SIG_RSA_PKCS1_SHA512};

static ward_config *config_new(int is_server)
{
    crypto_prepare();
    ward_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg)
        return NULL;
    atomic_init(&cfg->refs, 1);
    cfg->is_server = is_server;
    memcpy(cfg->suites, default_suites, sizeof default_suites);
    cfg->n_suites = WARD_ARRAY_LEN(default_suites);
    memcpy(cfg->groups, default_groups, sizeof default_groups);
    cfg->n_groups = WARD_ARRAY_LEN(default_groups);
    memcpy(cfg->key_share_groups, default_key_shares, sizeof default_key_shares);
    cfg->n_key_share_groups = WARD_ARRAY_LEN(default_key_shares);
    memcpy(cfg->sigalgs, default_sigalgs, sizeof default_sigalgs);
    cfg->n_sigalgs = WARD_ARRAY_LEN(default_sigalgs);
    memcpy(cfg->sigalgs_cert, default_sigalgs_cert, sizeof default_sigalgs_cert);
    cfg->n_sigalgs_cert = WARD_ARRAY_LEN(default_sigalgs_cert);
    cfg->middlebox_compat = 1;
    pthread_mutex_init(&cfg->trust_lock, NULL);
    cfg->min_version = WARD_TLS12;
    cfg->max_version = WARD_TLS13;
    cfg->limits = (ward_limits){
        .max_handshake_message = 65536,
        .max_handshake_bytes = 262144,
        .max_empty_records = 32,
        .max_warning_alerts = 8,
        .handshake_timeout_ms = 30000,
    };
    cfg->ocsp_mode = is_server ? WARD_OCSP_OFF : WARD_OCSP_REQUEST; /* staples checked when sent */
    cfg->ocsp_max_age = WARD_OCSP_DEFAULT_MAX_AGE;
    cfg->tickets = 2;
    cfg->ticket_lifetime = 7200;
    if (is_server && !(cfg->resume = resume_store_new())) {
        ward_config_free(cfg);
        return NULL;
    }
    return cfg;
}

ward_config *ward_config_new_client(void) { return config_new(0); }

ward_config *ward_config_new_server(void) { return config_new(1); }

void ward_config_free(ward_config *cfg)
{
    if (!cfg || !config_drop_ref(cfg)) /* conn/config_ref.c */
        return;
    crypto_chain_free(&cfg->chain);
    crypto_key_free(&cfg->key);
    crypto_trust_free(&cfg->trust);
    crypto_trust_free(&cfg->client_trust);
    crypto_crls_free(&cfg->crls);
    free(cfg->client_ca_names);
    identity_config_free(cfg);
    resume_store_free(cfg->resume);
    pthread_mutex_destroy(&cfg->trust_lock);
    config_keylog_free(cfg);
    ward_zeroize(cfg, sizeof *cfg);
    free(cfg);
}

void ward_config_set_test_hooks(ward_config *cfg, const ward_test_hooks *hooks)
{
    cfg->hooks = hooks;
}

ward_err ward_config_set_cert_files(ward_config *cfg, const char *chain_pem,
                                    const char *key_pem)
{
    crypto_chain_free(&cfg->chain);
    crypto_key_free(&cfg->key);
    cfg->has_cert = 0;
    ward_err e = config_check_file(cfg, chain_pem, "certificate");
    if (e != WARD_OK)
        return e;
    wres r = crypto_chain_load_pem_file(&cfg->chain, chain_pem);
    if (!wres_is_ok(r))
        return config_fail(cfg, r.code, "%s: PEM has no certificate (or a damaged one)",
                           chain_pem);
    if ((e = config_check_file(cfg, key_pem, "key")) != WARD_OK)
        return e;
    r = crypto_key_load_pem_file(&cfg->key, key_pem);
    if (!wres_is_ok(r))
        return config_fail(cfg, r.code, "%s: unreadable private key (not PEM, encrypted, or "
                           "damaged)", key_pem);
    e = config_check_own_key(cfg, &cfg->chain, &cfg->key);
    if (e != WARD_OK)
        return e;
    cfg->has_cert = 1;
    identity_default_changed(cfg); /* for SNI matching */
    return WARD_OK;
}

ward_err ward_config_use_ephemeral_cert(ward_config *cfg, const char *name,
                                        uint8_t spki_sha256[32])
{
    crypto_chain_free(&cfg->chain);
    crypto_key_free(&cfg->key);
    cfg->has_cert = 0;
    wres r = crypto_make_self_signed(name, &cfg->key, &cfg->chain);
    if (wres_is_ok(r))
        r = crypto_key_set_usage(&cfg->key, cfg->chain.der[0], cfg->chain.len[0]);
    if (!wres_is_ok(r))
        return r.code;
    if (spki_sha256) {
        r = crypto_cert_spki_sha256(cfg->chain.der[0], cfg->chain.len[0], spki_sha256);
        if (!wres_is_ok(r))
            return r.code;
    }
    cfg->has_cert = 1;
    identity_default_changed(cfg); /* for SNI matching */
    return WARD_OK;
}

/* Adds to the anchors already set (ward_config_add_ca_mem,
 * ward_config_set_cadir): they all add up. A failure leaves those, and
 * never falls back to the system store. */
ward_err ward_config_set_cafile(ward_config *cfg, const char *cafile)
{
    cfg->trust_tried = 1;
    if (cafile) {
        ward_err e = config_check_file(cfg, cafile, "CA");
        if (e != WARD_OK)
            return e;
    }
    wres r = cfg->has_trust ? crypto_trust_add_file(&cfg->trust, cafile)
                            : crypto_trust_load(&cfg->trust, cafile);
    if (!wres_is_ok(r))
        return config_fail(cfg, r.code, cafile ? "%s: no certificate could be read (PEM expected)"
                                               : "%sthe system trust store could not be loaded",
                           cafile ? cafile : "");
    cfg->has_trust = 1;
    return WARD_OK;
}

ward_err ward_config_set_pin_sha256(ward_config *cfg, const uint8_t spki_sha256[32])
{
    memcpy(cfg->pin, spki_sha256, 32);
    cfg->has_pin = 1;
    return WARD_OK;
}

void ward_config_keep_peer_chain(ward_config *cfg, int on)
{
    cfg->keep_peer_chain = !!on;
}

void ward_config_set_insecure_no_verify(ward_config *cfg, int on)
{
    cfg->insecure_no_verify = !!on;
}

void ward_config_set_skip_hostname_check(ward_config *cfg, int on)
{
    cfg->skip_hostname_check = !!on;
}

ward_err ward_config_set_alpn(ward_config *cfg, const char *const *protos, size_t n)
{
    wr w = wr_of(cfg->alpn, sizeof cfg->alpn);
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(protos[i]);
        if (len == 0 || len > 255)
            return config_fail(cfg, WARD_ERR_CONFIG, "ALPN protocol %zu: %zu bytes (1 to 255)",
                               i + 1, len);
        wr_u8(&w, (uint8_t)len);
        wr_bytes(&w, protos[i], len);
    }
    if (w.overflow)
        return config_fail(cfg, WARD_ERR_CONFIG, "ALPN list over %d bytes", WARD_MAX_ALPN_WIRE);
    cfg->alpn_len = w.len;
    return WARD_OK;
}

/* Copy a preference list after checking every code against what is
 * implemented; an empty list or an unknown code is refused. */
static ward_err set_list(uint16_t *dst, size_t *dst_n, size_t cap, const uint16_t *src,
                         size_t n, int (*known)(uint16_t))
{
    if (n == 0 || n > cap)
        return WARD_ERR_CONFIG;
    for (size_t i = 0; i < n; i++)
        if (!known(src[i]))
            return WARD_ERR_CONFIG;
    memcpy(dst, src, n * sizeof *src);
    *dst_n = n;
    return WARD_OK;
}

static int suite_known(uint16_t s) { return suite_lookup(s) != NULL; }
static int group_known(uint16_t g) { return ward_group_name(g) != NULL; }

ward_err ward_config_set_suites(ward_config *cfg, const uint16_t *suites, size_t n)
{
    return set_list(cfg->suites, &cfg->n_suites, WARD_MAX_SUITES, suites, n, suite_known);
}

ward_err ward_config_set_groups(ward_config *cfg, const uint16_t *groups, size_t n)
{
    ward_err e = set_list(cfg->groups, &cfg->n_groups, WARD_MAX_GROUPS, groups, n, group_known);
    if (e != WARD_OK)
        return e;
    /* Keep the key shares that are still offered; if none is, share the
     * most preferred group. */
    size_t kept = 0;
    for (size_t i = 0; i < cfg->n_key_share_groups; i++)
        for (size_t j = 0; j < n; j++)
            if (cfg->key_share_groups[i] == groups[j])
                cfg->key_share_groups[kept++] = groups[j];
    if (kept == 0)
        cfg->key_share_groups[kept++] = groups[0];
    cfg->n_key_share_groups = kept;
    return WARD_OK;
}

ward_err ward_config_set_key_share_groups(ward_config *cfg, const uint16_t *groups, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        for (size_t j = 0; j < cfg->n_groups; j++)
            found |= groups[i] == cfg->groups[j];
        if (!found)
            return WARD_ERR_CONFIG; /* a share must be for an offered group */
    }
    return set_list(cfg->key_share_groups, &cfg->n_key_share_groups, WARD_MAX_KEY_SHARES, groups, n,
                    group_known);
}

ward_err ward_config_set_versions(ward_config *cfg, uint16_t min, uint16_t max)
{
    int ok_min = min == WARD_TLS12 || min == WARD_TLS13;
    int ok_max = max == WARD_TLS12 || max == WARD_TLS13;
    if (!ok_min || !ok_max || min > max)
        return config_fail(cfg, WARD_ERR_CONFIG,
                           "versions 0x%04x..0x%04x: TLS 1.2 or 1.3, min not above max", min, max);
    cfg->min_version = min;
    cfg->max_version = max;
    return WARD_OK;
}

/* RFC 7627: without EMS the master secret does not bind the handshake
 * (the triple handshake attack); such sessions are never resumed and
 * export nothing (hs/resume12.c, exporter.c). */
void ward_config_allow_no_ems(ward_config *cfg, int on)
{
    if (cfg)
        cfg->allow_no_ems = !!on;
}

void ward_config_set_rsa_key_transport(ward_config *cfg, int on)
{
    static const uint16_t rsa_suites[] = {WARD_TLS_RSA_WITH_AES_128_GCM_SHA256,
                                          WARD_TLS_RSA_WITH_AES_256_GCM_SHA384};
    cfg->rsa_key_transport = !!on;
    for (size_t i = 0; on && i < WARD_ARRAY_LEN(rsa_suites); i++) {
        int present = 0;
        for (size_t j = 0; j < cfg->n_suites; j++)
            present |= cfg->suites[j] == rsa_suites[i];
        if (!present && cfg->n_suites < WARD_MAX_SUITES)
            cfg->suites[cfg->n_suites++] = rsa_suites[i];
    }
}

void ward_config_set_middlebox_compat(ward_config *cfg, int on) { cfg->middlebox_compat = !!on; }
void ward_config_set_force_hrr(ward_config *cfg, int on) { cfg->force_hrr = !!on; }

void ward_config_get_limits(const ward_config *cfg, ward_limits *limits) { *limits = cfg->limits; }

ward_err ward_config_set_limits(ward_config *cfg, const ward_limits *l)
{
    if (!l->max_handshake_message || !l->max_handshake_bytes || !l->max_empty_records ||
        !l->max_warning_alerts ||
        l->max_handshake_message > l->max_handshake_bytes)
        return WARD_ERR_CONFIG;
    cfg->limits = *l;
    return WARD_OK;
}

/* The subjects of the CA file's certificates as a certificate_authorities
 * body (RFC 8446 §4.2.4, RFC 5246 §7.4.4): a hint for clients holding
 * several certificates. Best effort: a file of more than CRYPTO_MAX_CHAIN
 * certificates, or names over 8 KB, send no hint (clients then choose). */
static void load_client_ca_names(ward_config *cfg, const char *cafile)
{
    crypto_chain cas = {0};
    if (!wres_is_ok(crypto_chain_load_pem_file(&cas, cafile)))
        return;
    size_t cap = 8192;
    uint8_t *names = malloc(cap);
    wr w = wr_of(names ? names : (uint8_t *)"", names ? cap : 0);
    for (size_t i = 0; names && i < cas.n; i++) {
        uint8_t der[1024];
        size_t len;
        if (!wres_is_ok(crypto_cert_subject_der(cas.der[i], cas.len[i], der, sizeof der, &len)))
            continue;
        wr_u16(&w, (uint16_t)len);
        wr_bytes(&w, der, len);
    }
    crypto_chain_free(&cas);
    if (!names || w.overflow || w.len == 0) {
        free(names);
        return;
    }
    cfg->client_ca_names = names;
    cfg->client_ca_names_len = w.len;
}

ward_err ward_config_set_client_verify(ward_config *cfg, int mode, const char *cafile)
{
    if (!cfg->is_server)
        return config_fail(cfg, WARD_ERR_CONFIG, "client verification is for servers only");
    if (mode < WARD_CLIENT_CERT_NONE || mode > WARD_CLIENT_CERT_POST_HANDSHAKE)
        return config_fail(cfg, WARD_ERR_CONFIG, "unknown client verification mode %d", mode);
    crypto_trust_free(&cfg->client_trust);
    cfg->has_client_trust = 0;
    free(cfg->client_ca_names);
    cfg->client_ca_names = NULL;
    cfg->client_ca_names_len = 0;
    cfg->client_verify = WARD_CLIENT_CERT_NONE;
    if (mode == WARD_CLIENT_CERT_NONE)
        return WARD_OK;
    /* never the system store: any public CA's customer is no client of ours */
    ward_err e = config_check_file(cfg, cafile, "client CA");
    if (e != WARD_OK)
        return e;
    wres r = crypto_trust_load(&cfg->client_trust, cafile);
    if (!wres_is_ok(r))
        return config_fail(cfg, r.code, "%s: no certificate could be read (PEM expected)", cafile);
    cfg->has_client_trust = 1;
    load_client_ca_names(cfg, cafile);
    cfg->client_verify = mode;
    /* A resumed handshake has no CertificateRequest (RFC 8446 §4.3.2) and
     * tickets do not carry the client's identity yet: resuming would let
     * a client in without its certificate. Such a server does full
     * handshakes only. (Post-handshake authentication happens after any
     * handshake, resumed or not.) */
    if (mode != WARD_CLIENT_CERT_POST_HANDSHAKE) {
        resume_store_free(cfg->resume);
        cfg->resume = NULL;
    }
    return WARD_OK;
}

void ward_config_set_post_handshake_auth(ward_config *cfg, int on)
{
    cfg->post_handshake_auth = !!on;
}
