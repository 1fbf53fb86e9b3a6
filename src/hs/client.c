/* The TLS 1.3 client (RFC 8446 §2, §4): the handlers of the messages
 * hs/table.c's sequences have it await:
 *
 *   ClientHello, [HRR, ClientHello 2,] ServerHello, EncryptedExtensions,
 *   [CertificateRequest,] Certificate, CertificateVerify, Finished
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "hs/identity.h"
#include "crypto/tls12.h"
#include "hs/flight.h"
#include "hs/hs.h"
#include "hs/psk.h"
#include "hs/resume12.h"
#include "msg/msg.h"

/* A ClientHello's room: up to three key shares of up to 1665 bytes each
 * (SecP384r1MLKEM1024), about 5 KB, beside the extensions and a ticket. */
#define CH_MAX 8192

/* RFC 8446 §4.2.3: PKCS#1 v1.5 is offered only for TLS 1.2's
 * ServerKeyExchange, after everything else. */
static const uint16_t pkcs1_schemes[] = {WARD_SIG_RSA_PKCS1_SHA256, WARD_SIG_RSA_PKCS1_SHA384,
                                          WARD_SIG_RSA_PKCS1_SHA512};

static int is_ip_literal(const char *name)
{
    uint8_t addr[16];
    return inet_pton(AF_INET, name, addr) == 1 || inet_pton(AF_INET6, name, addr) == 1;
}

/* ALPN names as C strings, from the configuration's wire list. */
typedef struct {
    char storage[WARD_MAX_ALPN_WIRE + 1];
    const char *names[WARD_MAX_ALPN_WIRE / 2];
    size_t n;
} alpn_names;

static void alpn_unpack(const ward_config *cfg, alpn_names *a)
{
    size_t at = 0;
    a->n = 0;
    while (at < cfg->alpn_len) {
        size_t len = cfg->alpn[at];
        memcpy(a->storage + at, cfg->alpn + at + 1, len);
        a->storage[at + len] = '\0';
        a->names[a->n++] = a->storage + at;
        at += len + 1;
    }
}

/* What this configuration offers: versions newest first, the suites of
 * those versions, and the signature schemes they can use. */
typedef struct {
    uint16_t versions[2];
    size_t n_versions;
    uint16_t suites[WARD_MAX_SUITES];
    size_t n_suites;
    uint16_t sigalgs[WARD_MAX_SIGALGS + 3];
    size_t n_sigalgs;
} client_offer;

static void build_offer(const ward_config *cfg, client_offer *o)
{
    o->n_versions = o->n_suites = 0;
    for (uint16_t v = cfg->max_version; v >= cfg->min_version; v--)
        o->versions[o->n_versions++] = v;
    for (size_t i = 0; i < cfg->n_suites; i++)
        for (size_t j = 0; j < o->n_versions; j++)
            if (hs_suite_enabled(cfg, cfg->suites[i], o->versions[j]))
                o->suites[o->n_suites++] = cfg->suites[i];
    memcpy(o->sigalgs, cfg->sigalgs, cfg->n_sigalgs * sizeof *cfg->sigalgs);
    o->n_sigalgs = cfg->n_sigalgs;
    if (cfg->min_version <= WARD_TLS12)
        for (size_t i = 0; i < WARD_ARRAY_LEN(pkcs1_schemes); i++)
            o->sigalgs[o->n_sigalgs++] = pkcs1_schemes[i];
}

