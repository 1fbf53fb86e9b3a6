/* URLs for `ward client` (RFC 3986 §3: scheme "://" authority path).
 * Only what naming a TLS server needs: the scheme, the host (a name, an
 * IPv4 address or an IPv6 literal in brackets, §3.2.2) and the port
 * (§3.2.3); the path, query and fragment are ignored. User information
 * (§3.2.1) is refused rather than silently dropped: a password in a URL
 * given to a TLS client is a mistake worth saying so. */
#include "url.h"

#include "cli.h"

#include <ctype.h>
#include <string.h>

/* The scheme's length if arg starts with `scheme://` (§3.1: ALPHA
 * *( ALPHA / DIGIT / "+" / "-" / "." )), else 0. */
static size_t scheme_len(const char *arg)
{
    size_t i = 0;
    if (!isalpha((unsigned char)arg[0]))
        return 0;
    while (isalnum((unsigned char)arg[i]) || arg[i] == '+' || arg[i] == '-' || arg[i] == '.')
        i++;
    return strncmp(arg + i, "://", 3) == 0 ? i : 0;
}

/* The port of §3.2.3, held to 1..65535. */
static int port_ok(const char *p, size_t n)
{
    unsigned long v = 0;
    if (n == 0 || n > 5)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i]))
            return 0;
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    return v >= 1 && v <= 65535;
}

/* The authority a[0..n): host and optional port into t. */
static int parse_authority(const char *cmd, const char *url, const char *a, size_t n,
                           cli_target *t)
{
    const char *h = a, *pt = NULL;
    size_t hl = n, pl = 0;
    if (memchr(a, '@', n)) {
        cli_usage_error(cmd, "user names in URLs are not supported: '%s'", url);
        return -1;
    }
    if (n > 0 && a[0] == '[') {
        const char *close = memchr(a, ']', n);
        if (!close) {
            cli_usage_error(cmd, "missing ']' after the IPv6 address in '%s'", url);
            return -1;
        }
        h = a + 1;
        hl = (size_t)(close - h);
        size_t rest = n - (size_t)(close + 1 - a);
        if (rest > 0 && close[1] != ':') {
            cli_usage_error(cmd, "expected ':PORT' after ']' in '%s'", url);
            return -1;
        }
        if (rest > 0) {
            pt = close + 2;
            pl = rest - 1;
        }
    } else {
        const char *colon = memchr(a, ':', n);
        if (colon) {
            hl = (size_t)(colon - a);
            pt = colon + 1;
            pl = n - hl - 1;
        }
    }
    if (hl == 0) {
        cli_usage_error(cmd, "missing host in '%s'", url);
        return -1;
    }
    if (hl >= sizeof t->host) {
        cli_usage_error(cmd, "host name too long in '%s' (at most %zu bytes)", url,
                        sizeof t->host - 1);
        return -1;
    }
    if (pt && !port_ok(pt, pl)) {
        cli_usage_error(cmd, "bad port '%.*s' in '%s' (1 to 65535)", (int)(pl > 16 ? 16 : pl), pt,
                        url);
        return -1;
    }
    memcpy(t->host, h, hl);
    t->host[hl] = '\0';
    if (pt) {
        memcpy(t->port, pt, pl);
        t->port[pl] = '\0';
    } else {
        snprintf(t->port, sizeof t->port, "%u", (unsigned)t->scheme->port);
    }
    return 0;
}

static int parse_url(const char *cmd, const char *arg, size_t sl, cli_target *t)
{
    char scheme[32];
    if (sl < sizeof scheme) {
        memcpy(scheme, arg, sl);
        scheme[sl] = '\0';
        t->scheme = ward_scheme_find(scheme);
    }
    if (!t->scheme) {
        cli_usage_error(cmd, "unknown scheme '%.*s' in '%s' (the schemes: ward help client)",
                        (int)(sl > 31 ? 31 : sl), arg, arg);
        return -1;
    }
    const char *a = arg + sl + 3;
    return parse_authority(cmd, arg, a, strcspn(a, "/?#"), t);
}

int cli_parse_target(const char *cmd, const char *arg, const char *starttls, cli_target *t)
{
    memset(t, 0, sizeof *t);
    size_t sl = scheme_len(arg);
    if (starttls) {
        if (sl) {
            cli_usage_error(cmd, "--starttls takes HOST[:PORT], not a URL: '%s'", arg);
            return -1;
        }
        t->scheme = ward_scheme_find(starttls);
        if (!t->scheme) {
            cli_usage_error(cmd, "--starttls: unknown protocol '%s' (the protocols: ward help "
                                 "client)",
                            starttls);
            return -1;
        }
        if (t->scheme->implicit_tls) {
            cli_usage_error(cmd, "--starttls: '%s' is implicit TLS, not STARTTLS: use %s://%s",
                            starttls, t->scheme->scheme, arg);
            return -1;
        }
        char dport[8];
        snprintf(dport, sizeof dport, "%u", (unsigned)t->scheme->port);
        return cli_parse_hostport(cmd, arg, t->host, sizeof t->host, dport, t->port,
                                  sizeof t->port);
    }
    if (sl)
        return parse_url(cmd, arg, sl, t);
    if (strstr(arg, "://")) {
        cli_usage_error(cmd, "bad scheme in '%s'", arg);
        return -1;
    }
    return cli_parse_hostport(cmd, arg, t->host, sizeof t->host, "443", t->port, sizeof t->port);
}
