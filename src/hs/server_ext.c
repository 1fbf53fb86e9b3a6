/* What a server takes from a ClientHello the same way in TLS 1.3
 * (server.c) and TLS 1.2 (server12.c): the host name it asked for
 * (server_name, RFC 6066 §3) and the application protocol (ALPN, RFC 7301).
 * Its own file so that neither version's server calls into the other. */
#include <string.h>

#include "hs/hs.h"
#include "hs/identity.h"
#include "msg/msg.h"

/* RFC 7301 §3.2: the server's preference among the client's protocols. */
wres hs_server_choose_alpn(hs_ctx *c, const msg_client_hello *ch, span *alpn)
{
    const ward_config *cfg = c->cfg;
    if (ch->has_alpn && cfg->alpn_select_fn) /* the application picks (hs/hello_cb.c) */
        return hs_server_alpn_callback(c, ch, alpn);
    if (!ch->has_alpn || cfg->alpn_len == 0)
        return wres_ok();
    rd mine = rd_of(cfg->alpn, cfg->alpn_len), m;
    while (rd_left(&mine) && wres_is_ok(rd_block8(&mine, &m))) {
        rd theirs = rd_span(ch->alpn), t;
        while (rd_left(&theirs) && wres_is_ok(rd_block8(&theirs, &t)))
            if (t.left == m.left && memcmp(t.p, m.p, m.left) == 0) {
                *alpn = span_of(m.p, m.left);
                memcpy(c->alpn, m.p, m.left);
                c->alpn[m.left] = '\0';
                return wres_ok();
            }
    }
    return hs_fail(c, WARD_ERR_NO_APPLICATION_PROTOCOL,
                     "client offered no ALPN protocol the server supports");
}

wres hs_server_take_name(hs_ctx *c, const msg_client_hello *ch)
{
    if (!ch->has_server_name)
        return wres_ok();
    span n = ch->server_name;
    if (n.len > WARD_MAX_NAME)
        return hs_fail(c, WARD_ERR_DECODE, "server_name longer than 255 bytes");
    for (size_t i = 0; i < n.len; i++)
        if (n.p[i] <= 0x20 || n.p[i] >= 0x7f)
            return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                             "server_name holds characters not allowed in a host name");
    memcpy(c->server_name, n.p, n.len);
    c->server_name[n.len] = '\0';
    return wres_ok();
}
