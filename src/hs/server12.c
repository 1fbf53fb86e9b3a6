/* The TLS 1.2 server (RFC 5246 §7.3), reached when version negotiation
 * picks TLS 1.2:
 *
 *   ClientHello → ServerHello, Certificate, [ServerKeyExchange], ServerHelloDone
 *   WAIT_CKE --ClientKeyExchange--> WAIT_CCS --ChangeCipherSpec--> WAIT_FINISHED
 *   --Finished--> ChangeCipherSpec, Finished → CONNECTED
 */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "hs/identity.h"
#include "crypto/tls12.h"
#include "hs/flight.h"
#include "hs/hs.h"
#include "hs/resume12.h"
#include "hs/suites.h"
#include "msg/msg.h"

typedef struct {
    const suite_info *suite;
    uint16_t group;   /* ECDHE only */
    uint16_t scheme;  /* ECDHE only */
    span alpn;
} choice12;

/* The NamedGroup of an EC key's curve (0 if not a NIST curve we know). */
static uint16_t key_curve(const crypto_key *k)
{
    if (!crypto_key_is_ec(k))
        return 0;
    switch (crypto_key_bits(k)) {
    case 256: return WARD_GROUP_SECP256R1;
    case 384: return WARD_GROUP_SECP384R1;
    case 521: return WARD_GROUP_SECP521R1;
    default: return 0;
    }
}

/* RFC 8422 §4: in TLS 1.2 the client's supported_groups also constrains the
 * curve of an ECDSA certificate. The certificate's keyUsage must allow
 * what the suite does with the key (RFC 5246 §7.4.2, RFC 5280 §4.2.1.3):
 * keyEncipherment for RSA key transport, digitalSignature for ECDHE; a
 * suite it forbids is skipped. */
static int key_fits(const crypto_key *k, const suite_info *si, const msg_client_hello *ch)
{
    if (!(k->usage & (si->kx == KX_RSA ? CRYPTO_USE_ENCIPHER : CRYPTO_USE_SIGN)))
        return 0;
    if (si->auth == AUTH_RSA)
        return crypto_key_is_rsa(k);
    uint16_t curve = key_curve(k);
    return curve && (!ch->has_supported_groups || msg_u16_list_has(ch->supported_groups, curve));
}

static uint16_t pick_group(const ward_config *cfg, const msg_client_hello *ch)
{
    for (size_t i = 0; ch->has_supported_groups && i < cfg->n_groups; i++)
        if (!hs_group_is_pq(cfg->groups[i]) &&
            msg_u16_list_has(ch->supported_groups, cfg->groups[i]))
            return cfg->groups[i];
    return 0;
}

/* The client's preference among the schemes our key can make. */
static uint16_t pick_scheme(const ward_config *cfg, const crypto_key *key,
                            const msg_client_hello *ch)
{
    if (!ch->has_signature_algorithms)
        return 0; /* the RFC 5246 default is SHA-1, which ward refuses */
    rd r = rd_span(ch->signature_algorithms);
    uint16_t s;
    while (rd_left(&r) && wres_is_ok(rd_u16(&r, &s)))
        if ((hs_list_has(cfg->sigalgs, cfg->n_sigalgs, s) || hs_pkcs1_scheme(s)) &&
            crypto_key_can_sign_tls12(key, s))
            return s;
    return 0;
}

/* Server preference among the suites the client offers and the key fits;
 * 0 when there is none. */
static int choose_for_key(const ward_config *cfg, const crypto_key *key,
                          const msg_client_hello *ch, choice12 *ch12)
{
    uint16_t group = pick_group(cfg, ch), scheme = pick_scheme(cfg, key, ch);
    for (size_t i = 0; i < cfg->n_suites; i++) {
        uint16_t code = cfg->suites[i];
        const suite_info *si = suite_lookup(code);
        if (!hs_suite_enabled(cfg, code, WARD_TLS12) || !msg_u16_list_has(ch->cipher_suites, code) ||
            !key_fits(key, si, ch))
            continue;
        if (si->kx == KX_ECDHE && (!group || !scheme))
            continue;
        ch12->suite = si;
        ch12->group = group;
        ch12->scheme = scheme;
        return 1;
    }
    return 0;
}

