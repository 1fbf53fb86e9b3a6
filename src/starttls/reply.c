/* Replies the line protocols share: DDD status replies, "."-ended lists,
 * a server's command count, and the messages that quote a reply. */
#include "starttls/dialogue.h"

/* A new reply starts: its first line must carry a code. */
static WARD_MUST_CHECK wres reply_first(ward_starttls *d, const stt_line *line, int *more)
{
    char q[STT_QUOTE_CAP];
    int code;
    stt_reply_clear(d);
    if (!stt_line_code(line, &code, more))
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the server's reply does not start with a 3-digit code: \"%s\"",
                        stt_quote(q, sizeof q, line->p, line->len));
    d->reply_code = code;
    return wres_ok();
}

static WARD_MUST_CHECK wres reply_next(ward_starttls *d, int loose, const stt_line *line, int *more)
{
    char q[STT_QUOTE_CAP];
    int code = 0, ok = stt_line_code(line, &code, more);
    if (ok && code == d->reply_code)
        return wres_ok();
    if (loose) { /* RFC 959 §4.2: free text until "DDD " */
        *more = 1;
        return wres_ok();
    }
    return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                    "a line of the server's %d reply does not continue it: \"%s\"",
                    d->reply_code, stt_quote(q, sizeof q, line->p, line->len));
}

wres stt_reply_line(ward_starttls *d, int loose, stt_line *line, int *got, int *last)
{
    int more = 0;
    *last = 0;
    GUARD(stt_take_line(d, line, got));
    if (!*got)
        return wres_ok();
    if (d->lines == 0)
        GUARD(reply_first(d, line, &more));
    else
        GUARD(reply_next(d, loose, line, &more));
    if (++d->lines > STT_REPLY_LINES_MAX)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the server's reply has more than %d lines", STT_REPLY_LINES_MAX);
    d->line_no = d->lines;
    stt_reply_add(d, line);
    if (!more) {
        *last = 1;
        d->lines = 0;
    }
    return wres_ok();
}

wres stt_counted_line(ward_starttls *d, const char *what, stt_line *line, int *got)
{
    GUARD(stt_take_line(d, line, got));
    if (!*got)
        return wres_ok();
    if (++d->lines > STT_REPLY_LINES_MAX)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL, "the server's %s has more than %d lines",
                        what, STT_REPLY_LINES_MAX);
    d->line_no = d->lines;
    stt_reply_add(d, line);
    return wres_ok();
}

wres stt_list_line(ward_starttls *d, stt_line *line, int *got, int *end)
{
    *end = 0;
    GUARD(stt_counted_line(d, "list", line, got));
    if (!*got)
        return wres_ok();
    if (line->len == 1 && line->p[0] == '.') {
        *end = 1;
        d->lines = 0;
    }
    return wres_ok();
}

wres stt_command(ward_starttls *d, stt_line *line, int *got)
{
    GUARD(stt_take_line(d, line, got));
    if (*got && ++d->commands > STT_COMMANDS_MAX)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the client sent %d commands without starting TLS", STT_COMMANDS_MAX);
    return wres_ok();
}

wres stt_refused(ward_starttls *d, const char *what)
{
    return stt_fail(d, WARD_ERR_STARTTLS_REFUSED, "the server refused %s: \"%s\"", what,
                    d->reply);
}

wres stt_unexpected(ward_starttls *d, const char *what)
{
    return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL, "unexpected reply to %s: \"%s\"", what,
                    d->reply);
}

wres stt_cap_list_line(ward_starttls *d, const char *cap, const char *list_cmd, int step)
{
    stt_line line;
    int got, end;
    GUARD(stt_list_line(d, &line, &got, &end));
    if (!got)
        return wres_ok();
    if (stt_line_is(&line, cap))
        d->flags |= STT_OFFERED;
    if (!end)
        return wres_ok();
    if (!(d->flags & STT_OFFERED))
        return stt_not_offered(d, cap, list_cmd);
    d->step = step;
    stt_reply_clear(d); /* what a refusal quotes is the reply to cap */
    return stt_send_line(d, "%s", cap);
}

wres stt_not_offered(ward_starttls *d, const char *cmd, const char *which)
{
    return stt_fail(d, WARD_ERR_STARTTLS_REFUSED,
                    "the server does not offer %s (its %s reply: \"%s\")", cmd, which, d->reply);
}
