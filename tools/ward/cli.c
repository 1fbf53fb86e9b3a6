/* Option parsing and printing shared by the ward commands. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int cli_quiet = 0;

__attribute__((format(printf, 2, 0)))
static void vline(const char *prefix, const char *fmt, va_list ap)
{
    char line[2048];
    int n = snprintf(line, sizeof line, "ward: %s", prefix);
    if (n < 0)
        return;
    int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    if (m < 0)
        return;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    const char *p = line;
    while (len > 0) {
        ssize_t w = write(STDERR_FILENO, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        len -= (size_t)w;
    }
}

void cli_info(const char *fmt, ...)
{
    if (cli_quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vline("", fmt, ap);
    va_end(ap);
}

void cli_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline("", fmt, ap);
    va_end(ap);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline("error: ", fmt, ap);
    va_end(ap);
}

void cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s: ", cmd);
    va_list ap;
    va_start(ap, fmt);
    vline(prefix, fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try 'ward %s --help'.\n", cmd);
}

/* ---- options ---- */

int cli_opt_flag(const char *arg, const char *name, const char *shortname)
{
    return strcmp(arg, name) == 0 || (shortname && strcmp(arg, shortname) == 0);
}

const char *cli_opt_value(const char *cmd, int argc, char **argv, int *i, const char *name,
                          const char *shortname, int *bad)
{
    const char *a = argv[*i];
    size_t nl = strlen(name);
    if (strncmp(a, name, nl) == 0 && a[nl] == '=')
        return a + nl + 1;
    if (strcmp(a, name) != 0 && !(shortname && strcmp(a, shortname) == 0))
        return NULL;
    if (*i + 1 >= argc) {
        cli_usage_error(cmd, "option %s needs a value", a);
        *bad = 1;
        return NULL;
    }
    *i += 1;
    return argv[*i];
}

/* Split a comma-separated list into trimmed, non-empty items; calls
 * fn(item) for each. Returns -1 if fn fails or the list is empty or too long. */
typedef int (*item_fn)(const char *cmd, const char *what, const char *item, void *out);

static int split_list(const char *cmd, const char *what, const char *arg, item_fn fn,
                      void *out, size_t *count)
{
    char *copy = strdup(arg);
    if (!copy) {
        cli_error("out of memory");
        return -1;
    }
    int rc = 0;
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        size_t l = strlen(tok);
        while (l > 0 && isspace((unsigned char)tok[l - 1]))
            tok[--l] = '\0';
        if (l == 0)
            continue;
        if (n >= CLI_MAX_LIST) {
            cli_usage_error(cmd, "too many %s (at most %d)", what, CLI_MAX_LIST);
            rc = -1;
            break;
        }
        if (fn(cmd, what, tok, out) != 0) {
            rc = -1;
            break;
        }
        n++;
    }
    if (rc == 0 && n == 0) {
        cli_usage_error(cmd, "empty list of %s", what);
        rc = -1;
    }
    free(copy);
    *count = n;
    return rc;
}

static int parse_hex_u16(const char *s, uint16_t *v)
{
    if (!(s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) || !s[2])
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long x = strtoul(s + 2, &end, 16);
    if (errno || *end || x > 0xffff)
        return -1;
    *v = (uint16_t)x;
    return 0;
}

static const struct {
    const char *name;
    uint16_t id;
} group_names[] = {
    {"x25519", WARD_GROUP_X25519},
    {"secp256r1", WARD_GROUP_SECP256R1},
    {"P-256", WARD_GROUP_SECP256R1},
    {"P256", WARD_GROUP_SECP256R1},
    {"prime256v1", WARD_GROUP_SECP256R1},
    {"secp384r1", WARD_GROUP_SECP384R1},
    {"P-384", WARD_GROUP_SECP384R1},
    {"P384", WARD_GROUP_SECP384R1},
    {"X25519MLKEM768", WARD_GROUP_X25519MLKEM768},
    {"SecP256r1MLKEM768", WARD_GROUP_SECP256R1MLKEM768},
};

