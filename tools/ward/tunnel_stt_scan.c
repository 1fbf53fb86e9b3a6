/* The relay's line scanner (tunnel_stt_int.h), shared by every protocol.
 *
 * Lines are found with memchr. A protocol's handler sees each line's start:
 * it lets the line pass (the rest of it then passes unexamined, found by
 * memchr again), asks to hold it until it is whole (a line that may be a
 * capability line or a command the tunnel answers), or, once it is whole,
 * replaces it. Lines that pass are not copied one by one: a run of them is
 * appended in one piece when something else must be emitted or the input
 * ends. A held line is bounded (TSTT_LINE_MAX): past that the handler must
 * let it pass. Literals ("{n}" at a line's end, IMAP RFC 9051 §4.3,
 * ManageSieve RFC 5804 §4) and BDAT chunks pass as raw bytes, and what
 * follows a literal continues the same line, never a new one. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tunnel_stt_int.h"

struct tstt_scan {
    tunnel_stt *s;
    const uint8_t *in;
    size_t span; /* in[span .. at) passes on unchanged, not yet appended */
    size_t at;   /* the start of the line being handled */
    tunnel_buf *fwd, *back;
    int nomem;
};

static void flush(tstt_scan *c)
{
    if (c->at > c->span && tunnel_buf_append(c->fwd, c->in + c->span, c->at - c->span) < 0)
        c->nomem = 1;
    c->span = c->at;
}

int tstt_emit(tstt_scan *c, const void *p, size_t n)
{
    flush(c);
    if (tunnel_buf_append(c->fwd, p, n) < 0)
        c->nomem = 1;
    return c->nomem ? -1 : 0;
}

int tstt_answer(tstt_scan *c, const char *text)
{
    if (tunnel_buf_append(c->back, (const uint8_t *)text, strlen(text)) < 0)
        c->nomem = 1;
    return c->nomem ? -1 : 0;
}

void tstt_raw(tunnel_stt *s, int dir, uint64_t n)
{
    tstt_dir *d = &s->dir[dir];
    if (n == 0)
        return;
    d->mode = TM_RAW;
    d->raw_left = n;
    d->after_raw = TM_LINE;
}

static void tail_add(tstt_dir *d, const uint8_t *p, size_t n)
{
    if (n >= TSTT_TAIL_MAX) {
        memcpy(d->tail, p + n - TSTT_TAIL_MAX, TSTT_TAIL_MAX);
        d->tail_len = TSTT_TAIL_MAX;
        return;
    }
    if (d->tail_len + n > TSTT_TAIL_MAX) {
        size_t drop = d->tail_len + n - TSTT_TAIL_MAX;
        memmove(d->tail, d->tail + drop, d->tail_len - drop);
        d->tail_len -= drop;
    }
    memcpy(d->tail + d->tail_len, p, n);
    d->tail_len += n;
}

/* A line ended (text p, n with its line end): a literal follows? */
static void line_end(tunnel_stt *s, tstt_dir *d, const uint8_t *p, size_t n)
{
    uint64_t len;
    if (d->mode != TM_LINE) /* the handler made what follows raw (BDAT) */
        return;
    if (s->proto->literals && tstt_literal(p, tstt_text_len(p, n), &len) && len > 0) {
        d->mode = TM_RAW;
        d->raw_left = len;
        d->after_raw = TM_PASS; /* the line goes on after the literal */
        d->tail_len = 0;
    }
}

/* The rest of a line passes unexamined: to its LF. Returns bytes used. */
static size_t pass_rest(tunnel_stt *s, tstt_dir *d, const uint8_t *p, size_t n)
{
    const uint8_t *lf = memchr(p, '\n', n);
    size_t used = lf ? (size_t)(lf - p) + 1 : n;
    tail_add(d, p, used);
    if (lf)
        d->mode = TM_LINE;
    if (lf)
        line_end(s, d, d->tail, d->tail_len);
    return used;
}

static int hold(tstt_dir *d, const uint8_t *p, size_t n)
{
    if (!d->part) {
        d->part = malloc(TSTT_LINE_MAX);
        if (!d->part)
            return -1;
    }
    memcpy(d->part + d->part_len, p, n);
    d->part_len += n;
    return 0;
}

