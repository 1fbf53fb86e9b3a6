/* ward tunnel's STARTTLS adaptor (tools/ward/tunnel_stt*.c): phase 1 per
 * protocol through the upgrade, then the relay's filters fed every way a
 * stream can be cut (whole, 1, 2, 3 and 7 bytes at a time, and each step
 * cut at every byte position), which must give the same bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "tunnel_stt.h"

/* ---- tunnel_buf ---- */

static void buf_basics(void)
{
    tunnel_buf b = {0};
    CHECK(tunnel_buf_unread(&b) == 0);
    CHECK(tunnel_buf_append(&b, (const uint8_t *)"hello", 5) == 0);
    CHECK(tunnel_buf_append(&b, (const uint8_t *)" world", 6) == 0);
    CHECK(tunnel_buf_unread(&b) == 11);
    tunnel_buf_consume(&b, 6);
    CHECK(tunnel_buf_unread(&b) == 5 && memcmp(b.p + b.off, "world", 5) == 0);
    uint8_t big[1000];
    memset(big, 'x', sizeof big);
    CHECK(tunnel_buf_append(&b, big, sizeof big) == 0);
    CHECK(tunnel_buf_unread(&b) == 1005 && memcmp(b.p + b.off, "world", 5) == 0);
    tunnel_buf_consume(&b, 1005);
    CHECK(b.off == 0 && b.len == 0 && tunnel_buf_unread(&b) == 0);
    tunnel_buf_consume(&b, 3);
    CHECK(tunnel_buf_unread(&b) == 0);
    tunnel_buf_free(&b);
    CHECK(b.p == NULL && b.cap == 0 && b.len == 0 && b.off == 0);
}

/* ---- phase 1 ---- */

static size_t drain(tunnel_stt *s, char *out, size_t cap)
{
    const uint8_t *p;
    size_t n = tunnel_stt_output(s, &p);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = 0;
    tunnel_stt_output_done(s, n);
    return n;
}

static int feed(tunnel_stt *s, const char *text)
{
    return tunnel_stt_recv(s, (const uint8_t *)text, strlen(text)) == WARD_OK;
}

/* The client's command that starts TLS, per protocol. */
static const char *upgrade_cmd(ward_app app)
{
    switch (app) {
    case WARD_APP_SMTP:
        return "EHLO client\r\nSTARTTLS\r\n";
    case WARD_APP_LMTP:
        return "LHLO client\r\nSTARTTLS\r\n";
    case WARD_APP_IMAP:
        return "a1 CAPABILITY\r\na2 STARTTLS\r\n";
    case WARD_APP_POP3:
        return "CAPA\r\nSTLS\r\n";
    case WARD_APP_FTP:
        return "FEAT\r\nAUTH TLS\r\n";
    default:
        return "STARTTLS\r\n";
    }
}

/* A server-mode adaptor taken through the upgrade, relaying. */
static tunnel_stt *relaying_server(ward_app app)
{
    char err[256], out[4096];
    tunnel_stt *s = tunnel_stt_new_server(app, "mx.example", err, sizeof err);
    CHECK(s != NULL);
    if (!s)
        return NULL;
    CHECK(drain(s, out, sizeof out) > 0); /* the greeting, offering TLS */
    CHECK(feed(s, upgrade_cmd(app)));
    CHECK(tunnel_stt_state(s) == WARD_STARTTLS_UPGRADE);
    CHECK(drain(s, out, sizeof out) > 0);
    CHECK(tunnel_stt_secured(s) == WARD_OK);
    CHECK(tunnel_stt_state(s) == WARD_STARTTLS_DONE);
    CHECK(drain(s, out, sizeof out) == 0); /* ManageSieve's own capabilities dropped */
    tunnel_buf to_client = {0};
    CHECK(tunnel_stt_start_relay(s, &to_client) == 0);
    CHECK(tunnel_buf_unread(&to_client) == 0);
    tunnel_buf_free(&to_client);
    return s;
}

