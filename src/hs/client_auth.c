/* Client certificates (mutual TLS), both versions, both roles.
 *
 * Server, TLS 1.3 (RFC 8446 §4.3.2, §4.4.2, §4.4.3): a CertificateRequest
 * after EncryptedExtensions, then the client's Certificate, its
 * CertificateVerify (only if the Certificate was not empty) and Finished:
 *   WAIT_CERT --Certificate--> WAIT_CV --CertificateVerify--> WAIT_FINISHED
 * Server, TLS 1.2 (RFC 5246 §7.4.4, §7.4.6, §7.4.8): a CertificateRequest
 * before ServerHelloDone; the client's Certificate before its
 * ClientKeyExchange, its CertificateVerify after it:
 *   WAIT_CERT --Certificate--> WAIT_CKE --ClientKeyExchange--> WAIT_CV
 *   --CertificateVerify--> WAIT_CCS
 * Client, both versions: the configuration's certificate, with a scheme the
 * server allows and our key can make; an empty Certificate when we have
 * none or no scheme fits (the server decides). */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "crypto/tls12.h"
#include "hs/flight.h"
#include "hs/hs.h"
#include "hs/suites.h"
#include "msg/msg.h"

/* TLS 1.2 also signs with PKCS#1 v1.5 (RFC 5246 §7.4.1.4.1); TLS 1.3 never. */
static const uint16_t pkcs1_schemes[] = {WARD_SIG_RSA_PKCS1_SHA256, WARD_SIG_RSA_PKCS1_SHA384,
                                          WARD_SIG_RSA_PKCS1_SHA512};

/* RFC 5246 §7.4.4 ClientCertificateType; RFC 8422 §5.5: ecdsa_sign also
 * covers Ed25519. */
#define CERT_TYPE_RSA_SIGN 1
#define CERT_TYPE_ECDSA_SIGN 64

static int scheme_offered12(const ward_config *cfg, uint16_t s)
{
    return hs_list_has(cfg->sigalgs, cfg->n_sigalgs, s) ||
           hs_list_has(pkcs1_schemes, WARD_ARRAY_LEN(pkcs1_schemes), s);
}

void hs_client_auth_done(hs_ctx *c)
{
    free(c->hs_msgs); /* messages that crossed the wire in the clear: no secret */
    c->hs_msgs = NULL;
    c->hs_msgs_len = c->hs_msgs_cap = 0;
    c->hs_msgs_on = 0;
}

static void pha_end(hs_ctx *c)
{
    if (c->pha_hash_on)
        crypto_hash_free(&c->pha_hash);
    c->pha_hash_on = 0;
    if (c->is_server)
        crypto_key_free(&c->pha_key);
}

void hs_client_auth_free(hs_ctx *c)
{
    hs_client_auth_done(c);
    pha_end(c);
    if (c->pha_base_on)
        crypto_hash_free(&c->pha_base);
    c->pha_base_on = 0;
}

/* §4.4: post-handshake authentication hashes the handshake through the
 * client's Finished, then its own messages: keep that running hash when
 * both sides agreed to it (only then). */
void hs_client_auth_handshake_done(hs_ctx *c)
{
    const ward_config *cfg = c->cfg;
    int pha = c->is_server ? c->pha_offered && cfg->client_verify != WARD_CLIENT_CERT_NONE
                           : cfg->post_handshake_auth;
    if (c->version != WARD_TLS13 || !pha || !c->transcript_on || c->pha_base_on)
        return;
    c->pha_base_on = wres_is_ok(crypto_hash_copy(&c->pha_base, &c->transcript));
}

/* ---- server: asking ---- */

size_t hs_server_cert_request_size(const hs_ctx *c)
{
    const ward_config *cfg = c->cfg;
    if (cfg->client_verify == WARD_CLIENT_CERT_NONE)
        return 0;
    return 64 + 2 * (cfg->n_sigalgs + WARD_ARRAY_LEN(pkcs1_schemes)) + cfg->client_ca_names_len;
}

