/* What the TLS 1.3 and 1.2 clients share (client.c, client12.c): the
 * transcript started from the kept ClientHello, the key shares dropped,
 * the server's ALPN choice checked, and the server's chain taken and
 * authenticated. A file of its own, so that client.c (which hands a 1.2
 * ServerHello to client12.c) and client12.c call down into it, never
 * into each other. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/mem.h"
#include "hs/hs.h"
#include "msg/msg.h"

void hs_client_drop_key_shares(hs_ctx *c)
{
    for (size_t i = 0; i < WARD_MAX_KEY_SHARES; i++) {
        crypto_kex_free(&c->kex[i]);
        free(c->kex_pub[i]);
        c->kex_pub[i] = NULL;
    }
    c->n_kex = 0;
}

/* Start the transcript once the suite is known: the kept ClientHello. */
wres hs_client_start_transcript(hs_ctx *c)
{
    GUARD(transcript_start(c, c->hash));
    GUARD(transcript_add(c, c->client_hello, c->client_hello_len));
    ward_free_secret(c->client_hello, c->client_hello_len);
    c->client_hello = NULL;
    c->client_hello_len = 0;
    return wres_ok();
}

/* RFC 7301 §3.2: the server's choice must be one we offered. */
wres hs_client_check_alpn(hs_ctx *c, span alpn)
{
    const ward_config *cfg = c->cfg;
    if (cfg->alpn_len == 0)
        return hs_fail(c, WARD_ERR_UNSUPPORTED_EXTENSION,
                         "server selected ALPN, which ward did not offer");
    if (!msg_alpn_list_has(span_of(cfg->alpn, cfg->alpn_len), alpn.p, alpn.len))
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "server selected an ALPN protocol ward did not offer");
    memcpy(c->alpn, alpn.p, alpn.len);
    c->alpn[alpn.len] = '\0';
    return wres_ok();
}

static void hex32(const uint8_t *b, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[64] = '\0';
}

/* Authenticate the server's chain and take the leaf's public key into
 * c->peer_key: against the trust anchors and host name, against a pinned
 * key, or (explicit opt-out) not at all. */
wres hs_client_verify_chain(hs_ctx *c)
{
    const ward_config *cfg = c->cfg;
    const uint8_t *leaf = c->peer_chain.der[0];
    size_t leaf_len = c->peer_chain.len[0];
    char msg[256] = "";
    time_t now = ward_time_s(&cfg->prov);
    wres r = wres_ok();
    if (cfg->has_pin) {
        uint8_t spki[32];
        GUARD(crypto_cert_spki_sha256(leaf, leaf_len, spki));
        if (!ward_ct_equal(spki, cfg->pin, 32)) {
            char got[65], want[65];
            hex32(spki, got);
            hex32(cfg->pin, want);
            return hs_fail(c, WARD_ERR_PIN_MISMATCH,
                             "certificate key sha256:%s does not match the pin sha256:%s", got,
                             want);
        }
        r = crypto_cert_check_time(leaf, leaf_len, now, msg, sizeof msg);
    } else if (!cfg->insecure_no_verify) {
        const crypto_trust *trust = config_trust((ward_config *)cfg);
        if (!trust)
            return hs_fail(c, WARD_ERR_CERT_UNKNOWN,
                             "no trust anchors could be loaded to verify the certificate");
        span certs[CRYPTO_MAX_CHAIN];
        for (size_t i = 0; i < c->peer_chain.n; i++)
            certs[i] = span_of(c->peer_chain.der[i], c->peer_chain.len[i]);
        const char *host = c->verify_name[0]  ? c->verify_name
                           : c->server_name[0] ? c->server_name
                                               : NULL;
        if (!host && !cfg->skip_hostname_check) /* check_who let it start: never */
            return hs_fail(c, WARD_ERR_INTERNAL, "no server name to verify the certificate");
        r = crypto_chain_verify_key(trust, certs, c->peer_chain.n, host, now, msg, sizeof msg,
                                    &c->peer_key);
        if (wres_is_ok(r))
            return r; /* the key came with the verification */
    }
    if (!wres_is_ok(r))
        return hs_fail(c, r.code, "%s", msg);
    r = crypto_key_from_cert(&c->peer_key, leaf, leaf_len);
    if (!wres_is_ok(r))
        return hs_fail(c, r.code, "cannot read the public key of the server's certificate");
    return wres_ok();
}

/* Both versions: keep the server's chain, add its message to the
 * transcript, authenticate it, hold its key to ward's size rule (a
 * verified chain was held to it certificate by certificate; a pinned or
 * unverified leaf is held to it here) and its keyUsage to the use the
 * negotiated version and suite make of it, verified, pinned or not. */
wres hs_client_take_chain(hs_ctx *c, const msg_certificate *m, span full)
{
    for (size_t i = 0; i < m->n; i++)
        GUARD(crypto_chain_add_der(&c->peer_chain, m->certs[i].p, m->certs[i].len));
    GUARD(transcript_add(c, full.p, full.len));
    wres r = hs_client_verify_chain(c);
    if (wres_is_ok(r))
        r = hs_peer_key_strength(c, "server");
    if (wres_is_ok(r))
        r = hs_client_check_server_usage(c);
    r = hs_verify_decide(c, r);
    hs_report_verdict(c, r);
    return r;
}
