/* STARTTLS: the scheme table and the dialogues (src/starttls/). */
#include <stdio.h>
#include <string.h>

#include "starttls/dialogue.h"
#include "testutil.h"
#include "ward/starttls.h"

static void scheme_table(void)
{
    const ward_scheme *s = ward_scheme_find("IMAPS");
    CHECK(s && s->port == 993 && s->app == WARD_APP_IMAP && s->implicit_tls == 1);
    CHECK(s && strcmp(s->alpn, "imap") == 0);
    s = ward_scheme_find("submission");
    CHECK(s && s->port == 587 && s->app == WARD_APP_SMTP && s->implicit_tls == 0);
    s = ward_scheme_find("submissions");
    CHECK(s && s->port == 465 && s->implicit_tls == 1);
    s = ward_scheme_find("postgresql");
    CHECK(s && s->port == 5432 && s->app == WARD_APP_POSTGRES);
    s = ward_scheme_find("xmpp-server");
    CHECK(s && s->port == 5269 && s->app == WARD_APP_XMPP_SERVER);
    CHECK(ward_scheme_find("gopher") == NULL);
    CHECK(ward_scheme_find("") == NULL);
    CHECK(ward_scheme_find(NULL) == NULL);
    size_t n = 0;
    const ward_scheme *t = ward_scheme_table(&n);
    CHECK(n == 23);
    for (size_t i = 0; i < n; i++) {
        CHECK(ward_scheme_find(t[i].scheme) == &t[i]);
        CHECK(t[i].port != 0 && t[i].app != WARD_APP_NONE);
    }
    const struct {
        const char *name;
        uint16_t port;
        int implicit;
    } want[] = {{"https", 443, 1}, {"imaps", 993, 1}, {"pop3s", 995, 1}, {"nntps", 563, 1},
                {"ftps", 990, 1},  {"smtps", 465, 1}, {"ldaps", 636, 1}, {"xmpps", 5223, 1},
                {"smtp", 25, 0},   {"lmtp", 24, 0},   {"imap", 143, 0},  {"pop3", 110, 0},
                {"nntp", 119, 0},  {"ftp", 21, 0},    {"sieve", 4190, 0}, {"xmpp", 5222, 0},
                {"ldap", 389, 0},  {"postgres", 5432, 0}, {"mysql", 3306, 0}};
    for (size_t i = 0; i < WARD_ARRAY_LEN(want); i++) {
        s = ward_scheme_find(want[i].name);
        CHECK(s && s->port == want[i].port && s->implicit_tls == want[i].implicit);
    }
}

static void app_names(void)
{
    for (int a = WARD_APP_NONE + 1; a < WARD_APP__COUNT; a++) {
        const char *name = ward_app_name((ward_app)a);
        CHECK(name != NULL);
        CHECK(name && ward_app_from_name(name) == (ward_app)a);
    }
    CHECK(ward_app_from_name("Submission") == WARD_APP_SMTP);
    CHECK(ward_app_from_name("XMPP-Server") == WARD_APP_XMPP_SERVER);
    CHECK(ward_app_from_name("gopher") == WARD_APP_NONE);
    CHECK(ward_app_from_name(NULL) == WARD_APP_NONE);
    CHECK(ward_app_name(WARD_APP__COUNT) == NULL);
    CHECK(strcmp(ward_app_name(WARD_APP_SIEVE), "sieve") == 0);
}

/* ---- helpers ---- */
static ward_starttls *mk(ward_app app, int server)
{
    ward_starttls_params p = {.app = app, .server = server};
    ward_starttls *d = NULL;
    ward_err e = ward_starttls_new(&p, &d);
    CHECK_CODE(e, WARD_OK);
    return d;
}

/* Take everything d wants sent into buf (a string); returns its length. */
static size_t take(ward_starttls *d, char *buf, size_t cap)
{
    const uint8_t *p;
    size_t n = ward_starttls_output(d, &p), len = strlen(buf);
    if (len + n >= cap)
        n = cap - len - 1;
    memcpy(buf + len, p, n);
    buf[len + n] = 0;
    ward_starttls_output_done(d, n);
    return len + n;
}

static ward_err feed(ward_starttls *d, const char *s, size_t n)
{
    return ward_starttls_recv(d, (const uint8_t *)s, n);
}

static ward_err feeds(ward_starttls *d, const char *s)
{
    return feed(d, s, strlen(s));
}

#define CHECK_STR(got, want)                                                   \
    do {                                                                       \
        const char *g_ = (got), *w_ = (want);                                  \
        if (strcmp(g_, w_) == 0) {                                             \
            test_passed++;                                                     \
        } else {                                                               \
            test_failed++;                                                     \
            fprintf(stderr, "%s:%d: got\n  \"%s\"\nwant\n  \"%s\"\n", __FILE__, __LINE__, g_, w_); \
        }                                                                      \
    } while (0)

/* Move bytes between a client and a server until neither has any. */
static void pump(ward_starttls *c, ward_starttls *s)
{
    for (int moved = 1; moved;) {
        moved = 0;
        ward_starttls *from[2] = {c, s}, *to[2] = {s, c};
        for (int i = 0; i < 2; i++) {
            const uint8_t *p;
            size_t n = ward_starttls_output(from[i], &p);
            ward_starttls_state st = ward_starttls_get_state(to[i]);
            if (n == 0 || st == WARD_STARTTLS_FAILED || st == WARD_STARTTLS_DONE)
                continue;
            (void)ward_starttls_recv(to[i], p, n);
            ward_starttls_output_done(from[i], n);
            moved = 1;
        }
    }
}

/* A client against what a real server sent. pre: the server's bytes
 * before TLS (its go-ahead last), sent_pre: the client's; post / sent_post
 * the same over TLS. */
typedef struct {
    const char *name;
    ward_app app;
    const char *pre, *sent_pre, *post, *sent_post;
} client_script;

