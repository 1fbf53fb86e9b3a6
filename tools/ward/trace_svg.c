/* trace_svg.c: a handshake's events as an SVG sequence diagram (ward
 * --trace=svg, the `ward server --www` page). The textbook's picture:
 * client left, server right, one arrow per message with its name on it and
 * what it says under it, rows shaded by the keys the message travels under,
 * CCS and key changes as small marks on the sender's lifeline, an alert as
 * a red arrow with its reason; under the diagram the first ClientHello laid
 * out in full, GREASE marked. The output depends on the events alone (their
 * ms included): the golden tests compare it byte for byte. */
#include "trace.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum {
    SV_W = 900,        /* the drawing's width */
    SV_CX = 170,       /* the client's lifeline */
    SV_SX = 730,       /* the server's lifeline */
    SV_MID = 450,      /* where names and details are centred */
    SV_LH = 13,        /* a line of small text */
    SV_TOP = 72,       /* the first row's top */
    SV_MAXLINE = 84,   /* characters in a detail line */
    SV_MAXDET = 7,     /* detail lines under one arrow */
    SV_COL2 = 470      /* the ClientHello's right column */
};

typedef struct {
    FILE *out;          /* NULL: measuring the height only */
    int y;              /* the next row's top */
    int prot;           /* the band of the row above; -1 after a gap */
    uint16_t version;   /* the ServerHello's version, once seen */
    ward_trace_msg *m;  /* scratch for decoding */
} svg;

typedef struct {
    char s[SV_MAXDET][SV_MAXLINE + 1];
    int n;
} lines;

static void put(svg *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(svg *g, const char *fmt, ...)
{
    if (!g->out)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(g->out, fmt, ap);
    va_end(ap);
}

/* s as XML text or attribute value: the five specials as entities, a byte
 * outside printable ASCII as the visible text \xHH (names on the wire are
 * bytes, not characters, and control bytes are not allowed in XML). */
static void esc(svg *g, const char *s)
{
    if (!g->out)
        return;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '&': fputs("&amp;", g->out); break;
        case '<': fputs("&lt;", g->out); break;
        case '>': fputs("&gt;", g->out); break;
        case '"': fputs("&quot;", g->out); break;
        case '\'': fputs("&apos;", g->out); break;
        default:
            if (c >= 0x20 && c < 0x7f)
                fputc(c, g->out);
            else
                fprintf(g->out, "\\x%02X", c);
        }
    }
}

/* <text ATTRS>escaped s</text> */
static void text(svg *g, const char *attrs, int x, int y, const char *s)
{
    put(g, "<text%s x=\"%d\" y=\"%d\">", attrs, x, y);
    esc(g, s);
    put(g, "</text>\n");
}