/* §4.3.2: an empty context during the handshake, signature_algorithms
 * (required) and certificate_authorities (the CA file's subjects). */
static WARD_MUST_CHECK wres write_cr13(hs_ctx *c, wr *w, const uint8_t *ctx, size_t ctx_len)
{
    const ward_config *cfg = c->cfg;
    wr_block msg = msg_hs_open(w, HS_CERTIFICATE_REQUEST);
    wr_block context = wr_open(w, 1);
    wr_bytes(w, ctx, ctx_len);
    GUARD(wr_close(w, context));
    wr_block exts = wr_open(w, 2);
    wr_block e = msg_ext_open(w, EXT_SIGNATURE_ALGORITHMS);
    GUARD(msg_write_u16_list(w, 2, cfg->sigalgs, cfg->n_sigalgs));
    GUARD(wr_close(w, e));
    if (cfg->client_ca_names_len) {
        e = msg_ext_open(w, EXT_CERTIFICATE_AUTHORITIES);
        wr_block names = wr_open(w, 2);
        wr_bytes(w, cfg->client_ca_names, cfg->client_ca_names_len);
        GUARD(wr_close(w, names));
        GUARD(wr_close(w, e));
    }
    GUARD(wr_close(w, exts));
    return wr_close(w, msg);
}

/* §4.3.2: never in a resumed handshake (the server's flight has no
 * CertificateRequest then). */
wres hs_server_write_cert_request13(hs_ctx *c, wr *w)
{
    if (!config_asks_in_handshake(c->cfg))
        return wres_ok();
    c->hs_kind |= HK_CLIENT_AUTH; /* the client's Certificate comes */
    return write_cr13(c, w, NULL, 0);
}

/* RFC 5246 §7.4.4: certificate types, schemes (PKCS#1 v1.5 included: TLS
 * 1.2 clients sign with it) and the CA names. */
wres hs_server_write_cert_request12(hs_ctx *c, wr *w)
{
    const ward_config *cfg = c->cfg;
    if (!config_asks_in_handshake(cfg))
        return wres_ok();
    c->hs_kind |= HK_CLIENT_AUTH; /* the client's Certificate comes */
    uint16_t schemes[WARD_MAX_SIGALGS + WARD_ARRAY_LEN(pkcs1_schemes)];
    size_t n = 0;
    for (size_t i = 0; i < cfg->n_sigalgs; i++)
        schemes[n++] = cfg->sigalgs[i];
    for (size_t i = 0; i < WARD_ARRAY_LEN(pkcs1_schemes); i++)
        schemes[n++] = pkcs1_schemes[i];
    wr_block msg = msg_hs_open(w, HS_CERTIFICATE_REQUEST);
    wr_block types = wr_open(w, 1);
    wr_u8(w, CERT_TYPE_ECDSA_SIGN);
    wr_u8(w, CERT_TYPE_RSA_SIGN);
    GUARD(wr_close(w, types));
    GUARD(msg_write_u16_list(w, 2, schemes, n));
    wr_block names = wr_open(w, 2);
    wr_bytes(w, cfg->client_ca_names, cfg->client_ca_names_len);
    GUARD(wr_close(w, names));
    return wr_close(w, msg);
}

/* ---- server: checking ---- */

/* Both versions: an empty list is the client declining (refused when
 * required); otherwise the chain must verify against the client CAs. */
static WARD_MUST_CHECK wres check_client_chain(hs_ctx *c, const msg_certificate *m);

/* The chain, and the verdict on it (the application's, when it has a
 * verify callback) for the trace (none on an empty one). A chain taken
 * wholly (the callback sees no partial one) is then to be proved by the
 * client's CertificateVerify. */