static void run_client_script(const client_script *t, size_t split)
{
    char out[8192] = "";
    ward_starttls *c = mk(t->app, 0);
    if (!c)
        return;
    size_t n = strlen(t->pre);
    CHECK_CODE(feed(c, t->pre, split), WARD_OK);
    take(c, out, sizeof out);
    CHECK_CODE(feed(c, t->pre + split, n - split), WARD_OK);
    take(c, out, sizeof out);
    if (ward_starttls_get_state(c) != WARD_STARTTLS_UPGRADE)
        fprintf(stderr, "%s split at %zu: %s\n", t->name, split, ward_starttls_error_message(c));
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_UPGRADE);
    CHECK_STR(out, t->sent_pre);
    CHECK_CODE(ward_starttls_secured(c), WARD_OK);
    out[0] = 0;
    take(c, out, sizeof out);
    CHECK_CODE(feeds(c, t->post), WARD_OK);
    take(c, out, sizeof out);
    CHECK_STR(out, t->sent_post);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_DONE);
    CHECK_CODE(ward_starttls_error(c), WARD_OK);
    ward_starttls_free(c);
}

/* Every split of the server's bytes in two, then a byte at a time. */
static void client_script_all(const client_script *t)
{
    size_t n = strlen(t->pre);
    for (size_t split = 0; split <= n; split++)
        run_client_script(t, split);
    char out[8192] = "";
    ward_starttls *c = mk(t->app, 0);
    for (size_t i = 0; c && i < n; i++) {
        CHECK_CODE(feed(c, t->pre + i, 1), WARD_OK);
        take(c, out, sizeof out);
    }
    CHECK(c && ward_starttls_get_state(c) == WARD_STARTTLS_UPGRADE);
    CHECK_STR(out, t->sent_pre);
    ward_starttls_free(c);
}

/* The go-ahead with plaintext behind it in the same read, and in a read
 * of its own after UPGRADE. */
static void client_injection(const client_script *t, const char *msg)
{
    char buf[8192];
    snprintf(buf, sizeof buf, "%sEHLO evil\r\n", t->pre);
    ward_starttls *c = mk(t->app, 0);
    CHECK_CODE(feeds(c, buf), WARD_ERR_STARTTLS_INJECTION);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_FAILED);
    CHECK_STR(ward_starttls_error_message(c), msg);
    CHECK_CODE(ward_starttls_secured(c), WARD_ERR_STATE);
    ward_starttls_free(c);
    c = mk(t->app, 0);
    CHECK_CODE(feeds(c, t->pre), WARD_OK);
    CHECK_CODE(feeds(c, "EHLO evil\r\n"), WARD_ERR_STARTTLS_INJECTION);
    CHECK_STR(ward_starttls_error_message(c), msg);
    ward_starttls_free(c);
}

/* A client that fails on these server bytes, with this code and message. */
static void client_fails(ward_app app, const char *server, ward_err code, const char *msg)
{
    ward_starttls *c = mk(app, 0);
    if (!c)
        return;
    CHECK_CODE(feeds(c, server), code);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_FAILED);
    CHECK_CODE(ward_starttls_error(c), code);
    CHECK_STR(ward_starttls_error_message(c), msg);
    ward_starttls_free(c);
}

/* A server half given the client's bytes: what it answers, its state. */
static void server_script(ward_app app, const char *client, const char *want_out,
                          ward_starttls_state want, ward_err code)
{
    char out[8192] = "";
    ward_starttls *s = mk(app, 1);
    if (!s)
        return;
    CHECK_CODE(feeds(s, client), code);
    take(s, out, sizeof out);
    CHECK_STR(out, want_out);
    CHECK(ward_starttls_get_state(s) == want);
    if (want == WARD_STARTTLS_UPGRADE) {
        CHECK_CODE(ward_starttls_secured(s), WARD_OK);
        CHECK(ward_starttls_get_state(s) != WARD_STARTTLS_FAILED);
    }
    ward_starttls_free(s);
}

/* Our client against our server, in memory, to UPGRADE and on. */
static void pair(const client_script *t)
{
    char out[8192] = "";
    ward_starttls *c = mk(t->app, 0), *s = mk(t->app, 1);
    if (!c || !s)
        return;
    pump(c, s);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_UPGRADE);
    CHECK(ward_starttls_get_state(s) == WARD_STARTTLS_UPGRADE);
    CHECK_CODE(ward_starttls_secured(c), WARD_OK);
    CHECK_CODE(ward_starttls_secured(s), WARD_OK);
    pump(c, s); /* a server that speaks after TLS (ManageSieve) */
    CHECK(ward_starttls_get_state(s) == WARD_STARTTLS_DONE);
    take(c, out, sizeof out);
    if (ward_starttls_get_state(c) == WARD_STARTTLS_WAITING)
        CHECK_CODE(feeds(c, t->post), WARD_OK);
    take(c, out, sizeof out);
    CHECK_STR(out, t->sent_post);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_DONE);
    ward_starttls_free(c);
    ward_starttls_free(s);
}

static void client_all(const client_script *t, const char *inject_msg)
{
    client_script_all(t);
    client_injection(t, inject_msg);
    pair(t);
}

/* ---- SMTP, LMTP ---- */
/* Postfix 3.x on submission, its EHLO reply as sent. */
static const client_script smtp_postfix = {
    "smtp/postfix", WARD_APP_SMTP,
    "220 mail.example.org ESMTP Postfix (Debian/GNU)\r\n"
    "250-mail.example.org\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
    "250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
    "250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n"
    "220 2.0.0 Ready to start TLS\r\n",
    "EHLO localhost\r\nSTARTTLS\r\n",
    "250-mail.example.org\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 CHUNKING\r\n",
    "EHLO localhost\r\n"};

static const client_script lmtp_dovecot = {
    "lmtp/dovecot", WARD_APP_LMTP,
    "220 mx.example.org Dovecot ready.\r\n"
    "250-mx.example.org\r\n250-8BITMIME\r\n250-CHUNKING\r\n250-ENHANCEDSTATUSCODES\r\n"
    "250-PIPELINING\r\n250 STARTTLS\r\n"
    "220 2.0.0 Begin TLS.\r\n",
    "LHLO localhost\r\nSTARTTLS\r\n",
    "250-mx.example.org\r\n250 PIPELINING\r\n", "LHLO localhost\r\n"};

