/* The caps on `ward server`'s children and its deadlines (children.h). */
#include "children.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_CHILDREN_LIMIT 65536UL
#define TIMEOUT_LIMIT 86400UL

void server_limits_default(server_limits *l)
{
    l->max_children = 256;
    l->max_per_source = 16;
    l->handshake_s = 10;
    l->request_s = 60;
    l->idle_s = 300;
}

const char server_limits_help[] =
    "Against floods (a child process per connection):\n"
    "  --max-children N       at most N connections at once (default 256); more\n"
    "                         are closed at once, with a log line\n"
    "  --max-per-source N     at most N at once from one address (default 16)\n"
    "  --handshake-timeout S  the handshake must end within S seconds (default 10)\n"
    "  --request-timeout S    --www: the request must be complete within S seconds\n"
    "                         of the handshake's end (default 60)\n"
    "  --idle-timeout S       close a connection with no data either way for S\n"
    "                         seconds (default 300)\n"
    "                         (the handshake and request deadlines are absolute:\n"
    "                         bytes that trickle in do not extend them)\n";

int server_limits_opt(const char *cmd, int argc, char **argv, int *i, server_limits *l)
{
    static const struct {
        const char *name;
        size_t off;
        unsigned long max;
    } opts[] = {
        {"--max-children", offsetof(server_limits, max_children), MAX_CHILDREN_LIMIT},
        {"--max-per-source", offsetof(server_limits, max_per_source), MAX_CHILDREN_LIMIT},
        {"--handshake-timeout", offsetof(server_limits, handshake_s), TIMEOUT_LIMIT},
        {"--request-timeout", offsetof(server_limits, request_s), TIMEOUT_LIMIT},
        {"--idle-timeout", offsetof(server_limits, idle_s), TIMEOUT_LIMIT},
    };
    for (size_t k = 0; k < sizeof opts / sizeof opts[0]; k++) {
        int bad = 0;
        const char *v = cli_opt_value(cmd, argc, argv, i, opts[k].name, NULL, &bad);
        if (bad)
            return -1;
        if (!v)
            continue;
        unsigned long *field = (unsigned long *)((char *)l + opts[k].off);
        if (cli_parse_uint(cmd, opts[k].name, v, opts[k].max, field) != 0)
            return -1;
        if (*field == 0) {
            cli_usage_error(cmd, "%s must be at least 1", opts[k].name);
            return -1;
        }
        return 1;
    }
    return 0;
}

int children_init(child_table *t, const server_limits *l)
{
    t->n = 0;
    t->cap = l->max_children;
    t->v = calloc(t->cap, sizeof *t->v);
    return t->v ? 0 : -1;
}

void children_free(child_table *t)
{
    free(t->v);
    t->v = NULL;
    t->n = t->cap = 0;
}

/* An address as 16 bytes: IPv4 mapped into IPv6 (::ffff:a.b.c.d), so that
 * a dual-stack listener counts one client once. */
static void addr_key(const struct sockaddr *sa, uint8_t out[16])
{
    memset(out, 0, 16);
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &in->sin_addr, 4);
    } else if (sa->sa_family == AF_INET6) {
        memcpy(out, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    }
}

/* "1.2.3.4:5678" or "[::1]:5678" without the port. */
static void peer_host(const char *peer, char *out, size_t cap)
{
    const char *colon = strrchr(peer, ':');
    size_t n = colon ? (size_t)(colon - peer) : strlen(peer);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, peer, n);
    out[n] = '\0';
}

int children_admit(const child_table *t, const server_limits *l, const struct sockaddr *sa,
                   const char *peer)
{
    if (t->n >= l->max_children) {
        cli_log("%s refused: %zu connections already open (--max-children %lu)", peer, t->n,
                l->max_children);
        return 0;
    }
    uint8_t key[16];
    addr_key(sa, key);
    unsigned long same = 0;
    for (size_t k = 0; k < t->n; k++)
        same += memcmp(t->v[k].addr, key, 16) == 0;
    if (same >= l->max_per_source) {
        char host[128];
        peer_host(peer, host, sizeof host);
        cli_log("%s refused: %lu connections from %s already open (--max-per-source %lu)", peer,
                same, host, l->max_per_source);
        return 0;
    }
    return 1;
}

void children_add(child_table *t, pid_t pid, const struct sockaddr *sa)
{
    if (t->n >= t->cap) /* children_admit keeps n under the cap */
        return;
    t->v[t->n].pid = pid;
    addr_key(sa, t->v[t->n].addr);
    t->n++;
}

void children_remove(child_table *t, pid_t pid)
{
    for (size_t k = 0; k < t->n; k++)
        if (t->v[k].pid == pid) {
            t->v[k] = t->v[--t->n];
            return;
        }
}