static WARD_MUST_CHECK wres take_client_chain(hs_ctx *c, const msg_certificate *m)
{
    wres r = check_client_chain(c, m);
    if (m->n == 0)
        return r;
    if (c->peer_chain.n == m->n)
        r = hs_verify_decide(c, r);
    hs_report_verdict(c, r);
    GUARD(r);
    c->client_cert_pending = 1;
    c->hs_kind |= HK_CLIENT_CERT; /* its CertificateVerify comes */
    return wres_ok();
}

static WARD_MUST_CHECK wres check_client_chain(hs_ctx *c, const msg_certificate *m)
{
    const ward_config *cfg = c->cfg;
    if (m->n == 0) {
        hs_client_auth_done(c); /* nothing will be signed */
        if (cfg->client_verify == WARD_CLIENT_CERT_OPTIONAL)
            return wres_ok();
        /* RFC 8446 §4.4.2.4: certificate_required; RFC 5246 §7.4.6:
         * handshake_failure. */
        if (c->version == WARD_TLS13)
            return hs_fail(c, WARD_ERR_CERTIFICATE_REQUIRED,
                             "the client sent no certificate, and this server requires one");
        return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE,
                         "the client sent no certificate, and this server requires one");
    }
    span certs[CRYPTO_MAX_CHAIN];
    crypto_chain_free(&c->peer_chain); /* a post-handshake one replaces the last */
    crypto_key_free(&c->peer_key);
    c->peer_authenticated = 0;
    for (size_t i = 0; i < m->n; i++) {
        GUARD(crypto_chain_add_der(&c->peer_chain, m->certs[i].p, m->certs[i].len));
        certs[i] = m->certs[i];
    }
    if (!cfg->has_client_trust)
        return hs_fail(c, WARD_ERR_INTERNAL, "no CAs configured for client certificates");
    char msg[256] = "";
    time_t now = ward_time_s(&cfg->prov);
    wres r = crypto_chain_verify_client_key(&cfg->client_trust, certs, m->n, now, msg,
                                            sizeof msg, &c->peer_key);
    if (r.code == WARD_ERR_UNKNOWN_CA || r.code == WARD_ERR_SELF_SIGNED) {
        /* The generic advice (--cafile, --pin) is for clients; say which
         * certificate a server operator should look at. */
        crypto_cert_text t;
        if (wres_is_ok(crypto_cert_describe(certs[0].p, certs[0].len, &t)))
            return hs_fail(c, r.code,
                             "client certificate (subject %s, issuer %s) is not issued by a CA "
                             "trusted for clients",
                             t.subject, t.issuer);
    }
    if (!wres_is_ok(r))
        return hs_fail(c, r.code, "client certificate: %s", msg);
    GUARD(hs_peer_key_strength(c, "client"));
    return hs_server_check_client_usage(c);
}

wres hs_server_on_client_certificate(hs_ctx *c, span body, span full)
{
    msg_certificate m;
    GUARD(msg_decode_certificate(body, &m));
    if (m.request_context.len != 0)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "client Certificate has a request context the CertificateRequest did "
                         "not have");
    GUARD(transcript_add(c, full.p, full.len));
    return take_client_chain(c, &m);
}

static WARD_MUST_CHECK wres verify_failed(hs_ctx *c, wres r, uint16_t scheme)
{
    const char *name = ward_sigscheme_name(scheme);
    if (r.code == WARD_ERR_ILLEGAL_PARAMETER)
        return hs_fail(c, r.code, "client signed with %s, which does not fit its key",
                         name ? name : "an unknown scheme");
    return hs_fail(c, WARD_ERR_DECRYPT_ERROR,
                     "client's CertificateVerify signature does not verify");
}

static WARD_MUST_CHECK wres client_verified(hs_ctx *c, span full)
{
    GUARD(transcript_add(c, full.p, full.len));
    hs_client_auth_done(c);
    c->client_cert_pending = 0;
    c->peer_authenticated = 1;
    return wres_ok();
}

