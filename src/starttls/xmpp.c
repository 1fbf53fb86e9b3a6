/* XMPP STARTTLS, client-to-server and server-to-server (RFC 6120 §4.2,
 * §4.3, §5.4): the initiating entity opens the stream, the receiving one
 * answers with its own stream header and <stream:features>; if those offer
 * <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/> (with or without
 * <required/>), the initiator sends <starttls/> and the receiver answers
 * <proceed/> (TLS starts at once, §5.4.3.3) or <failure/> (§5.4.2.2).
 * After TLS both open a new stream (§5.4.3.3): that is the application's,
 * so the dialogue is done.
 *
 * The XML is cut into tags by xml_scan.c; namespaces are resolved for the
 * three levels that matter (the stream, its children, theirs) from the
 * xmlns and xmlns:prefix attributes of those elements, so a server may use
 * any prefix (RFC 6120 §4.8.5) and declare the TLS namespace where it likes. */
#include <stdio.h>
#include <string.h>

#include "starttls/binproto.h"
#include "starttls/dialogue.h"

#define NS_STREAMS_URI "http://etherx.jabber.org/streams"
#define NS_TLS_URI "urn:ietf:params:xml:ns:xmpp-tls"
#define NS_ERRORS_URI "urn:ietf:params:xml:ns:xmpp-streams"

enum { NS_NONE, NS_STREAMS, NS_TLS, NS_CLIENT, NS_SERVER, NS_ERRORS, NS_OTHER };

/* Bounds: nesting inside the stream, and tags before the upgrade (a real
 * server's features are a few dozen). */
#define XS_DEPTH_MAX 16
#define XS_TOKENS_MAX 512
#define XS_PFX_MAX 16
#define XS_PFX_N 4
#define XS_LEVELS 3

typedef struct {
    uint8_t def; /* the default namespace */
    uint8_t n;
    struct {
        uint8_t len, ns;
        char p[XS_PFX_MAX];
    } pfx[XS_PFX_N];
} xs_scope;

typedef struct {
    xs_scope scope[XS_LEVELS]; /* the stream element, its child, theirs */
    unsigned depth;            /* 0 before the stream header, 1 inside it */
    unsigned tokens;
    int starttls, required;
    int error_text; /* 1 inside a stream error's <text> (its content is quoted) */
    char names[STT_QUOTE_MAX]; /* the features seen, for a refusal */
    size_t names_len;
} xmpp_state;

_Static_assert(sizeof(xmpp_state) <= STT_PRIV_MAX, "xmpp_state fits the dialogue");

static xmpp_state *st(ward_starttls *d) { return (xmpp_state *)(void *)d->priv.bytes; }

static int ns_id(stt_xs v)
{
    return stt_xs_is(v, NS_STREAMS_URI) ? NS_STREAMS
           : stt_xs_is(v, NS_TLS_URI)   ? NS_TLS
           : stt_xs_is(v, "jabber:client") ? NS_CLIENT
           : stt_xs_is(v, "jabber:server") ? NS_SERVER
           : stt_xs_is(v, NS_ERRORS_URI)   ? NS_ERRORS
                                           : NS_OTHER;
}

/* Fill the scope of an element at level lv from its xmlns attributes. */
static void scope_fill(xmpp_state *s, unsigned lv, const stt_xml_tok *t)
{
    xs_scope *sc = &s->scope[lv];
    memset(sc, 0, sizeof *sc);
    sc->def = lv > 0 ? s->scope[lv - 1].def : NS_NONE;
    for (size_t i = 0; i < t->nattr; i++) {
        if (t->attr[i].prefix.len == 0 && stt_xs_is(t->attr[i].local, "xmlns"))
            sc->def = (uint8_t)ns_id(t->attr[i].value);
        else if (stt_xs_is(t->attr[i].prefix, "xmlns") && sc->n < XS_PFX_N &&
                 t->attr[i].local.len <= XS_PFX_MAX) {
            sc->pfx[sc->n].len = (uint8_t)t->attr[i].local.len;
            sc->pfx[sc->n].ns = (uint8_t)ns_id(t->attr[i].value);
            memcpy(sc->pfx[sc->n].p, t->attr[i].local.p, t->attr[i].local.len);
            sc->n++;
        }
    }
}

/* The namespace of an element at level lv (its scope already filled). */
static int ns_of(const xmpp_state *s, unsigned lv, const stt_xml_tok *t)
{
    if (t->prefix.len == 0)
        return s->scope[lv].def;
    for (unsigned l = lv + 1; l-- > 0;)
        for (unsigned i = 0; i < s->scope[l].n; i++)
            if (s->scope[l].pfx[i].len == t->prefix.len &&
                memcmp(s->scope[l].pfx[i].p, t->prefix.p, t->prefix.len) == 0)
                return s->scope[l].pfx[i].ns;
    return NS_NONE; /* an undeclared prefix */
}