static const struct {
    const char *name;
    uint16_t id;
} suite_names[] = {
    {"TLS_AES_128_GCM_SHA256", WARD_TLS_AES_128_GCM_SHA256},
    {"TLS_AES_256_GCM_SHA384", WARD_TLS_AES_256_GCM_SHA384},
    {"TLS_CHACHA20_POLY1305_SHA256", WARD_TLS_CHACHA20_POLY1305_SHA256},
    {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", WARD_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
    {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", WARD_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384},
    {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", WARD_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256},
    {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", WARD_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384},
    {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
     WARD_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256},
    {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
     WARD_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
    {"TLS_RSA_WITH_AES_128_GCM_SHA256", WARD_TLS_RSA_WITH_AES_128_GCM_SHA256},
    {"TLS_RSA_WITH_AES_256_GCM_SHA384", WARD_TLS_RSA_WITH_AES_256_GCM_SHA384},
};

static int add_u16(cli_u16_list *l, uint16_t v)
{
    l->v[l->n++] = v;
    return 0;
}

static int group_item(const char *cmd, const char *what, const char *item, void *out)
{
    uint16_t v;
    for (size_t i = 0; i < sizeof group_names / sizeof group_names[0]; i++)
        if (strcasecmp(item, group_names[i].name) == 0)
            return add_u16(out, group_names[i].id);
    if (parse_hex_u16(item, &v) == 0)
        return add_u16(out, v);
    cli_usage_error(cmd, "unknown group '%s' (known: X25519MLKEM768, SecP256r1MLKEM768, "
                         "x25519, secp256r1 (P-256), secp384r1 (P-384), or a code like 0x001d)",
                    item);
    return -1;
}

static int suite_item(const char *cmd, const char *what, const char *item, void *out)
{
    uint16_t v;
    for (size_t i = 0; i < sizeof suite_names / sizeof suite_names[0]; i++)
        if (strcasecmp(item, suite_names[i].name) == 0)
            return add_u16(out, suite_names[i].id);
    if (parse_hex_u16(item, &v) == 0)
        return add_u16(out, v);
    cli_usage_error(cmd, "unknown cipher suite '%s' (known: the IANA names of the TLS 1.3 "
                         "suites and of the TLS 1.2 ECDHE and RSA AES-GCM / ChaCha20 suites, "
                         "e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)", item);
    return -1;
}

int cli_parse_groups(const char *cmd, const char *arg, cli_u16_list *out)
{
    out->n = 0;
    size_t n;
    return split_list(cmd, "groups", arg, group_item, out, &n);
}

int cli_parse_suites(const char *cmd, const char *arg, cli_u16_list *out)
{
    out->n = 0;
    size_t n;
    return split_list(cmd, "cipher suites", arg, suite_item, out, &n);
}

static int alpn_item(const char *cmd, const char *what, const char *item, void *out)
{
    cli_str_list *l = out;
    if (strlen(item) > 255) {
        cli_usage_error(cmd, "ALPN protocol name too long (at most 255 bytes)");
        return -1;
    }
    l->v[l->n++] = item;
    return 0;
}

int cli_parse_alpn(const char *cmd, const char *arg, cli_str_list *out)
{
    cli_str_list_free(out);
    /* The items must outlive the call: parse a private copy whose
     * pointers stay valid, by splitting it in place. */
    out->buf = strdup(arg);
    if (!out->buf) {
        cli_error("out of memory");
        return -1;
    }
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(out->buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        size_t l = strlen(tok);
        while (l > 0 && isspace((unsigned char)tok[l - 1]))
            tok[--l] = '\0';
        if (l == 0)
            continue;
        if (n >= CLI_MAX_LIST) {
            cli_usage_error(cmd, "too many ALPN protocols (at most %d)", CLI_MAX_LIST);
            return -1;
        }
        if (alpn_item(cmd, "ALPN protocols", tok, out) != 0)
            return -1;
        n++;
    }
    if (n == 0) {
        cli_usage_error(cmd, "empty list of ALPN protocols");
        return -1;
    }
    return 0;
}

void cli_str_list_free(cli_str_list *l)
{
    free(l->buf);
    l->buf = NULL;
    l->n = 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int cli_parse_pin(const char *cmd, const char *arg, uint8_t pin[32])
{
    const char *p = arg;
    if (strncasecmp(p, "sha256:", 7) != 0) {
        cli_usage_error(cmd, "--pin expects sha256:<64 hex digits>, got '%s'", arg);
        return -1;
    }
    p += 7;
    size_t n = 0;
    int hi = -1;
    for (; *p; p++) {
        if (*p == ':' || *p == ' ')
            continue;
        int v = hexval((unsigned char)*p);
        if (v < 0 || n >= 32) {
            cli_usage_error(cmd, "--pin expects sha256:<64 hex digits>, got '%s'", arg);
            return -1;
        }
        if (hi < 0) {
            hi = v;
        } else {
            pin[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    if (n != 32 || hi >= 0) {
        cli_usage_error(cmd, "--pin expects sha256:<64 hex digits>, got '%s'", arg);
        return -1;
    }
    return 0;
}

static int valid_port(const char *s)
{
    if (!*s || strlen(s) > 5)
        return 0;
    for (const char *q = s; *q; q++)
        if (!isdigit((unsigned char)*q))
            return 0;
    return atoi(s) <= 65535;
}

int cli_parse_hostport(const char *cmd, const char *arg, char *host, size_t hostcap,
                       const char *default_port, char *port, size_t portcap)
{
    const char *h = arg, *pt = NULL;
    size_t hl;
    if (arg[0] == '[') {
        const char *close = strchr(arg, ']');
        if (!close) {
            cli_usage_error(cmd, "bad address '%s': missing ']'", arg);
            return -1;
        }
        h = arg + 1;
        hl = (size_t)(close - h);
        if (close[1] == ':')
            pt = close + 2;
        else if (close[1] != '\0') {
            cli_usage_error(cmd, "bad address '%s': expected [ADDR]:PORT", arg);
            return -1;
        }
    } else {
        const char *colon = strchr(arg, ':');
        if (colon && strchr(colon + 1, ':')) {
            /* a bare IPv6 literal, no port */
            hl = strlen(arg);
        } else if (colon) {
            hl = (size_t)(colon - arg);
            pt = colon + 1;
        } else {
            hl = strlen(arg);
        }
    }
    if (hl == 0 || hl >= hostcap) {
        cli_usage_error(cmd, "bad address '%s': missing or too long host", arg);
        return -1;
    }
    memcpy(host, h, hl);
    host[hl] = '\0';
    if (!pt)
        pt = default_port;
    if (!valid_port(pt) || strlen(pt) >= portcap) {
        cli_usage_error(cmd, "bad port '%s' in '%s'", pt, arg);
        return -1;
    }
    snprintf(port, portcap, "%s", pt);
    return 0;
}

int cli_parse_uint(const char *cmd, const char *opt, const char *arg, unsigned long max,
                   unsigned long *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(arg, &end, 10);
    if (errno || !*arg || *end || arg[0] == '-' || v > max) {
        cli_usage_error(cmd, "%s expects a number from 0 to %lu, got '%s'", opt, max, arg);
        return -1;
    }
    *out = v;
    return 0;
}

/* ---- names ---- */

const char *cli_version_name(uint16_t version)
{
    switch (version) {
    case WARD_TLS13: return "TLS 1.3";
    case WARD_TLS12: return "TLS 1.2";
    default: return "unknown TLS version";
    }
}

static const char *or_code(const char *name, uint16_t v, char *buf, size_t cap)
{
    if (name)
        return name;
    snprintf(buf, cap, "unknown (0x%04x)", v);
    return buf;
}

const char *cli_suite(uint16_t suite, char *buf, size_t cap)
{
    return or_code(ward_suite_name(suite), suite, buf, cap);
}

const char *cli_group(uint16_t group, char *buf, size_t cap)
{
    if (group == 0) {
        snprintf(buf, cap, "none");
        return buf;
    }
    return or_code(ward_group_name(group), group, buf, cap);
}

const char *cli_sigscheme(uint16_t scheme, char *buf, size_t cap)
{
    if (scheme == 0) {
        snprintf(buf, cap, "none");
        return buf;
    }
    return or_code(ward_sigscheme_name(scheme), scheme, buf, cap);
}

void cli_hex(const uint8_t *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}
