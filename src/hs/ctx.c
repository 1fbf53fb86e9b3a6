/* An hs_ctx's life: made with the connection, emptied of what only the
 * handshake needed once it is over, freed by role. */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "hs/hs.h"

void hs_init(hs_ctx *c, const ward_config *cfg, errbox *err, hs_out out)
{
    c->cfg = cfg;
    c->is_server = cfg->is_server;
    c->err = err;
    c->out = out;
    hs_table_init(c);
}

void hs_handshake_done(hs_ctx *c)
{
    hs_client_auth_handshake_done(c); /* keeps the transcript for post-handshake auth */
    if (c->transcript_on) {
        crypto_hash_free(&c->transcript);
        c->transcript_on = 0;
    }
    /* The peer's key verified its CertificateVerify or ServerKeyExchange;
     * nothing needs it after the handshake. */
    crypto_key_free(&c->peer_key);
    /* Only the leaf is reported (ward_conn_peer_cert_info), unless the
     * application asked for the chain (ward_config_keep_peer_chain). */
    for (size_t i = 1; i < c->peer_chain.n && !c->cfg->keep_peer_chain; i++) {
        ward_free_secret(c->peer_chain.der[i], c->peer_chain.len[i]);
        c->peer_chain.der[i] = NULL;
        c->peer_chain.len[i] = 0;
    }
    if (c->peer_chain.n > 1 && !c->cfg->keep_peer_chain)
        c->peer_chain.n = 1;
    hs_client_auth_done(c);
}

void hs_free(hs_ctx *c)
{
    crypto_hash_free(&c->transcript);
    ks_wipe(&c->ks);
    crypto_chain_free(&c->peer_chain);
    crypto_key_free(&c->peer_key);
    hs_client_auth_free(c);
    ward_zeroize(c->exp_master, sizeof c->exp_master);
    if (c->is_server) {
        ward_identity_free(c->cb_id);
        c->cb_id = NULL;
        crypto_kex_free(&c->kex12);
        byteq_free(&c->early);
        return;
    }
    hs_client_drop_key_shares(c);
    if (c->client_hello)
        ward_free_secret(c->client_hello, c->client_hello_len);
    ward_session_free(c->offer);
    ward_session_free(c->latest);
    if (c->early_out)
        ward_free_secret(c->early_out, c->early_out_len);
    free(c->ticket12);
}
