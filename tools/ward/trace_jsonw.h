/* trace_jsonw.h: small JSON writers shared by trace_json*.c. */
#ifndef WARD_TOOL_TRACE_JSONW_H
#define WARD_TOOL_TRACE_JSONW_H

#include <stdio.h>
#include "ward/trace.h"

/* A JSON string: quotes, backslash and control characters escaped, bytes
 * outside ASCII as \u00XX (one per byte: the input is not trusted UTF-8). */
void jw_str(FILE *f, const char *s, size_t len);
void jw_cstr(FILE *f, const char *s);
/* "key": (with a leading comma unless *first) */
void jw_key(FILE *f, int *first, const char *key);
/* A code object {"code": N, "name": "..."|null}. */
void jw_code(FILE *f, ward_name_kind kind, uint16_t code);
void jw_code_list(FILE *f, ward_name_kind kind, const uint16_t *v, size_t n);
void jw_hex(FILE *f, const uint8_t *p, size_t n);
/* The "fields" object of a decoded message. */
void jw_fields(FILE *f, const ward_trace_msg *m, int sent_by_server);
/* "HelloRetryRequest" when m says so, else the handshake type's name. */
const char *jw_msg_name(uint8_t type, int hrr);

#endif
