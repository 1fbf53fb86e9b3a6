/* stt_testserver: a small STARTTLS server built on libward's public API
 * (ward.h, starttls.h) only, for tests/interop/test_starttls_server_half.sh:
 * real client libraries (Python's smtplib, imaplib, ...) and openssl
 * s_client -starttls drive the server half of each dialogue.
 *
 * usage: stt_testserver PROTO PORTFILE CERT KEY [--once]
 *
 * Listens on 127.0.0.1, port 0, and writes the port the kernel chose to
 * PORTFILE. For each connection, one at a time: the server half of PROTO's
 * dialogue in plaintext, every byte read fed to it until it says UPGRADE
 * (then the go-ahead is sent and TLS starts on the same socket) or FAILED
 * (the reason goes to stderr and the connection is closed, the pending
 * output unsent); after the handshake, a minimal per-protocol responder so
 * that the client libraries finish cleanly. With --once, exits after the
 * first connection. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "ward/starttls.h"
#include "ward/ward.h"

#define LINE_MAX_LEN 1024

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "stt_testserver: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static int send_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Send what the dialogue has queued. */
static int flush_dialogue(ward_starttls *d, int fd)
{
    const uint8_t *p;
    size_t n = ward_starttls_output(d, &p);
    if (n > 0 && send_all(fd, p, n) < 0)
        return -1;
    ward_starttls_output_done(d, n);
    return 0;
}

/* The plaintext part: 0 once the dialogue says UPGRADE and the go-ahead
 * is sent, -1 when it failed or the peer went away. */
static int plaintext(ward_starttls *d, int fd)
{
    uint8_t buf[4096];
    if (flush_dialogue(d, fd) < 0)
        return -1;
    while (ward_starttls_get_state(d) == WARD_STARTTLS_WAITING) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            say("the client went away before the upgrade");
            return -1;
        }
        ward_starttls_recv(d, buf, (size_t)n);
        if (ward_starttls_get_state(d) == WARD_STARTTLS_FAILED) {
            say("dialogue failed (%s): %s", ward_err_str(ward_starttls_error(d)),
                ward_starttls_error_message(d));
            return -1;
        }
        if (flush_dialogue(d, fd) < 0)
            return -1;
    }
    return ward_starttls_get_state(d) == WARD_STARTTLS_UPGRADE ? 0 : -1;
}

/* What the dialogue says once TLS is up (ManageSieve's capabilities,
 * RFC 5804 §2.2), sent over TLS. */
static int flush_secured(ward_starttls *d, ward_conn *c, int fd)
{
    const uint8_t *p;
    size_t n = ward_starttls_output(d, &p);
    if (n > 0 && ward_fd_write(c, fd, p, n) != WARD_OK)
        return -1;
    ward_starttls_output_done(d, n);
    return 0;
}

/* ---- after TLS: the per-protocol responder ---- */

static int is_cmd(const char *line, const char *cmd)
{
    size_t n = strlen(cmd);
    return strncasecmp(line, cmd, n) == 0 && (line[n] == 0 || line[n] == ' ');
}

/* The reply to one command line in out; returns 1 to close afterwards. */
static int reply_smtp(const char *l, char *out, size_t cap)
{
    if (is_cmd(l, "EHLO") || is_cmd(l, "LHLO") || is_cmd(l, "HELO"))
        snprintf(out, cap, "250-localhost\r\n250 OK\r\n");
    else if (is_cmd(l, "NOOP") || is_cmd(l, "RSET"))
        snprintf(out, cap, "250 OK\r\n");
    else if (is_cmd(l, "QUIT"))
        return snprintf(out, cap, "221 Bye\r\n"), 1;
    else
        snprintf(out, cap, "502 Not implemented\r\n");
    return 0;
}

static int reply_imap(const char *l, char *out, size_t cap)
{
    char tag[64];
    const char *sp = strchr(l, ' ');
    size_t n = sp ? (size_t)(sp - l) : 0;
    if (n == 0 || n >= sizeof tag)
        return snprintf(out, cap, "* BAD no tag\r\n"), 0;
    memcpy(tag, l, n);
    tag[n] = 0;
    if (is_cmd(sp + 1, "CAPABILITY"))
        snprintf(out, cap, "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n%s OK done\r\n", tag);
    else if (is_cmd(sp + 1, "LOGOUT"))
        return snprintf(out, cap, "* BYE bye\r\n%s OK done\r\n", tag), 1;
    else if (is_cmd(sp + 1, "NOOP"))
        snprintf(out, cap, "%s OK done\r\n", tag);
    else
        snprintf(out, cap, "%s BAD not implemented\r\n", tag);
    return 0;
}

static int reply_pop3(const char *l, char *out, size_t cap)
{
    if (is_cmd(l, "CAPA"))
        snprintf(out, cap, "+OK Capability list follows\r\nUSER\r\n.\r\n");
    else if (is_cmd(l, "QUIT"))
        return snprintf(out, cap, "+OK Bye\r\n"), 1;
    else
        snprintf(out, cap, "-ERR not implemented\r\n");
    return 0;
}

static int reply_ftp(const char *l, char *out, size_t cap)
{
    if (is_cmd(l, "PBSZ") || is_cmd(l, "PROT"))
        snprintf(out, cap, "200 OK\r\n");
    else if (is_cmd(l, "PWD"))
        snprintf(out, cap, "257 \"/\" is the current directory\r\n");
    else if (is_cmd(l, "QUIT"))
        return snprintf(out, cap, "221 Goodbye\r\n"), 1;
    else
        snprintf(out, cap, "502 Not implemented\r\n");
    return 0;
}

