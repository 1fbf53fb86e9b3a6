/* ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4), and the
 * TLS 1.2 ServerHello (RFC 5246 §7.4.1.3). */
#include <string.h>

#include "msg/msg.h"

/* SHA-256("HelloRetryRequest"), §4.1.3. */
const uint8_t MSG_HRR_RANDOM[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* ---- decoding ---- */

typedef struct {
    msg_server_hello sh;
    int tls12;       /* no supported_versions and not an HRR */
    int unsupported; /* an unknown extension was seen */
    int misplaced;   /* a recognized extension this message does not allow */
} sh_ctx;

/* §4.2.8: ServerHello carries one KeyShareEntry, group(2) +
 * key_exchange<1..2^16-1>; an HRR carries only the selected_group. */
static WARD_MUST_CHECK wres read_key_share(rd *d, msg_server_hello *sh)
{
    sh->has_key_share = 1;
    GUARD(rd_u16(d, &sh->key_share_group));
    if (sh->is_hrr)
        return wres_ok();
    rd key;
    GUARD(rd_block16(d, &key));
    ENSURE(rd_left(&key) > 0, WARD_ERR_DECODE);
    sh->key_share = rd_rest(&key);
    return wres_ok();
}

static WARD_MUST_CHECK wres read_cookie(rd *d, msg_server_hello *sh)
{
    rd c;
    GUARD(rd_block16(d, &c));
    ENSURE(rd_left(&c) > 0, WARD_ERR_DECODE); /* Cookie: opaque<1..2^16-1> */
    sh->has_cookie = 1;
    sh->cookie = rd_rest(&c);
    return wres_ok();
}

/* ---- TLS 1.2 extensions ---- */

/* RFC 5746 §3.2: renegotiated_connection<0..255>, and nothing after it
 * (the walker checks). */
static WARD_MUST_CHECK wres read_renegotiation_info(rd *d, msg_server_hello *sh)
{
    rd body;
    GUARD(rd_block8(d, &body));
    sh->renegotiation_info = rd_rest(&body);
    sh->has_renegotiation_info = 1;
    return wres_ok();
}

/* RFC 8422 §5.2: the client's structure, ec_point_format_list<1..2^8-1>. */
static WARD_MUST_CHECK wres read_ec_point_formats(rd *d, msg_server_hello *sh)
{
    rd list;
    GUARD(rd_block8(d, &list));
    ENSURE(rd_left(&list) > 0, WARD_ERR_DECODE);
    sh->ec_point_formats = rd_rest(&list);
    sh->has_ec_point_formats = 1;
    return wres_ok();
}

/* RFC 7301 §3.1: the server's ProtocolNameList holds exactly one name. */
static WARD_MUST_CHECK wres read_alpn(rd *d, msg_server_hello *sh)
{
    span list;
    size_t count;
    GUARD(msg_read_alpn_list(d, &list, &count));
    ENSURE(count == 1, WARD_ERR_ILLEGAL_PARAMETER);
    rd r = rd_span(list), name;
    GUARD(rd_block8(&r, &name));
    sh->alpn = rd_rest(&name);
    sh->has_alpn = 1;
    return wres_ok();
}

static WARD_MUST_CHECK wres read_record_size_limit(rd *d, msg_server_hello *sh)
{
    GUARD(rd_u16(d, &sh->record_size_limit));
    ENSURE(sh->record_size_limit >= 64, WARD_ERR_ILLEGAL_PARAMETER); /* RFC 8449 §4 */
    sh->has_record_size_limit = 1;
    return wres_ok();
}

/* The extensions a TLS 1.2 server may answer with (RFC 5246 §7.4.1.4). */
static int is_tls12_ext(uint16_t type)
{
    switch (type) {
    case EXT_RENEGOTIATION_INFO:
    case EXT_EXTENDED_MASTER_SECRET:
    case EXT_EC_POINT_FORMATS:
    case EXT_ALPN:
    case EXT_SERVER_NAME:
    case EXT_SESSION_TICKET:
    case EXT_RECORD_SIZE_LIMIT:
    case EXT_STATUS_REQUEST:
        return 1;
    default:
        return 0;
    }
}

/* Extensions whose data must be empty read nothing: the walker refuses
 * leftover bytes (WARD_ERR_DECODE). */
static WARD_MUST_CHECK wres on_extension12(msg_server_hello *sh, uint16_t type, rd *d)
{
    switch (type) {
    case EXT_RENEGOTIATION_INFO:
        return read_renegotiation_info(d, sh);
    case EXT_EXTENDED_MASTER_SECRET: /* RFC 7627 §5.1 */
        sh->has_extended_master_secret = 1;
        return wres_ok();
    case EXT_EC_POINT_FORMATS:
        return read_ec_point_formats(d, sh);
    case EXT_ALPN:
        return read_alpn(d, sh);
    case EXT_SERVER_NAME: /* RFC 6066 §3 */
        sh->has_server_name = 1;
        return wres_ok();
    case EXT_SESSION_TICKET: /* RFC 5077 §3.2 */
        sh->has_session_ticket = 1;
        return wres_ok();
    case EXT_RECORD_SIZE_LIMIT:
        return read_record_size_limit(d, sh);
    case EXT_STATUS_REQUEST: /* RFC 6066 §8: empty; CertificateStatus follows */
        sh->has_status_request = 1;
        return wres_ok();
    default:
        return wres_err(WARD_ERR_INTERNAL); /* is_tls12_ext() said yes */
    }
}

/* §4.2 table: ServerHello may carry key_share, pre_shared_key and
 * supported_versions; HRR key_share, cookie and supported_versions. */
static WARD_MUST_CHECK wres on_extension(void *ctx, uint16_t type, rd *d, int is_last)
{
    sh_ctx *c = ctx;
    msg_server_hello *sh = &c->sh;
    if (c->tls12) {
        if (is_tls12_ext(type))
            return on_extension12(sh, type, d);
        /* Not a TLS 1.2 extension: refused after the walk. The TLS 1.3
         * ones are still parsed below, so a malformed one stays a
         * decode_error, as it was before TLS 1.2 had rules of its own. */
        c->unsupported = 1;
    }
    switch (type) {
    case EXT_SUPPORTED_VERSIONS:
        sh->has_supported_versions = 1;
        return rd_u16(d, &sh->selected_version);
    case EXT_KEY_SHARE:
        return read_key_share(d, sh);
    case EXT_COOKIE:
        if (sh->is_hrr)
            return read_cookie(d, sh);
        break;
    case EXT_PRE_SHARED_KEY:
        if (!sh->is_hrr) {
            sh->has_pre_shared_key = 1;
            return rd_u16(d, &sh->selected_identity);
        }
        break;
    default:
        break;
    }
    /* TLS 1.3 (§4.2): recognized but not for this message → illegal;
     * TLS 1.2 (RFC 5246 §7.4.1.4): anything unrequested → unsupported. */
    if (!c->tls12 && msg_ext_recognized(type))
        c->misplaced = 1;
    else
        c->unsupported = 1;
    (void)rd_rest(d);
    return wres_ok();
}

/* 1 if the extension block holds an entry of this type. A lenient scan:
 * framing errors stop it, and the real walk reports them. */
static int block_has(span entries, uint16_t want)
{
    rd r = rd_span(entries);
    while (rd_left(&r) > 0) {
        uint16_t type;
        rd data;
        if (!wres_is_ok(rd_u16(&r, &type)) || !wres_is_ok(rd_block16(&r, &data)))
            return 0;
        if (type == want)
            return 1;
    }
    return 0;
}

wres msg_decode_server_hello(span body, msg_server_hello *out)
{
    sh_ctx c;
    memset(&c, 0, sizeof c);
    msg_server_hello *sh = &c.sh;
    rd r = rd_span(body), sid;

    GUARD(rd_u16(&r, &sh->legacy_version));
    GUARD(rd_copy(&r, sh->random, sizeof sh->random));
    sh->is_hrr = memcmp(sh->random, MSG_HRR_RANDOM, sizeof sh->random) == 0;
    GUARD(rd_block8(&r, &sid));
    ENSURE(rd_left(&sid) <= sizeof sh->session_id, WARD_ERR_DECODE);
    sh->session_id_len = (uint8_t)rd_left(&sid);
    GUARD(rd_copy(&sid, sh->session_id, sh->session_id_len));
    GUARD(rd_u16(&r, &sh->cipher_suite));
    GUARD(rd_u8(&r, &sh->compression));
    ENSURE(sh->compression == 0, WARD_ERR_ILLEGAL_PARAMETER);

    if (rd_left(&r) > 0) {
        rd exts;
        GUARD(rd_block16(&r, &exts));
        GUARD(rd_expect_end(&r));
        span entries = rd_rest(&exts);
        /* supported_versions may come after the extensions it governs, so
         * the version is settled before the walk. */
        c.tls12 = !sh->is_hrr && !block_has(entries, EXT_SUPPORTED_VERSIONS);
        GUARD(msg_ext_walk(entries, on_extension, &c));
    }
    /* TLS 1.3 §4.2 and TLS 1.2 RFC 5246 §7.4.1.4 alike: a server must not
     * answer with an extension the client could not have offered. Flagged
     * during the walk so that a malformed known extension is reported as
     * such whatever its position. */
    ENSURE(!c.misplaced, WARD_ERR_ILLEGAL_PARAMETER);
    ENSURE(!c.unsupported, WARD_ERR_UNSUPPORTED_EXTENSION);
    *out = *sh;
    return wres_ok();
}

/* ---- encoding ---- */

static WARD_MUST_CHECK wres write_key_share(wr *w, const msg_server_hello_params *p)
{
    wr_block e = msg_ext_open(w, EXT_KEY_SHARE);
    wr_u16(w, p->key_share_group);
    if (!p->is_hrr) {
        wr_block key = wr_open(w, 2);
        wr_bytes(w, p->key_share, p->key_share_len);
        GUARD(wr_close(w, key));
    }
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

static WARD_MUST_CHECK wres write_extensions(wr *w, const msg_server_hello_params *p)
{
    if (!p->is_hrr && p->has_psk) { /* §4.2.11: selected_identity */
        wr_block e = msg_ext_open(w, EXT_PRE_SHARED_KEY);
        wr_u16(w, p->psk_identity);
        GUARD(wr_close(w, e));
    }
    if (p->key_share_group)
        GUARD(write_key_share(w, p));
    if (p->is_hrr && p->cookie_len)
        GUARD(write_cookie(w, p->cookie, p->cookie_len));
    wr_block e = msg_ext_open(w, EXT_SUPPORTED_VERSIONS);
    wr_u16(w, WARD_TLS13);
    return wr_close(w, e);
}

wres msg_encode_server_hello(wr *w, const msg_server_hello_params *p)
{
    ENSURE(p->session_id_len <= 32, WARD_ERR_INTERNAL);
    ENSURE(!p->cookie_len || p->is_hrr, WARD_ERR_INTERNAL);
    ENSURE(p->is_hrr || !p->key_share_group || p->key_share_len > 0, WARD_ERR_INTERNAL);
    wr_block msg = msg_hs_open(w, HS_SERVER_HELLO);
    wr_u16(w, WARD_TLS12); /* legacy_version (§4.1.3) */
    wr_bytes(w, p->is_hrr ? MSG_HRR_RANDOM : p->random, 32);
    wr_block sid = wr_open(w, 1);
    wr_bytes(w, p->session_id, p->session_id_len);
    GUARD(wr_close(w, sid));
    wr_u16(w, p->cipher_suite);
    wr_u8(w, 0); /* legacy_compression_method */
    wr_block exts = wr_open(w, 2);
    GUARD(write_extensions(w, p));
    GUARD(wr_close(w, exts));
    return wr_close(w, msg);
}

/* ---- TLS 1.2 encoding ---- */

static WARD_MUST_CHECK wres write_empty(wr *w, uint16_t type)
{
    wr_block e = msg_ext_open(w, type);
    return wr_close(w, e);
}

static WARD_MUST_CHECK wres write_extensions12(wr *w, const msg_server_hello12_params *p)
{
    if (p->renegotiation_info) { /* RFC 5746 §3.6: empty in an initial handshake */
        wr_block e = msg_ext_open(w, EXT_RENEGOTIATION_INFO);
        wr_u8(w, 0);
        GUARD(wr_close(w, e));
    }
    if (p->extended_master_secret)
        GUARD(write_empty(w, EXT_EXTENDED_MASTER_SECRET));
    if (p->ec_point_formats) { /* RFC 8422 §5.2: [uncompressed] */
        wr_block e = msg_ext_open(w, EXT_EC_POINT_FORMATS);
        wr_u8(w, 1);
        wr_u8(w, 0);
        GUARD(wr_close(w, e));
    }
    if (p->alpn_len) {
        wr_block e = msg_ext_open(w, EXT_ALPN);
        wr_block list = wr_open(w, 2);
        wr_block name = wr_open(w, 1);
        wr_bytes(w, p->alpn, p->alpn_len);
        GUARD(wr_close(w, name));
        GUARD(wr_close(w, list));
        GUARD(wr_close(w, e));
    }
    if (p->server_name_ack)
        GUARD(write_empty(w, EXT_SERVER_NAME));
    if (p->session_ticket)
        GUARD(write_empty(w, EXT_SESSION_TICKET));
    if (p->status_request)
        GUARD(write_empty(w, EXT_STATUS_REQUEST));
    return wres_ok();
}

wres msg_encode_server_hello12(wr *w, const msg_server_hello12_params *p)
{
    ENSURE(p->session_id_len <= 32, WARD_ERR_INTERNAL);
    ENSURE(p->alpn_len <= 255, WARD_ERR_INTERNAL);
    wr_block msg = msg_hs_open(w, HS_SERVER_HELLO);
    wr_u16(w, WARD_TLS12); /* server_version */
    wr_bytes(w, p->random, sizeof p->random);
    wr_block sid = wr_open(w, 1);
    wr_bytes(w, p->session_id, p->session_id_len);
    GUARD(wr_close(w, sid));
    wr_u16(w, p->cipher_suite);
    wr_u8(w, 0); /* compression_method: null */
    /* §7.4.1.3: the extensions field may be absent altogether. */
    if (p->renegotiation_info || p->extended_master_secret || p->ec_point_formats ||
        p->alpn_len || p->server_name_ack || p->session_ticket || p->status_request) {
        wr_block exts = wr_open(w, 2);
        GUARD(write_extensions12(w, p));
        GUARD(wr_close(w, exts));
    }
    return wr_close(w, msg);
}
