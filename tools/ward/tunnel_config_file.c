/* ward tunnel: the configuration file. An ini-like format (docs/tunnel.md):
 *   # or ; comments, blank lines
 *   workers = N                   global keys, before the first section
 *   [NAME]                        a service
 *   key = value                   the flags' names without "--"
 * Bounded: a line is at most TUNNEL_LINE_MAX bytes, the file at most
 * TUNNEL_FILE_MAX, at most TUNNEL_MAX_SERVICES sections. Every problem is
 * reported as "FILE:LINE: problem", naming the key and the value. */
#include "tunnel_config_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define TUNNEL_LINE_MAX 4096
#define TUNNEL_FILE_MAX (1024 * 1024)

typedef struct {
    const char *name;
    tunnel_config *c;
    tunnel_service *cur; /* the open section, or NULL before the first */
    tunnel_svc_state st;
    unsigned workers_line;
    char *err;
    size_t errcap;
} parser;

__attribute__((format(printf, 3, 4)))
static int fail(parser *p, unsigned line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(p->err, p->errcap, "%s:%u: %s", p->name, line, msg);
    return -1;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* A comment after a value starts with # or ; after white space. */
static void cut_comment(char *v)
{
    for (char *q = v; *q; q++)
        if ((*q == '#' || *q == ';') && q > v && (q[-1] == ' ' || q[-1] == '\t')) {
            *q = '\0';
            return;
        }
}

/* The open section is complete: check it as a whole. */
static int end_section(parser *p)
{
    if (!p->cur)
        return 0;
    char msg[900];
    if (tunnel_svc_finish(p->c, p->cur, &p->st, msg, sizeof msg) != 0)
        return fail(p, p->st.bad_line ? p->st.bad_line : p->cur->line, "[%s]: %s",
                    p->cur->name, msg);
    p->c->n_svc++;
    p->cur = NULL;
    return 0;
}

static int section(parser *p, char *s, unsigned line)
{
    size_t n = strlen(s);
    if (n < 2 || s[n - 1] != ']')
        return fail(p, line, "a section header is [NAME], got '%.80s'", s);
    s[n - 1] = '\0';
    char *name = trim(s + 1);
    size_t nl = strlen(name);
    if (nl == 0 || nl >= sizeof p->c->svc[0].name)
        return fail(p, line, "section name '%.80s': 1 to %zu characters", name,
                    sizeof p->c->svc[0].name - 1);
    for (const char *q = name; *q; q++)
        if (!isalnum((unsigned char)*q) && *q != '-' && *q != '_' && *q != '.')
            return fail(p, line, "section name '%.80s': letters, digits, '-', '_', '.' only",
                        name);
    if (end_section(p) != 0)
        return -1;
    for (size_t i = 0; i < p->c->n_svc; i++)
        if (strcmp(p->c->svc[i].name, name) == 0)
            return fail(p, line, "duplicate section [%s] (first on line %u)", name,
                        p->c->svc[i].line);
    if (p->c->n_svc >= TUNNEL_MAX_SERVICES)
        return fail(p, line, "[%s]: more than %d services", name, TUNNEL_MAX_SERVICES);
    p->cur = &p->c->svc[p->c->n_svc];
    tunnel_svc_init(p->cur, name, line);
    memset(&p->st, 0, sizeof p->st);
    return 0;
}

static int global_key(parser *p, const char *key, const char *val, unsigned line)
{
    if (strcmp(key, "workers") != 0) {
        if (tunnel_key_find(key) >= 0)
            return fail(p, line, "%s = %.200s outside a section: service keys go after a "
                        "[NAME] header", key, val);
        return fail(p, line, "unknown key '%.80s' (the only global key is workers)", key);
    }
    if (p->workers_line)
        return fail(p, line, "workers given twice (first on line %u)", p->workers_line);
    char *end = NULL;
    unsigned long w = strtoul(val, &end, 10);
    if (!isdigit((unsigned char)val[0]) || *end || w > 1024)
        return fail(p, line, "workers = %.200s: expects a number from 0 (one per core) to 1024",
                    val);
    p->c->workers = (unsigned)w;
    p->workers_line = line;
    return 0;
}

static int key_value(parser *p, char *s, unsigned line)
{
    char *eq = strchr(s, '=');
    if (!eq)
        return fail(p, line, "expected 'key = value' or '[NAME]', got '%.80s'", s);
    *eq = '\0';
    char *key = trim(s), *val = eq + 1;
    cut_comment(val);
    val = trim(val);
    if (!*key)
        return fail(p, line, "a key is missing before '='");
    if (!p->cur)
        return global_key(p, key, val, line);
    int k = tunnel_key_find(key);
    if (k < 0) {
        if (strcmp(key, "workers") == 0)
            return fail(p, line, "workers is global: put it before the first section");
        return fail(p, line, "[%s]: unknown key '%.80s'", p->cur->name, key);
    }
    char msg[900];
    if (tunnel_svc_set(p->cur, &p->st, k, val, line, msg, sizeof msg) != 0)
        return fail(p, line, "[%s]: %s", p->cur->name, msg);
    return 0;
}

static int parse_line(parser *p, const uint8_t *b, size_t n, unsigned line)
{
    char buf[TUNNEL_LINE_MAX + 1];
    if (n > TUNNEL_LINE_MAX)
        return fail(p, line, "line longer than %d bytes", TUNNEL_LINE_MAX);
    if (memchr(b, '\0', n))
        return fail(p, line, "a NUL byte (not a text file?)");
    memcpy(buf, b, n);
    buf[n] = '\0';
    char *s = trim(buf);
    if (!*s || *s == '#' || *s == ';')
        return 0;
    if (*s == '[')
        return section(p, s, line);
    return key_value(p, s, line);
}

static int parse(parser *p, const uint8_t *b, size_t n)
{
    unsigned line = 0;
    if (n > TUNNEL_FILE_MAX)
        return fail(p, 1, "the file is larger than %d bytes", TUNNEL_FILE_MAX);
    for (size_t off = 0; off < n;) {
        const uint8_t *nl = memchr(b + off, '\n', n - off);
        size_t len = nl ? (size_t)(nl - (b + off)) : n - off;
        if (parse_line(p, b + off, len, ++line) != 0)
            return -1;
        off += len + (nl != NULL);
    }
    if (end_section(p) != 0)
        return -1;
    if (p->c->n_svc == 0)
        return fail(p, line ? line : 1, "no service: a [NAME] section with accept, connect "
                    "and mode");
    return 0;
}

int tunnel_config_parse_buffer(const char *name, const uint8_t *b, size_t n,
                               tunnel_config *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    parser p = {.name = name, .c = out, .err = err, .errcap = errcap};
    out->path = strdup(name);
    if (!out->path) {
        snprintf(err, errcap, "%s: out of memory", name);
        return -1;
    }
    if (parse(&p, b, n) != 0) {
        tunnel_config_free(out); /* the open section too: it is within svc[] */
        return -1;
    }
    return 0;
}

int tunnel_config_load(const char *path, tunnel_config *out, char *err, size_t errcap)
{
    uint8_t *data = NULL;
    size_t len = 0;
    char msg[512];
    memset(out, 0, sizeof *out);
    if (cli_read_small_file(path, TUNNEL_FILE_MAX, &data, &len, msg, sizeof msg) != 0) {
        snprintf(err, errcap, "%s:1: %s", path, msg);
        return -1;
    }
    int rc = tunnel_config_parse_buffer(path, data, len, out, err, errcap);
    free(data);
    return rc;
}