static int reply_nntp(const char *l, char *out, size_t cap)
{
    if (is_cmd(l, "CAPABILITIES"))
        snprintf(out, cap, "101 Capability list:\r\nVERSION 2\r\nREADER\r\n.\r\n");
    else if (is_cmd(l, "QUIT"))
        return snprintf(out, cap, "205 Bye\r\n"), 1;
    else
        snprintf(out, cap, "500 Unknown command\r\n");
    return 0;
}

typedef int (*reply_fn)(const char *line, char *out, size_t cap);

/* The responder for app, or NULL: keep the connection open until the peer
 * closes it. */
static reply_fn responder(ward_app app)
{
    switch (app) {
    case WARD_APP_SMTP:
    case WARD_APP_LMTP:
        return reply_smtp;
    case WARD_APP_IMAP:
        return reply_imap;
    case WARD_APP_POP3:
        return reply_pop3;
    case WARD_APP_FTP:
        return reply_ftp;
    case WARD_APP_NNTP:
        return reply_nntp;
    default:
        return NULL;
    }
}

/* Answer each complete line in buf[0..*len); returns 1 once a reply
 * closes the session, -1 on a write error. */
static int answer_lines(ward_conn *c, int fd, reply_fn fn, char *buf, size_t *len)
{
    char out[512];
    char *nl;
    while ((nl = memchr(buf, '\n', *len)) != NULL) {
        size_t used = (size_t)(nl - buf) + 1;
        *nl = 0;
        if (nl > buf && nl[-1] == '\r')
            nl[-1] = 0;
        int end = fn(buf, out, sizeof out);
        if (ward_fd_write(c, fd, (const uint8_t *)out, strlen(out)) != WARD_OK)
            return -1;
        memmove(buf, buf + used, *len - used);
        *len -= used;
        if (end)
            return 1;
    }
    return 0;
}

/* Over TLS until a closing command, the peer's close, or an error. */
static void secured_session(ward_conn *c, int fd, reply_fn fn)
{
    char buf[LINE_MAX_LEN + 1];
    size_t len = 0, n;
    for (;;) {
        ward_err e = ward_fd_read(c, fd, (uint8_t *)buf + len, LINE_MAX_LEN - len, &n);
        if (e != WARD_OK || n == 0)
            return; /* close_notify, or the peer went away */
        len += n;
        if (!fn) {
            len = 0;
            continue;
        }
        int r = answer_lines(c, fd, fn, buf, &len);
        if (r != 0 || len == LINE_MAX_LEN) {
            if (r == 1)
                ward_fd_close(c, fd);
            return;
        }
    }
}

/* A MySQL client sends its ClientHello right behind its SSL Request, often
 * in the read that held the request: the dialogue hands those bytes over
 * (none for the other protocols), and the engine gets them first. */
static ward_err start_tls(ward_starttls *d, ward_conn *c)
{
    const uint8_t *p;
    size_t n = ward_starttls_tls_bytes(d, &p);
    if (n > 0)
        say("%zu bytes of TLS came with the upgrade", n);
    return n > 0 ? ward_conn_recv(c, p, n) : WARD_OK;
}

static void serve(const ward_config *cfg, ward_app app, int fd)
{
    ward_starttls_params p = {.app = app, .server = 1};
    ward_starttls *d = NULL;
    if (ward_starttls_new(&p, &d) != WARD_OK) {
        say("ward_starttls_new failed");
        return;
    }
    if (plaintext(d, fd) == 0) {
        ward_conn *c = ward_conn_new(cfg, NULL);
        /* A failure of start_tls leaves c failed: the handshake sends the
         * alert and returns the error. */
        ward_err e = c ? start_tls(d, c) : WARD_ERR_NOMEM;
        if (c)
            e = ward_fd_handshake(c, fd);
        if (e != WARD_OK)
            say("TLS handshake failed: %s", ward_err_str(e));
        else if (ward_starttls_secured(d) != WARD_OK ||
                 ward_starttls_get_state(d) != WARD_STARTTLS_DONE || flush_secured(d, c, fd) < 0)
            say("the dialogue did not end after the handshake");
        else {
            say("TLS up (%s) for %s", ward_suite_name(ward_conn_suite(c)), ward_app_name(app));
            secured_session(c, fd, responder(app));
        }
        ward_conn_free(c);
    }
    ward_starttls_free(d);
}

static int listen_loopback(const char *portfile)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 8) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) < 0)
        return -1;
    FILE *f = fopen(portfile, "w");
    if (!f)
        return -1;
    fprintf(f, "%u\n", ntohs(a.sin_port));
    return fclose(f) == 0 ? fd : -1;
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc > 6 || (argc == 6 && strcmp(argv[5], "--once") != 0)) {
        fprintf(stderr, "usage: stt_testserver PROTO PORTFILE CERT KEY [--once]\n");
        return 2;
    }
    ward_app app = ward_app_from_name(argv[1]);
    ward_config *cfg = ward_config_new_server();
    if (app == WARD_APP_NONE || !cfg || ward_config_set_cert_files(cfg, argv[3], argv[4])) {
        say("bad protocol '%s' or certificate '%s'", argv[1], argv[3]);
        return 2;
    }
    int lfd = listen_loopback(argv[2]);
    if (lfd < 0) {
        say("cannot listen on 127.0.0.1 or write the port file");
        return 1;
    }
    say("listening for %s", ward_app_name(app));
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            continue;
        struct timeval tv = {.tv_sec = 15};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        serve(cfg, app, fd);
        close(fd);
        if (argc == 6)
            break;
    }
    close(lfd);
    ward_config_free(cfg);
    return 0;
}
