/* ward tunnel: the command. Reads the configuration (a file, or the
 * one-service flags), makes the listening sockets, starts the workers
 * (tunnel_loop.c), then waits for signals: SIGTERM / SIGINT stop accepting
 * and drain, SIGHUP reloads the file. Signals are taken with a signalfd in
 * this thread (blocked in every thread), so no work runs in a handler. */
#define _GNU_SOURCE
#include "tunnel_int.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

void tunnel_usage(FILE *out)
{
    fputs("Usage: ward tunnel --config FILE [--check] [--workers N] [-q]\n"
          "       ward tunnel --accept ADDR --connect ADDR (--tls-accept | --tls-connect)\n"
          "                   [options]\n"
          "\n"
          "A TLS tunnel: accept TLS and forward plaintext to a backend (--tls-accept,\n"
          "server mode), or accept plaintext and connect with TLS (--tls-connect,\n"
          "client mode), optionally with a STARTTLS dialogue on the TLS side.\n"
          "Workers (threads, one per core by default) each run one event loop.\n"
          "\n"
          "  --config FILE          the services, one [section] each (format below)\n"
          "  --check                load and build the configuration, report, exit\n"
          "  --workers N            worker threads (default: one per core)\n"
          "  -q, --quiet            no information lines (the listening lines and the\n"
          "                         one line per connection are always printed)\n"
          "\n",
          out);
    fputs(tunnel_config_help, out);
    fputs("\n"
          "Each connection leaves one line on stderr when it ends:\n"
          "  ward: tunnel SERVICE PEER sni=NAME version=1.3 suite=NAME group=NAME alpn=X\n"
          "        resumed=no in=BYTES out=BYTES ms=DURATION time=START end=REASON\n"
          "(in: plaintext from the client, out: to it). Reasons: closed, client-reset,\n"
          "backend-reset, backend-refused, handshake-failed: WHY, starttls-failed: WHY,\n"
          "injection: WHY, timeout-handshake, timeout-idle, limit, shutdown.\n"
          "\n"
          "Signals: SIGTERM or SIGINT stop accepting and let live connections finish\n"
          "(at most 30 s); SIGHUP (with --config) re-reads the file: new connections get\n"
          "the new services, live ones keep theirs; a bad file leaves the old one running.\n"
          "Exit status: 0 after a signal or a good --check, 1 on an error, 2 on bad usage.\n",
          out);
}

typedef struct {
    char addr[80];
    char svc_name[64];
    uint16_t svc;
    int kept;  /* the sockets come from the previous table */
    int *fds;  /* one per worker */
} main_listener;

typedef struct {
    const char *path;
    unsigned nworkers;
    tunnel_worker *w;
    tunnel_gen *gen;
    main_listener ml[TUNNEL_MAX_LISTENERS];
    size_t nml;
} tunnel_main_state;

static int any_port(const char *addr)
{
    size_t n = strlen(addr);
    return n >= 2 && strcmp(addr + n - 2, ":0") == 0;
}

/* The listening sockets a generation needs: those of the current table
 * with the same address are kept, the others made now. 0, or -1 (nothing
 * changed, an error printed). */
