/* The client's side of OCSP stapling (RFC 6066 §8, RFC 8446 §4.4.2.1):
 * checking the staple the server sends with its certificate, or noticing
 * that none came when one is required. The check itself (signature,
 * certificate, times, status) is crypto/ocsp.c. */
#include "hs/identity.h"
#include "hs/hs.h"
#include "hs/suites.h"

/* The staple of a chain verified against the trust anchors. With a pin or
 * --insecure there is no anchor to check the responder against: the staple
 * is not looked at, and WARD_OCSP_REQUIRE is refused before the handshake
 * starts (hs_ocsp_client_check_config): a staple required but never read
 * would let a revoked certificate through. */
wres hs_ocsp_client_check(hs_ctx *c, const span *staple)
{
    const ward_config *cfg = c->cfg;
    if (staple && cfg->ocsp_mode == WARD_OCSP_OFF)
        return hs_fail(c, WARD_ERR_UNSUPPORTED_EXTENSION,
                         "server sent an OCSP staple, which ward did not ask for");
    if (!staple) {
        if (cfg->ocsp_mode == WARD_OCSP_REQUIRE)
            return hs_fail(c, WARD_ERR_BAD_CERT_STATUS,
                             "the server sent no OCSP staple, and one is required");
        return wres_ok();
    }
    if (cfg->has_pin || cfg->insecure_no_verify)
        return wres_ok();
    const crypto_trust *trust = config_trust((ward_config *)cfg);
    span certs[CRYPTO_MAX_CHAIN];
    for (size_t i = 0; i < c->peer_chain.n; i++)
        certs[i] = span_of(c->peer_chain.der[i], c->peer_chain.len[i]);
    char msg[256];
    time_t now = ward_time_s(&cfg->prov);
    wres r = crypto_ocsp_check(trust, certs, c->peer_chain.n, staple->p, staple->len, now,
                               cfg->ocsp_max_age, msg, sizeof msg);
    if (!wres_is_ok(r))
        return hs_fail(c, r.code, "%s", msg);
    c->ocsp_status = WARD_OCSP_STATUS_GOOD;
    return wres_ok();
}

/* Before the ClientHello: WARD_OCSP_REQUIRE needs a chain verified against
 * the trust anchors, since the staple's signer is checked against them. */
wres hs_ocsp_client_check_config(hs_ctx *c)
{
    const ward_config *cfg = c->cfg;
    if (cfg->ocsp_mode != WARD_OCSP_REQUIRE || (!cfg->has_pin && !cfg->insecure_no_verify))
        return wres_ok();
    return hs_fail(c, WARD_ERR_CONFIG,
                     "WARD_OCSP_REQUIRE cannot be honoured with %s: a staple is checked against "
                     "the trust anchors, which a %s does not use",
                     cfg->has_pin ? "a pinned key" : "insecure_no_verify",
                     cfg->has_pin ? "pin" : "connection without verification");
}

wres hs_ocsp_client12_on_server_hello(hs_ctx *c, const msg_server_hello *sh)
{
    if (!sh->has_status_request)
        return wres_ok();
    if (c->cfg->ocsp_mode == WARD_OCSP_OFF)
        return hs_fail(c, WARD_ERR_UNSUPPORTED_EXTENSION,
                         "server sent status_request, which ward did not offer");
    c->ocsp_acked = 1;
    c->hs_kind |= HK_OCSP_STATUS; /* a CertificateStatus may follow the Certificate */
    return wres_ok();
}

/* After the TLS 1.2 Certificate: without status_request acknowledged, no
 * staple comes (with it, the table awaits an optional CertificateStatus). */
wres hs_ocsp_client12_after_certificate(hs_ctx *c)
{
    if (!c->ocsp_acked)
        return hs_ocsp_client_check(c, NULL);
    return wres_ok();
}

wres hs_client12_on_certificate_status(hs_ctx *c, span body, span full)
{
    span ocsp;
    wres r = msg_decode_certificate_status(body, &ocsp);
    if (!wres_is_ok(r))
        return hs_fail(c, r.code, "malformed CertificateStatus message");
    GUARD(hs_ocsp_client_check(c, &ocsp));
    return transcript_add(c, full.p, full.len);
}

/* RFC 6066 §8: a server that acknowledged status_request may still send no
 * CertificateStatus (the table runs this when the next message comes). */
wres hs_ocsp_client12_unstapled(hs_ctx *c)
{
    return hs_ocsp_client_check(c, NULL);
}
