/* ClientHello (RFC 8446 §4.1.2) and the extensions a client sends (§4.2). */
#include <string.h>

#include "msg/msg.h"

/* ---- decoding ---- */

/* RFC 6066 §3: ServerNameList<1..2^16-1> of name_type(1) + opaque<1..2^16-1>.
 * The first host_name (type 0) is taken; other name types are skipped. A
 * list with no host_name at all leaves has_server_name unset: there is no
 * name to act on or to acknowledge. */
static WARD_MUST_CHECK wres read_server_name(rd *d, msg_client_hello *ch)
{
    rd list;
    GUARD(rd_block16(d, &list));
    ENSURE(rd_left(&list) > 0, WARD_ERR_DECODE);
    while (rd_left(&list) > 0) {
        uint8_t type;
        rd name;
        GUARD(rd_u8(&list, &type));
        GUARD(rd_block16(&list, &name));
        ENSURE(rd_left(&name) > 0, WARD_ERR_DECODE);
        if (type == 0 && !ch->has_server_name) {
            ch->has_server_name = 1;
            ch->server_name = rd_rest(&name);
        }
    }
    return wres_ok();
}

/* §4.2.8: KeyShareClientHello client_shares<0..2^16-1> of
 * group(2) + key_exchange<1..2^16-1>. An empty list is legal (the client
 * asks the server to pick a group by HelloRetryRequest). */
static WARD_MUST_CHECK wres read_key_shares(rd *d, span *out)
{
    rd list;
    GUARD(rd_block16(d, &list));
    rd walk = list;
    while (rd_left(&walk) > 0) {
        uint16_t group;
        rd key;
        GUARD(rd_u16(&walk, &group));
        GUARD(rd_block16(&walk, &key));
        ENSURE(rd_left(&key) > 0, WARD_ERR_DECODE);
    }
    *out = rd_rest(&list);
    return wres_ok();
}

/* A u8- or u16-prefixed opaque that must not be empty. */
static WARD_MUST_CHECK wres read_nonempty(rd *d, uint8_t width, span *out)
{
    rd body;
    if (width == 1)
        GUARD(rd_block8(d, &body));
    else
        GUARD(rd_block16(d, &body));
    ENSURE(rd_left(&body) > 0, WARD_ERR_DECODE);
    *out = rd_rest(&body);
    return wres_ok();
}

static WARD_MUST_CHECK wres read_alpn(rd *d, msg_client_hello *ch)
{
    size_t count;
    GUARD(msg_read_alpn_list(d, &ch->alpn, &count));
    ch->has_alpn = 1;
    return wres_ok();
}

/* RFC 8449 §4: a limit below 64 is illegal_parameter. */
static WARD_MUST_CHECK wres read_record_size_limit(rd *d, msg_client_hello *ch)
{
    GUARD(rd_u16(d, &ch->record_size_limit));
    ENSURE(ch->record_size_limit >= 64, WARD_ERR_ILLEGAL_PARAMETER);
    ch->has_record_size_limit = 1;
    return wres_ok();
}

/* RFC 5746 §3.2: renegotiated_connection<0..255>; its value is checked by
 * the handshake (it must be empty in an initial handshake). The walker
 * rejects bytes after the block. */
static WARD_MUST_CHECK wres read_renegotiation_info(rd *d, msg_client_hello *ch)
{
    rd body;
    GUARD(rd_block8(d, &body));
    ch->renegotiation_info = rd_rest(&body);
    ch->has_renegotiation_info = 1;
    return wres_ok();
}

/* RFC 8422 §5.1.2: ECPointFormat ec_point_format_list<1..2^8-1>. */
static WARD_MUST_CHECK wres read_ec_point_formats(rd *d, msg_client_hello *ch)
{
    GUARD(read_nonempty(d, 1, &ch->ec_point_formats));
    ch->has_ec_point_formats = 1;
    return wres_ok();
}

/* RFC 5077 §3.2: the extension data is the ticket itself (no length
 * prefix); empty asks the server for a new one. */
static WARD_MUST_CHECK wres read_session_ticket(rd *d, msg_client_hello *ch)
{
    ch->session_ticket = rd_rest(d);
    ch->has_session_ticket = 1;
    return wres_ok();
}

/* Sets *flag for an extension whose data must be empty. Emptiness is
 * checked by the walker (nothing is read here). */
static WARD_MUST_CHECK wres set_flag(int *flag)
{
    *flag = 1;
    return wres_ok();
}

