/* The relay's filters for SMTP / LMTP and POP3 (server mode).
 *
 * SMTP (RFC 5321, RFC 3207), LMTP (RFC 2033). From the backend: the 220
 * greeting (possibly "220-" lines) is swallowed, an error greeting (554,
 * 421) ends the connection; in a 250 reply a "STARTTLS" extension line is
 * dropped (RFC 3207 §4.2: the client must not see it once TLS is up), and
 * since each "250-" line is held until the next one comes, dropping a last
 * "250 STARTTLS" turns the line before into the last one. Nothing else
 * comes from an SMTP server but replies. From the client: STARTTLS again
 * is answered 503 by the tunnel; DATA's body (after the backend's 354,
 * up to the "." line, §4.5.2) and BDAT chunks (RFC 3030) pass unexamined.
 *
 * POP3 (RFC 1939, RFC 2449, RFC 2595). Each client line gets one reply,
 * in order, so the commands outstanding are queued by kind: the reply to
 * CAPA has its "STLS" line dropped; multi-line replies (RETR, TOP, LIST and
 * UIDL without argument, AUTH without argument) pass up to their "." line
 * unexamined. STLS again is answered -ERR by the tunnel. */
#include <stdlib.h>
#include <string.h>

#include "tunnel_stt_int.h"

/* ---- SMTP / LMTP ---- */

int tstt_greeting_fail(tunnel_stt *s, const char *what, const uint8_t *p, size_t n)
{
    char q[TSTT_QUOTE_CAP];
    tstt_fail(s, "the backend %s: \"%s\"", what, tstt_quote(q, sizeof q, p, n));
    return TV_FAIL;
}

/* A backend's greeting line must be whole to be judged. */
int tstt_greeting_whole(tunnel_stt *s, const uint8_t *p, size_t n, int complete, int full)
{
    if (complete)
        return TV_PASS;
    if (full)
        return tstt_greeting_fail(s, "sent an over-long greeting line", p, n);
    return TV_HOLD;
}

/* RFC 5321 §4.2: "220-" lines, then "220 "; FTP (RFC 959 §4.2, loose)
 * shares it, with "120" (wait) first and free text inside. */
int tstt_ddd_greeting(tunnel_stt *s, const uint8_t *p, size_t n, int complete, int full,
                      int loose)
{
    int v = tstt_greeting_whole(s, p, n, complete, full), code, more;
    if (v != TV_PASS)
        return v;
    int ok = tstt_code(p, n, &code, &more);
    if (s->multi && (!ok || code != s->code)) {
        if (loose)
            return TV_DONE; /* free text inside a multi-line greeting */
        return tstt_greeting_fail(s, "sent a greeting line that does not continue it", p, n);
    }
    if (!ok)
        return tstt_greeting_fail(s, "greeted with something that is not a reply", p, n);
    if (code != 220 && !(loose && code == 120))
        return tstt_greeting_fail(s, "refused the connection", p, n);
    s->code = code;
    s->multi = more;
    if (!more && code == 220)
        s->greeted = 1;
    return TV_DONE;
}

static int emit_held(tunnel_stt *s, tstt_scan *c, int last)
{
    if (!s->held)
        return 0;
    if (last)
        s->held[3] = ' ';
    int r = tstt_emit(c, s->held, s->held_len);
    free(s->held);
    s->held = NULL;
    s->held_len = 0;
    return r;
}

/* A whole line of a 250 reply (EHLO / LHLO: RFC 5321 §4.1.1.1). */
static int smtp_250(tunnel_stt *s, tstt_scan *c, const uint8_t *p, size_t n, int more)
{
    int tls = s->reply_lines >= 1 && n > 4 && tstt_is(p + 4, n - 4, "STARTTLS", 0);
    if (tls && more)
        return TV_DONE;
    if (tls && s->held) {
        s->reply_lines = 0;
        emit_held(s, c, 1);
        return TV_DONE;
    }
    emit_held(s, c, 0);
    if (!more) {
        s->reply_lines = 0;
        return TV_PASS;
    }
    s->held = malloc(n);
    if (!s->held) {
        tstt_fail(s, "out of memory in the relay");
        return TV_FAIL;
    }
    memcpy(s->held, p, n);
    s->held_len = n;
    s->reply_lines++;
    return TV_DONE;
}

static int smtp_backend(tunnel_stt *s, tstt_scan *c, const uint8_t *p, size_t n, int complete,
                        int full)
{
    int code, more;
    if (!s->greeted)
        return tstt_ddd_greeting(s, p, n, complete, full, 0);
    if (!complete && !full && n < 5)
        return TV_HOLD;
    if (!tstt_code(p, n, &code, &more)) { /* not a reply line: not ours to fix */
        emit_held(s, c, 0);
        s->reply_lines = 0;
        return TV_PASS;
    }
    if (code == 250 && !full)
        return complete ? smtp_250(s, c, p, n, more) : TV_HOLD;
    emit_held(s, c, 0);
    if (more) {
        s->reply_lines++;
        return TV_PASS;
    }
    s->reply_lines = 0;
    if (code == 354 && s->cwait) /* RFC 5321 §4.1.1.4: the body follows */
        s->cbody = 1;
    s->cwait = 0;
    return TV_PASS;
}