/* A client's CertificateVerify, with a scheme the server offered. */
static WARD_MUST_CHECK wres decode_client_cv(hs_ctx *c, span body, msg_certificate_verify *cv)
{
    const ward_config *cfg = c->cfg;
    GUARD(msg_decode_certificate_verify(body, cv));
    if (!hs_list_has(cfg->sigalgs, cfg->n_sigalgs, cv->scheme))
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "client signed with scheme 0x%04x, which the server did not offer",
                         cv->scheme);
    return wres_ok();
}

/* §4.4.3: the client's signature over the transcript through its
 * Certificate, with the client context string. */
wres hs_server_on_client_certificate_verify(hs_ctx *c, span body, span full)
{
    msg_certificate_verify cv;
    GUARD(decode_client_cv(c, body, &cv));
    uint8_t content[64 + 34 + CRYPTO_MAX_HASH];
    size_t len;
    GUARD(hs_cv_content(c, 0, content, sizeof content, &len));
    wres r = crypto_verify(&c->peer_key, cv.scheme, content, len, cv.signature.p,
                           cv.signature.len);
    if (!wres_is_ok(r))
        return verify_failed(c, r, cv.scheme);
    return client_verified(c, full);
}

wres hs_server12_on_client_certificate(hs_ctx *c, span body, span full)
{
    msg_certificate m;
    GUARD(msg_decode_certificate12(body, &m));
    GUARD(transcript_add(c, full.p, full.len));
    GUARD(take_client_chain(c, &m));
    if (c->client_cert_pending) {
        const crypto_key *k = &c->peer_key;
        if (!crypto_key_is_rsa(k) && !crypto_key_is_ec(k) &&
            !crypto_key_can_sign_tls12(k, WARD_SIG_ED25519))
            return hs_fail(c, WARD_ERR_UNSUPPORTED_CERTIFICATE,
                             "client certificate key is neither RSA, ECDSA nor Ed25519");
    }
    return wres_ok();
}

/* RFC 5246 §7.4.8: the signature covers every handshake message up to
 * and including ClientKeyExchange. */
wres hs_server12_on_client_certificate_verify(hs_ctx *c, span body, span full)
{
    msg_certificate_verify cv;
    GUARD(msg_decode_certificate_verify(body, &cv));
    if (!scheme_offered12(c->cfg, cv.scheme))
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "client signed with scheme 0x%04x, which the server did not offer",
                         cv.scheme);
    ENSURE(c->hs_msgs, WARD_ERR_INTERNAL);
    wres r = crypto_verify_tls12(&c->peer_key, cv.scheme, c->hs_msgs, c->hs_msgs_len,
                                 cv.signature.p, cv.signature.len);
    if (!wres_is_ok(r))
        return verify_failed(c, r, cv.scheme);
    return client_verified(c, full);
}

/* ---- client ---- */

typedef struct {
    int has_sigalgs;
    span sigalgs;
} cr_extensions;

/* §4.3.2: signature_algorithms is required; the others (certificate
 * authorities, OID filters, ...) are hints ward does not need: a
 * configuration holds one certificate. */
static WARD_MUST_CHECK wres cr_extension(void *ctx, uint16_t type, rd *d, int is_last)
{
    (void)is_last;
    cr_extensions *x = ctx;
    if (type == EXT_SIGNATURE_ALGORITHMS) {
        x->has_sigalgs = 1;
        return msg_read_u16_list(d, 2, &x->sigalgs);
    }
    (void)rd_rest(d);
    return wres_ok();
}

/* The server's preference among the schemes our key can make. */
static uint16_t choose_scheme13(const ward_config *cfg, span server_list)
{
    if (!cfg->has_cert)
        return 0;
    rd r = rd_span(server_list);
    uint16_t s;
    while (rd_left(&r) && wres_is_ok(rd_u16(&r, &s)))
        if (hs_list_has(cfg->sigalgs, cfg->n_sigalgs, s) && crypto_key_can_sign_tls13(&cfg->key, s))
            return s;
    return 0;
}

