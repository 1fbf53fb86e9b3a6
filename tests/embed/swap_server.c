/* swap_server: an echo server on libward's public API that swaps its
 * certificate under live connections (issue #18), for
 * tests/interop/test_embed_swap.sh and test_embed_session_store.sh.
 *
 * usage: swap_server PORTFILE CERT KEY [--store DIR] [--tls12]
 *
 * Listens on 127.0.0.1 port 0 (the port goes to PORTFILE) and echoes what
 * each client sends, on one poll loop. On SIGHUP it reads CERT and KEY
 * again into a NEW configuration, uses it for new connections and drops
 * its reference to the old one: connections already made keep theirs.
 * It prints "swapped" (or "swap failed") on stdout. --store keeps TLS 1.2
 * sessions in DIR, one file per session named by the hex ID (the external
 * session store); --tls12 offers TLS 1.2 only, without tickets. SIGTERM
 * ends it cleanly: every connection and configuration freed. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ward/ward.h"

#define MAX_CLIENTS 32

typedef struct {
    int fd;
    ward_conn *c;
    uint8_t pend[4096]; /* echo not yet written (ward_fd_write: same buf again) */
    size_t pend_len;
} client;

static volatile sig_atomic_t got_hup, got_term;
static const char *store_dir;
static int tls12_only;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        got_hup = 1;
    else
        got_term = 1;
}

/* ---- the external session store: DIR/<hex id> ---- */
static int id_path(char *p, size_t cap, const uint8_t *id, size_t id_len)
{
    int n = snprintf(p, cap, "%s/", store_dir);
    for (size_t i = 0; i < id_len && n > 0 && (size_t)n + 3 < cap; i++)
        n += snprintf(p + n, cap - (size_t)n, "%02x", id[i]);
    return n > 0 && (size_t)n + 3 < cap;
}

static int dir_store(void *arg, const uint8_t *id, size_t id_len, const uint8_t *d, size_t len)
{
    char p[512], tmp[520];
    if (!id_path(p, sizeof p, id, id_len))
        return -1;
    snprintf(tmp, sizeof tmp, "%s.tmp", p);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600); /* it holds a master secret */
    if (fd < 0)
        return -1;
    int ok = write(fd, d, len) == (ssize_t)len;
    ok = close(fd) == 0 && ok;
    return ok && rename(tmp, p) == 0 ? 0 : -1; /* whole or not at all */
}

static size_t dir_lookup(void *arg, const uint8_t *id, size_t id_len, uint8_t *out, size_t cap)
{
    char p[512];
    if (!id_path(p, sizeof p, id, id_len))
        return 0;
    int fd = open(p, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, out, cap);
    close(fd);
    printf("store lookup %s\n", n > 0 ? "hit" : "miss");
    fflush(stdout);
    return n > 0 ? (size_t)n : 0;
}

static void dir_remove(void *arg, const uint8_t *id, size_t id_len)
{
    char p[512];
    if (id_path(p, sizeof p, id, id_len))
        unlink(p);
}

static ward_config *make_config(const char *cert, const char *key)
{
    ward_config *cfg = ward_config_new_server();
    if (!cfg)
        return NULL;
    ward_err e = ward_config_set_cert_files(cfg, cert, key);
    if (e == WARD_OK && tls12_only) {
        e = ward_config_set_versions(cfg, WARD_TLS12, WARD_TLS12);
        if (e == WARD_OK)
            e = ward_config_set_tickets(cfg, 0, 7200);
    }
    if (e == WARD_OK && store_dir) {
        ward_session_store st = {dir_store, dir_lookup, dir_remove, NULL};
        e = ward_config_set_session_store(cfg, &st);
    }
    if (e != WARD_OK) {
        fprintf(stderr, "swap_server: configuration: %s\n", ward_err_str(e));
        ward_config_free(cfg);
        return NULL;
    }
    return cfg;
}

static void drop(client *cl)
{
    ward_conn_free(cl->c);
    close(cl->fd);
    memset(cl, 0, sizeof *cl);
    cl->fd = -1;
}

