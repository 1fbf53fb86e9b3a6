/* trace_text_int.h: the text renderer's internals (trace_text*.c). */
#ifndef WARD_TOOL_TRACE_TEXT_INT_H
#define WARD_TOOL_TRACE_TEXT_INT_H

#include "trace_text.h"

#define TT_WIDTH 79   /* never more than 80 columns with the newline's cursor */
#define TT_MS 10      /* "%5llu ms  ": the elapsed-time column */
#define TT_CLIENT 10  /* where a client message's details start */
#define TT_SERVER 22  /* where a server message's details start */

struct trace_text {
    trace_opts o;
    uint16_t version, suite;      /* as far as negotiated */
    int offered13;                /* the ClientHello offered TLS 1.3 */
    int started, done, resumed;
    uint16_t group;
    char alpn[64];
    int alert, alert_level, alert_from_server, alert_seen;
    char reason[256];
};

/* Details lines: "label: " then items; lists wrap at item boundaries. An
 * item's own spaces never break (they print as spaces). */
typedef struct {
    char buf[4096];
    size_t len;
} tt_list;
void tt_list_add(tt_list *l, const char *item);
void tt_list_addf(tt_list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The name of a code, "GREASE", or its hex. */
const char *tt_name(ward_name_kind k, uint16_t code, char *buf, size_t cap);
void tt_codes(tt_list *l, ward_name_kind k, const uint16_t *v, size_t n);

/* One wrapped field under a message: indent, "label: ", the text. */
void tt_field(trace_text *t, int indent, const char *label, const char *text);
/* The same with the label in an ANSI colour of its own. */
void tt_field_in(trace_text *t, int indent, const char *label, const char *colour,
                 const char *text);
void tt_fieldf(trace_text *t, int indent, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void tt_list_field(trace_text *t, int indent, const char *label, const tt_list *l);
/* A wrapped paragraph in the explain style. */
void tt_explain_line(trace_text *t, int indent, const char *text);

/* The details of a decoded message (trace_text_msg.c). */
void tt_message_details(trace_text *t, const ward_trace_event *ev, const ward_trace_msg *m);
void tt_certificates(trace_text *t, int indent, const ward_trace_msg *m);
/* The textbook sentence of a step, NULL when none (trace_text_explain.c). */
const char *tt_explain_message(const trace_text *t, const ward_trace_event *ev,
                               const ward_trace_msg *m);
const char *tt_explain_other(const trace_text *t, const ward_trace_event *ev);

/* The key exchange of the suite: 'x' TLS 1.3, 'e' 1.2 ECDHE, 'r' 1.2 RSA. */
int tt_kx(const trace_text *t);

/* Text from the peer, control characters shown as '?' (no terminal
 * escapes from the network). */
void tt_puts(FILE *f, const char *s);

/* ANSI */
const char *tt_c(const trace_text *t, const char *code);

#endif
