/* Driving a ward_conn over a non-blocking socket.
 *
 * The handshake goes through the library's fd adapter (ward_fd_handshake
 * on a non-blocking socket, with poll() and a deadline). The data phase
 * talks to the sans-I/O engine directly (ward_conn_recv / output / read /
 * write), so that a command can read and write at the same time and keep
 * its own bound on what is queued: a relay that blocks in a write while
 * its peer blocks in a write would deadlock. */
#include "cli.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_fd(int fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd pfd = {.fd = fd, .events = events};
        int r = poll(&pfd, 1, left > 1000000 ? 1000000 : (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        return r;
    }
}

size_t pump_pending(pump *p)
{
    size_t len = 0;
    (void)ward_conn_output(p->conn, &len);
    return len;
}

ward_err pump_send(pump *p)
{
    for (;;) {
        size_t len = 0;
        const uint8_t *out = ward_conn_output(p->conn, &len);
        if (!out || len == 0)
            return WARD_OK;
        ssize_t n = send(p->fd, out, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return WARD_OK;
            p->io_errno = errno;
            return WARD_ERR_IO;
        }
        ward_conn_output_done(p->conn, (size_t)n);
    }
}

ward_err pump_recv(pump *p)
{
    uint8_t buf[32768];
    for (;;) {
        ssize_t n = recv(p->fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return WARD_OK;
            p->io_errno = errno;
            return WARD_ERR_IO;
        }
        if (n == 0) {
            p->eof = 1;
            return WARD_OK;
        }
        return ward_conn_recv(p->conn, buf, (size_t)n);
    }
}

ward_err pump_drain(pump *p, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        ward_err e = pump_send(p);
        if (e != WARD_OK)
            return e;
        if (pump_pending(p) == 0)
            return WARD_OK;
        int r = wait_fd(p->fd, POLLOUT, deadline);
        if (r == 0)
            return WARD_ERR_TIMEOUT;
        if (r < 0) {
            p->io_errno = errno;
            return WARD_ERR_IO;
        }
    }
}

ward_err pump_handshake(pump *p, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        ward_err e = ward_fd_handshake(p->conn, p->fd);
        if (e == WARD_OK)
            return WARD_OK;
        if (e != WARD_WANT_READ && e != WARD_WANT_WRITE) {
            /* Best effort: the alert that explains the failure. */
            int saved = errno;
            (void)pump_send(p);
            /* The adapter reports a socket failure as WARD_ERR_IO; the
             * errno of its failed call says which. */
            p->io_errno = (e == WARD_ERR_IO) ? saved : 0;
            return e;
        }
        int r = wait_fd(p->fd, e == WARD_WANT_READ ? POLLIN : POLLOUT, deadline);
        if (r == 0)
            return WARD_ERR_TIMEOUT;
        if (r < 0) {
            p->io_errno = errno;
            return WARD_ERR_IO;
        }
    }
}

const char *pump_error(pump *p, ward_err e, char *buf, size_t cap)
{
    if (e == WARD_ERR_IO && p->io_errno) {
        snprintf(buf, cap, "socket error: %s", strerror(p->io_errno));
        return buf;
    }
    if (e == WARD_ERR_TIMEOUT) {
        snprintf(buf, cap, "timed out");
        return buf;
    }
    if (e == WARD_ERR_TRUNCATED && p->conn && ward_conn_state(p->conn) == WARD_STATE_HANDSHAKING) {
        snprintf(buf, cap, "the peer closed the connection during the handshake");
        return buf;
    }
    /* The engine's own words when it recorded the failure; otherwise the
     * failure happened around it (socket, adapter, state). */
    if (p->conn && ward_conn_state(p->conn) == WARD_STATE_FAILED) {
        const char *m = ward_conn_error_message(p->conn);
        if (m && *m)
            return m;
    }
    return ward_err_str(e);
}