/* SNI (hs/identity.c): an identity fits when a suite does (so an RSA and
 * an ECDSA certificate for one name serve ECDHE_RSA and ECDHE_ECDSA
 * clients each). */
static int key_fits12(const hs_ctx *c, const crypto_key *key, const msg_client_hello *ch)
{
    choice12 unused;
    return choose_for_key(c->cfg, key, ch, &unused);
}

static WARD_MUST_CHECK wres choose(hs_ctx *c, const msg_client_hello *ch, choice12 *ch12)
{
    const crypto_key *key = hs_id_key(c);
    if (choose_for_key(c->cfg, key, ch, ch12))
        return wres_ok();
    unsigned both = CRYPTO_USE_SIGN | CRYPTO_USE_ENCIPHER;
    if ((key->usage & both) != both)
        return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE,
                         "no TLS 1.2 cipher suite, group and signature scheme in common with the "
                         "client and the server's key, whose certificate's keyUsage allows only "
                         "%s",
                         key->usage ? crypto_usage_name(key->usage) : "neither signing nor "
                                                                      "key transport");
    return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE,
                     "no TLS 1.2 cipher suite, group and signature scheme in common with the "
                     "client and the server's key");
}

/* RFC 5746 §3.6 and RFC 7627 §5.3: both are required (EMS unless the
 * configuration allows a client without it). */
static WARD_MUST_CHECK wres check_extensions(hs_ctx *c, const msg_client_hello *ch)
{
    int secure_reneg = (ch->has_renegotiation_info && ch->renegotiation_info.len == 0) ||
                       msg_u16_list_has(ch->cipher_suites, TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
    if (ch->has_renegotiation_info && ch->renegotiation_info.len != 0)
        return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE,
                         "initial ClientHello has a non-empty renegotiation_info");
    if (!secure_reneg)
        return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE,
                         "client does not support secure renegotiation (RFC 5746)");
    if (!ch->has_extended_master_secret && !c->cfg->allow_no_ems)
        return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE,
                         "client does not support the Extended Master Secret (RFC 7627), "
                         "which ward requires (--allow-no-ems / ward_config_allow_no_ems "
                         "accepts it, without resumption)");
    return wres_ok();
}

