/* The TLS 1.3 server (RFC 8446 §2, §4):
 *
 *   WAIT_CH --ClientHello--> [HelloRetryRequest → WAIT_CH2 --ClientHello-->]
 *   ServerHello, {EncryptedExtensions, Certificate, CertificateVerify,
 *   Finished} → WAIT_FINISHED --Finished--> CONNECTED
 */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "hs/identity.h"
#include "hs/flight.h"
#include "hs/hs.h"
#include "hs/psk.h"
#include "hs/suites.h"
#include "msg/msg.h"

/* What the server decided about one ClientHello. */
typedef struct {
    uint16_t suite;
    uint16_t scheme;
    uint16_t share_group;  /* group the client sent a usable share for (0: none) */
    uint16_t retry_group;  /* group to ask for in a HelloRetryRequest (0: none) */
    span client_share;
    span alpn;             /* selected protocol (len 0: none) */
} server_choice;

static uint16_t choose_suite(const ward_config *cfg, const msg_client_hello *ch)
{
    for (size_t i = 0; i < cfg->n_suites; i++) /* server preference */
        if (hs_suite_enabled(cfg, cfg->suites[i], WARD_TLS13) &&
            msg_u16_list_has(ch->cipher_suites, cfg->suites[i]))
            return cfg->suites[i];
    return 0;
}

/* A certificate whose keyUsage forbids digitalSignature signs nothing
 * (RFC 8446 §4.4.2.2, RFC 5280 §4.2.1.3). */
static uint16_t choose_scheme(const ward_config *cfg, const crypto_key *key,
                              const msg_client_hello *ch)
{
    if (!(key->usage & CRYPTO_USE_SIGN))
        return 0;
    rd r = rd_span(ch->signature_algorithms);
    uint16_t s;
    while (rd_left(&r) && wres_is_ok(rd_u16(&r, &s))) /* client preference */
        if (hs_list_has(cfg->sigalgs, cfg->n_sigalgs, s) && crypto_key_can_sign_tls13(key, s))
            return s;
    return 0;
}

/* SNI (hs/identity.c): an identity fits when its key can sign a scheme
 * the client accepts. */
static int key_fits13(const hs_ctx *c, const crypto_key *key, const msg_client_hello *ch)
{
    return choose_scheme(c->cfg, key, ch) != 0;
}

/* §4.2.8: each share must be for a group in supported_groups, each group
 * at most once. */
static WARD_MUST_CHECK wres check_key_shares(hs_ctx *c, const msg_client_hello *ch)
{
    uint16_t seen[32];
    size_t n = 0;
    rd r = rd_span(ch->key_shares), key;
    while (rd_left(&r)) {
        uint16_t g;
        GUARD(rd_u16(&r, &g));
        GUARD(rd_block16(&r, &key));
        if (!msg_u16_list_has(ch->supported_groups, g) || hs_list_has(seen, n, g))
            return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                             "client key share for group 0x%04x is duplicated or not in its "
                             "supported_groups",
                             g);
        if (n < WARD_ARRAY_LEN(seen))
            seen[n++] = g;
    }
    return wres_ok();
}

static void choose_groups(const ward_config *cfg, const msg_client_hello *ch,
                          server_choice *sc)
{
    for (size_t i = 0; i < cfg->n_groups && !sc->share_group; i++)
        if (msg_key_share_find(ch->key_shares, cfg->groups[i], &sc->client_share))
            sc->share_group = cfg->groups[i];
    /* Retry with the most preferred group the client supports but sent no
     * share for (so the retry changes the ClientHello, §4.1.4). */
    for (size_t i = 0; i < cfg->n_groups && !sc->retry_group; i++) {
        span unused;
        if (msg_u16_list_has(ch->supported_groups, cfg->groups[i]) &&
            !msg_key_share_find(ch->key_shares, cfg->groups[i], &unused))
            sc->retry_group = cfg->groups[i];
    }
}