static void phase1_server(void)
{
    char err[256], out[4096];
    /* what the library's server half offers and refuses before TLS */
    tunnel_stt *s = tunnel_stt_new_server(WARD_APP_SMTP, "mx.example", err, sizeof err);
    CHECK(s != NULL);
    drain(s, out, sizeof out);
    CHECK(strstr(out, "220 mx.example") == out);
    CHECK(feed(s, "EHLO c\r\n"));
    drain(s, out, sizeof out);
    CHECK(strstr(out, "250 STARTTLS\r\n") != NULL);
    CHECK(feed(s, "MAIL FROM:<a@b>\r\n"));
    drain(s, out, sizeof out);
    CHECK(strncmp(out, "530", 3) == 0);
    CHECK(tunnel_stt_state(s) == WARD_STARTTLS_WAITING);
    /* a command pipelined behind STARTTLS: injection, never relayed */
    CHECK(!feed(s, "STARTTLS\r\nMAIL FROM:<evil@x>\r\n"));
    CHECK(tunnel_stt_state(s) == WARD_STARTTLS_FAILED);
    CHECK(strstr(tunnel_stt_error_message(s), "injection") != NULL);
    tunnel_buf b = {0};
    CHECK(tunnel_stt_start_relay(s, &b) == -1);
    tunnel_stt_free(s);

    s = tunnel_stt_new_server(WARD_APP_IMAP, NULL, err, sizeof err);
    CHECK(s != NULL);
    drain(s, out, sizeof out);
    CHECK(strstr(out, "STARTTLS") != NULL && strstr(out, "LOGINDISABLED") != NULL);
    tunnel_buf f = {0}, k = {0};
    CHECK(tunnel_stt_filter(s, TUNNEL_FROM_BACKEND, (const uint8_t *)"x\n", 2, &f, &k) == -1);
    CHECK(tunnel_buf_unread(&f) == 0);
    CHECK(feed(s, "a1 LOGIN u p\r\n"));
    drain(s, out, sizeof out);
    CHECK(strncmp(out, "a1 NO", 5) == 0);
    tunnel_stt_free(s);

    CHECK(tunnel_stt_new_server(WARD_APP_LDAP, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "ldap") != NULL);
    CHECK(tunnel_stt_new_server(WARD_APP_HTTP, NULL, err, sizeof err) == NULL);
    CHECK(tunnel_stt_new_server(WARD_APP_SMTP, "bad name\r\nX", err, sizeof err) == NULL);

    const ward_app apps[] = {WARD_APP_SMTP, WARD_APP_LMTP, WARD_APP_IMAP, WARD_APP_POP3,
                             WARD_APP_FTP,  WARD_APP_NNTP, WARD_APP_SIEVE};
    for (size_t i = 0; i < sizeof apps / sizeof apps[0]; i++)
        tunnel_stt_free(relaying_server(apps[i]));
}

/* ---- the relay ---- */

typedef struct {
    int dir;
    const char *in;
    const char *fwd;  /* expected on to the other side (NULL: the same as in) */
    const char *back; /* expected answered by the tunnel ("" none) */
} step;

#define TO_B TUNNEL_FROM_CLIENT
#define TO_C TUNNEL_FROM_BACKEND

typedef struct {
    const char *name;
    ward_app app;
    const step *steps;
    size_t n;
    const char *fail; /* the last step ends the connection, quoting this */
} scenario;

static int buf_is(const tunnel_buf *b, const char *want, size_t n)
{
    return tunnel_buf_unread(b) == n && (n == 0 || memcmp(b->p + b->off, want, n) == 0);
}

/* Run sc with chunks of `chunk` bytes (0: whole), or with step cut_step
 * cut at cut_at. Returns 1 when every step gave what was expected. */
