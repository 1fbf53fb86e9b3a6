/* `ward server` against connection floods: it forks a child per
 * connection, so without a cap a client opening connections (and keeping
 * each alive with a byte now and then) makes as many processes as it
 * likes. The parent caps the live children overall and per source
 * address; each child cuts its handshake and its --www request at an
 * absolute deadline (a byte that trickles in does not extend it) and an
 * echo that stays idle. */
#ifndef WARD_TOOL_CHILDREN_H
#define WARD_TOOL_CHILDREN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

typedef struct {
    unsigned long max_children;   /* --max-children: live children in all */
    unsigned long max_per_source; /* --max-per-source: from one address */
    unsigned long handshake_s;    /* --handshake-timeout: absolute */
    unsigned long request_s;      /* --request-timeout: --www request, absolute */
    unsigned long idle_s;         /* --idle-timeout: no data either way */
} server_limits;

void server_limits_default(server_limits *l);
/* If argv[*i] is one of the options above, take it and its value (advancing
 * *i) and return 1; 0 if it is not; -1 after a usage message. */
int server_limits_opt(const char *cmd, int argc, char **argv, int *i, server_limits *l);
extern const char server_limits_help[];

/* The parent's table of live children and where each came from. */
typedef struct {
    pid_t pid;
    uint8_t addr[16]; /* IPv6, or IPv4 as ::ffff:a.b.c.d */
} child_slot;

typedef struct {
    child_slot *v;
    size_t n, cap;
} child_table;

/* 0, or -1 when out of memory. */
int children_init(child_table *t, const server_limits *l);
void children_free(child_table *t);
/* 1 if a connection from sa may have a child; else 0, after a log line
 * saying which cap it hit. */
int children_admit(const child_table *t, const server_limits *l, const struct sockaddr *sa,
                   const char *peer);
void children_add(child_table *t, pid_t pid, const struct sockaddr *sa);
void children_remove(child_table *t, pid_t pid);

#endif
