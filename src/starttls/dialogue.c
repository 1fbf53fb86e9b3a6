/* The public ward_starttls_* calls and the buffers behind them. */
#include "starttls/dialogue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A parameter we will put on the wire: printable ASCII only, so no
 * caller-supplied name can end a line and start a command of its own;
 * spaces only where the protocol puts free text (the greeting). */
static int param_ok(const char *s, int spaces)
{
    size_t n = strlen(s);
    if (n == 0 || n > STT_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e || (c == ' ' && !spaces))
            return 0;
    }
    return 1;
}

static int param_copy(char *dst, const char *src, const char *dflt, int spaces)
{
    if (!src)
        src = dflt;
    if (!src) {
        dst[0] = 0;
        return 1;
    }
    if (!param_ok(src, spaces))
        return 0;
    memcpy(dst, src, strlen(src) + 1);
    return 1;
}

static int params_copy(ward_starttls *d, const ward_starttls_params *pr)
{
    return param_copy(d->host, pr->host, NULL, 0) &&
           param_copy(d->helo_name, pr->helo_name, "localhost", 0) &&
           param_copy(d->server_name, pr->server_name, "localhost", 0) &&
           param_copy(d->greeting, pr->greeting, NULL, 1);
}

ward_err ward_starttls_new(const ward_starttls_params *params, ward_starttls **out)
{
    if (!out)
        return WARD_ERR_CONFIG;
    *out = NULL;
    if (!params)
        return WARD_ERR_CONFIG;
    const stt_ops *ops = stt_ops_find(params->app, params->server ? 1 : 0);
    if (!ops)
        return WARD_ERR_CONFIG;
    ward_starttls *d = calloc(1, sizeof *d);
    if (!d)
        return WARD_ERR_NOMEM;
    d->ops = ops;
    d->state = WARD_STARTTLS_WAITING;
    if (!params_copy(d, params)) {
        free(d);
        return WARD_ERR_CONFIG;
    }
    if (ops->start) {
        wres r = ops->start(d);
        if (!wres_is_ok(r)) {
            free(d);
            return r.code;
        }
    }
    d->started = 1;
    *out = d;
    return WARD_OK;
}

void ward_starttls_free(ward_starttls *d)
{
    free(d);
}

/* A failure the protocol file did not describe (a full output queue). */
static void fail_plain(ward_starttls *d, ward_err code)
{
    if (d->state == WARD_STARTTLS_FAILED)
        return;
    d->state = WARD_STARTTLS_FAILED;
    d->err = code;
    snprintf(d->msg, sizeof d->msg, "%s", ward_err_str(code));
}

/* Let the protocol consume what it can of the input buffer. */
static void run_input(ward_starttls *d)
{
    while (d->state == WARD_STARTTLS_WAITING && d->in_len > 0) {
        size_t before = d->in_len;
        int step = d->step;
        wres r = d->ops->on_input(d);
        if (!wres_is_ok(r)) {
            fail_plain(d, r.code);
            return;
        }
        if (d->in_len == before && d->step == step)
            return; /* needs more bytes */
    }
}

/* Bytes behind the line that started TLS, in UPGRADE: injection, except
 * for the half whose peer starts TLS unasked (stt_upgrade_tls_follows),
 * where they are more of the TLS stream, kept for ward_starttls_tls_bytes.
 * Bounded: a ClientHello fits in one record (RFC 8446 §5.1). */
static ward_err after_upgrade(ward_starttls *d, const uint8_t *p, size_t n)
{
    if (!d->tls_follows)
        return stt_injection(d, p, n).code;
    if (d->in_off > 0) {
        memmove(d->in, d->in + d->in_off, d->in_len);
        d->in_off = 0;
    }
    if (n > STT_IN_MAX - d->in_len)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the peer sent more than %d bytes of TLS before the handshake started",
                        STT_IN_MAX)
            .code;
    memcpy(d->in + d->in_len, p, n);
    d->in_len += n;
    return WARD_OK;
}

ward_err ward_starttls_recv(ward_starttls *d, const uint8_t *p, size_t n)
{
    if (!d || (!p && n))
        return WARD_ERR_CONFIG;
    if (d->state == WARD_STARTTLS_FAILED)
        return d->err;
    if (d->state == WARD_STARTTLS_DONE)
        return n ? WARD_ERR_STATE : WARD_OK;
    if (d->state == WARD_STARTTLS_UPGRADE && n > 0)
        return after_upgrade(d, p, n);
    while (n > 0) {
        if (d->in_off > 0) { /* keep the unconsumed bytes at the front */
            memmove(d->in, d->in + d->in_off, d->in_len);
            d->in_off = 0;
        }
        size_t take = STT_IN_MAX - d->in_len;
        if (take > n)
            take = n;
        memcpy(d->in + d->in_len, p, take);
        d->in_len += take;
        p += take;
        n -= take;
        run_input(d);
        if (d->state == WARD_STARTTLS_FAILED)
            return d->err;
        if (d->state == WARD_STARTTLS_WAITING && d->in_len == STT_IN_MAX)
            return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                            "the peer sent %d bytes the dialogue could not use", STT_IN_MAX)
                .code;
        if (d->state == WARD_STARTTLS_UPGRADE && n > 0)
            return after_upgrade(d, p, n);
        if (d->state == WARD_STARTTLS_DONE && (d->in_len > 0 || n > 0))
            return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                            "the peer sent %zu bytes past the end of the dialogue",
                            d->in_len + n)
                .code;
    }
    return WARD_OK;
}

size_t ward_starttls_output(ward_starttls *d, const uint8_t **p)
{
    if (!d || !p)
        return 0;
    *p = d->out;
    return d->out_len;
}

void ward_starttls_output_done(ward_starttls *d, size_t n)
{
    if (!d)
        return;
    if (n > d->out_len)
        n = d->out_len;
    memmove(d->out, d->out + n, d->out_len - n);
    d->out_len -= n;
}

size_t ward_starttls_tls_bytes(ward_starttls *d, const uint8_t **p)
{
    if (p)
        *p = NULL;
    if (!d || !p || d->state != WARD_STARTTLS_UPGRADE || !d->tls_follows)
        return 0;
    size_t n = d->in_len;
    *p = d->in + d->in_off;
    /* Handed over: forgotten, though left in place until the next call. */
    d->in_off = d->in_len = 0;
    return n;
}

ward_starttls_state ward_starttls_get_state(const ward_starttls *d)
{
    return d ? d->state : WARD_STARTTLS_FAILED;
}

ward_err ward_starttls_secured(ward_starttls *d)
{
    if (!d || d->state != WARD_STARTTLS_UPGRADE)
        return WARD_ERR_STATE;
    d->state = WARD_STARTTLS_WAITING;
    d->secured = 1;
    d->tls_follows = 0;
    d->in_off = d->in_len = 0;
    wres r = d->ops->on_secured ? d->ops->on_secured(d) : stt_done(d);
    if (!wres_is_ok(r)) {
        fail_plain(d, r.code);
        return d->err;
    }
    return WARD_OK;
}

ward_err ward_starttls_error(const ward_starttls *d)
{
    return d ? d->err : WARD_ERR_CONFIG;
}

const char *ward_starttls_error_message(const ward_starttls *d)
{
    if (!d)
        return "no dialogue";
    return d->err == WARD_OK ? "" : d->msg;
}

void ward_starttls_set_log(ward_starttls *d, ward_starttls_log_fn fn, void *arg)
{
    if (!d)
        return;
    d->log = fn;
    d->log_arg = fn ? arg : NULL;
    stt_log_replay(d);
}