static int run(const scenario *sc, size_t chunk, size_t cut_step, size_t cut_at, int verbose)
{
    tunnel_stt *s = relaying_server(sc->app);
    int ok = s != NULL;
    for (size_t i = 0; ok && i < sc->n; i++) {
        const step *st = &sc->steps[i];
        size_t len = strlen(st->in);
        const char *want = st->fwd ? st->fwd : st->in;
        size_t want_len = st->fwd ? strlen(st->fwd) : len;
        tunnel_buf fwd = {0}, back = {0};
        int r = 0;
        for (size_t at = 0; at < len && r == 0;) {
            size_t k = chunk ? chunk : len - at;
            if (i == cut_step && cut_at > at)
                k = cut_at - at;
            else if (i == cut_step)
                k = len - at;
            if (k > len - at)
                k = len - at;
            r = tunnel_stt_filter(s, st->dir, (const uint8_t *)st->in + at, k, &fwd, &back);
            at += k;
        }
        int last = i + 1 == sc->n;
        if (sc->fail && last) {
            if (r != -1 || !strstr(tunnel_stt_error_message(s), sc->fail)) {
                if (verbose)
                    fprintf(stderr, "%s step %zu: r=%d msg=%s\n", sc->name, i, r,
                            tunnel_stt_error_message(s));
                ok = 0;
            }
        } else if (r != 0 || !buf_is(&fwd, want, want_len) ||
                   !buf_is(&back, st->back, strlen(st->back))) {
            if (verbose)
                fprintf(stderr,
                        "%s step %zu (chunk %zu, cut %zu@%zu): r=%d fwd=[%.*s] back=[%.*s]\n",
                        sc->name, i, chunk, cut_step, cut_at, r, (int)tunnel_buf_unread(&fwd),
                        fwd.p ? (const char *)fwd.p + fwd.off : "", (int)tunnel_buf_unread(&back),
                        back.p ? (const char *)back.p + back.off : "");
            ok = 0;
        }
        tunnel_buf_free(&fwd);
        tunnel_buf_free(&back);
    }
    tunnel_stt_free(s);
    return ok;
}

static void check_scenario(const scenario *sc)
{
    static const size_t chunks[] = {0, 1, 2, 3, 7};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        int ok = run(sc, chunks[i], (size_t)-1, 0, 1);
        CHECK(ok);
        if (!ok)
            fprintf(stderr, "  scenario %s, chunk %zu\n", sc->name, chunks[i]);
    }
    size_t bad = 0;
    for (size_t i = 0; i < sc->n; i++) {
        const step *st = &sc->steps[i];
        size_t len = strlen(st->in);
        for (size_t at = 1; at < len; at++)
            if (!run(sc, 0, i, at, bad == 0))
                bad++;
    }
    CHECK(bad == 0);
    if (bad)
        fprintf(stderr, "  scenario %s: %zu cut positions differ\n", sc->name, bad);
}

#define SCEN(nm, a, arr, f) {nm, a, arr, sizeof arr / sizeof arr[0], f}

static char long_line[8192], long_reply[8192], imap_lit[512], imap_long[8192], append[512];
static char pop3_long[8192], pop3_long_fwd[8192], imap_cmd_long[8192];

static void make_long(void)
{
    char a[5001];
    memset(a, 'a', 5000);
    a[5000] = 0;
    snprintf(long_line, sizeof long_line, "250-x\r\n250-%s\r\n250 STARTTLS\r\n", a);
    snprintf(long_reply, sizeof long_reply, "* 1 FETCH (X-LONG \"%s\")\r\n", a);
    const char *body = "* CAPABILITY IMAP4rev1 STARTTLS\r\na9 OK [CAPABILITY STARTTLS] x\r\n";
    snprintf(imap_lit, sizeof imap_lit, "* 2 FETCH (BODY[] {%zu}\r\n%s FLAGS (\\Seen))\r\n",
             strlen(body), body);
    snprintf(imap_long, sizeof imap_long, "* 3 FETCH (X \"%s\" BODY[] {%zu}\r\n%s)\r\n", a,
             strlen(body), body);
    snprintf(pop3_long, sizeof pop3_long, "%s\r\nSTLS\r\n", a); /* a SASL response */
    snprintf(pop3_long_fwd, sizeof pop3_long_fwd, "%s\r\n", a);
    snprintf(imap_cmd_long, sizeof imap_cmd_long,
             "a7 SEARCH TEXT \"%s\" {13}\r\na8 STARTTLS\r\n\r\n", a);
    const char *msg = "a4 STARTTLS\r\n";
    snprintf(append, sizeof append, "a3 APPEND box {%zu+}\r\n%s\r\n", strlen(msg), msg);
}

