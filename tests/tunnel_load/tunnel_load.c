/* tunnel_load: many concurrent TLS client connections from one thread (one
 * epoll loop driving libward's sans-I/O engine), for the load and fault
 * tests of `ward tunnel` and for its benchmark (bench/tunnel/run.sh).
 *
 * usage: tunnel_load --connect HOST:PORT --cafile F [--servername N]
 *            [-n N] [--ramp K] [--timeout S] [--group NAME] MODE
 * MODE is one of
 *   --echo BYTES    N connections; once all are established each sends
 *                   BYTES pseudo-random bytes (seeded by its number) and
 *                   reads BYTES back, comparing every byte; then
 *                   close_notify. [--pace-ms MS]: at most one 16 KiB chunk
 *                   per connection every MS (a run that lasts, for signals).
 *   --idle SECONDS  N connections, handshakes done, held idle; prints
 *                   "ready N" on stdout once all are established, then
 *                   waits SECONDS (0: until SIGTERM/SIGINT).
 *   --handshakes COUNT  COUNT connections in all, N at a time: connect,
 *                   handshake, close_notify, close; prints the rate.
 * At most K handshakes are in progress at once (default 64), so that a
 * burst of connects does not overflow the listener's SYN backlog.
 * Exit status 0 only when every connection did what its mode asks; each
 * failure is counted and the first few are described on stderr. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ward/ward.h"

#define CHUNK 16384
#define MAX_REPORTED 10

enum mode { MODE_NONE, MODE_ECHO, MODE_IDLE, MODE_HANDSHAKES };
enum cstate { C_FREE, C_CONNECTING, C_HANDSHAKE, C_WAIT, C_RUN, C_DONE };

typedef struct {
    int fd;
    enum cstate st;
    unsigned id;
    ward_conn *tls;
    uint64_t sent, recvd;       /* plaintext bytes, echo mode */
    uint64_t gen_send, gen_chk; /* the pseudo-random streams' states */
    uint8_t chk_buf[8];         /* verify stream: bytes left of a word */
    unsigned chk_left;
    uint64_t next_send_ms;      /* pacing */
    int want_out;               /* EPOLLOUT registered */
} conn;

static struct {
    enum mode mode;
    struct sockaddr_storage addr;
    socklen_t addrlen;
    const char *cafile, *servername;
    unsigned n, ramp, timeout_s, pace_ms;
    uint64_t bytes, count;
    unsigned idle_s;
    uint16_t group;
} opt = {.n = 1, .ramp = 64, .timeout_s = 120, .servername = "localhost",
         .group = WARD_GROUP_X25519};

static ward_config *cfg;
static int ep;
static conn *conns;
static unsigned started, established, in_handshake, finished, failures, open_now;
static volatile sig_atomic_t stop_flag;
static int kick; /* every running connection gets a step (all are up) */

__attribute__((format(printf, 2, 3))) static void conn_fail(conn *c, const char *fmt, ...)
{
    failures++;
    if (failures <= MAX_REPORTED) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "tunnel_load: connection %u: ", c->id);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* xorshift64*: a cheap stream both ends of the comparison can replay. */
