/* trace_text.c: the handshake as the textbook draws it: client on the
 * left, server on the right, one arrow per message with what matters
 * under it, within 80 columns. */
#include <stdlib.h>
#include <string.h>
#include "trace_text_int.h"
#include "trace_jsonw.h"

#define C_CLIENT "\033[1;36m"
#define C_SERVER "\033[1;33m"
#define C_ALERT "\033[1;31m"
#define C_DIM "\033[2m"
#define C_OFF "\033[0m"

trace_text *trace_text_new(const trace_opts *o)
{
    trace_text *t = calloc(1, sizeof *t);
    if (t)
        t->o = *o;
    return t;
}

void trace_text_free(trace_text *t)
{
    free(t);
}

static const char *prot_label(int p)
{
    switch (p) {
    case WARD_PROT_EARLY: return "[early keys]";
    case WARD_PROT_HANDSHAKE: return "[handshake keys]";
    case WARD_PROT_APPLICATION: return "[application keys]";
    case WARD_PROT_UPDATED: return "[updated keys]";
    case WARD_PROT_TLS12: return "[TLS 1.2 keys]";
    default: return "";
    }
}

static void header(trace_text *t)
{
    fprintf(t->o.out, "%*s%sClient%s%*s%sServer%s\n", TT_MS, "", tt_c(t, C_CLIENT),
            tt_c(t, C_OFF), TT_WIDTH - TT_MS - 12, "", tt_c(t, C_SERVER), tt_c(t, C_OFF));
}

/* "  12 ms  Name ----[label]---->" or "  12 ms  <----[label]---- Name". */
static void arrow(trace_text *t, uint64_t ms, int from_server, const char *name,
                  const char *label, const char *colour)
{
    int room = TT_WIDTH - TT_MS;                    /* columns for the arrow */
    int nl = (int)strlen(name), ll = (int)strlen(label);
    int dashes = room - nl - 2 - ll;                /* name, space, head */
    if (dashes < 4) {
        label = "";
        ll = 0;
        dashes = room - nl - 2;
    }
    int left = ll ? (dashes - 0) / 2 : dashes, right = dashes - left;
    char line[160];
    int n = 0;
    if (from_server)
        line[n++] = '<';
    for (int i = 0; i < left; i++)
        line[n++] = '-';
    memcpy(line + n, label, (size_t)ll);
    n += ll;
    for (int i = 0; i < right; i++)
        line[n++] = '-';
    if (!from_server)
        line[n++] = '>';
    line[n] = 0;
    FILE *f = t->o.out;
    fprintf(f, "%5llu ms  ", (unsigned long long)ms);
    if (from_server)
        fprintf(f, "%s%s %s%s\n", tt_c(t, colour), line, name, tt_c(t, C_OFF));
    else
        fprintf(f, "%s%s %s%s\n", tt_c(t, colour), name, line, tt_c(t, C_OFF));
}

/* A small line (keys, CCS, secrets, verdicts) on its sender's side. */
static void small(trace_text *t, uint64_t ms, int server_side, const char *text)
{
    int len = (int)strlen(text);
    int pad = server_side ? TT_WIDTH - TT_MS - len : 0;
    if (pad < 0)
        pad = 0;
    fprintf(t->o.out, "%5llu ms  %*s%s", (unsigned long long)ms, pad, "", tt_c(t, C_DIM));
    tt_puts(t->o.out, text);
    fprintf(t->o.out, "%s\n", tt_c(t, C_OFF));
}

static int indent_of(int from_server)
{
    return from_server ? TT_SERVER : TT_CLIENT;
}

static void explain(trace_text *t, int from_server, const char *text)
{
    if (t->o.explain && text)
        tt_explain_line(t, indent_of(from_server), text);
}

static void message(trace_text *t, const ward_trace_event *ev)
{
    ward_trace_msg m;
    memset(&m, 0, sizeof m);
    int ok = ward_trace_decode(ev, &m) == WARD_OK;
    if (ok && m.type == 2 && !m.hrr && m.version)
        t->version = m.version;
    if (ok && m.type == 2 && !m.hrr)
        t->suite = m.suite;
    char name[64];
    snprintf(name, sizeof name, "%s", jw_msg_name(ev->msg_type, ok && m.hrr));
    arrow(t, ev->ms, ev->from_server, name, prot_label(ev->protection),
          ev->from_server ? C_SERVER : C_CLIENT);
    if (!ok)
        tt_fieldf(t, indent_of(ev->from_server), "malformed",
                  "%zu bytes that do not decode", ev->len);
    else
        tt_message_details(t, ev, &m);
    explain(t, ev->from_server, ok ? tt_explain_message(t, ev, &m) : NULL);
}