static void unhold(tstt_dir *d)
{
    free(d->part);
    d->part = NULL;
    d->part_len = 0;
}

/* One line (or its start) at in[at]: returns bytes used, or -1. */
static long one_line(tunnel_stt *s, tstt_scan *c, int dir, size_t n)
{
    tstt_dir *d = &s->dir[dir];
    const uint8_t *src = c->in + c->at;
    size_t avail = n - c->at;
    const uint8_t *lf = memchr(src, '\n', avail);
    size_t take = lf ? (size_t)(lf - src) + 1 : avail;
    int complete = lf != NULL, held = d->part_len > 0;
    const uint8_t *p = src;
    if (!held && take > TSTT_LINE_MAX) { /* too long to look at whole */
        take = TSTT_LINE_MAX;
        complete = 0;
    } else if (held) {
        size_t room = TSTT_LINE_MAX - d->part_len;
        if (take > room) {
            take = room;
            complete = 0;
        }
        if (hold(d, src, take) < 0)
            return -1;
        p = d->part;
    }
    size_t len = held ? d->part_len : take;
    int full = !complete && len >= TSTT_LINE_MAX;
    int v = s->proto->line(s, c, dir, p, len, complete, full);
    if (c->nomem)
        return -1;
    if (v == TV_FAIL)
        return -2;
    if (v == TV_HOLD && (complete || full))
        v = TV_PASS;
    if (v == TV_HOLD) {
        if (!held) {
            flush(c);
            if (hold(d, src, take) < 0)
                return -1;
        }
        c->span = c->at + take;
        return (long)take;
    }
    if (v == TV_PASS && held && tstt_emit(c, p, len) < 0)
        return -1;
    if (v == TV_DONE || held) {
        flush(c);
        c->span = c->at + take;
    }
    if (complete) {
        line_end(s, d, p, len);
    } else { /* the rest of the line passes as it comes */
        d->mode = TM_PASS;
        d->tail_len = 0;
        tail_add(d, p, len);
    }
    if (held)
        unhold(d);
    return (long)take;
}

int tstt_scan_run(tunnel_stt *s, int dir, const uint8_t *in, size_t n, tunnel_buf *fwd,
                  tunnel_buf *back)
{
    tstt_scan c = {s, in, 0, 0, fwd, back, 0};
    tstt_dir *d = &s->dir[dir];
    while (c.at < n) {
        if (d->mode == TM_RAW) {
            uint64_t take = n - c.at;
            if (take > d->raw_left)
                take = d->raw_left;
            c.at += (size_t)take;
            d->raw_left -= take;
            if (d->raw_left == 0)
                d->mode = d->after_raw;
        } else if (d->mode == TM_PASS || s->passthru[dir]) {
            if (s->passthru[dir])
                c.at = n;
            else
                c.at += pass_rest(s, d, in + c.at, n - c.at);
        } else {
            long used = one_line(s, &c, dir, n);
            if (used == -2) { /* what passed before the line still goes */
                flush(&c);
                return -1;
            }
            if (used < 0) {
                c.nomem = 1;
                break;
            }
            c.at += (size_t)used;
            if (s->greeted && s->early.len > 0) { /* right behind the greeting */
                flush(&c);
                if (tstt_release_early(s, fwd, back) < 0)
                    return -1;
            }
        }
    }
    flush(&c);
    if (c.nomem)
        return tstt_fail(s, "out of memory in the relay");
    return 0;
}

/* ---- helpers ---- */

int tstt_fail(tunnel_stt *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->msg, sizeof s->msg, fmt, ap);
    va_end(ap);
    s->failed = 1;
    return -1;
}

