/* The relay's filters for IMAP and ManageSieve (server mode).
 *
 * IMAP (RFC 9051, RFC 3501). From the backend: the greeting ("* OK" or
 * "* PREAUTH") is swallowed, "* BYE" (or anything else) ends the
 * connection; STARTTLS and LOGINDISABLED are taken out of "* CAPABILITY"
 * lines and of "[CAPABILITY ...]" response codes of status responses
 * (§7.1: "tag OK [CAPABILITY ...]", "* OK [CAPABILITY ...]"); everything
 * else passes, literals ("{n}" at a line's end, §4.3) untouched by the
 * scanner. From the client: "tag STARTTLS" is answered BAD by the tunnel
 * (§6.2.1: TLS is already up); after "tag COMPRESS" (RFC 4978) the stream
 * is no longer lines, so both directions pass untouched from then on.
 *
 * ManageSieve (RFC 5804). Responses end with an OK / NO / BYE line (§1.2);
 * the commands outstanding are queued so that the replies to CAPABILITY,
 * and the greeting (which is a capability listing, relayed), lose their
 * "STARTTLS" line. A greeting ending in NO or BYE ends the connection.
 * STARTTLS again is answered NO by the tunnel. */
#include <stdio.h>
#include <string.h>

#include "tunnel_stt_int.h"

#define TAG_MAX 64

/* The first token (an IMAP tag) ends at the space p[*sp]: 1; 0 when the
 * line has no such token; -1 when more bytes are needed. */
static int first_token(const uint8_t *p, size_t n, int complete, size_t *sp)
{
    size_t lim = n < TAG_MAX + 1 ? n : TAG_MAX + 1;
    const uint8_t *s = memchr(p, ' ', lim);
    if (s) {
        *sp = (size_t)(s - p);
        return *sp > 0;
    }
    return complete || n > TAG_MAX ? 0 : -1;
}

static const char *const statuses[] = {"OK", "NO", "BAD", "BYE", "PREAUTH"};

/* Where the capability tokens of this line start (after "* CAPABILITY" or
 * after "[CAPABILITY" of a status response's code): 1 with *at; 0 not
 * such a line; -1 the line's start could still be one. */
static int caps_at(const uint8_t *p, size_t n, int complete, size_t *at)
{
    size_t sp;
    int t = first_token(p, n, complete, &sp);
    if (t <= 0)
        return t;
    const uint8_t *r = p + sp + 1;
    size_t rn = n - sp - 1;
    if (sp == 1 && p[0] == '*' && tstt_may_be(r, rn, "CAPABILITY")) {
        *at = sp + 1 + 10;
        return rn >= 10 ? 1 : -1;
    }
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        size_t wl = strlen(statuses[i]);
        if (!tstt_may_be(r, rn, statuses[i]))
            continue;
        if (rn <= wl)
            return -1;
        if (r[wl] != ' ')
            return 0;
        const uint8_t *q = r + wl + 1;
        size_t qn = rn - wl - 1;
        if (!tstt_ci_eq(q, "[CAPABILITY ", qn < 12 ? qn : 12))
            return 0;
        *at = (size_t)(q - p) + 11;
        return qn >= 12 ? 1 : -1;
    }
    return 0;
}

static int dropped(const uint8_t *tok, size_t n)
{
    return (n == 8 && tstt_ci_eq(tok, "STARTTLS", 8)) ||
           (n == 13 && tstt_ci_eq(tok, "LOGINDISABLED", 13));
}

size_t tstt_imap_rewrite(const uint8_t *p, size_t n, uint8_t *out)
{
    size_t at, t = tstt_text_len(p, n);
    if (caps_at(p, t, 1, &at) != 1 || at > t)
        return n;
    size_t end = at;
    int code = p[at - 11] == '[';
    while (end < t && !(code && p[end] == ']'))
        end++;
    size_t o = at, j = at;
    int removed = 0;
    memmove(out, p, at);
    while (j < end) {
        size_t k = j + 1;
        while (k < end && p[k] != ' ')
            k++;
        if (p[j] == ' ' && dropped(p + j + 1, k - j - 1)) {
            removed = 1;
        } else {
            memmove(out + o, p + j, k - j);
            o += k - j;
        }
        j = k;
    }
    if (!removed)
        return n;
    memmove(out + o, p + end, n - end);
    return o + n - end;
}

static int imap_backend(tunnel_stt *s, tstt_scan *c, const uint8_t *p, size_t n, int complete,
                        int full)
{
    size_t at;
    if (!s->greeted) {
        int v = tstt_greeting_whole(s, p, n, complete, full);
        if (v != TV_PASS)
            return v;
        if (!tstt_is(p, n, "* OK", 1) && !tstt_is(p, n, "* PREAUTH", 1))
            return tstt_greeting_fail(s, "refused the connection", p, n);
        s->greeted = 1;
        return TV_DONE;
    }
    int k = caps_at(p, n, complete, &at);
    if (k == 0 || full)
        return TV_PASS;
    if (!complete)
        return TV_HOLD;
    uint8_t out[TSTT_LINE_MAX];
    size_t m = tstt_imap_rewrite(p, n, out);
    if (m == n)
        return TV_PASS;
    tstt_emit(c, out, m);
    return TV_DONE;
}

