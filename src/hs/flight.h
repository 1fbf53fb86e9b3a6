/* A flight of handshake messages: adding a message encodes it and adds it
 * to the transcript in one step; the buffer grows as needed, so no caller
 * sizes it. Sending hands what was added since the last send to the
 * connection as one run of records. */
#ifndef WARD_HS_FLIGHT_H
#define WARD_HS_FLIGHT_H

#include "hs/state.h"

/* The flight is built on the stack: every client flight and a server's
 * flight with a chain of a few certificates (an RSA-2048 chain of three is
 * about 4 KB) need no allocation at all, so the builder costs no heap
 * beside the records it is sealed into. Longer flights move to the heap. */
#define HS_FLIGHT_INLINE 8192

typedef struct hs_flight {
    wr w;                /* first: the writer's grow() finds its flight */
    hs_ctx *c;
    size_t mark;         /* where the message being added starts */
    size_t sent;         /* bytes handed to the connection already */
    int nomem;           /* the buffer could not grow */
    uint8_t inline_buf[HS_FLIGHT_INLINE];
} hs_flight;

void hs_flight_init(hs_flight *f, hs_ctx *c);
/* The writer for the next message; an msg_encode_* writes it whole. */
wr *hs_msg_begin(hs_flight *f);
/* The message written since hs_msg_begin, whose encoder returned encoded:
 * checked (one message, its length right) and added to the transcript.
 * An encoder that wrote nothing (an optional message not sent) adds nothing. */
WARD_MUST_CHECK wres hs_msg_end(hs_flight *f, wres encoded);
/* Seal what was added since the last send (one call: records packed as
 * before the builder existed). */
WARD_MUST_CHECK wres hs_flight_send(hs_flight *f);
void hs_flight_free(hs_flight *f);

#endif
