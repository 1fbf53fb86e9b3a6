/* ClientHello and ServerHello / HelloRetryRequest for the trace (RFC 8446
 * §4.1.2, §4.1.3; RFC 5246 §7.4.1). */
#include <string.h>

#include "msg/msg.h"
#include "trace/decode.h"

/* §4.2.8: KeyShareEntry group(2) key_exchange<1..2^16-1>, validated. */
static void take_shares(span list, ward_trace_msg *m)
{
    rd r = rd_span(list), key;
    uint16_t group;
    while (rd_left(&r) > 0 && wres_is_ok(rd_u16(&r, &group)) && wres_is_ok(rd_block16(&r, &key))) {
        if (m->n_shares < WARD_TRACE_MAX_SHARES)
            m->shares[m->n_shares] = (ward_trace_share){group, rd_left(&key)};
        m->n_shares++;
    }
}

/* RFC 7301 §3.1: ProtocolNameList body, (len8 name)+, validated. */
static void take_alpn(span list, ward_trace_msg *m)
{
    rd r = rd_span(list), name;
    while (rd_left(&r) > 0 && wres_is_ok(rd_block8(&r, &name))) {
        if (m->n_alpn < WARD_TRACE_MAX_ALPN)
            trace_copy_text(m->alpn[m->n_alpn], sizeof m->alpn[0], rd_rest(&name));
        m->n_alpn++;
    }
}

/* §4.2.11: OfferedPsks identities<7..2^16-1> of identity<1..2^16-1> and
 * obfuscated_ticket_age(4); counted, whatever ward would look at. */
static WARD_MUST_CHECK wres count_psk_identities(span ext, size_t *n)
{
    rd r = rd_span(ext), ids, id;
    uint32_t age;
    GUARD(rd_block16(&r, &ids));
    for (*n = 0; rd_left(&ids) > 0; (*n)++) {
        GUARD(rd_block16(&ids, &id));
        GUARD(rd_u32(&ids, &age));
    }
    return wres_ok();
}

static void take_psk_modes(span modes, ward_trace_msg *m)
{
    for (size_t i = 0; i < modes.len; i++)
        if (i < sizeof m->psk_modes)
            m->psk_modes[i] = modes.p[i];
    m->n_psk_modes = modes.len;
}

static WARD_MUST_CHECK wres take_client_extensions(const msg_client_hello *ch, ward_trace_msg *m)
{
    trace_take_u16s(ch->supported_versions, m->versions, &m->n_versions);
    trace_take_u16s(ch->supported_groups, m->groups, &m->n_groups);
    trace_take_u16s(ch->signature_algorithms, m->sigalgs, &m->n_sigalgs);
    take_shares(ch->key_shares, m);
    take_alpn(ch->alpn, m);
    if (ch->has_server_name)
        trace_copy_text(m->server_name, sizeof m->server_name, ch->server_name);
    m->cookie_len = ch->cookie.len;
    if (ch->has_pre_shared_key)
        GUARD(count_psk_identities(ch->pre_shared_key, &m->psk_identities));
    take_psk_modes(ch->psk_modes, m);
    m->early_data = ch->has_early_data;
    m->ems = ch->has_extended_master_secret;
    m->status_request = ch->has_status_request;
    m->ticket_ext = ch->has_session_ticket;
    return trace_take_extensions(ch->extensions, m);
}

wres trace_client_hello(span body, ward_trace_msg *m)
{
    msg_client_hello ch;
    GUARD(msg_decode_client_hello(body, &ch));
    m->legacy_version = ch.legacy_version;
    m->version = ch.legacy_version;
    memcpy(m->random, ch.random, sizeof m->random);
    memcpy(m->session_id, ch.session_id, ch.session_id_len);
    m->session_id_len = ch.session_id_len;
    trace_take_u16s(ch.cipher_suites, m->suites, &m->n_suites);
    return take_client_extensions(&ch, m);
}

/* The raw extensions block of a ServerHello (§4.1.3): after
 * legacy_version, random, legacy_session_id_echo, cipher_suite and
 * legacy_compression_method; empty when there is none (TLS 1.2). */
static WARD_MUST_CHECK wres server_extensions(span body, span *block)
{
    rd r = rd_span(body), sid, exts;
    span skip;
    GUARD(rd_bytes(&r, 2 + 32, &skip));
    GUARD(rd_block8(&r, &sid));
    GUARD(rd_bytes(&r, 2 + 1, &skip));
    *block = span_of(NULL, 0);
    if (rd_left(&r) == 0)
        return wres_ok();
    GUARD(rd_block16(&r, &exts));
    *block = rd_rest(&exts);
    return wres_ok();
}

/* §4.1.3: a TLS 1.3 server negotiating 1.2 or below ends its random with
 * "DOWNGRD" and 01 (TLS 1.2) or 00 (TLS 1.1 or below). */
static int downgrade_sentinel(const uint8_t random[32])
{
    static const uint8_t tag[7] = {0x44, 0x4F, 0x57, 0x4E, 0x47, 0x52, 0x44};
    if (memcmp(random + 24, tag, sizeof tag) != 0)
        return 0;
    return random[31] == 0x01 ? 12 : random[31] == 0x00 ? 11 : 0;
}

static void take_server_fields(const msg_server_hello *sh, ward_trace_msg *m)
{
    m->hrr = sh->is_hrr;
    m->version = sh->has_supported_versions ? sh->selected_version : sh->legacy_version;
    if (sh->is_hrr) {
        m->group = sh->key_share_group;
        m->cookie_len = sh->cookie.len;
    } else {
        m->downgrade = downgrade_sentinel(sh->random);
        if (sh->has_key_share) {
            m->shares[0] = (ward_trace_share){sh->key_share_group, sh->key_share.len};
            m->n_shares = 1;
        }
    }
    m->psk_selected = sh->has_pre_shared_key ? (int)sh->selected_identity : -1;
    if (sh->has_alpn) {
        trace_copy_text(m->alpn[0], sizeof m->alpn[0], sh->alpn);
        m->n_alpn = 1;
    }
    m->ems = sh->has_extended_master_secret;
    m->status_request = sh->has_status_request;
    m->ticket_ext = sh->has_session_ticket;
}

wres trace_server_hello(span body, ward_trace_msg *m)
{
    msg_server_hello sh;
    span block;
    GUARD(msg_decode_server_hello(body, &sh));
    GUARD(server_extensions(body, &block));
    m->legacy_version = sh.legacy_version;
    memcpy(m->random, sh.random, sizeof m->random);
    memcpy(m->session_id, sh.session_id, sh.session_id_len);
    m->session_id_len = sh.session_id_len;
    m->suite = sh.cipher_suite;
    take_server_fields(&sh, m);
    return trace_take_extensions(block, m);
}