static int imap_client(tunnel_stt *s, tstt_scan *c, const uint8_t *p, size_t n, int complete,
                       int full)
{
    size_t sp;
    int t = first_token(p, n, complete || full, &sp);
    if (t < 0)
        return TV_HOLD;
    if (t == 0)
        return TV_PASS;
    const uint8_t *r = p + sp + 1;
    size_t rn = n - sp - 1;
    if (!tstt_may_be(r, rn, "STARTTLS") && !tstt_may_be(r, rn, "COMPRESS"))
        return TV_PASS;
    if (!complete)
        return full ? TV_PASS : TV_HOLD;
    if (tstt_is(r, rn, "STARTTLS", 0)) {
        char ans[TAG_MAX + 48];
        snprintf(ans, sizeof ans, "%.*s BAD TLS is already active\r\n", (int)sp,
                 (const char *)p);
        tstt_answer(c, ans);
        return TV_DONE;
    }
    if (tstt_is(r, rn, "COMPRESS", 1)) /* no more lines to read, either way */
        s->passthru[TUNNEL_FROM_CLIENT] = s->passthru[TUNNEL_FROM_BACKEND] = 1;
    return TV_PASS;
}

static int imap_line(tunnel_stt *s, tstt_scan *c, int dir, const uint8_t *p, size_t n,
                     int complete, int full)
{
    return dir == TUNNEL_FROM_BACKEND ? imap_backend(s, c, p, n, complete, full)
                                      : imap_client(s, c, p, n, complete, full);
}

const tstt_proto tstt_imap = {imap_line, 1};

/* ---- ManageSieve ---- */

enum { SK_OTHER = 1, SK_CAP };

/* A response's last line: OK / NO / BYE, then a space, "(" or the end
 * (RFC 5804 §4). 1 yes, 0 no, -1 more bytes needed. */
static int sieve_status(const uint8_t *p, size_t n, int complete)
{
    static const char *const w[] = {"OK", "NO", "BYE"};
    for (size_t i = 0; i < 3; i++) {
        size_t wl = strlen(w[i]);
        if (!tstt_ci_eq(p, w[i], n < wl ? n : wl))
            continue;
        if (n <= wl)
            return complete ? 1 : -1;
        return p[wl] == ' ' || p[wl] == '(' || p[wl] == '\r' || p[wl] == '\n';
    }
    return 0;
}

static int sieve_backend(tunnel_stt *s, tstt_scan *c, const uint8_t *p, size_t n, int complete,
                         int full)
{
    if (s->resp_kind < 0)
        s->resp_kind = s->greeted ? tstt_q_pop(s, SK_OTHER) : SK_CAP;
    int st = sieve_status(p, n, complete);
    if (st < 0 && !full)
        return TV_HOLD;
    if (st == 1) {
        if (!s->greeted) {
            int v = tstt_greeting_whole(s, p, n, complete, full);
            if (v != TV_PASS)
                return v;
            if (!tstt_ci_eq(p, "OK", 2))
                return tstt_greeting_fail(s, "refused the connection", p, n);
            s->greeted = 1;
        }
        s->resp_kind = -1;
        return TV_PASS;
    }
    if (s->resp_kind == SK_CAP && tstt_may_be(p, n, "\"STARTTLS\"")) {
        if (!complete)
            return full ? TV_PASS : TV_HOLD;
        if (tstt_is(p, n, "\"STARTTLS\"", 0))
            return TV_DONE;
    }
    return TV_PASS;
}

static int sieve_client(tunnel_stt *s, tstt_scan *c, const uint8_t *p, size_t n, int complete,
                        int full)
{
    if (!complete && !full)
        return TV_HOLD; /* commands are short before any literal */
    if (complete && tstt_is(p, n, "STARTTLS", 0)) {
        tstt_answer(c, "NO \"TLS is already active\"\r\n");
        return TV_DONE;
    }
    int kind = complete && tstt_is(p, n, "CAPABILITY", 0) ? SK_CAP : SK_OTHER;
    return tstt_q_push(s, (uint8_t)kind) < 0 ? TV_FAIL : TV_PASS;
}

static int sieve_line(tunnel_stt *s, tstt_scan *c, int dir, const uint8_t *p, size_t n,
                      int complete, int full)
{
    return dir == TUNNEL_FROM_BACKEND ? sieve_backend(s, c, p, n, complete, full)
                                      : sieve_client(s, c, p, n, complete, full);
}

const tstt_proto tstt_sieve = {sieve_line, 1};
