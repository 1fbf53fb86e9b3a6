/* www_trace.h: the `ward server --www` page's picture of the handshake the
 * visitor's own client just made (issue #17). */
#ifndef WARD_TOOL_WWW_TRACE_H
#define WARD_TOOL_WWW_TRACE_H

#include <stddef.h>

#include "trace.h"

/* Trace the connections made from cfg into a sink of this process's own,
 * to be drawn by www_trace_html; also hand each event to forward (the
 * --trace sink, or NULL), since a configuration has one trace function.
 * The server calls it in each child (one connection), after --trace set
 * its own hook. 0, or -1 out of memory. */
int www_trace_enable(ward_config *cfg, trace_sink *forward);
/* Append to buf[len..cap) a heading and the SVG diagram of this process's
 * connection, when they fit; returns the new length (NUL-terminated), len
 * unchanged when they do not fit or tracing is off. */
size_t www_trace_html(char *buf, size_t len, size_t cap);

#endif
