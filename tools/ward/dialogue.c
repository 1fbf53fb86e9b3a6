/* Driving a STARTTLS dialogue's client half over the tool's socket.
 *
 * Before TLS every byte read from the socket goes to the dialogue: bytes
 * behind the server's go-ahead are how a command injection shows
 * (CVE-2011-0411), and only the dialogue can tell. The handshake starts
 * only in WARD_STARTTLS_UPGRADE; a dialogue that fails ends the command:
 * a STARTTLS scheme never falls back to plaintext. */
#include "dialogue.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#define LOG_LINE_MAX 512

void dlg_log(void *arg, int from_peer, const char *text, size_t len)
{
    (void)arg;
    char line[LOG_LINE_MAX + 4];
    size_t n = len > LOG_LINE_MAX ? LOG_LINE_MAX : len;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)text[i];
        line[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '.';
    }
    line[n] = '\0';
    cli_info("%s: %s%s", from_peer ? "S" : "C", line, len > n ? "..." : "");
}

/* The dialogue's failure, in its own words. */
static int dlg_failed(const ward_starttls *d)
{
    const char *m = ward_starttls_error_message(d);
    cli_error("%s", m && *m ? m : ward_err_str(ward_starttls_error(d)));
    return -1;
}

/* Send what the dialogue has queued, as far as the socket takes it. */
static int plain_send(ward_starttls *d, int fd)
{
    const uint8_t *out;
    size_t len;
    while ((len = ward_starttls_output(d, &out)) > 0) {
        ssize_t n = send(fd, out, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n < 0) {
            cli_error("socket error during the STARTTLS dialogue: %s", strerror(errno));
            return -1;
        }
        ward_starttls_output_done(d, (size_t)n);
    }
    return 0;
}

/* Read once from the socket and feed ALL of it to the dialogue. */
static int plain_recv(ward_starttls *d, int fd)
{
    uint8_t buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (n < 0) {
        cli_error("socket error during the STARTTLS dialogue: %s", strerror(errno));
        return -1;
    }
    if (n == 0) {
        cli_error("the server closed the connection during the STARTTLS dialogue, before "
                  "agreeing to TLS");
        return -1;
    }
    (void)ward_starttls_recv(d, buf, (size_t)n); /* a failure shows in the state */
    return 0;
}

int dlg_plain(ward_starttls *d, int fd, int timeout_ms)
{
    long long deadline = cli_now_ms() + timeout_ms;
    for (;;) {
        ward_starttls_state st = ward_starttls_get_state(d);
        if (st == WARD_STARTTLS_FAILED)
            return dlg_failed(d);
        if (plain_send(d, fd) != 0)
            return -1;
        if (st == WARD_STARTTLS_UPGRADE)
            return 0;
        if (st == WARD_STARTTLS_DONE) {
            /* No dialogue ends before TLS; treat it as the refusal it is. */
            cli_error("the STARTTLS dialogue ended without upgrading to TLS");
            return -1;
        }
        const uint8_t *out;
        long long left = deadline - cli_now_ms();
        if (left <= 0) {
            cli_error("timed out in the STARTTLS dialogue");
            return -1;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (ward_starttls_output(d, &out) > 0)
            pfd.events |= POLLOUT;
        int r = poll(&pfd, 1, (int)left);
        if (r < 0 && errno != EINTR) {
            cli_error("poll: %s", strerror(errno));
            return -1;
        }
        if (r > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)) && plain_recv(d, fd) != 0)
            return -1;
    }
}

/* Queue the dialogue's bytes on the connection. */
static int secured_queue(ward_starttls *d, pump *p, char *eb, size_t ebcap)
{
    const uint8_t *out;
    size_t len;
    while ((len = ward_starttls_output(d, &out)) > 0) {
        ward_err e = ward_conn_write(p->conn, out, len);
        if (e != WARD_OK) {
            cli_error("%s", pump_error(p, e, eb, ebcap));
            return -1;
        }
        ward_starttls_output_done(d, len);
    }
    return 0;
}

/* Queue the dialogue's bytes on the connection and feed it what the
 * connection decrypted, a byte at a time, while it is WAITING; then queue
 * what those bytes made it say (FTP's PROT P answers the reply to PBSZ 0:
 * left unsent, both sides would wait for each other). */
static int secured_step(ward_starttls *d, pump *p, char *eb, size_t ebcap)
{
    if (secured_queue(d, p, eb, ebcap) != 0)
        return -1;
    while (ward_starttls_get_state(d) == WARD_STARTTLS_WAITING) {
        uint8_t b;
        size_t n = 0;
        ward_err e = ward_conn_read(p->conn, &b, 1, &n);
        if (e == WARD_CLOSED) {
            cli_error("the server closed the connection during the STARTTLS dialogue");
            return -1;
        }
        if (e != WARD_OK) {
            cli_error("%s", pump_error(p, e, eb, ebcap));
            return -1;
        }
        if (n == 0)
            break;
        (void)ward_starttls_recv(d, &b, 1);
    }
    if (secured_queue(d, p, eb, ebcap) != 0)
        return -1;
    ward_err e = pump_send(p);
    if (e != WARD_OK) {
        cli_error("%s", pump_error(p, e, eb, ebcap));
        return -1;
    }
    return 0;
}

int dlg_secured(ward_starttls *d, pump *p, int timeout_ms)
{
    char eb[256];
    long long deadline = cli_now_ms() + timeout_ms;
    if (ward_starttls_secured(d) != WARD_OK)
        return dlg_failed(d);
    for (;;) {
        if (secured_step(d, p, eb, sizeof eb) != 0)
            return -1;
        ward_starttls_state st = ward_starttls_get_state(d);
        if (st == WARD_STARTTLS_FAILED)
            return dlg_failed(d);
        if (st == WARD_STARTTLS_DONE)
            return 0;
        if (p->eof) {
            cli_error("the server closed the connection during the STARTTLS dialogue");
            return -1;
        }
        long long left = deadline - cli_now_ms();
        if (left <= 0) {
            cli_error("timed out in the STARTTLS dialogue after the handshake");
            return -1;
        }
        struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
        if (pump_pending(p))
            pfd.events |= POLLOUT;
        int r = poll(&pfd, 1, (int)left);
        if (r < 0 && errno != EINTR) {
            cli_error("poll: %s", strerror(errno));
            return -1;
        }
        if (r > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
            ward_err e = pump_recv(p);
            if (e != WARD_OK) {
                cli_error("%s", pump_error(p, e, eb, sizeof eb));
                return -1;
            }
        }
    }
}