static void relay_smtp(void)
{
    static const step ok[] = {
        {TO_C, "220-mx.example ESMTP Postfix\r\n220 ready\r\n", "", ""},
        {TO_B, "EHLO client\r\n", NULL, ""},
        {TO_C, "250-mx.example\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n",
         "250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n", ""},
        {TO_B, "EHLO client\r\n", NULL, ""},
        {TO_C, "250-mx\r\n250-SIZE 1000\r\n250 STARTTLS\r\n", "250-mx\r\n250 SIZE 1000\r\n", ""},
        {TO_B, "STARTTLS\r\n", "", "503 5.5.1 TLS is already active\r\n"},
        {TO_B, "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n", NULL, ""},
        {TO_C, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n", NULL,
         ""},
        {TO_B, "STARTTLS\r\n.STARTTLS\r\n250-STARTTLS\r\n..\r\n.\r\n", NULL, ""},
        {TO_C, "250 2.0.0 Ok: queued\r\n", NULL, ""},
        {TO_B, "BDAT 10 LAST\r\nSTARTTLS\r\nSTARTTLS\r\n", "BDAT 10 LAST\r\nSTARTTLS\r\n",
         "503 5.5.1 TLS is already active\r\n"},
        {TO_C, long_line, NULL, ""},
        {TO_C, "250-ok\r\n251 odd\r\n", NULL, ""},
    };
    static const step bad[] = {{TO_C, "554 5.7.1 go away\r\n", "", ""}};
    static const step bad2[] = {{TO_C, "220-hi\r\n421-busy\r\n", "", ""}};
    /* a client that talks before the backend greets waits for it */
    static const step early[] = {
        {TO_B, "EHLO c\r\nSTARTTLS\r\n", "", ""},
        {TO_B, "NOOP\r\n", "", ""},
        {TO_C, "220-mx\r\n220 ok\r\n", "503 5.5.1 TLS is already active\r\n",
         "EHLO c\r\nNOOP\r\n"},
        {TO_C, "250-mx\r\n250 STARTTLS\r\n250 ok\r\n", "250 mx\r\n250 ok\r\n", ""},
        {TO_B, "QUIT\r\n", NULL, ""},
    };
    static const step early_bad[] = {{TO_B, "EHLO c\r\n", "", ""},
                                     {TO_C, "554 no\r\n", "", ""}};
    scenario e = SCEN("smtp early", WARD_APP_SMTP, early, NULL);
    check_scenario(&e);
    scenario eb = SCEN("smtp early 554", WARD_APP_SMTP, early_bad, "554 no");
    check_scenario(&eb);
    scenario a = SCEN("smtp", WARD_APP_SMTP, ok, NULL);
    check_scenario(&a);
    scenario l = SCEN("lmtp", WARD_APP_LMTP, ok, NULL);
    check_scenario(&l);
    scenario b = SCEN("smtp 554", WARD_APP_SMTP, bad, "554 5.7.1 go away");
    check_scenario(&b);
    scenario b2 = SCEN("smtp 421", WARD_APP_SMTP, bad2, "421-busy");
    check_scenario(&b2);
}

static void relay_imap(void)
{
    static const step ok[] = {
        {TO_C, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] Dovecot ready.\r\n", "", ""},
        {TO_B, "a1 CAPABILITY\r\n", NULL, ""},
        {TO_C,
         "* CAPABILITY IMAP4rev1 LITERAL+ STARTTLS LOGINDISABLED AUTH=PLAIN\r\n"
         "a1 OK [CAPABILITY IMAP4rev1 starttls IDLE] done\r\n",
         "* CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN\r\na1 OK [CAPABILITY IMAP4rev1 IDLE] done\r\n",
         ""},
        {TO_C, "* OK [CAPABILITY LOGINDISABLED] x\r\n* CAPABILITY STARTTLS\r\n",
         "* OK [CAPABILITY] x\r\n* CAPABILITY\r\n", ""},
        {TO_C, "* OK [ALERT] STARTTLS LOGINDISABLED\r\n* 1 CAPABILITYX STARTTLS\r\n", NULL, ""},
        {TO_B, "a2 STARTTLS\r\n", "", "a2 BAD TLS is already active\r\n"},
        {TO_B, append, NULL, ""},
        {TO_B, imap_cmd_long, NULL, ""},
        {TO_C, imap_lit, NULL, ""},
        {TO_C, long_reply, NULL, ""},
        {TO_C, imap_long, NULL, ""},
        {TO_C, "a3 OK [CAPABILITY IMAP4rev1 STARTTLS] x\r\n", "a3 OK [CAPABILITY IMAP4rev1] x\r\n",
         ""},
        {TO_B, "a5 COMPRESS DEFLATE\r\n", NULL, ""},
        {TO_C, "a5 OK\r\n* CAPABILITY STARTTLS\r\n", NULL, ""},
        {TO_B, "a6 STARTTLS\r\n", NULL, ""},
    };
    static const step pre[] = {{TO_C, "* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n", "", ""},
                               {TO_C, "* CAPABILITY STARTTLS IDLE\r\n",
                                "* CAPABILITY IDLE\r\n", ""}};
    static const step bye[] = {{TO_C, "* BYE too many connections\r\n", "", ""}};
    scenario a = SCEN("imap", WARD_APP_IMAP, ok, NULL);
    check_scenario(&a);
    scenario p = SCEN("imap preauth", WARD_APP_IMAP, pre, NULL);
    check_scenario(&p);
    scenario b = SCEN("imap bye", WARD_APP_IMAP, bye, "* BYE too many connections");
    check_scenario(&b);
}

