/* cli_trace.h: a command's handshake trace at run time: where it goes, the
 * sink, the STARTTLS lines. */
#ifndef WARD_TOOL_CLI_TRACE_H
#define WARD_TOOL_CLI_TRACE_H

#include "cli.h"
#include "trace.h"

typedef struct {
    cli_trace_opts o;
    FILE *target;       /* where finished traces go (NULL: off) */
    int own_target;     /* target was opened by cli_trace_open */
    int buffered;       /* per connection in memory, written at the end in
                         * one write (a server's children share the file) */
    char *mem;
    size_t mem_len;
    FILE *mem_f;
    trace_sink *sink;   /* the current connection's */
    long long t0;       /* plaintext lines: ms since cli_trace_begin */
} cli_trace;

/* Open --trace-out (append: a server; else truncate) or take dflt. 0, or
 * -1 after an error message. Nothing to do when the trace is off. */
int cli_trace_open(cli_trace *ct, const cli_trace_opts *o, FILE *dflt, int append, int buffered);
/* A connection's trace starts: a sink, given to cfg's trace hook. 0, or -1
 * after an error message. */
int cli_trace_begin(cli_trace *ct, ward_config *cfg);
/* A STARTTLS client is about to make its ward_conn: the engine's times
 * go on from the dialogue's instead of starting again at 0. */
void cli_trace_conn_starts(cli_trace *ct);
/* A STARTTLS line (a ward_starttls_log_fn's arguments, for a client). */
void cli_trace_plain(cli_trace *ct, int from_server, const char *text, size_t len);
/* The connection's trace is over: summary, SVG file, the buffered text
 * written out. 0, or -1 (the trace could not be written). */
int cli_trace_end(cli_trace *ct);
void cli_trace_close(cli_trace *ct);

#endif