static WARD_MUST_CHECK wres send_client_hello(hs_ctx *c, int first)
{
    const ward_config *cfg = c->cfg;
    client_offer offer;
    build_offer(cfg, &offer);
    int tls12 = cfg->min_version <= WARD_TLS12;
    msg_key_share shares[WARD_MAX_KEY_SHARES];
    for (size_t i = 0; i < c->n_kex; i++)
        shares[i] = (msg_key_share){c->kex[i].group, c->kex_pub[i], c->kex_pub_len[i]};
    alpn_names alpn;
    alpn_unpack(cfg, &alpn);

    msg_client_hello_params p = {0};
    memcpy(p.random, c->random, 32);
    p.session_id = c->session_id;
    p.session_id_len = c->session_id_len;
    p.suites = offer.suites;
    p.n_suites = offer.n_suites;
    if (c->server_name[0] && !is_ip_literal(c->server_name))
        p.server_name = c->server_name; /* RFC 6066 §3: no IP literals in SNI */
    p.renegotiation_info = 1;
    p.groups = cfg->groups;
    p.n_groups = cfg->n_groups;
    p.shares = shares;
    p.n_shares = c->n_kex;
    p.versions = offer.versions;
    p.n_versions = offer.n_versions;
    p.sig_algs = offer.sigalgs;
    p.n_sig_algs = offer.n_sigalgs;
    p.extended_master_secret = tls12 && !hooks_no_ems(cfg);
    p.ec_point_formats = tls12;
    p.status_request = cfg->ocsp_mode != WARD_OCSP_OFF; /* RFC 6066 §8 */
    p.sig_algs_cert = cfg->sigalgs_cert;
    p.n_sig_algs_cert = cfg->n_sigalgs_cert;
    p.alpn = alpn.names;
    p.n_alpn = alpn.n;
    p.cookie = c->cookie;
    p.cookie_len = c->cookie_len;
    p.psk_dhe_ke = cfg->max_version >= WARD_TLS13;
    p.pad_to_512 = 1;
    p.post_handshake_auth = cfg->post_handshake_auth && cfg->max_version >= WARD_TLS13;
    hs_client12_fill(c, &p);
    hooks_client_hello(cfg, &p);

    if (p.psk_dhe_ke)
        GUARD(hs_client_psk_fill(c, &p, first));
    c->ticket12_offered = p.session_ticket || p.session_ticket_len;

    uint8_t *msg = malloc(CH_MAX);
    ENSURE(msg, WARD_ERR_NOMEM);
    wr w = wr_of(msg, CH_MAX);
    wres r = msg_encode_client_hello(&w, &p);
    if (wres_is_ok(r) && p.psk_identity_len)
        r = hs_client_psk_bind(c, msg, w.len);
    if (wres_is_ok(r) && first) {
        /* The suite, and so the transcript hash, is unknown until the
         * server answers: keep the ClientHello until then. */
        c->client_hello = msg;
        c->client_hello_len = w.len;
        hs_tune_record(c, HS_TUNE_WIRE_VERSION, MSG_VERSION_TLS10); /* §5.1: a first ClientHello may say 0x0301 */
        r = hs_emit(c, CT_HANDSHAKE, msg, w.len);
        hs_tune_record(c, HS_TUNE_WIRE_VERSION, WARD_TLS12);
        if (wres_is_ok(r) && p.early_data)
            r = hs_client_send_early_data(c, msg, w.len);
        return r;
    }
    if (wres_is_ok(r))
        r = hs_send_msg(c, msg, w.len);
    free(msg);
    return r;
}

static WARD_MUST_CHECK wres add_key_share(hs_ctx *c, uint16_t group)
{
    size_t i = c->n_kex;
    ENSURE(i < WARD_MAX_KEY_SHARES, WARD_ERR_INTERNAL);
    c->kex_pub[i] = malloc(CRYPTO_MAX_KEX_PUB);
    ENSURE(c->kex_pub[i], WARD_ERR_NOMEM);
    GUARD(hs_keygen(c, &c->kex[i], group, c->kex_pub[i], CRYPTO_MAX_KEX_PUB,
                    &c->kex_pub_len[i]));
    c->n_kex++;
    return wres_ok();
}

/* Fail closed before anything is sent: a client must know whom it
 * expects, by name (RFC 6125) or by pin, or say by name that it does not
 * care (skip_hostname_check, insecure_no_verify). Verifying a chain with
 * no name accepts any certificate from a trusted CA. */
static WARD_MUST_CHECK wres check_who(hs_ctx *c)
{
    const ward_config *cfg = c->cfg;
    if (c->server_name[0] || cfg->has_pin || cfg->insecure_no_verify || cfg->skip_hostname_check)
        return wres_ok();
    return hs_fail(c, WARD_ERR_CONFIG,
                     "no server name to verify the certificate against: give one to "
                     "ward_conn_new, pin the server's key, or opt out with "
                     "ward_config_set_skip_hostname_check");
}