static WARD_MUST_CHECK wres send_hello_retry_request(hs_ctx *c, const msg_client_hello *ch,
                                                     span full, const server_choice *sc)
{
    c->did_hrr = 1;
    c->hs_kind |= HK_HRR;
    GUARD(hs_set_suite(c, sc->suite));
    GUARD(transcript_start(c, c->hash));
    GUARD(transcript_add(c, full.p, full.len));
    GUARD(transcript_collapse_for_hrr(c));
    /* Ask for a new share only when one would help; otherwise the retry
     * is for the cookie alone (a forced retry). */
    c->hrr_group = sc->share_group ? 0 : sc->retry_group;
    if (c->cfg->force_hrr && sc->share_group)
        c->hrr_group = sc->retry_group;
    if (!hooks_hrr_cookie(c->cfg, c->cookie, sizeof c->cookie, &c->cookie_len)) {
        c->cookie_len = 32;
        GUARD(hs_random(c, c->cookie, c->cookie_len));
    }
    msg_server_hello_params p = {0};
    p.is_hrr = 1;
    p.session_id = ch->session_id;
    p.session_id_len = ch->session_id_len;
    p.cipher_suite = sc->suite;
    p.key_share_group = c->hrr_group;
    p.cookie = c->cookie;
    p.cookie_len = c->cookie_len;
    uint8_t msg[MSG_HEADER_LEN + 128 + sizeof c->cookie];
    wr w = wr_of(msg, sizeof msg);
    GUARD(msg_encode_server_hello(&w, &p));
    GUARD(hs_send_msg(c, msg, w.len));
    if (ch->session_id_len) /* D.4: CCS right after the first server message */
        GUARD(hs_send_ccs(c));
    return wres_ok();
}

/* §4.1.2: the second ClientHello must answer the retry exactly. */
static WARD_MUST_CHECK wres check_second_hello(hs_ctx *c, const msg_client_hello *ch,
                                               server_choice *sc)
{
    if (sc->suite != c->suite)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "second ClientHello no longer offers the chosen cipher suite");
    if (c->cookie_len && !(ch->has_cookie && ch->cookie.len == c->cookie_len &&
                           ward_ct_equal(ch->cookie.p, c->cookie, c->cookie_len)))
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "second ClientHello does not echo the HelloRetryRequest cookie");
    if (c->hrr_group) {
        if (!msg_key_share_find(ch->key_shares, c->hrr_group, &sc->client_share))
            return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                             "second ClientHello has no key share for the requested group");
        sc->share_group = c->hrr_group;
    }
    if (!sc->share_group)
        return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE, "no usable key share after a retry");
    return wres_ok();
}

static WARD_MUST_CHECK wres sign_certificate_verify(hs_ctx *c, uint16_t scheme, uint8_t *sig,
                                                    size_t cap, size_t *siglen)
{
    int replayed; /* a recorded signature (tests) */
    GUARD(hooks_cv_signature(c->cfg, sig, cap, siglen, &replayed));
    if (replayed)
        return wres_ok();
    uint8_t content[64 + 34 + CRYPTO_MAX_HASH];
    size_t len;
    GUARD(hs_cv_content(c, 1, content, sizeof content, &len));
    return crypto_sign(hs_id_key(c), scheme, content, len, sig, cap, siglen);
}

/* EncryptedExtensions, Certificate, CertificateVerify and Finished, in one
 * flight (one record when it fits), each added to the transcript in turn. */
/* [CertificateRequest,] Certificate, CertificateVerify (§4.4.2, §4.4.3). */
static WARD_MUST_CHECK wres send_server_auth(hs_ctx *c, hs_flight *f, const crypto_chain *chain,
                                             const uint8_t *staple, size_t staple_len,
                                             uint16_t scheme)
{
    /* mutual TLS: §4.3.2 (hs/client_auth.c; nothing unless configured) */
    GUARD(hs_msg_end(f, hs_server_write_cert_request13(c, hs_msg_begin(f))));
    GUARD(hs_msg_end(f, msg_encode_certificate_ocsp(hs_msg_begin(f),
                                                    (const uint8_t *const *)chain->der,
                                                    chain->len, chain->n, staple, staple_len)));
    uint8_t sig[CRYPTO_MAX_SIG];
    size_t siglen;
    GUARD(sign_certificate_verify(c, scheme, sig, sizeof sig, &siglen));
    return hs_msg_end(f, msg_encode_certificate_verify(hs_msg_begin(f), scheme, sig, siglen));
}

