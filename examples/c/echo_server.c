/* echo_server: a non-blocking TLS echo server on epoll, with client
 * certificates required (mutual TLS), on the installed libward.
 *
 *   echo_server PORT CERT.pem KEY.pem CLIENT_CA.pem
 *
 * Listens on 127.0.0.1:PORT (0: any free port; the one chosen is printed),
 * serves any number of clients at once from one thread, and echoes each
 * client's data back to it. A client must present a certificate that
 * chains to CLIENT_CA.pem; one without is refused in the handshake.
 * SIGTERM or SIGINT ends the server cleanly, with a summary line.
 *
 * The pattern, per connection, is the one ward.h documents for a
 * non-blocking socket: call ward_fd_handshake / ward_fd_read /
 * ward_fd_write; WARD_WANT_READ means "call again when the socket is
 * readable", WARD_WANT_WRITE "when it is writable". A write that returned
 * WARD_WANT_WRITE is repeated with the SAME buffer and length. Until it
 * completes this server reads nothing more from that client: that is the
 * back-pressure, a client that does not read its echo stops being read. */
#define _POSIX_C_SOURCE 200809L /* sigaction */
#include <ward/ward.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { HANDSHAKE, ECHO, CLOSING };

struct client {
    int fd;
    int phase;           /* HANDSHAKE, ECHO or CLOSING */
    ward_conn *conn;
    uint8_t buf[16384];  /* read from the client, not yet all echoed */
    size_t len;          /* bytes in buf still to write (0: none) */
    struct client *prev, *next; /* every live client, to free them at the end */
};

static volatile sig_atomic_t stopping;
static unsigned long served, refused, waits_for_write;
static struct client *clients;

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static int set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Wait for what the last call asked for: readable or writable. */
static void wait_for(int ep, struct client *cl, ward_err e)
{
    struct epoll_event ev = {.events = e == WARD_WANT_WRITE ? EPOLLOUT : EPOLLIN,
                             .data.ptr = cl};
    epoll_ctl(ep, EPOLL_CTL_MOD, cl->fd, &ev);
}

static void drop(int ep, struct client *cl)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, cl->fd, NULL);
    if (cl->prev)
        cl->prev->next = cl->next;
    else
        clients = cl->next;
    if (cl->next)
        cl->next->prev = cl->prev;
    close(cl->fd);
    ward_conn_free(cl->conn);
    free(cl);
}

/* Handshake done: who is this? The certificate was verified already. */
static void greet(struct client *cl)
{
    ward_cert_info info;
    if (ward_conn_peer_cert_info(cl->conn, &info) == WARD_OK)
        fprintf(stderr, "echo_server: client %d: %s (authenticated: %d)\n", cl->fd,
                info.subject, ward_conn_peer_authenticated(cl->conn));
}

/* Move the connection as far as it goes without blocking. Returns the
 * WANT_* to wait for, or anything else when the connection is over. */
static ward_err step(struct client *cl)
{
    ward_err e = WARD_OK;
    if (cl->phase == HANDSHAKE) {
        if ((e = ward_fd_handshake(cl->conn, cl->fd)) != WARD_OK)
            return e;
        cl->phase = ECHO;
        greet(cl);
    }
    while (cl->phase == ECHO) {
        if (cl->len > 0) { /* finish the echo first: same buffer, same length */
            if ((e = ward_fd_write(cl->conn, cl->fd, cl->buf, cl->len)) != WARD_OK)
                return e;
            cl->len = 0;
        }
        e = ward_fd_read(cl->conn, cl->fd, cl->buf, sizeof cl->buf, &cl->len);
        if (e == WARD_CLOSED) { /* the client's close_notify: send ours */
            cl->phase = CLOSING;
            if ((e = ward_conn_close(cl->conn)) != WARD_OK)
                return e;
        } else if (e != WARD_OK) {
            return e;
        }
    }
    e = ward_fd_flush(cl->conn, cl->fd); /* CLOSING: our close_notify out */
    return e == WARD_OK ? WARD_CLOSED : e;
}

static void serve(int ep, struct client *cl)
{
    ward_err e = step(cl);
    if (e == WARD_WANT_READ || e == WARD_WANT_WRITE) {
        if (e == WARD_WANT_WRITE)
            waits_for_write++;
        wait_for(ep, cl, e);
        return;
    }
    if (cl->phase == CLOSING) { /* the client's close_notify came: a clean end
                                   (ours may not reach a client already gone) */
        served++;
        fprintf(stderr, "echo_server: client %d: done\n", cl->fd);
    } else {
        if (cl->phase == HANDSHAKE)
            refused++;
        /* ward_conn_error_message says what went wrong, for a person */
        fprintf(stderr, "echo_server: client %d %s: %s: %s\n", cl->fd,
                cl->phase == HANDSHAKE ? "refused" : "failed", ward_err_str(e),
                ward_conn_error_message(cl->conn));
    }
    drop(ep, cl);
}

static void accept_all(int ep, int ls, const ward_config *cfg)
{
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0)
            return; /* EAGAIN: no more waiting */
        struct client *cl = calloc(1, sizeof *cl);
        if (cl == NULL || set_nonblocking(fd) != 0 ||
            (cl->conn = ward_conn_new(cfg, NULL)) == NULL) {
            free(cl);
            close(fd);
            continue;
        }
        cl->fd = fd;
        if ((cl->next = clients) != NULL)
            clients->prev = cl;
        clients = cl;
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = cl};
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        serve(ep, cl); /* nothing to read yet: it will ask to wait */
    }
}

static int listen_on(const char *port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_port = htons((uint16_t)atoi(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t salen = sizeof sa;
    int one = 1, ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ls, 64) != 0 ||
        getsockname(ls, (struct sockaddr *)&sa, &salen) != 0 || set_nonblocking(ls) != 0) {
        perror("echo_server: listen");
        return -1;
    }
    fprintf(stderr, "echo_server: listening on 127.0.0.1:%u\n", ntohs(sa.sin_port));
    return ls;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: echo_server PORT CERT.pem KEY.pem CLIENT_CA.pem\n");
        return 2;
    }
    /* One configuration for every connection, read-only once built. */
    ward_config *cfg = ward_config_new_server();
    if (cfg == NULL)
        return 1;
    ward_err e = ward_config_set_cert_files(cfg, argv[2], argv[3]);
    if (e == WARD_OK) /* REQUIRE: a client without a certificate is refused */
        e = ward_config_set_client_verify(cfg, WARD_CLIENT_CERT_REQUIRE, argv[4]);
    if (e != WARD_OK) {
        fprintf(stderr, "echo_server: configuration: %s\n", ward_err_str(e));
        ward_config_free(cfg);
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: wakes epoll_wait */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int ls = listen_on(argv[1]), ep = epoll_create1(0);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL}; /* NULL: the listener */
    if (ls < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ls, &lev) != 0) {
        ward_config_free(cfg);
        return 1;
    }
    while (!stopping) {
        struct epoll_event evs[64];
        int n = epoll_wait(ep, evs, 64, -1);
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == NULL)
                accept_all(ep, ls, cfg);
            else
                serve(ep, evs[i].data.ptr);
        }
    }
    while (clients != NULL) /* still connected: cut */
        drop(ep, clients);
    fprintf(stderr, "echo_server: served %lu, refused %lu, waited to write %lu times\n", served,
            refused, waits_for_write);
    close(ep);
    close(ls);
    ward_config_free(cfg);
    return 0;
}