static WARD_MUST_CHECK wres on_extension(void *ctx, uint16_t type, rd *d, int is_last)
{
    msg_client_hello *ch = ctx;
    switch (type) {
    case EXT_SERVER_NAME:
        return read_server_name(d, ch);
    case EXT_SUPPORTED_VERSIONS:
        ch->has_supported_versions = 1;
        return msg_read_u16_list(d, 1, &ch->supported_versions);
    case EXT_SUPPORTED_GROUPS:
        ch->has_supported_groups = 1;
        return msg_read_u16_list(d, 2, &ch->supported_groups);
    case EXT_SIGNATURE_ALGORITHMS:
        ch->has_signature_algorithms = 1;
        return msg_read_u16_list(d, 2, &ch->signature_algorithms);
    case EXT_SIGNATURE_ALGORITHMS_CERT:
        ch->has_signature_algorithms_cert = 1;
        return msg_read_u16_list(d, 2, &ch->signature_algorithms_cert);
    case EXT_KEY_SHARE:
        ch->has_key_share = 1;
        return read_key_shares(d, &ch->key_shares);
    case EXT_ALPN:
        return read_alpn(d, ch);
    case EXT_COOKIE:
        ch->has_cookie = 1;
        return read_nonempty(d, 2, &ch->cookie);
    case EXT_PSK_KEY_EXCHANGE_MODES:
        ch->has_psk_modes = 1;
        return read_nonempty(d, 1, &ch->psk_modes);
    case EXT_PRE_SHARED_KEY:
        /* §4.2.11: "MUST be the last extension in the ClientHello", since
         * the binders cover everything before them. */
        ENSURE(is_last, WARD_ERR_ILLEGAL_PARAMETER);
        ch->pre_shared_key = rd_rest(d); /* msg_decode_psk_offer parses it */
        return set_flag(&ch->has_pre_shared_key);
    case EXT_EARLY_DATA:
        return set_flag(&ch->has_early_data);
    case EXT_RECORD_SIZE_LIMIT:
        return read_record_size_limit(d, ch);
    case EXT_RENEGOTIATION_INFO:
        return read_renegotiation_info(d, ch);
    case EXT_POST_HANDSHAKE_AUTH:
        return set_flag(&ch->has_post_handshake_auth);
    case EXT_EXTENDED_MASTER_SECRET:
        return set_flag(&ch->has_extended_master_secret); /* RFC 7627 §5.1: empty */
    case EXT_EC_POINT_FORMATS:
        return read_ec_point_formats(d, ch);
    case EXT_SESSION_TICKET:
        return read_session_ticket(d, ch);
    case EXT_STATUS_REQUEST: /* RFC 6066 §8 */
        return msg_read_status_request(d, &ch->has_status_request);
    default:
        /* §4.1.2: servers ignore extensions they do not recognize. */
        (void)rd_rest(d);
        return wres_ok();
    }
}

wres msg_decode_client_hello(span body, msg_client_hello *out)
{
    msg_client_hello ch;
    memset(&ch, 0, sizeof ch);
    rd r = rd_span(body), sid, comp;

    GUARD(rd_u16(&r, &ch.legacy_version));
    GUARD(rd_copy(&r, ch.random, sizeof ch.random));
    GUARD(rd_block8(&r, &sid));
    ENSURE(rd_left(&sid) <= sizeof ch.session_id, WARD_ERR_DECODE);
    ch.session_id_len = (uint8_t)rd_left(&sid);
    GUARD(rd_copy(&sid, ch.session_id, ch.session_id_len));
    GUARD(msg_read_u16_list(&r, 2, &ch.cipher_suites));
    GUARD(rd_block8(&r, &comp));
    ENSURE(rd_left(&comp) > 0, WARD_ERR_DECODE);
    ch.compression_methods = rd_rest(&comp);

    /* A hello with no extensions block at all decodes (TLS 1.2 clients may
     * send one); the handshake then finds no supported_versions. */
    if (rd_left(&r) > 0) {
        rd exts;
        GUARD(rd_block16(&r, &exts));
        GUARD(rd_expect_end(&r));
        ch.extensions = rd_rest(&exts);
        GUARD(msg_ext_walk(ch.extensions, on_extension, &ch));
    }
    *out = ch;
    return wres_ok();
}

/* ---- encoding ---- */

static WARD_MUST_CHECK wres check_params(const msg_client_hello_params *p)
{
    ENSURE(p->session_id_len <= 32, WARD_ERR_INTERNAL);
    ENSURE(p->n_suites > 0, WARD_ERR_INTERNAL);
    ENSURE(!p->server_name || p->server_name[0], WARD_ERR_INTERNAL);
    ENSURE(p->psk_identity_len <= 0xffff && p->psk_binder_len <= 255, WARD_ERR_INTERNAL);
    ENSURE(p->session_ticket_len <= 0xffff, WARD_ERR_INTERNAL);
    for (size_t i = 0; i < p->n_alpn; i++) {
        size_t n = strlen(p->alpn[i]);
        ENSURE(n >= 1 && n <= 255, WARD_ERR_INTERNAL);
    }
    return wres_ok();
}

