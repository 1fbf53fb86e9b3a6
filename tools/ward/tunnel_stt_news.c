/* The relay's filters for NNTP and FTP (server mode).
 *
 * NNTP (RFC 3977, RFC 4642). From the backend: the 200 / 201 greeting is
 * swallowed, anything else (400, 502) ends the connection. Each command
 * gets one status line, in order (§3.5 pipelining), so the commands
 * outstanding are queued by kind: a 101 list (CAPABILITIES, §5.2) loses
 * its "STARTTLS" line; the other multi-line replies (§3.1.1: 100, 215,
 * 220-225, 230, 231, 282, and 211 when it answers LISTGROUP) pass up to
 * their "." line unexamined. From the client: STARTTLS again is answered
 * 502 (RFC 4642 §2.2.2); an article after the backend's 340 / 335 (POST,
 * IHAVE) passes up to its "." line; after COMPRESS (RFC 8054) nothing is
 * lines any more, both directions pass untouched.
 *
 * FTP control connection (RFC 959, RFC 4217). From the backend: the 220
 * greeting (after 120s, "220-" lines with free text) is swallowed, 421 or
 * anything else ends the connection; in the reply to FEAT (RFC 2389) the
 * " AUTH ..." lines are dropped. From the client: the tunnel answers
 * PBSZ (200 PBSZ=0), PROT C (200) and PROT P / S / E (536: data
 * connections are not tunnelled, so they stay in the clear), AUTH (503:
 * TLS is already up) and CCC (533: the control connection stays
 * protected); everything else passes. */
#include <string.h>

#include "tunnel_stt_int.h"

/* ---- NNTP ---- */

enum { NK_OTHER = 1, NK_CAPA, NK_LISTGROUP, NK_POST };

static int nntp_multi(int code, int kind)
{
    static const int codes[] = {100, 101, 215, 220, 221, 222, 224, 225, 230, 231, 282};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (code == codes[i])
            return 1;
    return code == 211 && kind == NK_LISTGROUP;
}

static int nntp_backend(tunnel_stt *s, tstt_scan *c, const uint8_t *p, size_t n, int complete,
                        int full)
{
    int code, more, end;
    if (!s->greeted) {
        int v = tstt_greeting_whole(s, p, n, complete, full);
        if (v != TV_PASS)
            return v;
        if (!tstt_code(p, n, &code, &more) || (code != 200 && code != 201))
            return tstt_greeting_fail(s, "refused the connection", p, n);
        s->greeted = 1;
        return TV_DONE;
    }
    if (s->bbody == 2 && tstt_may_be(p, n, "STARTTLS")) {
        if (!complete)
            return full ? TV_PASS : TV_HOLD;
        if (tstt_is(p, n, "STARTTLS", 0))
            return TV_DONE;
    }
    if (s->bbody) {
        int v = tstt_dot_line(p, n, complete, full, &end);
        if (end)
            s->bbody = 0;
        return v;
    }
    if (!complete && !full && n < 5)
        return TV_HOLD;
    if (!tstt_code(p, n, &code, &more))
        return TV_PASS; /* not a status line: not ours to judge */
    int kind = NK_OTHER;
    if (s->post_due)
        s->post_due = 0; /* the reply to the article just sent */
    else
        kind = tstt_q_pop(s, NK_OTHER);
    if (kind == NK_POST && (code == 340 || code == 335)) {
        s->cbody = 1;
        s->post_due = 1;
    }
    if (nntp_multi(code, kind))
        s->bbody = code == 101 ? 2 : 1;
    return TV_PASS;
}

static int nntp_client(tunnel_stt *s, tstt_scan *c, const uint8_t *p, size_t n, int complete,
                       int full)
{
    int end, kind = NK_OTHER;
    if (s->cbody) {
        int v = tstt_dot_line(p, n, complete, full, &end);
        if (end)
            s->cbody = 0;
        return v;
    }
    if (!complete && !full)
        return TV_HOLD; /* commands are short (RFC 3977 §3.1: 512 bytes) */
    if (complete && tstt_is(p, n, "STARTTLS", 1)) {
        tstt_answer(c, "502 TLS is already active\r\n");
        return TV_DONE;
    }
    if (complete) {
        if (tstt_is(p, n, "COMPRESS", 1))
            s->passthru[TUNNEL_FROM_CLIENT] = s->passthru[TUNNEL_FROM_BACKEND] = 1;
        if (tstt_is(p, n, "CAPABILITIES", 1))
            kind = NK_CAPA;
        else if (tstt_is(p, n, "LISTGROUP", 1))
            kind = NK_LISTGROUP;
        else if (tstt_is(p, n, "POST", 0) || tstt_is(p, n, "IHAVE", 1))
            kind = NK_POST;
    }
    return tstt_q_push(s, (uint8_t)kind) < 0 ? TV_FAIL : TV_PASS;
}