/* An element as the handlers see it. */
typedef struct {
    const stt_xml_tok *t;
    unsigned level; /* 0 the stream, 1 its children, ... */
    int ns;         /* resolved for levels < XS_LEVELS, else NS_NONE */
} xs_elem;

static int is(const xs_elem *e, int ns, const char *local)
{
    return e->ns == ns && stt_xs_is(e->t->local, local);
}

/* The element's name, quoted, for messages: "<stream:features>". */
static const char *elem_name(char *q, size_t cap, const xs_elem *e)
{
    return stt_quote(q, cap, e->t->raw.p, e->t->raw.len < 64 ? e->t->raw.len : 64);
}

typedef wres (*xs_handler)(ward_starttls *d, const xs_elem *e);

/* ---- the token loop both halves share ---- */
static WARD_MUST_CHECK wres take_token(ward_starttls *d, stt_xml_tok *t, int *got)
{
    const uint8_t *p;
    size_t n = stt_peek(d, &p);
    const char *why = NULL;
    char q[STT_QUOTE_CAP];
    *got = 0;
    int r = stt_xml_next(p, n, STT_LINE_MAX, t, &why);
    if (r < 0)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL, "the peer's XML is malformed (%s): \"%s\"",
                        why, stt_quote(q, sizeof q, p, n));
    /* Tags are counted, not text: a socket may split text anywhere. */
    if (r > 0 && t->kind != STT_XML_TEXT && ++st(d)->tokens > XS_TOKENS_MAX)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the peer sent more than %d XML tags before TLS", XS_TOKENS_MAX);
    *got = r > 0;
    return wres_ok();
}

static int all_space(stt_xs s)
{
    for (size_t i = 0; i < s.len; i++)
        if (s.p[i] != ' ' && s.p[i] != '\t' && s.p[i] != '\r' && s.p[i] != '\n')
            return 0;
    return 1;
}

/* Text: white space between elements is fine anywhere; other character
 * data only below the stream's children (<mechanism>PLAIN</mechanism>). */
static WARD_MUST_CHECK wres on_text(ward_starttls *d, const stt_xml_tok *t)
{
    char q[STT_QUOTE_CAP];
    if (!all_space(t->raw) && st(d)->depth < 2)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the peer sent text outside an element: \"%s\"",
                        stt_quote(q, sizeof q, t->raw.p, t->raw.len));
    if (st(d)->error_text)
        stt_reply_append(d, t->raw.p, t->raw.len);
    stt_consume(d, t->raw.len);
    return wres_ok();
}

/* Run one token through the handler, keeping depth and scopes. */
static WARD_MUST_CHECK wres xmpp_input(ward_starttls *d, xs_handler h)
{
    stt_xml_tok t;
    int got;
    xmpp_state *s = st(d);
    char q[STT_QUOTE_CAP];
    GUARD(take_token(d, &t, &got));
    if (!got)
        return wres_ok();
    if (t.kind == STT_XML_TEXT)
        return on_text(d, &t);
    stt_log(d, 1, (const char *)t.raw.p, t.raw.len);
    if (t.kind == STT_XML_DECL) {
        if (s->depth > 0 || s->tokens > 1)
            return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                            "the peer sent an XML declaration inside the stream");
        stt_consume(d, t.raw.len);
        return wres_ok();
    }
    if (t.kind == STT_XML_END) {
        if (s->depth == 0)
            return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL, "the peer sent an end tag first: \"%s\"",
                            stt_quote(q, sizeof q, t.raw.p, t.raw.len));
        s->depth--;
    }
    xs_elem e = {&t, s->depth, NS_NONE};
    if (t.kind != STT_XML_END && e.level < XS_LEVELS)
        scope_fill(s, e.level, &t);
    if (e.level < XS_LEVELS)
        e.ns = ns_of(s, e.level, &t);
    if (t.kind == STT_XML_START && ++s->depth > XS_DEPTH_MAX)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL, "the peer's XML nests deeper than %d",
                        XS_DEPTH_MAX);
    stt_consume(d, t.raw.len);
    return h(d, &e);
}

/* An end tag of the stream itself, or an element after it. */
static WARD_MUST_CHECK wres stream_closed(ward_starttls *d)
{
    return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL, "the peer closed the stream (</stream:stream>)");
}