/* Move one client on; 0 when it is over. */
static int serve(client *cl)
{
    ward_err e;
    if (ward_conn_state(cl->c) == WARD_STATE_HANDSHAKING) {
        e = ward_fd_handshake(cl->c, cl->fd);
        if (e != WARD_OK)
            return e == WARD_WANT_READ || e == WARD_WANT_WRITE;
    }
    for (;;) {
        if (cl->pend_len) {
            e = ward_fd_write(cl->c, cl->fd, cl->pend, cl->pend_len);
            if (e == WARD_WANT_WRITE)
                return 1;
            if (e != WARD_OK)
                return 0;
            cl->pend_len = 0;
        }
        size_t n = 0;
        e = ward_fd_read(cl->c, cl->fd, cl->pend, sizeof cl->pend, &n);
        if (e == WARD_WANT_READ)
            return 1;
        if (e != WARD_OK || n == 0)
            return 0;
        cl->pend_len = n;
    }
}

static int listen_on(const char *portfile)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0 || listen(s, 16) != 0 ||
        getsockname(s, (struct sockaddr *)&a, &al) != 0)
        return -1;
    FILE *f = fopen(portfile, "w");
    if (!f)
        return -1;
    fprintf(f, "%d\n", ntohs(a.sin_port));
    fclose(f);
    fcntl(s, F_SETFL, O_NONBLOCK);
    return s;
}

static void accept_one(int ls, client *cls, ward_config *cfg)
{
    int fd = accept(ls, NULL, NULL);
    if (fd < 0)
        return;
    for (size_t i = 0; i < MAX_CLIENTS; i++) {
        if (cls[i].fd < 0) {
            fcntl(fd, F_SETFL, O_NONBLOCK);
            cls[i].fd = fd;
            cls[i].c = ward_conn_new(cfg, NULL); /* holds a reference to cfg */
            if (!cls[i].c || !serve(&cls[i]))
                drop(&cls[i]);
            return;
        }
    }
    close(fd);
}

/* SIGHUP: a new configuration for new connections; the old one lives on
 * in the connections that hold it. */
static ward_config *swap(ward_config *cfg, const char *cert, const char *key)
{
    ward_config *next = make_config(cert, key);
    printf("%s\n", next ? "swapped" : "swap failed");
    fflush(stdout);
    if (!next)
        return cfg;
    ward_config_free(cfg); /* our reference only */
    return next;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: swap_server PORTFILE CERT KEY [--store DIR] [--tls12]\n");
        return 2;
    }
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--store") == 0 && i + 1 < argc)
            store_dir = argv[++i];
        else if (strcmp(argv[i], "--tls12") == 0)
            tls12_only = 1;
        else
            return 2;
    }
    struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: poll wakes */
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    ward_config *cfg = make_config(argv[2], argv[3]);
    int ls = cfg ? listen_on(argv[1]) : -1;
    if (ls < 0)
        return 1;
    client cls[MAX_CLIENTS];
    for (size_t i = 0; i < MAX_CLIENTS; i++)
        cls[i] = (client){.fd = -1};
    while (!got_term) {
        if (got_hup) {
            got_hup = 0;
            cfg = swap(cfg, argv[2], argv[3]);
        }
        struct pollfd pf[MAX_CLIENTS + 1];
        pf[0] = (struct pollfd){.fd = ls, .events = POLLIN};
        for (size_t i = 0; i < MAX_CLIENTS; i++)
            pf[i + 1] = (struct pollfd){.fd = cls[i].fd,
                                        .events = cls[i].pend_len ? POLLOUT : POLLIN};
        if (poll(pf, MAX_CLIENTS + 1, 1000) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (pf[0].revents & POLLIN)
            accept_one(ls, cls, cfg);
        for (size_t i = 0; i < MAX_CLIENTS; i++)
            if (cls[i].fd >= 0 && pf[i + 1].revents && !serve(&cls[i]))
                drop(&cls[i]);
    }
    for (size_t i = 0; i < MAX_CLIENTS; i++)
        if (cls[i].fd >= 0)
            drop(&cls[i]);
    ward_config_free(cfg);
    close(ls);
    return 0;
}
