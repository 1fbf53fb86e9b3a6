/* FTP (RFC 959) with AUTH TLS (RFC 4217).
 *
 * Client: 220 greeting (a 120 "wait" before it is let through, §4.2),
 * possibly "220-" multi-line with free text between (RFC 959 §4.2), AUTH
 * TLS, 234: TLS. After TLS: PBSZ 0 and PROT P (RFC 4217 §9, §10), each
 * 200, so that data connections are protected too.
 * Server: the greeting; FEAT (RFC 2389), NOOP, QUIT, AUTH TLS; 530 for
 * everything else until AUTH TLS (RFC 4217 §11). */
#include "starttls/dialogue.h"

enum { S_GREETING, S_AUTH, S_PBSZ, S_PROT };

static WARD_MUST_CHECK wres send_cmd(ward_starttls *d, int step, const char *cmd)
{
    d->step = step;
    return stt_send_line(d, "%s", cmd);
}

static WARD_MUST_CHECK wres refuse(ward_starttls *d, const char *what)
{
    return d->reply_code >= 400 ? stt_refused(d, what) : stt_unexpected(d, what);
}

static WARD_MUST_CHECK wres on_reply(ward_starttls *d)
{
    int code = d->reply_code;
    switch (d->step) {
    case S_GREETING:
        if (code == 120)
            return wres_ok(); /* "ready in nnn minutes": the 220 follows */
        return code == 220 ? send_cmd(d, S_AUTH, "AUTH TLS") : refuse(d, "the connection");
    case S_AUTH:
        return code == 234 ? stt_upgrade(d, "the server's 234 go-ahead") : refuse(d, "AUTH TLS");
    case S_PBSZ:
        return code == 200 ? send_cmd(d, S_PROT, "PROT P") : refuse(d, "PBSZ 0");
    default:
        return code == 200 ? stt_done(d) : refuse(d, "PROT P");
    }
}

static WARD_MUST_CHECK wres client_input(ward_starttls *d)
{
    stt_line line;
    int got, last;
    GUARD(stt_reply_line(d, 1, &line, &got, &last));
    if (!got || !last)
        return wres_ok();
    return on_reply(d);
}

static WARD_MUST_CHECK wres client_secured(ward_starttls *d)
{
    return send_cmd(d, S_PBSZ, "PBSZ 0");
}

static WARD_MUST_CHECK wres server_start(ward_starttls *d)
{
    return stt_send_line(d, "220 %s", d->greeting[0] ? d->greeting : "ward FTP ready");
}

static const stt_cmd_table server_commands = {
    .cmds = {
        {.name = "FEAT", .kind = STT_CMD_REPLY,
         .lines = {"211-Features:", " AUTH TLS", " PBSZ", " PROT", "211 End"}},
        {.name = "NOOP", .kind = STT_CMD_REPLY, .lines = {"200 NOOP ok"}},
        {.name = "QUIT", .kind = STT_CMD_END, .lines = {"221 Goodbye"},
         .why = "the client quit before AUTH TLS"},
        {.name = "AUTH", .kind = STT_CMD_UPGRADE, .lines = {"234 AUTH TLS successful"},
         .why = "the client's AUTH TLS command", .arg = "TLS",
         .bad_arg = "504 Security mechanism not understood"},
    },
    .other = "530 Please use AUTH TLS first",
};

const stt_ops stt_ftp_client = {WARD_APP_FTP, 0, NULL, client_input, client_secured, NULL};
const stt_ops stt_ftp_server = {WARD_APP_FTP, 1, server_start, stt_serve_command, NULL,
                                &server_commands};
