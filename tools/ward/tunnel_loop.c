/* ward tunnel: a worker, one thread with one epoll set: its own listening
 * sockets (tunnel_listen.c), its connections, a coarse one-second timer,
 * and an eventfd by which the main thread hands it a reload or a stop.
 * Level-triggered throughout (see tunnel_conn.c). */
#define _GNU_SOURCE
#include "tunnel_conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* Under AddressSanitizer the heap is ASan's, and glibc's malloc_trim only
 * walks glibc's own arenas, racing with worker threads as they exit (CI
 * once aborted in __malloc_arena_thread_freeres at the tunnel's SIGTERM):
 * no trimming there. */
#if defined(__SANITIZE_ADDRESS__)
#define TUNNEL_TRIM_HEAP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TUNNEL_TRIM_HEAP 0
#endif
#endif
#ifndef TUNNEL_TRIM_HEAP
#define TUNNEL_TRIM_HEAP 1
#endif

#define ACCEPTS_PER_EVENT 64
#define MAX_EVENTS 256

static void listener_ctl(tunnel_worker *w, int op, size_t i, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.u64 = ((uint64_t)i << 2) | TAG_LISTENER};
    if (epoll_ctl(w->ep, op, w->ls[i].fd, &ev) != 0)
        cli_error("tunnel: epoll_ctl on a listener: %s", strerror(errno));
}

/* Out of descriptors (or memory): stop accepting for a second rather than
 * spin on a listener that stays readable. */
static void pause_listener(tunnel_worker *w, size_t i, int err)
{
    if (!w->ls[i].paused)
        cli_log("tunnel %s: cannot accept on %s: %s (pausing 1 s)",
                w->gen->cfg.svc[w->ls[i].svc].name, w->ls[i].addr, strerror(err));
    w->ls[i].paused = 1;
    listener_ctl(w, EPOLL_CTL_MOD, i, 0);
}

static void on_accept(tunnel_worker *w, size_t i, int all)
{
    for (int k = 0; all || k < ACCEPTS_PER_EVENT; k++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(w->ls[i].fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                pause_listener(w, i, errno);
            return;
        }
        tunnel_conn_accepted(w, fd, w->ls[i].svc, (struct sockaddr *)&ss, sl);
    }
}

static int in_set(const tunnel_listener *ls, size_t n, int fd)
{
    for (size_t i = 0; i < n; i++)
        if (ls[i].fd == fd)
            return 1;
    return 0;
}

/* A reload: close the listeners the new configuration dropped, keep the
 * others (their sockets, so nothing waiting in a backlog is lost), add the
 * new ones, and make the new generation the one new connections get. */
static void apply_set(tunnel_worker *w, tunnel_lset *set)
{
    for (size_t i = 0; i < w->nls; i++)
        if (!in_set(set->ls, set->n, w->ls[i].fd))
            close(w->ls[i].fd);
    size_t old_n = w->nls;
    tunnel_listener old[TUNNEL_MAX_LISTENERS];
    memcpy(old, w->ls, old_n * sizeof old[0]);
    memcpy(w->ls, set->ls, set->n * sizeof set->ls[0]);
    w->nls = set->n;
    for (size_t i = 0; i < w->nls; i++) {
        w->ls[i].paused = 0;
        listener_ctl(w, in_set(old, old_n, w->ls[i].fd) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, i,
                     EPOLLIN);
    }
    tunnel_gen_unref(w->gen);
    w->gen = set->gen;
    free(set);
}

/* SIGTERM: take what already waits in the backlogs, then stop listening. */
static void start_drain(tunnel_worker *w)
{
    for (size_t i = 0; i < w->nls; i++) {
        on_accept(w, i, 1);
        close(w->ls[i].fd);
    }
    w->nls = 0;
    w->draining = 1;
    w->drain_deadline_ms = cli_now_ms() + TUNNEL_GRACE_S * 1000LL;
}

static void on_wake(tunnel_worker *w)
{
    uint64_t v;
    if (read(w->wake, &v, sizeof v) < 0 && errno != EAGAIN)
        cli_error("tunnel: eventfd: %s", strerror(errno));
    pthread_mutex_lock(&w->mu);
    tunnel_lset *set = w->next_set;
    w->next_set = NULL;
    int stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    if (set && !w->draining)
        apply_set(w, set);
    else if (set) {
        tunnel_gen_unref(set->gen);
        free(set);
    }
    if (stop && !w->draining)
        start_drain(w);
}

static void on_second(tunnel_worker *w)
{
    tunnel_conn_sweep(w);
#ifdef __GLIBC__
    /* A worker that went idle gives the heap of its busy time back (glibc
     * keeps freed memory in the thread's arena otherwise), with the queue
     * buffers the library parked for it, which would pin the heap's top.
     * w->trim is set by every new connection (tunnel_life.c): a burst that
     * starts and ends between two ticks counts too. */
    if (w->nconn == 0 && w->trim) {
        w->trim = 0;
        ward_release_thread_buffers();
        if (TUNNEL_TRIM_HEAP)
            malloc_trim(0);
    }
#endif
    for (size_t i = 0; i < w->nls; i++)
        if (w->ls[i].paused) {
            w->ls[i].paused = 0;
            listener_ctl(w, EPOLL_CTL_MOD, i, EPOLLIN);
        }
}

static void dispatch(tunnel_worker *w, const struct epoll_event *ev)
{
    uint64_t d = ev->data.u64;
    switch (d & 3) {
    case TAG_WAKE:
        on_wake(w);
        break;
    case TAG_LISTENER:
        if ((d >> 2) < w->nls)
            on_accept(w, (size_t)(d >> 2), 0);
        break;
    default:
        tunnel_conn_event(w, (tunnel_conn *)(uintptr_t)(d & ~(uint64_t)3), (int)(d & 3),
                          ev->events);
    }
}

void *tunnel_worker_run(void *arg)
{
    tunnel_worker *w = arg;
    struct epoll_event evs[MAX_EVENTS];
    long long base = cli_now_ms(), next_tick = base + 1000;
    w->now_s = 1;
    for (;;) {
        long long now = cli_now_ms();
        int n = epoll_wait(w->ep, evs, MAX_EVENTS, next_tick > now ? (int)(next_tick - now) : 0);
        if (n < 0 && errno != EINTR) {
            cli_error("tunnel: epoll_wait: %s", strerror(errno));
            break;
        }
        for (int i = 0; i < n; i++)
            dispatch(w, &evs[i]);
        tunnel_conn_reap(w);
        now = cli_now_ms();
        if (now >= next_tick) {
            w->now_s = (uint32_t)((now - base) / 1000) + 1;
            next_tick = now + 1000;
            on_second(w);
            tunnel_conn_reap(w);
        }
        if (w->draining && w->nconn == 0)
            break;
        if (w->draining && now > w->drain_deadline_ms) {
            tunnel_conn_end_all(w, "shutdown");
            tunnel_conn_reap(w);
            break;
        }
    }
    return NULL;
}