static void relay_pop3(void)
{
    static const step ok[] = {
        {TO_C, "+OK Dovecot ready. <1.2@x>\r\n", "", ""},
        {TO_B, "CAPA\r\n", NULL, ""},
        {TO_C, "+OK\r\nTOP\r\nSTLS\r\nUIDL\r\n.\r\n", "+OK\r\nTOP\r\nUIDL\r\n.\r\n", ""},
        {TO_B, "RETR 1\r\n", NULL, ""},
        {TO_C, "+OK 20 octets\r\nSTLS\r\n..\r\n.x\r\n.\r\n", NULL, ""},
        {TO_B, "STLS\r\n", "", "-ERR TLS is already active\r\n"},
        {TO_B, "LIST\r\nRETR 2\r\nCAPA\r\nNOOP\r\n", NULL, ""},
        {TO_C, "+OK\r\n1 10\r\n.\r\n-ERR no such message\r\n+OK\r\nSTLS\r\n.\r\n+OK\r\n",
         "+OK\r\n1 10\r\n.\r\n-ERR no such message\r\n+OK\r\n.\r\n+OK\r\n", ""},
        {TO_B, "AUTH PLAIN\r\n", NULL, ""},
        {TO_C, "+ \r\n", NULL, ""},
        {TO_B, pop3_long, pop3_long_fwd, "-ERR TLS is already active\r\n"},
        {TO_C, "+OK logged in\r\n", NULL, ""},
        {TO_B, "CAPA\r\n", NULL, ""},
        {TO_C, "+OK\r\nSTLS\r\n.\r\n", "+OK\r\n.\r\n", ""},
    };
    static const step bad[] = {{TO_C, "-ERR go away\r\n", "", ""}};
    scenario a = SCEN("pop3", WARD_APP_POP3, ok, NULL);
    check_scenario(&a);
    scenario b = SCEN("pop3 -ERR", WARD_APP_POP3, bad, "-ERR go away");
    check_scenario(&b);
}

static void relay_nntp(void)
{
    static const step ok[] = {
        {TO_C, "200 news.example InterNetNews NNRP server ready\r\n", "", ""},
        {TO_B, "CAPABILITIES\r\n", NULL, ""},
        {TO_C, "101 Capability list:\r\nVERSION 2\r\nSTARTTLS\r\nREADER\r\n.\r\n",
         "101 Capability list:\r\nVERSION 2\r\nREADER\r\n.\r\n", ""},
        {TO_B, "ARTICLE 1\r\n", NULL, ""},
        {TO_C, "220 1 <a@b> article\r\nSTARTTLS\r\n..\r\n.\r\n", NULL, ""},
        {TO_B, "STARTTLS\r\n", "", "502 TLS is already active\r\n"},
        {TO_B, "POST\r\n", NULL, ""},
        {TO_C, "340 send it\r\n", NULL, ""},
        {TO_B, "Subject: x\r\n\r\nSTARTTLS\r\n.\r\n", NULL, ""},
        {TO_C, "240 posted\r\n", NULL, ""},
        {TO_B, "STARTTLS\r\n", "", "502 TLS is already active\r\n"},
        {TO_B, "GROUP a\r\nLISTGROUP a\r\nCAPABILITIES\r\n", NULL, ""},
        {TO_C, "211 1 1 1 a\r\n211 1 1 1 a\r\n1\r\n.\r\n101 c\r\nSTARTTLS\r\n.\r\n",
         "211 1 1 1 a\r\n211 1 1 1 a\r\n1\r\n.\r\n101 c\r\n.\r\n", ""},
    };
    static const step bad[] = {{TO_C, "400 no groups\r\n", "", ""}};
    static const step bad2[] = {{TO_C, "502 no permission\r\n", "", ""}};
    scenario a = SCEN("nntp", WARD_APP_NNTP, ok, NULL);
    check_scenario(&a);
    scenario b = SCEN("nntp 400", WARD_APP_NNTP, bad, "400 no groups");
    check_scenario(&b);
    scenario b2 = SCEN("nntp 502", WARD_APP_NNTP, bad2, "502 no permission");
    check_scenario(&b2);
}

