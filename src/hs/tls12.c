/* What the TLS 1.2 client and server share (RFC 5246 §6.3, §7.4.9, §8.1;
 * RFC 7627): master secret, key block, Finished, change_cipher_spec. */
#include <string.h>

#include "base/mem.h"
#include "crypto/tls12.h"
#include "hs/hs.h"
#include "hs/suites.h"
#include "msg/msg.h"

int hs_suite_enabled(const ward_config *cfg, uint16_t code, uint16_t version)
{
    const suite_info *si = suite_lookup(code);
    if (!si || si->version != version || !hs_list_has(cfg->suites, cfg->n_suites, code))
        return 0;
    return si->kx != KX_RSA || cfg->rsa_key_transport;
}

int hs_pkcs1_scheme(uint16_t scheme)
{
    return scheme == 0x0401 || scheme == 0x0501 || scheme == 0x0601;
}

static const uint8_t *client_random(const ward_conn *c)
{
    return c->is_server ? c->peer_random : c->random;
}

static const uint8_t *server_random(const ward_conn *c)
{
    return c->is_server ? c->random : c->peer_random;
}

static size_t iv_len(aead_alg a) { return a == AEAD_CHACHA20_POLY1305 ? 12 : 4; }

/* RFC 7627 §4: with EMS the master secret binds the transcript through
 * ClientKeyExchange; §6.3: the key block from both randoms. */
wres hs12_derive_keys(ward_conn *c, const uint8_t *pms, size_t pms_len)
{
    uint8_t session_hash[CRYPTO_MAX_HASH];
    if (c->ems) {
        GUARD(transcript_hash(c, session_hash));
        GUARD(crypto_tls12_prf(c->hash, pms, pms_len, "extended master secret", session_hash,
                               c->hlen, NULL, 0, c->master, sizeof c->master));
    } else {
        GUARD(crypto_tls12_prf(c->hash, pms, pms_len, "master secret", client_random(c), 32,
                               server_random(c), 32, c->master, sizeof c->master));
    }
    return hs12_derive_key_block(c);
}

/* §6.3: the key block from the master secret and both randoms (also what
 * an abbreviated handshake does with a resumed master secret). */
wres hs12_derive_key_block(ward_conn *c)
{
    /* NSS key log: TLS 1.2 has one secret per connection (resumed too). */
    conn_report_secret_len(c, "CLIENT_RANDOM", c->master, sizeof c->master);
    size_t klen = aead_key_len(c->aead), ilen = iv_len(c->aead);
    return crypto_tls12_prf(c->hash, c->master, sizeof c->master, "key expansion",
                            server_random(c), 32, client_random(c), 32, c->key_block,
                            2 * klen + 2 * ilen);
}

/* Install the pending keys for one direction (at change_cipher_spec). */
wres hs12_install(ward_conn *c, int write)
{
    size_t klen = aead_key_len(c->aead), ilen = iv_len(c->aead);
    int client_side = write ? !c->is_server : c->is_server;
    const uint8_t *key = c->key_block + (client_side ? 0 : klen);
    const uint8_t *iv = c->key_block + 2 * klen + (client_side ? 0 : ilen);
    if (write)
        return rec_dir_install12(&c->wdir, c->aead, key, iv, 1);
    c->keys_changed = 1;
    return rec_dir_install12(&c->rdir, c->aead, key, iv, 0);
}

static wres finished12(ward_conn *c, int server_side, uint8_t out[12])
{
    uint8_t h[CRYPTO_MAX_HASH];
    GUARD(transcript_hash(c, h));
    return crypto_tls12_prf(c->hash, c->master, sizeof c->master,
                            server_side ? "server finished" : "client finished", h, c->hlen,
                            NULL, 0, out, 12);
}

wres hs12_send_finished(ward_conn *c)
{
    uint8_t vd[12], msg[MSG_HEADER_LEN + 12];
    GUARD(finished12(c, c->is_server, vd));
    wr w = wr_of(msg, sizeof msg);
    GUARD(msg_encode_finished(&w, vd, sizeof vd));
    return conn_send_handshake(c, msg, w.len);
}

wres hs12_check_finished(ward_conn *c, span body)
{
    span got;
    uint8_t want[12];
    GUARD(msg_decode_finished(body, 12, &got));
    GUARD(finished12(c, !c->is_server, want));
    if (!ward_ct_equal(got.p, want, sizeof want))
        return conn_fail(c, WARD_ERR_DECRYPT_ERROR, "the peer's Finished does not verify");
    c->peer_finished = 1;
    return wres_ok();
}

/* A real change_cipher_spec in TLS 1.2: plaintext, then our keys change. */
wres hs12_send_ccs_and_keys(ward_conn *c)
{
    static const uint8_t ccs = 1;
    GUARD(conn_send_records(c, CT_CHANGE_CIPHER_SPEC, &ccs, 1));
    return hs12_install(c, 1);
}

/* The peer's change_cipher_spec: expected exactly once, before its Finished. */
wres hs12_on_ccs(ward_conn *c, span payload)
{
    if (payload.len != 1 || payload.p[0] != 1)
        return conn_fail(c, WARD_ERR_UNEXPECTED_MESSAGE, "malformed change_cipher_spec record");
    return hs_take_ccs(c); /* hs/table.c: then our read keys change */
}

/* RFC 5746 §4.2 / §4.4: renegotiation is refused with a warning, the
 * connection goes on. */
wres hs12_refuse_renegotiation(ward_conn *c)
{
    static const uint8_t alert[2] = {1, 100}; /* warning, no_renegotiation */
    return conn_send_records(c, CT_ALERT, alert, sizeof alert);
}