static WARD_MUST_CHECK wres write_server_name(wr *w, const char *name)
{
    wr_block e = msg_ext_open(w, EXT_SERVER_NAME);
    wr_block list = wr_open(w, 2);
    wr_u8(w, 0); /* host_name */
    wr_block host = wr_open(w, 2);
    wr_bytes(w, name, strlen(name));
    GUARD(wr_close(w, host));
    GUARD(wr_close(w, list));
    return wr_close(w, e);
}

static WARD_MUST_CHECK wres write_empty(wr *w, uint16_t type)
{
    wr_block e = msg_ext_open(w, type);
    return wr_close(w, e);
}

static WARD_MUST_CHECK wres write_u16_list_ext(wr *w, uint16_t type, uint8_t width,
                                               const uint16_t *v, size_t n)
{
    wr_block e = msg_ext_open(w, type);
    GUARD(msg_write_u16_list(w, width, v, n));
    return wr_close(w, e);
}

static WARD_MUST_CHECK wres write_key_shares(wr *w, const msg_key_share *shares, size_t n)
{
    wr_block e = msg_ext_open(w, EXT_KEY_SHARE);
    wr_block list = wr_open(w, 2);
    for (size_t i = 0; i < n; i++) {
        wr_u16(w, shares[i].group);
        wr_block key = wr_open(w, 2);
        wr_bytes(w, shares[i].pub, shares[i].len);
        GUARD(wr_close(w, key));
    }
    GUARD(wr_close(w, list));
    return wr_close(w, e);
}

static WARD_MUST_CHECK wres write_alpn(wr *w, const char *const *names, size_t n)
{
    wr_block e = msg_ext_open(w, EXT_ALPN);
    wr_block list = wr_open(w, 2);
    for (size_t i = 0; i < n; i++) {
        wr_block name = wr_open(w, 1);
        wr_bytes(w, names[i], strlen(names[i]));
        GUARD(wr_close(w, name));
    }
    GUARD(wr_close(w, list));
    return wr_close(w, e);
}

static WARD_MUST_CHECK wres write_cookie(wr *w, const uint8_t *cookie, size_t len)
{
    wr_block e = msg_ext_open(w, EXT_COOKIE);
    wr_block c = wr_open(w, 2);
    wr_bytes(w, cookie, len);
    GUARD(wr_close(w, c));
    return wr_close(w, e);
}

/* RFC 5746 §3.4: an initial hello sends an empty renegotiated_connection. */
static WARD_MUST_CHECK wres write_renegotiation_info(wr *w)
{
    wr_block e = msg_ext_open(w, EXT_RENEGOTIATION_INFO);
    wr_u8(w, 0);
    return wr_close(w, e);
}

/* RFC 8422 §5.1.2: only uncompressed (0) is offered (the other formats
 * are deprecated). */
static WARD_MUST_CHECK wres write_ec_point_formats(wr *w)
{
    wr_block e = msg_ext_open(w, EXT_EC_POINT_FORMATS);
    wr_u8(w, 1);
    wr_u8(w, 0);
    return wr_close(w, e);
}

/* §4.2.9: psk_dhe_ke (1), and psk_ke (0) only when asked for. */
static WARD_MUST_CHECK wres write_psk_modes(wr *w, int psk_ke)
{
    wr_block e = msg_ext_open(w, EXT_PSK_KEY_EXCHANGE_MODES);
    wr_block list = wr_open(w, 1);
    wr_u8(w, 1);
    if (psk_ke)
        wr_u8(w, 0);
    GUARD(wr_close(w, list));
    return wr_close(w, e);
}

/* RFC 5077 §3.2: the ticket is the extension data itself. */
static WARD_MUST_CHECK wres write_session_ticket(wr *w, const uint8_t *ticket, size_t len)
{
    wr_block e = msg_ext_open(w, EXT_SESSION_TICKET);
    wr_bytes(w, ticket, len);
    return wr_close(w, e);
}

/* §4.2.11: one identity, and its binder as zeros (the caller computes it
 * over the hello up to the binders and writes it over the last hlen bytes). */
static size_t psk_ext_len(const msg_client_hello_params *p)
{
    return 4 + 2 + 2 + p->psk_identity_len + 4 + 2 + 1 + p->psk_binder_len;
}

static WARD_MUST_CHECK wres write_pre_shared_key(wr *w, const msg_client_hello_params *p)
{
    wr_block e = msg_ext_open(w, EXT_PRE_SHARED_KEY);
    wr_block ids = wr_open(w, 2);
    wr_block id = wr_open(w, 2);
    wr_bytes(w, p->psk_identity, p->psk_identity_len);
    GUARD(wr_close(w, id));
    wr_u32(w, p->psk_obfuscated_age);
    GUARD(wr_close(w, ids));
    wr_block binders = wr_open(w, 2);
    wr_block b = wr_open(w, 1);
    wr_zeros(w, p->psk_binder_len);
    GUARD(wr_close(w, b));
    GUARD(wr_close(w, binders));
    return wr_close(w, e);
}

