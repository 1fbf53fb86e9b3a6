/* The sans-I/O engine (DESIGN.md): bytes in, bytes out, plaintext in and
 * out. Records are opened one at a time and dispatched by content type:
 *   handshake → reassemble → hs_handle;  alert → close or fail;
 *   change_cipher_spec → dropped where RFC 8446 §5 allows it;
 *   application_data → the plaintext queue. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/mem.h"
#include "base/byteq.h"
#include "conn/internal.h"
#include "hs/psk.h"
#include "msg/msg.h"

WARD_MUST_CHECK wres conn_fail(ward_conn *c, ward_err code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wres r = errbox_vset(&c->err, code, fmt, ap);
    va_end(ap);
    return r;
}

uint64_t conn_elapsed_ms(const ward_conn *c)
{
    return ward_time_ms(&c->cfg->prov, WARD_CLOCK_MONOTONIC) - c->started_ms;
}

void conn_report_secret_len(ward_conn *c, const char *label, const uint8_t *secret,
                            size_t len)
{
    const ward_test_hooks *h = c->cfg->hooks;
    if (h && h->on_secret)
        h->on_secret(h->arg, label, secret, len);
    keylog_write(c, label, secret, len);
    conn_trace_secret(c, label, secret, len);
}

wres conn_send_records(ward_conn *c, uint8_t type, const uint8_t *data, size_t len)
{
    do {
        size_t chunk = len < c->send_limit ? len : c->send_limit;
        GUARD(conn_check_write_key(c, type)); /* §5.5 (conn/key_limit.c) */
        size_t need = rec_sealed_len(&c->wdir, chunk, 0);
        uint8_t *dst = byteq_reserve(&c->out, need);
        ENSURE(dst, WARD_ERR_NOMEM);
        size_t n;
        GUARD(rec_seal(&c->wdir, type, data, chunk, 0, dst, need, &n));
        byteq_commit(&c->out, n);
        if (type == CT_APPLICATION_DATA)
            c->hs.ku_answered = 0; /* the key has carried data: a new request needs an answer */
        if (chunk) {
            data += chunk;
            len -= chunk;
        }
    } while (len > 0);
    return wres_ok();
}

/* ---- hs_out: what the handshake may do to the connection ---- */

static WARD_MUST_CHECK wres out_emit(void *ctx, uint8_t type, const uint8_t *data, size_t len)
{
    ward_conn *c = ctx;
    if (type == HS_EMIT_COMPAT_CCS) {
        /* Always unprotected (§5): type 20, legacy version 0x0303, one byte 1. */
        static const uint8_t ccs[] = {CT_CHANGE_CIPHER_SPEC, 0x03, 0x03, 0x00, 0x01, 0x01};
        conn_trace_ccs(c, 1);
        return byteq_append(&c->out, ccs, sizeof ccs);
    }
    if (type == CT_HANDSHAKE)
        conn_trace_sent(c, data, len);
    else if (type == CT_CHANGE_CIPHER_SPEC)
        conn_trace_ccs(c, 1);
    return conn_send_records(c, type, data, len);
}

static WARD_MUST_CHECK wres out_set_keys(void *ctx, const hs_keys *k)
{
    ward_conn *c = ctx;
    rec_dir *d = k->write ? &c->wdir : &c->rdir;
    conn_trace_keys(c, k->write, k->secret || k->key ? k->protection : WARD_PROT_NONE);
    if (!k->write)
        c->keys_changed = 1;
    if (k->secret)
        return rec_dir_install(d, k->aead, k->hash, k->secret, k->write);
    if (k->key)
        return rec_dir_install12(d, k->aead, k->key, k->iv, k->write);
    rec_dir_clear(d);
    rec_dir_init(d);
    return wres_ok();
}

static void out_tune(void *ctx, hs_tune what, size_t value)
{
    ward_conn *c = ctx;
    switch (what) {
    case HS_TUNE_WIRE_VERSION: c->wdir.wire_version = (uint16_t)value; break;
    case HS_TUNE_SEND_LIMIT:
        if (value < c->send_limit)
            c->send_limit = value;
        break;
    case HS_TUNE_READ_LIMIT: rec_dir_set_max_inner(&c->rdir, value); break;
    }
}