wres hs_client_start(hs_ctx *c)
{
    const ward_config *cfg = c->cfg;
    GUARD(check_who(c));
    GUARD(hs_ocsp_client_check_config(c));
    GUARD(hs_make_random(c));
    if (cfg->middlebox_compat) { /* D.4: a non-empty legacy_session_id */
        c->session_id_len = 32;
        GUARD(hs_random(c, c->session_id, 32));
    }
    GUARD(hs_client12_prepare(c)); /* a TLS 1.2 session to resume sets the ID */
    for (size_t i = 0; cfg->max_version >= WARD_TLS13 && i < cfg->n_key_share_groups; i++)
        GUARD(add_key_share(c, cfg->key_share_groups[i]));
    GUARD(send_client_hello(c, 1));
    return wres_ok();
}

static crypto_kex *find_share(hs_ctx *c, uint16_t group)
{
    for (size_t i = 0; i < c->n_kex; i++)
        if (c->kex[i].group == group)
            return &c->kex[i];
    return NULL;
}

/* §4.1.4 */
static WARD_MUST_CHECK wres on_hello_retry_request(hs_ctx *c, const msg_server_hello *hrr,
                                                   span full)
{
    if (c->did_hrr)
        return hs_fail(c, WARD_ERR_UNEXPECTED_MESSAGE, "server sent a second HelloRetryRequest");
    c->did_hrr = 1;
    c->hs_kind |= HK_HRR;
    if (c->early_status) { /* §4.2.10: a retry rejects the early data */
        hs_keys none = {.write = 1};
        GUARD(c->out.ops->set_keys(c->out.ctx, &none));
    }
    GUARD(hs_set_suite(c, hrr->cipher_suite));
    GUARD(hs_client_start_transcript(c));
    GUARD(transcript_collapse_for_hrr(c));
    GUARD(transcript_add(c, full.p, full.len));

    if (!hrr->has_key_share && !hrr->has_cookie)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "HelloRetryRequest asks for no change to the ClientHello");
    if (hrr->has_cookie) {
        if (hrr->cookie.len > sizeof c->cookie)
            return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE,
                             "HelloRetryRequest cookie of %zu bytes is too large",
                             hrr->cookie.len);
        memcpy(c->cookie, hrr->cookie.p, hrr->cookie.len);
        c->cookie_len = hrr->cookie.len;
    }
    if (hrr->has_key_share) {
        uint16_t g = hrr->key_share_group;
        if (!hs_list_has(c->cfg->groups, c->cfg->n_groups, g) || find_share(c, g))
            return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                             "HelloRetryRequest asks for group 0x%04x, which ward did not offer "
                             "or already sent",
                             g);
        hs_client_drop_key_shares(c);
        GUARD(add_key_share(c, g));
        c->hrr_group = g;
    }
    if (c->session_id_len) /* D.4: CCS before the second flight */
        GUARD(hs_send_ccs(c));
    return send_client_hello(c, 0);
}

