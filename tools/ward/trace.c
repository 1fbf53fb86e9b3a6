/* trace.c: the trace sink. Keeps a copy of every event of the current
 * connection (the SVG renderer and the --www page draw them at the end) and
 * streams each one to the text or JSON renderer as it comes. */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include "trace.h"
#include "trace_text.h"

struct trace_sink {
    trace_opts o;
    trace_item *items;
    char **strs;          /* per item: its name and reason strings */
    size_t n, cap;
    int is_server;
    uint64_t offset;      /* added to the engine's ms (trace_sink_set_offset) */
    trace_text *text;
};

trace_sink *trace_sink_new(const trace_opts *o)
{
    trace_sink *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->o = *o;
    if (!s->o.out)
        s->o.out = stdout;
    if (s->o.format == TRACE_TEXT) {
        s->text = trace_text_new(&s->o);
        if (!s->text) {
            free(s);
            return NULL;
        }
    }
    return s;
}

void trace_sink_set_offset(trace_sink *s, uint64_t ms)
{
    s->offset = ms;
}

void trace_sink_set_server(trace_sink *s, int is_server)
{
    s->is_server = is_server;
}

static int grow(trace_sink *s)
{
    if (s->n < s->cap)
        return 0;
    size_t cap = s->cap ? s->cap * 2 : 32;
    trace_item *it = realloc(s->items, cap * sizeof *it);
    if (!it)
        return -1;
    s->items = it;
    char **st = realloc(s->strs, cap * sizeof *st);
    if (!st)
        return -1;
    s->strs = st;
    s->cap = cap;
    return 0;
}

/* name and reason, copied one after the other into one allocation. */
static char *copy_strings(ward_trace_event *e)
{
    size_t ln = e->name ? strlen(e->name) + 1 : 0;
    size_t lr = e->reason ? strlen(e->reason) + 1 : 0;
    if (!ln && !lr)
        return NULL;
    char *p = malloc(ln + lr);
    if (!p)
        return NULL;
    if (ln) {
        memcpy(p, e->name, ln);
        e->name = p;
    }
    if (lr) {
        memcpy(p + ln, e->reason, lr);
        e->reason = p + ln;
    }
    return p;
}

/* A DONE event keeps the group and ALPN the connection reports now. */
static uint8_t *done_data(const ward_trace_event *ev, size_t *len)
{
    uint16_t g = ev->conn ? ward_conn_group(ev->conn) : 0;
    const char *a = ev->conn ? ward_conn_alpn(ev->conn) : NULL;
    size_t la = a ? strlen(a) : 0;
    uint8_t *d = malloc(2 + la);
    if (!d)
        return NULL;
    d[0] = (uint8_t)(g >> 8);
    d[1] = (uint8_t)g;
    if (la)
        memcpy(d + 2, a, la);
    *len = 2 + la;
    return d;
}

/* Stores a copy of ev; NULL when out of memory (the event is then only
 * streamed, not kept). */
static const ward_trace_event *store(trace_sink *s, const ward_trace_event *ev)
{
    if (grow(s) < 0)
        return NULL;
    trace_item *it = &s->items[s->n];
    it->ev = *ev;
    it->ev.conn = NULL;
    it->data = NULL;
    if (ev->kind == WARD_TRACE_DONE) {
        it->data = done_data(ev, &it->ev.len);
        if (!it->data)
            return NULL;
    } else if (ev->data) {
        it->data = malloc(ev->len ? ev->len : 1);
        if (!it->data)
            return NULL;
        memcpy(it->data, ev->data, ev->len);
    }
    it->ev.data = it->data;
    s->strs[s->n] = copy_strings(&it->ev);
    if ((ev->name || ev->reason) && !s->strs[s->n]) {
        free(it->data);
        return NULL;
    }
    s->n++;
    return &it->ev;
}

static void dispatch(trace_sink *s, const ward_trace_event *ev)
{
    if (s->o.format == TRACE_TEXT)
        trace_text_event(s->text, ev);
    else if (s->o.format == TRACE_JSON)
        trace_json_write(s->o.out, ev);
}

void trace_sink_event(void *sink, const ward_trace_event *ev)
{
    trace_sink *s = sink;
    if (!s || !ev)
        return;
    ward_trace_event e = *ev;
    if (ev->kind != WARD_TRACE_PLAINTEXT) {
        s->is_server = ev->is_server;
        e.ms += s->offset;
    }
    const ward_trace_event *kept = store(s, &e);
    dispatch(s, kept ? kept : &e);
}

void trace_sink_plaintext(trace_sink *s, int from_server, const char *line, uint64_t ms)
{
    if (!s)
        return;
    ward_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = WARD_TRACE_PLAINTEXT;
    ev.ms = ms;
    ev.from_server = from_server ? 1 : 0;
    ev.is_server = s->is_server;
    ev.sent = ev.from_server == ev.is_server;
    ev.data = (const uint8_t *)line;
    ev.len = line ? strlen(line) : 0;
    trace_sink_event(s, &ev);
}

static void clear(trace_sink *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->items[i].data);
        free(s->strs[i]);
    }
    s->n = 0;
}

static int write_svg(trace_sink *s)
{
    FILE *f = s->o.svg_path ? fopen(s->o.svg_path, "w") : NULL;
    if (!f) {
        fprintf(stderr, "ward: trace: cannot write %s: %s\n",
                s->o.svg_path ? s->o.svg_path : "(no file)", strerror(errno));
        return -1;
    }
    int r = trace_svg_write(f, s->items, s->n);
    if (fclose(f) != 0 || r < 0) {
        fprintf(stderr, "ward: trace: cannot write %s\n", s->o.svg_path);
        return -1;
    }
    return 0;
}

int trace_sink_finish(trace_sink *s)
{
    if (!s)
        return 0;
    int r = 0;
    if (s->o.format == TRACE_SVG)
        r = write_svg(s);
    else if (s->o.format == TRACE_TEXT)
        trace_text_finish(s->text);
    if (s->o.format != TRACE_SVG && fflush(s->o.out) != 0)
        r = -1;
    clear(s);
    s->offset = 0;
    return r;
}

void trace_sink_free(trace_sink *s)
{
    if (!s)
        return;
    clear(s);
    free(s->items);
    free(s->strs);
    if (s->text)
        trace_text_free(s->text);
    free(s);
}

size_t trace_sink_items(const trace_sink *s, const trace_item **items)
{
    *items = s ? s->items : NULL;
    return s ? s->n : 0;
}

uint16_t trace_done_group(const ward_trace_event *ev)
{
    if (ev->kind != WARD_TRACE_DONE)
        return 0;
    if (ev->data && ev->len >= 2)
        return (uint16_t)(ev->data[0] << 8 | ev->data[1]);
    return ev->conn ? ward_conn_group(ev->conn) : 0;
}

void trace_done_alpn(const ward_trace_event *ev, char *buf, size_t cap)
{
    const char *a = NULL;
    size_t la = 0;
    if (ev->kind == WARD_TRACE_DONE && ev->data && ev->len >= 2) {
        a = (const char *)ev->data + 2;
        la = ev->len - 2;
    } else if (ev->kind == WARD_TRACE_DONE && ev->conn) {
        a = ward_conn_alpn(ev->conn);
        la = a ? strlen(a) : 0;
    }
    if (!cap)
        return;
    if (la >= cap)
        la = cap - 1;
    if (la)
        memcpy(buf, a, la);
    buf[la] = 0;
}