static int make_listeners(tunnel_main_state *m, const tunnel_gen *g, main_listener *out,
                          size_t *nout)
{
    size_t n = 0;
    for (size_t k = 0; k < g->cfg.n_svc; k++) {
        const tunnel_service *s = &g->cfg.svc[k];
        for (size_t a = 0; a < s->n_accept && n < TUNNEL_MAX_LISTENERS; a++, n++) {
            main_listener *l = &out[n];
            snprintf(l->addr, sizeof l->addr, "%s", s->accept[a]);
            l->svc = (uint16_t)k;
            l->fds = NULL;
            l->kept = 0;
            snprintf(l->svc_name, sizeof l->svc_name, "%s", s->name);
            /* the same address keeps its sockets (claimed once); port 0
             * (any port) only within the same service */
            for (size_t i = 0; i < m->nml && !l->fds; i++)
                if (!m->ml[i].kept && strcmp(m->ml[i].addr, l->addr) == 0 &&
                    (!any_port(l->addr) || strcmp(m->ml[i].svc_name, s->name) == 0)) {
                    l->fds = m->ml[i].fds;
                    l->kept = 1;
                    m->ml[i].kept = 1; /* its array moves to the new table */
                }
            if (l->fds)
                continue;
            char bound[128], err[300];
            l->fds = calloc(m->nworkers, sizeof *l->fds);
            if (!l->fds ||
                tunnel_listen_n(l->addr, l->fds, m->nworkers, bound, sizeof bound, err,
                                sizeof err) != 0) {
                cli_error("tunnel: %s: %s", s->name, l->fds ? err : "out of memory");
                free(l->fds);
                l->fds = NULL;
                *nout = n;
                return -1;
            }
            cli_log("tunnel %s listening on %s", s->name, bound);
        }
    }
    *nout = n;
    return 0;
}

/* The per-worker view of a listener table. */
static tunnel_lset *worker_set(const main_listener *ml, size_t n, tunnel_gen *g, unsigned wi)
{
    tunnel_lset *set = calloc(1, sizeof *set);
    if (!set)
        return NULL;
    tunnel_gen_ref(g);
    set->gen = g;
    for (size_t i = 0; i < n; i++) {
        set->ls[i].fd = ml[i].fds[wi];
        set->ls[i].svc = ml[i].svc;
        snprintf(set->ls[i].addr, sizeof set->ls[i].addr, "%s", ml[i].addr);
    }
    set->n = n;
    return set;
}

static void post(tunnel_worker *w, tunnel_lset *set, int stop)
{
    for (;;) { /* one reload at a time: the previous set must be taken */
        pthread_mutex_lock(&w->mu);
        if (!set || !w->next_set)
            break;
        pthread_mutex_unlock(&w->mu);
        usleep(1000);
    }
    if (set)
        w->next_set = set;
    if (stop)
        w->stop = 1;
    pthread_mutex_unlock(&w->mu);
    uint64_t one = 1;
    if (write(w->wake, &one, sizeof one) < 0)
        cli_error("tunnel: eventfd: %s", strerror(errno));
}

/* The new table replaces the old: arrays not carried over are freed (their
 * sockets are closed by the workers, which stop polling them first). */
static void adopt_table(tunnel_main_state *m, main_listener *nt, size_t n)
{
    for (size_t i = 0; i < m->nml; i++)
        if (!m->ml[i].kept)
            free(m->ml[i].fds);
    memcpy(m->ml, nt, n * sizeof nt[0]);
    for (size_t i = 0; i < n; i++)
        m->ml[i].kept = 0;
    m->nml = n;
}

static void drop_table(tunnel_main_state *m, main_listener *nt, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!nt[i].kept) {
            for (unsigned k = 0; k < m->nworkers; k++)
                close(nt[i].fds[k]);
            free(nt[i].fds);
        }
    }
    for (size_t i = 0; i < m->nml; i++)
        m->ml[i].kept = 0;
}

static tunnel_gen *load(const char *path, int argc, char **argv)
{
    char err[512];
    tunnel_gen *g = tunnel_gen_alloc();
    if (!g) {
        cli_error("tunnel: out of memory");
        return NULL;
    }
    int r = path ? tunnel_config_load(path, &g->cfg, err, sizeof err)
                 : tunnel_config_from_args(argc, argv, &g->cfg, err, sizeof err);
    if (r != 0 && !path) {
        cli_usage_error("tunnel", "%s", err);
        tunnel_gen_unref(g);
        exit(EXIT_USAGE);
    }
    if (r == 0)
        r = tunnel_gen_build(g, err, sizeof err);
    if (r != 0) {
        cli_error("tunnel: %s", err);
        tunnel_gen_unref(g);
        return NULL;
    }
    return g;
}