static void smtp(void)
{
    client_all(&smtp_postfix, "11 bytes came after the server's 220 go-ahead, before the TLS "
                              "handshake (command injection?): \"EHLO evil\\x0d\\x0a\"");
    client_all(&lmtp_dovecot, "11 bytes came after the server's 220 go-ahead, before the TLS "
                              "handshake (command injection?): \"EHLO evil\\x0d\\x0a\"");
    client_fails(WARD_APP_SMTP, "220 mx ESMTP\r\n250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
                 WARD_ERR_STARTTLS_REFUSED,
                 "the server does not offer STARTTLS (its EHLO reply: \"250-mx / 250-PIPELINING "
                 "/ 250 8BITMIME\")");
    client_fails(WARD_APP_SMTP, "220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n454 4.7.0 TLS not "
                 "available due to local problem\r\n",
                 WARD_ERR_STARTTLS_REFUSED,
                 "the server refused STARTTLS: \"454 4.7.0 TLS not available due to local "
                 "problem\"");
    client_fails(WARD_APP_SMTP, "554 5.7.1 no service for you\r\n", WARD_ERR_STARTTLS_REFUSED,
                 "the server refused the connection: \"554 5.7.1 no service for you\"");
    client_fails(WARD_APP_SMTP, "220 mx\r\n550 5.7.1 go away\r\n", WARD_ERR_STARTTLS_REFUSED,
                 "the server refused EHLO: \"550 5.7.1 go away\"");
    client_fails(WARD_APP_SMTP, "HTTP/1.1 400 Bad Request\r\n", WARD_ERR_STARTTLS_PROTOCOL,
                 "the server's reply does not start with a 3-digit code: \"HTTP/1.1 400 Bad "
                 "Request\"");
    client_fails(WARD_APP_SMTP, "220-mx\r\n250 ok\r\n", WARD_ERR_STARTTLS_PROTOCOL,
                 "a line of the server's 220 reply does not continue it: \"250 ok\"");
    client_fails(WARD_APP_SMTP, "220 mx\r\n250-mx\r\n250 STARTTLS\r\n250 ok\r\n",
                 WARD_ERR_STARTTLS_PROTOCOL, "unexpected reply to STARTTLS: \"250 ok\"");
    /* A STARTTLS that is not an extension keyword does not count. */
    client_fails(WARD_APP_SMTP, "220 mx\r\n250-mx\r\n250 X-NOT-STARTTLS\r\n",
                 WARD_ERR_STARTTLS_REFUSED,
                 "the server does not offer STARTTLS (its EHLO reply: \"250-mx / 250 "
                 "X-NOT-STARTTLS\")");

    /* The server half. */
    server_script(WARD_APP_SMTP, "EHLO c.example\r\nSTARTTLS\r\n",
                  "220 localhost ESMTP ward\r\n250-localhost\r\n250 STARTTLS\r\n"
                  "220 2.0.0 Ready to start TLS\r\n",
                  WARD_STARTTLS_UPGRADE, WARD_OK);
    server_script(WARD_APP_SMTP, "HELO c\r\nNOOP\r\nMAIL FROM:<a@b>\r\nSTARTTLS now\r\n",
                  "220 localhost ESMTP ward\r\n250 localhost\r\n250 2.0.0 OK\r\n"
                  "530 5.7.0 Must issue a STARTTLS command first\r\n"
                  "501 5.5.4 Syntax error (no parameters allowed)\r\n",
                  WARD_STARTTLS_WAITING, WARD_OK);
    server_script(WARD_APP_SMTP, "EHLO c\r\nSTARTTLS\r\nMAIL FROM:<evil@x>\r\n",
                  "220 localhost ESMTP ward\r\n250-localhost\r\n250 STARTTLS\r\n",
                  WARD_STARTTLS_FAILED, WARD_ERR_STARTTLS_INJECTION);
    server_script(WARD_APP_SMTP, "QUIT\r\n", "220 localhost ESMTP ward\r\n221 2.0.0 Bye\r\n",
                  WARD_STARTTLS_FAILED, WARD_ERR_STARTTLS_REFUSED);
    server_script(WARD_APP_LMTP, "EHLO c\r\nLHLO c\r\nSTARTTLS\r\n",
                  "220 localhost LMTP ward\r\n530 5.7.0 Must issue a STARTTLS command first\r\n"
                  "250-localhost\r\n250 STARTTLS\r\n220 2.0.0 Ready to start TLS\r\n",
                  WARD_STARTTLS_UPGRADE, WARD_OK);
    ward_starttls *s = mk(WARD_APP_SMTP, 1);
    CHECK_CODE(feeds(s, "STARTTLS\r\nQUIT\r\n"), WARD_ERR_STARTTLS_INJECTION);
    CHECK_STR(ward_starttls_error_message(s),
              "6 bytes came after the client's STARTTLS command, before the TLS handshake "
              "(command injection?): \"QUIT\\x0d\\x0a\"");
    ward_starttls_free(s);
}

#define INJ(what) "11 bytes came after " what ", before the TLS handshake (command injection?): " \
                  "\"EHLO evil\\x0d\\x0a\""

/* ---- IMAP ---- */
static const client_script imap_dovecot = {
    "imap/dovecot", WARD_APP_IMAP,
    "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS "
    "LOGINDISABLED] Dovecot (Debian) ready.\r\n"
    "a2 OK Begin TLS negotiation now.\r\n",
    "a2 STARTTLS\r\n",
    "* CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN\r\n"
    "a3 OK Pre-login capabilities listed, post-login capabilities have more.\r\n",
    "a3 CAPABILITY\r\n"};

