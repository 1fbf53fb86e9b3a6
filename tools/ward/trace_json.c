/* trace_json.c: one JSON object per trace event, one line each
 * (docs/trace-schema.md; docs/trace-schema.json checks it). */
#include <string.h>
#include "trace.h"
#include "trace_jsonw.h"

void jw_str(FILE *f, const char *s, size_t len)
{
    fputc('"', f);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c == '\r')
            fputs("\\r", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

void jw_cstr(FILE *f, const char *s)
{
    jw_str(f, s, strlen(s));
}

void jw_key(FILE *f, int *first, const char *key)
{
    if (!*first)
        fputc(',', f);
    *first = 0;
    fprintf(f, "\"%s\":", key);
}

void jw_code(FILE *f, ward_name_kind kind, uint16_t code)
{
    const char *n = ward_is_grease(code) && kind != WARD_NAME_HANDSHAKE
                        ? "GREASE" : ward_trace_name(kind, code);
    fprintf(f, "{\"code\":%u,\"name\":", (unsigned)code);
    if (n)
        jw_cstr(f, n);
    else
        fputs("null", f);
    fputc('}', f);
}

void jw_code_list(FILE *f, ward_name_kind kind, const uint16_t *v, size_t n)
{
    fputc('[', f);
    for (size_t i = 0; i < n && i < WARD_TRACE_MAX_ITEMS; i++) {
        if (i)
            fputc(',', f);
        jw_code(f, kind, v[i]);
    }
    fputc(']', f);
}

void jw_hex(FILE *f, const uint8_t *p, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", p[i]);
    fputc('"', f);
}

const char *jw_msg_name(uint8_t type, int hrr)
{
    if (hrr)
        return "HelloRetryRequest";
    const char *n = ward_trace_name(WARD_NAME_HANDSHAKE, type);
    return n ? n : "unknown";
}

static const char *prot_name(int p)
{
    const char *n = ward_trace_protection_name(p);
    return n ? n : "none";
}

static void message(FILE *f, const ward_trace_event *ev, int *first)
{
    ward_trace_msg m;
    memset(&m, 0, sizeof m);
    int ok = ward_trace_decode(ev, &m) == WARD_OK;
    jw_key(f, first, "type");
    jw_cstr(f, jw_msg_name(ev->msg_type, ok && m.hrr));
    jw_key(f, first, "type_code");
    fprintf(f, "%u", (unsigned)ev->msg_type);
    jw_key(f, first, "length");
    fprintf(f, "%zu", ev->len >= 4 ? ev->len - 4 : 0);
    jw_key(f, first, "protection");
    jw_cstr(f, prot_name(ev->protection));
    jw_key(f, first, "fields");
    if (ok)
        jw_fields(f, &m, ev->from_server);
    else
        fputs("{}", f);
    if (!ok) {
        jw_key(f, first, "malformed");
        fputs("true", f);
    }
}

static void opt_reason(FILE *f, int *first, const char *reason)
{
    if (!reason)
        return;
    jw_key(f, first, "reason");
    jw_cstr(f, reason);
}

static void done(FILE *f, const ward_trace_event *ev, int *first)
{
    jw_key(f, first, "version");
    jw_code(f, WARD_NAME_VERSION, ev->version);
    jw_key(f, first, "cipher_suite");
    jw_code(f, WARD_NAME_SUITE, ev->suite);
    uint16_t g = trace_done_group(ev);
    if (g) {
        jw_key(f, first, "group");
        jw_code(f, WARD_NAME_GROUP, g);
    }
    char alpn[256];
    trace_done_alpn(ev, alpn, sizeof alpn);
    if (alpn[0]) {
        jw_key(f, first, "alpn");
        jw_cstr(f, alpn);
    }
    jw_key(f, first, "resumed");
    fputs(ev->ok ? "true" : "false", f);
}

static void alert(FILE *f, const ward_trace_event *ev, int *first)
{
    jw_key(f, first, "level");
    jw_cstr(f, ev->alert_level == 1 ? "warning" : "fatal");
    jw_key(f, first, "description");
    const char *n = ward_alert_name(ev->alert);
    fprintf(f, "{\"code\":%d,\"name\":", ev->alert);
    if (n)
        jw_cstr(f, n);
    else
        fputs("null", f);
    fputc('}', f);
    opt_reason(f, first, ev->reason);
}

static const char *kind_name(ward_trace_kind k)
{
    static const char *const names[] = {
        NULL, "message", "ccs", "keys", "secret", "alert", "verify", "done", "plaintext"};
    return (unsigned)k < sizeof names / sizeof names[0] && names[k] ? names[k] : "unknown";
}

static void body(FILE *f, const ward_trace_event *ev, int *first)
{
    switch (ev->kind) {
    case WARD_TRACE_MESSAGE:
        message(f, ev, first);
        break;
    case WARD_TRACE_CCS:
    case WARD_TRACE_KEYS:
        jw_key(f, first, "protection");
        jw_cstr(f, prot_name(ev->protection));
        break;
    case WARD_TRACE_SECRET:
        jw_key(f, first, "name");
        jw_cstr(f, ev->name ? ev->name : "");
        if (ev->data) {
            jw_key(f, first, "value");
            jw_hex(f, ev->data, ev->len);
        }
        break;
    case WARD_TRACE_ALERT:
        alert(f, ev, first);
        break;
    case WARD_TRACE_VERIFY:
        jw_key(f, first, "ok");
        fputs(ev->ok ? "true" : "false", f);
        opt_reason(f, first, ev->ok ? NULL : ev->reason);
        break;
    case WARD_TRACE_DONE:
        done(f, ev, first);
        break;
    case WARD_TRACE_PLAINTEXT:
        jw_key(f, first, "line");
        jw_str(f, (const char *)ev->data, ev->data ? ev->len : 0);
        break;
    }
}

void trace_json_write(FILE *out, const ward_trace_event *ev)
{
    int first = 1;
    fputc('{', out);
    jw_key(out, &first, "event");
    jw_cstr(out, kind_name(ev->kind));
    jw_key(out, &first, "ms");
    fprintf(out, "%llu", (unsigned long long)ev->ms);
    jw_key(out, &first, "from");
    jw_cstr(out, ev->from_server ? "server" : "client");
    jw_key(out, &first, "local");
    fputs(ev->sent ? "true" : "false", out);
    body(out, ev, &first);
    fputs("}\n", out);
}
