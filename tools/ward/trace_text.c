/* trace_text.c: the two-column sequence diagram (first cut). */
#include <stdlib.h>
#include "trace_text.h"

struct trace_text {
    trace_opts o;
};

trace_text *trace_text_new(const trace_opts *o)
{
    trace_text *t = calloc(1, sizeof *t);
    if (t)
        t->o = *o;
    return t;
}

void trace_text_event(trace_text *t, const ward_trace_event *ev)
{
    fprintf(t->o.out, "%6llu ms event %d\n", (unsigned long long)ev->ms, (int)ev->kind);
}

void trace_text_finish(trace_text *t)
{
    (void)t;
}

void trace_text_free(trace_text *t)
{
    free(t);
}
