/* The configuration of server identities (SNI, RFC 6066 §3) and OCSP
 * stapling (RFC 6066 §8): extra certificate chains besides the default
 * one, and OCSP response files that a long-running server re-reads when
 * an external tool renews them. The choice per connection is hs/identity.c. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/mem.h"
#include "hs/identity.h"

struct ocsp_staple {
    pthread_mutex_t lock;
    char *path;
    uint8_t *der;
    size_t len;
    struct timespec mtime; /* of the file as last loaded */
    time_t checked;        /* the second of the last stat() */
};

static int file_mtime(const char *path, struct timespec *t)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    *t = st.st_mtim;
    return 1;
}

static WARD_MUST_CHECK wres staple_new(const char *path, ocsp_staple **out)
{
    ocsp_staple *s = calloc(1, sizeof *s);
    ENSURE(s, WARD_ERR_NOMEM);
    s->path = strdup(path);
    wres r = s->path ? wres_ok() : wres_err(WARD_ERR_NOMEM);
    if (wres_is_ok(r) && !file_mtime(path, &s->mtime))
        r = wres_err(WARD_ERR_CONFIG);
    if (wres_is_ok(r))
        r = crypto_ocsp_load_file(path, &s->der, &s->len);
    if (!wres_is_ok(r)) {
        free(s->path);
        free(s);
        return r;
    }
    s->checked = ward_time_s(NULL); /* a file poll: the system clock */
    pthread_mutex_init(&s->lock, NULL);
    *out = s;
    return wres_ok();
}

static void staple_free(ocsp_staple *s)
{
    if (!s)
        return;
    pthread_mutex_destroy(&s->lock);
    free(s->der);
    free(s->path);
    free(s);
}

/* Under the lock: at most one stat() a second; a changed file is loaded
 * whole before it replaces the response in use, so a file being written
 * (or a bad one) leaves the previous response and is tried again later. */
static void staple_refresh(const ward_config *cfg, ocsp_staple *s)
{
    time_t now = ward_time_s(NULL);
    if (now == s->checked)
        return;
    s->checked = now;
    struct timespec t;
    if (!file_mtime(s->path, &t) ||
        (t.tv_sec == s->mtime.tv_sec && t.tv_nsec == s->mtime.tv_nsec))
        return;
    uint8_t *der;
    size_t len;
    if (!wres_is_ok(crypto_ocsp_load_file(s->path, &der, &len))) {
        config_log(cfg, WARD_LOG_WARN,
                   "OCSP response file %s changed but cannot be read; the previous response "
                   "stays in use",
                   s->path);
        return;
    }
    free(s->der);
    s->der = der;
    s->len = len;
    s->mtime = t;
}

wres ocsp_staple_copy(const ward_config *cfg, ocsp_staple *s, uint8_t **der, size_t *len)
{
    *der = NULL;
    *len = 0;
    if (!s)
        return wres_ok();
    pthread_mutex_lock(&s->lock);
    staple_refresh(cfg, s);
    wres r = wres_ok();
    if (s->len) {
        *der = malloc(s->len);
        if (*der) {
            memcpy(*der, s->der, s->len);
            *len = s->len;
        } else {
            r = wres_err(WARD_ERR_NOMEM);
        }
    }
    pthread_mutex_unlock(&s->lock);
    return r;
}

static void staple_refresh_locked(const ward_config *cfg, ocsp_staple *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    staple_refresh(cfg, s);
    pthread_mutex_unlock(&s->lock);
}

void ward_config_refresh_ocsp(const ward_config *cfg)
{
    staple_refresh_locked(cfg, cfg->default_ocsp);
    for (size_t i = 0; i < cfg->n_extra_ids; i++)
        staple_refresh_locked(cfg, cfg->extra_ids[i].ocsp);
}

void identity_default_changed(ward_config *cfg)
{
    crypto_cert_free(&cfg->default_leaf);
    if (cfg->has_cert && cfg->chain.n) {
        /* Unparsable: it then matches no name, and the default still serves. */
        wres_ignore(crypto_cert_parse(&cfg->default_leaf, cfg->chain.der[0], cfg->chain.len[0]));
    }
}