wres hs_client_on_server_hello(hs_ctx *c, span body, span full)
{
    const ward_config *cfg = c->cfg;
    msg_server_hello sh;
    GUARD(msg_decode_server_hello(body, &sh));
    /* RFC 8446 D.5: SSL 3.0 or older in legacy_version is protocol_version,
     * whatever else the hello says. */
    if (sh.legacy_version <= MSG_VERSION_SSL30)
        return hs_fail(c, WARD_ERR_PROTOCOL_VERSION,
                         "server hello has legacy_version 0x%04x (SSL 3.0 or older), which ward "
                         "refuses (RFC 8446 D.5)",
                         sh.legacy_version);
    if (!sh.has_supported_versions && !sh.is_hrr) {
        /* §4.1.4: after a HelloRetryRequest the server has chosen TLS 1.3;
         * a TLS 1.2 hello now would run over a transcript that no longer
         * holds the first ClientHello. D.3: a server that gets 0-RTT and
         * answers TLS 1.2 is broken (the client already sent data under
         * TLS 1.3 keys). */
        if (c->did_hrr)
            return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                             "server answered its own TLS 1.3 HelloRetryRequest with a TLS 1.2 "
                             "ServerHello (RFC 8446 4.1.4)");
        if (c->early_status)
            return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                             "server answered a ClientHello with 0-RTT data with a TLS 1.2 "
                             "ServerHello (RFC 8446 D.3)");
        return hs_client12_on_server_hello(c, &sh, full);
    }
    if (cfg->max_version < WARD_TLS13 || sh.selected_version != WARD_TLS13 ||
        sh.legacy_version != WARD_TLS12)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "server selected version 0x%04x, which ward did not offer",
                         sh.selected_version);
    if (sh.session_id_len != c->session_id_len ||
        memcmp(sh.session_id, c->session_id, c->session_id_len) != 0)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "server did not echo the legacy_session_id");
    if (!hs_suite_enabled(cfg, sh.cipher_suite, WARD_TLS13))
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "server chose cipher suite 0x%04x, which ward did not offer",
                         sh.cipher_suite);
    if (sh.is_hrr)
        return on_hello_retry_request(c, &sh, full);

    if (c->did_hrr && sh.cipher_suite != c->suite)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "ServerHello suite differs from the HelloRetryRequest's");
    GUARD(hs_client_psk_on_server_hello(c, &sh));
    if (!sh.has_key_share && !c->resumed)
        return hs_fail(c, WARD_ERR_MISSING_EXTENSION, "ServerHello has no key_share");
    crypto_kex *k = sh.has_key_share ? find_share(c, sh.key_share_group) : NULL;
    if (!k && sh.has_key_share)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "server answered for group 0x%04x, for which ward sent no key share",
                         sh.key_share_group);

    if (!c->did_hrr) {
        GUARD(hs_set_suite(c, sh.cipher_suite));
        GUARD(hs_client_start_transcript(c));
    }
    GUARD(transcript_add(c, full.p, full.len));

    uint8_t shared[CRYPTO_MAX_KEX_SECRET];
    size_t shared_len = 0;
    wres r = k ? crypto_kex_derive(k, sh.key_share.p, sh.key_share.len, shared, sizeof shared,
                                   &shared_len)
               : wres_ok(); /* psk_ke */
    if (!wres_is_ok(r))
        return hs_fail(c, r.code, "server's key share is not a valid %s public key",
                         ward_group_name(k->group));
    c->group = k ? k->group : 0;
    c->version = WARD_TLS13;
    r = hs_derive_hs_secrets(c, k ? shared : NULL, shared_len);
    ward_zeroize(shared, sizeof shared);
    GUARD(r);
    hs_client_drop_key_shares(c);

    GUARD(hs_install_keys(c, 0, c->s_hs));
    if (c->session_id_len)
        GUARD(hs_send_ccs(c));
    /* From here on, alerts we send are protected too; but early data the
     * server may yet accept keeps its keys until EndOfEarlyData. */
    if (!(c->early_status && c->resumed))
        GUARD(hs_install_keys(c, 1, c->c_hs));
    return wres_ok();
}

wres hs_client_on_encrypted_extensions(hs_ctx *c, span body, span full)
{
    const ward_config *cfg = c->cfg;
    msg_encrypted_extensions ee;
    GUARD(msg_decode_encrypted_extensions(body, &ee));
    if (ee.has_alpn)
        GUARD(hs_client_check_alpn(c, ee.alpn));
    if (ee.has_early_data && !(c->early_status && c->resumed))
        return hs_fail(c, WARD_ERR_UNSUPPORTED_EXTENSION,
                         "server accepted early data that ward did not offer");
    if (c->early_status && c->resumed) {
        if (ee.has_early_data) {
            /* §4.2.10: the early data was sent for the ticket's protocol; a
             * server that accepts it must select that same one. */
            if (strcmp(c->alpn, c->offer->st.alpn) != 0)
                return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                                 "server accepted the early data but selected ALPN \"%s\", not "
                                 "the ticket's \"%s\" (RFC 8446 4.2.10)",
                                 c->alpn, c->offer->st.alpn);
            c->early_status = WARD_EARLY_ACCEPTED;
            c->hs_kind |= HK_EARLY_DATA;
        }
        else /* rejected: on with the handshake keys */
            GUARD(hs_install_keys(c, 1, c->c_hs));
    }
    if (ee.has_record_size_limit) {
        if (!hooks_record_size_limit(cfg))
            return hs_fail(c, WARD_ERR_UNSUPPORTED_EXTENSION,
                             "server sent record_size_limit, which ward did not offer");
        size_t limit = (size_t)ee.record_size_limit - 1; /* includes the inner type */
        hs_tune_record(c, HS_TUNE_SEND_LIMIT, limit);
        /* RFC 8449 §4: from here on the server's protected records hold at
         * most the TLSInnerPlaintext we advertised (else record_overflow). */
        hs_tune_record(c, HS_TUNE_READ_LIMIT, hooks_record_size_limit(cfg));
    }
    GUARD(transcript_add(c, full.p, full.len));
    return wres_ok();
}