/* A greeting without capabilities: ask for them. */
static const client_script imap_cyrus = {
    "imap/cyrus", WARD_APP_IMAP,
    "* OK imap.example.org Cyrus IMAP 3.6.1 server ready\r\n"
    "* CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE STARTTLS\r\n"
    "a1 OK Completed\r\n"
    "a2 OK Begin TLS negotiation now\r\n",
    "a1 CAPABILITY\r\na2 STARTTLS\r\n",
    "* CAPABILITY IMAP4rev1 LITERAL+ ID ENABLE AUTH=PLAIN\r\na3 OK Completed\r\n",
    "a3 CAPABILITY\r\n"};

static void imap(void)
{
    client_all(&imap_dovecot, INJ("the server's tagged OK to STARTTLS"));
    client_all(&imap_cyrus, INJ("the server's tagged OK to STARTTLS"));
    client_fails(WARD_APP_IMAP, "* OK [CAPABILITY IMAP4rev1 LOGINDISABLED] hi\r\n",
                 WARD_ERR_STARTTLS_REFUSED,
                 "the server does not offer STARTTLS (its greeting reply: \"* OK [CAPABILITY "
                 "IMAP4rev1 LOGINDISABLED] hi\")");
    client_fails(WARD_APP_IMAP, "* OK hi\r\n* CAPABILITY IMAP4rev1 XSTARTTLS\r\na1 OK done\r\n",
                 WARD_ERR_STARTTLS_REFUSED,
                 "the server does not offer STARTTLS (its CAPABILITY reply: \"* CAPABILITY "
                 "IMAP4rev1 XSTARTTLS / a1 OK done\")");
    client_fails(WARD_APP_IMAP, "* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] welcome\r\n",
                 WARD_ERR_STARTTLS_REFUSED,
                 "the server greeted with PREAUTH (already authenticated, where STARTTLS is not "
                 "allowed): \"* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] welcome\"");
    client_fails(WARD_APP_IMAP, "* BYE too many connections\r\n", WARD_ERR_STARTTLS_REFUSED,
                 "the server refused the connection: \"* BYE too many connections\"");
    client_fails(WARD_APP_IMAP, "* OK [CAPABILITY STARTTLS] x\r\na2 NO TLS unavailable\r\n",
                 WARD_ERR_STARTTLS_REFUSED,
                 "the server refused STARTTLS: \"a2 NO TLS unavailable\"");
    client_fails(WARD_APP_IMAP, "* OK [CAPABILITY STARTTLS] x\r\na2 BAD what\r\n",
                 WARD_ERR_STARTTLS_REFUSED, "the server refused STARTTLS: \"a2 BAD what\"");
    client_fails(WARD_APP_IMAP, "+OK POP3 ready\r\n", WARD_ERR_STARTTLS_PROTOCOL,
                 "the server's greeting is not an untagged OK: \"+OK POP3 ready\"");
    client_fails(WARD_APP_IMAP, "* OK [CAPABILITY STARTTLS] x\r\n+ go on\r\n",
                 WARD_ERR_STARTTLS_PROTOCOL, "unexpected reply to STARTTLS: \"+ go on\"");

    server_script(WARD_APP_IMAP, "a CAPABILITY\r\nb NOOP\r\nc LOGIN u p\r\nd STARTTLS\r\n",
                  "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ward IMAP ready\r\n"
                  "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\na OK CAPABILITY completed\r\n"
                  "b OK NOOP completed\r\nc NO [PRIVACYREQUIRED] Run STARTTLS first\r\n"
                  "d OK Begin TLS negotiation now\r\n",
                  WARD_STARTTLS_UPGRADE, WARD_OK);
    server_script(WARD_APP_IMAP, "x\r\n\"q\" NOOP\r\ne STARTTLS x\r\nf LOGOUT\r\n",
                  "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ward IMAP ready\r\n"
                  "* BAD Invalid tag or missing command\r\n"
                  "* BAD Invalid tag or missing command\r\n"
                  "e BAD STARTTLS takes no arguments\r\n* BYE Logging out\r\n"
                  "f OK LOGOUT completed\r\n",
                  WARD_STARTTLS_FAILED, WARD_ERR_STARTTLS_REFUSED);
    server_script(WARD_APP_IMAP, "a STARTTLS\r\nb LOGIN evil pw\r\n",
                  "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ward IMAP ready\r\n",
                  WARD_STARTTLS_FAILED, WARD_ERR_STARTTLS_INJECTION);
}

/* ---- POP3 ---- */
static const client_script pop3_dovecot = {
    "pop3/dovecot", WARD_APP_POP3,
    "+OK Dovecot (Debian) ready.\r\n"
    "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nSTLS\r\n"
    "USER\r\nSASL\r\n.\r\n"
    "+OK Begin TLS negotiation now.\r\n",
    "CAPA\r\nSTLS\r\n", "", ""};

static void pop3(void)
{
    client_all(&pop3_dovecot, INJ("the server's +OK to STLS"));
    client_fails(WARD_APP_POP3, "+OK hi\r\n+OK\r\nUSER\r\nTOP\r\n.\r\n", WARD_ERR_STARTTLS_REFUSED,
                 "the server does not offer STLS (its CAPA reply: \"+OK / USER / TOP / .\")");
    client_fails(WARD_APP_POP3, "+OK hi\r\n-ERR unknown command\r\n", WARD_ERR_STARTTLS_REFUSED,
                 "the server does not offer STLS (its CAPA reply: \"-ERR unknown command\")");
    client_fails(WARD_APP_POP3, "+OK hi\r\n+OK\r\nSTLS\r\n.\r\n-ERR TLS not available\r\n",
                 WARD_ERR_STARTTLS_REFUSED, "the server refused STLS: \"-ERR TLS not available\"");
    client_fails(WARD_APP_POP3, "-ERR [SYS/TEMP] busy\r\n", WARD_ERR_STARTTLS_REFUSED,
                 "the server refused the connection: \"-ERR [SYS/TEMP] busy\"");
    client_fails(WARD_APP_POP3, "220 smtp here\r\n", WARD_ERR_STARTTLS_PROTOCOL,
                 "unexpected reply to the connection: \"220 smtp here\"");

    server_script(WARD_APP_POP3, "CAPA\r\nNOOP\r\nUSER bob\r\nSTLS\r\n",
                  "+OK ward POP3 ready\r\n+OK Capability list follows\r\nSTLS\r\n.\r\n+OK\r\n"
                  "-ERR Command not permitted before STLS\r\n+OK Begin TLS negotiation\r\n",
                  WARD_STARTTLS_UPGRADE, WARD_OK);
    server_script(WARD_APP_POP3, "STLS\r\nUSER evil\r\n", "+OK ward POP3 ready\r\n",
                  WARD_STARTTLS_FAILED, WARD_ERR_STARTTLS_INJECTION);
    server_script(WARD_APP_POP3, "QUIT\r\n", "+OK ward POP3 ready\r\n+OK Bye\r\n",
                  WARD_STARTTLS_FAILED, WARD_ERR_STARTTLS_REFUSED);
}

