/* TLS 1.2 messages with an empty body: ServerHelloDone (RFC 5246 §7.4.5)
 * and HelloRequest (§7.4.1.1). */
#include "msg/msg.h"

wres msg_decode_empty(span body)
{
    rd r = rd_span(body);
    return rd_expect_end(&r);
}

wres msg_encode_server_hello_done(wr *w)
{
    wr_block msg = msg_hs_open(w, HS_SERVER_HELLO_DONE);
    return wr_close(w, msg);
}
