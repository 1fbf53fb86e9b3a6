/* IMAP (RFC 9051; RFC 3501 servers alike) with STARTTLS (§6.2.1).
 *
 * Client: an untagged greeting; OK goes on, BYE is a refusal, PREAUTH too
 * (already authenticated, where STARTTLS is not allowed, and a MITM's way
 * to keep a client in plaintext). The capabilities come from the
 * greeting's [CAPABILITY ...] code or from CAPABILITY; STARTTLS must be
 * among them. Tagged STARTTLS, tagged OK: TLS. After TLS the capabilities
 * may differ (§6.2.1), so CAPABILITY again.
 * Server: the greeting with its capabilities; CAPABILITY, NOOP, LOGOUT;
 * everything else NO [PRIVACYREQUIRED] until STARTTLS. */
#include <string.h>

#include "starttls/dialogue.h"

enum { S_GREETING, S_CAPA, S_STARTTLS };
#define TAG_MAX 64

static const char *step_tag(const ward_starttls *d)
{
    if (d->step == S_STARTTLS)
        return "a2";
    return d->secured ? "a3" : "a1";
}

/* The rest of the line after prefix (case-insensitive words), or 0. */
static int after(const stt_line *line, const char *prefix, stt_line *rest)
{
    size_t n = strlen(prefix);
    stt_line head = {line->p, line->len};
    if (!stt_line_is(&head, prefix))
        return 0;
    rest->p = line->p + n + (line->len > n);
    rest->len = line->len > n ? line->len - n - 1 : 0;
    return 1;
}

static WARD_MUST_CHECK wres send_cmd(ward_starttls *d, int step, const char *cmd)
{
    d->step = step;
    d->flags &= ~STT_OFFERED;
    d->lines = 0;
    stt_reply_clear(d);
    return stt_send_line(d, "%s %s", step_tag(d), cmd);
}

/* "* OK [CAPABILITY a b c] text": *has 1 when the code is there. */
static void greeting_capability(ward_starttls *d, const stt_line *ok, int *has)
{
    stt_line code;
    *has = 0;
    if (ok->len < 1 || ok->p[0] != '[')
        return;
    stt_line inner = {ok->p + 1, ok->len - 1};
    if (!after(&inner, "CAPABILITY", &code))
        return;
    const uint8_t *end = memchr(code.p, ']', code.len);
    if (end)
        code.len = (size_t)(end - code.p);
    *has = 1;
    if (stt_line_has_token(&code, "STARTTLS"))
        d->flags |= STT_OFFERED;
}

static WARD_MUST_CHECK wres on_greeting(ward_starttls *d, const stt_line *line)
{
    stt_line rest;
    int has;
    if (after(line, "* BYE", &rest))
        return stt_refused(d, "the connection");
    if (after(line, "* PREAUTH", &rest))
        return stt_fail(d, WARD_ERR_STARTTLS_REFUSED,
                        "the server greeted with PREAUTH (already authenticated, where "
                        "STARTTLS is not allowed): \"%s\"",
                        d->reply);
    if (!after(line, "* OK", &rest))
        return stt_fail(d, WARD_ERR_STARTTLS_PROTOCOL,
                        "the server's greeting is not an untagged OK: \"%s\"", d->reply);
    greeting_capability(d, &rest, &has);
    if (!has)
        return send_cmd(d, S_CAPA, "CAPABILITY");
    if (!(d->flags & STT_OFFERED))
        return stt_not_offered(d, "STARTTLS", "greeting");
    return send_cmd(d, S_STARTTLS, "STARTTLS");
}

static WARD_MUST_CHECK wres on_tagged(ward_starttls *d, const stt_line *status)
{
    const char *what = d->step == S_STARTTLS ? "STARTTLS" : "CAPABILITY";
    if (stt_line_is(status, "NO") || stt_line_is(status, "BAD"))
        return stt_refused(d, what);
    if (!stt_line_is(status, "OK"))
        return stt_unexpected(d, what);
    if (d->step == S_STARTTLS)
        return stt_upgrade(d, "the server's tagged OK to STARTTLS");
    if (d->secured)
        return stt_done(d);
    if (!(d->flags & STT_OFFERED))
        return stt_not_offered(d, "STARTTLS", "CAPABILITY");
    return send_cmd(d, S_STARTTLS, "STARTTLS");
}