/* ---- ManageSieve ---- */
#define DOVECOT_SIEVE_CAPS                                                        \
    "\"IMPLEMENTATION\" \"Dovecot Pigeonhole\"\r\n"                               \
    "\"SIEVE\" \"fileinto reject envelope encoded-character vacation subaddress " \
    "comparator-i;ascii-numeric relational regex imap4flags copy include variables " \
    "body enotify environment mailbox date index ihave duplicate mime foreverypart "  \
    "extracttext\"\r\n"                                                           \
    "\"NOTIFY\" \"mailto\"\r\n"

static const client_script sieve_dovecot = {
    "sieve/dovecot", WARD_APP_SIEVE,
    DOVECOT_SIEVE_CAPS "\"SASL\" \"\"\r\n\"STARTTLS\"\r\n\"VERSION\" \"1.0\"\r\n"
                       "OK \"Dovecot (Debian) ready.\"\r\n"
                       "OK \"Begin TLS negotiation now.\"\r\n",
    "STARTTLS\r\n",
    DOVECOT_SIEVE_CAPS "\"SASL\" \"PLAIN LOGIN\"\r\n\"VERSION\" \"1.0\"\r\n"
                       "OK \"TLS negotiation successful.\"\r\n",
    ""};

static void sieve(void)
{
    client_all(&sieve_dovecot, INJ("the server's OK to STARTTLS"));
    client_fails(WARD_APP_SIEVE, "\"SASL\" \"PLAIN\"\r\n\"VERSION\" \"1.0\"\r\nOK \"hi\"\r\n",
                 WARD_ERR_STARTTLS_REFUSED,
                 "the server does not offer STARTTLS (its capability reply: \"\\x22SASL\\x22 "
                 "\\x22PLAIN\\x22 / \\x22VERSION\\x22 \\x221.0\\x22 / OK \\x22hi\\x22\")");
    client_fails(WARD_APP_SIEVE, "\"STARTTLS\"\r\nOK\r\nNO \"no TLS today\"\r\n",
                 WARD_ERR_STARTTLS_REFUSED,
                 "the server refused STARTTLS: \"NO \\x22no TLS today\\x22\"");
    client_fails(WARD_APP_SIEVE, "BYE \"shutting down\"\r\n", WARD_ERR_STARTTLS_REFUSED,
                 "the server refused the connection: \"BYE \\x22shutting down\\x22\"");

    server_script(WARD_APP_SIEVE, "CAPABILITY\r\nPUTSCRIPT \"a\" {4+}\r\nSTARTTLS\r\n",
                  "\"IMPLEMENTATION\" \"ward\"\r\n\"SIEVE\" \"fileinto\"\r\n\"STARTTLS\"\r\n"
                  "\"VERSION\" \"1.0\"\r\nOK \"ward ManageSieve ready\"\r\n"
                  "\"IMPLEMENTATION\" \"ward\"\r\n\"SIEVE\" \"fileinto\"\r\n\"STARTTLS\"\r\n"
                  "\"VERSION\" \"1.0\"\r\nOK \"Capability completed.\"\r\n"
                  "NO \"Run STARTTLS first.\"\r\nOK \"Begin TLS negotiation now.\"\r\n",
                  WARD_STARTTLS_UPGRADE, WARD_OK);
    server_script(WARD_APP_SIEVE, "STARTTLS\r\nAUTHENTICATE \"PLAIN\"\r\n",
                  "\"IMPLEMENTATION\" \"ward\"\r\n\"SIEVE\" \"fileinto\"\r\n\"STARTTLS\"\r\n"
                  "\"VERSION\" \"1.0\"\r\nOK \"ward ManageSieve ready\"\r\n",
                  WARD_STARTTLS_FAILED, WARD_ERR_STARTTLS_INJECTION);
}

/* ---- FTP ---- */
static const client_script ftp_vsftpd = {
    "ftp/vsftpd", WARD_APP_FTP, "220 (vsFTPd 3.0.3)\r\n234 Proceed with negotiation.\r\n",
    "AUTH TLS\r\n", "200 PBSZ set to 0.\r\n200 PROT now Private.\r\n", "PBSZ 0\r\nPROT P\r\n"};

/* Pure-FTPd's multi-line greeting, free text between (RFC 959 §4.2). */
static const client_script ftp_pure = {
    "ftp/pure-ftpd", WARD_APP_FTP,
    "220---------- Welcome to Pure-FTPd [privsep] [TLS] ----------\r\n"
    "220-You are user number 1 of 50 allowed.\r\n"
    "  (and a line of free text)\r\n"
    "220-Local time is now 10:00. Server port: 21.\r\n"
    "220 You will be disconnected after 15 minutes of inactivity.\r\n"
    "234 AUTH TLS OK.\r\n",
    "AUTH TLS\r\n", "200 PBSZ=0\r\n200 Data protection level set to private\r\n",
    "PBSZ 0\r\nPROT P\r\n"};