static WARD_MUST_CHECK wres write_record_size_limit(wr *w, uint16_t limit)
{
    wr_block e = msg_ext_open(w, EXT_RECORD_SIZE_LIMIT);
    wr_u16(w, limit);
    return wr_close(w, e);
}

/* RFC 7685 §4: some middleboxes hang on a ClientHello of 256..511 bytes, so
 * such a hello is padded to 512. An extension costs 4 bytes of header: when
 * fewer are missing, an empty padding extension still lifts the message past
 * 512, out of the bad range. msg_len counts the 4-byte handshake header. */
static WARD_MUST_CHECK wres write_padding(wr *w, size_t msg_len)
{
    if (msg_len < 256 || msg_len > 511)
        return wres_ok();
    size_t missing = 512 - msg_len;
    wr_block e = msg_ext_open(w, EXT_PADDING);
    wr_zeros(w, missing >= 4 ? missing - 4 : 0);
    return wr_close(w, e);
}

/* The order is fixed by msg.h. key_share goes with supported_groups: §9.2
 * requires a TLS 1.3 hello to carry both or neither (an empty share list is
 * legal). */
static WARD_MUST_CHECK wres write_extensions(wr *w, const msg_client_hello_params *p)
{
    if (p->server_name)
        GUARD(write_server_name(w, p->server_name));
    if (p->renegotiation_info)
        GUARD(write_renegotiation_info(w));
    if (p->n_groups)
        GUARD(write_u16_list_ext(w, EXT_SUPPORTED_GROUPS, 2, p->groups, p->n_groups));
    if (p->session_ticket_len)
        GUARD(write_session_ticket(w, p->session_ticket_data, p->session_ticket_len));
    else if (p->session_ticket)
        GUARD(write_empty(w, EXT_SESSION_TICKET));
    if (p->n_groups || p->n_shares)
        GUARD(write_key_shares(w, p->shares, p->n_shares));
    if (p->early_data)
        GUARD(write_empty(w, EXT_EARLY_DATA));
    if (p->n_versions)
        GUARD(write_u16_list_ext(w, EXT_SUPPORTED_VERSIONS, 1, p->versions, p->n_versions));
    if (p->n_sig_algs)
        GUARD(write_u16_list_ext(w, EXT_SIGNATURE_ALGORITHMS, 2, p->sig_algs, p->n_sig_algs));
    if (p->n_sig_algs_cert)
        GUARD(write_u16_list_ext(w, EXT_SIGNATURE_ALGORITHMS_CERT, 2, p->sig_algs_cert,
                                 p->n_sig_algs_cert));
    if (p->n_alpn)
        GUARD(write_alpn(w, p->alpn, p->n_alpn));
    if (p->cookie_len)
        GUARD(write_cookie(w, p->cookie, p->cookie_len));
    if (p->psk_dhe_ke)
        GUARD(write_psk_modes(w, p->psk_ke));
    if (p->record_size_limit)
        GUARD(write_record_size_limit(w, p->record_size_limit));
    /* TLS 1.2 ones last, so the TLS 1.3 bytes above stay as they were. */
    if (p->extended_master_secret)
        GUARD(write_empty(w, EXT_EXTENDED_MASTER_SECRET));
    if (p->ec_point_formats)
        GUARD(write_ec_point_formats(w));
    if (p->status_request)
        GUARD(msg_write_status_request_ext(w));
    if (p->post_handshake_auth)
        GUARD(write_empty(w, EXT_POST_HANDSHAKE_AUTH));
    return wres_ok();
}

wres msg_encode_client_hello(wr *w, const msg_client_hello_params *p)
{
    GUARD(check_params(p));
    size_t start = w->len;
    wr_block msg = msg_hs_open(w, HS_CLIENT_HELLO);
    wr_u16(w, WARD_TLS12); /* legacy_version (§4.1.2) */
    wr_bytes(w, p->random, sizeof p->random);
    wr_block sid = wr_open(w, 1);
    wr_bytes(w, p->session_id, p->session_id_len);
    GUARD(wr_close(w, sid));
    GUARD(msg_write_u16_list(w, 2, p->suites, p->n_suites));
    wr_u8(w, 1); /* legacy_compression_methods: [null] */
    wr_u8(w, 0);
    wr_block exts = wr_open(w, 2);
    GUARD(write_extensions(w, p));
    size_t psk_len = p->psk_identity_len ? psk_ext_len(p) : 0;
    if (p->pad_to_512)
        GUARD(write_padding(w, w->len - start + psk_len));
    if (psk_len)
        GUARD(write_pre_shared_key(w, p));
    GUARD(wr_close(w, exts));
    return wr_close(w, msg);
}