static void reload(tunnel_main_state *m)
{
    if (!m->path) {
        cli_log("tunnel: SIGHUP ignored: no --config file to re-read");
        return;
    }
    tunnel_gen *g = load(m->path, 0, NULL);
    if (!g) {
        cli_log("tunnel: %s: reload failed, the previous configuration stays", m->path);
        return;
    }
    static main_listener nt[TUNNEL_MAX_LISTENERS];
    size_t n = 0;
    if (make_listeners(m, g, nt, &n) != 0) {
        drop_table(m, nt, n);
        tunnel_gen_unref(g);
        cli_log("tunnel: %s: reload failed, the previous configuration stays", m->path);
        return;
    }
    tunnel_lset *sets[1024];
    for (unsigned k = 0; k < m->nworkers; k++)
        sets[k] = worker_set(nt, n, g, k);
    for (unsigned k = 0; k < m->nworkers; k++)
        if (!sets[k]) {
            for (unsigned j = 0; j < m->nworkers; j++)
                if (sets[j]) {
                    tunnel_gen_unref(sets[j]->gen);
                    free(sets[j]);
                }
            drop_table(m, nt, n);
            tunnel_gen_unref(g);
            cli_error("tunnel: reload: out of memory");
            return;
        }
    for (unsigned k = 0; k < m->nworkers; k++)
        post(&m->w[k], sets[k], 0);
    adopt_table(m, nt, n);
    tunnel_gen_unref(m->gen);
    m->gen = g;
    cli_log("tunnel: %s: reloaded (%zu service%s)", m->path, g->cfg.n_svc,
            g->cfg.n_svc == 1 ? "" : "s");
}

static int start_worker(tunnel_main_state *m, unsigned k)
{
    tunnel_worker *w = &m->w[k];
    w->idx = k;
    w->ep = epoll_create1(EPOLL_CLOEXEC);
    w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    w->rbuf = malloc(TUNNEL_READ_CHUNK);
    pthread_mutex_init(&w->mu, NULL);
    w->gen = m->gen;
    tunnel_gen_ref(w->gen);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_WAKE};
    if (w->ep < 0 || w->wake < 0 || !w->rbuf ||
        epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake, &ev) != 0) {
        cli_error("tunnel: cannot start a worker: %s", strerror(errno));
        return -1;
    }
    tunnel_lset *set = worker_set(m->ml, m->nml, m->gen, k);
    if (!set)
        return -1;
    w->next_set = set; /* taken by the worker's first wake-up */
    if (pthread_create(&w->th, NULL, tunnel_worker_run, w) != 0) {
        cli_error("tunnel: cannot start a worker thread");
        return -1;
    }
    post(w, NULL, 0);
    return 0;
}

static void stop_workers(tunnel_main_state *m, unsigned started)
{
    for (unsigned k = 0; k < started; k++)
        post(&m->w[k], NULL, 1);
    for (unsigned k = 0; k < started; k++) {
        tunnel_worker *w = &m->w[k];
        pthread_join(w->th, NULL);
        tunnel_gen_unref(w->gen);
        close(w->ep);
        close(w->wake);
        free(w->rbuf);
        tunnel_buf_free(&w->fwd);
        tunnel_buf_free(&w->back);
        pthread_mutex_destroy(&w->mu);
    }
    for (size_t i = 0; i < m->nml; i++)
        free(m->ml[i].fds);
}

/* Wait for signals; 0 after SIGTERM / SIGINT. */
static int signal_loop(tunnel_main_state *m, int sfd)
{
    for (;;) {
        struct signalfd_siginfo si;
        ssize_t n = read(sfd, &si, sizeof si);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != (ssize_t)sizeof si) {
            cli_error("tunnel: signalfd: %s", strerror(errno));
            return EXIT_FAIL;
        }
        if (si.ssi_signo == SIGHUP) {
            reload(m);
            continue;
        }
        cli_info("tunnel: %s: no new connections, draining the live ones",
                 si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM");
        return EXIT_OK;
    }
}

