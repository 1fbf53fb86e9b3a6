/* Finished (RFC 8446 §4.4.4) and the synthetic message_hash (§4.4.1). */
#include "msg/msg.h"

/* verify_data has no length prefix: its size is the hash length. */
wres msg_decode_finished(span body, size_t hash_len, span *verify_data)
{
    ENSURE(body.len == hash_len, WARD_ERR_DECODE);
    rd r = rd_span(body);
    *verify_data = rd_rest(&r);
    return wres_ok();
}

wres msg_encode_finished(wr *w, const uint8_t *verify_data, size_t len)
{
    ENSURE(len > 0, WARD_ERR_INTERNAL);
    wr_block msg = msg_hs_open(w, HS_FINISHED);
    wr_bytes(w, verify_data, len);
    return wr_close(w, msg);
}

/* After a HelloRetryRequest the transcript restarts with
 * message_hash(254) 00 00 Hash.length Hash(ClientHello1). */
wres msg_encode_message_hash(wr *w, const uint8_t *hash, size_t hash_len)
{
    ENSURE(hash_len > 0, WARD_ERR_INTERNAL);
    wr_block msg = msg_hs_open(w, HS_MESSAGE_HASH);
    wr_bytes(w, hash, hash_len);
    return wr_close(w, msg);
}
