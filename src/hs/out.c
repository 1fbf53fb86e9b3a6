/* The handshake's side of hs_out: every byte, key and secret the handshake
 * produces leaves through these, and every failure is recorded here. */
#include <time.h>

#include "hs/hs.h"

WARD_MUST_CHECK wres hs_fail(hs_ctx *c, ward_err code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wres r = errbox_vset(c->err, code, fmt, ap);
    va_end(ap);
    return r;
}

wres hs_emit(hs_ctx *c, uint8_t type, const uint8_t *data, size_t len)
{
    return c->out.ops->emit(c->out.ctx, type, data, len);
}

wres hs_send_ccs(hs_ctx *c)
{
    if (c->ccs_sent)
        return wres_ok();
    c->ccs_sent = 1;
    return hs_emit(c, HS_EMIT_COMPAT_CCS, NULL, 0);
}

void hs_report_secret(hs_ctx *c, const char *label, const uint8_t *secret)
{
    hs_report_secret_len(c, label, secret, c->hlen);
}

void hs_report_secret_len(hs_ctx *c, const char *label, const uint8_t *secret, size_t len)
{
    c->out.ops->event(c->out.ctx, HS_EV_SECRET, label, secret, len);
}

void hs_event(hs_ctx *c, hs_event_kind kind, const uint8_t *data, size_t len)
{
    c->out.ops->event(c->out.ctx, kind, NULL, data, len);
}

void hs_report_verdict(hs_ctx *c, wres r)
{
    int ok = wres_is_ok(r);
    c->out.ops->event(c->out.ctx, HS_EV_VERIFIED, ok ? NULL : c->err->msg, NULL, (size_t)ok);
}

void hs_tune_record(hs_ctx *c, hs_tune what, size_t value)
{
    c->out.ops->tune(c->out.ctx, what, value);
}

/* The configuration's clock (ward_config_set_clock, base/clock.c). */
time_t hs_now(const hs_ctx *c) { return ward_time_s(&c->cfg->prov); }
