/* EncryptedExtensions (RFC 8446 §4.3.1). */
#include <string.h>

#include "msg/msg.h"

/* ---- decoding ---- */

/* RFC 7301 §3.1: the server's ProtocolNameList holds exactly one name. */
static WARD_MUST_CHECK wres read_alpn(rd *d, msg_encrypted_extensions *ee)
{
    span list;
    size_t count;
    GUARD(msg_read_alpn_list(d, &list, &count));
    ENSURE(count == 1, WARD_ERR_ILLEGAL_PARAMETER);
    rd r = rd_span(list), name;
    GUARD(rd_block8(&r, &name));
    ee->has_alpn = 1;
    ee->alpn = rd_rest(&name);
    return wres_ok();
}

static WARD_MUST_CHECK wres read_record_size_limit(rd *d, msg_encrypted_extensions *ee)
{
    GUARD(rd_u16(d, &ee->record_size_limit));
    ENSURE(ee->record_size_limit >= 64, WARD_ERR_ILLEGAL_PARAMETER); /* RFC 8449 §4 */
    ee->has_record_size_limit = 1;
    return wres_ok();
}

/* Known extensions that have no place in EE (§4.2 table): the server either
 * answers them elsewhere or was never asked, and §4.2 says an unsolicited
 * response is unsupported_extension. */
static int forbidden_in_ee(uint16_t type)
{
    static const uint16_t forbidden[] = {
        EXT_STATUS_REQUEST, EXT_EC_POINT_FORMATS, EXT_SIGNATURE_ALGORITHMS, EXT_PADDING,
        EXT_EXTENDED_MASTER_SECRET, EXT_SESSION_TICKET, EXT_PRE_SHARED_KEY,
        EXT_SUPPORTED_VERSIONS, EXT_COOKIE, EXT_PSK_KEY_EXCHANGE_MODES,
        EXT_CERTIFICATE_AUTHORITIES, EXT_POST_HANDSHAKE_AUTH, EXT_SIGNATURE_ALGORITHMS_CERT,
        EXT_KEY_SHARE, EXT_RENEGOTIATION_INFO,
    };
    for (size_t i = 0; i < WARD_ARRAY_LEN(forbidden); i++)
        if (forbidden[i] == type)
            return 1;
    return 0;
}

static WARD_MUST_CHECK wres on_extension(void *ctx, uint16_t type, rd *d, int is_last)
{
    msg_encrypted_extensions *ee = ctx;
    switch (type) {
    case EXT_SERVER_NAME:
        /* RFC 6066 §3: the acknowledgment has empty extension_data; the
         * walker rejects anything left unread. */
        ee->has_server_name = 1;
        return wres_ok();
    case EXT_ALPN:
        return read_alpn(d, ee);
    case EXT_SUPPORTED_GROUPS:
        ee->has_supported_groups = 1;
        return msg_read_u16_list(d, 2, &ee->supported_groups);
    case EXT_RECORD_SIZE_LIMIT:
        return read_record_size_limit(d, ee);
    case EXT_EARLY_DATA:
        ee->has_early_data = 1; /* empty in EE (§4.2.10) */
        return wres_ok();
    default:
        /* §4.2: recognized, but not an EncryptedExtensions extension. */
        ENSURE(!forbidden_in_ee(type), WARD_ERR_ILLEGAL_PARAMETER);
        (void)rd_rest(d); /* unknown: ignored */
        return wres_ok();
    }
}

wres msg_decode_encrypted_extensions(span body, msg_encrypted_extensions *out)
{
    msg_encrypted_extensions ee;
    memset(&ee, 0, sizeof ee);
    rd r = rd_span(body), exts;
    GUARD(rd_block16(&r, &exts));
    GUARD(rd_expect_end(&r));
    GUARD(msg_ext_walk(rd_rest(&exts), on_extension, &ee));
    *out = ee;
    return wres_ok();
}

/* ---- encoding ---- */

static WARD_MUST_CHECK wres write_groups(wr *w, const uint8_t *raw, size_t len)
{
    wr_block e = msg_ext_open(w, EXT_SUPPORTED_GROUPS);
    wr_block list = wr_open(w, 2);
    wr_bytes(w, raw, len);
    GUARD(wr_close(w, list));
    return wr_close(w, e);
}

static WARD_MUST_CHECK wres write_record_size_limit(wr *w, uint16_t limit)
{
    wr_block e = msg_ext_open(w, EXT_RECORD_SIZE_LIMIT);
    wr_u16(w, limit);
    return wr_close(w, e);
}

static WARD_MUST_CHECK wres write_alpn(wr *w, const uint8_t *name, size_t len)
{
    wr_block e = msg_ext_open(w, EXT_ALPN);
    wr_block list = wr_open(w, 2);
    wr_block n = wr_open(w, 1);
    wr_bytes(w, name, len);
    GUARD(wr_close(w, n));
    GUARD(wr_close(w, list));
    return wr_close(w, e);
}

wres msg_encode_encrypted_extensions(wr *w, const msg_encrypted_extensions_params *p)
{
    ENSURE(p->groups_raw_len % 2 == 0, WARD_ERR_INTERNAL);
    ENSURE(p->alpn_len <= 255, WARD_ERR_INTERNAL);
    wr_block msg = msg_hs_open(w, HS_ENCRYPTED_EXTENSIONS);
    wr_block exts = wr_open(w, 2);
    if (p->groups_raw_len)
        GUARD(write_groups(w, p->groups_raw, p->groups_raw_len));
    if (p->record_size_limit)
        GUARD(write_record_size_limit(w, p->record_size_limit));
    if (p->server_name_ack) {
        wr_block e = msg_ext_open(w, EXT_SERVER_NAME);
        GUARD(wr_close(w, e));
    }
    if (p->alpn_len)
        GUARD(write_alpn(w, p->alpn, p->alpn_len));
    if (p->early_data) { /* §4.2.10: the server accepts the early data */
        wr_block e = msg_ext_open(w, EXT_EARLY_DATA);
        GUARD(wr_close(w, e));
    }
    GUARD(wr_close(w, exts));
    return wr_close(w, msg);
}
