/* Which of its identities the server presents (RFC 6066 §3): the
 * certificate that matches the name the client asked for, and the OCSP
 * staple that goes with it (RFC 6066 §8). The configuration side, with
 * the staple files, is hs/identity_files.c. */
#include <stdlib.h>
#include <string.h>

#include "hs/identity.h"
#include "hs/hs.h"

const crypto_chain *hs_id_chain(const hs_ctx *c)
{
    return c->id ? &c->id->chain : &c->cfg->chain;
}

const crypto_key *hs_id_key(const hs_ctx *c)
{
    return c->id ? &c->id->key : &c->cfg->key;
}

/* hs_server_take_name then says what is wrong with a name refused here. */
int hs_sni_name(const msg_client_hello *ch, char *out)
{
    span n = ch->server_name;
    if (!ch->has_server_name || n.len == 0 || n.len > WARD_MAX_NAME)
        return 0;
    for (size_t i = 0; i < n.len; i++)
        if (n.p[i] <= 0x20 || n.p[i] >= 0x7f)
            return 0;
    memcpy(out, n.p, n.len);
    out[n.len] = '\0';
    return 1;
}

wres hs_identity_select(hs_ctx *c, const msg_client_hello *ch, hs_key_fits fits)
{
    const ward_config *cfg = c->cfg;
    char name[WARD_MAX_NAME + 1];
    int has_name = hs_sni_name(ch, name);
    c->id = NULL;
    if (c->cb_id) { /* the ClientHello callback chose (hs/hello_cb.c) */
        c->id = c->cb_id;
        return wres_ok();
    }
    /* Nothing to choose between: no name matching at all (the common
     * case costs nothing). */
    if (cfg->n_extra_ids == 0 && !cfg->sni_strict)
        return wres_ok();
    if (!has_name) {
        if (cfg->sni_strict)
            return hs_fail(c, WARD_ERR_UNRECOGNIZED_NAME,
                             "client sent no server_name, and this server presents a "
                             "certificate only for a name it knows (strict SNI)");
        return wres_ok();
    }
    /* Candidates in order: the default, then the added ones. */
    int matched = -1, chosen = -1;
    for (size_t i = 0; i <= cfg->n_extra_ids && chosen < 0; i++) {
        const crypto_cert *leaf = i == 0 ? &cfg->default_leaf : &cfg->extra_ids[i - 1].leaf;
        const crypto_key *key = i == 0 ? &cfg->key : &cfg->extra_ids[i - 1].key;
        if (i == 0 && !cfg->has_cert)
            continue;
        if (!crypto_cert_matches_name(leaf, name))
            continue;
        if (matched < 0)
            matched = (int)i;
        if (!fits || fits(c, key, ch))
            chosen = (int)i;
    }
    if (chosen < 0)
        chosen = matched;
    if (chosen < 0) {
        if (cfg->sni_strict)
            return hs_fail(c, WARD_ERR_UNRECOGNIZED_NAME,
                             "client asked for '%s', which no certificate of this server "
                             "matches (strict SNI)",
                             name);
        return wres_ok();
    }
    c->id = chosen == 0 ? NULL : &cfg->extra_ids[chosen - 1];
    return wres_ok();
}

wres hs_identity_staple(hs_ctx *c, const msg_client_hello *ch, uint8_t **der, size_t *len)
{
    *der = NULL;
    *len = 0;
    if (!ch->has_status_request)
        return wres_ok();
    return ocsp_staple_copy(c->cfg, c->id ? c->id->ocsp : c->cfg->default_ocsp, der, len);
}
