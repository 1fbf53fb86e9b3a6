/* The TLS 1.2 client (RFC 5246 §7.3), reached when the server answers a
 * ClientHello with a TLS 1.2 ServerHello:
 *
 *   ServerHello, Certificate, [CertificateStatus,] [ServerKeyExchange (ECDHE),]
 *   [CertificateRequest,] ServerHelloDone → ClientKeyExchange, ChangeCipherSpec,
 *   Finished; [NewSessionTicket,] ChangeCipherSpec, Finished
 *
 * (the sequences, abbreviated ones too, are hs/table.c's).
 */
#include <string.h>

#include "base/mem.h"
#include "hs/identity.h"
#include "crypto/tls12.h"
#include "hs/flight.h"
#include "hs/hs.h"
#include "hs/resume12.h"
#include "hs/suites.h"
#include "msg/msg.h"

/* RFC 8446 §4.1.3: "DOWNGRD" followed by 01 (TLS 1.2) or 00 (older). */
static int has_downgrade_sentinel(const uint8_t random[32])
{
    static const uint8_t sentinel[7] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44};
    return memcmp(random + 24, sentinel, 7) == 0 && (random[31] == 0 || random[31] == 1);
}

wres hs_client12_on_server_hello(hs_ctx *c, const msg_server_hello *sh, span full)
{
    const ward_config *cfg = c->cfg;
    if (sh->legacy_version != WARD_TLS12)
        return hs_fail(c, WARD_ERR_PROTOCOL_VERSION,
                         "server chose version 0x%04x; ward refuses SSL 3.0, TLS 1.0 and 1.1 "
                         "(RFC 8996)",
                         sh->legacy_version);
    if (cfg->min_version > WARD_TLS12)
        return hs_fail(c, WARD_ERR_PROTOCOL_VERSION,
                         "server speaks TLS 1.2 only; ward is set to TLS 1.3 only");
    if (cfg->max_version >= WARD_TLS13 && has_downgrade_sentinel(sh->random))
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "TLS 1.2 ServerHello carries the TLS 1.3 downgrade sentinel: "
                         "a downgrade attack or a broken middlebox (RFC 8446 §4.1.3)");
    if (!hs_suite_enabled(cfg, sh->cipher_suite, WARD_TLS12))
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "server chose cipher suite 0x%04x, which ward did not offer",
                         sh->cipher_suite);
    if (!sh->has_renegotiation_info || sh->renegotiation_info.len != 0)
        return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE,
                         "server does not support secure renegotiation (RFC 5746)");
    if (!sh->has_extended_master_secret && !cfg->allow_no_ems)
        return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE,
                         "server does not support the Extended Master Secret (RFC 7627), "
                         "which ward requires (--allow-no-ems / ward_config_allow_no_ems "
                         "accepts it, without resumption)");
    if (sh->has_session_ticket && !c->ticket12_offered)
        return hs_fail(c, WARD_ERR_UNSUPPORTED_EXTENSION,
                         "server sent session_ticket, which ward did not offer");
    if (sh->has_alpn)
        GUARD(hs_client_check_alpn(c, sh->alpn));
    GUARD(hs_ocsp_client12_on_server_hello(c, sh)); /* RFC 6066 §8 */

    c->version = WARD_TLS12;
    c->hs_kind |= HK_TLS12;
    c->ems = sh->has_extended_master_secret;
    memcpy(c->peer_random, sh->random, 32);
    GUARD(hs_set_suite(c, sh->cipher_suite));
    if (suite_lookup(c->suite)->kx != KX_ECDHE)
        c->hs_kind |= HK_RSA_KX; /* no ServerKeyExchange */
    GUARD(hs_client_start_transcript(c));
    GUARD(transcript_add(c, full.p, full.len));
    hs_client_drop_key_shares(c); /* the TLS 1.3 shares are of no use now */
    int resumed;
    GUARD(hs_client12_on_resumed_hello(c, sh, &resumed));
    if (resumed) { /* abbreviated: the server's CCS and Finished come next */
        return hs12_derive_key_block(c);
    }
    /* The server's session ID, to resume by later. */
    memcpy(c->session_id, sh->session_id, sh->session_id_len);
    c->session_id_len = sh->session_id_len;
    return wres_ok();
}

static int key_fits_suite(const crypto_key *k, const suite_info *si)
{
    return si->auth == AUTH_ECDSA ? crypto_key_is_ec(k) : crypto_key_is_rsa(k);
}

wres hs_client12_on_certificate(hs_ctx *c, span body, span full)
{
    msg_certificate m;
    GUARD(msg_decode_certificate12(body, &m));
    if (m.n == 0)
        return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE, "server sent an empty certificate list");
    GUARD(hs_client_take_chain(c, &m, full));
    const suite_info *si = suite_lookup(c->suite);
    if (!key_fits_suite(&c->peer_key, si))
        return hs_fail(c, WARD_ERR_UNSUPPORTED_CERTIFICATE,
                         "server's certificate key does not fit the suite it chose (%s)",
                         ward_suite_name(c->suite));
    return hs_ocsp_client12_after_certificate(c); /* CertificateStatus may come first */
}