static void out_event(void *ctx, hs_event_kind kind, const char *label, const uint8_t *data,
                      size_t len)
{
    ward_conn *c = ctx;
    switch (kind) {
    case HS_EV_SECRET: conn_report_secret_len(c, label, data, len); break;
    case HS_EV_CLIENT_TRAFFIC_UPDATE: keylog_traffic_update(c, 1, data); break;
    case HS_EV_SERVER_TRAFFIC_UPDATE: keylog_traffic_update(c, 0, data); break;
    case HS_EV_APP_READ: c->read_app_keys = 1; break;
    case HS_EV_VERIFIED: conn_trace_verdict(c, len != 0, label); break;
    }
}

static const hs_out_ops conn_out_ops = {out_emit, out_set_keys, out_tune, out_event};

/* INFO, once: a handshake completed, with what it agreed on (TLS 1.3
 * tickets and KeyUpdates arrive in the connected state too). */
static void log_done(ward_conn *c)
{
    if (c->done_logged)
        return;
    c->done_logged = 1;
    const char *suite = ward_suite_name(c->hs.suite);
    config_log(c->cfg, WARD_LOG_INFO, "%s handshake done: %s, %s, server name %s",
               c->is_server ? "server" : "client",
               c->hs.version == WARD_TLS13 ? "TLS 1.3" : "TLS 1.2", suite ? suite : "?",
               c->hs.server_name[0] ? c->hs.server_name : "(none)");
}

static void send_alert(ward_conn *c, uint8_t level, uint8_t desc)
{
    uint8_t a[2] = {level, desc};
    conn_trace_alert(c, 1, level, desc);
    /* Best effort: a failure to queue an alert changes nothing. */
    wres_ignore(conn_send_records(c, CT_ALERT, a, sizeof a));
}

/* Enter the failed state once, queueing the alert the error maps to. */
static ward_err conn_die(ward_conn *c, wres r)
{
    if (c->hs.state == ST_FAILED)
        return c->err.code;
    wres_ignore(conn_fail(c, r.code, NULL)); /* it records the error; r says it already */
    if (c->err.msg[0] == '\0')
        snprintf(c->err.msg, sizeof c->err.msg, "%s", ward_err_str(c->err.code));
    config_log(c->cfg, WARD_LOG_ERROR, "%s connection failed: %s",
               c->is_server ? "server" : "client", c->err.msg);
    int alert = c->err.alert > 0 ? c->err.alert : ward_err_alert(c->err.code);
    if (c->hs.refuse_alert > 0) /* a callback chose it (hs/hello_cb.c) */
        alert = c->hs.refuse_alert;
    if (alert >= 0)
        send_alert(c, ALERT_FATAL, (uint8_t)alert);
    hs_table_fail(&c->hs);
    byteq_free(&c->in);
    byteq_free(&c->app);
    return c->err.code;
}

ward_err conn_abort(ward_conn *c, ward_err code, const char *msg)
{
    wres_ignore(conn_fail(c, code, "%s", msg)); /* records the message conn_die keeps */
    return conn_die(c, wres_err(code));
}

ward_conn *ward_conn_new(const ward_config *cfg, const char *server_name)
{
    return ward_conn_new_resuming(cfg, server_name, NULL, NULL, 0);
}

ward_conn *ward_conn_new_resuming(const ward_config *cfg, const char *server_name,
                                  const ward_session *session, const uint8_t *early_data,
                                  size_t early_len)
{
    ward_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    config_hold(cfg); /* dropped by ward_conn_free */
    c->cfg = cfg;
    c->is_server = cfg->is_server;
    hs_init(&c->hs, cfg, &c->err, (hs_out){&conn_out_ops, c});
    c->hs.conn = c;
    rec_dir_init(&c->rdir);
    rec_dir_init(&c->wdir);
    c->out.wire_only = 1;
    hs_reasm_init(&c->reasm, cfg->limits.max_handshake_message);
    c->started_ms = ward_time_ms(&cfg->prov, WARD_CLOCK_MONOTONIC);
    c->send_limit = REC_MAX_PLAINTEXT;
    c->peer_alert = -1;
    if (server_name) {
        size_t n = strlen(server_name);
        if (n > WARD_MAX_NAME) {
            ward_conn_free(c);
            return NULL;
        }
        memcpy(c->hs.server_name, server_name, n + 1);
    }
    if (c->is_server)
        return c;
    wres r = wres_ok();
    if (session && !(c->hs.offer = ward_session_dup(session)))
        r = wres_err(WARD_ERR_NOMEM);
    if (wres_is_ok(r) && session && early_len) {
        if (!(c->hs.early_out = malloc(early_len))) {
            r = wres_err(WARD_ERR_NOMEM);
        } else {
            memcpy(c->hs.early_out, early_data, early_len);
            c->hs.early_out_len = early_len;
        }
    }
    if (wres_is_ok(r))
        r = hs_begin(&c->hs);
    int unsent = byteq_size(&c->out) == 0;
    if (!wres_is_ok(r))
        conn_die(c, r);
    if (!wres_is_ok(r) && unsent) /* no ClientHello went out: no alert either */
        byteq_free(&c->out);
    return c;
}

