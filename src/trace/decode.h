/* The trace decoder's parts (src/trace/decode*.c): one function per
 * message family, each filling a ward_trace_msg from a message body that
 * went through the msg/ parsers first, so the trace shows what the
 * handshake itself would accept. */
#ifndef WARD_TRACE_DECODE_H
#define WARD_TRACE_DECODE_H

#include "base/bytes.h"
#include "base/result.h"
#include "ward/trace.h"

/* A validated u16 list into out (at most WARD_TRACE_MAX_ITEMS kept, in wire
 * order); *n counts every entry. */
void trace_take_u16s(span list, uint16_t *out, size_t *n);
/* Every extension type of a raw extensions block (entries without the
 * block's u16 length), in wire order, into m->extensions. */
WARD_MUST_CHECK wres trace_take_extensions(span block, ward_trace_msg *m);
/* Bytes from the peer as a C string: cut to cap - 1, every byte outside
 * printable ASCII shown as '?' (a trace goes to a terminal). */
void trace_copy_text(char *out, size_t cap, span s);

WARD_MUST_CHECK wres trace_client_hello(span body, ward_trace_msg *m);
WARD_MUST_CHECK wres trace_server_hello(span body, ward_trace_msg *m);
WARD_MUST_CHECK wres trace_encrypted_extensions(span body, ward_trace_msg *m);
/* version: the event's (0x0304 TLS 1.3, 0 not yet known: try 1.3 then 1.2). */
WARD_MUST_CHECK wres trace_certificate(span body, uint16_t version, ward_trace_msg *m);
WARD_MUST_CHECK wres trace_certificate_request(span body, uint16_t version, ward_trace_msg *m);

#endif