/* RFC 8422 §5.4: the signature covers both randoms and the ECDH params. */
wres hs_client12_on_server_key_exchange(hs_ctx *c, span body, span full)
{
    const ward_config *cfg = c->cfg;
    msg_server_key_exchange ske;
    GUARD(msg_decode_server_key_exchange(body, &ske));
    if (!hs_list_has(cfg->groups, cfg->n_groups, ske.group) || hs_group_is_pq(ske.group))
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "server chose group 0x%04x, which ward did not offer", ske.group);
    if (!hs_list_has(cfg->sigalgs, cfg->n_sigalgs, ske.scheme) && !hs_pkcs1_scheme(ske.scheme))
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "server signed with scheme 0x%04x, which ward did not offer", ske.scheme);
    if (ske.public_key.len > sizeof c->peer_kex_pub)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER, "server's ECDHE share is too long");
    uint8_t content[64 + 4 + CRYPTO_MAX_KEX_PUB];
    wr w = wr_of(content, sizeof content);
    wr_bytes(&w, c->random, 32);
    wr_bytes(&w, c->peer_random, 32);
    wr_bytes(&w, ske.params.p, ske.params.len);
    GUARD(wr_status(&w));
    wres r = crypto_verify_tls12(&c->peer_key, ske.scheme, content, w.len, ske.signature.p,
                                 ske.signature.len);
    if (r.code == WARD_ERR_ILLEGAL_PARAMETER)
        return hs_fail(c, r.code, "server signed with scheme 0x%04x, which does not fit its key",
                         ske.scheme);
    if (!wres_is_ok(r))
        return hs_fail(c, WARD_ERR_DECRYPT_ERROR,
                         "server's ServerKeyExchange signature does not verify");
    memcpy(c->peer_kex_pub, ske.public_key.p, ske.public_key.len);
    c->peer_kex_pub_len = ske.public_key.len;
    c->group = ske.group;
    c->sigscheme = ske.scheme;
    GUARD(transcript_add(c, full.p, full.len));
    return wres_ok();
}

/* ECDHE: our share and the shared secret; RSA: an encrypted random
 * pre-master secret that starts with the version we offered. */
static WARD_MUST_CHECK wres send_client_key_exchange(hs_ctx *c, hs_flight *f, uint8_t *pms,
                                                     size_t *pms_len)
{
    wr *w = hs_msg_begin(f);
    if (suite_lookup(c->suite)->kx == KX_ECDHE) {
        crypto_kex k = {0};
        uint8_t pub[CRYPTO_MAX_KEX_PUB];
        size_t publen;
        wres r = hs_keygen(c, &k, c->group, pub, sizeof pub, &publen);
        if (wres_is_ok(r))
            r = crypto_kex_derive(&k, c->peer_kex_pub, c->peer_kex_pub_len, pms,
                                  CRYPTO_MAX_KEX_SECRET, pms_len);
        crypto_kex_free(&k);
        if (!wres_is_ok(r))
            return hs_fail(c, r.code, "server's ECDHE share is not a valid %s public key",
                             ward_group_name(c->group));
        GUARD(hs_msg_end(f, msg_encode_client_key_exchange_ecdhe(w, pub, publen)));
    } else {
        uint8_t enc[CRYPTO_MAX_SIG];
        size_t enclen;
        pms[0] = 0x03; /* RFC 5246 §7.4.7.1: the latest version offered */
        pms[1] = 0x03;
        GUARD(hs_random(c, pms + 2, 46));
        *pms_len = 48;
        GUARD(crypto_rsa_kx_encrypt(&c->peer_key, pms, enc, sizeof enc, &enclen));
        GUARD(hs_msg_end(f, msg_encode_client_key_exchange_rsa(w, enc, enclen)));
    }
    return hs_flight_send(f);
}

/* [Certificate,] ClientKeyExchange, [CertificateVerify,] then
 * change_cipher_spec and Finished: each message in its own records. */
static WARD_MUST_CHECK wres send_client_flight12(hs_ctx *c, hs_flight *f)
{
    GUARD(hs_client_send_certificate12(c, f)); /* if requested (hs/client_auth.c) */
    uint8_t pms[CRYPTO_MAX_KEX_SECRET > 48 ? CRYPTO_MAX_KEX_SECRET : 48];
    size_t pms_len = 0;
    wres r = send_client_key_exchange(c, f, pms, &pms_len);
    if (wres_is_ok(r))
        r = hs12_derive_keys(c, pms, pms_len);
    ward_zeroize(pms, sizeof pms);
    GUARD(r);
    GUARD(hs_client_send_certificate_verify12(c, f)); /* after a client certificate */
    GUARD(hs12_send_ccs_and_keys(c));
    return hs12_send_finished(c);
}

wres hs_client12_on_server_hello_done(hs_ctx *c, span body, span full)
{
    GUARD(msg_decode_empty(body));
    GUARD(transcript_add(c, full.p, full.len));
    hs_flight f;
    hs_flight_init(&f, c);
    wres r = send_client_flight12(c, &f);
    hs_flight_free(&f);
    return r;
}

wres hs_client12_on_finished(hs_ctx *c, span body, span full)
{
    GUARD(hs12_check_finished(c, body));
    GUARD(transcript_add(c, full.p, full.len));
    if (c->resumed) { /* abbreviated: our CCS and Finished close it */
        GUARD(hs12_send_ccs_and_keys(c));
        GUARD(hs12_send_finished(c));
    }
    hs_event(c, HS_EV_APP_READ, NULL, 0);
    hs_client12_offer_session(c, c->session_id, c->session_id_len);
    return wres_ok();
}