static void ftp(void)
{
    client_all(&ftp_vsftpd, INJ("the server's 234 go-ahead"));
    client_all(&ftp_pure, INJ("the server's 234 go-ahead"));
    client_fails(WARD_APP_FTP, "220 hi\r\n530 Please login with USER and PASS.\r\n",
                 WARD_ERR_STARTTLS_REFUSED,
                 "the server refused AUTH TLS: \"530 Please login with USER and PASS.\"");
    client_fails(WARD_APP_FTP, "421 Service not available\r\n", WARD_ERR_STARTTLS_REFUSED,
                 "the server refused the connection: \"421 Service not available\"");
    client_fails(WARD_APP_FTP, "220 hi\r\n334 ADAT=\r\n", WARD_ERR_STARTTLS_PROTOCOL,
                 "unexpected reply to AUTH TLS: \"334 ADAT=\"");
    ward_starttls *c = mk(WARD_APP_FTP, 0);
    CHECK_CODE(feeds(c, "120 wait a minute\r\n220 ready\r\n234 go\r\n"), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_UPGRADE);
    CHECK_CODE(ward_starttls_secured(c), WARD_OK);
    CHECK_CODE(feeds(c, "200 ok\r\n536 PROT P not supported\r\n"), WARD_ERR_STARTTLS_REFUSED);
    CHECK_STR(ward_starttls_error_message(c),
              "the server refused PROT P: \"536 PROT P not supported\"");
    ward_starttls_free(c);

    server_script(WARD_APP_FTP, "FEAT\r\nUSER anonymous\r\nAUTH SSL\r\nNOOP\r\nAUTH TLS\r\n",
                  "220 ward FTP ready\r\n211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n"
                  "211 End\r\n530 Please use AUTH TLS first\r\n"
                  "504 Security mechanism not understood\r\n200 NOOP ok\r\n"
                  "234 AUTH TLS successful\r\n",
                  WARD_STARTTLS_UPGRADE, WARD_OK);
    server_script(WARD_APP_FTP, "AUTH TLS\r\nUSER evil\r\n", "220 ward FTP ready\r\n",
                  WARD_STARTTLS_FAILED, WARD_ERR_STARTTLS_INJECTION);
}

/* ---- NNTP ---- */
static const client_script nntp_inn = {
    "nntp/inn", WARD_APP_NNTP,
    "200 news.example.org InterNetNews NNRP server INN 2.6.4 ready (posting ok)\r\n"
    "101 Capability list:\r\nVERSION 2\r\nIMPLEMENTATION INN 2.6.4\r\nAUTHINFO\r\n"
    "COMPRESS DEFLATE\r\nHDR\r\nLIST ACTIVE ACTIVE.TIMES COUNTS DISTRIB.PATS DISTRIBUTIONS "
    "HEADERS MODERATORS MOTD NEWSGROUPS OVERVIEW.FMT SUBSCRIPTIONS\r\nNEWNEWS\r\nOVER\r\n"
    "POST\r\nREADER\r\nSTARTTLS\r\nXPAT\r\n.\r\n"
    "382 Begin TLS negotiation now\r\n",
    "CAPABILITIES\r\nSTARTTLS\r\n", "", ""};

static void nntp(void)
{
    client_all(&nntp_inn, INJ("the server's 382 go-ahead"));
    client_fails(WARD_APP_NNTP, "201 no posting\r\n101 caps\r\nVERSION 2\r\nREADER\r\n.\r\n",
                 WARD_ERR_STARTTLS_REFUSED,
                 "the server does not offer STARTTLS (its CAPABILITIES reply: \"101 caps / "
                 "VERSION 2 / READER / .\")");
    client_fails(WARD_APP_NNTP, "200 hi\r\n101 caps\r\nSTARTTLS\r\n.\r\n580 Can not initiate "
                 "TLS negotiation\r\n",
                 WARD_ERR_STARTTLS_REFUSED,
                 "the server refused STARTTLS: \"580 Can not initiate TLS negotiation\"");
    client_fails(WARD_APP_NNTP, "200 hi\r\n500 What?\r\n", WARD_ERR_STARTTLS_REFUSED,
                 "the server does not offer STARTTLS (its CAPABILITIES reply: \"500 What?\")");
    client_fails(WARD_APP_NNTP, "502 Access denied\r\n", WARD_ERR_STARTTLS_REFUSED,
                 "the server refused the connection: \"502 Access denied\"");
    client_fails(WARD_APP_NNTP, "200-hi\r\n", WARD_ERR_STARTTLS_PROTOCOL,
                 "NNTP status lines are single lines: \"200-hi\"");

    server_script(WARD_APP_NNTP, "CAPABILITIES\r\nGROUP misc.test\r\nSTARTTLS\r\n",
                  "200 localhost ward NNTP service ready\r\n101 Capability list:\r\nVERSION 2\r\n"
                  "STARTTLS\r\n.\r\n483 Encryption required: use STARTTLS first\r\n"
                  "382 Continue with TLS negotiation\r\n",
                  WARD_STARTTLS_UPGRADE, WARD_OK);
    server_script(WARD_APP_NNTP, "STARTTLS\r\nAUTHINFO USER evil\r\n",
                  "200 localhost ward NNTP service ready\r\n", WARD_STARTTLS_FAILED,
                  WARD_ERR_STARTTLS_INJECTION);
    server_script(WARD_APP_NNTP, "QUIT\r\n", "200 localhost ward NNTP service ready\r\n205 Bye\r\n",
                  WARD_STARTTLS_FAILED, WARD_ERR_STARTTLS_REFUSED);
}

/* A server half given its upgrade command with a command pipelined behind
 * it: injection, and no go-ahead queued. */