void ward_conn_free(ward_conn *c)
{
    if (!c)
        return;
    rec_dir_clear(&c->rdir);
    rec_dir_clear(&c->wdir);
    hs_reasm_free(&c->reasm);
    byteq_free(&c->in);
    byteq_free(&c->out);
    byteq_free(&c->app);
    hs_free(&c->hs);
    const ward_config *cfg = c->cfg;
    ward_zeroize(c, sizeof *c);
    free(c);
    config_release(cfg); /* last: may free the configuration */
}

/* §5: a change_cipher_spec of the single byte 1 is dropped between the
 * first ClientHello and the peer's Finished; anything else is fatal. */
static WARD_MUST_CHECK wres handle_ccs(ward_conn *c, span payload)
{
    conn_trace_ccs(c, 0);
    if (c->hs.version == WARD_TLS12)
        return hs12_on_ccs(&c->hs, payload);
    int started = c->is_server ? c->hs.state != ST_SERVER_WAIT_CH || c->hs.did_hrr
                               : c->hs.state != ST_CLIENT_START;
    if (!started || c->hs.peer_finished)
        return conn_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                         "unexpected change_cipher_spec record");
    if (payload.len != 1 || payload.p[0] != 1)
        return conn_fail(c, WARD_ERR_UNEXPECTED_MESSAGE, "malformed change_cipher_spec record");
    return wres_ok();
}

static WARD_MUST_CHECK wres handle_alert(ward_conn *c, span payload)
{
    if (payload.len != 2)
        return conn_fail(c, WARD_ERR_DECODE, "malformed alert record");
    uint8_t desc = payload.p[1];
    conn_trace_alert(c, 0, payload.p[0], desc);
    if (desc == WARD_ALERT_CLOSE_NOTIFY) {
        if (c->hs.state != ST_CONNECTED) {
            c->peer_alert = desc;
            return conn_fail(c, WARD_ERR_PEER_ALERT,
                             "peer closed the connection during the handshake");
        }
        c->close_received = 1;
        return wres_ok();
    }
    /* user_canceled (either version) and TLS 1.2 warnings such as
     * no_renegotiation do not end the connection, up to a limit. */
    /* Before the version is known, a TLS 1.2 server may warn too (RFC 6066
     * §3: unrecognized_name before its ServerHello). */
    int tls12_rules = c->hs.version == WARD_TLS12 || (c->hs.version == 0 && !c->is_server);
    if (payload.p[0] == ALERT_WARNING && (desc == WARD_ALERT_USER_CANCELED || tls12_rules)) {
        if (++c->warning_alerts > c->cfg->limits.max_warning_alerts)
            return conn_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                             "peer sent more than %u warning alerts",
                             c->cfg->limits.max_warning_alerts);
        return wres_ok();
    }
    /* §6.2: every other alert in TLS 1.3 ends the connection. */
    c->err.code = WARD_ERR_PEER_ALERT;
    c->peer_alert = desc;
    snprintf(c->err.msg, sizeof c->err.msg, "peer sent alert %s (%u)", ward_alert_name(desc),
             desc);
    return wres_err(WARD_ERR_PEER_ALERT);
}

/* Server: a ClientHello may come now (the first, or a retry's second). */
static int awaiting_client_hello(const ward_conn *c)
{
    return c->is_server && (c->hs.state == ST_SERVER_WAIT_CH || c->hs.state == ST_SERVER_WAIT_CH2);
}