wres hs_client_on_certificate(hs_ctx *c, span body, span full)
{
    msg_certificate m;
    GUARD(msg_decode_certificate(body, &m));
    if (m.request_context.len != 0)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "server Certificate has a non-empty request context");
    if (m.n == 0)
        return hs_fail(c, WARD_ERR_DECODE, "server sent an empty certificate list");
    GUARD(hs_client_take_chain(c, &m, full));
    GUARD(hs_ocsp_client_check(c, m.has_leaf_ocsp ? &m.leaf_ocsp : NULL)); /* §4.4.2.1 */
    return wres_ok();
}

wres hs_client_on_certificate_verify(hs_ctx *c, span body, span full)
{
    const ward_config *cfg = c->cfg;
    msg_certificate_verify cv;
    GUARD(msg_decode_certificate_verify(body, &cv));
    if (!hs_list_has(cfg->sigalgs, cfg->n_sigalgs, cv.scheme))
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "server signed with scheme 0x%04x, which ward did not offer", cv.scheme);
    uint8_t content[64 + 34 + CRYPTO_MAX_HASH];
    size_t len;
    GUARD(hs_cv_content(c, 1, content, sizeof content, &len));
    wres r = crypto_verify(&c->peer_key, cv.scheme, content, len, cv.signature.p,
                           cv.signature.len);
    if (r.code == WARD_ERR_ILLEGAL_PARAMETER)
        return hs_fail(c, r.code, "server signed with %s, which does not fit its key",
                         ward_sigscheme_name(cv.scheme) ? ward_sigscheme_name(cv.scheme) : "?");
    if (!wres_is_ok(r))
        return hs_fail(c, WARD_ERR_DECRYPT_ERROR,
                         "server's CertificateVerify signature does not verify");
    c->sigscheme = cv.scheme;
    GUARD(transcript_add(c, full.p, full.len));
    return wres_ok();
}

/* [EndOfEarlyData,] [Certificate, [CertificateVerify,]] Finished: each
 * message in its own records, as ever (the wire does not change). */
static WARD_MUST_CHECK wres send_client_flight(hs_ctx *c, hs_flight *f)
{
    if (c->early_status == WARD_EARLY_ACCEPTED) { /* §4.5, under the early keys */
        GUARD(hs_msg_end(f, msg_encode_end_of_early_data(hs_msg_begin(f))));
        GUARD(hs_flight_send(f));
        GUARD(hs_install_keys(c, 1, c->c_hs));
    }
    GUARD(hs_client_send_certificate13(c, f)); /* if requested (hs/client_auth.c) */
    uint8_t vd[CRYPTO_MAX_HASH];
    wres r = hs_finished_for(c, 0, vd);
    if (wres_is_ok(r))
        r = hs_msg_end(f, msg_encode_finished(hs_msg_begin(f), vd, c->hlen));
    ward_zeroize(vd, sizeof vd);
    GUARD(r);
    return hs_flight_send(f);
}

wres hs_client_on_finished(hs_ctx *c, span body, span full)
{
    GUARD(hs_check_finished(c, 1, body));
    GUARD(transcript_add(c, full.p, full.len));
    GUARD(hs_derive_app_secrets(c));
    GUARD(hs_install_keys(c, 0, c->s_ap));
    hs_event(c, HS_EV_APP_READ, NULL, 0);
    hs_flight f;
    hs_flight_init(&f, c);
    wres r = send_client_flight(c, &f);
    hs_flight_free(&f);
    GUARD(r);
    GUARD(hs_derive_res_master(c));
    GUARD(hs_install_keys(c, 1, c->c_ap));
    ward_zeroize(c->c_hs, sizeof c->c_hs);
    ward_zeroize(c->s_hs, sizeof c->s_hs);
    ks_wipe(&c->ks);
    return wres_ok();
}