void identity_config_free(ward_config *cfg)
{
    crypto_cert_free(&cfg->default_leaf);
    staple_free(cfg->default_ocsp);
    cfg->default_ocsp = NULL;
    for (size_t i = 0; i < cfg->n_extra_ids; i++) {
        ward_identity *id = &cfg->extra_ids[i];
        crypto_chain_free(&id->chain);
        crypto_key_free(&id->key);
        crypto_cert_free(&id->leaf);
        staple_free(id->ocsp);
        id->ocsp = NULL;
    }
    cfg->n_extra_ids = 0;
}

ward_err ward_config_add_cert_files(ward_config *cfg, const char *chain_pem, const char *key_pem)
{
    if (!cfg->is_server)
        return config_fail(cfg, WARD_ERR_CONFIG, "extra identities are for servers only");
    if (cfg->n_extra_ids >= WARD_MAX_EXTRA_IDENTITIES)
        return config_fail(cfg, WARD_ERR_CONFIG, "more than %d extra identities",
                           WARD_MAX_EXTRA_IDENTITIES);
    ward_identity id;
    memset(&id, 0, sizeof id);
    ward_err e = config_check_file(cfg, chain_pem, "certificate");
    if (e == WARD_OK && !wres_is_ok(crypto_chain_load_pem_file(&id.chain, chain_pem)))
        e = config_fail(cfg, WARD_ERR_CONFIG, "%s: PEM has no certificate (or a damaged one)",
                        chain_pem);
    if (e == WARD_OK)
        e = config_check_file(cfg, key_pem, "key");
    if (e == WARD_OK && !wres_is_ok(crypto_key_load_pem_file(&id.key, key_pem)))
        e = config_fail(cfg, WARD_ERR_CONFIG,
                        "%s: unreadable private key (not PEM, encrypted, or damaged)", key_pem);
    if (e == WARD_OK)
        e = config_check_own_key(cfg, &id.chain, &id.key);
    if (e == WARD_OK && !wres_is_ok(crypto_cert_parse(&id.leaf, id.chain.der[0], id.chain.len[0])))
        e = config_fail(cfg, WARD_ERR_CONFIG, "%s: the certificate could not be parsed", chain_pem);
    if (e != WARD_OK) {
        crypto_chain_free(&id.chain);
        crypto_key_free(&id.key);
        crypto_cert_free(&id.leaf);
        return e;
    }
    cfg->extra_ids[cfg->n_extra_ids++] = id;
    return WARD_OK;
}

void ward_config_set_sni_strict(ward_config *cfg, int on) { cfg->sni_strict = !!on; }

ward_err ward_config_set_ocsp_file_for(ward_config *cfg, size_t index, const char *der_path)
{
    if (!cfg->is_server || index > cfg->n_extra_ids)
        return config_fail(cfg, WARD_ERR_CONFIG, "OCSP staple for identity %zu: %s", index,
                           cfg->is_server ? "no such identity" : "for servers only");
    ward_err e = config_check_file(cfg, der_path, "OCSP response");
    if (e != WARD_OK)
        return e;
    ocsp_staple *s;
    wres r = staple_new(der_path, &s);
    if (!wres_is_ok(r))
        return config_fail(cfg, r.code, "%s: not a usable DER OCSP response", der_path);
    ocsp_staple **slot = index == 0 ? &cfg->default_ocsp : &cfg->extra_ids[index - 1].ocsp;
    staple_free(*slot);
    *slot = s;
    return WARD_OK;
}

ward_err ward_config_set_ocsp_file(ward_config *cfg, const char *der_path)
{
    return ward_config_set_ocsp_file_for(cfg, 0, der_path);
}

/* WARD_OCSP_REQUIRE with a pin or without verification is refused here
 * when they are already set, and in any case when a connection starts
 * (hs_ocsp_client_check_config). */
ward_err ward_config_set_ocsp(ward_config *cfg, int mode)
{
    if (mode != WARD_OCSP_OFF && mode != WARD_OCSP_REQUEST && mode != WARD_OCSP_REQUIRE)
        return WARD_ERR_CONFIG;
    if (mode == WARD_OCSP_REQUIRE && (cfg->has_pin || cfg->insecure_no_verify))
        return WARD_ERR_CONFIG;
    cfg->ocsp_mode = mode;
    return WARD_OK;
}

ward_err ward_config_set_ocsp_max_age(ward_config *cfg, uint32_t seconds)
{
    if (cfg->is_server || seconds == 0)
        return WARD_ERR_CONFIG;
    cfg->ocsp_max_age = seconds;
    return WARD_OK;
}
