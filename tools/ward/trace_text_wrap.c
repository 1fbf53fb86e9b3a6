/* trace_text_wrap.c: lists and wrapped lines within TT_WIDTH columns. */
#include <stdarg.h>
#include <string.h>
#include "trace_text_int.h"

#define NBSP '\x01'   /* a space inside a list item: never a break */

static void putc_safe(FILE *f, char c)
{
    unsigned char u = (unsigned char)c;
    fputc(c == NBSP ? ' ' : u < 0x20 || u >= 0x7f ? '?' : u, f);
}

void tt_puts(FILE *f, const char *s)
{
    for (; *s; s++)
        putc_safe(f, *s);
}

const char *tt_c(const trace_text *t, const char *code)
{
    return t->o.color ? code : "";
}

void tt_list_add(tt_list *l, const char *item)
{
    size_t room = sizeof l->buf - l->len;
    size_t n = strlen(item);
    if (n + 3 > room)
        return;
    if (l->len) {
        memcpy(l->buf + l->len, ", ", 2);
        l->len += 2;
    }
    for (size_t i = 0; i < n; i++)
        l->buf[l->len++] = item[i] == ' ' ? NBSP : item[i];
    l->buf[l->len] = 0;
}

void tt_list_addf(tt_list *l, const char *fmt, ...)
{
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    tt_list_add(l, b);
}

const char *tt_name(ward_name_kind k, uint16_t code, char *buf, size_t cap)
{
    if (k != WARD_NAME_HANDSHAKE && k != WARD_NAME_PSK_MODE && ward_is_grease(code))
        snprintf(buf, cap, "GREASE(0x%04x)", code);
    else {
        const char *n = ward_trace_name(k, code);
        if (n)
            snprintf(buf, cap, "%s", n);
        else
            snprintf(buf, cap, "0x%04x", code);
    }
    return buf;
}

void tt_codes(tt_list *l, ward_name_kind k, const uint16_t *v, size_t n)
{
    char b[96];
    for (size_t i = 0; i < n && i < WARD_TRACE_MAX_ITEMS; i++)
        tt_list_add(l, tt_name(k, v[i], b, sizeof b));
    if (n > WARD_TRACE_MAX_ITEMS)
        tt_list_addf(l, "... (%zu in all)", n);
}

/* Prints text from column `indent`, the first line after `lead` (already
 * printed, lead_w columns), continuation lines at `cont`. Breaks at
 * spaces; a word longer than a line is cut. */
static void wrap(trace_text *t, int lead_w, int cont, const char *text)
{
    FILE *f = t->o.out;
    int col = lead_w;
    const char *p = text;
    int first = 1;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (!w)
            break;
        int need = (int)w + (first ? 0 : 1);
        if (!first && col + need > TT_WIDTH) {
            fprintf(f, "\n%*s", cont, "");
            col = cont;
            need = (int)w;
            first = 1;
        }
        if (!first)
            fputc(' ', f);
        while (col + (int)w > TT_WIDTH && TT_WIDTH - col > 0) {
            size_t cut = (size_t)(TT_WIDTH - col);
            for (size_t i = 0; i < cut; i++)
                putc_safe(f, p[i]);
            p += cut;
            w -= cut;
            fprintf(f, "\n%*s", cont, "");
            col = cont;
        }
        for (size_t i = 0; i < w; i++)
            putc_safe(f, p[i]);
        col += (int)w + (first ? 0 : 1);
        first = 0;
        p += w;
    }
}

void tt_field_in(trace_text *t, int indent, const char *label, const char *colour,
                 const char *text)
{
    int lw = (int)strlen(label) + 2;
    fprintf(t->o.out, "%*s%s%s:%s ", indent, "", tt_c(t, colour), label, tt_c(t, "\033[0m"));
    int cont = indent + (lw < 20 ? lw : 4);
    wrap(t, indent + lw, cont, text);
    fputc('\n', t->o.out);
}

void tt_field(trace_text *t, int indent, const char *label, const char *text)
{
    tt_field_in(t, indent, label, "\033[2m", text);
}

void tt_fieldf(trace_text *t, int indent, const char *label, const char *fmt, ...)
{
    char b[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    tt_field(t, indent, label, b);
}

void tt_list_field(trace_text *t, int indent, const char *label, const tt_list *l)
{
    tt_field(t, indent, label, l->len ? l->buf : "(none)");
}

void tt_explain_line(trace_text *t, int indent, const char *text)
{
    FILE *f = t->o.out;
    fprintf(f, "%*s%s| ", indent, "", tt_c(t, "\033[3;32m"));
    wrap(t, indent + 2, indent + 2, text);
    fprintf(f, "%s\n", tt_c(t, "\033[0m"));
}
