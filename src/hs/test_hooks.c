/* The handshake's one reader of the test hooks (hs/test_hooks.h): each
 * hook a handshake consults is asked here, by name, so that no handler
 * reads cfg->hooks itself. Without hooks every function answers "no". */
#include <string.h>

#include "hs/hs.h"

int hooks_allow_weak_rsa(const ward_config *cfg)
{
    return cfg->hooks && cfg->hooks->allow_weak_rsa;
}

int hooks_no_ems(const ward_config *cfg) { return cfg->hooks && cfg->hooks->no_ems; }

uint16_t hooks_record_size_limit(const ward_config *cfg)
{
    return cfg->hooks ? cfg->hooks->record_size_limit : 0;
}

void hooks_client_hello(const ward_config *cfg, msg_client_hello_params *p)
{
    const ward_test_hooks *h = cfg->hooks;
    if (!h)
        return;
    if (h->n_advertise_groups) {
        p->groups = h->advertise_groups;
        p->n_groups = h->n_advertise_groups;
    }
    if (h->n_advertise_sigalgs) {
        p->sig_algs = h->advertise_sigalgs;
        p->n_sig_algs = h->n_advertise_sigalgs;
        p->n_sig_algs_cert = 0;
    }
    p->session_ticket = h->session_ticket_ext;
    p->record_size_limit = h->record_size_limit;
}

void hooks_encrypted_extensions(const ward_config *cfg, msg_encrypted_extensions_params *ee)
{
    const ward_test_hooks *h = cfg->hooks;
    if (h && h->ee_groups_raw) {
        ee->groups_raw = h->ee_groups_raw;
        ee->groups_raw_len = h->ee_groups_raw_len;
    }
}

int hooks_hrr_cookie(const ward_config *cfg, uint8_t *out, size_t cap, size_t *len)
{
    const ward_test_hooks *h = cfg->hooks;
    if (!h || !h->hrr_cookie || h->hrr_cookie_len > cap)
        return 0;
    memcpy(out, h->hrr_cookie, h->hrr_cookie_len);
    *len = h->hrr_cookie_len;
    return 1;
}

wres hooks_cv_signature(const ward_config *cfg, uint8_t *sig, size_t cap, size_t *len,
                        int *used)
{
    const ward_test_hooks *h = cfg->hooks;
    *used = h && h->cv_signature;
    if (!*used)
        return wres_ok();
    ENSURE(h->cv_signature_len <= cap, WARD_ERR_INTERNAL);
    memcpy(sig, h->cv_signature, h->cv_signature_len);
    *len = h->cv_signature_len;
    return wres_ok();
}

int hooks_ticket(const hs_ctx *c, span id, uint64_t now, resume_state *st)
{
    const ward_test_hooks *h = c->cfg->hooks;
    if (!h || !h->ticket || id.len != h->ticket_len || memcmp(id.p, h->ticket, id.len) != 0 ||
        h->ticket_psk_len > sizeof st->secret)
        return 0;
    memset(st, 0, sizeof *st);
    st->version = WARD_TLS13;
    st->suite = c->suite;
    st->created = now;
    st->lifetime = 30;
    st->age_add = h->ticket_age_add;
    st->max_early_data = h->ticket_max_early_data;
    memcpy(st->secret, h->ticket_psk, h->ticket_psk_len);
    st->secret_len = h->ticket_psk_len;
    memcpy(st->alpn, c->alpn, sizeof st->alpn);
    memcpy(st->server_name, c->server_name, sizeof c->server_name);
    return 1;
}