size_t tstt_text_len(const uint8_t *p, size_t n)
{
    if (n == 0 || p[n - 1] != '\n')
        return n; /* an incomplete line: a CR at its end may not end it */
    n--;
    if (n > 0 && p[n - 1] == '\r')
        n--;
    return n;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int tstt_ci_eq(const uint8_t *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

int tstt_may_be(const uint8_t *p, size_t n, const char *word)
{
    size_t w = strlen(word);
    if (!tstt_ci_eq(p, word, n < w ? n : w))
        return 0;
    return n <= w || p[w] == ' ' || p[w] == '\r' || p[w] == '\n';
}

int tstt_is(const uint8_t *p, size_t n, const char *word, int args)
{
    size_t t = tstt_text_len(p, n), w = strlen(word);
    if (t < w || !tstt_ci_eq(p, word, w))
        return 0;
    if (t == w)
        return 1;
    if (p[w] != ' ')
        return 0;
    if (args)
        return 1;
    for (size_t i = w; i < t; i++)
        if (p[i] != ' ')
            return 0;
    return 1;
}

int tstt_code(const uint8_t *p, size_t n, int *code, int *more)
{
    size_t t = tstt_text_len(p, n);
    for (int i = 0; i < 3; i++)
        if (t < 3 || p[i] < '0' || p[i] > '9')
            return 0;
    if (t > 3 && p[3] != ' ' && p[3] != '-')
        return 0;
    *code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
    *more = t > 3 && p[3] == '-';
    return 1;
}

const char *tstt_quote(char *out, size_t cap, const uint8_t *p, size_t n)
{
    size_t o = 0, max = 200;
    n = tstt_text_len(p, n);
    for (size_t i = 0; i < n && i < max && o + 5 < cap; i++) {
        unsigned char ch = p[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\')
            out[o++] = (char)ch;
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", ch);
    }
    if (n > max && o + 4 <= cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o < cap ? o : cap - 1] = 0;
    return out;
}

int tstt_literal(const uint8_t *t, size_t tn, uint64_t *len)
{
    if (tn < 3 || t[tn - 1] != '}')
        return 0;
    size_t e = tn - 1;
    if (t[e - 1] == '+') /* non-synchronizing: LITERAL+ / LITERAL- (RFC 7888) */
        e--;
    size_t b = e;
    while (b > 0 && t[b - 1] >= '0' && t[b - 1] <= '9')
        b--;
    if (b == e || b == 0 || t[b - 1] != '{' || e - b > 19)
        return 0;
    uint64_t v = 0;
    for (size_t i = b; i < e; i++)
        v = v * 10 + (uint64_t)(t[i] - '0');
    *len = v;
    return 1;
}

int tstt_q_push(tunnel_stt *s, uint8_t kind)
{
    tstt_queue *q = &s->q;
    if (q->n > 0 && q->r[q->n - 1].kind == kind && q->r[q->n - 1].count < UINT32_MAX) {
        q->r[q->n - 1].count++;
        return 0;
    }
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 8;
        if (cap > TSTT_QUEUE_MAX)
            return tstt_fail(s, "the client sent more than %d kinds of command without "
                                "waiting for the replies", TSTT_QUEUE_MAX);
        tstt_run *r = realloc(q->r, cap * sizeof *r);
        if (!r)
            return tstt_fail(s, "out of memory in the relay");
        q->r = r;
        q->cap = cap;
    }
    q->r[q->n].kind = kind;
    q->r[q->n].count = 1;
    q->n++;
    return 0;
}

int tstt_q_pop(tunnel_stt *s, int dflt)
{
    tstt_queue *q = &s->q;
    if (q->n == 0)
        return dflt;
    int kind = q->r[0].kind;
    if (--q->r[0].count == 0) {
        memmove(q->r, q->r + 1, (q->n - 1) * sizeof *q->r);
        q->n--;
    }
    if (q->n == 0 && q->cap > 8) { /* a burst is over: give its memory back */
        free(q->r);
        q->r = NULL;
        q->cap = 0;
    }
    return kind;
}

int tstt_dot_line(const uint8_t *p, size_t n, int complete, int full, int *end)
{
    *end = 0;
    if (n == 0)
        return TV_HOLD;
    if (p[0] != '.' || (n >= 2 && p[1] != '\r' && p[1] != '\n') ||
        (n >= 3 && p[1] == '\r' && p[2] != '\n'))
        return TV_PASS;
    if (!complete)
        return full ? TV_PASS : TV_HOLD;
    *end = tstt_text_len(p, n) == 1;
    return TV_PASS;
}
