/* The helpers protocol files use: take lines or bytes, queue lines or
 * bytes, fail with a message that quotes the peer, upgrade, finish. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "starttls/dialogue.h"

/* start() runs inside ward_starttls_new, before any log can be set: keep
 * what it logs (a greeting, a binary protocol's first message) for the
 * log set next. What does not fit is not kept. */
static void early_log(ward_starttls *d, int from_peer, const char *text, size_t len)
{
    if (len > 0xffff || len + 3 > STT_EARLY_LOG_MAX - d->early_log_len)
        return;
    uint8_t *p = d->early_log + d->early_log_len;
    p[0] = (uint8_t)(from_peer != 0);
    p[1] = (uint8_t)(len >> 8);
    p[2] = (uint8_t)len;
    memcpy(p + 3, text, len);
    d->early_log_len += len + 3;
}

void stt_log(ward_starttls *d, int from_peer, const char *text, size_t len)
{
    if (d->log)
        d->log(d->log_arg, from_peer, text, len);
    else if (!d->started)
        early_log(d, from_peer, text, len);
}

void stt_log_replay(ward_starttls *d)
{
    size_t at = 0;
    while (d->log && at + 3 <= d->early_log_len) {
        const uint8_t *p = d->early_log + at;
        size_t len = (size_t)p[1] << 8 | p[2];
        d->log(d->log_arg, p[0], (const char *)p + 3, len);
        at += len + 3;
    }
    d->early_log_len = 0;
}

wres stt_take_line(ward_starttls *d, stt_line *line, int *got)
{
    const uint8_t *p = d->in + d->in_off;
    size_t scan = d->in_len < STT_LINE_MAX ? d->in_len : STT_LINE_MAX;
    const uint8_t *lf = memchr(p, '\n', scan);
    *got = 0;
    if (!lf) {
        if (d->in_len >= STT_LINE_MAX) {
            char q[STT_QUOTE_CAP];
            return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                            "the peer sent a line longer than %d bytes: \"%s\"", STT_LINE_MAX,
                            stt_quote(q, sizeof q, p, STT_QUOTE_MAX + 1));
        }
        return wres_ok();
    }
    size_t used = (size_t)(lf - p) + 1, len = used - 1;
    if (len > 0 && p[len - 1] == '\r')
        len--;
    line->p = p;
    line->len = len;
    stt_consume(d, used);
    stt_log(d, 1, (const char *)p, len);
    *got = 1;
    return wres_ok();
}

size_t stt_peek(const ward_starttls *d, const uint8_t **p)
{
    *p = d->in + d->in_off;
    return d->in_len;
}

void stt_consume(ward_starttls *d, size_t n)
{
    if (n > d->in_len)
        n = d->in_len;
    d->in_off += n;
    d->in_len -= n;
    if (d->in_len == 0)
        d->in_off = 0;
}

wres stt_send(ward_starttls *d, const void *p, size_t n)
{
    if (n > STT_OUT_MAX - d->out_len)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "more than %d bytes to send are waiting: the peer sends commands "
                        "without reading the replies",
                        STT_OUT_MAX);
    memcpy(d->out + d->out_len, p, n);
    d->out_len += n;
    return wres_ok();
}

WARD_MUST_CHECK wres stt_send_line(ward_starttls *d, const char *fmt, ...)
{
    char line[STT_LINE_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 2, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line - 2)
        return wres_err(WARD_ERR_INTERNAL);
    stt_log(d, 0, line, (size_t)n);
    memcpy(line + n, "\r\n", 2);
    return stt_send(d, line, (size_t)n + 2);
}

WARD_MUST_CHECK wres stt_fail(ward_starttls *d, ward_err code, const char *fmt, ...)
{
    if (d->state == WARD_STARTTLS_FAILED)
        return wres_err(d->err);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    d->state = WARD_STARTTLS_FAILED;
    d->err = code;
    return wres_err(code);
}

