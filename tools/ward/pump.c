/* Driving a ward_conn over a non-blocking socket.
 *
 * The handshake goes through the library's fd adapter (ward_fd_handshake
 * on a non-blocking socket, with poll() and a deadline). The data phase
 * talks to the sans-I/O engine directly (ward_conn_recv / output / read /
 * write), so that a command can read and write at the same time and keep
 * its own bound on what is queued: a relay that blocks in a write while
 * its peer blocks in a write would deadlock.
 *
 * Both phases run in one loop, pump_until: the client's relay and the
 * server's per-connection service say what they wait for (PUMP_*), and
 * the loop drives the engine until one of those holds. */
#include "cli.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* The tool's one clock (deadlines, quiet and idle times): monotonic ms. */
long long cli_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* The PUMP_* conditions that hold now. */
static unsigned pump_holds(pump *p)
{
    size_t pending = pump_pending(p);
    unsigned got = 0;
    if (ward_conn_state(p->conn) != WARD_STATE_HANDSHAKING)
        got |= PUMP_READY;
    if (ward_conn_readable(p->conn) || ward_conn_peer_closed(p->conn) || p->eof)
        got |= PUMP_DATA;
    if (p->eof)
        got |= PUMP_EOF;
    if (pending == 0)
        got |= PUMP_FLUSHED;
    if (pending < p->high_water)
        got |= PUMP_ROOM;
    if (ward_conn_peer_authenticated(p->conn))
        got |= PUMP_PEER_AUTH;
    if (p->aux_ready)
        got |= PUMP_AUX;
    return got;
}

/* One turn of the handshake through the library's fd adapter: 1 when it
 * is done, 0 when it waits for the socket (*events says for what), -1
 * when it failed (*err). */
static int handshake_step(pump *p, short *events, ward_err *err)
{
    ward_err e = ward_fd_handshake(p->conn, p->fd);
    if (e == WARD_OK)
        return 1;
    if (e == WARD_WANT_READ || e == WARD_WANT_WRITE) {
        *events = e == WARD_WANT_READ ? POLLIN : POLLOUT;
        return 0;
    }
    /* Best effort: the alert that explains the failure. */
    int saved = errno;
    (void)pump_send(p);
    /* The adapter reports a socket failure as WARD_ERR_IO; the errno of
     * its failed call says which. */
    p->io_errno = (e == WARD_ERR_IO) ? saved : 0;
    *err = e;
    return -1;
}

/* poll() on the socket for events (and on aux_fd when PUMP_AUX is
 * wanted) until the deadline or p->idle_ms without an event. The handshake
 * reads for itself (hs); otherwise what the socket has goes to the engine. */
static ward_err pump_wait(pump *p, short events, unsigned want, long long deadline, int hs)
{
    long long t = -1;
    int idle = 0;
    if (deadline) {
        t = deadline - cli_now_ms();
        if (t <= 0)
            return WARD_ERR_TIMEOUT;
    }
    if (p->idle_ms > 0 && (t < 0 || p->idle_ms < t)) {
        t = p->idle_ms;
        idle = 1;
    }
    struct pollfd pfd[2] = {{.fd = p->fd, .events = events}, {.fd = p->aux_fd, .events = POLLIN}};
    nfds_t n = (want & PUMP_AUX) && p->aux_fd >= 0 ? 2 : 1;
    int r = poll(pfd, n, t < 0 ? -1 : t > 1000000 ? 1000000 : (int)t);
    if (r < 0 && errno == EINTR)
        return WARD_OK;
    if (r < 0) {
        p->io_errno = errno;
        p->poll_failed = 1;
        return WARD_ERR_IO;
    }
    if (r == 0) {
        p->idle_fired = idle;
        return idle || (deadline && cli_now_ms() >= deadline) ? WARD_ERR_TIMEOUT : WARD_OK;
    }
    if (n == 2 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
        p->aux_ready = 1;
    if (!hs && (events & POLLIN) && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))) {
        p->rx_ms = cli_now_ms();
        ward_err e = pump_recv(p);
        p->rx_failed = e != WARD_OK;
        return e;
    }
    return WARD_OK;
}

/* BearSSL's run_until for a ward_conn on a non-blocking socket: the engine's
 * state says what to do next (handshake, send what is queued, read), and
 * the loop ends when one of the conditions in want holds. */
ward_err pump_until(pump *p, unsigned want, long long deadline)
{
    p->got = 0;
    p->aux_ready = p->idle_fired = p->rx_failed = p->poll_failed = 0;
    for (;;) {
        short events = 0;
        int hs = (want & PUMP_READY) && ward_conn_state(p->conn) == WARD_STATE_HANDSHAKING;
        ward_err e;
        if (hs) {
            int r = handshake_step(p, &events, &e);
            if (r < 0)
                return e;
            hs = r == 0;
        } else if ((e = pump_send(p)) != WARD_OK) {
            return e;
        }
        if (!hs) {
            p->got = pump_holds(p);
            if (p->got & want)
                return WARD_OK;
            if (want & (PUMP_DATA | PUMP_EOF))
                events |= POLLIN;
            if (pump_pending(p))
                events |= POLLOUT;
        }
        e = pump_wait(p, events, want, deadline, hs);
        if (e != WARD_OK)
            return e;
    }
}

ward_err pump_handshake(pump *p, int timeout_ms)
{
    return pump_until(p, PUMP_READY, cli_now_ms() + timeout_ms);
}

ward_err pump_drain(pump *p, int timeout_ms)
{
    return pump_until(p, PUMP_FLUSHED, cli_now_ms() + timeout_ms);
}

const char *pump_error(pump *p, ward_err e, char *buf, size_t cap)
{
    if (e == WARD_ERR_IO && p->io_errno && p->poll_failed) {
        snprintf(buf, cap, "poll: %s", strerror(p->io_errno));
        return buf;
    }
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
