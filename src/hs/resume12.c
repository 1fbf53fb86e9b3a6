/* TLS 1.2 resumption (RFC 5246 §7.3, §7.4.1.2; RFC 5077; RFC 7627 §5.3):
 *
 *   abbreviated: ClientHello(session_id or session_ticket) →
 *                ServerHello(echoed id), [NewSessionTicket], ChangeCipherSpec,
 *                Finished → ChangeCipherSpec, Finished
 *   full, with a ticket: ... client Finished → NewSessionTicket,
 *                ChangeCipherSpec, Finished
 *
 * Only sessions made with the Extended Master Secret are resumed, and only
 * by a hello that offers it again (RFC 7627 §5.3). ward requires EMS unless
 * ward_config_allow_no_ems is on; a session made without it is never
 * saved, cached, ticketed or resumed. */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "hs/hs.h"
#include "hs/psk.h"
#include "hs/resume12.h"
#include "hs/session_store.h"
#include "hs/suites.h"
#include "msg/msg.h"

#define SESSION_ID_LIFETIME 7200

static uint64_t now_s(const hs_ctx *c) { return (uint64_t)ward_time_s(&c->cfg->prov); }
static uint64_t now_ms(const hs_ctx *c)
{
    return ward_time_ms(&c->cfg->prov, WARD_CLOCK_REALTIME);
}

/* ---- client ---- */

int hs_client12_session_offerable(const hs_ctx *c)
{
    const ward_session *s = c->offer;
    if (!s || s->st.version != WARD_TLS12 || !s->st.ems || c->cfg->min_version > WARD_TLS12 ||
        !hs_suite_enabled(c->cfg, s->st.suite, WARD_TLS12) || s->st.secret_len != 48)
        return 0;
    uint64_t now = now_ms(c);
    if (now < s->received_ms || now - s->received_ms >= (uint64_t)s->st.lifetime * 1000)
        return 0;
    return strcmp(s->st.server_name, c->server_name) == 0;
}

/* Before the first ClientHello: the session ID to send. With a ticket,
 * RFC 5077 §3.4 has the client make up an ID so that the server's echo
 * tells it the ticket was accepted. */
wres hs_client12_prepare(hs_ctx *c)
{
    if (!hs_client12_session_offerable(c))
        return wres_ok();
    const ward_session *s = c->offer;
    if (s->ticket_len) {
        c->session_id_len = 32;
        return hs_random(c, c->session_id, 32);
    }
    memcpy(c->session_id, s->session_id, s->session_id_len);
    c->session_id_len = s->session_id_len;
    return wres_ok();
}

void hs_client12_fill(hs_ctx *c, msg_client_hello_params *p)
{
    if (c->cfg->min_version > WARD_TLS12)
        return;
    p->session_ticket = 1; /* RFC 5077 §3.2: empty asks for a ticket */
    if (hs_client12_session_offerable(c) && c->offer->ticket_len) {
        p->session_ticket_data = c->offer->ticket;
        p->session_ticket_len = c->offer->ticket_len;
    }
}

/* ServerHello echoing the session ID we offered: resume. */
wres hs_client12_on_resumed_hello(hs_ctx *c, const msg_server_hello *sh, int *resumed)
{
    *resumed = 0;
    c->ticket12_expected = sh->has_session_ticket;
    if (!hs_client12_session_offerable(c) || sh->session_id_len == 0 ||
        sh->session_id_len != c->session_id_len ||
        memcmp(sh->session_id, c->session_id, c->session_id_len) != 0)
        return wres_ok();
    const ward_session *s = c->offer;
    if (!c->ems) /* RFC 7627 §5.3: our session had EMS, the resumption must too */
        return hs_fail(c, WARD_ERR_HANDSHAKE_FAILURE,
                         "server resumed a session without the Extended Master Secret "
                         "(RFC 7627 §5.3)");
    if (sh->cipher_suite != s->st.suite)
        return hs_fail(c, WARD_ERR_ILLEGAL_PARAMETER,
                         "server resumed the session with another cipher suite");
    memcpy(c->master, s->st.secret, 48);
    c->resumed = 1;
    c->hs_kind |= HK_RESUMED;
    *resumed = 1;
    return wres_ok();
}

wres hs_client12_on_new_session_ticket(hs_ctx *c, span body, span full)
{
    uint32_t hint;
    span ticket;
    if (!c->ticket12_expected)
        return hs_fail(c, WARD_ERR_UNEXPECTED_MESSAGE,
                         "NewSessionTicket from a server that did not announce one");
    GUARD(msg_decode_new_session_ticket12(body, &hint, &ticket));
    GUARD(transcript_add(c, full.p, full.len));
    c->ticket12_expected = 0;
    if (ticket.len && ticket.len <= RESUME_MAX_TICKET) {
        free(c->ticket12);
        c->ticket12 = malloc(ticket.len);
        ENSURE(c->ticket12, WARD_ERR_NOMEM);
        memcpy(c->ticket12, ticket.p, ticket.len);
        c->ticket12_len = ticket.len;
        c->ticket12_lifetime = hint;
    }
    return wres_ok(); /* the CCS comes next: same state */
}

