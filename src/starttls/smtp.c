/* SMTP (RFC 5321) and LMTP (RFC 2033) with STARTTLS (RFC 3207).
 *
 * Client: 220 greeting, EHLO (LMTP: LHLO), a 250 reply that must list
 * STARTTLS, STARTTLS, 220 go-ahead; after TLS the server forgets what it
 * said (RFC 3207 §4.2), so EHLO again and read its 250 reply.
 * Server: greeting, EHLO/HELO/LHLO answered advertising STARTTLS, NOOP,
 * RSET, QUIT; everything else is 530 5.7.0 until STARTTLS (RFC 3207 §4). */
#include "starttls/dialogue.h"

enum { S_GREETING, S_HELLO, S_STARTTLS };

static int is_lmtp(const ward_starttls *d) { return d->ops->app == WARD_APP_LMTP; }
static const char *hello(const ward_starttls *d) { return is_lmtp(d) ? "LHLO" : "EHLO"; }

static WARD_MUST_CHECK wres send_hello(ward_starttls *d)
{
    d->flags &= ~STT_OFFERED;
    d->step = S_HELLO;
    return stt_send_line(d, "%s %s", hello(d), d->helo_name);
}

/* One line of the EHLO reply: "250-STARTTLS" is an extension keyword
 * (RFC 5321 §4.1.1.1: the first word of each line after the first). */
static void note_extension(ward_starttls *d, const stt_line *line)
{
    if (d->line_no < 2 || line->len < 4)
        return; /* the first line names the server */
    stt_line ext = {line->p + 4, line->len - 4};
    if (stt_line_is(&ext, "STARTTLS"))
        d->flags |= STT_OFFERED;
}

static WARD_MUST_CHECK wres on_hello_reply(ward_starttls *d)
{
    if (d->reply_code != 250)
        return d->reply_code >= 400 ? stt_refused(d, hello(d)) : stt_unexpected(d, hello(d));
    if (d->secured)
        return stt_done(d);
    if (!(d->flags & STT_OFFERED))
        return stt_not_offered(d, "STARTTLS", hello(d));
    d->step = S_STARTTLS;
    return stt_send_line(d, "STARTTLS");
}

static WARD_MUST_CHECK wres client_input(ward_starttls *d)
{
    stt_line line;
    int got, last;
    GUARD(stt_reply_line(d, 0, &line, &got, &last));
    if (!got)
        return wres_ok();
    if (d->step == S_HELLO)
        note_extension(d, &line);
    if (!last)
        return wres_ok();
    switch (d->step) {
    case S_GREETING:
        if (d->reply_code != 220)
            return d->reply_code >= 400 ? stt_refused(d, "the connection")
                                        : stt_unexpected(d, "the connection");
        return send_hello(d);
    case S_HELLO:
        return on_hello_reply(d);
    default:
        if (d->reply_code != 220)
            return d->reply_code >= 400 ? stt_refused(d, "STARTTLS")
                                        : stt_unexpected(d, "STARTTLS");
        return stt_upgrade(d, "the server's 220 go-ahead");
    }
}

static WARD_MUST_CHECK wres server_start(ward_starttls *d)
{
    const char *text = d->greeting[0] ? d->greeting : is_lmtp(d) ? "LMTP ward" : "ESMTP ward";
    return stt_send_line(d, "220 %s %s", d->server_name, text);
}

static WARD_MUST_CHECK wres server_command(ward_starttls *d, const stt_line *line)
{
    int lmtp = is_lmtp(d);
    if (stt_line_is(line, lmtp ? "LHLO" : "EHLO")) {
        GUARD(stt_send_line(d, "250-%s", d->server_name));
        return stt_send_line(d, "250 STARTTLS");
    }
    if (!lmtp && stt_line_is(line, "HELO"))
        return stt_send_line(d, "250 %s", d->server_name);
    if (stt_line_is(line, "NOOP") || stt_line_is(line, "RSET"))
        return stt_send_line(d, "250 2.0.0 OK");
    if (stt_line_is(line, "QUIT")) {
        GUARD(stt_send_line(d, "221 2.0.0 Bye"));
        return stt_fail(d, WARD_ERR_STARTTLS_REFUSED, "the client quit before STARTTLS");
    }
    if (stt_line_is(line, "STARTTLS")) {
        if (line->len != 8) /* RFC 3207 §4: no parameters */
            return stt_send_line(d, "501 5.5.4 Syntax error (no parameters allowed)");
        GUARD(stt_upgrade(d, "the client's STARTTLS command"));
        return stt_send_line(d, "220 2.0.0 Ready to start TLS");
    }
    return stt_send_line(d, "530 5.7.0 Must issue a STARTTLS command first");
}

static WARD_MUST_CHECK wres server_input(ward_starttls *d)
{
    stt_line line;
    int got;
    GUARD(stt_command(d, &line, &got));
    return got ? server_command(d, &line) : wres_ok();
}

const stt_ops stt_smtp_client = {WARD_APP_SMTP, 0, NULL, client_input, send_hello, NULL};
const stt_ops stt_smtp_server = {WARD_APP_SMTP, 1, server_start, server_input, NULL, NULL};
const stt_ops stt_lmtp_client = {WARD_APP_LMTP, 0, NULL, client_input, send_hello, NULL};
const stt_ops stt_lmtp_server = {WARD_APP_LMTP, 1, server_start, server_input, NULL, NULL};