/* One detail line; longer than SV_MAXLINE, it ends in "...". */
static void add(lines *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(lines *d, const char *fmt, ...)
{
    if (d->n >= SV_MAXDET)
        return;
    char *s = d->s[d->n++];
    va_list ap;
    va_start(ap, fmt);
    int r = vsnprintf(s, SV_MAXLINE + 1, fmt, ap);
    va_end(ap);
    if (r > SV_MAXLINE)
        memcpy(s + SV_MAXLINE - 3, "...", 4);
}

/* The registry's name of code, else its number. */
static const char *name_of(ward_name_kind k, uint16_t code, char buf[16])
{
    const char *s = ward_trace_name(k, code);
    if (s)
        return s;
    snprintf(buf, 16, "0x%04X", code);
    return buf;
}

/* "LABEL: a, b, c" from a list of codes (at most the line's length). */
static void add_list(lines *d, const char *label, ward_name_kind k, const uint16_t *v,
                     size_t n)
{
    char buf[SV_MAXLINE + 8], nb[16];
    size_t len = (size_t)snprintf(buf, sizeof buf, "%s:", label);
    for (size_t i = 0; i < n && len < sizeof buf - 1; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s %s", i ? "," : "",
                                name_of(k, v[i], nb));
    add(d, "%s", buf);
}

/* "LABEL: X25519MLKEM768 (1216 B), x25519 (32 B)" */
static void add_shares(lines *d, const char *label, const ward_trace_msg *m)
{
    char buf[SV_MAXLINE + 8], nb[16];
    size_t len = (size_t)snprintf(buf, sizeof buf, "%s:", label);
    size_t n = m->n_shares < WARD_TRACE_MAX_SHARES ? m->n_shares : WARD_TRACE_MAX_SHARES;
    for (size_t i = 0; i < n && len < sizeof buf - 1; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s %s (%zu B)", i ? "," : "",
                                name_of(WARD_NAME_GROUP, m->shares[i].group, nb),
                                m->shares[i].len);
    add(d, "%s", buf);
}

static void add_alpn(lines *d, const ward_trace_msg *m)
{
    char buf[SV_MAXLINE + 8];
    size_t len = (size_t)snprintf(buf, sizeof buf, "ALPN:");
    size_t n = m->n_alpn < WARD_TRACE_MAX_ALPN ? m->n_alpn : WARD_TRACE_MAX_ALPN;
    for (size_t i = 0; i < n && len < sizeof buf - 1; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s %s", i ? "," : "", m->alpn[i]);
    if (n)
        add(d, "%s", buf);
}

static const char *pl(size_t n)
{
    return n == 1 ? "" : "s";
}

static size_t kept(size_t n)
{
    return n < WARD_TRACE_MAX_ITEMS ? n : WARD_TRACE_MAX_ITEMS;
}

/* RFC 8446 §4.1.2: what the client proposes. */
static void client_hello_details(const ward_trace_msg *m, lines *d)
{
    char nb[16];
    if (m->n_versions)
        add_list(d, "versions", WARD_NAME_VERSION, m->versions, kept(m->n_versions));
    else
        add(d, "version: %s", name_of(WARD_NAME_VERSION, m->legacy_version, nb));
    add(d, "%zu cipher suite%s, %zu group%s, %zu signature scheme%s (laid out below)",
        m->n_suites, pl(m->n_suites), m->n_groups, pl(m->n_groups), m->n_sigalgs,
        pl(m->n_sigalgs));
    if (m->n_shares)
        add_shares(d, "key shares", m);
    if (m->server_name[0])
        add(d, "SNI: %s", m->server_name);
    add_alpn(d, m);
    if (m->psk_identities)
        add(d, "PSK: %zu identit%s%s", m->psk_identities, m->psk_identities == 1 ? "y" : "ies",
            m->early_data ? ", early data (0-RTT) follows" : "");
    else if (m->cookie_len)
        add(d, "cookie: %zu B (echoed from the HelloRetryRequest)", m->cookie_len);
}

/* RFC 8446 §4.1.3 (and §4.1.4 for a HelloRetryRequest): what the server chose. */
static void server_hello_details(const ward_trace_msg *m, lines *d)
{
    char nb[16];
    if (m->hrr) {
        add(d, "selected group: %s (send a key share for it)", name_of(WARD_NAME_GROUP, m->group, nb));
        add(d, "suite: %s", name_of(WARD_NAME_SUITE, m->suite, nb));
        if (m->cookie_len)
            add(d, "cookie: %zu B", m->cookie_len);
        return;
    }
    add(d, "version: %s", name_of(WARD_NAME_VERSION, m->version, nb));
    add(d, "suite: %s", name_of(WARD_NAME_SUITE, m->suite, nb));
    if (m->n_shares)
        add_shares(d, "key share", m);
    if (m->psk_selected >= 0)
        add(d, "PSK: identity %d accepted (resumption)", m->psk_selected);
    if (m->downgrade)
        add(d, "downgrade sentinel: %s", m->downgrade == 12 ? "TLS 1.2" : "TLS 1.1 or below");
    add_alpn(d, m);
}

/* The leaf certificate: who the server says it is (RFC 8446 §4.4.2). */
static void certificate_details(const ward_trace_msg *m, lines *d)
{
    if (!m->n_certs) {
        add(d, "no certificate");
        return;
    }
    const ward_cert_info *c = &m->certs[0];
    add(d, "subject: %s", c->subject);
    add(d, "issuer: %s", c->issuer);
    add(d, "key: %s, %u bits; valid until %s", c->key_type, c->key_bits, c->not_after);
    if (c->san[0])
        add(d, "SAN: %s", c->san);
    if (m->n_certs > 1)
        add(d, "chain: %zu certificates", m->n_certs);
    if (m->ocsp)
        add(d, "OCSP response stapled");
}

static int has_extension(const ward_trace_msg *m, uint16_t type)
{
    for (size_t i = 0; i < kept(m->n_extensions); i++)
        if (m->extensions[i] == type)
            return 1;
    return 0;
}

/* The other messages' few facts; never key, signature or MAC bytes. */
static void other_details(const ward_trace_msg *m, lines *d)
{
    char nb[16];
    switch (m->type) {
    case 8: /* EncryptedExtensions */
        add_alpn(d, m);
        if (m->early_data)
            add(d, "early data accepted");
        if (has_extension(m, 0))
            add(d, "SNI acknowledged");
        break;
    case 13: /* CertificateRequest */
        add(d, "%zu signature schemes accepted", m->n_sigalgs);
        break;
    case 15: /* CertificateVerify */
        add(d, "scheme: %s, signature %zu B", name_of(WARD_NAME_SIGSCHEME, m->scheme, nb),
            m->signature_len);
        break;
    case 12: /* ServerKeyExchange */
        add(d, "group: %s, public key %zu B", name_of(WARD_NAME_GROUP, m->group, nb), m->key_len);
        add(d, "scheme: %s, signature %zu B", name_of(WARD_NAME_SIGSCHEME, m->scheme, nb),
            m->signature_len);
        break;
    case 16: /* ClientKeyExchange */
        if (m->rsa_kx)
            add(d, "premaster secret encrypted to the server's RSA key: %zu B", m->key_len);
        else
            add(d, "ECDHE public key: %zu B", m->key_len);
        break;
    case 20: add(d, "verify_data: %zu B (a MAC over the transcript)", m->verify_data_len); break;
    case 4: /* NewSessionTicket */
        add(d, "lifetime %" PRIu32 " s, ticket %zu B", m->lifetime, m->ticket_len);
        if (m->max_early_data)
            add(d, "early data: up to %" PRIu32 " B", m->max_early_data);
        break;
    case 24: add(d, "%s", m->request_update ? "update_requested" : "update_not_requested"); break;
    case 22: add(d, "OCSP response: %zu B", m->ocsp_len); break;
    default: break;
    }
}

static void message_details(const ward_trace_msg *m, lines *d)
{
    if (m->type == 1)
        client_hello_details(m, d);
    else if (m->type == 2)
        server_hello_details(m, d);
    else if (m->type == 11)
        certificate_details(m, d);
    else
        other_details(m, d);
}

static const char *const prot_label[] = {"no encryption",    "early data keys",
                                         "handshake keys",   "application keys",
                                         "updated keys",     "TLS 1.2 keys"};

static int prot_index(int p)
{
    return p >= WARD_PROT_NONE && p <= WARD_PROT_TLS12 ? p : WARD_PROT_NONE;
}

/* The shaded band behind a row of height h; labelled where the keys change. */
static void band(svg *g, int prot, int h)
{
    int p = prot_index(prot);
    put(g, "<rect class=\"p%d\" x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\"/>\n", p, g->y, SV_W, h);
    if (p != g->prot)
        text(g, " class=\"bl\"", SV_SX + 12, g->y + 14, prot_label[p]);
    g->prot = p;
}

/* One arrow: its name above, its details under, the time on the left;
 * data-msg says what it is (a message's name, "Alert", "plaintext"). */
static void arrow(svg *g, const char *cls, const char *msg, const char *name, int from_server,
                  uint64_t ms, int prot, const lines *d)
{
    int h = 30 + SV_LH * d->n;
    band(g, prot, h);
    int ly = g->y + 20;
    int x1 = from_server ? SV_SX : SV_CX, x2 = from_server ? SV_CX + 1 : SV_SX - 1;
    put(g, "<g class=\"%s\" data-msg=\"", cls);
    esc(g, msg);
    put(g, "\">\n<text class=\"t\" x=\"8\" y=\"%d\">%" PRIu64 " ms</text>\n", ly + 4, ms);
    put(g, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" marker-end=\"url(#wt-%s)\"/>\n", x1,
        ly, x2, ly, strstr(cls, "alert") ? "r" : "a");
    text(g, " class=\"n\"", SV_MID, ly - 5, name);
    for (int i = 0; i < d->n; i++)
        text(g, " class=\"d\"", SV_MID, ly + SV_LH * (i + 1), d->s[i]);
    put(g, "</g>\n");
    g->y += h;
}

/* A small mark on one lifeline: CCS, keys, the certificate verdict. */
static void mark(svg *g, const char *kind, int at_server, const char *cls, const char *s)
{
    int x = at_server ? SV_SX : SV_CX, cy = g->y + 9;
    put(g, "<g class=\"mark%s\" data-mark=\"%s\"><circle cx=\"%d\" cy=\"%d\" r=\"4\"/>", cls, kind,
        x, cy);
    put(g, "<text x=\"%d\" y=\"%d\"%s>", at_server ? x - 10 : x + 10, cy + 4,
        at_server ? " text-anchor=\"end\"" : "");
    esc(g, s);
    put(g, "</text></g>\n");
    g->y += 18;
    g->prot = -1;
}

static const char *msg_name(const ward_trace_event *ev, const ward_trace_msg *m, int decoded,
                            char buf[32])
{
    if (decoded && ev->msg_type == 2 && m->hrr)
        return "HelloRetryRequest";
    const char *s = ward_trace_name(WARD_NAME_HANDSHAKE, ev->msg_type);
    if (s)
        return s;
    snprintf(buf, 32, "handshake type %u", ev->msg_type);
    return buf;
}

static void message_row(svg *g, const ward_trace_event *ev)
{
    lines d = {.n = 0};
    char nb[32];
    memset(g->m, 0, sizeof *g->m);
    int ok = ward_trace_decode(ev, g->m) == WARD_OK;
    if (ok)
        message_details(g->m, &d);
    else
        add(&d, "malformed: %zu B that do not decode", ev->len >= 4 ? ev->len - 4 : 0);
    if (ok && ev->msg_type == 2) /* a HelloRetryRequest is TLS 1.3's alone */
        g->version = g->m->hrr ? WARD_TLS13 : g->m->version;
    const char *name = msg_name(ev, g->m, ok, nb);
    arrow(g, "arrow", name, name, ev->from_server, ev->ms, ev->protection, &d);
}

/* A red arrow: the alert's name, its level, and why (RFC 8446 §6). */
static void alert_row(svg *g, const ward_trace_event *ev)
{
    lines d = {.n = 0};
    char name[96];
    const char *an = ward_alert_name(ev->alert);
    if (an)
        snprintf(name, sizeof name, "Alert: %s", an);
    else
        snprintf(name, sizeof name, "Alert: %d", ev->alert);
    /* close_notify is the orderly end (RFC 8446 §6.1), not a failure */
    int closing = ev->alert == WARD_ALERT_CLOSE_NOTIFY;
    if (closing)
        add(&d, "the orderly end: no more data from this side");
    else
        add(&d, "%s%s", ev->alert_level == 1 ? "warning" : "fatal",
            ev->reason ? ", because:" : "");
    for (const char *r = ev->reason; r && *r && d.n < SV_MAXDET; r += strlen(d.s[d.n - 1]))
        add(&d, "%.*s", SV_MAXLINE, r);
    arrow(g, closing ? "arrow" : "arrow alert", "Alert", name, ev->from_server, ev->ms,
          ev->protection, &d);
}

static void keys_mark(svg *g, const ward_trace_event *ev)
{
    char s[96];
    snprintf(s, sizeof s, "%s now writes under %s", ev->from_server ? "server" : "client",
             prot_label[prot_index(ev->protection)]);
    mark(g, "keys", ev->from_server, "", s);
}

static void ccs_mark(svg *g, const ward_trace_event *ev)
{
    /* In TLS 1.2 a CCS comes after the ServerHello only; one before it is
     * TLS 1.3's compatibility CCS (RFC 8446 D.4), after a HelloRetryRequest
     * or a ClientHello with early data. */
    int tls12 = (g->version ? g->version : ev->version) == WARD_TLS12;
    mark(g, "ccs", ev->from_server, "",
         tls12 ? "ChangeCipherSpec: the new keys follow"
               : "ChangeCipherSpec (middlebox compatibility only)");
}

static void verify_mark(svg *g, const ward_trace_event *ev)
{
    char s[SV_MAXLINE + 1];
    if (ev->ok)
        snprintf(s, sizeof s, "%s", "certificate chain verified");
    else
        snprintf(s, sizeof s, "certificate refused: %s", ev->reason ? ev->reason : "");
    mark(g, "verify", ev->is_server, ev->ok ? "" : " bad", s);
}

/* The end: what was agreed, then the application data's band. */
static void done_row(svg *g, const ward_trace_event *ev)
{
    char s[200], b1[16], b2[16], b3[16], alpn[64];
    uint16_t group = trace_done_group(ev);
    trace_done_alpn(ev, alpn, sizeof alpn);
    snprintf(s, sizeof s, "handshake complete at %" PRIu64 " ms: %s, %s%s%s%s%s%s", ev->ms,
             name_of(WARD_NAME_VERSION, ev->version, b1), name_of(WARD_NAME_SUITE, ev->suite, b2),
             group ? ", " : "", group ? name_of(WARD_NAME_GROUP, group, b3) : "",
             alpn[0] ? ", ALPN " : "", alpn, ev->ok ? ", resumed" : "");
    text(g, " class=\"n\"", SV_MID, g->y + 16, s);
    g->y += 24;
    g->prot = -1;
    band(g, ev->version == WARD_TLS12 ? WARD_PROT_TLS12 : WARD_PROT_APPLICATION, 28);
    int ly = g->y + 18;
    put(g, "<g class=\"data\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
           "marker-start=\"url(#wt-a)\" marker-end=\"url(#wt-a)\"/>\n",
        SV_CX + 1, ly, SV_SX - 1, ly);
    text(g, " class=\"d\"", SV_MID, ly - 5, "application data, both ways");
    put(g, "</g>\n");
    g->y += 28;
}

/* The diagram's rows, one per event worth drawing (secrets are not). */
static void rows(svg *g, const trace_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const ward_trace_event *ev = &items[i].ev;
        lines none = {.n = 0};
        switch (ev->kind) {
        case WARD_TRACE_MESSAGE: message_row(g, ev); break;
        case WARD_TRACE_ALERT: alert_row(g, ev); break;
        case WARD_TRACE_CCS: ccs_mark(g, ev); break;
        case WARD_TRACE_KEYS: keys_mark(g, ev); break;
        case WARD_TRACE_VERIFY: verify_mark(g, ev); break;
        case WARD_TRACE_DONE: done_row(g, ev); break;
        case WARD_TRACE_PLAINTEXT: {
            char line[SV_MAXLINE + 1];
            snprintf(line, sizeof line, "%.*s", (int)(ev->len < SV_MAXLINE ? ev->len : SV_MAXLINE),
                     ev->data ? (const char *)ev->data : "");
            arrow(g, "arrow plain", "plaintext", line, ev->from_server, ev->ms, WARD_PROT_NONE,
                  &none);
            break;
        }
        default: break; /* WARD_TRACE_SECRET: the text and JSON forms list them */
        }
    }
}

/* ---- the ClientHello laid out (RFC 8446 §4.1.2), under the diagram ---- */

static void kv(svg *g, const char *k, const char *v)
{
    text(g, "", 20, g->y, k);
    text(g, "", 170, g->y, v);
    g->y += SV_LH;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
    out[2 * n] = '\0';
}

/* A list's heading and its entries from (x, *y), one a line: the number,
 * then the name; GREASE (RFC 8701) in its own style. */
static void code_list(svg *g, int x, int *y, const char *title, ward_name_kind k,
                      const uint16_t *v, size_t n, size_t n_kept)
{
    char line[SV_MAXLINE + 1];
    snprintf(line, sizeof line, "%s (%zu)", title, n);
    text(g, " class=\"lh\"", x, *y, line);
    *y += SV_LH;
    for (size_t i = 0; i < n_kept; i++, *y += SV_LH) {
        int grease = ward_is_grease(v[i]);
        const char *s = grease ? "GREASE" : ward_trace_name(k, v[i]);
        snprintf(line, sizeof line, "0x%04X %s", v[i], s ? s : "(unknown)");
        text(g, grease ? " class=\"g\"" : "", x + 12, *y, line);
    }
    if (n > n_kept) {
        snprintf(line, sizeof line, "... and %zu more", n - n_kept);
        text(g, "", x + 12, *y, line);
        *y += SV_LH;
    }
    *y += 8;
}

static void share_list(svg *g, int x, int *y, const ward_trace_msg *m)
{
    char line[SV_MAXLINE + 1];
    size_t n = m->n_shares < WARD_TRACE_MAX_SHARES ? m->n_shares : WARD_TRACE_MAX_SHARES;
    snprintf(line, sizeof line, "key_share (%zu)", m->n_shares);
    text(g, " class=\"lh\"", x, *y, line);
    *y += SV_LH;
    for (size_t i = 0; i < n; i++, *y += SV_LH) {
        uint16_t grp = m->shares[i].group;
        int grease = ward_is_grease(grp);
        const char *s = grease ? "GREASE" : ward_trace_name(WARD_NAME_GROUP, grp);
        snprintf(line, sizeof line, "0x%04X %s, %zu byte%s", grp, s ? s : "(unknown)",
                 m->shares[i].len, m->shares[i].len == 1 ? "" : "s");
        text(g, grease ? " class=\"g\"" : "", x + 12, *y, line);
    }
    *y += 8;
}

static void hello_fields(svg *g, const ward_trace_msg *m)
{
    char b[160], nb[16];
    snprintf(b, sizeof b, "0x%04X (%s)", m->legacy_version,
             name_of(WARD_NAME_VERSION, m->legacy_version, nb));
    kv(g, "legacy_version", b);
    hex(m->random, 32, b);
    kv(g, "random", b);
    size_t sl = m->session_id_len < 32 ? m->session_id_len : 32;
    hex(m->session_id, sl, b);
    kv(g, "legacy_session_id", sl ? b : "(empty)");
    kv(g, "server_name", m->server_name[0] ? m->server_name : "(none)");
    size_t len = 0, na = m->n_alpn < WARD_TRACE_MAX_ALPN ? m->n_alpn : WARD_TRACE_MAX_ALPN;
    b[0] = '\0';
    for (size_t i = 0; i < na && len < sizeof b - 1; i++)
        len += (size_t)snprintf(b + len, sizeof b - len, "%s%s", i ? ", " : "", m->alpn[i]);
    kv(g, "alpn", na ? b : "(none)");
    if (m->psk_identities || m->cookie_len || m->early_data) {
        snprintf(b, sizeof b, "%zu PSK identit%s, cookie %zu byte%s, early_data %s",
                 m->psk_identities, m->psk_identities == 1 ? "y" : "ies", m->cookie_len,
                 pl(m->cookie_len), m->early_data ? "yes" : "no");
        kv(g, "resumption", b);
    }
}

/* The whole ClientHello: the single fields, then its lists in two columns
 * (what it offers on the left, how it signs and what it extends on the
 * right), every list in wire order. */
static void hello_layout(svg *g, const ward_trace_event *ev)
{
    ward_trace_msg *m = g->m;
    memset(m, 0, sizeof *m);
    if (ward_trace_decode(ev, m) != WARD_OK)
        return;
    char title[96];
    snprintf(title, sizeof title, "The ClientHello, as the client sent it (%zu bytes)", m->len);
    g->y += 28;
    text(g, " class=\"h\"", 20, g->y, title);
    text(g, " class=\"t\"", 20, g->y + 16,
         "every list in the order on the wire; GREASE values (RFC 8701), which a client sends "
         "to keep servers tolerant of unknown ones, in grey");
    g->y += 36;
    put(g, "<g class=\"l\" data-layout=\"ClientHello\">\n");
    hello_fields(g, m);
    int left = g->y + 10, right = left;
    code_list(g, 20, &left, "cipher_suites", WARD_NAME_SUITE, m->suites, m->n_suites,
              kept(m->n_suites));
    code_list(g, 20, &left, "supported_versions", WARD_NAME_VERSION, m->versions,
              m->n_versions, kept(m->n_versions));
    code_list(g, 20, &left, "supported_groups", WARD_NAME_GROUP, m->groups, m->n_groups,
              kept(m->n_groups));
    share_list(g, 20, &left, m);
    uint16_t modes[4];
    size_t nm = m->n_psk_modes < 4 ? m->n_psk_modes : 4;
    for (size_t i = 0; i < nm; i++)
        modes[i] = m->psk_modes[i];
    if (nm)
        code_list(g, 20, &left, "psk_key_exchange_modes", WARD_NAME_PSK_MODE, modes,
                  m->n_psk_modes, nm);
    code_list(g, SV_COL2, &right, "signature_algorithms", WARD_NAME_SIGSCHEME, m->sigalgs,
              m->n_sigalgs, kept(m->n_sigalgs));
    code_list(g, SV_COL2, &right, "extensions, in wire order", WARD_NAME_EXTENSION,
              m->extensions, m->n_extensions, kept(m->n_extensions));
    put(g, "</g>\n");
    g->y = left > right ? left : right;
}

/* ---- the whole drawing ---- */

static const char style[] =
    "<style>\n"
    ".wt text{font-family:sans-serif;font-size:11px;fill:#222}\n"
    ".wt .n{font-size:13px;font-weight:bold;text-anchor:middle}\n"
    ".wt .h{font-size:14px;font-weight:bold}\n"
    ".wt .d{text-anchor:middle;fill:#333}\n"
    ".wt .t,.wt .bl{fill:#666;font-style:italic}\n"
    ".wt line{stroke:#222;stroke-width:1.5}\n"
    ".wt .alert line{stroke:#c00}.wt .alert text,.wt .bad text{fill:#c00}\n"
    ".wt .plain line{stroke-dasharray:5 3}\n"
    ".wt .ll{stroke:#555;stroke-dasharray:4 3;stroke-width:1}\n"
    ".wt .box{fill:#eee;stroke:#333}.wt circle{fill:#333}\n"
    ".wt .p0{fill:#f2f2f2}.wt .p1{fill:#fde2c4}.wt .p2{fill:#fff3b0}\n"
    ".wt .p3{fill:#d5f2d5}.wt .p4{fill:#bfe6bf}.wt .p5{fill:#d6e4fa}\n"
    ".wt .l text{font-family:monospace}.wt .lh{font-weight:bold}\n"
    ".wt .g{fill:#999;font-style:italic}\n"
    "</style>\n"
    "<defs><marker id=\"wt-a\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
    "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\"/></marker>"
    "<marker id=\"wt-r\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
    "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" "
    "fill=\"#c00\"/></marker></defs>\n";

static void head(svg *g, int height, const char *title)
{
    put(g, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"wt\" width=\"%d\" height=\"%d\" "
           "viewBox=\"0 0 %d %d\" role=\"img\">\n<title>", SV_W, height, SV_W, height);
    esc(g, title);
    put(g, "</title>\n%s", style);
    put(g, "<rect fill=\"#fff\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\"/>\n", SV_W, height);
    text(g, " class=\"h\"", 20, 22, title);
    text(g, " class=\"t\"", 20, 38,
         "client left, server right; the shading says under which keys each message travels");
    put(g, "<rect class=\"box\" x=\"%d\" y=\"44\" width=\"120\" height=\"24\"/>\n", SV_CX - 60);
    put(g, "<rect class=\"box\" x=\"%d\" y=\"44\" width=\"120\" height=\"24\"/>\n", SV_SX - 60);
    text(g, " class=\"n\"", SV_CX, 61, "Client");
    text(g, " class=\"n\"", SV_SX, 61, "Server");
}

static void draw(svg *g, const trace_item *items, size_t n, int height)
{
    const ward_trace_event *done = NULL, *hello = NULL;
    for (size_t i = 0; i < n; i++) {
        if (items[i].ev.kind == WARD_TRACE_DONE)
            done = &items[i].ev;
        if (!hello && items[i].ev.kind == WARD_TRACE_MESSAGE && items[i].ev.msg_type == 1)
            hello = &items[i].ev;
    }
    char title[160], b1[16], b2[16];
    if (done)
        snprintf(title, sizeof title, "A %s handshake: %s", name_of(WARD_NAME_VERSION,
                 done->version, b1), name_of(WARD_NAME_SUITE, done->suite, b2));
    else
        snprintf(title, sizeof title, "A TLS handshake that did not complete");
    head(g, height, title);
    g->y = SV_TOP;
    g->prot = -1;
    g->version = 0;
    rows(g, items, n);
    put(g, "<line class=\"ll\" x1=\"%d\" y1=\"68\" x2=\"%d\" y2=\"%d\"/>\n", SV_CX, SV_CX, g->y);
    put(g, "<line class=\"ll\" x1=\"%d\" y1=\"68\" x2=\"%d\" y2=\"%d\"/>\n", SV_SX, SV_SX, g->y);
    if (hello)
        hello_layout(g, hello);
    put(g, "</svg>\n");
}

int trace_svg_write(FILE *out, const trace_item *items, size_t n)
{
    ward_trace_msg *m = malloc(sizeof *m);
    if (!m)
        return -1;
    svg g = {.out = NULL, .m = m};
    draw(&g, items, n, 0); /* the height first: it opens the drawing */
    int height = g.y + 16;
    g.out = out;
    draw(&g, items, n, height);
    free(m);
    return ferror(out) ? -1 : 0;
}
