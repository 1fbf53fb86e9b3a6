/* echo_backend: a plaintext TCP echo server on one epoll loop, the backend
 * of the tunnel's load and fault tests (tests/interop/test_tunnel_*.sh).
 *
 * usage: echo_backend [HOST:PORT]   (default 127.0.0.1:0)
 *
 * Prints "echo_backend listening on HOST:PORT" (the real port) on stderr.
 * Echoes every byte back; a slow reader stops it reading from that
 * connection (at most one buffer per connection is held). At end of input
 * it sends what is left, then closes. SIGTERM ends it; on stderr it then
 * prints how many connections it accepted and how many bytes it echoed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF 16384

typedef struct {
    int fd;
    size_t len, off; /* bytes in buf not yet sent back */
    int eof;
    unsigned char buf[BUF];
} peer;

static int ep, lfd;
static volatile sig_atomic_t stop_flag;
static unsigned long long accepted, echoed;

static void on_term(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void peer_close(peer *p)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, p->fd, NULL);
    close(p->fd);
    free(p);
}

static void watch(peer *p, int op)
{
    /* read only with room in the buffer: back-pressure */
    uint32_t ev = p->len > p->off ? EPOLLOUT : (p->eof ? 0u : EPOLLIN);
    struct epoll_event e = {.events = ev | EPOLLRDHUP, .data.ptr = p};
    epoll_ctl(ep, op, p->fd, &e);
}

static void peer_step(peer *p)
{
    for (;;) {
        if (p->len > p->off) {
            ssize_t w = send(p->fd, p->buf + p->off, p->len - p->off, MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0 && errno == EAGAIN)
                break;
            if (w < 0) {
                peer_close(p);
                return;
            }
            p->off += (size_t)w;
            echoed += (unsigned long long)w;
            continue;
        }
        p->len = p->off = 0;
        if (p->eof) {
            peer_close(p);
            return;
        }
        ssize_t r = recv(p->fd, p->buf, BUF, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == EAGAIN)
            break;
        if (r < 0) {
            peer_close(p);
            return;
        }
        if (r == 0) {
            peer_close(p);
            return;
        }
        p->len = (size_t)r;
    }
    watch(p, EPOLL_CTL_MOD);
}

static void accept_all(void)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        peer *p = calloc(1, sizeof *p);
        if (!p) {
            close(fd);
            continue;
        }
        p->fd = fd;
        accepted++;
        watch(p, EPOLL_CTL_ADD);
    }
}

static int listen_on(const char *spec)
{
    char host[64] = "127.0.0.1";
    int port = 0;
    if (spec) {
        const char *c = strrchr(spec, ':');
        if (!c || (size_t)(c - spec) >= sizeof host)
            return -1;
        memcpy(host, spec, (size_t)(c - spec));
        host[c - spec] = 0;
        port = atoi(c + 1);
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
        return -1;
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    socklen_t l = sizeof a;
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 4096) < 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &l) < 0)
        return -1;
    fprintf(stderr, "echo_backend listening on %s:%u\n", host, ntohs(a.sin_port));
    return 0;
}

int main(int argc, char **argv)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_term};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (listen_on(argc > 1 ? argv[1] : NULL) < 0) {
        perror("echo_backend: listen");
        return 1;
    }
    ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event le = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &le);
    struct epoll_event evs[256];
    while (!stop_flag) {
        int n = epoll_wait(ep, evs, 256, 500);
        for (int i = 0; i < n; i++) {
            if (!evs[i].data.ptr)
                accept_all();
            else
                peer_step(evs[i].data.ptr);
        }
    }
    fprintf(stderr, "echo_backend: %llu connections, %llu bytes echoed\n", accepted, echoed);
    return 0;
}