static WARD_MUST_CHECK wres send_server_flight(hs_ctx *c, const msg_client_hello *ch,
                                               const server_choice *sc)
{
    const ward_config *cfg = c->cfg;
    const crypto_chain *chain = hs_id_chain(c);
    uint8_t *staple; /* RFC 8446 §4.4.2.1, when the client asked */
    size_t staple_len;
    GUARD(hs_identity_staple(c, ch, &staple, &staple_len));
    hs_flight f;
    hs_flight_init(&f, c);

    msg_encrypted_extensions_params ee = {0};
    hooks_encrypted_extensions(cfg, &ee);
    if (ch->has_record_size_limit)
        ee.record_size_limit = REC_MAX_PLAINTEXT + 1; /* RFC 8449 §4: 2^14 + 1 in TLS 1.3 */
    ee.server_name_ack = c->server_name[0] != '\0';
    ee.alpn = sc->alpn.p;
    ee.alpn_len = sc->alpn.len;
    ee.early_data = c->early_status == WARD_EARLY_ACCEPTED;
    wres r = hs_msg_end(&f, msg_encode_encrypted_extensions(hs_msg_begin(&f), &ee));
    if (wres_is_ok(r) && !c->resumed) /* §2.2: with a PSK, no Certificate */
        r = send_server_auth(c, &f, chain, staple, staple_len, sc->scheme);
    free(staple);
    uint8_t vd[CRYPTO_MAX_HASH];
    if (wres_is_ok(r))
        r = hs_finished_for(c, 1, vd);
    if (wres_is_ok(r))
        r = hs_msg_end(&f, msg_encode_finished(hs_msg_begin(&f), vd, c->hlen));
    if (wres_is_ok(r))
        r = hs_flight_send(&f);
    hs_flight_free(&f);
    return r;
}

static WARD_MUST_CHECK wres send_server_hello(hs_ctx *c, const msg_client_hello *ch,
                                              const uint8_t *pub, size_t publen)
{
    msg_server_hello_params p = {0};
    memcpy(p.random, c->random, 32);
    p.session_id = ch->session_id;
    p.session_id_len = ch->session_id_len;
    p.cipher_suite = c->suite;
    p.key_share_group = publen ? c->group : 0;
    p.key_share = pub;
    p.key_share_len = publen;
    p.has_psk = c->resumed;
    p.psk_identity = c->psk_identity;
    uint8_t msg[MSG_HEADER_LEN + 128 + CRYPTO_MAX_KEX_PUB];
    wr w = wr_of(msg, sizeof msg);
    GUARD(msg_encode_server_hello(&w, &p));
    return hs_send_msg(c, msg, w.len);
}

/* Answer the client's share (an ECDH key pair, or an ML-KEM encapsulation
 * for the hybrids), then ServerHello and the handshake secrets. */
static WARD_MUST_CHECK wres key_exchange(hs_ctx *c, const msg_client_hello *ch,
                                         const server_choice *sc, int psk_ke)
{
    GUARD(hs_make_random(c)); /* first, as a client and a TLS 1.2 server draw it */
    if (psk_ke) { /* §4.2.9 psk_ke: no (EC)DHE, no key_share */
        GUARD(send_server_hello(c, ch, NULL, 0));
        return hs_derive_hs_secrets(c, NULL, 0);
    }
    uint8_t pub[CRYPTO_MAX_KEX_PUB], shared[CRYPTO_MAX_KEX_SECRET];
    size_t publen, shared_len;
    wres r = crypto_kex_respond_from(sc->share_group, sc->client_share.p, sc->client_share.len,
                                     &c->cfg->prov, pub, sizeof pub, &publen, shared,
                                     sizeof shared, &shared_len);
    r = hs_random_failed(c, r, sc->share_group);
    if (!wres_is_ok(r))
        return hs_fail(c, r.code, "client's key share is not a valid %s public key",
                         ward_group_name(sc->share_group));
    c->group = sc->share_group;
    r = send_server_hello(c, ch, pub, publen);
    if (wres_is_ok(r))
        r = hs_derive_hs_secrets(c, shared, shared_len);
    ward_zeroize(shared, sizeof shared);
    return r;
}