/* The TLS 1.3 client's CertificateRequest handler (§4.3.2). */
wres hs_client_on_certificate_request(hs_ctx *c, span body, span full)
{
    rd r = rd_span(body), ctx, exts;
    GUARD(rd_block8(&r, &ctx));
    GUARD(rd_block16(&r, &exts));
    GUARD(rd_expect_end(&r));
    if (rd_left(&ctx) != 0)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "CertificateRequest in the handshake has a non-empty context");
    cr_extensions x = {0};
    GUARD(msg_ext_walk(rd_rest(&exts), cr_extension, &x));
    if (!x.has_sigalgs)
        return hs_fail(c, WARD_ERR_MISSING_EXTENSION,
                         "CertificateRequest lacks signature_algorithms");
    c->client_scheme = choose_scheme13(c->cfg, x.sigalgs);
    c->cert_request_ctx_len = 0;
    c->cert_requested = 1;
    return transcript_add(c, full.p, full.len);
}

/* RFC 5246 §7.4.4: the key's type must be one the server asks for. */
static uint16_t choose_scheme12(const ward_config *cfg, span types, span schemes)
{
    if (!cfg->has_cert)
        return 0;
    const crypto_key *k = &cfg->key;
    uint8_t want = crypto_key_is_rsa(k) ? CERT_TYPE_RSA_SIGN : CERT_TYPE_ECDSA_SIGN;
    if (!memchr(types.p, want, types.len))
        return 0;
    rd r = rd_span(schemes);
    uint16_t s;
    while (rd_left(&r) && wres_is_ok(rd_u16(&r, &s)))
        if (scheme_offered12(cfg, s) && crypto_key_can_sign_tls12(k, s))
            return s;
    return 0;
}

/* The TLS 1.2 client's CertificateRequest handler (RFC 5246 §7.4.4). */
wres hs_client12_on_certificate_request(hs_ctx *c, span body, span full)
{
    rd r = rd_span(body), types, schemes, authorities;
    GUARD(rd_block8(&r, &types));
    GUARD(rd_block16(&r, &schemes));
    GUARD(rd_block16(&r, &authorities));
    GUARD(rd_expect_end(&r));
    if (types.left == 0 || schemes.left == 0 || schemes.left % 2)
        return hs_fail(c, WARD_ERR_DECODE, "malformed CertificateRequest");
    c->client_scheme = choose_scheme12(c->cfg, rd_rest(&types), rd_rest(&schemes));
    c->cert_requested = 1;
    return transcript_add(c, full.p, full.len);
}

static size_t chain_size(const crypto_chain *ch)
{
    size_t n = 0;
    for (size_t i = 0; i < ch->n; i++)
        n += ch->len[i] + 5;
    return n;
}

/* §4.4.2: the request's context, then our chain (empty when no scheme
 * fits), each entry without extensions. */
static WARD_MUST_CHECK wres encode_certificate13(hs_ctx *c, wr *w, int with_chain)
{
    const crypto_chain *ch = &c->cfg->chain;
    wr_block msg = msg_hs_open(w, HS_CERTIFICATE);
    wr_block ctx = wr_open(w, 1);
    wr_bytes(w, c->cert_request_ctx, c->cert_request_ctx_len);
    GUARD(wr_close(w, ctx));
    wr_block list = wr_open(w, 3);
    for (size_t i = 0; with_chain && i < ch->n; i++) {
        wr_block cert = wr_open(w, 3);
        wr_bytes(w, ch->der[i], ch->len[i]);
        GUARD(wr_close(w, cert));
        wr_u16(w, 0);
    }
    GUARD(wr_close(w, list));
    return wr_close(w, msg);
}

/* Our Certificate (the chain when a scheme was found, else empty), handed
 * to send: into the handshake, or into a post-handshake exchange. */
