/* The non-blocking write contract (issue 18): 1 MiB through ward_fd_write
 * on a non-blocking socket whose reader is slow, with the retry loop that
 * SSL_write(3) teaches (WANT_WRITE: wait for POLLOUT, call again with the
 * same buffer and length), arrives exactly once, in order, in TLS 1.3 and
 * 1.2. The reader is a ward server in a child process over a socketpair
 * with small buffers, so the writer meets a full socket many times. Also:
 * a retry with another length is refused, and the output queue never
 * holds much more than WARD_FD_WRITE_CHUNK. Public API only. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "ward/ward.h"

#define TOTAL (1024 * 1024)

static uint8_t pattern_byte(size_t i) { return (uint8_t)((i * 7 + i / 251) & 0xff); }

static void wait_fd(int fd, short events)
{
    struct pollfd p = {.fd = fd, .events = events};
    while (poll(&p, 1, 5000) < 0 && errno == EINTR)
        ;
}

/* The child: a blocking ward server that reads in small pieces, pausing,
 * and exits 0 only if it got exactly TOTAL bytes of the pattern and then
 * the client's close_notify. */
static int slow_reader(int fd, uint16_t version)
{
    uint8_t pin[32], buf[4096];
    ward_config *cfg = ward_config_new_server();
    if (!cfg || ward_config_use_ephemeral_cert(cfg, "localhost", pin) != WARD_OK ||
        ward_config_set_versions(cfg, version, version) != WARD_OK)
        return 10;
    ward_conn *c = ward_conn_new(cfg, NULL);
    if (!c || ward_fd_handshake(c, fd) != WARD_OK)
        return 11;
    size_t got = 0;
    for (unsigned reads = 0;; reads++) {
        size_t n;
        ward_err e = ward_fd_read(c, fd, buf, sizeof buf, &n);
        if (e == WARD_CLOSED)
            break;
        if (e != WARD_OK)
            return 12;
        for (size_t i = 0; i < n; i++)
            if (got + i >= TOTAL || buf[i] != pattern_byte(got + i))
                return 13; /* more than sent, or out of order: sent twice */
        got += n;
        if (reads % 8 == 0) {
            struct timespec ts = {0, 1000000}; /* 1 ms: a slow reader */
            nanosleep(&ts, NULL);
        }
    }
    ward_conn_free(c);
    ward_config_free(cfg);
    return got == TOTAL ? 0 : 14;
}

static void client_side(int fd, uint16_t version, const uint8_t *data)
{
    ward_config *cfg = ward_config_new_client();
    CHECK(cfg != NULL);
    ward_config_set_insecure_no_verify(cfg, 1); /* an ephemeral certificate */
    CHECK_CODE(ward_config_set_versions(cfg, version, version), WARD_OK);
    ward_conn *c = ward_conn_new(cfg, "localhost");
    CHECK(c != NULL);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    ward_err e;
    while ((e = ward_fd_handshake(c, fd)) == WARD_WANT_READ || e == WARD_WANT_WRITE)
        wait_fd(fd, e == WARD_WANT_READ ? POLLIN : POLLOUT);
    CHECK_CODE(e, WARD_OK);

    /* SSL_write(3)'s loop: the same buffer and length until WARD_OK. */
    unsigned want_write = 0, refused_other_len = 0;
    size_t most_queued = 0;
    while ((e = ward_fd_write(c, fd, data, TOTAL)) == WARD_WANT_WRITE) {
        size_t queued;
        ward_conn_output(c, &queued);
        if (queued > most_queued)
            most_queued = queued;
        if (want_write++ == 0) /* once: a confused retry is refused, harmlessly */
            refused_other_len = ward_fd_write(c, fd, data, TOTAL / 2) == WARD_ERR_STATE;
        wait_fd(fd, POLLOUT);
    }
    CHECK_CODE(e, WARD_OK);
    CHECK(want_write > 0); /* the socket was full at least once */
    CHECK(refused_other_len);
    CHECK(most_queued <= WARD_FD_WRITE_CHUNK + WARD_FD_WRITE_CHUNK / 16);
    fprintf(stderr, "TLS %s: 1 MiB written, %u WANT_WRITE retries, queue at most %zu bytes\n",
            version == WARD_TLS13 ? "1.3" : "1.2", want_write, most_queued);
    while ((e = ward_fd_close(c, fd)) == WARD_WANT_WRITE)
        wait_fd(fd, POLLOUT);
    CHECK_CODE(e, WARD_OK);
    ward_conn_free(c);
    ward_config_free(cfg);
}

static void run(uint16_t version, const uint8_t *data)
{
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    int small = 16384;
    for (int i = 0; i < 2; i++) {
        setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
        setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    }
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(sv[0]);
        _exit(slow_reader(sv[1], version));
    }
    close(sv[1]);
    client_side(sv[0], version, data);
    close(sv[0]);
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    if (WEXITSTATUS(status) != 0)
        fprintf(stderr, "reader exited %d (13: a byte sent twice or out of order)\n",
                WEXITSTATUS(status));
    CHECK(WEXITSTATUS(status) == 0);
}

int main(void)
{
    static uint8_t data[TOTAL];
    for (size_t i = 0; i < TOTAL; i++)
        data[i] = pattern_byte(i);
    run(WARD_TLS13, data);
    run(WARD_TLS12, data);
    return test_report();
}