static WARD_MUST_CHECK wres handle_handshake_payload(ward_conn *c, span payload)
{
    /* A ClientHello may be as large as the protocol allows
     * (MSG_CLIENT_HELLO_MAX, over the default max_handshake_message), and
     * only while one is awaited. Its size is bounded by the protocol, so
     * its bytes are not charged to max_handshake_bytes either: two
     * hellos of a retry would exceed the default on their own. */
    int hello = awaiting_client_hello(c);
    hs_reasm_allow(&c->reasm, HS_CLIENT_HELLO, hello ? MSG_CLIENT_HELLO_MAX : 0);
    if (c->hs.state != ST_CONNECTED && !hello) {
        c->hs_bytes += payload.len;
        if (c->hs_bytes > c->cfg->limits.max_handshake_bytes)
            return conn_fail(c, WARD_ERR_HANDSHAKE_FAILURE,
                             "handshake exceeds the limit of %zu bytes",
                             c->cfg->limits.max_handshake_bytes);
    }
    GUARD(hs_reasm_add(&c->reasm, payload.p, payload.len));
    for (;;) {
        int have;
        uint8_t type;
        span body, full;
        GUARD(hs_reasm_next(&c->reasm, &have, &type, &body, &full));
        if (!have)
            return wres_ok();
        c->keys_changed = 0;
        conn_trace_received(c, full);
        wres r = hs_handle(&c->hs, type, body, full);
        hs_reasm_consume(&c->reasm);
        GUARD(r);
        if (c->hs.state == ST_CONNECTED) {
            hs_handshake_done(&c->hs);
            conn_trace_done(c);
            log_done(c);
        }
        /* §5.1: a message that changes keys must end its record. */
        if (c->keys_changed && !hs_reasm_empty(&c->reasm))
            return conn_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                             "handshake data after a key change in the same record");
    }
}

static WARD_MUST_CHECK wres handle_app_data(ward_conn *c, span payload)
{
    if (c->hs.state == ST_SERVER_WAIT_EOED)
        return hs_server_take_early_data(&c->hs, payload);
    if (!c->read_app_keys)
        return conn_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                         "application data before the handshake finished");
    if (c->close_received)
        return conn_fail(c, WARD_ERR_UNEXPECTED_MESSAGE, "application data after close_notify");
    return byteq_append(&c->app, payload.p, payload.len);
}

static WARD_MUST_CHECK wres dispatch_record(ward_conn *c, uint8_t type, span payload);

/* A record that did not open: say which limit an overflow broke. */
static WARD_MUST_CHECK wres open_failed(ward_conn *c, wres r)
{
    if (r.code == WARD_ERR_RECORD_OVERFLOW && c->rdir.protected_ && !c->rdir.tls12)
        return conn_fail(c, r.code,
                         "peer sent a record whose plaintext, padding included, exceeds %zu "
                         "bytes (RFC 8446 §5.4, RFC 8449 §4)",
                         c->rdir.max_inner);
    return r;
}

static WARD_MUST_CHECK wres handle_record(ward_conn *c, uint8_t *rec, size_t total)
{
    uint8_t type;
    span payload;
    /* §4.2.10: a server that did not take the client's 0-RTT skips those
     * records (it cannot read them), up to a bound (hs/psk.c). */
    if (c->is_server && c->hs.early_skipping && rec[0] == CT_APPLICATION_DATA &&
        c->hs.state != ST_CONNECTED) {
        wres r = c->rdir.protected_ ? rec_open(&c->rdir, rec, total, &type, &payload)
                                    : wres_err(WARD_ERR_BAD_RECORD_MAC);
        if (!wres_is_ok(r))
            return hs_server_skip_early(&c->hs, total, &c->empty_records);
        c->hs.early_skipping = 0; /* the first record that opens ends the skipping */
    } else {
        /* §5: once TLS 1.3 keys are in, only change_cipher_spec travels in
         * the clear; say what came instead (a peer's plaintext alert, often). */
        if (c->rdir.protected_ && !c->rdir.tls12 && rec[0] != CT_APPLICATION_DATA &&
            rec[0] != CT_CHANGE_CIPHER_SPEC)
            return conn_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                             "peer sent a record of type %u (%s) in the clear after encryption "
                             "started",
                             rec[0],
                             rec[0] == CT_ALERT       ? "an alert"
                             : rec[0] == CT_HANDSHAKE ? "handshake"
                                                      : "unknown");
        if (rec[0] != CT_CHANGE_CIPHER_SPEC)
            GUARD(conn_check_read_key(c)); /* §5.5 (conn/key_limit.c) */
        wres r = rec_open(&c->rdir, rec, total, &type, &payload);
        if (!wres_is_ok(r))
            return open_failed(c, r);
    }
    return dispatch_record(c, type, payload);
}