/* Check a stream header: <stream:stream> in the streams namespace, version
 * 1.0 or later (RFC 6120 §4.7.5), the expected content namespace. */
static WARD_MUST_CHECK wres check_header(ward_starttls *d, const xs_elem *e, int want_ns,
                                         const char *who)
{
    char q[STT_QUOTE_CAP];
    if (!is(e, NS_STREAMS, "stream") || e->t->kind != STT_XML_START)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "%s first element is not a stream header <stream:stream ...>: \"%s\"", who,
                        elem_name(q, sizeof q, e));
    const stt_xs *v = stt_xml_attr(e->t, "", "version");
    if (!v || v->len < 3 || v->p[0] < '1' || v->p[0] > '9' || v->p[1] != '.')
        return stt_fail(d, WARD_ERR_STARTTLS_REFUSED,
                        "%s stream header has no version='1.0': it predates XMPP 1.0 and "
                        "STARTTLS: \"%s\"",
                        who, stt_quote(q, sizeof q, e->t->raw.p, e->t->raw.len));
    if (st(d)->scope[0].def != want_ns)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "%s stream header's default namespace is not '%s': \"%s\"", who,
                        want_ns == NS_SERVER ? "jabber:server" : "jabber:client",
                        stt_quote(q, sizeof q, e->t->raw.p, e->t->raw.len));
    return wres_ok();
}

/* One character of ours in the reply being gathered (bounded). */
static void reply_mark(ward_starttls *d, char c)
{
    if (d->reply_len < STT_QUOTE_MAX) {
        d->reply[d->reply_len++] = c;
        d->reply[d->reply_len] = 0;
    }
}

/* A stream error (RFC 6120 §4.9): gathered, then reported as a refusal:
 * its conditions by name, its <text> (§4.9.2) by its content, quoted as
 * sent (entities not expanded): host-unknown "no such host". */
static WARD_MUST_CHECK wres error_part(ward_starttls *d, const xs_elem *e)
{
    xmpp_state *s = st(d);
    if (e->level == 1 && e->t->kind != STT_XML_START) /* </stream:error> */
        return stt_fail(d, WARD_ERR_STARTTLS_REFUSED, "the server sent a stream error: %s",
                        d->reply_len ? d->reply : "(no condition)");
    if (e->level != 2)
        return wres_ok();
    if (is(e, NS_ERRORS, "text")) {
        if (e->t->kind == STT_XML_START) {
            if (d->reply_len > 0)
                reply_mark(d, ' ');
            reply_mark(d, '"');
            s->error_text = 1;
        } else if (e->t->kind == STT_XML_END) {
            reply_mark(d, '"');
            s->error_text = 0;
        }
        return wres_ok();
    }
    if (e->t->kind != STT_XML_END) {
        stt_line l = {e->t->local.p, e->t->local.len};
        stt_reply_add(d, &l);
    }
    return wres_ok();
}

/* ---- parameters ---- */
/* The names we put in attribute values: no quote, '<' or '&'. */
static int attr_safe(const char *s)
{
    return s[0] && !strpbrk(s, "'\"<>&");
}

/* ---- the client halves ---- */
enum { C_HEADER, C_FEATURES_WAIT, C_FEATURES, C_ERROR, C_ANSWER, C_PROCEED_END };

static WARD_MUST_CHECK wres client_open(ward_starttls *d, int s2s)
{
    char head[STT_NAME_MAX * 2 + 256];
    if (!attr_safe(d->host) || (s2s && !attr_safe(d->helo_name)))
        return wres_err(WARD_ERR_CONFIG); /* 'to' is required (RFC 6120 §4.7.2) */
    int n = s2s ? snprintf(head, sizeof head,
                           "<?xml version='1.0'?><stream:stream from='%s' to='%s' version='1.0' "
                           "xmlns='jabber:server' xmlns:stream='" NS_STREAMS_URI "'>",
                           d->helo_name, d->host)
                : snprintf(head, sizeof head,
                           "<?xml version='1.0'?><stream:stream to='%s' version='1.0' "
                           "xmlns='jabber:client' xmlns:stream='" NS_STREAMS_URI "'>",
                           d->host);
    ENSURE(n > 0 && (size_t)n < sizeof head, WARD_ERR_CONFIG);
    stt_log(d, 0, head, (size_t)n);
    return stt_send(d, head, (size_t)n);
}

static WARD_MUST_CHECK wres c2s_start(ward_starttls *d) { return client_open(d, 0); }
static WARD_MUST_CHECK wres s2s_start(ward_starttls *d) { return client_open(d, 1); }

