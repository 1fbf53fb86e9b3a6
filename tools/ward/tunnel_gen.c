/* ward tunnel: configuration generations. A generation is what one load
 * of the configuration made (services, their ward_configs, the backends'
 * addresses); connections hold a reference to the one they started with,
 * so a reload (SIGHUP) never changes a live connection's settings, and the
 * old generation goes when its last connection does. */
#include "tunnel_int.h"

#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The per-service connection counters, by service name, shared by every
 * generation that has that service: a reload keeps counting the
 * connections still open under the old configuration. An entry lives while
 * a generation refers to it (refs, under the lock; generations are freed
 * by whichever thread drops the last reference). */
#define COUNTERS (2 * TUNNEL_MAX_SERVICES)
static struct {
    char name[64];
    unsigned refs;
    atomic_ulong live;
} counters[COUNTERS];
static pthread_mutex_t counters_mu = PTHREAD_MUTEX_INITIALIZER;

static void counter_attach(tunnel_backend *b, const char *name)
{
    int free_i = -1;
    pthread_mutex_lock(&counters_mu);
    for (int i = 0; i < COUNTERS; i++) {
        if (counters[i].refs && strcmp(counters[i].name, name) == 0) {
            free_i = i;
            break;
        }
        if (!counters[i].refs && free_i < 0)
            free_i = i;
    }
    if (free_i >= 0) {
        if (!counters[free_i].refs) {
            snprintf(counters[free_i].name, sizeof counters[free_i].name, "%s", name);
            atomic_store(&counters[free_i].live, 0);
        }
        counters[free_i].refs++;
        b->live = &counters[free_i].live;
        b->shared = 1;
    } else { /* full: this generation counts on its own */
        atomic_init(&b->own_live, 0);
        b->live = &b->own_live;
    }
    pthread_mutex_unlock(&counters_mu);
}

static void counter_detach(tunnel_backend *b)
{
    if (!b->shared)
        return;
    pthread_mutex_lock(&counters_mu);
    for (int i = 0; i < COUNTERS; i++)
        if (b->live == &counters[i].live && counters[i].refs)
            counters[i].refs--;
    pthread_mutex_unlock(&counters_mu);
    b->shared = 0;
}

tunnel_gen *tunnel_gen_alloc(void)
{
    tunnel_gen *g = calloc(1, sizeof *g);
    if (g)
        atomic_init(&g->refs, 1);
    return g;
}

void tunnel_gen_ref(tunnel_gen *g) { atomic_fetch_add(&g->refs, 1); }

void tunnel_gen_unref(tunnel_gen *g)
{
    if (g && atomic_fetch_sub(&g->refs, 1) == 1) {
        for (size_t k = 0; k < TUNNEL_MAX_SERVICES; k++)
            counter_detach(&g->be[k]);
        tunnel_config_free(&g->cfg);
        free(g);
    }
}

/* The backend's addresses, resolved once per generation: a worker never
 * blocks in getaddrinfo. */
static int resolve(const tunnel_service *s, tunnel_backend *b, char *err, size_t errcap)
{
    char host[256], port[16];
    if (!s->connect ||
        cli_parse_hostport("tunnel", s->connect, host, sizeof host, "", port, sizeof port) != 0) {
        snprintf(err, errcap, "[%s] connect: not HOST:PORT", s->name);
        return -1;
    }
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *ai = NULL, *p;
    int r = getaddrinfo(host, port, &hints, &ai);
    if (r != 0) {
        snprintf(err, errcap, "[%s] connect %s: %s", s->name, s->connect, gai_strerror(r));
        return -1;
    }
    b->naddr = 0;
    for (p = ai; p && b->naddr < TUNNEL_MAX_BACKEND_ADDRS; p = p->ai_next) {
        if (p->ai_addrlen > sizeof b->addr[0])
            continue;
        memcpy(&b->addr[b->naddr], p->ai_addr, p->ai_addrlen);
        b->alen[b->naddr++] = p->ai_addrlen;
    }
    freeaddrinfo(ai);
    counter_attach(b, s->name);
    return 0;
}

int tunnel_gen_build(tunnel_gen *g, char *err, size_t errcap)
{
    if (tunnel_config_build(&g->cfg, err, errcap) != 0)
        return -1;
    for (size_t k = 0; k < g->cfg.n_svc; k++) {
        char e[300];
        if (resolve(&g->cfg.svc[k], &g->be[k], e, sizeof e) != 0) {
            if (g->cfg.path)
                snprintf(err, errcap, "%s:%u: %s", g->cfg.path, g->cfg.svc[k].line, e);
            else
                snprintf(err, errcap, "%s", e);
            return -1;
        }
    }
    return 0;
}
