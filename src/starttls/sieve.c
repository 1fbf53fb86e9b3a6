/* ManageSieve (RFC 5804) with STARTTLS (§2.2).
 *
 * Client: the server opens with its capability lines ("NAME" "value"),
 * ended by OK; "STARTTLS" must be among them. STARTTLS, OK: TLS. After TLS
 * the server sends its capabilities again unasked (§2.2): read them to
 * their OK.
 * Server: the capabilities; CAPABILITY, NOOP, LOGOUT; NO for everything
 * else until STARTTLS; after TLS the capabilities again. */
#include "starttls/dialogue.h"

enum { S_CAPS, S_STARTTLS };

static WARD_MUST_CHECK wres on_caps_end(ward_starttls *d, const stt_line *line)
{
    const char *which = d->secured ? "capabilities after TLS" : "capabilities";
    if (stt_line_is(line, "NO") || stt_line_is(line, "BYE"))
        return stt_refused(d, "the connection");
    if (!stt_line_is(line, "OK"))
        return stt_unexpected(d, which);
    if (d->secured)
        return stt_done(d);
    if (!(d->flags & STT_OFFERED))
        return stt_not_offered(d, "STARTTLS", "capability");
    d->step = S_STARTTLS;
    stt_reply_clear(d);
    return stt_send_line(d, "STARTTLS");
}

static WARD_MUST_CHECK wres client_input(ward_starttls *d)
{
    stt_line line;
    int got;
    GUARD(stt_counted_line(d, "capability list", &line, &got));
    if (!got)
        return wres_ok();
    if (d->step == S_STARTTLS) {
        if (stt_line_is(&line, "OK"))
            return stt_upgrade(d, "the server's OK to STARTTLS");
        if (stt_line_is(&line, "NO") || stt_line_is(&line, "BYE"))
            return stt_refused(d, "STARTTLS");
        return stt_unexpected(d, "STARTTLS");
    }
    if (line.len > 0 && line.p[0] == '"') {
        if (stt_line_is(&line, "\"STARTTLS\""))
            d->flags |= STT_OFFERED;
        return wres_ok();
    }
    return on_caps_end(d, &line);
}

static WARD_MUST_CHECK wres client_secured(ward_starttls *d)
{
    d->step = S_CAPS;
    d->lines = 0;
    d->flags = 0;
    stt_reply_clear(d);
    return wres_ok();
}

/* ---- server ---- */
static WARD_MUST_CHECK wres send_caps(ward_starttls *d, const char *ok)
{
    GUARD(stt_send_line(d, "\"IMPLEMENTATION\" \"ward\""));
    GUARD(stt_send_line(d, "\"SIEVE\" \"fileinto\""));
    if (!d->secured)
        GUARD(stt_send_line(d, "\"STARTTLS\""));
    GUARD(stt_send_line(d, "\"VERSION\" \"1.0\""));
    return stt_send_line(d, "OK \"%s\"", ok);
}

static WARD_MUST_CHECK wres server_start(ward_starttls *d)
{
    return send_caps(d, d->greeting[0] ? d->greeting : "ward ManageSieve ready");
}

static WARD_MUST_CHECK wres capability(ward_starttls *d)
{
    return send_caps(d, "Capability completed.");
}

static const stt_cmd_table server_commands = {
    .cmds = {
        {.name = "CAPABILITY", .kind = STT_CMD_REPLY, .reply = capability},
        {.name = "NOOP", .kind = STT_CMD_REPLY, .lines = {"OK \"NOOP completed.\""}},
        {.name = "LOGOUT", .kind = STT_CMD_END, .lines = {"OK \"Logout completed.\""},
         .why = "the client logged out before STARTTLS"},
        {.name = "STARTTLS", .kind = STT_CMD_UPGRADE,
         .lines = {"OK \"Begin TLS negotiation now.\""}, .why = "the client's STARTTLS command"},
    },
    .other = "NO \"Run STARTTLS first.\"",
};

/* RFC 5804 §2.2: after TLS the server sends its capabilities again. */
static WARD_MUST_CHECK wres server_secured(ward_starttls *d)
{
    GUARD(send_caps(d, "TLS negotiation successful."));
    return stt_done(d);
}

const stt_ops stt_sieve_client = {WARD_APP_SIEVE, 0, NULL, client_input, client_secured, NULL};
const stt_ops stt_sieve_server = {WARD_APP_SIEVE, 1, server_start, stt_serve_command,
                                  server_secured, &server_commands};