/* RFC 8446 §4.1.3: a server able to do TLS 1.3 marks a TLS 1.2 answer. */
static WARD_MUST_CHECK wres make_server_random(hs_ctx *c)
{
    static const uint8_t downgrade12[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
    GUARD(hs_make_random(c));
    if (c->cfg->max_version >= WARD_TLS13)
        memcpy(c->random + 24, downgrade12, 8);
    return wres_ok();
}

static WARD_MUST_CHECK wres write_server_key_exchange(hs_ctx *c, wr *w, const choice12 *ch12)
{
    uint8_t pub[CRYPTO_MAX_KEX_PUB], params[4 + CRYPTO_MAX_KEX_PUB];
    uint8_t content[64 + sizeof params], sig[CRYPTO_MAX_SIG];
    size_t publen, siglen;
    GUARD(hs_keygen(c, &c->kex12, ch12->group, pub, sizeof pub, &publen));
    wr pw = wr_of(params, sizeof params);
    GUARD(msg_encode_ecdh_params(&pw, ch12->group, pub, publen));
    wr cw = wr_of(content, sizeof content);
    wr_bytes(&cw, c->peer_random, 32);
    wr_bytes(&cw, c->random, 32);
    wr_bytes(&cw, params, pw.len);
    GUARD(wr_status(&cw));
    GUARD(crypto_sign_tls12(hs_id_key(c), ch12->scheme, content, cw.len, sig, sizeof sig, &siglen));
    return msg_encode_server_key_exchange(w, params, pw.len, ch12->scheme, sig, siglen);
}

/* ServerHello, Certificate, [ServerKeyExchange], ServerHelloDone in one
 * flight, each added to the transcript. */
static WARD_MUST_CHECK wres send_flight(hs_ctx *c, const msg_client_hello *ch, const choice12 *ch12)
{
    const crypto_chain *chain = hs_id_chain(c);
    uint8_t *staple; /* RFC 6066 §8, when the client asked */
    size_t staple_len;
    GUARD(hs_identity_staple(c, ch, &staple, &staple_len));
    hs_flight f;
    hs_flight_init(&f, c);

    msg_server_hello12_params sp = {0};
    memcpy(sp.random, c->random, 32);
    sp.session_id = c->session_id;
    sp.session_id_len = c->session_id_len;
    sp.session_ticket = c->ticket12_expected;
    sp.cipher_suite = c->suite;
    sp.renegotiation_info = 1;
    sp.extended_master_secret = c->ems;
    sp.ec_point_formats = ch->has_ec_point_formats && ch12->suite->kx == KX_ECDHE;
    sp.alpn = ch12->alpn.p;
    sp.alpn_len = ch12->alpn.len;
    sp.server_name_ack = c->server_name[0] != '\0';
    sp.status_request = staple_len > 0;
    wres r = hs_msg_end(&f, msg_encode_server_hello12(hs_msg_begin(&f), &sp));
    if (wres_is_ok(r))
        r = hs_msg_end(&f, msg_encode_certificate12(hs_msg_begin(&f),
                                                    (const uint8_t *const *)chain->der,
                                                    chain->len, chain->n));
    if (wres_is_ok(r) && staple_len)
        r = hs_msg_end(&f, msg_encode_certificate_status(hs_msg_begin(&f), staple, staple_len));
    if (wres_is_ok(r) && ch12->suite->kx == KX_ECDHE)
        r = hs_msg_end(&f, write_server_key_exchange(c, hs_msg_begin(&f), ch12));
    if (wres_is_ok(r)) /* mutual TLS: §7.4.4 (nothing unless configured) */
        r = hs_msg_end(&f, hs_server_write_cert_request12(c, hs_msg_begin(&f)));
    if (wres_is_ok(r))
        r = hs_msg_end(&f, msg_encode_server_hello_done(hs_msg_begin(&f)));
    if (wres_is_ok(r))
        r = hs_flight_send(&f);
    hs_flight_free(&f);
    free(staple);
    return r;
}

/* The abbreviated handshake (RFC 5246 §7.3): ServerHello with the
 * client's session ID echoed, then our ChangeCipherSpec and Finished. */
static WARD_MUST_CHECK wres resume_session(hs_ctx *c, const msg_client_hello *ch, span full,
                                           resume_state *st, const choice12 *ch12)
{
    uint16_t suite = st->suite;
    memcpy(c->master, st->secret, 48);
    ward_zeroize(st, sizeof *st);
    c->resumed = 1;
    c->hs_kind |= HK_RESUMED;
    memcpy(c->peer_random, ch->random, 32);
    memcpy(c->session_id, ch->session_id, ch->session_id_len);
    c->session_id_len = ch->session_id_len;
    GUARD(hs_set_suite(c, suite));
    GUARD(transcript_start(c, c->hash));
    GUARD(transcript_add(c, full.p, full.len));
    GUARD(make_server_random(c));
    GUARD(hs12_derive_key_block(c));
    msg_server_hello12_params sp = {0};
    memcpy(sp.random, c->random, 32);
    sp.session_id = c->session_id;
    sp.session_id_len = c->session_id_len;
    sp.cipher_suite = c->suite;
    sp.renegotiation_info = 1;
    sp.extended_master_secret = 1;
    sp.alpn = ch12->alpn.p;
    sp.alpn_len = ch12->alpn.len;
    uint8_t msg[MSG_HEADER_LEN + 512];
    wr w = wr_of(msg, sizeof msg);
    GUARD(msg_encode_server_hello12(&w, &sp));
    GUARD(hs_send_msg(c, msg, w.len));
    GUARD(hs12_send_ccs_and_keys(c));
    return hs12_send_finished(c);
}

wres hs_server12_on_client_hello(hs_ctx *c, const msg_client_hello *ch, span full)
{
    choice12 ch12 = {0};
    if (!c->cfg->has_cert && !c->cb_id)
        return hs_fail(c, WARD_ERR_INTERNAL, "the server has no certificate configured");
    if (ch->compression_methods.len < 1 || !memchr(ch->compression_methods.p, 0, ch->compression_methods.len))
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER, "ClientHello lacks null compression");
    /* RFC 8422 §5.1.2: uncompressed points must be among the formats. */
    if (ch->has_ec_point_formats &&
        !memchr(ch->ec_point_formats.p, 0, ch->ec_point_formats.len))
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "ClientHello ec_point_formats lacks the uncompressed format "
                         "(RFC 8422 §5.1.2)");
    GUARD(check_extensions(c, ch));
    GUARD(hs_identity_select(c, ch, key_fits12)); /* SNI: before the key is used */
    GUARD(hs_server_take_name(c, ch));
    GUARD(hs_server_choose_alpn(c, ch, &ch12.alpn));

    c->version = WARD_TLS12;
    c->hs_kind |= HK_TLS12;
    /* RFC 7627 §5.2: we echo it (a test hook plays a server without it). */
    c->ems = ch->has_extended_master_secret && !hooks_no_ems(c->cfg);
    resume_state st;
    if (hs_server12_find_session(c, ch, &st)) /* the session fixes the suite */
        return resume_session(c, ch, full, &st, &ch12);
    GUARD(choose(c, ch, &ch12));
    GUARD(make_server_random(c)); /* the first draw, as in every role */
    if (ch12.suite->kx != KX_ECDHE)
        c->hs_kind |= HK_RSA_KX;
    c->client_version = ch->legacy_version;
    /* A new session: an ID for the cache, a ticket if the client asks;
     * neither without EMS (RFC 7627 §5.3: such a session is not resumed). */
    if (c->cfg->resume && c->ems) {
        if (resume_cache_enabled(c->cfg->resume) || c->cfg->has_store) {
            c->session_id_len = 32;
            GUARD(hs_random(c, c->session_id, 32));
        }
        c->ticket12_expected = ch->has_session_ticket && c->cfg->tickets;
    }
    c->group = ch12.suite->kx == KX_ECDHE ? ch12.group : 0;
    c->sigscheme = ch12.suite->kx == KX_ECDHE ? ch12.scheme : 0;
    memcpy(c->peer_random, ch->random, 32);
    GUARD(hs_set_suite(c, ch12.suite->code));
    GUARD(transcript_start(c, c->hash));
    GUARD(transcript_add(c, full.p, full.len));
    return send_flight(c, ch, &ch12);
}