/* At the end of a TLS 1.2 handshake: what a later one can resume. */
void hs_client12_offer_session(hs_ctx *c, const uint8_t *server_session_id, size_t id_len)
{
    if (!c->ems) { /* RFC 7627 §5.3: never resumed, so not saved */
        free(c->ticket12);
        c->ticket12 = NULL;
        c->ticket12_len = 0;
        return;
    }
    ward_session *s = calloc(1, sizeof *s);
    if (!s)
        return;
    s->st.version = WARD_TLS12;
    s->st.suite = c->suite;
    s->st.created = now_s(c);
    s->st.lifetime = SESSION_ID_LIFETIME;
    s->st.ems = c->ems;
    memcpy(s->st.secret, c->master, 48);
    s->st.secret_len = 48;
    memcpy(s->st.alpn, c->alpn, sizeof s->st.alpn);
    memcpy(s->st.server_name, c->server_name, sizeof c->server_name);
    s->received_ms = now_ms(c);
    if (c->ticket12_len) {
        memcpy(s->ticket, c->ticket12, c->ticket12_len);
        s->ticket_len = c->ticket12_len;
        if (c->ticket12_lifetime && c->ticket12_lifetime < 604800)
            s->st.lifetime = c->ticket12_lifetime;
    } else if (c->resumed && c->offer && c->offer->ticket_len) {
        memcpy(s->ticket, c->offer->ticket, c->offer->ticket_len); /* still good */
        s->ticket_len = c->offer->ticket_len;
        s->st.lifetime = c->offer->st.lifetime;
        s->received_ms = c->offer->received_ms;
    } else if (!c->ticket12_len) {
        memcpy(s->session_id, server_session_id, id_len);
        s->session_id_len = id_len;
    }
    free(c->ticket12);
    c->ticket12 = NULL;
    c->ticket12_len = 0;
    if (!s->ticket_len && !s->session_id_len) {
        ward_session_free(s); /* the server keeps nothing: not resumable */
        return;
    }
    hs_notify_session(c, s);
}

/* ---- server ---- */

/* Which earlier session the ClientHello asks for, if we have it and it
 * fits: a ticket first (RFC 5077 §3.4), else the session-ID cache. */
int hs_server12_find_session(hs_ctx *c, const msg_client_hello *ch, resume_state *st)
{
    const ward_config *cfg = c->cfg;
    int found = 0;
    if (!cfg->resume || !c->ems) /* RFC 7627 §5.3: full handshake without EMS */
        return 0;
    if (ch->has_session_ticket && ch->session_ticket.len)
        found = resume_ticket_open(cfg->resume, ch->session_ticket.p, ch->session_ticket.len, st);
    if (!found && ch->session_id_len && cfg->has_store)
        found = session_store_get(cfg, ch->session_id, ch->session_id_len, now_s(c), st);
    else if (!found && ch->session_id_len)
        found = resume_cache_get(cfg->resume, ch->session_id, ch->session_id_len, now_s(c), st);
    if (!found)
        return 0;
    const suite_info *si = suite_lookup(st->suite);
    int ok = st->version == WARD_TLS12 && st->ems && st->secret_len == 48 && si &&
             !resume_state_expired(st, now_s(c)) && hs_suite_enabled(cfg, st->suite, WARD_TLS12) &&
             msg_u16_list_has(ch->cipher_suites, st->suite) &&
             strcmp(st->server_name, c->server_name) == 0;
    if (!ok)
        ward_zeroize(st, sizeof *st);
    return ok;
}

static void state_of(hs_ctx *c, resume_state *st)
{
    memset(st, 0, sizeof *st);
    st->version = WARD_TLS12;
    st->suite = c->suite;
    st->created = now_s(c);
    st->lifetime = c->cfg->ticket_lifetime;
    st->ems = c->ems;
    memcpy(st->secret, c->master, 48);
    st->secret_len = 48;
    memcpy(st->alpn, c->alpn, sizeof st->alpn);
    memcpy(st->server_name, c->server_name, sizeof c->server_name);
}

/* After the client's Finished of a full handshake: remember the session
 * under its ID, and hand out a ticket if one was announced. */
wres hs_server12_save_session(hs_ctx *c)
{
    resume_state st;
    if (!c->ems) /* RFC 7627 §5.3: nothing to resume by (belt and braces) */
        return wres_ok();
    state_of(c, &st);
    wres r = wres_ok();
    if (c->session_id_len && c->cfg->has_store)
        r = session_store_put(c->cfg, c->session_id, c->session_id_len, &st);
    else if (c->session_id_len)
        r = resume_cache_put(c->cfg->resume, c->session_id, c->session_id_len, &st);
    if (wres_is_ok(r) && c->ticket12_expected) {
        uint8_t ticket[RESUME_MAX_TICKET], msg[MSG_HEADER_LEN + 6 + RESUME_MAX_TICKET];
        size_t tlen;
        r = resume_ticket_seal(c->cfg->resume, &st, c->cfg->ticket_lifetime, ticket,
                               sizeof ticket, &tlen);
        wr w = wr_of(msg, sizeof msg);
        if (wres_is_ok(r))
            r = msg_encode_new_session_ticket12(&w, c->cfg->ticket_lifetime, ticket, tlen);
        if (wres_is_ok(r))
            r = hs_send_msg(c, msg, w.len);
    }
    ward_zeroize(&st, sizeof st);
    return r;
}