/* One opened record, by its (inner) content type. */
static WARD_MUST_CHECK wres dispatch_record(ward_conn *c, uint8_t type, span payload)
{
    /* Empty records cost the peer nothing and us a decryption each. */
    if (payload.len == 0) {
        if (++c->empty_records > c->cfg->limits.max_empty_records)
            return conn_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                             "peer sent more than %u empty records in a row",
                             c->cfg->limits.max_empty_records);
    } else {
        c->empty_records = 0;
    }
    /* Handshake messages may not interleave with other record types. */
    if (type != CT_HANDSHAKE && !hs_reasm_empty(&c->reasm))
        return conn_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                         "record of another type inside a fragmented handshake message");
    switch (type) {
    case CT_CHANGE_CIPHER_SPEC: return handle_ccs(c, payload);
    case CT_ALERT: return handle_alert(c, payload);
    case CT_HANDSHAKE: return handle_handshake_payload(c, payload);
    case CT_APPLICATION_DATA: return handle_app_data(c, payload);
    default: return conn_fail(c, WARD_ERR_UNEXPECTED_MESSAGE, "unknown record type %u", type);
    }
}

/* The very first bytes are not a TLS record: most often a plaintext
 * service on that port (HTTP, SMTP, ...). Say so, with what it sent. */
static void describe_not_tls(ward_conn *c, const uint8_t *p, size_t n)
{
    char shown[33];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof shown - 1; i++)
        shown[k++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '.';
    shown[k] = '\0';
    /* Only the message: the caller returns the error it met. */
    wres_ignore(conn_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                          "the peer did not speak TLS (it sent \"%s\"): %s", shown,
                          c->is_server ? "a plaintext client on a TLS port?"
                                       : "wrong port, or a service that needs STARTTLS first?"));
}

/* The common case once connected (TLS 1.3): nothing buffered and whole
 * records in the caller's bytes. Each is decrypted straight into the
 * plaintext queue, with no copy into the input queue first. Returns the
 * bytes taken; stops at anything else (a partial record, a malformed
 * header), which the general path then handles. */
static size_t recv_direct(ward_conn *c, const uint8_t *data, size_t len, wres *r)
{
    size_t used = 0;
    *r = wres_ok();
    while (c->hs.state == ST_CONNECTED && c->rdir.protected_ && !c->rdir.tls12 &&
           !c->close_received && hs_reasm_empty(&c->reasm) && len - used > 0) {
        size_t total;
        if (!wres_is_ok(rec_dir_peek(&c->rdir, data + used, len - used, &total)) || total == 0 ||
            data[used] != CT_APPLICATION_DATA)
            break;
        uint8_t *dst = byteq_reserve(&c->app, total);
        if (!dst) {
            *r = wres_err(WARD_ERR_NOMEM);
            return used;
        }
        uint8_t type;
        span payload;
        *r = conn_check_read_key(c);
        if (!wres_is_ok(*r))
            return used;
        *r = rec_open_into(&c->rdir, data + used, total, dst, total, &type, &payload);
        if (!wres_is_ok(*r)) {
            *r = open_failed(c, *r);
            return used;
        }
        used += total;
        if (type == CT_APPLICATION_DATA && payload.len > 0) {
            c->empty_records = 0;
            byteq_commit(&c->app, payload.len);
            continue;
        }
        /* An alert, a post-handshake message or an empty record, decrypted
         * into the queue's spare room: handled from there, then wiped. */
        *r = type == CT_APPLICATION_DATA ? dispatch_record(c, type, span_of(NULL, 0))
                                         : dispatch_record(c, type, payload);
        ward_zeroize(dst, total);
        if (!wres_is_ok(*r))
            return used;
    }
    return used;
}

/* The peer's fatal alert ended it: nothing to send back, but logged as a
 * failure like any other. */
static ward_err conn_peer_ended(ward_conn *c)
{
    config_log(c->cfg, WARD_LOG_ERROR, "%s connection failed: %s",
               c->is_server ? "server" : "client", c->err.msg);
    hs_table_fail(&c->hs);
    return c->err.code;
}

