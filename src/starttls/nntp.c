/* NNTP (RFC 3977) with STARTTLS (RFC 4642).
 *
 * Client: 200/201 greeting, CAPABILITIES (§5.2), a 101 "."-ended list
 * that must name STARTTLS, STARTTLS, 382: TLS. Nothing more after TLS.
 * Server: the greeting; CAPABILITIES, QUIT; 483 (§3.2.1: privacy needed)
 * for everything else until STARTTLS. */
#include "starttls/dialogue.h"

enum { S_GREETING, S_CAPA, S_CAPA_LIST, S_STARTTLS };

static WARD_MUST_CHECK wres send_cmd(ward_starttls *d, int step, const char *cmd)
{
    d->step = step;
    return stt_send_line(d, "%s", cmd);
}

/* A whole status reply is in d->reply_code / d->reply. */
static WARD_MUST_CHECK wres on_reply(ward_starttls *d)
{
    int code = d->reply_code;
    switch (d->step) {
    case S_GREETING:
        if (code == 200 || code == 201)
            return send_cmd(d, S_CAPA, "CAPABILITIES");
        return code >= 400 ? stt_refused(d, "the connection") : stt_unexpected(d, "the connection");
    case S_CAPA:
        if (code != 101) /* no CAPABILITIES, so no word of STARTTLS */
            return stt_not_offered(d, "STARTTLS", "CAPABILITIES");
        d->step = S_CAPA_LIST;
        return wres_ok();
    default:
        if (code == 382)
            return stt_upgrade(d, "the server's 382 go-ahead");
        return code >= 400 ? stt_refused(d, "STARTTLS") : stt_unexpected(d, "STARTTLS");
    }
}

static WARD_MUST_CHECK wres client_input(ward_starttls *d)
{
    stt_line line;
    int got, last;
    if (d->step == S_CAPA_LIST)
        return stt_cap_list_line(d, "STARTTLS", "CAPABILITIES", S_STARTTLS);
    /* NNTP status lines are single (RFC 3977 §3.2); a "DDD-" is malformed. */
    GUARD(stt_reply_line(d, 0, &line, &got, &last));
    if (!got)
        return wres_ok();
    if (!last)
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "NNTP status lines are single lines: \"%s\"", d->reply);
    return on_reply(d);
}

static WARD_MUST_CHECK wres server_start(ward_starttls *d)
{
    return stt_send_line(d, "200 %s %s", d->server_name,
                         d->greeting[0] ? d->greeting : "ward NNTP service ready");
}

static const stt_cmd_table server_commands = {
    .cmds = {
        {.name = "CAPABILITIES", .kind = STT_CMD_REPLY,
         .lines = {"101 Capability list:", "VERSION 2", "STARTTLS", "."}},
        {.name = "QUIT", .kind = STT_CMD_END, .lines = {"205 Bye"},
         .why = "the client quit before STARTTLS"},
        {.name = "STARTTLS", .kind = STT_CMD_UPGRADE,
         .lines = {"382 Continue with TLS negotiation"}, .why = "the client's STARTTLS command"},
    },
    .other = "483 Encryption required: use STARTTLS first",
};

const stt_ops stt_nntp_client = {WARD_APP_NNTP, 0, NULL, client_input, NULL, NULL};
const stt_ops stt_nntp_server = {WARD_APP_NNTP, 1, server_start, stt_serve_command, NULL,
                                 &server_commands};
