/* trace_text.h: the two-column text renderer's entry points (trace.c). */
#ifndef WARD_TOOL_TRACE_TEXT_H
#define WARD_TOOL_TRACE_TEXT_H

#include "trace.h"

trace_text *trace_text_new(const trace_opts *o);   /* NULL: out of memory */
void trace_text_event(trace_text *t, const ward_trace_event *ev);
/* The closing summary; the renderer is then ready for a new connection. */
void trace_text_finish(trace_text *t);
void trace_text_free(trace_text *t);

#endif
