/* Helpers shared by the trace decoder's files. */
#include "trace/decode.h"
#include "msg/msg.h"

void trace_take_u16s(span list, uint16_t *out, size_t *n)
{
    rd r = rd_span(list);
    uint16_t v;
    *n = 0;
    while (rd_left(&r) >= 2 && wres_is_ok(rd_u16(&r, &v))) {
        if (*n < WARD_TRACE_MAX_ITEMS)
            out[*n] = v;
        (*n)++;
    }
}

static WARD_MUST_CHECK wres note_type(void *ctx, uint16_t type, rd *data, int is_last)
{
    (void)is_last;
    ward_trace_msg *m = ctx;
    (void)rd_rest(data);
    if (m->n_extensions < WARD_TRACE_MAX_ITEMS)
        m->extensions[m->n_extensions] = type;
    m->n_extensions++;
    return wres_ok();
}

wres trace_take_extensions(span block, ward_trace_msg *m)
{
    m->n_extensions = 0;
    return msg_ext_walk(block, note_type, m);
}

void trace_copy_text(char *out, size_t cap, span s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (s.p[i] >= 0x20 && s.p[i] < 0x7f) ? (char)s.p[i] : '?';
    out[n] = '\0';
}