static uint64_t next_word(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

static uint64_t seed_of(unsigned id)
{
    return 0x9E3779B97F4A7C15ULL * (id + 1) | 1;
}

static void set_events(conn *c, int want_out)
{
    if (c->want_out == want_out)
        return;
    struct epoll_event ev = {.events = EPOLLIN | (want_out ? EPOLLOUT : 0u), .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = want_out;
}

static void conn_close(conn *c)
{
    if (c->st == C_HANDSHAKE || c->st == C_CONNECTING)
        in_handshake--;
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    ward_conn_free(c->tls);
    c->tls = NULL;
    c->fd = -1;
    c->st = C_DONE;
    open_now--;
}

static int conn_open(conn *c, unsigned id)
{
    memset(c, 0, sizeof *c);
    c->id = id;
    c->fd = socket(opt.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        c->st = C_DONE;
        conn_fail(c, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->tls = ward_conn_new(cfg, opt.servername);
    c->gen_send = c->gen_chk = seed_of(id);
    c->st = C_CONNECTING;
    open_now++;
    in_handshake++;
    started++;
    if (!c->tls) {
        conn_fail(c, "ward_conn_new failed");
        conn_close(c);
        return -1;
    }
    if (connect(c->fd, (struct sockaddr *)&opt.addr, opt.addrlen) < 0 && errno != EINPROGRESS) {
        conn_fail(c, "connect: %s", strerror(errno));
        conn_close(c);
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    c->want_out = 1;
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    return 0;
}

/* Send what the engine has queued; -1 on a socket error. */
static int flush_out(conn *c)
{
    for (;;) {
        size_t len;
        const uint8_t *p = ward_conn_output(c->tls, &len);
        if (len == 0) {
            set_events(c, 0);
            return 0;
        }
        ssize_t w = send(c->fd, p, len, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                set_events(c, 1);
                return 0;
            }
            conn_fail(c, "send: %s", strerror(errno));
            return -1;
        }
        ward_conn_output_done(c->tls, (size_t)w);
    }
}

/* Compare what came back with the replayed stream. */
static int check_echo(conn *c)
{
    for (;;) {
        size_t len;
        const uint8_t *p = ward_conn_read_view(c->tls, &len);
        if (len == 0)
            return 0;
        for (size_t i = 0; i < len; i++) {
            if (c->chk_left == 0) {
                uint64_t w = next_word(&c->gen_chk);
                memcpy(c->chk_buf, &w, 8);
                c->chk_left = 8;
            }
            uint8_t want = c->chk_buf[8 - c->chk_left--];
            if (c->recvd >= opt.bytes) {
                conn_fail(c, "more bytes came back than were sent");
                return -1;
            }
            if (p[i] != want) {
                conn_fail(c, "byte %llu differs (sent 0x%02x, got 0x%02x)",
                          (unsigned long long)c->recvd, want, p[i]);
                return -1;
            }
            c->recvd++;
        }
        ward_conn_read_done(c->tls, len);
    }
}

/* Queue more of the stream while the engine's output is small. */
static void fill_echo(conn *c, uint64_t now)
{
    uint8_t buf[CHUNK];
    size_t pending;
    while (c->sent < opt.bytes) {
        ward_conn_output(c->tls, &pending);
        if (pending > 2 * CHUNK)
            return;
        if (opt.pace_ms && now < c->next_send_ms)
            return;
        size_t n = opt.bytes - c->sent < CHUNK ? (size_t)(opt.bytes - c->sent) : CHUNK;
        for (size_t i = 0; i < n; i += 8) {
            uint64_t w = next_word(&c->gen_send);
            memcpy(buf + i, &w, n - i < 8 ? n - i : 8);
        }
        if (ward_conn_write(c->tls, buf, n) != WARD_OK)
            return;
        c->sent += n;
        c->next_send_ms = now + opt.pace_ms;
    }
}

static void became_established(conn *c)
{
    in_handshake--;
    established++;
    if (opt.mode == MODE_HANDSHAKES) {
        c->st = C_RUN;
        ward_conn_close(c->tls);
        flush_out(c);
        finished++;
        conn_close(c);
        return;
    }
    c->st = (opt.mode == MODE_ECHO && established < opt.n) ? C_WAIT : C_RUN;
    if (opt.mode == MODE_ECHO && established == opt.n) {
        /* all are up: start every waiting connection */
        for (unsigned i = 0; i < opt.n; i++)
            if (conns[i].st == C_WAIT)
                conns[i].st = C_RUN;
        kick = 1;
    }
}

/* Everything a connection does when its socket is ready (or on a tick). */
static void conn_step(conn *c, uint32_t events, uint64_t now)
{
    if (c->st == C_CONNECTING) {
        int err = 0;
        socklen_t l = sizeof err;
        if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
            return;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
        if (err) {
            conn_fail(c, "connect: %s", strerror(err));
            conn_close(c);
            return;
        }
        c->st = C_HANDSHAKE;
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        uint8_t buf[CHUNK + 512];
        for (;;) {
            ssize_t r = recv(c->fd, buf, sizeof buf, 0);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0 && errno == EAGAIN)
                break;
            if (r <= 0) {
                if (r < 0)
                    conn_fail(c, "recv: %s", strerror(errno));
                else if (c->st == C_HANDSHAKE)
                    conn_fail(c, "the peer closed during the handshake");
                else if (opt.mode == MODE_ECHO && c->recvd < opt.bytes)
                    conn_fail(c, "the peer closed after %llu of %llu bytes",
                              (unsigned long long)c->recvd, (unsigned long long)opt.bytes);
                else if (opt.mode == MODE_IDLE)
                    conn_fail(c, "the peer closed an idle connection");
                conn_close(c);
                return;
            }
            if (ward_conn_recv(c->tls, buf, (size_t)r) != WARD_OK) {
                conn_fail(c, "TLS: %s", ward_conn_error_message(c->tls));
                flush_out(c);
                conn_close(c);
                return;
            }
            if ((size_t)r < sizeof buf)
                break;
        }
    }
    if (c->st == C_HANDSHAKE && ward_conn_state(c->tls) == WARD_STATE_ESTABLISHED) {
        became_established(c);
        if (c->st == C_DONE)
            return;
    }
    if (c->st == C_RUN || c->st == C_WAIT) {
        if (check_echo(c) < 0) {
            conn_close(c);
            return;
        }
        if (ward_conn_peer_closed(c->tls) && !(opt.mode == MODE_ECHO && c->recvd == opt.bytes)) {
            conn_fail(c, "close_notify before the end");
            conn_close(c);
            return;
        }
    }
    if (c->st == C_RUN && opt.mode == MODE_ECHO) {
        fill_echo(c, now);
        if (c->recvd == opt.bytes) {
            ward_conn_close(c->tls);
            flush_out(c);
            finished++;
            conn_close(c);
            return;
        }
    }
    if (flush_out(c) < 0)
        conn_close(c);
}

static int parse_addr(const char *s)
{
    char host[256];
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof host)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    int port = atoi(colon + 1);
    char *h = host;
    if (h[0] == '[') {
        h++;
        h[strlen(h) - 1] = 0;
    }
    struct sockaddr_in *a4 = (struct sockaddr_in *)&opt.addr;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&opt.addr;
    if (inet_pton(AF_INET, h, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        opt.addrlen = sizeof *a4;
    } else if (inet_pton(AF_INET6, h, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        opt.addrlen = sizeof *a6;
    } else {
        return -1;
    }
    return port > 0 && port < 65536 ? 0 : -1;
}

static void usage(void)
{
    fprintf(stderr, "usage: tunnel_load --connect HOST:PORT --cafile F [--servername N] [-n N]\n"
                    "         [--ramp K] [--timeout S] [--group x25519|secp256r1|x25519mlkem768]\n"
                    "         (--echo BYTES [--pace-ms MS] | --idle SECONDS | --handshakes COUNT)\n");
    exit(2);
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--connect")) {
            if (parse_addr(v) < 0)
                usage();
        } else if (!strcmp(a, "--cafile")) {
            opt.cafile = v;
        } else if (!strcmp(a, "--servername")) {
            opt.servername = v;
        } else if (!strcmp(a, "-n")) {
            opt.n = (unsigned)strtoul(v, NULL, 10);
        } else if (!strcmp(a, "--ramp")) {
            opt.ramp = (unsigned)strtoul(v, NULL, 10);
        } else if (!strcmp(a, "--timeout")) {
            opt.timeout_s = (unsigned)strtoul(v, NULL, 10);
        } else if (!strcmp(a, "--pace-ms")) {
            opt.pace_ms = (unsigned)strtoul(v, NULL, 10);
        } else if (!strcmp(a, "--group")) {
            opt.group = !strcmp(v, "secp256r1")        ? WARD_GROUP_SECP256R1
                        : !strcmp(v, "x25519mlkem768") ? WARD_GROUP_X25519MLKEM768
                                                       : WARD_GROUP_X25519;
        } else if (!strcmp(a, "--echo")) {
            opt.mode = MODE_ECHO;
            opt.bytes = strtoull(v, NULL, 10);
        } else if (!strcmp(a, "--idle")) {
            opt.mode = MODE_IDLE;
            opt.idle_s = (unsigned)strtoul(v, NULL, 10);
        } else if (!strcmp(a, "--handshakes")) {
            opt.mode = MODE_HANDSHAKES;
            opt.count = strtoull(v, NULL, 10);
        } else {
            usage();
        }
    }
    if (opt.mode == MODE_NONE || !opt.addrlen || !opt.cafile || opt.n == 0 || opt.ramp == 0)
        usage();
    if (opt.mode == MODE_HANDSHAKES && opt.count == 0)
        usage();
}

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static int setup(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    cfg = ward_config_new_client();
    uint16_t g = opt.group;
    if (!cfg || ward_config_set_cafile(cfg, opt.cafile) != WARD_OK ||
        ward_config_set_groups(cfg, &g, 1) != WARD_OK ||
        ward_config_set_key_share_groups(cfg, &g, 1) != WARD_OK) {
        fprintf(stderr, "tunnel_load: bad configuration (cafile %s)\n", opt.cafile);
        return -1;
    }
    ward_config_set_ocsp(cfg, WARD_OCSP_OFF);
    ep = epoll_create1(EPOLL_CLOEXEC);
    /* slots: N for echo and idle, N reused ones for the handshake loop */
    conns = calloc(opt.n, sizeof *conns);
    if (ep < 0 || !conns)
        return -1;
    for (unsigned i = 0; i < opt.n; i++)
        conns[i].st = C_FREE;
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* Start connections while the ramp allows: each slot once (echo, idle),
 * or again and again until COUNT were started (handshakes). */
static void start_more(void)
{
    for (unsigned i = 0; i < opt.n && in_handshake < opt.ramp; i++) {
        conn *c = &conns[i];
        if (c->st == C_FREE || (opt.mode == MODE_HANDSHAKES && c->st == C_DONE &&
                                started < opt.count))
            conn_open(c, started);
    }
}

static int all_done(void)
{
    if (opt.mode == MODE_HANDSHAKES)
        return started >= opt.count && open_now == 0;
    return started == opt.n && open_now == 0;
}

int main(int argc, char **argv)
{
    parse_args(argc, argv);
    if (setup() < 0)
        return 2;
    uint64_t t0 = now_ms(), deadline = t0 + (uint64_t)opt.timeout_s * 1000, idle_end = 0;
    int ready_said = 0;
    struct epoll_event evs[256];
    while (!stop_flag) {
        start_more();
        uint64_t now = now_ms();
        if (opt.mode == MODE_IDLE && !ready_said && established + failures >= opt.n) {
            printf("ready %u\n", established);
            fflush(stdout);
            ready_said = 1;
            idle_end = opt.idle_s ? now + (uint64_t)opt.idle_s * 1000 : 0;
            if (failures)
                break;
        }
        if (opt.mode == MODE_IDLE && ready_said && idle_end && now >= idle_end)
            break;
        if (opt.mode != MODE_IDLE && all_done())
            break;
        if (!(opt.mode == MODE_IDLE && ready_said) && now > deadline) {
            fprintf(stderr, "tunnel_load: timed out after %u s\n", opt.timeout_s);
            break;
        }
        int n = epoll_wait(ep, evs, 256, opt.pace_ms ? (int)opt.pace_ms : 100);
        now = now_ms();
        for (int i = 0; i < n; i++)
            conn_step(evs[i].data.ptr, evs[i].events, now);
        if (opt.pace_ms || kick) /* paced senders wake on the clock */
            for (unsigned i = 0; i < opt.n; i++)
                if (conns[i].st == C_RUN)
                    conn_step(&conns[i], 0, now);
        kick = 0;
    }
    double secs = (double)(now_ms() - t0) / 1000.0;
    unsigned expected = opt.mode == MODE_HANDSHAKES ? (unsigned)opt.count : opt.n;
    unsigned ok = opt.mode == MODE_IDLE ? established : finished;
    unsigned left = open_now;
    if (opt.mode == MODE_IDLE)
        for (unsigned i = 0; i < opt.n; i++)
            if (conns[i].st == C_RUN)
                conn_close(&conns[i]);
    fprintf(stderr,
            "tunnel_load: %u of %u connections ok, %u failed, %u unfinished, %.3f s",
            ok, expected, failures, opt.mode == MODE_IDLE ? 0 : left, secs);
    if (opt.mode == MODE_HANDSHAKES)
        fprintf(stderr, ", %.1f handshakes/s", secs > 0 ? finished / secs : 0.0);
    if (opt.mode == MODE_ECHO)
        fprintf(stderr, ", %llu bytes each way each, every byte compared",
                (unsigned long long)opt.bytes);
    fputc('\n', stderr);
    for (unsigned i = 0; i < opt.n; i++)
        if (conns[i].st != C_FREE && conns[i].st != C_DONE)
            conn_close(&conns[i]);
    free(conns);
    ward_config_free(cfg);
    close(ep);
    return failures == 0 && ok == expected ? 0 : 1;
}
