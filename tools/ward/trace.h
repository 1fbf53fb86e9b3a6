/* trace.h: the tool's handshake-trace sink (issue #17). A sink receives the
 * engine's trace events (ward_config_set_trace(cfg, trace_sink_event, sink)),
 * keeps a copy of every event of the current connection, and renders them as
 * text (two columns, streamed), JSON lines (streamed) or SVG (at the end). */
#ifndef WARD_TOOL_TRACE_H
#define WARD_TOOL_TRACE_H

#include <stdio.h>
#include "ward/trace.h"

typedef enum { TRACE_TEXT = 1, TRACE_JSON, TRACE_SVG } trace_format;
typedef struct {
    trace_format format;
    int explain;         /* TEXT: one or two textbook sentences per step */
    int color;           /* TEXT: ANSI colours */
    FILE *out;           /* TEXT, JSON: where lines go (streamed as events come) */
    const char *svg_path;/* SVG: the file written by trace_sink_finish */
} trace_opts;
typedef struct trace_sink trace_sink;
trace_sink *trace_sink_new(const trace_opts *o);          /* NULL: out of memory */
/* A ward_trace_fn: give it to ward_config_set_trace(cfg, trace_sink_event, sink). It copies
 * what it keeps (event pointers die with the call). */
void trace_sink_event(void *sink, const ward_trace_event *ev);
/* A plaintext protocol line (STARTTLS dialogue), shown like an event of kind WARD_TRACE_PLAINTEXT. */
void trace_sink_plaintext(trace_sink *s, int from_server, const char *line, uint64_t ms);
/* The end of one connection's trace: SVG writes svg_path; TEXT prints the summary line.
 * 0 ok, -1 the file could not be written (message on stderr). The sink can then be reused
 * for the next connection (a server). */
int trace_sink_finish(trace_sink *s);
void trace_sink_free(trace_sink *s);
/* The stored events of the current connection (for the SVG renderer and the --www page). */
typedef struct { ward_trace_event ev; uint8_t *data; } trace_item;   /* ev.data == data (a copy) */
size_t trace_sink_items(const trace_sink *s, const trace_item **items);
/* SVG of a list of events: the whole <svg>...</svg> element, to a FILE. (trace_svg.c) */
int trace_svg_write(FILE *out, const trace_item *items, size_t n);
/* One event as one JSON line (trace_json.c), newline included. */
void trace_json_write(FILE *out, const ward_trace_event *ev);
/* Text renderer (trace_text.c): called by trace.c per event. */
typedef struct trace_text trace_text;

/* ---- additions beyond the shared design (compatible with it) ----
 * Stored copies: ev.conn is NULL (the connection dies first); ev.name and
 * ev.reason point into storage the sink owns; a DONE item's data holds the
 * group (2 bytes, big-endian, 0 none) then the ALPN protocol (len - 2
 * bytes), read from the connection when the event came. */
/* The role of this end, for plaintext lines (default: client). */
void trace_sink_set_server(trace_sink *s, int is_server);
/* Added to the engine's event times from now on (a STARTTLS client: the
 * ms between the plaintext dialogue's start and ward_conn_new, so that one
 * clock runs through the whole trace); reset by trace_sink_finish. */
void trace_sink_set_offset(trace_sink *s, uint64_t ms);
/* A DONE event's group and ALPN, from a stored item or a live event. */
uint16_t trace_done_group(const ward_trace_event *ev);
/* Copies the ALPN protocol ("" none) into buf (NUL-terminated). */
void trace_done_alpn(const ward_trace_event *ev, char *buf, size_t cap);

#endif
