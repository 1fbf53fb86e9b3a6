/* The server halves of the line protocols whose plaintext part is a few
 * fixed commands (FTP, POP3, NNTP, ManageSieve): one dispatcher over each
 * protocol's table (stt_cmd_table in dialogue.h). Until the client starts
 * TLS it may ask for the capabilities, do nothing or leave; everything
 * else is refused (RFC 4217 §11, RFC 2595 §4, RFC 4642 §2.2, RFC 5804
 * §2.2). */
#include <string.h>

#include "starttls/dialogue.h"

static WARD_MUST_CHECK wres send_lines(ward_starttls *d, const char *const *lines)
{
    for (size_t i = 0; i < STT_CMD_LINES && lines[i]; i++)
        GUARD(stt_send_line(d, "%s", lines[i]));
    return wres_ok();
}

/* The command's argument is exactly arg (case-insensitive): "AUTH TLS". */
static int arg_is(const stt_line *line, const stt_cmd *c)
{
    size_t skip = strlen(c->name) + 1;
    if (line->len <= skip)
        return 0;
    stt_line a = {line->p + skip, line->len - skip};
    return stt_line_is(&a, c->arg) && a.len == strlen(c->arg);
}

static WARD_MUST_CHECK wres answer(ward_starttls *d, const stt_line *line, const stt_cmd *c)
{
    switch (c->kind) {
    case STT_CMD_REPLY:
        return c->reply ? c->reply(d) : send_lines(d, c->lines);
    case STT_CMD_END:
        GUARD(send_lines(d, c->lines));
        return stt_fail(d, WARD_ERR_STARTTLS_REFUSED, "%s", c->why);
    case STT_CMD_UPGRADE:
        if (c->arg && !arg_is(line, c))
            return stt_send_line(d, "%s", c->bad_arg);
        /* First: an injected command behind this one gets no go-ahead. */
        GUARD(stt_upgrade(d, c->why));
        return send_lines(d, c->lines);
    }
    return wres_err(WARD_ERR_INTERNAL);
}

wres stt_serve_command(ward_starttls *d)
{
    const stt_cmd_table *t = d->ops->commands;
    stt_line line;
    int got;
    ENSURE(t != NULL, WARD_ERR_INTERNAL);
    GUARD(stt_command(d, &line, &got));
    if (!got)
        return wres_ok();
    for (size_t i = 0; i < STT_CMDS_MAX && t->cmds[i].name; i++)
        if (stt_line_is(&line, t->cmds[i].name))
            return answer(d, &line, &t->cmds[i]);
    return stt_send_line(d, "%s", t->other);
}
