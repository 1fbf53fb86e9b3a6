/* SCRATCH until branch tr-text brings tools/ward/trace.h: the part of the
 * sink API that trace_svg.c needs, exactly as the design gives it. */
#ifndef WARD_TOOL_TRACE_SVG_SCRATCH_H
#define WARD_TOOL_TRACE_SVG_SCRATCH_H
#include <stdio.h>
#include "ward/trace.h"
typedef struct { ward_trace_event ev; uint8_t *data; } trace_item;
int trace_svg_write(FILE *out, const trace_item *items, size_t n);
#endif