ward_err ward_conn_recv(ward_conn *c, const uint8_t *data, size_t len)
{
    if (c->hs.state == ST_FAILED)
        return c->err.code;
    if (c->close_received)
        return WARD_CLOSED;
    wres r = wres_ok();
    if (byteq_size(&c->in) == 0) {
        size_t used = recv_direct(c, data, len, &r);
        data += used;
        len -= used;
        if (!wres_is_ok(r)) {
            if (r.code == WARD_ERR_PEER_ALERT)
                return conn_peer_ended(c);
            return conn_die(c, r);
        }
        if (len == 0 || c->close_received) {
            if (hs_reasm_empty(&c->reasm))
                hs_reasm_free(&c->reasm);
            return WARD_OK;
        }
    }
    r = byteq_append(&c->in, data, len);
    if (!wres_is_ok(r))
        return conn_die(c, r);
    while (!c->close_received) {
        size_t total;
        r = rec_dir_peek(&c->rdir, byteq_data(&c->in), byteq_size(&c->in), &total);
        if (!wres_is_ok(r)) {
            if (!c->records_seen && r.code == WARD_ERR_UNEXPECTED_MESSAGE)
                describe_not_tls(c, byteq_data(&c->in), byteq_size(&c->in));
            return conn_die(c, r);
        }
        if (total == 0)
            break;
        /* Records are opened in place inside the input queue. */
        c->records_seen = 1;
        r = handle_record(c, c->in.buf + c->in.off, total);
        byteq_consume(&c->in, total);
        if (!wres_is_ok(r)) {
            if (r.code == WARD_ERR_PEER_ALERT) /* nothing to send back */
                return conn_peer_ended(c);
            return conn_die(c, r);
        }
    }
    byteq_release_if_empty(&c->in);
    if (hs_reasm_empty(&c->reasm))
        hs_reasm_free(&c->reasm);
    return WARD_OK;
}

/* What the views point to when there is nothing: never NULL, so callers
 * may pass a view straight to memcpy or send. */
static const uint8_t conn_nothing[1];

/* A queue shown in place, and given back up to n bytes; a queue that
 * drains releases its buffer (the plaintext queue's is wiped first). */
static const uint8_t *queue_view(const byteq *q, size_t *len)
{
    *len = byteq_size(q);
    return *len ? byteq_data(q) : conn_nothing;
}

static void queue_done(byteq *q, size_t n)
{
    if (n > byteq_size(q))
        n = byteq_size(q);
    byteq_consume(q, n);
    byteq_release_if_empty(q);
}

const uint8_t *ward_conn_output(ward_conn *c, size_t *len) { return queue_view(&c->out, len); }

void ward_conn_output_done(ward_conn *c, size_t n) { queue_done(&c->out, n); }

/* The plaintext queue in place: reading it this way saves ward_conn_read's
 * copy, a fifth of the cost of receiving bulk data. */
const uint8_t *ward_conn_read_view(ward_conn *c, size_t *len) { return queue_view(&c->app, len); }

void ward_conn_read_done(ward_conn *c, size_t n) { queue_done(&c->app, n); }

ward_err ward_conn_read(ward_conn *c, uint8_t *buf, size_t cap, size_t *n)
{
    *n = 0;
    size_t have = byteq_size(&c->app);
    if (have) {
        *n = have < cap ? have : cap;
        memcpy(buf, byteq_data(&c->app), *n);
        ward_conn_read_done(c, *n);
        return WARD_OK;
    }
    if (c->hs.state == ST_FAILED)
        return c->err.code;
    if (c->close_received)
        return WARD_CLOSED;
    return WARD_OK;
}

ward_err ward_conn_write(ward_conn *c, const uint8_t *buf, size_t len)
{
    if (c->hs.state == ST_FAILED)
        return c->err.code;
    if (c->hs.state != ST_CONNECTED || c->close_sent)
        return WARD_ERR_STATE;
    if (len == 0)
        return WARD_OK;
    wres r = conn_send_records(c, CT_APPLICATION_DATA, buf, len);
    return wres_is_ok(r) ? WARD_OK : conn_die(c, r);
}

ward_err ward_conn_close(ward_conn *c)
{
    if (c->hs.state == ST_FAILED)
        return c->err.code;
    if (c->close_sent)
        return WARD_OK;
    c->close_sent = 1;
    c->hs.close_sent = 1; /* the handshake sends nothing more either (§6.1) */
    send_alert(c, ALERT_WARNING, WARD_ALERT_CLOSE_NOTIFY);
    return WARD_OK;
}