static void server_injection(ward_app app, const char *cmd, const char *msg)
{
    char in[256], out[1024] = "";
    ward_starttls *s = mk(app, 1);
    if (!s)
        return;
    take(s, out, sizeof out); /* the greeting */
    out[0] = 0;
    snprintf(in, sizeof in, "%s\r\nEHLO evil\r\n", cmd);
    CHECK_CODE(feeds(s, in), WARD_ERR_STARTTLS_INJECTION);
    CHECK(ward_starttls_get_state(s) == WARD_STARTTLS_FAILED);
    CHECK_STR(ward_starttls_error_message(s), msg);
    take(s, out, sizeof out);
    CHECK_STR(out, "");
    CHECK_CODE(ward_starttls_secured(s), WARD_ERR_STATE);
    ward_starttls_free(s);
}

static void server_injections(void)
{
    server_injection(WARD_APP_SMTP, "STARTTLS", INJ("the client's STARTTLS command"));
    server_injection(WARD_APP_LMTP, "STARTTLS", INJ("the client's STARTTLS command"));
    server_injection(WARD_APP_IMAP, "a1 STARTTLS", INJ("the client's STARTTLS command"));
    server_injection(WARD_APP_POP3, "STLS", INJ("the client's STLS command"));
    server_injection(WARD_APP_SIEVE, "STARTTLS", INJ("the client's STARTTLS command"));
    server_injection(WARD_APP_FTP, "AUTH TLS", INJ("the client's AUTH TLS command"));
    server_injection(WARD_APP_NNTP, "STARTTLS", INJ("the client's STARTTLS command"));
}

/* RFC 5804 §2.2: the ManageSieve server speaks first over TLS, its
 * capabilities without STARTTLS. */
static void sieve_server_secured(void)
{
    char out[1024] = "";
    ward_starttls *s = mk(WARD_APP_SIEVE, 1);
    CHECK_CODE(feeds(s, "STARTTLS\r\n"), WARD_OK);
    take(s, out, sizeof out);
    out[0] = 0;
    CHECK_CODE(ward_starttls_secured(s), WARD_OK);
    CHECK(ward_starttls_get_state(s) == WARD_STARTTLS_DONE);
    take(s, out, sizeof out);
    CHECK_STR(out, "\"IMPLEMENTATION\" \"ward\"\r\n\"SIEVE\" \"fileinto\"\r\n\"VERSION\" \"1.0\"\r\n"
                   "OK \"TLS negotiation successful.\"\r\n");
    ward_starttls_free(s);
}

