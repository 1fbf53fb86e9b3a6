/* trace_json.c: one JSON object per event (docs/trace-schema.md). First cut. */
#include "trace.h"

void trace_json_write(FILE *out, const ward_trace_event *ev)
{
    fprintf(out, "{\"event\":%d,\"ms\":%llu}\n", (int)ev->kind, (unsigned long long)ev->ms);
}
