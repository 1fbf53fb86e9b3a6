/* www_trace.c: the `ward server --www` page draws the handshake the
 * visitor's own client just made: each child (one per connection) traces
 * the configuration into a sink of its own, so it holds the events of
 * exactly its connection, and the page embeds them as an inline SVG
 * sequence diagram (trace_svg.c). */
#define _GNU_SOURCE /* open_memstream */
#include "www_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The events kept for the page: a handshake has a few dozen; after it a
 * client could send KeyUpdates without end until its request is due, and
 * those must not grow the child's memory or the page. */
#define WWW_TRACE_MAX_EVENTS 256

static trace_sink *www_sink;     /* this process's connection's events */
static trace_sink *www_forward;  /* --trace's sink, or NULL */
static size_t www_kept;

static void www_event(void *arg, const ward_trace_event *ev)
{
    (void)arg;
    /* secrets are not drawn */
    if (ev->kind != WARD_TRACE_SECRET && www_kept < WWW_TRACE_MAX_EVENTS) {
        trace_sink_event(www_sink, ev);
        www_kept++;
    }
    if (www_forward)
        trace_sink_event(www_forward, ev);
}

int www_trace_enable(ward_config *cfg, trace_sink *forward)
{
    /* SVG: the sink only keeps the events; nothing is streamed. */
    trace_opts o = {.format = TRACE_SVG};
    if (!www_sink && !(www_sink = trace_sink_new(&o)))
        return -1;
    www_forward = forward;
    ward_config_set_trace(cfg, www_event, NULL);
    return 0;
}

size_t www_trace_html(char *buf, size_t len, size_t cap)
{
    static const char h2[] = "<h2>Your handshake, as the textbook draws it</h2>\n";
    const trace_item *items = NULL;
    size_t n = www_sink ? trace_sink_items(www_sink, &items) : 0;
    if (!n || len >= cap)
        return len;
    char *svg = NULL;
    size_t sl = 0;
    FILE *f = open_memstream(&svg, &sl);
    if (!f)
        return len;
    int r = trace_svg_write(f, items, n);
    if (fclose(f) == 0 && r == 0 && sizeof h2 - 1 + sl < cap - len) {
        memcpy(buf + len, h2, sizeof h2 - 1);
        len += sizeof h2 - 1;
        memcpy(buf + len, svg, sl);
        len += sl;
        buf[len] = '\0';
    }
    free(svg);
    return len;
}