static WARD_MUST_CHECK wres send_certificate13(hs_ctx *c,
                                               wres (*send)(hs_ctx *, const uint8_t *, size_t),
                                               int *with_chain)
{
    *with_chain = c->client_scheme != 0;
    size_t cap = MSG_HEADER_LEN + 4 + 255 + (*with_chain ? chain_size(&c->cfg->chain) : 0);
    uint8_t *msg = malloc(cap);
    ENSURE(msg, WARD_ERR_NOMEM);
    wr w = wr_of(msg, cap);
    wres r = encode_certificate13(c, &w, *with_chain);
    if (wres_is_ok(r))
        r = send(c, msg, w.len);
    free(msg);
    return r;
}

wres hs_client_send_certificate13(hs_ctx *c, hs_flight *f)
{
    if (!c->cert_requested)
        return wres_ok();
    int with_chain = c->client_scheme != 0;
    GUARD(hs_msg_end(f, encode_certificate13(c, hs_msg_begin(f), with_chain)));
    GUARD(hs_flight_send(f));
    c->client_cert_sent = with_chain;
    if (!with_chain)
        return wres_ok();
    uint8_t content[64 + 34 + CRYPTO_MAX_HASH], sig[CRYPTO_MAX_SIG];
    size_t len, siglen;
    GUARD(hs_cv_content(c, 0, content, sizeof content, &len));
    GUARD(crypto_sign(&c->cfg->key, c->client_scheme, content, len, sig, sizeof sig, &siglen));
    GUARD(hs_msg_end(f, msg_encode_certificate_verify(hs_msg_begin(f), c->client_scheme, sig,
                                                      siglen)));
    return hs_flight_send(f);
}

wres hs_client_send_certificate12(hs_ctx *c, hs_flight *f)
{
    if (!c->cert_requested)
        return wres_ok();
    const crypto_chain *ch = &c->cfg->chain;
    int with_chain = c->client_scheme != 0;
    GUARD(hs_msg_end(f, msg_encode_certificate12(hs_msg_begin(f),
                                                 (const uint8_t *const *)ch->der, ch->len,
                                                 with_chain ? ch->n : 0)));
    GUARD(hs_flight_send(f));
    c->client_cert_sent = with_chain;
    if (!with_chain)
        hs_client_auth_done(c);
    return wres_ok();
}

/* RFC 5246 §7.4.8: after ClientKeyExchange, over every message so far. */
wres hs_client_send_certificate_verify12(hs_ctx *c, hs_flight *f)
{
    if (!c->client_cert_sent)
        return wres_ok();
    ENSURE(c->hs_msgs, WARD_ERR_INTERNAL);
    uint8_t sig[CRYPTO_MAX_SIG];
    size_t siglen;
    GUARD(crypto_sign_tls12(&c->cfg->key, c->client_scheme, c->hs_msgs, c->hs_msgs_len, sig,
                            sizeof sig, &siglen));
    hs_client_auth_done(c);
    GUARD(hs_msg_end(f, msg_encode_certificate_verify(hs_msg_begin(f), c->client_scheme, sig,
                                                      siglen)));
    return hs_flight_send(f);
}

/* ---- TLS 1.3 post-handshake authentication (RFC 8446 §4.6.2) ---- */

static WARD_MUST_CHECK wres pha_start(hs_ctx *c)
{
    pha_end(c);
    GUARD(crypto_hash_copy(&c->pha_hash, &c->pha_base));
    c->pha_hash_on = 1;
    return wres_ok();
}

static WARD_MUST_CHECK wres pha_add(hs_ctx *c, const uint8_t *msg, size_t len)
{
    return crypto_hash_update(&c->pha_hash, msg, len);
}

/* A received message, header included, into this exchange's hash. */
static WARD_MUST_CHECK wres pha_add_received(hs_ctx *c, uint8_t type, span body)
{
    uint8_t head[MSG_HEADER_LEN] = {type, (uint8_t)(body.len >> 16), (uint8_t)(body.len >> 8),
                                    (uint8_t)body.len};
    GUARD(pha_add(c, head, sizeof head));
    return pha_add(c, body.p, body.len);
}

