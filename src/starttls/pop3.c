/* POP3 (RFC 1939) with STLS (RFC 2595 §4) found through CAPA (RFC 2449).
 *
 * Client: +OK greeting, CAPA, a "."-ended list that must name STLS, STLS,
 * +OK: TLS. Nothing more after TLS.
 * Server: the greeting; CAPA, NOOP, QUIT; -ERR for everything else until
 * STLS. */
#include "starttls/dialogue.h"

enum { S_GREETING, S_CAPA, S_CAPA_LIST, S_STLS };

static int is_ok(const stt_line *l) { return stt_line_is(l, "+OK"); }
static int is_err(const stt_line *l) { return stt_line_is(l, "-ERR"); }

static WARD_MUST_CHECK wres send_cmd(ward_starttls *d, int step, const char *cmd)
{
    d->step = step;
    stt_reply_clear(d);
    return stt_send_line(d, "%s", cmd);
}

/* A single-line status reply: +OK goes on, -ERR refuses. */
static WARD_MUST_CHECK wres status(ward_starttls *d, const stt_line *line, const char *what,
                                   int *ok)
{
    *ok = 0;
    stt_reply_add(d, line);
    if (is_err(line))
        return stt_refused(d, what);
    if (!is_ok(line))
        return stt_unexpected(d, what);
    *ok = 1;
    return wres_ok();
}

static WARD_MUST_CHECK wres client_input(ward_starttls *d)
{
    stt_line line;
    int got, ok;
    if (d->step == S_CAPA_LIST)
        return stt_cap_list_line(d, "STLS", "CAPA", S_STLS);
    GUARD(stt_take_line(d, &line, &got));
    if (!got)
        return wres_ok();
    switch (d->step) {
    case S_GREETING:
        GUARD(status(d, &line, "the connection", &ok));
        return send_cmd(d, S_CAPA, "CAPA");
    case S_CAPA:
        if (is_err(&line)) { /* RFC 2449 §5: no CAPA, so no way to know of STLS */
            stt_reply_add(d, &line);
            return stt_not_offered(d, "STLS", "CAPA");
        }
        GUARD(status(d, &line, "CAPA", &ok));
        d->step = S_CAPA_LIST;
        d->lines = 0;
        return wres_ok();
    default:
        GUARD(status(d, &line, "STLS", &ok));
        return stt_upgrade(d, "the server's +OK to STLS");
    }
}

static WARD_MUST_CHECK wres server_start(ward_starttls *d)
{
    return stt_send_line(d, "+OK %s", d->greeting[0] ? d->greeting : "ward POP3 ready");
}

static const stt_cmd_table server_commands = {
    .cmds = {
        {.name = "CAPA", .kind = STT_CMD_REPLY,
         .lines = {"+OK Capability list follows", "STLS", "."}},
        {.name = "NOOP", .kind = STT_CMD_REPLY, .lines = {"+OK"}},
        {.name = "QUIT", .kind = STT_CMD_END, .lines = {"+OK Bye"},
         .why = "the client quit before STLS"},
        {.name = "STLS", .kind = STT_CMD_UPGRADE, .lines = {"+OK Begin TLS negotiation"},
         .why = "the client's STLS command"},
    },
    .other = "-ERR Command not permitted before STLS",
};

const stt_ops stt_pop3_client = {WARD_APP_POP3, 0, NULL, client_input, NULL, NULL};
const stt_ops stt_pop3_server = {WARD_APP_POP3, 1, server_start, stt_serve_command, NULL,
                                 &server_commands};