/* Note a feature's name (level 2 inside <stream:features>). */
static void note_feature(ward_starttls *d, const xs_elem *e)
{
    xmpp_state *s = st(d);
    size_t n = e->t->local.len, room = sizeof s->names - 1 - s->names_len;
    if (room < n + 2)
        return;
    if (s->names_len) {
        memcpy(s->names + s->names_len, ", ", 2);
        s->names_len += 2;
    }
    char q[STT_QUOTE_CAP];
    stt_quote(q, sizeof q, e->t->local.p, n);
    size_t ql = strlen(q) < room - 2 ? strlen(q) : room - 2;
    memcpy(s->names + s->names_len, q, ql);
    s->names_len += ql;
    s->names[s->names_len] = 0;
}

/* Inside <stream:features>: find <starttls/>; at its end, ask for it. */
static WARD_MUST_CHECK wres client_features(ward_starttls *d, const xs_elem *e)
{
    xmpp_state *s = st(d);
    if (e->level == 2 && e->t->kind != STT_XML_END) {
        note_feature(d, e);
        if (is(e, NS_TLS, "starttls"))
            s->starttls = 1;
    } else if (e->level == 3 && e->t->kind != STT_XML_END && s->starttls &&
               stt_xs_is(e->t->local, "required")) {
        s->required = 1;
    }
    if (e->level != 1) /* not the end of <stream:features> yet */
        return wres_ok();
    if (e->t->kind == STT_XML_END && !stt_xs_is(e->t->local, "features"))
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the server's <stream:features> ends with another end tag");
    if (!s->starttls)
        return stt_fail(d, WARD_ERR_STARTTLS_REFUSED,
                        "the server does not offer STARTTLS (its stream features: %s)",
                        s->names_len ? s->names : "none");
    static const char req[] = "<starttls xmlns='" NS_TLS_URI "'/>";
    stt_log(d, 0, req, sizeof req - 1);
    d->step = C_ANSWER;
    return stt_send(d, req, sizeof req - 1);
}

/* A child of the stream while we wait for features or the answer. */
static WARD_MUST_CHECK wres client_top(ward_starttls *d, const xs_elem *e)
{
    char q[STT_QUOTE_CAP];
    int empty = e->t->kind == STT_XML_EMPTY;
    if (e->t->kind == STT_XML_END)
        return stream_closed(d);
    if (is(e, NS_STREAMS, "error")) {
        d->step = C_ERROR;
        stt_reply_clear(d);
        return empty ? error_part(d, e) : wres_ok();
    }
    if (d->step == C_FEATURES_WAIT && is(e, NS_STREAMS, "features")) {
        d->step = C_FEATURES;
        return empty ? client_features(d, e) : wres_ok();
    }
    if (d->step == C_ANSWER && is(e, NS_TLS, "proceed")) {
        if (!empty) {
            d->step = C_PROCEED_END;
            return wres_ok();
        }
        return stt_upgrade(d, "the server's <proceed/>");
    }
    if (d->step == C_ANSWER && is(e, NS_TLS, "failure"))
        return stt_fail(d, WARD_ERR_STARTTLS_REFUSED,
                        "the server answered <failure/> to <starttls/>: \"%s\"",
                        elem_name(q, sizeof q, e));
    return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                    "the server sent an unexpected element where %s was due: \"%s\"",
                    d->step == C_ANSWER ? "<proceed/> or <failure/>" : "<stream:features>",
                    elem_name(q, sizeof q, e));
}

static WARD_MUST_CHECK wres client_elem(ward_starttls *d, const xs_elem *e, int want_ns)
{
    switch (d->step) {
    case C_HEADER:
        GUARD(check_header(d, e, want_ns, "the server's"));
        d->step = C_FEATURES_WAIT;
        return wres_ok();
    case C_FEATURES:
        return client_features(d, e);
    case C_ERROR:
        return error_part(d, e);
    case C_PROCEED_END:
        if (e->level == 1 && e->t->kind == STT_XML_END && stt_xs_is(e->t->local, "proceed"))
            return stt_upgrade(d, "the server's <proceed/>");
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the server's <proceed> has content or a wrong end tag");
    default:
        if (e->level == 0)
            return stream_closed(d);
        return client_top(d, e);
    }
}

static WARD_MUST_CHECK wres c2s_elem(ward_starttls *d, const xs_elem *e)
{
    return client_elem(d, e, NS_CLIENT);
}
static WARD_MUST_CHECK wres s2s_elem(ward_starttls *d, const xs_elem *e)
{
    return client_elem(d, e, NS_SERVER);
}
static WARD_MUST_CHECK wres c2s_input(ward_starttls *d) { return xmpp_input(d, c2s_elem); }
static WARD_MUST_CHECK wres s2s_input(ward_starttls *d) { return xmpp_input(d, s2s_elem); }

