/* The server's application callbacks (issue #18): the ClientHello callback
 * (choose the identity or refuse, before ward decides anything) and the
 * ALPN selection callback (RFC 7301 §3.2: the server picks). Both TLS 1.3
 * (server.c) and TLS 1.2 (server12.c) call through here. */
#include <stdlib.h>
#include <string.h>

#include "hs/hs.h"
#include "hs/identity.h"
#include "msg/msg.h"

/* What the callback sees: the decoded ClientHello and what ward derived. */
struct ward_client_hello {
    const msg_client_hello *ch;
    uint16_t version;
    char name[WARD_MAX_NAME + 1];
    int has_name;
    alpn_list alpn;
};

wres alpn_list_make(span body, alpn_list *l)
{
    memset(l, 0, sizeof *l);
    rd r = rd_span(body), n;
    while (rd_left(&r) && wres_is_ok(rd_block8(&r, &n)))
        l->n++;
    if (l->n == 0)
        return wres_ok();
    /* One block: the pointers, the lengths, then each name and a NUL. */
    size_t heads = l->n * (sizeof(char *) + sizeof(size_t));
    uint8_t *mem = malloc(heads + body.len + l->n);
    if (!mem)
        return wres_err(WARD_ERR_NOMEM);
    l->names = (const char **)(void *)mem;
    l->lens = (size_t *)(void *)(mem + l->n * sizeof(char *));
    char *s = (char *)mem + heads;
    r = rd_span(body);
    for (size_t i = 0; i < l->n && wres_is_ok(rd_block8(&r, &n)); i++) {
        memcpy(s, n.p, n.left);
        s[n.left] = '\0';
        l->names[i] = s;
        l->lens[i] = n.left;
        s += n.left + 1;
    }
    return wres_ok();
}

void alpn_list_free(alpn_list *l)
{
    free(l->names);
    memset(l, 0, sizeof *l);
}

const char *ward_client_hello_server_name(const ward_client_hello *ch)
{
    return ch->has_name ? ch->name : NULL;
}

size_t ward_client_hello_alpn(const ward_client_hello *ch, const char **names, size_t cap)
{
    for (size_t i = 0; i < ch->alpn.n && i < cap; i++)
        names[i] = ch->alpn.names[i];
    return ch->alpn.n;
}

uint16_t ward_client_hello_version(const ward_client_hello *ch) { return ch->version; }

uint16_t ward_client_hello_max_version(const ward_client_hello *ch)
{
    if (!ch->ch->has_supported_versions)
        return ch->ch->legacy_version;
    uint16_t best = 0, v;
    rd r = rd_span(ch->ch->supported_versions);
    while (wres_is_ok(rd_u16(&r, &v)))
        if ((v & 0x0f0f) != 0x0a0a && v > best) /* skip GREASE (RFC 8701) */
            best = v;
    return best;
}

static size_t u16_list(span list, uint16_t *out, size_t cap)
{
    size_t n = 0;
    uint16_t v;
    rd r = rd_span(list);
    for (; wres_is_ok(rd_u16(&r, &v)); n++)
        if (n < cap)
            out[n] = v;
    return n;
}

size_t ward_client_hello_suites(const ward_client_hello *ch, uint16_t *out, size_t cap)
{
    return u16_list(ch->ch->cipher_suites, out, cap);
}

size_t ward_client_hello_groups(const ward_client_hello *ch, uint16_t *out, size_t cap)
{
    return ch->ch->has_supported_groups ? u16_list(ch->ch->supported_groups, out, cap) : 0;
}

size_t ward_client_hello_sigalgs(const ward_client_hello *ch, uint16_t *out, size_t cap)
{
    return ch->ch->has_signature_algorithms ? u16_list(ch->ch->signature_algorithms, out, cap)
                                            : 0;
}

void ward_config_set_client_hello_callback(ward_config *cfg, ward_client_hello_fn fn, void *arg)
{
    cfg->hello_fn = fn;
    cfg->hello_arg = arg;
}

void ward_config_set_alpn_select(ward_config *cfg, ward_alpn_select_fn fn, void *arg)
{
    cfg->alpn_select_fn = fn;
    cfg->alpn_select_arg = arg;
}

/* The ward_err whose alert is this one (the first in the table), so that
 * ward_conn_error says what the callback meant. */
static ward_err err_for_alert(int alert)
{
    for (int e = 1; e < WARD_ERR__COUNT; e++)
        if (ward_err_alert((ward_err)e) == alert)
            return (ward_err)e;
    return WARD_ERR_HANDSHAKE_FAILURE;
}

wres hs_server_hello_callback(hs_ctx *c, const msg_client_hello *ch, uint16_t version)
{
    const ward_config *cfg = c->cfg;
    if (!cfg->hello_fn)
        return wres_ok();
    ward_client_hello h = {.ch = ch, .version = version};
    if (ch->has_server_name && hs_sni_name(ch, h.name))
        h.has_name = 1;
    if (ch->has_alpn)
        GUARD(alpn_list_make(ch->alpn, &h.alpn));
    c->cb_hello = &h;
    int r = cfg->hello_fn(cfg->hello_arg, c->conn, &h);
    c->cb_hello = NULL;
    alpn_list_free(&h.alpn);
    if (r == WARD_OK)
        return wres_ok();
    if (r < 0 || r > 255)
        return hs_fail(c, WARD_ERR_INTERNAL,
                       "the ClientHello callback returned %d, neither WARD_OK nor an alert", r);
    c->refuse_alert = r;
    return hs_fail(c, err_for_alert(r), "the ClientHello callback refused the client (alert %s)",
                   ward_alert_name(r));
}

ward_err hs_use_identity(hs_ctx *c, ward_identity *id)
{
    if (!c->is_server || !c->cb_hello || !id)
        return WARD_ERR_STATE;
    ward_identity_ref(id);
    ward_identity_free(c->cb_id);
    c->cb_id = id;
    return WARD_OK;
}

wres hs_server_alpn_callback(hs_ctx *c, const msg_client_hello *ch, span *alpn)
{
    const ward_config *cfg = c->cfg;
    alpn_list l;
    GUARD(alpn_list_make(ch->alpn, &l));
    int i = cfg->alpn_select_fn(cfg->alpn_select_arg, c->conn, l.names, l.n);
    wres r = wres_ok();
    if (i >= 0 && (size_t)i < l.n) {
        memcpy(c->alpn, l.names[i], l.lens[i]);
        c->alpn[l.lens[i]] = '\0';
        *alpn = span_of((const uint8_t *)c->alpn, l.lens[i]);
    } else if (i == -1) {
        r = hs_fail(c, WARD_ERR_NO_APPLICATION_PROTOCOL,
                    "the ALPN callback accepts none of the %zu protocols the client offered", l.n);
    } else if (i != -2) {
        r = hs_fail(c, WARD_ERR_INTERNAL, "the ALPN callback returned %d for %zu protocols", i,
                    l.n);
    }
    alpn_list_free(&l);
    return r;
}
