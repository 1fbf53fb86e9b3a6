/* The application's verify callback (ward_config_set_verify_callback):
 * its decision on the peer's chain replaces or keeps ward's verdict, and
 * is what the trace then reports. */
#include <stdio.h>
#include <string.h>

#include "hs/config.h"
#include "hs/state.h"

/* An accepted chain whose verification failed may not have given its key
 * yet (the verifiers hand it over only on success): take it from the leaf. */
static WARD_MUST_CHECK wres accept_over(hs_ctx *c)
{
    c->err->code = WARD_OK;
    c->err->msg[0] = '\0';
    c->err->alert = 0;
    if (c->peer_key.pkey)
        return wres_ok();
    wres r = crypto_key_from_cert(&c->peer_key, c->peer_chain.der[0], c->peer_chain.len[0]);
    if (!wres_is_ok(r))
        return hs_fail(c, r.code, "cannot read the public key of the peer's certificate");
    return wres_ok();
}

/* A refusal replaces whatever ward had found: the application's alert. */
static WARD_MUST_CHECK wres refuse(hs_ctx *c, ward_err verdict, int alert)
{
    const char *was = verdict == WARD_OK ? "" : ward_err_str(verdict);
    c->err->code = WARD_OK; /* the application's message wins over ward's */
    wres r = hs_fail(c, WARD_ERR_BAD_CERTIFICATE,
                     "the application's verify callback refused the %s certificate (alert "
                     "%s)%s%s",
                     c->is_server ? "client's" : "server's", ward_alert_name(alert),
                     was[0] ? "; ward's verdict: " : "", was);
    c->err->alert = alert;
    return r;
}

wres hs_verify_decide(hs_ctx *c, wres r)
{
    const ward_config *cfg = c->cfg;
    size_t n = c->peer_chain.n;
    if (!cfg->verify_fn || n == 0)
        return r;
    const uint8_t *ders[CRYPTO_MAX_CHAIN];
    size_t lens[CRYPTO_MAX_CHAIN];
    for (size_t i = 0; i < n; i++) {
        ders[i] = c->peer_chain.der[i];
        lens[i] = c->peer_chain.len[i];
    }
    /* The handshake's output context is always its connection (conn.c). */
    const ward_conn *conn = c->out.ctx;
    int d = cfg->verify_fn(cfg->verify_arg, conn, r.code, ders, lens, n);
    if (d == WARD_VERIFY_DEFAULT)
        return r;
    if (d == WARD_VERIFY_ACCEPT)
        return wres_is_ok(r) ? r : accept_over(c);
    if (d < 1 || d > 255)
        d = WARD_ALERT_INTERNAL_ERROR;
    return refuse(c, r.code, d);
}