static void alert(trace_text *t, const ward_trace_event *ev)
{
    const char *n = ward_alert_name(ev->alert);
    char name[96];
    snprintf(name, sizeof name, "Alert %s %s", ev->alert_level == 1 ? "warning" : "fatal",
             n ? n : "unknown");
    arrow(t, ev->ms, ev->from_server, name, prot_label(ev->protection), C_ALERT);
    if (ev->reason)
        tt_field(t, indent_of(ev->from_server), "reason", ev->reason);
    explain(t, ev->from_server, tt_explain_other(t, ev));
    if (ev->alert != WARD_ALERT_CLOSE_NOTIFY) {
        t->alert_seen = 1;
        t->alert = ev->alert;
        t->alert_level = ev->alert_level;
        t->alert_from_server = ev->from_server;
        snprintf(t->reason, sizeof t->reason, "%s", ev->reason ? ev->reason : "");
    }
}

static void keys(trace_text *t, const ward_trace_event *ev)
{
    char b[96];
    const char *what = ev->protection == WARD_PROT_NONE ? "[no keys]" : prot_label(ev->protection);
    snprintf(b, sizeof b, "%s writes under %s", ev->from_server ? "server" : "client", what);
    small(t, ev->ms, ev->from_server, b);
}

static void verdict(trace_text *t, const ward_trace_event *ev)
{
    int side = !ev->is_server;  /* the peer's certificate: on its side */
    small(t, ev->ms, side, ev->ok ? "certificate chain verified" : "certificate REFUSED");
    if (!ev->ok && ev->reason)
        tt_field(t, indent_of(side), "reason", ev->reason);
    explain(t, side, tt_explain_other(t, ev));
}

static void done(trace_text *t, const ward_trace_event *ev)
{
    t->done = 1;
    t->resumed = ev->ok;
    if (ev->version)
        t->version = ev->version;
    if (ev->suite)
        t->suite = ev->suite;
    t->group = trace_done_group(ev);
    trace_done_alpn(ev, t->alpn, sizeof t->alpn);
    small(t, ev->ms, 0, "handshake complete");
}

void trace_text_event(trace_text *t, const ward_trace_event *ev)
{
    char b[160];
    if (!t->started)
        header(t);
    t->started = 1;
    switch (ev->kind) {
    case WARD_TRACE_MESSAGE: message(t, ev); break;
    case WARD_TRACE_ALERT: alert(t, ev); break;
    case WARD_TRACE_KEYS: keys(t, ev); break;
    case WARD_TRACE_VERIFY: verdict(t, ev); break;
    case WARD_TRACE_DONE: done(t, ev); break;
    case WARD_TRACE_CCS:
        snprintf(b, sizeof b, "ChangeCipherSpec %s", ev->from_server ? "<-" : "->");
        small(t, ev->ms, ev->from_server, b);
        explain(t, ev->from_server, tt_explain_other(t, ev));
        break;
    case WARD_TRACE_SECRET:
        if (ev->name && strcmp(ev->name, "CLIENT_RANDOM") == 0) /* its key-log label */
            snprintf(b, sizeof b, "derived the master secret (CLIENT_RANDOM)");
        else
            snprintf(b, sizeof b, "derived %.60s", ev->name ? ev->name : "a secret");
        small(t, ev->ms, ev->is_server, b);
        break;
    case WARD_TRACE_PLAINTEXT:
        snprintf(b, sizeof b, "%s %.*s", ev->from_server ? "S:" : "C:",
                 (int)(ev->len < 60 ? ev->len : 60), ev->data ? (const char *)ev->data : "");
        small(t, ev->ms, ev->from_server, b);
        break;
    }
}

/* The closing summary, then a clean state for the next connection. */
void trace_text_finish(trace_text *t)
{
    char v[64], s[96], g[64];
    if (t->done) {
        tt_name(WARD_NAME_VERSION, t->version, v, sizeof v);
        tt_name(WARD_NAME_SUITE, t->suite, s, sizeof s);
        if (t->group)
            tt_name(WARD_NAME_GROUP, t->group, g, sizeof g);
        else
            snprintf(g, sizeof g, "%s", "RSA key transport");
        char b[512];
        snprintf(b, sizeof b, "%s, %s, %s, ALPN %s, %s", v, s, g, t->alpn[0] ? t->alpn : "none",
                 t->resumed ? "resumed" : "full handshake");
        tt_field_in(t, 0, "Summary", C_CLIENT, b);
    } else if (t->alert_seen) {
        const char *n = ward_alert_name(t->alert);
        char b[512];
        snprintf(b, sizeof b, "%s alert %s from the %s%s%s",
                 t->alert_level == 1 ? "warning" : "fatal", n ? n : "unknown",
                 t->alert_from_server ? "server" : "client", t->reason[0] ? ": " : "", t->reason);
        tt_field_in(t, 0, "Failed", C_ALERT, b);
    } else if (t->started)
        tt_field_in(t, 0, "Failed", C_ALERT, "the handshake did not complete");
    trace_opts o = t->o;
    memset(t, 0, sizeof *t);
    t->o = o;
}
