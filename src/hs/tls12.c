/* What the TLS 1.2 client and server share (RFC 5246 §6.3, §7.4.9, §8.1;
 * RFC 7627): master secret, key block, Finished, change_cipher_spec. */
#include <string.h>

#include "base/mem.h"
#include "crypto/tls12.h"
#include "hs/flight.h"
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
    return scheme == WARD_SIG_RSA_PKCS1_SHA256 || scheme == WARD_SIG_RSA_PKCS1_SHA384 ||
           scheme == WARD_SIG_RSA_PKCS1_SHA512;
}

static const uint8_t *client_random(const hs_ctx *c)
{
    return c->is_server ? c->peer_random : c->random;
}

static const uint8_t *server_random(const hs_ctx *c)
{
    return c->is_server ? c->random : c->peer_random;
}

static size_t iv_len(aead_alg a) { return a == AEAD_CHACHA20_POLY1305 ? 12 : 4; }

/* RFC 7627 §4: with EMS the master secret binds the transcript through
 * ClientKeyExchange; §6.3: the key block from both randoms. */
wres hs12_derive_keys(hs_ctx *c, const uint8_t *pms, size_t pms_len)
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
wres hs12_derive_key_block(hs_ctx *c)
{
    /* NSS key log: TLS 1.2 has one secret per connection (resumed too). */
    hs_report_secret_len(c, "CLIENT_RANDOM", c->master, sizeof c->master);
    size_t klen = aead_key_len(c->aead), ilen = iv_len(c->aead);
    return crypto_tls12_prf(c->hash, c->master, sizeof c->master, "key expansion",
                            server_random(c), 32, client_random(c), 32, c->key_block,
                            2 * klen + 2 * ilen);
}

/* Install the pending keys for one direction (at change_cipher_spec). */
wres hs12_install(hs_ctx *c, int write)
{
    size_t klen = aead_key_len(c->aead), ilen = iv_len(c->aead);
    int client_side = write ? !c->is_server : c->is_server;
    const uint8_t *key = c->key_block + (client_side ? 0 : klen);
    const uint8_t *iv = c->key_block + 2 * klen + (client_side ? 0 : ilen);
    hs_keys k = {.write = write, .aead = c->aead, .key = key, .iv = iv,
                 .protection = WARD_PROT_TLS12};
    return c->out.ops->set_keys(c->out.ctx, &k);
}

static WARD_MUST_CHECK wres finished12(hs_ctx *c, int server_side, uint8_t out[12])
{
    uint8_t h[CRYPTO_MAX_HASH];
    GUARD(transcript_hash(c, h));
    return crypto_tls12_prf(c->hash, c->master, sizeof c->master,
                            server_side ? "server finished" : "client finished", h, c->hlen,
                            NULL, 0, out, 12);
}

wres hs12_send_finished(hs_ctx *c)
{
    uint8_t vd[12];
    GUARD(finished12(c, c->is_server, vd));
    hs_flight f;
    hs_flight_init(&f, c);
    wres r = hs_msg_end(&f, msg_encode_finished(hs_msg_begin(&f), vd, sizeof vd));
    if (wres_is_ok(r))
        r = hs_flight_send(&f);
    hs_flight_free(&f);
    return r;
}

wres hs12_check_finished(hs_ctx *c, span body)
{
    span got;
    uint8_t want[12];
    GUARD(msg_decode_finished(body, 12, &got));
    GUARD(finished12(c, !c->is_server, want));
    if (!ward_ct_equal(got.p, want, sizeof want))
        return hs_fail(c, WARD_ERR_DECRYPT_ERROR, "the peer's Finished does not verify");
    c->peer_finished = 1;
    return wres_ok();
}

/* A real change_cipher_spec in TLS 1.2: plaintext, then our keys change. */
wres hs12_send_ccs_and_keys(hs_ctx *c)
{
    static const uint8_t ccs = 1;
    GUARD(hs_emit(c, CT_CHANGE_CIPHER_SPEC, &ccs, 1));
    return hs12_install(c, 1);
}

/* RFC 5746 §4.2 / §4.4: renegotiation is refused with a warning, the
 * connection goes on. */
wres hs12_refuse_renegotiation(hs_ctx *c)
{
    static const uint8_t alert[2] = {ALERT_WARNING, WARD_ALERT_NO_RENEGOTIATION};
    return hs_emit(c, CT_ALERT, alert, sizeof alert);
}
