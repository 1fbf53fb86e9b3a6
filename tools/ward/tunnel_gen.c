/* ward tunnel: configuration generations. A generation is what one load
 * of the configuration made (services, their ward_configs, the backends'
 * addresses); connections hold a reference to the one they started with,
 * so a reload (SIGHUP) never changes a live connection's settings, and the
 * old generation goes when its last connection does. */
#include "tunnel_int.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>

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
    atomic_init(&b->live, 0);
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