/* ---- the framework's bounds ---- */
static void long_lines(void)
{
    static char buf[3 * STT_LINE_MAX];
    /* A line of exactly STT_LINE_MAX - 2 bytes and its CR LF is fine. */
    memset(buf, 'x', sizeof buf);
    memcpy(buf, "220 ", 4);
    memcpy(buf + STT_LINE_MAX - 2, "\r\n", 2);
    ward_starttls *c = mk(WARD_APP_SMTP, 0);
    CHECK_CODE(feed(c, buf, STT_LINE_MAX), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_WAITING);
    ward_starttls_free(c);
    /* One more byte and no line end: refused as soon as the bound is hit,
     * whether it comes in one read or byte by byte. */
    memset(buf, 'x', sizeof buf);
    memcpy(buf, "220-", 4);
    char want[1024];
    snprintf(want, sizeof want, "the peer sent a line longer than %d bytes: \"220-%.*s...\"",
             STT_LINE_MAX, STT_QUOTE_MAX - 4, buf + 4);
    c = mk(WARD_APP_SMTP, 0);
    CHECK_CODE(feed(c, buf, sizeof buf), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK_STR(ward_starttls_error_message(c), want);
    ward_starttls_free(c);
    c = mk(WARD_APP_IMAP, 1);
    ward_err e = WARD_OK;
    for (size_t i = 0; i < STT_LINE_MAX && e == WARD_OK; i++)
        e = feed(c, buf, 1);
    CHECK_CODE(e, WARD_ERR_STARTTLS_PROTOCOL);
    CHECK_CODE(feed(c, "a STARTTLS\r\n", 12), WARD_ERR_STARTTLS_PROTOCOL);
    ward_starttls_free(c);
}

/* After first, line sent until the dialogue fails (at most max + 1 times):
 * it fails with PROTOCOL and msg. */
static void too_many(ward_app app, int server, const char *first, const char *line, int max,
                     const char *msg)
{
    ward_starttls *d = mk(app, server);
    ward_err e = feeds(d, first);
    for (int i = 0; i <= max && e == WARD_OK; i++)
        e = feeds(d, line);
    CHECK_CODE(e, WARD_ERR_STARTTLS_PROTOCOL);
    CHECK_STR(ward_starttls_error_message(d), msg);
    ward_starttls_free(d);
}

/* A reply of more lines than STT_REPLY_LINES_MAX; a client that sends
 * command after command without STARTTLS. */
static void many_lines(void)
{
    const int max = STT_REPLY_LINES_MAX;
    too_many(WARD_APP_SMTP, 0, "220 mx\r\n", "250-X\r\n", max,
             "the server's reply has more than 128 lines");
    too_many(WARD_APP_POP3, 0, "+OK\r\n+OK\r\n", "X\r\n", max,
             "the server's list has more than 128 lines");
    too_many(WARD_APP_IMAP, 0, "* OK ready\r\n", "* X\r\n", max,
             "the server's reply has more than 128 lines");
    too_many(WARD_APP_SIEVE, 0, "", "\"X\" \"y\"\r\n", max,
             "the server's capability list has more than 128 lines");
    too_many(WARD_APP_SMTP, 1, "", "NOOP\r\n", STT_COMMANDS_MAX,
             "the client sent 32 commands without starting TLS");
}

/* Bytes are quoted safely: control bytes, quotes and backslashes escaped. */
static void quoting(void)
{
    ward_starttls *c = mk(WARD_APP_SMTP, 0);
    CHECK_CODE(feed(c, "5\x1b[2J\"\\\x00x\r\n", 11), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK_STR(ward_starttls_error_message(c),
              "the server's reply does not start with a 3-digit code: "
              "\"5\\x1b[2J\\x22\\x5c\\x00x\"");
    ward_starttls_free(c);
}

static void params(void)
{
    ward_starttls *d = NULL;
    ward_starttls_params p = {.app = WARD_APP_SMTP, .helo_name = "evil\r\nMAIL FROM:<x>"};
    CHECK_CODE(ward_starttls_new(&p, &d), WARD_ERR_CONFIG);
    p.helo_name = "two words";
    CHECK_CODE(ward_starttls_new(&p, &d), WARD_ERR_CONFIG);
    p.helo_name = "";
    CHECK_CODE(ward_starttls_new(&p, &d), WARD_ERR_CONFIG);
    p.helo_name = "client.example";
    CHECK_CODE(ward_starttls_new(&p, &d), WARD_OK);
    char out[256] = "";
    CHECK_CODE(feeds(d, "220 mx\r\n"), WARD_OK);
    take(d, out, sizeof out);
    CHECK_STR(out, "EHLO client.example\r\n");
    ward_starttls_free(d);
    ward_starttls_params sp = {.app = WARD_APP_SMTP, .server = 1, .server_name = "mx.example",
                               .greeting = "ESMTP hello there"};
    CHECK_CODE(ward_starttls_new(&sp, &d), WARD_OK);
    out[0] = 0;
    take(d, out, sizeof out);
    CHECK_STR(out, "220 mx.example ESMTP hello there\r\n");
    ward_starttls_free(d);
    sp.greeting = "hi\n250 fake";
    CHECK_CODE(ward_starttls_new(&sp, &d), WARD_ERR_CONFIG);
}

typedef struct {
    char text[1024];
} log_buf;

static void log_line(void *arg, int from_peer, const char *text, size_t len)
{
    log_buf *l = arg;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof l->text - n, "%s%.*s|", from_peer ? "< " : "> ", (int)len, text);
}

/* The log, the states' rules, output taken in pieces. */
static void api(void)
{
    log_buf l = {""};
    ward_starttls *c = mk(WARD_APP_POP3, 0);
    ward_starttls_set_log(c, log_line, &l);
    CHECK_CODE(ward_starttls_secured(c), WARD_ERR_STATE);
    CHECK_CODE(feeds(c, "+OK hi\r\n"), WARD_OK);
    const uint8_t *p;
    CHECK(ward_starttls_output(c, &p) == 6);
    ward_starttls_output_done(c, 2);
    CHECK(ward_starttls_output(c, &p) == 4 && memcmp(p, "PA\r\n", 4) == 0);
    ward_starttls_output_done(c, 100);
    CHECK(ward_starttls_output(c, &p) == 0);
    CHECK_CODE(feeds(c, "+OK\r\nSTLS\r\n.\r\n+OK go\r\n"), WARD_OK);
    CHECK_STR(l.text, "< +OK hi|> CAPA|< +OK|< STLS|< .|> STLS|< +OK go|");
    CHECK_CODE(ward_starttls_error(c), WARD_OK);
    CHECK_STR(ward_starttls_error_message(c), "");
    CHECK_CODE(ward_starttls_secured(c), WARD_OK);
    CHECK(ward_starttls_get_state(c) == WARD_STARTTLS_DONE);
    CHECK_CODE(ward_starttls_secured(c), WARD_ERR_STATE);
    CHECK_CODE(feeds(c, "x"), WARD_ERR_STATE);
    CHECK_CODE(feeds(c, ""), WARD_OK);
    ward_starttls_free(c);
    /* Bytes behind the last reply of the dialogue over TLS. */
    c = mk(WARD_APP_FTP, 0);
    CHECK_CODE(feeds(c, "220 hi\r\n234 go\r\n"), WARD_OK);
    CHECK_CODE(ward_starttls_secured(c), WARD_OK);
    CHECK_CODE(feeds(c, "200 a\r\n200 b\r\n150 surprise\r\n"), WARD_ERR_STARTTLS_PROTOCOL);
    CHECK_STR(ward_starttls_error_message(c), "the peer sent 14 bytes past the end of the dialogue");
    ward_starttls_free(c);
    ward_starttls_free(NULL);
    /* A server half's greeting is queued inside ward_starttls_new: the log
     * set afterwards still sees it, once. */
    log_buf sl = {""};
    ward_starttls *s = mk(WARD_APP_NNTP, 1);
    ward_starttls_set_log(s, log_line, &sl);
    CHECK_CODE(feeds(s, "STARTTLS\r\n"), WARD_OK);
    ward_starttls_set_log(s, NULL, NULL);
    ward_starttls_set_log(s, log_line, &sl);
    CHECK_STR(sl.text, "> 200 localhost ward NNTP service ready|< STARTTLS|"
                       "> 382 Continue with TLS negotiation|");
    ward_starttls_free(s);
}

/* Protocols without a dialogue (HTTP, NONE, out of range) are a
 * configuration error, never a crash. */
static void no_dialogue(void)
{
    ward_starttls *d = (ward_starttls *)1;
    ward_starttls_params p = {.app = WARD_APP_HTTP};
    CHECK_CODE(ward_starttls_new(&p, &d), WARD_ERR_CONFIG);
    CHECK(d == NULL);
    p.app = WARD_APP_NONE;
    CHECK_CODE(ward_starttls_new(&p, &d), WARD_ERR_CONFIG);
    p.app = WARD_APP__COUNT;
    p.server = 1;
    CHECK_CODE(ward_starttls_new(&p, &d), WARD_ERR_CONFIG);
    CHECK_CODE(ward_starttls_new(NULL, &d), WARD_ERR_CONFIG);
    CHECK(ward_starttls_get_state(NULL) == WARD_STARTTLS_FAILED);
    CHECK_CODE(ward_starttls_secured(NULL), WARD_ERR_STATE);
}

int main(void)
{
    no_dialogue();
    smtp();
    imap();
    pop3();
    sieve();
    ftp();
    nntp();
    server_injections();
    sieve_server_secured();
    long_lines();
    many_lines();
    quoting();
    params();
    api();
    scheme_table();
    app_names();
    return test_report();
}