static void relay_ftp(void)
{
    static const step ok[] = {
        {TO_C, "220-Welcome\r\n free text\r\n220 ready\r\n", "", ""},
        {TO_B, "PBSZ 0\r\n", "", "200 PBSZ=0\r\n"},
        {TO_B, "PROT P\r\n", "",
         "536 Data connections are not tunnelled: only PROT C is available\r\n"},
        {TO_B, "prot c\r\n", "", "200 Protection level set to Clear\r\n"},
        {TO_B, "AUTH TLS\r\n", "", "503 TLS is already active\r\n"},
        {TO_B, "FEAT\r\n", NULL, ""},
        {TO_C, "211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n UTF8\r\n211 End\r\n",
         "211-Features:\r\n PBSZ\r\n PROT\r\n UTF8\r\n211 End\r\n", ""},
        {TO_B, "STAT\r\n", NULL, ""},
        {TO_C, "211-status\r\n AUTH x\r\n211 End\r\n", NULL, ""},
        {TO_B, "USER anonymous\r\n", NULL, ""},
        {TO_C, "331 Please specify the password.\r\n", NULL, ""},
    };
    static const step wait[] = {{TO_C, "120 wait a bit\r\n220 ready\r\n", "", ""},
                                {TO_C, "200 x\r\n", NULL, ""}};
    static const step bad[] = {{TO_C, "421 Too many users\r\n", "", ""}};
    scenario a = SCEN("ftp", WARD_APP_FTP, ok, NULL);
    check_scenario(&a);
    scenario w = SCEN("ftp 120", WARD_APP_FTP, wait, NULL);
    check_scenario(&w);
    scenario b = SCEN("ftp 421", WARD_APP_FTP, bad, "421 Too many users");
    check_scenario(&b);
}

static void relay_sieve(void)
{
    static const step ok[] = {
        {TO_C,
         "\"IMPLEMENTATION\" \"Dovecot\"\r\n\"SASL\" \"PLAIN\"\r\n\"STARTTLS\"\r\n"
         "\"VERSION\" \"1.0\"\r\nOK \"ready\"\r\n",
         "\"IMPLEMENTATION\" \"Dovecot\"\r\n\"SASL\" \"PLAIN\"\r\n\"VERSION\" \"1.0\"\r\n"
         "OK \"ready\"\r\n",
         ""},
        {TO_B, "LISTSCRIPTS\r\n", NULL, ""},
        {TO_C, "\"STARTTLS\"\r\nOK \"done\"\r\n", NULL, ""},
        {TO_B, "CAPABILITY\r\n", NULL, ""},
        {TO_C, "\"STARTTLS\"\r\n\"SIEVE\" \"x\"\r\nOK\r\n", "\"SIEVE\" \"x\"\r\nOK\r\n", ""},
        {TO_B, "GETSCRIPT \"a\"\r\n", NULL, ""},
        {TO_C, "{12}\r\n\"STARTTLS\"\r\n\r\nOK\r\n", NULL, ""},
        {TO_B, "PUTSCRIPT \"b\" {10+}\r\nSTARTTLS\r\n\r\n", NULL, ""},
        {TO_C, "OK\r\n", NULL, ""},
        {TO_B, "STARTTLS\r\n", "", "NO \"TLS is already active\"\r\n"},
    };
    static const step bad[] = {{TO_C, "\"IMPLEMENTATION\" \"x\"\r\nBYE \"busy\"\r\n",
                                "\"IMPLEMENTATION\" \"x\"\r\n", ""}};
    scenario a = SCEN("sieve", WARD_APP_SIEVE, ok, NULL);
    check_scenario(&a);
    scenario b = SCEN("sieve bye", WARD_APP_SIEVE, bad, "BYE \\x22busy\\x22");
    check_scenario(&b);
}