static unsigned default_workers(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

/* Two descriptors per relayed connection: take all the hard limit allows. */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int run(tunnel_main_state *m)
{
    raise_fd_limit();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    /* Blocked before the workers start, so they inherit the mask. */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    int sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sfd < 0) {
        cli_error("tunnel: signalfd: %s", strerror(errno));
        return EXIT_FAIL;
    }
    size_t n = 0;
    static main_listener first[TUNNEL_MAX_LISTENERS];
    if (make_listeners(m, m->gen, first, &n) != 0) {
        drop_table(m, first, n);
        close(sfd);
        return EXIT_FAIL;
    }
    adopt_table(m, first, n);
    m->w = calloc(m->nworkers, sizeof *m->w);
    unsigned started = 0;
    int rc = m->w ? EXIT_OK : EXIT_FAIL;
    while (rc == EXIT_OK && started < m->nworkers) {
        if (start_worker(m, started) != 0)
            rc = EXIT_FAIL;
        else
            started++;
    }
    if (rc == EXIT_OK)
        rc = signal_loop(m, sfd);
    if (m->w)
        stop_workers(m, started);
    free(m->w);
    close(sfd);
    return rc;
}

/* --config, --check, --workers, -q and --help are the command's own; the
 * rest go to tunnel_config_from_args (the one-service flags). */
typedef struct {
    const char *config;
    int check;
    unsigned long workers;
    char **rest;
    int nrest;
} tunnel_args;

static int parse_args(int argc, char **argv, tunnel_args *a)
{
    static const char *cmd = "tunnel";
    a->rest = calloc((size_t)argc + 1, sizeof *a->rest);
    if (!a->rest)
        return -1;
    for (int i = 0; i < argc; i++) {
        const char *v;
        int bad = 0;
        if (cli_opt_flag(argv[i], "--help", "-h")) {
            tunnel_usage(stdout);
            exit(EXIT_OK);
        } else if (cli_opt_flag(argv[i], "--check", NULL)) {
            a->check = 1;
        } else if (cli_opt_flag(argv[i], "--quiet", "-q")) {
            cli_quiet = 1;
        } else if ((v = cli_opt_value(cmd, argc, argv, &i, "--config", NULL, &bad))) {
            a->config = v;
        } else if (!bad && (v = cli_opt_value(cmd, argc, argv, &i, "--workers", NULL, &bad))) {
            if (cli_parse_uint(cmd, "--workers", v, 1024, &a->workers) != 0)
                return -1;
            if (a->workers == 0) {
                cli_usage_error(cmd, "--workers must be at least 1");
                return -1;
            }
        } else if (bad) {
            return -1;
        } else {
            a->rest[a->nrest++] = argv[i];
        }
    }
    if (a->config && a->nrest) {
        cli_usage_error(cmd, "'%s': with --config, the services come from the file",
                        a->rest[0]);
        return -1;
    }
    return 0;
}

int tunnel_main(int argc, char **argv)
{
    tunnel_args a = {0};
    if (parse_args(argc, argv, &a) != 0) {
        free(a.rest);
        return EXIT_USAGE;
    }
    tunnel_main_state m = {.path = a.config};
    m.gen = load(a.config, a.nrest, a.rest);
    free(a.rest);
    if (!m.gen)
        return EXIT_FAIL;
    if (a.check) {
        size_t n = m.gen->cfg.n_svc;
        cli_log("tunnel: %s: ok (%zu service%s)", a.config ? a.config : "flags", n,
                n == 1 ? "" : "s");
        tunnel_gen_unref(m.gen);
        return EXIT_OK;
    }
    m.nworkers = a.workers       ? (unsigned)a.workers
                 : m.gen->cfg.workers ? m.gen->cfg.workers
                                      : default_workers();
    int rc = run(&m);
    tunnel_gen_unref(m.gen);
    return rc;
}
