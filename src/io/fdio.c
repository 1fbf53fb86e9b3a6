/* Driving an engine over a file descriptor (DESIGN.md: the I/O adapter).
 * No protocol decisions here: move bytes between the fd and the engine.
 * On a non-blocking fd, EAGAIN becomes WARD_WANT_READ / WARD_WANT_WRITE and
 * the call is repeated when the fd is ready; a blocking fd just loops. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn/internal.h"
#include "ward/ward.h"

#define FD_READ_CHUNK (16384 + 512)

static ssize_t fd_send(int fd, const uint8_t *p, size_t n)
{
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == ENOTSOCK)
        w = write(fd, p, n);
    return w;
}

ward_err ward_fd_flush(ward_conn *c, int fd)
{
    for (;;) {
        size_t len;
        const uint8_t *p = ward_conn_output(c, &len);
        if (len == 0)
            return WARD_OK;
        ssize_t w = fd_send(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return WARD_WANT_WRITE;
            return WARD_ERR_IO;
        }
        ward_conn_output_done(c, (size_t)w);
    }
}

/* Read once from fd into the engine. */
static ward_err pump_in(ward_conn *c, int fd)
{
    uint8_t buf[FD_READ_CHUNK];
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return WARD_WANT_READ;
            return WARD_ERR_IO;
        }
        if (r == 0)
            return WARD_ERR_TRUNCATED;
        return ward_conn_recv(c, buf, (size_t)r);
    }
}

/* The handshake deadline (ward_limits.handshake_timeout_ms): a blocking fd
 * waits in poll() no longer than what is left; a non-blocking one is only
 * checked, its event loop does the waiting. */
static ward_err wait_readable(ward_conn *c, int fd)
{
    unsigned limit = c->cfg->limits.handshake_timeout_ms;
    if (!limit)
        return WARD_OK;
    uint64_t elapsed = conn_elapsed_ms(c);
    if (elapsed >= limit)
        return conn_abort(c, WARD_ERR_TIMEOUT, "the handshake took longer than the time limit");
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0 && (flags & O_NONBLOCK))
        return WARD_OK;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n;
    do
        n = poll(&p, 1, (int)(limit - elapsed));
    while (n < 0 && errno == EINTR);
    if (n == 0)
        return conn_abort(c, WARD_ERR_TIMEOUT, "the handshake took longer than the time limit");
    return WARD_OK;
}

ward_err ward_fd_handshake(ward_conn *c, int fd)
{
    for (;;) {
        ward_err e = ward_fd_flush(c, fd);
        int st = ward_conn_state(c);
        if (st == WARD_STATE_FAILED)
            return ward_conn_error(c); /* the alert went out with the flush */
        if (e != WARD_OK)
            return e;
        if (st != WARD_STATE_HANDSHAKING)
            return WARD_OK;
        e = wait_readable(c, fd);
        if (e != WARD_OK)
            return e;
        e = pump_in(c, fd);
        if (e == WARD_ERR_TRUNCATED)
            return conn_abort(c, e, "the peer closed the connection during the handshake");
        if (e == WARD_ERR_IO)
            return conn_abort(c, e, "socket error during the handshake");
        if (ward_conn_state(c) == WARD_STATE_FAILED)
            continue; /* flush the alert, then report */
        if (e != WARD_OK)
            return e;
    }
}

ward_err ward_fd_read(ward_conn *c, int fd, uint8_t *buf, size_t cap, size_t *n)
{
    *n = 0;
    for (;;) {
        ward_err e = ward_conn_read(c, buf, cap, n);
        if (e != WARD_OK || *n > 0)
            return e;
        /* Answers the engine owes the peer (a KeyUpdate) go out first. */
        e = ward_fd_flush(c, fd);
        if (e != WARD_OK && e != WARD_WANT_WRITE)
            return e;
        e = pump_in(c, fd);
        if (e == WARD_ERR_TRUNCATED && ward_conn_peer_closed(c))
            return WARD_CLOSED;
        if (e != WARD_OK) {
            if (ward_conn_state(c) == WARD_STATE_FAILED)
                ward_fd_flush(c, fd); /* best effort: the alert */
            return e;
        }
    }
}

ward_err ward_fd_write(ward_conn *c, int fd, const uint8_t *buf, size_t len)
{
    ward_err e = ward_conn_write(c, buf, len);
    if (e != WARD_OK)
        return e;
    return ward_fd_flush(c, fd);
}

ward_err ward_fd_close(ward_conn *c, int fd)
{
    ward_err e = ward_conn_close(c);
    if (e != WARD_OK)
        return e;
    return ward_fd_flush(c, fd);
}