/* Many commands of alternating kinds in flight (the queue grows past its
 * first allocation and is given back), then a CAPA still in step. */
static void relay_pop3_pipeline(void)
{
    tunnel_stt *s = relaying_server(WARD_APP_POP3);
    tunnel_buf fwd = {0}, back = {0};
    char cmds[4096] = "", replies[8192] = "", want[8192] = "";
    for (int i = 0; i < 40; i++) {
        strcat(cmds, "LIST 1\r\nRETR 1\r\n");
        strcat(replies, "+OK 1 10\r\n+OK\r\nSTLS\r\n.\r\n");
    }
    strcat(cmds, "CAPA\r\n");
    strcpy(want, replies);
    strcat(replies, "+OK\r\nSTLS\r\n.\r\n");
    strcat(want, "+OK\r\n.\r\n");
    const char *g = "+OK hi\r\n";
    CHECK(s && tunnel_stt_filter(s, TO_C, (const uint8_t *)g, strlen(g), &fwd, &back) == 0);
    CHECK(s && tunnel_stt_filter(s, TO_B, (const uint8_t *)cmds, strlen(cmds), &fwd, &back) == 0);
    CHECK(buf_is(&fwd, cmds, strlen(cmds)));
    tunnel_buf_consume(&fwd, tunnel_buf_unread(&fwd));
    CHECK(s && tunnel_stt_filter(s, TO_C, (const uint8_t *)replies, strlen(replies), &fwd,
                                 &back) == 0);
    CHECK(buf_is(&fwd, want, strlen(want)));
    tunnel_buf_free(&fwd);
    tunnel_buf_free(&back);
    tunnel_stt_free(s);
}

/* Binary bytes (NUL, 8-bit, CR without LF) in an IMAP literal pass as is. */
static void relay_binary(void)
{
    tunnel_stt *s = relaying_server(WARD_APP_IMAP);
    tunnel_buf fwd = {0}, back = {0};
    const char *g = "* OK hi\r\n";
    uint8_t in[600];
    size_t n = (size_t)snprintf((char *)in, sizeof in, "* 1 FETCH (BODY[] {512}\r\n");
    for (size_t i = 0; i < 512; i++)
        in[n + i] = (uint8_t)(i * 7 + 1);
    memcpy(in + n + 500, "\n* CAPABILITY STARTTLS", 12);
    n += 512;
    memcpy(in + n, ")\r\n", 3);
    n += 3;
    CHECK(s && tunnel_stt_filter(s, TO_C, (const uint8_t *)g, strlen(g), &fwd, &back) == 0);
    CHECK(s && tunnel_stt_filter(s, TO_C, in, n, &fwd, &back) == 0);
    CHECK(tunnel_buf_unread(&fwd) == n && memcmp(fwd.p + fwd.off, in, n) == 0);
    tunnel_buf_free(&fwd);
    tunnel_buf_free(&back);
    tunnel_stt_free(s);
}

/* ---- client mode ---- */