const char *stt_quote(char *out, size_t cap, const uint8_t *p, size_t n)
{
    size_t o = 0;
    int cut = n > STT_QUOTE_MAX;
    if (cut)
        n = STT_QUOTE_MAX;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
    }
    if (cut && o + 4 <= cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o < cap ? o : cap - 1] = 0;
    return out;
}

void stt_reply_clear(ward_starttls *d)
{
    d->reply_len = 0;
    d->reply[0] = 0;
}

void stt_reply_add(ward_starttls *d, const stt_line *line)
{
    if (d->reply_len >= STT_QUOTE_MAX)
        return;
    if (d->reply_len > 0) {
        memcpy(d->reply + d->reply_len, " / ", 3);
        d->reply_len += 3;
    }
    stt_reply_append(d, line->p, line->len);
}

void stt_reply_append(ward_starttls *d, const uint8_t *p, size_t len)
{
    const size_t max = STT_QUOTE_MAX;
    char q[STT_QUOTE_CAP];
    if (d->reply_len >= max)
        return;
    stt_quote(q, sizeof q, p, len);
    size_t n = strlen(q);
    if (d->reply_len + n > max) {
        n = max > d->reply_len ? max - d->reply_len : 0;
        memcpy(d->reply + d->reply_len, q, n);
        memcpy(d->reply + d->reply_len + n, "...", 3);
        d->reply_len = max + 3;
    } else {
        memcpy(d->reply + d->reply_len, q, n);
        d->reply_len += n;
    }
    d->reply[d->reply_len] = 0;
}

wres stt_injection(ward_starttls *d, const uint8_t *p, size_t n)
{
    char q[STT_QUOTE_CAP];
    d->state = WARD_STARTTLS_WAITING; /* this message is the last word */
    return stt_fail(d, WARD_ERR_STARTTLS_INJECTION,
                    "%zu byte%s came after %s, before the TLS handshake (command injection?): "
                    "\"%s\"",
                    n, n == 1 ? "" : "s", d->upgrade_what ? d->upgrade_what : "the upgrade",
                    stt_quote(q, sizeof q, p, n));
}

wres stt_upgrade(ward_starttls *d, const char *what)
{
    d->upgrade_what = what;
    if (d->in_len > 0)
        return stt_injection(d, d->in + d->in_off, d->in_len);
    d->state = WARD_STARTTLS_UPGRADE;
    return wres_ok();
}

wres stt_upgrade_tls_follows(ward_starttls *d, const char *what)
{
    d->upgrade_what = what;
    d->tls_follows = 1;
    d->state = WARD_STARTTLS_UPGRADE;
    return wres_ok();
}

wres stt_done(ward_starttls *d)
{
    d->state = WARD_STARTTLS_DONE;
    return wres_ok();
}

/* ASCII case-insensitive compare of n bytes (no locale). */
static int ci_equal(const uint8_t *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (tolower(a[i]) != tolower((unsigned char)b[i]))
            return 0;
    return 1;
}

int stt_line_is(const stt_line *line, const char *word)
{
    size_t n = strlen(word);
    if (line->len < n || !ci_equal(line->p, word, n))
        return 0;
    return line->len == n || line->p[n] == ' ';
}

int stt_line_has_token(const stt_line *line, const char *word)
{
    size_t n = strlen(word), i = 0;
    while (i < line->len) {
        while (i < line->len && line->p[i] == ' ')
            i++;
        size_t start = i;
        while (i < line->len && line->p[i] != ' ')
            i++;
        if (i - start == n && ci_equal(line->p + start, word, n))
            return 1;
    }
    return 0;
}

int stt_line_code(const stt_line *line, int *code, int *more)
{
    const uint8_t *p = line->p;
    if (line->len < 3 || !isdigit(p[0]) || !isdigit(p[1]) || !isdigit(p[2]))
        return 0;
    if (line->len > 3 && p[3] != ' ' && p[3] != '-')
        return 0;
    *code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
    *more = line->len > 3 && p[3] == '-';
    return 1;
}
