/* ServerHello and HelloRetryRequest (RFC 8446 §4.1.3, §4.1.4). */
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
    int unsupported; /* an extension not allowed here was seen */
} sh_ctx;

/* §4.2.8: ServerHello carries one KeyShareEntry, group(2) +
 * key_exchange<1..2^16-1>; an HRR carries only the selected_group. */
static wres read_key_share(rd *d, msg_server_hello *sh)
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

static wres read_cookie(rd *d, msg_server_hello *sh)
{
    rd c;
    GUARD(rd_block16(d, &c));
    ENSURE(rd_left(&c) > 0, WARD_ERR_DECODE); /* Cookie: opaque<1..2^16-1> */
    sh->has_cookie = 1;
    sh->cookie = rd_rest(&c);
    return wres_ok();
}

/* §4.2 table: ServerHello may carry key_share, pre_shared_key and
 * supported_versions; HRR key_share, cookie and supported_versions. */
static wres on_extension(void *ctx, uint16_t type, rd *d, int is_last)
{
    sh_ctx *c = ctx;
    msg_server_hello *sh = &c->sh;
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
    c->unsupported = 1;
    (void)rd_rest(d);
    return wres_ok();
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
        GUARD(msg_ext_walk(rd_rest(&exts), on_extension, &c));
    }
    /* §4.2: a TLS 1.3 peer must not send extensions the client did not
     * offer (unsupported_extension). A ServerHello without
     * supported_versions is a TLS 1.2 one: its own extensions
     * (renegotiation_info, ...) are left to the version check, which must
     * answer with protocol_version, not with this. */
    ENSURE(!c.unsupported || !(sh->is_hrr || sh->has_supported_versions),
           WARD_ERR_UNSUPPORTED_EXTENSION);
    *out = *sh;
    return wres_ok();
}

/* ---- encoding ---- */

static wres write_key_share(wr *w, const msg_server_hello_params *p)
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

static wres write_cookie(wr *w, const uint8_t *cookie, size_t len)
{
    wr_block e = msg_ext_open(w, EXT_COOKIE);
    wr_block c = wr_open(w, 2);
    wr_bytes(w, cookie, len);
    GUARD(wr_close(w, c));
    return wr_close(w, e);
}

static wres write_extensions(wr *w, const msg_server_hello_params *p)
{
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