/* "BDAT <size> [LAST]" (RFC 3030 §2): the size, or -1. */
static int64_t bdat_size(const uint8_t *p, size_t n)
{
    size_t t = tstt_text_len(p, n), i = 5;
    uint64_t v = 0;
    if (t <= 5)
        return -1;
    for (; i < t && p[i] >= '0' && p[i] <= '9'; i++) {
        if (i - 5 >= 18)
            return -1;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    if (i == 5 || (i < t && p[i] != ' '))
        return -1;
    return (int64_t)v;
}

static int smtp_client(tunnel_stt *s, tstt_scan *c, const uint8_t *p, size_t n, int complete,
                       int full)
{
    int end;
    if (s->cbody) {
        int v = tstt_dot_line(p, n, complete, full, &end);
        if (end)
            s->cbody = 0;
        return v;
    }
    if (!complete && !full &&
        (tstt_may_be(p, n, "STARTTLS") || tstt_may_be(p, n, "DATA") ||
         tstt_may_be(p, n, "BDAT")))
        return TV_HOLD;
    if (!complete) {
        s->cwait = 0;
        return TV_PASS;
    }
    if (tstt_is(p, n, "STARTTLS", 1)) { /* RFC 3207 §4.2: TLS is already up */
        tstt_answer(c, "503 5.5.1 TLS is already active\r\n");
        return TV_DONE;
    }
    s->cwait = tstt_is(p, n, "DATA", 0);
    if (tstt_is(p, n, "BDAT", 1)) {
        int64_t size = bdat_size(p, n);
        if (size > 0)
            tstt_raw(s, TUNNEL_FROM_CLIENT, (uint64_t)size);
    }
    return TV_PASS;
}

static int smtp_line(tunnel_stt *s, tstt_scan *c, int dir, const uint8_t *p, size_t n,
                     int complete, int full)
{
    return dir == TUNNEL_FROM_BACKEND ? smtp_backend(s, c, p, n, complete, full)
                                      : smtp_client(s, c, p, n, complete, full);
}

const tstt_proto tstt_smtp = {smtp_line, 0};

/* ---- POP3 ---- */

enum { PK_SINGLE = 1, PK_MULTI, PK_CAPA };

static int is_status(const uint8_t *p, size_t n, const char *word)
{
    return tstt_may_be(p, n, word) && n >= strlen(word);
}

static int pop3_backend(tunnel_stt *s, tstt_scan *c, const uint8_t *p, size_t n, int complete,
                        int full)
{
    int end;
    if (!s->greeted) {
        int v = tstt_greeting_whole(s, p, n, complete, full);
        if (v != TV_PASS)
            return v;
        if (!is_status(p, n, "+OK"))
            return tstt_greeting_fail(s, "refused the connection", p, n);
        s->greeted = 1;
        return TV_DONE;
    }
    if (s->bbody == 2) { /* RFC 2449 §6: the capability list */
        if (!complete && !full && tstt_may_be(p, n, "STLS"))
            return TV_HOLD;
        if (complete && tstt_is(p, n, "STLS", 0))
            return TV_DONE;
    }
    if (s->bbody) {
        int v = tstt_dot_line(p, n, complete, full, &end);
        if (end)
            s->bbody = 0;
        return v;
    }
    if (!complete && !full && n < 4)
        return TV_HOLD;
    int kind = tstt_q_pop(s, PK_SINGLE);
    if (is_status(p, n, "+OK") && kind != PK_SINGLE)
        s->bbody = kind == PK_CAPA ? 2 : 1;
    return TV_PASS;
}

static int pop3_client(tunnel_stt *s, tstt_scan *c, const uint8_t *p, size_t n, int complete,
                       int full)
{
    int kind = PK_SINGLE;
    if (!complete && !full)
        return TV_HOLD; /* commands are short: judge them whole */
    if (complete && tstt_is(p, n, "STLS", 1)) {
        tstt_answer(c, "-ERR TLS is already active\r\n");
        return TV_DONE;
    }
    if (complete) {
        if (tstt_is(p, n, "CAPA", 1))
            kind = PK_CAPA;
        else if (tstt_is(p, n, "RETR", 1) || tstt_is(p, n, "TOP", 1) ||
                 tstt_is(p, n, "LIST", 0) || tstt_is(p, n, "UIDL", 0) ||
                 tstt_is(p, n, "AUTH", 0))
            kind = PK_MULTI;
    }
    return tstt_q_push(s, (uint8_t)kind) < 0 ? TV_FAIL : TV_PASS;
}

static int pop3_line(tunnel_stt *s, tstt_scan *c, int dir, const uint8_t *p, size_t n,
                     int complete, int full)
{
    return dir == TUNNEL_FROM_BACKEND ? pop3_backend(s, c, p, n, complete, full)
                                      : pop3_client(s, c, p, n, complete, full);
}

const tstt_proto tstt_pop3 = {pop3_line, 0};