/* RFC 8446 §4.2.1 with supported_versions, else legacy_version (RFC 5246
 * E.1); nothing older than TLS 1.2 (RFC 8996). 0: nothing in common. */
static uint16_t negotiate_version(const ward_config *cfg, const msg_client_hello *ch)
{
    for (uint16_t v = cfg->max_version; v >= cfg->min_version; v--) {
        if (ch->has_supported_versions ? msg_u16_list_has(ch->supported_versions, v)
                                       : v == WARD_TLS12 && ch->legacy_version >= WARD_TLS12)
            return v;
    }
    return 0;
}

/* RFC 8446 Appendix D.5: a ClientHello with legacy_version 0x0300 or
 * below is refused with protocol_version, even when its supported_versions
 * offers TLS 1.3 (such a client may be unable to fall back safely). Both
 * hellos of a retry are held to it. */
static WARD_MUST_CHECK wres check_legacy_version(hs_ctx *c, const msg_client_hello *ch)
{
    if (ch->legacy_version <= MSG_VERSION_SSL30)
        return hs_fail(c, WARD_ERR_PROTOCOL_VERSION,
                         "ClientHello legacy_version 0x%04x is SSL 3.0 or older; ward refuses it "
                         "whatever supported_versions says (RFC 8446 D.5)",
                         ch->legacy_version);
    return wres_ok();
}

static WARD_MUST_CHECK wres check_version(hs_ctx *c, const msg_client_hello *ch, uint16_t *version)
{
    const ward_config *cfg = c->cfg;
    *version = negotiate_version(cfg, ch);
    if (!*version)
        return hs_fail(c, WARD_ERR_PROTOCOL_VERSION,
                         "client offers no version ward accepts (%s; SSL 3.0, TLS 1.0 and 1.1 "
                         "are refused, RFC 8996)",
                         cfg->min_version == WARD_TLS13   ? "TLS 1.3 only"
                         : cfg->max_version == WARD_TLS12 ? "TLS 1.2 only"
                                                          : "TLS 1.2 and 1.3");
    /* RFC 7507: a fallback retry when both could have done better. */
    if (msg_u16_list_has(ch->cipher_suites, TLS_FALLBACK_SCSV) && *version < cfg->max_version)
        return hs_fail(c, WARD_ERR_INAPPROPRIATE_FALLBACK,
                         "client signalled a fallback (TLS_FALLBACK_SCSV) to a version below "
                         "what both support");
    return wres_ok();
}

static WARD_MUST_CHECK wres decide(hs_ctx *c, const msg_client_hello *ch, server_choice *sc)
{
    const ward_config *cfg = c->cfg;
    if (ch->compression_methods.len != 1 || ch->compression_methods.p[0] != 0)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "TLS 1.3 requires the single null compression method");
    if (!cfg->has_cert && !c->cb_id)
        return hs_fail(c, WARD_ERR_INTERNAL, "the server has no certificate configured");
    if (ch->has_signature_algorithms)
        GUARD(hs_identity_select(c, ch, key_fits13)); /* SNI: before the key is used */
    sc->suite = choose_suite(cfg, ch);
    if (!sc->suite)
        return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE, "no cipher suite in common with the client");
    if (!ch->has_signature_algorithms)
        return hs_fail(c, WARD_ERR_MISSING_EXTENSION, "ClientHello lacks signature_algorithms");
    sc->scheme = choose_scheme(cfg, hs_id_key(c), ch);
    if (!sc->scheme && !(hs_id_key(c)->usage & CRYPTO_USE_SIGN))
        return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE,
                         "the server's certificate cannot sign CertificateVerify: its keyUsage "
                         "does not allow digitalSignature, which TLS 1.3 needs (RFC 8446 "
                         "4.4.2.2)");
    if (!sc->scheme)
        return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE,
                         "the client accepts no signature scheme the server's key can make");
    if (!ch->has_supported_groups || !ch->has_key_share)
        return hs_fail(c, WARD_ERR_MISSING_EXTENSION,
                         "ClientHello lacks supported_groups or key_share");
    GUARD(check_key_shares(c, ch));
    choose_groups(cfg, ch, sc);
    if (!sc->share_group && !sc->retry_group)
        return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE,
                         "no key exchange group in common with the client");
    return wres_ok();
}