/* RSA key transport with implicit rejection: a bad padding, a wrong length
 * or a wrong version all continue with a random pre-master secret and fail
 * only at the client's Finished, like any wrong key would. */
static WARD_MUST_CHECK wres rsa_pre_master(hs_ctx *c, span body, uint8_t pms[48])
{
    span enc;
    uint8_t fallback[48];
    GUARD(msg_decode_client_key_exchange_rsa(body, &enc));
    GUARD(hs_random(c, fallback, sizeof fallback));
    wres r = crypto_rsa_kx_decrypt(hs_id_key(c), enc.p, enc.len, c->client_version, fallback,
                                   pms);
    ward_zeroize(fallback, sizeof fallback);
    return r;
}

wres hs_server12_on_client_key_exchange(hs_ctx *c, span body, span full)
{
    uint8_t pms[CRYPTO_MAX_KEX_SECRET > 48 ? CRYPTO_MAX_KEX_SECRET : 48];
    size_t pms_len = 48;
    wres r;
    if (suite_lookup(c->suite)->kx == KX_ECDHE) {
        span point;
        GUARD(msg_decode_client_key_exchange_ecdhe(body, &point));
        r = crypto_kex_derive(&c->kex12, point.p, point.len, pms, sizeof pms, &pms_len);
        crypto_kex_free(&c->kex12);
        if (!wres_is_ok(r))
            return hs_fail(c, r.code, "client's ECDHE share is not a valid %s public key",
                             ward_group_name(c->group));
    } else {
        GUARD(rsa_pre_master(c, body, pms));
    }
    r = transcript_add(c, full.p, full.len);
    if (wres_is_ok(r))
        r = hs12_derive_keys(c, pms, pms_len);
    ward_zeroize(pms, sizeof pms);
    return r;
}

wres hs_server12_on_finished(hs_ctx *c, span body, span full)
{
    GUARD(hs12_check_finished(c, body));
    GUARD(transcript_add(c, full.p, full.len));
    if (c->resumed) { /* we spoke first in the abbreviated handshake */
        hs_event(c, HS_EV_APP_READ, NULL, 0);
        return wres_ok();
    }
    GUARD(hs_server12_save_session(c));
    GUARD(hs12_send_ccs_and_keys(c));
    GUARD(hs12_send_finished(c));
    hs_event(c, HS_EV_APP_READ, NULL, 0);
    return wres_ok();
}