const stt_ops stt_xmpp_client = {
    .app = WARD_APP_XMPP,
    .server = 0,
    .start = c2s_start,
    .on_input = c2s_input,
    .on_secured = NULL, /* the new stream header is the application's */
};

const stt_ops stt_xmpps2s_client = {
    .app = WARD_APP_XMPP_SERVER,
    .server = 0,
    .start = s2s_start,
    .on_input = s2s_input,
    .on_secured = NULL,
};

/* ---- the server halves ---- */
enum { S_HEADER, S_WAIT, S_STARTTLS_END };

/* Our stream header and features: STARTTLS, required (RFC 6120 §5.3.1).
 * The stream id is fixed: this stream ends at the TLS handshake, and the
 * application's stream over TLS carries its own (§4.7.3). */
static WARD_MUST_CHECK wres server_open(ward_starttls *d, int s2s)
{
    char head[STT_NAME_MAX + 400];
    int n = snprintf(head, sizeof head,
                     "<?xml version='1.0'?><stream:stream xmlns='jabber:%s' xmlns:stream='"
                     NS_STREAMS_URI "' id='ward-starttls' from='%s' version='1.0'>"
                     "<stream:features><starttls xmlns='" NS_TLS_URI "'><required/></starttls>"
                     "</stream:features>",
                     s2s ? "server" : "client", d->server_name);
    ENSURE(n > 0 && (size_t)n < sizeof head, WARD_ERR_INTERNAL);
    stt_log(d, 0, head, (size_t)n);
    return stt_send(d, head, (size_t)n);
}

/* The name we put in our stream header's 'from'. */
static WARD_MUST_CHECK wres server_check(ward_starttls *d)
{
    ENSURE(attr_safe(d->server_name), WARD_ERR_CONFIG);
    return wres_ok();
}

static WARD_MUST_CHECK wres proceed(ward_starttls *d)
{
    static const char ok[] = "<proceed xmlns='" NS_TLS_URI "'/>";
    /* Upgrade first: a <starttls/> with bytes behind it gets no <proceed/>. */
    GUARD(stt_upgrade(d, "the client's <starttls/>"));
    stt_log(d, 0, ok, sizeof ok - 1);
    return stt_send(d, ok, sizeof ok - 1);
}

static WARD_MUST_CHECK wres server_elem(ward_starttls *d, const xs_elem *e, int s2s)
{
    char q[STT_QUOTE_CAP];
    switch (d->step) {
    case S_HEADER:
        GUARD(check_header(d, e, s2s ? NS_SERVER : NS_CLIENT, "the client's"));
        d->step = S_WAIT;
        return server_open(d, s2s);
    case S_STARTTLS_END:
        if (e->level == 1 && e->t->kind == STT_XML_END && stt_xs_is(e->t->local, "starttls"))
            return proceed(d);
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the client's <starttls> has content or a wrong end tag");
    default:
        if (e->level == 1 && is(e, NS_TLS, "starttls") && e->t->kind != STT_XML_END) {
            if (e->t->kind == STT_XML_START) {
                d->step = S_STARTTLS_END;
                return wres_ok();
            }
            return proceed(d);
        }
        if (e->level == 0)
            return stream_closed(d);
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the client sent an element other than <starttls/> first: \"%s\"",
                        elem_name(q, sizeof q, e));
    }
}

static WARD_MUST_CHECK wres c2s_server_elem(ward_starttls *d, const xs_elem *e)
{
    return server_elem(d, e, 0);
}
static WARD_MUST_CHECK wres s2s_server_elem(ward_starttls *d, const xs_elem *e)
{
    return server_elem(d, e, 1);
}
static WARD_MUST_CHECK wres c2s_server_input(ward_starttls *d)
{
    return xmpp_input(d, c2s_server_elem);
}
static WARD_MUST_CHECK wres s2s_server_input(ward_starttls *d)
{
    return xmpp_input(d, s2s_server_elem);
}

const stt_ops stt_xmpp_server = {
    .app = WARD_APP_XMPP,
    .server = 1,
    .start = server_check, /* the client opens the stream */
    .on_input = c2s_server_input,
    .on_secured = NULL,
};

const stt_ops stt_xmpps2s_server = {
    .app = WARD_APP_XMPP_SERVER,
    .server = 1,
    .start = server_check,
    .on_input = s2s_server_input,
    .on_secured = NULL,
};