static int nntp_line(tunnel_stt *s, tstt_scan *c, int dir, const uint8_t *p, size_t n,
                     int complete, int full)
{
    return dir == TUNNEL_FROM_BACKEND ? nntp_backend(s, c, p, n, complete, full)
                                      : nntp_client(s, c, p, n, complete, full);
}

const tstt_proto tstt_nntp = {nntp_line, 0};

/* ---- FTP ---- */

static int ftp_backend(tunnel_stt *s, tstt_scan *c, const uint8_t *p, size_t n, int complete,
                       int full)
{
    int code, more;
    if (!s->greeted)
        return tstt_ddd_greeting(s, p, n, complete, full, 1);
    if (!complete && !full && n < 5)
        return TV_HOLD;
    int ok = tstt_code(p, n, &code, &more);
    if (s->multi) { /* RFC 959 §4.2: up to "DDD " with the first line's code */
        if (ok && code == s->code && !more) {
            s->multi = 0;
            s->feat_wait = 0;
            return TV_PASS;
        }
        if (s->feat_wait && s->code == 211 && tstt_may_be(p, n, " AUTH")) {
            if (!complete)
                return full ? TV_PASS : TV_HOLD;
            return TV_DONE; /* RFC 4217 §6: AUTH is over */
        }
        return TV_PASS;
    }
    if (!ok)
        return TV_PASS;
    if (more) {
        s->multi = 1;
        s->code = code;
    } else {
        s->feat_wait = 0;
    }
    return TV_PASS;
}

/* PROT's level (RFC 4217 §9, RFC 2228): the letter, or 0. */
static int prot_level(const uint8_t *p, size_t n)
{
    size_t t = tstt_text_len(p, n), i = 4;
    while (i < t && p[i] == ' ')
        i++;
    size_t j = t;
    while (j > i && p[j - 1] == ' ')
        j--;
    if (j != i + 1)
        return 0;
    return p[i] >= 'a' && p[i] <= 'z' ? p[i] - 32 : p[i];
}

static int ftp_client(tunnel_stt *s, tstt_scan *c, const uint8_t *p, size_t n, int complete,
                      int full)
{
    if (!complete)
        return full ? TV_PASS : TV_HOLD; /* commands are short: judge them whole */
    const char *ans = NULL;
    if (tstt_is(p, n, "PBSZ", 1)) {
        ans = "200 PBSZ=0\r\n";
    } else if (tstt_is(p, n, "PROT", 1)) {
        int l = prot_level(p, n);
        if (l == 'C')
            ans = "200 Protection level set to Clear\r\n";
        else if (l == 'P' || l == 'S' || l == 'E')
            ans = "536 Data connections are not tunnelled: only PROT C is available\r\n";
        else
            ans = "504 Unknown protection level\r\n";
    } else if (tstt_is(p, n, "AUTH", 1)) {
        ans = "503 TLS is already active\r\n";
    } else if (tstt_is(p, n, "CCC", 1)) {
        ans = "533 The control connection stays protected\r\n";
    } else if (tstt_is(p, n, "FEAT", 1)) {
        s->feat_wait = 1;
    }
    if (!ans)
        return TV_PASS;
    tstt_answer(c, ans);
    return TV_DONE;
}

static int ftp_line(tunnel_stt *s, tstt_scan *c, int dir, const uint8_t *p, size_t n,
                    int complete, int full)
{
    return dir == TUNNEL_FROM_BACKEND ? ftp_backend(s, c, p, n, complete, full)
                                      : ftp_client(s, c, p, n, complete, full);
}

const tstt_proto tstt_ftp = {ftp_line, 0};
