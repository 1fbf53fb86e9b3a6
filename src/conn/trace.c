/* The handshake trace (ward/trace.h): what the connection reports to a
 * configuration's trace function. The conn_trace_* wrappers in
 * conn/internal.h test cfg->trace_fn inline, so a connection without a
 * trace pays that branch and nothing else. Secrets are never reported by value unless the key log,
 * which writes them anyway, is on. */
#include <string.h>

#include "conn/internal.h"

void ward_config_set_trace(ward_config *cfg, ward_trace_fn fn, void *arg)
{
    cfg->trace_fn = fn;
    cfg->trace_arg = fn ? arg : NULL;
}

/* An event with what every kind carries. */
static ward_trace_event base_event(const ward_conn *c, ward_trace_kind kind, int sent)
{
    ward_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.conn = c;
    ev.ms = conn_elapsed_ms(c);
    ev.sent = sent;
    ev.from_server = sent ? c->is_server : !c->is_server;
    ev.is_server = c->is_server;
    ev.version = c->hs.version;
    ev.suite = c->hs.suite;
    return ev;
}

static void report(const ward_conn *c, const ward_trace_event *ev)
{
    c->cfg->trace_fn(c->cfg->trace_arg, ev);
}

static void message(ward_conn *c, int sent, const uint8_t *msg, size_t len)
{
    ward_trace_event ev = base_event(c, WARD_TRACE_MESSAGE, sent);
    ev.protection = sent ? c->trace_wprot : c->trace_rprot;
    ev.msg_type = msg[0];
    ev.data = msg;
    ev.len = len;
    report(c, &ev);
}

/* Our own handshake bytes, as emitted: whole messages (the flight
 * builder's), each reported on its own. */
void trace_sent(ward_conn *c, const uint8_t *data, size_t len)
{
    while (len >= 4) {
        size_t n = 4 + ((size_t)data[1] << 16 | (size_t)data[2] << 8 | data[3]);
        if (n > len)
            n = len; /* never: ours are whole; still, stay inside */
        message(c, 1, data, n);
        data += n;
        len -= n;
    }
}

void trace_received(ward_conn *c, span full)
{
    if (full.len >= 4)
        message(c, 0, full.p, full.len);
}

void trace_ccs(ward_conn *c, int sent)
{
    ward_trace_event ev = base_event(c, WARD_TRACE_CCS, sent);
    ev.protection = WARD_PROT_NONE; /* never encrypted: TLS 1.3 §5, 1.2 before its keys */
    report(c, &ev);
}

/* Keys now protect one direction (conn_trace_keys remembered them). */
void trace_keys(ward_conn *c, int write, int protection)
{
    ward_trace_event ev = base_event(c, WARD_TRACE_KEYS, write);
    ev.protection = protection;
    report(c, &ev);
}

void trace_secret(ward_conn *c, const char *label, const uint8_t *secret, size_t len)
{
    ward_trace_event ev = base_event(c, WARD_TRACE_SECRET, 1);
    ev.from_server = c->is_server;
    ev.name = label;
    if (c->cfg->keylog_fn) {
        ev.data = secret;
        ev.len = len;
    }
    report(c, &ev);
}

void trace_alert(ward_conn *c, int sent, uint8_t level, uint8_t desc)
{
    ward_trace_event ev = base_event(c, WARD_TRACE_ALERT, sent);
    ev.protection = sent ? c->trace_wprot : c->trace_rprot;
    ev.alert_level = level;
    ev.alert = desc;
    if (level == 2 && c->err.msg[0])
        ev.reason = c->err.msg;
    report(c, &ev);
}

void trace_verdict(ward_conn *c, int ok, const char *reason)
{
    ward_trace_event ev = base_event(c, WARD_TRACE_VERIFY, 0);
    ev.ok = ok;
    ev.reason = ok ? NULL : reason;
    report(c, &ev);
}

/* The handshake completed: reported once. */
void trace_done(ward_conn *c)
{
    if (c->trace_done)
        return;
    c->trace_done = 1;
    ward_trace_event ev = base_event(c, WARD_TRACE_DONE, 0);
    ev.ok = ward_conn_resumed(c);
    report(c, &ev);
}

const char *ward_trace_protection_name(int protection)
{
    static const char *const names[] = {"none",        "early",   "handshake",
                                        "application", "updated", "tls12"};
    if (protection < 0 || (size_t)protection >= sizeof names / sizeof names[0])
        return NULL;
    return names[protection];
}