/* A message we send: into the hash, then sealed with the traffic keys. */
static WARD_MUST_CHECK wres pha_send(hs_ctx *c, const uint8_t *msg, size_t len)
{
    GUARD(pha_add(c, msg, len));
    return hs_emit(c, CT_HANDSHAKE, msg, len);
}

/* §4.4.3 over this exchange's hash, with the client's context string. */
static WARD_MUST_CHECK wres pha_cv_content(hs_ctx *c, uint8_t *out, size_t cap, size_t *len)
{
    static const char ctx[] = "TLS 1.3, client CertificateVerify";
    uint8_t h[CRYPTO_MAX_HASH];
    GUARD(crypto_hash_peek(&c->pha_hash, h));
    wr w = wr_of(out, cap);
    uint8_t *spaces = wr_reserve(&w, 64);
    if (spaces)
        memset(spaces, 0x20, 64);
    wr_bytes(&w, ctx, sizeof ctx);
    wr_bytes(&w, h, c->hlen);
    GUARD(wr_status(&w));
    *len = w.len;
    return wres_ok();
}

/* §4.4.4: the Finished of this exchange is keyed from the client
 * application traffic secret in use. */
static WARD_MUST_CHECK wres pha_finished(hs_ctx *c, uint8_t *out)
{
    uint8_t h[CRYPTO_MAX_HASH];
    GUARD(crypto_hash_peek(&c->pha_hash, h));
    return ks_finished(c->hash, c->c_ap, h, out);
}

/* §4.6.2: the request itself (hs_request_client_cert, hs/table.c, lets
 * one be open at a time and then awaits the answer). */
ward_err hs_server_send_pha_request(hs_ctx *c)
{
    if (!c->is_server || c->state != ST_CONNECTED || c->version != WARD_TLS13 ||
        c->close_sent || !c->pha_offered || !c->pha_base_on ||
        c->cfg->client_verify == WARD_CLIENT_CERT_NONE)
        return WARD_ERR_STATE;
    /* §4.6.2: a context unique within the connection */
    c->cert_request_ctx_len = 32;
    wres r = hs_random(c, c->cert_request_ctx, c->cert_request_ctx_len);
    size_t cap = MSG_HEADER_LEN + 1 + 32 + hs_server_cert_request_size(c);
    uint8_t *msg = wres_is_ok(r) ? malloc(cap) : NULL;
    if (wres_is_ok(r) && !msg)
        r = wres_err(WARD_ERR_NOMEM);
    wr w = wr_of(msg, cap);
    if (wres_is_ok(r))
        r = write_cr13(c, &w, c->cert_request_ctx, c->cert_request_ctx_len);
    if (wres_is_ok(r))
        r = pha_start(c);
    if (wres_is_ok(r))
        r = pha_send(c, msg, w.len);
    free(msg);
    if (!wres_is_ok(r)) {
        pha_end(c);
        return r.code;
    }
    return WARD_OK;
}

wres hs_server_on_pha_certificate(hs_ctx *c, span body, span full)
{
    (void)full;
    msg_certificate m;
    GUARD(msg_decode_certificate(body, &m));
    if (m.request_context.len != c->cert_request_ctx_len ||
        memcmp(m.request_context.p, c->cert_request_ctx, c->cert_request_ctx_len) != 0)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "client Certificate does not carry the CertificateRequest's context");
    GUARD(pha_add_received(c, HS_CERTIFICATE, body));
    GUARD(take_client_chain(c, &m));
    /* The engine drops peer_key after every post-handshake message: keep
     * the key for the CertificateVerify to come. */
    c->pha_key = c->peer_key;
    c->peer_key.pkey = NULL;
    return wres_ok();
}

