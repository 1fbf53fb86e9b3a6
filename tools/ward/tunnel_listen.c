/* ward tunnel: listening sockets, one per worker and address.
 *
 * Each worker has its own socket per accept address, all bound to the same
 * port with SO_REUSEPORT: the kernel spreads new connections over the
 * workers by a hash of the 4-tuple, so no worker wakes for a connection
 * another takes (a shared socket with EPOLLEXCLUSIVE still wakes one
 * waiter per event and tends to pile connections on the last one to
 * sleep). The main thread makes them all, so that port 0 resolves to one
 * port for every worker, and so that a reload can fail before any worker
 * sees it. */
#define _GNU_SOURCE
#include "tunnel_int.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

static int listen_one(const struct sockaddr *sa, socklen_t len, char *err, size_t errcap)
{
    int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errcap, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    if (sa->sa_family == AF_INET6)
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, sa, len) != 0 || listen(fd, 4096) != 0) {
        snprintf(err, errcap, "cannot listen: %s", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void set_port(struct sockaddr *sa, const struct sockaddr *from)
{
    if (sa->sa_family == AF_INET)
        ((struct sockaddr_in *)sa)->sin_port = ((const struct sockaddr_in *)from)->sin_port;
    else
        ((struct sockaddr_in6 *)sa)->sin6_port = ((const struct sockaddr_in6 *)from)->sin6_port;
}

int tunnel_listen_n(const char *addr, int *fds, unsigned n, char *bound, size_t boundcap,
                    char *err, size_t errcap)
{
    char host[256], port[16];
    if (cli_parse_hostport("tunnel", addr, host, sizeof host, "", port, sizeof port) != 0) {
        snprintf(err, errcap, "%s: not HOST:PORT", addr);
        return -1;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_NUMERICHOST};
    struct addrinfo *ai = NULL;
    int r = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
    if (r != 0) {
        snprintf(err, errcap, "%s: %s", addr, gai_strerror(r));
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t len = ai->ai_addrlen;
    memcpy(&ss, ai->ai_addr, len);
    freeaddrinfo(ai);
    for (unsigned i = 0; i < n; i++) {
        char e[200];
        fds[i] = listen_one((struct sockaddr *)&ss, len, e, sizeof e);
        if (fds[i] < 0) {
            snprintf(err, errcap, "%s: %s", addr, e);
            while (i > 0)
                close(fds[--i]);
            return -1;
        }
        if (i == 0) {
            struct sockaddr_storage got;
            socklen_t glen = sizeof got;
            if (getsockname(fds[0], (struct sockaddr *)&got, &glen) == 0) {
                set_port((struct sockaddr *)&ss, (struct sockaddr *)&got);
                net_addr_str((struct sockaddr *)&got, glen, bound, boundcap);
            } else {
                snprintf(bound, boundcap, "%s", addr);
            }
        }
    }
    return 0;
}