wres hs_server_on_client_hello(hs_ctx *c, span body, span full)
{
    msg_client_hello ch;
    server_choice sc = {0};
    int second = (c->hs_kind & HK_HRR) != 0;
    /* §4.2.10: refused early data ends where the second ClientHello of a
     * retry begins (the client sends none after a HelloRetryRequest); from
     * there a record that does not open is bad_record_mac (§5.2). */
    c->early_skipping = 0;
    GUARD(msg_decode_client_hello(body, &ch));
    GUARD(check_legacy_version(c, &ch));
    if (!second) {
        uint16_t version;
        GUARD(check_version(c, &ch, &version));
        GUARD(hs_server_hello_callback(c, &ch, version)); /* hs/hello_cb.c */
        if (version == WARD_TLS12)
            return hs_server12_on_client_hello(c, &ch, full);
    } else if (!ch.has_supported_versions ||
               !msg_u16_list_has(ch.supported_versions, WARD_TLS13)) {
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "second ClientHello no longer offers TLS 1.3");
    }
    GUARD(decide(c, &ch, &sc));
    if (second) {
        GUARD(check_second_hello(c, &ch, &sc));
    } else if (!sc.share_group || c->cfg->force_hrr) {
        if (ch.has_early_data) /* §4.2.10: refused; its records get skipped */
            hs_server_reject_early(c);
        return send_hello_retry_request(c, &ch, full, &sc);
    } else {
        GUARD(hs_set_suite(c, sc.suite));
        GUARD(transcript_start(c, c->hash));
    }
    GUARD(hs_server_take_name(c, &ch));
    GUARD(hs_server_choose_alpn(c, &ch, &sc.alpn));
    c->pha_offered = ch.has_post_handshake_auth; /* §4.6.2 (hs/client_auth.c) */
    if (ch.has_record_size_limit)
        hs_tune_record(c, HS_TUNE_SEND_LIMIT, (size_t)ch.record_size_limit - 1);
    int psk_ke = 0;
    GUARD(hs_server_psk_choose(c, &ch, full, second, &psk_ke));
    GUARD(transcript_add(c, full.p, full.len));
    int early = c->early_status == WARD_EARLY_ACCEPTED;
    if (early)
        GUARD(hs_server_early_secret(c));

    GUARD(key_exchange(c, &ch, &sc, psk_ke));
    if (ch.session_id_len)
        GUARD(hs_send_ccs(c));
    GUARD(hs_install_keys(c, 1, c->s_hs));
    /* 0-RTT accepted: read early data until EndOfEarlyData (§4.2.10). */
    GUARD(hs_install_keys(c, 0, early ? c->c_early : c->c_hs));
    c->version = WARD_TLS13;
    c->sigscheme = c->resumed ? 0 : sc.scheme;
    GUARD(send_server_flight(c, &ch, &sc));
    GUARD(hs_derive_app_secrets(c));
    GUARD(hs_install_keys(c, 1, c->s_ap));
    return wres_ok();
}

wres hs_server_on_finished(hs_ctx *c, span body, span full)
{
    GUARD(hs_check_finished(c, 0, body));
    GUARD(transcript_add(c, full.p, full.len));
    GUARD(hs_install_keys(c, 0, c->c_ap));
    hs_event(c, HS_EV_APP_READ, NULL, 0);
    if (c->cfg->tickets)
        GUARD(hs_derive_res_master(c));
    ward_zeroize(c->c_hs, sizeof c->c_hs);
    ward_zeroize(c->s_hs, sizeof c->s_hs);
    ks_wipe(&c->ks);
    return hs_server_send_tickets(c);
}