ward_err ward_conn_key_update(ward_conn *c, int request_peer)
{
    if (c->hs.state == ST_FAILED)
        return c->err.code;
    if (c->hs.version != WARD_TLS13)
        return WARD_ERR_STATE; /* TLS 1.2 has no KeyUpdate */
    if (c->hs.state != ST_CONNECTED || c->close_sent)
        return WARD_ERR_STATE;
    wres r = hs_send_key_update(&c->hs, request_peer);
    return wres_is_ok(r) ? WARD_OK : conn_die(c, r);
}

int ward_conn_state(const ward_conn *c)
{
    if (c->hs.state == ST_FAILED)
        return WARD_STATE_FAILED;
    if (c->hs.state != ST_CONNECTED)
        return WARD_STATE_HANDSHAKING;
    if (c->close_sent || c->close_received)
        return WARD_STATE_CLOSED;
    return WARD_STATE_ESTABLISHED;
}

int ward_conn_readable(const ward_conn *c) { return byteq_size(&c->app) > 0; }
int ward_conn_peer_closed(const ward_conn *c) { return c->close_received; }

ward_err ward_conn_error(const ward_conn *c) { return c->err.code; }
int ward_conn_peer_alert(const ward_conn *c) { return c->peer_alert; }

const char *ward_conn_error_message(const ward_conn *c)
{
    if (c->err.code == WARD_OK)
        return "no error";
    return c->err.msg[0] ? c->err.msg : ward_err_str(c->err.code);
}

uint16_t ward_conn_version(const ward_conn *c) { return c->hs.version; }
uint16_t ward_conn_suite(const ward_conn *c) { return c->hs.suite; }
uint16_t ward_conn_group(const ward_conn *c) { return c->hs.group; }
uint16_t ward_conn_sigscheme(const ward_conn *c) { return c->hs.sigscheme; }
const char *ward_conn_alpn(const ward_conn *c) { return c->hs.alpn[0] ? c->hs.alpn : NULL; }
int ward_conn_did_hrr(const ward_conn *c) { return c->hs.did_hrr; }
int ward_conn_used_ems(const ward_conn *c) { return c->hs.ems; }
unsigned ward_conn_key_updates_received(const ward_conn *c) { return c->hs.key_updates_received; }

const char *ward_conn_server_name(const ward_conn *c)
{
    return c->hs.server_name[0] ? c->hs.server_name : NULL;
}

ward_err ward_conn_peer_cert_info(const ward_conn *c, ward_cert_info *info)
{
    if (c->hs.peer_chain.n == 0)
        return WARD_ERR_STATE;
    return ward_cert_info_from_der(c->hs.peer_chain.der[0], c->hs.peer_chain.len[0], info);
}

size_t ward_conn_peer_chain_len(const ward_conn *c)
{
    return c ? c->hs.peer_chain.n : 0;
}

ward_err ward_conn_peer_cert_der(const ward_conn *c, size_t i, const uint8_t **der, size_t *len)
{
    if (!c || !der || !len || i >= c->hs.peer_chain.n || !c->hs.peer_chain.der[i])
        return WARD_ERR_STATE;
    *der = c->hs.peer_chain.der[i];
    *len = c->hs.peer_chain.len[i];
    return WARD_OK;
}

/* A server knows its client once the client's CertificateVerify verified;
 * a verifying client reaches the end of the handshake only with a server
 * that authenticated (chain and name, or pin). A chain verified with no
 * name (skip_hostname_check) says nothing of whom it is. */
int ward_conn_peer_authenticated(const ward_conn *c)
{
    if (c->hs.state != ST_CONNECTED)
        return 0;
    if (c->is_server)
        return c->hs.peer_authenticated;
    const ward_config *cfg = c->cfg;
    if (cfg->insecure_no_verify)
        return 0;
    return cfg->has_pin || c->hs.server_name[0];
}

ward_err ward_conn_request_client_cert(ward_conn *c)
{
    if (!c || c->close_sent)
        return WARD_ERR_STATE;
    return hs_request_client_cert(&c->hs);
}

int ward_conn_ocsp_status(const ward_conn *c)
{
    return c->is_server ? WARD_OCSP_STATUS_NONE : c->hs.ocsp_status;
}