wres hs_server_on_pha_certificate_verify(hs_ctx *c, span body, span full)
{
    (void)full;
    msg_certificate_verify cv;
    GUARD(decode_client_cv(c, body, &cv));
    uint8_t content[64 + 34 + CRYPTO_MAX_HASH];
    size_t len;
    GUARD(pha_cv_content(c, content, sizeof content, &len));
    wres r = crypto_verify(&c->pha_key, cv.scheme, content, len, cv.signature.p,
                           cv.signature.len);
    if (!wres_is_ok(r))
        return verify_failed(c, r, cv.scheme);
    return pha_add_received(c, HS_CERTIFICATE_VERIFY, body);
}

wres hs_server_on_pha_finished(hs_ctx *c, span body, span full)
{
    (void)full;
    span got;
    uint8_t want[CRYPTO_MAX_HASH];
    GUARD(msg_decode_finished(body, c->hlen, &got));
    GUARD(pha_finished(c, want));
    int ok = ward_ct_equal(got.p, want, c->hlen);
    ward_zeroize(want, sizeof want);
    if (!ok)
        return hs_fail(c, WARD_ERR_DECRYPT_ERROR,
                         "the client's post-handshake Finished does not verify");
    pha_end(c);
    if (c->client_cert_pending) {
        c->client_cert_pending = 0;
        c->peer_authenticated = 1;
    }
    return wres_ok();
}

wres hs_client_on_pha_request(hs_ctx *c, span body, span full)
{
    (void)full;
    if (!c->pha_base_on)
        return hs_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                         "server sent a CertificateRequest after the handshake, but ward did "
                         "not offer post-handshake authentication");
    rd r = rd_span(body), ctx, exts;
    GUARD(rd_block8(&r, &ctx));
    GUARD(rd_block16(&r, &exts));
    GUARD(rd_expect_end(&r));
    cr_extensions x = {0};
    GUARD(msg_ext_walk(rd_rest(&exts), cr_extension, &x));
    if (!x.has_sigalgs)
        return hs_fail(c, WARD_ERR_MISSING_EXTENSION,
                         "CertificateRequest lacks signature_algorithms");
    if (c->close_sent) /* §6.1: nothing goes out after our close_notify */
        return wres_ok();
    c->client_scheme = choose_scheme13(c->cfg, x.sigalgs);
    c->cert_request_ctx_len = rd_left(&ctx);
    memcpy(c->cert_request_ctx, ctx.p, c->cert_request_ctx_len);
    GUARD(pha_start(c));
    GUARD(pha_add_received(c, HS_CERTIFICATE_REQUEST, body));

    int with_chain;
    GUARD(send_certificate13(c, pha_send, &with_chain));
    wres res;
    if (with_chain) {
        uint8_t content[64 + 34 + CRYPTO_MAX_HASH], sig[CRYPTO_MAX_SIG];
        uint8_t cv[MSG_HEADER_LEN + 4 + CRYPTO_MAX_SIG];
        size_t len, siglen;
        GUARD(pha_cv_content(c, content, sizeof content, &len));
        GUARD(crypto_sign(&c->cfg->key, c->client_scheme, content, len, sig, sizeof sig,
                          &siglen));
        wr cw = wr_of(cv, sizeof cv);
        GUARD(msg_encode_certificate_verify(&cw, c->client_scheme, sig, siglen));
        GUARD(pha_send(c, cv, cw.len));
    }
    uint8_t vd[CRYPTO_MAX_HASH], fin[MSG_HEADER_LEN + CRYPTO_MAX_HASH];
    GUARD(pha_finished(c, vd));
    wr fw = wr_of(fin, sizeof fin);
    res = msg_encode_finished(&fw, vd, c->hlen);
    ward_zeroize(vd, sizeof vd);
    GUARD(res);
    GUARD(hs_emit(c, CT_HANDSHAKE, fin, fw.len));
    pha_end(c);
    return wres_ok();
}