static WARD_MUST_CHECK wres client_input(ward_starttls *d)
{
    stt_line line, rest;
    int got;
    GUARD(stt_counted_line(d, "reply", &line, &got));
    if (!got)
        return wres_ok();
    if (d->step == S_GREETING)
        return on_greeting(d, &line);
    if (after(&line, step_tag(d), &rest))
        return on_tagged(d, &rest);
    if (after(&line, "* CAPABILITY", &rest) && stt_line_has_token(&rest, "STARTTLS"))
        d->flags |= STT_OFFERED;
    if (line.len >= 2 && memcmp(line.p, "* ", 2) == 0)
        return wres_ok(); /* other untagged data: not ours to judge */
    return stt_unexpected(d, d->step == S_STARTTLS ? "STARTTLS" : "CAPABILITY");
}

static WARD_MUST_CHECK wres client_secured(ward_starttls *d)
{
    return send_cmd(d, S_CAPA, "CAPABILITY");
}

/* ---- server ---- */
#define CAPS "IMAP4rev1 STARTTLS LOGINDISABLED"

static WARD_MUST_CHECK wres server_start(ward_starttls *d)
{
    return stt_send_line(d, "* OK [CAPABILITY " CAPS "] %s",
                         d->greeting[0] ? d->greeting : "ward IMAP ready");
}

/* RFC 9051 §9: tag = 1*<ASTRING-CHAR except "+">; we echo it, so it is
 * held to that and to TAG_MAX. */
static int tag_ok(const uint8_t *p, size_t n)
{
    if (n == 0 || n > TAG_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] <= 0x20 || p[i] >= 0x7f || strchr("(){%*\"\\+", p[i]))
            return 0;
    return 1;
}

static WARD_MUST_CHECK wres server_command(ward_starttls *d, const char *tag, const stt_line *cmd)
{
    if (stt_line_is(cmd, "CAPABILITY")) {
        GUARD(stt_send_line(d, "* CAPABILITY " CAPS));
        return stt_send_line(d, "%s OK CAPABILITY completed", tag);
    }
    if (stt_line_is(cmd, "NOOP"))
        return stt_send_line(d, "%s OK NOOP completed", tag);
    if (stt_line_is(cmd, "LOGOUT")) {
        GUARD(stt_send_line(d, "* BYE Logging out"));
        GUARD(stt_send_line(d, "%s OK LOGOUT completed", tag));
        return stt_fail(d, WARD_ERR_STARTTLS_REFUSED, "the client logged out before STARTTLS");
    }
    if (stt_line_is(cmd, "STARTTLS")) {
        if (cmd->len != 8)
            return stt_send_line(d, "%s BAD STARTTLS takes no arguments", tag);
        GUARD(stt_upgrade(d, "the client's STARTTLS command"));
        return stt_send_line(d, "%s OK Begin TLS negotiation now", tag);
    }
    return stt_send_line(d, "%s NO [PRIVACYREQUIRED] Run STARTTLS first", tag);
}

static WARD_MUST_CHECK wres server_input(ward_starttls *d)
{
    stt_line line;
    int got;
    char tag[TAG_MAX + 1];
    GUARD(stt_command(d, &line, &got));
    if (!got)
        return wres_ok();
    const uint8_t *sp = memchr(line.p, ' ', line.len);
    size_t n = sp ? (size_t)(sp - line.p) : line.len;
    if (!sp || !tag_ok(line.p, n))
        return stt_send_line(d, "* BAD Invalid tag or missing command");
    memcpy(tag, line.p, n);
    tag[n] = 0;
    stt_line cmd = {sp + 1, line.len - n - 1};
    return server_command(d, tag, &cmd);
}

const stt_ops stt_imap_client = {WARD_APP_IMAP, 0, NULL, client_input, client_secured, NULL};
const stt_ops stt_imap_server = {WARD_APP_IMAP, 1, server_start, server_input, NULL, NULL};
