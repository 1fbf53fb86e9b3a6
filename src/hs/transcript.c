/* The transcript hash (RFC 8446 §4.4.1). */
#include <string.h>

#include "hs/hs.h"
#include "hs/hs.h"
#include "msg/msg.h"

wres transcript_start(hs_ctx *c, hash_alg hash)
{
    crypto_hash_free(&c->transcript);
    GUARD(crypto_hash_init(&c->transcript, hash));
    c->transcript_on = 1;
    hs_client_auth_transcript_start(c);
    return wres_ok();
}

wres transcript_add(hs_ctx *c, const uint8_t *msg, size_t len)
{
    ENSURE(c->transcript_on, WARD_ERR_INTERNAL);
    if (c->hs_msgs_on)
        GUARD(hs_client_auth_keep(c, msg, len));
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
