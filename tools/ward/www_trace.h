/* www_trace.h: the `ward server --www` page's picture of the handshake the
 * visitor's own client just made (issue #17). */
#ifndef WARD_TOOL_WWW_TRACE_H
#define WARD_TOOL_WWW_TRACE_H

#include <stddef.h>

#include "trace.h"

/* Trace every connection made from cfg into a sink of its own, to be drawn
 * by www_trace_html; also hand each event to forward (the --trace sink, or
 * NULL), since a configuration has one trace function. Call it before the
 * children are forked: each child inherits the still empty sink and fills
 * its copy with its one connection's events. 0, or -1 out of memory. */
int www_trace_enable(ward_config *cfg, trace_sink *forward);
/* Append to buf[len..cap) a heading and the SVG diagram of this process's
 * connection, when they fit; returns the new length (NUL-terminated), len
 * unchanged when they do not fit or tracing is off. */
size_t www_trace_html(char *buf, size_t len, size_t cap);

#endif
