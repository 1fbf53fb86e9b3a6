/* The transcript hash (RFC 8446 §4.4.1). */
#include <string.h>

#include <stdint.h>
#include <stdlib.h>

#include "hs/hs.h"
#include "msg/msg.h"

/* TLS 1.2's CertificateVerify signs the handshake messages themselves
 * (RFC 5246 §7.4.8), which the running hash cannot give back: while a
 * client certificate may be signed or checked, the messages are kept too
 * (freed by hs_client_auth_done). */
static void keep_start(hs_ctx *c)
{
    c->hs_msgs_len = 0;
    int may_need = c->is_server ? config_asks_in_handshake(c->cfg) : c->cfg->has_cert;
    c->hs_msgs_on = c->version == WARD_TLS12 && may_need;
}

static WARD_MUST_CHECK wres keep(hs_ctx *c, const uint8_t *msg, size_t len)
{
    if (len > c->hs_msgs_cap - c->hs_msgs_len) {
        size_t cap = c->hs_msgs_cap ? c->hs_msgs_cap : 4096;
        while (cap - c->hs_msgs_len < len) {
            ENSURE(cap <= SIZE_MAX / 2, WARD_ERR_NOMEM);
            cap *= 2;
        }
        uint8_t *p = realloc(c->hs_msgs, cap);
        ENSURE(p, WARD_ERR_NOMEM);
        c->hs_msgs = p;
        c->hs_msgs_cap = cap;
    }
    memcpy(c->hs_msgs + c->hs_msgs_len, msg, len);
    c->hs_msgs_len += len;
    return wres_ok();
}

wres transcript_start(hs_ctx *c, hash_alg hash)
{
    crypto_hash_free(&c->transcript);
    GUARD(crypto_hash_init(&c->transcript, hash));
    c->transcript_on = 1;
    keep_start(c);
    return wres_ok();
}

wres transcript_add(hs_ctx *c, const uint8_t *msg, size_t len)
{
    ENSURE(c->transcript_on, WARD_ERR_INTERNAL);
    if (c->hs_msgs_on)
        GUARD(keep(c, msg, len));
    return crypto_hash_update(&c->transcript, msg, len);
}

wres transcript_hash(hs_ctx *c, uint8_t *out)
{
    ENSURE(c->transcript_on, WARD_ERR_INTERNAL);
    return crypto_hash_peek(&c->transcript, out);
}

/* After a HelloRetryRequest the first ClientHello is replaced by
 * message_hash: handshake type 254, length Hash.length, Hash(ClientHello1). */
wres transcript_collapse_for_hrr(hs_ctx *c)
{
    uint8_t h[CRYPTO_MAX_HASH], msg[MSG_HEADER_LEN + CRYPTO_MAX_HASH];
    GUARD(transcript_hash(c, h));
    wr w = wr_of(msg, sizeof msg);
    GUARD(msg_encode_message_hash(&w, h, c->hlen));
    GUARD(transcript_start(c, c->hash));
    return transcript_add(c, msg, w.len);
}

/* A handshake message we send: into the transcript, then out (hs/out.c). */
wres hs_send_msg(hs_ctx *c, const uint8_t *msg, size_t len)
{
    GUARD(transcript_add(c, msg, len));
    return hs_emit(c, CT_HANDSHAKE, msg, len);
}