static void client_mode(void)
{
    char err[256], out[4096];
    tunnel_stt *s = tunnel_stt_new_client(WARD_APP_SMTP, "mx.example", err, sizeof err);
    CHECK(s != NULL);
    CHECK(feed(s, "220-mx.example ESMTP\r\n220 hello\r\n"));
    drain(s, out, sizeof out);
    CHECK(strcmp(out, "EHLO localhost\r\n") == 0);
    CHECK(feed(s, "250-mx.example\r\n250 STARTTLS\r\n"));
    drain(s, out, sizeof out);
    CHECK(strcmp(out, "STARTTLS\r\n") == 0);
    CHECK(feed(s, "220 go ahead\r\n"));
    CHECK(tunnel_stt_state(s) == WARD_STARTTLS_UPGRADE);
    CHECK(tunnel_stt_secured(s) == WARD_OK);
    drain(s, out, sizeof out);
    CHECK(strcmp(out, "EHLO localhost\r\n") == 0);
    CHECK(feed(s, "250-mx.example\r\n250 SIZE 10\r\n"));
    CHECK(tunnel_stt_state(s) == WARD_STARTTLS_DONE);
    tunnel_buf to_client = {0}, fwd = {0}, back = {0};
    CHECK(tunnel_stt_start_relay(s, &to_client) == 0);
    const char *g = "220-mx.example ESMTP\r\n220 hello\r\n";
    CHECK(tunnel_buf_unread(&to_client) == strlen(g) &&
          memcmp(to_client.p + to_client.off, g, strlen(g)) == 0);
    CHECK(tunnel_stt_filter(s, TO_C, (const uint8_t *)"250-STARTTLS\r\n", 14, &fwd, &back) == 0);
    CHECK(tunnel_buf_unread(&fwd) == 14 && tunnel_buf_unread(&back) == 0);
    tunnel_buf_free(&to_client);
    tunnel_buf_free(&fwd);
    tunnel_buf_free(&back);
    tunnel_stt_free(s);

    s = tunnel_stt_new_client(WARD_APP_IMAP, "imap.example", err, sizeof err);
    CHECK(s != NULL);
    CHECK(feed(s, "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] hi\r\n"));
    drain(s, out, sizeof out);
    CHECK(strcmp(out, "a2 STARTTLS\r\n") == 0);
    CHECK(feed(s, "a2 OK go\r\n"));
    CHECK(tunnel_stt_secured(s) == WARD_OK);
    drain(s, out, sizeof out);
    CHECK(feed(s, "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na3 OK done\r\n"));
    CHECK(tunnel_stt_state(s) == WARD_STARTTLS_DONE);
    CHECK(tunnel_stt_start_relay(s, &to_client) == 0);
    g = "* OK [CAPABILITY IMAP4rev1] hi\r\n";
    CHECK(tunnel_buf_unread(&to_client) == strlen(g) &&
          memcmp(to_client.p + to_client.off, g, strlen(g)) == 0);
    tunnel_buf_free(&to_client);
    tunnel_stt_free(s);

    s = tunnel_stt_new_client(WARD_APP_SIEVE, "sieve.example", err, sizeof err);
    CHECK(s != NULL);
    CHECK(feed(s, "\"IMPLEMENTATION\" \"x\"\r\n\"STARTTLS\"\r\nOK\r\n"));
    drain(s, out, sizeof out);
    CHECK(feed(s, "OK \"go\"\r\n"));
    CHECK(tunnel_stt_secured(s) == WARD_OK);
    CHECK(feed(s, "\"IMPLEMENTATION\" \"x\"\r\n\"SASL\" \"PLAIN\"\r\nOK\r\n"));
    CHECK(tunnel_stt_state(s) == WARD_STARTTLS_DONE);
    CHECK(tunnel_stt_start_relay(s, &to_client) == 0);
    g = "\"IMPLEMENTATION\" \"x\"\r\n\"SASL\" \"PLAIN\"\r\nOK\r\n";
    CHECK(tunnel_buf_unread(&to_client) == strlen(g) &&
          memcmp(to_client.p + to_client.off, g, strlen(g)) == 0);
    tunnel_buf_free(&to_client);
    tunnel_stt_free(s);

    s = tunnel_stt_new_client(WARD_APP_POSTGRES, "db.example", err, sizeof err);
    CHECK(s != NULL);
    CHECK(drain(s, out, sizeof out) == 8); /* the SSLRequest */
    CHECK(feed(s, "S"));
    CHECK(tunnel_stt_secured(s) == WARD_OK && tunnel_stt_state(s) == WARD_STARTTLS_DONE);
    CHECK(tunnel_stt_start_relay(s, &to_client) == 0 && tunnel_buf_unread(&to_client) == 0);
    tunnel_stt_free(s);

    CHECK(tunnel_stt_new_client(WARD_APP_MYSQL, "db", err, sizeof err) == NULL);
    CHECK(strstr(err, "mysql") != NULL);
    CHECK(tunnel_stt_new_client(WARD_APP_XMPP, "im", err, sizeof err) == NULL);
    CHECK(tunnel_stt_new_client(WARD_APP_HTTP, "w", err, sizeof err) == NULL);
}

int main(void)
{
    make_long();
    buf_basics();
    phase1_server();
    relay_smtp();
    relay_imap();
    relay_pop3();
    relay_pop3_pipeline();
    relay_nntp();
    relay_ftp();
    relay_sieve();
    relay_binary();
    client_mode();
    return test_report();
}
